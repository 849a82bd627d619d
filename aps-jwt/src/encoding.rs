//! The small encodings keys arrive in: PEM armour, DER (only the few structures we need to walk:
//! SubjectPublicKeyInfo and the path to it inside an X.509 certificate), and base64url.
//!
//! Cryptographic validation of the key bytes is left to aws-lc; this module only finds them.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

/// One PEM block: its label and its decoded body (zeroized on drop: it may be a private key).
pub(crate) struct Pem {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Why PEM text could not be read. Never carries any of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemError {
    NoBlock,
    UnterminatedBlock,
    Base64 { line: usize },
}

/// Decodes the first PEM block of `text` (RFC 7468, lax about surrounding text and line length).
pub(crate) fn decode_pem(text: &str) -> Result<Pem, PemError> {
    let mut lines = text.lines().enumerate();
    let label = loop {
        let (_, line) = lines.next().ok_or(PemError::NoBlock)?;
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("-----BEGIN ")
            && let Some(label) = rest.strip_suffix("-----")
        {
            break label.to_owned();
        }
    };
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    let mut first_line = 0;
    for (index, line) in lines {
        let line = line.trim();
        if line == end {
            let der = STANDARD
                .decode(body.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| PemError::Base64 {
                    line: first_line + 1,
                })?;
            return Ok(Pem { label, der });
        }
        if first_line == 0 {
            first_line = index;
        }
        // RFC 7468 headers (`Proc-Type:` ...) only appear in legacy encrypted keys.
        if line.contains(':') {
            return Err(PemError::Base64 { line: index + 1 });
        }
        body.push_str(line);
    }
    Err(PemError::UnterminatedBlock)
}

/// Encodes DER as a PEM block with 64-column lines.
pub(crate) fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding, as JWS and JWK require.
pub(crate) fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// A DER TLV: tag and content.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
}

/// Reads one TLV from the front of `input` (definite lengths only, as DER requires).
pub(crate) fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high-tag-number form: never used by the structures we read
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        if bytes[0] == 0 {
            return None; // not minimal
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return None; // not minimal
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((Tlv { tag, content }, rest))
}

const SEQUENCE: u8 = 0x30;

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (tlv, rest) = read_tlv(input)?;
    (tlv.tag == tag).then_some((tlv.content, rest))
}

/// The whole SubjectPublicKeyInfo TLV inside an X.509 certificate (RFC 5280 section 4.1).
pub(crate) fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    let (certificate, trailing) = expect(cert, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (tbs, _) = expect(certificate, SEQUENCE)?;
    let mut rest = tbs;
    // version [0] EXPLICIT is optional.
    if rest.first() == Some(&0xa0) {
        rest = read_tlv(rest)?.1;
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        rest = read_tlv(rest)?.1;
    }
    let (spki, after) = read_tlv(rest)?;
    if spki.tag != SEQUENCE {
        return None;
    }
    Some(&rest[..rest.len() - after.len()])
}

/// The algorithm of a SubjectPublicKeyInfo, and its key bits.
pub(crate) enum SpkiKey<'a> {
    /// `rsaEncryption`: the key is a PKCS#1 RSAPublicKey.
    Rsa(&'a [u8]),
    /// `id-ecPublicKey` on a named curve: the key is an EC point.
    Ec { curve: &'a [u8], point: &'a [u8] },
}

pub(crate) const OID_RSA_ENCRYPTION: &[u8] =
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// Splits a SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).
pub(crate) fn parse_spki(spki: &[u8]) -> Option<SpkiKey<'_>> {
    let (body, trailing) = expect(spki, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (alg, rest) = expect(body, SEQUENCE)?;
    let (bits, rest) = expect(rest, 0x03)?;
    if !rest.is_empty() {
        return None;
    }
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let (oid, params) = expect(alg, 0x06)?;
    if oid == OID_RSA_ENCRYPTION {
        Some(SpkiKey::Rsa(key))
    } else if oid == OID_EC_PUBLIC_KEY {
        let (curve, _) = expect(params, 0x06)?;
        Some(SpkiKey::Ec { curve, point: key })
    } else {
        None
    }
}

/// The modulus and exponent of a PKCS#1 RSAPublicKey, without leading zero bytes.
pub(crate) fn parse_rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (body, trailing) = expect(der, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (n, rest) = expect(body, 0x02)?;
    let (e, rest) = expect(rest, 0x02)?;
    if !rest.is_empty() {
        return None;
    }
    Some((strip_leading_zeros(n), strip_leading_zeros(e)))
}

/// The OID of the algorithm inside a PKCS#8 PrivateKeyInfo (RFC 5208), to pick the key type.
pub(crate) fn pkcs8_algorithm(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (body, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(body, 0x02)?;
    let (alg, _) = expect(rest, SEQUENCE)?;
    let (oid, params) = expect(alg, 0x06)?;
    let curve = expect(params, 0x06).map_or(&[][..], |(curve, _)| curve);
    Some((oid, curve))
}

/// The curve OID inside a SEC1 ECPrivateKey (RFC 5915), when present.
pub(crate) fn sec1_curve(der: &[u8]) -> Option<&[u8]> {
    let (body, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(body, 0x02)?;
    let (_key, mut rest) = expect(rest, 0x04)?;
    while let Some((tlv, next)) = read_tlv(rest) {
        if tlv.tag == 0xa0 {
            return expect(tlv.content, 0x06).map(|(oid, _)| oid);
        }
        rest = next;
    }
    None
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip() {
        let der = (0u8..=255).collect::<Vec<_>>();
        let pem = encode_pem("PUBLIC KEY", &der);
        let back = decode_pem(&format!("garbage before\n{pem}after")).expect("decodes");
        assert_eq!(back.label, "PUBLIC KEY");
        assert_eq!(&back.der[..], &der[..]);
    }

    #[test]
    fn pem_errors_name_the_line_and_never_the_content() {
        assert!(matches!(decode_pem("nothing"), Err(PemError::NoBlock)));
        assert!(matches!(
            decode_pem("-----BEGIN X-----\nAAAA\n"),
            Err(PemError::UnterminatedBlock)
        ));
        assert!(matches!(
            decode_pem("-----BEGIN X-----\nAA!A\n-----END X-----\n"),
            Err(PemError::Base64 { line: 2 })
        ));
    }

    #[test]
    fn der_rejects_truncated_and_non_minimal_lengths() {
        assert!(read_tlv(&[0x30, 0x03, 0x01]).is_none());
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none());
        assert!(read_tlv(&[0x30, 0x82, 0x00, 0x80]).is_none());
        assert!(read_tlv(&[0x30, 0x80]).is_none());
        let (tlv, rest) = read_tlv(&[0x04, 0x01, 0xaa, 0xbb]).expect("valid");
        assert_eq!(
            (tlv.tag, tlv.content, rest),
            (0x04, &[0xaa][..], &[0xbb][..])
        );
    }
}
