//! `private_key_jwt`: the signed client assertion (RFC 7523) that replaces a secret. Signing
//! itself is aps-jwt's; this module picks the audience and lifetime.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aps_jwt::{ClientAssertion, SigningKey};

use crate::{Error, Result};

/// Which `aud` the client assertion carries. Keycloak accepts the realm's issuer URL or its
/// token endpoint; the portal's documentation uses the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AssertionAudience {
    /// The issuer when one is configured, else the token endpoint. Defaults to this.
    ///
    /// The issuer goes into `aud` exactly as the discovery document writes it, or (without
    /// discovery) as configured: never re-serialised, since RFC 7523 providers compare `aud`
    /// character for character (`http://127.0.0.1:8080` is not `http://127.0.0.1:8080/`).
    #[default]
    Issuer,
    /// The token endpoint URL.
    TokenEndpoint,
    /// A fixed value.
    Custom(String),
}

impl AssertionAudience {
    /// The `aud` value for a request to `token_endpoint`.
    pub(crate) fn resolve<'a>(
        &'a self,
        issuer: Option<&'a str>,
        token_endpoint: &'a str,
    ) -> &'a str {
        match self {
            Self::Issuer => issuer.unwrap_or(token_endpoint),
            Self::TokenEndpoint => token_endpoint,
            Self::Custom(aud) => aud,
        }
    }
}

/// The `kid` Keycloak gives a public key or certificate uploaded to a client
/// (`jwt.credential.public.key`, `jwt.credential.certificate`): base64url of the SHA-256 of the
/// key's SubjectPublicKeyInfo DER.
///
/// Keycloak (26.x) refuses an assertion whose `kid` differs from it with `400 invalid_client`
/// "Unable to load public key", so a key registered that way must sign with this `kid`. The
/// portal registers the public half of the key pair it hands out that way, so the
/// `clientPrivateKey` of a credential document signs with this `kid`
/// ([`ClientBuilder::credentials`](crate::ClientBuilder::credentials)). Every other key signs
/// with the `kid` it publishes ([`SigningKey::kid`]); for a key *you* uploaded to Keycloak as a
/// PEM or certificate, pass this `kid` to [`ClientBuilder::key_id`](crate::ClientBuilder::key_id).
///
/// ```
/// let key = aps_client::SigningKey::generate_p256()?;
/// let kid = aps_client::keycloak_key_id(&key)?;
/// assert_eq!(kid.len(), 43);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Assertion`] when the public key cannot be encoded.
pub fn keycloak_key_id(key: &SigningKey) -> Result<String> {
    use base64::Engine as _;
    let pem = key
        .public_key_pem()
        .map_err(|e| Error::Assertion(Arc::new(e)))?;
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|e| Error::config("private_key", format!("public key PEM: {e}")))?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

/// Which `kid` a key read from PEM signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyIdRule {
    /// The kid the key publishes ([`SigningKey::kid`]): the rule for every key.
    Own,
    /// [`keycloak_key_id`]: the portal's key pair, whose public half Keycloak holds as a PEM.
    Keycloak,
}

/// Reads a PEM private key, with the `kid` that `rule` gives it.
pub(crate) fn key_from_pem(pem: &crate::ClientSecret, rule: KeyIdRule) -> Result<SigningKey> {
    let key = SigningKey::from_pem(pem.expose())
        .map_err(|e| Error::config("private_key", format!("PEM: {e}")))?;
    match rule {
        KeyIdRule::Own => Ok(key),
        KeyIdRule::Keycloak => {
            let kid = keycloak_key_id(&key)?;
            Ok(key.with_kid(kid))
        }
    }
}

/// The private key, the assertion lifetime, and the kid rule for PEM keys rotated in later.
/// Cloning shares the parsed key.
#[derive(Debug, Clone)]
pub(crate) struct PrivateKeyJwt {
    pub(crate) key: SigningKey,
    pub(crate) lifetime: Duration,
    pub(crate) rule: KeyIdRule,
}

impl PrivateKeyJwt {
    /// A fresh assertion (new `jti`, `iat` = now) for one token request.
    pub(crate) fn sign(&self, client_id: &str, audience: &str) -> Result<String> {
        let fail = |e: aps_jwt::Error| Error::Assertion(Arc::new(e));
        let assertion = ClientAssertion::builder(client_id, audience)
            .lifetime(self.lifetime)
            .build()
            .map_err(fail)?;
        let signed = assertion.sign(&self.key, SystemTime::now()).map_err(fail)?;
        Ok(signed.expose_secret().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keycloak_key_id_is_the_spki_sha256() {
        use base64::Engine as _;
        let key = SigningKey::generate_p256().unwrap();
        let pem = key.public_key_pem().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let expected = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
        assert_eq!(
            keycloak_key_id(&key).unwrap(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(expected.as_ref())
        );
        assert_ne!(
            keycloak_key_id(&key).unwrap(),
            key.kid(),
            "not the RFC 7638 thumbprint"
        );
    }

    #[test]
    fn keycloak_key_ids_match_openssl() {
        // `openssl pkey -in KEY -pubout -outform DER | openssl dgst -sha256 -binary | base64`,
        // made URL-safe without padding.
        for (pem, kid) in [
            (
                include_str!("../../aps-jwt/testdata/keys/p256.pkcs8.pem"),
                "bl0F-hRg_F4S6aJhFAoL1NuwQjtYWAnAMa2RlLN_tig",
            ),
            (
                include_str!("../../aps-jwt/testdata/keys/rsa2048.pkcs8.pem"),
                "XarE0QJW6EG-CEFXjY2e4kjFVEO3Obe3JQtE5f5F0uc",
            ),
        ] {
            let key = SigningKey::from_pem(pem).unwrap();
            assert_eq!(keycloak_key_id(&key).unwrap(), kid);
        }
    }

    #[test]
    fn audience_choice() {
        let te = "https://idp/realms/a/protocol/openid-connect/token";
        assert_eq!(
            AssertionAudience::Issuer.resolve(Some("https://idp/realms/a"), te),
            "https://idp/realms/a"
        );
        assert_eq!(AssertionAudience::Issuer.resolve(None, te), te);
        assert_eq!(
            AssertionAudience::TokenEndpoint.resolve(Some("https://idp/realms/a"), te),
            te
        );
        assert_eq!(AssertionAudience::Custom("x".into()).resolve(None, te), "x");
    }

    #[test]
    fn assertions_carry_the_client_and_a_fresh_jti() {
        let key = SigningKey::generate_p256().unwrap().with_kid("k1");
        let jwt = PrivateKeyJwt {
            key,
            lifetime: Duration::from_secs(60),
            rule: KeyIdRule::Own,
        };
        let a = jwt.sign("app-1", "https://idp/realms/a").unwrap();
        let b = jwt.sign("app-1", "https://idp/realms/a").unwrap();
        assert_ne!(a, b);
        let payload = a.split('.').nth(1).unwrap();
        use base64::Engine as _;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["iss"], "app-1");
        assert_eq!(claims["sub"], "app-1");
        assert_eq!(claims["aud"], "https://idp/realms/a");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            60
        );
        let header = a.split('.').next().unwrap();
        let header: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["kid"], "k1");
    }
}
