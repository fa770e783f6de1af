// Patch ops, the mirror of the Rust reference applier (hotreload/diff/src/apply.rs) op for op:
// `text`, `attr`, `rmattr`, `insert`, `remove`, `move`, `replace`, each addressed by a path of
// child indexes within one boundary. client-js/test/conformance.test.mjs checks that both give
// the same tree on the same fixtures.

import { childContainer, contextElement, parseIn, placeBefore } from './dom.js';
import { PatchError } from './errors.js';
import { setFormProperty, syncTextarea } from './forms.js';

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
