//! A parsed document as a tree whose every node remembers where it was written.
//!
//! Profiles are decoded from this tree by hand (not by serde derive) so that every type
//! error, and every unknown field, can be reported at once with its path and position.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

use super::Location;
use super::fields::join;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: NodeValue,
    pub(crate) at: Option<Location>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) text: String,
    pub(crate) at: Option<Location>,
}

impl Node {
    pub(crate) fn type_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }

    /// The plain JSON value, positions dropped.
    pub(crate) fn to_value(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.text.clone(), v.to_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// The position of every node by field path (`environmentDetails[0].issuerUrl`; `` for
    /// the node itself). A mapping entry is placed at its value, or at its key when the value
    /// is null (an empty value has no useful position of its own).
    pub(crate) fn positions(&self) -> HashMap<String, Location> {
        let mut out = HashMap::new();
        self.index(String::new(), self.at, &mut out);
        out
    }

    fn index(&self, path: String, at: Option<Location>, out: &mut HashMap<String, Location>) {
        match &self.value {
            NodeValue::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.index(format!("{path}[{i}]"), item.at, out);
                }
            }
            NodeValue::Map(entries) => {
                for (key, value) in entries {
                    let at = match value.value {
                        NodeValue::Null => key.at,
                        _ => value.at.or(key.at),
                    };
                    value.index(join(&path, &key.text), at, out);
                }
            }
            _ => {}
        }
        if let Some(at) = at {
            out.insert(path, at);
        }
    }

    /// Shifts every position down by `lines` (a document parsed out of a larger file).
    pub(crate) fn shift_lines(&mut self, lines: u64) {
        if let Some(at) = &mut self.at {
            at.line += lines;
        }
        match &mut self.value {
            NodeValue::Seq(items) => items.iter_mut().for_each(|n| n.shift_lines(lines)),
            NodeValue::Map(entries) => {
                for (k, v) in entries {
                    if let Some(at) = &mut k.at {
                        at.line += lines;
                    }
                    v.shift_lines(lines);
                }
            }
            _ => {}
        }
    }
}

pub(crate) fn location_of(loc: &serde_saphyr::Location) -> Option<Location> {
    (loc.line() > 0).then(|| Location {
        line: loc.line(),
        column: loc.column(),
    })
}

/// What the YAML parser hands us: a value whose children carry their spans.
pub(crate) struct SpannedNode(pub(crate) Node);

impl<'de> Deserialize<'de> for SpannedNode {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<RawValue>::deserialize(deserializer)?;
        Ok(SpannedNode(Node {
            value: spanned.value.0,
            at: location_of(&spanned.referenced),
        }))
    }
}

/// A value read by a parser without spans (JSON): the same tree and the same checks
/// (duplicate keys, numbers), positions left out.
pub(crate) struct PlainNode(pub(crate) Node);

impl<'de> Deserialize<'de> for PlainNode {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserializer.deserialize_any(RawVisitor::<PlainNode>::new())?;
        Ok(PlainNode(Node { value, at: None }))
    }
}

struct RawValue(NodeValue);

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(RawVisitor::<SpannedNode>::new())
            .map(RawValue)
    }
}

/// How a child of a list or mapping is read: with its span or without.
trait Child: for<'de> Deserialize<'de> {
    fn into_node(self) -> Node;
}

impl Child for SpannedNode {
    fn into_node(self) -> Node {
        self.0
    }
}

impl Child for PlainNode {
    fn into_node(self) -> Node {
        self.0
    }
}

/// Reads one value of any type; its children are read as `C`.
struct RawVisitor<C>(PhantomData<C>);

impl<C> RawVisitor<C> {
    fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, C: Child> Visitor<'de> for RawVisitor<C> {
    type Value = NodeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_none<E>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<NodeValue, D::Error> {
        d.deserialize_any(Self::new())
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<NodeValue, D::Error> {
        d.deserialize_any(Self::new())
    }
    fn visit_bool<E>(self, v: bool) -> Result<NodeValue, E> {
        Ok(NodeValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<NodeValue, E> {
        Ok(NodeValue::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<NodeValue, E> {
        Ok(NodeValue::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeValue, E> {
        i64::try_from(v)
            .map(|n| NodeValue::Number(n.into()))
            .or_else(|_| u64::try_from(v).map(|n| NodeValue::Number(n.into())))
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeValue, E> {
        u64::try_from(v)
            .map(|n| NodeValue::Number(n.into()))
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeValue, E> {
        Number::from_f64(v)
            .map(NodeValue::Number)
            .ok_or_else(|| E::custom("non-finite numbers (.nan, .inf) are not supported"))
    }
    fn visit_str<E>(self, v: &str) -> Result<NodeValue, E> {
        Ok(NodeValue::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<NodeValue, E> {
        Ok(NodeValue::String(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<NodeValue, E> {
        Err(E::custom("binary values are not supported"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeValue, A::Error> {
        let mut items = Vec::new();
        while let Some(child) = seq.next_element::<C>()? {
            items.push(child.into_node());
        }
        Ok(NodeValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeValue, A::Error> {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<C>()? {
            let key = key.into_node();
            let text = match key.value {
                NodeValue::String(s) => s,
                NodeValue::Number(n) => n.to_string(),
                NodeValue::Bool(b) => b.to_string(),
                NodeValue::Null => "null".to_owned(),
                _ => return Err(de::Error::custom("mapping keys must be scalars")),
            };
            if !seen.insert(text.clone()) {
                return Err(de::Error::custom(format!("duplicate key `{text}`")));
            }
            let value = map.next_value::<C>()?.into_node();
            entries.push((Key { text, at: key.at }, value));
        }
        Ok(NodeValue::Map(entries))
    }
}
