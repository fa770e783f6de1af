// JavaScript hooks (docs/PROTOCOL.md, "JavaScript hooks"): an element with `live-hook="NAME"`
// gets its own instance of the page's `window.hotreload.hooks[NAME]` (the user's object, read
// each time a hook is mounted; not the client's `window.__hotreload`), told when the element
// comes into the page (`mounted`), when a frame changes it (`updated`), when it leaves
// (`destroyed`), and when the socket goes down and comes back (`disconnected`,
// `reconnected`). An instance can send its view an event (`pushEvent`) and receive the
// server's `push_event` frames (`handleEvent`).
//
// What a frame did is read from a MutationObserver that observes the document only while the
// client applies it (a patch, an `html` morph, a page morph, a live navigation's body swap): so
// whatever a hook's widget does to the page between frames is never taken for the server's
// change, and pages pay nothing for it in between.

import { BOUNDARY_ATTR, HOOK_ATTR } from './constants.js';
import { warn } from './log.js';

const OBSERVED = { childList: true, attributes: true, characterData: true, subtree: true, attributeOldValue: true, characterDataOldValue: true };

/** Element -> its hook `{ el, name, instance, handlers: Map<event, callback[]>, alive }`. */
const mountedHooks = new Map();

let hookClient = null;
let hookObserver = null;
/** Nested `observingHooks` calls run inside the outer one's observation. */
let observing = 0;
/** 'new' (no `welcome` yet), 'online', 'offline' (the socket closed after a `welcome`). */
let hookSocket = 'new';

/** The user's definition for hook `name`, or null (an own property of an object only). */
function hookDefinition(name) {
  const all = window.hotreload?.hooks;
  if (!all || typeof all !== 'object' || !Object.hasOwn(all, name)) return null;
  const definition = all[name];
  return definition && typeof definition === 'object' ? definition : null;
}

/** Calls `hook`'s lifecycle callback `name` if it has one; a throwing hook only warns. */
function callHook(hook, name) {
  const callback = hook.instance[name];
  if (typeof callback !== 'function') return;
  try {
    callback.call(hook.instance);
  } catch (e) {
    warn(`hook ${hook.name}: ${name}() threw`, e);
  }
}

/** `this.pushEvent(msg)`: an `event` frame `hook` for the element's closest boundary. */
function pushFromHook(hook, msg) {
  if (!hook.alive) { warn(`hook ${hook.name}: pushEvent after destroyed() is not sent`); return; }
  if (msg === undefined) { warn(`hook ${hook.name}: pushEvent needs a message`); return; }
  const boundary = hook.el.closest(`[${BOUNDARY_ATTR}]`);
  if (!boundary) { warn(`hook ${hook.name}: pushEvent from an element outside any live view`); return; }
  hookClient?.sendEvent({ id: boundary.getAttribute(BOUNDARY_ATTR), event: 'hook', msg });
}

/** `this.handleEvent(name, callback)`: `callback(payload)` for each `push_event` named `name`. */
function handleForHook(hook, name, callback) {
  if (typeof callback !== 'function') { warn(`hook ${hook.name}: handleEvent(${JSON.stringify(name)}) needs a function`); return; }
  const key = String(name);
  if (!hook.handlers.has(key)) hook.handlers.set(key, []);
  hook.handlers.get(key).push(callback);
}

/** Gives `el` its hook instance and calls `mounted()`; an unknown name only warns. */
function mountHook(el) {
  const name = el.getAttribute(HOOK_ATTR);
  const definition = hookDefinition(name);
  if (!definition) { warn(`no hook ${JSON.stringify(name)} in window.hotreload.hooks`, el); return; }
  const hook = { el, name, instance: Object.create(definition), handlers: new Map(), alive: true };
  hook.instance.el = el;
  hook.instance.pushEvent = (msg) => pushFromHook(hook, msg);
  hook.instance.handleEvent = (event, callback) => handleForHook(hook, event, callback);
  mountedHooks.set(el, hook);
  callHook(hook, 'mounted');
}

function destroyHook(hook) {
  mountedHooks.delete(hook.el);
  hook.alive = false;
  callHook(hook, 'destroyed');
}

/** `nodes` sorted in document order (all connected). */
function inDocumentOrder(nodes) {
  return nodes.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

/**
 * What a frame's mutation records changed: the elements whose attributes or children changed
 * (a text node's change is its parent's), the elements inserted, and those whose `live-hook`
 * attribute changed. A record that set a value to what it already was changed nothing.
 */
function readRecords(records) {
  const changed = new Set();
  const candidates = [];
  for (const r of records) {
    if (r.type === 'attributes') {
      if (r.oldValue === r.target.getAttributeNS(r.attributeNamespace, r.attributeName)) continue;
      changed.add(r.target);
      if (r.attributeName === HOOK_ATTR && r.attributeNamespace === null) candidates.push(r.target);
    } else if (r.type === 'characterData') {
      if (r.oldValue !== r.target.data && r.target.parentNode) changed.add(r.target.parentNode);
    } else {
      changed.add(r.target);
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.hasAttribute(HOOK_ATTR)) candidates.push(n);
        candidates.push(...n.querySelectorAll(`[${HOOK_ATTR}]`));
      }
    }
  }
  return { changed, candidates };
}

/**
 * Tells the hooks what a frame did, in this order: `destroyed` for each hooked element that left
 * the page or whose `live-hook` changed (renamed: then mounted anew), `mounted` for each hooked
 * element new to the page, `updated` once for each mounted hook (not one just mounted) with a
 * change on the element or anywhere inside it.
 */
function settleHooks(records) {
  const { changed, candidates } = readRecords(records);
  for (const hook of Array.from(mountedHooks.values())) {
    if (!hook.el.isConnected || hook.el.getAttribute(HOOK_ATTR) !== hook.name) destroyHook(hook);
  }
  const fresh = new Set();
  const toMount = candidates.filter((el) => el.isConnected && el.hasAttribute(HOOK_ATTR) && !mountedHooks.has(el));
  for (const el of inDocumentOrder(Array.from(new Set(toMount)))) {
    mountHook(el);
    fresh.add(el);
  }
  // Every hooked element up the chain from each change, each once.
  const seen = new Set();
  const toUpdate = [];
  for (const start of changed) {
    for (let el = start; el && el.nodeType === 1 && !seen.has(el); el = el.parentElement) {
      seen.add(el);
      const hook = mountedHooks.get(el);
      if (hook && !fresh.has(el) && el.isConnected) toUpdate.push(hook);
    }
  }
  const order = new Map(inDocumentOrder(toUpdate.map((h) => h.el)).map((el, i) => [el, i]));
  toUpdate.sort((a, b) => order.get(a.el) - order.get(b.el));
  for (const hook of toUpdate) if (hook.alive) callHook(hook, 'updated');
}

/**
 * Runs `change` (the client applying a frame or morphing the page) and then tells the hooks
 * what it did, also when it threw (what it did until then stays). Nested calls count as the
 * outer one. A page that has no hooks (no `window.hotreload.hooks`, none mounted) observes
 * nothing.
 */
export function observingHooks(change) {
  if (!hookObserver || observing > 0 || (mountedHooks.size === 0 && !window.hotreload?.hooks)) return change();
  hookObserver.observe(document, OBSERVED);
  observing++;
  try {
    return change();
  } finally {
    observing--;
    const records = hookObserver.takeRecords();
    hookObserver.disconnect();
    try {
      settleHooks(records);
    } catch (e) {
      warn('hooks: could not process a change', e);
    }
  }
}

/** Mounts the hooked elements already in the page (once, at boot); `client` sends their events. */
export function startHooks(client) {
  hookClient = client;
  hookObserver = new MutationObserver(() => { /* read with takeRecords() only */ });
  for (const el of document.querySelectorAll(`[${HOOK_ATTR}]`)) mountHook(el);
}

/** A `push_event` frame: `callback(payload)` of every hook in boundary `id` that handles `name`. */
export function pushToHooks(id, name, payload) {
  for (const hook of Array.from(mountedHooks.values())) {
    const callbacks = hook.handlers.get(String(name));
    if (!callbacks || !hook.alive || !hook.el.isConnected) continue;
    if (hook.el.closest(`[${BOUNDARY_ATTR}]`)?.getAttribute(BOUNDARY_ATTR) !== String(id)) continue;
    for (const callback of callbacks.slice()) {
      try {
        callback.call(hook.instance, payload);
      } catch (e) {
        warn(`hook ${hook.name}: handleEvent(${JSON.stringify(String(name))}) callback threw`, e);
      }
    }
  }
}

/** The socket closed: `disconnected()` on every hook, once per connection that was welcomed. */
export function hooksDisconnected() {
  if (hookSocket !== 'online') return;
  hookSocket = 'offline';
  for (const hook of Array.from(mountedHooks.values())) callHook(hook, 'disconnected');
}

/** A `welcome` came: after a disconnect, `reconnected()` on every hook. */
export function hooksWelcomed() {
  const back = hookSocket === 'offline';
  hookSocket = 'online';
  if (!back) return;
  for (const hook of Array.from(mountedHooks.values())) callHook(hook, 'reconnected');
}
