//! Source annotations: every element a template renders carries
//! `data-hr-src="FILE:LINE:COLUMN"`, the position of its `<` in the source, so the dev
//! client can show where an element comes from and open the editor there (click-to-source).
//!
//! The annotations are not compiled in. The registry keeps, per template, an annotated copy of
//! the layout it renders (statics with the attribute written after each tag name), made here
//! from the re-parser's element positions: for every template of the build when watching
//! starts (from the sources as built), and again after every edit of a file, from the edited
//! text. An edit that only moves a template (lines added above it, a comment) therefore
//! changes its annotations, and the instances that use it re-render: the patch updates the
//! attributes, so the mapping from the DOM to the source stays right after hot swaps. Release
//! builds and apps without hot reload render no annotations at all.

use crate::dev::classify::PlannedSwap;
use crate::dev::reparse::{ElementPosition, ReparsedFile};
use crate::template::{Layout, TemplateId, registry};

/// `layout` with the source attribute on each element at `elements` of `file`.
pub(crate) fn annotated(file: &str, layout: &Layout, elements: &[ElementPosition]) -> Layout {
    let marks: Vec<(usize, usize, u32, u32)> = elements
        .iter()
        .map(|e| (e.static_index, e.offset, e.position.line, e.position.column))
        .collect();
    layout.with_source_attributes(file, &marks)
}

/// Annotates every template of `file` as built (`parsed` is its as-built parse); returns the
/// templates whose annotation changed.
pub(crate) fn annotate_built(file: &str, parsed: &ReparsedFile) -> Vec<TemplateId> {
    let mut changed = Vec::new();
    for invocation in &parsed.invocations {
        let Ok(templates) = &invocation.templates else {
            continue;
        };
        for template in templates {
            let id = TemplateId::new(
                file,
                invocation.position.line,
                invocation.position.column,
                template.index,
            );
            let Ok(base) = crate::dev::classify::plan_layout(template, template) else {
                continue;
            };
            let layout = annotated(file, &base, &template.elements);
            match registry().annotate(&id, &base, layout) {
                Ok(true) => changed.push(id),
                Ok(false) => {}
                // Swapped since (a swap carries its own annotation) or edited before start.
                Err(error) => tracing::debug!(%error, "hotreload: not annotated"),
            }
        }
    }
    changed
}

/// After an edit: annotates each template `planned` (its layout from the edited file and
/// where its elements are there) whose live layout is that layout (swapped just now, or
/// unchanged by the edit), or that has not rendered yet (the registry checks the layout
/// against the compiled one when it does); returns the templates whose annotation changed. A
/// template the edit could not swap keeps its annotation until it can.
pub(crate) fn annotate_edited(file: &str, planned: &[PlannedSwap]) -> Vec<TemplateId> {
    let mut changed = Vec::new();
    for PlannedSwap {
        id,
        layout,
        elements: positions,
        ..
    } in planned
    {
        if registry().layout(id).is_some_and(|live| live != *layout) {
            continue;
        }
        match registry().annotate(id, layout, annotated(file, layout, positions)) {
            Ok(true) => changed.push(id.clone()),
            Ok(false) => {}
            Err(error) => tracing::debug!(%error, "hotreload: not annotated"),
        }
    }
    changed
}
