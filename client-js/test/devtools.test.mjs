// Dev tools (debug builds, dist/dev.js): click-to-source (the source key held: an outline and
// a "View · FILE:LINE:COL" label on `data-hr-src` elements; a click asks the server to open the
// editor instead of doing what it would), the inspector panel (Ctrl+Shift+D or the button by
// the status dot: `inspect` requests, what an `inspect` frame shows, time travel and the events
// it pauses) and server `log` frames in the console. The server is the mock in helpers.mjs.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ID, ID2, launchBrowser, openClient, page, sleep, startServer, ui } from './helpers.mjs';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const INNER = '<h1 id="title" data-hr-src="examples/counter.rs:23:9">Count: 3</h1>'
  + '<button id="inc" live-click=\'"Inc"\' data-hr-src="examples/counter.rs:24:9">+</button>'
  + '<a id="link" href="/elsewhere" data-hr-src="examples/counter.rs:25:9">elsewhere</a>'
  + '<p id="plain">no annotation here</p>'
  + `<div data-live-view-id="${ID2}" data-live-view="Child" data-hr-src="examples/child.rs:5:1">`
  + '<button id="ping" live-click=\'"Ping"\' data-hr-src="examples/child.rs:6:5">ping</button></div>';

async function open({ inner = INNER, extraAttrs = '' } = {}) {
  const c = await openClient(browser, server, page(inner, { view: 'Counter', extraAttrs: `data-toast-ms="3000" ${extraAttrs}` }));
  await c.page.waitForFunction(() => window.__hotreload.dev === 'ready' && window.__hotreload.state === 'open');
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  return c;
}

async function done(c) {
  assert.equal(await c.page.evaluate(() => window.__marker), 'alive', 'no reload, no navigation');
  assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
  await c.context.close();
}

/** The center of `selector`'s box in the page. */
async function center(pg, selector) {
  const r = await pg.evaluate((sel) => {
    const b = document.querySelector(sel).getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  }, selector);
  return r;
}

/** What the dev UI shows for the picker: the label's text, and whether box and label show. */
const picker = (pg) => pg.evaluate(() => {
  const root = document.querySelector('hotreload-ui').shadowRoot;
  const box = root.querySelector('.inspect-box');
  const label = root.querySelector('.inspect-label');
  const r = box.getBoundingClientRect();
  return { label: label.textContent, shown: !box.hidden && !label.hidden, box: { x: r.left, y: r.top, w: r.width, h: r.height }, pointerEvents: getComputedStyle(box).pointerEvents };
});

const rectOf = (pg, sel) => pg.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { x: r.left, y: r.top, w: r.width, h: r.height };
}, sel);

/** The frames the page sent since `since` (not counting heartbeat pings). */
const sentSince = (since) => server.frames().slice(since).filter((f) => f.type !== 'ping');

const toasts = (pg) => ui(pg, '.toast');

test('Alt+hover outlines the nearest annotated element with "View · FILE:LINE:COL"; releasing Alt hides it', async () => {
  const c = await open();
  const inc = await center(c.page, '#inc');
  await c.page.mouse.move(inc.x, inc.y);
  assert.equal((await picker(c.page)).shown, false, 'nothing without the key');
  await c.page.keyboard.down('Alt');
  // The key going down over an element highlights it at once (no move needed).
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.inspect-label').hidden);
  let got = await picker(c.page);
  assert.equal(got.label, 'Counter · examples/counter.rs:24:9');
  assert.deepEqual(got.box, await rectOf(c.page, '#inc'), 'the box is the element\'s');
  assert.equal(got.pointerEvents, 'none');
  // A nested view's element names that view.
  const ping = await center(c.page, '#ping');
  await c.page.mouse.move(ping.x, ping.y);
  got = await picker(c.page);
  assert.equal(got.label, 'Child · examples/child.rs:6:5');
  // An element without an annotation shows its closest annotated ancestor: the boundary
  // root here has none, so nothing.
  const plain = await center(c.page, '#plain');
  await c.page.mouse.move(plain.x, plain.y);
  assert.equal((await picker(c.page)).shown, false);
  const title = await center(c.page, '#title');
  await c.page.mouse.move(title.x, title.y);
  assert.equal((await picker(c.page)).label, 'Counter · examples/counter.rs:23:9');
  await c.page.keyboard.up('Alt');
  assert.equal((await picker(c.page)).shown, false, 'hidden on keyup');
  await c.page.mouse.move(inc.x, inc.y);
  assert.equal((await picker(c.page)).shown, false, 'and stays hidden without the key');
  await done(c);
});

test('Alt+click sends exactly the open frame, and neither the live-click event nor the link\'s navigation happens; a plain click still sends the event', async () => {
  const c = await open();
  const inc = await center(c.page, '#inc');
  let since = server.count();
  await c.page.keyboard.down('Alt');
  await c.page.mouse.click(inc.x, inc.y);
  await server.waitFrame('dev', () => true, { since });
  await sleep(200);
  assert.deepEqual(sentSince(since), [{ v: 1, type: 'dev', action: 'open', src: 'examples/counter.rs:24:9' }]);
  // A link: no navigation, no download.
  since = server.count();
  const link = await center(c.page, '#link');
  await c.page.mouse.click(link.x, link.y);
  await server.waitFrame('dev', () => true, { since });
  await sleep(200);
  assert.deepEqual(sentSince(since), [{ v: 1, type: 'dev', action: 'open', src: 'examples/counter.rs:25:9' }]);
  assert.equal(new URL(c.page.url()).pathname, '/');
  await c.page.keyboard.up('Alt');
  since = server.count();
  await c.page.mouse.click(inc.x, inc.y);
  const event = await server.waitFrame('event', () => true, { since });
  assert.equal(event.id, ID);
  assert.equal(event.event, 'click');
  assert.equal(event.msg, 'Inc');
  await sleep(100);
  assert.deepEqual(sentSince(since).filter((f) => f.type === 'dev'), [], 'no open frame for a plain click');
  await done(c);
});

test('data-source-key="ctrl" makes Ctrl the source key; Alt+click is then a plain click', async () => {
  const c = await open({ extraAttrs: 'data-source-key="ctrl"' });
  const inc = await center(c.page, '#inc');
  let since = server.count();
  await c.page.keyboard.down('Control');
  await c.page.mouse.move(inc.x, inc.y);
  assert.equal((await picker(c.page)).label, 'Counter · examples/counter.rs:24:9');
  await c.page.mouse.click(inc.x, inc.y);
  await server.waitFrame('dev', () => true, { since });
  await sleep(150);
  assert.deepEqual(sentSince(since), [{ v: 1, type: 'dev', action: 'open', src: 'examples/counter.rs:24:9' }]);
  await c.page.keyboard.up('Control');
  since = server.count();
  await c.page.keyboard.down('Alt');
  await c.page.mouse.click(inc.x, inc.y);
  await c.page.keyboard.up('Alt');
  await server.waitFrame('event', (f) => f.msg === 'Inc', { since });
  assert.deepEqual(sentSince(since).filter((f) => f.type === 'dev'), []);
  await done(c);
});

test('source_opened shows a toast: the server\'s message, "Opened FILE:LINE" without one, an error toast on failure', async () => {
  const c = await open();
  server.send({ type: 'source_opened', ok: true, file: 'examples/counter.rs', line: 24, column: 9, message: 'examples/counter.rs:24:9 (no editor configured)' });
  await c.page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.textContent.includes('no editor')));
  assert.deepEqual((await toasts(c.page)).map((t) => [t.level, t.text]), [['success', 'examples/counter.rs:24:9 (no editor configured)']]);
  assert.ok(c.logs.includes('info: [hotreload] source: examples/counter.rs:24:9'), c.logs.join('\n'));
  server.send({ type: 'source_opened', ok: true, file: 'examples/counter.rs', line: 24, column: 9 });
  await c.page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.textContent === 'Opened examples/counter.rs:24'));
  server.send({ type: 'source_opened', ok: false, file: 'examples/gone.rs', line: 1, column: 1, message: 'cannot open examples/gone.rs: no such file' });
  await c.page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.dataset.level === 'error'));
  const all = await toasts(c.page);
  assert.deepEqual(all.map((t) => [t.level, t.text]), [['error', 'cannot open examples/gone.rs: no such file']], 'one toast for the source, updated in place');
  await done(c);
});

const VIEW = {
  id: ID,
  view: 'Counter',
  parent: null,
  state: { count: 3, label: 'clicks', items: [1, 2] },
  templates: [{ file: 'examples/counter.rs', line: 23, column: 9, index: 0, swapped: true, version: 2 }],
  log: [
    { n: 1, at: Date.UTC(2025, 0, 1, 10, 0, 0, 1), kind: 'event', msg: 'Inc', update_us: 3, render_us: 12, diff_us: 20, ops: 1, bytes: 80, error: null },
    { n: 2, at: Date.UTC(2025, 0, 1, 10, 0, 1, 2), kind: 'info', msg: 'Tick', update_us: 2, render_us: 11, diff_us: 19, ops: 1, bytes: 81, error: null },
    { n: 3, at: Date.UTC(2025, 0, 1, 10, 0, 2, 3), kind: 'event', msg: { Add: 5 }, update_us: 1500, render_us: 10, diff_us: 18, ops: 2, bytes: 1300, error: 'bad input' },
    { n: 4, at: Date.UTC(2025, 0, 1, 10, 0, 3, 4), kind: 'event', msg: 'Inc', update_us: 4, render_us: 13, diff_us: 21, ops: 1, bytes: 82, error: null, note: '1 broadcast held back (a replay sends nothing again)' },
  ],
  history: { len: 5, position: 4, travelling: false, bytes: 412 },
};
const CHILD = { id: ID2, view: 'Child', parent: ID, state: { pings: 0 }, templates: [], log: [], history: { len: 1, position: 0, travelling: false, bytes: 20 } };

function inspectFrame({ position = 4, travelling = false, views } = {}) {
  return {
    type: 'inspect',
    views: views ?? [{ ...VIEW, history: { ...VIEW.history, position, travelling } }, CHILD],
    memory: { views: 2, states: 6, bytes: 432 },
  };
}

const panelShown = (pg) => pg.evaluate(() => {
  const p = document.querySelector('hotreload-ui').shadowRoot.querySelector('.inspector');
  return !!p && !p.hidden;
});

/** Opens the inspector with Ctrl+Shift+D, waits for its request and answers it. */
async function openInspector(c, frame = inspectFrame()) {
  const since = server.count();
  await c.page.keyboard.press('Control+Shift+D');
  const req = await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  server.send(frame);
  await c.page.waitForFunction(() => !!document.querySelector('hotreload-ui').shadowRoot.querySelector('.inspector .inspect-state'));
  return req;
}

test('Ctrl+Shift+D opens the panel and asks for every boundary on the page; again closes it; the button by the status dot toggles it too', async () => {
  const c = await open();
  assert.equal(await panelShown(c.page), false);
  let since = server.count();
  await c.page.keyboard.press('Control+Shift+D');
  const req = await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  assert.deepEqual(req, { v: 1, type: 'dev', action: 'inspect', ids: [ID, ID2] });
  assert.equal(await panelShown(c.page), true);
  assert.match((await ui(c.page, '.inspector'))[0].text, /Waiting for the server/);
  // Docked right, clear of the status dot, and the rest of the page stays usable.
  const layout = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    const p = root.querySelector('.inspector').getBoundingClientRect();
    const s = root.querySelector('.status').getBoundingClientRect();
    return { right: innerWidth - p.right, overlapsStatus: !(p.bottom <= s.top || p.top >= s.bottom || p.right <= s.left || p.left >= s.right), left: p.left, scroll: getComputedStyle(root.querySelector('.inspector')).overflowY };
  });
  assert.ok(layout.right < 20, JSON.stringify(layout));
  assert.equal(layout.overlapsStatus, false, 'the status dot stays visible');
  assert.equal(layout.scroll, 'auto');
  const title = await center(c.page, '#title');
  assert.ok(title.x < layout.left, 'the heading is left of the panel');
  assert.equal(await c.page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, title), 'title', 'the page left of the panel gets clicks');
  await c.page.keyboard.press('Control+Shift+D');
  assert.equal(await panelShown(c.page), false);
  since = server.count();
  await c.page.locator('.inspect-toggle').click();
  await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  assert.equal(await panelShown(c.page), true);
  assert.equal((await ui(c.page, '.inspect-toggle'))[0].text, '{}');
  await c.page.locator('.inspect-close').click();
  assert.equal(await panelShown(c.page), false);
  await done(c);
});

test('an inspect frame shows the tree, the memory, the state as JSON, the templates, the log newest first and the position', async () => {
  const c = await open();
  await openInspector(c);
  const got = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    const q = (s) => root.querySelector(s);
    const qa = (s) => [...root.querySelectorAll(s)];
    return {
      state: q('.inspect-state').textContent,
      position: q('.tt-position').textContent,
      memory: q('.inspect-memory').textContent,
      tree: qa('.inspect-view').map((v) => v.textContent),
      nested: !!q('.inspect-tree li li .inspect-view[data-id="00000000000000b2"]'),
      selected: qa('.inspect-view[aria-selected=true]').map((v) => v.dataset.id),
      templates: qa('.inspect-templates li').map((t) => t.textContent),
      log: qa('.inspect-log-entry').map((e) => ({ n: e.dataset.n, current: e.dataset.current, msg: e.querySelector('.msg').textContent, meta: e.querySelector('.meta').textContent, error: e.querySelector('.inspect-error')?.textContent ?? null, note: e.querySelector('.inspect-note')?.textContent ?? null })),
      banner: !!q('.tt-banner'),
      back: q('.tt-back').disabled,
      forward: q('.tt-forward').disabled,
      resume: q('.tt-resume').disabled,
    };
  });
  assert.equal(got.state, JSON.stringify(VIEW.state, null, 2));
  assert.equal(got.position, '4 / 4');
  assert.equal(got.memory, 'memory: 2 views · 6 states · 432 B');
  assert.deepEqual(got.tree, [`Counter ${ID}`, `Child ${ID2}`]);
  assert.equal(got.nested, true, 'the child view is nested under its parent');
  assert.deepEqual(got.selected, [ID]);
  assert.deepEqual(got.templates, ['examples/counter.rs:23:9 #0 · swapped · v2']);
  assert.deepEqual(got.log.map((e) => e.n), ['4', '3', '2', '1'], 'newest first');
  assert.equal(got.log[0].current, 'true');
  assert.equal(got.log[0].msg, 'eventInc');
  assert.equal(got.log[1].msg, 'event{"Add":5}');
  assert.equal(got.log[2].msg, 'infoTick');
  assert.match(got.log[1].meta, /update 1\.5 ms · render 10 µs · diff 18 µs · 2 ops · 1\.3 KB$/);
  assert.match(got.log[0].meta, /^\d\d:\d\d:03\.004 · update 4 µs · render 13 µs · diff 21 µs · 1 op · 82 B$/);
  assert.equal(got.log[1].error, 'bad input');
  assert.equal(got.log[0].note, '1 broadcast held back (a replay sends nothing again)');
  assert.equal(got.log[1].note, null);
  assert.equal(got.log[0].error, null);
  assert.equal(got.banner, false);
  assert.deepEqual([got.back, got.forward, got.resume], [false, true, true], 'at the end, not travelling');
  // Selecting the child shows its state; a template link asks to open the editor there.
  await c.page.locator(`.inspect-view[data-id="${ID2}"]`).click();
  assert.equal((await ui(c.page, '.inspect-state'))[0].text, JSON.stringify(CHILD.state, null, 2));
  await c.page.locator(`.inspect-view[data-id="${ID}"]`).click();
  const since = server.count();
  await c.page.locator('.inspect-template').click();
  const opened = await server.waitFrame('dev', (f) => f.action === 'open', { since });
  assert.deepEqual(opened, { v: 1, type: 'dev', action: 'open', src: 'examples/counter.rs:23:9' });
  await done(c);
});

test('time travel: ◀ sends travel to position-1, ▶ +1, Resume and Replay from here send theirs', async () => {
  const c = await open();
  await openInspector(c);
  let since = server.count();
  await c.page.locator('.tt-back').click();
  let f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
  assert.deepEqual(f, { v: 1, type: 'dev', action: 'travel', id: ID, to: 3 });
  // The server answers with where it is now.
  server.send(inspectFrame({ position: 3, travelling: true }));
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.tt-position')?.textContent === '3 / 4');
  assert.deepEqual((await ui(c.page, '.tt-banner')).map((b) => b.text), ['Time travel: events paused']);
  since = server.count();
  await c.page.locator('.tt-forward').click();
  f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
  assert.deepEqual(f, { v: 1, type: 'dev', action: 'travel', id: ID, to: 4 });
  server.send(inspectFrame({ position: 2, travelling: true }));
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.tt-position')?.textContent === '2 / 4');
  since = server.count();
  await c.page.locator('.tt-replay').click();
  f = await server.waitFrame('dev', (x) => x.action === 'replay', { since });
  assert.deepEqual(f, { v: 1, type: 'dev', action: 'replay', id: ID, from: 2 });
  since = server.count();
  await c.page.locator('.tt-resume').click();
  f = await server.waitFrame('dev', (x) => x.action === 'resume', { since });
  assert.deepEqual(f, { v: 1, type: 'dev', action: 'resume', id: ID });
  // A log entry's button travels to the state after that message.
  since = server.count();
  await c.page.locator('.inspect-log-entry[data-n="1"] .tt-goto').click();
  f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
  assert.deepEqual(f, { v: 1, type: 'dev', action: 'travel', id: ID, to: 1 });
  await done(c);
});

test('entries are addressed by their number: after older ones were dropped, ◀ and the log buttons send numbers', async () => {
  const c = await open();
  const log = [300, 301, 302, 303].map((n) => ({ ...VIEW.log[0], n }));
  await openInspector(c, inspectFrame({ views: [{ ...VIEW, log, history: { len: 4, position: 303, travelling: false, bytes: 412, first: 0 } }] }));
  assert.equal((await ui(c.page, '.tt-position'))[0].text, '303 / 303');
  let since = server.count();
  await c.page.locator('.tt-back').click();
  let f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
  assert.equal(f.to, 302);
  since = server.count();
  await c.page.locator('.inspect-log-entry[data-n="300"] .tt-goto').click();
  f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
  assert.equal(f.to, 300);
  await done(c);
});

test('while a view travels its live events are not sent (a nested view\'s are), `paused` errors make no toast; after it stops they are sent again', async () => {
  const c = await open();
  await openInspector(c, inspectFrame({ position: 2, travelling: true }));
  await c.page.waitForFunction(() => !!document.querySelector('hotreload-ui').shadowRoot.querySelector('.tt-banner'));
  let since = server.count();
  await c.page.click('#inc');
  await c.page.click('#ping');
  const ping = await server.waitFrame('event', (x) => x.msg === 'Ping', { since });
  assert.equal(ping.id, ID2, 'the nested view is not travelling');
  await sleep(200);
  assert.deepEqual(sentSince(since).filter((x) => x.type === 'event').map((x) => x.msg), ['Ping'], 'no Inc while travelling');
  assert.deepEqual((await toasts(c.page)).map((t) => t.text), ['Time travel: events paused']);
  // An event that raced the travel, refused by the server: no toast for it.
  server.send({ type: 'error', code: 'paused', message: 'time travel: events are paused', id: ID });
  server.send({ type: 'toast', level: 'info', message: 'marker' });
  await c.page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.textContent === 'marker'));
  assert.deepEqual((await toasts(c.page)).map((t) => t.text), ['Time travel: events paused', 'marker']);
  // With the panel closed the view still travels: still paused.
  await c.page.keyboard.press('Control+Shift+D');
  since = server.count();
  await c.page.click('#inc');
  await sleep(150);
  assert.deepEqual(sentSince(since).filter((x) => x.type === 'event'), []);
  // The server says it stopped (after a resume, say): events flow again.
  server.send(inspectFrame({ position: 2, travelling: false }));
  await c.page.waitForFunction(() => true);
  await sleep(50);
  since = server.count();
  await c.page.click('#inc');
  const inc = await server.waitFrame('event', (x) => x.msg === 'Inc', { since });
  assert.equal(inc.id, ID);
  await done(c);
});

test('while open, every applied patch asks again (at most once per 100 ms); a remount asks about the new id', async () => {
  const c = await open();
  await openInspector(c);
  let since = server.count();
  for (let seq = 1; seq <= 5; seq++) server.send({ type: 'patch', id: ID, seq, ops: [{ op: 'text', path: [0, 0], text: `Count: ${seq}` }] });
  await server.waitFrame('ack', (f) => f.seq === 5, { since });
  await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  await sleep(300);
  const asks = sentSince(since).filter((f) => f.type === 'dev');
  assert.ok(asks.length >= 1 && asks.length <= 2, `throttled: ${JSON.stringify(asks)}`);
  assert.deepEqual(asks.at(-1), { v: 1, type: 'dev', action: 'inspect', ids: [ID, ID2] });
  since = server.count();
  server.send({ type: 'remount', old: ID2, id: '00000000000000c3' });
  const ask = await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  assert.deepEqual(ask.ids, [ID, '00000000000000c3']);
  // Closed: patches ask nothing.
  await c.page.keyboard.press('Control+Shift+D');
  since = server.count();
  server.send({ type: 'patch', id: ID, seq: 6, ops: [{ op: 'text', path: [0, 0], text: 'Count: 6' }] });
  await server.waitFrame('ack', (f) => f.seq === 6, { since });
  await sleep(250);
  assert.deepEqual(sentSince(since).filter((f) => f.type === 'dev'), []);
  await done(c);
});

test('on a busy page (a patch and an answer every 20 ms) a slow click on a panel button still counts', async () => {
  const c = await open();
  await openInspector(c);
  const conn = server.conn;
  let n = 0;
  const answer = (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'dev' && f.action === 'inspect') conn.send(JSON.stringify({ v: 1, ...inspectFrame({ views: [{ ...VIEW, state: { count: ++n } }, CHILD] }) }));
  };
  conn.on('message', answer);
  let seq = 0;
  const ticker = setInterval(() => server.send({ type: 'patch', id: ID, seq: ++seq, ops: [{ op: 'text', path: [0, 0], text: `Count: ${seq}` }] }, conn), 20);
  try {
    await c.page.waitForFunction(() => /"count": [3-9]/.test(document.querySelector('hotreload-ui').shadowRoot.querySelector('.inspect-state').textContent));
    const since = server.count();
    await c.page.locator('.tt-back').click({ delay: 250 }); // mousedown, 250 ms of redraws, mouseup
    const f = await server.waitFrame('dev', (x) => x.action === 'travel', { since });
    assert.deepEqual(f, { v: 1, type: 'dev', action: 'travel', id: ID, to: 3 });
  } finally {
    clearInterval(ticker);
    conn.off('message', answer);
  }
  await done(c);
});

test('the panel stays open across a reload', async () => {
  const c = await open();
  await openInspector(c);
  const since = server.count();
  await c.page.reload();
  await server.waitFrame('dev', (f) => f.action === 'inspect', { since });
  assert.equal(await panelShown(c.page), true);
  await c.page.keyboard.press('Control+Shift+D');
  assert.equal(await panelShown(c.page), false);
  await c.context.close();
});

test('log frames go to the console at their level with the [server] prefix, target and fields', async () => {
  const c = await open();
  server.send({ type: 'log', level: 'error', target: 'my_app::db', message: 'query failed', fields: { table: 'users', ms: 12, detail: 'no such row' }, at: Date.now() });
  server.send({ type: 'log', level: 'warn', target: 'hotreload::ws', message: 'slow client', fields: {}, at: Date.now() });
  server.send({ type: 'log', level: 'info', target: 'my_app', message: 'mounted Counter', at: Date.now() });
  server.send({ type: 'log', level: 'debug', target: 'my_app', message: 'render', fields: { us: 40 }, at: Date.now() });
  server.send({ type: 'log', level: 'trace', target: 'my_app', message: 'diff', at: Date.now() });
  server.send({ type: 'log', level: 'warn', dropped: 17, message: '17 log lines dropped (rate limit)' });
  const want = [
    'error: [server] my_app::db: query failed table=users ms=12 detail="no such row"',
    'warning: [server] hotreload::ws: slow client',
    'info: [server] my_app: mounted Counter',
    'debug: [server] my_app: render us=40',
    'debug: [server] my_app: diff',
    'warning: [server] 17 log lines dropped (rate limit)',
  ];
  const deadline = Date.now() + 3000;
  while (!want.every((w) => c.logs.includes(w)) && Date.now() < deadline) await sleep(20);
  assert.deepEqual(c.logs.filter((l) => l.includes('[server]')), want);
  await done(c);
});

test('__hotreload.sendDev sends frames of type dev only', async () => {
  const c = await open();
  const since = server.count();
  const results = await c.page.evaluate(() => [
    window.__hotreload.sendDev({ type: 'event', id: 'x', event: 'click', msg: 'Inc' }),
    window.__hotreload.sendDev(null),
    window.__hotreload.sendDev({ type: 'dev', action: 'inspect', ids: [] }),
  ]);
  assert.deepEqual(results, [false, false, true]);
  await server.waitFrame('dev', () => true, { since });
  await sleep(100);
  assert.deepEqual(sentSince(since), [{ v: 1, type: 'dev', action: 'inspect', ids: [] }]);
  await done(c);
});
