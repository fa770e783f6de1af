// Forms against the mock server: `unused` (the fields the user has not used yet) on events that
// carry a form, and form recovery after a reconnect (the typed values survive a fresh mount's
// render and go back to the server in `change` events).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ID, ID2, launchBrowser, openClient, page, sleep, startServer } from './helpers.mjs';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const attr = (msg) => JSON.stringify(msg).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const events = (since) => server.state.messages.slice(since).map((m) => m.frame).filter((f) => f.type === 'event');
const lastEvent = async (since, what) => {
  await sleep(100);
  const list = events(since);
  assert.ok(list.length > 0, `an event for ${what}`);
  return list[list.length - 1];
};

test('unused lists the named fields not used yet; a submit uses them all', async () => {
  const form = `<form id="f" live-input="${attr('Typed')}" live-change="${attr('Changed')}" live-submit="${attr('Save')}">
    <input name="title" id="title"><input name="email" id="email"><input type="checkbox" name="agree" id="agree">
    <input type="radio" name="size" value="s" id="s"><input type="radio" name="size" value="m">
    <select name="tag"><option>x</option></select><textarea name="body"></textarea><textarea name="body"></textarea>
    <input type="hidden" name="csrf" value="t"><input id="noname"><button name="action" value="go" id="go">Go</button>
  </form><input name="outside" form="f" id="outside"><form><input id="solo" name="solo" live-input="${attr('Solo')}"></form>`;
  const c = await openClient(browser, server, page(form, { dev: false }));
  let since = server.count();
  await c.page.type('#title', 'a');
  let ev = await lastEvent(since, 'typing');
  assert.deepEqual([ev.event, ev.msg, ev.unused], ['input', 'Typed', ['email', 'agree', 'size', 'tag', 'body', 'outside']]);
  assert.deepEqual(ev.form.slice(0, 2), [['title', 'a'], ['email', '']]);

  since = server.count();
  await c.page.type('#noname', 'z'); // no name: never listed
  await c.page.check('#agree');
  await c.page.check('#s');
  ev = await lastEvent(since, 'checking');
  assert.deepEqual([ev.event, ev.unused], ['change', ['email', 'tag', 'body', 'outside']]);

  since = server.count();
  await c.page.click('#go');
  ev = await server.waitFrame('event', (f) => f.event === 'submit', { since });
  assert.deepEqual(ev.unused, []);
  since = server.count();
  await c.page.type('#email', 'b');
  ev = await lastEvent(since, 'typing after the submit');
  assert.deepEqual(ev.unused, []);

  // A binding on a control, even inside a form, carries no form.
  since = server.count();
  await c.page.type('#solo', 's');
  ev = await lastEvent(since, 'the solo input');
  assert.deepEqual([ev.msg, ev.form, ev.unused], ['Solo', undefined, undefined]);
  await c.context.close();
});

test('after a reconnect the typed values survive a fresh render and go back in change events', async () => {
  const child = (note = '') => `<div data-live-view-id="${ID2}" data-live-view="Child"><form live-change="${attr({ Child: 1 })}"><input name="note" id="note" value="${note}"></form></div>`;
  const view = (title, body) => `<form id="f" live-change="${attr('Validate')}"><input name="title" id="title" value="${title}"><textarea name="body" id="body">${body}</textarea><input name="other" value=""></form>${child()}<button id="elsewhere">x</button>`;
  const opened = server.count();
  const c = await openClient(browser, server, page(view('', ''), { dev: false, extraAttrs: 'data-backoff-min-ms="50" data-backoff-max-ms="50"' }));
  await sleep(400);
  assert.deepEqual(events(opened), [], 'no recovery on the first connect');

  await c.page.type('#title', 'Hello');
  await c.page.type('#body', 'World');
  await c.page.type('#note', 'n');
  await c.page.click('#elsewhere');
  // The server echoes what it got (value="Hello"): a fresh mount's value="" then changes the attribute.
  let since = server.count();
  server.send({ type: 'html', id: ID, seq: 1, html: view('Hello', 'World') });
  await server.waitFrame('ack', (f) => f.seq === 1, { since });

  since = server.count();
  server.state.onHello = (ws, hello) => {
    if (hello.resume) ws.send(JSON.stringify({ v: 1, type: 'html', id: ID, seq: 1, html: view('', '') }));
  };
  server.conn.close();
  try {
    const recovered = await server.waitFrame('event', (f) => f.id === ID, { since });
    assert.deepEqual(recovered, { v: 1, type: 'event', id: ID, event: 'change', msg: 'Validate', form: [['title', 'Hello'], ['body', 'World'], ['other', '']], unused: ['other'], ref: recovered.ref });
    // The child got no frame: its form goes after ~300 ms.
    const childEvent = await server.waitFrame('event', (f) => f.id === ID2, { since });
    assert.deepEqual([childEvent.event, childEvent.msg, childEvent.form, childEvent.unused], ['change', { Child: 1 }, [['note', 'n']], []]);
    const types = server.state.messages.slice(since).map((m) => m.frame.type);
    assert.ok(types.indexOf('hello') < types.indexOf('event'), `hello first: ${types}`);
  } finally {
    server.state.onHello = null;
  }
  const shown = () => c.page.evaluate(() => [document.querySelector('#title').value, document.querySelector('#body').value, document.querySelector('#note').value]);
  assert.deepEqual(await shown(), ['Hello', 'World', 'n']);

  // Once recovered, the server's values win again over fields the user is not in.
  since = server.count();
  server.send({ type: 'html', id: ID, seq: 2, html: view('Server', 'Text') });
  await server.waitFrame('ack', (f) => f.seq === 2, { since });
  assert.deepEqual(await shown(), ['Server', 'Text', 'n']);
  assert.deepEqual(c.logs.filter((l) => l.startsWith('pageerror')), []);
  await c.context.close();
});
