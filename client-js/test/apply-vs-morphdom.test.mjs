// Correctness half of bench/apply-vs-morphdom.mjs, small enough for every `npm test`: the same
// seeded generation at ~500 nodes, the Rust differ's ops (target/debug/examples/diff, built by
// `cargo test --workspace` or `cargo build --example diff`), and in Chromium both our
// `applyOps` and morphdom (HTML input and pre-parsed node) must turn `a` into exactly `b`
// (compared with canonical()). No timing is asserted.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildScenarios, openBenchPage, startBenchServer } from '../bench/harness.mjs';
import { launchBrowser } from './helpers.mjs';

const NODES = 500;
let browser;
let server;
let bench;

before(async () => {
  browser = await launchBrowser();
  server = await startBenchServer();
  bench = await openBenchPage(browser, server.base);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('generation is deterministic and about the requested size', () => {
  const x = buildScenarios({ nodes: NODES, seed: 7 });
  const y = buildScenarios({ nodes: NODES, seed: 7 });
  assert.equal(x.aHtml, y.aHtml);
  assert.deepEqual(x.scenarios.map((s) => s.bHtml), y.scenarios.map((s) => s.bHtml));
  assert.ok(Math.abs(x.page.nodes - NODES) <= NODES * 0.1, `${x.page.nodes} nodes`);
  assert.match(x.aHtml, /<tr data-key="item-1000"/);
});

test('applyOps and morphdom both turn a into b (one text node; ~1% of nodes)', async () => {
  const { page: gen, scenarios } = buildScenarios({ nodes: NODES, seed: 3 });
  const [one, spread] = scenarios;
  assert.equal(one.ops.length, 1, JSON.stringify(one.ops));
  assert.equal(one.ops[0].op, 'text');
  assert.equal(spread.changed, Math.round(gen.nodes * 0.01));
  assert.ok(spread.ops.length >= 1);
  for (const s of scenarios) {
    const dom = await bench.page.evaluate(([a, b, o]) => window.bench.setup(a, b, o), [s.aHtml, s.bHtml, s.opsJson]);
    assert.equal(dom.nodesA, gen.nodes, 'the browser parses the generator\'s node count');
    // bench.run throws when any result's canonical form differs from b's.
    const { samples, checked } = await bench.page.evaluate((opts) => window.bench.run(opts), { rounds: 3, warmup: 0, settleMs: 0 });
    assert.equal(checked, 9, s.name);
    for (const k of ['ours', 'morphdomHtml', 'morphdomNode']) assert.equal(samples[k].length, 3);
  }
  assert.deepEqual(bench.errors, []);
});

test('a wrong result fails the check', async () => {
  const { scenarios } = buildScenarios({ nodes: NODES, seed: 3 });
  const s = scenarios[0];
  const wrong = s.opsJson.replace(/"text":"[^"]*"/, '"text":"not b"');
  await bench.page.evaluate(([a, b, o]) => window.bench.setup(a, b, o), [s.aHtml, s.bHtml, wrong]);
  await assert.rejects(
    bench.page.evaluate(() => window.bench.run({ rounds: 1, settleMs: 0 })),
    /ours: result differs from b/,
  );
});
