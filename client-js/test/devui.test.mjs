// Dev mode: status indicator, toasts, error overlay, progress bar, shortcuts, stylesheet swap,
// reload guard; and how the dev client (dist/dev.js) meets the runtime (dist/runtime.js).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DEV_PATH, ID, ID2, devLoaded, launchBrowser, openClient, page, sleep, startServer, ui } from './helpers.mjs';

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

test('undoing the edit that needed a rebuild (rebuild_cleared) clears the status, the progress bar and the compile error', async () => {
  const c = await open('<p>x</p>');
  server.send({ type: 'rebuild_needed', file: 'src/main.rs', line: 12, reason: 'Rust code outside the templates changed; rebuilding' });
  server.send({ type: 'progress', done: 3, total: 10, label: 'bin app' });
  server.send({ type: 'overlay', kind: 'compile', errors: [{ file: 'src/main.rs', line: 12, column: 9, message: 'error[E0308]: mismatched types' }] });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  assert.equal((await statusOf(c.page)).state, 'error');
  server.send({ type: 'rebuild_cleared' });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.status').dataset.state === 'connected');
  const after = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    return { overlay: root.querySelector('.overlay').hidden, progress: root.querySelector('.progress').hidden, toasts: [...root.querySelectorAll('.toast')].map((t) => t.textContent) };
  });
  assert.equal(after.overlay, true, 'the compile error is gone');
  assert.equal(after.progress, true, 'no build is running');
  assert.ok(after.toasts.some((t) => /no rebuild needed/.test(t)), JSON.stringify(after.toasts));
  // A template error is not the build's: rebuild_cleared leaves it.
  server.send({ type: 'overlay', kind: 'template', errors: [{ file: 'src/a.rs', line: 2, column: 3, message: 'unexpected `}`' }] });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  server.send({ type: 'rebuild_cleared' });
  await sleep(100);
  assert.equal(await c.page.evaluate(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden), false);
  await done(c);
});

test('a compile error shows rustc\'s rendered text in monospace, unwrapped, with no source block of its own', async () => {
  const c = await open('<p>x</p>');
  const rendered = 'error[E0308]: mismatched types\n --> src/main.rs:3:18\n  |\n3 |     let x: u32 = "a";\n  |            ---   ^^^ expected `u32`, found `&str`';
  server.send({ type: 'overlay', kind: 'compile', errors: [{ file: 'src/main.rs', line: 3, column: 18, message: rendered, source: '    let x: u32 = "a";' }] });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  const got = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    const message = root.querySelector('.overlay .message');
    const style = getComputedStyle(message);
    return { tag: message.localName, text: message.textContent, font: style.fontFamily, whiteSpace: style.whiteSpace, overflowX: style.overflowX, sources: root.querySelectorAll('.overlay .source').length, title: root.querySelector('.overlay h2').textContent };
  });
  assert.equal(got.text, rendered);
  assert.match(got.font, /monospace/);
  assert.equal(got.whiteSpace, 'pre', 'not wrapped: the ^^^ stays under the code');
  assert.equal(got.overflowX, 'auto');
  assert.equal(got.sources, 0, 'no source block of the client\'s own');
  assert.equal(got.title, 'Compile error');
  // A template error keeps its look: a proportional message, its source line with a caret.
  server.send({ type: 'overlay', kind: 'template', errors: [{ file: 'src/a.rs', line: 2, column: 3, message: 'unexpected `}`', source: '  }' }] });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay h2').textContent === 'Template error');
  const template = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    return { font: getComputedStyle(root.querySelector('.overlay .message')).fontFamily, sources: root.querySelectorAll('.overlay .source').length };
  });
  assert.doesNotMatch(template.font, /monospace/);
  assert.equal(template.sources, 1);
  await done(c);
});

test('the overlay title counts errors, not notes; a note shows under its error, muted, with "note:"', async () => {
  const c = await open('<p>x</p>');
  server.send({ type: 'overlay', kind: 'template', errors: [
    { file: 'src/view.rs', line: 9, column: 5, message: 'expected `</p>`, found `</div>`', source: '    </div>', severity: 'error' },
    { file: 'src/view.rs', line: 7, column: 5, message: '`<p>` opened here', source: '    <p>', severity: 'note' },
    { file: 'src/other.rs', line: 1, column: 1, message: 'unexpected end of input' },
  ] });
  await c.page.waitForFunction(() => !document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay').hidden);
  const got = await c.page.evaluate(() => {
    const root = document.querySelector('hotreload-ui').shadowRoot;
    const errors = [...root.querySelectorAll('.overlay .panel > .error')];
    const note = root.querySelector('.overlay .note');
    const color = (el) => getComputedStyle(el).color;
    return {
      title: root.querySelector('.overlay h2').textContent,
      errors: errors.map((e) => e.querySelector('.loc').textContent),
      noteIn: errors.findIndex((e) => e.contains(note)),
      noteLoc: note.querySelector('.loc').textContent,
      noteMessage: note.querySelector('.message').textContent,
      noteSource: note.querySelector('.source')?.textContent ?? null,
      noteColor: color(note.querySelector('.message')),
      errorColor: color(errors[0].querySelector('.message')),
    };
  });
  assert.equal(got.title, 'Template error (2)');
  assert.deepEqual(got.errors, ['src/view.rs:9:5', 'src/other.rs:1:1']);
  assert.equal(got.noteIn, 0, 'the note is under the error before it');
  assert.equal(got.noteLoc, 'note: src/view.rs:7:5');
  assert.equal(got.noteMessage, '`<p>` opened here');
  assert.match(got.noteSource, /^7 \| {5}<p>\n {2}\| {5}\^$/, 'a note keeps its source line and caret');
  assert.notEqual(got.noteColor, got.errorColor, 'muted');
  // One error and its note: no count.
  server.send({ type: 'overlay', kind: 'template', errors: [
    { file: 'src/view.rs', line: 9, column: 5, message: 'expected `</p>`', severity: 'error' },
    { file: 'src/view.rs', line: 7, column: 5, message: '`<p>` opened here', severity: 'note' },
  ] });
  await c.page.waitForFunction(() => document.querySelector('hotreload-ui').shadowRoot.querySelector('.overlay h2').textContent === 'Template error');
  await done(c);
});

describe('a live page refreshes its shell after an edit, its boundaries kept', () => {
  const TAG = '<script type="module" src="/client.js" data-hotreload-client data-socket="/_hotreload/ws" data-dev="1" data-toast-ms="400"></script>';
  const BOUNDARY = `<div data-live-view-id="${ID}" data-live-view="Test"><p>count 1</p><input name="q"></div>`;
  const PLACEHOLDER = '<div data-live-view-shell="" data-live-view="Test"></div>';
  const layout = (nav, view, { title = 'live', wrap = (v) => v } = {}) => '<!DOCTYPE html><html><head><meta charset="utf-8">'
    + `<title>${title}</title></head><body class="app"><nav><a href="/">${nav}</a></nav>${wrap(view)}<footer>f</footer>${TAG}</body></html>`;

  /**
   * Opens a live page at `path` (nav "Home"), types into the boundary's input and marks the
   * boundary; the route then answers with `answer(req)` (`{ body, status? }`); every request's
   * X-Hotreload-Shell header is in `headers`.
   */
  async function openLive(path) {
    const c = await openClient(browser, server, layout('Home', BOUNDARY), { path });
    const ctl = { ...c, headers: [], answer: null };
    server.route(path, (req) => {
      ctl.headers.push(req.headers['x-hotreload-shell'] ?? null);
      const { body, status = 200, type = 'text/html; charset=utf-8' } = ctl.answer(req);
      return { body, status, type };
    });
    await c.page.evaluate(() => { window.__marker = 'alive'; });
    await c.page.click('[data-live-view-id] input');
    await c.page.keyboard.type('typed');
    await c.page.keyboard.press('ArrowLeft');
    await c.page.evaluate(() => { document.querySelector('[data-live-view-id]').__marker = 'boundary'; });
    ctl.before = await c.page.evaluate(() => document.querySelector('[data-live-view-id]').innerHTML);
    return ctl;
  }

  const state = (pg) => pg.evaluate(() => {
    const b = document.querySelector('[data-live-view-id]');
    const input = b?.querySelector('input');
    return {
      nav: document.querySelector('nav').textContent,
      marker: b?.__marker,
      id: b?.getAttribute('data-live-view-id'),
      inner: b?.innerHTML,
      value: input?.value,
      caret: input?.selectionStart,
      focused: document.activeElement === input,
      placeholders: document.querySelectorAll('[data-live-view-shell]').length,
      boundaries: document.querySelectorAll('[data-live-view-id]').length,
      shellRefreshes: window.__hotreload.stats().shellRefreshes,
    };
  });

  const swap = () => server.send({ type: 'swapped', file: 'src/layout.rs', templates: 1, ms: 1 });
  const refreshed = (pg, n = 1) => pg.waitForFunction((n) => window.__hotreload.stats().shellRefreshes === n, n);

  async function close(c) {
    assert.equal(await c.page.evaluate(() => window.__marker), 'alive', 'no reload');
    assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
    await c.context.close();
  }

  test('the nav changes; the boundary is the same node, untouched, and keeps what the user typed; the fetch asks for the shell', async () => {
    const c = await openLive('/live-shell');
    c.answer = () => ({ body: layout('Home 2', PLACEHOLDER, { title: 'live 2' }) });
    swap();
    await refreshed(c.page);
    const got = await state(c.page);
    assert.deepEqual(got, { nav: 'Home 2', marker: 'boundary', id: ID, inner: c.before, value: 'typed', caret: 4, focused: true, placeholders: 0, boundaries: 1, shellRefreshes: 1 });
    assert.equal(await c.page.title(), 'live 2');
    assert.deepEqual(c.headers, ['1'], 'X-Hotreload-Shell: 1');
    const pageRefreshes = await c.page.evaluate(() => window.__hotreload.stats().pageRefreshes);
    assert.equal(pageRefreshes, 0, 'not a plain-page refresh');
    await close(c);
  });

  test('a handler that ignores the header (a new boundary id) still leaves the page\'s boundary as it is', async () => {
    const c = await openLive('/live-custom');
    c.answer = () => ({ body: layout('Home 3', `<div data-live-view-id="${ID2}" data-live-view="Test"><p>count 0</p><input name="q"><b>fresh mount</b></div>`) });
    swap();
    await refreshed(c.page);
    const got = await state(c.page);
    assert.deepEqual(got, { nav: 'Home 3', marker: 'boundary', id: ID, inner: c.before, value: 'typed', caret: 4, focused: true, placeholders: 0, boundaries: 1, shellRefreshes: 1 });
    await close(c);
  });

  test('a boundary whose surroundings changed (a new wrapper) moves into them, kept', async () => {
    const c = await openLive('/live-wrap');
    c.answer = () => ({ body: layout('Home', PLACEHOLDER, { wrap: (v) => `<main class="container"><section>${v}</section></main>` }) });
    swap();
    await refreshed(c.page);
    const got = await state(c.page);
    assert.deepEqual(got, { nav: 'Home', marker: 'boundary', id: ID, inner: c.before, value: 'typed', caret: 4, focused: true, placeholders: 0, boundaries: 1, shellRefreshes: 1 });
    assert.equal(await c.page.evaluate(() => document.querySelector('[data-live-view-id]').parentElement.parentElement.className), 'container');
    await close(c);
  });

  test('a server restart refreshes the shell too', async () => {
    const c = await openLive('/live-restart');
    c.answer = () => ({ body: layout('After restart', PLACEHOLDER) });
    server.state.boot = 'boot-2';
    try {
      server.conn.terminate();
      await refreshed(c.page);
    } finally {
      server.state.boot = 'boot-1';
    }
    const got = await state(c.page);
    assert.equal(got.nav, 'After restart');
    assert.equal(got.marker, 'boundary');
    assert.equal(got.inner, c.before);
    assert.deepEqual(c.headers, ['1']);
    await close(c);
  });

  test('an error response, or a page with no live view in it, changes nothing', async () => {
    const c = await openLive('/live-error');
    c.answer = () => ({ body: layout('Broken', PLACEHOLDER), status: 500 });
    swap();
    await server.waitFor(() => c.headers.length === 1, { what: 'the shell fetch' });
    await sleep(200);
    const want = { nav: 'Home', marker: 'boundary', id: ID, inner: c.before, value: 'typed', caret: 4, focused: true, placeholders: 0, boundaries: 1, shellRefreshes: 0 };
    assert.deepEqual(await state(c.page), want);
    c.answer = () => ({ body: '<!DOCTYPE html><html><head><title>login</title></head><body><nav>Login</nav><form></form></body></html>' });
    swap();
    await server.waitFor(() => c.headers.length === 2, { what: 'the second shell fetch' });
    await sleep(200);
    assert.deepEqual(await state(c.page), want);
    await close(c);
  });
});
