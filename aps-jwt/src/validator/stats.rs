//! Counters and log events: how many tokens were refused and why, without ever logging a token.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::token::Parsed;
use crate::validation_error::ValidationError;

/// Every refusal reason, in the order [`Refusals`] counts them: the values of
/// [`ValidationError::reason`].
const REASONS: [&str; 22] = [
    "missing",
    "invalid_request",
    "too_large",
    "malformed",
    "invalid_claims",
    "algorithm_not_allowed",
    "critical_header",
    "issuer_not_allowed",
    "unknown_key",
    "bad_signature",
    "missing_expiry",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "lifetime_too_long",
    "missing_claim",
    "audience",
    "authorized_party",
    "token_type",
    "rejected",
    "forbidden",
    "keys_unavailable",
];

/// Counters, for monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// JWKS fetches started (all issuers).
    pub jwks_fetches: u64,
    /// Verified-token cache hits.
    pub cache_hits: u64,
    /// Verified-token cache misses.
    pub cache_misses: u64,
    /// Refused tokens, by reason.
    pub refused: Refusals,
}

/// How many tokens were refused, by reason ([`ValidationError::reason`]).
///
/// # Examples
/// ```
/// # async fn run(validator: aps_jwt::Validator) {
/// let refused = validator.stats().refused;
/// println!("{} refused, {} expired", refused.total(), refused.get("expired"));
/// for (reason, count) in refused.iter() {
///     println!("aps_jwt_refused_total{{reason=\"{reason}\"}} {count}");
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refusals {
    counts: [u64; REASONS.len()],
}

impl Refusals {
    /// The count for `reason` (0 for a reason that does not exist).
    #[must_use]
    pub fn get(&self, reason: &str) -> u64 {
        REASONS
            .iter()
            .position(|r| *r == reason)
            .map_or(0, |i| self.counts[i])
    }

    /// All refusals.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Each reason with its count, zeros included (stable order, for metrics).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        REASONS.iter().copied().zip(self.counts.iter().copied())
    }
}

/// The live counters of one validator.
#[derive(Debug, Default)]
pub(crate) struct RefusalCounters {
    counts: [AtomicU64; REASONS.len()],
}

impl RefusalCounters {
    pub(crate) fn snapshot(&self) -> Refusals {
        Refusals {
            counts: std::array::from_fn(|i| self.counts[i].load(Ordering::Relaxed)),
        }
    }

    /// Counts a refusal and logs it (target `aps_jwt`): the reason, and the issuer, `kid` and
    /// client the token names (unverified when the signature is what failed), quoted so that
    /// they cannot forge log lines; never the token or its signature.
    pub(crate) fn record(&self, err: &ValidationError, token: Option<&Parsed<'_>>) {
        let reason = err.reason();
        if let Some(i) = REASONS.iter().position(|r| *r == reason) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        let issuer = token.and_then(|p| p.claims.iss());
        let kid = token.and_then(|p| p.header.kid.as_deref());
        let client = token.and_then(|p| {
            let c = &p.claims;
            c.azp().or(c.client_id()).or(c.client_id_camel())
        });
        if err.is_unavailable() {
            tracing::warn!(
                target: "aps_jwt", reason, status = err.status(), issuer = ?issuer, kid = ?kid,
                client_id = ?client, error = %err, "token refused"
            );
        } else {
            tracing::info!(
                target: "aps_jwt", reason, status = err.status(), issuer = ?issuer, kid = ?kid,
                client_id = ?client, error = %err, "token refused"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_counter() {
        use aps_core::Denial;
        let all = [
            ValidationError::Missing,
            ValidationError::InvalidRequest("x"),
            ValidationError::TooLarge { max: 1 },
            ValidationError::Malformed("x"),
            ValidationError::InvalidClaims,
            ValidationError::AlgorithmNotAllowed,
            ValidationError::CriticalHeader,
            ValidationError::IssuerNotAllowed,
            ValidationError::UnknownKey,
            ValidationError::BadSignature,
            ValidationError::MissingExpiry,
            ValidationError::Expired,
            ValidationError::NotYetValid,
            ValidationError::IssuedInFuture,
            ValidationError::LifetimeTooLong,
            ValidationError::MissingClaim("x"),
            ValidationError::Audience,
            ValidationError::AuthorizedParty,
            ValidationError::TokenType,
            ValidationError::Rejected("x"),
            ValidationError::Forbidden(Denial::MissingScope {
                required: vec![],
                all_of: false,
            }),
            ValidationError::KeysUnavailable,
        ];
        let counters = RefusalCounters::default();
        for err in &all {
            counters.record(err, None);
        }
        let refused = counters.snapshot();
        assert_eq!(refused.total(), REASONS.len() as u64);
        assert!(refused.iter().all(|(_, n)| n == 1));
        assert_eq!(refused.get("expired"), 1);
        assert_eq!(refused.get("no such reason"), 0);
    }
}
