// Morphing, for `html` frames (a boundary's whole new inner HTML) and for whole pages: keep
// element identity and change only what differs, so the focused control, what the user typed
// and nested boundaries survive. Matches by boundary id / `id` / `data-key`, then by position
// and tag, like the server's differ.

import { BOUNDARY_ATTR, HTML_NS } from './constants.js';
import { childContainer, placeBefore } from './dom.js';
import { isFocusedControl, setFormProperty } from './forms.js';
import { preserving } from './preserve.js';

const SOFT_MATCH_LOOKAHEAD = 8;

/** Identity of a node among its siblings: a boundary id, else `id`, else `data-key`. */
function keyOf(node) {
  if (node.nodeType !== 1) return null;
  const boundary = node.getAttribute(BOUNDARY_ATTR);
  if (boundary !== null) return `lv:${boundary}`;
  if (node.id) return `#${node.id}`;
  const key = node.getAttribute('data-key');
  return key !== null ? `k:${key}` : null;
}

function sameKind(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  return a.nodeType !== 1 || (a.localName === b.localName && a.namespaceURI === b.namespaceURI);
}

function findMatch(cursor, fresh, byKey) {
  const key = keyOf(fresh);
  if (key !== null) {
    const old = byKey.get(key);
    return old && sameKind(old, fresh) ? old : null;
  }
  let n = cursor;
  for (let i = 0; n && i < SOFT_MATCH_LOOKAHEAD; i++, n = n.nextSibling) {
    if (keyOf(n) === null && sameKind(n, fresh)) return n;
  }
  return null;
}

/** Copies `to`'s attributes onto `from`; returns the names whose value changed. */
function syncAttributes(from, to) {
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

/** Brings `from` (live) in line with `to` (parsed); pushes child pairs still to morph. */
function morphElement(from, to, work) {
  const changed = syncAttributes(from, to);
  for (const name of changed) {
    if (name === 'value' || name === 'checked' || name === 'selected') {
      setFormProperty(from, name, to.getAttribute(name));
    }
  }
  if (from.localName === 'textarea' && from.namespaceURI === HTML_NS) {
    // A textarea's text is its default value; like a `prop` text op, the shown value follows
    // a changed text unless the user is in it.
    const text = to.textContent;
    if (from.defaultValue !== text) {
      from.defaultValue = text;
      if (!isFocusedControl(from)) from.value = text;
    }
    return;
  }
  work.push([from, to]);
}

function morphChildren(fromParent, toParent, work) {
  const from = childContainer(fromParent);
  const to = childContainer(toParent);
  const byKey = new Map();
  for (let n = from.firstChild; n; n = n.nextSibling) {
    const k = keyOf(n);
    if (k !== null && !byKey.has(k)) byKey.set(k, n);
  }
  let cursor = from.firstChild;
  for (const fresh of Array.from(to.childNodes)) {
    const match = findMatch(cursor, fresh, byKey);
    if (!match) {
      from.insertBefore(fresh, cursor);
      continue;
    }
    byKey.delete(keyOf(match));
    if (match === cursor) cursor = cursor.nextSibling;
    else placeBefore(from, match, cursor);
    if (match.nodeType !== 1) {
      if (match.data !== fresh.data) match.data = fresh.data;
    } else if (!match.hasAttribute(BOUNDARY_ATTR)) {
      // A nested boundary with the same id is kept as is: its own instance owns its content.
      morphElement(match, fresh, work);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    from.removeChild(cursor);
    cursor = next;
  }
}

/**
 * Morphs a boundary's children into `html` (its new inner HTML, parsed like the server's
 * fragment). Nodes are matched by boundary id / `id` / `data-key`, then by position and tag,
 * and kept: the focused control keeps focus, caret and what the user typed; form properties
 * follow only attributes whose value changed (as `prop` ops do); nested boundaries that are
 * still there are left alone. Iterative, so deep trees are fine.
 * @param {Element} root the boundary element
 * @param {string} html its new inner HTML
 */
export function morph(root, html) {
  const to = document.createElement('body');
  to.innerHTML = String(html);
  const work = [[root, to]];
  while (work.length) {
    const [a, b] = work.pop();
    morphChildren(a, b, work);
  }
}

/**
 * Brings the whole page in line with a newer version of it (`doc`, a parsed document): title,
 * body attributes and body content, morphed in place with focus, caret, scroll and form state
 * kept as for an `html` frame.
 * @param {Document} doc
 */
export function morphPage(doc) {
  if (doc.title !== document.title) document.title = doc.title;
  const body = document.body;
  preserving(body, () => {
    syncAttributes(body, doc.body);
    morph(body, doc.body.innerHTML);
  });
}
