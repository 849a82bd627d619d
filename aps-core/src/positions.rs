//! Where a loaded profile's fields were written, so that problems found after loading (by
//! `validate`) can say where to look, not only which field.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::problem::{Location, Problem};
use crate::profile::CredentialIssuer;

/// Field path → position, for a profile loaded from a file; empty for one built in code.
///
/// Not part of the profile's value: it says where the value came from. Two profiles that differ
/// only in where they were written are equal (as `serde_spanned::Spanned` compares), so a file
/// written back and reloaded still compares equal to the original.
#[derive(Clone, Default)]
pub(crate) struct Positions(Option<Arc<Index>>);

struct Index {
    document: Option<usize>,
    at: HashMap<String, Location>,
}

impl Positions {
    /// The positions of one document (its 0-based `document` index in the file).
    #[cfg_attr(not(feature = "yaml"), allow(dead_code))]
    pub(crate) fn new(document: Option<usize>, at: HashMap<String, Location>) -> Self {
        Self(Some(Arc::new(Index { document, at })))
    }

    /// Where `path` was written, or, for a field that was not written (a missing required
    /// field), where its nearest enclosing mapping or list was.
    fn find(&self, path: &str) -> Option<Location> {
        let index = self.0.as_ref()?;
        let mut path = path;
        loop {
            if let Some(at) = index.at.get(path) {
                return Some(*at);
            }
            if path.is_empty() {
                return None;
            }
            path = parent(path);
        }
    }

    /// `problem` with the document index and position of its path, when known and not set.
    fn locate(&self, mut problem: Problem) -> Problem {
        let Some(index) = &self.0 else {
            return problem;
        };
        problem.document = problem.document.or(index.document);
        problem.location = problem.location.or_else(|| self.find(&problem.path));
        problem
    }
}

/// `environmentDetails[1].clientId` → `environmentDetails[1]` → `environmentDetails` → ``.
fn parent(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(cut) => &path[..cut],
        None => "",
    }
}

impl PartialEq for Positions {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Positions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("none"),
            Some(index) => write!(f, "{} paths", index.at.len()),
        }
    }
}

impl CredentialIssuer {
    /// Where `path` (in the portal's spelling, e.g. `environmentDetails[1].issuerUrl`) was
    /// written in the file this profile was loaded from: the value's line and column, or for
    /// a field that is absent, its enclosing mapping's. `None` for profiles built in code.
    ///
    /// Positions describe the file as loaded: after adding or removing list entries in code,
    /// paths into those lists may point at other entries.
    ///
    /// # Examples
    /// ```
    /// let docs = aps_core::load_yaml("kind: CredentialIssuer\nname: My API default\nmode: auto\n")?;
    /// let profile = docs.credential_issuers().next().unwrap();
    /// let at = profile.position("mode").unwrap();
    /// assert_eq!((at.line, at.column), (3, 7));
    /// assert_eq!(aps_core::CredentialIssuer::new("My API default").position("mode"), None);
    /// # Ok::<(), aps_core::LoadError>(())
    /// ```
    pub fn position(&self, path: &str) -> Option<Location> {
        self.positions.find(path)
    }

    /// `problem` placed in the file this profile was loaded from: its document index and the
    /// [`position`](Self::position) of its path, unless already set. Unchanged for profiles
    /// built in code. [`validate`](Self::validate) and
    /// [`validate_update`](Self::validate_update) already do this; use it for problems of
    /// your own about a profile's fields.
    ///
    /// # Examples
    /// ```
    /// use aps_core::Problem;
    ///
    /// let docs = aps_core::load_yaml("kind: Product\n---\nkind: CredentialIssuer\nname: My API default\n")?;
    /// let profile = docs.credential_issuers().next().unwrap();
    /// let problem = profile.locate(Problem::error("name", "is already taken in this namespace"));
    /// assert_eq!(
    ///     problem.to_string(),
    ///     "document 2, line 4, column 7: name: is already taken in this namespace"
    /// );
    /// # Ok::<(), aps_core::LoadError>(())
    /// ```
    pub fn locate(&self, problem: Problem) -> Problem {
        self.positions.locate(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64, column: u64) -> Location {
        Location { line, column }
    }

    #[test]
    fn absent_paths_fall_back_to_the_nearest_written_parent() {
        let positions = Positions::new(
            Some(2),
            HashMap::from([
                (String::new(), at(1, 1)),
                ("environmentDetails".into(), at(4, 3)),
                ("environmentDetails[1]".into(), at(7, 5)),
                ("a.b".into(), at(9, 9)),
            ]),
        );
        assert_eq!(
            positions.find("environmentDetails[1].clientSecret"),
            Some(at(7, 5))
        );
        assert_eq!(positions.find("environmentDetails[3]"), Some(at(4, 3)));
        assert_eq!(positions.find("flow"), Some(at(1, 1)));
        assert_eq!(positions.find("a.b"), Some(at(9, 9)), "exact paths first");
        let problem = positions.locate(Problem::error("flow", "is required"));
        assert_eq!(
            (problem.document, problem.location),
            (Some(2), Some(at(1, 1)))
        );
    }

    #[test]
    fn code_built_profiles_have_no_positions_and_positions_never_change_equality() {
        let plain = Positions::default();
        assert_eq!(plain.find(""), None);
        let problem = Problem::error("name", "x");
        assert_eq!(plain.locate(problem.clone()), problem);
        let loaded = Positions::new(Some(0), HashMap::from([(String::new(), at(1, 1))]));
        assert_eq!(loaded, plain);
        let placed = problem.at(Some(5), Some(at(2, 2)));
        assert_eq!(
            loaded.locate(placed.clone()),
            placed,
            "set positions are kept"
        );
    }
}
