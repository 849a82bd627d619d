//! Verifying client assertions the way Keycloak does (for a development IdP, or any
//! authorization server): `iss` = `sub` = the client, an accepted audience, an asymmetric
//! signature by one of the client's keys, single-use `jti`, bounded lifetime and skew.

use std::sync::Arc;
use std::time::Duration;

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock, unix_secs};
use crate::error::{Error, Result};
use crate::jwk::Jwks;
use crate::replay::{MemoryReplayStore, ReplayError, ReplayStore};
use crate::token;
use crate::validation_error::ValidationError;
use crate::validator::checks::{leeway_secs, unexpired};
use crate::verifying_key::VerifyingKey;

/// Verifies `private_key_jwt` client assertions (RFC 7523 section 3, Keycloak's
/// `JWTClientValidator` rules). Built once; remembers the `jti`s it accepted.
///
/// # Examples
/// ```
/// use std::time::SystemTime;
/// use aps_jwt::{AssertionVerifier, ClientAssertion, SigningKey};
///
/// let key = SigningKey::generate_p256()?;
/// let issuer = "https://idp.example/realms/apigw";
/// let signed = ClientAssertion::builder("app-1", issuer).build()?.sign(&key, SystemTime::now())?;
/// let verifier = AssertionVerifier::builder().audience(issuer).build()?;
/// let client = aps_jwt::unverified_client_id(signed.expose_secret()).unwrap();
/// verifier.verify(signed.expose_secret(), &client, &[key.verifying_key()?]).unwrap();
/// // The same assertion twice: refused.
/// assert!(verifier.verify(signed.expose_secret(), &client, &[key.verifying_key()?]).is_err());
/// # Ok::<(), aps_jwt::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AssertionVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    audiences: Vec<String>,
    leeway: i64,
    max_lifetime: i64,
    spent: Arc<dyn ReplayStore>,
    clock: Arc<dyn Clock>,
}

/// Builder for [`AssertionVerifier`].
#[derive(Debug)]
#[must_use]
pub struct AssertionVerifierBuilder {
    audiences: Vec<String>,
    leeway: Duration,
    max_lifetime: Duration,
    max_entries: usize,
    store: Option<Arc<dyn ReplayStore>>,
    clock: Arc<dyn Clock>,
}

/// The result of a verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedAssertion {
    /// The authenticated client.
    pub client_id: String,
    /// The assertion's `jti` (now spent).
    pub jwt_id: String,
    /// The algorithm it was signed with.
    pub algorithm: Algorithm,
}

/// The client an assertion claims to be (`sub`, else `iss`), **before** any verification: only
/// to look up that client's keys, then call [`AssertionVerifier::verify`].
#[must_use]
pub fn unverified_client_id(assertion: &str) -> Option<String> {
    let parsed = token::parse(assertion, 16 * 1024).ok()?;
    parsed
        .claims
        .sub()
        .or(parsed.claims.iss())
        .map(str::to_owned)
}

impl AssertionVerifier {
    /// Starts a builder.
    pub fn builder() -> AssertionVerifierBuilder {
        AssertionVerifierBuilder {
            audiences: Vec::new(),
            leeway: crate::DEFAULT_LEEWAY,
            max_lifetime: Duration::from_secs(600),
            max_entries: 100_000,
            store: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Verifies `assertion` as coming from `client_id`, signed by one of `keys` (the keys the
    /// client registered). The `jti` is spent on success.
    ///
    /// # Errors
    /// A [`ValidationError`] saying which rule failed (an authorization server answers
    /// `400 invalid_client` whatever it is).
    pub fn verify(
        &self,
        assertion: &str,
        client_id: &str,
        keys: &[VerifyingKey],
    ) -> Result<VerifiedAssertion, ValidationError> {
        let inner = &*self.inner;
        let parsed = token::parse(assertion, 16 * 1024)?;
        if !is_assertion_type(parsed.header.typ.as_deref()) {
            return Err(ValidationError::TokenType);
        }
        let alg = parsed
            .header
            .alg
            .ok_or(ValidationError::AlgorithmNotAllowed)?;
        let kid = parsed.header.kid.as_deref();
        let candidates: Vec<&VerifyingKey> = keys
            .iter()
            .filter(|k| kid.is_none() || k.kid().is_none() || k.kid() == kid)
            .filter(|k| k.supports(alg))
            .collect();
        if candidates.is_empty() {
            return Err(ValidationError::UnknownKey);
        }
        let message = parsed.signing_input.as_bytes();
        if !candidates
            .iter()
            .any(|k| k.verify(alg, message, &parsed.signature).is_ok())
        {
            return Err(ValidationError::BadSignature);
        }
        let claims = &parsed.claims;
        if claims.iss() != Some(client_id) || claims.sub() != Some(client_id) {
            return Err(ValidationError::IssuerNotAllowed);
        }
        let mut aud = claims.aud();
        if aud.len() != 1
            || !aud
                .next()
                .is_some_and(|a| inner.audiences.iter().any(|want| want == a))
        {
            return Err(ValidationError::Audience);
        }
        let now = unix_secs(inner.clock.now());
        let exp = claims.exp.ok_or(ValidationError::MissingExpiry)?;
        if !unexpired(exp, now, inner.leeway) {
            return Err(ValidationError::Expired);
        }
        if exp.saturating_sub(now) > inner.max_lifetime {
            return Err(ValidationError::LifetimeTooLong);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(inner.leeway))
        {
            return Err(ValidationError::NotYetValid);
        }
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(inner.leeway))
        {
            return Err(ValidationError::IssuedInFuture);
        }
        let jti = claims
            .jti()
            .map(str::to_owned)
            .ok_or(ValidationError::MissingClaim("jti"))?;
        // Partitioned by client: one client cannot fill another's window.
        match inner
            .spent
            .spend(client_id, &jti, exp.saturating_add(inner.leeway), now)
        {
            Ok(()) => {}
            Err(ReplayError::Full) => return Err(ValidationError::Rejected("replay window full")),
            Err(_) => return Err(ValidationError::Rejected("token reuse detected")),
        }
        Ok(VerifiedAssertion {
            client_id: client_id.to_owned(),
            jwt_id: jti,
            algorithm: alg,
        })
    }
}

/// RFC 8725 sections 3.11 and 3.12: a JWT whose header `typ` says it is another kind (an access
/// token `at+jwt`, a logout token ...) is not a client assertion, even if its claims would fit.
/// No `typ`, `JWT`, or the client authentication type are accepted (case-insensitively, with or
/// without `application/`).
fn is_assertion_type(typ: Option<&str>) -> bool {
    let Some(typ) = typ else { return true };
    let typ = typ.to_ascii_lowercase();
    let typ = typ.strip_prefix("application/").unwrap_or(&typ);
    matches!(typ, "jwt" | "client-authentication+jwt")
}

impl AssertionVerifier {
    /// As [`verify`](Self::verify), with the client's keys as a JWK Set (what a client
    /// registers, or publishes at its JWKS URL). Keys that cannot verify (weak, `use: enc` ...)
    /// are skipped.
    ///
    /// # Errors
    /// As [`verify`](Self::verify); [`ValidationError::UnknownKey`] when no key of the set is
    /// usable.
    pub fn verify_jwks(
        &self,
        assertion: &str,
        client_id: &str,
        jwks: &Jwks,
    ) -> Result<VerifiedAssertion, ValidationError> {
        let keys: Vec<VerifyingKey> = jwks
            .keys
            .iter()
            .filter_map(|jwk| VerifyingKey::from_jwk(jwk).ok())
            .collect();
        self.verify(assertion, client_id, &keys)
    }
}

impl AssertionVerifierBuilder {
    /// Accepts assertions addressed to `audience` (the realm issuer URL, the token endpoint
    /// ...; several calls: any of them). At least one is required.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Clock-skew allowance. Defaults to [`DEFAULT_LEEWAY`](crate::DEFAULT_LEEWAY) (30 s, as
    /// for the [`Validator`](crate::Validator)); at most 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The furthest `exp` may lie in the future. Defaults to 10 minutes.
    pub fn max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = max;
        self
    }

    /// How many live spent `jti`s are remembered per client (each until its `exp` plus the
    /// leeway) by the default in-memory store. Defaults to 100,000; at the bound, that
    /// client's new assertions are refused ("replay window full") until some expire, and
    /// other clients are not affected.
    pub fn max_replay_entries(mut self, entries: usize) -> Self {
        self.max_entries = entries;
        self
    }

    /// Where spent `jti`s are remembered (for example a store shared by the replicas of an
    /// authorization server). Defaults to a [`MemoryReplayStore`] of
    /// [`max_replay_entries`](Self::max_replay_entries) per client.
    pub fn replay_store(mut self, store: impl ReplayStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The clock. Defaults to the system clock.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    /// [`Error::Config`] without an audience, or with a leeway over 5 minutes.
    pub fn build(self) -> Result<AssertionVerifier> {
        if self.audiences.is_empty() {
            return Err(Error::Config("assertion verifier: no audience".into()));
        }
        let leeway = leeway_secs(self.leeway).ok_or_else(|| {
            Error::Config("assertion verifier: leeway must be at most 5 minutes".into())
        })?;
        Ok(AssertionVerifier {
            inner: Arc::new(Inner {
                audiences: self.audiences,
                leeway,
                max_lifetime: i64::try_from(self.max_lifetime.as_secs()).unwrap_or(i64::MAX),
                spent: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryReplayStore::new(self.max_entries))),
                clock: self.clock,
            }),
        })
    }
}
