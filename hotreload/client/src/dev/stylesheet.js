// Stylesheet swap for `css` frames: a changed stylesheet is re-fetched and replaced without a
// page reload and without a moment with no stylesheet (the old link goes once the new one has
// loaded).

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
