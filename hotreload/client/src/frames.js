// What each frame from the server does (docs/PROTOCOL.md). `patch` and `html` frames are
// applied to their boundary and acked; `remount` gives a boundary its new instance;
// `welcome`, `pong` and `reload` are the connection's (a reconnect's `welcome` starts form
// recovery, and tells the hooks); `live_patch`, `live_navigate` and `redirect` move the page
// (navigation.js); `push_event` goes to the JavaScript hooks of its boundary (hooks.js), and is
// neither counted nor acked; `upload_ready` and `upload_stop` start and stop the upload
// chunks (uploads.js), not counted nor acked either, and every `patch`/`html` frame gives the
// page's `img[live-preview]` their files;
// the frames whose only effect is dev UI (toast, swapped, rebuild_needed, overlay,
// overlay_clear, rebuild_cleared, progress, css, inspect, source_opened, log) go to the dev
// client through `client.dev` (dev_bridge.js), which also hears of every applied `patch`/`html`
// (`applied(id)`: its inspector asks again). A `paused` error (an event that raced the
// inspector's time travel) is no toast while an instance is paused.
// A handler is `(client, frame, received)`, `received` being the frame's arrival time.

import { applyOps } from './apply.js';
import { BOUNDARY_ATTR, TOKEN_ATTR } from './constants.js';
import { findBoundary } from './dom.js';
import { PatchError } from './errors.js';
import { hooksWelcomed, observingHooks, pushToHooks } from './hooks.js';
import { warn } from './log.js';
import { morph } from './morph.js';
import { liveNavigate, livePatch } from './navigation.js';
import { preserving } from './preserve.js';
import { frameApplied, startRecovery } from './recovery.js';
import { reloadOnce } from './reload.js';
import { showPreviews, uploadReady, uploadStop } from './uploads.js';

/**
 * Applies a `patch` or `html` frame to its boundary and acks it. The hooks hear of what it did
 * once focus and scroll are back, before the ack.
 */
function applyFrame(client, frame, received, kind) {
  const { id, seq } = frame;
  const last = client.lastSeq.get(id);
  if (typeof seq === 'number' && last !== undefined && seq <= last) return; // stale or duplicate
  if (kind === 'patch' && client.failed.has(id)) return; // an `html` resync is on its way
  const root = findBoundary(id);
  if (!root) {
    client.send({ type: 'ack', id, seq, error: `boundary not found: ${id}` });
    client.stats.failures++;
    return;
  }
  if (typeof seq === 'number') client.lastSeq.set(id, seq);
  try {
    if (kind === 'patch') {
      observingHooks(() => preserving(root, () => applyOps(root, frame.ops)));
      client.stats.patches++;
      client.stats.ops += frame.ops.length;
    } else {
      observingHooks(() => preserving(root, () => morph(root, frame.html)));
      client.stats.htmls++;
      if (client.failed.delete(id)) client.dev.toast('success', 'Resynced after a failed patch');
    }
    client.stats.lastLatencyMs = Math.round((performance.now() - received) * 100) / 100;
    client.send({ type: 'ack', id, seq });
    frameApplied(client, root);
    client.dev.applied(id);
  } catch (e) {
    const reason = e instanceof PatchError ? e.message : String(e?.message ?? e);
    warn(`${kind} for ${id} did not apply: ${reason}`);
    client.stats.failures++;
    client.failed.add(id);
    client.send({ type: 'ack', id, seq, error: reason });
  }
  showPreviews(); // what the frame inserted (ops applied before a failing one stay)
}

/** A frame only the dev client acts on. */
const toDev = (client, frame) => client.dev.frame(frame);

export const FRAME_HANDLERS = {
  welcome(client, frame) {
    const restarted = client.boot !== null && frame.boot !== client.boot;
    const recovered = client.stats.reconnects > 0 && client.attempt > 0;
    client.boot = frame.boot;
    client.attempt = 0;
    if (restarted) client.dev.restarted();
    else if (recovered) client.dev.toast('success', 'Reconnected');
    if (client.reconnected) {
      client.reconnected = false;
      startRecovery(client);
    }
    hooksWelcomed();
  },
  patch(client, frame, received) {
    applyFrame(client, frame, received, 'patch');
  },
  html(client, frame, received) {
    applyFrame(client, frame, received, 'html');
  },
  /** The server refused boundary `old`'s token and mounted a new instance `id` in it. */
  remount(client, frame) {
    const root = findBoundary(frame.old);
    if (!root) { warn(`remount of ${frame.old}: no such boundary`); return; }
    root.setAttribute(BOUNDARY_ATTR, frame.id);
    if (typeof frame.token === 'string') root.setAttribute(TOKEN_ATTR, frame.token);
    else root.removeAttribute(TOKEN_ATTR);
    client.lastSeq.delete(frame.old);
    client.failed.delete(frame.old);
  },
  /** For the hooks of boundary `id` (sent after the frame of the same update). */
  push_event(client, frame) {
    pushToHooks(frame.id, frame.name, frame.payload);
  },
  /** Send these files' bytes (uploads.js). */
  upload_ready(client, frame) {
    uploadReady(client, frame);
  },
  /** Stop sending file `ref`. */
  upload_stop(client, frame) {
    uploadStop(client, frame);
  },
  live_patch(client, frame) {
    livePatch(client, frame.url, frame.replace ? 'replace' : 'push', false);
  },
  live_navigate(client, frame) {
    liveNavigate(client, frame.url, frame.replace ? 'replace' : 'push');
  },
  redirect(client, frame) {
    // Only web URLs: a `javascript:` or `data:` URL from a view that passed user input on would
    // run script on this origin.
    let url;
    try { url = new URL(frame.url, location.href); } catch { return; }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    location.assign(url.href);
  },
  pong(client) {
    client.clearPongTimer();
  },
  reload(client, frame) {
    reloadOnce(client, frame.reason);
  },
  error(client, frame) {
    if (frame.code === 'paused' && client.paused.size) return;
    warn(`server error ${frame.code}: ${frame.message}`, frame.id ?? '');
    client.dev.toast('error', `${frame.code}: ${frame.message}`);
  },
  swapped(client, frame) {
    client.stats.swaps++;
    client.dev.frame(frame);
  },
  rebuild_needed: toDev,
  overlay: toDev,
  overlay_clear: toDev,
  rebuild_cleared: toDev,
  css: toDev,
  toast: toDev,
  progress: toDev,
  inspect: toDev,
  source_opened: toDev,
  log: toDev,
};
