// hotreload browser runtime: the entry point of dist/runtime.js, what every live page loads
// (release builds too) with
//   <script type="module" src=".../client.js" data-hotreload-client data-socket="/_hotreload/ws"></script>
// It starts itself: connects to the WebSocket, announces the LiveView boundaries on the page
// (`[data-live-view-id]`), applies `patch` ops and morphs `html` frames into them while keeping
// focus, caret, typed values and scroll, sends `live-*` DOM events, follows live links and
// back/forward without page loads, sends typed form values back after a reconnect, and runs
// the page's JavaScript hooks (`live-hook`, registered in `window.hotreload.hooks`) and
// uploads files over the socket (`live-upload`, `live-drop`, previews with `live-preview`).
//
// With `data-dev` (debug builds) it also loads the dev client (dist/dev.js, from
// `data-dev-client` or the script's own URL with `client.js` -> `dev.js`), which installs
// itself with `window.__hotreload.installDev(dev)` (dev_bridge.js describes `dev`).
//
// Module map: constants, log, storage, errors, dom (parsing in context) · apply (patch ops) ·
// forms, preserve, morph · config, socket, frames, reload, dev_bridge · rate_limit, events,
// flash · navigation (live links, history), recovery (forms after a reconnect) · hooks
// (`live-hook` lifecycle, `pushEvent`, `push_event`) · uploads (`live-upload`, `live-drop`,
// chunks, `live-preview`) · runtime (this file: boot and
// `window.__hotreload`). The sources are in hotreload/client/src;
// hotreload/client/build.mjs joins them into the file the server serves.

import { applyOps } from './apply.js';
import { readConfig } from './config.js';
import { CLIENT_TAG, PROTOCOL_VERSION } from './constants.js';
import { DevBridge, loadDevClient } from './dev_bridge.js';
import { PatchError } from './errors.js';
import { listenForEvents } from './events.js';
import { listenForFlash } from './flash.js';
import { observingHooks, startHooks } from './hooks.js';
import { warn } from './log.js';
import { morph, morphPage } from './morph.js';
import { listenForNavigation } from './navigation.js';
import { listenForScroll } from './preserve.js';
import { Client } from './socket.js';
import { listenForUploads, showPreviews } from './uploads.js';

/**
 * Starts the client from its `<script data-hotreload-client>` tag, once per page: called on
 * load; a second copy of the module (another URL) finds `window.__hotreload` and does nothing.
 * Without the tag (the module imported by tests) nothing starts and `null` is returned.
 * @returns {object|null} the `window.__hotreload` API
 */
function start() {
  if (window.__hotreload) return window.__hotreload; // loaded twice: keep the first client
  const tag = document.querySelector(CLIENT_TAG);
  if (!tag) return null; // imported as a library (tests); nothing to start
  const config = readConfig(tag);
  if (!config.socket) { warn('data-socket is missing on the client script tag'); return null; }
  if (document.compatMode === 'BackCompat') {
    warn('this page is in quirks mode: add <!DOCTYPE html>, or patches may not match the server\'s tree');
  }
  const dev = new DevBridge(config.dev);
  const client = new Client(config, dev);
  listenForScroll();
  listenForEvents(client); // first: a `live-click` on a link prevents its default before...
  listenForFlash(client);
  listenForNavigation(client); // ...a live link looks at `defaultPrevented`
  listenForUploads(client); // after events.js: a `live-change` form sees the chosen file's name
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
    /** The dev client: 'off' (no `data-dev`), 'loading', 'ready' or 'failed'. */
    get dev() { return dev.state; },
    stats: () => ({ ...client.stats, state: client.state }),
    reconnect: () => client.reconnect(),
    close: () => client.close(),
    toast: (level, message) => dev.toast(level, message),
    applyOps,
    morph,
    /** Morphs the page into `doc` (a newer version of it, parsed), focus and scroll kept. */
    morphPage: (doc) => {
      observingHooks(() => morphPage(doc));
      showPreviews();
      client.stats.pageRefreshes++;
    },
    /**
     * Morphs the page around its live views into `doc` (the page rendered for its shell only,
     * `X-Hotreload-Shell`): every boundary on the page stays as it is.
     */
    morphShell: (doc) => {
      observingHooks(() => morphPage(doc, { shell: true }));
      showPreviews();
      client.stats.shellRefreshes++;
    },
    /** Called by the dev client (dist/dev.js) to receive what dev_bridge.js describes. */
    installDev: (devClient) => dev.install(devClient),
    /** Sends a `dev` frame (the dev client's requests) now; false if not open or not `dev`. */
    sendDev: (frame) => frame?.type === 'dev' && client.send(frame),
    /** The instances (ids) whose events are dropped from now on (time travel); [] for none. */
    pauseEvents: (ids) => { client.paused = new Set(ids); },
  });
  Object.defineProperty(window, '__hotreload', { value: api, configurable: true });
  startHooks(client); // mounted() for the hooked elements already in the page
  if (config.dev) loadDevClient(dev, config.devClient);
  client.connect();
  return api;
}

try {
  start();
} catch (e) {
  warn('failed to start', e);
}

export { applyOps, morph, PatchError, start };
