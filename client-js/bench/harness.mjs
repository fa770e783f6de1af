// Shared by bench/apply-vs-morphdom.mjs and test/apply-vs-morphdom.test.mjs: a seeded page
// generator (keyed table rows, nested lists, text), the two targets (one text node changed; ~1%
// of nodes changed), the server's ops from the Rust differ CLI (hotreload/diff/examples/diff.rs),
// and an in-page harness that times `applyOps` (the served runtime, hotreload/client/dist/
// runtime.js) against morphdom on the same a -> b in one Chromium page and checks both results
// against `b` with `canonical()` (hotreload/client/src/testing/canonical.js).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENT_DIR = join(here, '..');
const ROOT = join(CLIENT_DIR, '..');
const CLIENT_SRC = join(ROOT, 'hotreload', 'client', 'src');
export const CLIENT_PATH = join(ROOT, 'hotreload', 'client', 'dist', 'runtime.js');
export const MORPHDOM_PATH = join(CLIENT_DIR, 'node_modules', 'morphdom', 'dist', 'morphdom-esm.js');
export const DIFF_BIN = process.env.HOTRELOAD_DIFF_BIN
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'examples', 'diff');

// ---------------------------------------------------------------------------------------------
// Generation: a tree model (so nodes can be counted and changed exactly), serialized to HTML
// with no inter-element whitespace (every text node in the model is one DOM text node).
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small deterministic PRNG; returns floats in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ('alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike '
  + 'november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu '
  + 'widget gadget sprocket bolt flange gasket valve rotor spindle bracket hinge').split(' ');
const STATUSES = ['ok', 'low', 'out', 'backorder', 'discontinued'];

const el = (tag, attrs = [], children = []) => ({ tag, attrs, children });
const tx = (text) => ({ text });

function words(rand, min, max) {
  const n = min + Math.floor(rand() * (max - min + 1));
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ');
}

/** Number of DOM nodes in a model (elements and text nodes, excluding the root list itself). */
export function countModel(nodes) {
  let n = 0;
  const stack = [...nodes];
  while (stack.length) {
    const node = stack.pop();
    n++;
    if (node.children) stack.push(...node.children);
  }
  return n;
}

/** All model nodes in document order. */
function flatten(nodes) {
  const out = [];
  const stack = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop();
    out.push(node);
    if (node.children) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

const escText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

export function serialize(nodes) {
  let out = '';
  const stack = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop();
    if (typeof node === 'string') { out += node; continue; }
    if (node.text !== undefined) { out += escText(node.text); continue; }
    out += `<${node.tag}${node.attrs.map(([k, v]) => ` ${k}="${escAttr(v)}"`).join('')}>`;
    stack.push(`</${node.tag}>`);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

const ROW_NODES = 10; // tr, td+text, td+a+text, td+text, td+text

function row(rand, i) {
  const key = `item-${1000 + i}`;
  const status = STATUSES[Math.floor(rand() * STATUSES.length)];
  return el('tr', [['data-key', key], ['class', i % 2 ? 'row odd' : 'row']], [
    el('td', [['class', 'id']], [tx(String(1000 + i))]),
    el('td', [['class', 'name']], [el('a', [['href', `/items/${1000 + i}`]], [tx(words(rand, 1, 3))])]),
    el('td', [['class', 'qty']], [tx(String(Math.floor(rand() * 500)))]),
    el('td', [['class', `status ${status}`]], [tx(status)]),
  ]);
}

function card(rand, i) {
  const items = [];
  for (let j = 0; j < 3; j++) {
    items.push(el('li', [], [
      tx(words(rand, 1, 2)),
      el('ul', [['class', 'sub']], [
        el('li', [], [tx(words(rand, 1, 3))]),
        el('li', [['class', 'muted']], [tx(words(rand, 1, 3))]),
      ]),
    ]));
  }
  return el('section', [['class', 'card'], ['id', `card-${i}`]], [
    el('h2', [], [tx(`Card ${i}: ${words(rand, 1, 2)}`)]),
    el('p', [], [tx(`${words(rand, 3, 8)} `), el('em', [], [tx(words(rand, 1, 1))]), tx(` ${words(rand, 2, 6)}.`)]),
    el('ul', [['class', 'tree']], items),
  ]);
}

/**
 * A realistic boundary fragment of about `target` DOM nodes: a header with a nav list, a table
 * of keyed rows (~90% of the nodes, `<tr data-key>` with four cells), then cards of nested
 * lists and text filling up to the target. Deterministic for a given seed.
 * @returns {{ model: object[], nodes: number, rows: number }}
 */
export function generatePage(target = 10_000, seed = 1) {
  const rand = rng(seed);
  const nav = el('ul', [['class', 'menu']], ['Home', 'Items', 'Orders', 'Reports', 'Settings'].map(
    (w) => el('li', [], [el('a', [['href', `/${w.toLowerCase()}`]], [tx(w)])]),
  ));
  const header = el('header', [['class', 'top']], [el('h1', [], [tx('Inventory')]), el('nav', [], [nav])]);
  const rows = Math.max(1, Math.round((target * 0.9) / ROW_NODES));
  const thead = el('thead', [], [el('tr', [], ['#', 'Name', 'Qty', 'Status'].map((h) => el('th', [], [tx(h)])))]);
  const tbody = el('tbody', [], Array.from({ length: rows }, (_, i) => row(rand, i)));
  const table = el('table', [['class', 'grid']], [thead, tbody]);
  const aside = el('aside', [['class', 'side']], []);
  const footer = el('footer', [], [el('p', [], [tx('Generated by the hotreload bench.')])]);
  const model = [header, el('main', [], [table, aside]), footer];
  let nodes = countModel(model);
  for (let i = 0; ; i++) {
    const c = card(rand, i);
    const size = countModel([c]);
    if (nodes + size > target) break;
    aside.children.push(c);
    nodes += size;
  }
  while (nodes + 2 <= target) { // top up with short paragraphs
    aside.children.push(el('p', [['class', 'note']], [tx(words(rand, 2, 5))]));
    nodes += 2;
  }
  return { model, nodes, rows };
}

const clone = (x) => structuredClone(x);

/** Target (a): the qty text of the middle row changed. */
export function oneTextChange(page) {
  const model = clone(page.model);
  const tbody = model[1].children[0].children[1];
  const r = tbody.children[Math.floor(tbody.children.length / 2)];
  const text = r.children[2].children[0];
  text.text = String(Number(text.text) + 1);
  return { model, changed: 1 };
}

/**
 * Target (b): `fraction` of all nodes changed, picked uniformly over the page: a text node gets
 * new words, an element an attribute change (its `class` value, else a new `title`). Keys
 * (`data-key`, `id`) are left alone, so no structure changes.
 */
export function spreadChanges(page, fraction = 0.01, seed = 2) {
  const rand = rng(seed);
  const model = clone(page.model);
  const all = flatten(model);
  const want = Math.max(1, Math.round(all.length * fraction));
  const picked = new Set();
  while (picked.size < want) picked.add(Math.floor(rand() * all.length));
  let texts = 0;
  let attrs = 0;
  for (const i of [...picked].sort((x, y) => x - y)) {
    const node = all[i];
    if (node.text !== undefined) {
      let next;
      do next = words(rand, 1, 3); while (next === node.text);
      node.text = next;
      texts++;
    } else {
      const cls = node.attrs.find(([k]) => k === 'class');
      if (cls) cls[1] = `${cls[1]} changed`;
      else node.attrs.push(['title', `changed ${words(rand, 1, 1)}`]);
      attrs++;
    }
  }
  return { model, changed: picked.size, texts, attrs };
}

// ---------------------------------------------------------------------------------------------
// The server's ops: the Rust differ CLI (`cargo run --example diff -- a.html b.html`)
// ---------------------------------------------------------------------------------------------

/** Runs the differ binary on a and b; returns { ops, opsJson, bytes }. Fails loudly. */
export function serverOps(aHtml, bHtml) {
  if (!existsSync(DIFF_BIN)) {
    throw new Error(`${DIFF_BIN} is missing: build it with \`cargo build --example diff\` (cargo test --workspace builds it too)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hotreload-bench-'));
  try {
    const a = join(dir, 'a.html');
    const b = join(dir, 'b.html');
    writeFileSync(a, aHtml);
    writeFileSync(b, bHtml);
    const out = execFileSync(DIFF_BIN, [a, b], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const lines = out.trim().split('\n');
    const summary = /^ops=(\d+) bytes=(\d+)$/.exec(lines.pop());
    if (!summary) throw new Error(`unexpected differ output: ${out.slice(-300)}`);
    const ops = lines.map((l) => JSON.parse(l));
    if (ops.length !== Number(summary[1])) throw new Error(`differ printed ${ops.length} ops but says ops=${summary[1]}`);
    return { ops, opsJson: `[${lines.join(',')}]`, bytes: Number(summary[2]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generates both scenarios at `nodes` and gets their ops. */
export function buildScenarios({ nodes = 10_000, seed = 1 } = {}) {
  const page = generatePage(nodes, seed);
  const aHtml = serialize(page.model);
  const targets = [
    { name: 'one text node', ...oneTextChange(page) },
    { name: '~1% of nodes', ...spreadChanges(page, 0.01, seed + 1) },
  ];
  return {
    page,
    aHtml,
    scenarios: targets.map((t) => {
      const bHtml = serialize(t.model);
      return { name: t.name, changed: t.changed, texts: t.texts, attrs: t.attrs, aHtml, bHtml, ...serverOps(aHtml, bHtml) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The page: cross-origin isolated (COOP/COEP), so performance.now() has its finest resolution
// ---------------------------------------------------------------------------------------------

const PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>apply vs morphdom</title></head><body><div id="host"></div></body></html>';

export async function startBenchServer() {
  const files = {
    '/': ['text/html; charset=utf-8', () => PAGE],
    '/client.js': ['text/javascript', () => readFileSync(CLIENT_PATH, 'utf8')],
    '/morphdom.js': ['text/javascript', () => readFileSync(MORPHDOM_PATH, 'utf8')],
  };
  /** `/src/x.js`: the client's sources as plain ES modules (for testing/canonical.js). */
  const source = (path) => {
    if (!path.startsWith('/src/') || !path.endsWith('.js')) return null;
    const file = normalize(join(CLIENT_SRC, decodeURIComponent(path.slice('/src/'.length))));
    return file.startsWith(CLIENT_SRC + sep) && existsSync(file) ? ['text/javascript', () => readFileSync(file, 'utf8')] : null;
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const f = files[path] ?? source(path);
    if (!f) { res.writeHead(404).end(); return; }
    res.writeHead(200, {
      'content-type': f[0],
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(f[1]());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Opens the bench page, imports the runtime (library mode: no script tag), canonical() and morphdom. */
export async function openBenchPage(browser, base) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.evaluate(async () => {
    window.hr = { ...(await import('/client.js')), ...(await import('/src/testing/canonical.js')) };
    window.morphdom = (await import('/morphdom.js')).default;
  });
  await page.evaluate(installHarness);
  return { page, errors };
}

/**
 * Runs in the page. `bench.setup(a, b, opsJson)` prepares the templates; `bench.run(...)`
 * interleaves the three variants in rounds (rotating which goes first), each on a fresh clone
 * of `a` attached and laid out outside the timed region, and checks every result against `b`'s
 * canonical form. The timed region is the DOM work only (not the style/layout that follows).
 */
function installHarness() {
  const { applyOps, canonical } = window.hr;
  const morphdom = window.morphdom;
  const host = document.getElementById('host');
  const ID = '00000000000000a1';
  const open = `<div data-live-view-id="${ID}" data-live-view="Bench">`;

  const boundaryWith = (html) => {
    const d = document.createElement('div');
    d.setAttribute('data-live-view-id', ID);
    d.setAttribute('data-live-view', 'Bench');
    d.innerHTML = html; // body-like context, as the server parses a boundary's inner HTML
    return d;
  };
  const countNodes = (root) => {
    let n = 0;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
    while (w.nextNode()) n++;
    return n;
  };
  const firstDiff = (got, want) => {
    let i = 0;
    while (i < got.length && got[i] === want[i]) i++;
    return `at ${i}: got …${got.slice(Math.max(0, i - 80), i + 80)}… want …${want.slice(Math.max(0, i - 80), i + 80)}…`;
  };

  let s = null;
  let live = null;
  const reset = () => {
    const fresh = s.tplA.cloneNode(true);
    if (live) live.replaceWith(fresh); else host.append(fresh);
    live = fresh;
    // Style and layout now, outside the timed region: a patch lands on a rendered page, and
    // changing a laid-out node costs more than changing one that was never rendered.
    void fresh.offsetHeight;
    return fresh;
  };

  // Each variant: prepare (untimed) and return the timed work.
  const variants = {
    ours: () => {
      const root = reset();
      return () => applyOps(root, JSON.parse(s.opsJson)); // decoding the frame's ops is part of our cost
    },
    morphdomHtml: () => {
      const root = reset();
      return () => morphdom(root, s.morphHtml, { childrenOnly: true }); // parses the HTML, as it must
    },
    morphdomNode: () => {
      const root = reset();
      const target = s.tplB.cloneNode(true); // pre-parsed, outside the timed region
      return () => morphdom(root, target, { childrenOnly: true });
    },
  };
  const names = Object.keys(variants);

  window.bench = {
    setup(aHtml, bHtml, opsJson) {
      if (live) { live.remove(); live = null; }
      const tplA = boundaryWith(aHtml);
      const tplB = boundaryWith(bHtml);
      s = { tplA, tplB, opsJson, morphHtml: `${open}${bHtml}</div>`, canonB: canonical(tplB) };
      if (canonical(tplA) === s.canonB) throw new Error('a and b are the same');
      return { nodesA: countNodes(tplA), nodesB: countNodes(tplB) };
    },
    async run({ rounds, warmup = 0, check = 'all', settleMs = 2 }) {
      const samples = Object.fromEntries(names.map((n) => [n, []]));
      let checked = 0;
      for (let r = -warmup; r < rounds; r++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(((r % names.length) + names.length) + k) % names.length];
          const work = variants[name]();
          // A short pause after the reset lets the browser finish work it triggered (GC of the
          // dropped tree, idle tasks) before the clock starts.
          await new Promise((res) => setTimeout(res, settleMs));
          const t0 = performance.now();
          work();
          const ms = performance.now() - t0;
          if (check === 'all' || r === rounds - 1 || r === -warmup) {
            const got = canonical(live);
            if (got !== s.canonB) throw new Error(`${name}: result differs from b ${firstDiff(got, s.canonB)}`);
            checked++;
          }
          if (r >= 0) samples[name].push(ms * 1000);
        }
      }
      live.remove();
      live = null;
      return { samples, checked };
    },
    /** The smallest non-zero step of performance.now(), in µs. */
    timerResolution() {
      let min = Infinity;
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        let t1 = t0;
        while (t1 === t0) t1 = performance.now();
        min = Math.min(min, t1 - t0);
      }
      return { us: min * 1000, isolated: window.crossOriginIsolated };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

export function quantile(values, q) {
  const v = [...values].sort((x, y) => x - y);
  if (!v.length) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const summarize = (values) => ({ median: quantile(values, 0.5), p95: quantile(values, 0.95), n: values.length });
