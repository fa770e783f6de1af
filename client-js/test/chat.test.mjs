// End to end: the `chat` example (`cargo build --examples`) in headless Chromium. Its contract
// (examples/chat.rs): `PORT` sets the port, `REDIS_URL` (optional) connects servers; the page
// has a `<form>` with a text input named `text` whose submit posts a message, and each message
// appears as an `<li>` inside `#messages`.
//
// One server: two tabs see each other's messages. Two servers sharing a Redis (the test starts
// its own `redis-server` on a free port): a tab on each sees the other's; Redis killed, both
// servers keep serving their own tabs; Redis back, the broadcasts between them resume.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleBinary, freePort, launchExampleBrowser, liveReady, startExample, stopProcess, until, waitForPort } from './helpers.mjs';

const CHAT = exampleBinary('chat');
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

let browser;
let dir;
const procs = new Set(); // every process a test started, killed in `after` whatever happened

before(async () => {
  browser = await launchExampleBrowser();
  dir = mkdtempSync(join(tmpdir(), 'hotreload-chat-'));
});

after(async () => {
  await browser?.close();
  await Promise.all([...procs].map((p) => stopProcess(p)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A chat server (`env` over the defaults), killed in `after` if the test does not. */
async function startChat(env = {}) {
  const server = await startExample(CHAT, env);
  procs.add(server.proc);
  return server;
}

/** Starts `redis-server` on `port` (no persistence) and resolves once it accepts connections. */
async function startRedis(port) {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} is missing: install redis-server (tests/run.sh does)`);
  }
  const proc = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let started = false;
  const exited = new Promise((_, reject) => proc.once('exit', (code, signal) => {
    if (!started) reject(new Error(`redis-server exited (${code ?? signal}) before listening on ${port}: ${out}`));
  }));
  await Promise.race([waitForPort(port), exited]);
  started = true;
  return proc;
}

/** Sends one command to the Redis on `port`; resolves with its reply (a status, integer or bulk string). */
function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = Buffer.alloc(0);
    socket.setTimeout(2000, () => { socket.destroy(); reject(new Error('redis did not answer')); });
    socket.on('error', reject);
    socket.on('data', (d) => {
      reply = Buffer.concat([reply, d]);
      const eol = reply.indexOf('\r\n');
      if (eol < 0) return;
      const head = reply.subarray(0, eol).toString();
      if (head[0] !== '$') { socket.end(); resolve(head); return; }
      const length = Number(head.slice(1));
      if (reply.length < eol + 2 + Math.max(length, 0)) return;
      socket.end();
      resolve(length < 0 ? null : reply.subarray(eol + 2, eol + 2 + length).toString());
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/**
 * Waits until `servers` relays have subscribed to the Redis on `port` (each `PSUBSCRIBE`s
 * `hotreload:*` once connected; `CLIENT LIST` shows their `psub=1` connections): from then on
 * a message published on one reaches the others.
 */
function relaysSubscribed(port, servers, timeout) {
  return until(async () => {
    const clients = await redisCommand(port, 'CLIENT', 'LIST');
    return (clients.match(/ psub=[1-9]/g) ?? []).length === servers;
  }, { timeout, what: `${servers} chat servers subscribed to the Redis on port ${port}` });
}

/** Opens the chat at `url` in a new tab and waits until it is connected. */
async function openChat(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await liveReady(page);
  return page;
}

/** Posts `text` from `page`: typed in the message box, then Enter. */
async function post(page, text) {
  await page.fill('form input[name=text]', text);
  await page.press('form input[name=text]', 'Enter');
}

/** Waits until a `#messages li` on `page` shows `text`. */
function shows(page, text, timeout = 5000) {
  return page.waitForFunction(
    (t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes(t)),
    text,
    { timeout },
  ).catch(async (e) => {
    const lines = await page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent)).catch(() => '?');
    throw new Error(`"${text}" did not show on ${page.url()} within ${timeout} ms; it shows ${JSON.stringify(lines)} (${e.message.split('\n')[0]})`);
  });
}

/** Each run's messages are its own (a server keeps the last ones it saw for new pages). */
const tag = () => Math.random().toString(36).slice(2, 8);

test('two tabs on one server see each other\'s messages', async () => {
  const server = await startChat();
  try {
    const a = await openChat(server.url);
    const b = await openChat(server.url);
    const one = `from A ${tag()}`;
    await post(a, one);
    await shows(a, one);
    await shows(b, one);
    assert.equal(await a.inputValue('form input[name=text]'), '', 'the message box is emptied after posting');

    const two = `from B ${tag()}`;
    await post(b, two);
    await shows(b, two);
    await shows(a, two);
    // Every message once, in order, on both tabs.
    for (const page of [a, b]) {
      const lines = await page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));
      assert.equal(lines.filter((l) => l.includes(one)).length, 1, JSON.stringify(lines));
      assert.equal(lines.filter((l) => l.includes(two)).length, 1, JSON.stringify(lines));
      assert.ok(lines.findIndex((l) => l.includes(one)) < lines.findIndex((l) => l.includes(two)), JSON.stringify(lines));
    }
    // A page opened later starts with the conversation so far.
    const c = await openChat(server.url);
    await shows(c, one);
    await shows(c, two);
  } finally {
    await stopProcess(server.proc);
  }
});

test('two servers sharing a Redis: a tab on each sees the other\'s messages', async () => {
  const port = await freePort();
  const redis = await startRedis(port);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}/` };
  const [serverA, serverB] = await Promise.all([startChat(env), startChat(env)]);
  try {
    const a = await openChat(serverA.url);
    const b = await openChat(serverB.url);
    await relaysSubscribed(port, 2, 10000);

    const one = `A to B ${tag()}`;
    await post(a, one);
    await shows(a, one);
    await shows(b, one, 10000);
    const two = `B to A ${tag()}`;
    await post(b, two);
    await shows(b, two);
    await shows(a, two, 10000);
    for (const page of [a, b]) {
      const lines = await page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));
      assert.equal(lines.filter((l) => l.includes(one)).length, 1, `delivered once: ${JSON.stringify(lines)}`);
      assert.equal(lines.filter((l) => l.includes(two)).length, 1, `delivered once: ${JSON.stringify(lines)}`);
    }
  } finally {
    await Promise.all([stopProcess(serverA.proc), stopProcess(serverB.proc), stopProcess(redis)]);
  }
});

test('Redis killed: both servers keep serving; Redis back on its port: broadcasts between them resume', async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}/` };
  const [serverA, serverB] = await Promise.all([startChat(env), startChat(env)]);
  try {
    const a1 = await openChat(serverA.url);
    const a2 = await openChat(serverA.url);
    const b1 = await openChat(serverB.url);
    await relaysSubscribed(port, 2, 10000);
    const before = `before ${tag()}`;
    await post(a1, before);
    await shows(b1, before, 10000);

    await stopProcess(redis, 'SIGKILL');
    // Server A still broadcasts to its own tabs.
    const alone = `A alone ${tag()}`;
    await post(a1, alone);
    await shows(a1, alone);
    await shows(a2, alone);
    // Server B still serves pages, live ones too.
    const b2 = await openChat(serverB.url);
    await shows(b2, before);
    const bAlone = `B alone ${tag()}`;
    await post(b2, bAlone);
    await shows(b2, bAlone);
    await shows(b1, bAlone);
    assert.equal(serverA.proc.exitCode, null, 'server A is still running');
    assert.equal(serverB.proc.exitCode, null, 'server B is still running');

    redis = await startRedis(port);
    // The relays reconnect with a backoff of up to 5 s (plus jitter).
    await relaysSubscribed(port, 2, 15000);
    const after = `B to A after ${tag()}`;
    await post(b1, after);
    await shows(a1, after, 5000);
    await shows(a2, after, 5000);
    const back = `A to B after ${tag()}`;
    await post(a2, back);
    await shows(b1, back, 5000);
    await shows(b2, back, 5000);
  } finally {
    await Promise.all([stopProcess(serverA.proc), stopProcess(serverB.proc), stopProcess(redis)]);
  }
});
