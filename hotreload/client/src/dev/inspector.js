// The inspector panel (Ctrl+Shift+D, or the `{}` button beside the status dot; open or closed
// is remembered in localStorage, `hotreload:inspector`): docked right in the dev UI's shadow
// root, it shows what the server knows of the page's views (inspector_view.js draws it) and
// drives their time travel. It asks with `{type: 'dev', action: 'inspect', ids}` (every
// boundary on the page) when opened, after every applied `patch`/`html` frame and whenever the
// page's boundaries change (a live navigation, a remount), at most once per 100 ms; the server
// answers with an `inspect` frame, also after each `travel` / `resume` / `replay` request.
// A view that travels takes no events: the runtime drops them (`pauseEvents`), panel open or not.

import { BOUNDARY_ATTR } from '../constants.js';
import { readStorage, writeStorage } from '../storage.js';
import { INSPECTOR_CSS, inspectorBody } from './inspector_view.js';
import { openSource } from './source_picker.js';
import { h } from './ui.js';

const OPEN_KEY = 'hotreload:inspector';
const THROTTLE_MS = 100;

/** The ids of the boundaries on the page, in document order. */
const pageIds = () => Array.from(document.querySelectorAll(`[${BOUNDARY_ATTR}]`), (el) => el.getAttribute(BOUNDARY_ATTR));

export class Inspector {
  constructor(hr, ui) {
    this.hr = hr;
    this.ui = ui;
    this.isOpen = false;
    this.data = null; // the last `inspect` frame: { views, memory }
    this.selected = null; // the id of the view shown
    this.note = null; // "Not connected", ...
    this.paused = new Set(); // the views in time travel, as told to the runtime
    this.requested = []; // the ids of the last request
    this.idsKey = ''; // those ids joined, to see when the page's boundaries change
    this.lastSent = -Infinity;
    this.timer = 0;
    this.shown = ''; // what the body shows now, to skip redrawing the same
    this.pressed = false; // a button is held down in the panel: redraw after its click
    this.actions = {
      select: (id) => { this.selected = id; this.render(); },
      travel: (id, to) => this.travel(id, to),
      resume: (id) => this.sendDev({ type: 'dev', action: 'resume', id }),
      replay: (id, from) => this.sendDev({ type: 'dev', action: 'replay', id, from }),
      open: (src) => openSource(hr, ui, src),
    };
    ui.addStyle(INSPECTOR_CSS);
    this.toggleEl = h('button', { class: 'inspect-toggle', type: 'button', title: 'Inspector (Ctrl+Shift+D)', 'aria-pressed': 'false', onclick: () => this.toggle() }, '{}');
    ui.statusEl.prepend(this.toggleEl);
    this.bodyEl = h('div', { class: 'body' });
    this.panelEl = h('div', { class: 'inspector', hidden: '', role: 'complementary', 'aria-label': 'hotreload inspector' },
      h('div', { class: 'head' }, h('b', {}, 'Inspector'), h('span', { class: 'hint' }, 'Ctrl+Shift+D'),
        h('button', { class: 'inspect-close', type: 'button', title: 'Close (Ctrl+Shift+D)', onclick: () => this.close() }, '×')),
      this.bodyEl);
    ui.root.insertBefore(this.panelEl, ui.progressEl); // under the toasts, the status and the overlay
    // A redraw between a button's mousedown and mouseup would lose its click (a busy page asks
    // every 100 ms): hold it until the click is through.
    this.panelEl.addEventListener('pointerdown', () => { this.pressed = true; });
    const released = () => {
      if (this.pressed) setTimeout(() => { this.pressed = false; this.render(); }, 0);
    };
    window.addEventListener('pointerup', released, true);
    window.addEventListener('pointercancel', released, true);
    this.observer = new MutationObserver(() => { if (pageIds().join() !== this.idsKey) this.schedule(); });
    if (readStorage(localStorage, OPEN_KEY) === 'open') this.open();
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  open() {
    this.isOpen = true;
    this.panelEl.hidden = false;
    this.toggleEl.setAttribute('aria-pressed', 'true');
    writeStorage(localStorage, OPEN_KEY, 'open');
    this.observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: [BOUNDARY_ATTR] });
    this.render();
    this.schedule();
  }

  close() {
    this.isOpen = false;
    this.shown = '';
    this.panelEl.hidden = true;
    this.toggleEl.setAttribute('aria-pressed', 'false');
    writeStorage(localStorage, OPEN_KEY, 'closed');
    this.observer.disconnect();
    clearTimeout(this.timer);
    this.timer = 0;
  }

  /** Asks again soon: at once if the last request is 100 ms old, else when it is. */
  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + THROTTLE_MS - performance.now());
    this.timer = setTimeout(() => { this.timer = 0; this.request(); }, wait);
  }

  request() {
    const ids = pageIds();
    this.idsKey = ids.join();
    if (!ids.length) {
      this.note = 'No live view on this page';
      this.render();
      return;
    }
    this.requested = ids;
    this.lastSent = performance.now();
    this.note = this.hr.sendDev?.({ type: 'dev', action: 'inspect', ids }) ? null : 'Not connected';
    this.render();
  }

  /** A `patch` or `html` frame was applied (runtime, dev_bridge.js `applied`). */
  applied() {
    if (this.isOpen) this.schedule();
  }

  /** The socket is (again) open: the views may have changed, travelling ones too. */
  connected() {
    if (this.isOpen || this.paused.size) this.schedule();
  }

  /** A new server: nothing of the old one's history is left. */
  restarted() {
    this.data = null;
    this.setPaused(new Set());
    if (this.isOpen) this.schedule();
  }

  /** An `inspect` frame from the server. */
  receive(frame) {
    const views = Array.isArray(frame.views) ? frame.views.filter((v) => v && typeof v.id === 'string') : [];
    this.data = { views, memory: frame.memory ?? null };
    // A view left out is unknown to the server (not travelling); one not asked about keeps
    // what it had while it is on the page.
    const reported = new Set(views.map((v) => v.id));
    const onPage = new Set(pageIds());
    const paused = new Set([...this.paused].filter((id) => !reported.has(id) && !this.requested.includes(id) && onPage.has(id)));
    for (const v of views) if (v.history?.travelling) paused.add(v.id);
    this.setPaused(paused);
    if (!reported.has(this.selected)) this.selected = views.find((v) => !reported.has(v.parent))?.id ?? null;
    this.render();
  }

  setPaused(paused) {
    const same = paused.size === this.paused.size && [...paused].every((id) => this.paused.has(id));
    this.paused = paused;
    if (!same) this.hr.pauseEvents?.([...paused]);
  }

  /** Shows history state `to` of view `id` (at once here; the server's answer follows). */
  travel(id, to) {
    const view = this.data?.views.find((v) => v.id === id);
    if (!view || !this.sendDev({ type: 'dev', action: 'travel', id, to })) return;
    view.history = { ...view.history, position: to, travelling: true };
    this.setPaused(new Set([...this.paused, id]));
    this.render();
  }

  sendDev(frame) {
    if (this.hr.sendDev?.(frame)) return true;
    this.ui.toast('warn', `Not connected: cannot ${frame.action}`, 'inspector');
    return false;
  }

  render() {
    if (!this.isOpen || this.pressed) return;
    const key = JSON.stringify([this.data, this.selected, this.note]);
    if (key === this.shown) return;
    this.shown = key;
    const scroll = this.panelEl.scrollTop;
    this.bodyEl.replaceChildren(...inspectorBody(this.data, this.selected, this.actions, this.note));
    this.panelEl.scrollTop = scroll;
  }
}
