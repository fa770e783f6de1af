// The app-building features keep hot reload as it was: in the todo example (URL filter from a
// live link, a flash, a live navigation) and the chat example (broadcast messages), a template
// edit on disk reaches the open tab in place, and the state those features made stays: the
// URL's filter, the filtered list, the flash, the chat lines, the tab itself (no reload).
//
// Each example runs with `HOTRELOAD_FILE_MAP` pointing its own source's `file!()` key at a
// temporary copy, which the test edits as an editor would.

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
const EXAMPLES = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'examples');

let browser;
let dir;
const running = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotreload-apps-'));
  browser = await launchBrowser();
});

after(async () => {
  for (const proc of running) proc.kill('SIGKILL');
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts example `name` on a free port with its source mapped to a copy; `{ url, copy }`. */
function startExample(name) {
  const binary = join(EXAMPLES, name);
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with \`cargo build --examples\` (tests/run.sh does)`);
  }
  const key = `examples/${name}.rs`;
  const copy = join(dir, `${name}.rs`);
  copyFileSync(join(ROOT, key), copy);
  const proc = spawn(binary, [], {
    env: { ...process.env, RUST_LOG: 'warn', PORT: '0', HOTRELOAD_FILE_MAP: `${key}=${copy}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], copy });
      }
    });
    proc.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
  });
}

function edit(copy, from, to) {
  const text = readFileSync(copy, 'utf8');
  assert.ok(text.includes(from), `\`${from}\` is not in ${copy}`);
  writeFileSync(copy, text.replace(from, to));
}

const ui = (sel) => `document.querySelector('hotreload-ui')?.shadowRoot?.querySelector(${JSON.stringify(sel)})`;
const connected = (page) => page.waitForFunction(`${ui('.status')}?.dataset.state === 'connected'`, null, { timeout: 15000 });

test('todo: a template edit keeps the URL filter, the filtered list and the flash', async () => {
  const { url, copy } = await startExample('todo');
  const page = await browser.newPage();
  await page.goto(url);
  await connected(page);
  await page.evaluate(() => { window.__marker = 'same tab'; });
  // State from the new features: a done item, the `done` filter from a live link, a flash.
  await page.check('li:nth-child(1) input[type=checkbox]');
  await page.waitForFunction(() => document.querySelector('li')?.classList.contains('done'));
  await page.click('a[href="/?filter=done"]');
  await page.waitForFunction(() => location.search === '?filter=done' && document.querySelectorAll('ul.items li').length === 1);
  await page.click('a[href="/?filter=all"]');
  await page.waitForFunction(() => document.querySelectorAll('ul.items li').length === 3);
  await page.click('ul.items li:nth-child(3) button');
  await page.waitForFunction(() => document.querySelector('.live-flash-info')?.textContent.includes('Deleted'));
  await page.click('a[href="/?filter=done"]');
  await page.waitForFunction(() => location.search === '?filter=done');
  await page.click('ul.items li:nth-child(1) button'); // delete the done one: a new flash
  await page.waitForFunction(() => document.querySelector('.live-flash-info')?.textContent.includes('Write a template'));

  edit(copy, '<h1>"Todo"</h1>', '<h1>"Todo, edited"</h1>');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Todo, edited', null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => location.search), '?filter=done', 'the URL is untouched');
  assert.match(await page.textContent('.live-flash-info'), /Deleted “Write a template”/, 'the flash stays');
  assert.equal(await page.locator('ul.items li').count(), 0, 'the filter still applies');
  assert.match(await page.textContent('p.progress'), /1 left, 0 of 1 done/, 'the nested view kept its props');
  assert.equal(await page.evaluate(() => window.__marker), 'same tab');
  // And the features still work after the swap: back to the previous filter.
  await page.goBack();
  await page.waitForFunction(() => location.search === '?filter=all' && document.querySelectorAll('ul.items li').length === 1);
  await page.close();
});

test('chat: a template edit keeps the messages the broadcasts brought', async () => {
  const { url, copy } = await startExample('chat');
  const [a, b] = [await browser.newPage(), await browser.newPage()];
  for (const page of [a, b]) {
    await page.goto(url);
    await connected(page);
  }
  await a.fill('input[name=text]', 'before the edit');
  await a.press('input[name=text]', 'Enter');
  await b.waitForFunction(() => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes('before the edit')));

  edit(copy, '<h1>"Chat"</h1>', '<h1>"Chat, edited"</h1>');
  for (const page of [a, b]) {
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Chat, edited', null, { timeout: 10000 });
    assert.equal(await page.locator('#messages li').count(), 1, 'the messages stay');
  }
  await b.fill('input[name=text]', 'after the edit');
  await b.press('input[name=text]', 'Enter');
  await a.waitForFunction(() => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes('after the edit')));
  await a.close();
  await b.close();
});
