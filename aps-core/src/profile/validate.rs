//! `validate()`: every problem of a profile at once, each with its field path.

mod environments;
mod fields;
mod placeholders;
#[cfg(test)]
mod tests;
mod update;

use super::CredentialIssuer;
use crate::problem::Problem;

/// The portal's message for a bad profile name.
pub(crate) const NAME_MESSAGE: &str = "Profile name must be between 5 and 40 alpha-numeric (or space, \
                                       dash) characters and begin with an alphabet";

impl CredentialIssuer {
    /// Checks the profile against the portal's rules and this SDK's stricter ones, and returns
    /// **every** problem found (empty when the profile is clean), in file order when loaded
    /// from a file.
    ///
    /// Errors mean the portal would reject the profile or this SDK cannot work with it;
    /// warnings mean it is accepted but probably not what was meant. Paths use the portal's
    /// spelling: `environmentDetails[1].clientSecret`. For a profile loaded from a file, each
    /// problem also carries its document index, line and column (the field's value, or for a
    /// missing field the mapping that lacks it; see [`position`](Self::position)).
    ///
    /// # Examples
    /// ```
    /// use aps_core::{CredentialIssuer, Flow, Mode, ClientAuthenticator};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// profile.flow = Some(Flow::ClientCredentials);
    /// profile.mode = Some(Mode::Auto);
    /// profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    /// profile.inherit_from = Some("Gold Shared IdP".into());
    /// assert!(profile.validate().is_empty());
    ///
    /// profile.available_scopes.push("Function1/read".into());
    /// let problems = profile.validate();
    /// assert_eq!(problems[0].path, "availableScopes");
    /// assert_eq!(
    ///     problems[0].message,
    ///     "Client Scopes not supported with Shared IdP: remove availableScopes or inheritFrom"
    /// );
    ///
    /// // Loaded from a file, problems also say where.
    /// let file = "kind: CredentialIssuer\nname: My API default\nflow: client-credentials\n\
    ///             mode: manual\nclientAuthenticator: client-secret\ninheritFrom: Gold Shared IdP\n";
    /// let docs = aps_core::load_yaml(file).expect("a well-formed file");
    /// let profile = docs.credential_issuers().next().expect("one profile");
    /// let problems: Vec<String> = profile.validate().iter().map(ToString::to_string).collect();
    /// assert_eq!(
    ///     problems,
    ///     ["document 1, line 4, column 7: mode: `manual` is not supported: credentials are \
    ///       issued only in `auto` mode"]
    /// );
    /// ```
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        fields::check(self, &mut problems);
        environments::check(self, &mut problems);
        placeholders::check(self, &mut problems);
        self.place(problems)
    }

    /// Places problems in the file the profile was loaded from, in file order (rule order
    /// for a profile built in code, whose problems have no position).
    pub(crate) fn place(&self, problems: Vec<Problem>) -> Vec<Problem> {
        let mut problems: Vec<Problem> = problems.into_iter().map(|p| self.locate(p)).collect();
        problems.sort_by_key(|p| p.location.map(|at| (at.line, at.column)));
        problems
    }

    /// Whether [`validate`](Self::validate) finds no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.validate().iter().any(Problem::is_error)
    }
}
