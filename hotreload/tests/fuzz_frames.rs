//! Fuzzing the WebSocket frame decoder as long property tests (cargo-fuzz needs a nightly
//! toolchain; see `docs/FUZZING.md`).
//!
//! - arbitrary strings, arbitrary bytes (lossily decoded) and mutations of valid frames go into
//!   [`decode_client_frame`]: it never panics, and returns a frame or a [`ProtocolError`] whose
//!   code is one of the decoder's documented codes; decoding is deterministic, and a decoded
//!   frame re-encoded decodes to itself;
//! - live: 500 random frames over a real socket leave the connection open and a `ping` still
//!   gets its `pong`.
//!
//! `PROPTEST_CASES=N` runs N cases per property.

mod support;

use hotreload::__testing::{ClientFrame, ErrorCode, decode_client_frame};
use hotreload::live_view;
use hotreload::prelude::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Client, get, instance_id, serve};

const LIMIT: usize = 4096;

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        max_shrink_iters: 2_000,
        // Failures print their minimal input; no regression files in the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Valid frames of every type, the seeds that mutations start from.
const VALID: &[&str] = &[
    r#"{"v":1,"type":"hello","instances":[{"id":"00000000000000ff","view":"Counter"}]}"#,
    r#"{"v":1,"type":"hello","instances":[],"resume":true}"#,
    r#"{"v":1,"type":"event","id":"00000000000000ff","event":"click","msg":"Inc","ref":3}"#,
    r#"{"v":1,"type":"event","id":"00000000000000ff","event":"submit","msg":{"Save":{"n":1}},"form":[["a","b"]],"value":"x","checked":true,"key":"Enter"}"#,
    r#"{"v":1,"type":"ack","id":"0123456789abcdef","seq":7}"#,
    r#"{"v":1,"type":"ack","id":"0123456789abcdef","seq":7,"error":"path not found: [0,3]"}"#,
    r#"{"v":1,"type":"ping","n":42}"#,
    r#"{"v":1,"type":"ping"}"#,
    r#"{"v":1,"type":"dev","action":"open","src":"examples/counter.rs:36:13"}"#,
    r#"{"v":1,"type":"dev","action":"travel","id":"00000000000000ff","to":3}"#,
];

/// The codes the decoder itself may answer with (the others are about instances and views).
const DECODER_CODES: &[ErrorCode] = &[
    ErrorCode::BadJson,
    ErrorCode::BadFrame,
    ErrorCode::UnknownType,
    ErrorCode::BadVersion,
    ErrorCode::TooLarge,
];

/// The wire spelling of every code, as `docs/PROTOCOL.md` lists them.
fn wire_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadJson => "bad_json",
        ErrorCode::BadFrame => "bad_frame",
        ErrorCode::UnknownType => "unknown_type",
        ErrorCode::BadVersion => "bad_version",
        ErrorCode::TooLarge => "too_large",
        ErrorCode::UnknownInstance => "unknown_instance",
        ErrorCode::UnknownView => "unknown_view",
        ErrorCode::BadMessage => "bad_message",
        ErrorCode::Panic => "panic",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::BadToken => "bad_token",
        ErrorCode::DevOff => "dev_off",
        ErrorCode::Paused => "paused",
    }
}

/// Decodes `text` and checks everything that must hold whatever it is.
fn check(text: &str) -> Result<(), TestCaseError> {
    let result = decode_client_frame(text, LIMIT);
    prop_assert_eq!(
        &result,
        &decode_client_frame(text, LIMIT),
        "not deterministic"
    );
    match result {
        Ok(frame) => {
            let encoded = hotreload::__testing::client_frame_json(&frame);
            let again: ClientFrame = match decode_client_frame(&encoded, usize::MAX) {
                Ok(again) => again,
                Err(error) => return Err(TestCaseError::fail(format!("{error}: {encoded}"))),
            };
            // serde_json's default float parsing may land one ulp off; everything else is exact.
            let (a, b) = (
                serde_json::to_value(&frame).expect("frames serialize"),
                serde_json::to_value(&again).expect("frames serialize"),
            );
            prop_assert!(
                same_modulo_float_rounding(&a, &b),
                "{} re-decoded as {}",
                a,
                b
            );
        }
        Err(error) => {
            prop_assert!(DECODER_CODES.contains(&error.code), "{:?}", error);
            prop_assert_eq!(error.code.to_string(), wire_code(error.code));
            prop_assert!(!error.message.is_empty());
            if text.len() > LIMIT {
                prop_assert_eq!(error.code, ErrorCode::TooLarge);
            }
        }
    }
    Ok(())
}

fn same_modulo_float_rounding(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= x.abs().max(y.abs()) * 1e-15
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(x, y)| same_modulo_float_rounding(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_modulo_float_rounding(v, w)))
        }
        _ => a == b,
    }
}

/// JSON values of any shape, with the frame vocabulary mixed in so objects look like frames.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(json!(1)),
        Just(json!("00000000000000ff")),
        "[a-z]{0,6}".prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ];
    let keys = proptest::sample::select(
        &[
            "v",
            "type",
            "id",
            "instances",
            "view",
            "resume",
            "event",
            "msg",
            "value",
            "checked",
            "form",
            "key",
            "ref",
            "seq",
            "error",
            "n",
            "other",
        ][..],
    );
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid frame with one to four mutations at the JSON level.
fn mutated_frame() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(VALID),
        proptest::collection::vec((0..6u8, json_value(), "[a-z]{1,8}"), 1..4),
    )
        .prop_map(|(seed, mutations)| {
            let mut frame: Value = serde_json::from_str(seed).expect("seed frames are JSON");
            let Some(object) = frame.as_object_mut() else {
                return seed.to_owned();
            };
            for (kind, value, name) in mutations {
                let keys: Vec<String> = object.keys().cloned().collect();
                let key = keys
                    .get(name.len() % keys.len().max(1))
                    .cloned()
                    .unwrap_or_default();
                match kind {
                    0 => {
                        object.remove(&key);
                    }
                    1 => {
                        object.insert(key, value);
                    }
                    2 => {
                        object.insert(name, value);
                    }
                    3 => {
                        let t = ["hello", "event", "ack", "ping", "patch", ""][name.len() % 6];
                        object.insert("type".to_owned(), json!(t));
                    }
                    4 => {
                        object.insert("v".to_owned(), value);
                    }
                    _ => {
                        if let Some(Value::String(s)) = object.get_mut(&key) {
                            s.push_str(&name);
                        }
                    }
                }
            }
            frame.to_string()
        })
}

/// A valid frame damaged at the text level: truncated, a byte range replaced, or spliced.
fn damaged_text() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(VALID),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        "\\PC{0,4}",
        0..3u8,
    )
        .prop_map(|(seed, a, b, insert, kind)| {
            let chars: Vec<char> = seed.chars().collect();
            let (a, b) = (a.index(chars.len() + 1), b.index(chars.len() + 1));
            let (lo, hi) = (a.min(b), a.max(b));
            match kind {
                0 => chars[..lo].iter().collect(),
                1 => {
                    let mut out: String = chars[..lo].iter().collect();
                    out.push_str(&insert);
                    out.extend(&chars[hi..]);
                    out
                }
                _ => {
                    let mut out: String = chars[..hi].iter().collect();
                    out.extend(&chars[lo..]);
                    out
                }
            }
        })
}

fn any_frame_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        1 => proptest::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        3 => json_value().prop_map(|v| v.to_string()),
        4 => mutated_frame(),
        3 => damaged_text(),
        1 => "\\{\"v\":1,\"type\":\"ping\",\"n\":[0-9]{1,25}\\}",
        1 => (0..2usize).prop_map(|n| format!(r#"{{"v":1,"type":"ping","pad":"{}"}}"#, "x".repeat(LIMIT + n))),
    ]
}

proptest! {
    #![proptest_config(config(4_000))]
    #[test]
    fn any_text_decodes_or_gets_a_stable_error(text in any_frame_text()) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn mutated_valid_frames_decode_or_get_a_stable_error(text in mutated_frame()) {
        check(&text)?;
    }
}

#[test]
fn the_seed_frames_are_valid() {
    for seed in VALID {
        assert!(decode_client_frame(seed, LIMIT).is_ok(), "{seed}");
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Echo {
    count: i64,
}

#[derive(Serialize, Deserialize)]
enum EchoMsg {
    Inc,
}

impl LiveView for Echo {
    type Message = EchoMsg;

    fn update(&mut self, msg: EchoMsg, _cx: &mut Context<'_, Self>) {
        match msg {
            EchoMsg::Inc => self.count += 1,
        }
    }

    fn render(&self) -> Html<EchoMsg> {
        hot_reload_liveview! {
            <p>"Count: " {self.count}</p>
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_frames_over_a_real_socket_leave_it_open() {
    // Random acks with errors would open the circuit breaker (a reload, then no patches for
    // the cooldown: right for a browser, not what this test is about), so it never opens.
    let never_open = hotreload::LiveConfig::new().breaker(hotreload::BreakerConfig {
        threshold: usize::MAX,
        ..hotreload::BreakerConfig::default()
    });
    let addr = serve(
        axum::Router::new()
            .route("/", live_view::<Echo>())
            .layer(never_open),
    )
    .await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Echo")], false).await;

    // Random frames, including mutations of real frames for this instance (events with wrong
    // messages, acks of unknown seqs, hellos for other ids and views).
    let mut runner = TestRunner::deterministic();
    let strategy = prop_oneof![
        3 => any_frame_text(),
        2 => mutated_frame().prop_map({
            let id = id.clone();
            move |t| t.replace("00000000000000ff", &id).replace("0123456789abcdef", &id)
        }),
    ];
    for _ in 0..500 {
        let text = strategy.new_tree(&mut runner).expect("a frame").current();
        client.send_text(&text).await;
    }
    // Whatever came back (errors, welcomes, patches), the connection still answers a ping...
    client
        .send(json!({"v": 1, "type": "ping", "n": 424242}))
        .await;
    let mut frames = 0;
    loop {
        let frame = client
            .try_recv(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no pong after {frames} frames"));
        frames += 1;
        if frame["type"] == "pong" && frame["n"] == 424242 {
            break;
        }
    }
    // ... and the instance still takes events (once the random traffic's answers are drained).
    while client.try_recv(Duration::from_millis(300)).await.is_some() {}
    client.event(&id, "click", json!("Inc")).await;
    loop {
        let frame = client.recv().await;
        if frame["type"] == "patch" || frame["type"] == "html" {
            break;
        }
    }
    assert!(frames > 1, "the random frames got answers");
    client.close().await;
}
