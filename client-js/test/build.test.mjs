// The served files are built from hotreload/client/src by hotreload/client/build.mjs and
// committed: stale dist files fail here. Also: the build fails loudly on what one shared scope
// cannot hold, and the runtime file carries none of the dev UI nor the test-only code.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, describe, test } from 'node:test';
import { bundle, BuildError, BUNDLES } from '../../hotreload/client/build.mjs';
import { CLIENT_DIR, DEV_PATH, RUNTIME_PATH, SRC_DIR } from './helpers.mjs';

const BUILD = join(CLIENT_DIR, 'build.mjs');
const temps = [];

after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'hotreload-build-'));
  temps.push(d);
  return d;
}

const runBuild = (script, ...args) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('dist/ is what src/ builds', () => {
  test('node hotreload/client/build.mjs --check passes', () => {
    const r = runBuild(BUILD, '--check');
    assert.equal(r.status, 0, `dist/ is stale: run node hotreload/client/build.mjs\n${r.stderr}${r.stdout}`);
  });

  test('--check names a stale or missing file and exits non-zero', () => {
    const dir = tempDir();
    for (const part of ['build.mjs', 'src', 'dist']) cpSync(join(CLIENT_DIR, part), join(dir, part), { recursive: true });
    writeFileSync(join(dir, 'dist', 'runtime.js'), `${readFileSync(RUNTIME_PATH, 'utf8')}// edited by hand\n`);
    rmSync(join(dir, 'dist', 'dev.js'));
    const r = runBuild(join(dir, 'build.mjs'), '--check');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /dist\/runtime\.js is stale/);
    assert.match(r.stderr, /dist\/dev\.js is missing/);
    // A build puts it right.
    assert.equal(runBuild(join(dir, 'build.mjs')).status, 0);
    assert.equal(runBuild(join(dir, 'build.mjs'), '--check').status, 0);
  });

  test('every source module is in a served file or is test support, and says why it exists', () => {
    const all = [];
    const walk = (d) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.js')) all.push(relative(SRC_DIR, p).split(sep).join('/'));
      }
    };
    walk(SRC_DIR);
    const bundled = new Set(BUNDLES.flatMap((b) => bundle({ src: SRC_DIR, entry: b.entry }).modules));
    const orphans = all.filter((m) => !bundled.has(m) && !m.startsWith('testing/'));
    assert.deepEqual(orphans, [], 'modules no entry imports');
    for (const m of all) {
      assert.match(readFileSync(join(SRC_DIR, m), 'utf8'), /^\/\/ \S/, `${m} starts with a header comment`);
    }
  });
});

describe('the runtime file carries no dev UI and no test-only code', () => {
  const runtime = readFileSync(RUNTIME_PATH, 'utf8');
  const dev = readFileSync(DEV_PATH, 'utf8');

  test('none of the dev UI, shortcuts, stats table, CSS swap, dev tools or canonical form', () => {
    const devOnly = ['attachShadow', 'hotreload-ui', '.toast {', '.overlay {', '.progress {', 'UI_CSS', 'class DevUI', 'ctrlKey', 'console.table', 'localStorage', 'swapStylesheet', 'cloneNode(false)', 'DOMParser', 'Server restarted', 'inspect-box', 'class Inspector', '[server]'];
    for (const s of devOnly) {
      assert.ok(!runtime.includes(s), `runtime.js contains ${JSON.stringify(s)}`);
      assert.ok(dev.includes(s), `dev.js contains ${JSON.stringify(s)} (else this check tests nothing)`);
    }
    assert.ok(!/canonical/i.test(runtime), 'runtime.js mentions canonical');
    assert.ok(!/canonical/i.test(dev), 'dev.js mentions canonical');
  });

  test('the runtime is an ES module exporting its library API; the dev file needs nothing from outside', () => {
    assert.match(runtime, /\nexport \{ applyOps, morph, PatchError, start \};\n$/);
    assert.ok(!/^\s*(import|export)\b/m.test(dev), 'dev.js has no import/export statements');
    assert.ok(!/^\s*import\s*\{/m.test(runtime), 'runtime.js has no static imports');
  });
});

describe('the build fails loudly', () => {
  /** Writes `files` (path -> text) to a temp src dir and bundles `main.js`. */
  function tryBundle(files) {
    const src = tempDir();
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(src, p)), { recursive: true });
      writeFileSync(join(src, p), text);
    }
    return () => bundle({ src, entry: 'main.js' });
  }

  test('joins a small graph in dependency order, without imports and export keywords', () => {
    const { text, modules } = tryBundle({
      'main.js': "// main\nimport { b } from './b.js';\nimport { a } from './a.js';\n\nexport function run() { return a + b(); }\n",
      'a.js': "// a\nexport const a = 1;\n",
      'b.js': "// b\nimport { a } from './a.js';\n\nexport function b() { return a; }\nconst s = `${a} } {`;\nconst re = /[/]/g;\n",
    })();
    assert.deepEqual(modules, ['a.js', 'b.js', 'main.js']);
    assert.ok(!text.includes('import {'));
    assert.match(text, /\nconst a = 1;\n/);
    assert.match(text, /\nfunction run\(\)/);
    assert.match(text, /\nexport \{ run \};\n$/);
  });

  const cases = [
    ['a top-level name defined in two modules', {
      'main.js': "import { x } from './a.js';\nfunction helper() {}\nexport { x, helper };\n",
      'a.js': "export const x = 1;\nconst helper = 2;\n",
    }, /`helper` is defined at top level in both a\.js:2 and main\.js:2/],
    ['an import of a name the module does not export', {
      'main.js': "import { y } from './a.js';\nexport { y };\n",
      'a.js': "export const x = 1;\nconst y = 2;\n",
    }, /main\.js:1: imports `y` from \.\/a\.js, which does not export it/],
    ['an import cycle', {
      'main.js': "import { a } from './a.js';\nexport { a };\n",
      'a.js': "import { b } from './b.js';\nexport const a = () => b;\n",
      'b.js': "import { a } from './a.js';\nexport const b = () => a;\n",
    }, /import cycle: a\.js -> b\.js -> a\.js/],
    ['a use of another module\'s top-level name without an import', {
      'main.js': "import { a } from './a.js';\nexport function f() { return a() + helper(); }\n",
      'a.js': "export function a() { return 1; }\nexport function helper() { return 2; }\n",
    }, /main\.js:2: uses `helper` \(top level in a\.js\) without importing it/],
    ['an import alias', {
      'main.js': "import { a as b } from './a.js';\nexport { b };\n",
      'a.js': "export const a = 1;\n",
    }, /main\.js:1: `as` in an import is not supported/],
    ['a default export', {
      'main.js': 'export default 1;\n',
    }, /main\.js:1: `export default` is not supported/],
    ['a package import', {
      'main.js': "import { x } from 'morphdom';\nexport { x };\n",
    }, /only relative paths/],
    ['a missing module', {
      'main.js': "import { x } from './nope.js';\nexport { x };\n",
    }, /nope\.js does not exist/],
    ['an export of an unknown name', {
      'main.js': 'export { ghost };\n',
    }, /exports `ghost`, which it neither declares nor imports/],
  ];
  for (const [what, files, message] of cases) {
    test(`on ${what}`, () => {
      assert.throws(tryBundle(files), (e) => e instanceof BuildError && message.test(e.message), `expected ${message}`);
    });
  }

  test('and the command line says so with a non-zero exit', () => {
    const dir = tempDir();
    cpSync(join(CLIENT_DIR, 'build.mjs'), join(dir, 'build.mjs'));
    cpSync(join(CLIENT_DIR, 'src'), join(dir, 'src'), { recursive: true });
    const file = join(dir, 'src', 'reload.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace("import { warn } from './log.js';\n", ''));
    const r = runBuild(join(dir, 'build.mjs'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /reload\.js:\d+: uses `warn` \(top level in log\.js\) without importing it/);
  });
});
