//! The grant checks of the plugin (scope, realm roles, roles, client roles) over token claims.

use serde_json::Value;

use super::{AccessPolicy, ClientRole};

/// Why a token with a valid signature and issuer is still refused (HTTP 403,
/// `insufficient_scope`). The message names what was required, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Denial {
    /// No required scope is in the `scope` claim.
    #[error("Missing required scope ({} of: {})", quantifier(.all_of), .required.join(", "))]
    MissingScope {
        /// The policy's scopes.
        required: Vec<String>,
        /// Whether every one of them is required (a validator set to all-of), not any one.
        all_of: bool,
    },
    /// No required realm role is in `realm_access.roles`.
    #[error("Missing required realm role ({} of: {})", quantifier(.all_of), .required.join(", "))]
    MissingRealmRole {
        /// The policy's realm roles.
        required: Vec<String>,
        /// Whether every one of them is required (a validator set to all-of), not any one.
        all_of: bool,
    },
    /// No required role is in `resource_access[azp].roles`.
    #[error("Missing required role ({} of: {})", quantifier(.all_of), .required.join(", "))]
    MissingRole {
        /// The policy's roles.
        required: Vec<String>,
        /// Whether every one of them is required (a validator set to all-of), not any one.
        all_of: bool,
    },
    /// No required `client:role` pair is in `resource_access`.
    #[error("Missing required client role ({} of: {})", quantifier(.all_of), join_pairs(.required))]
    MissingClientRole {
        /// The policy's client roles.
        required: Vec<ClientRole>,
        /// Whether every one of them is required (a validator set to all-of), not any one.
        all_of: bool,
    },
}

fn quantifier(all_of: &bool) -> &'static str {
    if *all_of { "all" } else { "one" }
}

fn join_pairs(pairs: &[ClientRole]) -> String {
    pairs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl AccessPolicy {
    /// Checks the grant lists against already verified token claims, in the plugin's order:
    /// scope, realm roles, roles (of the `azp` client), client roles. Any-of within a list,
    /// all lists must pass, an empty list passes. Claims of the wrong type count as absent.
    ///
    /// # Errors
    /// The first list that is not satisfied, as a [`Denial`].
    ///
    /// # Examples
    /// ```
    /// use aps_core::{AccessPolicy, Denial};
    /// use serde_json::json;
    ///
    /// let policy = AccessPolicy::builder()
    ///     .issuer("https://idp.example/realms/apigw")
    ///     .scopes(["Function1/read", "Function2/*"])
    ///     .role("read")
    ///     .build()?;
    /// let claims = json!({
    ///     "scope": "profile Function2/*",
    ///     "azp": "app-1",
    ///     "resource_access": { "app-1": { "roles": ["read"] } }
    /// });
    /// assert_eq!(policy.authorize(&claims), Ok(()));
    /// assert!(matches!(
    ///     policy.authorize(&json!({ "scope": "profile" })),
    ///     Err(Denial::MissingScope { .. })
    /// ));
    /// # Ok::<(), aps_core::PolicyError>(())
    /// ```
    pub fn authorize(&self, claims: &Value) -> Result<(), Denial> {
        if !self.scopes.is_empty() {
            let granted = claims.get("scope").and_then(Value::as_str).unwrap_or("");
            if !granted
                .split(' ')
                .any(|s| self.scopes.iter().any(|r| r == s))
            {
                return Err(Denial::MissingScope {
                    required: self.scopes.clone(),
                    all_of: false,
                });
            }
        }
        if !self.realm_roles.is_empty() && !any_role(claims.get("realm_access"), &self.realm_roles)
        {
            return Err(Denial::MissingRealmRole {
                required: self.realm_roles.clone(),
                all_of: false,
            });
        }
        if !self.roles.is_empty() {
            let own = claims
                .get("azp")
                .and_then(Value::as_str)
                .and_then(|azp| claims.get("resource_access")?.get(azp));
            if !any_role(own, &self.roles) {
                return Err(Denial::MissingRole {
                    required: self.roles.clone(),
                    all_of: false,
                });
            }
        }
        if !self.client_roles.is_empty() {
            let access = claims.get("resource_access");
            let held = |pair: &ClientRole| {
                role_list(access.and_then(|a| a.get(pair.client()))).any(|role| role == pair.role())
            };
            if !self.client_roles.iter().any(held) {
                return Err(Denial::MissingClientRole {
                    required: self.client_roles.clone(),
                    all_of: false,
                });
            }
        }
        Ok(())
    }
}

/// The `roles` array of a `{ "roles": [...] }` object, strings only.
fn role_list(holder: Option<&Value>) -> impl Iterator<Item = &str> {
    holder
        .and_then(|h| h.get("roles"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn any_role(holder: Option<&Value>, required: &[String]) -> bool {
    role_list(holder).any(|role| required.iter().any(|r| r == role))
}
