//! The typed access policy: what the gateway's `jwt-keycloak` plugin checks, as data.
//!
//! An [`AccessPolicy`] is what an upstream service (through `aps-jwt`) must check so that it
//! accepts exactly the tokens the gateway accepts. It is usually derived from an Authorization
//! Profile and one of its environments, but can be built directly.

mod authorize;
mod builder;
mod client_role;
mod error;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub(crate) use crate::issuer_url::check_issuer_url;
pub use authorize::Denial;
pub use builder::AccessPolicyBuilder;
pub use client_role::{ClaimToVerify, ClientRole};
pub use error::PolicyError;

/// The signing algorithms a policy may allow: asymmetric only (a token signed with a shared
/// secret, or unsigned, is never acceptable from an IdP).
pub const SUPPORTED_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// The largest `maximum_expiration` the plugin accepts, in seconds (one year).
pub const MAX_MAXIMUM_EXPIRATION_SECS: u64 = 31_536_000;

/// What a bearer token must satisfy, mirroring the `jwt-keycloak` gateway plugin.
///
/// # Semantics
/// - `iss` must equal one of [`issuers`](Self::issuers) **exactly** (the plugin also accepts
///   unanchored Lua patterns; we do not, because `https://evil.example/https://idp/realms/x`
///   would match one).
/// - If an [`audience`](Self::audience) is set, `aud` (a string or an array) must contain it.
/// - The header `alg` must be one of [`algorithms`](Self::algorithms) (default `RS256`).
/// - The four grant lists are checked in the plugin's order — [`scopes`](Self::scopes),
///   [`realm_roles`](Self::realm_roles), [`roles`](Self::roles),
///   [`client_roles`](Self::client_roles) — with **any-of within each list, AND across
///   lists**; an empty list always passes. See [`AccessPolicy::authorize`].
/// - [`claims_to_verify`](Self::claims_to_verify) names the time claims that must be present
///   and valid (default `exp`); [`maximum_expiration`](Self::maximum_expiration) bounds how far
///   in the future `exp` may be.
///
/// # Examples
/// ```
/// use aps_core::AccessPolicy;
///
/// let policy = AccessPolicy::builder()
///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
///     .audience("ap-my-api")
///     .scope("Function1/read")
///     .client_role("ap-my-api:read")
///     .build()?;
/// assert!(policy.allows_issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw"));
/// assert_eq!(policy.algorithms(), ["RS256"]);
/// # Ok::<(), aps_core::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "builder::PolicyRepr", into = "builder::PolicyRepr")]
#[non_exhaustive]
pub struct AccessPolicy {
    pub(crate) issuers: Vec<String>,
    pub(crate) audience: Option<String>,
    pub(crate) algorithms: Vec<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) realm_roles: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) client_roles: Vec<ClientRole>,
    pub(crate) claims_to_verify: Vec<ClaimToVerify>,
    pub(crate) maximum_expiration: Option<u64>,
}

impl AccessPolicy {
    /// Starts a policy; at least one issuer is required by [`AccessPolicyBuilder::build`].
    pub fn builder() -> AccessPolicyBuilder {
        AccessPolicyBuilder::default()
    }

    /// A builder holding this policy's values, to tighten or change it.
    pub fn to_builder(&self) -> AccessPolicyBuilder {
        AccessPolicyBuilder::from_policy(self.clone())
    }

    /// A policy that only checks the issuer (plus the defaults: `RS256`, `exp`).
    ///
    /// # Errors
    /// [`PolicyError::InvalidIssuer`] if `issuer` is not an absolute `https` URL (or `http`
    /// on a loopback host) without query, fragment or trailing slash.
    pub fn new(issuer: impl Into<String>) -> Result<Self, PolicyError> {
        Self::builder().issuer(issuer).build()
    }

    /// The allowed issuers, compared exactly with the token's `iss`. Never empty.
    pub fn issuers(&self) -> &[String] {
        &self.issuers
    }

    /// The audience the token's `aud` must contain, if any (the plugin's `allowed_aud`).
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The allowed header `alg` values, each one of [`SUPPORTED_ALGORITHMS`]. Never empty.
    pub fn algorithms(&self) -> &[String] {
        &self.algorithms
    }

    /// Scopes (any-of) the space-separated `scope` claim must contain one of.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Realm roles (any-of), looked up in `realm_access.roles`.
    pub fn realm_roles(&self) -> &[String] {
        &self.realm_roles
    }

    /// Client roles (any-of) of the token's own client: `resource_access[azp].roles`.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// Roles (any-of) of named clients: `resource_access[client].roles`.
    pub fn client_roles(&self) -> &[ClientRole] {
        &self.client_roles
    }

    /// The time claims that must be present and valid. Defaults to `exp` only.
    pub fn claims_to_verify(&self) -> &[ClaimToVerify] {
        &self.claims_to_verify
    }

    /// Whether `claim` must be present and checked.
    pub fn verifies(&self, claim: ClaimToVerify) -> bool {
        self.claims_to_verify.contains(&claim)
    }

    /// How far in the future `exp` may lie at validation time, if bounded.
    pub fn maximum_expiration(&self) -> Option<Duration> {
        self.maximum_expiration.map(Duration::from_secs)
    }

    /// Whether `iss` is one of the allowed issuers (exact, case-sensitive comparison).
    pub fn allows_issuer(&self, iss: &str) -> bool {
        self.issuers.iter().any(|allowed| allowed == iss)
    }

    /// Whether the header `alg` is allowed.
    pub fn allows_algorithm(&self, alg: &str) -> bool {
        self.algorithms.iter().any(|allowed| allowed == alg)
    }

    /// Whether the `aud` claim (absent, a string or an array of strings) satisfies the
    /// policy. Without a configured audience every value passes.
    ///
    /// ```
    /// use serde_json::json;
    ///
    /// let policy = aps_core::AccessPolicy::builder()
    ///     .issuer("https://idp.example/realms/apigw")
    ///     .audience("ap-my-api")
    ///     .build()?;
    /// assert!(policy.allows_audience(Some(&json!(["account", "ap-my-api"]))));
    /// assert!(!policy.allows_audience(Some(&json!("account"))));
    /// assert!(!policy.allows_audience(None));
    /// # Ok::<(), aps_core::PolicyError>(())
    /// ```
    pub fn allows_audience(&self, aud: Option<&serde_json::Value>) -> bool {
        let Some(expected) = self.audience.as_deref() else {
            return true;
        };
        match aud {
            Some(serde_json::Value::String(one)) => one == expected,
            Some(serde_json::Value::Array(many)) => {
                many.iter().any(|v| v.as_str() == Some(expected))
            }
            _ => false,
        }
    }

    /// Whether `exp` lies further than [`maximum_expiration`](Self::maximum_expiration)
    /// after `now` (both in seconds since the Unix epoch). `false` when unbounded.
    ///
    /// ```
    /// let policy = aps_core::AccessPolicy::builder()
    ///     .issuer("https://idp.example/realms/apigw")
    ///     .maximum_expiration_secs(300)
    ///     .build()?;
    /// let now = 1_700_000_000;
    /// assert!(!policy.exceeds_maximum_expiration(now + 300, now));
    /// assert!(policy.exceeds_maximum_expiration(now + 301, now));
    /// # Ok::<(), aps_core::PolicyError>(())
    /// ```
    pub fn exceeds_maximum_expiration(&self, exp: i64, now: i64) -> bool {
        match self.maximum_expiration {
            Some(max) => i128::from(exp) - i128::from(now) > i128::from(max),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests;
