// The client against a mock server: hello, patch/html frames, acks, preservation of focus,
// caret, typed values and scroll, reconnect and heartbeat.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

/** Opens a page; returns helpers bound to it. */
async function open(inner, opts = {}) {
  const client = await openClient(browser, server, page(inner, opts), { path: opts.path ?? '/' });
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
    inner: (id = ID) => pg.evaluate((id) => document.querySelector(`[data-live-view-id="${id}"]`).innerHTML, id),
    async close() {
      assert.equal(await pg.evaluate(() => window.__marker), 'alive', 'the page must not have reloaded');
      assert.deepEqual(client.logs.filter((l) => l.startsWith('pageerror')), []);
      await client.context.close();
    },
  };
  return ctl;
}

describe('connection', () => {
  test('hello announces every boundary, with v and resume: false', async () => {
    const since = server.count();
    const c = await open(`<p>a</p><div data-live-view-id="${ID2}" data-live-view="Child">c</div>`);
    const hello = await server.waitFrame('hello', () => true, { since });
    assert.deepEqual(hello, { v: 1, type: 'hello', url: '/', instances: [{ id: ID, view: 'Test' }, { id: ID2, view: 'Child', parent: ID }], resume: false });
    assert.equal(await c.page.evaluate(() => window.__hotreload.state), 'open');
    await c.close();
  });

  test('reconnects with backoff after the server drops the connection, with resume: true, and morphs the resync', async () => {
    const c = await open('<p id="p">old</p>');
    const since = server.count();
    const dropped = Date.now();
    server.conn.terminate();
    const hello = await server.waitFrame('hello', () => true, { since, timeout: 3000 });
    const took = Date.now() - dropped;
    assert.equal(hello.resume, true);
    assert.ok(took < 2000, `reconnected after ${took} ms`);
    c.seq = 0; // a new connection: seqs start over
    const ack = await c.html('<p id="p">resynced</p>');
    assert.equal(ack.error, undefined);
    assert.equal(await c.inner(), '<p id="p">resynced</p>');
    const stats = await c.page.evaluate(() => window.__hotreload.stats());
    assert.equal(stats.reconnects, 1);
    await c.close();
  });

  test('backoff grows while the server is unreachable and stays capped', async () => {
    const c = await open('<p>x</p>', { extraAttrs: 'data-backoff-min-ms="50" data-backoff-max-ms="400"' });
    // Refuse the next connections by closing them at once; measure the gaps between attempts.
    const times = [];
    server.state.welcome = false;
    const prev = server.state.onHello;
    server.state.onHello = (ws) => { times.push(Date.now()); ws.terminate(); };
    server.conn.terminate();
    await server.waitFor(() => times.length >= 6, { timeout: 5000, what: '6 reconnect attempts' });
    server.state.onHello = prev;
    server.state.welcome = true;
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps.every((g) => g < 900), `gaps capped: ${gaps}`);
    assert.ok(gaps[gaps.length - 1] >= 150, `later gaps are longer: ${gaps}`);
    await server.waitFrame('hello', (f) => f.resume, { since: server.count() });
    await c.close();
  });

  test('a missing pong makes the client reconnect', async () => {
    const c = await open('<p>x</p>', { extraAttrs: 'data-heartbeat-ms="150" data-pong-timeout-ms="150"' });
    await server.waitFrame('ping', () => true, { since: server.count() });
    server.state.answerPing = false;
    const since = server.count();
    await server.waitFrame('hello', (f) => f.resume === true, { since, timeout: 3000 });
    server.state.answerPing = true;
    const ping = await server.waitFrame('ping', () => true, { since });
    assert.equal(typeof ping.n, 'number');
    await c.close();
  });

  test('closes the socket when the page goes away', async () => {
    const c = await open('<p>x</p>');
    assert.ok(server.openConns() >= 1);
    const before = server.openConns();
    server.route('/elsewhere', '<!DOCTYPE html><p>bye</p>');
    await c.page.goto(`${server.base}/elsewhere`);
    await server.waitFor(() => server.openConns() === before - 1, { what: 'the connection to close' });
    await c.context.close();
  });

  test('loading the client twice gives one client and one connection', async () => {
    const conns = server.state.conns.length;
    const c = await open('<p>x</p>', { after: '<script type="module" src="/client.js?again" data-hotreload-client data-socket="/_hotreload/ws"></script>' });
    await sleep(200);
    assert.equal(server.state.conns.length, conns + 1);
    await c.close();
  });
});

describe('patches', () => {
  test('applies every op kind and acks each seq', async () => {
    const c = await open('<p>Count: 1</p><ul><li id="a">A</li><li id="b">B</li></ul><table><tr><td>1</td></tr></table><span>old</span><i>gone</i><svg><use xlink:href="#a"></use></svg><template><b>t</b></template>');
    const acks = [];
    acks.push(await c.patch([{ op: 'text', path: [0, 0], text: 'Count: 7' }]));
    acks.push(await c.patch([
      { op: 'attr', path: [0], name: 'class', value: 'big' },
      { op: 'rmattr', path: [1, 0], name: 'id' },
      { op: 'move', path: [1], from: 1, to: 0 },
      { op: 'insert', path: [2, 0], index: 1, html: '<tr><td>2</td></tr>' },
      { op: 'replace', path: [3], html: '<em>new</em>' },
      { op: 'remove', path: [4] },
      { op: 'attr', path: [4, 0], name: 'xlink:href', value: '#b', ns: 'http://www.w3.org/1999/xlink' },
      { op: 'insert', path: [5], index: 1, html: '<i>u</i>' },
    ]));
    assert.deepEqual(acks.map((a) => [a.seq, a.error, a.v]), [[1, undefined, 1], [2, undefined, 1]]);
    const canon = await c.page.evaluate(async (id) => {
      const { canonical } = await import('/src/testing/canonical.js');
      return canonical(document.querySelector(`[data-live-view-id="${id}"]`));
    }, ID);
    assert.equal(canon, '<p class="big">"Count: 7"</p><ul><li id="b">"B"</li><li>"A"</li></ul><table><tbody><tr><td>"1"</td></tr><tr><td>"2"</td></tr></tbody></table><em>"new"</em><svg:svg><svg:use xlink:href="#b"></svg:use></svg:svg><template>#content[<b>"t"</b><i>"u"</i>]</template>');
    const stats = await c.page.evaluate(() => window.__hotreload.stats());
    assert.equal(stats.patches, 2);
    assert.equal(stats.ops, 9);
    assert.equal(typeof stats.lastLatencyMs, 'number');
    await c.close();
  });

  test('a bad path gets an error ack, later patches wait for the html resync', async () => {
    const c = await open('<p>a</p>');
    const bad = await c.patch([{ op: 'text', path: [0, 0], text: 'b' }, { op: 'text', path: [0, 3], text: 'x' }]);
    assert.match(bad.error, /path not found: \[0,3\]/);
    assert.equal(await c.inner(), '<p>b</p>', 'ops before the failing one stay applied');
    // A patch computed before the server saw the error is dropped, not applied.
    const ackSince = server.count();
    server.send({ type: 'patch', id: ID, seq: ++c.seq, ops: [{ op: 'text', path: [0, 0], text: 'WRONG' }] });
    const droppedSeq = c.seq;
    const ok = await c.html('<p>resynced</p>');
    assert.equal(ok.error, undefined);
    assert.equal(await c.inner(), '<p>resynced</p>');
    const acked = server.state.messages.slice(ackSince).filter((m) => m.frame.type === 'ack' && m.frame.seq === droppedSeq);
    assert.equal(acked.length, 0, 'the dropped patch is not acked');
    const after = await c.patch([{ op: 'text', path: [0, 0], text: 'patched again' }]);
    assert.equal(after.error, undefined);
    assert.equal(await c.inner(), '<p>patched again</p>');
    assert.equal((await c.page.evaluate(() => window.__hotreload.stats())).failures, 1);
    await c.close();
  });

  test('wrong node kinds, bad indexes and unknown ops are error acks, never exceptions', async () => {
    const c = await open('<p>a</p>');
    const cases = [
      [{ op: 'text', path: [0], text: 'x' }, /expected a text or comment node/],
      [{ op: 'insert', path: [0], index: 5, html: 'x' }, /index 5 out of range/],
      [{ op: 'move', path: [], from: 0, to: 3 }, /index 3 out of range/],
      [{ op: 'remove', path: [] }, /cannot remove or replace the boundary root/],
      [{ op: 'insert', path: [], index: 0, html: 'x', ctx: 'frameset' }, /unknown parsing context/],
      [{ op: 'explode', path: [] }, /unknown op/],
    ];
    for (const [op, re] of cases) {
      const ack = await c.patch([op]);
      assert.match(ack.error ?? '', re, JSON.stringify(op));
      await c.html('<p>a</p>');
    }
    await c.close();
  });

  test('frames with an old seq are ignored', async () => {
    const c = await open('<p>a</p>');
    await c.patch([{ op: 'text', path: [0, 0], text: 'five' }], { seq: 5 });
    server.send({ type: 'patch', id: ID, seq: 4, ops: [{ op: 'text', path: [0, 0], text: 'stale' }] });
    server.send({ type: 'html', id: ID, seq: 5, html: '<p>dup</p>' });
    await c.patch([{ op: 'attr', path: [0], name: 'title', value: 't' }], { seq: 6 });
    assert.equal(await c.inner(), '<p title="t">five</p>');
    await c.close();
  });

  test('an unknown boundary is an error ack', async () => {
    const c = await open('<p>a</p>');
    const since = server.count();
    server.send({ type: 'patch', id: 'ffffffffffffffff', seq: 1, ops: [] });
    const ack = await server.waitFrame('ack', (f) => f.id === 'ffffffffffffffff', { since });
    assert.match(ack.error, /boundary not found/);
    await c.close();
  });

  test('bad JSON and unknown frame types are ignored with a warning', async () => {
    const c = await open('<p>a</p>');
    server.conn.send('{nope');
    server.send({ type: 'mystery' });
    await c.patch([{ op: 'text', path: [0, 0], text: 'still fine' }]);
    assert.equal(await c.inner(), '<p>still fine</p>');
    assert.ok(c.logs.some((l) => l.includes('[hotreload]') && l.includes('not JSON')));
    await c.close();
  });
});

describe('preserving what the user has', () => {
  const form = '<h1>Title</h1><p>before</p><input id="name" value="server"><p>after</p><input type="checkbox" id="cb"><textarea id="ta">t</textarea>';

  async function typeInName(c) {
    await c.page.click('#name');
    await c.page.keyboard.press('End');
    await c.page.keyboard.type(' typed');
    await c.page.keyboard.press('ArrowLeft');
    await c.page.keyboard.press('ArrowLeft');
    await c.page.click('#cb', { noWaitAfter: true });
    await c.page.focus('#name');
    await c.page.evaluate(() => document.querySelector('#name').setSelectionRange(9, 11));
  }

  const snapshot = (c) => c.page.evaluate(() => {
    const el = document.querySelector('#name');
    return { active: document.activeElement.id, same: el === window.__nameEl, value: el.value, start: el.selectionStart, end: el.selectionEnd, cb: document.querySelector('#cb').checked };
  });

  test('a patch changing text around a focused input keeps focus, caret, value and checkbox', async () => {
    const c = await open(form);
    await typeInName(c);
    await c.page.evaluate(() => { window.__nameEl = document.querySelector('#name'); });
    await c.patch([
      { op: 'text', path: [0, 0], text: 'New title' },
      { op: 'text', path: [1, 0], text: 'changed before' },
      { op: 'insert', path: [], index: 2, html: '<b>inserted</b>' },
      { op: 'text', path: [4, 0], text: 'changed after' },
      { op: 'attr', path: [3], name: 'value', value: 'server2', prop: true }, // focused: skipped
      { op: 'attr', path: [3], name: 'class', value: 'x' },
      { op: 'move', path: [], from: 3, to: 0 }, // moving the focused input keeps it focused
    ]);
    assert.deepEqual(await snapshot(c), { active: 'name', same: true, value: 'server typed', start: 9, end: 11, cb: true });
    assert.equal(await c.page.evaluate(() => document.querySelector('h1').textContent), 'New title');
    await c.close();
  });

  test('an html morph keeps focus, caret, typed value and checkbox, and updates the rest', async () => {
    const c = await open(form);
    await typeInName(c);
    await c.page.evaluate(() => { window.__nameEl = document.querySelector('#name'); });
    await c.html('<h1>Morphed</h1><p>new before</p><p>extra</p><input id="name" value="server" class="x"><p>after</p><input type="checkbox" id="cb"><textarea id="ta">t</textarea>');
    assert.deepEqual(await snapshot(c), { active: 'name', same: true, value: 'server typed', start: 9, end: 11, cb: true });
    assert.equal(await c.page.evaluate(() => document.querySelector('#name').className), 'x');
    assert.equal(await c.page.evaluate(() => document.querySelector('h1').textContent), 'Morphed');
    await c.close();
  });

  test('prop ops set value/checked/selected on controls the user is not in', async () => {
    const c = await open('<input id="i" value="a"><input type="checkbox" id="cb" checked><select id="s"><option value="1">1</option><option value="2">2</option></select><textarea id="ta">old</textarea><button id="btn">b</button>');
    await c.page.fill('#i', 'user typed'); // dirty: the attribute alone would not show
    await c.page.fill('#ta', 'user text');
    await c.page.focus('#btn');
    await c.patch([
      { op: 'attr', path: [0], name: 'value', value: 'from server', prop: true },
      { op: 'rmattr', path: [1], name: 'checked', prop: true },
      { op: 'attr', path: [2, 1], name: 'selected', value: '', prop: true },
      { op: 'text', path: [3, 0], text: 'server text', prop: true },
    ]);
    const got = await c.page.evaluate(() => [document.querySelector('#i').value, document.querySelector('#cb').checked, document.querySelector('#s').value, document.querySelector('#ta').value]);
    assert.deepEqual(got, ['from server', false, '2', 'server text']);
    await c.close();
  });

  test('text inserted into or removed from an empty textarea shows unless the user is in it', async () => {
    const c = await open('<textarea id="a"></textarea><textarea id="b">x</textarea><button id="btn">b</button>');
    await c.page.fill('#a', 'typed');
    await c.page.fill('#b', 'typed');
    await c.page.focus('#btn');
    await c.patch([{ op: 'insert', path: [0], index: 0, html: 'from server' }, { op: 'remove', path: [1, 0] }]);
    assert.deepEqual(await c.page.evaluate(() => [document.querySelector('#a').value, document.querySelector('#b').value]), ['from server', '']);
    await c.page.focus('#a');
    await c.patch([{ op: 'text', path: [0, 0], text: 'ignored while focused', prop: true }]);
    assert.equal(await c.page.evaluate(() => document.querySelector('#a').value), 'from server');
    await c.close();
  });

  test('an html morph keeps values typed in other inputs unless the server changed them', async () => {
    const c = await open('<input id="a" value="1"><input id="b" value="1"><button id="btn">b</button>');
    await c.page.fill('#a', 'typed a');
    await c.page.fill('#b', 'typed b');
    await c.page.focus('#btn');
    await c.html('<input id="a" value="1"><input id="b" value="2"><button id="btn">b</button>');
    assert.deepEqual(await c.page.evaluate(() => [document.querySelector('#a').value, document.querySelector('#b').value]), ['typed a', '2']);
    await c.close();
  });

  test('scroll positions of the page and of scrolled containers survive patches and morphs', async () => {
    const tall = Array.from({ length: 60 }, (_, i) => `<p>line ${i}</p>`).join('');
    const c = await open(`<div id="box" style="height:100px;overflow:auto">${tall}</div><div style="height:3000px">page</div>`);
    await c.page.evaluate(() => { window.scrollTo(0, 700); document.querySelector('#box').scrollTop = 250; });
    await sleep(50); // let the scroll events fire
    await c.patch([{ op: 'replace', path: [0], html: `<div id="box" style="height:100px;overflow:auto">${tall}</div>` }, { op: 'remove', path: [1] }, { op: 'insert', path: [], index: 1, html: '<div style="height:3000px">page 2</div>' }]);
    assert.deepEqual(await c.page.evaluate(() => [window.scrollY, document.querySelector('#box').scrollTop]), [700, 250], 'a replaced container with the same id gets its scroll back');
    await c.page.evaluate(() => { document.querySelector('#box').scrollTop = 300; });
    await sleep(50);
    await c.html(`<div id="box" style="height:100px;overflow:auto">${tall}</div><div style="height:3000px">page 3</div>`);
    assert.deepEqual(await c.page.evaluate(() => [window.scrollY, document.querySelector('#box').scrollTop]), [700, 300]);
    await c.close();
  });

  test('nested boundaries are left alone by the parent html morph', async () => {
    const c = await open(`<p>parent</p><div data-live-view-id="${ID2}" data-live-view="Child"><b>child owns this</b></div>`);
    await c.html(`<p>parent 2</p><div data-live-view-id="${ID2}" data-live-view="Child"><b>stale render</b></div>`);
    assert.match(await c.inner(), /child owns this/);
    assert.match(await c.inner(), /parent 2/);
    await c.close();
  });
});

describe('morphing keeps the nodes an edit does not touch (unkeyed siblings)', () => {
  const plain = (main) => '<!DOCTYPE html><html><head><meta charset="utf-8"><title>plain</title></head><body>'
    + `<main>${main}</main><script type="module" src="/client.js" data-hotreload-client data-socket="/_hotreload/ws" data-dev="1"></script></body></html>`;
  const start = '<h1>Title</h1><p>A</p><p><input name="q"></p><p><a href="#x">link</a></p>';

  /** Types into the (unkeyed) input, caret at 3, and marks the element. */
  async function typeInto(pg, selector) {
    await pg.click(selector);
    await pg.keyboard.type('hello');
    await pg.keyboard.press('ArrowLeft');
    await pg.keyboard.press('ArrowLeft');
    await pg.evaluate((sel) => { document.querySelector(sel).__marker = 'kept'; }, selector);
  }

  const inputState = (pg, selector) => pg.evaluate((sel) => {
    const el = document.querySelector(sel);
    return { marker: el.__marker, value: el.value, start: el.selectionStart, end: el.selectionEnd, focused: document.activeElement === el };
  }, selector);

  const typed = { marker: 'kept', value: 'hello', start: 3, end: 3, focused: true };

  /**
   * A plain page with `start` in its <main>: the user types into the input, the template
   * becomes `edited`, a swap makes the page fetch itself again and morph it in.
   */
  async function plainPageEdit(path, edited) {
    const headers = [];
    let html = plain(start);
    const c = await openClient(browser, server, html, { path });
    server.route(path, (req) => { headers.push(req.headers['x-hotreload-shell'] ?? null); return { body: html, type: 'text/html; charset=utf-8' }; });
    await c.page.evaluate(() => { window.__marker = 'alive'; });
    await typeInto(c.page, 'main input');
    html = plain(edited);
    server.send({ type: 'swapped', file: 'src/page.rs', templates: 1, ms: 1 });
    await c.page.waitForFunction(() => window.__hotreload.stats().pageRefreshes === 1);
    const state = await inputState(c.page, 'main input');
    const main = await c.page.evaluate(() => document.querySelector('main').innerHTML);
    assert.equal(await c.page.evaluate(() => window.__marker), 'alive', 'no reload');
    assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
    await c.context.close();
    server.unroute(path);
    return { state, main, headers };
  }

  test('an element inserted above the input a user is typing in keeps the input, its value, caret and focus', async () => {
    const edited = '<h1>Title 2</h1><p>NEW</p><p>A</p><p><input name="q"></p><p><a href="#x">link</a></p>';
    const { state, main, headers } = await plainPageEdit('/plain-insert', edited);
    assert.deepEqual(state, typed);
    assert.equal(main, edited);
    assert.deepEqual(headers, [null], 'a plain page asks for the whole page (no X-Hotreload-Shell)');
  });

  test('an element removed above the input keeps the input', async () => {
    const edited = '<h1>Title</h1><p><input name="q"></p><p><a href="#x">link</a></p>';
    const { state, main } = await plainPageEdit('/plain-remove', edited);
    assert.deepEqual(state, typed);
    assert.equal(main, edited);
  });

  test('reordered siblings keep the input', async () => {
    const edited = '<h1>Title</h1><p><input name="q"></p><p><a href="#x">link</a></p><p>A</p>';
    const { state, main } = await plainPageEdit('/plain-reorder', edited);
    assert.deepEqual(state, typed);
    assert.equal(main, edited);
  });

  test('an html frame inserting an element above an unkeyed input keeps the input', async () => {
    const c = await open('<h1>t</h1><p>A</p><p><input name="q"></p>');
    await typeInto(c.page, '[data-live-view-id] input');
    await c.html('<h1>t</h1><p>NEW</p><p>A</p><p><input name="q"></p>');
    assert.deepEqual(await inputState(c.page, '[data-live-view-id] input'), typed);
    assert.equal(await c.inner(), '<h1>t</h1><p>NEW</p><p>A</p><p><input name="q"></p>');
    await c.close();
  });

  test('an html frame does not take a shell placeholder for a nested boundary (only the shell refresh does)', async () => {
    const c = await open(`<p>parent</p><div data-live-view-id="${ID2}" data-live-view="Child"><b>child</b></div>`);
    await c.html('<p>parent</p><div data-live-view-shell="" data-live-view="Child"></div>');
    assert.equal(await c.inner(), '<p>parent</p><div data-live-view-shell="" data-live-view="Child"></div>');
    await c.close();
  });
});

describe('the runtime alone (a release page: no data-dev)', () => {
  test('loads no dev file and shows no dev UI, yet sends events and applies patches', async () => {
    const before = server.requests.length;
    const c = await open('<button id="b" live-click="&quot;Inc&quot;">+</button><p>0</p>', { dev: false });
    assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'off');
    const since = server.count();
    await c.page.click('#b');
    const ev = await server.waitFrame('event', () => true, { since });
    assert.deepEqual([ev.id, ev.event, ev.msg], [ID, 'click', 'Inc']);
    const ack = await c.patch([{ op: 'text', path: [1, 0], text: '1' }]);
    assert.equal(ack.error, undefined);
    assert.equal(await c.inner(), '<button id="b" live-click="&quot;Inc&quot;">+</button><p>1</p>');
    // Dev frames and toast() are ignored without a dev client; nothing is buffered for one.
    server.send({ type: 'toast', level: 'info', message: 'hi' });
    server.send({ type: 'overlay', kind: 'template', errors: [{ file: 'src/a.rs', line: 1, column: 1, message: 'm' }] });
    await c.page.evaluate(() => window.__hotreload.toast('info', 'from the page'));
    await c.patch([{ op: 'text', path: [1, 0], text: '2' }]); // the frames above were handled
    assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui')), null);
    assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'off');
    const requests = server.requests.slice(before);
    assert.ok(requests.includes('/client.js'), JSON.stringify(requests));
    assert.deepEqual(requests.filter((r) => r.includes('dev')), [], 'no request for the dev client');
    const scripts = await c.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')));
    assert.deepEqual(scripts, ['/client.js']);
    assert.ok(!c.logs.some((l) => l.startsWith('warning')), c.logs.join('\n'));
    await c.close();
  });
});
