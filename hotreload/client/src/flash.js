// Flash messages: the server renders them in a boundary as
// `<div data-live-flash="info">text<button live-flash-dismiss="info">×</button></div>`
// (docs/PROTOCOL.md). Dismissing one hides it at once, without waiting for the server, and
// tells its instance with `clear_flash`, so the next render does not bring it back. The element
// stays (hidden) until the server's answer removes it: that answer is a patch computed against
// the server's last render, which still has the flash, so the page must keep it too or the
// patch's paths would land one node off (`remove [0]` taking the heading after the flash).

import { BOUNDARY_ATTR } from './constants.js';

/** Listens for clicks on `[live-flash-dismiss]` (once, at boot). */
export function listenForFlash(client) {
  document.addEventListener('click', (e) => {
    const button = e.target.closest?.('[live-flash-dismiss]');
    if (!button) return;
    const flash = button.closest('[data-live-flash]');
    const boundary = (flash ?? button).closest(`[${BOUNDARY_ATTR}]`);
    const kind = button.getAttribute('live-flash-dismiss') || flash?.getAttribute('data-live-flash');
    if (flash) hide(flash);
    if (boundary && kind) client.sendQueued({ type: 'clear_flash', id: boundary.getAttribute(BOUNDARY_ATTR), kind });
  });
}

/** Hides `flash` whatever the page's stylesheet says (`.live-flash { display: flex }`). */
function hide(flash) {
  flash.hidden = true;
  flash.style.setProperty('display', 'none', 'important');
}
