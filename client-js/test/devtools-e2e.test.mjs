// End to end: the dev tools against the real `counter` example (built by cargo) in headless
// Chromium. Click-to-source runs the editor command `HOTRELOAD_EDITOR` names: a stub script
// that appends its arguments to a log, so the test reads what the editor would have been
// given. The inspector's time travel goes through the server (the page shows the state the
// server restores and re-renders).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, exampleBinary, launchExampleBrowser, liveReady, startExample, stopProcess, until } from './helpers.mjs';

const KEY = 'examples/counter.rs';
let dir;
let copy;
let log;
let browser;

const EDITOR_ENV = () => ({ HOTRELOAD_EDITOR: `${join(dir, 'editor.sh')} --goto {file} {line} {column}` });
const opened = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
const shadow = (sel) => `document.querySelector('hotreload-ui')?.shadowRoot?.querySelector(${JSON.stringify(sel)})`;
const toasts = (page) => page.evaluate(() => [...(document.querySelector('hotreload-ui')?.shadowRoot?.querySelectorAll('.toast') ?? [])].map((t) => t.textContent));

/** The line of `needle` (1-based) in the text of `file`. */
function lineOf(file, needle) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(needle));
  assert.ok(at >= 0, `${needle} is in ${file}`);
  return at + 1;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotreload-devtools-'));
  copy = join(dir, 'counter.rs');
  log = join(dir, 'opened.log');
  copyFileSync(join(ROOT, KEY), copy);
  writeFileSync(join(dir, 'editor.sh'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\n`);
  chmodSync(join(dir, 'editor.sh'), 0o755);
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(server) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  await page.goto(server.url);
  await liveReady(page);
  await page.waitForFunction(() => window.__hotreload.dev === 'ready');
  // Annotations are made on a thread of their own when watching starts.
  await page.waitForFunction(() => document.querySelector('h1')?.hasAttribute('data-hr-src'), null, { timeout: 15000 });
  return { page, logs };
}

/** Alt+click in the middle of `selector`. */
async function altClick(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Alt');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.up('Alt');
}

test('Alt+click opens the editor at the element\'s line; the label names view and place; a forged file is refused', async () => {
  const server = await startExample(exampleBinary('counter'), { HOTRELOAD_WATCH: '1', ...EDITOR_ENV() });
  try {
    const { page } = await open(server);
    const h1 = lineOf(join(ROOT, KEY), '<h1>"Count: "');
    // Holding Alt shows where the hovered element comes from.
    const box = await page.locator('h1').boundingBox();
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await page.keyboard.down('Alt');
    await page.waitForFunction(`!${shadow('.inspect-label')}.hidden`);
    const label = await page.evaluate(`${shadow('.inspect-label')}.textContent`);
    assert.equal(label, `Counter · ${KEY}:${h1}:17`);
    await page.keyboard.up('Alt');

    await altClick(page, 'h1');
    await until(() => opened().length === 1, { what: 'the editor command' });
    assert.deepEqual(opened(), [`--goto ${join(ROOT, KEY)} ${h1} 17`]);
    await page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => t.textContent.includes('Opened examples/counter.rs')));

    // An Alt+click on a button opens the button's line and does not click it.
    await altClick(page, 'button:text("+")');
    await until(() => opened().length === 2, { what: 'the second editor command' });
    assert.equal(opened()[1], `--goto ${join(ROOT, KEY)} ${h1 + 1} 17`);
    assert.equal(await page.textContent('h1'), 'Count: 0', 'the Alt+click did not reach live-click');

    // Forged requests: files outside the build, a line past the end, junk.
    for (const src of ['/etc/passwd:1:1', '../../../etc/passwd:1:1', 'Cargo.toml:1:1', `${KEY}:99999:1`, 'nonsense']) {
      const before = (await toasts(page)).length;
      assert.equal(await page.evaluate((s) => window.__hotreload.sendDev({ type: 'dev', action: 'open', src: s }), src), true);
      await page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast[data-level=error]')].length > 0);
      void before;
    }
    const refusals = await page.evaluate(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast[data-level=error]')].map((t) => t.textContent).join('\n'));
    assert.match(refusals, /not a source file of the running build|has no line|is not FILE:LINE:COLUMN/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(opened().length, 2, 'no editor ran for a forged request');
    await page.close();
  } finally {
    await stopProcess(server.proc);
  }
});

test('after a hot swap that moves the template down five lines, the same click opens the new line', async () => {
  rmSync(log, { force: true });
  const server = await startExample(exampleBinary('counter'), { HOTRELOAD_WATCH: '1', RUST_LOG: 'hotreload=info', HOTRELOAD_FILE_MAP: `${KEY}=${copy}`, ...EDITOR_ENV() });
  try {
    const { page } = await open(server);
    await page.click('button:text("+")');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 1');
    const before = lineOf(copy, '<h1>"Count: "');
    await altClick(page, 'h1');
    await until(() => opened().length === 1, { what: 'the editor command' });
    assert.equal(opened()[0], `--goto ${copy} ${before} 17`);

    // Five comment lines above the view: no Rust change, the template moves down.
    const text = readFileSync(copy, 'utf8');
    writeFileSync(copy, text.replace('impl LiveView for Counter {', '// one\n// two\n// three\n// four\n// five\nimpl LiveView for Counter {'));
    const moved = `${KEY}:${before + 5}:17`;
    await page.waitForFunction((m) => document.querySelector('h1').getAttribute('data-hr-src') === m, moved, { timeout: 10000 })
      .catch(async (e) => { throw new Error(`${e.message}: h1 is ${await page.evaluate(() => document.querySelector('h1').outerHTML)}; server: ${server.output().slice(-2000)}`); });
    assert.equal(await page.textContent('h1'), 'Count: 1', 'state kept');
    await altClick(page, 'h1');
    await until(() => opened().length === 2, { what: 'the editor command after the move' });
    assert.equal(opened()[1], `--goto ${copy} ${before + 5} 17`);
    // The inspector's template list follows the move too.
    await page.keyboard.press('Control+Shift+D');
    const root = `${KEY}:${lineOf(copy, '<div class="counter">')}:13`;
    await page.waitForFunction((r) => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.inspect-template')].some((t) => t.textContent === r), root, { timeout: 10000 });
    await page.keyboard.press('Control+Shift+D');

    // A template edit (static text) as well: still the right line, and the text swapped.
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('<h1>"Count: "', '<h1>"Total: "'));
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Total: 1', null, { timeout: 10000 });
    assert.equal(await page.getAttribute('h1', 'data-hr-src'), moved);
    await page.close();
  } finally {
    await stopProcess(server.proc);
  }
});

test('the inspector shows the state; three steps back shows the count of three clicks ago; resume goes on from there', async () => {
  const server = await startExample(exampleBinary('counter'), { HOTRELOAD_WATCH: '1' });
  try {
    const { page } = await open(server);
    const plus = page.locator('button:text("+")');
    await page.keyboard.press('Control+Shift+D');
    await page.waitForFunction(`!!${shadow('.inspector .inspect-state')}`);
    const state = () => page.evaluate(`JSON.parse(${shadow('.inspector .inspect-state')}.textContent)`);
    assert.equal((await state()).count, 0);
    for (let i = 1; i <= 5; i++) {
      await plus.click();
      await page.waitForFunction((n) => document.querySelector('h1').textContent === `Count: ${n}`, i);
    }
    await until(async () => (await state()).count === 5, { what: 'the panel to show count 5' });
    const position = () => page.evaluate(`${shadow('.tt-position')}.textContent`);
    assert.equal(await position(), '5 / 5');
    const log = await page.evaluate(`[...${shadow('.inspector')}.querySelectorAll('.inspect-log-entry .msg')].map((m) => m.textContent)`);
    assert.equal(log.filter((m) => m === 'eventInc').length, 5, JSON.stringify(log));

    const back = page.locator('hotreload-ui .tt-back');
    for (let i = 0; i < 3; i++) await back.click();
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 2', null, { timeout: 10000 });
    await until(async () => (await position()) === '2 / 5', { what: 'position 2' });
    assert.equal((await state()).count, 2);
    assert.match(await page.evaluate(`${shadow('.inspector')}.textContent`), /Time travel: events paused/);
    // Events pause while travelling.
    await plus.click();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await page.textContent('h1'), 'Count: 2', 'a click while travelling changes nothing');

    await page.locator('hotreload-ui .tt-resume').click();
    await until(async () => (await position()) === '2 / 2', { what: 'resumed at 2' });
    await plus.click();
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 3', null, { timeout: 10000 });
    await until(async () => (await state()).count === 3 && (await position()) === '3 / 3', { what: 'the panel after resuming' });
    const memory = await page.evaluate(`${shadow('.inspect-memory')}.textContent`);
    assert.match(memory, /memory: \d+ views? · \d+ states? · [\d.]+ (B|KB)/);
    await page.close();
  } finally {
    await stopProcess(server.proc);
  }
});

test('server logs appear in the browser console', async () => {
  const server = await startExample(exampleBinary('counter'), { HOTRELOAD_WATCH: '1', RUST_LOG: 'info' });
  try {
    const { page, logs } = await open(server);
    // The example logs "hotreload: swapped" at INFO (its own events below WARN are not
    // forwarded); a warning of the dev layer is: a broken template.
    const text = readFileSync(join(ROOT, KEY), 'utf8');
    void text;
    await page.evaluate(() => window.__hotreload.sendDev({ type: 'dev', action: 'open', src: '/etc/passwd:1:1' }));
    await until(() => logs.some((l) => l.includes('[server]') && l.includes('click-to-source refused')), { what: 'the server warning in the console' });
    await page.close();
  } finally {
    await stopProcess(server.proc);
  }
});
