//! Why a file could not be loaded.

use std::fmt;

use crate::problem::Problem;

/// A file that could not be loaded: every syntax and type error found (at least one), each
/// with its document index, line, column and field path, plus the warnings found with them.
///
/// `Display` shows the first error and how many more there are; list them all with
/// [`errors`](Self::errors).
///
/// ```
/// let file = "kind: CredentialIssuer\nname: My API default\nmode: always\nisShared: 1\n";
/// let err = aps_core::load_yaml(file).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "document 1, line 3, column 7: mode: unknown mode `always`; allowed: manual, auto \
///      (and 1 more error)"
/// );
/// let paths: Vec<&str> = err.errors().map(|p| p.path.as_str()).collect();
/// assert_eq!(paths, ["mode", "isShared"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    problems: Vec<Problem>,
}

impl LoadError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        Self { problems }
    }

    /// Every problem found, errors and warnings, in file order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut errors = self.errors();
        match errors.next() {
            Some(first) => write!(f, "{first}")?,
            None => f.write_str("the file could not be loaded")?,
        }
        let more = errors.count();
        if more > 0 {
            write!(
                f,
                " (and {more} more error{})",
                if more == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
