//! The receiving side: [`Verifier`] checks the gateway's JWT and the body it hashed.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock, unix_secs};
use crate::error::{Error, Result};
use crate::jwk::Jwks;
use crate::keyset::KeySet;
use crate::replay::{MemoryReplayStore, ReplayError, ReplayStore};
use crate::token;
use crate::validation_error::ValidationError;
use crate::validator::checks::{leeway_secs, unexpired};
use crate::validator::http::{Http, secure_or_loopback};
use crate::validator::source::{Endpoint, IssuerKeys, RemoteSettings};
use crate::verifying_key::VerifyingKey;

use super::sha256_hex;

/// Verifies the gateway's upstream JWT. Built once, cheap to clone.
///
/// # Examples
/// ```no_run
/// # async fn run(header_value: &str, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// use aps_jwt::upstream::{APS_PROD_JWKS, Verifier};
///
/// let verifier = Verifier::builder("my-service")
///     .jwks_uri(APS_PROD_JWKS)
///     .header("GW-JWT")
///     .build()?;
/// // header_value: the request's `GW-JWT` header (`verifier.header_name()`).
/// let request = verifier.verify(header_value, body).await?;
/// println!("consumer {:?}", request.consumer_name());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    header: String,
    bearer_prefix: bool,
    service: String,
    issuer: Option<String>,
    keys: Arc<IssuerKeys>,
    trust_x5c: bool,
    leeway: i64,
    max_token_size: usize,
    replay: Arc<dyn ReplayStore>,
    clock: Arc<dyn Clock>,
}

/// Builder for [`Verifier`].
#[must_use]
#[derive(Debug)]
pub struct VerifierBuilder {
    service: String,
    header: String,
    bearer_prefix: bool,
    issuer: Option<String>,
    jwks_uri: Option<String>,
    keys: Option<KeySet>,
    trust_x5c: bool,
    leeway: Duration,
    max_replay_entries: usize,
    store: Option<Arc<dyn ReplayStore>>,
    clock: Arc<dyn Clock>,
}

impl Verifier {
    /// Starts a builder for the Kong service named `service` (the expected `aud`).
    pub fn builder(service: impl Into<String>) -> VerifierBuilder {
        VerifierBuilder {
            service: service.into(),
            header: "JWT".into(),
            bearer_prefix: false,
            issuer: None,
            jwks_uri: None,
            keys: None,
            trust_x5c: false,
            leeway: Duration::from_secs(10),
            max_replay_entries: 1_000_000,
            store: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// The header the gateway puts the JWT in.
    #[must_use]
    pub fn header_name(&self) -> &str {
        &self.inner.header
    }

    /// Verifies the header value `value` (as received) for a request whose body is `body`.
    ///
    /// Refuse a request that carries the header more than once before calling this (as
    /// `UpstreamLayer` does): a client can add its own header next to the gateway's.
    ///
    /// # Errors
    /// A [`ValidationError`]: 401 for a missing, forged, expired, replayed token or a body that
    /// does not match `payloadhash`; 503 when the gateway's keys cannot be had.
    pub async fn verify(
        &self,
        value: &str,
        body: &[u8],
    ) -> Result<GatewayRequest, ValidationError> {
        let inner = &*self.inner;
        let token = if inner.bearer_prefix {
            match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token,
                _ => return Err(ValidationError::Missing),
            }
        } else {
            value
        };
        if token.is_empty() {
            return Err(ValidationError::Missing);
        }
        let parsed = token::parse(token, inner.max_token_size)?;
        if parsed.header.alg != Some(Algorithm::RS256) {
            return Err(ValidationError::AlgorithmNotAllowed);
        }
        let now = unix_secs(inner.clock.now());
        let message = parsed.signing_input.as_bytes();
        let verified = match (&parsed.header.kid, &parsed.header.x5c) {
            (None, Some(chain)) if inner.trust_x5c => {
                let der = chain
                    .first()
                    .and_then(|c| decode_x5c(c))
                    .ok_or(ValidationError::Malformed("x5c"))?;
                let key = VerifyingKey::from_certificate_der(&der)
                    .map_err(|_| ValidationError::UnknownKey)?;
                key.verify(Algorithm::RS256, message, &parsed.signature)
                    .is_ok()
            }
            (kid, _) => {
                let candidates = inner
                    .keys
                    .select(kid.as_deref(), Algorithm::RS256, inner.clock.monotonic())
                    .await?;
                candidates.iter().any(|e| {
                    e.key
                        .verify(Algorithm::RS256, message, &parsed.signature)
                        .is_ok()
                })
            }
        };
        if !verified {
            return Err(ValidationError::BadSignature);
        }
        let claims = &parsed.claims;
        let exp = claims.exp.ok_or(ValidationError::MissingExpiry)?;
        if !unexpired(exp, now, inner.leeway) {
            return Err(ValidationError::Expired);
        }
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(inner.leeway))
        {
            return Err(ValidationError::IssuedInFuture);
        }
        if !claims.aud().contains(&inner.service) {
            return Err(ValidationError::Audience);
        }
        if let Some(issuer) = &inner.issuer
            && claims.iss() != Some(issuer.as_str())
        {
            return Err(ValidationError::IssuerNotAllowed);
        }
        let hash = claims
            .payloadhash()
            .ok_or(ValidationError::MissingClaim("payloadhash"))?;
        if !payload_hash_matches(hash, body) {
            return Err(ValidationError::Rejected(
                "payload hash does not match the body",
            ));
        }
        let jti = claims.jti().ok_or(ValidationError::MissingClaim("jti"))?;
        let extra: Consumer = serde_json::from_str(claims.json()).unwrap_or_default();
        // Partitioned by consumer (signed by the gateway): one consumer's traffic cannot fill
        // the window of the others.
        let partition = extra.consumerid.as_deref().unwrap_or("");
        match inner
            .replay
            .spend(partition, jti, exp.saturating_add(inner.leeway), now)
        {
            Ok(()) => {}
            Err(ReplayError::Full) => return Err(ValidationError::Rejected("replay window full")),
            Err(_) => return Err(ValidationError::Rejected("token replayed")),
        }
        Ok(GatewayRequest {
            consumer_id: extra.consumerid,
            consumer_name: extra.consumername,
            jwt_id: jti.to_owned(),
            issuer: claims.iss().map(str::to_owned),
        })
    }
}

/// An `x5c` entry: standard base64 as RFC 7515 section 4.1.6 says, or base64url without padding
/// as the Kong plugin writes it.
fn decode_x5c(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE_NO_PAD.decode(text))
        .ok()
}

/// `payloadhash` is the lowercase hex SHA-256 of the body, or `""` for a request without one.
fn payload_hash_matches(hash: &str, body: &[u8]) -> bool {
    (body.is_empty() && hash.is_empty()) || hash.eq_ignore_ascii_case(&sha256_hex(body))
}

#[derive(Deserialize, Default)]
struct Consumer {
    #[serde(default)]
    consumerid: Option<String>,
    #[serde(default)]
    consumername: Option<String>,
}

/// What the gateway said about a request it forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayRequest {
    consumer_id: Option<String>,
    consumer_name: Option<String>,
    jwt_id: String,
    issuer: Option<String>,
}

impl GatewayRequest {
    /// The Kong consumer id (`consumerid`).
    #[must_use]
    pub fn consumer_id(&self) -> Option<&str> {
        self.consumer_id.as_deref()
    }

    /// The Kong consumer name (`consumername`): the client id for client-credentials access.
    #[must_use]
    pub fn consumer_name(&self) -> Option<&str> {
        self.consumer_name.as_deref()
    }

    /// The token's `jti`.
    #[must_use]
    pub fn jwt_id(&self) -> &str {
        &self.jwt_id
    }

    /// The token's `iss`, when the gateway sets one.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
}

impl VerifierBuilder {
    /// The request header holding the JWT. Defaults to `JWT` (the plugin's default).
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = name.into();
        self
    }

    /// Whether the header value starts with `Bearer ` (the plugin's
    /// `include_credential_type`). Defaults to `false`.
    pub fn bearer_prefix(mut self, prefix: bool) -> Self {
        self.bearer_prefix = prefix;
        self
    }

    /// Requires `iss` to equal `issuer`. Defaults to not checking (APS sets no issuer).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The gateway's JWKS URL (for example [`APS_PROD_JWKS`](super::APS_PROD_JWKS)); keys are picked by `kid`.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// A fixed JWKS instead of a URL.
    pub fn jwks(mut self, jwks: &Jwks) -> Self {
        self.keys = Some(KeySet::from_jwks(jwks));
        self
    }

    /// Trusts the certificate embedded in the token's `x5c` header when the token has no
    /// `kid`. Defaults to `false`: anyone can embed a certificate, so this only makes sense
    /// when the network guarantees that requests come from the gateway.
    pub fn dangerous_trust_embedded_certificate(mut self, trust: bool) -> Self {
        self.trust_x5c = trust;
        self
    }

    /// Clock-skew allowance. Defaults to 10 s; at most 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How many live `jti`s the default in-memory replay store holds per consumer, each until
    /// its `exp` plus the leeway. Defaults to 1,000,000 (about 80 MB when reached; 10,000
    /// requests/s of one consumer with 60 s tokens and the 10 s leeway keep 700,000). At the
    /// bound, that consumer's new requests are refused ("replay window full") until some
    /// expire; other consumers are not affected.
    pub fn max_replay_entries(mut self, entries: usize) -> Self {
        self.max_replay_entries = entries;
        self
    }

    /// Where spent `jti`s are remembered (for example a store shared by the replicas of the
    /// service, so that a request replayed to another replica is refused too). Defaults to a
    /// [`MemoryReplayStore`] of [`max_replay_entries`](Self::max_replay_entries) per consumer.
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
    /// [`Error::Config`] without a key source, with both, with an insecure JWKS URL, or with
    /// a leeway over 5 minutes.
    pub fn build(self) -> Result<Verifier> {
        let leeway = leeway_secs(self.leeway).ok_or_else(|| {
            Error::Config("upstream verifier: leeway must be at most 5 minutes".into())
        })?;
        let keys = match (self.jwks_uri, self.keys) {
            (Some(uri), None) => {
                let url = url::Url::parse(&uri)
                    .ok()
                    .filter(secure_or_loopback)
                    .ok_or_else(|| Error::Config(format!("JWKS URL {uri} must be https")))?;
                let http = Http::new(Duration::from_secs(5), 256 * 1024).map_err(Error::Config)?;
                IssuerKeys::remote(
                    uri,
                    Endpoint::JwksUri(url),
                    http,
                    RemoteSettings::default(),
                    vec![Algorithm::RS256],
                )
            }
            (None, Some(keys)) => IssuerKeys::fixed("static".into(), keys),
            _ => {
                return Err(Error::Config(
                    "upstream verifier: set exactly one of jwks_uri or jwks".into(),
                ));
            }
        };
        if self.service.is_empty() {
            return Err(Error::Config(
                "upstream verifier: empty service name".into(),
            ));
        }
        Ok(Verifier {
            inner: Arc::new(Inner {
                header: self.header,
                bearer_prefix: self.bearer_prefix,
                service: self.service,
                issuer: self.issuer,
                keys: Arc::new(keys),
                trust_x5c: self.trust_x5c,
                leeway,
                max_token_size: 16 * 1024,
                replay: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryReplayStore::new(self.max_replay_entries))),
                clock: self.clock,
            }),
        })
    }
}
