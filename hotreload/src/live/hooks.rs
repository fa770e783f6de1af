//! The one seam between the live runtime and the development layer on top of it.
//!
//! The runtime knows nothing of the watcher, the dev bus or the snapshot store. Hot reload
//! (`HotReload::apply`, debug builds only) installs one [`RuntimeHooks`] object in the runtime;
//! the runtime calls it at the few points where development adds behaviour: a socket opens
//! (dev frames ride along), a page is served (it loads the dev client), an instance changes,
//! is brought back after a restart, or goes away (its state snapshot). Without hooks (release
//! builds, or hot reload not enabled) each of those points is one `None` check.
//!
//! State crosses the seam as MessagePack with field names (what `rmp_serde::to_vec_named`
//! writes), so the trait stays object-safe: the runtime serializes its generic view state, the
//! hooks frame, compress and store the bytes.

use crate::template::InstanceId;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What development adds to the live runtime. Implemented by the dev layer; installed once per
/// process with [`LiveRuntime::install_hooks`](crate::live::runtime::LiveRuntime::install_hooks).
pub(crate) trait RuntimeHooks: Send + Sync + std::fmt::Debug + 'static {
    /// Frames for every browser (swap notices, overlays, build progress), as JSON text; a live
    /// socket that opens subscribes and forwards them.
    fn subscribe(&self) -> broadcast::Receiver<Arc<str>>;

    /// Where pages load the dev client (status, toasts, overlay) from.
    fn dev_client_src(&self) -> &str;

    /// The modifier key that, held while clicking, opens an element's template in the
    /// editor (`alt`, `ctrl`, `meta` or `shift`): the dev client's `data-source-key`.
    fn source_key(&self) -> &str;

    /// Whether instance state is kept across restarts (the snapshot store opened).
    fn keeps_state(&self) -> bool;

    /// Keeps `state` (MessagePack with field names) of instance `id`, whose type is
    /// `type_name`, written behind in the background.
    fn save_state(&self, id: InstanceId, type_name: &'static str, state: Vec<u8>);

    /// The state last saved for instance `id` as MessagePack, `Ok(None)` if there is none,
    /// `Err` (a sentence for the user) if it is there but cannot be read as `type_name`.
    fn load_state(
        &self,
        id: InstanceId,
        type_name: &'static str,
    ) -> Result<Option<Vec<u8>>, String>;

    /// Counts the outcome of a restore whose bytes [`load_state`](Self::load_state) returned:
    /// `false` when they no longer deserialize into the view's type.
    fn count_restore(&self, restored: bool);

    /// Whether instances keep the inspector's record of their states (`history.rs`).
    fn records_history(&self) -> bool;

    /// Keeps instance `id`'s recorded history (see `History::saved`), written behind like
    /// its state.
    fn save_history(&self, id: InstanceId, type_name: &'static str, history: Vec<u8>);

    /// The history last saved for instance `id`, if any and readable.
    fn load_history(&self, id: InstanceId, type_name: &'static str) -> Option<Vec<u8>>;

    /// Instance `id` went away for good: its snapshot is no longer needed.
    fn forget_state(&self, id: InstanceId);

    /// A frame that shows `message` to the user of one page (a dev toast), as JSON text.
    fn warning_frame(&self, message: &str) -> String;

    /// Opens the developer's editor at `src` (`FILE:LINE:COLUMN`, from an element's
    /// `data-hr-src`), if it names a position in a source file of the running build; returns
    /// the answer frame for the page that asked, as JSON text. Blocking (it may read the
    /// file and start a process): called off the connection's task.
    fn open_source(&self, src: &str) -> String;

    /// A key for instance tokens that outlives the process (kept beside the state snapshots),
    /// so pages keep their tokens across dev restarts; `None` if state is not kept.
    fn token_key(&self) -> Option<&[u8]>;

    /// Becomes `true` when the dev layer has finished starting (the templates of the build
    /// carry their source positions); `None` if there is nothing to wait for. Pages served
    /// before then wait for it a moment, so they come out as the socket will render them.
    fn started(&self) -> Option<tokio::sync::watch::Receiver<bool>>;
}
