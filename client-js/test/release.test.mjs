// The release build of the `counter` example (`cargo build --release --example counter`, which
// tests/run.sh does) in headless Chromium: the page loads the runtime client only, the served
// file holds none of the dev UI, there are no dev routes, and clicking still counts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const BINARY = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'examples', 'counter');

let server;
let browser;

function start() {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: build it with \`cargo build --release --example counter\` (tests/run.sh does)`);
  }
  const proc = spawn(BINARY, [], { env: { ...process.env, PORT: '0', RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`example did not start: ${out}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1] }); }
    });
    proc.on('exit', (code) => reject(new Error(`example exited with ${code}`)));
  });
}

before(async () => {
  server = await start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.proc.kill('SIGKILL');
});

test('a release page loads only the runtime client, without dev UI, and clicks still count', async () => {
  const page = await browser.newPage();
  const scripts = [];
  page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  await page.goto(server.url + '/');
  const tag = await page.$eval('script[data-hotreload-client]', (s) => ({ src: s.getAttribute('src'), dev: s.hasAttribute('data-dev'), devClient: s.getAttribute('data-dev-client') }));
  assert.equal(tag.src, '/?_hotreload=client.js');
  assert.equal(tag.dev, false);
  assert.equal(tag.devClient, null);
  await page.waitForFunction(() => window.__hotreload?.state === 'open');
  assert.equal(await page.evaluate(() => window.__hotreload.dev), 'off');

  const before = await page.textContent('h1');
  await page.click('button:has-text("+")');
  await page.waitForFunction((b) => document.querySelector('h1').textContent !== b, before);
  assert.match(await page.textContent('h1'), /1/);

  assert.deepEqual(scripts, ['/?_hotreload=client.js'], 'only the runtime client is loaded');
  assert.equal(await page.evaluate(() => document.querySelector('hotreload-ui')), null, 'no dev UI element');

  const client = await (await fetch(server.url + '/?_hotreload=client.js')).text();
  for (const devOnly of ['attachShadow', 'hotreload-ui', '.toast {', '.overlay {', 'class DevUI', 'console.table', 'canonical']) {
    assert.ok(!client.includes(devOnly), `the served runtime client contains \`${devOnly}\``);
  }
  for (const path of ['/_hotreload/dev.js', '/_hotreload/client.js', '/_hotreload/stats']) {
    assert.equal((await fetch(server.url + path)).status, 404, `${path} exists in a release build`);
  }
  await page.close();
});
