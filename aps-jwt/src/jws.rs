//! Compact JWS serialization (RFC 7515 section 7.1): the signing side.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::encoding::b64url;
use crate::error::{Error, Result};
use crate::signing_key::SigningKey;

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    kid: &'a str,
}

/// Signs `claims` as a compact JWS with header `{alg, typ, kid}`.
pub(crate) fn sign_compact(
    key: &SigningKey,
    typ: &str,
    claims: &impl Serialize,
) -> Result<Zeroizing<String>> {
    let header = Header {
        alg: key.algorithm().as_str(),
        typ,
        kid: key.kid(),
    };
    sign_with_header(key, &header, claims)
}

/// Signs `claims` as a compact JWS with any `header`, which must name `key`'s algorithm.
pub(crate) fn sign_with_header(
    key: &SigningKey,
    header: &impl Serialize,
    claims: &impl Serialize,
) -> Result<Zeroizing<String>> {
    let header = serde_json::to_vec(header).map_err(|_| Error::Crypto("serialize a header"))?;
    let claims = serde_json::to_vec(claims).map_err(|_| Error::Crypto("serialize claims"))?;
    let mut out = Zeroizing::new(String::with_capacity(
        (header.len() + claims.len()) * 4 / 3 + 400,
    ));
    out.push_str(&b64url(&header));
    out.push('.');
    out.push_str(&b64url(&claims));
    let signature = key.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64url(&signature));
    Ok(out)
}
