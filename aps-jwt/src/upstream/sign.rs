//! The sending side: [`Signer`] writes the JWT exactly as Kong's `upstream-jwt` plugin does.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock, unix_secs};
use crate::encoding::b64url;
use crate::error::{Error, Result};
use crate::signing_key::SigningKey;
use crate::verifying_key::VerifyingKey;

use super::sha256_hex;

/// Signs the gateway's upstream JWT, as the Kong `upstream-jwt` plugin (v1.4) does. Built once,
/// cheap to clone.
///
/// Header: `typ: JWT`, `alg: RS256`, `kid` (the key's), and `x5c` when a certificate is set.
/// Claims: `exp` = now + lifetime (60 s), `jti` (a random UUID v4), `payloadhash` (lower-case
/// hex SHA-256 of the body, `""` without one), `iat` and `iss` only when an issuer is set, `aud`
/// = the Kong service name, and `consumerid` / `consumername` when the request has a consumer.
///
/// # Examples
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use aps_jwt::SigningKey;
/// use aps_jwt::upstream::{Signer, Verifier};
///
/// let key = SigningKey::generate_rsa(2048)?;
/// let signer = Signer::builder(key.clone()).issuer("https://gw.example").build()?;
/// let body = br#"{"order":1}"#;
/// let jwt = signer.sign("my-service", body, Some("c0ffee"), Some("app-1"))?;
///
/// // The upstream's side, with the gateway's public keys:
/// let verifier = Verifier::builder("my-service").jwks(&key.public_jwks()).build()?;
/// let request = verifier.verify(&jwt, body).await?;
/// assert_eq!(request.consumer_name(), Some("app-1"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    key: SigningKey,
    issuer: Option<String>,
    lifetime: u64,
    x5c: Option<String>,
    clock: Arc<dyn Clock>,
}

/// Builder for [`Signer`].
#[must_use]
#[derive(Debug)]
pub struct SignerBuilder {
    key: SigningKey,
    issuer: Option<String>,
    lifetime: Duration,
    certificate: Option<Vec<u8>>,
    clock: Arc<dyn Clock>,
}

impl Signer {
    /// Starts a builder signing with `key`, an RSA key (the plugin signs with RS256 only). The
    /// header's `kid` is the key's ([`SigningKey::with_kid`] sets it; the plugin's `key_id`).
    pub fn builder(key: SigningKey) -> SignerBuilder {
        SignerBuilder {
            key,
            issuer: None,
            lifetime: Duration::from_secs(60),
            certificate: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Signs the JWT for a request forwarded to the Kong service `service` with `body` (empty
    /// for none), made by the consumer `consumer_id` / `consumer_name` if there is one. The
    /// result is the header value without `Bearer ` (add it for `include_credential_type`).
    ///
    /// # Errors
    /// [`Error::Config`] for an empty service name or a clock before 1970, [`Error::Crypto`] if
    /// the backend fails.
    pub fn sign(
        &self,
        service: &str,
        body: &[u8],
        consumer_id: Option<&str>,
        consumer_name: Option<&str>,
    ) -> Result<Zeroizing<String>> {
        let inner = &*self.inner;
        if service.is_empty() {
            return Err(Error::Config("upstream signer: empty service name".into()));
        }
        let now = unix_secs(inner.clock.now());
        let now =
            u64::try_from(now).map_err(|_| Error::Config("the clock is before 1970".to_owned()))?;
        let jti = uuid_v4()?;
        let payloadhash = if body.is_empty() {
            String::new()
        } else {
            sha256_hex(body)
        };
        let claims = Claims {
            exp: now.saturating_add(inner.lifetime),
            jti: &jti,
            payloadhash: &payloadhash,
            iat: inner.issuer.as_ref().map(|_| now),
            iss: inner.issuer.as_deref(),
            aud: service,
            consumerid: consumer_id,
            consumername: consumer_name,
        };
        let kid = inner.key.kid();
        let header = Header {
            typ: "JWT",
            alg: Algorithm::RS256.as_str(),
            kid: (!kid.is_empty()).then_some(kid),
            x5c: inner.x5c.as_deref().map(|c| [c]),
        };
        crate::jws::sign_with_header(&inner.key, &header, &claims)
    }
}

impl SignerBuilder {
    /// Adds `iss` (and `iat`) to every JWT, as the plugin's `issuer` setting does. Defaults to
    /// none (APS sets one platform-wide).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// `exp - now`. Defaults to 60 s, the plugin's fixed value; whole seconds count.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The key's X.509 certificate (DER), sent in the `x5c` header as the plugin does (base64url,
    /// unpadded, as the plugin writes it). Defaults to none: verifiers should take keys from the
    /// JWKS by `kid`, not from the token.
    pub fn certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.certificate = Some(der.into());
        self
    }

    /// The clock. Defaults to the system clock.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Builds the signer.
    ///
    /// # Errors
    /// [`Error::Config`] when the key does not sign with RS256, the lifetime is not between 1 s
    /// and 1 h, the issuer is empty, or the certificate is unreadable or for another key.
    pub fn build(self) -> Result<Signer> {
        if self.key.algorithm() != Algorithm::RS256 {
            return Err(Error::Config(format!(
                "upstream signer: the gateway signs with RS256, the key with {}",
                self.key.algorithm().as_str()
            )));
        }
        if !(1..=3600).contains(&self.lifetime.as_secs()) {
            return Err(Error::Config(
                "upstream signer: lifetime must be between 1 s and 1 h".into(),
            ));
        }
        if self.issuer.as_deref() == Some("") {
            return Err(Error::Config("upstream signer: empty issuer".into()));
        }
        let x5c = match &self.certificate {
            None => None,
            Some(der) => {
                let certified = VerifyingKey::from_certificate_der(der)
                    .map_err(|_| Error::Config("upstream signer: unreadable certificate".into()))?;
                if !certified.same_key(&self.key.verifying_key()?) {
                    return Err(Error::Config(
                        "upstream signer: the certificate is for another key".into(),
                    ));
                }
                Some(b64url(der))
            }
        };
        Ok(Signer {
            inner: Arc::new(Inner {
                key: self.key,
                issuer: self.issuer,
                lifetime: self.lifetime.as_secs(),
                x5c,
                clock: self.clock,
            }),
        })
    }
}

#[derive(Serialize)]
struct Header<'a> {
    typ: &'a str,
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x5c: Option<[&'a str; 1]>,
}

#[derive(Serialize)]
struct Claims<'a> {
    exp: u64,
    jti: &'a str,
    payloadhash: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    aud: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumerid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumername: Option<&'a str>,
}

/// A random UUID (version 4, RFC 9562 section 5.4), like Kong's `utils.uuid()`.
fn uuid_v4() -> Result<String> {
    let mut b = [0u8; 16];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Crypto("produce random bytes"))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_version_4() {
        let id = uuid_v4().unwrap();
        assert_eq!(id.len(), 36);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(id, uuid_v4().unwrap());
    }
}
