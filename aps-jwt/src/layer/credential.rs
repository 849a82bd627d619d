//! Where the bearer token of a request is: one `Authorization` header, scheme `Bearer`, RFC 6750
//! `b64token` characters; read as bytes, since a token is kilobytes long.

use http::HeaderValue;
use http::header::AUTHORIZATION;

use crate::validation_error::ValidationError;

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
pub(super) fn authorization(headers: &http::HeaderMap) -> Result<&HeaderValue, ValidationError> {
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
pub(super) fn unchecked_credential(value: &[u8]) -> Result<&[u8], ValidationError> {
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
pub(super) fn has_query_token(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "access_token")
    })
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
