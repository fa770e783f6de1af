// Console output with one `[hotreload]` prefix, so the client's messages are easy to find and
// filter. Stateless: the dev file may carry its own copy.

export const warn = (...args) => console.warn('[hotreload]', ...args);

/** For things that are expected and only of interest when debugging the client itself. */
export const debug = (...args) => console.debug('[hotreload]', ...args);
