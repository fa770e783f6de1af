// Uploads (docs/PROTOCOL.md, "Uploads"): files chosen on an `<input type="file"
// live-upload="NAME">` or dropped on a `live-drop="NAME"` element get a reference each (`u1`,
// `u2`, ... unique on the page) and are announced in an `upload` frame for the closest
// boundary; the server answers `upload_ready` with the files it wants, which are sent one at a
// time (one file streaming per page), in binary frames of at most `chunk` bytes, keeping the
// socket's `bufferedAmount` under 1 MiB. `upload_stop` stops one file. When the socket closes
// the files not sent yet are dropped: uploads are not resumed (choose the files again).
//
// `<img live-preview="REF">` shows the chosen file `REF` from an object URL (nothing is
// fetched): set after every frame; a URL no image has shown for a while is revoked.

import { BOUNDARY_ATTR } from './constants.js';
import { findBoundary } from './dom.js';
import { warn } from './log.js';

const UPLOAD_ATTR = 'live-upload';
const DROP_ATTR = 'live-drop';
const PREVIEW_ATTR = 'live-preview';
/** On a `live-drop` element while files are dragged over it. */
const DROP_ACTIVE_CLASS = 'live-drop-active';
/** The most the socket may hold unsent before the next chunk waits. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const BUFFER_POLL_MS = 10;
const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** How long a chosen file is kept (with its object URL) once nothing shows or sends it. */
const PREVIEW_GRACE_MS = 10000;
/**
 * The drop highlight also goes when no `dragover` came for this long (a drag that ended
 * elsewhere); browsers repeat `dragover` at least every 350 ms ± 200 ms while over an element.
 */
const DRAG_IDLE_MS = 1000;

let uploadRef = 0;
/**
 * Ref -> `{ file, id, name, state, url, shown, seen }`: every chosen file still of use. `state`
 * is 'announced' (sent in `upload`), 'queued', 'sending' or 'done' (sent, stopped, dropped);
 * `url` its object URL once an image shows it; `seen` when it was last shown or busy.
 */
const chosenFiles = new Map();
/** Files waiting to stream: `{ ref, id, file, chunk, generation, stopped, entry }`. */
const uploadQueue = [];
let currentUpload = null;
let pumping = false;
/** Counts the sockets that closed: a job queued on an earlier one is not sent on a later one. */
let uploadGeneration = 0;
let sweepTimer = 0;
let sweepDue = 0;
let dropZone = null;
let dropTimer = 0;

const isBusy = (entry) => entry.state === 'queued' || entry.state === 'sending';

/**
 * Files chosen (or dropped) on `el` for upload `name`: each gets a ref and the closest
 * boundary's instance gets an `upload` frame. Without a connection nothing is sent (a warning:
 * the files are not kept for later).
 */
function chooseFiles(client, el, name, fileList) {
  const files = Array.from(fileList ?? []);
  if (!files.length) return;
  const boundary = el.closest(`[${BOUNDARY_ATTR}]`);
  if (!boundary) { warn(`${UPLOAD_ATTR}/${DROP_ATTR} outside any live view: nothing uploaded`, el); return; }
  const id = boundary.getAttribute(BOUNDARY_ATTR);
  const now = performance.now();
  const announced = files.map((file) => {
    const ref = `u${++uploadRef}`;
    chosenFiles.set(ref, { file, id, name, state: 'announced', url: null, shown: false, seen: now });
    return { ref, name: file.name, size: file.size, type: file.type };
  });
  if (!client.send({ type: 'upload', id, name, files: announced })) {
    for (const { ref } of announced) chosenFiles.delete(ref);
    warn(`not connected: ${files.length} file(s) for upload ${JSON.stringify(name)} not sent; choose them again once connected`);
    client.dev.toast('warn', 'Not connected: choose the files again');
    return;
  }
  scheduleSweep();
}

/** The binary frame header for file `ref` of instance `id` (16 hex digits). */
function chunkHeader(id, ref) {
  if (!/^[0-9a-fA-F]{16}$/.test(id)) throw new Error(`instance id ${JSON.stringify(id)} is not 16 hex digits`);
  const refBytes = new TextEncoder().encode(ref);
  if (refBytes.length > 255) throw new Error('file reference too long');
  const header = new Uint8Array(10 + refBytes.length);
  header[0] = 0x01;
  new DataView(header.buffer).setBigUint64(1, BigInt(`0x${id}`), false);
  header[9] = refBytes.length;
  header.set(refBytes, 10);
  return header;
}

/** Whether `job` may still send: not stopped, same socket, its boundary still on the page. */
function uploadAlive(client, job) {
  return !job.stopped && job.generation === uploadGeneration && client.ws !== null
    && client.ws.readyState === WebSocket.OPEN && findBoundary(job.id) !== null;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `job`'s file in chunks; returns whether every byte went. */
async function streamFile(client, job) {
  const header = chunkHeader(job.id, job.ref);
  const size = job.file.size;
  let offset = 0;
  do { // a file of 0 bytes is one frame without data
    if (!uploadAlive(client, job)) return false;
    const end = Math.min(size, offset + job.chunk);
    const data = new Uint8Array(await job.file.slice(offset, end).arrayBuffer());
    const frame = new Uint8Array(header.length + data.length);
    frame.set(header);
    frame.set(data, header.length);
    // Backpressure: wait while what the socket holds and this frame would pass 1 MiB.
    while (uploadAlive(client, job) && client.ws.bufferedAmount > 0 && client.ws.bufferedAmount + frame.length > MAX_BUFFERED_BYTES) {
      await pause(BUFFER_POLL_MS);
    }
    if (!uploadAlive(client, job) || !client.sendBinary(frame)) return false;
    offset = end;
  } while (offset < size);
  return true;
}

/** Streams the queued files, one at a time, until the queue is empty. */
async function pumpUploads(client) {
  if (pumping) return;
  pumping = true;
  try {
    while (uploadQueue.length) {
      const job = uploadQueue.shift();
      if (!job.stopped) {
        currentUpload = job;
        job.entry.state = 'sending';
        try {
          await streamFile(client, job);
        } catch (e) {
          warn(`upload of ${JSON.stringify(job.file.name)} (${job.ref}) failed`, e);
        }
        currentUpload = null;
      }
      job.entry.state = 'done';
      job.entry.seen = performance.now();
    }
  } finally {
    pumping = false;
    currentUpload = null;
    scheduleSweep();
  }
}

/** `upload_ready`: queue the files the server wants, in its order. */
export function uploadReady(client, frame) {
  const id = String(frame.id);
  const chunk = Number.isInteger(frame.chunk) && frame.chunk > 0 ? frame.chunk : DEFAULT_CHUNK_BYTES;
  for (const ref of Array.isArray(frame.refs) ? frame.refs.map(String) : []) {
    const entry = chosenFiles.get(ref);
    if (!entry || entry.id !== id || entry.state !== 'announced') {
      warn(`upload_ready for ${JSON.stringify(ref)}: no such chosen file`);
      continue;
    }
    entry.state = 'queued';
    uploadQueue.push({ ref, id, file: entry.file, chunk, generation: uploadGeneration, stopped: false, entry });
  }
  pumpUploads(client);
}

/** `upload_stop`: stop sending `ref` (after the chunk in flight, or before it starts). */
export function uploadStop(client, frame) {
  const ref = String(frame.ref);
  for (const job of uploadQueue) if (job.ref === ref) job.stopped = true;
  if (currentUpload?.ref === ref) currentUpload.stopped = true;
  const entry = chosenFiles.get(ref);
  if (entry && entry.state !== 'done') {
    entry.state = 'done';
    entry.seen = performance.now();
  }
  warn(`upload ${ref} stopped by the server: ${frame.reason}`);
}

/** The socket closed: every file not sent completely is dropped (the server drops it too). */
export function uploadsDisconnected() {
  uploadGeneration++;
  const dropped = uploadQueue.length + (currentUpload && !currentUpload.stopped ? 1 : 0);
  for (const job of uploadQueue) job.stopped = true;
  if (currentUpload) currentUpload.stopped = true;
  for (const entry of chosenFiles.values()) if (entry.state === 'announced') entry.state = 'done';
  if (dropped) warn(`the connection closed: ${dropped} upload(s) dropped; choose the files again`);
}

/**
 * Gives every `img[live-preview]` on the page its file's object URL (created once per file),
 * and notes which files are shown; returns when it ran.
 */
function notePreviews() {
  const now = performance.now();
  const shown = new Set();
  for (const img of document.querySelectorAll(`img[${PREVIEW_ATTR}]`)) {
    const ref = img.getAttribute(PREVIEW_ATTR);
    const entry = chosenFiles.get(ref);
    if (!entry) continue;
    shown.add(ref);
    if (!entry.url) entry.url = URL.createObjectURL(entry.file);
    if (img.getAttribute('src') !== entry.url) img.setAttribute('src', entry.url);
  }
  for (const [ref, entry] of chosenFiles) {
    const on = shown.has(ref);
    if (on || entry.shown !== on || isBusy(entry)) entry.seen = now; // shown, just hidden, or busy
    entry.shown = on;
  }
  return now;
}

/** After every frame (and page morph): the previews of the page as it is now. */
export function showPreviews() {
  if (!chosenFiles.size) return;
  notePreviews();
  scheduleSweep();
}

/** Runs the sweep `delay` ms from now (or sooner, if one is due sooner). */
function scheduleSweep(delay = PREVIEW_GRACE_MS) {
  if (!chosenFiles.size) return;
  const due = performance.now() + delay;
  if (sweepTimer && sweepDue <= due) return;
  clearTimeout(sweepTimer);
  sweepDue = due;
  sweepTimer = setTimeout(sweepFiles, delay);
}

/** Forgets the files (and revokes the URLs) that nothing showed or sent for a while. */
function sweepFiles() {
  sweepTimer = 0;
  const now = notePreviews();
  let next = Infinity;
  for (const [ref, entry] of chosenFiles) {
    if (entry.shown) continue; // a later frame that hides it schedules the sweep again
    const left = isBusy(entry) ? PREVIEW_GRACE_MS : entry.seen + PREVIEW_GRACE_MS - now;
    if (left > 0) { next = Math.min(next, left); continue; }
    if (entry.url) URL.revokeObjectURL(entry.url);
    chosenFiles.delete(ref);
  }
  if (next !== Infinity) scheduleSweep(Math.max(100, next));
}

/** The page is hidden (maybe for good): revoke every URL; a page shown again makes new ones. */
function revokePreviews() {
  for (const entry of chosenFiles.values()) {
    if (entry.url) URL.revokeObjectURL(entry.url);
    entry.url = null;
  }
}

/** The `live-drop` element a drag event is over, when it carries files. */
function dropTarget(e) {
  const target = e.target?.nodeType === 1 ? e.target : e.target?.parentElement;
  const zone = target?.closest?.(`[${DROP_ATTR}]`);
  if (!zone) return null;
  const types = e.dataTransfer?.types;
  return types && Array.from(types).includes('Files') ? zone : null;
}

function setDropZone(zone) {
  clearTimeout(dropTimer);
  if (dropZone && dropZone !== zone) dropZone.classList.remove(DROP_ACTIVE_CLASS);
  dropZone = zone;
  if (!zone) return;
  zone.classList.add(DROP_ACTIVE_CLASS);
  dropTimer = setTimeout(() => setDropZone(null), DRAG_IDLE_MS);
}

function onDrag(e) {
  const zone = dropTarget(e);
  if (!zone) return;
  e.preventDefault(); // makes it a drop target
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  setDropZone(zone);
}

/** Listens for chosen and dropped files (once, at boot); `client` sends them. */
export function listenForUploads(client) {
  document.addEventListener('change', (e) => {
    const input = e.target;
    if (!input || input.localName !== 'input' || input.type !== 'file' || !input.hasAttribute(UPLOAD_ATTR)) return;
    try {
      const files = Array.from(input.files ?? []);
      input.value = ''; // the same file can be chosen again (a `change` again)
      chooseFiles(client, input, input.getAttribute(UPLOAD_ATTR), files);
    } catch (err) {
      warn('failed to handle chosen files', err);
    }
  });
  document.addEventListener('dragenter', onDrag);
  document.addEventListener('dragover', onDrag);
  document.addEventListener('dragleave', (e) => {
    if (!dropZone) return;
    // Where the pointer went: outside the zone (or the window) ends the highlight.
    const to = e.relatedTarget ?? document.elementFromPoint(e.clientX, e.clientY);
    if (!to || !dropZone.contains(to)) setDropZone(null);
  });
  document.addEventListener('dragend', () => setDropZone(null));
  document.addEventListener('drop', (e) => {
    const zone = dropTarget(e);
    if (!zone) return;
    e.preventDefault(); // the browser would open the file
    setDropZone(null);
    try {
      chooseFiles(client, zone, zone.getAttribute(DROP_ATTR), e.dataTransfer.files);
    } catch (err) {
      warn('failed to handle dropped files', err);
    }
  });
  window.addEventListener('pagehide', revokePreviews);
  window.addEventListener('pageshow', (e) => { if (e.persisted) showPreviews(); });
}
