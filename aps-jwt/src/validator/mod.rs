//! The bearer-token validator: built once, shared, `validate(token)`.

mod builder;
pub(crate) mod cache;
pub(crate) mod checks;
pub(crate) mod http;
pub(crate) mod source;
mod stats;
pub(crate) mod verified;

use std::sync::Arc;
use std::sync::atomic::Ordering;

pub use builder::ValidatorBuilder;
pub use checks::{DEFAULT_LEEWAY, TokenType};
pub use http::FetchError;
pub use stats::{Refusals, Stats};
pub use verified::VerifiedToken;

use crate::alg::Algorithm;
use crate::clock::{Clock, unix_secs};
use crate::keyset::KeyHandle;
use crate::token::{self, Parsed};
use crate::validation_error::ValidationError;
use cache::TokenCache;
use checks::{ClaimChecks, Grants};
use source::IssuerKeys;
use stats::RefusalCounters;

/// Validates bearer access tokens: signature with the keys of an allowed issuer, then the
/// claims, then the grants.
///
/// Built once with [`Validator::builder`]; cloning is cheap (shared state), so clone it into
/// every task or handler.
///
/// # Examples
/// ```no_run
/// # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use aps_jwt::Validator;
///
/// let validator = Validator::builder()
///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
///     .scope("Function1/read")
///     .build()?;
/// match validator.validate(token).await {
///     Ok(verified) => println!("client {:?}", verified.client_id()),
///     Err(refused) => println!("{} {}", refused.status(), refused),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Validator {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) issuers: Vec<Arc<IssuerKeys>>,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) max_token_size: usize,
    pub(crate) checks: ClaimChecks,
    pub(crate) grants: Grants,
    pub(crate) cache: Option<TokenCache>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) refused: RefusalCounters,
}

impl Validator {
    /// Starts a builder.
    pub fn builder() -> ValidatorBuilder {
        ValidatorBuilder::default()
    }

    /// Validates `token` (the compact JWS, without the `Bearer ` prefix).
    ///
    /// Fetches keys only when needed (first use, an unknown `kid` outside the cooldown); a
    /// token verified before and still valid is answered from the cache. A refusal is counted
    /// in [`Stats::refused`] and logged (`tracing`, target `aps_jwt`, `info`; `warn` for 503)
    /// with its reason, the issuer, `kid` and client the token names, never the token.
    ///
    /// # Errors
    /// A [`ValidationError`] saying why, with its HTTP status.
    pub async fn validate(&self, token: &str) -> Result<VerifiedToken, ValidationError> {
        match self.cached(token.as_bytes()) {
            Some(hit) => Ok(hit),
            None => self.validate_uncached(token).await,
        }
    }

    /// `token` verified before and still valid, from the cache (a hit is counted; a miss is
    /// counted by [`validate_uncached`](Self::validate_uncached)).
    /// Any byte string may be looked up: only tokens that passed validation are ever found.
    pub(crate) fn cached(&self, token: &[u8]) -> Option<VerifiedToken> {
        let inner = &*self.inner;
        let cache = inner.cache.as_ref()?;
        if token.len() > inner.max_token_size {
            return None;
        }
        cache.get(token, unix_secs(inner.clock.now()), inner.checks.leeway)
    }

    /// [`validate`](Self::validate) after [`cached`](Self::cached) found nothing.
    pub(crate) async fn validate_uncached(
        &self,
        token: &str,
    ) -> Result<VerifiedToken, ValidationError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            return Err(self.refuse(
                ValidationError::TooLarge {
                    max: inner.max_token_size,
                },
                None,
            ));
        }
        if let Some(cache) = &inner.cache {
            cache.count_miss();
        }
        let now = unix_secs(inner.clock.now());
        let parsed = match token::parse(token, inner.max_token_size) {
            Ok(parsed) => parsed,
            Err(err) => return Err(self.refuse(err, None)),
        };
        let (alg, handle) = match self.verify(&parsed, now).await {
            Ok(verified) => verified,
            Err(err) => return Err(self.refuse(err, Some(&parsed))),
        };
        let exp = parsed.claims.exp.unwrap_or(i64::MIN);
        let verified = VerifiedToken::new(parsed.claims, alg, parsed.header.kid);
        if let Some(cache) = &inner.cache {
            cache.insert(
                token,
                verified.clone(),
                exp,
                handle,
                now,
                inner.checks.leeway,
            );
        }
        Ok(verified)
    }

    /// Signature, claims and grants of a parsed token: the algorithm and the key that verified
    /// it.
    async fn verify(
        &self,
        parsed: &Parsed<'_>,
        now: i64,
    ) -> Result<(Algorithm, Arc<KeyHandle>), ValidationError> {
        let inner = &*self.inner;
        let alg = parsed
            .header
            .alg
            .ok_or(ValidationError::AlgorithmNotAllowed)?;
        if !inner.algorithms.contains(&alg) {
            return Err(ValidationError::AlgorithmNotAllowed);
        }
        let iss = parsed
            .claims
            .iss()
            .ok_or(ValidationError::IssuerNotAllowed)?;
        let issuer = inner
            .issuers
            .iter()
            .find(|i| i.issuer == iss)
            .ok_or(ValidationError::IssuerNotAllowed)?;
        let kid = parsed.header.kid.as_deref();
        let candidates = issuer.select(kid, alg, inner.clock.monotonic()).await?;
        let message = parsed.signing_input.as_bytes();
        let entry = candidates
            .iter()
            .find(|entry| entry.key.verify(alg, message, &parsed.signature).is_ok())
            .ok_or(ValidationError::BadSignature)?;
        inner.checks.check(&parsed.header, &parsed.claims, now)?;
        inner
            .grants
            .authorize(&parsed.claims)
            .map_err(ValidationError::Forbidden)?;
        Ok((alg, Arc::clone(&entry.handle)))
    }

    /// Counts and logs a refusal (the layer's own refusals too: no token, two methods).
    pub(crate) fn refuse(
        &self,
        err: ValidationError,
        token: Option<&Parsed<'_>>,
    ) -> ValidationError {
        self.inner.refused.record(&err, token);
        if err == ValidationError::IssuerNotAllowed
            && let Some(iss) = token.and_then(|t| t.claims.iss())
        {
            self.hint_issuer(iss);
        }
        err
    }

    /// A token's issuer that differs from a configured one only by a trailing `/` or the
    /// scheme is most likely a configuration slip: say so (once per refusal, cold path).
    fn hint_issuer(&self, iss: &str) {
        for configured in self.issuers() {
            let hint = http::mismatch_hint(configured, iss);
            if !hint.is_empty() {
                tracing::warn!(
                    target: "aps_jwt",
                    configured,
                    token_issuer = ?iss,
                    "token issuer not allowed{hint}"
                );
            }
        }
    }

    /// Fetches the keys of every remote issuer now (for example at startup, so that the first
    /// request does not wait), ignoring the cooldown.
    ///
    /// # Errors
    /// The first issuer whose keys could not be fetched.
    pub async fn refresh_keys(&self) -> Result<(), FetchError> {
        let now = self.inner.clock.monotonic();
        for issuer in &self.inner.issuers {
            issuer.refresh_now(now).await?;
        }
        Ok(())
    }

    /// Spawns a task on the current tokio runtime that refreshes the keys of every remote
    /// issuer every `every` (in addition to the refresh-ahead on use that happens anyway once
    /// keys pass their max age). The task ends when the last clone of the validator is dropped.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) for a zero period (which would refresh in a
    /// busy loop), or outside a tokio runtime.
    pub fn spawn_background_refresh(
        &self,
        every: std::time::Duration,
    ) -> crate::Result<tokio::task::JoinHandle<()>> {
        if every.is_zero() {
            return Err(crate::Error::Config(
                "background refresh: the period must not be zero".into(),
            ));
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            crate::Error::Config("background refresh: not inside a tokio runtime".into())
        })?;
        let weak = Arc::downgrade(&self.inner);
        Ok(runtime.spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let validator = Validator { inner };
                // A failure keeps the known keys (stale-if-error); the next tick tries again.
                let _ = validator.refresh_keys().await;
            }
        }))
    }

    /// The allowed issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.inner.issuers.iter().map(|i| i.issuer.as_str())
    }

    /// Counters since the validator was built.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let (hits, misses) = self.inner.cache.as_ref().map_or((0, 0), |c| {
            (
                c.hits.load(Ordering::Relaxed),
                c.misses.load(Ordering::Relaxed),
            )
        });
        Stats {
            jwks_fetches: self.inner.issuers.iter().map(|i| i.fetches()).sum(),
            cache_hits: hits,
            cache_misses: misses,
            refused: self.inner.refused.snapshot(),
        }
    }

    /// The `kid`s of the usable keys currently loaded for `issuer`, and how many of its JWKS
    /// entries were skipped (weak, `use: enc`, off-curve, unsupported).
    #[must_use]
    pub fn loaded_keys(&self, issuer: &str) -> Option<(Vec<String>, usize)> {
        let issuer = self.inner.issuers.iter().find(|i| i.issuer == issuer)?;
        let keys = issuer.keys();
        Some((keys.kids(), keys.skipped.len()))
    }
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("issuers", &self.issuers().collect::<Vec<_>>())
            .field("algorithms", &self.inner.algorithms)
            .field("cache", &self.inner.cache.is_some())
            .finish_non_exhaustive()
    }
}
