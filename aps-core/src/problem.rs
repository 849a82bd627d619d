//! One reported problem: where (document, line, column, field path), what, and how bad.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The portal would reject it, or this SDK cannot work with it.
    Error,
    /// Accepted, but probably not what was meant (or kept without being understood).
    Warning,
}

/// A position in a source file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// 1-based line in the whole file.
    pub line: u64,
    /// 1-based column (in characters).
    pub column: u64,
}

/// A problem found while loading or validating, with everything needed to find it.
///
/// `Display` reads like `document 2, line 14, column 5: environmentDetails[0].issuerUrl:
/// must use https (http is allowed only for loopback hosts)`. Messages never contain secret
/// values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The field path in the portal's spelling, e.g. `environmentDetails[1].clientSecret`;
    /// empty for the document itself.
    pub path: String,
    /// What is wrong, for an API provider.
    pub message: String,
    /// 0-based index of the (non-empty) document in the file: set by the loader, and by
    /// [`validate`](crate::CredentialIssuer::validate) for a profile loaded from a file.
    pub document: Option<usize>,
    /// Where in the file, when known (same cases as `document`).
    pub location: Option<Location>,
}

impl Problem {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path.into(), message.into())
    }

    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path.into(), message.into())
    }

    fn new(severity: Severity, path: String, message: String) -> Self {
        Self {
            severity,
            path,
            message,
            document: None,
            location: None,
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    #[cfg_attr(not(feature = "yaml"), allow(dead_code))]
    pub(crate) fn at(mut self, document: Option<usize>, location: Option<Location>) -> Self {
        self.document = document;
        self.location = location;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(doc) = self.document {
            write!(f, "document {}", doc + 1)?;
            sep = ", ";
        }
        if let Some(at) = self.location {
            write!(f, "{sep}line {}, column {}", at.line, at.column)?;
            sep = ", ";
        }
        if !sep.is_empty() {
            f.write_str(": ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_what_is_known() {
        let p = Problem::error("name", "is required");
        assert_eq!(p.to_string(), "name: is required");
        let p = p.at(Some(1), Some(Location { line: 3, column: 7 }));
        assert_eq!(
            p.to_string(),
            "document 2, line 3, column 7: name: is required"
        );
        let p = Problem::warning("", "no kind").at(Some(0), None);
        assert_eq!(p.to_string(), "document 1: no kind");
    }
}
