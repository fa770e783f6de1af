// The reload guard for `reload` frames (the server's last resort, e.g. an open circuit
// breaker): reload the page at most once per RELOAD_GUARD_MS, so a server that keeps asking
// cannot put the tab in a reload loop. The time of the last reload survives it in
// sessionStorage.

import { warn } from './log.js';
import { readStorage, writeStorage } from './storage.js';

const RELOAD_KEY = 'hotreload:reload-at';
const RELOAD_GUARD_MS = 10_000;

/** Reloads the page unless it already did within the guard time; true if it reloads. */
export function reloadOnce(client, reason) {
  const last = Number(readStorage(sessionStorage, RELOAD_KEY) ?? 0);
  if (Date.now() - last < RELOAD_GUARD_MS) {
    warn(`reload suppressed (already reloaded ${Date.now() - last} ms ago): ${reason ?? ''}`);
    client.dev.toast('error', `Reload suppressed to avoid a loop${reason ? `: ${reason}` : ''}`);
    return false;
  }
  writeStorage(sessionStorage, RELOAD_KEY, String(Date.now()));
  client.close();
  location.reload();
  return true;
}
