//! Instance tokens: a page can attach only the instances it was served.
//!
//! Serving a page mounts its views before any socket exists; the page's socket then attaches
//! them by id. An id alone would let anyone who saw it (logged HTML, a screenshot of devtools)
//! attach someone else's instance and read its state. So every top-level boundary carries
//! `data-live-token`: an HMAC-SHA256 over the instance id, the view name, an expiry and the
//! browser's session cookie ([`SESSION_COOKIE`], random, `HttpOnly`, set with the page). The
//! socket's `hello` must present it, from a request that carries the same cookie. A leaked id
//! *and* token are still useless without the cookie, which page scripts cannot read.
//!
//! Nested views carry no token: their ids are derived from their parent's, and a nested
//! boundary is accepted only under a parent accepted on the same connection.
//!
//! The key, one per process: [`set_secret_key`], else the `HOTRELOAD_SECRET_KEY` environment
//! variable, else (debug builds with hot reload) a key the
//! dev layer keeps beside its state snapshots so tokens survive dev restarts, else a random
//! key per process (with a warning: servers behind one load balancer must share a key).
//! `docs/PROTOCOL.md` has the threat model.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::template::InstanceId;

/// The cookie that binds tokens to one browser.
pub(crate) const SESSION_COOKIE: &str = "hotreload_session";

/// How long a token is good for by default.
pub(crate) const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The shortest key accepted.
pub(crate) const MIN_KEY_BYTES: usize = 32;

/// Bytes of the MAC kept in a token (128 bits).
const MAC_BYTES: usize = 16;

/// A signing key.
#[derive(Clone)]
pub(crate) struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// `bytes` as a key, if long enough.
    pub(crate) fn new(bytes: &[u8]) -> Option<Key> {
        (bytes.len() >= MIN_KEY_BYTES).then(|| Key(bytes.to_vec()))
    }

    /// A random key.
    pub(crate) fn random() -> Key {
        Key(random_bytes::<32>().to_vec())
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    /// No token.
    #[error("the boundary has no token")]
    Missing,
    /// Not one this server signed for this instance, view and browser.
    #[error("the token is not valid for this instance")]
    Forged,
    /// Past its expiry.
    #[error("the token expired")]
    Expired,
}

static KEY: OnceLock<Key> = OnceLock::new();

/// Why [`set_secret_key`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    /// Shorter than 32 bytes.
    #[error("a secret key must be at least {MIN_KEY_BYTES} bytes")]
    TooShort,
    /// A key is already in use (set before, or chosen when the first page was served).
    #[error("the secret key is already set; set it once, before serving")]
    AlreadySet,
}

/// Sets the key that signs instance tokens and flash cookies, for this process: at least 32
/// random bytes, the same on every server behind one load balancer (so a page that reconnects
/// to another server, or after a deploy, keeps its instances' tokens). Call it before serving;
/// without it, `HOTRELOAD_SECRET_KEY` from the environment is used, else a random key.
pub fn set_secret_key(key: impl AsRef<[u8]>) -> Result<(), SecretKeyError> {
    let key = Key::new(key.as_ref()).ok_or(SecretKeyError::TooShort)?;
    KEY.set(key).map_err(|_| SecretKeyError::AlreadySet)
}

/// The process's key: set, env, dev, or random (decided once per process).
pub(crate) fn process_key(dev_key: Option<&[u8]>) -> &'static Key {
    KEY.get_or_init(|| {
        if let Ok(text) = std::env::var("HOTRELOAD_SECRET_KEY") {
            match Key::new(text.as_bytes()) {
                Some(key) => return key,
                None => tracing::error!(
                    "hotreload: HOTRELOAD_SECRET_KEY is shorter than {MIN_KEY_BYTES} bytes; ignored"
                ),
            }
        }
        if let Some(key) = dev_key.and_then(Key::new) {
            return key;
        }
        if !cfg!(debug_assertions) {
            tracing::warn!(
                "hotreload: no secret key (hotreload::set_secret_key or HOTRELOAD_SECRET_KEY): using a random one; \
                 pages reconnecting after a restart, or to another server, will be mounted fresh"
            );
        }
        Key::random()
    })
}

/// The token of instance `id` of view `view` for the browser with session `session`, valid
/// until `max_age` from now: `<expiry seconds>.<mac hex>`.
pub(crate) fn sign(
    key: &Key,
    id: InstanceId,
    view: &str,
    session: &str,
    max_age: Duration,
) -> String {
    let expiry = now_secs().saturating_add(max_age.as_secs());
    let mac = mac(key, id, view, session, expiry);
    format!("{expiry}.{}", hex(&mac[..MAC_BYTES]))
}

/// Checks `token` for instance `id` of `view` and session `session`.
pub(crate) fn verify(
    key: &Key,
    token: Option<&str>,
    id: InstanceId,
    view: &str,
    session: &str,
) -> Result<(), TokenError> {
    let token = token.ok_or(TokenError::Missing)?;
    let (expiry, mac_hex) = token.split_once('.').ok_or(TokenError::Forged)?;
    let expiry: u64 = expiry.parse().map_err(|_| TokenError::Forged)?;
    let given = decode_hex(mac_hex).ok_or(TokenError::Forged)?;
    if given.len() != MAC_BYTES {
        return Err(TokenError::Forged);
    }
    mac_state(key, id, view, session, expiry)
        .verify_truncated_left(&given)
        .map_err(|_| TokenError::Forged)?;
    if expiry < now_secs() {
        return Err(TokenError::Expired);
    }
    Ok(())
}

/// An HMAC keyed with `key`, started with `domain` (what is signed: instance tokens and other
/// values never share a MAC).
fn keyed(key: &Key, domain: &[u8]) -> Hmac<Sha256> {
    // Any key length is valid for HMAC; `new_from_slice` cannot fail here.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(domain);
    mac
}

fn mac_state(key: &Key, id: InstanceId, view: &str, session: &str, expiry: u64) -> Hmac<Sha256> {
    let mut mac = keyed(key, b"hotreload/instance/v1\0");
    mac.update(&id.0.to_be_bytes());
    mac.update(view.as_bytes());
    mac.update(b"\0");
    mac.update(session.as_bytes());
    mac.update(b"\0");
    mac.update(&expiry.to_be_bytes());
    mac
}

fn mac(key: &Key, id: InstanceId, view: &str, session: &str, expiry: u64) -> Vec<u8> {
    mac_state(key, id, view, session, expiry)
        .finalize()
        .into_bytes()
        .to_vec()
}

/// An HMAC over `parts` (each followed by a NUL), as hex: signs other small values (a flash
/// cookie) with the same key.
pub(crate) fn sign_bytes(key: &Key, parts: &[&[u8]]) -> String {
    hex(&value_mac(key, parts).finalize().into_bytes()[..MAC_BYTES])
}

fn value_mac(key: &Key, parts: &[&[u8]]) -> Hmac<Sha256> {
    let mut mac = keyed(key, b"hotreload/value/v1\0");
    for part in parts {
        mac.update(part);
        mac.update(b"\0");
    }
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `mac_hex` is [`sign_bytes`] of `parts` (constant time).
pub(crate) fn verify_bytes(key: &Key, parts: &[&[u8]], mac_hex: &str) -> bool {
    let Some(given) = decode_hex(mac_hex).filter(|g| g.len() == MAC_BYTES) else {
        return false;
    };
    value_mac(key, parts).verify_truncated_left(&given).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `N` random bytes from the operating system (a fixed mix of the time and a counter if it has
/// none, which no supported platform lacks).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::{BuildHasher, RandomState};
        let state = RandomState::new();
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let word = state.hash_one((SystemTime::now(), i)).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
    bytes
}

/// A new session cookie value (128 random bits, hex).
pub(crate) fn new_session() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every cookie in `headers`' `Cookie` lines, as (name, value).
pub(crate) fn cookies(headers: &axum::http::HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The session cookie's value in `headers`, if any (and well-formed).
pub(crate) fn session_of(headers: &axum::http::HeaderMap) -> Option<String> {
    cookies(headers)
        // The first well-formed one: a malformed cookie of the same name (another path, a
        // subdomain) must not hide the real one.
        .find(|(name, value)| {
            *name == SESSION_COOKIE
                && value.len() == 32
                && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn a_token_verifies_only_for_its_instance_view_and_session() {
        let token = sign(&key(), InstanceId(9), "Counter", "s1", DEFAULT_MAX_AGE);
        assert_eq!(
            verify(&key(), Some(&token), InstanceId(9), "Counter", "s1"),
            Ok(())
        );
        assert_eq!(
            verify(&key(), Some(&token), InstanceId(10), "Counter", "s1"),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify(&key(), Some(&token), InstanceId(9), "Chat", "s1"),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify(&key(), Some(&token), InstanceId(9), "Counter", "s2"),
            Err(TokenError::Forged)
        );
        let other = Key::new(&[8u8; 32]).unwrap();
        assert_eq!(
            verify(&other, Some(&token), InstanceId(9), "Counter", "s1"),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify(&key(), None, InstanceId(9), "Counter", "s1"),
            Err(TokenError::Missing)
        );
        for bad in [
            "",
            ".",
            "x.y",
            "1.zz",
            "99999999999.00",
            &token.replace('.', ""),
        ] {
            assert_eq!(
                verify(&key(), Some(bad), InstanceId(9), "Counter", "s1"),
                Err(TokenError::Forged),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_changed_expiry_is_forged_and_a_past_one_expired() {
        let token = sign(&key(), InstanceId(1), "V", "s", Duration::ZERO);
        let (expiry, mac) = token.split_once('.').unwrap();
        let later = format!("{}.{mac}", expiry.parse::<u64>().unwrap() + 1000);
        assert_eq!(
            verify(&key(), Some(&later), InstanceId(1), "V", "s"),
            Err(TokenError::Forged)
        );
        let past = mac_hex_for(1, "V", "s", 1);
        assert_eq!(
            verify(&key(), Some(&past), InstanceId(1), "V", "s"),
            Err(TokenError::Expired)
        );
    }

    fn mac_hex_for(id: u64, view: &str, session: &str, expiry: u64) -> String {
        let mac = mac(&key(), InstanceId(id), view, session, expiry);
        let hex: String = mac[..MAC_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{expiry}.{hex}")
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        let session = new_session();
        headers.insert(
            axum::http::header::COOKIE,
            format!("a=1; {SESSION_COOKIE}={session}; b=2")
                .parse()
                .unwrap(),
        );
        assert_eq!(session_of(&headers), Some(session));
        headers.insert(
            axum::http::header::COOKIE,
            format!("{SESSION_COOKIE}=short").parse().unwrap(),
        );
        assert_eq!(session_of(&headers), None);
    }

    #[test]
    fn signed_values_verify_and_tampered_ones_do_not() {
        let mac = sign_bytes(&key(), &[b"info", b"Saved"]);
        assert!(verify_bytes(&key(), &[b"info", b"Saved"], &mac));
        assert!(!verify_bytes(&key(), &[b"error", b"Saved"], &mac));
        assert!(!verify_bytes(&key(), &[b"info", b"Saved"], "00"));
    }
}
