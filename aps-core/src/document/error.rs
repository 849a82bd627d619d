//! Why a file could not be loaded.

use std::fmt;

use crate::problem::Problem;

/// A file that could not be loaded: every syntax and type error found (at least one), each
/// with its document index, line, column and field path, plus the warnings found with them.
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
