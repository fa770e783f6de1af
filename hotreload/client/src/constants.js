// Constants shared by the runtime modules and the dev client: the wire protocol's version, the
// namespaces the parser and the applier deal in, the attributes that mark a LiveView boundary
// (its view, its token, its stand-in in a shell-only page), the client's script tag and the
// attributes that hand an element to JavaScript (a hook, an inside the server leaves alone).
// Values only, no state: the dev file may carry its own copy.

/** The `v` of every frame (docs/PROTOCOL.md). */
export const PROTOCOL_VERSION = 1;

export const HTML_NS = 'http://www.w3.org/1999/xhtml';
export const SVG_NS = 'http://www.w3.org/2000/svg';
export const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';

/** Marks the root of one LiveView instance, the unit that patches are addressed to. */
export const BOUNDARY_ATTR = 'data-live-view-id';

/** A boundary's view name, beside {@link BOUNDARY_ATTR}. */
export const VIEW_ATTR = 'data-live-view';

/** A boundary's signed session token, sent back in `hello` to remount it after a restart. */
export const TOKEN_ATTR = 'data-live-token';

/** The client's own script tag (there is one per page; a live navigation keeps it). */
export const CLIENT_TAG = 'script[data-hotreload-client]';

/**
 * Marks what stands for a boundary in a page the server rendered for its shell only (the dev
 * client's `X-Hotreload-Shell` fetch): `<div data-live-view-shell="" data-live-view="NAME">`.
 */
export const SHELL_ATTR = 'data-live-view-shell';

/** Names the JavaScript hook (`window.hotreload.hooks[NAME]`) an element gets (hooks.js). */
export const HOOK_ATTR = 'live-hook';

/**
 * Marks an element whose inside belongs to client-side code (a hook's widget): the server's
 * differ never sends ops inside it and the morph keeps its children; its attributes still follow
 * the server.
 */
export const IGNORE_ATTR = 'live-ignore';
