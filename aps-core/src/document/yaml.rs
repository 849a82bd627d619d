//! YAML files: split into documents, parse each with positions, dispatch on `kind`.

use serde_saphyr::{Budget, Options, RenderOptions, SnippetMode, UserMessageFormatter};

use super::node::{Node, SpannedNode, location_of};
use super::{Documents, LoadError, dispatch};
use crate::problem::Problem;

/// Loads a YAML file of one or more documents separated by `---`, as `gwa apply` reads it.
///
/// `kind: CredentialIssuer` documents become [`CredentialIssuer`](crate::CredentialIssuer)s;
/// documents of other kinds are kept as they are. Unknown fields are kept and reported in
/// [`Documents::warnings`].
///
/// # Errors
/// A [`LoadError`] with every syntax and type error found (each with its document index,
/// line, column and field path) when any document cannot be read.
///
/// # Examples
/// ```
/// let file = "kind: CredentialIssuer\nname: My API default\nflow: client-credentials\n\
///             ---\nkind: Product\nname: My API\n";
/// let docs = aps_core::load_yaml(file)?;
/// assert_eq!(docs.documents.len(), 2);
/// assert_eq!(docs.credential_issuers().next().map(|p| p.name.as_str()), Some("My API default"));
/// assert_eq!(docs.documents[1].kind(), Some("Product"));
///
/// let err = aps_core::load_yaml("kind: CredentialIssuer\nname: x\nflow: implicit\n").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "document 1, line 3, column 7: flow: unknown flow `implicit`; allowed: public, \
///      authorization-code, client-credentials, kong-api-key-acl"
/// );
/// # Ok::<(), aps_core::LoadError>(())
/// ```
pub fn load_yaml(text: &str) -> Result<Documents, LoadError> {
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    for (index, (first_line, chunk)) in split_documents(text).into_iter().enumerate() {
        match parse_document(chunk) {
            Ok(mut node) => {
                node.shift_lines(first_line);
                nodes.push((index, node));
            }
            Err(mut problem) => {
                if let Some(at) = &mut problem.location {
                    at.line += first_line;
                }
                problem.document = Some(index);
                problems.push(problem);
            }
        }
    }
    dispatch(nodes, problems)
}

/// Parses one document (with positions relative to its own first line).
pub(super) fn parse_document(text: &str) -> Result<Node, Problem> {
    serde_saphyr::from_str_with_options::<SpannedNode>(text, options())
        .map(|SpannedNode(node)| node)
        .map_err(|err| {
            let location = err.location().as_ref().and_then(location_of);
            Problem::error("", syntax_message(&err)).at(None, location)
        })
}

/// Default budget (bounded depth, aliases, nodes), no source snippets in messages (they
/// could show a secret), and YAML 1.2 booleans only (`no` stays the string "no").
fn options() -> Options {
    let mut options = Options::default();
    options.budget = Some(Budget::default());
    options.with_snippet = false;
    options.strict_booleans = true;
    options
}

/// The parser's message for users (not its developer wording, which suggests parser
/// options), without its own position suffix (we report positions ourselves) and without a
/// source snippet (which could show a secret).
fn syntax_message(err: &serde_saphyr::Error) -> String {
    let mut render = RenderOptions::new(&UserMessageFormatter);
    render.snippets = SnippetMode::Off;
    let text = err.render_with_options(render);
    let text = match text.find(" at line ") {
        Some(cut) => &text[..cut],
        None => &text,
    };
    text.trim().to_owned()
}

/// Splits a file at document markers (`---` at the start of a line; YAML forbids that
/// sequence inside content), dropping documents with nothing but comments or blanks.
/// Returns each document's 0-based first line and its text.
fn split_documents(text: &str) -> Vec<(u64, &str)> {
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0u64;
    let mut offset = 0usize;
    for (line_no, line) in (0u64..).zip(text.split_inclusive('\n')) {
        if is_document_start(line) && offset > start {
            docs.push((start_line, &text[start..offset]));
            start = offset;
            start_line = line_no;
        }
        offset += line.len();
    }
    docs.push((start_line, &text[start..]));
    docs.retain(|(_, doc)| has_content(doc));
    docs
}

fn is_document_start(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn has_content(doc: &str) -> bool {
    doc.lines().any(|line| {
        let line = if is_document_start(line) {
            &line[3..]
        } else {
            line
        };
        let line = line.trim();
        !(line.is_empty() || line.starts_with('#') || line == "..." || line.starts_with('%'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Location;

    #[test]
    fn splits_at_markers_and_drops_empty_documents() {
        let text = "# header\n---\na: 1\n---\n# nothing\n---\nb: 2\n--- {c: 3}\n---\n";
        let docs = split_documents(text);
        assert_eq!(
            docs,
            vec![(1, "---\na: 1\n"), (5, "---\nb: 2\n"), (7, "--- {c: 3}\n")]
        );
        assert_eq!(split_documents("a: 1"), vec![(0, "a: 1")]);
        assert!(split_documents("").is_empty());
        assert_eq!(split_documents("a: '---'\n----: x\n").len(), 1);
    }

    #[test]
    fn syntax_errors_carry_document_line_and_column() {
        let err =
            load_yaml("kind: Product\n---\nkind: CredentialIssuer\nname: [unclosed\n").unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.document, Some(1));
        assert_eq!(problem.location.map(|l| l.line), Some(4), "{problem}");
        assert!(!problem.message.contains("line"), "{}", problem.message);
        assert_eq!(
            problem.to_string(),
            "document 2, line 4, column 7: unclosed bracket '['"
        );
    }

    #[test]
    fn positions_are_relative_to_the_whole_file() {
        let err =
            load_yaml("kind: Product\n---\nkind: CredentialIssuer\nname: x\nmode: sometimes\n")
                .unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!((problem.document, problem.path.as_str()), (Some(1), "mode"));
        assert_eq!(problem.location, Some(Location { line: 5, column: 7 }));
    }

    #[test]
    fn messages_are_written_for_users_not_for_parser_developers() {
        let err =
            load_yaml("kind: CredentialIssuer\nname: My API default\nname: Other\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "document 1, line 3, column 1: duplicate mapping key `name` is not allowed here"
        );
    }
}
