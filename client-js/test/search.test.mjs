// End to end: the `search` example (`cargo build --examples`) in headless Chromium. Every
// (debounced) keystroke replaces the URL's `?q=` and starts the search under one name: the page
// shows "Searching…" at once, then the results; a newer query cancels the one still running,
// so an older, slower answer (shorter queries are slower: 600 ms − 150 ms a character, at least
// 50 ms) never shows; a query with `!` fails and the page goes on.
//
// A MutationObserver installed in the page records every text `#status` and `#results` ever
// showed, so "never showed" is checked, not sampled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBinary, launchExampleBrowser, liveReady, sleep, startExample, stopProcess } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startExample(exampleBinary('search'));
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  await stopProcess(server?.proc);
});

/** Opens `path` in a fresh context, waits until it is live and starts recording. */
async function openSearch(path = '/') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + path);
  await liveReady(page);
  await page.evaluate(() => {
    const seen = { status: [], results: [] };
    window.__seen = seen;
    const record = () => {
      const status = document.querySelector('#status')?.textContent.trim() ?? null;
      const results = [...document.querySelectorAll('#results li')].map((li) => li.textContent).join(', ');
      if (seen.status.at(-1) !== status) seen.status.push(status);
      if (seen.results.at(-1) !== results) seen.results.push(results);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return { context, page };
}

const seen = (page) => page.evaluate(() => window.__seen);

/** Waits until `#status` reads `want` (a string or a RegExp). */
function statusIs(page, want, timeout = 5000) {
  const [source, flags] = want instanceof RegExp ? [want.source, want.flags] : [`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, ''];
  return page.waitForFunction(([s, f]) => new RegExp(s, f).test(document.querySelector('#status')?.textContent.trim()), [source, flags], { timeout })
    .catch(async (e) => {
      throw new Error(`#status reads "${await page.textContent('#status').catch(() => '?')}", not ${want}; it showed ${JSON.stringify((await seen(page).catch(() => null))?.status)} (${e.message.split('\n')[0]})`);
    });
}

/** Waits until `location.search` is `want`. */
function queryIs(page, want, timeout = 5000) {
  return page.waitForFunction((w) => location.search === w, want, { timeout }).catch(async (e) => {
    throw new Error(`the URL's query is "${await page.evaluate(() => location.search)}", not "${want}" (${e.message.split('\n')[0]})`);
  });
}

const results = (page) => page.$$eval('#results li', (lis) => lis.map((li) => li.textContent));

test('a query shows "Searching…" first, then its results; the URL has ?q= (replaced, not pushed)', async () => {
  const { page, context } = await openSearch('/');
  try {
    assert.equal(await page.textContent('#status'), 'Type to search.');
    const historyLength = await page.evaluate(() => history.length);
    await page.type('#query', 'tok');
    await statusIs(page, '1 result(s) for “tok”');
    assert.deepEqual(await results(page), ['tokio']);
    const { status, results: shown } = await seen(page);
    assert.deepEqual(status, ['Type to search.', 'Searching…', '1 result(s) for “tok”'], '"Searching…" came first');
    assert.deepEqual(shown, ['', 'tokio']);
    assert.equal(await page.evaluate(() => location.search), '?q=tok');
    assert.equal(await page.evaluate(() => history.length), historyLength, 'the URL is replaced, not pushed');
    assert.equal(await page.inputValue('#query'), 'tok', 'what was typed stays');
    assert.match(await page.textContent('p.ok'), /^1 searches started$/);
  } finally {
    await context.close();
  }
});

test('a slower, older query is cancelled by a newer one: its results never show', async () => {
  const { page, context } = await openSearch('/');
  try {
    // Each step is typed once the previous query's search has started on the server (its
    // URL came back), and the debounce (120 ms) is shorter than the previous search, so that
    // one is still running when the next starts: "s" takes 450 ms, "se" 300, "serd" 50. Run
    // one after the other, "s" and "se" would answer after "serd" started.
    await page.click('#query');
    for (const [keys, query] of [['s', 's'], ['e', 'se'], ['rd', 'serd']]) {
      await page.keyboard.type(keys);
      await queryIs(page, `?q=${query}`);
    }
    await statusIs(page, '3 result(s) for “serd”');
    assert.deepEqual(await results(page), ['serde', 'serde_json', 'rmp-serde']);
    await sleep(700); // past the time the oldest ("s", 450 ms) would have answered
    const { status, results: shown } = await seen(page);
    assert.deepEqual(status, ['Type to search.', 'Searching…', '3 result(s) for “serd”'], 'no stale status');
    assert.deepEqual(shown, ['', 'serde, serde_json, rmp-serde'], 'no stale results');
    assert.equal(await page.textContent('#status'), '3 result(s) for “serd”');
    assert.equal(await page.evaluate(() => location.search), '?q=serd');
    assert.match(await page.textContent('p.ok'), /^3 searches started$/);
  } finally {
    await context.close();
  }
});

test('a query with "!" shows "Search failed"; the next query works', async () => {
  const { page, context } = await openSearch('/');
  try {
    await page.fill('#query', 'to!');
    await statusIs(page, /^Search failed/);
    assert.deepEqual(await results(page), []);
    assert.equal(await page.evaluate(() => location.search), '?q=to%21');
    assert.deepEqual((await seen(page)).status.slice(0, 2), ['Type to search.', 'Searching…']);

    await page.fill('#query', 'tok');
    await statusIs(page, '1 result(s) for “tok”');
    assert.deepEqual(await results(page), ['tokio']);
    assert.equal(await page.evaluate(() => location.search), '?q=tok');
    assert.equal(await page.evaluate(() => window.__hotreload.stats().reconnects), 0, 'the failure did not drop the connection');
  } finally {
    await context.close();
  }
});

test('a shared link (/?q=...) searches on load; clearing the box clears the search and the URL', async () => {
  const { page, context } = await openSearch('/?q=serde');
  try {
    assert.equal(await page.inputValue('#query'), 'serde');
    await statusIs(page, '3 result(s) for “serde”');
    assert.deepEqual(await results(page), ['serde', 'serde_json', 'rmp-serde']);

    await page.fill('#query', '');
    await statusIs(page, 'Type to search.');
    assert.deepEqual(await results(page), []);
    await queryIs(page, '?q=');
  } finally {
    await context.close();
  }
});
