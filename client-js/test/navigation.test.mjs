// Live navigation against the mock server: `hello`'s url, tokens and parents; live-patch and
// live-navigate links (and the clicks left to the browser); back/forward; the server's
// `live_patch`, `live_navigate`, `redirect` and `remount` frames; flash dismissal.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ID, ID2, launchBrowser, openClient, page, sleep, startServer } from './helpers.mjs';

const ID3 = '00000000000000c3';

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

const CLIENT_TAG = '<script type="module" src="/client.js" data-hotreload-client data-socket="/_hotreload/ws"></script>';

/** A live page: `body` (boundaries and all) and the client tag, `title`, body attributes. */
const livePage = (body, { title = 't', bodyAttrs = '' } = {}) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body${bodyAttrs}>${body}${CLIENT_TAG}</body></html>`;

const NAV = '<nav><a id="to-a" href="/a" live-navigate>A</a> <a id="to-b" href="/b" live-navigate>B</a> <a id="patch" href="/a?x=1" live-patch>x=1</a> <a id="patch-replace" href="/a?x=2" live-patch live-replace>x=2</a></nav>';
const PAGE_A = livePage(`${NAV}<div data-live-view-id="${ID}" data-live-view="A" data-live-token="tok-a"><p id="a">page a</p><div data-live-view-id="${ID2}" data-live-view="Child">child</div></div>`, { title: 'A page' });
const PAGE_B = livePage(`${NAV}<div data-live-view-id="${ID3}" data-live-view="B" data-live-token="tok-b"><p id="b">page b</p></div><script>window.__ran = true;</script>`, { title: 'B page', bodyAttrs: ' class="b-body" data-b="1"' });

/** Opens `html` at `path` (also serving PAGE_A at /a and PAGE_B at /b). */
async function open(html = PAGE_A, { path = '/a' } = {}) {
  server.route('/a', PAGE_A);
  server.route('/b', PAGE_B);
  const conns = server.state.conns.length;
  const c = await openClient(browser, server, html, { path });
  await c.page.evaluate(() => { window.__marker = 'alive'; });
  return {
    ...c,
    /** Connections this page opened. */
    conns: () => server.state.conns.length - conns,
    alive: () => c.page.evaluate(() => window.__marker === 'alive'),
    where: () => c.page.evaluate(() => location.pathname + location.search),
    async close() {
      assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
      await c.context.close();
    },
  };
}

const framesSince = (since, type) => server.state.messages.slice(since).map((m) => m.frame).filter((f) => f.type === type);

describe('hello', () => {
  test('carries the url, every boundary\'s token and a nested boundary\'s parent', async () => {
    const since = server.count();
    const html = livePage(`<div data-live-view-id="${ID}" data-live-view="A" data-live-token="tok-a"><section><div data-live-view-id="${ID2}" data-live-view="Child" data-live-token="tok-c"><div data-live-view-id="${ID3}" data-live-view="Grandchild">g</div></div></section></div><div data-live-view-id="00000000000000d4" data-live-view="Other">o</div>`);
    const c = await open(html, { path: '/items' });
    await c.page.goto(`${server.base}/items?page=2&q=a%20b#top`);
    const hello = await server.waitFrame('hello', (f) => f.url !== '/items', { since });
    assert.deepEqual(hello, {
      v: 1,
      type: 'hello',
      url: '/items?page=2&q=a%20b',
      instances: [
        { id: ID, view: 'A', token: 'tok-a' },
        { id: ID2, view: 'Child', token: 'tok-c', parent: ID },
        { id: ID3, view: 'Grandchild', parent: ID2 },
        { id: '00000000000000d4', view: 'Other' },
      ],
      resume: false,
    });
    await c.close();
  });
});

describe('live-patch links', () => {
  test('a click pushes the URL and sends params, without a fetch; live-replace replaces the entry', async () => {
    const c = await open();
    const hits = server.hits.get('/a');
    const length = await c.page.evaluate(() => history.length);
    let since = server.count();
    await c.page.click('#patch');
    const params = await server.waitFrame('params', () => true, { since });
    assert.deepEqual(params, { v: 1, type: 'params', url: '/a?x=1' });
    assert.equal(await c.where(), '/a?x=1');
    assert.deepEqual(await c.page.evaluate(() => [history.length, history.state]), [length + 1, { hotreload: { view: 'A' } }]);
    since = server.count();
    await c.page.click('#patch-replace');
    assert.deepEqual(await server.waitFrame('params', () => true, { since }), { v: 1, type: 'params', url: '/a?x=2' });
    assert.deepEqual(await c.page.evaluate(() => [location.search, history.length]), ['?x=2', length + 1]);
    assert.equal(server.hits.get('/a'), hits, 'no fetch');
    assert.ok(await c.alive());
    await c.close();
  });

  test('the first history entry is tagged with the page\'s view, keeping its state', async () => {
    const c = await open(PAGE_A.replace('<nav>', '<script>history.replaceState({mine: 1}, "")</script><nav>'));
    assert.deepEqual(await c.page.evaluate(() => history.state), { mine: 1, hotreload: { view: 'A' } });
    await c.close();
  });
});

describe('clicks left to the browser', () => {
  test('ctrl+click, middle click, target=_blank and download are not intercepted', async () => {
    const html = livePage(`<div data-live-view-id="${ID}" data-live-view="A"><a id="p" href="/a?x=1" live-patch>p</a><a id="n" href="/b" live-navigate>n</a><a id="blank" href="/b" target="_blank" live-navigate>blank</a><a id="dl" href="/b" download live-navigate>dl</a></div>`);
    const c = await open(html);
    const since = server.count();
    const opened = [];
    c.context.on('page', (p) => opened.push(p));
    await c.page.click('#p', { modifiers: ['Control'] });
    await c.page.click('#n', { modifiers: ['Control'] });
    await c.page.click('#n', { button: 'middle' });
    await c.page.click('#blank');
    await server.waitFor(() => opened.length >= 4, { what: 'four new tabs' });
    const download = c.page.waitForEvent('download');
    await c.page.click('#dl');
    await download;
    await sleep(200);
    assert.deepEqual(framesSince(since, 'params'), []);
    assert.deepEqual(framesSince(since, 'leave'), []);
    assert.equal(await c.where(), '/a');
    assert.ok(await c.alive());
    await c.close();
  });

  test('a live link to another origin is a plain link', async () => {
    const other = server.base.replace('127.0.0.1', 'localhost');
    const html = livePage(`<div data-live-view-id="${ID}" data-live-view="A"><a id="o" href="${other}/b" live-navigate>other</a><a id="op" href="${other}/a?x=1" live-patch>other patch</a></div>`);
    const c = await open(html);
    const since = server.count();
    await Promise.all([c.page.waitForURL(`${other}/b`), c.page.click('#o')]);
    assert.deepEqual(framesSince(since, 'leave'), []);
    assert.deepEqual(framesSince(since, 'params'), []);
    await c.page.goto(`${server.base}/a`);
    await c.page.waitForFunction(() => window.__hotreload?.state === 'open');
    await Promise.all([c.page.waitForURL(`${other}/a?x=1`), c.page.click('#op')]);
    assert.deepEqual(framesSince(since, 'params'), []);
    await c.close();
  });

  test('without the socket open a live link is a plain link', async () => {
    const c = await open(PAGE_A.replace('data-socket', 'data-backoff-min-ms="60000" data-backoff-max-ms="60000" data-socket'));
    server.conn.terminate();
    await c.page.waitForFunction(() => window.__hotreload.state === 'reconnecting');
    const hits = server.hits.get('/b') ?? 0;
    await Promise.all([c.page.waitForURL(`${server.base}/b`), c.page.click('#to-b')]);
    assert.equal(await c.page.evaluate(() => window.__marker), undefined, 'a full page load');
    assert.equal(server.hits.get('/b'), hits + 1);
    await c.close();
  });
});

describe('live-navigate links', () => {
  test('a click fetches the page, sends leave, swaps the body and says hello on the same socket', async () => {
    const c = await open();
    const clientLoads = server.hits.get('/client.js');
    const since = server.count();
    await c.page.click('#to-b');
    const hello = await server.waitFrame('hello', () => true, { since });
    assert.deepEqual(hello, { v: 1, type: 'hello', url: '/b', instances: [{ id: ID3, view: 'B', token: 'tok-b' }], resume: false });
    const order = server.state.messages.slice(since).map((m) => m.frame).filter((f) => f.type !== 'ping');
    assert.deepEqual(order, [{ v: 1, type: 'leave', ids: [ID, ID2] }, hello]);
    assert.equal(c.conns(), 1, 'one connection all along');
    const got = await c.page.evaluate(() => ({
      title: document.title,
      where: location.pathname,
      state: history.state,
      bodyClass: document.body.className,
      bodyData: document.body.dataset.b,
      b: document.querySelector('#b')?.textContent,
      a: document.querySelector('#a'),
      tags: document.querySelectorAll('script[data-hotreload-client]').length,
      last: document.body.lastElementChild.matches('script[data-hotreload-client]'),
      ran: window.__ran ?? false,
      state2: window.__hotreload.state,
    }));
    assert.deepEqual(got, { title: 'B page', where: '/b', state: { hotreload: { view: 'B' } }, bodyClass: 'b-body', bodyData: '1', b: 'page b', a: null, tags: 1, last: true, ran: false, state2: 'open' });
    assert.equal(server.hits.get('/client.js'), clientLoads, 'the client is not loaded again');
    assert.ok(await c.alive());
    // The new page's boundary is live: its frames apply.
    const acked = server.count();
    server.send({ type: 'html', id: ID3, seq: 1, html: '<p id="b">patched b</p>' });
    const ack = await server.waitFrame('ack', (f) => f.id === ID3, { since: acked });
    assert.equal(ack.error, undefined);
    await c.close();
  });

  test('a page that is not ok, or not a live page, is loaded the plain way', async () => {
    server.route('/missing', () => ({ status: 404, body: PAGE_B }));
    server.route('/plain', '<!DOCTYPE html><title>plain</title><p>no live view</p>');
    const html = livePage(`<div data-live-view-id="${ID}" data-live-view="A"><a id="m" href="/missing" live-navigate>m</a><a id="p" href="/plain" live-navigate>p</a></div>`);
    let c = await open(html);
    let since = server.count();
    await Promise.all([c.page.waitForURL(`${server.base}/missing`), c.page.click('#m')]);
    await c.page.waitForLoadState();
    assert.equal(await c.page.evaluate(() => window.__marker), undefined, 'a full page load');
    assert.deepEqual(framesSince(since, 'leave'), []);
    await c.close();
    c = await open(html);
    since = server.count();
    const hits = server.hits.get('/plain') ?? 0;
    await Promise.all([c.page.waitForURL(`${server.base}/plain`), c.page.click('#p')]);
    await c.page.waitForFunction(() => document.title === 'plain');
    assert.equal(server.hits.get('/plain'), hits + 2, 'the live fetch, then the page load');
    assert.deepEqual(framesSince(since, 'leave'), []);
    await c.close();
  });

  test('a navigation started while another fetches supersedes it', async () => {
    server.route('/slow', () => ({ body: PAGE_B.replace('B page', 'slow page'), delayMs: 500 }));
    const html = PAGE_A.replace('<nav>', '<nav><a id="slow" href="/slow" live-navigate>slow</a>');
    const c = await open(html);
    const since = server.count();
    await c.page.click('#slow');
    await sleep(50);
    await c.page.click('#to-b');
    await server.waitFrame('hello', () => true, { since });
    await sleep(700);
    assert.deepEqual(await c.page.evaluate(() => [document.title, location.pathname]), ['B page', '/b']);
    assert.equal(framesSince(since, 'hello').length, 1);
    assert.equal(framesSince(since, 'leave').length, 1);
    await c.close();
  });
});

describe('back and forward', () => {
  test('params within the same view, a live navigation to another; a #hash entry is ignored', async () => {
    const c = await open();
    let since = server.count();
    await c.page.click('#patch');
    await server.waitFrame('params', () => true, { since });
    since = server.count();
    await c.page.click('#to-b');
    await server.waitFrame('hello', () => true, { since });
    const hitsA = server.hits.get('/a');

    // Back from /b (view B) to /a?x=1 (view A): a live navigation, no push.
    const length = await c.page.evaluate(() => history.length);
    since = server.count();
    await c.page.goBack();
    let hello = await server.waitFrame('hello', () => true, { since });
    assert.equal(hello.url, '/a?x=1');
    assert.deepEqual(framesSince(since, 'leave'), [{ v: 1, type: 'leave', ids: [ID3] }]);
    assert.equal(server.hits.get('/a'), hitsA + 1);
    assert.deepEqual(await c.page.evaluate(() => [document.title, history.length, history.state]), ['A page', length, { hotreload: { view: 'A' } }]);

    // Back to /a (view A): params only.
    since = server.count();
    await c.page.goBack();
    assert.deepEqual(await server.waitFrame('params', () => true, { since }), { v: 1, type: 'params', url: '/a' });
    // Forward to /a?x=1: params; forward to /b: a live navigation.
    await c.page.goForward();
    assert.deepEqual(await server.waitFrame('params', (f) => f.url === '/a?x=1', { since }), { v: 1, type: 'params', url: '/a?x=1' });
    await c.page.goForward();
    hello = await server.waitFrame('hello', () => true, { since });
    assert.equal(hello.url, '/b');
    assert.equal(server.hits.get('/a'), hitsA + 1, 'no fetch for the same view');
    assert.equal(await c.page.evaluate(() => document.title), 'B page');

    // A fragment change makes an entry without the tag: its popstate is ignored.
    since = server.count();
    await c.page.evaluate(() => { location.hash = '#b'; });
    await sleep(150);
    assert.deepEqual(framesSince(since, 'params'), []);
    assert.deepEqual(framesSince(since, 'hello'), []);
    assert.equal(c.conns(), 1);
    assert.ok(await c.alive());
    await c.close();
  });
});

describe('server frames', () => {
  test('live_patch pushes or replaces the URL, with no fetch and no params', async () => {
    const c = await open();
    const hits = server.hits.get('/a');
    const length = await c.page.evaluate(() => history.length);
    const since = server.count();
    server.send({ type: 'live_patch', url: '/a?page=2', replace: false });
    await c.page.waitForFunction(() => location.search === '?page=2');
    assert.deepEqual(await c.page.evaluate(() => [history.length, history.state]), [length + 1, { hotreload: { view: 'A' } }]);
    server.send({ type: 'live_patch', url: '/a?page=3', replace: true });
    await c.page.waitForFunction(() => location.search === '?page=3');
    assert.equal(await c.page.evaluate(() => history.length), length + 1);
    await sleep(100);
    assert.deepEqual(framesSince(since, 'params'), []);
    assert.equal(server.hits.get('/a'), hits);
    // ?page=3 took ?page=2's entry; back to /a is the same view: params.
    await c.page.goBack();
    assert.deepEqual(await server.waitFrame('params', () => true, { since }), { v: 1, type: 'params', url: '/a' });
    await c.close();
  });

  test('live_navigate navigates live, pushing or replacing the entry', async () => {
    const c = await open();
    const length = await c.page.evaluate(() => history.length);
    let since = server.count();
    server.send({ type: 'live_navigate', url: '/b', replace: false });
    let hello = await server.waitFrame('hello', () => true, { since });
    assert.equal(hello.url, '/b');
    assert.deepEqual(framesSince(since, 'leave'), [{ v: 1, type: 'leave', ids: [ID, ID2] }]);
    assert.deepEqual(await c.page.evaluate(() => [document.title, history.length]), ['B page', length + 1]);
    since = server.count();
    server.send({ type: 'live_navigate', url: '/a', replace: true });
    hello = await server.waitFrame('hello', () => true, { since });
    assert.equal(hello.url, '/a');
    assert.deepEqual(await c.page.evaluate(() => [document.title, history.length, history.state]), ['A page', length + 1, { hotreload: { view: 'A' } }]);
    assert.equal(c.conns(), 1);
    assert.ok(await c.alive());
    await c.close();
  });

  test('redirect loads the page', async () => {
    server.route('/elsewhere', '<!DOCTYPE html><title>elsewhere</title><p>bye</p>');
    const c = await open();
    await Promise.all([c.page.waitForURL(`${server.base}/elsewhere`), server.send({ type: 'redirect', url: '/elsewhere' })]);
    assert.equal(await c.page.evaluate(() => window.__marker), undefined);
    await c.close();
  });

  test('remount gives the boundary its new id and token; frames for the new id apply', async () => {
    const c = await open();
    let since = server.count();
    server.send({ type: 'html', id: ID, seq: 7, html: `<p id="a">seen</p><div data-live-view-id="${ID2}" data-live-view="Child">child</div>` });
    await server.waitFrame('ack', (f) => f.seq === 7, { since });
    server.send({ type: 'remount', old: ID, id: ID3, token: 'tok-new' });
    since = server.count();
    server.send({ type: 'html', id: ID3, seq: 1, html: `<p id="a">fresh</p><div data-live-view-id="${ID2}" data-live-view="Child">child</div>` });
    const ack = await server.waitFrame('ack', (f) => f.id === ID3, { since });
    assert.deepEqual(ack, { v: 1, type: 'ack', id: ID3, seq: 1 });
    const got = await c.page.evaluate(() => {
      const b = document.querySelector('[data-live-view="A"]');
      return [b.getAttribute('data-live-view-id'), b.getAttribute('data-live-token'), b.querySelector('#a').textContent];
    });
    assert.deepEqual(got, [ID3, 'tok-new', 'fresh']);
    // The next hello names it so.
    since = server.count();
    await c.page.evaluate(() => window.__hotreload.reconnect());
    const hello = await server.waitFrame('hello', () => true, { since });
    assert.deepEqual(hello.instances, [{ id: ID3, view: 'A', token: 'tok-new' }, { id: ID2, view: 'Child', parent: ID3 }]);
    await c.close();
  });
});

describe('flash', () => {
  test('dismissing a flash hides it at once and sends clear_flash', async () => {
    const flash = (kind) => `<div class="live-flash live-flash-${kind}" role="alert" data-live-flash="${kind}">${kind} text<button type="button" live-flash-dismiss="${kind}" aria-label="Dismiss">×</button></div>`;
    const c = await openClient(browser, server, page(`${flash('info')}${flash('error')}<div data-live-view-id="${ID2}" data-live-view="Child">${flash('info')}</div>`, { dev: false }));
    const since = server.count();
    await c.page.click('[data-live-flash="error"] button');
    assert.deepEqual(await server.waitFrame('clear_flash', () => true, { since }), { v: 1, type: 'clear_flash', id: ID, kind: 'error' });
    await c.page.click(`[data-live-view-id="${ID2}"] button`);
    assert.deepEqual(await server.waitFrame('clear_flash', (f) => f.id === ID2, { since }), { v: 1, type: 'clear_flash', id: ID2, kind: 'info' });
    const shown = await c.page.evaluate(() => Array.from(document.querySelectorAll('[data-live-flash]')).filter((f) => f.checkVisibility()).map((f) => f.textContent));
    assert.deepEqual(shown, ['info text×']);
    assert.deepEqual(framesSince(since, 'event'), []);
    await c.context.close();
  });

  test('a dismissed flash stays in the tree, hidden, until the server\'s patch removes it (its paths count it)', async () => {
    // What a server sends for `clear_flash`: its last render still had the flash first in the
    // boundary, so the patch removes child 0. Had the click removed the flash, that would be the
    // heading after it, and the next op's path would land one node off.
    const flash = '<div class="live-flash live-flash-info" role="status" data-live-flash="info" style="display: flex">Deleted<button type="button" live-flash-dismiss="info" aria-label="Dismiss">×</button></div>';
    const c = await openClient(browser, server, page(`${flash}<h1>Todo</h1><p class="progress">1 left</p>`, { dev: false }));
    const since = server.count();
    await c.page.click('[live-flash-dismiss]');
    assert.equal(await c.page.evaluate(() => document.querySelector('[data-live-flash]').checkVisibility()), false, 'hidden at once (whatever the page\'s CSS says)');
    await server.waitFrame('clear_flash', () => true, { since });
    server.send({ type: 'patch', id: ID, seq: 1, ops: [{ op: 'remove', path: [0] }, { op: 'text', path: [1, 0], text: '0 left' }] });
    await server.waitFrame('ack', (f) => f.id === ID && f.seq === 1, { since });
    assert.deepEqual(framesSince(since, 'ack'), [{ v: 1, type: 'ack', id: ID, seq: 1 }], 'the patch applied');
    const html = await c.page.evaluate((id) => document.querySelector(`[data-live-view-id="${id}"]`).innerHTML, ID);
    assert.equal(html, '<h1>Todo</h1><p class="progress">0 left</p>');
    await c.context.close();
  });
});
