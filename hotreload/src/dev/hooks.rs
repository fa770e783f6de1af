//! [`DevHooks`]: what the dev layer plugs into the live runtime's one seam
//! ([`RuntimeHooks`]): dev frames for every socket, the dev client for every page, and the
//! state manager behind every instance.

use crate::dev::bus::{self, DevFrame, ToastLevel};
#[cfg(feature = "hot-reload")]
use crate::dev::state::StateManager;
use crate::live::hooks::RuntimeHooks;
use crate::template::InstanceId;
#[cfg(not(feature = "hot-reload"))]
use no_state::StateManager;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The dev layer as the runtime sees it. One per process, made by `HotReload::apply`.
#[derive(Debug)]
pub(crate) struct DevHooks {
    /// `<prefix>/dev.js`.
    dev_client_src: String,
    /// `None` when no manifest dir was given or the store could not be opened.
    state: Option<StateManager>,
    /// The instance-token key kept beside the snapshots (so tokens survive restarts).
    token_key: Option<Vec<u8>>,
}

impl DevHooks {
    pub(crate) fn new(
        prefix: &str,
        state: Option<StateManager>,
        token_key: Option<Vec<u8>>,
    ) -> Self {
        DevHooks {
            dev_client_src: format!("{prefix}/dev.js"),
            state,
            token_key,
        }
    }

    /// The state manager, if state is kept.
    #[cfg(feature = "hot-reload")]
    pub(crate) fn state(&self) -> Option<&StateManager> {
        self.state.as_ref()
    }
}

impl RuntimeHooks for DevHooks {
    fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        bus::subscribe()
    }

    fn dev_client_src(&self) -> &str {
        &self.dev_client_src
    }

    fn keeps_state(&self) -> bool {
        self.state.is_some()
    }

    fn save_state(&self, id: InstanceId, type_name: &'static str, state: Vec<u8>) {
        if let Some(manager) = &self.state {
            manager.save(id, type_name, &state);
        }
    }

    fn load_state(
        &self,
        id: InstanceId,
        type_name: &'static str,
    ) -> Result<Option<Vec<u8>>, String> {
        match &self.state {
            Some(manager) => manager.load(id, type_name),
            None => Ok(None),
        }
    }

    fn count_restore(&self, restored: bool) {
        if let Some(manager) = &self.state {
            manager.count_restore(restored);
        }
    }

    fn forget_state(&self, id: InstanceId) {
        if let Some(manager) = &self.state {
            manager.forget(id);
        }
    }

    fn warning_frame(&self, message: &str) -> String {
        bus::frame_json(&DevFrame::Toast {
            level: ToastLevel::Warn,
            message: message.to_owned(),
        })
    }

    fn token_key(&self) -> Option<&[u8]> {
        self.token_key.as_deref()
    }
}

/// The dev token key in `dir` (`token.key`, 32 random bytes, made on first use): the same
/// across restarts of the dev server, so open pages keep their tokens. `None` (tokens then
/// last one process) if the file cannot be read or written.
#[cfg_attr(
    not(feature = "hot-reload"),
    allow(
        dead_code,
        reason = "without the feature no state dir is opened to keep it in"
    )
)]
pub(crate) fn dev_token_key(dir: &std::path::Path) -> Option<Vec<u8>> {
    let path = dir.join("token.key");
    if let Ok(key) = std::fs::read(&path)
        && key.len() >= crate::live::token::MIN_KEY_BYTES
    {
        return Some(key);
    }
    let key = crate::live::token::random_bytes::<32>().to_vec();
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, &key))
        .map_err(|error| tracing::debug!(%error, "hotreload: dev token key not kept"))
        .ok()?;
    Some(key)
}

/// Without the `hot-reload` feature no state is kept: a manager that cannot exist.
#[cfg(not(feature = "hot-reload"))]
mod no_state {
    use crate::template::InstanceId;

    #[derive(Debug)]
    pub(crate) enum StateManager {}

    impl StateManager {
        pub(crate) fn save(&self, _: InstanceId, _: &str, _: &[u8]) {
            match *self {}
        }
        pub(crate) fn load(&self, _: InstanceId, _: &str) -> Result<Option<Vec<u8>>, String> {
            match *self {}
        }
        pub(crate) fn count_restore(&self, _: bool) {
            match *self {}
        }
        pub(crate) fn forget(&self, _: InstanceId) {
            match *self {}
        }
    }
}
