// The connection: one WebSocket per page, `hello` with the page's URL and boundaries on every
// open (and after a live navigation), a heartbeat (ping, and a pong deadline), reconnect with
// exponential backoff and jitter, and the JSON envelope of every frame (docs/PROTOCOL.md).
// Events (and `params`, `clear_flash`) raised while disconnected wait for the next connection.
// Incoming frames are decoded here and handled by frames.js; the JavaScript hooks hear when the
// socket closes (hooks.js), and so do the uploads (uploads.js: their chunks go with
// `sendBinary`; what was not sent yet is dropped). The events of the instances the dev
// inspector paused (time travel) are dropped.

import { PROTOCOL_VERSION } from './constants.js';
import { boundaries, pageUrl } from './dom.js';
import { FRAME_HANDLERS } from './frames.js';
import { hooksDisconnected } from './hooks.js';
import { warn } from './log.js';
import { uploadsDisconnected } from './uploads.js';

const MAX_QUEUED_EVENTS = 50;

function socketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { n += 2; i++; } // a pair is 4 bytes, counted 2 so far
    else if (c >= 0x800) n += 2;
    else if (c >= 0x80) n += 1;
  }
  return n;
}

export class Client {
  /**
   * @param {object} config from config.js
   * @param {import('./dev_bridge.js').DevBridge} dev where status changes and dev frames go
   */
  constructor(config, dev) {
    this.config = config;
    this.dev = dev;
    this.ws = null;
    this.state = 'connecting'; // connecting | open | reconnecting | closed
    this.everOpened = false;
    this.reconnected = false; // the open connection is a reconnect whose welcome is still due
    this.attempt = 0;
    this.stopped = false;
    this.boot = null;
    this.ref = 0;
    this.pingN = 0;
    this.timers = { reconnect: 0, ping: 0, pong: 0 };
    this.queue = []; // frames raised while disconnected, sent after the next hello
    this.lastSeq = new Map(); // instance id -> last applied seq (this connection)
    this.failed = new Set(); // instances waiting for an `html` resync after a failed patch
    this.paused = new Set(); // instances in time travel (the dev inspector): their events are dropped
    this.stats = { swaps: 0, patches: 0, htmls: 0, ops: 0, bytes: 0, lastLatencyMs: null, failures: 0, reconnects: 0, events: 0, pageRefreshes: 0, shellRefreshes: 0 };
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timers.reconnect);
    this.detach();
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.config.socket));
    } catch (e) {
      warn('cannot open WebSocket', e);
      this.setState('closed');
      this.dev.status('error', 'bad socket URL');
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen();
    ws.onmessage = (e) => this.onMessage(e);
    ws.onclose = () => this.onDrop();
    ws.onerror = () => { /* a close event follows */ };
  }

  clearPongTimer() {
    clearTimeout(this.timers.pong);
    this.timers.pong = 0;
  }

  /**
   * Forgets the current socket (closing it) without triggering the reconnect path. Every way a
   * socket ends comes here, so this is where the hooks hear of it (once per welcomed socket).
   */
  detach() {
    clearInterval(this.timers.ping);
    this.clearPongTimer();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(1000); } catch { /* already closed */ }
    uploadsDisconnected();
    hooksDisconnected();
  }

  setState(state) {
    this.state = state;
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...frame }));
      return true;
    } catch (e) {
      warn('send failed', e);
      return false;
    }
  }

  /** Sends a binary frame (an upload chunk, uploads.js) as it is; false when not open. */
  sendBinary(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(data);
      return true;
    } catch (e) {
      warn('send failed', e);
      return false;
    }
  }

  /**
   * Sends `hello` with the boundaries on the page now (on open, and over the same socket after
   * a live navigation, `resume: false`): the seqs of the instances before it are forgotten.
   */
  hello(resume) {
    this.lastSeq.clear();
    this.failed.clear();
    this.send({ type: 'hello', url: pageUrl(), instances: boundaries(), resume });
  }

  onOpen() {
    this.hello(this.everOpened);
    this.reconnected = this.everOpened;
    if (this.everOpened) this.stats.reconnects++;
    this.everOpened = true;
    this.setState('open');
    this.dev.status('connected');
    for (const frame of this.queue.splice(0)) this.send(frame);
    this.timers.ping = setInterval(() => this.ping(), this.config.heartbeatMs);
  }

  ping() {
    if (!this.send({ type: 'ping', n: ++this.pingN })) return;
    if (this.timers.pong) return; // the last ping is still unanswered: keep its deadline
    this.timers.pong = setTimeout(() => {
      warn('no pong from the server; reconnecting');
      this.onDrop();
    }, this.config.pongTimeoutMs);
  }

  /** The connection is gone (closed by the server, network, or heartbeat timeout). */
  onDrop() {
    this.detach();
    if (this.stopped) return;
    this.setState('reconnecting');
    this.dev.status('reconnecting');
    const { backoffMinMs, backoffMaxMs } = this.config;
    const ceiling = Math.min(backoffMaxMs, backoffMinMs * 2 ** Math.min(this.attempt, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter"
    this.attempt++;
    this.timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  /** Drops the connection and connects again at once (`__hotreload.reconnect()`). */
  reconnect() {
    this.stopped = false;
    this.attempt = 0;
    this.setState('reconnecting');
    this.dev.status('reconnecting');
    this.connect();
  }

  /** Closes for good (page is going away). */
  close() {
    this.stopped = true;
    clearTimeout(this.timers.reconnect);
    this.detach();
    this.setState('closed');
  }

  /**
   * Sends a LiveView event, or keeps it for the next connection. An instance in time travel
   * (`__hotreload.pauseEvents`) gets none: the server would refuse it.
   */
  sendEvent(frame) {
    if (this.paused.has(frame.id)) { this.dev.toast('warn', 'Time travel: events paused', 'paused'); return; }
    this.stats.events++;
    this.sendQueued({ type: 'event', ...frame, ref: ++this.ref });
  }

  /** Sends `frame` now, or after the next hello when disconnected (the oldest dropped past 50). */
  sendQueued(frame) {
    if (this.send(frame)) return;
    if (this.queue.length >= MAX_QUEUED_EVENTS) this.queue.shift();
    this.queue.push(frame);
  }

  onMessage(event) {
    const received = performance.now();
    if (typeof event.data !== 'string') { warn('ignoring a binary frame'); return; }
    this.stats.bytes += utf8Length(event.data);
    this.clearPongTimer(); // any frame proves the connection is alive
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      warn('ignoring a frame that is not JSON', event.data.slice(0, 200));
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (frame.v !== undefined && frame.v !== PROTOCOL_VERSION) {
      warn(`ignoring a frame of protocol version ${frame.v}`);
      return;
    }
    const handler = Object.hasOwn(FRAME_HANDLERS, frame.type) ? FRAME_HANDLERS[frame.type] : null;
    if (!handler) { warn(`unknown frame type ${JSON.stringify(frame.type)}`); return; }
    try {
      handler(this, frame, received);
    } catch (e) {
      warn(`failed to handle a ${frame.type} frame`, e);
    }
  }
}
