// Keeping what the user has across a change of the DOM: focus (on the same element, or on its
// replacement with the same id), caret and selection, and the scroll positions of the page and
// of scrolled containers. Every patch, morph and page refresh runs inside `preserving()`.

import { warn } from './log.js';

/** Elements the user (or the page) scrolled; checked before and after each patch. */
const scrolledElements = new Set();

function trackScroll(event) {
  const t = event.target;
  if (t && t.nodeType === 1) scrolledElements.add(t);
}

/** Starts remembering which elements get scrolled (once, at boot). */
export function listenForScroll() {
  document.addEventListener('scroll', trackScroll, { capture: true, passive: true });
}

function captureSelection(el) {
  try {
    if (el && typeof el.selectionStart === 'number') {
      return { start: el.selectionStart, end: el.selectionEnd, dir: el.selectionDirection, value: el.value };
    }
  } catch { /* input types without selection */ }
  return null;
}

function restoreSelection(el, sel) {
  if (!sel) return;
  try {
    const now = captureSelection(el);
    if (now && now.start === sel.start && now.end === sel.end) return;
    const max = el.value.length;
    el.setSelectionRange(Math.min(sel.start, max), Math.min(sel.end, max), sel.dir ?? 'none');
  } catch { /* not selectable */ }
}

function captureScroll() {
  const list = [[null, window.scrollX, window.scrollY]];
  for (const el of scrolledElements) {
    if (!el.isConnected) { scrolledElements.delete(el); continue; }
    if (el.scrollTop || el.scrollLeft) list.push([el, el.scrollLeft, el.scrollTop, el.id]);
  }
  return list;
}

function restoreScroll(list) {
  for (const [old, left, top, id] of list) {
    if (old === null) {
      if (window.scrollX !== left || window.scrollY !== top) window.scrollTo(left, top);
      continue;
    }
    // A scrolled container replaced by a patch hands its position to its successor (same id).
    const el = old.isConnected ? old : id ? document.getElementById(id) : null;
    if (el && (el.scrollLeft !== left || el.scrollTop !== top)) {
      el.scrollLeft = left;
      el.scrollTop = top;
      scrolledElements.add(el);
    }
  }
}

let applying = 0;

/** Whether a change is being applied now: focus events it causes are not the user's. */
export function isApplying() {
  return applying > 0;
}

/**
 * Runs `change` (a patch or morph of `root`) and puts back what the user had: focus (on the
 * same element, or on its replacement with the same id), caret/selection and scroll positions.
 * Focus events fired meanwhile are not sent to the server.
 */
export function preserving(root, change) {
  const active = document.activeElement;
  const hadFocus = active && active !== document.body && active !== document.documentElement;
  const sel = hadFocus ? captureSelection(active) : null;
  const scroll = captureScroll();
  applying++;
  try {
    return change();
  } finally {
    try {
      if (hadFocus && document.activeElement !== active) {
        let target = active.isConnected ? active : null;
        if (!target && active.id) target = root.querySelector(`#${CSS.escape(active.id)}`);
        if (target) {
          target.focus({ preventScroll: true });
          if (sel && target.value === sel.value) restoreSelection(target, sel);
        }
      } else if (hadFocus && sel && active.value === sel.value) {
        restoreSelection(active, sel);
      }
      restoreScroll(scroll);
    } catch (e) {
      warn('could not restore focus/scroll', e);
    }
    applying--;
  }
}
