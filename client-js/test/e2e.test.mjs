// End to end: the real `counter` example (Rust, built by `cargo test --workspace` / `cargo build
// --example counter`) in headless Chromium. The example runs with `HOTRELOAD_FILE_MAP` pointing
// its own source's `file!()` key at a temporary copy, and the tests edit that copy on disk, as
// a developer's editor would edit the real file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const BINARY = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'examples', 'counter');
const KEY = 'examples/counter.rs';

let dir;
let copy;
let server;
let port = 0;
let browser;

/** Starts the counter example on `port` (0: any); resolves with its URL once it listens. */
function startServer() {
  return startExample(BINARY, { PORT: String(port), HOTRELOAD_FILE_MAP: `${KEY}=${copy}` }, (p) => { port = p; });
}

/** Starts an example binary; resolves with `{ proc, url }` once it prints its URL. */
function startExample(binary, env, onPort = () => {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with \`cargo build --examples\` (tests/run.sh does)`);
  }
  const proc = spawn(binary, [], {
    env: { ...process.env, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`example did not start: ${out}${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        clearTimeout(timer);
        onPort(Number(m[2]));
        resolve({ proc, url: m[1] });
      }
    });
    proc.on('exit', (code) => reject(new Error(`example exited with ${code}: ${stderr}`)));
  });
}

function stopServer(signal = 'SIGKILL') {
  return new Promise((resolve) => {
    if (!server || server.proc.exitCode !== null) return resolve();
    server.proc.once('exit', () => resolve());
    server.proc.kill(signal);
  });
}

function edit(from, to) {
  const text = readFileSync(copy, 'utf8');
  assert.ok(text.includes(from), `\`${from}\` is not in the example source`);
  writeFileSync(copy, text.replace(from, to));
}

const ui = (sel) => `document.querySelector('hotreload-ui')?.shadowRoot?.querySelector(${JSON.stringify(sel)})`;
const statusIs = (page, state) => page.waitForFunction(`${ui('.status')}?.dataset.state === ${JSON.stringify(state)}`, null, { timeout: 15000 });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotreload-e2e-'));
  copy = join(dir, 'counter.rs');
  copyFileSync(join(ROOT, KEY), copy);
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
});

test('a plain page (a handler returning a template) follows template edits in place', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 400 } });
  await page.goto(`${server.url}/about`);
  await page.evaluate(() => { window.__marker = 'no reload'; });
  await statusIs(page, 'connected');
  await page.click('main.about input');
  await page.keyboard.type('typed here');

  edit('<h1>"About this example"</h1>', '<h1>"About this example (edited)"</h1>');
  await page.waitForFunction(() => document.querySelector('main.about h1').textContent === 'About this example (edited)', null, { timeout: 10000 });
  const after = await page.evaluate(() => {
    const input = document.querySelector('main.about input');
    return { marker: window.__marker, value: input.value, focused: document.activeElement === input, refreshes: window.__hotreload.stats().pageRefreshes };
  });
  assert.equal(after.marker, 'no reload');
  assert.equal(after.value, 'typed here');
  assert.equal(after.focused, true);
  assert.ok(after.refreshes >= 1, JSON.stringify(after));

  edit('<h1>"About this example (edited)"</h1>', '<h1>"About this example"</h1>');
  await page.waitForFunction(() => document.querySelector('main.about h1').textContent === 'About this example', null, { timeout: 10000 });
  await page.close();
});

test('a plain page keeps the input the user types in when an element is added above it', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 400 } });
  await page.goto(`${server.url}/about`);
  await statusIs(page, 'connected');
  await page.click('main.about input');
  await page.keyboard.type('typed here');
  await page.evaluate(() => {
    const input = document.querySelector('main.about input');
    input.__kept = 'same node';
    input.setSelectionRange(2, 5);
  });

  edit('<p>"A static page: no live view, no state on the server."</p>', '<p>"A static page: no live view, no state on the server."</p>\n                <p class="added">"A paragraph added above the input"</p>');
  await page.waitForFunction(() => document.querySelector('main.about p.added'), null, { timeout: 10000 });
  const after = await page.evaluate(() => {
    const input = document.querySelector('main.about input');
    return { kept: input.__kept, value: input.value, caret: [input.selectionStart, input.selectionEnd], focused: document.activeElement === input };
  });
  assert.deepEqual(after, { kept: 'same node', value: 'typed here', caret: [2, 5], focused: true });

  edit('\n                <p class="added">"A paragraph added above the input"</p>', '');
  await page.waitForFunction(() => !document.querySelector('main.about p.added'), null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => document.querySelector('main.about input').__kept), 'same node', 'and when it goes again');
  await page.close();
});

async function openCounter() {
  const page = await browser.newPage({ viewport: { width: 900, height: 260 } });
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.goto(server.url);
  await page.evaluate(() => { window.__marker = 'no reload'; });
  await statusIs(page, 'connected');
  return { page, logs };
}

test('template edit on disk updates the page in place: count, input, caret, scroll kept', async () => {
  const { page } = await openCounter();
  for (let i = 0; i < 7; i++) await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 7');

  await page.click('input[type=text]');
  await page.keyboard.type('hello world');
  await page.evaluate(() => document.querySelector('input[type=text]').setSelectionRange(3, 5));
  await page.evaluate(() => { document.querySelector('.notes').scrollTop = 40; window.scrollTo(0, 60); });
  const before = await page.evaluate(() => ({ notes: document.querySelector('.notes').scrollTop, page: window.scrollY }));
  assert.ok(before.notes > 0 && before.page > 0, `the page and the box scrolled: ${JSON.stringify(before)}`);

  edit('<h1>"Count: "', '<h1>"Clicks so far: "');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Clicks so far: 7', null, { timeout: 10000 });

  const after = await page.evaluate(() => {
    const input = document.querySelector('input[type=text]');
    return {
      marker: window.__marker,
      focused: document.activeElement === input,
      value: input.value,
      caret: [input.selectionStart, input.selectionEnd],
      notes: document.querySelector('.notes').scrollTop,
      page: window.scrollY,
    };
  });
  assert.deepEqual(after, { marker: 'no reload', focused: true, value: 'hello world', caret: [3, 5], notes: before.notes, page: before.page });

  // Still live: the next click counts on from 7 with the new template.
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Clicks so far: 8');
  edit('<h1>"Clicks so far: "', '<h1>"Count: "');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 8');
  await page.close();
});

test('a broken save shows the overlay with file:line:col; fixing it clears the overlay', async () => {
  const { page } = await openCounter();
  edit('{self.count}</h1>', '{self.count}</h2>');
  await page.waitForFunction(`!${ui('.overlay')}.hidden`, null, { timeout: 10000 });
  const overlay = await page.evaluate(`${ui('.overlay')}.textContent`);
  assert.match(overlay, /examples\/counter\.rs:\d+:\d+/);
  assert.match(overlay, /mismatched closing tag/);
  assert.match(overlay, /<\/h2>/, 'the source line is shown');
  // The last good template stays live while the file is broken (dismiss the overlay to use it).
  await page.keyboard.press('Escape');
  await page.waitForFunction(`${ui('.overlay')}.hidden`);
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 1');

  edit('{self.count}</h2>', '{self.count}</h1>');
  await page.waitForFunction(`${ui('.overlay')}.hidden`, null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.close();
});

test('an edit to the page shell around a live view reaches the open tab; the view and its state stay', async () => {
  const { page } = await openCounter();
  for (let i = 0; i < 2; i++) await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 2');
  await page.evaluate(() => { document.querySelector('[data-live-view-id]').__kept = 'same boundary'; });

  edit('<a href="/about">"About this example"</a>', '<a href="/about">"About (edited shell)"</a>');
  await page.waitForFunction(() => document.querySelector('nav.top a').textContent === 'About (edited shell)', null, { timeout: 10000 });
  const after = await page.evaluate(() => ({
    marker: window.__marker,
    kept: document.querySelector('[data-live-view-id]').__kept,
    count: document.querySelector('h1').textContent,
    shellRefreshes: window.__hotreload.stats().shellRefreshes,
  }));
  assert.deepEqual(after, { marker: 'no reload', kept: 'same boundary', count: 'Count: 2', shellRefreshes: after.shellRefreshes });
  assert.ok(after.shellRefreshes >= 1);
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 3');

  edit('<a href="/about">"About (edited shell)"</a>', '<a href="/about">"About this example"</a>');
  await page.waitForFunction(() => document.querySelector('nav.top a').textContent === 'About this example', null, { timeout: 10000 });
  await page.close();
});

test('a Rust edit asks for a rebuild; saving the file back as it was built clears it', async () => {
  const { page } = await openCounter();
  edit('Msg::Inc => self.count += 1,', 'Msg::Inc => self.count += 2,');
  await statusIs(page, 'rebuild');
  edit('Msg::Inc => self.count += 2,', 'Msg::Inc => self.count += 1,');
  await statusIs(page, 'connected');
  await page.waitForFunction(`[...${ui('.toasts')}?.children ?? []].some((t) => /no rebuild needed/.test(t.textContent))`, null, { timeout: 10000 });
  // The running build still serves, unchanged.
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 1');
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.close();
});

test('debug shortcuts: stats in the console, toasts toggle (remembered), forced reconnect', async () => {
  const { page, logs } = await openCounter();
  await page.keyboard.press('Control+Shift+H');
  await page.waitForFunction(() => true);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(logs.some((l) => /swaps|patches/.test(l)), `stats printed: ${logs.join('\n')}`);

  const toastsOff = async () => page.evaluate(() => Object.entries(localStorage).some(([k, v]) => /toast/i.test(k) && /off|false|0/.test(v)));
  assert.equal(await toastsOff(), false);
  await page.keyboard.press('Control+Shift+T');
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => /toast/i.test(k)));
  assert.equal(await toastsOff(), true);
  await page.reload();
  await statusIs(page, 'connected');
  assert.equal(await toastsOff(), true, 'the toast setting survives a reload');
  await page.keyboard.press('Control+Shift+T');
  assert.equal(await toastsOff(), false);
  await page.evaluate(() => { window.__marker = 'no reload'; });

  const reconnects = await page.evaluate(() => window.__hotreload.stats().reconnects);
  await page.keyboard.press('Control+Shift+R');
  await page.waitForFunction((n) => window.__hotreload.stats().reconnects > n, reconnects);
  await statusIs(page, 'connected');
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('h1').textContent));
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.close();
});

test('SIGKILL and restart: the indicator shows reconnecting, then the same tab shows the kept count, no reload', async () => {
  const { page } = await openCounter();
  for (let i = 0; i < 7; i++) await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 7');
  await new Promise((r) => setTimeout(r, 400)); // snapshots are written 100 ms behind updates
  await stopServer('SIGKILL');
  await statusIs(page, 'reconnecting');
  server = await startServer();
  await statusIs(page, 'connected');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 7');
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 8');
  await page.close();
});

test('a snapshot that no longer restores: fresh mount and a toast saying why', async () => {
  const { page } = await openCounter();
  for (let i = 0; i < 3; i++) await page.click('button:text-is("+")');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 3');
  await new Promise((r) => setTimeout(r, 400));
  const id = await page.evaluate(() => document.querySelector('[data-live-view-id]').dataset.liveViewId);
  await stopServer('SIGKILL');
  const snapshot = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'hotreload-state', `${id}.hrsn`);
  assert.ok(existsSync(snapshot), `snapshot written: ${snapshot}`);
  writeFileSync(snapshot, readFileSync(snapshot).subarray(0, 20)); // truncated
  server = await startServer();
  await statusIs(page, 'connected');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 0');
  await page.waitForFunction(`[...${ui('.toasts')}?.children ?? []].some((t) => /Counter: state could not be restored, started fresh/.test(t.textContent))`, null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.close();
});

test('todo example: submit adds a keyed item and clears the focused input; toggle and delete', async () => {
  const todo = await startExample(BINARY.replace(/counter$/, 'todo'), { PORT: '0', HOTRELOAD_WATCH: '0' });
  try {
    const page = await browser.newPage();
    await page.goto(todo.url);
    await statusIs(page, 'connected');
    const firstItem = await page.$('li');
    await page.fill('input[name=text]', 'Buy milk');
    await page.press('input[name=text]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('li').length === 4);
    assert.equal(await page.inputValue('input[name=text]'), '', 'the input is cleared after submit');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'text', 'and keeps focus');
    await page.keyboard.type('next');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await page.inputValue('input[name=text]'), 'next', 'typing again is not overwritten');
    await page.check('li:nth-child(1) input[type=checkbox]');
    await page.waitForFunction(() => document.querySelector('li').classList.contains('done'));
    assert.ok(await firstItem.evaluate((li) => li.isConnected), 'keyed rows are patched in place, not re-created');
    await page.click('li:nth-child(2) button');
    await page.waitForFunction(() => document.querySelectorAll('li').length === 3);
    await page.close();
  } finally {
    todo.proc.kill('SIGKILL');
  }
});

test('todo example after SIGKILL and restart: the nested progress view is found again, its props and its message to the list work', async () => {
  let todo = await startExample(BINARY.replace(/counter$/, 'todo'), { PORT: '0', HOTRELOAD_WATCH: '0' });
  const port = new URL(todo.url).port;
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(todo.url);
    await statusIs(page, 'connected');
    await page.evaluate(() => { window.__marker = 'no reload'; });
    assert.equal(await page.textContent('p.progress'), '3 left, 0 of 3 done');
    await page.check('li:nth-child(1) input[type=checkbox]');
    await page.waitForFunction(() => /2 left, 1 of 3 done/.test(document.querySelector('p.progress').textContent));
    await new Promise((r) => setTimeout(r, 400)); // snapshots are written 100 ms behind updates

    todo.proc.kill('SIGKILL');
    await statusIs(page, 'reconnecting');
    todo = await startExample(BINARY.replace(/counter$/, 'todo'), { PORT: port, HOTRELOAD_WATCH: '0' });
    await statusIs(page, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await page.textContent('p.progress'), /2 left, 1 of 3 done/);
    assert.deepEqual(logs.filter((l) => /unknown_view|no live view is registered/.test(l)), [], 'the nested view was found');
    // Its message goes up to the list, whose new counts come back down as props.
    await page.click('p.progress button');
    await page.waitForFunction(() => document.querySelectorAll('li').length === 2);
    await page.waitForFunction(() => /2 left, 0 of 2 done/.test(document.querySelector('p.progress').textContent));
    assert.equal(await page.evaluate(() => window.__marker), 'no reload');
    await page.close();
  } finally {
    todo.proc.kill('SIGKILL');
  }
});
