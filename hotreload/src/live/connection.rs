//! One WebSocket connection: decodes client frames, routes them to instances on their worker
//! threads, and writes the frames instances (and, in dev, the dev bus) produce.
//!
//! Nothing a client sends can end the connection except closing it: every bad frame gets an
//! `error` frame. A client that goes silent (no frame, not even a ping, for
//! [`IDLE_TIMEOUT`]) is dropped, so vanished tabs do not pile up.

use crate::live::config::LiveConfig;
use crate::live::outbound::QUEUE_FRAMES;
use crate::live::protocol::{
    ClientFrame, ErrorCode, HelloInstance, ProtocolError, ServerFrame, decode_client_frame,
};
use crate::live::runtime::{ConnectionId, Outbound, Resume, runtime};
use crate::live::stats::Counters;
use crate::live::view::Event;
use crate::template::InstanceId;
use axum::extract::ws::{Message, WebSocket};
use axum::http::request::Parts;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// A connection with no inbound frame for this long is considered gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// Serves one upgraded socket until it closes. `dev` adds the dev bus's frames.
pub(crate) async fn run(
    mut socket: WebSocket,
    request: Parts,
    dev: Option<broadcast::Receiver<Arc<str>>>,
) {
    let runtime = runtime();
    runtime.capture_tokio();
    let stats = &runtime.stats;
    Counters::add(&stats.connections_open, 1);
    Counters::add(&stats.connections_total, 1);
    let mut connection = Connection {
        id: runtime.next_connection_id(),
        attached: HashSet::new(),
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
        dev: dev.is_some(),
        closed: Arc::new(AtomicBool::new(false)),
        deferred: Vec::new(),
    };
    runtime
        .breakers
        .insert(connection.id, connection.outbound.0.clone());
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
                    Some(Ok(Message::Binary(_))) => {
                        let error = ProtocolError::new(ErrorCode::BadFrame, "binary frames are not part of protocol v1");
                        Counters::add(&stats.errors_sent, 1);
                        if socket.send(Message::Text(ServerFrame::error(&error, None).to_json().into())).await.is_err() {
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
                if let Some(frame) = frame
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
    let HelloInstance { id, view } = instance;
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

struct Connection {
    id: ConnectionId,
    attached: HashSet<InstanceId>,
    outbound: (Outbound, Receiver<String>),
    request: Parts,
    dev: bool,
    /// Set when the connection goes away, before its instances are detached: an attach that
    /// was deferred (see [`Connection::hello`]) and runs later must not bind an instance to
    /// it, or the instance would never be seen as idle and never dropped.
    closed: Arc<AtomicBool>,
    /// The deferred attaches still waiting, aborted with the connection.
    deferred: Vec<tokio::task::AbortHandle>,
}

impl Connection {
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
                instances, resume, ..
            } => Some(self.hello(instances, resume)),
            ClientFrame::Ping { n, .. } => Some(ServerFrame::Pong { n }.to_json()),
            ClientFrame::Event {
                id,
                event,
                msg,
                value,
                checked,
                form,
                key,
                ..
            } => {
                if !self.attached.contains(&id) {
                    return Some(unknown_instance(id));
                }
                let event = Event {
                    kind: Some(event),
                    value,
                    checked,
                    form: form.unwrap_or_default(),
                    key,
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
                if !self.attached.contains(&id) {
                    return Some(unknown_instance(id));
                }
                let connection = self.id;
                runtime().run(
                    id,
                    Box::new(move |instances| {
                        if let Some(instance) = instances.get_mut(id)
                            && instance.connection() == Some(connection)
                        {
                            instance.ack(seq, error);
                        }
                    }),
                );
                None
            }
        }
    }

    /// Attaches the page's boundaries: existing instances take this connection (sending what
    /// changed, or everything after a reconnect); unknown ones (the server restarted) are
    /// restored or mounted fresh from the view name and sent whole.
    ///
    /// A nested view's type is registered when its parent mounts or restores, and after a
    /// restart that happens in the parent's job on its worker: a name that is not registered
    /// yet is looked up again once the other instances of this `hello` have been brought back
    /// (their jobs signal when done), so the order of a page's boundaries does not matter.
    fn hello(&mut self, instances: Vec<HelloInstance>, resume: bool) -> String {
        let mut brought_back = Vec::new();
        let mut unregistered = Vec::new();
        for instance in instances {
            self.attached.insert(instance.id);
            match runtime().resume(&instance.view) {
                Some(bring_back) => brought_back.push(attach(
                    instance,
                    bring_back,
                    (self.id, &self.closed),
                    &self.outbound.0,
                    &self.request,
                    resume,
                )),
                None => unregistered.push(instance),
            }
        }
        if !unregistered.is_empty() {
            let (connection, outbound, request) =
                (self.id, self.outbound.0.clone(), self.request.clone());
            let closed = Arc::clone(&self.closed);
            let deferred = tokio::spawn(async move {
                // One deadline for all of them, not one wait each.
                let deadline = Instant::now() + REGISTRATION_WAIT;
                for done in brought_back {
                    let _ = tokio::time::timeout_at(deadline, done).await;
                }
                for instance in unregistered {
                    match runtime().resume(&instance.view) {
                        Some(bring_back) => {
                            attach(
                                instance,
                                bring_back,
                                (connection, &closed),
                                &outbound,
                                &request,
                                resume,
                            );
                        }
                        None => {
                            Counters::add(&runtime().stats.errors_sent, 1);
                            let error = ProtocolError::new(
                                ErrorCode::UnknownView,
                                format!("no live view is registered as `{}`", instance.view),
                            );
                            let _ = outbound
                                .send(ServerFrame::error(&error, Some(instance.id)).to_json());
                        }
                    }
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
        let runtime = runtime();
        runtime.breakers.remove(&self.id);
        Counters::sub(&runtime.stats.connections_open, 1);
    }
}

fn unknown_instance(id: InstanceId) -> String {
    Counters::add(&runtime().stats.errors_sent, 1);
    let error = ProtocolError::new(
        ErrorCode::UnknownInstance,
        "no such live view instance on this connection (send `hello` first)",
    );
    ServerFrame::error(&error, Some(id)).to_json()
}
