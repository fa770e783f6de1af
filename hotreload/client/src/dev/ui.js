// The dev UI: connection status dot, toasts, the error overlay (file:line:col, message,
// source line with a caret, or rustc's rendered text; notes under their error) and the build
// progress bar, all in one shadow root on a `<hotreload-ui>` element outside every boundary,
// so the page's CSS cannot reach it, patches never touch it, and it lets clicks through except
// on itself. Toasts on/off is remembered in localStorage (`hotreload:toasts`). The dev tools
// (source_picker.js, inspector.js) put their own parts in the same root (`root`, `addStyle`,
// `h`).

import { readStorage, writeStorage } from '../storage.js';

const TOASTS_KEY = 'hotreload:toasts';

const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.status { position: fixed; right: 8px; bottom: 8px; display: flex; align-items: center; gap: 6px;
  padding: 3px 7px; border-radius: 10px; background: rgba(24,24,27,.72); color: #f4f4f5;
  font: 11px/1.3 system-ui, sans-serif; pointer-events: auto; cursor: default; user-select: none; }
.status .dot { width: 8px; height: 8px; border-radius: 50%; background: #a1a1aa; }
.status[data-state=connected] { padding: 3px; }
.status[data-state=connected] .label { display: none; }
.status[data-state=connected] .dot { background: #22c55e; }
.status[data-state=reconnecting] .dot { background: #f59e0b; animation: pulse 1s infinite; }
.status[data-state=rebuild] .dot { background: #f97316; }
.status[data-state=error] .dot { background: #ef4444; }
@keyframes pulse { 50% { opacity: .3; } }
.toasts { position: fixed; right: 8px; bottom: 34px; display: flex; flex-direction: column; gap: 6px;
  align-items: flex-end; max-width: min(420px, 90vw); pointer-events: none; }
.toast { pointer-events: auto; padding: 7px 11px; border-radius: 6px; color: #fafafa; background: #27272a;
  border-left: 4px solid #60a5fa; font: 12px/1.4 system-ui, sans-serif; box-shadow: 0 2px 10px rgba(0,0,0,.25);
  white-space: pre-wrap; word-break: break-word; }
.toast[data-level=success] { border-color: #22c55e; }
.toast[data-level=warn] { border-color: #f59e0b; }
.toast[data-level=error] { border-color: #ef4444; }
.overlay { position: fixed; inset: 0; overflow: auto; padding: 32px; background: rgba(9,9,11,.88);
  color: #f4f4f5; font: 13px/1.5 system-ui, sans-serif; pointer-events: auto; }
.overlay .panel { max-width: 960px; margin: 0 auto; background: #18181b; border-top: 4px solid #ef4444;
  border-radius: 6px; padding: 16px 20px; }
.overlay h2 { margin: 0 0 12px; font-size: 15px; color: #fca5a5; }
.overlay .close { float: right; background: none; border: 1px solid #52525b; color: #f4f4f5;
  border-radius: 4px; padding: 2px 9px; font: inherit; cursor: pointer; }
.overlay .error { margin: 12px 0; }
.overlay .loc { font: 12px ui-monospace, monospace; color: #93c5fd; }
.overlay .message { margin: 4px 0; white-space: pre-wrap; }
.overlay pre { margin: 4px 0; padding: 8px 10px; background: #09090b; border-radius: 4px; overflow-x: auto;
  font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
.overlay pre.message { white-space: pre; }
.overlay .note { margin: 6px 0 0 14px; color: #a1a1aa; font-size: 12px; }
.overlay .note .loc { color: #a1a1aa; }
.overlay .severity { font-weight: 600; }
.overlay .hint { color: #a1a1aa; font-size: 11px; margin-top: 10px; }
.progress { position: fixed; top: 0; left: 0; right: 0; height: 3px; pointer-events: none; }
.progress .bar { height: 100%; width: 0; background: #3b82f6; transition: width .15s; }
.progress .label { position: fixed; top: 5px; right: 8px; padding: 1px 6px; border-radius: 4px;
  background: rgba(24,24,27,.72); color: #f4f4f5; font: 11px system-ui, sans-serif; }
[hidden] { display: none !important; }
`;

const STATUS_LABELS = { connected: 'connected', reconnecting: 'reconnecting…', rebuild: 'rebuild needed', error: 'error' };

/** Creates `<tag>` with `props` (`class`, `onclick`-style listeners, attributes) and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c);
  return el;
}

export class DevUI {
  constructor(config) {
    this.config = config;
    this.host = document.createElement('hotreload-ui');
    this.host.setAttribute('style', 'all:initial!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:2147483647!important;display:block!important;');
    const root = this.host.attachShadow({ mode: 'open' });
    this.root = root;
    root.append(h('style', {}, UI_CSS));
    this.statusEl = h('div', { class: 'status', 'data-state': 'reconnecting', title: 'hotreload' }, h('span', { class: 'dot' }), h('span', { class: 'label' }, ''));
    this.toastsEl = h('div', { class: 'toasts' });
    this.progressEl = h('div', { class: 'progress', hidden: '' }, h('div', { class: 'bar' }), h('span', { class: 'label' }));
    this.overlayEl = h('div', { class: 'overlay', hidden: '', role: 'dialog', 'aria-modal': 'false' });
    root.append(this.progressEl, this.toastsEl, this.statusEl, this.overlayEl);
    this.state = 'reconnecting';
    this.rebuild = null;
    this.overlayOpen = false;
    this.overlayKind = null;
    this.toastsOn = readStorage(localStorage, TOASTS_KEY) !== 'off';
    (document.documentElement ?? document).appendChild(this.host);
    this.status('reconnecting');
  }

  /** Adds a dev tool's stylesheet to the shadow root. */
  addStyle(css) {
    this.root.insertBefore(h('style', {}, css), this.progressEl);
  }

  /** Sets the connection state; "rebuild needed" and an open overlay outrank "connected". */
  status(state, detail) {
    this.state = state;
    let shown = state;
    if (state === 'connected' && this.overlayOpen) shown = 'error';
    else if (state === 'connected' && this.rebuild) shown = 'rebuild';
    this.statusEl.dataset.state = shown;
    const label = detail ?? (shown === 'rebuild' && this.rebuild ? `rebuild needed: ${this.rebuild}` : STATUS_LABELS[shown]);
    this.statusEl.querySelector('.label').textContent = label;
    this.statusEl.title = `hotreload: ${label}`;
  }

  rebuildNeeded(frame) {
    const where = frame.line != null ? `${frame.file}:${frame.line}` : String(frame.file ?? '');
    this.rebuild = where;
    this.status(this.state);
    this.toast('warn', `Rebuild needed: ${where}${frame.reason ? `\n${frame.reason}` : ''}`);
  }

  clearRebuild() {
    this.rebuild = null;
    this.status(this.state);
  }

  /** The edit that needed a rebuild was undone: drop "rebuild needed", the build's progress and its compile error. */
  rebuildCleared() {
    const had = this.rebuild !== null || this.overlayKind === 'compile';
    this.clearRebuild();
    this.progressEl.hidden = true;
    if (this.overlayKind === 'compile') this.hideOverlay();
    if (had) this.toast('info', 'Back to the running build: no rebuild needed');
  }

  /**
   * Shows a toast. With a `key`, a toast with the same key that is still showing is updated in
   * place (and shown for longer) instead of stacking another: a burst of saves gives one toast.
   */
  toast(level, message, key) {
    if (!this.toastsOn) return;
    const kind = ['info', 'success', 'warn', 'error'].includes(level) ? level : 'info';
    const existing = key ? [...this.toastsEl.children].find((t) => t.dataset.key === key) : null;
    if (existing) {
      existing.dataset.level = kind;
      existing.textContent = message;
      clearTimeout(existing.__hotreloadTimer);
      existing.__hotreloadTimer = setTimeout(() => existing.remove(), this.config.toastMs);
      return;
    }
    const el = h('div', { class: 'toast', 'data-level': kind, role: 'status' }, message);
    if (key) el.dataset.key = key;
    this.toastsEl.append(el);
    while (this.toastsEl.children.length > 5) this.toastsEl.firstElementChild.remove();
    el.__hotreloadTimer = setTimeout(() => el.remove(), this.config.toastMs);
  }

  setToasts(on) {
    this.toastsOn = on;
    writeStorage(localStorage, TOASTS_KEY, on ? 'on' : 'off');
    if (on) this.toast('info', 'Toasts on (Ctrl+Shift+T)');
    else { this.toastsEl.replaceChildren(); console.info('[hotreload] toasts off (Ctrl+Shift+T to turn them on)'); }
  }

  /**
   * Shows the overlay for an `overlay` frame. A template error shows its message and the
   * source line with a caret under the column; a compile error shows rustc's rendered text as
   * it is (monospace, not wrapped: it has its own source lines and `^^^`). An entry with
   * `severity: "note"` explains the error before it: it shows under that one, muted, and the
   * title counts errors only.
   */
  showOverlay(frame) {
    const errors = Array.isArray(frame.errors) ? frame.errors : [];
    const compile = frame.kind === 'compile';
    const title = compile ? 'Compile error' : 'Template error';
    const items = [];
    let errorCount = 0;
    for (const e of errors) {
      const note = e.severity === 'note';
      const loc = `${e.file ?? '?'}:${e.line ?? '?'}:${e.column ?? '?'}`;
      const head = note ? h('div', { class: 'loc' }, h('span', { class: 'severity' }, 'note:'), ` ${loc}`) : h('div', { class: 'loc' }, loc);
      const message = String(e.message ?? '');
      const parts = [head, compile ? h('pre', { class: 'message rendered' }, message) : h('div', { class: 'message' }, message)];
      if (e.source != null && !compile) {
        const caret = Number(e.column) > 0 ? `\n${' '.repeat(Number(e.column) - 1)}^` : '';
        parts.push(h('pre', { class: 'source' }, `${e.line ?? ''} | ${e.source}${caret ? `\n${' '.repeat(String(e.line ?? '').length)} | ${caret.slice(1)}` : ''}`));
      }
      const previous = items[items.length - 1];
      if (note && previous) {
        previous.append(h('div', { class: 'note' }, ...parts));
        continue;
      }
      if (!note) errorCount++;
      items.push(h('div', { class: note ? 'error note' : 'error' }, ...parts));
    }
    const close = h('button', { class: 'close', type: 'button', title: 'Dismiss (Esc)', onclick: () => this.hideOverlay() }, '×');
    const count = errorCount === 1 ? '' : ` (${errorCount})`;
    const panel = h('div', { class: 'panel' }, close, h('h2', {}, `${title}${count}`), ...items,
      h('div', { class: 'hint' }, 'The last good version stays live. Fix the file and save, or press Esc to dismiss.'));
    this.overlayEl.replaceChildren(panel);
    this.overlayEl.hidden = false;
    this.overlayOpen = true;
    this.overlayKind = compile ? 'compile' : 'template';
    this.status(this.state);
  }

  hideOverlay() {
    this.overlayEl.hidden = true;
    this.overlayEl.replaceChildren();
    this.overlayOpen = false;
    this.overlayKind = null;
    this.status(this.state);
  }

  progress(frame) {
    const total = Number(frame.total);
    const done = Number(frame.done);
    if (!(total > 0) || done >= total) { this.progressEl.hidden = true; return; }
    this.progressEl.hidden = false;
    this.progressEl.querySelector('.bar').style.width = `${Math.max(0, Math.min(100, (done / total) * 100))}%`;
    this.progressEl.querySelector('.label').textContent = `${frame.label ?? 'Building'} ${done}/${total}`;
  }
}
