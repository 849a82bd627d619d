//! Parsing a compact JWS access token into its header and claims, once, without trusting it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};

use crate::alg::Algorithm;
use crate::claims::Claims;
use crate::encoding::b64url_decode;
use crate::validation_error::ValidationError;

/// The JOSE header members the validator looks at. `jku`, `x5u`, `jwk` and `x5c` are read only
/// to be ignored: a key is never taken from the token itself (RFC 8725 section 3.10).
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    /// `None` for an algorithm this crate does not know (refused as not allowed).
    #[serde(deserialize_with = "algorithm")]
    pub(crate) alg: Option<Algorithm>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) kid: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) typ: Option<String>,
    /// Whether the header has a `crit` member, whatever its value (even `null`).
    #[serde(default, deserialize_with = "present")]
    pub(crate) crit: bool,
    #[serde(default)]
    pub(crate) x5c: Option<Vec<String>>,
}

/// A token split and decoded, not yet verified.
pub(crate) struct Parsed<'a> {
    pub(crate) header: Header,
    pub(crate) claims: Claims,
    pub(crate) signing_input: &'a str,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes `token`, checking only its shape.
pub(crate) fn parse(token: &str, max_size: usize) -> Result<Parsed<'_>, ValidationError> {
    if token.len() > max_size {
        return Err(ValidationError::TooLarge { max: max_size });
    }
    let malformed = ValidationError::Malformed;
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or(malformed("not a compact JWS"))?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(malformed("not a compact JWS"))?;
    let header = b64url_decode(header).ok_or(malformed("header is not base64url"))?;
    // `.` is not base64url: a JWE or extra parts fail here (the check is not worth a scan).
    let payload = b64url_decode(payload).ok_or_else(|| {
        malformed(if payload.contains('.') {
            "not a compact JWS (JWE or extra parts)"
        } else {
            "payload is not base64url"
        })
    })?;
    let signature = b64url_decode(signature).ok_or(malformed("signature is not base64url"))?;
    if !is_json_object(&header) {
        return Err(malformed("header is not a JSON object"));
    }
    if !is_json_object(&payload) {
        return Err(malformed("payload is not a JSON object"));
    }
    // JSON text is UTF-8 (RFC 8259 section 8.1): checked once over each part, so that serde
    // does not check every string again (and `raw_claims` is the text as signed).
    let header: Header = std::str::from_utf8(&header)
        .ok()
        .and_then(|header| serde_json::from_str(header).ok())
        .ok_or(malformed("header is not a valid JOSE header"))?;
    if header.crit {
        // RFC 7515 section 4.1.11: no extension is understood here, so none may be critical.
        return Err(ValidationError::CriticalHeader);
    }
    let text = String::from_utf8(payload).map_err(|_| malformed("payload is not UTF-8"))?;
    let claims = Claims::parse(text).map_err(|e| {
        if e.is_data() {
            ValidationError::InvalidClaims
        } else {
            malformed("payload is not a JSON object")
        }
    })?;
    Ok(Parsed {
        header,
        claims,
        signing_input,
        signature,
    })
}

/// `true` for a member that is there, whatever its value: `"crit": null` is not "absent".
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// `alg`: a string, compared exactly (RFC 7515 section 4.1.1), read without allocating.
fn algorithm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Algorithm>, D::Error> {
    struct Name;
    impl Visitor<'_> for Name {
        type Value = Option<Algorithm>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an algorithm name")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.parse().ok())
        }
    }
    deserializer.deserialize_str(Name)
}

/// A member that, when present, must be a string: `"kid": null` is refused rather than read as
/// "no kid", as a numeric `kid` is.
fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

/// serde would also read a struct from a JSON array; a JOSE header and a claims set are objects.
fn is_json_object(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url;

    fn token(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes())
        )
    }

    fn claims(json: &str) -> Result<Claims, ValidationError> {
        parse(&token(r#"{"alg":"RS256"}"#, json), 1 << 16).map(|p| p.claims)
    }

    #[test]
    fn numeric_dates_must_be_in_range_numbers() {
        assert_eq!(
            claims(r#"{"exp":1700000000}"#).unwrap().exp,
            Some(1_700_000_000)
        );
        assert_eq!(
            claims(r#"{"exp":1700000000.9}"#).unwrap().exp,
            Some(1_700_000_000)
        );
        assert_eq!(claims("{}").unwrap().exp, None);
        for bad in [
            r#"{"exp":"1700000000"}"#,
            r#"{"exp":null}"#,
            r#"{"exp":true}"#,
            r#"{"exp":-1}"#,
            r#"{"exp":1e300}"#,
            r#"{"exp":18446744073709551615}"#,
            r#"{"nbf":[1]}"#,
            r#"{"iat":{}}"#,
        ] {
            assert!(
                matches!(claims(bad), Err(ValidationError::InvalidClaims)),
                "{bad}"
            );
        }
    }

    /// Issue 11, section 2: `null` where a string is required is refused, consistently.
    #[test]
    fn issue_11_null_is_never_read_as_an_absent_string() {
        for member in [
            "iss",
            "sub",
            "jti",
            "typ",
            "azp",
            "scope",
            "client_id",
            "clientId",
            "preferred_username",
            "payloadhash",
        ] {
            let json = format!(r#"{{"{member}":null}}"#);
            assert!(
                matches!(claims(&json), Err(ValidationError::InvalidClaims)),
                "{member}"
            );
            let json = format!(r#"{{"{member}":"x"}}"#);
            assert!(claims(&json).is_ok(), "{member}");
        }
        for header in [
            r#"{"alg":"RS256","kid":null}"#,
            r#"{"alg":"RS256","typ":null}"#,
            r#"{"alg":"RS256","kid":1}"#,
        ] {
            assert!(
                matches!(
                    parse(&token(header, "{}"), 1 << 16),
                    Err(ValidationError::Malformed(_))
                ),
                "{header}"
            );
        }
        assert!(parse(&token(r#"{"alg":"RS256"}"#, "{}"), 1 << 16).is_ok());
    }

    #[test]
    fn audience_is_a_string_or_array_of_strings() {
        assert_eq!(claims(r#"{"aud":"a"}"#).unwrap().aud(), ["a"]);
        assert_eq!(claims(r#"{"aud":["a","b"]}"#).unwrap().aud(), ["a", "b"]);
        assert!(claims(r#"{"aud":1}"#).is_err());
        assert!(claims(r#"{"aud":["a",1]}"#).is_err());
    }

    #[test]
    fn duplicate_members_are_rejected() {
        assert!(claims(r#"{"iss":"a","iss":"b"}"#).is_err());
        let dup_alg = token(r#"{"alg":"RS256","alg":"none"}"#, "{}");
        assert!(parse(&dup_alg, 1 << 16).is_err());
    }

    #[test]
    fn a_crit_member_is_refused_whatever_its_value() {
        for crit in ["[\"exp\"]", "[]", "null", "0", "{}"] {
            let header = format!(r#"{{"alg":"RS256","crit":{crit}}}"#);
            assert!(
                matches!(
                    parse(&token(&header, "{}"), 1 << 16),
                    Err(ValidationError::CriticalHeader)
                ),
                "{crit}"
            );
        }
        assert!(parse(&token(r#"{"alg":"RS256"}"#, "{}"), 1 << 16).is_ok());
    }

    #[test]
    fn base64url_must_be_canonical() {
        // "c2k" is "si"; "c2l" decodes to the same bytes with non-zero trailing bits. Accepting
        // it would let one signed token be spelled in several ways.
        let token =
            |sig: &str| format!("{}.{}.{sig}", b64url(br#"{"alg":"RS256"}"#), b64url(b"{}"));
        assert_eq!(
            parse(&token("c2k"), 1000).map(|p| p.signature).ok(),
            Some(b"si".to_vec())
        );
        assert!(matches!(
            parse(&token("c2l"), 1000),
            Err(ValidationError::Malformed(_))
        ));
    }

    #[test]
    fn alg_is_required_and_compared_exactly() {
        let alg = |header: &str| parse(&token(header, "{}"), 1 << 16).map(|p| p.header.alg);
        assert_eq!(alg(r#"{"alg":"RS256"}"#).ok(), Some(Some(Algorithm::RS256)));
        for unknown in ["none", "rs256", "RS256 ", "HS256", ""] {
            let header = format!(r#"{{"alg":"{unknown}"}}"#);
            assert_eq!(alg(&header).ok(), Some(None), "{unknown}");
        }
        for malformed in [r#"{}"#, r#"{"alg":null}"#, r#"{"alg":256}"#] {
            assert!(
                matches!(alg(malformed), Err(ValidationError::Malformed(_))),
                "{malformed}"
            );
        }
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(
            parse("a.b", 100),
            Err(ValidationError::Malformed(_))
        ));
        assert!(matches!(
            parse("a.b.c.d.e", 100),
            Err(ValidationError::Malformed(_))
        ));
        assert!(matches!(
            parse(&"a".repeat(101), 100),
            Err(ValidationError::TooLarge { max: 100 })
        ));
        let padded = format!("{}=.e30.c2ln", b64url(br#"{"alg":"RS256"}"#));
        assert!(parse(&padded, 1000).is_err());
        let array_payload = token(r#"{"alg":"RS256"}"#, "[]");
        assert!(parse(&array_payload, 1000).is_err());
    }
}
