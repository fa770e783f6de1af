// End-to-end latency of the product, as a developer feels it: the `dashboard` example (a
// 1,000-row table with a timer pushing updates) in headless Chromium.
//
//   cd client-js && npm run bench:e2e      (needs cargo; builds and runs the example itself)
//
// 1. Template edits: N saves of examples/dashboard.rs that each change static text in the
//    template (EDITS, default 220), then MARKUP_EDITS (default 100) that change an attribute
//    value, then ELEMENT_EDITS (default 60) that swap an element (parsed and diffed).
//    Save → DOM updated is timed with the same clock on both sides (performance.timeOrigin +
//    performance.now() in Node before the write, and in the page in a MutationObserver
//    callback that sees the change).
// 2. Config edits: CONFIG_EDITS (default 100) saves of examples/dashboard.toml (the typed
//    config file, `hotreload::ConfigFile`) that each change the title: parsed, validated,
//    swapped, the view re-rendered.
// 3. The rebuild path: one Rust edit (a string computed outside the template) on the same page:
//    save → cargo build → restart in place → reconnect → state restored → DOM shows the new text.
// Prints p50/p95/p99/max for 1 and 2, the ratio of 2's p50 to the text-edit p50, and the ratio
// of 3 to it. The source and config files are edited in place and always restored.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { launchBrowser } from '../test/helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const SOURCE = join(ROOT, 'examples', 'dashboard.rs');
const CONFIG = join(ROOT, 'examples', 'dashboard.toml');
const EDITS = Number(process.env.EDITS ?? 220);
const original = readFileSync(SOURCE, 'utf8');
const originalConfig = readFileSync(CONFIG, 'utf8');
let restored = false;
const restore = () => {
  if (!restored) { writeFileSync(SOURCE, original); writeFileSync(CONFIG, originalConfig); restored = true; }
};
process.on('exit', restore);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { restore(); process.exit(130); });

const now = () => performance.timeOrigin + performance.now();

function startExample() {
  const proc = spawn('cargo', ['run', '-q', '--example', 'dashboard'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so the example (cargo's child) is stopped with it
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the example did not start: ${out}`)), 600000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1] }); }
    });
    proc.on('exit', (code) => reject(new Error(`cargo run exited with ${code}`)));
  });
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))];
}

const server = await startExample();
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(server.url);
  await page.waitForFunction(() => window.__hotreload?.state === 'open');
  await page.evaluate(() => { window.__marker = 'no reload'; });
  // Resolves with the page's clock when an element matches `selector` (and, if `text` is
  // given, its text equals `text`), as seen by a MutationObserver.
  await page.evaluate(() => {
    window.__waitFor = (selector, text) => new Promise((resolve) => {
      const check = () => {
        const el = document.querySelector(selector);
        if (el && (text === undefined || el.textContent === text)) {
          resolve(performance.timeOrigin + performance.now());
          return true;
        }
        return false;
      };
      if (check()) return;
      const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  });

  let text = original;
  // Runs `count` edits; `edit(i, text)` returns [new source, a promise of the page's time when
  // the edit shows].
  let configText = originalConfig;
  async function series(count, edit, file = SOURCE) {
    const samples = [];
    const serverSide = [];
    const toEvent = [];
    for (let i = 0; i < count; i++) {
      const [next, seen] = edit(i, file === SOURCE ? text : configText);
      if (file === SOURCE) text = next;
      else configText = next;
      const saved = now();
      writeFileSync(file, next);
      const updated = await seen;
      samples.push(updated - saved);
      const stats = await (await fetch(`${server.url}/_hotreload/stats`)).json();
      serverSide.push((stats.dev?.last_latency_micros ?? 0) / 1000);
      toEvent.push((stats.dev?.last_event_unix_micros ?? 0) / 1000 - saved);
      await new Promise((r) => setTimeout(r, 25)); // let the watcher's burst window close
    }
    for (const xs of [samples, serverSide, toEvent]) xs.sort((a, b) => a - b);
    return { samples, serverSide, toEvent };
  }
  const line = (xs) => `p50 ${percentile(xs, 0.5).toFixed(2)} ms  p95 ${percentile(xs, 0.95).toFixed(2)} ms  p99 ${percentile(xs, 0.99).toFixed(2)} ms  max ${xs.at(-1).toFixed(2)} ms`;
  const show = (r) => {
    console.log(`  save → the server's first watcher event: ${line(r.toEvent)}`);
    console.log(`  first watcher event → patches queued (server): ${line(r.serverSide)}`);
  };

  // 1. Text in the template (the common edit; the differ patches text without re-parsing).
  let current = '"Node"';
  const texts = await series(EDITS, (i, source) => {
    const next = `"Node ${i}"`;
    const seen = page.evaluate(([t]) => window.__waitFor('thead th', t), [`Node ${i}`]);
    const edited = source.replace(`<th>${current}</th>`, `<th>${next}</th>`);
    current = next;
    return [edited, seen];
  });
  const p50 = percentile(texts.samples, 0.5);
  console.log(`\nsave → DOM updated, ${EDITS} template text edits on the dashboard (1,000 rows, timer running):`);
  console.log(`  ${line(texts.samples)}   (targets: p50 ≤ 20 ms, p99 ≤ 50 ms)`);
  show(texts);

  // 2. An attribute value of the heading cell changes (applied in place, like text).
  const MARKUP_EDITS = Number(process.env.MARKUP_EDITS ?? 100);
  let attr = '';
  const markup = await series(MARKUP_EDITS, (i, source) => {
    const next = ` data-edit="${i}"`;
    const seen = page.evaluate(([s]) => window.__waitFor(s), [`thead th[data-edit="${i}"]`]);
    const edited = source.replace(`<th${attr}>${current}</th>`, `<th${next}>${current}</th>`);
    attr = next;
    return [edited, seen];
  });
  console.log(`save → DOM updated, ${MARKUP_EDITS} template attribute edits on the same page:`);
  console.log(`  ${line(markup.samples)}`);
  show(markup);

  // 3. Structure: the element inside the heading cell alternates between <i> and <b> (the new
  // page is parsed and diffed).
  const ELEMENT_EDITS = Number(process.env.ELEMENT_EDITS ?? 60);
  let inner = '';
  const elements = await series(ELEMENT_EDITS, (i, source) => {
    const tag = i % 2 === 0 ? 'i' : 'b';
    const next = `<${tag}>"e${i}"</${tag}>`;
    const seen = page.evaluate(([s, t]) => window.__waitFor(s, t), [`thead th ${tag}`, `e${i}`]);
    const edited = source.replace(`${current}${inner}</th>`, `${current}${next}</th>`);
    inner = next;
    return [edited, seen];
  });
  console.log(`save → DOM updated, ${ELEMENT_EDITS} template element edits (parsed and diffed) on the same page:`);
  console.log(`  ${line(elements.samples)}`);
  show(elements);

  // 4. The config file: the title changes in dashboard.toml.
  const CONFIG_EDITS = Number(process.env.CONFIG_EDITS ?? 100);
  let title = 'Fleet dashboard';
  const configs = await series(CONFIG_EDITS, (i, source) => {
    const next = `Fleet dashboard ${i}`;
    const seen = page.evaluate(([t]) => window.__waitFor('h1', t), [next]);
    const edited = source.replace(`title = "${title}"`, `title = "${next}"`);
    title = next;
    return [edited, seen];
  }, CONFIG);
  console.log(`save → DOM updated, ${CONFIG_EDITS} config file edits (examples/dashboard.toml: parse, validate, swap, re-render):`);
  console.log(`  ${line(configs.samples)}`);
  console.log(`  ratio: config p50 / template text p50 = ${(percentile(configs.samples, 0.5) / p50).toFixed(2)}`);
  show(configs);

  // The rebuild path, on the same page.
  const seen = page.evaluate(([t]) => window.__waitFor('.caption', t), ['1,000 nodes, simulated (rebuilt)']);
  const saved = now();
  writeFileSync(SOURCE, text.replace('let caption = "1,000 nodes, simulated";', 'let caption = "1,000 nodes, simulated (rebuilt)";'));
  const rebuilt = (await seen) - saved;
  const reloaded = await page.evaluate(() => window.__marker !== 'no reload');
  console.log(`save → rebuilt, restarted, state restored, DOM updated (one Rust edit): ${(rebuilt / 1000).toFixed(2)} s${reloaded ? ' (the page reloaded!)' : ', no page reload'}`);
  console.log(`  ratio: the rebuild path takes ${(rebuilt / p50).toFixed(0)}x the template p50`);
} finally {
  restore();
  await browser.close();
  try { process.kill(-server.proc.pid, 'SIGTERM'); } catch { server.proc.kill('SIGTERM'); }
}
// The restarted server is the same process (exec in place); make sure it is gone.
setTimeout(() => process.exit(0), 200);
