// Debug shortcuts: Ctrl+Shift+R reconnects, Ctrl+Shift+H prints the stats, Ctrl+Shift+T turns
// toasts on and off, Ctrl+Shift+D opens and closes the inspector; Escape dismisses the
// overlay. Listened for in the capture phase, so the combo reaches neither the page nor a
// focused input.

import { printStats } from './stats.js';

const SHORTCUTS = {
  R: (hr) => hr.reconnect(),
  H: (hr) => printStats(hr),
  T: (hr, ui) => ui.setToasts(!ui.toastsOn),
  D: (hr, ui, tools) => tools.inspector.toggle(),
};

/** Listens for the shortcuts (once, when the dev client installs); `tools`: the dev tools. */
export function listenForShortcuts(hr, ui, tools) {
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && ui.overlayOpen) { ui.hideOverlay(); return; }
    if (!e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return;
    const key = e.code ? e.code.replace(/^Key/, '') : e.key.toUpperCase();
    const action = SHORTCUTS[key];
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    action(hr, ui, tools);
  }, true);
}
