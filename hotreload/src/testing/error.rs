//! What can go wrong in a harness test, with enough context to read the failure.

/// A harness step that failed.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The router answered with something other than a page.
    #[error("GET {path} answered {status}: {body}")]
    Status {
        /// The path requested.
        path: String,
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The page has no live client script (it is not a live view's page).
    #[error("{path} is not a live page (no <script data-hotreload-client data-socket>)")]
    NotLive {
        /// The path requested.
        path: String,
    },
    /// The route did not open a socket for the page.
    #[error("the page's socket {path} was not opened: {reason}")]
    Socket {
        /// The socket's path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A selector that does not parse.
    #[error("bad selector `{selector}`: {reason}")]
    BadSelector {
        /// The selector.
        selector: String,
        /// Where it stopped.
        reason: String,
    },
    /// No element matches the selector.
    #[error("no element matches `{selector}`")]
    NotFound {
        /// The selector.
        selector: String,
    },
    /// The element (and everything around it) binds no such event: in a browser, nothing
    /// would be sent.
    #[error("`{selector}` does not bind {event}: {hint}")]
    NotBound {
        /// The selector.
        selector: String,
        /// The event (`click`, `submit`, ...).
        event: String,
        /// What the markup has instead.
        hint: String,
    },
    /// A form has no field of that name.
    #[error("the form of `{selector}` has no field named `{field}`")]
    NoSuchField {
        /// The selector.
        selector: String,
        /// The field.
        field: String,
    },
    /// The server answered a frame with an `error` frame.
    #[error("the server refused it: {code}: {message}")]
    Server {
        /// The error code (`bad_message`, `panic`, ...).
        code: String,
        /// Its message.
        message: String,
    },
    /// A patch the server sent did not apply to the harness's copy of the page: the patch
    /// path itself is broken.
    #[error("patch {seq} for {id} did not apply: {reason}")]
    Patch {
        /// The boundary.
        id: String,
        /// The frame's seq.
        seq: u64,
        /// The applier's error.
        reason: String,
    },
    /// A frame that is not what the protocol says.
    #[error("malformed frame from the server ({reason}): {frame}")]
    Frame {
        /// Why.
        reason: String,
        /// The frame (shortened).
        frame: String,
    },
    /// [`LivePage::until`](crate::testing::LivePage::until) gave up.
    #[error("timed out after {0:?} waiting for the page")]
    Timeout(std::time::Duration),
}
