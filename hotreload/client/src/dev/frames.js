// The dev side of the frames the runtime leaves to the dev client (see dev_bridge.js): what
// each one shows. A handler is `(ui, hr, frame, tools)`, `ui` being the DevUI, `hr` the
// runtime's `window.__hotreload` and `tools` the dev tools (`inspector`).

import { printLog } from './console_log.js';
import { refreshPage } from './page_refresh.js';
import { sourceOpened } from './source_picker.js';
import { swapStylesheet } from './stylesheet.js';

export const DEV_FRAME_HANDLERS = {
  swapped(ui, hr, frame) {
    const n = frame.templates;
    const ms = frame.ms != null ? ` in ${Number(frame.ms).toFixed(1)} ms` : '';
    ui.toast('success', `Updated ${frame.file}${n > 1 ? ` (${n} templates)` : ''}${ms}`, `swapped:${frame.file}`);
    refreshPage(hr);
  },
  rebuild_needed(ui, hr, frame) {
    ui.rebuildNeeded(frame);
  },
  overlay(ui, hr, frame) {
    ui.showOverlay(frame);
  },
  overlay_clear(ui) {
    ui.hideOverlay();
  },
  // The sources are back to what the running build was compiled from (an edit undone): no
  // rebuild is coming, and its compile error no longer applies.
  rebuild_cleared(ui) {
    ui.rebuildCleared();
  },
  css(ui, hr, frame) {
    swapStylesheet(frame.path);
  },
  toast(ui, hr, frame) {
    ui.toast(frame.level, String(frame.message ?? ''));
  },
  progress(ui, hr, frame) {
    ui.progress(frame);
  },
  /** What the server knows of the page's views (an answer to the inspector). */
  inspect(ui, hr, frame, tools) {
    tools.inspector.receive(frame);
  },
  /** The answer to a modifier-click (click-to-source) or a template link in the inspector. */
  source_opened(ui, hr, frame) {
    sourceOpened(ui, frame);
  },
  /** A server log line, for the console. */
  log(ui, hr, frame) {
    printLog(frame);
  },
};
