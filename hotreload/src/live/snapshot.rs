//! A view's state as the bytes that cross the [`RuntimeHooks`](crate::live::hooks::RuntimeHooks)
//! seam: MessagePack with field names, so a snapshot can be read back (and, field by field,
//! migrated) by a build whose struct changed order.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Deepest nesting a restored state may have (a hostile snapshot cannot overflow the stack).
pub(crate) const MAX_DEPTH: usize = 256;

/// `state` as MessagePack with field names.
pub(crate) fn to_bytes<T: Serialize>(state: &T) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    rmp_serde::to_vec_named(state)
}

/// A state written by [`to_bytes`].
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, rmp_serde::decode::Error> {
    T::deserialize(&mut deserializer(bytes))
}

/// The deserializer [`from_bytes`] reads with (for callers that wrap it, as the migration
/// does to learn where a state stops fitting).
pub(crate) fn deserializer(
    bytes: &[u8],
) -> rmp_serde::Deserializer<rmp_serde::decode::ReadRefReader<'_, [u8]>> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(MAX_DEPTH);
    de
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct State {
        count: i64,
        name: String,
    }

    #[test]
    fn round_trips_and_refuses_other_shapes() {
        let bytes = to_bytes(&State {
            count: 7,
            name: "x".into(),
        })
        .unwrap();
        assert_eq!(
            from_bytes::<State>(&bytes).unwrap(),
            State {
                count: 7,
                name: "x".into()
            }
        );
        assert!(from_bytes::<Vec<u8>>(&bytes).is_err());
        assert!(from_bytes::<State>(&[0xc1]).is_err());
    }
}
