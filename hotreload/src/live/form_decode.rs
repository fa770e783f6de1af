//! Decoding a form's fields (`Event::form`, string pairs) into a `serde` struct, with an error
//! per field instead of one for the whole form.
//!
//! The struct's fields are read by name (several values of one name make a `Vec`). A value
//! that does not parse as its field's type is recorded against that field and replaced by a
//! neutral value (`0`, `false`, the first variant), so decoding goes on and every field's error
//! is found in one pass. A field the form does not have decodes as an empty one: `false` (an
//! unchecked checkbox), `None`, an empty list, `""`; a number then is "can't be blank".

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Errors by field name, in the order found.
pub(crate) type Found = RefCell<BTreeMap<String, Vec<String>>>;

/// A decoding failure serde itself raised (a shape the decoder does not take).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DecodeError(String);

impl de::Error for DecodeError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        DecodeError(message.to_string())
    }
}

/// Decodes `fields` into a `T`, recording field errors in `found`.
pub(crate) fn decode<T: de::DeserializeOwned>(
    fields: &[(String, String)],
    found: &Found,
) -> Result<T, DecodeError> {
    T::deserialize(Form { fields, found })
}

struct Form<'a> {
    fields: &'a [(String, String)],
    found: &'a Found,
}

impl<'de> de::Deserializer<'de> for Form<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DecodeError> {
        Err(DecodeError(
            "a form decodes into a struct with named fields".into(),
        ))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        names: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_map(Fields {
            names: names.iter(),
            current: "",
            fields: self.fields,
            found: self.found,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The struct's fields, each with its values from the form.
struct Fields<'a> {
    names: std::slice::Iter<'static, &'static str>,
    current: &'static str,
    fields: &'a [(String, String)],
    found: &'a Found,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some(name) = self.names.next() else {
            return Ok(None);
        };
        self.current = name;
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let values = self
            .fields
            .iter()
            .filter(|(n, _)| n == self.current)
            .map(|(_, v)| v.as_str())
            .collect();
        seed.deserialize(Value {
            name: self.current,
            values,
            found: self.found,
        })
    }
}

/// One field's values.
struct Value<'a> {
    name: &'static str,
    values: Vec<&'a str>,
    found: &'a Found,
}

impl Value<'_> {
    fn text(&self) -> &str {
        self.values.first().map_or("", |v| v.trim())
    }

    fn record(&self, message: &str) {
        self.found
            .borrow_mut()
            .entry(self.name.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    /// The field parsed as a `T`, or its error recorded and `T::default()`.
    fn parse<T: std::str::FromStr + Default>(&self, what: &str) -> T {
        let text = self.text();
        if text.is_empty() {
            self.record("can't be blank");
            return T::default();
        }
        text.parse().unwrap_or_else(|_| {
            self.record(&format!("must be {what}"));
            T::default()
        })
    }

    /// A finite number (`NaN` and `inf` parse as floats but are no one's input), else its
    /// error recorded and `0.0`.
    fn finite<T: std::str::FromStr + Default + Into<f64> + Copy>(&self) -> T {
        let value = self.parse::<T>("a number");
        if value.into().is_finite() {
            value
        } else {
            self.record("must be a number");
            T::default()
        }
    }
}

macro_rules! numbers {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            visitor.$visit(self.parse::<$ty>($what))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_string(self.text().to_owned())
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        // Not trimmed: what the user typed is theirs.
        visitor.visit_string(self.values.first().copied().unwrap_or("").to_owned())
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let value = match self.text() {
            // A checked checkbox without a value sends "on"; an unchecked one sends nothing.
            "" | "false" | "off" | "0" | "no" => false,
            "on" | "true" | "1" | "yes" => true,
            _ => {
                self.record("must be yes or no");
                false
            }
        };
        visitor.visit_bool(value)
    }

    numbers! {
        deserialize_i8 visit_i8 i8, "a whole number from -128 to 127";
        deserialize_i16 visit_i16 i16, "a whole number from -32768 to 32767";
        deserialize_i32 visit_i32 i32, "a whole number";
        deserialize_i64 visit_i64 i64, "a whole number";
        deserialize_u8 visit_u8 u8, "a whole number from 0 to 255";
        deserialize_u16 visit_u16 u16, "a whole number from 0 to 65535";
        deserialize_u32 visit_u32 u32, "a whole number, 0 or more";
        deserialize_u64 visit_u64 u64, "a whole number, 0 or more";
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f32(self.finite::<f32>())
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f64(self.finite::<f64>())
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let mut chars = self.text().chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => {
                self.record("must be one character");
                visitor.visit_char(' ')
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.text().is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_seq(Values {
            name: self.name,
            values: self.values.into_iter(),
            found: self.found,
        })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        // A `<select>` of unit variants: an unknown choice is the field's error, and the
        // first variant stands in so the rest of the form still decodes.
        let text = self.text();
        let chosen = match variants.iter().find(|v| **v == text) {
            Some(variant) => *variant,
            None => {
                if text.is_empty() {
                    self.record("can't be blank");
                } else {
                    self.record(&format!("must be one of: {}", variants.join(", ")));
                }
                variants.first().copied().unwrap_or("")
            }
        };
        visitor.visit_enum(chosen.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier
        ignored_any
    }
}

struct Values<'a> {
    name: &'static str,
    values: std::vec::IntoIter<&'a str>,
    found: &'a Found,
}

impl<'de> SeqAccess<'de> for Values<'_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(value) = self.values.next() else {
            return Ok(None);
        };
        seed.deserialize(Value {
            name: self.name,
            values: vec![value],
            found: self.found,
        })
        .map(Some)
    }
}
