//! JSON files: one document (an object) or several (an array of objects).

use super::node::{Node, NodeValue, PlainNode};
use super::yaml::parse_document;
use super::{Documents, LoadError, dispatch};
use crate::problem::{Location, Problem};

/// Loads JSON: an object is one document, an array holds several. Dispatch on `kind` and
/// problem reporting are as for [`load_yaml`](crate::load_yaml).
///
/// # Errors
/// A [`LoadError`] with the syntax error (line and column), or every type error found.
///
/// # Examples
/// ```
/// let docs = aps_core::load_json(r#"[{"kind": "CredentialIssuer", "name": "My API default"}]"#)?;
/// assert_eq!(docs.credential_issuers().count(), 1);
/// # Ok::<(), aps_core::LoadError>(())
/// ```
pub fn load_json(text: &str) -> Result<Documents, LoadError> {
    let PlainNode(plain) = serde_json::from_str(text).map_err(|err| {
        let at = Location {
            line: err.line() as u64,
            column: err.column() as u64,
        };
        let message = json_message(&err);
        LoadError::new(vec![
            Problem::error("", message).at(None, (err.line() > 0).then_some(at)),
        ])
    })?;
    let root = positioned(text, plain);
    let nodes = match root.value {
        NodeValue::Seq(items) => items.into_iter().enumerate().collect(),
        _ => vec![(0, root)],
    };
    dispatch(nodes, Vec::new())
}

/// The same value with positions, read by the YAML parser (JSON is YAML 1.2), when it reads
/// it identically; otherwise the value without positions.
fn positioned(text: &str, plain: Node) -> Node {
    match parse_document(text) {
        Ok(node) if node.to_value() == plain.to_value() => node,
        _ => plain,
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn json_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_syntax_error_has_line_and_column() {
        let err = load_json("{\n  \"kind\": \"CredentialIssuer\",\n  \"name\": }").unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(
            p.location,
            Some(Location {
                line: 3,
                column: 11
            })
        );
        assert_eq!(p.message, "expected value");
    }

    #[test]
    fn json_type_errors_have_positions() {
        let text = "{\n  \"kind\": \"CredentialIssuer\",\n  \"name\": \"My API\",\n  \"isShared\": \"yes\"\n}";
        let err = load_json(text).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(p.path, "isShared");
        assert_eq!(p.message, "expected true or false, found a string");
        assert_eq!(p.location.map(|l| l.line), Some(4));
    }

    #[test]
    fn duplicate_keys_are_errors_not_silently_dropped() {
        let text = "[{\"kind\": \"Product\"},\n {\"kind\": \"CredentialIssuer\", \"name\": \"My API default\",\n  \"name\": \"Other API\"}]";
        let err = load_json(text).unwrap_err();
        assert_eq!(err.to_string(), "line 3, column 8: duplicate key `name`");
    }
}
