//! Where tokens come from: an explicit token endpoint, or an issuer whose OIDC discovery
//! document names it (fetched once, cached). Also the HTTPS rule for every URL.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

use crate::response::{MAX_BODY, summarize};
use crate::sync::lock;
use crate::{Error, Result};

/// How long a discovered token endpoint is reused before discovery runs again.
const DISCOVERY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// After a failed rediscovery, how long the known token endpoint is kept before trying again.
const REDISCOVERY_RETRY: Duration = Duration::from_secs(5 * 60);

/// Checks that `url` is HTTPS, or plain HTTP on a loopback host with the opt-out set.
pub(crate) fn check_url(what: &'static str, url: &Url, allow_http_loopback: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http_loopback && is_loopback(url) => Ok(()),
        _ => Err(Error::InsecureUrl {
            what,
            url: url.to_string(),
        }),
    }
}

/// True for `localhost` and loopback IP addresses.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses a URL setting, naming the setting in the error. A URL with a user name or password
/// is refused without being echoed: it would carry a credential into logs and errors.
pub(crate) fn parse_url(field: &str, value: &str) -> Result<Url> {
    let url = Url::parse(value.trim())
        .map_err(|e| Error::config(field, format!("`{value}` is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            field,
            "the URL carries a user name or password; give credentials with client_id() and \
             client_secret() instead",
        ));
    }
    Ok(url)
}

/// The token endpoint, given or discovered.
#[derive(Debug)]
pub(crate) enum Endpoint {
    Token(Url),
    Issuer {
        issuer: Url,
        discovered: Mutex<Option<Discovered>>,
    },
}

/// What discovery found: the token endpoint, and the issuer exactly as the document writes it
/// (the assertion audience: a strict provider compares `aud` with it character for character).
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    pub(crate) token_endpoint: Url,
    pub(crate) issuer: String,
    /// When discovery runs again.
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: Option<String>,
    token_endpoint: Option<String>,
}

impl Endpoint {
    /// The URL that identifies this endpoint before any discovery (for cache keys and logs).
    pub(crate) fn configured(&self) -> &Url {
        match self {
            Self::Token(url) | Self::Issuer { issuer: url, .. } => url,
        }
    }

    /// The token endpoint, and the issuer as the discovery document wrote it when discovery
    /// ran; discovery runs when needed.
    pub(crate) async fn resolve(
        &self,
        http: &reqwest::Client,
        allow_http_loopback: bool,
    ) -> Result<(Url, Option<String>)> {
        let (issuer, cache) = match self {
            Self::Token(url) => return Ok((url.clone(), None)),
            Self::Issuer { issuer, discovered } => (issuer, discovered),
        };
        let known = lock(cache).clone();
        let found = match known {
            Some(found) if Instant::now() < found.refresh_at => found,
            known => match discover(http, issuer, allow_http_loopback).await {
                Ok(found) => found,
                // The endpoint is known: an outage of the discovery document (or a bad one)
                // must not stop token requests. Keep it, and try again a while later.
                Err(error) => {
                    let Some(mut found) = known else {
                        return Err(error);
                    };
                    tracing::warn!(target: "aps_client", %error, token_endpoint = %found.token_endpoint,
                        "OIDC rediscovery failed; keeping the known token endpoint");
                    found.refresh_at = Instant::now() + REDISCOVERY_RETRY;
                    found
                }
            },
        };
        let resolved = (found.token_endpoint.clone(), Some(found.issuer.clone()));
        *lock(cache) = Some(found);
        Ok(resolved)
    }
}

/// The discovery document URL of an issuer.
pub(crate) fn discovery_url(issuer: &Url) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    )
}

#[tracing::instrument(name = "aps_client.discover", skip_all, fields(issuer = %issuer))]
async fn discover(
    http: &reqwest::Client,
    issuer: &Url,
    allow_http_loopback: bool,
) -> Result<Discovered> {
    let url = discovery_url(issuer);
    let fail = |reason: String| Error::Discovery {
        url: url.clone(),
        status: None,
        reason,
    };
    let mut response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| Error::transport(&url, e))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = read_bounded(&mut response, &url).await?;
    if !status.is_success() {
        return Err(Error::Discovery {
            url: url.clone(),
            status: Some(status),
            reason: format!(
                "answered {status} with {}",
                summarize(content_type.as_deref(), &body)
            ),
        });
    }
    let document: Discovery = serde_json::from_slice(&body).map_err(|e| {
        fail(format!(
            "not a JSON discovery document ({e}): {}",
            summarize(content_type.as_deref(), &body)
        ))
    })?;
    let found = document
        .issuer
        .ok_or_else(|| fail("no `issuer` field".into()))?;
    if found.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
        return Err(fail(format!(
            "`issuer` is {found}, not the configured {issuer}"
        )));
    }
    let token_endpoint = document
        .token_endpoint
        .ok_or_else(|| fail("no `token_endpoint` field".into()))?;
    let token_endpoint =
        Url::parse(&token_endpoint).map_err(|e| fail(format!("`token_endpoint`: {e}")))?;
    check_url("token endpoint", &token_endpoint, allow_http_loopback)?;
    Ok(Discovered {
        token_endpoint,
        issuer: found,
        refresh_at: Instant::now() + DISCOVERY_TTL,
    })
}

/// Reads at most [`MAX_BODY`] bytes of a body.
pub(crate) async fn read_bounded(response: &mut reqwest::Response, url: &str) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(url, e))?
    {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, allow: bool) -> bool {
        check_url("token endpoint", &Url::parse(url).unwrap(), allow).is_ok()
    }

    #[test]
    fn https_always_http_only_on_loopback_with_the_opt_out() {
        assert!(check("https://idp.example/token", false));
        assert!(!check("http://idp.example/token", true));
        assert!(!check("http://127.0.0.1:8080/token", false));
        assert!(check("http://127.0.0.1:8080/token", true));
        assert!(check("http://127.8.9.10/token", true));
        assert!(check("http://[::1]:80/token", true));
        assert!(check("http://LOCALHOST/token", true));
        assert!(!check("http://localhost.evil.example/token", true));
        assert!(!check("http://10.0.0.1/token", true));
        assert!(!check("ftp://127.0.0.1/token", true));
    }

    #[test]
    fn urls_with_credentials_are_refused_without_echoing_them() {
        for url in [
            "https://user:hunter2@idp/token",
            "https://hunter2@idp/token",
        ] {
            let err = parse_url("token_endpoint", url).unwrap_err();
            assert!(err.is_config(), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        assert!(parse_url("token_endpoint", "https://idp/token").is_ok());
    }

    #[test]
    fn insecure_url_error_says_how_to_opt_out() {
        let err =
            check_url("issuer", &Url::parse("http://idp/realms/x").unwrap(), false).unwrap_err();
        assert!(
            err.to_string().contains("danger_allow_http_loopback"),
            "{err}"
        );
        assert!(err.is_config());
    }

    #[tokio::test]
    async fn issue_12_a_failed_rediscovery_keeps_the_known_token_endpoint() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        let issuer = server.uri();
        let token_endpoint = format!("{issuer}/token");
        Mock::given(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({ "issuer": issuer, "token_endpoint": token_endpoint }),
            ))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let endpoint = Endpoint::Issuer {
            issuer: Url::parse(&issuer).unwrap(),
            discovered: Mutex::new(None),
        };
        let http = reqwest::Client::new();
        let first = endpoint.resolve(&http, true).await.unwrap();
        assert_eq!(first.0.as_str(), token_endpoint);
        assert_eq!(first.1.as_deref(), Some(issuer.as_str()));
        // The TTL is over; the discovery document is down.
        if let Endpoint::Issuer { discovered, .. } = &endpoint
            && let Some(found) = lock(discovered).as_mut()
        {
            found.refresh_at = Instant::now();
        }
        let kept = endpoint.resolve(&http, true).await.unwrap();
        assert_eq!(kept, first, "the known endpoint, not an error");
        endpoint.resolve(&http, true).await.unwrap();
        let asked = server.received_requests().await.unwrap_or_default().len();
        assert_eq!(asked, 2, "no new attempt until the retry delay is over");
    }

    #[test]
    fn discovery_url_with_and_without_trailing_slash() {
        let expected = "https://idp/realms/apigw/.well-known/openid-configuration";
        assert_eq!(
            discovery_url(&Url::parse("https://idp/realms/apigw").unwrap()),
            expected
        );
        assert_eq!(
            discovery_url(&Url::parse("https://idp/realms/apigw/").unwrap()),
            expected
        );
    }
}
