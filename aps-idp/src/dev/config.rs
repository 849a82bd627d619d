//! What a running development IdP is: its issuer and endpoints, realm, algorithm, lifetimes
//! and the realm's client scopes. Fixed once the port is known.

use std::collections::BTreeSet;
use std::time::Duration;

use aps_jwt::Algorithm;

use crate::Endpoints;

/// The client scopes a realm has when the builder is not given any: the four scopes of the
/// APS test realm (`testkit`), and Keycloak's `roles`.
pub(super) const DEFAULT_CLIENT_SCOPES: [&str; 5] = [
    "Function1/read",
    "Function2/*",
    "Function3/write",
    "Function3/read",
    "roles",
];

/// The realm name used in messages when the issuer is a bare origin (no `/realms/<name>`).
pub(super) const BARE_REALM: &str = "dev";

/// The settings of a started IdP.
#[derive(Debug, Clone)]
pub(super) struct Config {
    /// The realm name, in error messages (`dev` for a bare issuer).
    pub(super) realm: String,
    /// The path of the issuer (`/realms/<name>`, or empty for a bare issuer).
    pub(super) issuer_path: String,
    /// Issuer, token endpoint and JWKS URL.
    pub(super) endpoints: Endpoints,
    /// The algorithm new keys sign with.
    pub(super) algorithm: Algorithm,
    /// Lifetime of access tokens, in seconds.
    pub(super) token_lifetime: u64,
    /// How long a replaced signing key stays published, in seconds.
    pub(super) key_grace: u64,
    /// The realm's client scopes.
    pub(super) client_scopes: BTreeSet<String>,
}

impl Config {
    /// The settings for an IdP listening on `origin` (`http://127.0.0.1:PORT`); `realm` `None`
    /// means a bare issuer.
    pub(super) fn new(
        origin: &str,
        realm: Option<&str>,
        algorithm: Algorithm,
        token_lifetime: Duration,
        key_grace: Duration,
        client_scopes: BTreeSet<String>,
    ) -> Self {
        let issuer_path = realm.map(|r| format!("/realms/{r}")).unwrap_or_default();
        let issuer = format!("{origin}{issuer_path}");
        let endpoints = Endpoints::new(
            issuer.clone(),
            format!("{issuer}/protocol/openid-connect/token"),
            format!("{issuer}/protocol/openid-connect/certs"),
        );
        Self {
            realm: realm.unwrap_or(BARE_REALM).to_owned(),
            issuer_path,
            endpoints,
            algorithm,
            token_lifetime: token_lifetime.as_secs().max(1),
            key_grace: key_grace.as_secs(),
            client_scopes,
        }
    }

    /// The issuer, exactly as tokens carry it.
    pub(super) fn issuer(&self) -> &str {
        &self.endpoints.issuer
    }
}

/// The settings unit tests use: realm `apigw` on port 8080, the default scopes.
#[cfg(test)]
pub(super) fn test_config() -> Config {
    Config::new(
        "http://127.0.0.1:8080",
        Some("apigw"),
        Algorithm::ES256,
        Duration::from_secs(300),
        Duration::from_secs(600),
        DEFAULT_CLIENT_SCOPES
            .map(str::to_owned)
            .into_iter()
            .collect(),
    )
}

/// Whether `realm` is usable in a URL path as is: letters, digits, `-`, `_` and `.`.
pub(super) fn valid_realm_name(realm: &str) -> bool {
    !realm.is_empty()
        && realm != "."
        && realm != ".."
        && realm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(realm: Option<&str>) -> Config {
        Config::new(
            "http://127.0.0.1:8080",
            realm,
            Algorithm::RS256,
            Duration::from_secs(300),
            Duration::from_secs(600),
            BTreeSet::new(),
        )
    }

    #[test]
    fn issuers_of_both_shapes() {
        let realm = config(Some("apigw"));
        assert_eq!(realm.issuer(), "http://127.0.0.1:8080/realms/apigw");
        assert_eq!(
            realm.endpoints.token_endpoint,
            "http://127.0.0.1:8080/realms/apigw/protocol/openid-connect/token"
        );
        let bare = config(None);
        assert_eq!(bare.issuer(), "http://127.0.0.1:8080");
        assert_eq!(bare.realm, "dev");
        assert_eq!(
            bare.endpoints.jwks_uri,
            "http://127.0.0.1:8080/protocol/openid-connect/certs"
        );
    }

    #[test]
    fn realm_names_are_path_safe() {
        assert!(valid_realm_name("apigw") && valid_realm_name("my-realm_2.x"));
        for bad in ["", "..", "a/b", "a b", "é", "a?b"] {
            assert!(!valid_realm_name(bad), "{bad}");
        }
    }
}
