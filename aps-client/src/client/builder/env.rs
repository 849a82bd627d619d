//! `ClientBuilder::load_env`: the settings from `APS_*` environment variables.

use super::{ClientBuilder, KeyInput};
use crate::auth::AuthMethod;
use crate::credentials::{CredentialDocument, env};
use crate::{ClientSecret, Error};

impl ClientBuilder {
    /// Reads the settings from the environment: `APS_CREDENTIALS_FILE` (the portal's JSON
    /// document), then `APS_CLIENT_ID`, `APS_CLIENT_SECRET`, `APS_CLIENT_PRIVATE_KEY` (PEM) or
    /// `APS_CLIENT_PRIVATE_KEY_FILE`, `APS_CLIENT_KEY_ID`, `APS_CLIENT_AUTH_METHOD`,
    /// `APS_TOKEN_ENDPOINT`, `APS_ISSUER`, `APS_SCOPE` and `APS_ALLOW_HTTP_LOOPBACK` (`1` or
    /// `true` for [`danger_allow_http_loopback`](Self::danger_allow_http_loopback)), each
    /// overriding the document (a secret or key from the variables replaces the document's
    /// credential). Unset or blank variables leave the builder as it is. See
    /// [`env`](crate::env).
    pub fn load_env(self) -> Self {
        self.load_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    pub(crate) fn load_vars(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(path) = var(env::CREDENTIALS_FILE) {
            match CredentialDocument::from_file(path.trim()) {
                Ok(document) => self = self.credentials(&document),
                Err(error) => return self.fail(error),
            }
        }
        if let Some(id) = var(env::CLIENT_ID) {
            self.client_id = Some(id.trim().to_owned());
        }
        let secret = var(env::CLIENT_SECRET).map(|secret| ClientSecret::new(secret.trim()));
        let key = if let Some(pem) = var(env::CLIENT_PRIVATE_KEY) {
            Some(KeyInput::Pem(pem.into()))
        } else if let Some(path) = var(env::CLIENT_PRIVATE_KEY_FILE) {
            match std::fs::read_to_string(path.trim()) {
                Ok(pem) => Some(KeyInput::Pem(pem.into())),
                Err(e) => {
                    return self.fail(Error::config(
                        env::CLIENT_PRIVATE_KEY_FILE,
                        format!("{}: {e}", path.trim()),
                    ));
                }
            }
        } else {
            None
        };
        // A credential from the variables replaces the document's whole: a secret next to the
        // document's private key (or the reverse) is an override, not a contradiction.
        if secret.is_some() || key.is_some() {
            self.secret = secret;
            self.key = key;
        }
        if let Some(kid) = var(env::CLIENT_KEY_ID) {
            self.key_id = Some(kid.trim().to_owned());
        }
        if let Some(method) = var(env::CLIENT_AUTH_METHOD) {
            match AuthMethod::parse(&method) {
                Some(method) => self.method = Some(method),
                None => {
                    let reason = format!(
                        "`{method}`: expected client_secret_basic, client_secret_post or private_key_jwt"
                    );
                    return self.fail(Error::config(env::CLIENT_AUTH_METHOD, reason));
                }
            }
        }
        if let Some(url) = var(env::TOKEN_ENDPOINT) {
            self.token_endpoint = Some(url.trim().to_owned());
        }
        if let Some(url) = var(env::ISSUER) {
            self.issuer = Some(url.trim().to_owned());
        }
        if let Some(scope) = var(env::SCOPE) {
            self.request = self.request.scope(scope);
        }
        if let Some(allow) = var(env::ALLOW_HTTP_LOOPBACK) {
            match allow.trim().to_ascii_lowercase().as_str() {
                "1" | "true" => self.allow_http_loopback = true,
                "0" | "false" => self.allow_http_loopback = false,
                _ => {
                    let reason = format!("`{allow}`: expected 1, true, 0 or false");
                    return self.fail(Error::config(env::ALLOW_HTTP_LOOPBACK, reason));
                }
            }
        }
        self
    }
}
