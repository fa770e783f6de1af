// The client's settings, read once from its `<script data-hotreload-client>` tag: the socket
// path, dev mode and where the dev client lives, and the tuning attributes (mostly for tests):
//   data-heartbeat-ms (10000), data-pong-timeout-ms (5000),
//   data-backoff-min-ms (100), data-backoff-max-ms (5000), data-toast-ms (3000).

export function readConfig(tag) {
  const num = (name, dflt) => {
    const v = Number(tag.getAttribute(name));
    return tag.hasAttribute(name) && Number.isFinite(v) && v > 0 ? v : dflt;
  };
  const dev = tag.getAttribute('data-dev');
  const isDev = dev !== null && dev !== '0' && dev !== 'false';
  return {
    socket: tag.getAttribute('data-socket'),
    dev: isDev,
    devClient: isDev ? devClientUrl(tag) : null,
    heartbeatMs: num('data-heartbeat-ms', 10_000),
    pongTimeoutMs: num('data-pong-timeout-ms', 5_000),
    backoffMinMs: num('data-backoff-min-ms', 100),
    backoffMaxMs: num('data-backoff-max-ms', 5_000),
    toastMs: num('data-toast-ms', 3_000),
  };
}

/**
 * The URL of the dev client: `data-dev-client`, else the script's own URL with its final
 * `client.js` (in the `_hotreload=` query value, or else in the path) replaced by `dev.js`:
 * `/a?_hotreload=client.js` gives `/a?_hotreload=dev.js`, `/_hotreload/client.js` gives
 * `/_hotreload/dev.js`. Null when neither gives one.
 */
function devClientUrl(tag) {
  const explicit = tag.getAttribute('data-dev-client');
  try {
    if (explicit) return new URL(explicit, document.baseURI).href;
    const url = new URL(tag.src, document.baseURI);
    const query = url.searchParams.get('_hotreload');
    if (query !== null && query.endsWith('client.js')) {
      url.searchParams.set('_hotreload', `${query.slice(0, -'client.js'.length)}dev.js`);
      return url.href;
    }
    if (url.pathname.endsWith('client.js')) {
      url.pathname = `${url.pathname.slice(0, -'client.js'.length)}dev.js`;
      return url.href;
    }
  } catch { /* no usable URL */ }
  return null;
}
