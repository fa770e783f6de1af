// End to end: live navigation in the `todo` example (`cargo build --examples`) in headless
// Chromium (docs/PROTOCOL.md, "Live navigation"). The filter links are `live-patch` links
// (`?filter=all|active|done`, no page load, the view's `handle_params` reads them); "Show all"
// changes the URL from `update` (`push_patch`); "About" is a `live-navigate` link to another live
// view over the same socket; deleting an item shows a flash. Without JavaScript every link is a
// plain link and the server renders the filtered list itself.
//
// Each test has its own browser context (its own session and Todo instance, three items, none
// done). "No page load" is checked three ways: a `window.__marker` survives, the page fires no
// further `load`, and the page made exactly one WebSocket (counted by an init script).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBinary, launchExampleBrowser, liveReady, sleep, startExample, stopProcess } from './helpers.mjs';

const ITEMS = ['Write a template', 'Edit it while the server runs', 'Keep your state'];

let server;
let browser;

before(async () => {
  server = await startExample(exampleBinary('todo'));
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  await stopProcess(server?.proc);
});

/** Opens `path` in a fresh context, waits until it is live and sets `window.__marker`. */
async function openTodo(path = '/') {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = 0;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets++;
      }
    };
  });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  let loads = 0;
  page.on('load', () => { loads++; });
  await page.goto(server.url + path);
  await liveReady(page);
  await page.evaluate(() => { window.__marker = 'no page load'; });
  return { context, page, logs, loads: () => loads };
}

/** The items the list shows, in order. */
const items = (page) => page.$$eval('ul.items li', (lis) => lis.map((li) => li.textContent.replace('×', '').trim()));

/** The filter link marked `current`. */
const current = (page) => page.$$eval('nav.filters a.current', (as) => as.map((a) => a.textContent));

/** Waits until the list shows exactly `want`. */
async function listIs(page, want, timeout = 5000) {
  await page.waitForFunction(
    (w) => JSON.stringify([...document.querySelectorAll('ul.items li')].map((li) => li.textContent.replace('×', '').trim())) === JSON.stringify(w),
    want,
    { timeout },
  ).catch(async (e) => {
    throw new Error(`the list shows ${JSON.stringify(await items(page))} at ${page.url()}, not ${JSON.stringify(want)} (${e.message.split('\n')[0]})`);
  });
}

/** Waits until the page's `location.pathname + location.search` is `want`. */
function urlIs(page, want, timeout = 5000) {
  return page.waitForFunction((w) => location.pathname + location.search === w, want, { timeout }).catch(async (e) => {
    throw new Error(`the page is at ${await page.evaluate(() => location.pathname + location.search)}, not ${want} (${e.message.split('\n')[0]})`);
  });
}

/** Waits until the progress line (the nested view) matches `want`. */
function progressIs(page, want, timeout = 5000) {
  return page.waitForFunction((w) => new RegExp(w).test(document.querySelector('p.progress')?.textContent), want.source, { timeout }).catch(async (e) => {
    throw new Error(`the progress line shows "${await page.textContent('p.progress').catch(() => '?')}", not ${want} (${e.message.split('\n')[0]})`);
  });
}

/**
 * Marks the first item done (one click on its checkbox: with a filter the row may go) and
 * waits for the progress line to count it.
 */
async function finishFirst(page) {
  await page.click('ul.items li:nth-child(1) input[type=checkbox]');
  await progressIs(page, /2 left, 1 of 3 done/);
}

/** Still the first page load, on the first socket, which never dropped. */
async function sameDocument(session, what) {
  const got = await session.page.evaluate(() => ({ marker: window.__marker, sockets: window.__sockets, reconnects: window.__hotreload.stats().reconnects }));
  assert.deepEqual({ ...got, loads: session.loads() }, { marker: 'no page load', sockets: 1, reconnects: 0, loads: 1 }, what);
}

const link = (label) => `nav.filters a:text-is("${label}")`;

test('filter links are live patches: the URL and the list change, no page load, same socket', async () => {
  const session = await openTodo('/');
  const { page, context } = session;
  try {
    await finishFirst(page);
    const historyLength = await page.evaluate(() => history.length);

    await page.click(link('Done'));
    await urlIs(page, '/?filter=done');
    await listIs(page, [ITEMS[0]]);
    assert.deepEqual(await current(page), ['Done']);
    assert.equal(await page.evaluate(() => history.length), historyLength + 1, 'a history entry was pushed');

    await page.click(link('Active'));
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS.slice(1));
    assert.deepEqual(await current(page), ['Active']);

    await page.click(link('All'));
    await urlIs(page, '/?filter=all');
    await listIs(page, ITEMS);
    assert.deepEqual(await current(page), ['All']);
    await sameDocument(session, 'the filter links changed neither the document nor the socket');
  } finally {
    await context.close();
  }
});

test('"Show all" (push_patch from update) moves the page to /?filter=all; back returns to the filter', async () => {
  const session = await openTodo('/?filter=active');
  const { page, context } = session;
  try {
    assert.deepEqual(await current(page), ['Active'], 'the first render reads the URL');
    await finishFirst(page);
    await listIs(page, ITEMS.slice(1));
    const historyLength = await page.evaluate(() => history.length);

    await page.click('#show-all');
    await urlIs(page, '/?filter=all');
    await listIs(page, ITEMS);
    assert.deepEqual(await current(page), ['All']);
    assert.equal(await page.$('#show-all'), null, 'no "Show all" once all show');
    assert.equal(await page.evaluate(() => history.length), historyLength + 1, 'push_patch pushes a history entry');

    await page.goBack();
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS.slice(1));
    assert.ok(await page.$('#show-all'), '"Show all" is back with the filter');
    await sameDocument(session, 'push_patch and back changed neither the document nor the socket');
  } finally {
    await context.close();
  }
});

test('back and forward walk through the filters the links pushed, re-rendering the list', async () => {
  const session = await openTodo('/');
  const { page, context } = session;
  try {
    await finishFirst(page);
    await page.click(link('All'));
    await urlIs(page, '/?filter=all');
    await page.click(link('Active'));
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS.slice(1));
    await page.click(link('Done'));
    await urlIs(page, '/?filter=done');
    await listIs(page, [ITEMS[0]]);

    await page.goBack();
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS.slice(1));
    assert.deepEqual(await current(page), ['Active']);
    await page.goBack();
    await urlIs(page, '/?filter=all');
    await listIs(page, ITEMS);
    await page.goBack();
    await urlIs(page, '/');
    await listIs(page, ITEMS);
    assert.deepEqual(await current(page), ['All'], 'no filter is all');

    await page.goForward();
    await urlIs(page, '/?filter=all');
    await page.goForward();
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS.slice(1));
    await page.goForward();
    await urlIs(page, '/?filter=done');
    await listIs(page, [ITEMS[0]]);
    assert.deepEqual(await current(page), ['Done']);
    await sameDocument(session, 'back and forward changed neither the document nor the socket');
  } finally {
    await context.close();
  }
});

test('a modified click (Ctrl, Shift, middle button) on a live-patch link is left to the browser', async () => {
  const session = await openTodo('/');
  const { page, context } = session;
  try {
    await finishFirst(page);
    for (const [how, options] of [
      ['Ctrl+click', { modifiers: ['Control'] }],
      ['Shift+click', { modifiers: ['Shift'] }],
      ['middle click', { button: 'middle' }],
    ]) {
      const [opened] = await Promise.all([
        context.waitForEvent('page', { timeout: 5000 }),
        page.click(link('Done'), options),
      ]).catch((e) => { throw new Error(`${how} on a live-patch link opened no page: ${e.message}`); });
      await opened.waitForLoadState();
      assert.equal(new URL(opened.url()).search, '?filter=done', `${how} opened the link's URL`);
      assert.deepEqual(await opened.$$eval('nav.filters a.current', (as) => as.map((a) => a.textContent)), ['Done'], `${how}: the new page is the server's render of the link`);
      await opened.close();
      await sleep(200); // a params frame, had one gone out, would have re-rendered by now
      assert.equal(await page.evaluate(() => location.pathname + location.search), '/', `${how} left the page's URL alone`);
      await listIs(page, ITEMS);
      assert.deepEqual(await current(page), ['All'], `${how}: the page's view did not change filter`);
    }
    await sameDocument(session, 'the modified clicks did not load the page again');
  } finally {
    await context.close();
  }
});

test('live-navigate to /about and back, by link and from update (push_navigate): no page load, one socket, title and body swapped; browser back and forward too', async () => {
  const session = await openTodo('/');
  const { page, context, logs } = session;
  try {
    await page.click('#about-link');
    await urlIs(page, '/about');
    await page.waitForSelector('#about');
    assert.equal(await page.title(), 'hotreload todo: about');
    assert.equal(await page.$('ul.items'), null, 'the list is gone');
    assert.equal(await page.$$eval('script[data-hotreload-client]', (s) => s.length), 1, 'the client script is not duplicated');
    await sameDocument(session, 'live navigation to /about');

    await page.click('#back-link');
    await urlIs(page, '/');
    await listIs(page, ITEMS);
    assert.equal(await page.title(), 'hotreload todo');
    assert.equal(await page.$('#about'), null);
    // The list mounted over the same socket is live.
    await finishFirst(page);

    await page.click('#about-link');
    await page.waitForSelector('#about');
    await page.goBack();
    await urlIs(page, '/');
    await listIs(page, ITEMS);
    assert.equal(await page.title(), 'hotreload todo');
    await finishFirst(page);
    await page.goForward();
    await urlIs(page, '/about');
    await page.waitForSelector('#about');
    assert.equal(await page.title(), 'hotreload todo: about');
    await sameDocument(session, 'live navigations and back/forward between the two views');

    // A live navigation asked for by `update` (`push_navigate("/?filter=active")`).
    await page.click('#done-button');
    await urlIs(page, '/?filter=active');
    await listIs(page, ITEMS);
    assert.equal(await page.textContent('nav.filters a.current'), 'Active', 'the list read the URL it was sent to');
    assert.equal(await page.title(), 'hotreload todo');
    await page.goBack();
    await urlIs(page, '/about');
    await page.waitForSelector('#about');
    await sameDocument(session, 'a navigation from update, and back');
    assert.deepEqual(logs.filter((l) => /\[hotreload\]|pageerror/.test(l)), [], 'no client warnings');
  } finally {
    await context.close();
  }
});

test('deleting an item shows a flash; dismissed it stays gone; a URL change clears the next one', async () => {
  const { page, context } = await openTodo('/');
  try {
    await page.click('ul.items li:nth-child(1) button[aria-label=Delete]');
    await listIs(page, ITEMS.slice(1));
    const flash = await page.waitForSelector('.live-flash-info');
    assert.match(await flash.textContent(), /Deleted “Write a template”/);
    assert.equal(await flash.getAttribute('role'), 'status', 'an info flash is a polite live region');

    await page.click('.live-flash-info [live-flash-dismiss]');
    assert.equal(await page.isVisible('.live-flash'), false, 'the dismiss button hides it at once');
    await page.waitForSelector('.live-flash', { state: 'detached', timeout: 5000 });
    await sleep(200);
    // The server's answer to `clear_flash` removes the flash, and nothing else.
    assert.equal(await page.evaluate(() => document.querySelector('[data-live-view="Todo"] > h1')?.textContent ?? null), 'Todo', 'the heading after the flash is still there');
    await listIs(page, ITEMS.slice(1));
    await page.check('ul.items li:nth-child(1) input[type=checkbox]');
    await progressIs(page, /1 left, 1 of 2 done/);
    await sleep(300);
    assert.equal(await page.$('.live-flash'), null, 'the next render does not bring the dismissed flash back');
    assert.equal(await page.evaluate(() => document.querySelector('[data-live-view="Todo"] > h1')?.textContent ?? null), 'Todo');
    assert.ok(await page.$('[data-live-view="Progress"] > p.progress'), 'the nested view\'s paragraph kept its class');
    assert.equal(await page.evaluate(() => window.__hotreload.stats().failures), 0, 'every patch applied where the server meant it');

    await page.click('ul.items li:nth-child(2) button[aria-label=Delete]');
    await listIs(page, [ITEMS[1]]);
    const next = await page.waitForSelector('.live-flash-info');
    assert.match(await next.textContent(), /Deleted “Keep your state”/);
    assert.doesNotMatch(await next.textContent(), /Write a template/, 'only the new flash');

    await page.click(link('Active'));
    await urlIs(page, '/?filter=active');
    await page.waitForFunction(() => !document.querySelector('.live-flash'), null, { timeout: 5000 }).catch(() => {
      throw new Error('the flash is still shown after a live-patch link changed the URL');
    });
    await listIs(page, []);
    await page.click(link('All'));
    await listIs(page, [ITEMS[1]]);
    await sleep(200);
    assert.equal(await page.$('.live-flash'), null, 'and it does not come back');
    assert.equal(await page.evaluate(() => window.__hotreload.stats().failures), 0, 'every patch applied');
  } finally {
    await context.close();
  }
});

test('without JavaScript the links are plain links and the server renders the filter', async () => {
  // Plain HTTP: the server's render of each filter.
  for (const [query, want, label] of [['', ITEMS, 'All'], ['?filter=all', ITEMS, 'All'], ['?filter=active', ITEMS, 'Active'], ['?filter=done', [], 'Done']]) {
    const html = await (await fetch(`${server.url}/${query}`)).text();
    const list = html.match(/<ul class="items">(.*?)<\/ul>/s)?.[1];
    assert.ok(list !== undefined, `/${query}: the page has the list: ${html.slice(0, 500)}`);
    const shown = [...list.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => m[1].replace(/<[^>]*>/g, '').replace('×', '').trim());
    assert.deepEqual(shown, want, `/${query}`);
    assert.match(html, new RegExp(`<a href="/\\?filter=${label.toLowerCase()}" live-patch="" class="current">${label}</a>`), `/${query}: ${label} is current`);
  }

  // A browser without JavaScript: each click is a page load of the link's URL.
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    let loads = 0;
    page.on('load', () => { loads++; });
    await page.goto(server.url + '/');
    assert.equal(await page.$$eval('ul.items li', (lis) => lis.length), 3);
    await Promise.all([page.waitForURL(/\?filter=done$/), page.click(link('Done'))]);
    await page.waitForLoadState('load');
    assert.equal(await page.$$eval('ul.items li', (lis) => lis.length), 0, 'no item is done');
    assert.deepEqual(await current(page), ['Done']);
    await Promise.all([page.waitForURL(/\?filter=active$/), page.click(link('Active'))]);
    await page.waitForLoadState('load');
    assert.equal(await page.$$eval('ul.items li', (lis) => lis.length), 3);
    await Promise.all([page.waitForURL(/\/about$/), page.click('#about-link')]);
    await page.waitForSelector('#about');
    assert.equal(await page.title(), 'hotreload todo: about');
    assert.equal(loads, 4, 'every click was a page load');
  } finally {
    await context.close();
  }
});
