// Web Storage that never throws: storage can be disabled, full or denied (sandboxed frames,
// some private modes), and a setting that cannot be remembered is no reason to fail.
// Stateless: the dev file may carry its own copy.

export function readStorage(storage, key) {
  try { return storage.getItem(key); } catch { return null; }
}

export function writeStorage(storage, key, value) {
  try { storage.setItem(key, value); return true; } catch { return false; }
}
