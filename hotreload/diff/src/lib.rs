//! Morphdom-style HTML differ (work in progress).
