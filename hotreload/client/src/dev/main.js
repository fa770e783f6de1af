// hotreload dev client: the entry point of dist/dev.js, loaded by the runtime (dist/runtime.js)
// with a dynamic import() on pages whose client tag has `data-dev` (debug builds only). It
// builds the dev UI, listens for the debug shortcuts and installs itself with
// `window.__hotreload.installDev(dev)`; from then on the runtime hands it, in order, the
// status changes, toasts and dev frames it kept while this file loaded (dev_bridge.js).
//
// Module map: ui (status dot, toasts, overlay, progress) · shortcuts · stats · stylesheet
// (css frames) · page_refresh (the page fetches itself again after an edit and morphs it in:
// a plain page whole, a live page around its boundaries) · frames (what each dev frame
// shows) · main (this file).

import { debug, warn } from '../log.js';
import { DEV_FRAME_HANDLERS } from './frames.js';
import { refreshPage } from './page_refresh.js';
import { listenForShortcuts } from './shortcuts.js';
import { DevUI } from './ui.js';

function install(hr) {
  const ui = new DevUI(hr.config);
  listenForShortcuts(hr, ui);
  const dev = {
    frame(frame) {
      const handler = Object.hasOwn(DEV_FRAME_HANDLERS, frame.type) ? DEV_FRAME_HANDLERS[frame.type] : null;
      if (handler) handler(ui, hr, frame);
      else debug(`the dev client has nothing to show for a ${frame.type} frame`);
    },
    status(state, detail) {
      ui.status(state, detail);
    },
    toast(level, message, key) {
      ui.toast(level, message, key);
    },
    restarted() {
      ui.clearRebuild();
      ui.toast('success', 'Server restarted — reconnected');
      refreshPage(hr);
    },
  };
  hr.installDev(dev);
}

const host = window.__hotreload;
if (typeof host?.installDev !== 'function') warn('the dev client needs the runtime (client.js) on the page first');
else if (host.dev === 'ready') debug('a dev client is already installed');
else install(host);
