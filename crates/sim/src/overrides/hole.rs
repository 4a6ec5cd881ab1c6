//! A scenario read back from its JSON tree with one hole where an override's RON text goes.
//!
//! serde's own deserialization of the scenario walks the tree; at the hole it hands the type
//! it expects there to RON's deserializer over the text. So a value is read as its field's
//! type — a list of enum variants with fields, a structure, an option — exactly as the same
//! text in a scenario file, which a type-blind RON value cannot do (it drops variant names).

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value;

/// What stands in the tree for the override's value: no scenario string holds a NUL.
pub(super) const HOLE: &str = "\u{0}--set value\u{0}";

/// Why the tree (in practice: the text at the hole) did not read as the type.
#[derive(Debug)]
pub(super) struct Error(pub(super) String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// A JSON value to read as a type, with `text` (RON) read wherever it holds [`HOLE`].
pub(super) struct Holed<'de> {
    pub(super) value: Value,
    pub(super) text: &'de str,
}

impl<'de> Holed<'de> {
    fn is_hole(&self) -> bool {
        matches!(&self.value, Value::String(s) if s == HOLE)
    }

    /// Reads the text at the hole with RON's deserializer as the scenario file is read
    /// (implicit `Some`, unwrapped newtype variants), the whole text and nothing after it.
    fn read_text<T>(
        &self,
        read: impl FnOnce(&mut ron::Deserializer<'de>) -> ron::Result<T>,
    ) -> Result<T, Error> {
        let options = ron::Options::default().with_default_extension(
            ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
                | ron::extensions::Extensions::IMPLICIT_SOME,
        );
        let mut de = ron::Deserializer::from_str_with_options(self.text, options)
            .map_err(|e| Error(e.to_string()))?;
        let spanned = |de: &ron::Deserializer<'de>, e: ron::Error| {
            let e = de.span_error(e);
            Error(format!("column {}: {}", e.position.col, e.code))
        };
        let value = read(&mut de).map_err(|e| spanned(&de, e))?;
        de.end().map_err(|e| spanned(&de, e))?;
        Ok(value)
    }
}

impl<'de> IntoDeserializer<'de, Error> for Holed<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Each `deserialize_*` (with its arguments) that reads nothing of a JSON value but its kind:
/// the text at the hole, else the tree's value as it is (as `serde_json::from_value` reads it).
macro_rules! by_value {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
            if self.is_hole() {
                return self.read_text(|de| de::Deserializer::$method(de, $($arg,)* visitor));
            }
            self.deserialize_any(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Holed<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_hole() {
            return self.read_text(|de| de::Deserializer::deserialize_any(de, visitor));
        }
        let text = self.text;
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                _ => Err(de::Error::custom(format!("number {n} out of range"))),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq =
                    SeqDeserializer::new(items.into_iter().map(|value| Holed { value, text }));
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Object(fields) => {
                let mut map = MapDeserializer::new(
                    fields
                        .into_iter()
                        .map(|(k, value)| (k, Holed { value, text })),
                );
                let v = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(v)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_hole() {
            return self.read_text(|de| de::Deserializer::deserialize_option(de, visitor));
        }
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.is_hole() {
            return self
                .read_text(|de| de::Deserializer::deserialize_newtype_struct(de, name, visitor));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.is_hole() {
            return self
                .read_text(|de| de::Deserializer::deserialize_enum(de, name, variants, visitor));
        }
        match self.value {
            // A unit variant, by name.
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            // `{"Variant": content}`, as serde_json writes a variant with content.
            Value::Object(m) if m.len() == 1 => {
                let (variant, content) = m.into_iter().next().expect("one entry");
                let content = Holed {
                    value: content,
                    text: self.text,
                };
                visitor.visit_enum(Variant { variant, content })
            }
            other => Err(de::Error::custom(format!(
                "expected a variant of {name}, found {other}"
            ))),
        }
    }

    by_value! {
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_unit();
        deserialize_seq();
        deserialize_map();
        deserialize_identifier();
        deserialize_ignored_any();
        deserialize_unit_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
    }
}

/// The variant of an enum and the content it carries.
struct Variant<'de> {
    variant: String,
    content: Holed<'de>,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Holed<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Holed<'de>), Error> {
        let name: de::value::StringDeserializer<Error> = self.variant.into_deserializer();
        Ok((seed.deserialize(name)?, self.content))
    }
}

impl<'de> de::VariantAccess<'de> for Holed<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
