// hotreload dev client: the entry point of dist/dev.js, loaded by the runtime (dist/runtime.js)
// with a dynamic import() on pages whose client tag has `data-dev` (debug builds only). It
// builds the dev UI and the dev tools, listens for the debug shortcuts and installs itself with
// `window.__hotreload.installDev(dev)`; from then on the runtime hands it, in order, the
// status changes, toasts and dev frames it kept while this file loaded (dev_bridge.js), and
// tells it of every applied patch (`applied`). It talks to the server with
// `window.__hotreload.sendDev` (`type: 'dev'` frames: open, inspect, travel, resume, replay).
//
// Module map: ui (status dot, toasts, overlay, progress) · shortcuts · stats · stylesheet
// (css frames) · page_refresh (the page fetches itself again after an edit and morphs it in:
// a plain page whole, a live page around its boundaries) · source_picker (modifier-hover
// outline and label, modifier-click opens the editor, `source_opened` toasts) · inspector
// (the panel: requests, time travel, paused views) · inspector_view (what the panel shows) ·
// console_log (`log` frames in the console) · frames (what each dev frame shows) · main (this
// file).

import { debug, warn } from '../log.js';
import { DEV_FRAME_HANDLERS } from './frames.js';
import { Inspector } from './inspector.js';
import { refreshPage } from './page_refresh.js';
import { listenForShortcuts } from './shortcuts.js';
import { listenForSourcePicks } from './source_picker.js';
import { DevUI } from './ui.js';

function install(hr) {
  const ui = new DevUI(hr.config);
  const tools = { inspector: new Inspector(hr, ui) };
  listenForShortcuts(hr, ui, tools);
  listenForSourcePicks(hr, ui);
  const dev = {
    frame(frame) {
      const handler = Object.hasOwn(DEV_FRAME_HANDLERS, frame.type) ? DEV_FRAME_HANDLERS[frame.type] : null;
      if (handler) handler(ui, hr, frame, tools);
      else debug(`the dev client has nothing to show for a ${frame.type} frame`);
    },
    status(state, detail) {
      ui.status(state, detail);
      if (state === 'connected') tools.inspector.connected();
    },
    applied(id) {
      tools.inspector.applied(id);
    },
    toast(level, message, key) {
      ui.toast(level, message, key);
    },
    restarted() {
      ui.clearRebuild();
      ui.toast('success', 'Server restarted — reconnected');
      tools.inspector.restarted();
      refreshPage(hr);
    },
  };
  hr.installDev(dev);
}

const host = window.__hotreload;
if (typeof host?.installDev !== 'function') warn('the dev client needs the runtime (client.js) on the page first');
else if (host.dev === 'ready') debug('a dev client is already installed');
else install(host);
