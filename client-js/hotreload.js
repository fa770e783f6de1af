// hotreload browser client — one plain ES module, no build step, no dependencies.
//
// Served by the Rust server (include_str!) and loaded with
//   <script type="module" src="..." data-hotreload-client data-socket="/_hotreload/ws" data-dev></script>
// It starts itself: connects to the WebSocket, announces the LiveView boundaries on the page
// (`[data-live-view-id]`), applies `patch` ops and morphs `html` frames into them while keeping
// focus, caret, typed values and scroll, sends `live-*` DOM events, and in dev mode shows a
// status indicator, toasts, an error overlay and a build progress bar.
//
// The wire protocol is docs/PROTOCOL.md. The patch ops mirror the Rust reference applier
// (hotreload/diff/src/apply.rs) op for op; `canonical()` mirrors hotreload/diff/src/canonical.rs
// so both can be compared on the same fixtures (client-js/test/conformance.test.mjs).
//
// Optional tuning attributes on the script tag (mainly for tests):
//   data-heartbeat-ms (10000), data-pong-timeout-ms (5000),
//   data-backoff-min-ms (100), data-backoff-max-ms (5000), data-toast-ms (3000).
//
// Sections: 1 constants & helpers · 2 canonical form · 3 parsing in context · 4 patch ops ·
// 5 morph · 6 preserving focus/selection/scroll · 7 connection · 8 frames · 9 events ·
// 10 dev UI · 11 shortcuts · 12 stylesheet swap · 13 reload guard · 14 boot.

// ---------------------------------------------------------------------------------------------
// 1. Constants & helpers
// ---------------------------------------------------------------------------------------------

const PROTOCOL_VERSION = 1;
const HTML_NS = 'http://www.w3.org/1999/xhtml';
const SVG_NS = 'http://www.w3.org/2000/svg';
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const BOUNDARY_ATTR = 'data-live-view-id';
const RELOAD_KEY = 'hotreload:reload-at';
const TOASTS_KEY = 'hotreload:toasts';
const RELOAD_GUARD_MS = 10_000;

const warn = (...args) => console.warn('[hotreload]', ...args);

/** True for an HTML `<template>` element, whose children live in `.content`. */
function isTemplate(node) {
  return node.nodeType === 1 && node.localName === 'template' && node.namespaceURI === HTML_NS;
}

/** The node holding `node`'s children: a template's content, the node itself otherwise. */
function childContainer(node) {
  return isTemplate(node) ? node.content : node;
}

/** Compares two strings by code point (= UTF-8 byte order, as Rust's `str` ordering). */
function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------
// 2. Canonical form (mirror of hotreload/diff/src/canonical.rs)
// ---------------------------------------------------------------------------------------------

function quoteCanonical(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

function canonicalElementTag(el) {
  switch (el.namespaceURI) {
    case HTML_NS: return el.localName;
    case SVG_NS: return `svg:${el.localName}`;
    case MATHML_NS: return `math:${el.localName}`;
    default: return `{${el.namespaceURI ?? ''}}${el.localName}`;
  }
}

function canonicalAttrName(attr) {
  switch (attr.namespaceURI) {
    case null: return attr.localName;
    case XLINK_NS: return `xlink:${attr.localName}`;
    case XML_NS: return `xml:${attr.localName}`;
    case XMLNS_NS: return `xmlns:${attr.localName}`;
    default: return `{${attr.namespaceURI}}${attr.localName}`;
  }
}

/**
 * The canonical, structure-revealing serialization of a run of nodes — byte for byte the
 * format of the Rust `canonical_nodes`, so a browser DOM and the reference applier's tree can
 * be compared as strings: namespaces, text-node boundaries, comments and `<template>` contents
 * are visible, attributes are sorted. Iterative, so very deep trees do not overflow the stack.
 * @param {ArrayLike<Node>} nodes
 * @returns {string}
 */
export function canonicalNodes(nodes) {
  let out = '';
  const stack = Array.from(nodes).reverse().map((node) => ({ node }));
  while (stack.length) {
    const step = stack.pop();
    if (step.close !== undefined) { out += step.close; continue; }
    const node = step.node;
    switch (node.nodeType) {
      case 1: {
        const tag = canonicalElementTag(node);
        const attrs = Array.from(node.attributes, (a) => [canonicalAttrName(a), a.value]);
        attrs.sort((p, q) => compareCodePoints(p[0], q[0]) || compareCodePoints(p[1], q[1]));
        out += `<${tag}`;
        for (const [k, v] of attrs) out += ` ${k}=${quoteCanonical(v)}`;
        out += '>';
        stack.push({ close: `</${tag}>` });
        if (isTemplate(node)) { out += '#content['; stack.push({ close: ']' }); }
        const kids = childContainer(node).childNodes;
        for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i] });
        break;
      }
      case 3: out += quoteCanonical(node.data); break;
      case 8: out += `<!--${quoteCanonical(node.data)}-->`; break;
      case 10: out += `<!DOCTYPE ${quoteCanonical(node.name)}>`; break;
      case 7: out += `<?${quoteCanonical(node.target)} ${quoteCanonical(node.data)}>`; break;
      default: break;
    }
  }
  return out;
}

/**
 * Canonical form of an element's children (a boundary's inner tree), as Rust's `canonical()`.
 * @param {Element} root
 * @returns {string}
 */
export function canonical(root) {
  return canonicalNodes(childContainer(root).childNodes);
}

// ---------------------------------------------------------------------------------------------
// 3. Parsing HTML in a context (as html5ever's fragment parser does on the server)
// ---------------------------------------------------------------------------------------------

/**
 * A detached element to parse children of `parent` with. The boundary root parses like the
 * server's fragment (`<body>` context); any other element is its own context (a shallow copy
 * with its attributes, created in this document so the scripting flag matches the server's:
 * `<noscript>` content is raw text); `ctx` names a neutral context for shells the parent would
 * not accept.
 */
function contextElement(parent, root, ctx) {
  if (ctx != null) {
    switch (ctx) {
      case 'template': return document.createElement('template');
      case 'svg': return document.createElementNS(SVG_NS, 'svg');
      case 'math': return document.createElementNS(MATHML_NS, 'math');
      default: throw new PatchError(`unknown parsing context ${JSON.stringify(ctx)}`);
    }
  }
  if (parent === root) return document.createElement('body');
  // Only the name (and, for MathML, `encoding`) affects how children parse. A fresh element
  // rather than a clone: no media fetches, no custom element constructors (any custom element
  // parses its children like a <div>).
  if (parent.namespaceURI === HTML_NS && parent.localName.includes('-')) return document.createElement('div');
  const el = document.createElementNS(parent.namespaceURI, parent.localName);
  const encoding = parent.getAttributeNS(null, 'encoding');
  if (encoding !== null) el.setAttributeNS(null, 'encoding', encoding);
  return el;
}

/** Parses `html` as the children of the detached `context` element; returns the new nodes. */
function parseIn(context, html) {
  context.innerHTML = html;
  return Array.from(childContainer(context).childNodes);
}

// ---------------------------------------------------------------------------------------------
// 4. Patch ops (mirror of hotreload/diff/src/apply.rs)
// ---------------------------------------------------------------------------------------------

/** A patch op that could not be applied; `message` is the short reason sent in the `ack`. */
export class PatchError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PatchError';
  }
}

const pathText = (path) => `[${path.join(',')}]`;

function nodeKind(node) {
  switch (node.nodeType) {
    case 1: return 'an element';
    case 3: return 'a text node';
    case 8: return 'a comment';
    case 10: return 'a doctype';
    default: return 'a node';
  }
}

function checkPath(path) {
  if (!Array.isArray(path) || !path.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new PatchError(`bad path ${JSON.stringify(path)}`);
  }
  return path;
}

/** The node at `path` under `root` (all node types count; templates step into content). */
function resolve(root, path) {
  let node = root;
  for (const i of checkPath(path)) {
    const next = childContainer(node).childNodes[i];
    if (!next) throw new PatchError(`path not found: ${pathText(path)}`);
    node = next;
  }
  return node;
}

/** The child container holding the node at `path`, and the node. */
function resolveParent(root, path) {
  if (checkPath(path).length === 0) throw new PatchError('cannot remove or replace the boundary root');
  const parent = resolve(root, path.slice(0, -1));
  const container = childContainer(parent);
  const node = container.childNodes[path[path.length - 1]];
  if (!node) throw new PatchError(`path not found: ${pathText(path)}`);
  return { parent, container, node };
}

function expectElement(node, path) {
  if (node.nodeType !== 1) throw new PatchError(`node at ${pathText(path)} is ${nodeKind(node)}, expected an element`);
  return node;
}

/** Whether the user is in `el` (a focused control, or an option of a focused select). */
function isFocusedControl(el) {
  const active = document.activeElement;
  if (!active || active === document.body) return false;
  return active === el || (el.localName === 'option' && active === el.closest('select'));
}

/** Forms by the time of their last `live-submit`: the server's answer may reset their fields. */
const submittedForms = new WeakMap();
const SUBMIT_RESET_MS = 2000;

/**
 * Whether the server's values win over a focused control: right after its form was submitted
 * (a todo input cleared after "Add"), until the user types into the form again.
 */
function serverWinsAfterSubmit(el) {
  const form = el.form ?? el.closest?.('form');
  const at = form ? submittedForms.get(form) : undefined;
  return at !== undefined && performance.now() - at < SUBMIT_RESET_MS;
}

/**
 * Sets the DOM property behind form state (`value`, `checked`, `selected`) to match its
 * attribute (`value === null`: removed), unless the user is focused on the control: then what
 * they are typing wins (except right after the form was submitted).
 */
function setFormProperty(el, name, value) {
  if (isFocusedControl(el) && !serverWinsAfterSubmit(el)) return;
  try {
    if (name === 'checked' && 'checked' in el) el.checked = value !== null;
    else if (name === 'selected' && 'selected' in el) el.selected = value !== null;
    else if (name === 'value' && /^(input|select|textarea)$/.test(el.localName)) {
      if (el.value !== (value ?? '')) el.value = value ?? '';
    }
  } catch (e) {
    warn(`could not set ${name} on`, el, e);
  }
}

/** Sets an attribute in no namespace by exact local name, as the reference applier does. */
function setPlainAttribute(el, name, value) {
  const existing = el.getAttributeNodeNS(null, name);
  if (existing) { existing.value = value; return; }
  try {
    el.setAttributeNS(null, name, value);
  } catch {
    // A name the DOM API refuses (`a:b` without namespace, `@click`) but the HTML parser
    // accepts: let the parser make the attribute node, then move it over.
    const t = document.createElement('template');
    t.innerHTML = `<b ${name}></b>`;
    const b = t.content.firstChild;
    const attr = b?.attributes?.[0];
    if (!attr || attr.name !== name) throw new PatchError(`invalid attribute name ${JSON.stringify(name)}`);
    b.removeAttributeNode(attr);
    attr.value = value;
    el.setAttributeNode(attr);
  }
}

function splitQualified(name) {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Moves `node` before `ref` keeping its state (focus, iframes) where `moveBefore` exists. */
function placeBefore(parent, node, ref) {
  if (typeof parent.moveBefore === 'function' && node.isConnected === parent.isConnected) {
    try { parent.moveBefore(node, ref); return; } catch { /* fall back */ }
  }
  parent.insertBefore(node, ref);
}

/** A textarea's text is its default value: after an op changed it, show it (unless focused). */
function syncTextarea(el) {
  if (el?.localName === 'textarea' && el.namespaceURI === HTML_NS && !isFocusedControl(el)) {
    el.value = el.defaultValue;
  }
}

function insertNodes(container, nodes, ref) {
  const frag = document.createDocumentFragment();
  for (const n of nodes) frag.appendChild(n);
  container.insertBefore(frag, ref);
}

const OPS = {
  text(root, op) {
    const node = resolve(root, op.path);
    if (node.nodeType !== 3 && node.nodeType !== 8) {
      throw new PatchError(`node at ${pathText(op.path)} is ${nodeKind(node)}, expected a text or comment node`);
    }
    node.data = String(op.text);
    if (op.prop) syncTextarea(node.parentNode);
  },
  attr(root, op) {
    const el = expectElement(resolve(root, op.path), op.path);
    const value = String(op.value);
    if (op.ns) {
      try { el.setAttributeNS(op.ns, op.name, value); } catch (e) { throw new PatchError(`cannot set ${op.name}: ${e.message}`); }
    } else {
      setPlainAttribute(el, op.name, value);
    }
    if (op.prop) setFormProperty(el, op.name, value);
  },
  rmattr(root, op) {
    const el = expectElement(resolve(root, op.path), op.path);
    if (op.ns) el.removeAttributeNS(op.ns, splitQualified(op.name));
    else el.removeAttributeNS(null, op.name);
    if (op.prop) setFormProperty(el, op.name, null);
  },
  insert(root, op) {
    const parent = resolve(root, op.path);
    const context = op.ctx != null ? contextElement(parent, root, op.ctx) : null;
    expectElement(parent, op.path);
    const container = childContainer(parent);
    const len = container.childNodes.length;
    if (!Number.isInteger(op.index) || op.index < 0 || op.index > len) {
      throw new PatchError(`index ${op.index} out of range at ${pathText(op.path)} (${len} children)`);
    }
    const nodes = parseIn(context ?? contextElement(parent, root, null), String(op.html));
    insertNodes(container, nodes, container.childNodes[op.index] ?? null);
    syncTextarea(parent);
  },
  remove(root, op) {
    const { parent, container, node } = resolveParent(root, op.path);
    container.removeChild(node);
    syncTextarea(parent);
  },
  move(root, op) {
    const parent = expectElement(resolve(root, op.path), op.path);
    const container = childContainer(parent);
    const kids = container.childNodes;
    const len = kids.length;
    for (const i of [op.from, op.to]) {
      if (!Number.isInteger(i) || i < 0 || i >= len) {
        throw new PatchError(`index ${i} out of range at ${pathText(op.path)} (${len} children)`);
      }
    }
    if (op.from === op.to) return;
    // `to` counts after taking the node out: past `from`, that is one further in today's list.
    const node = kids[op.from];
    const ref = kids[op.to > op.from ? op.to + 1 : op.to] ?? null;
    placeBefore(container, node, ref);
  },
  replace(root, op) {
    const { parent, container, node } = resolveParent(root, op.path);
    expectElement(parent, op.path.slice(0, -1));
    const nodes = parseIn(contextElement(parent, root, null), String(op.html));
    insertNodes(container, nodes, node);
    container.removeChild(node);
    syncTextarea(parent);
  },
};

/**
 * Applies patch ops to a boundary element in order, exactly as the Rust reference applier
 * (`hotreload_diff::apply`) does to its tree: each path is resolved afresh in the tree left by
 * the previous op. On the first op that cannot apply it throws a {@link PatchError} (ops before
 * it stay applied, as on the server); the caller acks the error and the server resends `html`.
 * Form properties follow `prop` ops except on the control the user is focused on.
 * @param {Element} root the boundary element (`[data-live-view-id]`)
 * @param {object[]} ops ops as decoded from a `patch` frame
 * @returns {number} the number of ops applied
 */
export function applyOps(root, ops) {
  if (!Array.isArray(ops)) throw new PatchError('ops is not an array');
  ops.forEach((op, i) => {
    const apply = op && Object.hasOwn(OPS, op.op) ? OPS[op.op] : null;
    if (!apply) throw new PatchError(`op #${i}: unknown op ${JSON.stringify(op?.op)}`);
    try {
      apply(root, op);
    } catch (e) {
      if (e instanceof PatchError) throw new PatchError(`${e.message} (op #${i} ${op.op})`);
      throw new PatchError(`op #${i} ${op.op}: ${e?.message ?? e}`);
    }
  });
  return ops.length;
}

// ---------------------------------------------------------------------------------------------
// 5. Morph (for `html` frames): keep element identity, change only what differs
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// 6. Preserving focus, selection and scroll across a patch
// ---------------------------------------------------------------------------------------------

/** Elements the user (or the page) scrolled; checked before and after each patch. */
const scrolledElements = new Set();

function trackScroll(event) {
  const t = event.target;
  if (t && t.nodeType === 1) scrolledElements.add(t);
}

function captureSelection(el) {
  try {
    if (el && typeof el.selectionStart === 'number') {
      return { start: el.selectionStart, end: el.selectionEnd, dir: el.selectionDirection, value: el.value };
    }
  } catch { /* input types without selection */ }
  return null;
}

function restoreSelection(el, sel) {
  if (!sel) return;
  try {
    const now = captureSelection(el);
    if (now && now.start === sel.start && now.end === sel.end) return;
    const max = el.value.length;
    el.setSelectionRange(Math.min(sel.start, max), Math.min(sel.end, max), sel.dir ?? 'none');
  } catch { /* not selectable */ }
}

function captureScroll() {
  const list = [[null, window.scrollX, window.scrollY]];
  for (const el of scrolledElements) {
    if (!el.isConnected) { scrolledElements.delete(el); continue; }
    if (el.scrollTop || el.scrollLeft) list.push([el, el.scrollLeft, el.scrollTop, el.id]);
  }
  return list;
}

function restoreScroll(list) {
  for (const [old, left, top, id] of list) {
    if (old === null) {
      if (window.scrollX !== left || window.scrollY !== top) window.scrollTo(left, top);
      continue;
    }
    // A scrolled container replaced by a patch hands its position to its successor (same id).
    const el = old.isConnected ? old : id ? document.getElementById(id) : null;
    if (el && (el.scrollLeft !== left || el.scrollTop !== top)) {
      el.scrollLeft = left;
      el.scrollTop = top;
      scrolledElements.add(el);
    }
  }
}

let applying = 0;

/**
 * Runs `change` (a patch or morph of `root`) and puts back what the user had: focus (on the
 * same element, or on its replacement with the same id), caret/selection and scroll positions.
 * Focus events fired meanwhile are not sent to the server.
 */
function preserving(root, change) {
  const active = document.activeElement;
  const hadFocus = active && active !== document.body && active !== document.documentElement;
  const sel = hadFocus ? captureSelection(active) : null;
  const scroll = captureScroll();
  applying++;
  try {
    return change();
  } finally {
    try {
      if (hadFocus && document.activeElement !== active) {
        let target = active.isConnected ? active : null;
        if (!target && active.id) target = root.querySelector(`#${CSS.escape(active.id)}`);
        if (target) {
          target.focus({ preventScroll: true });
          if (sel && target.value === sel.value) restoreSelection(target, sel);
        }
      } else if (hadFocus && sel && active.value === sel.value) {
        restoreSelection(active, sel);
      }
      restoreScroll(scroll);
    } catch (e) {
      warn('could not restore focus/scroll', e);
    }
    applying--;
  }
}

// ---------------------------------------------------------------------------------------------
// 7. Connection: WebSocket, hello, heartbeat, reconnect with backoff + jitter
// ---------------------------------------------------------------------------------------------

function readConfig(tag) {
  const num = (name, dflt) => {
    const v = Number(tag.getAttribute(name));
    return tag.hasAttribute(name) && Number.isFinite(v) && v > 0 ? v : dflt;
  };
  const dev = tag.getAttribute('data-dev');
  return {
    socket: tag.getAttribute('data-socket'),
    dev: dev !== null && dev !== '0' && dev !== 'false',
    heartbeatMs: num('data-heartbeat-ms', 10_000),
    pongTimeoutMs: num('data-pong-timeout-ms', 5_000),
    backoffMinMs: num('data-backoff-min-ms', 100),
    backoffMaxMs: num('data-backoff-max-ms', 5_000),
    toastMs: num('data-toast-ms', 3_000),
  };
}

function socketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** The boundaries on the page, as announced in `hello`. */
function boundaries() {
  return Array.from(document.querySelectorAll(`[${BOUNDARY_ATTR}]`), (el) => ({
    id: el.getAttribute(BOUNDARY_ATTR),
    view: el.getAttribute('data-live-view') ?? '',
  }));
}

function findBoundary(id) {
  return document.querySelector(`[${BOUNDARY_ATTR}="${CSS.escape(String(id))}"]`);
}

const MAX_QUEUED_EVENTS = 50;

class Client {
  constructor(config) {
    this.config = config;
    this.ws = null;
    this.state = 'connecting'; // connecting | open | reconnecting | closed
    this.everOpened = false;
    this.attempt = 0;
    this.stopped = false;
    this.boot = null;
    this.ref = 0;
    this.pingN = 0;
    this.timers = { reconnect: 0, ping: 0, pong: 0 };
    this.queue = []; // events raised while disconnected, sent after the next hello
    this.lastSeq = new Map(); // instance id -> last applied seq (this connection)
    this.failed = new Set(); // instances waiting for an `html` resync after a failed patch
    this.stats = { swaps: 0, patches: 0, htmls: 0, ops: 0, bytes: 0, lastLatencyMs: null, failures: 0, reconnects: 0, events: 0, pageRefreshes: 0 };
    this.ui = config.dev ? new DevUI(config) : null;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timers.reconnect);
    this.detach();
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.config.socket));
    } catch (e) {
      warn('cannot open WebSocket', e);
      this.setState('closed');
      this.ui?.status('error', 'bad socket URL');
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen();
    ws.onmessage = (e) => this.onMessage(e);
    ws.onclose = () => this.onDrop();
    ws.onerror = () => { /* a close event follows */ };
  }

  clearPongTimer() {
    clearTimeout(this.timers.pong);
    this.timers.pong = 0;
  }

  /** Forgets the current socket (closing it) without triggering the reconnect path. */
  detach() {
    clearInterval(this.timers.ping);
    this.clearPongTimer();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(1000); } catch { /* already closed */ }
  }

  setState(state) {
    this.state = state;
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...frame }));
      return true;
    } catch (e) {
      warn('send failed', e);
      return false;
    }
  }

  onOpen() {
    this.lastSeq.clear();
    this.failed.clear();
    this.send({ type: 'hello', instances: boundaries(), resume: this.everOpened });
    if (this.everOpened) this.stats.reconnects++;
    this.everOpened = true;
    this.setState('open');
    this.ui?.status('connected');
    for (const frame of this.queue.splice(0)) this.send(frame);
    this.timers.ping = setInterval(() => this.ping(), this.config.heartbeatMs);
  }

  ping() {
    if (!this.send({ type: 'ping', n: ++this.pingN })) return;
    if (this.timers.pong) return; // the last ping is still unanswered: keep its deadline
    this.timers.pong = setTimeout(() => {
      warn('no pong from the server; reconnecting');
      this.onDrop();
    }, this.config.pongTimeoutMs);
  }

  /** The connection is gone (closed by the server, network, or heartbeat timeout). */
  onDrop() {
    this.detach();
    if (this.stopped) return;
    this.setState('reconnecting');
    this.ui?.status('reconnecting');
    const { backoffMinMs, backoffMaxMs } = this.config;
    const ceiling = Math.min(backoffMaxMs, backoffMinMs * 2 ** Math.min(this.attempt, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter"
    this.attempt++;
    this.timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  /** Drops the connection and connects again at once (Ctrl+Shift+R, `__hotreload.reconnect()`). */
  reconnect() {
    this.stopped = false;
    this.attempt = 0;
    this.setState('reconnecting');
    this.ui?.status('reconnecting');
    this.connect();
  }

  /** Closes for good (page is going away). */
  close() {
    this.stopped = true;
    clearTimeout(this.timers.reconnect);
    this.detach();
    this.setState('closed');
  }

  /** Sends a LiveView event, or keeps it for the next connection. */
  sendEvent(frame) {
    const full = { type: 'event', ...frame, ref: ++this.ref };
    this.stats.events++;
    if (this.send(full)) return;
    if (this.queue.length >= MAX_QUEUED_EVENTS) this.queue.shift();
    this.queue.push(full);
  }

  // -------------------------------------------------------------------------------------------
  // 8. Frames from the server
  // -------------------------------------------------------------------------------------------

  onMessage(event) {
    const received = performance.now();
    if (typeof event.data !== 'string') { warn('ignoring a binary frame'); return; }
    this.stats.bytes += utf8Length(event.data);
    this.clearPongTimer(); // any frame proves the connection is alive
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      warn('ignoring a frame that is not JSON', event.data.slice(0, 200));
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (frame.v !== undefined && frame.v !== PROTOCOL_VERSION) {
      warn(`ignoring a frame of protocol version ${frame.v}`);
      return;
    }
    const handler = Object.hasOwn(FRAME_HANDLERS, frame.type) ? FRAME_HANDLERS[frame.type] : null;
    if (!handler) { warn(`unknown frame type ${JSON.stringify(frame.type)}`); return; }
    try {
      handler(this, frame, received);
    } catch (e) {
      warn(`failed to handle a ${frame.type} frame`, e);
    }
  }

  /** Applies a `patch` or `html` frame to its boundary and acks it. */
  applyFrame(frame, received, kind) {
    const { id, seq } = frame;
    const last = this.lastSeq.get(id);
    if (typeof seq === 'number' && last !== undefined && seq <= last) return; // stale or duplicate
    if (kind === 'patch' && this.failed.has(id)) return; // an `html` resync is on its way
    const root = findBoundary(id);
    if (!root) {
      this.send({ type: 'ack', id, seq, error: `boundary not found: ${id}` });
      this.stats.failures++;
      return;
    }
    if (typeof seq === 'number') this.lastSeq.set(id, seq);
    try {
      if (kind === 'patch') {
        preserving(root, () => applyOps(root, frame.ops));
        this.stats.patches++;
        this.stats.ops += frame.ops.length;
      } else {
        preserving(root, () => morph(root, frame.html));
        this.stats.htmls++;
        if (this.failed.delete(id)) this.ui?.toast('success', 'Resynced after a failed patch');
      }
      this.stats.lastLatencyMs = Math.round((performance.now() - received) * 100) / 100;
      this.send({ type: 'ack', id, seq });
    } catch (e) {
      const reason = e instanceof PatchError ? e.message : String(e?.message ?? e);
      warn(`${kind} for ${id} did not apply: ${reason}`);
      this.stats.failures++;
      this.failed.add(id);
      this.send({ type: 'ack', id, seq, error: reason });
    }
  }
}

function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { n += 2; i++; } // a pair is 4 bytes, counted 2 so far
    else if (c >= 0x800) n += 2;
    else if (c >= 0x80) n += 1;
  }
  return n;
}

/**
 * A page without live views (a handler that returns a template) has no instance on the server
 * to re-render, so after a template swap or a server restart it is fetched again and its body
 * morphed in place: focus, caret, scroll and form state are kept as for an `html` frame. Live
 * pages never do this (a GET would mount new instances); their instances re-render instead.
 * Swaps in quick succession cost one fetch in flight plus one after it.
 */
async function refreshStaticPage(client) {
  if (boundaries().length > 0 || typeof fetch !== 'function' || typeof DOMParser !== 'function') return;
  if (client.refreshing) {
    client.refreshAgain = true;
    return;
  }
  client.refreshing = true;
  try {
    do {
      client.refreshAgain = false;
      const response = await fetch(location.href, {
        headers: { Accept: 'text/html' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      const type = response.headers.get('content-type') ?? '';
      // A redirect (say, to a login page) or an error page is not this page's new version.
      if (!response.ok || response.redirected || !type.includes('text/html')) return;
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      if (doc.title !== document.title) document.title = doc.title;
      const body = document.body;
      preserving(body, () => {
        syncAttributes(body, doc.body);
        morph(body, doc.body.innerHTML);
      });
      client.stats.pageRefreshes++;
    } while (client.refreshAgain);
  } catch (e) {
    warn('could not fetch the page again after an edit', e);
  } finally {
    client.refreshing = false;
  }
}

const FRAME_HANDLERS = {
  welcome(client, frame) {
    const restarted = client.boot !== null && frame.boot !== client.boot;
    const recovered = client.stats.reconnects > 0 && client.attempt > 0;
    client.boot = frame.boot;
    client.attempt = 0;
    if (restarted) {
      client.ui?.clearRebuild();
      client.ui?.toast('success', 'Server restarted — reconnected');
      refreshStaticPage(client);
    } else if (recovered) {
      client.ui?.toast('success', 'Reconnected');
    }
  },
  patch(client, frame, received) {
    client.applyFrame(frame, received, 'patch');
  },
  html(client, frame, received) {
    client.applyFrame(frame, received, 'html');
  },
  pong(client) {
    client.clearPongTimer();
  },
  reload(client, frame) {
    reloadOnce(client, frame.reason);
  },
  error(client, frame) {
    warn(`server error ${frame.code}: ${frame.message}`, frame.id ?? '');
    client.ui?.toast('error', `${frame.code}: ${frame.message}`);
  },
  swapped(client, frame) {
    client.stats.swaps++;
    const n = frame.templates;
    const ms = frame.ms != null ? ` in ${Number(frame.ms).toFixed(1)} ms` : '';
    client.ui?.toast('success', `Updated ${frame.file}${n > 1 ? ` (${n} templates)` : ''}${ms}`, `swapped:${frame.file}`);
    refreshStaticPage(client);
  },
  rebuild_needed(client, frame) {
    client.ui?.rebuildNeeded(frame);
  },
  overlay(client, frame) {
    client.ui?.showOverlay(frame);
  },
  overlay_clear(client) {
    client.ui?.hideOverlay();
  },
  css(client, frame) {
    swapStylesheet(frame.path);
  },
  toast(client, frame) {
    client.ui?.toast(frame.level, String(frame.message ?? ''));
  },
  progress(client, frame) {
    client.ui?.progress(frame);
  },
};

// ---------------------------------------------------------------------------------------------
// 9. Events: delegated `live-*` listeners on document
// ---------------------------------------------------------------------------------------------

/** DOM event type -> [protocol event name, binding attribute]. */
const EVENT_BINDINGS = {
  click: ['click', 'live-click'],
  dblclick: ['dblclick', 'live-dblclick'],
  input: ['input', 'live-input'],
  change: ['change', 'live-change'],
  submit: ['submit', 'live-submit'],
  keydown: ['keydown', 'live-keydown'],
  keyup: ['keyup', 'live-keyup'],
  focusin: ['focus', 'live-focus'],
  focusout: ['blur', 'live-blur'],
};

const isControl = (el) => el && /^(input|select|textarea)$/.test(el.localName);

function isSubmitControl(el) {
  if (el.localName === 'button') return (el.getAttribute('type') ?? 'submit').toLowerCase() === 'submit';
  return el.localName === 'input' && /^(submit|image)$/i.test(el.type);
}

function formEntries(form, submitter) {
  let data;
  try { data = new FormData(form, submitter ?? undefined); } catch { data = new FormData(form); }
  return Array.from(data, ([k, v]) => [k, typeof v === 'string' ? v : v.name]);
}

/** Builds the `event` frame for a binding on `el`, or null if it must not be sent. */
function eventFrame(el, name, attr, domEvent) {
  const boundary = el.closest(`[${BOUNDARY_ATTR}]`);
  if (!boundary) return null;
  let msg;
  try {
    msg = JSON.parse(el.getAttribute(attr));
  } catch {
    warn(`${attr} is not JSON:`, el.getAttribute(attr));
    return null;
  }
  const frame = { id: boundary.getAttribute(BOUNDARY_ATTR), event: name, msg };
  const control = isControl(el) ? el : isControl(domEvent.target) ? domEvent.target : null;
  if (el.hasAttribute('live-value')) frame.value = el.getAttribute('live-value');
  else if (control) frame.value = String(control.value);
  if (control && /^(checkbox|radio)$/i.test(control.type)) frame.checked = control.checked;
  if (el.localName === 'form') frame.form = formEntries(el, domEvent.submitter);
  if (name === 'keydown' || name === 'keyup') frame.key = domEvent.key;
  return frame;
}

/** Pending debounced/throttled sends: element -> Map(event name -> state). */
const rateLimits = new Map();

function limitState(el, name) {
  let m = rateLimits.get(el);
  if (!m) rateLimits.set(el, (m = new Map()));
  let s = m.get(name);
  if (!s) m.set(name, (s = { timer: 0, pending: null, last: -Infinity }));
  return s;
}

function flushPending(el, filter = () => true) {
  const m = rateLimits.get(el);
  if (!m) return;
  for (const [name, s] of m) {
    if (s.pending && filter(name)) {
      clearTimeout(s.timer);
      const frame = s.pending;
      s.pending = null;
      s.send(frame);
    }
  }
}

/** Sends now, or later per `live-debounce` / `live-throttle` on the element. */
function dispatchLimited(client, el, name, frame) {
  const send = (f) => client.sendEvent(f);
  const debounce = el.getAttribute('live-debounce');
  const throttle = Number(el.getAttribute('live-throttle'));
  // Debounce/throttle apply to the high-frequency events, not to submit/focus/blur.
  const limitable = !['submit', 'focus', 'blur'].includes(name);
  if (limitable && debounce !== null) {
    const s = limitState(el, name);
    s.send = send;
    s.pending = frame;
    clearTimeout(s.timer);
    if (debounce.trim() === 'blur') return; // sent when the element loses focus
    const ms = Number(debounce);
    s.timer = setTimeout(() => flushPending(el, (n) => n === name), Number.isFinite(ms) ? ms : 0);
    return;
  }
  if (limitable && throttle > 0) {
    const s = limitState(el, name);
    s.send = send;
    const now = performance.now();
    if (now - s.last >= throttle && !s.pending) {
      s.last = now;
      send(frame);
      return;
    }
    s.pending = frame; // trailing send with the latest payload
    if (!s.timer) {
      s.timer = setTimeout(() => {
        s.timer = 0;
        s.last = performance.now();
        flushPending(el, (n) => n === name);
      }, Math.max(0, throttle - (now - s.last)));
    }
    return;
  }
  send(frame);
}

function onDomEvent(client, domEvent) {
  try {
    const [name, attr] = EVENT_BINDINGS[domEvent.type];
    const target = domEvent.target;
    if (!target || target.nodeType !== 1) return;
    if (domEvent.type === 'input' && target.form) submittedForms.delete(target.form);
    if (name === 'focus' || name === 'blur') {
      if (name === 'blur') flushPending(target); // a debounced input is sent when leaving it
      if (applying) return; // focus moved by a patch, not by the user
    }
    // Focus and blur belong to the element itself; the others bubble to the closest binding.
    const el = name === 'focus' || name === 'blur' ? (target.hasAttribute(attr) ? target : null) : target.closest(`[${attr}]`);
    if (!el) return;
    if (name === 'keydown' || name === 'keyup') {
      const keys = el.getAttribute('live-key');
      if (keys !== null && !keys.split(',').map((k) => k.trim()).includes(domEvent.key)) return;
    }
    if (name === 'submit') {
      domEvent.preventDefault();
      submittedForms.set(el, performance.now());
      for (const pendingEl of rateLimits.keys()) if (el.contains(pendingEl)) flushPending(pendingEl);
    }
    if (name === 'click') {
      const link = target.closest('a[href], button, input');
      if (el.localName === 'a' || isSubmitControl(el) || (link && el.contains(link) && (link.localName === 'a' || isSubmitControl(link)))) {
        domEvent.preventDefault();
      }
    }
    const frame = eventFrame(el, name, attr, domEvent);
    if (frame) dispatchLimited(client, el, name, frame);
  } catch (e) {
    warn(`failed to handle ${domEvent.type}`, e);
  }
}

function listenForEvents(client) {
  for (const type of Object.keys(EVENT_BINDINGS)) {
    document.addEventListener(type, (e) => onDomEvent(client, e), type === 'focusin' || type === 'focusout' ? true : false);
  }
}

// ---------------------------------------------------------------------------------------------
// 10. Dev UI: indicator, toasts, overlay, progress — all in one shadow root
// ---------------------------------------------------------------------------------------------

const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.status { position: fixed; right: 8px; bottom: 8px; display: flex; align-items: center; gap: 6px;
  padding: 3px 7px; border-radius: 10px; background: rgba(24,24,27,.72); color: #f4f4f5;
  font: 11px/1.3 system-ui, sans-serif; pointer-events: auto; cursor: default; user-select: none; }
.status .dot { width: 8px; height: 8px; border-radius: 50%; background: #a1a1aa; }
.status[data-state=connected] { padding: 3px; }
.status[data-state=connected] .label { display: none; }
.status[data-state=connected] .dot { background: #22c55e; }
.status[data-state=reconnecting] .dot { background: #f59e0b; animation: pulse 1s infinite; }
.status[data-state=rebuild] .dot { background: #f97316; }
.status[data-state=error] .dot { background: #ef4444; }
@keyframes pulse { 50% { opacity: .3; } }
.toasts { position: fixed; right: 8px; bottom: 34px; display: flex; flex-direction: column; gap: 6px;
  align-items: flex-end; max-width: min(420px, 90vw); pointer-events: none; }
.toast { pointer-events: auto; padding: 7px 11px; border-radius: 6px; color: #fafafa; background: #27272a;
  border-left: 4px solid #60a5fa; font: 12px/1.4 system-ui, sans-serif; box-shadow: 0 2px 10px rgba(0,0,0,.25);
  white-space: pre-wrap; word-break: break-word; }
.toast[data-level=success] { border-color: #22c55e; }
.toast[data-level=warn] { border-color: #f59e0b; }
.toast[data-level=error] { border-color: #ef4444; }
.overlay { position: fixed; inset: 0; overflow: auto; padding: 32px; background: rgba(9,9,11,.88);
  color: #f4f4f5; font: 13px/1.5 system-ui, sans-serif; pointer-events: auto; }
.overlay .panel { max-width: 960px; margin: 0 auto; background: #18181b; border-top: 4px solid #ef4444;
  border-radius: 6px; padding: 16px 20px; }
.overlay h2 { margin: 0 0 12px; font-size: 15px; color: #fca5a5; }
.overlay .close { float: right; background: none; border: 1px solid #52525b; color: #f4f4f5;
  border-radius: 4px; padding: 2px 9px; font: inherit; cursor: pointer; }
.overlay .error { margin: 12px 0; }
.overlay .loc { font: 12px ui-monospace, monospace; color: #93c5fd; }
.overlay .message { margin: 4px 0; white-space: pre-wrap; }
.overlay pre { margin: 4px 0; padding: 8px 10px; background: #09090b; border-radius: 4px; overflow-x: auto;
  font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
.overlay .hint { color: #a1a1aa; font-size: 11px; margin-top: 10px; }
.progress { position: fixed; top: 0; left: 0; right: 0; height: 3px; pointer-events: none; }
.progress .bar { height: 100%; width: 0; background: #3b82f6; transition: width .15s; }
.progress .label { position: fixed; top: 5px; right: 8px; padding: 1px 6px; border-radius: 4px;
  background: rgba(24,24,27,.72); color: #f4f4f5; font: 11px system-ui, sans-serif; }
[hidden] { display: none !important; }
`;

const STATUS_LABELS = { connected: 'connected', reconnecting: 'reconnecting…', rebuild: 'rebuild needed', error: 'error' };

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c);
  return el;
}

class DevUI {
  constructor(config) {
    this.config = config;
    this.host = document.createElement('hotreload-ui');
    this.host.setAttribute('style', 'all:initial!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:2147483647!important;display:block!important;');
    const root = this.host.attachShadow({ mode: 'open' });
    root.append(h('style', {}, UI_CSS));
    this.statusEl = h('div', { class: 'status', 'data-state': 'reconnecting', title: 'hotreload' }, h('span', { class: 'dot' }), h('span', { class: 'label' }, ''));
    this.toastsEl = h('div', { class: 'toasts' });
    this.progressEl = h('div', { class: 'progress', hidden: '' }, h('div', { class: 'bar' }), h('span', { class: 'label' }));
    this.overlayEl = h('div', { class: 'overlay', hidden: '', role: 'dialog', 'aria-modal': 'false' });
    root.append(this.progressEl, this.toastsEl, this.statusEl, this.overlayEl);
    this.state = 'reconnecting';
    this.rebuild = null;
    this.overlayOpen = false;
    this.toastsOn = readStorage(localStorage, TOASTS_KEY) !== 'off';
    (document.documentElement ?? document).appendChild(this.host);
    this.status('reconnecting');
  }

  /** Sets the connection state; "rebuild needed" and an open overlay outrank "connected". */
  status(state, detail) {
    this.state = state;
    let shown = state;
    if (state === 'connected' && this.overlayOpen) shown = 'error';
    else if (state === 'connected' && this.rebuild) shown = 'rebuild';
    this.statusEl.dataset.state = shown;
    const label = detail ?? (shown === 'rebuild' && this.rebuild ? `rebuild needed: ${this.rebuild}` : STATUS_LABELS[shown]);
    this.statusEl.querySelector('.label').textContent = label;
    this.statusEl.title = `hotreload: ${label}`;
  }

  rebuildNeeded(frame) {
    const where = frame.line != null ? `${frame.file}:${frame.line}` : String(frame.file ?? '');
    this.rebuild = where;
    this.status(this.state);
    this.toast('warn', `Rebuild needed: ${where}${frame.reason ? `\n${frame.reason}` : ''}`);
  }

  clearRebuild() {
    this.rebuild = null;
    this.status(this.state);
  }

  /**
   * Shows a toast. With a `key`, a toast with the same key that is still showing is updated in
   * place (and shown for longer) instead of stacking another: a burst of saves gives one toast.
   */
  toast(level, message, key) {
    if (!this.toastsOn) return;
    const kind = ['info', 'success', 'warn', 'error'].includes(level) ? level : 'info';
    const existing = key ? [...this.toastsEl.children].find((t) => t.dataset.key === key) : null;
    if (existing) {
      existing.dataset.level = kind;
      existing.textContent = message;
      clearTimeout(existing.__hotreloadTimer);
      existing.__hotreloadTimer = setTimeout(() => existing.remove(), this.config.toastMs);
      return;
    }
    const el = h('div', { class: 'toast', 'data-level': kind, role: 'status' }, message);
    if (key) el.dataset.key = key;
    this.toastsEl.append(el);
    while (this.toastsEl.children.length > 5) this.toastsEl.firstElementChild.remove();
    el.__hotreloadTimer = setTimeout(() => el.remove(), this.config.toastMs);
  }

  setToasts(on) {
    this.toastsOn = on;
    writeStorage(localStorage, TOASTS_KEY, on ? 'on' : 'off');
    if (on) this.toast('info', 'Toasts on (Ctrl+Shift+T)');
    else { this.toastsEl.replaceChildren(); console.info('[hotreload] toasts off (Ctrl+Shift+T to turn them on)'); }
  }

  showOverlay(frame) {
    const errors = Array.isArray(frame.errors) ? frame.errors : [];
    const title = frame.kind === 'compile' ? 'Compile error' : 'Template error';
    const items = errors.map((e) => {
      const loc = `${e.file ?? '?'}:${e.line ?? '?'}:${e.column ?? '?'}`;
      const parts = [h('div', { class: 'loc' }, loc), h('div', { class: 'message' }, String(e.message ?? ''))];
      if (e.source != null) {
        const caret = Number(e.column) > 0 ? `\n${' '.repeat(Number(e.column) - 1)}^` : '';
        parts.push(h('pre', { class: 'source' }, `${e.line ?? ''} | ${e.source}${caret ? `\n${' '.repeat(String(e.line ?? '').length)} | ${caret.slice(1)}` : ''}`));
      }
      return h('div', { class: 'error' }, ...parts);
    });
    const close = h('button', { class: 'close', type: 'button', title: 'Dismiss (Esc)', onclick: () => this.hideOverlay() }, '×');
    const count = errors.length === 1 ? '' : ` (${errors.length})`;
    const panel = h('div', { class: 'panel' }, close, h('h2', {}, `${title}${count}`), ...items,
      h('div', { class: 'hint' }, 'The last good version stays live. Fix the file and save, or press Esc to dismiss.'));
    this.overlayEl.replaceChildren(panel);
    this.overlayEl.hidden = false;
    this.overlayOpen = true;
    this.status(this.state);
  }

  hideOverlay() {
    this.overlayEl.hidden = true;
    this.overlayEl.replaceChildren();
    this.overlayOpen = false;
    this.status(this.state);
  }

  progress(frame) {
    const total = Number(frame.total);
    const done = Number(frame.done);
    if (!(total > 0) || done >= total) { this.progressEl.hidden = true; return; }
    this.progressEl.hidden = false;
    this.progressEl.querySelector('.bar').style.width = `${Math.max(0, Math.min(100, (done / total) * 100))}%`;
    this.progressEl.querySelector('.label').textContent = `${frame.label ?? 'Building'} ${done}/${total}`;
  }
}

function readStorage(storage, key) {
  try { return storage.getItem(key); } catch { return null; }
}

function writeStorage(storage, key, value) {
  try { storage.setItem(key, value); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------
// 11. Debug shortcuts (dev only)
// ---------------------------------------------------------------------------------------------

function statsTable(client) {
  const s = client.stats;
  return {
    state: client.state,
    swaps: s.swaps,
    patches: s.patches,
    'html morphs': s.htmls,
    ops: s.ops,
    'bytes received': s.bytes,
    'last patch latency (ms)': s.lastLatencyMs,
    failures: s.failures,
    reconnects: s.reconnects,
    'events sent': s.events,
  };
}

const SHORTCUTS = {
  R: (client) => client.reconnect(),
  H: (client) => {
    const table = statsTable(client);
    console.info(`[hotreload] stats\n${Object.entries(table).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    console.table(table);
  },
  T: (client) => client.ui?.setToasts(!client.ui.toastsOn),
};

function listenForShortcuts(client) {
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && client.ui?.overlayOpen) { client.ui.hideOverlay(); return; }
    if (!e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return;
    const key = e.code ? e.code.replace(/^Key/, '') : e.key.toUpperCase();
    const action = SHORTCUTS[key];
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    action(client);
  }, true);
}

// ---------------------------------------------------------------------------------------------
// 12. Stylesheet swap (`css` frames)
// ---------------------------------------------------------------------------------------------

const retiringLinks = new WeakSet();

/**
 * Re-points every `<link rel="stylesheet">` whose URL path is `path`: a clone with a `?v=`
 * cache-buster is inserted after the old link, and the old one is removed only once the new
 * one has loaded (or failed), so the page is never without the stylesheet.
 * @param {string} path e.g. `/static/app.css`
 * @returns {number} how many stylesheets were swapped
 */
export function swapStylesheet(path) {
  let wanted;
  try { wanted = new URL(path, location.href).pathname; } catch { return 0; }
  const links = Array.from(document.querySelectorAll('link[rel~="stylesheet" i][href]'))
    .filter((l) => !retiringLinks.has(l) && new URL(l.href, location.href).pathname === wanted);
  for (const old of links) {
    const fresh = old.cloneNode(false);
    const url = new URL(old.href, location.href);
    url.searchParams.set('v', String(Date.now()));
    fresh.href = url.href;
    retiringLinks.add(old);
    const done = () => old.remove();
    fresh.addEventListener('load', done, { once: true });
    fresh.addEventListener('error', done, { once: true });
    old.after(fresh);
  }
  if (!links.length) console.info(`[hotreload] no stylesheet on this page matches ${path}`);
  return links.length;
}

// ---------------------------------------------------------------------------------------------
// 13. Reload guard (`reload` frames)
// ---------------------------------------------------------------------------------------------

function reloadOnce(client, reason) {
  const last = Number(readStorage(sessionStorage, RELOAD_KEY) ?? 0);
  if (Date.now() - last < RELOAD_GUARD_MS) {
    warn(`reload suppressed (already reloaded ${Date.now() - last} ms ago): ${reason ?? ''}`);
    client.ui?.toast('error', `Reload suppressed to avoid a loop${reason ? `: ${reason}` : ''}`);
    return false;
  }
  writeStorage(sessionStorage, RELOAD_KEY, String(Date.now()));
  client.close();
  location.reload();
  return true;
}

// ---------------------------------------------------------------------------------------------
// 14. Boot: one client per page, started from the script tag's config
// ---------------------------------------------------------------------------------------------

/**
 * Starts the client from its `<script data-hotreload-client>` tag, once per page: called on
 * load; a second copy of the module (another URL) finds `window.__hotreload` and does nothing.
 * Without the tag (the module imported by tests) nothing starts and `null` is returned.
 * @returns {object|null} the `window.__hotreload` API
 */
function start() {
  if (window.__hotreload) return window.__hotreload; // loaded twice: keep the first client
  const tag = document.querySelector('script[data-hotreload-client]');
  if (!tag) return null; // imported as a library (tests); nothing to start
  const config = readConfig(tag);
  if (!config.socket) { warn('data-socket is missing on the client script tag'); return null; }
  if (document.compatMode === 'BackCompat') {
    warn('this page is in quirks mode: add <!DOCTYPE html>, or patches may not match the server\'s tree');
  }
  const client = new Client(config);
  document.addEventListener('scroll', trackScroll, { capture: true, passive: true });
  listenForEvents(client);
  if (config.dev) listenForShortcuts(client);
  window.addEventListener('pagehide', () => client.close());
  window.addEventListener('beforeunload', () => {
    client.close();
    // If another handler cancels the unload, the page stays: come back.
    setTimeout(() => { if (client.stopped && document.visibilityState !== 'hidden') client.reconnect(); }, 1000);
  });
  window.addEventListener('pageshow', (e) => { if (e.persisted) client.reconnect(); });
  const api = Object.freeze({
    version: PROTOCOL_VERSION,
    config,
    get state() { return client.state; },
    get boot() { return client.boot; },
    stats: () => ({ ...client.stats, state: client.state }),
    reconnect: () => client.reconnect(),
    close: () => client.close(),
    toast: (level, message) => client.ui?.toast(level, message),
    applyOps,
    morph,
    canonical,
  });
  Object.defineProperty(window, '__hotreload', { value: api, configurable: true });
  client.connect();
  return api;
}

try {
  start();
} catch (e) {
  warn('failed to start', e);
}

export { start };
