//! Client assertions for `private_key_jwt` (RFC 7523 section 2.2, OpenID Connect Core 9).

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::encoding::b64url;
use crate::error::{Error, Result};
use crate::signing_key::SigningKey;

/// The `client_assertion_type` form value that goes with a client assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How a client signs its assertions: built once per client, then [`sign`](Self::sign)ed per
/// token request (each signature has a fresh `jti`).
///
/// Claims: `iss` = `sub` = the client id, `aud` = the audience (the realm's issuer URL by
/// default in aps; Keycloak also accepts its token endpoint), `jti` (128 random bits), `iat`,
/// `exp` = `iat` + lifetime. Header: `alg`, `typ: JWT`, `kid`.
///
/// # Examples
/// ```
/// use std::time::{Duration, SystemTime};
/// use aps_jwt::{ClientAssertion, SigningKey};
///
/// let key = SigningKey::generate_p256()?;
/// let assertion = ClientAssertion::builder("my-client", "https://idp.example/realms/apigw")
///     .lifetime(Duration::from_secs(30))
///     .build()?;
/// let signed = assertion.sign(&key, SystemTime::now())?;
/// assert_eq!(signed.expose_secret().split('.').count(), 3);
/// # Ok::<(), aps_jwt::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientAssertion {
    client_id: String,
    audience: String,
    lifetime: Duration,
}

/// Builder for [`ClientAssertion`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientAssertionBuilder {
    client_id: String,
    audience: String,
    lifetime: Duration,
}

impl ClientAssertion {
    /// Starts a builder for `client_id`, addressed to `audience` (the issuer URL of the realm,
    /// or its token endpoint).
    pub fn builder(
        client_id: impl Into<String>,
        audience: impl Into<String>,
    ) -> ClientAssertionBuilder {
        ClientAssertionBuilder {
            client_id: client_id.into(),
            audience: audience.into(),
            lifetime: Duration::from_secs(60),
        }
    }

    /// The client id (`iss` and `sub`).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The audience (`aud`).
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The lifetime (`exp - iat`).
    #[must_use]
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Signs a fresh assertion issued at `now`.
    ///
    /// # Errors
    /// [`Error::Config`] if `now` is before 1970, [`Error::Crypto`] if the backend fails.
    pub fn sign(&self, key: &SigningKey, now: SystemTime) -> Result<SignedAssertion> {
        let iat = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| Error::Config("the clock is before 1970".to_owned()))?
            .as_secs();
        let exp = iat.saturating_add(self.lifetime.as_secs());
        let mut random = [0u8; 16];
        SystemRandom::new()
            .fill(&mut random)
            .map_err(|_| Error::Crypto("produce random bytes"))?;
        let jti = b64url(&random);
        let claims = Claims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: &self.audience,
            jti: &jti,
            iat,
            exp,
        };
        let value = crate::jws::sign_compact(key, "JWT", &claims)?;
        Ok(SignedAssertion {
            value,
            jti,
            issued_at: SystemTime::UNIX_EPOCH + Duration::from_secs(iat),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(exp),
        })
    }
}

impl ClientAssertionBuilder {
    /// How long the assertion is valid. Defaults to 60 seconds; whole seconds count.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sets the audience (`aud`).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::Config`] when the client id or audience is empty, or the lifetime is not
    /// between 1 second and 1 hour.
    pub fn build(self) -> Result<ClientAssertion> {
        if self.client_id.is_empty() {
            return Err(Error::Config("client assertion: empty client id".into()));
        }
        if self.audience.is_empty() {
            return Err(Error::Config("client assertion: empty audience".into()));
        }
        if !(1..=3600).contains(&self.lifetime.as_secs()) {
            return Err(Error::Config(
                "client assertion: lifetime must be between 1 s and 1 h".into(),
            ));
        }
        Ok(ClientAssertion {
            client_id: self.client_id,
            audience: self.audience,
            lifetime: self.lifetime,
        })
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    exp: u64,
}

/// A signed client assertion: a secret until it expires (whoever holds it can authenticate as
/// the client once), so it is zeroized on drop and `Debug` does not show it.
#[derive(Clone)]
pub struct SignedAssertion {
    value: Zeroizing<String>,
    jti: String,
    issued_at: SystemTime,
    expires_at: SystemTime,
}

impl SignedAssertion {
    /// The compact JWS, for the `client_assertion` form field.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.value
    }

    /// The assertion's `jti`.
    #[must_use]
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// When it was issued (`iat`).
    #[must_use]
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// When it expires (`exp`).
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl fmt::Debug for SignedAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedAssertion")
            .field("value", &"[redacted]")
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
