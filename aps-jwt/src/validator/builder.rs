//! The validator's builder: infallible setters, one `build()` that checks everything.

use std::sync::Arc;
use std::time::Duration;

use aps_core::{AccessPolicy, ClaimToVerify, ClientRole};
use url::Url;

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::jwk::Jwks;
use crate::keyset::KeySet;
use crate::validator::cache::{CacheLimits, TokenCache};
use crate::validator::checks::{ClaimChecks, Grants, TokenType, leeway_secs};
use crate::validator::http::{Http, secure_or_loopback};
use crate::validator::source::{Endpoint, IssuerKeys, RemoteSettings};
use crate::validator::{Inner, Validator};
use crate::verifying_key::VerifyingKey;

enum KeySource {
    Discovery,
    JwksUri(String),
    Static(KeySet),
}

/// Builder for [`Validator`]. Every setter documents its default; `build()` reports the first
/// problem.
#[must_use]
pub struct ValidatorBuilder {
    issuers: Vec<(String, KeySource)>,
    algorithms: Vec<Algorithm>,
    max_token_size: usize,
    checks: ClaimChecks,
    grants: Grants,
    cache: Option<CacheLimits>,
    remote: RemoteSettings,
    jwks_max_bytes: usize,
    clock: Arc<dyn Clock>,
    error: Option<String>,
}

impl Default for ValidatorBuilder {
    fn default() -> Self {
        ValidatorBuilder {
            issuers: Vec::new(),
            algorithms: Vec::new(),
            max_token_size: 16 * 1024,
            checks: ClaimChecks::default(),
            grants: Grants::default(),
            cache: Some(CacheLimits::default()),
            remote: RemoteSettings::default(),
            jwks_max_bytes: 256 * 1024,
            clock: Arc::new(SystemClock),
            error: None,
        }
    }
}

impl std::fmt::Debug for ValidatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidatorBuilder")
            .field(
                "issuers",
                &self.issuers.iter().map(|(i, _)| i).collect::<Vec<_>>(),
            )
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

impl ValidatorBuilder {
    fn fail(&mut self, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(message.into());
        }
    }

    /// Allows tokens from `issuer` (compared exactly with `iss`), with keys found through OIDC
    /// discovery (`{issuer}/.well-known/openid-configuration`, then `jwks_uri`). The issuer
    /// must be HTTPS, or HTTP to a loopback host.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push((issuer.into(), KeySource::Discovery));
        self
    }

    /// Allows tokens from `issuer`, with keys from the given JWKS URL (no discovery).
    pub fn issuer_with_jwks_uri(
        mut self,
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        self.issuers
            .push((issuer.into(), KeySource::JwksUri(jwks_uri.into())));
        self
    }

    /// Allows tokens from `issuer`, with a fixed key set (never fetched). Unusable keys in the
    /// set are skipped.
    pub fn issuer_with_jwks(mut self, issuer: impl Into<String>, jwks: &Jwks) -> Self {
        self.issuers
            .push((issuer.into(), KeySource::Static(KeySet::from_jwks(jwks))));
        self
    }

    /// Allows tokens from `issuer`, with fixed keys (from PEM, certificates ...).
    pub fn issuer_with_keys(
        mut self,
        issuer: impl Into<String>,
        keys: impl IntoIterator<Item = VerifyingKey>,
    ) -> Self {
        self.issuers
            .push((issuer.into(), KeySource::Static(KeySet::from_keys(keys))));
        self
    }

    /// Allows an algorithm. Defaults to `RS256` alone (Keycloak's default, and the gateway
    /// plugin's) when none is set.
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        if !self.algorithms.contains(&alg) {
            self.algorithms.push(alg);
        }
        self
    }

    /// Allows these algorithms (added to any set before).
    pub fn algorithms(self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        algs.into_iter().fold(self, Self::algorithm)
    }

    /// Accepts tokens whose `aud` contains `audience` (several calls: any of them). Defaults
    /// to not checking `aud`, as the gateway plugin does unless `allowed_aud` is set.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.checks.audiences.push(audience.into());
        self
    }

    /// Accepts only tokens issued to `client` (several calls: any of them): their `azp`, or
    /// for a token without `azp` its `client_id` (RFC 9068). Defaults to any client.
    pub fn authorized_party(mut self, client: impl Into<String>) -> Self {
        self.checks.authorized_parties.push(client.into());
        self
    }

    /// Requires the scope `scope` in the `scope` claim (several: any of them, or all with
    /// [`require_all_grants`](Self::require_all_grants)).
    /// A scope is one non-empty word: `build()` refuses an empty scope or one with whitespace.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if scope.is_empty() || scope.contains(char::is_whitespace) {
            self.fail(format!(
                "scope {scope:?} must be one non-empty word without whitespace"
            ));
        } else {
            self.grants.scopes.push(scope);
        }
        self
    }

    fn checked_role(&mut self, role: String) -> Option<String> {
        if role.trim().is_empty() {
            self.fail(format!("role {role:?} must not be empty"));
            return None;
        }
        Some(role)
    }

    /// Requires the realm role `role` in `realm_access.roles`. `build()` refuses an empty one.
    pub fn realm_role(mut self, role: impl Into<String>) -> Self {
        if let Some(role) = self.checked_role(role.into()) {
            self.grants.realm_roles.push(role);
        }
        self
    }

    /// Requires the role `role` of the token's own client (`resource_access[azp].roles`, or
    /// `resource_access[client_id].roles` for a token without `azp`). `build()` refuses an
    /// empty one.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        if let Some(role) = self.checked_role(role.into()) {
            self.grants.roles.push(role);
        }
        self
    }

    /// Requires the role `role` of client `client` (`resource_access[client].roles`).
    pub fn client_role(mut self, client: impl Into<String>, role: impl Into<String>) -> Self {
        match ClientRole::new(client, role) {
            Ok(pair) => self.grants.client_roles.push(pair),
            Err(err) => self.fail(format!("client role: {err}")),
        }
        self
    }

    /// Requires every listed grant of each kind instead of any one. Defaults to `false`
    /// (any-of within each list, as the gateway plugin does; lists are always AND-ed).
    pub fn require_all_grants(mut self, all: bool) -> Self {
        self.grants.require_all = all;
        self
    }

    /// Clock-skew allowance for `exp`, `nbf` and `iat`. Defaults to
    /// [`DEFAULT_LEEWAY`](crate::DEFAULT_LEEWAY) (30 s, as for the
    /// [`AssertionVerifier`](crate::AssertionVerifier)); at most 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        match leeway_secs(leeway) {
            Some(secs) => self.checks.leeway = secs,
            None => self.fail("leeway must be at most 5 minutes"),
        }
        self
    }

    /// Refuses tokens whose `exp` is further than `max` from now (the plugin's
    /// `maximum_expiration`). Defaults to no bound.
    pub fn maximum_expiration(mut self, max: Duration) -> Self {
        self.checks.maximum_expiration = Some(i64::try_from(max.as_secs()).unwrap_or(i64::MAX));
        self
    }

    /// Requires `iat`. Defaults to `true`.
    pub fn require_iat(mut self, required: bool) -> Self {
        self.checks.require_iat = required;
        self
    }

    /// Requires `nbf`. Defaults to `false` (checked when present).
    pub fn require_nbf(mut self, required: bool) -> Self {
        self.checks.require_nbf = required;
        self
    }

    /// Requires `jti`. Defaults to `false`.
    pub fn require_jti(mut self, required: bool) -> Self {
        self.checks.require_jti = required;
        self
    }

    /// Which token types are accepted. Defaults to [`TokenType::Access`].
    pub fn token_type(mut self, token_type: TokenType) -> Self {
        self.checks.token_type = token_type;
        self
    }

    /// The largest token accepted, checked before any decoding. Defaults to 16 KiB.
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Turns the verified-token cache on or off. Defaults to on (10,000 entries, 32 MiB).
    pub fn cache(mut self, enabled: bool) -> Self {
        self.cache = enabled.then(|| self.cache.unwrap_or_default());
        self
    }

    /// Bounds the verified-token cache. Defaults to 10,000 entries and 32 MiB.
    pub fn cache_limits(mut self, max_entries: usize, max_bytes: usize) -> Self {
        self.cache = Some(CacheLimits {
            max_entries,
            max_bytes,
        });
        self
    }

    /// Minimum time between two JWKS fetches of one issuer (unknown `kid`s within it are
    /// refused without a fetch). Defaults to 10 s; at least 1 s, so that tokens with made-up
    /// `kid`s can never make the validator fetch once per token.
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Self {
        self.remote.cooldown = cooldown;
        self
    }

    /// Age after which remote keys are refreshed in the background. Defaults to 5 minutes.
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.remote.max_age = max_age;
        self
    }

    /// How long after `max_age` known keys stay usable while the JWKS endpoint fails.
    /// Defaults to 1 hour; after that, validation answers 503.
    pub fn jwks_stale_if_error(mut self, window: Duration) -> Self {
        self.remote.stale_if_error = window;
        self
    }

    /// The longest one key fetch (discovery and JWKS together) may take; callers that need
    /// the keys wait for it at most this long. Defaults to 5 s; between 1 ms and 5 minutes.
    pub fn jwks_timeout(mut self, timeout: Duration) -> Self {
        self.remote.timeout = timeout;
        self
    }

    /// Largest discovery or JWKS response accepted. Defaults to 256 KiB.
    pub fn jwks_max_bytes(mut self, bytes: usize) -> Self {
        self.jwks_max_bytes = bytes;
        self
    }

    /// The clock. Defaults to the system clock; tests pin a [`ManualClock`](crate::ManualClock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Applies an aps-core [`AccessPolicy`] (what the gateway plugin is configured with):
    /// issuers, audience, algorithms, scopes and roles, `nbf` when `claims_to_verify` lists
    /// it, and `maximum_expiration`. The policy's issuers get their keys through discovery,
    /// unless a key source was already set for them on this builder.
    pub fn policy(mut self, policy: &AccessPolicy) -> Self {
        for issuer in policy.issuers() {
            if !self.issuers.iter().any(|(known, _)| known == issuer) {
                self = self.issuer(issuer.clone());
            }
        }
        if let Some(aud) = policy.audience() {
            self = self.audience(aud);
        }
        for alg in policy.algorithms() {
            match alg.parse::<Algorithm>() {
                Ok(alg) => self = self.algorithm(alg),
                Err(_) => self.fail(format!("algorithm {alg} is not supported by aps-jwt")),
            }
        }
        self = policy.scopes().iter().cloned().fold(self, Self::scope);
        self = policy
            .realm_roles()
            .iter()
            .cloned()
            .fold(self, Self::realm_role);
        self = policy.roles().iter().cloned().fold(self, Self::role);
        self.grants
            .client_roles
            .extend(policy.client_roles().iter().cloned());
        if policy.verifies(ClaimToVerify::Nbf) {
            self.checks.require_nbf = true;
        }
        if let Some(max) = policy.maximum_expiration() {
            self = self.maximum_expiration(max);
        }
        self
    }

    /// Checks the settings and builds the validator.
    ///
    /// # Errors
    /// [`Error::Config`] when no issuer is set, an issuer or JWKS URL is not HTTPS (or
    /// loopback HTTP), an issuer is listed twice, a fixed key set has no key for the allowed
    /// algorithms (the message names the algorithms its keys are for), the JWKS cooldown is
    /// under 1 s, the JWKS timeout is not within 1 ms..5 minutes, or a setter was given an
    /// invalid value.
    pub fn build(self) -> Result<Validator> {
        if let Some(err) = self.error {
            return Err(Error::Config(err));
        }
        if self.issuers.is_empty() {
            return Err(Error::Config("validator: no issuer allowed".into()));
        }
        if self.remote.cooldown < Duration::from_secs(1) {
            return Err(Error::Config(
                "validator: the JWKS cooldown must be at least 1 second".into(),
            ));
        }
        if self.remote.timeout.is_zero() || self.remote.timeout > Duration::from_secs(300) {
            return Err(Error::Config(
                "validator: the JWKS timeout must be between 1 ms and 5 minutes".into(),
            ));
        }
        let algorithms = if self.algorithms.is_empty() {
            vec![Algorithm::RS256]
        } else {
            self.algorithms
        };
        let http = Http::new(self.remote.timeout, self.jwks_max_bytes).map_err(Error::Config)?;
        let mut issuers: Vec<Arc<IssuerKeys>> = Vec::new();
        for (issuer, source) in self.issuers {
            if issuers.iter().any(|i| i.issuer == issuer) {
                return Err(Error::Config(format!("issuer {issuer} is listed twice")));
            }
            let secure = |url: &str| Url::parse(url).is_ok_and(|u| secure_or_loopback(&u));
            if !secure(&issuer) {
                return Err(Error::Config(format!(
                    "issuer {issuer} must be an https URL (or http on a loopback host)"
                )));
            }
            let keys = match source {
                KeySource::Static(keys) => {
                    check_static_keys(&issuer, &keys, &algorithms)?;
                    IssuerKeys::fixed(issuer, keys)
                }
                KeySource::Discovery => IssuerKeys::remote(
                    issuer,
                    Endpoint::Discovery,
                    http.clone(),
                    self.remote,
                    algorithms.clone(),
                ),
                KeySource::JwksUri(uri) => {
                    let url = Url::parse(&uri)
                        .ok()
                        .filter(secure_or_loopback)
                        .ok_or_else(|| {
                            Error::Config(format!(
                                "JWKS URL {uri} must be an https URL (or http on a loopback host)"
                            ))
                        })?;
                    IssuerKeys::remote(
                        issuer,
                        Endpoint::JwksUri(url),
                        http.clone(),
                        self.remote,
                        algorithms.clone(),
                    )
                }
            };
            issuers.push(Arc::new(keys));
        }
        Ok(Validator {
            inner: Arc::new(Inner {
                issuers,
                algorithms,
                max_token_size: self.max_token_size,
                checks: self.checks,
                grants: self.grants,
                cache: self.cache.map(TokenCache::new),
                clock: self.clock,
                refused: Default::default(),
            }),
        })
    }
}

/// A fixed key set must be able to verify something, or every token would be refused.
fn check_static_keys(issuer: &str, keys: &KeySet, algorithms: &[Algorithm]) -> Result<()> {
    if keys.usable_for(algorithms) {
        return Ok(());
    }
    let names = |algs: &[Algorithm]| {
        algs.iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let have = keys.algorithms();
    Err(Error::Config(if have.is_empty() {
        format!(
            "issuer {issuer}: the key set has no usable key ({} skipped)",
            keys.skipped.len()
        )
    } else {
        format!(
            "issuer {issuer}: no key can verify the allowed algorithms ({}); the keys are for {}: \
             allow one with .algorithm(Algorithm::{})",
            names(algorithms),
            names(&have),
            have[0].as_str()
        )
    }))
}

impl From<&AccessPolicy> for ValidatorBuilder {
    fn from(policy: &AccessPolicy) -> Self {
        Validator::builder().policy(policy)
    }
}
