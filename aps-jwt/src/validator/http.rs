//! The only network I/O of the validator: OIDC discovery and JWKS download, bounded in size and
//! time, without redirects, over HTTPS (plain HTTP only to a loopback host).

use std::time::Duration;

use serde::Deserialize;
use url::{Host, Url};

use crate::jwk::Jwks;

/// Why keys could not be fetched. Kept for logs and `Debug`; the validator answers 503.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The request failed or timed out.
    #[error("request to {url} failed: {reason}")]
    Request {
        /// The URL.
        url: String,
        /// A short reason (`timeout`, `connect` ...).
        reason: &'static str,
    },
    /// The server answered with a non-success status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body is larger than allowed.
    #[error("{url} sent more than {max} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        max: usize,
    },
    /// The body is not the expected JSON document.
    #[error("{url} sent an invalid {what}")]
    Invalid {
        /// The URL.
        url: String,
        /// What was expected.
        what: &'static str,
    },
    /// The discovery document names another issuer (OpenID Connect Discovery section 4.3).
    /// The message shows both strings, with a hint when they differ only by a trailing `/`
    /// or the scheme.
    #[error(
        "discovery document at {url} is for issuer \"{found}\", not the configured \"{expected}\"{}",
        mismatch_hint(expected, found)
    )]
    IssuerMismatch {
        /// The discovery URL.
        url: String,
        /// The issuer configured on the validator.
        expected: String,
        /// The issuer the discovery document names.
        found: String,
    },
    /// A URL is not HTTPS (or HTTP to a loopback host).
    #[error("refusing insecure URL {url}")]
    Insecure {
        /// The URL.
        url: String,
    },
    /// The JWKS has no key usable with the allowed algorithms (an empty set from a broken
    /// proxy, only encryption keys ...). Treated as a failed fetch: the known keys are kept.
    #[error("{url} sent no key usable with the allowed algorithms ({skipped} skipped)")]
    NoUsableKey {
        /// The JWKS URL.
        url: String,
        /// How many keys of the set were skipped as unusable.
        skipped: usize,
    },
}

/// Why two issuers that should be equal are not, when it is a common slip.
pub(crate) fn mismatch_hint(expected: &str, found: &str) -> &'static str {
    let scheme = |s: &str| s.split_once("://").map(|(_, rest)| rest.to_owned());
    if expected.trim_end_matches('/') == found.trim_end_matches('/') {
        " (they differ only by a trailing `/`: configure the issuer exactly as the IdP writes it)"
    } else if scheme(expected).is_some() && scheme(expected) == scheme(found) {
        " (they differ only in the scheme: configure the issuer exactly as the IdP writes it; \
         behind a proxy, check the IdP's frontend URL)"
    } else {
        ""
    }
}

/// Whether `url` may be fetched: HTTPS, or HTTP to localhost/127.0.0.0/8/::1.
pub(crate) fn secure_or_loopback(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    max_bytes: usize,
}

impl Http {
    pub(crate) fn new(timeout: Duration, max_bytes: usize) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Http { client, max_bytes })
    }

    async fn get(&self, url: &Url) -> Result<Vec<u8>, FetchError> {
        let name = url.as_str().to_owned();
        if !secure_or_loopback(url) {
            return Err(FetchError::Insecure { url: name });
        }
        let request_error = |e: reqwest::Error| FetchError::Request {
            url: url.as_str().to_owned(),
            reason: if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else {
                "transport"
            },
        };
        let mut response = self
            .client
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(request_error)?;
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: name,
                status: response.status().as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.as_str().to_owned(),
            max: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|len| len > self.max_bytes as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Reads `{issuer}/.well-known/openid-configuration` and returns its `jwks_uri`.
    pub(crate) async fn discover(&self, issuer: &str) -> Result<Url, FetchError> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = Url::parse(&format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ))
        .map_err(|_| FetchError::Invalid {
            url: issuer.to_owned(),
            what: "issuer URL",
        })?;
        let body = self.get(&url).await?;
        let doc: Discovery = serde_json::from_slice(&body).map_err(|_| FetchError::Invalid {
            url: url.as_str().to_owned(),
            what: "discovery document",
        })?;
        if doc.issuer != issuer {
            return Err(FetchError::IssuerMismatch {
                url: url.as_str().to_owned(),
                expected: issuer.to_owned(),
                found: doc.issuer,
            });
        }
        let jwks_uri = Url::parse(&doc.jwks_uri).map_err(|_| FetchError::Invalid {
            url: url.as_str().to_owned(),
            what: "jwks_uri",
        })?;
        if !secure_or_loopback(&jwks_uri) {
            return Err(FetchError::Insecure {
                url: jwks_uri.to_string(),
            });
        }
        Ok(jwks_uri)
    }

    pub(crate) async fn jwks(&self, url: &Url) -> Result<Jwks, FetchError> {
        let body = self.get(url).await?;
        Jwks::from_slice(&body).map_err(|_| FetchError::Invalid {
            url: url.as_str().to_owned(),
            what: "JWKS document",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_mismatches_show_both_and_hint_at_common_slips() {
        let err = |expected: &str, found: &str| {
            FetchError::IssuerMismatch {
                url: "https://idp/.well-known/openid-configuration".into(),
                expected: expected.into(),
                found: found.into(),
            }
            .to_string()
        };
        let slash = err("https://idp/realms/a/", "https://idp/realms/a");
        assert!(
            slash.contains(
                r#"for issuer "https://idp/realms/a", not the configured "https://idp/realms/a/""#
            ),
            "{slash}"
        );
        assert!(slash.contains("trailing `/`"), "{slash}");
        let scheme = err("http://idp/realms/a", "https://idp/realms/a");
        assert!(scheme.contains("only in the scheme"), "{scheme}");
        let other = err("https://idp/realms/a", "https://evil/realms/a");
        assert!(
            other.ends_with(r#"not the configured "https://idp/realms/a""#),
            "{other}"
        );
    }

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://idp.example/realms/a",
            "http://127.0.0.1:8080/realms/a",
            "http://127.8.0.1/x",
            "http://localhost:18080/x",
            "http://[::1]:80/x",
        ] {
            assert!(secure_or_loopback(&Url::parse(ok).expect("url")), "{ok}");
        }
        for bad in [
            "http://idp.example/realms/a",
            "http://localhost.evil.example/x",
            "http://10.0.0.1/x",
            "ftp://idp.example/x",
            "file:///etc/passwd",
        ] {
            assert!(!secure_or_loopback(&Url::parse(bad).expect("url")), "{bad}");
        }
    }
}
