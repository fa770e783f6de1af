//! Snapshot keys: the names snapshots are stored under, restricted so a key is always one plain
//! file name (no `/`, `\`, `..`, NUL, drive letters, or case tricks beyond ASCII letters).

use crate::store::StoreError;

/// Longest key, in bytes.
pub const MAX_KEY_LEN: usize = 64;

/// `true` if `key` is 1 to [`MAX_KEY_LEN`] characters from `A-Z a-z 0-9 _ -`.
///
/// ```
/// assert!(hotreload_state::is_valid_key("counter-3f2a_1"));
/// assert!(!hotreload_state::is_valid_key("../etc/passwd"));
/// assert!(!hotreload_state::is_valid_key(""));
/// ```
pub fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// [`is_valid_key`] as a `Result`.
pub(crate) fn check(key: &str) -> Result<(), StoreError> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(StoreError::InvalidKey { key: shorten(key) })
    }
}

/// The key as shown in an error: at most 80 characters, so a hostile key cannot flood logs.
fn shorten(key: &str) -> String {
    const SHOWN: usize = 80;
    if key.chars().count() <= SHOWN {
        key.to_owned()
    } else {
        let mut s: String = key.chars().take(SHOWN).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_safe_charset() {
        assert!(is_valid_key("a"));
        assert!(is_valid_key("Counter_01-x"));
        assert!(is_valid_key(&"k".repeat(MAX_KEY_LEN)));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", "C:x", "a.b", "a b", "a\0b", "é", "-\n",
            ".hidden",
        ] {
            assert!(!is_valid_key(bad), "{bad:?} accepted");
        }
        assert!(!is_valid_key(&"k".repeat(MAX_KEY_LEN + 1)));
    }

    #[test]
    fn error_shows_a_short_key() {
        let long = "/".repeat(10_000);
        let err = check(&long).unwrap_err().to_string();
        assert!(err.len() < 400, "{err}");
    }
}
