// Dev mode: status indicator, toasts, error overlay, progress bar, shortcuts, stylesheet swap,
// reload guard; and how the dev client (dist/dev.js) meets the runtime (dist/runtime.js).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DEV_PATH, ID, devLoaded, launchBrowser, openClient, page, sleep, startServer, ui } from './helpers.mjs';

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

async function open(inner, opts = {}) {
  const c = await openClient(browser, server, page(inner, { extraAttrs: 'data-toast-ms="400"', ...opts }), { path: opts.path ?? '/' });
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  return c;
}

async function done(c) {
  assert.equal(await c.page.evaluate(() => window.__marker), 'alive', 'no reload');
  assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
  await c.context.close();
}

const statusOf = async (pg) => (await ui(pg, '.status'))[0];

test('the indicator shows connected, reconnecting and rebuild needed, and never blocks the page', async () => {
  const c = await open('<button id="under" style="position:fixed;inset:0">b</button>', { extraAttrs: 'data-backoff-min-ms="500" data-backoff-max-ms="500"' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.status').dataset.state === 'connected');
  // The UI host sits outside every boundary and lets clicks through except on itself.
  assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui').parentNode === document.documentElement), true);
  assert.equal(await c.page.evaluate(() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.id), 'under');
  assert.equal(await c.page.evaluate(() => document.elementFromPoint(innerWidth - 60, innerHeight - 60)?.id), 'under', 'the toast area lets clicks through');
  server.conn.terminate();
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.status').dataset.state === 'reconnecting');
  await server.waitFor(() => server.conn, { what: 'reconnect' });
  await c.page.waitForFunction(() => window.__hotreload.state === 'open');
  server.send({ type: 'rebuild_needed', file: 'src/main.rs', line: 12, reason: 'Rust code outside templates changed' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.status').dataset.state === 'rebuild');
  assert.match((await statusOf(c.page)).text, /rebuild needed: src\/main\.rs:12/);
  const toasts = await ui(c.page, '.toast');
  assert.ok(toasts.some((t) => t.level === 'warn' && /src\/main\.rs:12/.test(t.text) && /outside templates/.test(t.text)), JSON.stringify(toasts));
  // A server restart (new boot) after the rebuild clears it.
  server.state.boot = 'boot-2';
  server.conn.terminate();
  await c.page.waitForFunction(() => window.__hotreload.boot === 'boot-2');
  assert.equal((await statusOf(c.page)).state, 'connected');
  server.state.boot = 'boot-1';
  await done(c);
});

test('toasts for swapped, toast and error frames stack and dismiss themselves', async () => {
  const c = await open('<p>x</p>');
  server.send({ type: 'swapped', file: 'src/counter.rs', templates: 2, ms: 3 });
  server.send({ type: 'toast', level: 'error', message: 'state did not fit; fresh mount' });
  server.send({ type: 'error', code: 'bad_message', message: 'no such variant' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast').length === 3);
  const toasts = await ui(c.page, '.toast');
  assert.deepEqual(toasts.map((t) => t.level), ['success', 'error', 'error']);
  assert.match(toasts[0].text, /src\/counter\.rs/);
  assert.match(toasts[2].text, /bad_message/);
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast').length === 0, null, { timeout: 2000 });
  assert.equal((await c.page.evaluate(() => window.__hotreload.stats())).swaps, 1);
  await done(c);
});

test('a burst of swaps of one file updates one toast instead of stacking them', async () => {
  const c = await open('<p>x</p>');
  for (let i = 1; i <= 4; i++) server.send({ type: 'swapped', file: 'src/view.rs', templates: 1, ms: i });
  server.send({ type: 'swapped', file: 'src/other.rs', templates: 1, ms: 9 });
  await c.page.waitForFunction(() => window.__hotreload.stats().swaps === 5);
  const toasts = await ui(c.page, '.toast');
  assert.equal(toasts.length, 2, JSON.stringify(toasts));
  assert.match(toasts[0].text, /src\/view\.rs in 4\.0 ms/);
  assert.match(toasts[1].text, /src\/other\.rs/);
  await done(c);
});

test('the overlay shows file:line:col, message and source; Escape, the button and overlay_clear hide it', async () => {
  const c = await open('<p>x</p>');
  const errors = [
    { file: 'src/counter.rs', line: 14, column: 9, message: 'expected `</h1>`, found `</h2>`', source: '        <h1>"Count: " {self.count}</h2>' },
    { file: 'src/other.rs', line: 3, column: 1, message: 'unexpected end of input' },
  ];
  const shown = () => ui(c.page, '.overlay').then((o) => !o[0].hidden);
  server.send({ type: 'overlay', kind: 'template', errors });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  const locs = (await ui(c.page, '.overlay .loc')).map((e) => e.text);
  assert.deepEqual(locs, ['src/counter.rs:14:9', 'src/other.rs:3:1']);
  const messages = (await ui(c.page, '.overlay .message')).map((e) => e.text);
  assert.deepEqual(messages, [errors[0].message, errors[1].message]);
  const src = (await ui(c.page, '.overlay pre'))[0].text;
  assert.ok(src.includes(errors[0].source), src);
  assert.match(src, /^14 \| {9}<h1>.*\n {3}\| {9}\^$/, 'a caret under column 9');
  assert.equal((await statusOf(c.page)).state, 'error');
  const font = await c.page.evaluate(() => getComputedStyle(document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay pre')).fontFamily);
  assert.match(font, /mono/i);
  await c.page.keyboard.press('Escape');
  assert.equal(await shown(), false);
  server.send({ type: 'overlay', kind: 'compile', errors });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  await c.page.evaluate(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay .close').click());
  assert.equal(await shown(), false);
  server.send({ type: 'overlay', kind: 'template', errors });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  server.send({ type: 'overlay_clear' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  assert.equal((await statusOf(c.page)).state, 'connected');
  await done(c);
});

test('the progress bar follows progress frames and hides when done', async () => {
  const c = await open('<p>x</p>');
  server.send({ type: 'progress', done: 3, total: 12, label: 'Compiling' });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.progress').hidden);
  const [bar] = await ui(c.page, '.progress .label');
  assert.equal(bar.text, 'Compiling 3/12');
  assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.progress .bar').style.width), '25%');
  server.send({ type: 'progress', done: 12, total: 12, label: 'Compiling' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.progress').hidden);
  await done(c);
});

test('no dev UI and no shortcuts without data-dev', async () => {
  const c = await open('<p>x</p>', { dev: false });
  server.send({ type: 'toast', level: 'info', message: 'hi' });
  await sleep(100);
  assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui')), null);
  const since = server.count();
  await c.page.keyboard.press('Control+Shift+R');
  await sleep(200);
  assert.equal(server.frames().slice(since).filter((f) => f.type === 'hello').length, 0);
  await done(c);
});

test('Ctrl+Shift+R reconnects, Ctrl+Shift+H prints stats, Ctrl+Shift+T toggles toasts across reloads', async () => {
  const c = await open('<input id="i">');
  await c.page.focus('#i');
  let since = server.count();
  await c.page.keyboard.press('Control+Shift+R');
  const hello = await server.waitFrame('hello', () => true, { since });
  assert.equal(hello.resume, true);
  assert.equal(await c.page.evaluate(() => document.querySelector('#i').value), '', 'the combo is not typed');

  await c.page.keyboard.press('Control+Shift+H');
  await c.page.waitForFunction(() => true);
  await sleep(50);
  const stats = c.logs.find((l) => l.startsWith('info: [hotreload] stats'));
  assert.ok(stats, c.logs.join('\n'));
  for (const key of ['swaps', 'patches', 'ops', 'bytes received', 'last patch latency', 'failures', 'reconnects']) assert.ok(stats.includes(key), `${key} in ${stats}`);

  await c.page.keyboard.press('Control+Shift+T');
  server.send({ type: 'toast', level: 'info', message: 'hidden' });
  await sleep(100);
  assert.deepEqual(await ui(c.page, '.toast'), []);
  since = server.count();
  await c.page.reload();
  await server.waitFrame('hello', () => true, { since });
  await devLoaded(c.page);
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  server.send({ type: 'toast', level: 'info', message: 'still hidden' });
  await sleep(100);
  assert.deepEqual(await ui(c.page, '.toast'), [], 'the choice survives a reload');
  await c.page.keyboard.press('Control+Shift+T');
  server.send({ type: 'toast', level: 'info', message: 'visible' });
  await c.page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.textContent === 'visible'));
  await done(c);
});

test('css frames swap the stylesheet without a moment with none, then drop the old link', async () => {
  let version = 0;
  server.route('/static/app.css', () => ({ type: 'text/css', body: `#t { width: ${100 + version}px }`, delayMs: 150 }));
  const c = await open('<p id="t">x</p>', { head: '<link rel="stylesheet" href="/static/app.css"><link rel="stylesheet" href="/static/other.css">' });
  await c.page.evaluate(() => {
    window.__minLinks = Infinity;
    const count = () => document.querySelectorAll('link[rel=stylesheet][href*="/static/app.css"]').length;
    new MutationObserver(() => { window.__minLinks = Math.min(window.__minLinks, count()); }).observe(document.head, { childList: true });
  });
  assert.equal(await c.page.evaluate(() => getComputedStyle(document.querySelector('#t')).width), '100px');
  version = 5;
  server.send({ type: 'css', path: '/static/app.css' });
  await c.page.waitForFunction(() => getComputedStyle(document.querySelector('#t')).width === '105px');
  await c.page.waitForFunction(() => document.querySelectorAll('link[href*="/static/app.css"]').length === 1);
  const hrefs = await c.page.evaluate(() => [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.getAttribute('href')));
  assert.match(hrefs[0], /\/static\/app\.css\?v=\d+$/);
  assert.equal(hrefs[1], '/static/other.css', 'other stylesheets untouched, order kept');
  assert.equal(await c.page.evaluate(() => window.__minLinks), 1, 'never zero matching stylesheets');
  await done(c);
});

test('reload frames reload once, and a second one within 10 s is suppressed with an error toast', async () => {
  server.route('/reload', page('<p>r</p>', { extraAttrs: 'data-toast-ms="2000"' }));
  const c = await openClient(browser, server, page('<p>r</p>', { extraAttrs: 'data-toast-ms="2000"' }), { path: '/reload' });
  const loads = server.hits.get('/reload');
  let since = server.count();
  server.send({ type: 'reload', reason: 'template set changed' });
  await server.waitFrame('hello', () => true, { since });
  assert.equal(server.hits.get('/reload'), loads + 1);
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  since = server.count();
  server.send({ type: 'reload', reason: 'again' });
  await c.page.waitForFunction(() => [...(document.querySelector('hotreload-ui')?.shadowRoot.querySelectorAll('.toast') ?? [])].some((t) => /suppressed/.test(t.textContent)));
  await sleep(200);
  assert.equal(server.hits.get('/reload'), loads + 1, 'no second reload');
  assert.equal((await ui(c.page, '.toast')).find((t) => /suppressed/.test(t.text)).level, 'error');
  await done(c);
});

test('patches never reload the page', async () => {
  const c = await open('<p>a</p>');
  const loads = server.hits.get('/');
  for (let seq = 1; seq <= 20; seq++) {
    server.send({ type: 'patch', id: ID, seq, ops: [{ op: 'text', path: [0, 0], text: `n${seq}` }] });
  }
  await server.waitFrame('ack', (f) => f.seq === 20, { since: 0 });
  assert.equal(await c.page.evaluate(() => document.querySelector('p').textContent), 'n20');
  assert.equal(server.hits.get('/'), loads);
  await done(c);
});

test('the dev client loads from the script URL with client.js -> dev.js, in the path or in ?_hotreload=', async () => {
  for (const [src, devUrl] of [['/client.js', '/dev.js'], ['/live/page?_hotreload=client.js', '/live/page?_hotreload=dev.js']]) {
    const before = server.requests.length;
    const c = await open('<p>x</p>', { src, path: '/live/page' });
    assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'ready', src);
    assert.deepEqual(server.requests.slice(before).filter((r) => r.includes('dev.js')), [devUrl]);
    assert.equal((await statusOf(c.page)).state, 'connected');
    await done(c);
  }
});

test('what arrives while the dev client loads is shown, in order, once it has loaded', async () => {
  server.route('/slow/dev.js', () => ({ type: 'text/javascript', body: readFileSync(DEV_PATH, 'utf8'), delayMs: 700 }));
  try {
    const c = await openClient(browser, server, page('<p>x</p>', { devClient: '/slow/dev.js', extraAttrs: 'data-toast-ms="5000"' }), { waitDev: false });
    await c.page.evaluate(() => { window.__marker = 'alive'; });
    server.send({ type: 'toast', level: 'info', message: 'early 1' });
    server.send({ type: 'overlay', kind: 'template', errors: [{ file: 'src/a.rs', line: 3, column: 2, message: 'early error' }] });
    server.send({ type: 'swapped', file: 'src/b.rs', templates: 1, ms: 2 });
    server.send({ type: 'progress', done: 1, total: 4, label: 'Compiling' });
    // A patch acked after them proves the frames above were handled before the dev client came.
    const since = server.count();
    server.send({ type: 'patch', id: ID, seq: 1, ops: [{ op: 'text', path: [0, 0], text: 'y' }] });
    await server.waitFrame('ack', (f) => f.seq === 1, { since });
    await c.page.evaluate(() => window.__hotreload.toast('warn', 'from the page'));
    assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'loading');
    assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui')), null);
    await devLoaded(c.page);
    assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'ready');
    const toasts = await ui(c.page, '.toast');
    assert.deepEqual(toasts.map((t) => [t.level, t.text]), [['info', 'early 1'], ['success', 'Updated src/b.rs in 2.0 ms'], ['warn', 'from the page']]);
    assert.deepEqual((await ui(c.page, '.overlay .loc')).map((e) => e.text), ['src/a.rs:3:2']);
    assert.equal((await ui(c.page, '.progress .label'))[0].text, 'Compiling 1/4');
    assert.equal((await statusOf(c.page)).state, 'error', 'connected, with the overlay open');
    // From now on frames go straight to it.
    server.send({ type: 'overlay_clear' });
    await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
    assert.equal((await statusOf(c.page)).state, 'connected');
    await done(c);
  } finally {
    server.unroute('/slow/dev.js');
  }
});

test('a dev client that does not load leaves the runtime working, with a warning', async () => {
  const c = await open('<p>x</p>', { devClient: '/missing/dev.js' });
  assert.equal(await c.page.evaluate(() => window.__hotreload.dev), 'failed');
  assert.ok(c.logs.some((l) => l.startsWith('warning: [hotreload] could not load the dev client from') && l.includes('/missing/dev.js')), c.logs.join('\n'));
  server.send({ type: 'toast', level: 'info', message: 'nobody shows this' });
  const since = server.count();
  server.send({ type: 'patch', id: ID, seq: 1, ops: [{ op: 'text', path: [0, 0], text: 'still patched' }] });
  const ack = await server.waitFrame('ack', (f) => f.seq === 1, { since });
  assert.equal(ack.error, undefined);
  assert.equal(await c.page.evaluate(() => document.querySelector('p').textContent), 'still patched');
  assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui')), null);
  await done(c);
});
