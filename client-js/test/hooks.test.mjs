// JavaScript hooks (`live-hook`, `window.hotreload.hooks`) and `live-ignore` against the mock
// server (docs/PROTOCOL.md, "JavaScript hooks"): the lifecycle across patches, morphs and
// reconnects, `pushEvent` and `push_event`, a widget's children kept inside `live-ignore`.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ID, ID2, launchBrowser, openClient, page, sleep, startServer } from './helpers.mjs';

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

/**
 * The user's hooks, registered the documented way: a classic script before the client's module
 * script. Each hook records `"<callback> <Hook>#<element id>"` in `window.__calls` and keeps its
 * instance in `window.__hooks[id]`; `after(kind)` on a definition runs after the record.
 */
const HOOKS = `<script>
window.__calls = [];
window.__hooks = {};
function recorder(name, extra) {
  const record = (kind) => function () {
    window.__calls.push(kind + ' ' + name + '#' + this.el.id);
    if (kind === 'mounted') window.__hooks[this.el.id] = this;
    if (this.after) this.after(kind);
  };
  return Object.assign({
    mounted: record('mounted'), updated: record('updated'), destroyed: record('destroyed'),
    disconnected: record('disconnected'), reconnected: record('reconnected'),
  }, extra);
}
window.hotreload = { hooks: {
  Rec: recorder('Rec'),
  Other: recorder('Other'),
  // A widget that changes its own element when mounted and on every update.
  Self: recorder('Self', { after(kind) {
    if (kind === 'mounted') { this.el.append(document.createElement('i')); this.el.dataset.n = '0'; }
    if (kind === 'updated') this.el.dataset.n = String(Number(this.el.dataset.n) + 1);
  } }),
  // A widget owning the inside of its (live-ignore) element.
  Chart: recorder('Chart', { after(kind) {
    if (kind === 'mounted') this.el.innerHTML = '<canvas id="canvas"></canvas><span>widget</span><input id="inside">';
  } }),
  // Records the server's pushes, with what its element shows when they arrive.
  Push: recorder('Push', { after(kind) {
    if (kind !== 'mounted') return;
    this.handleEvent('points', (payload) => window.__calls.push(['points', this.el.id, payload, this.el.textContent]));
    this.handleEvent('other', (payload) => window.__calls.push(['other', this.el.id, payload]));
  } }),
  Bad: {
    mounted() { throw new Error('mounted boom'); },
    updated() { throw new Error('updated boom'); },
    destroyed() { throw new Error('destroyed boom'); },
  },
} };
</script>`;

/** Opens a page with the hooks above; returns helpers bound to it. */
async function open(inner, opts = {}) {
  const client = await openClient(browser, server, page(inner, { head: HOOKS, ...opts }));
  const pg = client.page;
  await pg.evaluate(() => { window.__marker = 'alive'; });
  const ctl = {
    ...client,
    seq: 0,
    /** Sends a patch and waits for its ack; returns the ack. */
    async patch(ops, { id = ID, seq = ++ctl.seq } = {}) {
      const since = server.count();
      server.send({ type: 'patch', id, seq, ops });
      return server.waitFrame('ack', (f) => f.seq === seq && f.id === id, { since });
    },
    async html(html, { id = ID, seq = ++ctl.seq } = {}) {
      const since = server.count();
      server.send({ type: 'html', id, seq, html });
      return server.waitFrame('ack', (f) => f.seq === seq && f.id === id, { since });
    },
    /** The hook calls recorded since the last `take()`. */
    take: () => pg.evaluate(() => window.__calls.splice(0)),
    inner: (id = ID) => pg.evaluate((id) => document.querySelector(`[data-live-view-id="${id}"]`).innerHTML, id),
    async close() {
      assert.equal(await pg.evaluate(() => window.__marker), 'alive', 'the page must not have reloaded');
      assert.deepEqual(client.logs.filter((l) => l.startsWith('pageerror')), []);
      await client.context.close();
    },
  };
  return ctl;
}

/** Asserts that every ack in `acks` applied (no `error`). */
function applied(...acks) {
  for (const ack of acks) assert.equal(ack.error, undefined, JSON.stringify(ack));
}

test('mounted, updated and destroyed across patches, in order, each hook at most once a frame', async () => {
  const c = await open('<p id="t">x</p><div id="pre" live-hook="Rec">pre</div>');
  assert.deepEqual(await c.take(), ['mounted Rec#pre'], 'at boot');

  applied(await c.patch([{ op: 'insert', path: [], index: 2, html: '<div id="h" live-hook="Rec"><span>one</span><b id="k" live-hook="Rec">k</b></div>' }]));
  assert.deepEqual(await c.take(), ['mounted Rec#h', 'mounted Rec#k'], 'inserted by a patch, with a hooked descendant');

  applied(await c.patch([{ op: 'attr', path: [2], name: 'class', value: 'big' }]));
  assert.deepEqual(await c.take(), ['updated Rec#h'], 'its attribute');

  applied(await c.patch([{ op: 'text', path: [2, 0, 0], text: 'two' }]));
  assert.deepEqual(await c.take(), ['updated Rec#h'], 'a text inside it (not inside #k)');

  applied(await c.patch([
    { op: 'attr', path: [2], name: 'title', value: 'a' },
    { op: 'text', path: [2, 0, 0], text: 'three' },
    { op: 'text', path: [2, 1, 0], text: 'k2' },
    { op: 'attr', path: [2, 1], name: 'class', value: 'c' },
  ]));
  assert.deepEqual(await c.take(), ['updated Rec#h', 'updated Rec#k'], 'once each, outer first');

  // The widget's own changes, between frames, are not the server's.
  await c.page.evaluate(() => {
    const h = document.getElementById('h');
    h.append(document.createElement('canvas'));
    h.dataset.widget = '1';
    document.getElementById('k').firstChild.data = 'widget text';
  });
  await sleep(50);
  applied(await c.patch([{ op: 'text', path: [0, 0], text: 'y' }]));
  assert.deepEqual(await c.take(), [], 'a change outside every hooked element, after the widget changed its own');
  assert.equal(await c.page.evaluate(() => document.querySelectorAll('#h > canvas').length), 1);

  applied(await c.patch([{ op: 'attr', path: [2, 1], name: 'live-hook', value: 'Other' }]));
  assert.deepEqual(await c.take(), ['destroyed Rec#k', 'mounted Other#k', 'updated Rec#h'], 'renamed: destroyed, mounted anew; the ancestor updated last');

  // Ops in the order remove, change, insert; the calls in the order destroyed, mounted, updated.
  applied(await c.patch([
    { op: 'remove', path: [1] },
    { op: 'text', path: [1, 0, 0], text: 'four' },
    { op: 'insert', path: [], index: 2, html: '<i id="n" live-hook="Rec">n</i>' },
  ]));
  assert.deepEqual(await c.take(), ['destroyed Rec#pre', 'mounted Rec#n', 'updated Rec#h']);

  applied(await c.patch([{ op: 'remove', path: [1] }]));
  assert.deepEqual(await c.take(), ['destroyed Rec#h', 'destroyed Other#k'], 'a removed subtree: every hook in it');

  applied(await c.patch([{ op: 'rmattr', path: [1], name: 'live-hook' }]));
  assert.deepEqual(await c.take(), ['destroyed Rec#n'], 'live-hook removed');
  applied(await c.patch([{ op: 'attr', path: [1], name: 'class', value: 'z' }]));
  assert.deepEqual(await c.take(), [], 'no hook any more');
  assert.equal(await c.inner(), '<p id="t">y</p><i id="n" class="z">n</i>');
  await c.close();
});

test('a hook that changes its own element in mounted() and updated() is updated only for the server\'s changes', async () => {
  const c = await open('<p id="t">x</p><div id="s" live-hook="Self"><b>s</b></div>');
  assert.deepEqual(await c.take(), ['mounted Self#s']);
  applied(await c.patch([{ op: 'text', path: [0, 0], text: 'y' }]));
  assert.deepEqual(await c.take(), []);
  applied(await c.patch([{ op: 'text', path: [1, 0, 0], text: 's2' }]));
  applied(await c.patch([{ op: 'text', path: [0, 0], text: 'z' }]));
  assert.deepEqual(await c.take(), ['updated Self#s'], 'what updated() did is not reported to the next frame');
  assert.equal(await c.page.evaluate(() => document.getElementById('s').outerHTML), '<div id="s" live-hook="Self" data-n="1"><b>s2</b><i></i></div>');
  await c.close();
});

test('an html morph keeps a hooked element alive: updated once when something in it changed', async () => {
  const c = await open('<p id="t">a</p><div id="h" live-hook="Rec"><span>one</span></div>', { after: '<aside id="side" live-hook="Other">side</aside>' });
  assert.deepEqual(await c.take(), ['mounted Rec#h', 'mounted Other#side']);
  await c.page.evaluate(() => { window.__el = document.getElementById('h'); });

  applied(await c.html('<p id="t">b</p><div id="h" live-hook="Rec"><span>one</span></div>'));
  assert.deepEqual(await c.take(), [], 'a change outside it');
  applied(await c.html('<p id="t">b</p><div id="h" live-hook="Rec" class="x"><span>two</span><span>new</span></div>'));
  assert.deepEqual(await c.take(), ['updated Rec#h'], 'an attribute and its inside: one updated');
  assert.equal(await c.page.evaluate(() => window.__el === document.getElementById('h') && window.__hooks.h.el === window.__el), true, 'the same element and instance');
  assert.equal(await c.inner(), '<p id="t">b</p><div id="h" live-hook="Rec" class="x"><span>two</span><span>new</span></div>');

  applied(await c.html('<p id="t">b</p>'));
  assert.deepEqual(await c.take(), ['destroyed Rec#h']);
  applied(await c.html('<div id="h2" live-hook="Other">again</div><p id="t">b</p>'));
  assert.deepEqual(await c.take(), ['mounted Other#h2']);

  // The dev client's page refresh morphs the page around the boundary (kept as it is).
  const newer = page('<p>ignored: the instance owns it</p>', { head: HOOKS, after: '<aside id="side" live-hook="Other">edited</aside><aside id="side2" live-hook="Rec">2</aside>' });
  await c.page.evaluate((html) => window.__hotreload.morphPage(new DOMParser().parseFromString(html, 'text/html')), newer);
  assert.deepEqual(await c.take(), ['mounted Rec#side2', 'updated Other#side'], 'a page morph');
  assert.equal(await c.inner(), '<div id="h2" live-hook="Other">again</div><p id="t">b</p>');
  assert.equal(await c.page.evaluate(() => document.getElementById('side').textContent), 'edited');
  await c.close();
});

test('a live navigation destroys the old page\'s hooks and mounts the new page\'s', async () => {
  const c = await open('<div id="h" live-hook="Rec">h</div>');
  assert.deepEqual(await c.take(), ['mounted Rec#h']);
  server.route('/next', page('<div id="n" live-hook="Rec">n</div><p live-hook="Other" id="o">o</p>', { id: ID2, head: HOOKS }));
  const since = server.count();
  server.send({ type: 'live_navigate', url: '/next', replace: false });
  await server.waitFrame('hello', (f) => f.resume === false, { since });
  assert.deepEqual(await c.take(), ['destroyed Rec#h', 'mounted Rec#n', 'mounted Other#o']);
  await c.close();
});

test('pushEvent sends a hook event for its boundary; push_event reaches the hooks of its boundary only', async () => {
  const c = await open(`<p id="a" live-hook="Push">a</p><div data-live-view-id="${ID2}" data-live-view="Child"><p id="b" live-hook="Push">b</p></div>`);
  assert.deepEqual(await c.take(), ['mounted Push#a', 'mounted Push#b']);

  let since = server.count();
  await c.page.evaluate(() => { window.__hooks.a.pushEvent({ Clicked: { index: 3 } }); window.__hooks.b.pushEvent('Ping'); });
  await server.waitFor((fs) => fs.slice(since).filter((f) => f.type === 'event').length >= 2, { what: '2 hook events' });
  const [a, b] = server.frames('event').slice(-2);
  assert.deepEqual(a, { v: 1, type: 'event', id: ID, event: 'hook', msg: { Clicked: { index: 3 } }, ref: a.ref });
  assert.deepEqual(b, { v: 1, type: 'event', id: ID2, event: 'hook', msg: 'Ping', ref: a.ref + 1 });

  // As the server sends it: the patch of the update, then its push; the hook sees the new DOM.
  since = server.count();
  server.send({ type: 'patch', id: ID, seq: 1, ops: [{ op: 'text', path: [0, 0], text: 'a2' }] });
  server.send({ type: 'push_event', id: ID, name: 'points', payload: [1, 2, 3] });
  server.send({ type: 'push_event', id: ID, name: 'unknown', payload: null });
  server.send({ type: 'push_event', id: ID2, name: 'other', payload: { n: 1 } });
  await c.page.waitForFunction(() => window.__calls.length >= 3);
  await sleep(100);
  assert.deepEqual(await c.take(), ['updated Push#a', ['points', 'a', [1, 2, 3], 'a2'], ['other', 'b', { n: 1 }]], 'updated by the patch, then the pushes');
  assert.deepEqual(server.state.messages.slice(since).map((m) => m.frame).filter((f) => f.type === 'ack').map((f) => f.seq), [1], 'a push_event is not acked');
  const stats = await c.page.evaluate(() => window.__hotreload.stats());
  assert.deepEqual([stats.patches, stats.htmls, stats.failures], [1, 0, 0]);
  assert.ok(!c.logs.some((l) => l.includes('unknown frame type')), c.logs.join('\n'));

  // A destroyed hook gets no more pushes and sends nothing.
  applied(await c.patch([{ op: 'remove', path: [0] }], { seq: 2 }));
  assert.deepEqual(await c.take(), ['destroyed Push#a']);
  since = server.count();
  await c.page.evaluate(() => window.__hooks.a.pushEvent('Late'));
  server.send({ type: 'push_event', id: ID, name: 'points', payload: [4] });
  await sleep(150);
  assert.deepEqual(await c.take(), []);
  assert.deepEqual(server.state.messages.slice(since).filter((m) => m.frame.type === 'event'), []);
  await c.close();
});

test('live-ignore: an html morph keeps the widget\'s children and changes the element\'s attributes', async () => {
  const c = await open('<p id="t">a</p><input id="q"><div id="chart" live-hook="Chart" live-ignore="" data-count="1"></div>', { after: '<div id="side" live-ignore="" data-v="1"></div>' });
  assert.deepEqual(await c.take(), ['mounted Chart#chart']);
  await c.page.evaluate(() => { document.getElementById('side').innerHTML = '<b>widget</b>'; });
  await c.page.fill('#inside', 'typed in the widget');
  await c.page.fill('#q', 'typed outside');
  await c.page.evaluate(() => { window.__canvas = document.getElementById('canvas'); });

  applied(await c.html('<p id="t">b</p><input id="q"><div id="chart" live-hook="Chart" live-ignore="" data-count="2"></div>'));
  assert.equal(await c.inner(), '<p id="t">b</p><input id="q"><div id="chart" live-hook="Chart" live-ignore="" data-count="2"><canvas id="canvas"></canvas><span>widget</span><input id="inside"></div>');
  assert.deepEqual(await c.page.evaluate(() => [window.__canvas === document.getElementById('canvas'), document.getElementById('inside').value, document.getElementById('q').value]),
    [true, 'typed in the widget', 'typed outside']);
  assert.deepEqual(await c.take(), ['updated Chart#chart'], 'its attribute changed');

  // Content rendered inside it by the server does not replace the widget's either.
  applied(await c.html('<p id="t">b</p><input id="q"><div id="chart" live-hook="Chart" live-ignore="" data-count="2"><p>server</p></div>'));
  assert.equal(await c.page.evaluate(() => document.getElementById('chart').innerHTML), '<canvas id="canvas"></canvas><span>widget</span><input id="inside">');
  assert.deepEqual(await c.take(), []);

  // A freshly inserted live-ignore element gets its rendered content.
  applied(await c.html('<p id="t">b</p><input id="q"><div id="chart" live-hook="Chart" live-ignore="" data-count="3"></div><div id="w" live-ignore=""><i>new</i></div>'));
  assert.equal(await c.page.evaluate(() => document.getElementById('w').innerHTML), '<i>new</i>');
  assert.equal(await c.page.evaluate(() => document.getElementById('chart').dataset.count), '3');

  // A page morph (the dev client's refresh) keeps one outside the boundaries too.
  const newer = page('', { head: HOOKS, after: '<div id="side" live-ignore="" data-v="2"><p>server</p></div>' });
  await c.page.evaluate((html) => window.__hotreload.morphPage(new DOMParser().parseFromString(html, 'text/html')), newer);
  assert.equal(await c.page.evaluate(() => document.getElementById('side').outerHTML), '<div id="side" live-ignore="" data-v="2"><b>widget</b></div>');

  // One that stops being live-ignore follows the render again.
  applied(await c.html('<p id="t">c</p><input id="q"><div id="chart" live-hook="Chart" data-count="4"><p>server</p></div>'));
  assert.equal(await c.page.evaluate(() => document.getElementById('chart').innerHTML), '<p>server</p>');
  await c.close();
});

test('disconnected when the socket closes, reconnected after the welcome of the reconnect, once each', async () => {
  const c = await open('<div id="h" live-hook="Rec">h</div>', { extraAttrs: 'data-backoff-min-ms="400" data-backoff-max-ms="400"' });
  assert.deepEqual(await c.take(), ['mounted Rec#h']);

  let since = server.count();
  server.conn.terminate();
  await c.page.waitForFunction(() => window.__calls.length >= 1);
  assert.deepEqual(await c.take(), ['disconnected Rec#h']);
  assert.equal(await c.page.evaluate(() => window.__hotreload.state), 'reconnecting');
  await c.page.evaluate(() => window.__hooks.h.pushEvent('WhileDown'));
  const event = await server.waitFrame('event', () => true, { since });
  await c.page.waitForFunction(() => window.__calls.length >= 1);
  assert.deepEqual(await c.take(), ['reconnected Rec#h']);
  assert.deepEqual([event.id, event.event, event.msg], [ID, 'hook', 'WhileDown'], 'queued while down');
  const types = server.state.messages.slice(since).map((m) => m.frame.type);
  assert.ok(types.indexOf('hello') >= 0 && types.indexOf('hello') < types.indexOf('event'), `sent after the hello: ${types}`);

  // Two attempts fail (closed right after their hello, no welcome), the third is welcomed late.
  let hellos = 0;
  server.state.welcome = false;
  server.state.onHello = (ws) => {
    if (++hellos <= 2) { ws.terminate(); return; }
    server.state.onHello = null;
    server.state.welcome = true;
    setTimeout(() => ws.send(JSON.stringify({ v: 1, type: 'welcome', boot: server.state.boot, dev: true })), 200);
  };
  since = server.count();
  server.conn.terminate();
  await server.waitFor(() => hellos >= 3, { what: 'the third connection', timeout: 8000 });
  await sleep(100);
  assert.deepEqual(await c.take(), ['disconnected Rec#h'], 'once, and no reconnected before the welcome');
  await c.page.waitForFunction(() => window.__calls.length >= 1);
  await sleep(50);
  assert.deepEqual(await c.take(), ['reconnected Rec#h']);
  await c.close();
});

test('a hook that throws, or is not registered, never stops a patch', async () => {
  const c = await open('<p id="t">x</p>');
  applied(await c.patch([
    { op: 'insert', path: [], index: 1, html: '<div id="x" live-hook="Bad">x</div><div id="u" live-hook="Unregistered">u</div><div id="y" live-hook="Rec">y</div>' },
    { op: 'text', path: [0, 0], text: 'changed' },
  ]));
  assert.deepEqual(await c.take(), ['mounted Rec#y'], 'the hook after the throwing one is mounted');
  applied(await c.patch([{ op: 'text', path: [1, 0], text: 'x2' }, { op: 'text', path: [3, 0], text: 'y2' }]));
  assert.deepEqual(await c.take(), ['updated Rec#y']);
  applied(await c.html('<p id="t">morphed</p><div id="x" live-hook="Bad">x3</div>'));
  assert.deepEqual(await c.take(), ['destroyed Rec#y']);
  assert.equal(await c.inner(), '<p id="t">morphed</p><div id="x" live-hook="Bad">x3</div>');
  applied(await c.patch([{ op: 'remove', path: [1] }, { op: 'text', path: [0, 0], text: 'last' }]));
  assert.equal(await c.inner(), '<p id="t">last</p>');
  const warnings = c.logs.filter((l) => l.startsWith('warning') && l.includes('[hotreload]'));
  for (const kind of ['mounted', 'updated', 'destroyed']) {
    assert.ok(warnings.some((l) => l.includes(`hook Bad: ${kind}() threw`) && l.includes(`${kind} boom`)), `${kind}: ${warnings.join('\n')}`);
  }
  assert.ok(warnings.some((l) => l.includes('no hook "Unregistered"')), warnings.join('\n'));
  assert.equal((await c.page.evaluate(() => window.__hotreload.stats())).failures, 0);
  await c.close();
});
