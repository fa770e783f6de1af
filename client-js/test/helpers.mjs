// Test harness: a small HTTP server (pages + the client files), a `ws` mock of the hotreload
// WebSocket endpoint speaking docs/PROTOCOL.md, and headless Debian Chromium via playwright-core.
//
// The server serves the built files like the Rust server does: `/client.js` (or any path with
// `?_hotreload=client.js`) is hotreload/client/dist/runtime.js, `/dev.js` (`?_hotreload=dev.js`)
// is dist/dev.js; `/src/...` serves the sources as plain ES modules, for the test-only
// `/src/testing/canonical.js`.
//
// For the tests against the real examples (built by cargo): `exampleBinary`, `startExample`
// (resolves once it prints its URL), `stopProcess`, `freePort`, `waitForPort`, `until`,
// `liveReady` (the page's socket open and welcomed) and `launchExampleBrowser`.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
export const CLIENT_DIR = join(here, '..', '..', 'hotreload', 'client');
export const RUNTIME_PATH = join(CLIENT_DIR, 'dist', 'runtime.js');
export const DEV_PATH = join(CLIENT_DIR, 'dist', 'dev.js');
export const SRC_DIR = join(CLIENT_DIR, 'src');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium; fails loudly when it is not installed (never skips). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium); the browser tests cannot run without it`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const ID = '00000000000000a1';
export const ID2 = '00000000000000b2';

/**
 * A full page with one boundary holding `inner`, and the client script tag (`src`, default
 * `/client.js`; with `dev`, `data-dev="1"`, the dev client's URL derived from `src` unless
 * `devClient` sets `data-dev-client`).
 */
export function page(inner, { dev = true, devClient = null, src = '/client.js', id = ID, view = 'Test', extraAttrs = '', head = '', after = '', client = true } = {}) {
  const devAttrs = dev ? ` data-dev="1"${devClient ? ` data-dev-client="${devClient}"` : ''}` : '';
  const tag = client
    ? `<script type="module" src="${src}" data-hotreload-client data-socket="/_hotreload/ws"${devAttrs} ${extraAttrs}></script>`
    : '';
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>${head}</head><body><div data-live-view-id="${id}" data-live-view="${view}">${inner}</div>${after}${tag}</body></html>`;
}

const js = (path) => ({ type: 'text/javascript', body: readFileSync(path, 'utf8') });

/** The client files and sources, by URL (read on every request, so a rebuild is picked up). */
function clientRoute(url) {
  const query = url.searchParams.get('_hotreload');
  if (query === 'client.js' || (query === null && url.pathname === '/client.js')) return js(RUNTIME_PATH);
  if (query === 'dev.js' || (query === null && url.pathname === '/dev.js')) return js(DEV_PATH);
  if (query === null && url.pathname.startsWith('/src/') && extname(url.pathname) === '.js') {
    const file = normalize(join(SRC_DIR, decodeURIComponent(url.pathname.slice('/src/'.length))));
    if (file.startsWith(SRC_DIR + sep) && existsSync(file)) return js(file);
  }
  return null;
}

/** Starts the HTTP + WebSocket mock server on 127.0.0.1 (port 0). */
export async function startServer() {
  const routes = new Map(); // path -> { type, body } | (req) => { type, body, status, delayMs }
  const hits = new Map(); // path -> request count
  const requests = []; // every request's path and query, in order
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    requests.push(url.pathname + url.search);
    // `?_hotreload=` names a client file whatever the path (as on the Rust server's live
    // routes); then the test's own routes; then the client files by path.
    let route = url.searchParams.has('_hotreload') ? clientRoute(url) : routes.get(url.pathname) ?? clientRoute(url);
    if (typeof route === 'function') route = route(req, url);
    if (!route) { res.writeHead(404).end('not found'); return; }
    const send = () => {
      res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(route.body);
    };
    if (route.delayMs) setTimeout(send, route.delayMs); else send();
  });
  const wss = new WebSocketServer({ server, path: '/_hotreload/ws' });
  const state = {
    conns: [], // every connection ever made, in order
    messages: [], // { conn, frame } in arrival order
    welcome: true, // answer hello with welcome automatically
    boot: 'boot-1',
    onHello: null, // optional (conn, frame) => void
    answerPing: true,
  };
  wss.on('connection', (ws) => {
    state.conns.push(ws);
    ws.on('message', (data) => {
      let frame;
      try { frame = JSON.parse(String(data)); } catch { frame = { type: '<bad json>', raw: String(data) }; }
      state.messages.push({ conn: ws, frame });
      if (frame.type === 'hello') {
        if (state.welcome) ws.send(JSON.stringify({ v: 1, type: 'welcome', boot: state.boot, dev: true }));
        state.onHello?.(ws, frame);
      }
      if (frame.type === 'ping' && state.answerPing) ws.send(JSON.stringify({ v: 1, type: 'pong', n: frame.n }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;

  const api = {
    base,
    state,
    hits,
    requests,
    route(path, body, type = 'text/html; charset=utf-8') { routes.set(path, typeof body === 'function' ? body : { body, type }); },
    unroute(path) { routes.delete(path); },
    /** Frames received from clients, optionally of one type. */
    frames(type) { return state.messages.filter((m) => !type || m.frame.type === type).map((m) => m.frame); },
    /** The most recent open connection. */
    get conn() { return [...state.conns].reverse().find((c) => c.readyState === 1); },
    openConns() { return state.conns.filter((c) => c.readyState === 1).length; },
    send(frame, conn = api.conn) { conn.send(JSON.stringify({ v: 1, ...frame })); },
    /** Waits until `pick(frames)` returns something truthy; returns it. */
    async waitFor(pick, { timeout = 5000, what = 'condition' } = {}) {
      const end = Date.now() + timeout;
      for (;;) {
        const got = pick(state.messages.map((m) => m.frame));
        if (got) return got;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got frames: ${JSON.stringify(state.messages.map((m) => m.frame)).slice(0, 1500)}`);
        await sleep(10);
      }
    },
    /** Waits for a frame of `type` matching `pred`, received after `since` frames. */
    waitFrame(type, pred = () => true, { since = 0, timeout = 5000 } = {}) {
      return api.waitFor((fs) => fs.slice(since).find((f) => f.type === type && pred(f)), { timeout, what: `a ${type} frame` });
    },
    count() { return state.messages.length; },
    async close() {
      for (const c of state.conns) c.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return api;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `html` (served at `path`) in a fresh browser context and waits for the client's hello
 * and, on a page with `data-dev`, for the dev client to have loaded (or failed to).
 */
export async function openClient(browser, server, html, { path = '/', waitHello = true, waitDev = true } = {}) {
  server.route(path, html);
  const context = await browser.newContext();
  const pg = await context.newPage();
  const logs = [];
  pg.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  pg.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const since = server.count();
  await pg.goto(server.base + path);
  if (waitHello) await server.waitFrame('hello', () => true, { since });
  if (waitHello && waitDev) await devLoaded(pg);
  return { page: pg, context, logs };
}

/** Waits until the dev client is no longer loading (at once on a page without `data-dev`). */
export function devLoaded(pg) {
  return pg.waitForFunction(() => window.__hotreload && window.__hotreload.dev !== 'loading');
}

/** Shadow-root query in the dev UI host. */
export function ui(pg, selector) {
  return pg.evaluate((sel) => {
    const root = document.querySelector('hotreload-ui')?.shadowRoot;
    return root ? Array.from(root.querySelectorAll(sel), (e) => ({ text: e.textContent, hidden: e.hidden, level: e.dataset?.level, state: e.dataset?.state })) : null;
  }, selector);
}

// ---- Example binaries (the Rust examples built by cargo), for the end-to-end tests ----

export const ROOT = join(here, '..', '..');
export const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');

/** The path of example `name`'s binary in the `debug` or `release` profile. */
export function exampleBinary(name, profile = 'debug') {
  return join(TARGET_DIR, profile, 'examples', name);
}

/**
 * Starts an example binary and resolves with `{ proc, url, port, output() }` once it prints
 * "listening on http://127.0.0.1:PORT". `env` goes over the defaults (`PORT=0`, `RUST_LOG=warn`,
 * no file watching, no rebuilds); a key set to `undefined` is removed from the environment.
 * A missing binary is an error saying how to build it (the tests fail, never skip).
 */
export function startExample(binary, env = {}, { timeout = 20000 } = {}) {
  if (!existsSync(binary)) {
    const release = binary.includes(`${sep}release${sep}`) ? ' --release' : '';
    throw new Error(`${binary} is missing: build it with \`cargo build${release} --examples\` (tests/run.sh does)`);
  }
  const full = { ...process.env, PORT: '0', RUST_LOG: 'warn', HOTRELOAD_WATCH: '0', HOTRELOAD_REBUILD: '0', ...env };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  const proc = spawn(binary, [], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${binary} did not start within ${timeout} ms: ${out}`)); }, timeout);
    proc.stdout.on('data', () => {
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (!m) return;
      clearTimeout(timer);
      resolve({ proc, url: m[1], port: Number(m[2]), output: () => out });
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${binary} exited (${code ?? signal}) before listening: ${out}`)); });
  });
}

/** Kills `proc` (SIGKILL unless told) and resolves once it has exited. */
export function stopProcess(proc, signal = 'SIGKILL') {
  return new Promise((resolve) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:`port` accepts connections; rejects after `timeout` ms. */
export async function waitForPort(port, { timeout = 10000 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeout} ms`);
    await sleep(50);
  }
}

/** Polls `check` (async or not) until it returns something truthy; returns it. */
export async function until(check, { timeout = 10000, interval = 50, what = 'a condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await check(); } catch (e) { last = e; }
    if (last && !(last instanceof Error)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(interval);
  }
}

/**
 * Waits until the page's client is connected: the socket open and the server's `welcome`
 * received (`boot` set), release builds too (no dev UI needed). `reconnects` (optional): also
 * wait until `stats().reconnects` reached it.
 */
export function liveReady(pg, { reconnects = 0, timeout = 15000 } = {}) {
  return pg.waitForFunction((n) => {
    const h = window.__hotreload;
    return h && h.state === 'open' && h.boot !== null && h.stats().reconnects >= n;
  }, reconnects, { timeout });
}

/**
 * `launchBrowser()` for the tests against example binaries. With `HOTRELOAD_E2E_CLIENT=dist`
 * every context it makes serves the client files from hotreload/client/dist (what the sources
 * build now) in place of the copies the binary embeds: to try a client change before cargo
 * rebuilds the examples. Without it the binary's own client runs, as it ships.
 */
export async function launchExampleBrowser() {
  const browser = await launchBrowser();
  if (process.env.HOTRELOAD_E2E_CLIENT !== 'dist') return browser;
  const newContext = browser.newContext.bind(browser);
  const serve = (path) => (route) => route.fulfill({ contentType: 'text/javascript', headers: { 'cache-control': 'no-store' }, body: readFileSync(path, 'utf8') });
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.route(/[?&]_hotreload=client\.js$|\/_hotreload\/client\.js$/, serve(RUNTIME_PATH));
    await context.route(/[?&]_hotreload=dev\.js$|\/_hotreload\/dev\.js$/, serve(DEV_PATH));
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.once('close', () => context.close().catch(() => {}));
    return page;
  };
  return browser;
}
