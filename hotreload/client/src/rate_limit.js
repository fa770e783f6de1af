// `live-debounce` and `live-throttle`: an event bound on an element is sent now, after a
// quiet time (debounce, or on blur with `live-debounce="blur"`), or at most once per interval
// with a trailing send of the latest payload (throttle). Submit, focus and blur are never
// delayed; a pending send is flushed when its element loses focus or its form is submitted.

/** Pending debounced/throttled sends: element -> Map(event name -> state). */
const rateLimits = new Map();

function limitState(el, name) {
  let m = rateLimits.get(el);
  if (!m) rateLimits.set(el, (m = new Map()));
  let s = m.get(name);
  if (!s) m.set(name, (s = { timer: 0, pending: null, last: -Infinity }));
  return s;
}

/** Sends now what `el` has pending (the events `filter` accepts). */
export function flushPending(el, filter = () => true) {
  const m = rateLimits.get(el);
  if (!m) return;
  for (const [name, s] of m) {
    if (s.pending && filter(name)) {
      clearTimeout(s.timer);
      const frame = s.pending;
      s.pending = null;
      s.send(frame);
    }
  }
}

/** Sends now what any element inside `container` has pending (a form being submitted). */
export function flushPendingWithin(container) {
  for (const el of rateLimits.keys()) if (container.contains(el)) flushPending(el);
}

/** Calls `send(frame)` now, or later per `live-debounce` / `live-throttle` on the element. */
export function dispatchLimited(el, name, frame, send) {
  const debounce = el.getAttribute('live-debounce');
  const throttle = Number(el.getAttribute('live-throttle'));
  // Debounce/throttle apply to the high-frequency events, not to submit/focus/blur.
  const limitable = !['submit', 'focus', 'blur'].includes(name);
  if (limitable && debounce !== null) {
    const s = limitState(el, name);
    s.send = send;
    s.pending = frame;
    clearTimeout(s.timer);
    if (debounce.trim() === 'blur') return; // sent when the element loses focus
    const ms = Number(debounce);
    s.timer = setTimeout(() => flushPending(el, (n) => n === name), Number.isFinite(ms) ? ms : 0);
    return;
  }
  if (limitable && throttle > 0) {
    const s = limitState(el, name);
    s.send = send;
    const now = performance.now();
    if (now - s.last >= throttle && !s.pending) {
      s.last = now;
      send(frame);
      return;
    }
    s.pending = frame; // trailing send with the latest payload
    if (!s.timer) {
      s.timer = setTimeout(() => {
        s.timer = 0;
        s.last = performance.now();
        flushPending(el, (n) => n === name);
      }, Math.max(0, throttle - (now - s.last)));
    }
    return;
  }
  send(frame);
}
