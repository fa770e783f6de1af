// End to end: the `uploads` example (`cargo build --examples`; examples/uploads.rs) in headless
// Chromium, against docs/PROTOCOL.md, "Uploads". The server writes the files under a fresh
// temporary HOTRELOAD_UPLOAD_DIR (`<pid>-<instance>/<n>.upload`), which the test inspects.
//
// One tab goes through: two gallery files (each entry's progress reaches 100%, a 4 MB one shows
// progress on the way, previews are `blob:` URLs, the server's files hold the exact bytes);
// cancelling one (its entry and its file go); a file dropped on the gallery; an avatar over its
// 2 MiB limit (refused, "too large", no file written) and a valid one; the connection dropped
// mid-upload (the entry and the partial file go; the page reconnects); "Save profile" (the
// finished files listed in `#saved`, their temporary files removed).
//
// Until the example binaries are rebuilt with this client, run with HOTRELOAD_E2E_CLIENT=dist
// (helpers.mjs serves hotreload/client/dist in place of the embedded client).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleBinary, launchExampleBrowser, liveReady, startExample, stopProcess, until } from './helpers.mjs';

const UPLOADS = exampleBinary('uploads');

let browser;
let dir;
let server;

before(async () => {
  browser = await launchExampleBrowser(); // fails (never skips) without Chromium
  dir = mkdtempSync(join(tmpdir(), 'hotreload-uploads-'));
});

after(async () => {
  await browser?.close();
  await stopProcess(server?.proc);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The files under the upload dir: `[{ path, size }]`, sorted by path. */
function stored() {
  const walk = (d) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }) : [])
    .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [{ path: join(d, e.name), size: statSync(join(d, e.name)).size }]));
  return walk(dir).sort((a, b) => a.path.localeCompare(b.path));
}

/** `size` bytes of a pattern that differs from chunk to chunk (`seed` varies it). */
function bytes(size, seed) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 16) * 7 + seed) & 0xff;
  return b;
}

/** A 1x1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000201e2a3b4a30000000049454e44ae426082', 'hex');

/** The upload entries on the page: `{ ref, cls, name, percent, progress, error, preview }`. */
const entries = (pg, list) => pg.evaluate((list) => Array.from(document.querySelectorAll(`#${list}-entries li[data-ref]`), (li) => ({
  ref: li.dataset.ref,
  cls: li.className,
  name: li.querySelector('.name')?.textContent,
  percent: li.querySelector('.percent')?.textContent,
  progress: li.querySelector('progress')?.getAttribute('value'),
  error: li.querySelector('.error')?.textContent ?? null,
  preview: li.querySelector('img[live-preview]')?.getAttribute('src') ?? null,
})), list);

test('uploads: progress, previews, cancel, drop, limits, a dropped connection, save', async (t) => {
  server = await startExample(UPLOADS, { HOTRELOAD_UPLOAD_DIR: dir });
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const why = () => `\npage log:\n${logs.join('\n')}\nserver output:\n${server.output()}\nstored: ${JSON.stringify(stored())}`;
  /** Polls the entries of `list` until `pick(entries)` is truthy; returns them. */
  const shows = (list, pick, what, timeout = 15000) => until(async () => {
    const e = await entries(page, list);
    return pick(e) ? e : new Error(JSON.stringify(e));
  }, { timeout, what }).catch((e) => { throw new Error(e.message + why()); });

  const big = bytes(4_000_000, 1);
  const small = bytes(100_000, 2);
  let bigRef;

  await t.test('boot: the served client speaks uploads; a recorder of every percent shown', async () => {
    await page.goto(server.url);
    await liveReady(page);
    const client = await page.evaluate(() => fetch(document.querySelector('script[data-hotreload-client]').src).then((r) => r.text()));
    assert.ok(client.includes('upload_ready'), `${UPLOADS} embeds a client without uploads: rebuild it (cargo build --examples), or run with HOTRELOAD_E2E_CLIENT=dist`);
    // Every `.percent` text each entry showed, in order (each change once).
    await page.evaluate(() => {
      window.__percents = {};
      const record = () => {
        for (const li of document.querySelectorAll('li[data-ref]')) {
          const seen = (window.__percents[li.dataset.ref] ??= []);
          const text = li.querySelector('.percent')?.textContent;
          if (seen[seen.length - 1] !== text) seen.push(text);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    assert.deepEqual(await entries(page, 'gallery'), []);
    assert.deepEqual(stored(), []);
  });

  await t.test('two gallery files: each reaches 100% (the 4 MB one on the way), with previews; the exact bytes stored', async () => {
    await page.setInputFiles('#gallery', [
      { name: 'big.png', mimeType: 'image/png', buffer: big },
      { name: 'small.png', mimeType: 'image/png', buffer: small },
    ]);
    const done = await shows('gallery', (e) => e.length === 2 && e.every((x) => x.percent === '100%'), 'both gallery entries at 100%');
    assert.deepEqual(done.map(({ name, cls, percent, progress, error }) => ({ name, cls, percent, progress, error })), [
      { name: 'big.png', cls: 'done', percent: '100%', progress: '100', error: null },
      { name: 'small.png', cls: 'done', percent: '100%', progress: '100', error: null },
    ]);
    for (const e of done) assert.match(e.preview, /^blob:/, 'the preview is the chosen file');
    assert.notEqual(done[0].preview, done[1].preview);
    assert.equal(await page.evaluate(() => document.querySelector('#gallery').files.length), 0, 'the input was cleared');
    bigRef = done[0].ref;
    const percents = await page.evaluate((ref) => window.__percents[ref], bigRef);
    const between = percents.filter((p) => /^\d+%$/.test(p) && Number.parseInt(p, 10) < 100 && Number.parseInt(p, 10) > 0);
    t.diagnostic(`the 4 MB file showed ${percents.length} percents: ${percents.join(' ')}`);
    assert.ok(between.length >= 1, `progress below 100% was visible on the way: ${percents.join(' ')}`);
    assert.equal(percents[percents.length - 1], '100%');
    const files = stored();
    assert.deepEqual(files.map((f) => f.size), [4_000_000, 100_000], why());
    assert.ok(readFileSync(files[0].path).equals(big), 'the big file\'s bytes, exactly');
    assert.ok(readFileSync(files[1].path).equals(small), 'the small file\'s bytes, exactly');
  });

  await t.test('cancel: the entry and its stored file go', async () => {
    const before = stored();
    await page.click('#gallery-entries li:nth-child(2) button.cancel');
    const left = await shows('gallery', (e) => e.length === 1, 'the cancelled entry gone');
    assert.equal(left[0].name, 'big.png');
    await until(() => stored().length === 1, { what: 'the cancelled file removed' });
    assert.deepEqual(stored(), [before[0]]);
  });

  await t.test('a file dropped on the gallery is uploaded', async () => {
    await page.evaluate((png) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(png)], 'dropped.png', { type: 'image/png' }));
      const zone = document.querySelector('#gallery-drop');
      for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [...PNG]);
    const e = await shows('gallery', (x) => x.length === 2 && x[1].percent === '100%', 'the dropped file at 100%');
    assert.equal(e[1].name, 'dropped.png');
    assert.match(e[1].preview, /^blob:/);
    assert.equal(await page.evaluate(() => document.querySelector('#gallery-entries li:nth-child(2) img').decode().then(() => document.querySelector('#gallery-entries li:nth-child(2) img').naturalWidth, () => -1)), 1, 'the preview shows the picture');
    assert.deepEqual(stored().map((f) => f.size), [4_000_000, PNG.length]);
  });

  await t.test('an avatar over 2 MiB is refused ("too large ..."), nothing stored; a small one goes', async () => {
    const before = stored();
    await page.setInputFiles('#avatar', [{ name: 'huge.png', mimeType: 'image/png', buffer: bytes(3 * 1024 * 1024, 3) }]);
    const refused = await shows('avatar', (e) => e.length === 1 && e[0].error, 'the avatar\'s error');
    assert.equal(refused[0].cls, 'refused');
    assert.equal(refused[0].name, 'huge.png');
    assert.match(refused[0].error, /^too large \(3145728 bytes; at most 2097152\)$/);
    assert.equal(refused[0].percent, '0%');
    assert.deepEqual(stored(), before, 'no file for the refused avatar');
    assert.ok(!logs.some((l) => l.includes('bad_frame')), why());

    await page.setInputFiles('#avatar', [{ name: 'me.png', mimeType: 'image/png', buffer: PNG }]);
    const e = await shows('avatar', (x) => x.length === 2 && x[1].percent === '100%', 'the small avatar at 100%');
    assert.equal(e[1].name, 'me.png');
    assert.equal(e[1].cls, 'done');
    assert.deepEqual(stored().map((f) => f.size).sort((a, b) => a - b), [PNG.length, PNG.length, 4_000_000]);
  });

  await t.test('the connection dropped mid-upload: the entry and the partial file go', async () => {
    const complete = stored();
    // Slow the page's reads (a slow link, as it were) so the 4.9 MB file is well on its way, not
    // done, when the socket closes: the moment the new entry shows between 20% and 100%, the page
    // drops its socket (`__hotreload.reconnect()`, as Ctrl+Shift+R does) and connects again.
    await page.evaluate(() => {
      const read = (window.__read = Blob.prototype.arrayBuffer);
      Blob.prototype.arrayBuffer = async function () { await new Promise((r) => setTimeout(r, 20)); return read.call(this); };
      window.__dropped = null;
      const known = new Set(Array.from(document.querySelectorAll('li[data-ref]'), (li) => li.dataset.ref));
      const watch = new MutationObserver(() => {
        for (const li of document.querySelectorAll('#gallery-entries li[data-ref]')) {
          if (known.has(li.dataset.ref)) continue;
          const p = Number.parseInt(li.querySelector('.percent')?.textContent ?? '', 10);
          if (p >= 20 && p < 100) {
            watch.disconnect();
            window.__dropped = { ref: li.dataset.ref, percent: p };
            window.__hotreload.reconnect();
            return;
          }
        }
      });
      watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const stats = await page.evaluate(() => window.__hotreload.stats().reconnects);
    // Meanwhile the server has a partial file for it: watch for one.
    const paths = new Set(complete.map((f) => f.path));
    let partial = 0;
    const poll = setInterval(() => {
      for (const f of stored()) if (!paths.has(f.path) && f.size > 0 && f.size < 4_900_000) partial = Math.max(partial, f.size);
    }, 5);
    await page.setInputFiles('#gallery', [{ name: 'partial.png', mimeType: 'image/png', buffer: bytes(4_900_000, 4) }]);
    const dropped = await until(() => page.evaluate(() => window.__dropped), { timeout: 15000, what: 'the upload on its way, then the socket dropped' });
    clearInterval(poll);
    t.diagnostic(`dropped at ${dropped.percent}%; the server's partial file had ${partial} bytes`);
    assert.ok(partial > 0, 'the server had a partial file');
    await liveReady(page, { reconnects: stats + 1 });
    const e = await shows('gallery', (x) => x.length === 2 && !x.some((y) => y.ref === dropped.ref), 'the partial entry gone after the reconnect');
    assert.deepEqual(e.map((x) => x.name), ['big.png', 'dropped.png']);
    await until(() => stored().length === complete.length, { what: 'the partial file removed' }).catch((err) => { throw new Error(err.message + why()); });
    assert.deepEqual(stored(), complete, 'only the complete files stay');
    await page.evaluate(() => { Blob.prototype.arrayBuffer = window.__read; });
    assert.match(logs.join('\n'), /the connection closed: 1 upload\(s\) dropped/);
  });

  await t.test('Save profile: the finished files are listed, their temporary copies removed', async () => {
    await page.fill('input[name="name"]', 'Ada');
    await page.click('button[type="submit"]');
    const saved = await until(async () => {
      const items = await page.evaluate(() => Array.from(document.querySelectorAll('#saved li'), (li) => li.textContent));
      return items.length ? items : null;
    }, { what: '#saved items' });
    assert.deepEqual(saved, [
      `avatar: me.png (${PNG.length} bytes)`,
      'gallery: big.png (4000000 bytes)',
      `gallery: dropped.png (${PNG.length} bytes)`,
    ]);
    assert.deepEqual(await entries(page, 'gallery'), [], 'consumed');
    const avatar = await entries(page, 'avatar');
    assert.deepEqual(avatar.map((x) => x.cls), ['refused'], 'the refused avatar stays until cancelled');
    await until(() => stored().length === 0, { what: 'the temporary files removed' }).catch((err) => { throw new Error(err.message + why()); });
    assert.equal(await page.inputValue('input[name="name"]'), 'Ada');
    assert.deepEqual(logs.filter((l) => l.startsWith('pageerror')), [], 'no page errors');
  });

  await context.close();
});
