// Form state: who wins over a control's value, checked and selected state, the user or the
// server. What the user is typing wins while they are in the control; right after a
// `live-submit` the server's answer wins (a todo input cleared after "Add"). Used by the
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
 * Sets the DOM property behind form state (`value`, `checked`, `selected`) to match its
 * attribute (`value === null`: removed), unless the user is focused on the control: then what
 * they are typing wins (except right after the form was submitted).
 */
export function setFormProperty(el, name, value) {
  if (isFocusedControl(el) && !serverWinsAfterSubmit(el)) return;
  try {
    if (name === 'checked' && 'checked' in el) el.checked = value !== null;
    else if (name === 'selected' && 'selected' in el) el.selected = value !== null;
    else if (name === 'value' && /^(input|select|textarea)$/.test(el.localName)) {
      if (el.value !== (value ?? '')) el.value = value ?? '';
    }
  } catch (e) {
    warn(`could not set ${name} on`, el, e);
  }
}

/** A textarea's text is its default value: after an op changed it, show it (unless focused). */
export function syncTextarea(el) {
  if (el?.localName === 'textarea' && el.namespaceURI === HTML_NS && !isFocusedControl(el)) {
    el.value = el.defaultValue;
  }
}
