//! A tower `Layer` that validates the bearer token of every request (feature `tower`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::validation_error::ValidationError;
use crate::validator::Validator;

/// Validates `Authorization: Bearer <token>` on every request with a [`Validator`], puts the
/// [`VerifiedToken`](crate::VerifiedToken) in the request extensions, and answers 401/403/503
/// itself (empty body, `WWW-Authenticate` per RFC 6750) when the token is refused.
///
/// The token is read from the `Authorization` header only (RFC 6750 section 2.1): the scheme
/// is case-insensitive, and exactly one header with exactly one token is accepted. Tokens in
/// an `access_token` query parameter (section 2.3) or a form body (section 2.2) are not
/// supported: a request with only those is answered 401 like one without a token, and a
/// request with a token in the header **and** an `access_token` query parameter gets
/// `400 invalid_request` (section 3.1: more than one method).
///
/// # Examples
/// ```no_run
/// # #[cfg(feature = "axum")] {
/// use aps_jwt::{BearerLayer, Validator, VerifiedToken};
/// use axum::{Router, routing::get};
///
/// async fn hello(token: VerifiedToken) -> String {
///     format!("hello {}", token.client_id().unwrap_or("?"))
/// }
///
/// # fn build() -> Result<Router, aps_jwt::Error> {
/// let validator = Validator::builder()
///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
///     .scope("Function1/read")
///     .build()?;
/// let app: Router = Router::new().route("/", get(hello)).layer(BearerLayer::new(validator));
/// # Ok(app) }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BearerLayer {
    validator: Validator,
}

impl BearerLayer {
    /// A layer validating with `validator`.
    #[must_use]
    pub fn new(validator: Validator) -> Self {
        BearerLayer { validator }
    }
}

impl<S> Layer<S> for BearerLayer {
    type Service = Bearer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Bearer {
            inner,
            validator: self.validator.clone(),
        }
    }
}

/// The service [`BearerLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct Bearer<S> {
    inner: S,
    validator: Validator,
}

/// The token of a request's `Authorization` header: exactly one header, scheme `Bearer` in
/// any case, one token of RFC 6750 `b64token` characters.
///
/// # Errors
/// [`ValidationError::Missing`] without a bearer credential, [`ValidationError::Malformed`]
/// for several `Authorization` headers or a malformed credential.
///
/// # Examples
/// ```
/// use aps_jwt::{ValidationError, bearer_token};
/// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc.def.ghi"));
/// assert_eq!(bearer_token(&headers), Ok("abc.def.ghi"));
/// headers.append(AUTHORIZATION, HeaderValue::from_static("Bearer other"));
/// assert!(matches!(bearer_token(&headers), Err(ValidationError::Malformed(_))));
/// ```
pub fn bearer_token(headers: &http::HeaderMap) -> Result<&str, ValidationError> {
    let value = authorization(headers)?;
    match bearer_credential(value.as_bytes()) {
        // Only `Bearer`, spaces and b64token characters: ASCII, so valid UTF-8.
        Ok(token) => std::str::from_utf8(token)
            .map_err(|_| ValidationError::Malformed("Authorization header is not ASCII")),
        Err(_) if value.to_str().is_err() => Err(ValidationError::Malformed(
            "Authorization header is not ASCII",
        )),
        Err(err) => Err(err),
    }
}

/// The one `Authorization` header.
fn authorization(headers: &http::HeaderMap) -> Result<&HeaderValue, ValidationError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(ValidationError::Missing)?;
    if values.next().is_some() {
        return Err(ValidationError::Malformed("several Authorization headers"));
    }
    Ok(value)
}

/// The token of an `Authorization` value, read as bytes (one pass over a token of kilobytes).
fn bearer_credential(value: &[u8]) -> Result<&[u8], ValidationError> {
    let token = unchecked_credential(value)?;
    let body = trim_end(token, b'=');
    if body.is_empty() || !all_b64token(body) {
        return Err(ValidationError::Malformed("not a single bearer token"));
    }
    Ok(token)
}

/// What follows `Bearer ` in an `Authorization` value, without the spaces around it, its
/// characters not checked yet.
fn unchecked_credential(value: &[u8]) -> Result<&[u8], ValidationError> {
    let space = value
        .iter()
        .position(|&b| b == b' ')
        .ok_or(ValidationError::Missing)?;
    let (scheme, token) = (&value[..space], &value[space + 1..]);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Err(ValidationError::Missing);
    }
    Ok(trim_end(trim_start(token, b' '), b' '))
}

/// The verified token of a request whose bearer token the validator has verified before and
/// cached: its characters need no check, since only valid compact JWSs are ever cached.
fn cache_hit(validator: &Validator, request: &Request<impl Sized>) -> Option<crate::VerifiedToken> {
    if has_query_token(request.uri()) {
        return None;
    }
    let value = authorization(request.headers()).ok()?;
    validator.cached(unchecked_credential(value.as_bytes()).ok()?)
}

/// RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
/// Without an early exit inside a chunk, so that the compiler can check many bytes at once.
fn all_b64token(bytes: &[u8]) -> bool {
    let not_b64token = |b: u8| {
        // `-`, `.`, `/` and the digits are one range; `| 0x20` folds upper case onto lower.
        let ok = (b.wrapping_sub(b'-') < 13)
            | ((b | 0x20).wrapping_sub(b'a') < 26)
            | (b == b'_')
            | (b == b'~')
            | (b == b'+');
        u8::from(!ok)
    };
    bytes
        .chunks(64)
        .all(|chunk| chunk.iter().fold(0, |bad, &b| bad | not_b64token(b)) == 0)
}

fn trim_start(bytes: &[u8], byte: u8) -> &[u8] {
    let start = bytes.iter().position(|&b| b != byte).unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim_end(bytes: &[u8], byte: u8) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != byte).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Whether the query has an `access_token` parameter (RFC 6750 section 2.3), whatever its value.
fn has_query_token(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "access_token")
    })
}

/// The response for a refused request: status, `WWW-Authenticate`, empty body.
pub(crate) fn refusal<B: Default>(err: &ValidationError) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    if let Some(value) = err
        .www_authenticate()
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Bearer<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // A token verified before: no waiting, so the ready service is called here and now.
        if let Some(verified) = cache_hit(&self.validator, &request) {
            request.extensions_mut().insert(verified);
            return Box::pin(self.inner.call(request));
        }
        // The clone is not ready yet; the ready one goes into the future (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let validator = self.validator.clone();
        Box::pin(async move {
            let verified = match bearer_token(request.headers()) {
                Ok(_) if has_query_token(request.uri()) => Err(validator.refuse(
                    ValidationError::InvalidRequest(
                        "a token in both the Authorization header and the query",
                    ),
                    None,
                )),
                Ok(token) => validator.validate_uncached(token).await,
                Err(err) => Err(validator.refuse(err, None)),
            };
            match verified {
                Ok(token) => {
                    request.extensions_mut().insert(token);
                    inner.call(request).await
                }
                Err(err) => Ok(refusal(&err)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading of the header before it went bytewise (issue 13): the reference the
    /// bytewise one must agree with.
    fn reference(value: &HeaderValue) -> Result<&str, ValidationError> {
        let value = value
            .to_str()
            .map_err(|_| ValidationError::Malformed("Authorization header is not ASCII"))?;
        let (scheme, token) = value.split_once(' ').ok_or(ValidationError::Missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ValidationError::Missing);
        }
        let token = token.trim_start_matches(' ').trim_end_matches(' ');
        let b64token = |c: char| c.is_ascii_alphanumeric() || "-._~+/".contains(c);
        let body = token.trim_end_matches('=');
        if body.is_empty() || !body.chars().all(b64token) {
            return Err(ValidationError::Malformed("not a single bearer token"));
        }
        Ok(token)
    }

    #[test]
    fn the_bytewise_reading_agrees_with_the_reference() {
        let pieces: [&[u8]; 16] = [
            b"Bearer",
            b"bEARER",
            b"Basic",
            b" ",
            b"  ",
            b"\t",
            b"abc",
            b"a.b-c_d~e+f/g",
            b"=",
            b"==",
            b",",
            b"\xff",
            b"\xc3\xa9",
            b"0",
            b"B\xc3\xa9arer",
            b"\x7f",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in [&b""[..], b"=", b" ", b"x"] {
                        let value = [a, b, c, d].concat();
                        let Ok(value) = HeaderValue::from_bytes(&value) else {
                            continue;
                        };
                        let mut map = http::HeaderMap::new();
                        map.insert(AUTHORIZATION, value.clone());
                        assert_eq!(bearer_token(&map), reference(&value), "{value:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    fn headers(values: &[&str]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for v in values {
            map.append(AUTHORIZATION, HeaderValue::from_str(v).expect("header"));
        }
        map
    }

    #[test]
    fn bearer_extraction() {
        assert_eq!(
            bearer_token(&headers(&["Bearer abc.def.ghi"])),
            Ok("abc.def.ghi")
        );
        assert_eq!(bearer_token(&headers(&["bEaReR abc"])), Ok("abc"));
        assert_eq!(bearer_token(&headers(&["Bearer ab=="])), Ok("ab=="));
        assert_eq!(bearer_token(&headers(&[])), Err(ValidationError::Missing));
        assert_eq!(
            bearer_token(&headers(&["Basic dXNlcjpwYXNz"])),
            Err(ValidationError::Missing)
        );
        assert_eq!(
            bearer_token(&headers(&["Bearer"])),
            Err(ValidationError::Missing)
        );
        for bad in [
            &["Bearer a b"][..],
            &["Bearer "],
            &["Bearer a,b"],
            &["Bearer a=b"],
            &["Bearer ="],
            &["Bearer a", "Bearer a"],
        ] {
            assert!(
                matches!(
                    bearer_token(&headers(bad)),
                    Err(ValidationError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }
}
