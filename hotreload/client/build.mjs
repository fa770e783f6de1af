#!/usr/bin/env node
// Builds the two files the Rust server serves from the ES modules in src/, with Node built-ins
// only (no bundler):
//   dist/runtime.js  from src/runtime.js   every live page, release builds too (an ES module)
//   dist/dev.js      from src/dev/main.js  debug builds only, loaded by the runtime
//
//   node hotreload/client/build.mjs           writes dist/
//   node hotreload/client/build.mjs --check   exits 1, naming the file, when dist/ is stale
//
// How: from the entry, follow the `import { a, b } from './x.js';` lines, order the modules so
// each comes after what it imports, drop the import lines and the `export` keywords, and join
// the modules in one scope (the module scope of the output file). That only works if names do
// not collide, so the build fails, saying where, on: a top-level name defined in two modules,
// an import of a name the module does not export, an import cycle, a use of another module's
// top-level name without importing it, and any import/export form other than the few below.
//
// Supported: `import { a, b } from './x.js';` (relative paths, no `as`), `export function`,
// `export async function`, `export class`, `export const|let|var`, `export { a, b };`.
// The entry's exports stay exports of the output file.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export const BUNDLES = [
  {
    out: 'dist/runtime.js',
    entry: 'runtime.js',
    title: 'hotreload browser runtime: patches, morph, focus/caret/scroll kept, live-* events, the\n'
      + 'connection. Every live page loads it, in release builds too.',
  },
  {
    out: 'dist/dev.js',
    entry: 'dev/main.js',
    title: 'hotreload dev client: status dot, toasts, error overlay, build progress, shortcuts, CSS\n'
      + 'swap, stats, page refresh after edits, click-to-source, the inspector (state, event log,\n'
      + 'time travel), server logs in the console. Debug builds only: the runtime loads it (data-dev).',
  },
];

/** A build error: says which file and line, and what to do. */
export class BuildError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BuildError';
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens: enough of JavaScript's lexical grammar to find top-level statements and names
// (strings, template literals with `${}`, comments and regular expressions are skipped whole).
// ---------------------------------------------------------------------------------------------

const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/**
 * Splits `text` into tokens `{ type, value, start, end, line, depth }`; `depth` counts the
 * open (), [], {} and `${` around the token (0: top level).
 */
export function tokenize(text, file = '<input>') {
  const tokens = [];
  const stack = []; // open brackets; '`' marks a `${` inside a template literal
  let i = 0;
  let line = 1;
  const fail = (what) => { throw new BuildError(`${file}:${line}: ${what}`); };
  const push = (type, start, value = text.slice(start, i)) => {
    tokens.push({ type, value, start, end: i, line, depth: stack.length });
  };
  const countLines = (from, to) => { for (let k = from; k < to; k++) if (text[k] === '\n') line++; };
  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'name') return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
    if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
    return false; // after a number, string, template or regex
  };
  /** Scans template text from `i` (just past '`' or '}'); stops after '`' or '${'. */
  const templateChunk = (start) => {
    for (;;) {
      if (i >= text.length) fail('unterminated template literal');
      const c = text[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { i++; countLines(start, i); push('template', start); return; }
      if (c === '$' && text[i + 1] === '{') { i += 2; countLines(start, i); push('template', start); stack.push('`'); return; }
      i++;
    }
  };
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') { i++; continue; }
    if (c === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) fail('unterminated comment');
      i = close + 2;
      countLines(start, i);
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\n') fail('unterminated string');
        i += text[i] === '\\' ? 2 : 1;
      }
      if (i >= text.length) fail('unterminated string');
      i++;
      push('string', start);
      continue;
    }
    if (c === '`') { i++; templateChunk(start); continue; }
    if (/[A-Za-z_$#]/.test(c)) {
      while (i < text.length && /[\w$]/.test(text[i])) i++;
      push('name', start);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[\w.]/.test(text[i])) i++;
      push('number', start);
      continue;
    }
    if (c === '/' && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < text.length && (inClass || text[i] !== '/')) {
        if (text[i] === '\n') fail('unterminated regular expression');
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (i < text.length && /[a-z]/.test(text[i])) i++;
      push('regex', start);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') { i++; push('punct', start); stack.push(c); continue; }
    if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open === '`' && c === '}') { templateChunk(start); continue; }
      if (open !== { ')': '(', ']': '[', '}': '{' }[c]) fail(`unbalanced \`${c}\``);
      i++;
      push('punct', start);
      continue;
    }
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    if (three === '...') i += 3;
    else if (two === '=>' || two === '?.') i += 2;
    else i++;
    push('punct', start);
  }
  if (stack.length) fail(`unclosed \`${stack[stack.length - 1]}\` at the end of the file`);
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Modules: imports, exports, top-level names, and the edits that turn one into bundle text
// ---------------------------------------------------------------------------------------------

const DECLARATIONS = new Set(['function', 'class', 'const', 'let', 'var']);

/** Index of the token closing the bracket opened at `open`. */
function closing(tokens, open) {
  const depth = tokens[open].depth;
  for (let k = open + 1; k < tokens.length; k++) {
    if (tokens[k].depth === depth && tokens[k].type === 'punct' && [')', ']', '}'].includes(tokens[k].value)) return k;
  }
  return tokens.length - 1;
}

/** Parses one source file. `name` is its path relative to the source root (for messages). */
export function parseModule(name, text) {
  const tokens = tokenize(text, name);
  const mod = { name, text, imports: [], exports: new Map(), topLevel: new Map(), edits: [], tokens };
  const at = (t) => `${name}:${t.line}`;
  const fail = (t, what) => { throw new BuildError(`${at(t)}: ${what}`); };
  const declare = (t) => {
    if (mod.topLevel.has(t.value)) fail(t, `\`${t.value}\` is declared twice at top level`);
    mod.topLevel.set(t.value, t.line);
  };
  /** Reads `{ a, b }` starting at tokens[k] === '{'; returns [names, index after '}']. */
  const nameList = (k, what) => {
    const names = [];
    let j = k + 1;
    while (tokens[j] && !(tokens[j].type === 'punct' && tokens[j].value === '}')) {
      const t = tokens[j];
      if (t.type !== 'name') fail(t, `unexpected \`${t.value}\` in ${what}`);
      if (tokens[j + 1]?.value === 'as') fail(t, `\`as\` in ${what} is not supported: the modules share one scope, use the same name`);
      names.push(t);
      j++;
      if (tokens[j]?.value === ',') j++;
    }
    return [names, j + 1];
  };
  /** Removes tokens[from..to] and the newline after them, if they end a line. */
  const removeStatement = (from, to) => {
    let end = tokens[to].end;
    if (text[end] === '\n') end++;
    mod.edits.push([tokens[from].start, end, '']);
  };

  let exportNext = false; // the next declaration follows an `export` keyword
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.depth !== 0 || t.type !== 'name') continue;
    const next = tokens[k + 1];

    if (t.value === 'import') {
      if (next?.value === '(' || next?.value === '.') continue; // import() and import.meta
      if (next?.value !== '{') fail(t, 'only `import { a, b } from \'./x.js\';` is supported');
      const [names, after] = nameList(k + 1, 'an import');
      if (tokens[after]?.value !== 'from' || tokens[after + 1]?.type !== 'string') fail(t, 'expected `from \'./x.js\'` after the imported names');
      const spec = tokens[after + 1].value.slice(1, -1);
      if (!spec.startsWith('./') && !spec.startsWith('../')) fail(t, `cannot import ${JSON.stringify(spec)}: only relative paths to other source modules (no packages)`);
      const last = tokens[after + 2]?.value === ';' ? after + 2 : after + 1;
      mod.imports.push({ spec, names, token: t });
      for (const n of names) declare(n);
      removeStatement(k, last);
      k = last;
      continue;
    }

    if (t.value === 'export') {
      if (next?.value === '{') {
        const [names, after] = nameList(k + 1, 'an export list');
        if (tokens[after]?.value === 'from') fail(t, '`export { .. } from` is not supported: import the names, then export them');
        const last = tokens[after]?.value === ';' ? after : after - 1;
        for (const n of names) mod.exports.set(n.value, n);
        removeStatement(k, last);
        k = last;
        continue;
      }
      const isAsync = next?.value === 'async' && tokens[k + 2]?.value === 'function';
      if (!next || !(DECLARATIONS.has(next.value) || isAsync)) fail(t, `\`export ${next?.value ?? ''}\` is not supported (no default or * exports)`);
      mod.edits.push([t.start, next.start, '']);
      exportNext = true;
      continue;
    }

    const isAsyncFunction = t.value === 'async' && next?.value === 'function';
    if (!DECLARATIONS.has(t.value) && !isAsyncFunction) continue;
    const exported = exportNext;
    exportNext = false;
    if (t.value === 'function' || isAsyncFunction) {
      let j = isAsyncFunction ? k + 2 : k + 1;
      if (tokens[j]?.value === '*') j++;
      if (tokens[j]?.type !== 'name') continue; // a function expression statement
      declare(tokens[j]);
      if (exported) mod.exports.set(tokens[j].value, tokens[j]);
      k = j;
      continue;
    }
    if (t.value === 'class') {
      if (next?.type !== 'name') continue;
      declare(next);
      if (exported) mod.exports.set(next.value, next);
      k++;
      continue;
    }
    // const / let / var: every name bound at this level up to the `;`.
    let j = k + 1;
    for (;;) {
      const n = tokens[j];
      if (!n) fail(t, 'unterminated declaration');
      if (n.type !== 'name') fail(n, 'destructuring at top level is not supported: declare each name');
      declare(n);
      if (exported) mod.exports.set(n.value, n);
      // Skip the initializer to the `,` or `;` at this level.
      j++;
      while (tokens[j] && !(tokens[j].depth === 0 && (tokens[j].value === ',' || tokens[j].value === ';'))) {
        const m = tokens[j];
        if (m.depth === 0 && m.type === 'name' && (DECLARATIONS.has(m.value) || m.value === 'export' || m.value === 'import') && m.line > tokens[j - 1].line) {
          fail(t, 'a top-level declaration must end with `;`');
        }
        j++;
      }
      if (!tokens[j]) fail(t, 'a top-level declaration must end with `;`');
      if (tokens[j].value === ';') break;
      j++;
    }
    k = j;
  }
  for (const [exportedName, token] of mod.exports) {
    if (!mod.topLevel.has(exportedName)) fail(token, `exports \`${exportedName}\`, which it neither declares nor imports`);
  }
  return mod;
}

/**
 * Names a module binds anywhere, not only at top level: declarations, parameters, catch
 * bindings and patterns. Generous on purpose (it only serves to not flag local names).
 */
function localNames(tokens) {
  const names = new Set();
  const addGroup = (open) => {
    const close = closing(tokens, open);
    for (let k = open + 1; k < close; k++) if (tokens[k].type === 'name') names.add(tokens[k].value);
    return close;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t.type === 'name' && (DECLARATIONS.has(t.value) || t.value === 'catch')) {
      if (next?.type === 'name') names.add(next.value);
      else if (next && ['{', '[', '('].includes(next.value)) addGroup(k + 1);
    }
    if (t.type === 'name' && next?.value === '=>') names.add(t.value);
    if (t.type === 'punct' && t.value === '(') {
      const close = closing(tokens, k);
      const after = tokens[close + 1]?.value;
      if (after === '=>' || after === '{') addGroup(k);
    }
  }
  return names;
}

/** Property names, object keys and method names: not references to a binding. */
function isReference(tokens, k) {
  const prev = tokens[k - 1];
  const next = tokens[k + 1];
  if (prev && prev.type === 'punct' && (prev.value === '.' || prev.value === '?.')) return false;
  if (next && next.type === 'punct' && next.value === ':') return false;
  if (next && next.value === '(') {
    const close = closing(tokens, k + 1);
    if (tokens[close + 1]?.value === '{') return false; // a method definition `name(..) {`
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------------------------

const display = (root, file) => relative(root, file).split(sep).join('/');

/**
 * Builds one bundle: the text of the output file.
 * @param {{ src: string, entry: string, title?: string }} options `src` the source root,
 *   `entry` a path relative to it
 * @returns {{ text: string, modules: string[] }}
 */
export function bundle({ src, entry, title = '' }) {
  const root = resolve(src);
  const modules = new Map(); // absolute path -> parsed module
  const order = [];
  const visiting = [];
  const load = (file, from) => {
    if (visiting.includes(file)) {
      const cycle = [...visiting.slice(visiting.indexOf(file)), file].map((f) => display(root, f));
      throw new BuildError(`import cycle: ${cycle.join(' -> ')}`);
    }
    if (modules.has(file)) return modules.get(file);
    if (!file.startsWith(root + sep)) throw new BuildError(`${from}: imports ${display(root, file)}, outside ${root}`);
    if (!existsSync(file)) throw new BuildError(`${from ?? 'entry'}: ${display(root, file)} does not exist`);
    const mod = parseModule(display(root, file), readFileSync(file, 'utf8'));
    visiting.push(file);
    for (const imp of mod.imports) {
      const target = resolve(dirname(file), imp.spec);
      const dep = load(target, `${mod.name}:${imp.token.line}`);
      imp.module = dep;
      for (const n of imp.names) {
        if (!dep.exports.has(n.value)) {
          throw new BuildError(`${mod.name}:${n.line}: imports \`${n.value}\` from ${imp.spec}, which does not export it`);
        }
      }
    }
    visiting.pop();
    modules.set(file, mod);
    order.push(mod);
    return mod;
  };
  const entryModule = load(resolve(root, entry), null);

  // One scope: every top-level name is defined once in the bundle.
  const owner = new Map(); // name -> module that defines it (imports excluded)
  for (const mod of order) {
    const imported = new Set(mod.imports.flatMap((imp) => imp.names.map((n) => n.value)));
    for (const [n, line] of mod.topLevel) {
      if (imported.has(n)) continue;
      const other = owner.get(n);
      if (other) {
        throw new BuildError(`\`${n}\` is defined at top level in both ${other.name}:${other.topLevel.get(n)} and ${mod.name}:${line}: rename one (the modules share one scope)`);
      }
      owner.set(n, mod);
    }
  }
  // ... and a module uses another's top-level names only through an import, so that the
  // sources stay valid modules on their own.
  for (const mod of order) {
    const locals = localNames(mod.tokens);
    for (let k = 0; k < mod.tokens.length; k++) {
      const t = mod.tokens[k];
      if (t.type !== 'name') continue;
      const other = owner.get(t.value);
      if (!other || other === mod || mod.topLevel.has(t.value) || locals.has(t.value)) continue;
      if (!isReference(mod.tokens, k)) continue;
      throw new BuildError(`${mod.name}:${t.line}: uses \`${t.value}\` (top level in ${other.name}) without importing it`);
    }
  }

  const parts = [];
  for (const line of title.split('\n')) parts.push(`// ${line}`.trimEnd());
  parts.push(`// Generated by hotreload/client/build.mjs from hotreload/client/src/${entry}: do not edit.`);
  parts.push('// Rebuild: node hotreload/client/build.mjs (check: --check).');
  parts.push(...wrap(`Modules: ${order.map((m) => m.name).join(', ')}.`, 93).map((l) => `// ${l}`));
  let text = `${parts.join('\n')}\n`;
  for (const mod of order) {
    let body = mod.text;
    for (const [from, to, by] of [...mod.edits].sort((a, b) => b[0] - a[0])) body = body.slice(0, from) + by + body.slice(to);
    body = body.replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
    text += `\n// ---- ${mod.name} ${'-'.repeat(Math.max(3, 87 - mod.name.length))}\n\n${body}\n`;
  }
  const exported = [...entryModule.exports.keys()];
  if (exported.length) text += `\nexport { ${exported.join(', ')} };\n`;
  return { text, modules: order.map((m) => m.name) };
}

/** Splits `text` at spaces into lines of at most `width` characters. */
function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Builds every bundle of `dir` (default: this folder); returns [{ out, path, text }]. */
export function buildAll(dir = HERE) {
  return BUNDLES.map((b) => {
    const { text } = bundle({ src: join(dir, 'src'), entry: b.entry, title: b.title });
    return { out: b.out, path: join(dir, b.out), text };
  });
}

/** The line of the first difference between two texts (1-based). */
function firstDifferentLine(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let k = 0; k < Math.max(x.length, y.length); k++) if (x[k] !== y[k]) return k + 1;
  return 0;
}

function main(args) {
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`usage: node build.mjs [--check]; unknown ${unknown.join(' ')}`);
    return 2;
  }
  let built;
  try {
    built = buildAll();
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`build.mjs: ${e.message}`);
    return 1;
  }
  const shown = (p) => display(process.cwd(), p);
  if (check) {
    let stale = 0;
    for (const { path, text } of built) {
      if (!existsSync(path)) {
        console.error(`${shown(path)} is missing: run node hotreload/client/build.mjs`);
        stale++;
        continue;
      }
      const have = readFileSync(path, 'utf8').replace(/\r\n/g, '\n'); // a CRLF checkout is not stale
      if (have !== text) {
        console.error(`${shown(path)} is stale (differs from what src/ builds, from line ${firstDifferentLine(have, text)}): run node hotreload/client/build.mjs`);
        stale++;
      }
    }
    if (!stale) console.log(`dist is up to date (${built.map((b) => b.out).join(', ')})`);
    return stale ? 1 : 0;
  }
  for (const { path, text } of built) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${shown(path)} (${Buffer.byteLength(text)} bytes)`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
