// Events: delegated listeners on `document` for the `live-*` bindings (`live-click`,
// `live-input`, `live-submit`, ...), each turned into an `event` frame for the instance of the
// closest boundary (docs/PROTOCOL.md), with the control's value, checkbox state, form entries
// (and the fields not used yet) or key as the binding needs. Links and submit buttons bound
// with `live-click` do not navigate. Every input, change and submit also records what the user
// used and changed (forms.js), bound or not.

import { BOUNDARY_ATTR } from './constants.js';
import { forgetSubmitted, formEntries, markAllUsed, markSubmitted, markUsed, markUserChanged, unusedFields } from './forms.js';
import { warn } from './log.js';
import { isApplying } from './preserve.js';
import { dispatchLimited, flushPending, flushPendingWithin } from './rate_limit.js';

/** DOM event type -> [protocol event name, binding attribute]. */
const EVENT_BINDINGS = {
  click: ['click', 'live-click'],
  dblclick: ['dblclick', 'live-dblclick'],
  input: ['input', 'live-input'],
  change: ['change', 'live-change'],
  submit: ['submit', 'live-submit'],
  keydown: ['keydown', 'live-keydown'],
  keyup: ['keyup', 'live-keyup'],
  focusin: ['focus', 'live-focus'],
  focusout: ['blur', 'live-blur'],
};

const isControl = (el) => el && /^(input|select|textarea)$/.test(el.localName);

function isSubmitControl(el) {
  if (el.localName === 'button') return (el.getAttribute('type') ?? 'submit').toLowerCase() === 'submit';
  return el.localName === 'input' && /^(submit|image)$/i.test(el.type);
}

/** Builds the `event` frame for a binding on `el`, or null if it must not be sent. */
function eventFrame(el, name, attr, domEvent) {
  const boundary = el.closest(`[${BOUNDARY_ATTR}]`);
  if (!boundary) return null;
  let msg;
  try {
    msg = JSON.parse(el.getAttribute(attr));
  } catch {
    warn(`${attr} is not JSON:`, el.getAttribute(attr));
    return null;
  }
  const frame = { id: boundary.getAttribute(BOUNDARY_ATTR), event: name, msg };
  const control = isControl(el) ? el : isControl(domEvent.target) ? domEvent.target : null;
  if (el.hasAttribute('live-value')) frame.value = el.getAttribute('live-value');
  else if (control) frame.value = String(control.value);
  if (control && /^(checkbox|radio)$/i.test(control.type)) frame.checked = control.checked;
  if (el.localName === 'form') {
    frame.form = formEntries(el, domEvent.submitter);
    frame.unused = unusedFields(el);
  }
  if (name === 'keydown' || name === 'keyup') frame.key = domEvent.key;
  return frame;
}

function onDomEvent(client, domEvent) {
  try {
    const [name, attr] = EVENT_BINDINGS[domEvent.type];
    const target = domEvent.target;
    if (!target || target.nodeType !== 1) return;
    if (domEvent.type === 'input' && target.form) forgetSubmitted(target.form);
    if ((name === 'input' || name === 'change') && isControl(target)) {
      markUsed(target);
      markUserChanged(target);
    }
    if (name === 'submit' && target.localName === 'form') markAllUsed(target);
    if (name === 'focus' || name === 'blur') {
      if (name === 'blur') flushPending(target); // a debounced input is sent when leaving it
      if (isApplying()) return; // focus moved by a patch, not by the user
    }
    // Focus and blur belong to the element itself; the others bubble to the closest binding.
    const el = name === 'focus' || name === 'blur' ? (target.hasAttribute(attr) ? target : null) : target.closest(`[${attr}]`);
    if (!el) return;
    if (name === 'keydown' || name === 'keyup') {
      const keys = el.getAttribute('live-key');
      if (keys !== null && !keys.split(',').map((k) => k.trim()).includes(domEvent.key)) return;
    }
    if (name === 'submit') {
      domEvent.preventDefault();
      markSubmitted(el);
      flushPendingWithin(el);
    }
    if (name === 'click') {
      const link = target.closest('a[href], button, input');
      if (el.localName === 'a' || isSubmitControl(el) || (link && el.contains(link) && (link.localName === 'a' || isSubmitControl(link)))) {
        domEvent.preventDefault();
      }
    }
    const frame = eventFrame(el, name, attr, domEvent);
    if (frame) dispatchLimited(el, name, frame, (f) => client.sendEvent(f));
  } catch (e) {
    warn(`failed to handle ${domEvent.type}`, e);
  }
}

/** Listens for every bound DOM event type on `document` (once, at boot). */
export function listenForEvents(client) {
  for (const type of Object.keys(EVENT_BINDINGS)) {
    document.addEventListener(type, (e) => onDomEvent(client, e), type === 'focusin' || type === 'focusout' ? true : false);
  }
}
