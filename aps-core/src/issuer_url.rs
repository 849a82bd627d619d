//! The one normal form of an issuer (realm) URL, shared by policies and profiles.

use url::{Host, Url};

/// Why a string is not an acceptable issuer URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerUrlError {
    /// It does not parse as an absolute URL.
    #[error("not an absolute URL")]
    NotAUrl,
    /// A scheme other than `https` (or `http` on a non-loopback host).
    #[error("must use https (http is allowed only for loopback hosts)")]
    NotHttps,
    /// It carries a user name or password.
    #[error("must not contain credentials")]
    HasCredentials,
    /// It carries a `?query`.
    #[error("must not contain a query")]
    HasQuery,
    /// It carries a `#fragment`.
    #[error("must not contain a fragment")]
    HasFragment,
    /// It ends with `/`; issuers are compared exactly and Keycloak's `iss` has none.
    #[error("must not end with `/`")]
    TrailingSlash,
    /// It is not written in normal form (case of scheme or host, default port, encoding).
    #[error("must be written in normal form: `{normal}`")]
    NotNormal {
        /// The same URL in normal form.
        normal: String,
    },
    /// The path does not end with `/realms/<realm>`.
    #[error("must be a realm URL ending in `/realms/<realm>`")]
    NotARealm,
}

/// Checks that `issuer` is an absolute `https` URL (or `http` on loopback) in normal form,
/// without credentials, query, fragment or trailing slash.
pub(crate) fn check_issuer_url(issuer: &str) -> Result<Url, IssuerUrlError> {
    let url = Url::parse(issuer).map_err(|_| IssuerUrlError::NotAUrl)?;
    if url.host().is_none() {
        return Err(IssuerUrlError::NotAUrl);
    }
    if !is_https_or_loopback_http(&url) {
        return Err(IssuerUrlError::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(IssuerUrlError::HasCredentials);
    }
    if url.query().is_some() {
        return Err(IssuerUrlError::HasQuery);
    }
    if url.fragment().is_some() {
        return Err(IssuerUrlError::HasFragment);
    }
    if issuer.ends_with('/') {
        return Err(IssuerUrlError::TrailingSlash);
    }
    let serialized = url.as_str();
    let normal = if url.path() == "/" {
        serialized.strip_suffix('/').unwrap_or(serialized)
    } else {
        serialized
    };
    if normal != issuer {
        return Err(IssuerUrlError::NotNormal {
            normal: normal.to_owned(),
        });
    }
    Ok(url)
}

/// Whether `url` is `https`, or `http` on a loopback host (`localhost`, `127.0.0.0/8`, `::1`):
/// the only URLs this crate lets credentials or keys travel over.
pub(crate) fn is_https_or_loopback_http(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

/// Checks [`check_issuer_url`] and that the path ends with `/realms/<realm>`; returns the
/// realm name.
pub(crate) fn check_realm_url(issuer: &str) -> Result<String, IssuerUrlError> {
    let url = check_issuer_url(issuer)?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    match segments.as_slice() {
        [.., "realms", realm] if !realm.is_empty() => Ok((*realm).to_owned()),
        _ => Err(IssuerUrlError::NotARealm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_realm_urls_with_and_without_auth_prefix() {
        for ok in [
            "https://loginproxy.gov.bc.ca/auth/realms/apigw",
            "https://idp.example/realms/x",
            "http://127.0.0.1:18080/realms/apigw",
            "http://localhost:8080/realms/apigw",
            "http://[::1]:8080/realms/apigw",
        ] {
            assert!(check_realm_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check_realm_url("https://idp.example/auth/realms/apigw").as_deref(),
            Ok("apigw")
        );
    }

    #[test]
    fn rejects_each_defect() {
        let cases = [
            ("realms/apigw", IssuerUrlError::NotAUrl),
            ("http://idp.example/realms/x", IssuerUrlError::NotHttps),
            ("ftp://idp.example/realms/x", IssuerUrlError::NotHttps),
            (
                "https://u:p@idp.example/realms/x",
                IssuerUrlError::HasCredentials,
            ),
            ("https://idp.example/realms/x?a=b", IssuerUrlError::HasQuery),
            (
                "https://idp.example/realms/x#f",
                IssuerUrlError::HasFragment,
            ),
            (
                "https://idp.example/realms/x/",
                IssuerUrlError::TrailingSlash,
            ),
            (
                "https://IDP.example:443/realms/x",
                IssuerUrlError::NotNormal {
                    normal: "https://idp.example/realms/x".into(),
                },
            ),
            ("https://idp.example/x", IssuerUrlError::NotARealm),
            (
                "https://idp.example/realms/x/account",
                IssuerUrlError::NotARealm,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(check_realm_url(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn host_only_issuer_is_normal_without_slash() {
        assert!(check_issuer_url("https://idp.example").is_ok());
        assert_eq!(
            check_issuer_url("https://idp.example/"),
            Err(IssuerUrlError::TrailingSlash)
        );
    }
}
