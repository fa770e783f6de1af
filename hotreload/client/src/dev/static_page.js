// Plain pages (a handler that returns a template, no live views) have no instance on the
// server to re-render, so after a template swap or a server restart they fetch themselves
// again and morph the new body in place (`window.__hotreload.morphPage`): focus, caret,
// scroll and form state are kept as for an `html` frame. Live pages never do this (a GET would
// mount new instances); their instances re-render instead.

import { BOUNDARY_ATTR } from '../constants.js';
import { warn } from '../log.js';

let refreshing = false;
let refreshAgain = false;

/**
 * Fetches this page again and morphs it in, if it is a plain page. Swaps in quick succession
 * cost one fetch in flight plus one after it.
 */
export async function refreshStaticPage(hr) {
  if (document.querySelector(`[${BOUNDARY_ATTR}]`) || typeof fetch !== 'function' || typeof DOMParser !== 'function') return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const response = await fetch(location.href, {
        headers: { Accept: 'text/html' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      const type = response.headers.get('content-type') ?? '';
      // A redirect (say, to a login page) or an error page is not this page's new version.
      if (!response.ok || response.redirected || !type.includes('text/html')) return;
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      hr.morphPage(doc);
    } while (refreshAgain);
  } catch (e) {
    warn('could not fetch the page again after an edit', e);
  } finally {
    refreshing = false;
  }
}
