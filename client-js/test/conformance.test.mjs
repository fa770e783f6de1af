// Conformance with the Rust reference applier (hotreload/diff/src/apply.rs).
//
// Fixtures: test/fixtures/conformance.json, `[{name, a, b, ops, rust}]`, where `rust` is the
// canonical form (hotreload/diff/src/canonical.rs) of what the Rust applier makes of `a` after
// `ops`. Each `a` is loaded into a `<div>` boundary in Chromium, the ops are applied with the
// runtime's `applyOps` (hotreload/client/dist/runtime.js), and `canonical()` of the result
// (hotreload/client/src/testing/canonical.js, in neither served file) must equal `rust`.
// The committed file is hand-made; the Rust side regenerates it.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startServer } from './helpers.mjs';

const FIXTURES = new URL('./fixtures/conformance.json', import.meta.url);
const fixtures = existsSync(FIXTURES) ? JSON.parse(readFileSync(FIXTURES, 'utf8')) : [];

let browser;
let server;
let page;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  // Library mode: the runtime is imported, no script tag, so no client starts; canonical()
  // comes from the test-only module, which neither served file contains.
  server.route('/lib', '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="root" data-live-view-id="0000000000000001"></div></body></html>');
  page = await browser.newPage();
  await page.goto(`${server.base}/lib`);
  await page.evaluate(async () => {
    window.hr = { ...(await import('/client.js')), ...(await import('/src/testing/canonical.js')) };
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs every fixture in the page; returns [{canonical, error}] in order. */
function runAll(cases) {
  return page.evaluate((cases) => cases.map(({ a, ops }) => {
    const root = document.createElement('div');
    root.setAttribute('data-live-view-id', '0000000000000009');
    document.body.append(root);
    root.innerHTML = a;
    let error = null;
    try { window.hr.applyOps(root, ops); } catch (e) { error = e.message; }
    const canonical = window.hr.canonical(root);
    root.remove();
    return { canonical, error };
  }), cases);
}

describe('canonical form matches canonical.rs', () => {
  const canon = (html) => page.evaluate((html) => {
    const d = document.createElement('div');
    d.innerHTML = html;
    return window.hr.canonical(d);
  }, html);

  test('attribute order does not matter', async () => {
    assert.equal(await canon('<p a="1" b="2">x</p>'), await canon('<p b="2" a="1">x</p>'));
  });

  test('shows namespaces, templates and implied elements', async () => {
    assert.equal(
      await canon('<table><tr><td>1</td></tr></table><template><b>t</b></template><svg><a xlink:href="#x"/></svg>'),
      '<table><tbody><tr><td>"1"</td></tr></tbody></table><template>#content[<b>"t"</b>]</template><svg:svg><svg:a xlink:href="#x"></svg:a></svg:svg>',
    );
  });

  test('text boundaries are visible', async () => {
    assert.equal(await canon('a<!--c-->b'), '"a"<!--"c"-->"b"');
  });

  test('escapes like push_quoted, sorts attributes by code point', async () => {
    const got = await page.evaluate(() => {
      const d = document.createElement('div');
      d.append('q"b\\s\n\t\r\u0001\u007f\u00e9\u{1F600}');
      const e = document.createElement('i');
      e.setAttribute('\uff41', '2');
      e.setAttribute('b', '1');
      d.append(e);
      return window.hr.canonical(d);
    });
    assert.equal(got, '"q\\"b\\\\s\\n\\t\\r\\u{1}\\u{7f}\u00e9\u{1F600}"<i b="1" \uff41="2"></i>');
  });
});

describe('applier matches the Rust reference applier', () => {
  test('fixture file is well formed', () => {
    assert.ok(Array.isArray(fixtures), 'conformance.json must be an array');
    for (const f of fixtures) {
      assert.equal(typeof f.name, 'string');
      assert.equal(typeof f.a, 'string', `${f.name}: a`);
      assert.ok(Array.isArray(f.ops), `${f.name}: ops`);
      assert.equal(typeof f.rust, 'string', `${f.name}: rust`);
    }
  });

  test(`${fixtures.length} fixtures give the Rust result`, async () => {
    const results = await runAll(fixtures);
    const failures = [];
    fixtures.forEach((f, i) => {
      const { canonical, error } = results[i];
      if (error) failures.push(`${f.name}: ops failed to apply: ${error}`);
      else if (canonical !== f.rust) failures.push(`${f.name}:\n    js:   ${canonical}\n    rust: ${f.rust}`);
    });
    assert.equal(failures.length, 0, `${failures.length} of ${fixtures.length} fixtures differ:\n  ${failures.join('\n  ')}`);
  });
});

describe('morph gives exactly the new tree', () => {
  /** In the page: morphs a boundary holding `a` into `b`; returns [morphed, parsed b]. */
  const morphPairs = (pairs) => page.evaluate((pairs) => pairs.map(([a, b]) => {
    const root = document.createElement('div');
    root.setAttribute('data-live-view-id', '0000000000000009');
    document.body.append(root);
    root.innerHTML = a;
    window.hr.morph(root, b);
    const want = document.createElement('div');
    want.innerHTML = b;
    const got = [window.hr.canonical(root), window.hr.canonical(want)];
    root.remove();
    return got;
  }), pairs);

  test('on the fixture pairs without nested boundaries', async () => {
    const pairs = fixtures.filter((f) => typeof f.b === 'string' && !f.a.includes('data-live-view-id')).map((f) => [f.a, f.b]);
    const results = await morphPairs(pairs);
    results.forEach(([got, want], i) => assert.equal(got, want, `fixture ${JSON.stringify(pairs[i])}`));
  });

  test('on 400 random pairs (keys, reorders, text, comments, svg, tables, templates)', async () => {
    // A small seeded generator, so a failure is reproducible.
    let seed = 12345;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pick = (xs) => xs[rnd(xs.length)];
    const tags = ['div', 'p', 'span', 'b', 'ul', 'li', 'section', 'input', 'textarea', 'select', 'option', 'svg', 'template', 'table', 'tr', 'td'];
    const texts = ['x', 'hello', ' ', '\n', 'a&amp;b', ''];
    const gen = (depth) => {
      const n = rnd(4);
      let out = '';
      for (let i = 0; i < n; i++) {
        const r = rnd(10);
        if (r < 3 || depth > 3) out += pick(texts);
        else if (r === 3) out += `<!--${pick(['c', 'd'])}-->`;
        else {
          const tag = pick(tags);
          const attrs = [rnd(3) === 0 ? ` id="k${rnd(4)}"` : '', rnd(3) === 0 ? ` data-key="${rnd(4)}"` : '', rnd(2) ? ` class="c${rnd(3)}"` : '', rnd(4) === 0 ? ' value="v"' : '', rnd(5) === 0 ? ' checked' : ''].join('');
          out += tag === 'input' ? `<input${attrs}>` : `<${tag}${attrs}>${gen(depth + 1)}</${tag}>`;
        }
      }
      return out;
    };
    const pairs = Array.from({ length: 400 }, () => [gen(0), gen(0)]);
    const results = await morphPairs(pairs);
    const bad = results.map(([got, want], i) => (got === want ? null : `a=${pairs[i][0]}\n    b=${pairs[i][1]}\n    got:  ${got}\n    want: ${want}`)).filter(Boolean);
    assert.equal(bad.length, 0, `${bad.length} pairs differ, first:\n    ${bad[0]}`);
  });

  test('keeps element identity for keyed and same-position elements', async () => {
    const same = await page.evaluate(() => {
      const root = document.createElement('div');
      document.body.append(root);
      root.innerHTML = '<ul><li id="a">A</li><li id="b">B</li></ul><p>text</p><input>';
      const [a, b, p, input] = [root.querySelector('#a'), root.querySelector('#b'), root.querySelector('p'), root.querySelector('input')];
      window.hr.morph(root, '<h1>new</h1><ul><li id="b">B!</li><li id="c">C</li><li id="a">A</li></ul><p class="x">text 2</p><input value="1">');
      const result = [root.querySelector('#a') === a, root.querySelector('#b') === b, root.querySelector('p') === p, root.querySelector('input') === input];
      root.remove();
      return result;
    });
    assert.deepEqual(same, [true, true, true, true]);
  });
});

describe('the sources', () => {
  test('load as plain ES modules too, with the exports of the built runtime', async () => {
    const keys = await page.evaluate(async () => [Object.keys(await import('/src/runtime.js')).sort(), Object.keys(await import('/client.js')).sort()]);
    assert.deepEqual(keys, [['PatchError', 'applyOps', 'morph', 'start'], ['PatchError', 'applyOps', 'morph', 'start']]);
  });
});
