// Client apply vs morphdom, side by side in one headless Chromium page.
//
//   cd client-js && npm run bench:apply
//
// A seeded ~10k-node boundary fragment `a` (keyed table rows, nested lists, text) and two
// targets: one text node changed; ~1% of the nodes changed (texts and attributes over the
// page). The server's ops for a -> b come from the Rust differ CLI (target/debug/examples/diff).
// In one page: `applyOps(boundary, JSON.parse(ops))` vs `morphdom(boundary, html, {childrenOnly})`
// (HTML input, parsed each time: morphdom's real cost) vs morphdom with a pre-parsed node
// (fair to morphdom), interleaved in rounds on a fresh clone of `a` each (cloned, attached and
// laid out outside the timed region), timed with performance.now() in a cross-origin-isolated
// page (5 µs steps). The timed region is the DOM work only, not the style/layout after it.
// Every result is checked against `b` with canonical(); a mismatch fails the bench.
//
// Env: BENCH_NODES (10000), BENCH_ROUNDS (200), BENCH_WARMUP (20), BENCH_SEED (1),
// BENCH_JSON=path to also write the raw summary as JSON.

import { writeFileSync } from 'node:fs';
import { launchBrowser } from '../test/helpers.mjs';
import { buildScenarios, openBenchPage, startBenchServer, summarize } from './harness.mjs';

const NODES = Number(process.env.BENCH_NODES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const TARGET_RATIO = 0.1; // tracked: ours <= 0.1x morphdom for the one-node case

const { page: gen, scenarios } = buildScenarios({ nodes: NODES, seed: SEED });
console.log(`page: ${gen.nodes} nodes (target ${NODES}), ${gen.rows} keyed rows, ${scenarios[0].aHtml.length} bytes of HTML; seed ${SEED}`);
for (const s of scenarios) {
  const what = s.texts !== undefined ? ` (${s.texts} texts, ${s.attrs} attributes)` : '';
  console.log(`  ${s.name}: ${s.changed} nodes changed${what} -> ${s.ops.length} ops, ${s.bytes} bytes of op JSON [${[...new Set(s.ops.map((o) => o.op))].join(', ')}]`);
}

const browser = await launchBrowser();
const server = await startBenchServer();
const rows = [];
let failed = false;
try {
  const { page, errors } = await openBenchPage(browser, server.base);
  const timer = await page.evaluate(() => window.bench.timerResolution());
  console.log(`Chromium ${browser.version()}; crossOriginIsolated=${timer.isolated}, performance.now() step ${timer.us.toFixed(1)} µs; ${ROUNDS} rounds (+${WARMUP} warm-up), variants interleaved, results checked against b every run`);
  for (const s of scenarios) {
    const dom = await page.evaluate(([a, b, o]) => window.bench.setup(a, b, o), [s.aHtml, s.bHtml, s.opsJson]);
    if (dom.nodesA !== gen.nodes) throw new Error(`the browser parsed ${dom.nodesA} nodes, the generator counted ${gen.nodes}`);
    const t0 = Date.now();
    const { samples, checked } = await page.evaluate((opts) => window.bench.run(opts), { rounds: ROUNDS, warmup: WARMUP });
    const ours = summarize(samples.ours);
    const mdHtml = summarize(samples.morphdomHtml);
    const mdNode = summarize(samples.morphdomNode);
    rows.push({
      scenario: s.name, nodes: dom.nodesA, changed: s.changed, ops: s.ops.length, opBytes: s.bytes,
      ours, morphdomHtml: mdHtml, morphdomNode: mdNode,
      ratioHtml: ours.median / mdHtml.median, ratioNode: ours.median / mdNode.median,
      checked, seconds: (Date.now() - t0) / 1000,
    });
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} catch (e) {
  failed = true;
  console.error(`FAILED: ${e.message}`);
} finally {
  await browser.close();
  await server.close();
}

if (rows.length) {
  const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const mp = (st) => `${us(st.median)} / ${us(st.p95)}`;
  const ratio = (r) => (r < 0.01 ? r.toFixed(4) : r.toFixed(3));
  const header = ['scenario', 'nodes', 'changed', 'ops', 'ours med/p95 µs', 'morphdom(html) med/p95 µs', 'morphdom(node) med/p95 µs', 'ours/md(html)', 'ours/md(node)'];
  const table = rows.map((r) => [r.scenario, String(r.nodes), String(r.changed), String(r.ops), mp(r.ours), mp(r.morphdomHtml), mp(r.morphdomNode), `${ratio(r.ratioHtml)}x`, `${ratio(r.ratioNode)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const t of table) console.log(line(t));
  console.log('');
  const one = rows.find((r) => r.scenario === 'one text node');
  if (one) {
    const ok = (r) => (r <= TARGET_RATIO ? 'met' : 'NOT met');
    console.log(`target ours <= ${TARGET_RATIO}x morphdom (one-node case): vs HTML input ${ratio(one.ratioHtml)}x ${ok(one.ratioHtml)}; vs pre-parsed ${ratio(one.ratioNode)}x ${ok(one.ratioNode)}`);
  }
  if (process.env.BENCH_JSON) {
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({ nodes: NODES, rounds: ROUNDS, warmup: WARMUP, seed: SEED, rows }, null, 2));
  }
}
if (failed) process.exitCode = 1;
