// `live-*` bindings produce the event frames of docs/PROTOCOL.md.

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

const attr = (msg) => JSON.stringify(msg).replace(/&/g, '&amp;').replace(/"/g, '&quot;');

async function open(inner, opts) {
  const c = await openClient(browser, server, page(inner, opts));
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  return c;
}

async function done(c) {
  assert.equal(await c.page.evaluate(() => window.__marker), 'alive', 'no navigation or reload');
  assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
  await c.context.close();
}

const events = (since) => server.state.messages.slice(since).map((m) => m.frame).filter((f) => f.type === 'event');

test('click sends the parsed message with id, event and ref; links and submit buttons do not navigate', async () => {
  const c = await open(`<button id="b" live-click="${attr({ Inc: { by: 2 } })}"><span id="inner">+</span></button>
    <a id="link" href="/nowhere" live-click="${attr('Go')}">go</a>
    <form action="/nowhere"><button id="sub" live-click="${attr('Save')}">save</button></form>`);
  const since = server.count();
  await c.page.click('#inner');
  await c.page.click('#link');
  await c.page.click('#sub');
  await server.waitFor(() => events(since).length >= 3, { what: '3 events' });
  const [a, b, s] = events(since);
  assert.deepEqual(a, { v: 1, type: 'event', id: ID, event: 'click', msg: { Inc: { by: 2 } }, ref: a.ref });
  assert.equal(typeof a.ref, 'number');
  assert.ok(b.ref > a.ref && s.ref > b.ref, 'ref counts up');
  assert.deepEqual([b.msg, s.msg], ['Go', 'Save']);
  await sleep(100);
  assert.equal(new URL(c.page.url()).pathname, '/');
  await done(c);
});

test('dblclick, and the instance is the closest boundary', async () => {
  const c = await open(`<div data-live-view-id="${ID2}" data-live-view="Child"><p id="p" live-dblclick="${attr('Twice')}">x</p></div>`);
  const since = server.count();
  await c.page.dblclick('#p');
  const ev = await server.waitFrame('event', () => true, { since });
  assert.deepEqual([ev.id, ev.event, ev.msg], [ID2, 'dblclick', 'Twice']);
  await done(c);
});

test('input sends the value; live-debounce sends only the last value', async () => {
  const c = await open(`<input id="i" live-input="${attr('Typed')}"><input id="d" live-input="${attr('Search')}" live-debounce="400">`);
  let since = server.count();
  await c.page.type('#i', 'ab');
  await server.waitFor(() => events(since).length >= 2, { what: '2 input events' });
  assert.deepEqual(events(since).map((e) => [e.event, e.value, e.msg]), [['input', 'a', 'Typed'], ['input', 'ab', 'Typed']]);
  since = server.count();
  await c.page.type('#d', 'hello', { delay: 10 });
  // Wait for the debounced event rather than a fixed time (a loaded CI machine is slow), then
  // make sure nothing else follows.
  await server.waitFor(() => events(since).length >= 1, { what: 'the debounced input' });
  await sleep(450);
  assert.deepEqual(events(since).map((e) => e.value), ['hello']);
  await done(c);
});

test('a pending debounced input is sent when the field loses focus; live-debounce="blur" waits for it', async () => {
  const c = await open(`<input id="d" live-input="${attr('D')}" live-debounce="5000"><input id="b" live-input="${attr('B')}" live-debounce="blur"><input id="other">`);
  const since = server.count();
  await c.page.type('#d', 'abc');
  await c.page.type('#b', 'xyz');
  await sleep(100);
  assert.deepEqual(events(since).map((e) => [e.msg, e.value]), [['D', 'abc']], 'leaving #d flushed it at once');
  await c.page.focus('#other');
  await server.waitFor(() => events(since).length >= 2, { what: 'the blur-debounced input' });
  assert.deepEqual(events(since).map((e) => [e.msg, e.value]), [['D', 'abc'], ['B', 'xyz']]);
  await done(c);
});

test('live-throttle sends the first at once and the latest at the end of the window', async () => {
  const c = await open(`<input id="t" live-input="${attr('T')}" live-throttle="200">`);
  const since = server.count();
  await c.page.type('#t', 'abcd', { delay: 10 });
  await sleep(350);
  assert.deepEqual(events(since).map((e) => e.value), ['a', 'abcd']);
  await done(c);
});

test('change sends checked for checkboxes, live-value overrides the value', async () => {
  const c = await open(`<input type="checkbox" id="cb" live-change="${attr('Toggle')}"><select id="s" live-change="${attr('Pick')}"><option>a</option><option>b</option></select><button id="v" live-click="${attr('Del')}" live-value="42">x</button>`);
  const since = server.count();
  await c.page.check('#cb');
  await c.page.selectOption('#s', 'b');
  await c.page.click('#v');
  await server.waitFor(() => events(since).length >= 3, { what: '3 events' });
  const [cb, s, v] = events(since);
  assert.deepEqual([cb.event, cb.checked, cb.value], ['change', true, 'on']);
  assert.deepEqual([s.event, s.value, s.checked], ['change', 'b', undefined]);
  assert.deepEqual([v.event, v.value], ['click', '42']);
  await done(c);
});

test('submit sends the form entries and does not navigate', async () => {
  const c = await open(`<form id="f" action="/nowhere" live-submit="${attr('Save')}"><input name="title" value="Hello"><input type="checkbox" name="done" checked><input type="checkbox" name="skip"><select name="tag"><option>x</option><option selected>y</option></select><textarea name="body">text</textarea><button id="go" name="action" value="save">Save</button></form>`);
  const since = server.count();
  await c.page.click('#go');
  const ev = await server.waitFrame('event', () => true, { since });
  assert.equal(ev.event, 'submit');
  assert.deepEqual(ev.form, [['title', 'Hello'], ['done', 'on'], ['tag', 'y'], ['body', 'text'], ['action', 'save']]);
  await sleep(100);
  assert.equal(new URL(c.page.url()).pathname, '/');
  await done(c);
});

test('keydown and keyup honour live-key', async () => {
  const c = await open(`<input id="k" live-keydown="${attr('Enter')}" live-key="Enter, Escape"><input id="u" live-keyup="${attr('Up')}">`);
  const since = server.count();
  await c.page.focus('#k');
  await c.page.keyboard.press('a');
  await c.page.keyboard.press('Enter');
  await c.page.keyboard.press('Escape');
  await c.page.focus('#u');
  await c.page.keyboard.press('x');
  await server.waitFor(() => events(since).length >= 3, { what: '3 key events' });
  await sleep(50);
  assert.deepEqual(events(since).map((e) => [e.event, e.key, e.msg]), [['keydown', 'Enter', 'Enter'], ['keydown', 'Escape', 'Enter'], ['keyup', 'x', 'Up']]);
  await done(c);
});

test('focus and blur are sent for the element itself', async () => {
  const c = await open(`<input id="a" live-focus="${attr('In')}" live-blur="${attr('Out')}"><input id="b">`);
  const since = server.count();
  await c.page.focus('#a');
  await c.page.focus('#b');
  await server.waitFor(() => events(since).length >= 2, { what: 'focus and blur' });
  assert.deepEqual(events(since).map((e) => [e.event, e.msg]), [['focus', 'In'], ['blur', 'Out']]);
  await done(c);
});

test('bindings on nodes inserted by a patch work (delegation)', async () => {
  const c = await open('<ul></ul>');
  let since = server.count();
  server.send({ type: 'patch', id: ID, seq: 1, ops: [{ op: 'insert', path: [0], index: 0, html: `<li><button id="new" live-click="${attr({ Remove: 3 })}">x</button></li>` }] });
  await server.waitFrame('ack', (f) => f.seq === 1, { since });
  since = server.count();
  await c.page.click('#new');
  const ev = await server.waitFrame('event', () => true, { since });
  assert.deepEqual(ev.msg, { Remove: 3 });
  await done(c);
});

test('a binding whose value is not JSON is not sent, and nothing throws', async () => {
  const c = await open('<button id="bad" live-click="{oops">x</button><button id="ok" live-click="&quot;Ok&quot;">y</button>');
  const since = server.count();
  await c.page.click('#bad');
  await c.page.click('#ok');
  await server.waitFor(() => events(since).length >= 1);
  await sleep(50);
  assert.deepEqual(events(since).map((e) => e.msg), ['Ok']);
  assert.ok(c.logs.some((l) => l.includes('live-click is not JSON')));
  await done(c);
});

test('events raised while disconnected are sent after the reconnect hello', async () => {
  const c = await open(`<button id="b" live-click="${attr('Later')}">x</button>`, { extraAttrs: 'data-backoff-min-ms="400" data-backoff-max-ms="400"' });
  const since = server.count();
  server.conn.terminate();
  await c.page.waitForFunction(() => window.__hotreload.state === 'reconnecting');
  await c.page.click('#b');
  const ev = await server.waitFrame('event', () => true, { since });
  const order = server.state.messages.slice(since).map((m) => m.frame.type);
  assert.ok(order.indexOf('hello') < order.indexOf('event'), `hello first: ${order}`);
  assert.equal(ev.msg, 'Later');
  await done(c);
});
