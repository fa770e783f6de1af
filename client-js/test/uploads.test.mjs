// Uploads against the mock server (docs/PROTOCOL.md, "Uploads"): `input[live-upload]` and
// `live-drop` announce their files in an `upload` frame; after `upload_ready` the files come as
// binary frames (0x01, the instance id as 8 bytes big-endian, the ref's length, the ref, at most
// `chunk` bytes of data), one file at a time, under 1 MiB buffered; `upload_stop` stops one; a
// closed socket drops the rest; `img[live-preview]` shows the chosen file from a `blob:` URL.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ID, ID2, launchBrowser, openClient, page, sleep, startServer } from './helpers.mjs';

let browser;
let server;
/** Every binary frame the mock received: `{ conn, kind, id, ref, data }`. */
const binaries = [];
const tapped = new WeakSet();

/** Splits an upload chunk as the server does (hotreload/src/live/upload.rs, `parse_chunk`). */
function parseChunk(buf) {
  const kind = buf[0];
  const id = buf.readBigUInt64BE(1).toString(16).padStart(16, '0');
  const n = buf[9];
  return { kind, id, ref: buf.subarray(10, 10 + n).toString('utf8'), data: Buffer.from(buf.subarray(10 + n)), head: [...buf.subarray(0, 10 + n)], raw: buf.length };
}

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  // The helper's mock parses text frames only: record the binary ones of every connection.
  server.state.onHello = (ws) => {
    if (tapped.has(ws)) return;
    tapped.add(ws);
    ws.on('message', (data, isBinary) => { if (isBinary) binaries.push({ conn: ws, ...parseChunk(Buffer.from(data)) }); });
  };
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** `size` bytes of a pattern that differs at every position of a chunk (`seed` varies it). */
function bytes(size, seed = 1) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 8) * 7 + seed) & 0xff;
  return b;
}

/** A 1x1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000201e2a3b4a30000000049454e44ae426082', 'hex');

const GALLERY = `<p id="t">x</p><input type="file" id="gallery" live-upload="gallery" multiple>
<div id="drop" live-drop="gallery"><span id="inside">drop here</span></div><ul id="entries"></ul>`;

async function open(inner = GALLERY, opts = {}) {
  const client = await openClient(browser, server, page(inner, opts));
  binaries.length = 0;
  let seq = 0;
  return {
    ...client,
    /** Sends a patch and waits for its ack. */
    async patch(ops, id = ID) {
      const s = ++seq;
      const since = server.count();
      server.send({ type: 'patch', id, seq: s, ops });
      const ack = await server.waitFrame('ack', (f) => f.seq === s && f.id === id, { since });
      assert.equal(ack.error, undefined, JSON.stringify(ack));
    },
    async html(html, id = ID) {
      const s = ++seq;
      const since = server.count();
      server.send({ type: 'html', id, seq: s, html });
      const ack = await server.waitFrame('ack', (f) => f.seq === s && f.id === id, { since });
      assert.equal(ack.error, undefined, JSON.stringify(ack));
    },
    /** Every byte received for `ref`, in order. */
    received: (ref) => Buffer.concat(binaries.filter((b) => b.ref === ref).map((b) => b.data)),
    warnings: () => client.logs.filter((l) => l.startsWith('warning:')),
    async close() {
      assert.deepEqual(client.logs.filter((l) => l.startsWith('pageerror')), []);
      await client.context.close();
    },
  };
}

/** Makes every `Blob#arrayBuffer` in the page take `ms` longer (so a file streams slowly). */
const slowReads = (pg, ms) => pg.evaluate((ms) => {
  const read = Blob.prototype.arrayBuffer;
  Blob.prototype.arrayBuffer = async function () { await new Promise((r) => setTimeout(r, ms)); return read.call(this); };
}, ms);

/** Waits until `check()` is truthy (polling the binaries the mock got). */
async function until(check, what, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (binary frames: ${binaries.map((b) => `${b.ref}:${b.data.length}`).join(' ')})`);
    await sleep(10);
  }
}

test('chosen files: the exact upload frame, then the exact chunks after upload_ready, one file at a time', async () => {
  const c = await open();
  const big = bytes(200000, 3); // 4 chunks of at most 65536
  const small = bytes(1000, 9);
  const since = server.count();
  await c.page.setInputFiles('#gallery', [
    { name: 'big.png', mimeType: 'image/png', buffer: big },
    { name: 'small.gif', mimeType: 'image/gif', buffer: small },
  ]);
  const upload = await server.waitFrame('upload', () => true, { since });
  assert.deepEqual(upload, {
    v: 1, type: 'upload', id: ID, name: 'gallery',
    files: [
      { ref: 'u1', name: 'big.png', size: 200000, type: 'image/png' },
      { ref: 'u2', name: 'small.gif', size: 1000, type: 'image/gif' },
    ],
  });
  assert.equal(await c.page.evaluate(() => document.querySelector('#gallery').files.length), 0, 'the input is cleared');
  await sleep(100);
  assert.equal(binaries.length, 0, 'nothing is sent before upload_ready');

  const before = server.count();
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1', 'u2'], chunk: 65536 });
  await until(() => c.received('u2').length === 1000, 'every byte of u2');
  assert.deepEqual(binaries.map((b) => [b.ref, b.data.length]), [['u1', 65536], ['u1', 65536], ['u1', 65536], ['u1', 3392], ['u2', 1000]]);
  for (const b of binaries) {
    assert.equal(b.kind, 1);
    assert.equal(b.id, ID);
    assert.equal(b.raw, 1 + 8 + 1 + 2 + b.data.length, 'header: kind, 8 id bytes, ref length, ref');
  }
  // The header, byte by byte: 0x01, 00000000000000a1 big-endian, 2, "u1".
  assert.deepEqual(binaries[0].head, [0x01, 0, 0, 0, 0, 0, 0, 0, 0xa1, 2, 0x75, 0x31]);
  assert.deepEqual(binaries[4].head, [0x01, 0, 0, 0, 0, 0, 0, 0, 0xa1, 2, 0x75, 0x32]);
  assert.ok(c.received('u1').equals(big), 'u1 reassembled exactly');
  assert.ok(c.received('u2').equals(small), 'u2 reassembled exactly');
  await sleep(100);
  assert.deepEqual(server.frames().slice(before).filter((f) => f.type === 'ack'), [], 'upload_ready is not acked');

  // More files later get the next refs (unique on the page); only the wanted ones are sent.
  const since2 = server.count();
  await c.page.setInputFiles('#gallery', [
    { name: 'c.png', mimeType: 'image/png', buffer: bytes(10, 1) },
    { name: 'refused.exe', mimeType: 'application/octet-stream', buffer: bytes(10, 2) },
  ]);
  const upload2 = await server.waitFrame('upload', () => true, { since: since2 });
  assert.deepEqual(upload2.files.map((f) => f.ref), ['u3', 'u4']);
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u3'], chunk: 65536 });
  await until(() => c.received('u3').length === 10, 'u3');
  await sleep(100);
  assert.equal(c.received('u4').length, 0, 'a file the server did not ask for is not sent');
  await c.close();
});

test('the same file chosen again is announced again (the input was cleared); an empty file is one frame without data', async () => {
  const c = await open();
  const file = { name: 'e.png', mimeType: 'image/png', buffer: Buffer.alloc(0) };
  const since = server.count();
  await c.page.setInputFiles('#gallery', [file]);
  await server.waitFrame('upload', () => true, { since });
  await c.page.setInputFiles('#gallery', [file]);
  await server.waitFor((fs) => fs.slice(since).filter((f) => f.type === 'upload').length === 2, { what: 'a second upload' });
  const uploads = server.frames('upload').slice(-2);
  assert.deepEqual(uploads.map((u) => u.files), [[{ ref: 'u1', name: 'e.png', size: 0, type: 'image/png' }], [{ ref: 'u2', name: 'e.png', size: 0, type: 'image/png' }]]);
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1'], chunk: 65536 });
  await until(() => binaries.length === 1, 'the empty file\'s frame');
  assert.deepEqual(binaries.map((b) => [b.ref, b.data.length, b.raw]), [['u1', 0, 12]]);
  await c.close();
});

test('upload_stop: the file in progress stops after its current chunk, a queued one is skipped, the next goes', async () => {
  const c = await open();
  await slowReads(c.page, 25);
  const big = bytes(20 * 65536, 5); // 20 chunks, 25 ms each at least
  const since = server.count();
  await c.page.setInputFiles('#gallery', [
    { name: 'a.png', mimeType: 'image/png', buffer: big },
    { name: 'b.png', mimeType: 'image/png', buffer: bytes(5000, 6) },
    { name: 'c.png', mimeType: 'image/png', buffer: bytes(7000, 7) },
  ]);
  await server.waitFrame('upload', () => true, { since });
  const before = server.count();
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1', 'u2', 'u3'], chunk: 65536 });
  await until(() => binaries.filter((b) => b.ref === 'u1').length >= 2, 'two chunks of u1');
  server.send({ type: 'upload_stop', id: ID, ref: 'u1', reason: 'cancelled' });
  server.send({ type: 'upload_stop', id: ID, ref: 'u2', reason: 'too large' });
  await until(() => c.received('u3').length === 7000, 'u3 after the stops');
  const u1 = c.received('u1');
  assert.ok(u1.length < big.length, `u1 stopped early (${u1.length} of ${big.length} bytes)`);
  assert.ok(u1.equals(big.subarray(0, u1.length)), 'what went of u1 is its start');
  assert.ok(binaries.filter((b) => b.ref === 'u1').length <= 4, 'at most the chunk in flight after the stop');
  assert.equal(c.received('u2').length, 0, 'the queued u2 was skipped');
  assert.ok(c.received('u3').equals(bytes(7000, 7)));
  assert.deepEqual(binaries.map((b) => b.ref).filter((r, i, a) => a.indexOf(r) === i), ['u1', 'u3'], 'in order, one file at a time');
  await sleep(100);
  assert.deepEqual(server.frames().slice(before).filter((f) => f.type === 'ack'), [], 'upload_stop is not acked');
  const warnings = c.warnings().join('\n');
  assert.match(warnings, /upload u1 stopped by the server: cancelled/);
  assert.match(warnings, /upload u2 stopped by the server: too large/);
  await c.close();
});

test('a drop on a live-drop element: highlighted while dragged over, its files announced', async () => {
  const c = await open();
  const since = server.count();
  const states = await c.page.evaluate(async () => {
    const dt = new DataTransfer();
    dt.items.add(new File(['hello'], 'd.png', { type: 'image/png' }));
    dt.items.add(new File(['hi there'], 'e.webp', { type: 'image/webp' }));
    const inside = document.querySelector('#inside');
    const zone = document.querySelector('#drop');
    const fire = (type, target = inside) => {
      const e = new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true });
      target.dispatchEvent(e);
      return e.defaultPrevented;
    };
    const out = {};
    out.enter = fire('dragenter');
    out.over = fire('dragover');
    out.active = zone.classList.contains('live-drop-active');
    // Moving inside the zone keeps it; leaving it (to the page around it) ends it.
    inside.dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true, relatedTarget: zone }));
    out.within = zone.classList.contains('live-drop-active');
    zone.dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true, relatedTarget: document.querySelector('#t') }));
    out.left = zone.classList.contains('live-drop-active');
    fire('dragover');
    await new Promise((r) => setTimeout(r, 1300)); // no dragover for a while: the drag ended elsewhere
    out.idle = zone.classList.contains('live-drop-active');
    fire('dragover');
    out.again = zone.classList.contains('live-drop-active');
    out.drop = fire('drop');
    out.after = zone.classList.contains('live-drop-active');
    // Text dragged over it is none of its business.
    const text = new DataTransfer();
    text.setData('text/plain', 'x');
    const e = new DragEvent('dragover', { dataTransfer: text, bubbles: true, cancelable: true });
    zone.dispatchEvent(e);
    out.text = e.defaultPrevented || zone.classList.contains('live-drop-active');
    return out;
  });
  assert.deepEqual(states, { enter: true, over: true, active: true, within: true, left: false, idle: false, again: true, drop: true, after: false, text: false });
  const upload = await server.waitFrame('upload', () => true, { since });
  assert.deepEqual(upload, {
    v: 1, type: 'upload', id: ID, name: 'gallery',
    files: [{ ref: 'u1', name: 'd.png', size: 5, type: 'image/png' }, { ref: 'u2', name: 'e.webp', size: 8, type: 'image/webp' }],
  });
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1', 'u2'], chunk: 65536 });
  await until(() => c.received('u2').length === 8, 'the dropped files');
  assert.equal(c.received('u1').toString(), 'hello');
  assert.equal(c.received('u2').toString(), 'hi there');
  await c.close();
});

test('the closest boundary: a nested view\'s input uploads to the nested instance', async () => {
  const c = await open(`<p>outer</p><div data-live-view-id="${ID2}" data-live-view="Inner"><input type="file" id="inner" live-upload="avatar"></div>`);
  const since = server.count();
  await c.page.setInputFiles('#inner', [{ name: 'x.png', mimeType: 'image/png', buffer: bytes(70000, 2) }]);
  const upload = await server.waitFrame('upload', () => true, { since });
  assert.equal(upload.id, ID2);
  assert.equal(upload.name, 'avatar');
  server.send({ type: 'upload_ready', id: ID2, name: 'avatar', refs: ['u1'], chunk: 65536 });
  await until(() => c.received('u1').length === 70000, 'the nested upload');
  assert.deepEqual(binaries.map((b) => [b.id, b.data.length]), [[ID2, 65536], [ID2, 4464]]);
  // The chunk size is the server's.
  const since2 = server.count();
  binaries.length = 0;
  await c.page.setInputFiles('#inner', [{ name: 'y.png', mimeType: 'image/png', buffer: bytes(2500, 4) }]);
  await server.waitFrame('upload', () => true, { since: since2 });
  server.send({ type: 'upload_ready', id: ID2, name: 'avatar', refs: ['u2'], chunk: 1000 });
  await until(() => c.received('u2').length === 2500, 'u2 in small chunks');
  assert.deepEqual(binaries.map((b) => b.data.length), [1000, 1000, 500]);
  await c.close();
});

test('backpressure: never more than 1 MiB buffered on the socket, and every byte arrives', async (t) => {
  const c = await open();
  const size = 48 * 1024 * 1024;
  // Record the socket's bufferedAmount at every binary send.
  await c.page.evaluate(() => {
    window.__buffered = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (typeof data !== 'string') window.__buffered.push(this.bufferedAmount + data.byteLength);
      return send.call(this, data);
    };
  });
  const conn = server.conn;
  const since = server.count();
  // A big file made in the page (not sent over the test protocol).
  await c.page.evaluate((size) => {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 131 + (i >> 16)) & 0xff;
    const dt = new DataTransfer();
    dt.items.add(new File([data], 'huge.png', { type: 'image/png' }));
    const input = document.querySelector('#gallery');
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, size);
  await server.waitFrame('upload', () => true, { since });
  // The mock stops reading for a while: the socket fills up and the client waits.
  conn._socket.pause();
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1'], chunk: 65536 }, conn);
  await sleep(1500);
  const paused = await c.page.evaluate(() => ({ n: window.__buffered.length, max: Math.max(...window.__buffered) }));
  conn._socket.resume();
  let total = 0;
  await until(() => { total = binaries.reduce((n, b) => n + b.data.length, 0); return total === size; }, 'every byte of the big file', 30000);
  const got = c.received('u1');
  let same = got.length === size;
  for (let i = 0; same && i < size; i += 4093) same = got[i] === ((i * 131 + (i >> 16)) & 0xff);
  assert.ok(same, 'the bytes arrived in order');
  const max = await c.page.evaluate(() => Math.max(...window.__buffered));
  assert.ok(max <= 1024 * 1024, `at most 1 MiB buffered (max ${max})`);
  t.diagnostic(`while the mock did not read: ${paused.n} chunks sent, ${paused.max} bytes buffered at most`);
  assert.ok(paused.max > 512 * 1024, `the socket filled up while the mock did not read (max ${paused.max})`);
  assert.ok(paused.n < size / 65536, `the client waited while the mock did not read (${paused.n} of ${size / 65536} chunks sent, max buffered ${paused.max})`);
  await c.close();
});

test('the socket closing mid-file drops the rest; after the reconnect nothing more is sent', async () => {
  const c = await open();
  await slowReads(c.page, 25);
  const since = server.count();
  await c.page.setInputFiles('#gallery', [
    { name: 'a.png', mimeType: 'image/png', buffer: bytes(20 * 65536, 1) },
    { name: 'b.png', mimeType: 'image/png', buffer: bytes(3000, 2) },
  ]);
  await server.waitFrame('upload', () => true, { since });
  const first = server.conn;
  server.send({ type: 'upload_ready', id: ID, name: 'gallery', refs: ['u1', 'u2'], chunk: 65536 });
  await until(() => binaries.length >= 2, 'two chunks');
  const before = server.count();
  first.terminate();
  await server.waitFrame('hello', () => true, { since: before });
  const sent = binaries.length;
  await sleep(800);
  assert.equal(binaries.length, sent, 'no chunk after the close');
  assert.ok(binaries.every((b) => b.conn === first && b.ref === 'u1'));
  assert.match(c.warnings().join('\n'), /the connection closed: 2 upload\(s\) dropped/);

  // While the socket is down, chosen files are not kept for later: a warning only.
  await c.page.waitForFunction(() => window.__hotreload.state === 'open');
  await c.page.evaluate(() => window.__hotreload.close());
  const down = server.frames('upload').length;
  await c.page.setInputFiles('#gallery', [{ name: 'z.png', mimeType: 'image/png', buffer: bytes(10, 3) }]);
  const back = server.count();
  await c.page.evaluate(() => window.__hotreload.reconnect());
  await server.waitFrame('hello', () => true, { since: back });
  await sleep(300);
  assert.equal(server.frames('upload').length, down, 'no upload frame, then or after the reconnect');
  assert.match(c.warnings().join('\n'), /not connected: 1 file\(s\) for upload "gallery" not sent/);
  assert.equal(await c.page.evaluate(() => document.querySelector('#gallery').files.length), 0, 'the input is cleared');
  await c.close();
});

test('img[live-preview]: a blob: URL of the chosen file after a patch inserts it, kept through morphs, revoked once gone', async () => {
  const c = await open();
  const since = server.count();
  await c.page.setInputFiles('#gallery', [{ name: 'p.png', mimeType: 'image/png', buffer: PNG }]);
  await server.waitFrame('upload', () => true, { since });
  await c.patch([{ op: 'insert', path: [4], index: 0, html: '<li><img id="pv" live-preview="u1" alt=""> <img id="unknown" live-preview="u9" alt=""></li>' }]);
  const shown = await c.page.evaluate(async () => {
    const img = document.querySelector('#pv');
    await img.decode().catch(() => {});
    return { src: img.getAttribute('src'), w: img.naturalWidth, unknown: document.querySelector('#unknown').getAttribute('src') };
  });
  assert.match(shown.src, /^blob:/);
  assert.equal(shown.w, 1, 'the image shows the file');
  assert.equal(shown.unknown, null, 'a ref the page did not choose gets nothing');

  // An html frame (no src in the server's markup) and a second preview of the same file: the same URL.
  await c.html(`<p id="t">y</p><input type="file" id="gallery" live-upload="gallery" multiple>
<div id="drop" live-drop="gallery"><span id="inside">drop here</span></div><ul id="entries"><li><img id="pv" live-preview="u1" alt=""></li><li><img id="pv2" live-preview="u1" alt=""></li></ul>`);
  const again = await c.page.evaluate(() => [document.querySelector('#pv').getAttribute('src'), document.querySelector('#pv2').getAttribute('src')]);
  assert.deepEqual(again, [shown.src, shown.src]);
  // Not fetched over HTTP.
  assert.ok(!server.requests.some((r) => r.includes('u1')), JSON.stringify(server.requests));

  // Removed: the URL is revoked a while later (10 s), not at once.
  await c.patch([{ op: 'remove', path: [4, 1] }, { op: 'remove', path: [4, 0] }]);
  const fetchable = (url) => c.page.evaluate((u) => fetch(u).then(() => true, () => false), url);
  assert.equal(await fetchable(shown.src), true, 'still there just after');
  const removed = Date.now();
  while (await fetchable(shown.src)) {
    assert.ok(Date.now() - removed < 13000, 'the URL is revoked');
    await sleep(250);
  }
  assert.ok(Date.now() - removed > 8000, `revoked after a while, not at once (${Date.now() - removed} ms)`);
  await c.close();
});
