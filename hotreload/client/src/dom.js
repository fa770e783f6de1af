// DOM helpers the applier and the morph share: `<template>` contents, parsing HTML in the
// context the server parsed it in (as html5ever's fragment parser does), moving nodes without
// losing their state, and finding the LiveView boundaries on the page (and the page's URL and
// view, which `hello` and history entries carry).

import { BOUNDARY_ATTR, HTML_NS, MATHML_NS, SVG_NS, TOKEN_ATTR, VIEW_ATTR } from './constants.js';
import { PatchError } from './errors.js';

/** True for an HTML `<template>` element, whose children live in `.content`. */
export function isTemplate(node) {
  return node.nodeType === 1 && node.localName === 'template' && node.namespaceURI === HTML_NS;
}

/** The node holding `node`'s children: a template's content, the node itself otherwise. */
export function childContainer(node) {
  return isTemplate(node) ? node.content : node;
}

/**
 * A detached element to parse children of `parent` with. The boundary root parses like the
 * server's fragment (`<body>` context); any other element is its own context (a shallow copy
 * with its attributes, created in this document so the scripting flag matches the server's:
 * `<noscript>` content is raw text); `ctx` names a neutral context for shells the parent would
 * not accept.
 */
export function contextElement(parent, root, ctx) {
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
export function parseIn(context, html) {
  context.innerHTML = html;
  return Array.from(childContainer(context).childNodes);
}

/** Moves `node` before `ref` keeping its state (focus, iframes) where `moveBefore` exists. */
export function placeBefore(parent, node, ref) {
  if (typeof parent.moveBefore === 'function' && node.isConnected === parent.isConnected) {
    try { parent.moveBefore(node, ref); return; } catch { /* fall back */ }
  }
  parent.insertBefore(node, ref);
}

/**
 * The boundaries on the page, as announced in `hello`: `{id, view, token?, parent?}`, `token`
 * when the boundary has one, `parent` (the closest enclosing boundary's id) when nested.
 */
export function boundaries() {
  return Array.from(document.querySelectorAll(`[${BOUNDARY_ATTR}]`), (el) => {
    const entry = { id: el.getAttribute(BOUNDARY_ATTR), view: el.getAttribute(VIEW_ATTR) ?? '' };
    const token = el.getAttribute(TOKEN_ATTR);
    if (token !== null) entry.token = token;
    const parent = el.parentElement?.closest(`[${BOUNDARY_ATTR}]`);
    if (parent) entry.parent = parent.getAttribute(BOUNDARY_ATTR);
    return entry;
  });
}

/** The page's URL as the server routes it: path and query (`hello.url`, `params.url`). */
export function pageUrl() {
  return location.pathname + location.search;
}

/**
 * The page's view: the first top-level boundary's `data-live-view` (the first boundary in
 * document order is top-level), null on a page without one.
 */
export function pageView() {
  return document.querySelector(`[${BOUNDARY_ATTR}]`)?.getAttribute(VIEW_ATTR) ?? null;
}

/** The boundary element of instance `id`, or null. */
export function findBoundary(id) {
  return document.querySelector(`[${BOUNDARY_ATTR}="${CSS.escape(String(id))}"]`);
}
