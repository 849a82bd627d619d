//! The credential a builder's settings make: a secret with its method, or a private key with
//! its `kid` and assertion lifetime. Contradictions are reported naming the setting.

use std::time::Duration;

use aps_jwt::SigningKey;

use super::KeyInput;
use crate::assertion::{KeyIdRule, PrivateKeyJwt, key_from_pem};
use crate::auth::{AuthMethod, Credential};
use crate::{ClientSecret, Error, Result};

/// Checks that exactly one of a secret and a key is set, that the method fits it, and reads the
/// key.
pub(super) fn resolve(
    secret: Option<ClientSecret>,
    key: Option<KeyInput>,
    method: Option<AuthMethod>,
    key_id: Option<String>,
    lifetime: Duration,
) -> Result<Credential> {
    match (secret, key, method) {
        (Some(_), Some(_), _) => Err(Error::config(
            "credentials",
            "both a client secret and a private key are set; keep one",
        )),
        (Some(_), None, Some(AuthMethod::PrivateKeyJwt)) => Err(Error::config(
            "auth_method",
            "private_key_jwt needs a private key, not a secret",
        )),
        (Some(secret), None, method) => Ok(Credential::Secret {
            secret,
            method: method.unwrap_or(AuthMethod::ClientSecretBasic),
        }),
        (None, Some(_), Some(method)) if method != AuthMethod::PrivateKeyJwt => Err(Error::config(
            "auth_method",
            format!("{method} needs a client secret, not a private key"),
        )),
        (None, Some(key), _) => {
            let (mut key, rule) = match key {
                KeyInput::Key(key) => (key, KeyIdRule::Own),
                KeyInput::Pem(pem) => (key_from_pem(&pem, KeyIdRule::Own)?, KeyIdRule::Own),
                KeyInput::PortalPem(pem) => (
                    key_from_pem(&pem, KeyIdRule::Keycloak)?,
                    KeyIdRule::Keycloak,
                ),
                KeyInput::Jwk(jwk) => (
                    SigningKey::from_jwk(jwk.expose())
                        .map_err(|e| Error::config("private_key", format!("JWK: {e}")))?,
                    KeyIdRule::Own,
                ),
            };
            if let Some(kid) = key_id {
                key = key.with_kid(kid);
            }
            if !(1..=3600).contains(&lifetime.as_secs()) {
                return Err(Error::config(
                    "assertion_lifetime",
                    "must be between 1 s and 1 h",
                ));
            }
            Ok(Credential::Key(PrivateKeyJwt {
                key,
                lifetime,
                rule,
            }))
        }
        (None, None, _) => Err(Error::config(
            "credentials",
            "neither a client secret nor a private key is set",
        )),
    }
}
