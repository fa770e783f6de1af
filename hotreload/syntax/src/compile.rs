//! Flattens a parsed [`Template`] into statics and ordered holes.
//!
//! A template with `n` holes compiles to `n + 1` static strings interleaved with the holes:
//! `statics[0] hole[0] statics[1] ... hole[n-1] statics[n]`. Neighbouring static markup is
//! merged, and static text is escaped here, once, at compile time.
//!
//! The bodies of `for`/`if`/`match` blocks are templates of their own with an `index` (the root
//! is 0, nested ones are numbered depth-first in source order), so each can be hot-swapped on
//! its own and the runtime can key it by `file:line:column#index`.

use crate::ast::{AttributeValue, Element, Node, Template};
use crate::html::{escape_into, is_raw_text_element, is_void_element};
use proc_macro2::{Span, TokenStream};

/// All templates produced by one macro call: the root at index 0, then nested block bodies.
#[derive(Debug, Clone)]
pub struct CompiledTemplates {
    /// Templates by index.
    pub templates: Vec<CompiledTemplate>,
}

/// One template as statics plus holes.
#[derive(Debug, Clone)]
pub struct CompiledTemplate {
    /// 0 for the root, otherwise the block body's depth-first number.
    pub index: u32,
    /// `holes.len() + 1` static strings (already escaped HTML), possibly empty.
    pub statics: Vec<String>,
    /// The holes, in render order.
    pub holes: Vec<Hole>,
    /// Where each element's opening tag is, in the statics and in the source: what dev tools
    /// annotate the rendered markup with (click-to-source).
    pub elements: Vec<ElementMark>,
}

/// Where one element of a template starts: the byte in the statics just after `<name`
/// (an opening tag's name is always static, so it lies within one static string) and the
/// span of the name in the source.
#[derive(Debug, Clone)]
pub struct ElementMark {
    /// Index of the static string that holds the opening tag.
    pub static_index: usize,
    /// Byte offset in that string just after the tag name: where an attribute can go.
    pub offset: usize,
    /// Span of the tag name in the source (its `<` is the character before).
    pub span: Span,
}

/// A dynamic part of a template.
#[derive(Debug, Clone)]
pub struct Hole {
    /// What the hole renders.
    pub kind: HoleKind,
    /// The hole's identity for matching during a hot swap: the normalized expression text, or
    /// for a block its header plus the indexes of its body templates.
    pub text: String,
    /// Where the hole's expression or block is in the source.
    pub span: Span,
    /// The tokens the macro emits for this hole.
    pub source: HoleSource,
}

/// The kind of a hole; a hot swap may only map a hole to a compiled hole of the same kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoleKind {
    /// `{expr}` in child position.
    Child,
    /// `name={expr}`: renders ` name="value"`, or nothing for `false`/`None`.
    Attribute {
        /// The attribute name (static, so a swap may change it).
        name: String,
    },
    /// `live-event={msg}`: renders the message, serialized, as the attribute value.
    Event {
        /// The attribute name, e.g. `live-click`.
        name: String,
    },
    /// A `for`/`if`/`match` block whose bodies are nested templates.
    Block,
}

impl HoleKind {
    /// The kind without its attribute name: what must agree for two holes to match.
    pub fn tag(&self) -> HoleTag {
        match self {
            HoleKind::Child => HoleTag::Child,
            HoleKind::Attribute { .. } => HoleTag::Attribute,
            HoleKind::Event { .. } => HoleTag::Event,
            HoleKind::Block => HoleTag::Block,
        }
    }

    /// The attribute name for attribute and event holes.
    pub fn attribute_name(&self) -> Option<&str> {
        match self {
            HoleKind::Attribute { name } | HoleKind::Event { name } => Some(name),
            HoleKind::Child | HoleKind::Block => None,
        }
    }
}

/// [`HoleKind`] without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoleTag {
    /// See [`HoleKind::Child`].
    Child,
    /// See [`HoleKind::Attribute`].
    Attribute,
    /// See [`HoleKind::Event`].
    Event,
    /// See [`HoleKind::Block`].
    Block,
}

impl HoleTag {
    /// A stable name, used in generated code and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            HoleTag::Child => "child",
            HoleTag::Attribute => "attribute",
            HoleTag::Event => "event",
            HoleTag::Block => "block",
        }
    }
}

/// The tokens behind a hole, for code generation.
#[derive(Debug, Clone)]
pub enum HoleSource {
    /// A plain expression (child, attribute or event hole).
    Expr(TokenStream),
    /// `for pat in iter { body }`.
    For {
        /// Loop pattern.
        pat: TokenStream,
        /// Iterated expression.
        iter: TokenStream,
        /// Index of the body template.
        body: u32,
    },
    /// `if c1 { .. } else if c2 { .. } else { .. }`.
    If {
        /// Conditions with the index of their body template.
        branches: Vec<(TokenStream, u32)>,
        /// Index of the `else` body template.
        otherwise: Option<u32>,
    },
    /// `match scrutinee { pat => { .. } }`.
    Match {
        /// The matched expression.
        scrutinee: TokenStream,
        /// Arm patterns (guards included) with the index of their body template.
        arms: Vec<(TokenStream, u32)>,
    },
}

/// Compiles a parsed template into statics and holes.
pub fn compile(template: &Template) -> CompiledTemplates {
    let mut compiler = Compiler {
        templates: Vec::new(),
    };
    compiler.template(&template.nodes);
    compiler.templates.sort_by_key(|t| t.index);
    CompiledTemplates {
        templates: compiler.templates,
    }
}

struct Compiler {
    templates: Vec<CompiledTemplate>,
}

/// The template being built; nested templates are numbered when they start.
struct Builder {
    index: u32,
    statics: Vec<String>,
    holes: Vec<Hole>,
    elements: Vec<ElementMark>,
}

impl Builder {
    fn text(&mut self) -> &mut String {
        // `statics` always has one more entry than `holes`, so it is never empty.
        let last = self.statics.len() - 1;
        &mut self.statics[last]
    }

    fn hole(&mut self, hole: Hole) {
        self.holes.push(hole);
        self.statics.push(String::new());
    }
}

impl Compiler {
    fn template(&mut self, nodes: &[Node]) -> u32 {
        let index = self.reserve();
        self.fill(index, nodes);
        index
    }

    /// Reserves the next index, so a block's bodies are numbered before their own children.
    fn reserve(&mut self) -> u32 {
        let index = u32::try_from(self.templates.len()).unwrap_or(u32::MAX);
        self.templates.push(CompiledTemplate {
            index,
            statics: Vec::new(),
            holes: Vec::new(),
            elements: Vec::new(),
        });
        index
    }

    fn fill(&mut self, index: u32, nodes: &[Node]) {
        let mut builder = Builder {
            index,
            statics: vec![String::new()],
            holes: Vec::new(),
            elements: Vec::new(),
        };
        for node in nodes {
            self.node(node, &mut builder, false);
        }
        let slot = &mut self.templates[builder.index as usize];
        slot.statics = builder.statics;
        slot.holes = builder.holes;
        slot.elements = builder.elements;
    }

    fn node(&mut self, node: &Node, builder: &mut Builder, raw_text: bool) {
        match node {
            Node::Doctype(_) => builder.text().push_str("<!DOCTYPE html>"),
            Node::Text(text) => {
                if raw_text {
                    builder.text().push_str(&text.value);
                } else {
                    escape_into(&text.value, builder.text());
                }
            }
            Node::Element(element) => self.element(element, builder),
            Node::Expr(expr) => builder.hole(Hole {
                kind: HoleKind::Child,
                text: expr.text.clone(),
                span: expr.span,
                source: HoleSource::Expr(expr.tokens.clone()),
            }),
            Node::For(block) => {
                let body = self.template(&block.body);
                builder.hole(Hole {
                    kind: HoleKind::Block,
                    text: format!("{} => #{body}", block.header),
                    span: block.span,
                    source: HoleSource::For {
                        pat: block.pat.clone(),
                        iter: block.iter.clone(),
                        body,
                    },
                });
            }
            Node::If(block) => {
                // Reserve every branch's index first so siblings are numbered in source order.
                let indexes: Vec<u32> = block.branches.iter().map(|_| self.reserve()).collect();
                let otherwise = block.otherwise.as_ref().map(|_| self.reserve());
                for ((_, body), index) in block.branches.iter().zip(&indexes) {
                    self.fill(*index, body);
                }
                if let (Some(nodes), Some(index)) = (&block.otherwise, otherwise) {
                    self.fill(index, nodes);
                }
                builder.hole(Hole {
                    kind: HoleKind::Block,
                    text: format!("{} => {}", block.header, index_list(&indexes, otherwise)),
                    span: block.span,
                    source: HoleSource::If {
                        branches: block
                            .branches
                            .iter()
                            .map(|(condition, _)| condition.clone())
                            .zip(indexes.iter().copied())
                            .collect(),
                        otherwise,
                    },
                });
            }
            Node::Match(block) => {
                let indexes: Vec<u32> = block.arms.iter().map(|_| self.reserve()).collect();
                for ((_, body), index) in block.arms.iter().zip(&indexes) {
                    self.fill(*index, body);
                }
                builder.hole(Hole {
                    kind: HoleKind::Block,
                    text: format!("{} => {}", block.header, index_list(&indexes, None)),
                    span: block.span,
                    source: HoleSource::Match {
                        scrutinee: block.scrutinee.clone(),
                        arms: block
                            .arms
                            .iter()
                            .map(|(pattern, _)| pattern.clone())
                            .zip(indexes.iter().copied())
                            .collect(),
                    },
                });
            }
        }
    }

    fn element(&mut self, element: &Element, builder: &mut Builder) {
        let out = builder.text();
        out.push('<');
        out.push_str(&element.name);
        let mark = ElementMark {
            static_index: builder.statics.len() - 1,
            offset: builder.text().len(),
            span: element.name_span,
        };
        builder.elements.push(mark);
        for attribute in &element.attributes {
            match &attribute.value {
                AttributeValue::Boolean => {
                    let out = builder.text();
                    out.push(' ');
                    out.push_str(&attribute.name);
                }
                AttributeValue::Static(value) => {
                    let out = builder.text();
                    out.push(' ');
                    out.push_str(&attribute.name);
                    out.push_str("=\"");
                    escape_into(value, out);
                    out.push('"');
                }
                AttributeValue::Dynamic(expr) => builder.hole(Hole {
                    kind: HoleKind::Attribute {
                        name: attribute.name.clone(),
                    },
                    text: expr.text.clone(),
                    span: expr.span,
                    source: HoleSource::Expr(expr.tokens.clone()),
                }),
                AttributeValue::Event(expr) => builder.hole(Hole {
                    kind: HoleKind::Event {
                        name: attribute.name.clone(),
                    },
                    text: expr.text.clone(),
                    span: expr.span,
                    source: HoleSource::Expr(expr.tokens.clone()),
                }),
            }
        }
        builder.text().push('>');
        if is_void_element(&element.name) {
            return;
        }
        let raw_text = is_raw_text_element(&element.name);
        for child in &element.children {
            self.node(child, builder, raw_text);
        }
        let out = builder.text();
        out.push_str("</");
        out.push_str(&element.name);
        out.push('>');
    }
}

fn index_list(indexes: &[u32], otherwise: Option<u32>) -> String {
    let mut list: Vec<String> = indexes.iter().map(|i| format!("#{i}")).collect();
    if let Some(i) = otherwise {
        list.push(format!("else #{i}"));
    }
    list.join(" ")
}
