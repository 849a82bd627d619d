//! The network, for `aps jwks URL`: one GET, HTTPS (or plain HTTP to loopback when allowed),
//! no redirects, bounded in time and size, like aps-jwt's own JWKS fetches.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use crate::failure::{Failure, Result};

/// The largest JWKS read: aps-jwt's limit.
const MAX_BYTES: usize = 256 * 1024;

/// Parses `text` as a URL that may be fetched: `https`, or `http` to a loopback host when
/// `allow_http_loopback` is set. URLs with credentials in them are refused.
pub(crate) fn checked_url(text: &str, allow_http_loopback: bool) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| Failure::usage(format!("{text}: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::usage(format!(
            "{}: credentials in a URL are refused",
            url.host_str().unwrap_or("URL")
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) && allow_http_loopback => Ok(url),
        "http" if is_loopback(&url) => Err(Failure::usage(format!(
            "{text}: plain http; pass --allow-http-loopback for a local test server"
        ))),
        _ => Err(Failure::usage(format!("{text}: must be https"))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// GETs `url` (already checked) and returns the body of a 2xx answer.
pub(crate) async fn get(url: &Url) -> Result<Vec<u8>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Failure::usage(format!("HTTP client: {e}")))?;
    let fail = |e: reqwest::Error| Failure::usage(format!("{url}: {}", e.without_url()));
    let mut response = client
        .get(url.clone())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(fail)?;
    let status = response.status();
    if !status.is_success() {
        return Err(Failure::usage(format!("{url}: HTTP {status}")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(Failure::usage(format!(
                "{url}: answer larger than {} KiB",
                MAX_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_allowed_loopback_http() {
        assert!(checked_url("https://idp.example/certs", false).is_ok());
        assert!(checked_url("http://idp.example/certs", true).is_err());
        let refused = checked_url("http://127.0.0.1:8080/certs", false).unwrap_err();
        assert!(refused.message.contains("--allow-http-loopback"));
        assert!(checked_url("http://127.0.0.1:8080/certs", true).is_ok());
        assert!(checked_url("http://localhost/certs", true).is_ok());
        assert!(checked_url("http://[::1]/certs", true).is_ok());
        assert!(checked_url("https://user:pw@idp.example/", false).is_err());
        assert!(checked_url("ftp://idp.example/", true).is_err());
        assert!(checked_url("not a url", true).is_err());
    }
}
