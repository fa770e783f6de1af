//! Component boundaries: where one component's patch scope ends and another's begins.
//!
//! Every LiveView instance renders inside a boundary element carrying
//! `data-live-view-id="<instance id>"`. A diff is computed for one component: the fragment
//! being diffed is the *inner* HTML of that component's boundary. Any element with
//! `data-live-view-id` found *inside* that fragment belongs to a child component, which is
//! patched by its own differ. The contract:
//!
//! - The differ never emits an op whose path goes into a nested boundary, nor an attribute op
//!   on the boundary element itself: the child owns its element and everything below it.
//! - Boundaries are matched among siblings by their id only (like a key). If the same id is in
//!   the old and the new children of a matched parent, the boundary is kept as is, *even if
//!   the new HTML renders different content inside it*: what the client shows inside is the
//!   child's business (it may be newer than the parent's render).
//! - If the id is gone, the old boundary is removed; if a new id appears, the new boundary
//!   is inserted with the HTML the parent rendered (at the same index as a removed one this
//!   is a single `replace`). A boundary is never morphed into a different component.
//! - Hence the diff invariant for trees with boundaries: `apply(diff(a, b), a)` equals `b`
//!   except that the inside of each retained boundary is `a`'s.

use markup5ever_rcdom::{Handle, NodeData};

/// The attribute that marks a component boundary element.
pub const BOUNDARY_ATTR: &str = "data-live-view-id";

/// The attribute that marks an element whose inside belongs to client-side code (a
/// JavaScript hook's widget): the differ changes its attributes but never sends an op inside
/// it, and the client's morph keeps its children. The server's tree still follows the
/// rendered HTML there; the client's DOM may hold anything. So `apply(diff(a, b), a)` equals
/// `b` except inside retained boundaries *and* inside retained `live-ignore` elements, which
/// keep `a`'s content.
pub const IGNORE_ATTR: &str = "live-ignore";

/// The attribute a dev server writes on every element with the template position it came
/// from (`FILE:LINE:COLUMN`, click-to-source). It says where an element is written, not what
/// it is: pairing old and new children ignores it (an element whose template moved down a
/// line is still the same element), while the diff still sends its new value.
pub const SOURCE_ATTR: &str = "data-hr-src";

/// The boundary id of `node` if it is a boundary element (an element with
/// [`BOUNDARY_ATTR`] in no namespace).
#[doc(hidden)]
pub fn boundary_id(node: &Handle) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| a.name.ns == html5ever::ns!() && &*a.name.local == BOUNDARY_ATTR)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}
