// Live navigation (docs/PROTOCOL.md, "Live navigation"): moving between URLs without a page
// load, over the page's one socket. A *patch* changes the URL of the view on the page (a
// `live-patch` link, the server's `live_patch`, back/forward between its entries): history
// only, and the server hears of it with `params` unless it asked for it. A *navigation* goes
// to another view (a `live-navigate` link, `live_navigate`, back/forward to another view's
// entry): the client fetches the page, swaps its body in, tells the server that the old
// boundaries `leave` and sends a new `hello` for the new ones. Whatever the client cannot do
// live is a plain page load. Every history entry it makes (and the page's first) is tagged
// `{hotreload: {view}}`, so back/forward knows whether it stays on the same view.

import { BOUNDARY_ATTR, CLIENT_TAG } from './constants.js';
import { boundaries, pageUrl, pageView } from './dom.js';
import { observingHooks } from './hooks.js';
import { debug, warn } from './log.js';
import { syncAttributes } from './morph.js';

/** Counts patches and navigations: a navigation's response that arrives after a newer one is dropped. */
let latest = 0;

/** Makes (`push`) or rewrites (`replace`, keeping its state) a history entry, tagged with the page's view. */
function writeHistory(mode, url) {
  const old = mode === 'replace' && history.state && typeof history.state === 'object' ? history.state : {};
  history[mode === 'replace' ? 'replaceState' : 'pushState']({ ...old, hotreload: { view: pageView() } }, '', url);
}

/**
 * The view on the page changes its URL: a history entry (`push` / `replace`; none for `pop`,
 * the browser moved already), then `params` when the server is to hear of it (`tell`).
 */
export function livePatch(client, url, mode, tell) {
  latest++;
  if (mode !== 'pop') writeHistory(mode, url);
  if (tell) client.sendQueued({ type: 'params', url: pageUrl() });
}

/**
 * The page at `url` (a URL) if it can be shown live (ok, same origin, HTML, with a boundary),
 * and where it is: after a redirect within the origin, where that ended (`url`'s #hash kept).
 */
async function fetchPage(url) {
  try {
    const response = await fetch(url.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin', cache: 'no-store' });
    const final = response.redirected ? new URL(url.hash, response.url) : url;
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || final.origin !== location.origin || !type.includes('text/html')) return null;
    // Parsed in a document without a browsing context: its scripts never run, there or once
    // moved into the page.
    const doc = document.implementation.createHTMLDocument('');
    doc.documentElement.innerHTML = await response.text();
    return doc.querySelector(`[${BOUNDARY_ATTR}]`) ? { doc, url: final } : null;
  } catch (e) {
    debug(`live navigation to ${url.href} failed`, e);
    return null;
  }
}

/**
 * Puts `doc`'s title and body (attributes and content) in place of the page's. The client's own
 * tag stays (where the new page has its copy, if the running one was in the body); the copy is
 * dropped, so the client neither runs twice nor shows twice.
 */
function swapPage(doc) {
  const running = document.querySelector(CLIENT_TAG);
  const inBody = running !== null && document.body.contains(running);
  const [slot, ...copies] = doc.body.querySelectorAll(CLIENT_TAG);
  for (const copy of copies) copy.remove();
  document.title = doc.title;
  syncAttributes(document.body, doc.body);
  document.body.replaceChildren(...doc.body.childNodes);
  if (slot && inBody) slot.replaceWith(running);
  else if (slot) slot.remove();
  else if (inBody) document.body.append(running);
}

/**
 * A live navigation to `url`: fetch, then `leave` for every boundary, the new body, history
 * (`push` / `replace`; for `pop`, a retag of the entry the browser moved to), scroll, and a
 * `hello` for the new boundaries. A navigation or patch started meanwhile supersedes it. What
 * cannot be shown live (an error, another origin, not a live page) is loaded the plain way.
 */
export async function liveNavigate(client, url, mode) {
  const mine = ++latest;
  try {
    const target = new URL(url, location.href);
    const page = await fetchPage(target);
    if (mine !== latest) return;
    if (!page) {
      location[mode === 'replace' ? 'replace' : 'assign'](target.href);
      return;
    }
    const left = boundaries().map((b) => b.id);
    if (left.length) client.send({ type: 'leave', ids: left });
    observingHooks(() => swapPage(page.doc)); // the old page's hooks are destroyed, the new one's mounted
    writeHistory(mode === 'pop' ? 'replace' : mode, mode === 'pop' ? undefined : page.url.href);
    let anchor = null;
    try { anchor = document.getElementById(decodeURIComponent(page.url.hash.slice(1))); } catch { /* a bad escape */ }
    if (anchor) anchor.scrollIntoView();
    else window.scrollTo(0, 0);
    client.hello(false);
  } catch (e) {
    warn(`live navigation to ${url} failed`, e);
  }
}

/** The live link a click is for, or null when the browser is to follow it (or it is not one). */
function liveLink(e) {
  if (e.button !== 0 || e.defaultPrevented || ['Control', 'Meta', 'Shift', 'Alt'].some((k) => e.getModifierState(k))) return null;
  const link = e.target.closest?.('a[href][live-patch], a[href][live-navigate]');
  if (!link || typeof link.href !== 'string' || link.hasAttribute('download')) return null;
  const target = link.getAttribute('target');
  if (target && target !== '_self') return null;
  return new URL(link.href).origin === location.origin ? link : null;
}

/** Tags the page's history entry and takes over live links and back/forward (once, at boot). */
export function listenForNavigation(client) {
  writeHistory('replace');
  document.addEventListener('click', (e) => {
    const link = liveLink(e);
    if (!link || client.state !== 'open') return; // without the socket a live link is a plain link
    e.preventDefault();
    const mode = link.hasAttribute('live-replace') ? 'replace' : 'push';
    if (link.hasAttribute('live-patch')) livePatch(client, link.href, mode, true);
    else liveNavigate(client, link.href, mode);
  });
  window.addEventListener('popstate', (e) => {
    const tag = e.state?.hotreload;
    if (!tag) return; // an entry the client did not make (a #hash)
    if (tag.view === pageView()) livePatch(client, null, 'pop', true);
    else liveNavigate(client, location.href, 'pop');
  });
}
