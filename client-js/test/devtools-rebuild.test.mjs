// End to end, across a Rust rebuild: a fixture crate (like tests/rebuild.rs) is started with
// `cargo run`, counted to 3 in headless Chromium, then its state struct is edited (a field
// added, one removed, one retyped, and a field added to the struct of a list's items) together
// with `update` (`+= 1` → `+= 2`). The dev server
// rebuilds and restarts in place; the page reconnects and:
// - the count and the list's items are kept, and the toast lists what the migration did,
//   field by field (`items[].done` inside the list);
// - the inspector's history survived the restart: travelling back to the state at mount and
//   replaying the recorded clicks through the new `update` gives 6.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TARGET_DIR, launchExampleBrowser, liveReady, until } from './helpers.mjs';

const MAIN = `use hotreload::prelude::*;

#[derive(Serialize, Deserialize)]
struct Item {
    n: i64,
}

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    count: i64,
    label: String,
    ratio: u32,
    items: Vec<Item>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Inc,
}

impl LiveView for Counter {
    type Message = Msg;

    fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Inc => {
                self.count += 1;
                self.items.push(Item { n: self.count });
            }
        }
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Count: " {self.count}</h1>
            <p class="items">"Items: " {self.items.len()} " last " {self.items.last().map_or(0, |i| i.n)}</p>
            <button live-click={Msg::Inc}>"+"</button>
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = axum::Router::new().route("/", live_view::<Counter>());
    let app = enable_hot_reload!(app);
    let listener = hotreload::bind(("127.0.0.1", 0)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
`;

let dir;
let cargo;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotreload-devtools-rebuild-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'Cargo.toml'), `[package]
name = "devtools-fixture"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
hotreload = { path = ${JSON.stringify(join(ROOT, 'hotreload'))} }
axum = { version = "0.8.9", features = ["ws"] }
tokio = { version = "1.54", features = ["full"] }
serde = { version = "1", features = ["derive"] }

[workspace]
`);
  copyFileSync(join(ROOT, 'Cargo.lock'), join(dir, 'Cargo.lock'));
  writeFileSync(join(dir, 'src', 'main.rs'), MAIN);
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  if (cargo) { try { process.kill(-cargo.pid, 'SIGKILL'); } catch { /* gone */ } }
  rmSync(dir, { recursive: true, force: true });
});

/** `cargo run` of the fixture, as a developer starts it; resolves with its URL. */
function cargoRun() {
  cargo = spawn('cargo', ['run', '-q', '--bin', 'devtools-fixture'], {
    cwd: dir,
    env: { ...process.env, CARGO_TARGET_DIR: TARGET_DIR, RUST_LOG: 'hotreload=info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the server it execs in place goes with it
  });
  let out = '';
  cargo.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the fixture did not start: ${out}`)), 600000);
    cargo.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    cargo.on('exit', (code) => { clearTimeout(timer); reject(new Error(`cargo run exited with ${code}: ${out}`)); });
  });
}

const shadow = (sel) => `document.querySelector('hotreload-ui')?.shadowRoot?.querySelector(${JSON.stringify(sel)})`;

test('a struct edit keeps the count and says what was migrated; the history replays through the new update', { timeout: 900000 }, async () => {
  const url = await cargoRun();
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(url);
  await liveReady(page);
  await page.evaluate(() => { window.__marker = 'no reload'; });
  for (let i = 1; i <= 3; i++) {
    await page.click('button');
    await page.waitForFunction((n) => document.querySelector('h1').textContent === `Count: ${n}`, i);
  }
  await new Promise((r) => setTimeout(r, 300)); // the snapshot is written 100 ms after an update

  const source = join(dir, 'src', 'main.rs');
  const edited = readFileSync(source, 'utf8')
    .replace('    label: String,\n    ratio: u32,\n', '    ratio: String,\n    step: i64,\n')
    .replace('struct Item {\n    n: i64,\n}', 'struct Item {\n    n: i64,\n    done: bool,\n}')
    .replace('self.count += 1;', 'self.count += 2;')
    .replace('Item { n: self.count }', 'Item { n: self.count, done: false }');
  assert.notEqual(edited, readFileSync(source, 'utf8'));
  writeFileSync(source, edited);

  // Rebuilt, restarted in place, reconnected: the toast says what the migration did.
  const migrated = await until(async () => {
    const texts = await page.evaluate(() => [...(document.querySelector('hotreload-ui')?.shadowRoot?.querySelectorAll('.toast') ?? [])].map((t) => t.textContent));
    return texts.find((t) => t.includes('migrated'));
  }, { timeout: 600000, interval: 200, what: 'the migration toast' });
  // `items` is kept although its items' struct gained a field: each item gets it.
  assert.equal(migrated, 'Counter: state migrated to the changed struct: kept `count`, `items`; '
    + 'added `step`, `items[].done` (default); removed `label`; type changed: `ratio` (default)');
  assert.equal(await page.textContent('h1'), 'Count: 3', 'the count survived the struct edit');
  assert.equal(await page.textContent('p.items'), 'Items: 3 last 3', 'the list survived its items\' struct edit');
  assert.equal(await page.evaluate(() => window.__marker), 'no reload');
  await page.click('button');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 5', null, { timeout: 10000 });

  // The history came through the restart: mount, three clicks, the restore, the new click.
  await page.keyboard.press('Control+Shift+D');
  await page.waitForFunction(`!!${shadow('.inspector .inspect-state')}`);
  const position = () => page.evaluate(`${shadow('.tt-position')}.textContent`);
  await until(async () => (await position()) === '5 / 5', { what: 'six recorded states' });
  const kinds = await page.evaluate(`[...${shadow('.inspector')}.querySelectorAll('.inspect-log-entry .kind')].map((k) => k.textContent)`);
  assert.deepEqual(kinds, ['event', 'restore', 'event', 'event', 'event', 'mount'], 'newest first');

  // Back to the state at mount (recorded by the old build, migrated to read it), then replay.
  for (let i = 0; i < 5; i++) await page.locator('hotreload-ui .tt-back').click();
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 0', null, { timeout: 10000 });
  await until(async () => (await position()) === '0 / 5', { what: 'position 0' });
  await page.locator('hotreload-ui .tt-replay').click();
  // Four recorded clicks, each `+= 2` now.
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Count: 8', null, { timeout: 10000 });
  await until(async () => JSON.parse(await page.evaluate(`${shadow('.inspector .inspect-state')}.textContent`)).count === 8, { what: 'the panel after the replay' });
  await page.close();
});
