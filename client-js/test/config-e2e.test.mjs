// End to end: a typed config file that hot-reloads (`hotreload::ConfigFile`), with the
// `dashboard` example (built by cargo) in headless Chromium. The example reads its title,
// refresh period and thresholds from the TOML file `DASHBOARD_CONFIG` names: a copy the test
// edits on disk. Saved → parsed, validated, swapped, the view re-rendered with its state; a
// broken file shows the overlay and keeps the old title; fixing it clears it; deleting it
// keeps the last good config with a warning.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, exampleBinary, launchExampleBrowser, liveReady, startExample, stopProcess } from './helpers.mjs';

let dir;
let config;
let server;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotreload-config-'));
  config = join(dir, 'dashboard.toml');
  copyFileSync(join(ROOT, 'examples', 'dashboard.toml'), config);
  server = await startExample(exampleBinary('dashboard'), { HOTRELOAD_WATCH: '1', DASHBOARD_CONFIG: config, DASHBOARD_TICK_MS: '0' });
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  await stopProcess(server?.proc);
  rmSync(dir, { recursive: true, force: true });
});

const shadow = (sel) => `document.querySelector('hotreload-ui')?.shadowRoot?.querySelector(${JSON.stringify(sel)})`;
const overlayShown = (page) => page.evaluate(`(() => { const o = ${shadow('.overlay')}; return !!o && !o.hidden; })()`);
const edit = (from, to) => {
  const text = readFileSync(config, 'utf8');
  assert.ok(text.includes(from), `${from} is in the config`);
  writeFileSync(config, text.replace(from, to));
};

test('a saved config re-renders the view with its state; broken and invalid saves show the overlay and keep the last good config', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(server.url);
  await liveReady(page);
  await page.evaluate(() => { window.__marker = 'no reload'; });
  assert.equal(await page.textContent('h1'), 'Fleet dashboard');
  // Some state: sorted by load.
  await page.click('header button');
  await page.waitForFunction(() => document.querySelector('header button').textContent === 'Sort by id');

  edit('title = "Fleet dashboard"', 'title = "Fleet overview"');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Fleet overview', null, { timeout: 10000 });
  assert.equal(await page.textContent('header button'), 'Sort by id', 'state kept');

  // A syntax error: the overlay at the file's line and column; the old title stays.
  edit('refresh_ms = 500', 'refresh_ms = = 500');
  await page.waitForFunction(`(() => { const o = ${shadow('.overlay')}; return !!o && !o.hidden; })()`, null, { timeout: 10000 });
  const overlay = await page.evaluate(`${shadow('.overlay')}.textContent`);
  const line = readFileSync(config, 'utf8').split('\n').findIndex((l) => l.includes('= = 500')) + 1;
  assert.ok(overlay.includes(`${config}:${line}:`), overlay);
  assert.match(overlay, /last good config stays live/);
  assert.equal(await page.textContent('h1'), 'Fleet overview');

  // Fixed: the overlay clears and the file applies.
  edit('refresh_ms = = 500', 'refresh_ms = 500');
  await page.waitForFunction(`(() => { const o = ${shadow('.overlay')}; return !o || o.hidden; })()`, null, { timeout: 10000 });
  edit('title = "Fleet overview"', 'title = "Fleet, fixed"');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Fleet, fixed', null, { timeout: 10000 });

  // A value the validation refuses: the overlay with its message; the old thresholds stay.
  edit('busy = 80', 'busy = 99');
  await page.waitForFunction(`(() => { const o = ${shadow('.overlay')}; return !!o && !o.hidden; })()`, null, { timeout: 10000 });
  assert.match(await page.evaluate(`${shadow('.overlay')}.textContent`), /thresholds must be busy ≤ overloaded ≤ 100, got busy = 99, overloaded = 95/);
  edit('busy = 99', 'busy = 80');
  await page.waitForFunction(`(() => { const o = ${shadow('.overlay')}; return !o || o.hidden; })()`, null, { timeout: 10000 });
  assert.equal(await overlayShown(page), false);

  // Deleted: a warning, the last good config stays; created again: it loads.
  const kept = readFileSync(config, 'utf8');
  rmSync(config);
  await page.waitForFunction(() => [...document.querySelector('hotreload-ui').shadowRoot.querySelectorAll('.toast')].some((t) => /was deleted: keeping the last good config/.test(t.textContent)), null, { timeout: 10000 });
  assert.equal(await page.textContent('h1'), 'Fleet, fixed');
  writeFileSync(config, kept.replace('title = "Fleet, fixed"', 'title = "Fleet again"'));
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Fleet again', null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.close();
});
