//! Reading a JWT's header and claims without checking anything, for display only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The header and claims of a compact JWS, decoded but not verified.
pub(crate) fn decode_unverified(token: &str) -> Result<(Value, Value), String> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT (expected three dot-separated parts)".into());
    };
    let part = |text: &str, what: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| format!("the JWT {what} is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| format!("the JWT {what} is not JSON"))
    };
    Ok((part(header, "header")?, part(claims, "claims")?))
}

/// A token as pasted: bare, `Bearer <token>` or `Authorization: Bearer <token>`.
pub(crate) fn strip_bearer(input: &str) -> &str {
    let text = input.trim();
    let text = match text.split_once(':') {
        Some((name, rest)) if name.trim().eq_ignore_ascii_case("authorization") => rest.trim(),
        _ => text,
    };
    match text.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_header_and_claims() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
        let (header, claims) = decode_unverified(token).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(claims["sub"], "a");
        assert!(decode_unverified("opaque-token").is_err());
        assert!(decode_unverified("a.b.c.d").is_err());
        assert!(decode_unverified("e30.!!!.c2ln").is_err());
    }

    #[test]
    fn bearer_prefixes_are_dropped() {
        assert_eq!(strip_bearer(" abc \n"), "abc");
        assert_eq!(strip_bearer("Bearer abc"), "abc");
        assert_eq!(strip_bearer("authorization: bearer abc"), "abc");
    }
}
