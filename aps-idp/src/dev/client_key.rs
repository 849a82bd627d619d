//! A JWT client's registered PEM key (`PUBLIC KEY` or `CERTIFICATE`) as a verifying key with
//! the `kid` Keycloak gives it: base64url(SHA-256(SubjectPublicKeyInfo DER)), the same value
//! as `aps_client::keycloak_key_id`.

use aps_jwt::VerifyingKey;
use base64::Engine as _;

use crate::{Error, Result};

/// Reads a registered PEM key and names it as Keycloak does.
///
/// # Errors
/// [`Error::Key`] when aps-jwt refuses the key, [`Error::Config`] for other PEM labels.
pub(super) fn from_pem(pem: &str) -> Result<VerifyingKey> {
    let key = VerifyingKey::from_pem(pem)?;
    let (label, der) = pem_block(pem).ok_or_else(|| bad("no PEM block"))?;
    let spki = match label.as_str() {
        "PUBLIC KEY" => der.as_slice(),
        "CERTIFICATE" => certificate_spki(&der).ok_or_else(|| bad("malformed certificate"))?,
        _ => return Err(bad("expected a PUBLIC KEY or a CERTIFICATE")),
    };
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, spki);
    Ok(key.with_kid(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())))
}

fn bad(reason: &str) -> Error {
    Error::config("public_key", reason)
}

/// The label and bytes of the first PEM block.
fn pem_block(pem: &str) -> Option<(String, Vec<u8>)> {
    let mut lines = pem.lines().map(str::trim);
    let label = lines
        .by_ref()
        .find_map(|l| l.strip_prefix("-----BEGIN ")?.strip_suffix("-----"))?
        .to_owned();
    let end = format!("-----END {label}-----");
    let body: String = lines.take_while(|l| *l != end).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    Some((label, der))
}

/// One DER element: its tag, its content, the whole encoding, and what follows it.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    whole: &'a [u8],
    rest: &'a [u8],
}

fn read_tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    let (&first, mut after_len) = after_tag.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 3 || after_len.len() < count {
            return None;
        }
        let (bytes, rest) = after_len.split_at(count);
        after_len = rest;
        bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b))
    };
    if after_len.len() < len {
        return None;
    }
    let header = input.len() - after_len.len();
    Some(Tlv {
        tag,
        content: &after_len[..len],
        whole: &input[..header + len],
        rest: &after_len[len..],
    })
}

/// The SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 section 4.1: the seventh field
/// of `tbsCertificate`, counting the optional `[0] version`).
fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    let certificate = read_tlv(cert).filter(|t| t.tag == SEQUENCE)?;
    let tbs = read_tlv(certificate.content).filter(|t| t.tag == SEQUENCE)?;
    let mut field = read_tlv(tbs.content)?;
    if field.tag == 0xa0 {
        field = read_tlv(field.rest)?;
    }
    // serialNumber, signature, issuer, validity, subject; then subjectPublicKeyInfo.
    for _ in 0..5 {
        field = read_tlv(field.rest)?;
    }
    (field.tag == SEQUENCE).then_some(field.whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aps_jwt::SigningKey;

    #[test]
    fn pem_keys_are_named_as_keycloak_names_them() {
        let signer = SigningKey::generate_p256().unwrap();
        let key = from_pem(&signer.public_key_pem().unwrap()).unwrap();
        assert_eq!(
            key.kid(),
            Some(aps_client::keycloak_key_id(&signer).unwrap().as_str())
        );
    }

    #[test]
    fn other_labels_and_garbage_are_refused() {
        assert!(from_pem("not a key").is_err());
        assert!(certificate_spki(&[0x30, 0x82, 0xff]).is_none());
        assert!(certificate_spki(&[0x30, 0x00]).is_none());
    }
}
