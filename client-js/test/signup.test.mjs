// End to end: the `signup` example in headless Chromium. The form validates on every change
// (`live-change`) into a typed struct, with an error per field shown only once the user used
// that field (or pressed "Sign up"); a sign-up shows a flash; `/invite` is a plain handler that
// redirects with a flash. Form recovery: the release build (`cargo build --release --examples`,
// no dev machinery, no state kept across restarts) is killed while the form is half filled in
// and started again on the same port; the page reconnects and sends back what was typed, with
// the same `HOTRELOAD_SECRET_KEY` (the instance tokens are accepted) and without it (a random
// key: the tokens are refused and the views remounted with new ids).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBinary, freePort, launchExampleBrowser, liveReady, sleep, startExample, stopProcess } from './helpers.mjs';

const DEBUG = exampleBinary('signup');
const RELEASE = exampleBinary('signup', 'release');
const KEY = 'e2e-signup-secret-key-0123456789abcdef';

let browser;
const procs = new Set();

before(async () => {
  browser = await launchExampleBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([...procs].map((p) => stopProcess(p)));
});

async function start(binary, env = {}) {
  const server = await startExample(binary, env);
  procs.add(server.proc);
  return server;
}

/** Opens `url` in a fresh context and waits until the page is live. */
async function open(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await liveReady(page);
  return { context, page, logs };
}

/** The text of each field's error line. */
const errors = (page) => page.evaluate(() => Object.fromEntries(['name', 'email', 'age', 'terms'].map((f) => [f, document.getElementById(`${f}-error`).textContent])));

/** Waits until `errors(page)` matches `want` (each value a string, or a RegExp for "some error"). */
async function errorsAre(page, want, what, timeout = 5000) {
  const matches = (got) => Object.entries(want).every(([k, v]) => (v instanceof RegExp ? v.test(got[k]) : got[k] === v));
  const end = Date.now() + timeout;
  let got;
  while (Date.now() < end) {
    got = await errors(page);
    if (matches(got)) return got;
    await sleep(50);
  }
  assert.fail(`${what}: the errors are ${JSON.stringify(got)}, want ${JSON.stringify(want, (k, v) => (v instanceof RegExp ? String(v) : v))}`);
}

/** The flash messages shown (visible): `[{kind, role, text}]`. */
const flashes = (page) => page.$$eval('[data-live-flash]', (els) => els.filter((el) => el.checkVisibility()).map((el) => ({ kind: el.dataset.liveFlash, role: el.getAttribute('role'), text: el.firstChild?.textContent ?? '' })));

/**
 * Dismisses the flash shown: hidden at once, then removed by the server's answer, which
 * removes nothing else (the heading after it stays) and applies cleanly.
 */
async function dismissFlash(page) {
  await page.click('[data-live-flash] [live-flash-dismiss]');
  assert.deepEqual(await flashes(page), [], 'the dismiss button hides the flash at once');
  await page.waitForSelector('[data-live-flash]', { state: 'detached', timeout: 5000 });
  await sleep(200);
  assert.equal(await page.evaluate(() => document.querySelector('[data-live-view="Signup"] > h1')?.textContent ?? null), 'Sign up', 'the heading after the flash is still there');
  assert.equal(await page.evaluate(() => window.__hotreload.stats().failures), 0, 'the server\'s answer to clear_flash applied');
}

async function flashIs(page, want, what, timeout = 5000) {
  const end = Date.now() + timeout;
  let got;
  while (Date.now() < end) {
    got = await flashes(page);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await sleep(50);
  }
  assert.fail(`${what}: the flash messages are ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/** Types `value` in field `name` and leaves it; waits for the server's render (its `value` echo). */
async function changeAndRender(page, name, value) {
  await page.fill(`input[name=${name}]`, value);
  await page.press(`input[name=${name}]`, 'Tab');
  await page.waitForFunction(([n, v]) => document.querySelector(`input[name=${n}]`).getAttribute('value') === v, [name, value], { timeout: 5000 });
  await sleep(100);
}

const ANY = /\S/; // some error message
const welcome = (text) => [{ kind: 'info', role: 'status', text }];
const pleaseFix = [{ kind: 'error', role: 'alert', text: 'Please fix the errors below.' }];

/** A debug signup server and a live page on it, for `body(page)`; both closed after. */
async function withSignup(body) {
  const server = await start(DEBUG);
  const { page, context } = await open(server.url);
  try {
    await body(page);
  } finally {
    await context.close();
    await stopProcess(server.proc);
  }
}

test('an error shows only for a field the user used: an invalid email, left, while the other fields are empty', () => withSignup(async (page) => {
  assert.deepEqual(await errors(page), { name: '', email: '', age: '', terms: '' }, 'a new form shows no errors');
  await page.fill('input[name=email]', 'not-an-email');
  await page.press('input[name=email]', 'Tab'); // leaving the field fires its change
  await errorsAre(page, { email: 'must be an email address' }, 'the email field, used and invalid');
  await sleep(200);
  assert.deepEqual(await errors(page), { name: '', email: 'must be an email address', age: '', terms: '' },
    'the name, age and terms fields are invalid too (empty) but were not used: no error for them yet');
  assert.deepEqual(await flashes(page), []);
}));

test('"Sign up" with invalid fields shows every field\'s error and an error flash', () => withSignup(async (page) => {
  await page.fill('input[name=email]', 'not-an-email');
  await page.press('input[name=email]', 'Tab');
  await page.click('button[type=submit]');
  await errorsAre(page, { name: 'must be at least 2 characters', email: 'must be an email address', age: ANY, terms: 'must be accepted' },
    'after "Sign up" every invalid field shows its error');
  await flashIs(page, pleaseFix, 'an error flash after a refused sign-up');
}));

test('a good sign-up shows "Welcome, …!" (dismissible) and empties the form', () => withSignup(async (page) => {
  await page.fill('input[name=name]', 'Ada');
  await page.fill('input[name=email]', 'ada@example.com');
  await page.fill('input[name=age]', '36');
  await page.selectOption('select[name=plan]', 'Pro');
  await page.check('input[name=terms]');
  await page.click('button[type=submit]');
  await flashIs(page, welcome('Welcome, Ada (Pro)!'), 'a welcome flash after a good sign-up');
  assert.deepEqual(await errors(page), { name: '', email: '', age: '', terms: '' });
  assert.equal(await page.textContent('#members'), '1 signed up');
  await page.waitForFunction(() => document.querySelector('input[name=name]').value === '', null, { timeout: 5000 });
  assert.equal(await page.inputValue('input[name=email]'), '', 'the form is emptied');
  assert.equal(await page.isChecked('input[name=terms]'), false);

  await dismissFlash(page);
  await changeAndRender(page, 'name', 'B');
  assert.deepEqual(await flashes(page), [], 'the dismissed flash does not come back');
}));

test('after a good sign-up the emptied form starts over: a field used then shows only its own error', () => withSignup(async (page) => {
  // On a new form: an age under 13, left, shows the age's error only.
  await page.fill('input[name=age]', '5');
  await page.press('input[name=age]', 'Tab');
  await errorsAre(page, { age: 'must be 13 or more' }, 'the age, used');
  await sleep(200);
  assert.deepEqual(await errors(page), { name: '', email: '', age: 'must be 13 or more', terms: '' }, 'a new form: only the used field');

  await page.fill('input[name=name]', 'Ada');
  await page.fill('input[name=email]', 'ada@example.com');
  await page.fill('input[name=age]', '36');
  await page.check('input[name=terms]');
  await page.click('button[type=submit]');
  await flashIs(page, welcome('Welcome, Ada!'), 'signed up');
  await page.waitForFunction(() => document.querySelector('input[name=age]').value === '', null, { timeout: 5000 });

  // The same on the emptied form.
  await page.fill('input[name=age]', '5');
  await page.press('input[name=age]', 'Tab');
  await errorsAre(page, { age: 'must be 13 or more' }, 'the age, used after the reset');
  await sleep(200);
  assert.deepEqual(await errors(page), { name: '', email: '', age: 'must be 13 or more', terms: '' },
    'the emptied form: the fields not used since the reset show no error');
}));

test('the terms box, ticked then unticked (the other fields valid), shows its error', () => withSignup(async (page) => {
  await changeAndRender(page, 'name', 'Ada');
  await changeAndRender(page, 'email', 'ada@example.com');
  await changeAndRender(page, 'age', '36');
  assert.deepEqual(await errors(page), { name: '', email: '', age: '', terms: '' }, 'all good but the terms, not used yet');
  await page.check('input[name=terms]');
  await page.waitForFunction(() => document.querySelector('input[name=terms]').hasAttribute('checked'), null, { timeout: 5000 });
  await page.uncheck('input[name=terms]');
  // An unticked box is not in the form's entries; the event's `unused` says it was used.
  await errorsAre(page, { terms: 'must be accepted' }, 'the terms box, used and unticked');
}));

test('fixing a refused sign-up and submitting again: the welcome replaces the error flash', () => withSignup(async (page) => {
  await page.fill('input[name=name]', 'Ada');
  await page.fill('input[name=email]', 'not-an-email');
  await page.fill('input[name=age]', '36');
  await page.click('button[type=submit]');
  await errorsAre(page, { name: '', email: 'must be an email address', age: '', terms: 'must be accepted' }, 'a refused sign-up first');
  await flashIs(page, pleaseFix, 'the error flash');

  await page.fill('input[name=email]', 'ada@example.com');
  await page.check('input[name=terms]');
  await page.click('button[type=submit]');
  await errorsAre(page, { name: '', email: '', age: '', terms: '' }, 'no errors left');
  await flashIs(page, welcome('Welcome, Ada!'), 'only the welcome: "Please fix the errors below." is no longer true');
}));

test('/invite (a plain handler) redirects to / with a flash, shown once: gone after a reload', async () => {
  const server = await start(DEBUG);
  const context = await browser.newContext();
  try {
    const response = await fetch(`${server.url}/invite`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/');
    assert.match(response.headers.get('set-cookie') ?? '', /^hotreload_flash=/, 'the flash travels in a cookie');

    const page = await context.newPage();
    await page.goto(`${server.url}/invite`);
    assert.equal(new URL(page.url()).pathname, '/');
    await liveReady(page);
    await flashIs(page, welcome('Invitation accepted: sign up below.'), 'the flash the redirect carried');
    await sleep(300);
    await flashIs(page, welcome('Invitation accepted: sign up below.'), 'the flash stays once the page is live');

    await page.reload();
    await liveReady(page);
    await sleep(300);
    assert.deepEqual(await flashes(page), [], 'a reload no longer shows it');

    // Dismissible like any flash, and the next render does not bring it back.
    await page.goto(`${server.url}/invite`);
    await liveReady(page);
    await flashIs(page, welcome('Invitation accepted: sign up below.'), 'a second invitation');
    await dismissFlash(page);
    await changeAndRender(page, 'email', 'x');
    assert.deepEqual(await flashes(page), [], 'the dismissed flash does not come back');
  } finally {
    await context.close();
    await stopProcess(server.proc);
  }
});

/**
 * Fills in the form (no submit) on the release build, kills the server, starts it again on the
 * same port with `restartEnv`, and checks that the page got what was typed back to the new
 * server: the inputs still show it, the server renders it back (the `value` attributes and the
 * email's error), and "Sign up" welcomes the recovered name. Returns the boundary ids before
 * and after.
 */
async function recoverAcrossRestart(firstEnv, restartEnv) {
  const port = await freePort();
  let server = await start(RELEASE, { PORT: String(port), ...firstEnv });
  const { page, context, logs } = await open(server.url);
  try {
    assert.equal(await page.evaluate(() => window.__hotreload.dev), 'off', 'a release build');
    const idBefore = await page.getAttribute('[data-live-view-id]', 'data-live-view-id');
    const bootBefore = await page.evaluate(() => window.__hotreload.boot);
    await page.fill('input[name=name]', 'Grace');
    await page.fill('input[name=email]', 'grace-at-example');
    await page.fill('input[name=age]', '45');
    await page.press('input[name=age]', 'Tab');
    await errorsAre(page, { email: 'must be an email address', terms: '' }, 'before the restart');
    // The old server echoed the values into the attributes (which the fresh render changes).
    assert.equal(await page.getAttribute('input[name=name]', 'value'), 'Grace');

    await stopProcess(server.proc, 'SIGKILL');
    await page.waitForFunction(() => window.__hotreload.state === 'reconnecting', null, { timeout: 5000 });
    server = await start(RELEASE, { PORT: String(port), ...restartEnv });
    await liveReady(page, { reconnects: 1 });
    await page.waitForFunction((b) => window.__hotreload.boot !== b, bootBefore, { timeout: 5000 });

    // The new server has the form: it renders the recovered values and validates them.
    await page.waitForFunction(() => document.querySelector('input[name=name]').getAttribute('value') === 'Grace', null, { timeout: 5000 })
      .catch(async () => assert.fail(`the restarted server did not get the typed form back: name value attribute ${JSON.stringify(await page.getAttribute('input[name=name]', 'value'))}, errors ${JSON.stringify(await errors(page))}; console: ${logs.join(' | ')}`));
    await errorsAre(page, { name: '', email: 'must be an email address', age: '', terms: '' }, 'the recovered form, validated by the new server (terms not used yet)');
    for (const [name, value] of [['name', 'Grace'], ['email', 'grace-at-example'], ['age', '45']]) {
      assert.equal(await page.inputValue(`input[name=${name}]`), value, `the ${name} input still shows what was typed`);
      assert.equal(await page.getAttribute(`input[name=${name}]`, 'value'), value, `the server rendered the recovered ${name}`);
    }
    const idAfter = await page.getAttribute('[data-live-view-id]', 'data-live-view-id');

    await page.fill('input[name=email]', 'grace@example.com');
    await page.check('input[name=terms]');
    await page.click('button[type=submit]');
    await flashIs(page, welcome('Welcome, Grace!'), 'the sign-up after the restart');
    assert.equal(await page.textContent('#members'), '1 signed up');
    return { idBefore, idAfter };
  } finally {
    await context.close();
    await stopProcess(server.proc);
  }
}

test('form recovery across a restart of the release build with the same HOTRELOAD_SECRET_KEY: the token is accepted', async () => {
  const { idBefore, idAfter } = await recoverAcrossRestart({ HOTRELOAD_SECRET_KEY: KEY }, { HOTRELOAD_SECRET_KEY: KEY });
  assert.equal(idAfter, idBefore, 'the restarted server mounted the instance again under its id');
});

test('form recovery across a restart of the release build without the key (a random one): the token is refused, the view remounted', async () => {
  const { idBefore, idAfter } = await recoverAcrossRestart({ HOTRELOAD_SECRET_KEY: KEY }, { HOTRELOAD_SECRET_KEY: undefined });
  assert.notEqual(idAfter, idBefore, 'the refused token made a new instance with a new id');
});
