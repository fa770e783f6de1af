//! [`Topic`]: a named channel of messages of one type.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// What a broadcast message must be: cloned for every subscriber in this process, serialized
/// (MessagePack) for subscribers on other servers. Implemented for every such type.
pub trait Broadcast: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static> Broadcast for T {}

/// A topic whose messages are `T`s: `const LOBBY: Topic<Said> = Topic::new("chat:lobby");`,
/// or [`Topic::named`] for names made at run time (`room:42`).
///
/// The name is what subscribers and publishers meet on, in this process and across servers;
/// the type is checked at compile time where the topic is used. Two topics with one name and
/// different types do not meet: a message reaches only subscribers of its own type (the others
/// are skipped with a warning).
pub struct Topic<T> {
    name: Cow<'static, str>,
    _message: PhantomData<fn() -> T>,
}

impl<T> Topic<T> {
    /// A topic with a fixed name.
    pub const fn new(name: &'static str) -> Self {
        Topic {
            name: Cow::Borrowed(name),
            _message: PhantomData,
        }
    }

    /// A topic with a name made at run time (`Topic::named(format!("room:{id}"))`).
    pub fn named(name: impl Into<String>) -> Self {
        Topic {
            name: Cow::Owned(name.into()),
            _message: PhantomData,
        }
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T> Clone for Topic<T> {
    fn clone(&self) -> Self {
        Topic {
            name: self.name.clone(),
            _message: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Topic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Topic({:?})", self.name)
    }
}
