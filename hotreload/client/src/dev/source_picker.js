// Click-to-source: with hot reload on, every element a template produced carries
// `data-hr-src="FILE:LINE:COL"` (where its `<` is in the source). While the source key is held
// (the client tag's `data-source-key`: alt, ctrl, meta or shift; Alt by default) the element
// under the pointer that has one is outlined (`.inspect-box`) and labelled with its view and
// place (`.inspect-label`, "ViewName · FILE:LINE:COL"); a click with the key held asks the
// server to open the editor there (`{type: 'dev', action: 'open', src}`) instead of doing what
// the click would do: it is stopped in the capture phase on window, so `live-click`, links and
// forms never see it. The server's `source_opened` answer is a toast (`sourceOpened`).

import { CLIENT_TAG, VIEW_ATTR } from '../constants.js';
import { h } from './ui.js';

const SRC_ATTR = 'data-hr-src';

/** `data-source-key` value -> [the KeyboardEvent.key values, the MouseEvent flag]. */
const SOURCE_KEYS = {
  alt: [['Alt', 'AltGraph'], 'altKey'],
  ctrl: [['Control'], 'ctrlKey'],
  meta: [['Meta', 'OS'], 'metaKey'],
  shift: [['Shift'], 'shiftKey'],
};

const PICKER_CSS = `
.inspect-box { position: fixed; pointer-events: none; border: 2px solid #3b82f6; background: rgba(59,130,246,.12);
  border-radius: 2px; }
.inspect-label { position: fixed; pointer-events: none; padding: 2px 6px; border-radius: 3px; background: #1e3a8a;
  color: #eff6ff; font: 11px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; }
`;

/** The source key the page asks for (`data-source-key`), Alt when unset or unknown. */
function sourceKey() {
  const name = document.querySelector(CLIENT_TAG)?.getAttribute('data-source-key')?.trim().toLowerCase();
  return Object.hasOwn(SOURCE_KEYS, name ?? '') ? name : 'alt';
}

/** The closest annotated element of an event's target (null for the dev UI itself). */
function annotated(target, ui) {
  if (!target || target.nodeType !== 1 || target === ui.host) return null;
  return target.closest(`[${SRC_ATTR}]`);
}

/** "ViewName · FILE:LINE:COL" (no view name outside every boundary). */
export function sourceLabel(el) {
  const src = el.getAttribute(SRC_ATTR);
  const view = el.closest(`[${VIEW_ATTR}]`)?.getAttribute(VIEW_ATTR);
  return view ? `${view} · ${src}` : src;
}

/** Asks the server to open the editor at `src` ("FILE:LINE:COL"); a toast if it cannot be asked. */
export function openSource(hr, ui, src) {
  if (!hr.sendDev?.({ type: 'dev', action: 'open', src })) ui.toast('warn', `Not connected: cannot open ${src}`, 'source_opened');
}

/** The toast for a `source_opened` frame: the server's `message` when it has one. */
export function sourceOpened(ui, frame) {
  const where = [frame.file, frame.line, frame.column].filter((x) => x != null).join(':');
  if (frame.ok) {
    ui.toast('success', frame.message ? String(frame.message) : `Opened ${[frame.file, frame.line].filter((x) => x != null).join(':')}`, 'source_opened');
    if (where) console.info(`[hotreload] source: ${where}`);
  } else {
    ui.toast('error', frame.message ? String(frame.message) : `Could not open ${where}`, 'source_opened');
  }
}

/** Listens for the source key, hovering and clicks (once, when the dev client installs). */
export function listenForSourcePicks(hr, ui) {
  const [keys, flag] = SOURCE_KEYS[sourceKey()];
  ui.addStyle(PICKER_CSS);
  const box = h('div', { class: 'inspect-box', hidden: '' });
  const label = h('div', { class: 'inspect-label', hidden: '' });
  ui.root.append(box, label);
  let shown = null;
  let pointer = null; // the last pointer position, to highlight at once when the key goes down
  let picked = false; // a pick was made with the key down: its keyup opens no menu bar (Alt)

  const hide = () => {
    shown = null;
    box.hidden = true;
    label.hidden = true;
  };
  const show = (el) => {
    if (!el) { hide(); return; }
    shown = el;
    const r = el.getBoundingClientRect();
    Object.assign(box.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
    box.hidden = false;
    label.textContent = sourceLabel(el);
    label.hidden = false;
    const height = label.offsetHeight || 18;
    const top = r.top >= height + 2 ? r.top - height - 2 : Math.min(r.bottom + 2, innerHeight - height);
    const left = Math.max(0, Math.min(r.left, innerWidth - label.offsetWidth));
    Object.assign(label.style, { left: `${left}px`, top: `${Math.max(0, top)}px` });
  };
  const showAtPointer = () => {
    if (!pointer) return;
    show(annotated(document.elementFromPoint(pointer.x, pointer.y), ui));
  };

  window.addEventListener('keydown', (e) => {
    if (keys.includes(e.key)) showAtPointer();
  }, true);
  window.addEventListener('keyup', (e) => {
    if (!keys.includes(e.key)) return;
    hide();
    if (picked) e.preventDefault();
    picked = false;
  }, true);
  window.addEventListener('blur', hide);
  window.addEventListener('mousemove', (e) => {
    pointer = { x: e.clientX, y: e.clientY };
    // The event knows best whether the key is down (it may have gone down in another window).
    if (e[flag]) show(annotated(e.target, ui));
    else if (shown) hide();
  }, { capture: true, passive: true });
  window.addEventListener('scroll', () => { if (shown) show(shown.isConnected ? shown : null); }, { capture: true, passive: true });

  // A pick is stopped whole: pointer and mouse down/up (no focus, no text selection), the
  // click, and a double click's dblclick.
  const pick = (e) => {
    if (e.button !== 0 || !e[flag]) return null;
    return annotated(e.target, ui);
  };
  for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'dblclick']) {
    window.addEventListener(type, (e) => {
      if (!pick(e)) return;
      e.preventDefault();
      e.stopImmediatePropagation();
    }, true);
  }
  window.addEventListener('click', (e) => {
    const el = pick(e);
    if (!el) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    picked = true;
    openSource(hr, ui, el.getAttribute(SRC_ATTR));
  }, true);
}
