// End to end: the `chart` example (`cargo build --examples`; examples/chart.rs and its hook,
// examples/assets/chart-hook.js) in headless Chromium, against docs/PROTOCOL.md, "JavaScript
// hooks". The hook records its lifecycle in `window.__chartCalls` ('mounted', 'updated',
// 'destroyed', 'disconnected', 'reconnected', and `points:<payload>` for each `push_event`
// named `points`); it draws one `[data-bar]` per point inside `#chart` (`live-ignore`), and a
// click on a bar comes back to the view as `Picked(index)`.
//
// One tab goes through: boot (mounted once, 3 bars); Add (the patch, then `updated`, then the
// push: the widget sees the new DOM); a click on a bar (hook → view); a template hot swap of a
// temporary copy of the source (`HOTRELOAD_FILE_MAP`): the hooked element and everything
// inside it stay the same nodes, no destroyed/mounted, the state stays; Reset; and the server
// killed (`disconnected` once, however many reconnect attempts follow).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, devLoaded, exampleBinary, launchExampleBrowser, liveReady, startExample, stopProcess, until } from './helpers.mjs';

const CHART = exampleBinary('chart');
const SOURCE_KEY = 'examples/chart.rs'; // the source's `file!()`

let browser;
let dir;
let server;

before(async () => {
  browser = await launchExampleBrowser(); // fails (never skips) without Chromium
  dir = mkdtempSync(join(tmpdir(), 'hotreload-chart-'));
});

after(async () => {
  await browser?.close();
  await stopProcess(server?.proc);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function edit(file, from, to) {
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split(from).length, 2, `\`${from}\` is not in ${file} exactly once`);
  writeFileSync(file, text.replace(from, to));
}

/** What the page shows that the steps check. */
const snapshot = (pg) => pg.evaluate(() => ({
  calls: window.__chartCalls.slice(),
  bars: Array.from(document.querySelectorAll('#chart [data-bar]'), (b) => `${b.dataset.bar}=${b.title}`),
  points: document.querySelector('#chart')?.getAttribute('data-points'),
  summary: document.querySelector('#summary')?.textContent,
  picked: document.querySelector('#picked')?.textContent,
}));

test('chart: a hook widget across patches, pushes, a hot swap and a disconnect', async (t) => {
  const copy = join(dir, 'chart.rs');
  copyFileSync(join(ROOT, SOURCE_KEY), copy);
  // A debug build with file watching on (the helper turns it off by default), its source read
  // from the copy; no rebuilds (a template-only edit needs none).
  server = await startExample(CHART, { HOTRELOAD_WATCH: undefined, HOTRELOAD_FILE_MAP: `${SOURCE_KEY}=${copy}` });

  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  let sockets = 0;
  page.on('websocket', () => { sockets++; });
  const why = () => `\npage log:\n${logs.join('\n')}\nserver output:\n${server.output()}`;
  /** Polls the page until `pick(snapshot)` is truthy; returns the snapshot. */
  const shows = (pick, what, timeout = 10000) => until(async () => {
    const s = await snapshot(page);
    return pick(s) ? s : new Error(JSON.stringify(s));
  }, { timeout, what });

  await t.test('boot: mounted once, 3 bars drawn from data-points', async () => {
    await page.goto(server.url);
    await liveReady(page);
    await devLoaded(page);
    const s = await snapshot(page);
    assert.deepEqual(s.calls, ['mounted'], why());
    assert.deepEqual(s.bars, ['0=3', '1=5', '2=2']);
    assert.equal(s.points, '3,5,2');
    assert.equal(s.summary, '3 bars, total 10');
    assert.equal(s.picked, 'click a bar');
    // Test instrumentation: each instance is `Object.create(definition)`, so wrapping the
    // definition's `draw` records what the page showed when the widget redrew; and the same
    // tab / element / calls array are checked against these markers later.
    await page.evaluate(() => {
      window.__draws = [];
      window.__sameTab = 'yes';
      window.__callsArray = window.__chartCalls;
      document.querySelector('#chart').__marker = 'chart-1';
      const definition = window.hotreload.hooks.BarChart;
      const draw = definition.draw;
      definition.draw = function (points) {
        window.__draws.push({
          points: points.join(','),
          attr: this.el.getAttribute('data-points'),
          summary: document.querySelector('#summary').textContent,
          calls: window.__chartCalls.slice(),
        });
        return draw.call(this, points);
      };
    });
  });

  await t.test('Add: patch, then updated, then the push (which sees the new DOM); no remount', async () => {
    await page.click('#add');
    const s = await shows((x) => x.calls.includes('points:3,5,2,3'), 'the points push after Add');
    assert.deepEqual(s.calls, ['mounted', 'updated', 'points:3,5,2,3'], why());
    assert.equal(s.points, '3,5,2,3');
    assert.equal(s.summary, '4 bars, total 13');
    assert.deepEqual(s.bars, ['0=3', '1=5', '2=2', '3=3']);
    const draws = await page.evaluate(() => window.__draws);
    assert.deepEqual(draws, [{
      points: '3,5,2,3',
      attr: '3,5,2,3', // the push came after the patch: the element already had the new points
      summary: '4 bars, total 13',
      calls: ['mounted', 'updated', 'points:3,5,2,3'],
    }]);
    assert.equal(await page.evaluate(() => document.querySelector('#chart').__marker), 'chart-1', 'the hooked element is the same node');
  });

  await t.test('a click on a bar: hook pushEvent -> the view', async () => {
    await page.click('#chart [data-bar="1"]');
    const s = await shows((x) => x.picked === 'picked bar 2 (5)', '#picked after a click on bar 2');
    // The update pushes the points again; the patch changed `#picked` only, nothing on or in
    // the hooked element: no `updated`.
    const settled = await shows((x) => x.calls.length >= 4, 'the points push after Picked');
    assert.deepEqual(settled.calls, ['mounted', 'updated', 'points:3,5,2,3', 'points:3,5,2,3'], why());
    assert.equal(s.summary, '4 bars, total 13');
    assert.deepEqual(settled.bars, ['0=3', '1=5', '2=2', '3=3']);
  });

  await t.test('template hot swap: the widget, its inside and the state stay', async (t) => {
    const before = await page.evaluate(() => {
      const chart = document.querySelector('#chart');
      const marker = document.createElement('i');
      marker.id = 'chart-marker';
      marker.textContent = 'mine';
      chart.append(marker);
      window.__barsBefore = Array.from(chart.children);
      return { calls: window.__chartCalls.length, draws: window.__draws.length, stats: window.__hotreload.stats(), boot: window.__hotreload.boot };
    });
    edit(copy, '"Add a bar"', '"Add one more bar"');
    await until(() => page.evaluate(() => document.querySelector('#add')?.textContent === 'Add one more bar'), { timeout: 15000, what: '#add to show the edited text' })
      .catch((e) => { throw new Error(e.message + why()); });
    // The swap's other half: the dev client fetches the page's shell again and morphs it in.
    await until(() => page.evaluate((n) => window.__hotreload.stats().shellRefreshes > n, before.stats.shellRefreshes), { timeout: 15000, what: 'the shell refresh after the swap' })
      .catch((e) => { throw new Error(e.message + why()); });
    const after = await page.evaluate(() => {
      const chart = document.querySelector('#chart');
      const now = Array.from(chart.children);
      return {
        sameTab: window.__sameTab,
        sameCallsArray: window.__callsArray === window.__chartCalls, // chart-hook.js did not run again
        marker: chart.__marker,
        sameChildren: now.length === window.__barsBefore.length && now.every((c, i) => c === window.__barsBefore[i]),
        lastChild: chart.lastElementChild?.id,
        draws: window.__draws.length,
        stats: window.__hotreload.stats(),
        boot: window.__hotreload.boot,
      };
    });
    assert.equal(after.sameTab, 'yes', 'no page load');
    assert.equal(after.boot, before.boot, 'the same server');
    assert.ok(after.stats.swaps > before.stats.swaps, 'a swapped frame came');
    assert.ok(after.sameCallsArray, 'the hook script did not run again');
    assert.equal(after.marker, 'chart-1', 'the hooked element is the same node');
    assert.ok(after.sameChildren, 'the live-ignore inside (the bars and the test\'s marker) is untouched');
    assert.equal(after.lastChild, 'chart-marker');
    assert.equal(after.draws, before.draws, 'no push, no redraw');
    const s = await snapshot(page);
    // Neither the swap's patch nor the shell morph changes the hooked element, so none is
    // expected; `updated` is tolerated (the hooked element kept alive), destroyed/mounted never.
    const gained = s.calls.slice(before.calls);
    assert.ok(gained.every((c) => c === 'updated'), `only 'updated' may be added by the swap, got ${JSON.stringify(gained)}${why()}`);
    t.diagnostic(`calls the swap added: ${JSON.stringify(gained)}`);
    assert.deepEqual(s.calls.slice(0, before.calls), ['mounted', 'updated', 'points:3,5,2,3', 'points:3,5,2,3']);
    assert.equal(s.summary, '4 bars, total 13', 'the state stays');
    assert.equal(s.picked, 'picked bar 2 (5)', 'the state stays');
    assert.equal(s.points, '3,5,2,3');
    assert.deepEqual(s.bars, ['0=3', '1=5', '2=2', '3=3']);
  });

  await t.test('Reset: updated, then the empty push; no bars', async () => {
    const n = await page.evaluate(() => window.__chartCalls.length);
    const d = await page.evaluate(() => window.__draws.length);
    await page.click('#reset');
    const s = await shows((x) => x.calls.slice(n).includes('points:'), 'the empty points push after Reset');
    assert.deepEqual(s.calls.slice(n), ['updated', 'points:'], why());
    assert.equal(s.points, '');
    assert.equal(s.summary, '0 bars, total 0');
    assert.equal(s.picked, 'click a bar');
    assert.deepEqual(s.bars, []);
    assert.equal(await page.evaluate(() => document.querySelector('#chart').childElementCount), 0, 'the redraw replaced the widget\'s inside');
    const draws = (await page.evaluate(() => window.__draws)).slice(d);
    assert.deepEqual(draws.map(({ points, attr, summary }) => ({ points, attr, summary })), [{ points: '', attr: '', summary: '0 bars, total 0' }]);
    assert.deepEqual(s.calls.filter((c) => c === 'mounted' || c === 'destroyed'), ['mounted'], 'mounted once, never destroyed');
  });

  await t.test('server killed: disconnected once, whatever the reconnect attempts', async () => {
    const n = await page.evaluate(() => window.__chartCalls.length);
    const socketsBefore = sockets;
    await stopProcess(server.proc, 'SIGKILL');
    await shows((x) => x.calls.slice(n).includes('disconnected'), "'disconnected' after the kill");
    // Several reconnect attempts later (each a new WebSocket), still one.
    await until(() => sockets >= socketsBefore + 3, { timeout: 15000, what: 'three reconnect attempts' });
    const s = await snapshot(page);
    assert.deepEqual(s.calls.slice(n), ['disconnected'], why());
    assert.equal(await page.evaluate(() => window.__hotreload.state), 'reconnecting');
    assert.deepEqual(logs.filter((l) => l.startsWith('pageerror')), [], 'no page errors');
  });

  await context.close();
});
