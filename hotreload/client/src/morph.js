// Morphing, for `html` frames (a boundary's whole new inner HTML) and for whole pages: keep
// element identity and change only what differs, so the focused control, what the user typed
// and nested boundaries survive. Matches by boundary id / `data-key` / `id`; unkeyed nodes
// first by equality (an old sibling the edit did not touch is kept as it is, wherever its
// neighbours moved), then by position and tag, like the server's differ. A `live-ignore`
// element's inside belongs to client-side code: only its attributes follow.

import { BOUNDARY_ATTR, HTML_NS, IGNORE_ATTR, SHELL_ATTR, VIEW_ATTR } from './constants.js';
import { childContainer, placeBefore } from './dom.js';
import { setFormProperty, showServerText } from './forms.js';
import { preserving } from './preserve.js';

const SOFT_MATCH_LOOKAHEAD = 8;

/**
 * Identity of a node among its siblings: a boundary id, else `data-key`, else `id` (the
 * server's differ's order, hotreload/diff/src/index.rs): an element whose `data-key` changed is
 * a new element even if its `id` stayed (a form that was reset starts over).
 */
function keyOf(node) {
  if (node.nodeType !== 1) return null;
  const boundary = node.getAttribute(BOUNDARY_ATTR);
  if (boundary !== null) return `lv:${boundary}`;
  const key = node.getAttribute('data-key');
  if (key !== null) return `k:${key}`;
  return node.id ? `#${node.id}` : null;
}

function sameKind(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  return a.nodeType !== 1 || (a.localName === b.localName && a.namespaceURI === b.namespaceURI);
}

/** A dev server's source annotation (`data-hr-src="FILE:LINE:COL"`, click-to-source). */
const SOURCE_ANNOTATION = / data-hr-src="[^"]*"/g;

/**
 * What a node is, as a string: equal for an old node and a fresh one when the edit did not
 * touch it. Markup only: what the user typed lives in properties, so it does not count; nor do
 * source annotations, which say where an element is written, not what it is (an element whose
 * template moved down a line is the same element; morphing it updates the attribute).
 */
function signature(node) {
  if (node.nodeType === 1) {
    const html = node.outerHTML;
    return html.includes(' data-hr-src="') ? html.replace(SOURCE_ANNOTATION, '') : html;
  }
  return `${node.nodeType}:${node.nodeValue ?? node.nodeName}`;
}

/** Adds `by` to the count of `sig` in `counts`. */
function bump(counts, sig, by) {
  const n = (counts.get(sig) ?? 0) + by;
  if (n > 0) counts.set(sig, n);
  else counts.delete(sig);
}

/**
 * The children of one old and one fresh parent, while they are morphed: the old ones by key
 * (and, for a shell morph, the boundaries by view name), signatures computed once, and how
 * many of the fresh ones still to come have each signature.
 */
class Siblings {
  constructor(from, fresh, shell) {
    this.signatures = new Map();
    this.byKey = new Map();
    this.byView = shell ? new Map() : null;
    for (let n = from.firstChild; n; n = n.nextSibling) {
      const k = keyOf(n);
      if (k === null || this.byKey.has(k)) continue;
      this.byKey.set(k, n);
      if (this.byView && k.startsWith('lv:')) {
        const view = n.getAttribute(VIEW_ATTR) ?? '';
        if (!this.byView.has(view)) this.byView.set(view, []);
        this.byView.get(view).push(n);
      }
    }
    this.wanted = new Map();
    for (const f of fresh) if (keyOf(f) === null) bump(this.wanted, this.sig(f), 1);
  }

  sig(node) {
    let s = this.signatures.get(node);
    if (s === undefined) {
      s = signature(node);
      this.signatures.set(node, s);
    }
    return s;
  }

  /** Whether a fresh node still to come is exactly `node`. */
  isWanted(node) {
    return this.wanted.has(this.sig(node));
  }

  /** Marks an old node as used (matched), so that no other fresh node takes it. */
  use(node) {
    const k = keyOf(node);
    if (k !== null && this.byKey.get(k) === node) this.byKey.delete(k);
  }

  /** The first unused old boundary of view `view`, for a fresh stand-in in a shell morph. */
  boundaryOf(view) {
    return this.byView.get(view)?.find((b) => this.byKey.get(keyOf(b)) === b) ?? null;
  }
}

/**
 * In a shell morph, whether a fresh element stands for a boundary the page already has: a
 * placeholder, or a boundary with an id the page does not know (a handler that mounted anew).
 */
function isStandIn(fresh, shell) {
  if (fresh.nodeType !== 1) return false;
  if (fresh.hasAttribute(SHELL_ATTR)) return true;
  const id = fresh.getAttribute(BOUNDARY_ATTR);
  return id !== null && !shell.ids.has(id);
}

/**
 * The old unkeyed sibling, from `cursor` on (within the lookahead), for unkeyed `fresh`: one
 * exactly equal to it, else the first of its kind that is not exactly equal to a fresh sibling
 * still to come (that one is kept for it), else none.
 */
function findUnkeyed(cursor, fresh, siblings) {
  let soft = null;
  let n = cursor;
  for (let i = 0; n && i < SOFT_MATCH_LOOKAHEAD; i++, n = n.nextSibling) {
    if (keyOf(n) !== null || !sameKind(n, fresh)) continue;
    if (siblings.sig(n) === siblings.sig(fresh)) return n;
    if (!soft && !siblings.isWanted(n)) soft = n;
  }
  return soft;
}

/**
 * Removes the old unkeyed nodes between `cursor` and `match` (an unkeyed match found ahead)
 * that no fresh node still to come equals: what the edit took out. Nodes that are kept then
 * stay where they are instead of all moving up. Returns the new cursor.
 */
function dropSkipped(from, cursor, match, siblings) {
  let n = cursor;
  while (n !== match) {
    const next = n.nextSibling;
    if (keyOf(n) === null && !siblings.isWanted(n)) {
      if (n === cursor) cursor = next;
      from.removeChild(n);
    }
    n = next;
  }
  return cursor;
}

/** Copies `to`'s attributes onto `from`; returns the names whose value changed. */
export function syncAttributes(from, to) {
  const changed = [];
  for (const attr of Array.from(from.attributes)) {
    if (!to.hasAttributeNS(attr.namespaceURI, attr.localName)) {
      from.removeAttributeNode(attr);
      changed.push(attr.localName);
    }
  }
  for (const attr of Array.from(to.attributes)) {
    const old = from.getAttributeNodeNS(attr.namespaceURI, attr.localName);
    if (old && old.value === attr.value) continue;
    if (old) old.value = attr.value;
    else from.setAttributeNode(attr.cloneNode());
    changed.push(attr.localName);
  }
  return changed;
}

/**
 * Whether the morph keeps `from`'s children as they are: it is `live-ignore` and stays so (the
 * server's differ never looks inside such an element either). On an element that gains or
 * loses the attribute the inside follows the render, as it would without it.
 */
function keepsInside(from, to) {
  return from.hasAttribute(IGNORE_ATTR) && to.hasAttribute(IGNORE_ATTR);
}

/** Brings `from` (live) in line with `to` (parsed); pushes child pairs still to morph. */
function morphElement(from, to, work) {
  const ignored = keepsInside(from, to);
  const changed = syncAttributes(from, to);
  for (const name of changed) {
    if (name === 'value' || name === 'checked' || name === 'selected') {
      setFormProperty(from, name, to.getAttribute(name));
    }
  }
  if (ignored) return; // its inside is a widget's, like a nested boundary's is its instance's
  if (from.localName === 'textarea' && from.namespaceURI === HTML_NS) {
    // A textarea's text is its default value; like a `prop` text op, the shown value follows
    // a changed text unless the user is in it.
    const text = to.textContent;
    if (from.defaultValue !== text) {
      from.defaultValue = text;
      showServerText(from);
    }
    return;
  }
  work.push([from, to]);
}

function morphChildren(fromParent, toParent, work, shell) {
  const from = childContainer(fromParent);
  const fresh = Array.from(childContainer(toParent).childNodes);
  const siblings = new Siblings(from, fresh, shell);
  let cursor = from.firstChild;
  for (const node of fresh) {
    const key = keyOf(node);
    let match;
    if (shell && isStandIn(node, shell)) {
      match = siblings.boundaryOf(node.getAttribute(VIEW_ATTR) ?? '');
    } else if (key !== null) {
      const old = siblings.byKey.get(key);
      match = old && sameKind(old, node) ? old : null;
    } else {
      bump(siblings.wanted, siblings.sig(node), -1);
      match = findUnkeyed(cursor, node, siblings);
      if (match) cursor = dropSkipped(from, cursor, match, siblings);
    }
    if (!match) {
      from.insertBefore(node, cursor);
      continue;
    }
    siblings.use(match);
    if (match === cursor) cursor = cursor.nextSibling;
    else placeBefore(from, match, cursor);
    if (match.nodeType !== 1) {
      if (match.data !== node.data) match.data = node.data;
    } else if (!match.hasAttribute(BOUNDARY_ATTR) && siblings.sig(match) !== siblings.sig(node)) {
      // A nested boundary is kept as is: its own instance owns its content (in a shell morph,
      // also the one a stand-in found). An element equal to the fresh one needs nothing.
      morphElement(match, node, work);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    from.removeChild(cursor);
    cursor = next;
  }
}

/** Morphs `root`'s children into `html`, parsed with `<body>` as context. */
function morphTree(root, html, shell) {
  const to = document.createElement('body');
  to.innerHTML = String(html);
  const work = [[root, to]];
  while (work.length) {
    const [a, b] = work.pop();
    morphChildren(a, b, work, shell);
  }
}

/**
 * Morphs a boundary's children into `html` (its new inner HTML, parsed like the server's
 * fragment). Nodes are matched by boundary id / `data-key` / `id`; unkeyed ones by equality
 * first (an untouched node stays, even when siblings are inserted, removed or reordered
 * around it), then by position and tag; and kept: the focused control keeps focus, caret and
 * what the user typed; form properties follow only attributes whose value changed (as `prop`
 * ops do); nested boundaries that are still there are left alone, and so is the inside of a
 * `live-ignore` element that stays (its attributes still follow). Iterative, so deep trees
 * are fine.
 * @param {Element} root the boundary element
 * @param {string} html its new inner HTML
 */
export function morph(root, html) {
  morphTree(root, html, null);
}

/** The boundaries under `root` that are not inside another boundary. */
function topLevelBoundaries(root) {
  return Array.from(root.querySelectorAll(`[${BOUNDARY_ATTR}]`))
    .filter((b) => !b.parentElement?.closest(`[${BOUNDARY_ATTR}]`));
}

/**
 * After a shell morph: a boundary the morph took out, because the markup around it changed
 * (the view now sits in a new wrapper), goes where a stand-in of its view was left.
 */
function rehome(body, boundaries, shell) {
  if (boundaries.every((b) => b.isConnected)) return;
  for (const standIn of body.querySelectorAll(`[${SHELL_ATTR}], [${BOUNDARY_ATTR}]`)) {
    if (!standIn.isConnected || !isStandIn(standIn, shell)) continue;
    const view = standIn.getAttribute(VIEW_ATTR) ?? '';
    const lost = boundaries.find((b) => !b.isConnected && (b.getAttribute(VIEW_ATTR) ?? '') === view);
    if (lost) standIn.parentNode.replaceChild(lost, standIn);
  }
}

/**
 * Brings the whole page in line with a newer version of it (`doc`, a parsed document): title,
 * body attributes and body content, morphed in place with focus, caret, scroll and form state
 * kept as for an `html` frame.
 *
 * With `shell`, `doc` is the page around the live views (the dev client's `X-Hotreload-Shell`
 * fetch): a placeholder (`data-live-view-shell`), or a boundary whose id is not on the page,
 * stands for the first unused boundary of the same view (`data-live-view`) among the old
 * siblings, and that boundary is kept exactly as it is: its instance owns it. Without it, a
 * boundary is kept only where the fresh page has the same id, as in an `html` frame.
 * @param {Document} doc
 * @param {{ shell?: boolean }} [options]
 */
export function morphPage(doc, { shell = false } = {}) {
  if (doc.title !== document.title) document.title = doc.title;
  const body = document.body;
  preserving(body, () => {
    syncAttributes(body, doc.body);
    if (!shell) {
      morphTree(body, doc.body.innerHTML, null);
      return;
    }
    const ids = new Set(Array.from(body.querySelectorAll(`[${BOUNDARY_ATTR}]`), (b) => b.getAttribute(BOUNDARY_ATTR)));
    const boundaries = topLevelBoundaries(body);
    const options = { ids };
    morphTree(body, doc.body.innerHTML, options);
    rehome(body, boundaries, options);
  });
}
