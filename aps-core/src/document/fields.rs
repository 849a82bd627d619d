//! Path-aware reading of a mapping node: every problem is collected, unknown keys are kept.

use std::str::FromStr;

use serde_json::{Map, Value};

use super::node::{Key, Node, NodeValue};
use crate::problem::{Location, Problem};
use crate::profile::UnknownValue;

/// Collects problems while decoding one document.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) document: Option<usize>,
    pub(crate) problems: Vec<Problem>,
}

impl Sink {
    pub(crate) fn error(&mut self, path: &str, at: Option<Location>, message: impl Into<String>) {
        let problem = Problem::error(path, message).at(self.document, at);
        self.problems.push(problem);
    }

    pub(crate) fn warning(&mut self, path: &str, at: Option<Location>, message: impl Into<String>) {
        let problem = Problem::warning(path, message).at(self.document, at);
        self.problems.push(problem);
    }
}

/// Joins a parent path and a field name: `environmentDetails[0]` + `clientId`.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// The fields of one mapping, read by name.
pub(crate) struct Fields<'n> {
    path: String,
    at: Option<Location>,
    entries: &'n [(Key, Node)],
    used: Vec<bool>,
}

impl<'n> Fields<'n> {
    /// Reads `node` as a mapping, or reports that it is not one.
    pub(crate) fn of(node: &'n Node, path: &str, sink: &mut Sink) -> Option<Self> {
        match &node.value {
            NodeValue::Map(entries) => Some(Self {
                path: path.to_owned(),
                at: node.at,
                entries,
                used: vec![false; entries.len()],
            }),
            _ => {
                sink.error(
                    path,
                    node.at,
                    format!("expected a mapping, found {}", node.type_name()),
                );
                None
            }
        }
    }

    /// The field's node, `None` when absent or null; marks it as known.
    pub(crate) fn get(&mut self, name: &str) -> Option<&'n Node> {
        let index = self.entries.iter().position(|(k, _)| k.text == name)?;
        self.used[index] = true;
        let node = &self.entries[index].1;
        (node.value != NodeValue::Null).then_some(node)
    }

    pub(crate) fn path(&self, name: &str) -> String {
        join(&self.path, name)
    }

    pub(crate) fn string(&mut self, name: &str, sink: &mut Sink) -> Option<String> {
        let node = self.get(name)?;
        let path = self.path(name);
        as_string(node, &path, sink)
    }

    pub(crate) fn required_string(&mut self, name: &str, sink: &mut Sink) -> Option<String> {
        let present = self
            .entries
            .iter()
            .any(|(k, v)| k.text == name && v.value != NodeValue::Null);
        if !present {
            sink.error(&self.path(name), self.at, "is required");
        }
        self.string(name, sink)
    }

    pub(crate) fn bool(&mut self, name: &str, sink: &mut Sink) -> Option<bool> {
        let node = self.get(name)?;
        match node.value {
            NodeValue::Bool(b) => Some(b),
            _ => {
                let found = node.type_name();
                sink.error(
                    &self.path(name),
                    node.at,
                    format!("expected true or false, found {found}"),
                );
                None
            }
        }
    }

    /// A value of one of the closed sets; an unknown value lists the allowed ones.
    pub(crate) fn parse<T>(&mut self, name: &str, sink: &mut Sink) -> Option<T>
    where
        T: FromStr<Err = UnknownValue>,
    {
        let node = self.get(name)?;
        let path = self.path(name);
        let text = as_string(node, &path, sink)?;
        text.parse()
            .map_err(|err: UnknownValue| sink.error(&path, node.at, err.to_string()))
            .ok()
    }

    /// The items of a list field, each with its path (`name[i]`).
    pub(crate) fn list(&mut self, name: &str, sink: &mut Sink) -> Vec<(String, &'n Node)> {
        let Some(node) = self.get(name) else {
            return Vec::new();
        };
        let path = self.path(name);
        match &node.value {
            NodeValue::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{path}[{i}]"), item))
                .collect(),
            _ => {
                sink.error(
                    &path,
                    node.at,
                    format!("expected a list, found {}", node.type_name()),
                );
                Vec::new()
            }
        }
    }

    pub(crate) fn string_list(&mut self, name: &str, sink: &mut Sink) -> Vec<String> {
        self.list(name, sink)
            .into_iter()
            .filter_map(|(path, item)| as_string(item, &path, sink))
            .collect()
    }

    /// The fields nobody asked for: kept, and reported as warnings naming the closest
    /// known field.
    pub(crate) fn finish(self, known: &[&str], sink: &mut Sink) -> Map<String, Value> {
        let mut extra = Map::new();
        for ((key, node), used) in self.entries.iter().zip(self.used) {
            if used {
                continue;
            }
            let hint = closest(&key.text, known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let message = format!(
                "unknown field `{}` is kept but not understood{hint}",
                key.text
            );
            sink.warning(&join(&self.path, &key.text), key.at, message);
            extra.insert(key.text.clone(), node.to_value());
        }
        extra
    }
}

pub(crate) fn as_string(node: &Node, path: &str, sink: &mut Sink) -> Option<String> {
    match &node.value {
        NodeValue::String(s) => Some(s.clone()),
        _ => {
            let found = node.type_name();
            let quote = if matches!(node.value, NodeValue::Number(_) | NodeValue::Bool(_)) {
                " (quote it to make it a string)"
            } else {
                ""
            };
            sink.error(
                path,
                node.at,
                format!("expected a string, found {found}{quote}"),
            );
            None
        }
    }
}

/// The known field closest to `name`: same letters ignoring case, or at most two edits.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    if a.chars().count().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_near_misses_only() {
        let known = ["issuerUrl", "clientId", "clientSecret"];
        assert_eq!(closest("issuerURL", &known), Some("issuerUrl"));
        assert_eq!(closest("clientSecrets", &known), Some("clientSecret"));
        assert_eq!(closest("client_id", &known), Some("clientId"));
        assert_eq!(closest("colour", &known), None);
    }
}
