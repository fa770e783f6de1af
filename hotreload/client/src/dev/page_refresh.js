// After a template swap or a server restart, the page fetches itself again and morphs the new
// version in place, focus, caret, scroll and form state kept as for an `html` frame.
//
// A plain page (a handler that returns a template, no live views) has no instance on the
// server to re-render: it takes the whole new body (`window.__hotreload.morphPage`).
// A live page's instances re-render their boundaries themselves, but the markup around them
// (a layout's nav bar) is no instance's: it asks for its shell only, with `X-Hotreload-Shell:
// 1`, which a live route in a debug build answers without mounting anything, each boundary
// replaced by a placeholder `<div data-live-view-shell data-live-view="NAME">`; the morph
// (`window.__hotreload.morphShell`) keeps every boundary on the page where a placeholder (or,
// from a handler that ignores the header, a freshly mounted boundary) of its view is.

import { BOUNDARY_ATTR, SHELL_ATTR } from '../constants.js';
import { debug, warn } from '../log.js';

/** The request header asking a live route for the page around its views only. */
const SHELL_HEADER = 'X-Hotreload-Shell';

let refreshing = false;
let refreshAgain = false;

/** Fetches this page (a live page: its shell); null when the answer is not its new version. */
async function fetchPage(live) {
  const headers = { Accept: 'text/html' };
  if (live) headers[SHELL_HEADER] = '1';
  const response = await fetch(location.href, { headers, cache: 'no-store', credentials: 'same-origin' });
  const type = response.headers.get('content-type') ?? '';
  // A redirect (say, to a login page) or an error page is not this page's new version.
  if (!response.ok || response.redirected || !type.includes('text/html')) {
    debug(`not refreshing the page: the server answered ${response.status}${response.redirected ? ' (redirected)' : ''} ${type}`);
    return null;
  }
  return new DOMParser().parseFromString(await response.text(), 'text/html');
}

/**
 * Fetches this page again and morphs it in: a plain page whole, a live page around its
 * boundaries. Swaps in quick succession cost one fetch in flight plus one after it.
 */
export async function refreshPage(hr) {
  if (typeof fetch !== 'function' || typeof DOMParser !== 'function') return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const live = document.querySelector(`[${BOUNDARY_ATTR}]`) !== null;
      if (live && typeof hr.morphShell !== 'function') return; // an older runtime
      const doc = await fetchPage(live);
      if (!doc) continue;
      if (!live) {
        hr.morphPage(doc);
      } else if (doc.querySelector(`[${SHELL_ATTR}], [${BOUNDARY_ATTR}]`)) {
        hr.morphShell(doc);
      } else {
        // Not a page around these views (nothing stands for them): morphing would drop them.
        debug('not refreshing the page: the fetched page has no live view');
      }
    } while (refreshAgain);
  } catch (e) {
    warn('could not fetch the page again after an edit', e);
  } finally {
    refreshing = false;
  }
}
