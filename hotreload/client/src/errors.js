// The one error type of the patch path. Parsing (dom.js) and the ops (apply.js) both throw it;
// the frame handlers turn it into the short reason sent back in the `ack`.

/** A patch op that could not be applied; `message` is the short reason sent in the `ack`. */
export class PatchError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PatchError';
  }
}
