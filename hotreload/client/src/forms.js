// Form state: who wins over a control's value, checked and selected state, the user or the
// server. What the user is typing wins while they are in the control; right after a
// `live-submit` the server's answer wins (a todo input cleared after "Add"); while forms are
// recovered after a reconnect, what the user changed wins (recovery.js). Also what an event
// says about a form: its entries, and which of its fields the user has not used yet. Used by the
// applier (`prop` ops), the morph (changed attributes) and the event listeners (submit, input).

import { HTML_NS } from './constants.js';
import { warn } from './log.js';

/** Whether the user is in `el` (a focused control, or an option of a focused select). */
export function isFocusedControl(el) {
  const active = document.activeElement;
  if (!active || active === document.body) return false;
  return active === el || (el.localName === 'option' && active === el.closest('select'));
}

/** Forms by the time of their last `live-submit`: the server's answer may reset their fields. */
const submittedForms = new WeakMap();
const SUBMIT_RESET_MS = 2000;

/** Records that `form` was just submitted (the server may now reset its fields). */
export function markSubmitted(form) {
  submittedForms.set(form, performance.now());
}

/** The user typed into `form` again: what they type wins once more. */
export function forgetSubmitted(form) {
  submittedForms.delete(form);
}

/**
 * Whether the server's values win over a focused control: right after its form was submitted
 * (a todo input cleared after "Add"), until the user types into the form again.
 */
function serverWinsAfterSubmit(el) {
  const form = el.form ?? el.closest?.('form');
  const at = form ? submittedForms.get(form) : undefined;
  return at !== undefined && performance.now() - at < SUBMIT_RESET_MS;
}

/**
 * Controls whose value the user changed (an `input` or `change` event) since the server last
 * set it. A morph sets a property only where the attribute changed, which keeps what the user
 * typed through most resyncs, but not through the first render of a freshly mounted view after
 * a restart: the old server had echoed the typed text into `value="..."`, the new one renders
 * `value=""`, the attribute changed, and the text would be gone before recovery.js could send
 * it back. So while forms are being recovered these controls keep the user's value.
 */
const userChanged = new WeakSet();
let keepUserChanges = false;

/** The control whose state `el` is part of (an option's select). */
const controlOf = (el) => (el.localName === 'option' ? el.closest('select') ?? el : el);

/** The user changed `control` (for a radio: its whole group, which one change sets). */
export function markUserChanged(control) {
  const group = control.type === 'radio' && control.name && control.form ? control.form.elements.namedItem(control.name) : null;
  for (const el of group instanceof RadioNodeList ? group : [control]) userChanged.add(el);
}

/** Turns on (during form recovery) or off keeping the values the user changed. */
export function keepUserValues(on) {
  keepUserChanges = on;
}

/** Whether the server must not set `el`'s form state now (see {@link userChanged}). */
function keptForRecovery(el) {
  return keepUserChanges && userChanged.has(controlOf(el));
}

/**
 * Sets the DOM property behind form state (`value`, `checked`, `selected`) to match its
 * attribute (`value === null`: removed), unless the user is focused on the control: then what
 * they are typing wins (except right after the form was submitted); nor, while forms are
 * recovered, on a control the user changed.
 */
export function setFormProperty(el, name, value) {
  if (isFocusedControl(el) && !serverWinsAfterSubmit(el)) return;
  if (keptForRecovery(el)) return;
  const prop = name === 'value' ? (/^(input|select|textarea)$/.test(el.localName) ? 'value' : null) : name;
  if ((prop !== 'checked' && prop !== 'selected' && prop !== 'value') || !(prop in el)) return;
  const want = prop === 'value' ? value ?? '' : value !== null;
  try {
    if (el[prop] === want) return;
    el[prop] = want;
    userChanged.delete(controlOf(el));
  } catch (e) {
    warn(`could not set ${name} on`, el, e);
  }
}

/** A textarea's text is its default value: after an op changed it, show it (unless focused). */
export function syncTextarea(el) {
  if (el?.localName === 'textarea' && el.namespaceURI === HTML_NS) showServerText(el);
}

/** Shows a textarea's new server text, unless the user is in it (or it is kept for recovery). */
export function showServerText(el) {
  if (isFocusedControl(el) || keptForRecovery(el) || el.value === el.defaultValue) return;
  el.value = el.defaultValue;
  userChanged.delete(el);
}

/** A form's entries for an event, `[[name, value], ...]` (a file input gives its file name). */
export function formEntries(form, submitter) {
  let data;
  try { data = new FormData(form, submitter ?? undefined); } catch { data = new FormData(form); }
  return Array.from(data, ([k, v]) => [k, typeof v === 'string' ? v : v.name]);
}

/**
 * Names of the fields the user used, by form: an `input` or `change` event on a field uses its
 * name; `true` once the form was submitted (every field used from then on, new ones too).
 */
const usedFields = new WeakMap();

/** The user gave `control` an `input` or `change` event. */
export function markUsed(control) {
  const form = control.form;
  if (!form || !control.name) return;
  let used = usedFields.get(form);
  if (used === true) return;
  if (!used) usedFields.set(form, (used = new Set()));
  used.add(control.name);
}

/** `form` was submitted: all its fields are used. */
export function markAllUsed(form) {
  usedFields.set(form, true);
}

/**
 * The names of `form`'s fields the user has not used yet (each once), for the event's
 * `unused`: the server shows a field's errors only once it is used. Fields are the named
 * inputs, selects and textareas (of the form, `form=` ones too), not buttons nor hidden inputs,
 * which the user cannot use.
 */
export function unusedFields(form) {
  const used = usedFields.get(form);
  if (used === true) return [];
  const names = new Set();
  for (const el of form.elements) {
    const field = /^(select|textarea)$/.test(el.localName) || (el.localName === 'input' && !/^(hidden|submit|image|button|reset)$/i.test(el.type));
    if (field && el.name && !used?.has(el.name)) names.add(el.name);
  }
  return Array.from(names);
}
