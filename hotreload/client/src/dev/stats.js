// The stats table printed by Ctrl+Shift+H: what this page's client has done so far (swaps,
// patches, ops, bytes, the last patch's latency, failures, reconnects, events, page and shell
// refreshes), from `window.__hotreload.stats()`.

/** The runtime's counters under the names the console shows. */
export function statsTable(stats) {
  return {
    state: stats.state,
    swaps: stats.swaps,
    patches: stats.patches,
    'html morphs': stats.htmls,
    ops: stats.ops,
    'bytes received': stats.bytes,
    'last patch latency (ms)': stats.lastLatencyMs,
    failures: stats.failures,
    reconnects: stats.reconnects,
    'events sent': stats.events,
    'page refreshes': stats.pageRefreshes,
    'shell refreshes': stats.shellRefreshes,
  };
}

/** Prints the table to the console, as text and as `console.table`. */
export function printStats(hr) {
  const table = statsTable(hr.stats());
  console.info(`[hotreload] stats\n${Object.entries(table).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  console.table(table);
}
