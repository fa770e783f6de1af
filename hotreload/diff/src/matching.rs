//! Pairing the old children of a node with its new children.
//!
//! Which pairs are chosen only affects how *small* the patch is, never whether it is correct:
//! any paired nodes are of the same kind and get morphed into the new one. In priority order:
//!
//! 1. **Keys**: same key (`data-key`, else `id`) and same kind. Component boundaries are paired
//!    only this way, by their `data-live-view-id`.
//! 2. **Identical subtrees** (same subtree hash, not counting source annotations,
//!    `SOURCE_ATTR`), in order: an insertion at the top of an unkeyed list then costs one
//!    insert, not a morph of every row.
//! 3. **Id sets** (idiomorph): an unkeyed node whose keyed descendants match those of an old
//!    node of the same kind is paired with it, so keyed nodes deep under unkeyed wrappers are
//!    still found and kept.
//! 4. **Position and kind**: the k-th remaining new `<li>` gets the k-th remaining old `<li>`.
//!
//! Steps 2–4 never pair two keyed nodes with different keys (that would morph one item into
//! another); a keyed node may be paired with an unkeyed one.
//! 5. **Replace**: a leftover new node at the same index as a leftover old node replaces it.

use std::collections::{HashMap, VecDeque};

use crate::boundary::boundary_id;
use crate::index::{Index, Kind};

/// The result of pairing the children of one old node with those of one new node.
#[derive(Debug)]
pub(crate) struct Matching {
    /// For each new child (by position): the position of its old partner.
    pub(crate) new_to_old: Vec<Option<u32>>,
    /// For each new child: the partner is only a placeholder to be replaced.
    pub(crate) replace: Vec<bool>,
    /// For each old child: whether it has a partner.
    pub(crate) old_used: Vec<bool>,
}

/// Pairs the children of `old_parent` (in `old`) with those of `new_parent` (in `new`).
pub(crate) fn match_children(
    old: &Index,
    old_parent: u32,
    new: &Index,
    new_parent: u32,
) -> Matching {
    let olds = old.children(old_parent);
    let news = new.children(new_parent);
    let (m, n) = (olds.len(), news.len());
    let o = |i: usize| old.node(olds.start + i as u32);
    let nw = |j: usize| new.node(news.start + j as u32);

    // Fast path: same shape (kinds and keys line up) → pair by position.
    if m == n
        && (0..n).all(|i| {
            let (oi, ni) = (olds.start + i as u32, news.start + i as u32);
            o(i).kind == nw(i).kind
                && o(i).key == nw(i).key
                && old.ids(oi) == new.ids(ni)
                && boundaries_agree(old, oi, new, ni)
        })
    {
        return Matching {
            new_to_old: (0..n as u32).map(Some).collect(),
            replace: vec![false; n],
            old_used: vec![true; m],
        };
    }

    let mut new_to_old: Vec<Option<u32>> = vec![None; n];
    let mut old_used = vec![false; m];
    let pair = |j: usize, i: usize, new_to_old: &mut Vec<Option<u32>>, old_used: &mut Vec<bool>| {
        new_to_old[j] = Some(i as u32);
        old_used[i] = true;
    };

    // 1. Keys.
    if (0..n).any(|j| nw(j).key.is_some()) {
        let mut by_key: HashMap<u64, usize> = HashMap::new();
        for i in 0..m {
            if let Some(k) = o(i).key {
                by_key.entry(k).or_insert(i);
            }
        }
        for j in 0..n {
            let Some(k) = nw(j).key else { continue };
            if let Some(i) = by_key.remove(&k)
                && o(i).kind == nw(j).kind
                && o(i).boundary == nw(j).boundary
                && boundaries_agree(old, olds.start + i as u32, new, news.start + j as u32)
            {
                pair(j, i, &mut new_to_old, &mut old_used);
            }
        }
    }

    // Only non-boundary nodes take part in the soft matching below.
    let open_new =
        |j: usize, new_to_old: &Vec<Option<u32>>| new_to_old[j].is_none() && !nw(j).boundary;
    let open_old = |i: usize, old_used: &Vec<bool>| !old_used[i] && !o(i).boundary;
    // Two keyed nodes with different keys are different things: never morph one into the
    // other (a keyed node may still be morphed from or into an unkeyed one).
    let soft_ok =
        |i: usize, j: usize| o(i).kind == nw(j).kind && (o(i).key.is_none() || nw(j).key.is_none());

    // 2. Identical subtrees.
    if (0..n).any(|j| open_new(j, &new_to_old)) {
        let mut by_hash: HashMap<u64, VecDeque<usize>> = HashMap::new();
        for i in (0..m).filter(|&i| open_old(i, &old_used)) {
            by_hash.entry(o(i).shape).or_default().push_back(i);
        }
        for j in 0..n {
            if !open_new(j, &new_to_old) {
                continue;
            }
            if let Some(queue) = by_hash.get_mut(&nw(j).shape) {
                while let Some(i) = queue.pop_front() {
                    if open_old(i, &old_used) && soft_ok(i, j) {
                        pair(j, i, &mut new_to_old, &mut old_used);
                        break;
                    }
                }
            }
        }
    }

    // 3. Id sets.
    if (0..n).any(|j| open_new(j, &new_to_old) && !new.ids(news.start + j as u32).is_empty()) {
        let mut by_id: HashMap<u64, Vec<usize>> = HashMap::new();
        for i in (0..m).filter(|&i| open_old(i, &old_used)) {
            for &id in old.ids(olds.start + i as u32) {
                by_id.entry(id).or_default().push(i);
            }
        }
        for j in 0..n {
            if !open_new(j, &new_to_old) {
                continue;
            }
            let found = new.ids(news.start + j as u32).iter().find_map(|id| {
                by_id
                    .get(id)?
                    .iter()
                    .copied()
                    .find(|&i| open_old(i, &old_used) && soft_ok(i, j))
            });
            if let Some(i) = found {
                pair(j, i, &mut new_to_old, &mut old_used);
            }
        }
    }

    // 4. Position and kind.
    if (0..n).any(|j| open_new(j, &new_to_old)) {
        let mut by_kind: HashMap<&Kind, VecDeque<usize>> = HashMap::new();
        for i in (0..m).filter(|&i| open_old(i, &old_used)) {
            by_kind.entry(&o(i).kind).or_default().push_back(i);
        }
        for j in 0..n {
            if !open_new(j, &new_to_old) {
                continue;
            }
            if let Some(queue) = by_kind.get_mut(&nw(j).kind)
                && let Some(pos) = queue.iter().position(|&i| soft_ok(i, j))
                && let Some(i) = queue.remove(pos)
            {
                pair(j, i, &mut new_to_old, &mut old_used);
            }
        }
    }

    // 5. Replace leftovers in place.
    let mut replace = vec![false; n];
    for j in 0..n.min(m) {
        if new_to_old[j].is_none() && !old_used[j] {
            pair(j, j, &mut new_to_old, &mut old_used);
            replace[j] = true;
        }
    }

    Matching {
        new_to_old,
        replace,
        old_used,
    }
}

/// Two nodes are not boundaries, or are boundaries with the same id (checked on the actual
/// strings, so a key-hash collision can never retain the wrong component).
fn boundaries_agree(old: &Index, o: u32, new: &Index, n: u32) -> bool {
    let (a, b) = (old.node(o), new.node(n));
    match (a.boundary, b.boundary) {
        (false, false) => true,
        (true, true) => boundary_id(&a.handle) == boundary_id(&b.handle),
        _ => false,
    }
}

/// Marks the members of one longest increasing subsequence of `seq` (entries that are `None`
/// are skipped and never marked). These are the children that stay put; the others move.
pub(crate) fn longest_increasing(seq: &[Option<u32>]) -> Vec<bool> {
    // Patience sorting: tails[k] = index into seq of the smallest tail of an increasing run of
    // length k + 1; prev links rebuild the run.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = vec![usize::MAX; seq.len()];
    for (j, v) in seq.iter().enumerate() {
        let Some(v) = *v else { continue };
        let pos = tails.partition_point(|&t| seq[t].is_some_and(|x| x < v));
        if pos > 0 {
            prev[j] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(j);
        } else {
            tails[pos] = j;
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut cur = tails.last().copied().unwrap_or(usize::MAX);
    while cur != usize::MAX {
        keep[cur] = true;
        cur = prev[cur];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lis_keeps_the_longest_run() {
        let seq = [Some(1), Some(2), Some(3), Some(4), Some(0)];
        assert_eq!(longest_increasing(&seq), [true, true, true, true, false]);
        let rev = [Some(3), Some(2), Some(1), Some(0)];
        assert_eq!(longest_increasing(&rev).iter().filter(|k| **k).count(), 1);
        let gaps = [None, Some(5), None, Some(7)];
        assert_eq!(longest_increasing(&gaps), [false, true, false, true]);
    }
}
