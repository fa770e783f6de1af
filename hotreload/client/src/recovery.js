// Form recovery after a reconnect: a restarted (or replaced) server mounts the views fresh and
// has lost what the user typed, which the page still shows. So once a boundary's first `html`
// or `patch` frame after the reconnect's `welcome` is applied (or RECOVERY_WAIT_MS after it, if
// the server sends none), each `<form live-change>` in it sends a `change` event with its
// entries, as if the user had just changed it. Meanwhile the controls the user changed keep
// their values through the fresh render (forms.js, `keepUserValues`).

import { BOUNDARY_ATTR } from './constants.js';
import { formEntries, keepUserValues, unusedFields } from './forms.js';
import { warn } from './log.js';

const RECOVERY_WAIT_MS = 300;

/** Boundary elements whose forms wait for their first frame (a remount keeps the element). */
let pending = new Set();
let timer = 0;

/** The reconnect's `welcome` came: recover every boundary's forms after its first frame. */
export function startRecovery(client) {
  clearTimeout(timer);
  pending = new Set(document.querySelectorAll(`[${BOUNDARY_ATTR}]`));
  keepUserValues(pending.size > 0);
  timer = setTimeout(() => { for (const b of pending) recoverForms(client, b); }, RECOVERY_WAIT_MS);
}

/** A frame was applied to `boundary`: its forms are recovered if it was waiting. */
export function frameApplied(client, boundary) {
  if (pending.has(boundary)) recoverForms(client, boundary);
}

function recoverForms(client, boundary) {
  pending.delete(boundary);
  if (!pending.size) {
    clearTimeout(timer);
    keepUserValues(false);
  }
  if (!boundary.isConnected) return; // left with a live navigation
  const id = boundary.getAttribute(BOUNDARY_ATTR);
  for (const form of boundary.querySelectorAll('form[live-change]')) {
    if (form.closest(`[${BOUNDARY_ATTR}]`) !== boundary) continue; // a nested view's
    let msg;
    try {
      msg = JSON.parse(form.getAttribute('live-change'));
    } catch {
      warn('live-change is not JSON:', form.getAttribute('live-change'));
      continue;
    }
    client.sendEvent({ id, event: 'change', msg, form: formEntries(form), unused: unusedFields(form) });
  }
}
