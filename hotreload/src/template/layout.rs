//! [`Layout`]: a template's markup expressed over the compiled holes.
//!
//! The compiled binary can only evaluate the hole expressions it was built with. A hot-swapped
//! template is therefore a new sequence of statics whose holes each point at a compiled hole
//! (by index), possibly reordered, repeated or left out, with attribute names that may differ.

use crate::template::compiled::{HoleKind, HoleMeta, Template};
use thiserror::Error;

/// Statics interleaved with references to compiled holes: `statics[0] hole[0] statics[1] ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    statics: Vec<String>,
    holes: Vec<LayoutHole>,
}

/// One hole of a [`Layout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutHole {
    /// Index of the compiled hole that renders it.
    pub compiled: usize,
    /// Attribute name, for attribute and event holes.
    pub attribute: Option<String>,
}

/// Why a layout cannot be used with a compiled template.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LayoutError {
    /// The statics do not interleave the holes.
    #[error("a layout with {holes} holes needs {} statics, got {statics}", holes + 1)]
    Shape {
        /// Number of holes.
        holes: usize,
        /// Number of statics.
        statics: usize,
    },
    /// A hole points past the compiled holes.
    #[error("hole {position} refers to compiled hole {compiled}, but the template has {available}")]
    UnknownHole {
        /// Position in the layout.
        position: usize,
        /// The compiled index it names.
        compiled: usize,
        /// How many compiled holes exist.
        available: usize,
    },
    /// An attribute hole without a name, or a child/block hole with one.
    #[error("hole {position} uses compiled hole {compiled} ({kind:?}) {problem}")]
    KindMismatch {
        /// Position in the layout.
        position: usize,
        /// The compiled index it names.
        compiled: usize,
        /// The compiled hole's kind.
        kind: HoleKind,
        /// What is wrong.
        problem: &'static str,
    },
}

impl Layout {
    /// Builds a layout; `statics` must have exactly one more entry than `holes`.
    pub fn new(statics: Vec<String>, holes: Vec<LayoutHole>) -> Result<Self, LayoutError> {
        if statics.len() != holes.len() + 1 {
            return Err(LayoutError::Shape {
                holes: holes.len(),
                statics: statics.len(),
            });
        }
        Ok(Layout { statics, holes })
    }

    /// The layout a template was compiled with.
    pub fn compiled(template: &Template) -> Self {
        Layout {
            statics: template.statics().iter().map(|s| (*s).to_owned()).collect(),
            holes: template
                .holes()
                .iter()
                .enumerate()
                .map(|(compiled, meta)| LayoutHole {
                    compiled,
                    attribute: meta.kind.is_attribute().then(|| meta.attribute.to_owned()),
                })
                .collect(),
        }
    }

    /// The statics.
    pub fn statics(&self) -> &[String] {
        &self.statics
    }

    /// The holes.
    pub fn holes(&self) -> &[LayoutHole] {
        &self.holes
    }

    /// Checks that every hole exists among `compiled` and is used as its kind.
    pub fn check_against(&self, compiled: &[HoleMeta]) -> Result<(), LayoutError> {
        for (position, hole) in self.holes.iter().enumerate() {
            let Some(meta) = compiled.get(hole.compiled) else {
                return Err(LayoutError::UnknownHole {
                    position,
                    compiled: hole.compiled,
                    available: compiled.len(),
                });
            };
            let problem = match (meta.kind.is_attribute(), &hole.attribute) {
                (true, None) => "without an attribute name",
                (false, Some(_)) => "with an attribute name",
                (true, Some(name)) if !is_attribute_name(name) => "with an invalid attribute name",
                _ => continue,
            };
            return Err(LayoutError::KindMismatch {
                position,
                compiled: hole.compiled,
                kind: meta.kind,
                problem,
            });
        }
        Ok(())
    }

    /// This layout with ` data-hr-src="FILE:LINE:COLUMN"` written into the opening tag of
    /// each element: what the dev client's click-to-source reads. `elements` are
    /// `(static index, byte offset just after the tag name, line, column)`, as the re-parser
    /// found them in the source this layout came from; a position that does not fall inside
    /// the statics (the statics changed since) is skipped, so the markup is never broken.
    #[cfg(feature = "hot-reload")]
    pub(crate) fn with_source_attributes(
        &self,
        file: &str,
        elements: &[(usize, usize, u32, u32)],
    ) -> Layout {
        let mut statics = self.statics.clone();
        // Later offsets first, so earlier ones stay valid within the same static.
        let mut sorted = elements.to_vec();
        sorted.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
        let mut attribute = String::new();
        for (index, offset, line, column) in sorted {
            let Some(text) = statics.get_mut(index) else {
                continue;
            };
            if !text.is_char_boundary(offset) || !text[..offset].contains('<') {
                continue;
            }
            attribute.clear();
            attribute.push(' ');
            attribute.push_str(SOURCE_ATTRIBUTE);
            attribute.push_str("=\"");
            crate::template::escape_into(file, &mut attribute);
            attribute.push_str(&format!(":{line}:{column}\""));
            text.insert_str(offset, &attribute);
        }
        Layout {
            statics,
            holes: self.holes.clone(),
        }
    }

    /// Renders with the macro's hole renderer.
    pub(crate) fn render<H>(&self, holes: &H, out: &mut String)
    where
        H: Fn(usize, &str, &mut String) + ?Sized,
    {
        for (text, hole) in self.statics.iter().zip(&self.holes) {
            out.push_str(text);
            holes(hole.compiled, hole.attribute.as_deref().unwrap_or(""), out);
        }
        if let Some(last) = self.statics.last() {
            out.push_str(last);
        }
    }
}

/// The attribute that names the template position an element came from (dev builds with
/// source annotations on).
#[cfg(feature = "hot-reload")]
pub(crate) const SOURCE_ATTRIBUTE: &str = hotreload_diff::SOURCE_ATTR;

/// An attribute name that cannot break out of the tag it is written into.
fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '"' | '\'' | '>' | '/' | '=' | '<')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const METAS: &[HoleMeta] = &[
        HoleMeta::new(HoleKind::Child, "self . count", ""),
        HoleMeta::new(HoleKind::Attribute, "self . id", "id"),
    ];

    fn metas() -> &'static [HoleMeta] {
        METAS
    }

    #[test]
    fn shape_is_checked() {
        assert!(matches!(
            Layout::new(
                vec!["a".into()],
                vec![LayoutHole {
                    compiled: 0,
                    attribute: None
                }]
            ),
            Err(LayoutError::Shape {
                holes: 1,
                statics: 1
            })
        ));
    }

    #[test]
    fn holes_must_exist_and_keep_their_kind() {
        let unknown = Layout::new(
            vec!["".into(), "".into()],
            vec![LayoutHole {
                compiled: 5,
                attribute: None,
            }],
        )
        .unwrap();
        assert!(matches!(
            unknown.check_against(metas()),
            Err(LayoutError::UnknownHole { .. })
        ));
        let nameless = Layout::new(
            vec!["".into(), "".into()],
            vec![LayoutHole {
                compiled: 1,
                attribute: None,
            }],
        )
        .unwrap();
        assert!(matches!(
            nameless.check_against(metas()),
            Err(LayoutError::KindMismatch { .. })
        ));
        let hostile = Layout::new(
            vec!["".into(), "".into()],
            vec![LayoutHole {
                compiled: 1,
                attribute: Some("x><script".into()),
            }],
        )
        .unwrap();
        assert!(hostile.check_against(metas()).is_err());
    }

    #[test]
    #[cfg(feature = "hot-reload")]
    fn source_attributes_go_after_each_tag_name() {
        let layout = Layout::new(
            vec!["<div class=\"a\"><p".into(), ">x</p></div>".into()],
            vec![LayoutHole {
                compiled: 1,
                attribute: Some("data-id".into()),
            }],
        )
        .unwrap();
        let annotated = layout.with_source_attributes(
            "src/a\"b.rs",
            &[(0, 4, 3, 9), (0, 17, 4, 13), (7, 0, 1, 1), (1, 99, 1, 1)],
        );
        assert_eq!(
            annotated.statics(),
            [
                "<div data-hr-src=\"src/a&quot;b.rs:3:9\" class=\"a\"><p data-hr-src=\"src/a&quot;b.rs:4:13\"",
                ">x</p></div>"
            ]
        );
        assert_eq!(annotated.holes(), layout.holes());
    }

    #[test]
    fn renders_reordered_and_repeated_holes() {
        let layout = Layout::new(
            vec!["<p".into(), ">".into(), " and ".into(), "</p>".into()],
            vec![
                LayoutHole {
                    compiled: 1,
                    attribute: Some("data-id".into()),
                },
                LayoutHole {
                    compiled: 0,
                    attribute: None,
                },
                LayoutHole {
                    compiled: 0,
                    attribute: None,
                },
            ],
        )
        .unwrap();
        layout.check_against(metas()).unwrap();
        let holes = |i: usize, name: &str, out: &mut String| match i {
            0 => out.push('7'),
            1 => {
                out.push(' ');
                out.push_str(name);
                out.push_str("=\"x\"");
            }
            _ => {}
        };
        let mut out = String::new();
        layout.render(&holes, &mut out);
        assert_eq!(out, "<p data-id=\"x\">7 and 7</p>");
    }
}
