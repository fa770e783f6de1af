//! One WebSocket connection: decodes client frames, routes them to instances on their worker
//! threads, and writes the frames instances (and, in dev, the dev bus) produce.
//!
//! Nothing a client sends can end the connection except closing it: every bad frame gets an
//! `error` frame. A client that goes silent (no frame, not even a ping, for
//! [`IDLE_TIMEOUT`]) is dropped, so vanished tabs do not pile up.

use crate::live::child::child_id;
use crate::live::config::LiveConfig;
use crate::live::instance::TimeTravel;
use crate::live::outbound::QUEUE_FRAMES;
use crate::live::params::is_local_path;
use crate::live::protocol::{
    ClientFrame, DevRequest, ErrorCode, HelloInstance, ProtocolError, ServerFrame,
    decode_client_frame,
};
use crate::live::runtime::{ConnectionId, Outbound, Resume, runtime};
use crate::live::stats::Counters;
use crate::live::token::{DEFAULT_MAX_AGE, TokenError, session_of, sign, verify};
use crate::live::view::Event;
use crate::template::InstanceId;
use axum::extract::ws::{Message, WebSocket};
use axum::http::request::Parts;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::mpsc::Receiver;
use tokio::time::Instant;

/// Largest client frame accepted (larger ones get a `too_large` error frame).
pub(crate) const MAX_FRAME_BYTES: usize = 1024 * 1024;

/// Largest WebSocket message read at all; beyond this the socket itself is closed.
pub(crate) const MAX_SOCKET_MESSAGE: usize = 16 * 1024 * 1024;

/// How long writing one frame may take before the client is considered stuck.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a `hello` waits for the parents on its page to be brought back before a view
/// name still not registered is refused (see [`Connection::hello`]).
const REGISTRATION_WAIT: Duration = Duration::from_secs(5);

/// How many children of one parent a nested boundary's id is checked against.
const MAX_CHILDREN: u32 = 1024;

/// The most boundaries one `hello` may announce.
const MAX_HELLO_BOUNDARIES: usize = 256;

/// The nested views of `parents` and theirs, as `hello` entries (from the runtime's record of
/// who is whose parent, made when they mounted).
fn descendants(parents: &[InstanceId]) -> Vec<HelloInstance> {
    let mut found = Vec::new();
    let mut frontier: Vec<InstanceId> = parents.to_vec();
    while let Some(parent) = frontier.pop() {
        for (child, view) in runtime().children_of(parent) {
            frontier.push(child);
            let mut entry = HelloInstance::new(child, view);
            entry.parent = Some(parent);
            found.push(entry);
        }
    }
    found
}

/// A connection with no inbound frame for this long is considered gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// Serves one upgraded socket until it closes. `dev` adds the dev bus's frames.
///
/// `route_view` is the view the route that opened the socket serves (`None` for the dev
/// socket): the only one a refused token may be answered with a fresh mount of.
pub(crate) async fn run(
    mut socket: WebSocket,
    request: Parts,
    dev: Option<broadcast::Receiver<Arc<str>>>,
    route_view: Option<&'static str>,
) {
    let mut connection = Connection::open(request, dev.is_some(), route_view);
    let mut dev = dev;
    let mut last_seen = Instant::now();
    tracing::debug!(connection = connection.id.0, "hotreload: connection opened");

    loop {
        tokio::select! {
            inbound = socket.recv() => {
                last_seen = Instant::now();
                match inbound {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(reply) = connection.handle_text(text.as_str())
                            && socket.send(Message::Text(reply.into())).await.is_err()
                        {
                            break;
                        }
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        if let Some(reply) = connection.handle_binary(&bytes)
                            && socket.send(Message::Text(reply.into())).await.is_err()
                        {
                            break;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                }
            }
            Some(json) = connection.outbound.1.recv() => {
                // A client that stops reading fills the socket; don't wait on it forever.
                let sent = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(json.into()))).await;
                if !matches!(sent, Ok(Ok(()))) || connection.outbound.0.overflowed() {
                    tracing::debug!(connection = connection.id.0, "hotreload: client fell behind; closing");
                    break;
                }
            }
            frame = next_dev_frame(&mut dev) => {
                // Server log lines only for pages the dev tools are served to.
                if let Some(frame) = frame
                    && (connection.dev_tools_host || !frame.starts_with(LOG_FRAME_PREFIX))
                    && socket.send(Message::Text(frame.as_ref().into())).await.is_err()
                {
                    break;
                }
            }
            () = tokio::time::sleep_until(last_seen + IDLE_TIMEOUT) => {
                tracing::debug!(connection = connection.id.0, "hotreload: client went silent; closing");
                break;
            }
        }
    }
    // Dropping `connection` detaches its instances and updates the counters (see its `Drop`).
}

/// The next dev frame, or never (no dev bus, or it closed).
async fn next_dev_frame(dev: &mut Option<broadcast::Receiver<Arc<str>>>) -> Option<Arc<str>> {
    let Some(receiver) = dev else {
        return std::future::pending().await;
    };
    loop {
        match receiver.recv().await {
            Ok(frame) => return Some(frame),
            // A slow client missed some dev frames; the next ones still matter.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => {
                *dev = None;
                return std::future::pending().await;
            }
        }
    }
}

/// How every `log` dev frame starts (`protocol::frame_json` writes the envelope first).
const LOG_FRAME_PREFIX: &str = "{\"v\":1,\"type\":\"log\"";

/// Queues the job that attaches `instance` to `connection`, bringing it back first if its
/// worker does not have it (the server restarted, or the id now names another view). The
/// receiver fires once the job has run.
fn attach(
    instance: HelloInstance,
    bring_back: Resume,
    connection: (ConnectionId, &Arc<AtomicBool>),
    outbound: &Outbound,
    request: &Parts,
    resume: bool,
) -> tokio::sync::oneshot::Receiver<()> {
    let (done, finished) = tokio::sync::oneshot::channel();
    let HelloInstance { id, view, .. } = instance;
    let outbound = outbound.clone();
    let request = request.clone();
    let (connection, closed) = (connection.0, Arc::clone(connection.1));
    runtime().run(
        id,
        Box::new(move |instances| {
            if closed.load(Ordering::Acquire) {
                // The page went away before this (deferred) attach ran.
                let _ = done.send(());
                return;
            }
            let known = instances.get_mut(id).is_some_and(|i| i.view() == view);
            if !known {
                instances.remove(id);
                let install = bring_back(id, &request, &outbound);
                install(instances);
            }
            if let Some(instance) = instances.get_mut(id) {
                instance.attach(connection, outbound, resume || !known);
            }
            let _ = done.send(());
        }),
    );
    finished
}

/// The instances attached to one connection: shared with the tasks that attach some later
/// (deferred names, a remounted parent's children), so the connection detaches them all when
/// it closes.
#[derive(Debug, Clone, Default)]
struct Attached(Arc<Mutex<HashSet<InstanceId>>>);

impl Attached {
    fn insert(&self, id: InstanceId) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id);
    }
    fn remove(&self, id: InstanceId) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)
    }
    fn contains(&self, id: InstanceId) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&id)
    }
    fn all(&self) -> Vec<InstanceId> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect()
    }
    fn drain(&self) -> Vec<InstanceId> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect()
    }
}

struct Connection {
    id: ConnectionId,
    attached: Attached,
    outbound: (Outbound, Receiver<String>),
    request: Parts,
    dev: bool,
    /// The view served by the route that opened this socket.
    route_view: Option<&'static str>,
    /// Set when the connection goes away, before its instances are detached: an attach that
    /// was deferred (see [`Connection::hello`]) and runs later must not bind an instance to
    /// it, or the instance would never be seen as idle and never dropped.
    closed: Arc<AtomicBool>,
    /// The deferred attaches still waiting, aborted with the connection.
    deferred: Vec<tokio::task::AbortHandle>,
    /// A click-to-source request of this page is being carried out.
    opening: Arc<AtomicBool>,
    /// The page reached the server by a host the dev tools may be served to
    /// (`origin::dev_tools_host_allowed`).
    dev_tools_host: bool,
}

impl Connection {
    /// A connection for a socket opened with `request` (counted, its breaker registered).
    fn open(request: Parts, dev: bool, route_view: Option<&'static str>) -> Self {
        let runtime = runtime();
        runtime.capture_tokio();
        Counters::add(&runtime.stats.connections_open, 1);
        Counters::add(&runtime.stats.connections_total, 1);
        let connection = Connection {
            id: runtime.next_connection_id(),
            attached: Attached::default(),
            outbound: {
                let (sender, receiver) = tokio::sync::mpsc::channel(QUEUE_FRAMES);
                let breaker = request
                    .extensions
                    .get::<LiveConfig>()
                    .and_then(|config| config.breaker)
                    .unwrap_or_else(|| runtime.default_breaker());
                (Outbound::new(sender, breaker), receiver)
            },
            request,
            dev,
            route_view,
            closed: Arc::new(AtomicBool::new(false)),
            deferred: Vec::new(),
            opening: Arc::new(AtomicBool::new(false)),
            dev_tools_host: false,
        };
        runtime
            .breakers
            .insert(connection.id, connection.outbound.0.clone());
        let mut connection = connection;
        connection.dev_tools_host =
            crate::live::origin::dev_tools_host_allowed(&connection.request.headers);
        connection
    }

    /// Handles one text frame; returns a frame to send right away, if any.
    fn handle_text(&mut self, text: &str) -> Option<String> {
        let frame = match decode_client_frame(text, MAX_FRAME_BYTES) {
            Ok(frame) => frame,
            Err(error) => {
                Counters::add(&runtime().stats.errors_sent, 1);
                return Some(ServerFrame::error(&error, None).to_json());
            }
        };
        match frame {
            ClientFrame::Hello {
                instances,
                resume,
                url,
            } => Some(self.hello(instances, resume, url.as_deref())),
            ClientFrame::Params { url } => {
                for id in self.attached.all() {
                    let url = url.clone();
                    self.on_instance(id, move |instance| instance.params(&url));
                }
                None
            }
            ClientFrame::Leave { ids } => {
                for id in ids {
                    if !self.attached.remove(id) {
                        continue;
                    }
                    let connection = self.id;
                    runtime().run(
                        id,
                        Box::new(move |instances| {
                            if instances
                                .get_mut(id)
                                .is_some_and(|instance| instance.connection() == Some(connection))
                            {
                                instances.remove(id);
                            }
                        }),
                    );
                }
                None
            }
            ClientFrame::ClearFlash { id, kind } => {
                if !self.attached.contains(id) {
                    return Some(unknown_instance(id));
                }
                self.on_instance(id, move |instance| instance.clear_flash(kind));
                None
            }
            ClientFrame::Ping { n, .. } => Some(ServerFrame::Pong { n }.to_json()),
            ClientFrame::Dev(request) => self.dev_request(request),
            ClientFrame::Upload { id, name, files } => {
                if !self.attached.contains(id) {
                    return Some(unknown_instance(id));
                }
                match crate::live::upload::announce(self.id, id, &name, files) {
                    Ok(refs) => {
                        touch(id);
                        Some(
                            ServerFrame::UploadReady {
                                id,
                                name,
                                refs,
                                chunk: crate::live::upload::CHUNK_BYTES,
                            }
                            .to_json(),
                        )
                    }
                    Err(message) => {
                        Counters::add(&runtime().stats.errors_sent, 1);
                        let error = ProtocolError::new(ErrorCode::BadFrame, message);
                        Some(ServerFrame::error(&error, Some(id)).to_json())
                    }
                }
            }
            ClientFrame::Event {
                id,
                event,
                msg,
                value,
                checked,
                form,
                key,
                unused,
                ..
            } => {
                if !self.attached.contains(id) {
                    return Some(unknown_instance(id));
                }
                let event = Event {
                    kind: Some(event),
                    value,
                    checked,
                    form: form.unwrap_or_default(),
                    key,
                    unused: unused.unwrap_or_default(),
                };
                let connection = self.id;
                let outbound = self.outbound.0.clone();
                // One span per event, entered again on the worker, so update → render → diff
                // → send show up as its children with their timings (RUST_LOG=hotreload=debug).
                let span = tracing::debug_span!("event", instance = %id, kind = ?event.kind);
                runtime().run(
                    id,
                    Box::new(move |instances| {
                        let _entered = span.enter();
                        match instances.get_mut(id) {
                            Some(instance) if instance.connection() == Some(connection) => {
                                instance.event(msg, event);
                            }
                            _ => {
                                let _ = outbound.send(unknown_instance(id));
                            }
                        }
                    }),
                );
                None
            }
            ClientFrame::Ack { id, seq, error, .. } => {
                if !self.attached.contains(id) {
                    return Some(unknown_instance(id));
                }
                self.on_instance(id, move |instance| instance.ack(seq, error));
                None
            }
        }
    }

    /// A request of the dev tools: only on a dev socket of a process with dev hooks (debug
    /// builds with hot reload), else `dev_off`.
    fn dev_request(&mut self, request: DevRequest) -> Option<String> {
        let refuse = |message: &str| {
            Counters::add(&runtime().stats.errors_sent, 1);
            let error = ProtocolError::new(ErrorCode::DevOff, message);
            Some(ServerFrame::error(&error, None).to_json())
        };
        let Some(hooks) = runtime().hooks().filter(|_| self.dev) else {
            return refuse("dev tools are only served by debug builds with hot reload enabled");
        };
        if !self.dev_tools_host {
            return refuse(
                "dev tools are only served to pages on a loopback host (localhost, 127.0.0.1) or one in HOTRELOAD_DEV_HOSTS",
            );
        }
        let outbound = self.outbound.0.clone();
        match request {
            DevRequest::Open { src } => {
                let Some(tokio) = runtime().tokio() else {
                    return refuse("the server has no runtime to open the editor from");
                };
                // One at a time per page: a held-down key cannot start a hundred editors.
                if self.opening.swap(true, Ordering::AcqRel) {
                    Counters::add(&runtime().stats.errors_sent, 1);
                    let error = ProtocolError::new(
                        ErrorCode::RateLimited,
                        "an editor is already being opened for this page",
                    );
                    return Some(ServerFrame::error(&error, None).to_json());
                }
                let opening = Arc::clone(&self.opening);
                tokio.spawn(async move {
                    let answer = tokio::task::spawn_blocking(move || hooks.open_source(&src)).await;
                    opening.store(false, Ordering::Release);
                    if let Ok(answer) = answer {
                        let _ = outbound.send(answer);
                    }
                });
                None
            }
            _ if !hooks.records_history() => refuse(
                "the inspector is off (HotReload::inspector(false) or HOTRELOAD_INSPECTOR=0)",
            ),
            DevRequest::Inspect { ids } => {
                let ids = ids
                    .into_iter()
                    .filter(|id| self.attached.contains(*id))
                    .collect();
                crate::live::inspect::answer(ids, None, outbound);
                None
            }
            DevRequest::Travel { id, .. }
            | DevRequest::Resume { id }
            | DevRequest::Replay { id, .. }
                if !self.attached.contains(id) =>
            {
                Some(unknown_instance(id))
            }
            DevRequest::Travel { id, to } => {
                crate::live::inspect::answer(vec![id], Some((id, TimeTravel::To(to))), outbound);
                None
            }
            DevRequest::Resume { id } => {
                crate::live::inspect::answer(vec![id], Some((id, TimeTravel::Resume)), outbound);
                None
            }
            DevRequest::Replay { id, from } => {
                crate::live::inspect::answer(
                    vec![id],
                    Some((id, TimeTravel::Replay(from))),
                    outbound,
                );
                None
            }
        }
    }

    /// Handles one binary frame (an upload chunk); returns a frame to send right away, if any.
    fn handle_binary(&mut self, frame: &[u8]) -> Option<String> {
        use crate::live::upload::{Chunked, chunk, parse_chunk};
        let Some((id, reference, bytes)) = parse_chunk(frame) else {
            Counters::add(&runtime().stats.errors_sent, 1);
            let error = ProtocolError::new(
                ErrorCode::BadFrame,
                "a binary frame must be an upload chunk (docs/PROTOCOL.md, \"Uploads\")",
            );
            return Some(ServerFrame::error(&error, None).to_json());
        };
        if !self.attached.contains(id) {
            return Some(unknown_instance(id));
        }
        match chunk(self.id, id, reference, bytes) {
            Chunked::Written(changed) => {
                if changed {
                    touch(id);
                }
                None
            }
            Chunked::Stop(reason) => {
                touch(id);
                Some(
                    ServerFrame::UploadStop {
                        id,
                        reference: reference.to_owned(),
                        reason,
                    }
                    .to_json(),
                )
            }
        }
    }

    /// Runs `job` on instance `id`'s worker if the instance is there and attached to this
    /// connection (it may have gone, or been taken by another connection, meanwhile).
    fn on_instance(
        &self,
        id: InstanceId,
        job: impl FnOnce(&mut dyn crate::live::instance::AnyInstance) + Send + 'static,
    ) {
        let connection = self.id;
        runtime().run(
            id,
            Box::new(move |instances| {
                if let Some(instance) = instances.get_mut(id)
                    && instance.connection() == Some(connection)
                {
                    job(instance);
                }
            }),
        );
    }

    /// Attaches the page's boundaries: existing instances take this connection (sending what
    /// changed, or everything after a reconnect); unknown ones (the server restarted) are
    /// restored or mounted fresh from the view name and sent whole.
    ///
    /// A top-level boundary must present its token (`token.rs`); one that does not (missing,
    /// forged, expired) gets a `bad_token` error and a fresh instance under a new id
    /// (`remount`), never the instance its id names. A nested boundary is taken only under a
    /// parent accepted on this connection, with the id that parent's children have.
    ///
    /// A nested view's type is registered when its parent mounts or restores, and after a
    /// restart that happens in the parent's job on its worker: a name that is not registered
    /// yet is looked up again once the other instances of this `hello` have been brought back
    /// (their jobs signal when done), so the order of a page's boundaries does not matter.
    fn hello(&mut self, instances: Vec<HelloInstance>, resume: bool, url: Option<&str>) -> String {
        // Views brought back after a restart mount with the page's URL now (it may have been
        // patched since the socket opened).
        if let Some(uri) = url
            .filter(|url| is_local_path(url))
            .and_then(|url| url.parse::<axum::http::Uri>().ok())
        {
            self.request.uri = uri;
        }
        let session = session_of(&self.request.headers);
        let key = runtime().token_key();
        if instances.len() > MAX_HELLO_BOUNDARIES {
            Counters::add(&runtime().stats.errors_sent, 1);
            let error = ProtocolError::new(
                ErrorCode::BadFrame,
                format!("a page has at most {MAX_HELLO_BOUNDARIES} live views"),
            );
            return ServerFrame::error(&error, None).to_json();
        }
        let mut accepted: HashSet<InstanceId> = self.attached.all().into_iter().collect();
        let mut remounted = Vec::new();
        let mut brought_back = Vec::new();
        let (top, nested): (Vec<_>, Vec<_>) = instances
            .into_iter()
            .partition(|instance| instance.parent.is_none());
        for mut instance in top {
            let Some(bring_back) = runtime().resume(&instance.view) else {
                // Top-level views are registered when their route is made, before serving.
                self.refuse(
                    instance.id,
                    ErrorCode::UnknownView,
                    format!("no live view is registered as `{}`", instance.view),
                );
                continue;
            };
            if let Err(error) = verify(
                key,
                instance.token.as_deref(),
                instance.id,
                &instance.view,
                session.as_deref().unwrap_or(""),
            ) {
                let Some(fresh) = self.remount(&mut instance, session.as_deref(), error) else {
                    continue;
                };
                remounted.push(fresh);
            }
            accepted.insert(instance.id);
            self.attached.insert(instance.id);
            brought_back.push(attach(
                instance,
                bring_back,
                (self.id, &self.closed),
                &self.outbound.0,
                &self.request,
                resume,
            ));
        }
        // A nested boundary is only a claim until its parent's job has run: then the runtime's
        // record (made when the parent mounted or restored it) says whether that parent has
        // this child, of this view. Cheap check first: the id must be one a parent accepted
        // here derives for its children.
        let mut claims = Vec::new();
        for instance in nested {
            let derived = instance.parent.is_some_and(|parent| {
                accepted.contains(&parent)
                    && (0..MAX_CHILDREN).any(|n| child_id(parent, n) == instance.id)
            });
            let recorded = runtime().parent_of(instance.id).map(|(parent, _)| parent);
            if derived && recorded.is_none() {
                // After a restart: its parent has not been brought back yet.
                accepted.insert(instance.id);
                claims.push(instance);
            } else if derived
                && recorded == instance.parent
                && runtime().child_view_of(instance.id) == Some(instance.view.as_str())
                && let Some(bring_back) = runtime().resume(&instance.view)
            {
                // The parent's record says so already: attached now, before any event of the
                // page can reach it (same worker, in order).
                accepted.insert(instance.id);
                self.attached.insert(instance.id);
                brought_back.push(attach(
                    instance,
                    bring_back,
                    (self.id, &self.closed),
                    &self.outbound.0,
                    &self.request,
                    resume,
                ));
            } else {
                self.refuse(
                    instance.id,
                    ErrorCode::UnknownInstance,
                    String::from(
                        "a nested view is attached only under its parent on the same page",
                    ),
                );
            }
        }
        if !claims.is_empty() || !remounted.is_empty() {
            let (connection, outbound, request) =
                (self.id, self.outbound.0.clone(), self.request.clone());
            let closed = Arc::clone(&self.closed);
            let attached = self.attached.clone();
            let deferred = tokio::spawn(async move {
                // One deadline for all of them, not one wait each.
                let deadline = Instant::now() + REGISTRATION_WAIT;
                for done in brought_back {
                    let _ = tokio::time::timeout_at(deadline, done).await;
                }
                // A remounted view mounted fresh children (new ids) into the html it sent;
                // they are this page's now.
                for child in descendants(&remounted) {
                    attached.insert(child.id);
                    if let Some(bring_back) = runtime().resume(&child.view) {
                        attach(
                            child,
                            bring_back,
                            (connection, &closed),
                            &outbound,
                            &request,
                            false,
                        );
                    }
                }
                // In page order, each after the one before it has been brought back (a
                // grandchild's record is made when its parent restores).
                for claim in claims {
                    let recorded = runtime().parent_of(claim.id).map(|(parent, _)| parent)
                        == claim.parent
                        && runtime().child_view_of(claim.id) == Some(claim.view.as_str());
                    let bring_back = runtime().resume(&claim.view).filter(|_| recorded);
                    let Some(bring_back) = bring_back else {
                        Counters::add(&runtime().stats.errors_sent, 1);
                        let error = ProtocolError::new(
                            ErrorCode::UnknownInstance,
                            format!("no `{}` is nested there", claim.view),
                        );
                        let _ = outbound.send(ServerFrame::error(&error, Some(claim.id)).to_json());
                        continue;
                    };
                    attached.insert(claim.id);
                    let done = attach(
                        claim,
                        bring_back,
                        (connection, &closed),
                        &outbound,
                        &request,
                        resume,
                    );
                    let _ = tokio::time::timeout_at(deadline, done).await;
                }
            });
            self.deferred.push(deferred.abort_handle());
        }
        ServerFrame::Welcome {
            boot: runtime().boot_id(),
            dev: self.dev,
        }
        .to_json()
    }

    /// Sends an `error` for boundary `id`.
    fn refuse(&self, id: InstanceId, code: ErrorCode, message: String) {
        Counters::add(&runtime().stats.errors_sent, 1);
        let error = ProtocolError::new(code, message);
        let _ = self
            .outbound
            .0
            .send(ServerFrame::error(&error, Some(id)).to_json());
    }

    /// Refuses `instance`'s token: tells the page (`bad_token`, then `remount` with a new id
    /// and its token) and points `instance` at the new id, which attaching mounts fresh.
    ///
    /// Only the view this socket's route serves is mounted here: the request that opened the
    /// socket went through that route's middleware (authentication), and through no other
    /// route's. Any other view (a page reached by live navigation, or a name made up by the
    /// client) gets `reload` instead: the page is loaded again through the router. `None`
    /// then. Without a session cookie, the new token is bound to a session nobody has, so it
    /// cannot be reused.
    fn remount(
        &self,
        instance: &mut HelloInstance,
        session: Option<&str>,
        error: TokenError,
    ) -> Option<InstanceId> {
        let runtime = runtime();
        tracing::info!(instance = %instance.id, view = instance.view, %error, "hotreload: refused an instance token");
        if self.route_view != Some(instance.view.as_str()) {
            self.refuse(
                instance.id,
                ErrorCode::BadToken,
                format!("{error}; the page is loaded again"),
            );
            let _ = self.outbound.0.send(
                ServerFrame::Reload {
                    reason: String::from("a live view's token was refused"),
                }
                .to_json(),
            );
            return None;
        }
        self.refuse(
            instance.id,
            ErrorCode::BadToken,
            format!("{error}; the view was mounted fresh"),
        );
        let session = session.map_or_else(crate::live::token::new_session, str::to_owned);
        let fresh = runtime.next_instance_id();
        let max_age = self
            .request
            .extensions
            .get::<LiveConfig>()
            .map_or(DEFAULT_MAX_AGE, LiveConfig::token_max_age_or_default);
        let token = sign(
            runtime.token_key(),
            fresh,
            &instance.view,
            &session,
            max_age,
        );
        let _ = self.outbound.0.send(
            ServerFrame::Remount {
                old: instance.id,
                id: fresh,
                token: token.clone(),
            }
            .to_json(),
        );
        instance.id = fresh;
        instance.token = Some(token);
        Some(fresh)
    }

    fn detach_all(&mut self) {
        let connection = self.id;
        for id in self.attached.drain() {
            runtime().run(
                id,
                Box::new(move |instances| {
                    if let Some(instance) = instances.get_mut(id) {
                        instance.detach(connection);
                    }
                }),
            );
        }
    }
}

/// Undoes what opening the connection did, however [`run`] ends: returning, or being dropped
/// mid-await (its runtime shutting down, its task aborted). Without this, a cancelled
/// connection would stay counted in `connections_open`, keep its breaker entry and leave its
/// instances attached to a socket that no longer exists.
impl Drop for Connection {
    fn drop(&mut self) {
        // First, so that a deferred attach queued after the detach below binds nothing.
        self.closed.store(true, Ordering::Release);
        for task in self.deferred.drain(..) {
            task.abort();
        }
        self.detach_all();
        // Files this connection had not finished sending are removed with it. No render: the
        // instances are detached, and attaching again sends them whole or what changed.
        crate::live::upload::connection_closed(self.id);
        let runtime = runtime();
        runtime.breakers.remove(&self.id);
        Counters::sub(&runtime.stats.connections_open, 1);
    }
}

/// Renders instance `id` again with the worker's next batch (an upload's progress changed).
fn touch(id: InstanceId) {
    runtime().run(id, Box::new(move |instances| instances.touch(id)));
}

fn unknown_instance(id: InstanceId) -> String {
    Counters::add(&runtime().stats.errors_sent, 1);
    let error = ProtocolError::new(
        ErrorCode::UnknownInstance,
        "no such live view instance on this connection (send `hello` first)",
    );
    ServerFrame::error(&error, Some(id)).to_json()
}

/// A connection without a socket, for the test harness (`hotreload::testing`): text frames go
/// in through [`send`](Self::send) exactly as a socket's would, and the frames instances queue
/// come out of [`try_recv`](Self::try_recv). Dropping it closes the connection.
#[cfg(feature = "testing")]
pub(crate) struct TestConnection(Connection);

#[cfg(feature = "testing")]
impl std::fmt::Debug for TestConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TestConnection").field(&self.0.id).finish()
    }
}

#[cfg(feature = "testing")]
impl TestConnection {
    /// Opens a connection as if `request` (the page's socket request, through the router) had
    /// been upgraded by the route of `route_view`.
    pub(crate) fn open(request: Parts, route_view: &'static str) -> Self {
        TestConnection(Connection::open(request, false, Some(route_view)))
    }

    /// Handles a client frame; returns the frame the socket would answer with at once.
    pub(crate) fn send(&mut self, text: &str) -> Option<String> {
        self.0.handle_text(text)
    }

    /// Handles a binary frame (an upload chunk), as [`send`](Self::send) does text.
    pub(crate) fn send_binary(&mut self, frame: &[u8]) -> Option<String> {
        self.0.handle_binary(frame)
    }

    /// The next frame queued for the client, if any.
    pub(crate) fn try_recv(&mut self) -> Option<String> {
        self.0.outbound.1.try_recv().ok()
    }
}
