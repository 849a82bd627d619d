//! A token that passed validation, with typed access to its claims.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;

use crate::alg::Algorithm;
use crate::claims::{ClaimList, Claims};

/// A validated token: the signature verified with a key of an allowed issuer, every check
/// passed. Cheap to clone (shared).
///
/// `Debug` shows the issuer, subject, client and expiry; never the raw token.
///
/// # Examples
/// A validator with a fixed key and a pinned clock, as in a service's own tests:
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use aps_jwt::{Algorithm, ManualClock, SigningKey, Validator};
///
/// let issuer = "https://idp.example/realms/apigw";
/// let key = SigningKey::generate_p256()?;
/// let now = 1_800_000_000;
/// let token = key.sign_jwt("JWT", &serde_json::json!({
///     "iss": issuer, "typ": "Bearer", "iat": now, "exp": now + 300, "azp": "app-1",
///     "scope": "profile Function1/read", "realm_access": {"roles": ["reader"]},
///     "resource_access": {"app-1": {"roles": ["read"]}},
/// }))?;
/// let validator = Validator::builder()
///     .issuer_with_jwks(issuer, &key.public_jwks())
///     .algorithm(Algorithm::ES256)
///     .clock(ManualClock::at_unix(now))
///     .build()?;
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let verified = runtime.block_on(validator.validate(&token))?;
/// assert_eq!(verified.client_id(), Some("app-1"));
/// assert!(verified.has_scope("Function1/read"));
/// assert_eq!(verified.realm_roles(), ["reader"]);
/// assert!(verified.client_roles("app-1").contains("read"));
/// assert_eq!(verified.expires_at(), UNIX_EPOCH + Duration::from_secs(now + 300));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct VerifiedToken {
    inner: Arc<Inner>,
}

struct Inner {
    claims: Claims,
    alg: Algorithm,
    kid: Option<String>,
}

fn time(secs: Option<i64>) -> Option<SystemTime> {
    secs.and_then(|s| u64::try_from(s).ok())
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

impl VerifiedToken {
    pub(crate) fn new(claims: Claims, alg: Algorithm, kid: Option<String>) -> Self {
        VerifiedToken {
            inner: Arc::new(Inner { claims, alg, kid }),
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self::new(
            Claims::parse("{}".to_owned()).expect("an empty claims set"),
            Algorithm::RS256,
            None,
        )
    }

    /// `iss`: one of the configured issuers.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.inner.claims.iss().unwrap_or_default()
    }

    /// `sub`.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.inner.claims.sub()
    }

    /// `aud`, as a list (a single string becomes one element).
    #[must_use]
    pub fn audience(&self) -> ClaimList<'_> {
        self.inner.claims.aud()
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        time(self.inner.claims.exp).unwrap_or(SystemTime::UNIX_EPOCH)
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> Option<SystemTime> {
        time(self.inner.claims.iat)
    }

    /// `nbf`.
    #[must_use]
    pub fn not_before(&self) -> Option<SystemTime> {
        time(self.inner.claims.nbf)
    }

    /// `jti`.
    #[must_use]
    pub fn jwt_id(&self) -> Option<&str> {
        self.inner.claims.jti()
    }

    /// `azp`: the client the token was issued to.
    #[must_use]
    pub fn authorized_party(&self) -> Option<&str> {
        self.inner.claims.azp()
    }

    /// The client id: Keycloak's `client_id` (newer) or `clientId` (older), else `azp`.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        let c = &self.inner.claims;
        c.client_id().or(c.client_id_camel()).or(c.azp())
    }

    /// `preferred_username` (`service-account-<client>` for client-credentials tokens).
    #[must_use]
    pub fn preferred_username(&self) -> Option<&str> {
        self.inner.claims.preferred_username()
    }

    /// The scopes of the space-separated `scope` claim.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.inner
            .claims
            .scope()
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// Whether `scope` lists `name`.
    #[must_use]
    pub fn has_scope(&self, name: &str) -> bool {
        self.scopes().any(|s| s == name)
    }

    /// `realm_access.roles`.
    #[must_use]
    pub fn realm_roles(&self) -> ClaimList<'_> {
        self.inner.claims.realm_roles()
    }

    /// `resource_access.<client>.roles`.
    #[must_use]
    pub fn client_roles(&self, client: &str) -> ClaimList<'_> {
        self.inner.claims.client_roles(client)
    }

    /// The `typ` claim (`Bearer` for Keycloak access tokens).
    #[must_use]
    pub fn token_type(&self) -> Option<&str> {
        self.inner.claims.typ()
    }

    /// The algorithm the signature was verified with.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    /// The `kid` of the key that verified it, if the token named one.
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.inner.kid.as_deref()
    }

    /// The claims set as JSON text, exactly as signed.
    #[must_use]
    pub fn raw_claims(&self) -> &str {
        self.inner.claims.json()
    }

    /// The claims deserialized into your own type (for claims this type has no accessor for).
    ///
    /// # Errors
    /// The serde error if the claims do not fit `T`.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.inner.claims.json())
    }
}

impl fmt::Debug for VerifiedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("iss", &self.issuer())
            .field("sub", &self.subject())
            .field("client_id", &self.client_id())
            .field("exp", &self.inner.claims.exp)
            .finish_non_exhaustive()
    }
}
