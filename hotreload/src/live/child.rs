//! Nested live views: a view can mount others inside its page, each a boundary of its own.
//!
//! A parent asks for a child in [`Mount::child`](crate::live::Mount::child) and renders the
//! returned [`Child`] where it belongs (`{self.clock}`). The child is an ordinary instance with
//! its own state, events and patches; the parent's diffs never enter the child's boundary, so
//! neither patches the other's markup.
//!
//! Props go down as values the child handles ([`HandleInfo`]): the first with
//! [`Mount::child_with`](crate::live::Mount::child_with), later ones with [`Child::send`].
//! Events go up the same way: a child asks its context for its parent's handle
//! ([`Context::parent`](crate::live::Context::parent), typed by the parent's view, so a child
//! can only send what that parent handles) and sends it a value.
//!
//! A child's id is derived from its parent's id and its position among the parent's children,
//! the same in every process: after a restart, a page that still shows the old boundaries
//! finds its children under the same ids.

use crate::live::handle::{Gone, send_info};
use crate::live::page::boundary;
use crate::live::runtime::runtime;
use crate::live::view::{HandleInfo, LiveView};
use crate::template::{Html, InstanceId, Render};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// A nested live view of type `V`, mounted by its parent; renders as its boundary.
pub struct Child<V> {
    id: InstanceId,
    _view: PhantomData<fn() -> V>,
}

impl<V> Child<V> {
    pub(crate) fn new(id: InstanceId) -> Self {
        Child {
            id,
            _view: PhantomData,
        }
    }

    /// The child instance's id.
    pub fn id(&self) -> InstanceId {
        self.id
    }
}

impl<V: LiveView> Child<V> {
    /// Hands the child new props (or any value it takes, [`HandleInfo`]): applied on its
    /// worker, after which it re-renders and patches its own boundary. What a parent calls
    /// from `update` when the inputs it gave the child change; the first props go to
    /// [`Mount::child_with`](crate::live::Mount::child_with). A value for a child that is no
    /// longer there is dropped; `Err(Gone)` only when no worker could take it.
    pub fn send<I>(&self, info: I) -> Result<(), Gone>
    where
        I: Send + 'static,
        V: HandleInfo<I>,
    {
        send_info::<V, I>(self.id, info, None)
    }
}

impl<V> Clone for Child<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Child<V> {}

impl<V> PartialEq for Child<V> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<V> Eq for Child<V> {}

impl<V> fmt::Debug for Child<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Child({})", self.id)
    }
}

impl<V> Serialize for Child<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.id.0)
    }
}

impl<'de, V> Deserialize<'de> for Child<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u64::deserialize(deserializer).map(|id| Child::new(InstanceId(id)))
    }
}

impl<V: LiveView> Render for Child<V> {
    fn render_to(&self, out: &mut String) {
        let inner = runtime()
            .child_html(self.id)
            .map(|html| Html::from_trusted(html.as_ref()))
            .unwrap_or_default();
        out.push_str(boundary(self.id, V::name(), None, &inner).as_str());
    }
}

/// The `n`th child of `parent`: a fixed mix (splitmix64), so ids agree across processes.
pub(crate) fn child_id(parent: InstanceId, n: u32) -> InstanceId {
    let mut x = parent.0 ^ (u64::from(n) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    InstanceId(x ^ (x >> 31))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_ids_are_stable_and_distinct() {
        let parent = InstanceId(0x1234);
        assert_eq!(child_id(parent, 0), child_id(parent, 0));
        assert_ne!(child_id(parent, 0), child_id(parent, 1));
        assert_ne!(child_id(parent, 0), child_id(InstanceId(0x1235), 0));
        assert_ne!(child_id(parent, 0), parent);
    }
}
