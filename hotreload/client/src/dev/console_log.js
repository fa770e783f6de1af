// Server logs in the browser console: a `log` frame (the server's tracing events, debug builds)
// becomes one `console.error` / `warn` / `info` / `debug` line, `[server] target: message` and
// its fields as `key=value`, so what the server said about a click is beside what the page did.
// A frame with `dropped` says the server left lines out (rate limited).

const METHODS = { error: 'error', warn: 'warn', info: 'info', debug: 'debug', trace: 'debug' };

/** A field's value as `key=value` shows it: plain when it is a word or a number, else JSON. */
function fieldValue(v) {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

/** The console line of a `log` frame. */
export function logLine(frame) {
  const target = frame.target ? ` ${frame.target}:` : '';
  let message = String(frame.message ?? '');
  if (frame.dropped != null && !message) message = `${frame.dropped} log lines dropped (rate limited)`;
  const fields = frame.fields && typeof frame.fields === 'object' ? Object.entries(frame.fields) : [];
  const tail = fields.map(([k, v]) => ` ${k}=${fieldValue(v)}`).join('');
  return `[server]${target} ${message}${tail}`;
}

/** Prints a `log` frame at its level (trace as debug, an unknown level as log). */
export function printLog(frame) {
  const method = Object.hasOwn(METHODS, frame.level) ? METHODS[frame.level] : 'log';
  console[method](logLine(frame));
}
