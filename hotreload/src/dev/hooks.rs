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
    /// Whether instances record their states for the inspector.
    inspector: bool,
    /// The click-to-source modifier (`HotReload::source_key`).
    source_key: &'static str,
}

impl DevHooks {
    pub(crate) fn new(
        prefix: &str,
        state: Option<StateManager>,
        token_key: Option<Vec<u8>>,
        inspector: bool,
        source_key: &'static str,
    ) -> Self {
        DevHooks {
            dev_client_src: format!("{prefix}/dev.js"),
            state,
            token_key,
            inspector,
            source_key,
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

    fn source_key(&self) -> &str {
        self.source_key
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

    fn records_history(&self) -> bool {
        self.inspector
    }

    fn save_history(&self, id: InstanceId, type_name: &'static str, history: Vec<u8>) {
        if let Some(manager) = &self.state {
            manager.save_history(id, type_name, &history);
        }
    }

    fn load_history(&self, id: InstanceId, type_name: &'static str) -> Option<Vec<u8>> {
        self.state.as_ref()?.load_history(id, type_name)
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

    fn started(&self) -> Option<tokio::sync::watch::Receiver<bool>> {
        #[cfg(feature = "hot-reload")]
        return crate::dev::engine().map(|engine| engine.annotated());
        #[cfg(not(feature = "hot-reload"))]
        None
    }

    fn open_source(&self, src: &str) -> String {
        let (location, opened) = open_source(src);
        let (ok, message) = match opened {
            Ok(message) => (true, message),
            Err(message) => (false, message),
        };
        bus::frame_json(&DevFrame::SourceOpened {
            ok,
            message,
            file: location.as_ref().map(|l| l.0.clone()),
            line: location.as_ref().map(|l| l.1),
            column: location.as_ref().map(|l| l.2),
        })
    }
}

/// `src` as `(file, line, column)` if it reads as a position, and the outcome of checking it
/// against the running build's sources and opening it: the message for the page.
type Located = Option<(String, u32, u32)>;

#[cfg(feature = "hot-reload")]
fn open_source(src: &str) -> (Located, Result<String, String>) {
    let refuse = |error: crate::dev::editor::EditorError| {
        tracing::warn!(%error, "hotreload: click-to-source refused");
        error.to_string()
    };
    match crate::dev::editor::SourceLocation::parse(src) {
        Ok(location) => (
            Some((location.file.clone(), location.line, location.column)),
            open_location(&location).map_err(refuse),
        ),
        Err(error) => (None, Err(refuse(error))),
    }
}

/// Opens `location` if it is in a source file of the running build.
#[cfg(feature = "hot-reload")]
fn open_location(
    location: &crate::dev::editor::SourceLocation,
) -> Result<String, crate::dev::editor::EditorError> {
    use crate::dev::editor::{EditorError, EditorSettings, Opened, check, open};
    let engine = crate::dev::engine().ok_or(EditorError::NotWatching)?;
    let path = check(location, |key| engine.source_path(key))?;
    match open(location, &path, &EditorSettings::from_env())? {
        Opened::Started(argv) => {
            tracing::info!(%location, editor = %argv.join(" "), "hotreload: opened in the editor");
            Ok(format!("Opened {}:{}", location.file, location.line))
        }
        Opened::Printed(text) => {
            tracing::info!("hotreload: source location {text}");
            Ok(text)
        }
    }
}

/// Without the watcher there are no known sources to open.
#[cfg(not(feature = "hot-reload"))]
fn open_source(_: &str) -> (Located, Result<String, String>) {
    (
        None,
        Err("click-to-source needs the `hot-reload` feature".to_owned()),
    )
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
        pub(crate) fn save_history(&self, _: InstanceId, _: &str, _: &[u8]) {
            match *self {}
        }
        pub(crate) fn load_history(&self, _: InstanceId, _: &str) -> Option<Vec<u8>> {
            match *self {}
        }
    }
}
