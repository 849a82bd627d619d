//! Building (and deserialising) an [`AccessPolicy`] with its invariants checked once.

use serde::{Deserialize, Serialize};

use super::{
    AccessPolicy, ClaimToVerify, ClientRole, MAX_MAXIMUM_EXPIRATION_SECS, PolicyError,
    SUPPORTED_ALGORITHMS, check_issuer_url,
};
use crate::scope::is_scope_token;

/// Builds an [`AccessPolicy`]; setters never fail, [`build`](Self::build) checks everything.
///
/// Repeated values are kept once, in the order first given.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AccessPolicyBuilder {
    repr: PolicyRepr,
    bad_client_role: Option<PolicyError>,
}

impl AccessPolicyBuilder {
    pub(super) fn from_policy(policy: AccessPolicy) -> Self {
        Self {
            repr: policy.into(),
            bad_client_role: None,
        }
    }

    /// Adds an allowed issuer (the realm URL, e.g.
    /// `https://loginproxy.gov.bc.ca/auth/realms/apigw`). At least one is required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.repr.issuers.push(issuer.into());
        self
    }

    /// Adds several allowed issuers.
    pub fn issuers<I, S>(mut self, issuers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.repr
            .issuers
            .extend(issuers.into_iter().map(Into::into));
        self
    }

    /// Requires `aud` to contain `audience`. Defaults to no audience check.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.repr.audience = Some(audience.into());
        self
    }

    /// Adds an allowed signing algorithm (`"RS256"`, `"ES256"`, ...). Defaults to `RS256`
    /// alone when none is added.
    pub fn algorithm(mut self, algorithm: impl Into<String>) -> Self {
        self.repr.algorithms.push(algorithm.into());
        self
    }

    /// Adds a scope to the any-of scope list. Defaults to none (no scope check).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.repr.scopes.push(scope.into());
        self
    }

    /// Adds several scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.repr.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Adds a realm role to the any-of realm-role list. Defaults to none.
    pub fn realm_role(mut self, role: impl Into<String>) -> Self {
        self.repr.realm_roles.push(role.into());
        self
    }

    /// Adds a role of the token's own client (`azp`) to the any-of list. Defaults to none.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.repr.roles.push(role.into());
        self
    }

    /// Adds several roles of the token's own client.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.repr.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Adds a `client:role` pair (split at the last `:`, as the plugin does) to the any-of
    /// client-role list. A malformed value is reported by [`build`](Self::build).
    pub fn client_role(mut self, client_role: &str) -> Self {
        match client_role.parse::<ClientRole>() {
            Ok(pair) => self.repr.client_roles.push(pair),
            Err(err) => {
                self.bad_client_role.get_or_insert(err);
            }
        }
        self
    }

    /// Adds an already typed client-role pair.
    pub fn client_role_pair(mut self, pair: ClientRole) -> Self {
        self.repr.client_roles.push(pair);
        self
    }

    /// Replaces the time claims to verify. Defaults to `exp` only.
    pub fn claims_to_verify(mut self, claims: impl IntoIterator<Item = ClaimToVerify>) -> Self {
        self.repr.claims_to_verify = Some(claims.into_iter().collect());
        self
    }

    /// Bounds how far in the future `exp` may be, in seconds (at most one year; needs `exp`
    /// among the claims to verify). Zero means unbounded, as in the plugin. Defaults to
    /// unbounded.
    pub fn maximum_expiration_secs(mut self, seconds: u64) -> Self {
        self.repr.maximum_expiration = (seconds > 0).then_some(seconds);
        self
    }

    /// Checks the policy and returns it.
    ///
    /// # Errors
    /// The first of: no issuer, an issuer that is not an `https` realm-style URL, an algorithm
    /// outside [`SUPPORTED_ALGORITHMS`], a malformed scope, role or `client:role`, or a
    /// maximum expiration that is too large or set without `exp`.
    pub fn build(self) -> Result<AccessPolicy, PolicyError> {
        if let Some(err) = self.bad_client_role {
            return Err(err);
        }
        AccessPolicy::try_from(self.repr)
    }
}

/// The serialised form, also the builder's state. Field names are snake_case like the
/// plugin's configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyRepr {
    issuers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audience: Option<String>,
    #[serde(default)]
    algorithms: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    realm_roles: Vec<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    client_roles: Vec<ClientRole>,
    #[serde(default)]
    claims_to_verify: Option<Vec<ClaimToVerify>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    maximum_expiration: Option<u64>,
}

impl TryFrom<PolicyRepr> for AccessPolicy {
    type Error = PolicyError;

    fn try_from(repr: PolicyRepr) -> Result<Self, PolicyError> {
        let issuers = dedup(repr.issuers);
        if issuers.is_empty() {
            return Err(PolicyError::NoIssuer);
        }
        for issuer in &issuers {
            check_issuer_url(issuer).map_err(|reason| PolicyError::InvalidIssuer {
                issuer: issuer.clone(),
                reason,
            })?;
        }
        if let Some(aud) = &repr.audience {
            check_name("audience", aud)?;
        }
        let mut algorithms = dedup(repr.algorithms);
        if algorithms.is_empty() {
            algorithms.push("RS256".to_owned());
        }
        if let Some(bad) = algorithms
            .iter()
            .find(|a| !SUPPORTED_ALGORITHMS.contains(&a.as_str()))
        {
            return Err(PolicyError::UnsupportedAlgorithm {
                algorithm: bad.clone(),
            });
        }
        let scopes = dedup(repr.scopes);
        if let Some(bad) = scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(PolicyError::InvalidValue {
                field: "scopes",
                value: bad.clone(),
            });
        }
        let realm_roles = dedup(repr.realm_roles);
        let roles = dedup(repr.roles);
        for role in realm_roles.iter().chain(&roles) {
            check_name("roles", role)?;
        }
        let claims_to_verify = dedup(
            repr.claims_to_verify
                .unwrap_or_else(|| vec![ClaimToVerify::Exp]),
        );
        if let Some(seconds) = repr.maximum_expiration {
            if seconds > MAX_MAXIMUM_EXPIRATION_SECS {
                return Err(PolicyError::MaximumExpirationTooLarge { seconds });
            }
            if !claims_to_verify.contains(&ClaimToVerify::Exp) {
                return Err(PolicyError::MaximumExpirationWithoutExp);
            }
        }
        Ok(AccessPolicy {
            issuers,
            audience: repr.audience,
            algorithms,
            scopes,
            realm_roles,
            roles,
            client_roles: dedup(repr.client_roles),
            claims_to_verify,
            maximum_expiration: repr.maximum_expiration.filter(|s| *s > 0),
        })
    }
}

impl From<AccessPolicy> for PolicyRepr {
    fn from(policy: AccessPolicy) -> Self {
        PolicyRepr {
            issuers: policy.issuers,
            audience: policy.audience,
            algorithms: policy.algorithms,
            scopes: policy.scopes,
            realm_roles: policy.realm_roles,
            roles: policy.roles,
            client_roles: policy.client_roles,
            claims_to_verify: Some(policy.claims_to_verify),
            maximum_expiration: policy.maximum_expiration,
        }
    }
}

/// Roles and audiences are opaque names, but never empty nor padded with whitespace.
fn check_name(field: &'static str, value: &str) -> Result<(), PolicyError> {
    if value.is_empty() || value.trim() != value || value.chars().any(char::is_control) {
        return Err(PolicyError::InvalidValue {
            field,
            value: value.to_owned(),
        });
    }
    Ok(())
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
