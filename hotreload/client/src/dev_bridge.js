// Where the runtime meets the dev client (dist/dev.js, debug builds only). The runtime shows
// nothing itself: it tells the dev client what happened through a `DevBridge` (connection
// status changes, toasts, "the server restarted", and the frames whose only effect is dev UI),
// and the dev client, once loaded, installs itself with `window.__hotreload.installDev(dev)`.
// What happens before that is buffered and replayed in order; without `data-dev` it is dropped.
//
// The dev object (see hotreload/client/src/dev/main.js) has four methods, all called in the
// order things happened:
//   frame(frame)               a server frame left to the dev client: toast, swapped,
//                              rebuild_needed, rebuild_cleared, overlay, overlay_clear, progress,
//                              css, inspect, source_opened, log
//   status(state, detail?)     the connection: 'connected' | 'reconnecting' | 'error'
//   toast(level, message, key?) a message from the runtime, or `window.__hotreload.toast()`
//   restarted()                the server came back with a new boot id
// and may have a fifth, called only once it is installed (never buffered):
//   applied(id)                a `patch` or `html` frame was applied to instance `id`
// The dev client talks back with `window.__hotreload.sendDev(frame)` (`type: 'dev'` frames
// only) and pauses an instance's events with `pauseEvents(ids)` (time travel).

import { debug, warn } from './log.js';

/** Calls kept while the dev client loads; past this the oldest are dropped. */
const MAX_BUFFERED = 200;
const DEV_METHODS = ['frame', 'status', 'toast', 'restarted'];

export class DevBridge {
  /** @param {boolean} enabled whether a dev client is coming (`data-dev`), so calls are kept */
  constructor(enabled) {
    this.state = enabled ? 'loading' : 'off'; // off | loading | ready | failed
    this.dev = null;
    this.buffer = [];
  }

  frame(frame) { this.notify('frame', [frame]); }

  status(state, detail) { this.notify('status', [state, detail]); }

  toast(level, message, key) { this.notify('toast', [level, message, key]); }

  restarted() { this.notify('restarted', []); }

  /** A frame was applied to instance `id`: for the installed dev client only, if it listens. */
  applied(id) { if (typeof this.dev?.applied === 'function') this.call('applied', [id]); }

  notify(method, args) {
    if (this.dev) { this.call(method, args); return; }
    if (this.state === 'loading') {
      if (this.buffer.length >= MAX_BUFFERED) this.buffer.shift();
      this.buffer.push([method, args]);
    } else if (method === 'frame') {
      debug(`ignoring a ${args[0]?.type} frame: no dev client on this page`);
    }
  }

  call(method, args) {
    try {
      this.dev[method](...args);
    } catch (e) {
      warn(`the dev client failed in ${method}()`, e);
    }
  }

  /** Installs the dev client and replays what it missed; false if it cannot be installed. */
  install(dev) {
    if (this.dev) { warn('a dev client is already installed; ignoring another'); return false; }
    const missing = DEV_METHODS.filter((m) => typeof dev?.[m] !== 'function');
    if (missing.length) { warn(`installDev: the dev client lacks ${missing.join(', ')}`); return false; }
    this.dev = dev;
    this.state = 'ready';
    for (const [method, args] of this.buffer.splice(0)) this.call(method, args);
    return true;
  }

  /** The dev client is not coming: stop keeping calls for it. */
  fail(reason) {
    if (this.dev) return;
    warn(reason);
    this.state = 'failed';
    this.buffer = [];
  }
}

/** Loads the dev client (which installs itself through `window.__hotreload.installDev`). */
export function loadDevClient(bridge, url) {
  if (!url) {
    bridge.fail('data-dev is set but there is no dev client URL: add data-dev-client, or serve the client at a URL ending in client.js');
    return;
  }
  import(url).then(
    () => { if (bridge.state === 'loading') bridge.fail(`${url} did not install a dev client`); },
    (e) => bridge.fail(`could not load the dev client from ${url}: ${e?.message ?? e}`),
  );
}
