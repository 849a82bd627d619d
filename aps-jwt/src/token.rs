//! Parsing a compact JWS access token into its header and claims, once, without trusting it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};

use crate::encoding::b64url_decode;
use crate::validation_error::ValidationError;

/// The JOSE header members the validator looks at. `jku`, `x5u`, `jwk` and `x5c` are read only
/// to be ignored: a key is never taken from the token itself (RFC 8725 section 3.10).
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    pub(crate) alg: String,
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

/// The registered claims plus Keycloak's, typed. Duplicate members among these are rejected by
/// serde, so a token cannot say two different things about the same claim. A string claim that
/// is present must be a string: `null` is an error, never "absent" (as for the NumericDates).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Claims {
    #[serde(default, deserialize_with = "string")]
    pub(crate) iss: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) sub: Option<String>,
    #[serde(default, deserialize_with = "audience")]
    pub(crate) aud: Vec<String>,
    #[serde(default, deserialize_with = "numeric_date")]
    pub(crate) exp: Option<i64>,
    #[serde(default, deserialize_with = "numeric_date")]
    pub(crate) nbf: Option<i64>,
    #[serde(default, deserialize_with = "numeric_date")]
    pub(crate) iat: Option<i64>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) jti: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) typ: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) azp: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) realm_access: Option<Access>,
    #[serde(default)]
    pub(crate) resource_access: Option<ResourceAccess>,
    #[serde(default, rename = "clientId", deserialize_with = "string")]
    pub(crate) client_id_camel: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) client_id: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) preferred_username: Option<String>,
    #[serde(default, deserialize_with = "string")]
    pub(crate) payloadhash: Option<String>,
}

/// `realm_access` or one `resource_access` entry.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct Access {
    #[serde(default)]
    pub(crate) roles: Vec<String>,
}

/// `resource_access`: the roles of each client, in the order of the token. A small list is
/// cheaper to build than a hash map (no hasher, no table) for the handful of clients a token
/// names, and a lookup walks it from the end, so a duplicate member means what it meant in a
/// map: the last one wins.
#[derive(Debug, Default, Clone)]
pub(crate) struct ResourceAccess(Vec<(String, Access)>);

impl ResourceAccess {
    /// The roles of `client`.
    pub(crate) fn get(&self, client: &str) -> Option<&Access> {
        self.0
            .iter()
            .rev()
            .find(|(c, _)| c == client)
            .map(|(_, a)| a)
    }

    /// Adds or replaces the roles of `client`.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, client: String, access: Access) -> Option<Access> {
        let old = self.0.iter().rposition(|(c, _)| *c == client);
        self.0.push((client, access));
        old.map(|i| self.0.remove(i).1)
    }
}

impl<'de> Deserialize<'de> for ResourceAccess {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Clients;
        impl<'de> Visitor<'de> for Clients {
            type Value = ResourceAccess;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of clients to roles")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut clients = Vec::with_capacity(map.size_hint().unwrap_or(0).min(16));
                while let Some(entry) = map.next_entry::<String, Access>()? {
                    clients.push(entry);
                }
                Ok(ResourceAccess(clients))
            }
        }
        deserializer.deserialize_map(Clients)
    }
}

/// A token split and decoded, not yet verified.
pub(crate) struct Parsed<'a> {
    pub(crate) header: Header,
    pub(crate) claims: Claims,
    pub(crate) payload: Vec<u8>,
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
    if payload.contains('.') {
        return Err(malformed("not a compact JWS (JWE or extra parts)"));
    }
    let header = b64url_decode(header).ok_or(malformed("header is not base64url"))?;
    let payload = b64url_decode(payload).ok_or(malformed("payload is not base64url"))?;
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
    let text = std::str::from_utf8(&payload).map_err(|_| malformed("payload is not UTF-8"))?;
    let claims: Claims = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            ValidationError::InvalidClaims
        } else {
            malformed("payload is not a JSON object")
        }
    })?;
    Ok(Parsed {
        header,
        claims,
        payload,
        signing_input,
        signature,
    })
}

/// `true` for a member that is there, whatever its value: `"crit": null` is not "absent".
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
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

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z. Anything larger is nonsense or an
/// overflow attempt.
const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// A NumericDate (RFC 7519 section 2): a JSON number of seconds, possibly fractional. Strings,
/// booleans, `null`, negative and absurdly large values are errors, never "absent".
fn numeric_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    struct NumericDate;
    impl Visitor<'_> for NumericDate {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a NumericDate")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            // Precision is irrelevant here: the value is only range-checked before the cast.
            #[allow(clippy::cast_precision_loss)]
            self.visit_f64(v as f64)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            #[allow(clippy::cast_precision_loss)]
            self.visit_f64(v as f64)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            if v.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&v) {
                // In range, so the cast is exact for the integer part.
                #[allow(clippy::cast_possible_truncation)]
                Ok(v.floor() as i64)
            } else {
                Err(E::custom("NumericDate out of range"))
            }
        }
    }
    deserializer.deserialize_any(NumericDate).map(Some)
}

/// `aud`: one string or an array of strings (RFC 7519 section 4.1.3).
fn audience<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    // A visitor rather than an untagged enum, which would buffer the value to try each shape.
    struct Audience;
    impl<'de> Visitor<'de> for Audience {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an array of strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(vec![v])
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(one) = seq.next_element::<String>()? {
                all.push(one);
            }
            Ok(all)
        }
    }
    deserializer.deserialize_any(Audience)
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
        assert_eq!(claims(r#"{"aud":"a"}"#).unwrap().aud, ["a"]);
        assert_eq!(claims(r#"{"aud":["a","b"]}"#).unwrap().aud, ["a", "b"]);
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
