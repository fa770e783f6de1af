// Test support, in neither served file: the canonical, structure-revealing serialization of
// a DOM tree, byte for byte the format of hotreload/diff/src/canonical.rs, so a browser DOM and
// the Rust reference applier's tree can be compared as strings (client-js/test/conformance.test.mjs,
// the apply-vs-morphdom bench). Tests import this file as a plain ES module from the sources.

import { HTML_NS, MATHML_NS, SVG_NS } from '../constants.js';
import { childContainer, isTemplate } from '../dom.js';

const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

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
