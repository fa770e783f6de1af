// Conformance with the Rust reference applier (hotreload/diff/src/apply.rs).
//
// Fixtures: test/fixtures/conformance.json, `[{name, a, b, ops, rust}]`, where `rust` is the
// canonical form (hotreload/diff/src/canonical.rs) of what the Rust applier makes of `a` after
// `ops`. Each `a` is loaded into a `<div>` boundary in Chromium, the ops are applied with the
// client's `applyOps`, and the client's `canonical()` of the result must equal `rust`.
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
  // Library mode: the module is imported, no script tag, so no client starts.
  server.route('/lib', '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="root" data-live-view-id="0000000000000001"></div></body></html>');
  page = await browser.newPage();
  await page.goto(`${server.base}/lib`);
  await page.evaluate(async () => { window.hr = await import('/hotreload.js'); });
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
