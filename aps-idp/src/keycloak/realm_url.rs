//! The realm URL (issuer) of a Keycloak, and what follows from it: the Admin REST base, the
//! realm name and the OIDC endpoints. Pure.

use url::{Host, Url};

use crate::{Endpoints, Error, Result};

/// A checked realm URL: `{host}[/auth]/realms/{realm}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RealmUrl {
    /// The issuer exactly as given (and as tokens carry it).
    pub(crate) issuer: String,
    /// The realm name (the last path segment).
    pub(crate) realm: String,
    /// `{host}[/auth]/admin/realms/{realm}`.
    pub(crate) admin: Url,
}

impl RealmUrl {
    /// Checks `issuer`: absolute, `https` (or `http` on a loopback host), no credentials, query,
    /// fragment or trailing slash, and a path ending in `/realms/{realm}`.
    pub(crate) fn parse(issuer: &str) -> Result<Self> {
        // An issuer with credentials in it is not echoed.
        let shown = if issuer.contains('@') {
            "the URL".to_owned()
        } else {
            format!("`{issuer}`")
        };
        let bad = |reason: &str| Error::config("issuer", format!("{shown} {reason}"));
        let url = Url::parse(issuer).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        if url.host().is_none() {
            return Err(bad("has no host"));
        }
        if !(url.scheme() == "https" || url.scheme() == "http" && is_loopback(&url)) {
            return Err(bad("must use https (http only on a loopback host)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain credentials"));
        }
        if url.query().is_some() {
            return Err(bad("must not contain a query"));
        }
        if url.fragment().is_some() {
            return Err(bad("must not contain a fragment"));
        }
        if issuer.ends_with('/') {
            return Err(bad("must not end with `/`"));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(Iterator::collect)
            .unwrap_or_default();
        let (prefix, realm) = match segments.as_slice() {
            [prefix @ .., "realms", realm] if !realm.is_empty() => (prefix, *realm),
            _ => return Err(bad("is not a realm URL (`…/realms/{realm}`)")),
        };
        let mut admin = url.clone();
        admin
            .path_segments_mut()
            .map_err(|()| bad("cannot be a base URL"))?
            .clear()
            .extend(prefix)
            .extend(["admin", "realms"])
            .push(realm);
        let realm = percent_decode(realm);
        Ok(Self {
            issuer: issuer.to_owned(),
            realm,
            admin,
        })
    }

    /// The issuer, its token endpoint and its JWKS URL.
    pub(crate) fn endpoints(&self) -> Endpoints {
        Endpoints::new(
            self.issuer.clone(),
            format!("{}/protocol/openid-connect/token", self.issuer),
            format!("{}/protocol/openid-connect/certs", self.issuer),
        )
    }

    /// Whether the issuer is plain `http` (allowed only on loopback hosts).
    pub(crate) fn is_http(&self) -> bool {
        self.admin.scheme() == "http"
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `%XX` escapes of a path segment decoded (realm names are rarely escaped; invalid UTF-8 is
/// kept as written).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts_give_the_admin_base_and_realm() {
        let old = RealmUrl::parse("https://loginproxy.gov.bc.ca/auth/realms/apigw").unwrap();
        assert_eq!(old.realm, "apigw");
        assert_eq!(
            old.admin.as_str(),
            "https://loginproxy.gov.bc.ca/auth/admin/realms/apigw"
        );
        let new = RealmUrl::parse("http://127.0.0.1:18080/realms/apigw").unwrap();
        assert_eq!(new.realm, "apigw");
        assert_eq!(
            new.admin.as_str(),
            "http://127.0.0.1:18080/admin/realms/apigw"
        );
        let endpoints = new.endpoints();
        assert_eq!(endpoints.issuer, "http://127.0.0.1:18080/realms/apigw");
        assert_eq!(
            endpoints.token_endpoint,
            "http://127.0.0.1:18080/realms/apigw/protocol/openid-connect/token"
        );
        assert_eq!(
            endpoints.jwks_uri,
            "http://127.0.0.1:18080/realms/apigw/protocol/openid-connect/certs"
        );
        let escaped = RealmUrl::parse("https://idp.example/realms/my%20realm").unwrap();
        assert_eq!(escaped.realm, "my realm");
        assert!(RealmUrl::parse("http://localhost:8080/realms/x").is_ok());
        assert!(RealmUrl::parse("http://[::1]:8080/realms/x").is_ok());
    }

    #[test]
    fn defects_are_config_errors_naming_the_issuer() {
        for (bad, why) in [
            ("realms/apigw", "not a URL"),
            ("http://idp.example/realms/x", "https"),
            ("ftp://idp.example/realms/x", "https"),
            ("https://u:p@idp.example/realms/x", "credentials"),
            ("https://idp.example/realms/x?a=b", "query"),
            ("https://idp.example/realms/x#f", "fragment"),
            ("https://idp.example/realms/x/", "`/`"),
            ("https://idp.example/x", "realm URL"),
            ("https://idp.example/realms/x/account", "realm URL"),
            ("https://idp.example/realms/", "`/`"),
        ] {
            let error = RealmUrl::parse(bad).unwrap_err();
            let shown = error.to_string();
            assert!(
                matches!(
                    error,
                    Error::Config {
                        field: "issuer",
                        ..
                    }
                ) && shown.contains(why),
                "{bad}: {shown}"
            );
        }
        let with_credentials = RealmUrl::parse("https://u:p@idp.example/realms/x").unwrap_err();
        assert!(
            !with_credentials.to_string().contains("u:p@"),
            "{with_credentials}"
        );
    }
}
