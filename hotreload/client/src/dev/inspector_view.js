// What the inspector panel shows for the server's last `inspect` frame: the memory line, the
// tree of views (nested by `parent`), and for the selected view its time-travel controls
// (`◀` `.tt-back`, `.tt-position` "N / len-1", `▶` `.tt-forward`, `.tt-resume`, `.tt-replay`,
// and the "Time travel: events paused" banner while it travels), its state as pretty JSON
// (`.inspect-state`), its templates (a click opens the editor there) and its event log, newest
// first (message, time, timings, ops, bytes, error, note). Only builds elements: what a button does
// is the `actions` given (inspector.js).

import { h } from './ui.js';

export const INSPECTOR_CSS = `
.inspect-toggle { all: unset; cursor: pointer; padding: 0 3px; border-radius: 4px; color: #d4d4d8;
  font: 10px/14px ui-monospace, SFMono-Regular, Menlo, monospace; }
.inspect-toggle:hover, .inspect-toggle[aria-pressed=true] { background: #3f3f46; color: #fff; }
.inspector { position: fixed; top: 8px; right: 8px; bottom: 34px; width: min(440px, calc(100vw - 16px));
  overflow: auto; overscroll-behavior: contain; pointer-events: auto; background: #18181b; color: #e4e4e7;
  border: 1px solid #3f3f46; border-radius: 6px; box-shadow: 0 4px 18px rgba(0,0,0,.35);
  font: 12px/1.45 system-ui, sans-serif; }
.inspector .head { position: sticky; top: 0; display: flex; align-items: center; gap: 8px; padding: 6px 10px;
  background: #27272a; border-bottom: 1px solid #3f3f46; }
.inspector .head b { flex: 1; }
.inspector .hint { color: #a1a1aa; font-size: 11px; }
.inspector button { font: inherit; color: inherit; background: #3f3f46; border: 1px solid #52525b;
  border-radius: 4px; padding: 1px 7px; cursor: pointer; }
.inspector button:disabled { opacity: .4; cursor: default; }
.inspector .body { padding: 8px 10px 12px; }
.inspector h3 { margin: 10px 0 4px; font-size: 13px; }
.inspector h4 { margin: 12px 0 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #a1a1aa; }
.inspector .id { color: #71717a; font: 10px ui-monospace, monospace; }
.inspector .muted, .inspector .inspect-empty { color: #a1a1aa; }
.inspector ul, .inspector ol { margin: 0; padding: 0; list-style: none; }
.inspect-tree ul ul { padding-left: 14px; }
.inspect-tree .paused { margin-left: 4px; padding: 0 4px; border-radius: 3px; background: #78350f; color: #fef3c7; font-size: 10px; }
.inspect-tree .inspect-view { all: unset; display: block; padding: 1px 6px; border-radius: 4px; cursor: pointer; }
.inspect-tree .inspect-view[aria-selected=true] { background: #1e3a8a; }
.inspect-tree .inspect-view:hover { background: #3f3f46; }
.tt-banner { margin: 6px 0; padding: 4px 8px; border-radius: 4px; background: #78350f; color: #fef3c7; }
.tt { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.tt-position { min-width: 48px; text-align: center; font: 12px ui-monospace, monospace; }
.inspect-state { margin: 0; padding: 6px 8px; background: #09090b; border-radius: 4px; overflow: auto; max-height: 40vh;
  font: 11px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre; }
.inspect-templates li { margin: 2px 0; }
.inspect-templates .inspect-template { all: unset; cursor: pointer; color: #93c5fd; font: 11px ui-monospace, monospace; }
.inspect-templates .inspect-template:hover { text-decoration: underline; }
.inspect-log li { padding: 4px 0; border-top: 1px solid #27272a; }
.inspect-log li[data-current=true] { background: #172554; }
.inspect-log .msg { font: 11px ui-monospace, monospace; word-break: break-all; }
.inspect-log .kind { display: inline-block; margin-right: 6px; padding: 0 4px; border-radius: 3px; background: #3f3f46;
  font: 10px system-ui, sans-serif; }
.inspect-log .meta { color: #a1a1aa; font-size: 11px; }
.inspect-log .tt-goto { float: right; padding: 0 5px; font-size: 10px; }
.inspect-error { color: #fca5a5; white-space: pre-wrap; }
.inspect-note { color: #a1a1aa; font-style: italic; white-space: pre-wrap; }
`;

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A byte count for people: 412 B, 3.1 KB, 2.0 MB. */
export function formatBytes(n) {
  const b = Number(n);
  if (!Number.isFinite(b)) return '?';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${(b / 1024 / 1024).toFixed(1)} MB`;
}

/** Microseconds for people: 12 µs, 3.4 ms. */
function formatMicros(us) {
  const n = Number(us);
  if (!Number.isFinite(n)) return '?';
  return n < 1000 ? `${Math.round(n)} µs` : `${(n / 1000).toFixed(1)} ms`;
}

/** The local time of a ms timestamp, HH:MM:SS.mmm. */
function formatTime(at) {
  const d = new Date(Number(at));
  if (Number.isNaN(d.getTime())) return '';
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A log entry's message: a string as it is, anything else as compact JSON. */
function formatMsg(msg) {
  if (typeof msg === 'string') return msg;
  try { return JSON.stringify(msg) ?? String(msg); } catch { return String(msg); }
}

function pretty(value) {
  try { return JSON.stringify(value, null, 2) ?? 'undefined'; } catch (e) { return `(cannot show: ${e.message})`; }
}

function button(cls, text, title, onclick, disabled = false) {
  const b = h('button', { class: cls, type: 'button', title, onclick }, text);
  b.disabled = disabled;
  return b;
}

/** The views nested by `parent` (a parent the frame does not list makes a root). */
function tree(views, selected, actions) {
  const ids = new Set(views.map((v) => v.id));
  const children = (parent) => views.filter((v) => (parent === null ? !ids.has(v.parent) : v.parent === parent));
  const list = (parent) => {
    const items = children(parent).map((v) => {
      const row = h('button', {
        class: 'inspect-view', type: 'button', 'data-id': v.id, 'aria-selected': String(v.id === selected),
        onclick: () => actions.select(v.id),
      }, `${v.view || '?'} `, h('span', { class: 'id' }, v.id));
      if (v.history?.travelling) row.append(h('span', { class: 'paused' }, 'time travel'));
      const li = h('li', {}, row);
      if (children(v.id).length) li.append(list(v.id));
      return li;
    });
    return h('ul', {}, ...items);
  };
  return h('div', { class: 'inspect-tree' }, list(null));
}

/**
 * The entry numbers (`n`) of a view's history, oldest first: the server addresses entries by
 * number, which stays the same when older entries are dropped from the front.
 */
function entryNumbers(v) {
  return (Array.isArray(v.log) ? v.log : []).map((e) => e.n).filter(Number.isInteger);
}

function timeTravel(v, actions) {
  const hist = v.history ?? {};
  const len = Number(hist.len) || 0;
  const pos = Number(hist.position) || 0;
  const numbers = entryNumbers(v);
  const at = numbers.indexOf(pos);
  const before = at > 0 ? numbers[at - 1] : null;
  const after = at >= 0 && at < numbers.length - 1 ? numbers[at + 1] : null;
  const last = numbers.length ? numbers[numbers.length - 1] : 0;
  const parts = [];
  if (hist.travelling) parts.push(h('div', { class: 'tt-banner', role: 'status' }, 'Time travel: events paused'));
  parts.push(h('div', { class: 'tt' },
    button('tt-back', '◀', 'Show the state before', () => actions.travel(v.id, before), before === null),
    h('span', { class: 'tt-position', title: 'entry shown / last entry' }, `${pos} / ${last}`),
    button('tt-forward', '▶', 'Show the state after', () => actions.travel(v.id, after), after === null),
    button('tt-resume', 'Resume', 'Go on from this state (the later ones are dropped)', () => actions.resume(v.id), !hist.travelling),
    button('tt-replay', 'Replay from here', 'Restore this state and run the later messages again through the current update', () => actions.replay(v.id, pos)),
  ));
  parts.push(h('div', { class: 'muted' }, `history: ${plural(len, 'state')} · ${formatBytes(hist.bytes)}`));
  return parts;
}

function templateList(v, actions) {
  const list = Array.isArray(v.templates) ? v.templates : [];
  if (!list.length) return [h('div', { class: 'muted' }, 'none')];
  return [h('ul', { class: 'inspect-templates' }, ...list.map((t) => {
    const src = `${t.file}:${t.line}:${t.column}`;
    const note = [t.index != null ? `#${t.index}` : null, t.swapped ? 'swapped' : null, t.version ? `v${t.version}` : null].filter(Boolean).join(' · ');
    return h('li', {}, h('button', { class: 'inspect-template', type: 'button', title: 'Open in the editor', 'data-src': src, onclick: () => actions.open(src) }, src),
      note ? h('span', { class: 'muted' }, ` ${note}`) : '');
  }))];
}

function eventLog(v, actions) {
  const entries = Array.isArray(v.log) ? [...v.log].reverse() : [];
  if (!entries.length) return [h('div', { class: 'muted' }, 'no messages yet')];
  const pos = v.history?.position;
  return [h('ol', { class: 'inspect-log' }, ...entries.map((e) => {
    const msg = formatMsg(e.msg);
    const li = h('li', { class: 'inspect-log-entry', 'data-n': String(e.n), 'data-current': String(e.n === pos) });
    if (Number.isInteger(e.n) && e.n !== pos) li.append(button('tt-goto', `#${e.n}`, 'Show the state after this message', () => actions.travel(v.id, e.n)));
    li.append(h('div', { class: 'msg', title: msg }, h('span', { class: 'kind' }, String(e.kind ?? '?')), msg.length > 300 ? `${msg.slice(0, 300)}…` : msg));
    const meta = [formatTime(e.at), `update ${formatMicros(e.update_us)}`, `render ${formatMicros(e.render_us)}`, `diff ${formatMicros(e.diff_us)}`,
      plural(Number(e.ops) || 0, 'op'), formatBytes(e.bytes)].filter(Boolean);
    li.append(h('div', { class: 'meta' }, meta.join(' · ')));
    if (e.error != null) li.append(h('div', { class: 'inspect-error' }, String(e.error)));
    if (e.note != null) li.append(h('div', { class: 'inspect-note' }, String(e.note)));
    return li;
  }))];
}

/**
 * The panel's body for `data` (the last `inspect` frame, or null while none came) with view
 * `selected`; `note` (say, "Not connected") shows on top.
 */
export function inspectorBody(data, selected, actions, note) {
  const parts = [];
  if (note) parts.push(h('div', { class: 'inspect-empty' }, note));
  if (!data) {
    if (!note) parts.push(h('div', { class: 'inspect-empty' }, 'Waiting for the server…'));
    return parts;
  }
  const mem = data.memory;
  if (mem) parts.push(h('div', { class: 'inspect-memory muted' }, `memory: ${plural(Number(mem.views) || 0, 'view')} · ${plural(Number(mem.states) || 0, 'state')} · ${formatBytes(mem.bytes)}`));
  if (!data.views.length) {
    parts.push(h('div', { class: 'inspect-empty' }, 'The server knows no live view of this page on this connection.'));
    return parts;
  }
  parts.push(tree(data.views, selected, actions));
  const v = data.views.find((x) => x.id === selected);
  if (!v) return parts;
  parts.push(h('div', { class: 'inspect-detail', 'data-id': v.id },
    h('h3', {}, `${v.view || '?'} `, h('span', { class: 'id' }, v.id)),
    ...timeTravel(v, actions),
    h('h4', {}, 'State'), h('pre', { class: 'inspect-state' }, pretty(v.state)),
    h('h4', {}, 'Templates'), ...templateList(v, actions),
    h('h4', {}, 'Events'), ...eventLog(v, actions)));
  return parts;
}
