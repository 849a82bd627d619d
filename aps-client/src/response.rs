//! Turns the token endpoint's answer into a [`Token`] or a typed error. No I/O.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::error::{AssertionFacts, Error, OAuthError};
use crate::token::{Token, TokenParts};

/// The largest body read from a token endpoint; a token response is a few kilobytes.
pub(crate) const MAX_BODY: usize = 256 * 1024;

/// What the parser needs to know besides the answer itself.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub(crate) url: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) requested_scope: Option<&'a str>,
    pub(crate) sent_at: Instant,
    pub(crate) default_lifetime: Duration,
    /// The `aud` and `kid` of the client assertion sent, with `private_key_jwt`.
    pub(crate) assertion: Option<(&'a str, &'a str)>,
}

/// An HTTP answer: status, `Content-Type`, `Retry-After` and body.
#[derive(Debug)]
pub(crate) struct Answer<'a> {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: &'a [u8],
}

#[derive(Deserialize)]
struct Success {
    access_token: Option<Value>,
    token_type: Option<Value>,
    expires_in: Option<Value>,
    scope: Option<Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct Failure {
    error: String,
    error_description: Option<String>,
    error_uri: Option<String>,
}

/// Parses a token endpoint answer.
pub(crate) fn parse(answer: &Answer<'_>, cx: &Context<'_>) -> Result<Token, Error> {
    if !answer.status.is_success() {
        if let Ok(failure) = serde_json::from_slice::<Failure>(answer.body) {
            return Err(OAuthError {
                code: failure.error.as_str().into(),
                description: failure.error_description,
                uri: failure.error_uri,
                status: answer.status,
                client_id: cx.client_id.to_owned(),
                retry_after: answer.retry_after,
                assertion: cx.assertion.map(|(audience, key_id)| AssertionFacts {
                    audience: audience.to_owned(),
                    key_id: key_id.to_owned(),
                }),
            }
            .into());
        }
        return Err(unexpected(answer, cx));
    }
    let Ok(success) = serde_json::from_slice::<Success>(answer.body) else {
        return Err(unexpected(answer, cx));
    };
    let invalid = |field, reason: &str| Error::InvalidTokenResponse {
        url: cx.url.to_owned(),
        field,
        reason: reason.to_owned(),
    };
    let access_token = match success.access_token {
        Some(Value::String(t)) if !t.is_empty() => t,
        Some(Value::String(_)) => return Err(invalid("access_token", "empty")),
        Some(_) => return Err(invalid("access_token", "not a string")),
        None => return Err(invalid("access_token", "missing")),
    };
    match success.token_type {
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
        Some(Value::String(t)) => {
            return Err(invalid(
                "token_type",
                &format!("`{t:.40}` is not Bearer; only bearer tokens are supported"),
            ));
        }
        Some(_) => return Err(invalid("token_type", "not a string")),
        None => return Err(invalid("token_type", "missing")),
    }
    let lifetime = match success.expires_in {
        None | Some(Value::Null) => None,
        Some(value) => Some(expires_in(&value).ok_or_else(|| {
            // serde_json's `Value` ignores a format precision: cut it by hand.
            let shown: String = value.to_string().chars().take(40).collect();
            invalid(
                "expires_in",
                &format!("`{shown}` is not a non-negative number of seconds"),
            )
        })?),
    };
    // An omitted scope stays unknown (`None`), not the requested one: not every server that
    // leaves it out granted exactly what was asked.
    let scope = match success.scope {
        Some(Value::String(s)) => Some(s),
        None | Some(Value::Null) => None,
        Some(_) => return Err(invalid("scope", "not a string")),
    };
    let parts = TokenParts {
        access_token,
        lifetime,
        scope,
        requested_scope: cx.requested_scope.map(str::to_owned),
        extra: success.extra,
    };
    Token::new(parts, cx.sent_at, cx.default_lifetime).ok_or_else(|| {
        invalid(
            "access_token",
            "contains characters that cannot go in an HTTP header",
        )
    })
}

/// `expires_in` as a number, or as a string holding one (some servers send `"3600"`).
fn expires_in(value: &Value) -> Option<Duration> {
    let seconds = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (0.0..1e10)
        .contains(&seconds)
        .then(|| Duration::from_secs_f64(seconds))
}

/// The error for a body that is not an OAuth answer, saying in a few words what it was. A 2xx
/// body is described, never quoted: it may be a token response with a syntax error.
fn unexpected(answer: &Answer<'_>, cx: &Context<'_>) -> Error {
    let summary = if answer.status.is_success() {
        describe(answer.content_type, answer.body)
    } else {
        summarize(answer.content_type, answer.body)
    };
    Error::UnexpectedResponse {
        url: cx.url.to_owned(),
        status: answer.status,
        summary,
        retry_after: answer.retry_after,
    }
}

/// What a body is, without a word of it: "an empty body", "an HTML page of 812 bytes, not
/// shown (…)", "application/json: 96 bytes, not shown (…)".
fn describe(content_type: Option<&str>, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let trimmed = text.trim();
    let content_type = content_type.unwrap_or("no content type");
    if trimmed.is_empty() {
        return format!("an empty body ({content_type})");
    }
    let n = body.len();
    if is_html(content_type, &trimmed.to_ascii_lowercase()) {
        return format!(
            "an HTML page of {n} bytes, not shown (a login page or a proxy in front of the \
             token endpoint?)"
        );
    }
    format!("{content_type}: {n} bytes, not shown (a successful answer may hold a token)")
}

fn is_html(content_type: &str, lower: &str) -> bool {
    content_type.contains("html")
        || lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
}

/// "an empty body", "an HTML page titled \"Bad Gateway\"", "text/plain: upstream timed out". A
/// body that may carry a credential (`access_token`, `client_secret`, `client_assertion`, or
/// anything like a JWT) is described, never quoted.
pub(crate) fn summarize(content_type: Option<&str>, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let trimmed = text.trim();
    let content_type = content_type.unwrap_or("no content type");
    if trimmed.is_empty() {
        return format!("an empty body ({content_type})");
    }
    let lower = trimmed.to_ascii_lowercase();
    let credential = ["access_token", "client_secret", "client_assertion", "eyj"];
    if credential.iter().any(|marker| lower.contains(marker)) {
        return format!(
            "{content_type}: {} bytes that may hold a credential (not shown)",
            body.len()
        );
    }
    if is_html(content_type, &lower) {
        return match title(trimmed, &lower) {
            Some(title) => format!("an HTML page titled {title:?}"),
            None => "an HTML page".to_owned(),
        };
    }
    let snippet: String = trimmed
        .chars()
        .take(120)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let more = if trimmed.chars().count() > 120 {
        "…"
    } else {
        ""
    };
    format!("{content_type}: {snippet}{more}")
}

fn title<'a>(text: &'a str, lower: &str) -> Option<&'a str> {
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title = text.get(open_end..close)?.trim();
    let end = title
        .char_indices()
        .nth(100)
        .map_or(title.len(), |(at, _)| at);
    (!title.is_empty()).then(|| &title[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn cx() -> Context<'static> {
        Context {
            url: "https://idp/token",
            client_id: "app-1",
            requested_scope: Some("Function1/read"),
            sent_at: Instant::now(),
            default_lifetime: Duration::from_secs(60),
            assertion: None,
        }
    }

    fn answer(status: u16, content_type: &'static str, body: &'static str) -> Answer<'static> {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
            content_type: Some(content_type),
            retry_after: None,
            body: body.as_bytes(),
        }
    }

    fn success(body: &'static str) -> Token {
        parse(&answer(200, "application/json", body), &cx()).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn keycloak_success_with_extra_fields() {
        let body = r#"{"access_token":"eyJ.a.b","expires_in":300,"refresh_expires_in":0,
            "token_type":"Bearer","not-before-policy":0,"scope":"profile email"}"#;
        let token = parse(&answer(200, "application/json", body), &cx()).unwrap();
        assert_eq!(token.secret(), "eyJ.a.b");
        assert_eq!(token.lifetime(), Duration::from_secs(300));
        assert!(token.lifetime_reported());
        assert_eq!(token.scope(), Some("profile email"));
        assert_eq!(token.extra("not-before-policy"), Some(&Value::from(0)));
    }

    #[tokio::test(start_paused = true)]
    async fn token_type_is_case_insensitive_and_expires_in_may_be_a_string_or_absent() {
        let token = parse(
            &answer(
                200,
                "application/json",
                r#"{"access_token":"t","token_type":"bEARER","expires_in":"120"}"#,
            ),
            &cx(),
        )
        .unwrap();
        assert_eq!(token.lifetime(), Duration::from_secs(120));
        let token = success(r#"{"access_token":"t","token_type":"bearer"}"#);
        assert_eq!(
            token.lifetime(),
            Duration::from_secs(60),
            "the default lifetime"
        );
        assert!(!token.lifetime_reported());
        assert_eq!(token.requested_scope(), Some("Function1/read"));
    }

    #[tokio::test(start_paused = true)]
    async fn issue_12_an_omitted_scope_is_unknown_not_the_requested_one() {
        let token = success(r#"{"access_token":"t","token_type":"Bearer"}"#);
        assert_eq!(token.scope(), None, "unknown: the server did not say");
        assert_eq!(token.scopes().count(), 0);
        assert_eq!(token.requested_scope(), Some("Function1/read"));
        let said = success(r#"{"access_token":"t","token_type":"Bearer","scope":"profile"}"#);
        assert_eq!(said.scope(), Some("profile"), "granted as the server said");
    }

    #[tokio::test(start_paused = true)]
    async fn bad_success_bodies_name_the_field() {
        for (body, field) in [
            (r#"{"token_type":"Bearer"}"#, "access_token"),
            (
                r#"{"access_token":"","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":5,"token_type":"Bearer"}"#,
                "access_token",
            ),
            (r#"{"access_token":"t"}"#, "token_type"),
            (r#"{"access_token":"t","token_type":"DPoP"}"#, "token_type"),
            (
                r#"{"access_token":"t","token_type":"Bearer","expires_in":-5}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"t","token_type":"Bearer","expires_in":"soon"}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"a\nb","token_type":"Bearer"}"#,
                "access_token",
            ),
        ] {
            match parse(&answer(200, "application/json", body), &cx()) {
                Err(Error::InvalidTokenResponse { field: f, .. }) => assert_eq!(f, field, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_bad_expires_in_is_quoted_short() {
        let body = format!(
            r#"{{"access_token":"t","token_type":"Bearer","expires_in":"{}"}}"#,
            "9".repeat(10_000) + "x"
        );
        let answer = Answer {
            body: body.as_bytes(),
            ..answer(200, "application/json", "")
        };
        let err = parse(&answer, &cx()).unwrap_err().to_string();
        assert!(err.contains("expires_in"), "{err}");
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn rfc6749_errors_are_typed_with_status_and_description() {
        let err = parse(
            &answer(
                400,
                "application/json",
                r#"{"error":"invalid_scope","error_description":"Invalid scopes: x"}"#,
            ),
            &cx(),
        )
        .unwrap_err();
        let oauth = err.oauth().unwrap();
        assert_eq!(oauth.code, ErrorCode::InvalidScope);
        assert_eq!(oauth.description.as_deref(), Some("Invalid scopes: x"));
        assert_eq!(oauth.status, StatusCode::BAD_REQUEST);
        assert_eq!(oauth.client_id, "app-1");
    }

    #[test]
    fn html_and_garbage_bodies_say_what_came_back() {
        let html = "<!DOCTYPE html><html><head><title> 502 Bad Gateway </title></head><body>nginx</body></html>";
        let err = parse(&answer(502, "text/html", html), &cx()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "https://idp/token answered 502 Bad Gateway with an HTML page titled \"502 Bad Gateway\", not an OAuth JSON response"
        );
        assert!(err.is_transient());
        let err = parse(&answer(404, "text/plain", "hello\u{1}world"), &cx()).unwrap_err();
        assert!(err.to_string().contains("text/plain: hello world"), "{err}");
        assert!(!err.is_transient());
        let err = parse(&answer(200, "application/json", "   "), &cx()).unwrap_err();
        assert!(err.to_string().contains("an empty body"), "{err}");
        let err = parse(
            &answer(401, "application/json", r#"{"message":"nope"}"#),
            &cx(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    }

    #[test]
    fn bodies_that_may_hold_a_token_are_not_quoted() {
        for status in [200, 400, 502] {
            for body in [
                "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&token_type=bearer",
                r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.sig","token_type":"Bear"#,
                "upstream said: eyJhbGciOiJSUzI1NiJ9.e30.sig",
            ] {
                let err = parse(&answer(status, "text/plain", body), &cx()).unwrap_err();
                let text = err.to_string();
                assert!(text.contains("not shown"), "{text}");
                assert!(
                    !text.contains("gho_16C7") && !text.contains("e30.sig"),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn issue_12_no_2xx_body_and_nothing_with_a_credential_is_quoted() {
        // An opaque token in slightly broken JSON (a trailing comma): no `eyJ`, no `=`.
        let broken = r#"{"access_token":"opaque-7f3a9c","token_type":"Bearer",}"#;
        let err = parse(&answer(200, "application/json", broken), &cx()).unwrap_err();
        assert!(!err.to_string().contains("opaque-7f3a9c"), "{err}");
        assert!(err.to_string().contains("not shown"), "{err}");
        let plain = parse(&answer(200, "text/plain", "hello"), &cx()).unwrap_err();
        assert!(!plain.to_string().contains("hello"), "{plain}");
        for body in [
            r#"{"message":"bad client_secret s3cr3t-value"}"#,
            "client_assertion=abc.def.ghi rejected",
            r#"{"Access_Token":"opaque-7f3a9c"}"#,
        ] {
            let err = parse(&answer(400, "application/json", body), &cx()).unwrap_err();
            let text = err.to_string();
            for secret in ["s3cr3t-value", "abc.def.ghi", "opaque-7f3a9c"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn a_long_title_is_cut_between_characters() {
        let html = format!(
            "<html><title>{}{}</title></html>",
            "a".repeat(99),
            "é".repeat(50)
        );
        let summary = summarize(Some("text/html"), html.as_bytes());
        let expected = format!("an HTML page titled \"{}é\"", "a".repeat(99));
        assert_eq!(summary, expected);
    }

    #[test]
    fn long_bodies_are_cut() {
        let long: &'static str = Box::leak("x".repeat(10_000).into_boxed_str());
        let summary = summarize(Some("text/plain"), long.as_bytes());
        assert!(summary.len() < 200 && summary.ends_with('…'), "{summary}");
    }
}
