//! Rules on changing a stored profile: what the portal fixes at creation, and what it drops.

use crate::problem::Problem;
use crate::profile::CredentialIssuer;

impl CredentialIssuer {
    /// Problems with sending `self` as an update of the stored `previous` profile, on top of
    /// [`validate`](Self::validate): `inheritFrom`, `clientId`, `isShared` and `owner` are
    /// fixed at creation (errors), and environments left out of `environmentDetails` are
    /// dropped by the portal (warnings). A field left out (`None`) is not a change.
    ///
    /// # Examples
    /// ```
    /// use aps_core::CredentialIssuer;
    ///
    /// let mut stored = CredentialIssuer::new("My API default");
    /// stored.inherit_from = Some("Gold Shared IdP".into());
    /// let mut update = stored.clone();
    /// update.inherit_from = Some("Other IdP".into());
    /// let problems = update.validate_update(&stored);
    /// assert_eq!(problems[0].path, "inheritFrom");
    /// ```
    pub fn validate_update(&self, previous: &CredentialIssuer) -> Vec<Problem> {
        let mut out = Vec::new();
        let fixed = [
            (
                "inheritFrom",
                self.inherit_from.as_deref(),
                previous.inherit_from.as_deref(),
            ),
            (
                "clientId",
                self.client_id.as_deref(),
                previous.client_id.as_deref(),
            ),
            ("owner", self.owner.as_deref(), previous.owner.as_deref()),
        ];
        for (path, new, old) in fixed {
            if new.is_some() && new != old {
                out.push(Problem::error(
                    path,
                    "is only set during creation: the portal refuses to change it",
                ));
            }
        }
        if self.is_shared.is_some()
            && self.is_shared.unwrap_or(false) != previous.is_shared.unwrap_or(false)
        {
            out.push(Problem::error(
                "isShared",
                "is only set during creation: the portal refuses to change it",
            ));
        }
        if !self.environment_details.is_empty() {
            for old in &previous.environment_details {
                if self.environment(old.environment).is_none() {
                    out.push(Problem::warning(
                        "environmentDetails",
                        format!(
                            "environment `{}` is left out: the portal will drop it",
                            old.environment
                        ),
                    ));
                }
            }
        }
        self.place(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::problem::Problem;
    use crate::profile::{CredentialIssuer, Environment, EnvironmentDetail};

    fn stored() -> CredentialIssuer {
        let mut p = CredentialIssuer::new("My API default");
        p.client_id = Some("my-api-default".into());
        p.owner = Some("a@example.gov.bc.ca".into());
        p.environment_details = vec![
            EnvironmentDetail::new(Environment::Dev),
            EnvironmentDetail::new(Environment::Prod),
        ];
        p
    }

    #[test]
    fn creation_only_fields_cannot_change() {
        let msg = "is only set during creation: the portal refuses to change it";
        let mut u = stored();
        u.client_id = Some("other".into());
        assert_eq!(
            u.validate_update(&stored()),
            vec![Problem::error("clientId", msg)]
        );
        let mut u = stored();
        u.owner = Some("b@example.gov.bc.ca".into());
        u.inherit_from = Some("Gold Shared IdP".into());
        u.is_shared = Some(true);
        assert_eq!(
            u.validate_update(&stored()),
            vec![
                Problem::error("inheritFrom", msg),
                Problem::error("owner", msg),
                Problem::error("isShared", msg)
            ]
        );
        let mut u = stored();
        u.owner = None;
        u.is_shared = Some(false);
        assert_eq!(u.validate_update(&stored()), vec![]);
    }

    #[test]
    fn environments_left_out_are_reported() {
        let mut u = stored();
        u.environment_details.remove(0);
        assert_eq!(
            u.validate_update(&stored()),
            vec![Problem::warning(
                "environmentDetails",
                "environment `dev` is left out: the portal will drop it"
            )]
        );
    }
}
