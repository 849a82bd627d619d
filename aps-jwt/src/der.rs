//! A small, strict DER walker (X.690): only the structures needed to find a public key
//! (SubjectPublicKeyInfo, the path to it inside an X.509 certificate, PKCS#1 RSAPublicKey) and
//! to tell private key formats apart (PKCS#8 algorithm, SEC1 curve).
//!
//! Every read is bounds-checked and returns `None` on anything unexpected: definite minimal
//! lengths only, exact tags, no trailing bytes where the structure ends, and algorithm
//! parameters exactly as RFC 3279 and RFC 5480 define them. Cryptographic validation of the key
//! bytes (and a second strict parse of the whole SPKI) is left to aws-lc.

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

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
/// `[0] EXPLICIT`: the certificate version, and the SEC1 curve parameters.
const CONTEXT_0: u8 = 0xa0;

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (tlv, rest) = read_tlv(input)?;
    (tlv.tag == tag).then_some((tlv.content, rest))
}

/// The content of a TLV with `tag` that must span all of `input` (no trailing bytes).
fn expect_only(input: &[u8], tag: u8) -> Option<&[u8]> {
    let (content, rest) = expect(input, tag)?;
    rest.is_empty().then_some(content)
}

/// The magnitude of a positive, minimally encoded INTEGER (X.690 section 8.3.2): no empty
/// content, no sign bit, no superfluous leading zero byte.
fn positive_integer(content: &[u8]) -> Option<&[u8]> {
    match content {
        [] | [0] => None,
        [first, ..] if first & 0x80 != 0 => None,
        [0, second, ..] if second & 0x80 == 0 => None,
        [0, magnitude @ ..] => Some(magnitude),
        magnitude => Some(magnitude),
    }
}

/// The whole SubjectPublicKeyInfo TLV inside an X.509 certificate (RFC 5280 section 4.1).
///
/// The certificate must be exactly `SEQUENCE { tbsCertificate, signatureAlgorithm,
/// signatureValue }` and the fields before the key must have their tags; the certificate is
/// otherwise not interpreted (it is not validated: trust comes from how it was obtained).
pub(crate) fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    let certificate = expect_only(cert, SEQUENCE)?;
    let (tbs, rest) = expect(certificate, SEQUENCE)?;
    let (_signature_algorithm, rest) = expect(rest, SEQUENCE)?;
    expect_only(rest, BIT_STRING)?;
    let mut rest = tbs;
    if rest.first() == Some(&CONTEXT_0) {
        let (version, after) = expect(rest, CONTEXT_0)?;
        expect_only(version, INTEGER)?;
        rest = after;
    }
    // serialNumber, signature, issuer, validity, subject
    for tag in [INTEGER, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE] {
        rest = expect(rest, tag)?.1;
    }
    let (_, after) = expect(rest, SEQUENCE)?;
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

/// Splits a SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7), with the algorithm parameters
/// exactly as RFC 3279 (`NULL` for RSA) and RFC 5480 (a named curve for EC) require them.
pub(crate) fn parse_spki(spki: &[u8]) -> Option<SpkiKey<'_>> {
    let body = expect_only(spki, SEQUENCE)?;
    let (alg, rest) = expect(body, SEQUENCE)?;
    let bits = expect_only(rest, BIT_STRING)?;
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let (oid, params) = expect(alg, OID)?;
    if oid == OID_RSA_ENCRYPTION {
        expect_only(params, NULL)?
            .is_empty()
            .then_some(SpkiKey::Rsa(key))
    } else if oid == OID_EC_PUBLIC_KEY {
        let curve = expect_only(params, OID)?;
        Some(SpkiKey::Ec { curve, point: key })
    } else {
        None
    }
}

/// The modulus and exponent of a PKCS#1 RSAPublicKey (RFC 8017 appendix A.1.1), as
/// big-endian magnitudes without leading zero bytes.
pub(crate) fn parse_rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = expect_only(der, SEQUENCE)?;
    let (n, rest) = expect(body, INTEGER)?;
    let e = expect_only(rest, INTEGER)?;
    Some((positive_integer(n)?, positive_integer(e)?))
}

/// The OID of the algorithm inside a PKCS#8 PrivateKeyInfo (RFC 5208), to pick the key type.
pub(crate) fn pkcs8_algorithm(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (body, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(body, INTEGER)?;
    let (alg, _) = expect(rest, SEQUENCE)?;
    let (oid, params) = expect(alg, OID)?;
    let curve = expect(params, OID).map_or(&[][..], |(curve, _)| curve);
    Some((oid, curve))
}

/// The curve OID inside a SEC1 ECPrivateKey (RFC 5915), when present.
pub(crate) fn sec1_curve(der: &[u8]) -> Option<&[u8]> {
    let (body, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(body, INTEGER)?;
    let (_key, mut rest) = expect(rest, OCTET_STRING)?;
    while let Some((tlv, next)) = read_tlv(rest) {
        if tlv.tag == CONTEXT_0 {
            return expect_only(tlv.content, OID);
        }
        rest = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::decode_pem;

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

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = vec![tag];
        if len < 0x80 {
            out.push(u8::try_from(len).expect("short"));
        } else {
            out.extend([
                0x82,
                u8::try_from(len >> 8).expect("len"),
                (len & 0xff) as u8,
            ]);
        }
        out.extend_from_slice(content);
        out
    }

    fn spki(oid: &[u8], params: &[u8], key: &[u8]) -> Vec<u8> {
        let alg = tlv(SEQUENCE, &[tlv(OID, oid), params.to_vec()].concat());
        let bits = tlv(BIT_STRING, &[&[0][..], key].concat());
        tlv(SEQUENCE, &[alg, bits].concat())
    }

    fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
        tlv(SEQUENCE, &[tlv(INTEGER, n), tlv(INTEGER, e)].concat())
    }

    #[test]
    fn spki_algorithm_parameters_must_be_exactly_as_specified() {
        let key = pkcs1(&[0x00, 0xc1, 0x02], &[0x01, 0x00, 0x01]);
        let null = tlv(NULL, &[]);
        assert!(matches!(
            parse_spki(&spki(OID_RSA_ENCRYPTION, &null, &key)),
            Some(SpkiKey::Rsa(k)) if k == key
        ));
        for params in [
            vec![],                                // RFC 3279: NULL is required
            vec![NULL, 0x01, 0x00],                // a NULL with content
            [null.clone(), null.clone()].concat(), // trailing parameters
            tlv(OID, OID_P256),                    // an EC curve on an RSA key
        ] {
            assert!(
                parse_spki(&spki(OID_RSA_ENCRYPTION, &params, &key)).is_none(),
                "{params:02x?}"
            );
        }
        let point = [4u8; 65];
        let curve = tlv(OID, OID_P256);
        assert!(matches!(
            parse_spki(&spki(OID_EC_PUBLIC_KEY, &curve, &point)),
            Some(SpkiKey::Ec {
                curve: OID_P256,
                ..
            })
        ));
        for params in [
            vec![],                                 // no curve
            null.clone(),                           // implicitlyCA
            tlv(SEQUENCE, &[]),                     // specifiedCurve
            [curve.clone(), null.clone()].concat(), // trailing parameters
        ] {
            assert!(
                parse_spki(&spki(OID_EC_PUBLIC_KEY, &params, &point)).is_none(),
                "{params:02x?}"
            );
        }
        let mut trailing = spki(OID_EC_PUBLIC_KEY, &curve, &point);
        trailing.push(0);
        assert!(parse_spki(&trailing).is_none());
        let unused_bits = {
            let alg = tlv(
                SEQUENCE,
                &[tlv(OID, OID_EC_PUBLIC_KEY), curve.clone()].concat(),
            );
            let bits = tlv(BIT_STRING, &[&[1][..], &point].concat());
            tlv(SEQUENCE, &[alg, bits].concat())
        };
        assert!(parse_spki(&unused_bits).is_none());
    }

    #[test]
    fn rsa_integers_must_be_positive_and_minimal() {
        let e = [0x01, 0x00, 0x01];
        assert_eq!(
            parse_rsa_public_key(&pkcs1(&[0x00, 0xc1], &e)),
            Some((&[0xc1][..], &e[..]))
        );
        assert_eq!(
            parse_rsa_public_key(&pkcs1(&[0x41], &e)),
            Some((&[0x41][..], &e[..]))
        );
        for n in [
            &[][..],
            &[0x00],
            &[0xc1],
            &[0x00, 0x41],
            &[0x00, 0x00, 0xc1],
        ] {
            assert!(parse_rsa_public_key(&pkcs1(n, &e)).is_none(), "{n:02x?}");
        }
        let mut trailing = pkcs1(&[0x41], &e);
        trailing.push(0);
        assert!(parse_rsa_public_key(&trailing).is_none());
        let three = tlv(
            SEQUENCE,
            &[tlv(INTEGER, &[0x41]), tlv(INTEGER, &e), tlv(INTEGER, &e)].concat(),
        );
        assert!(parse_rsa_public_key(&three).is_none());
    }

    #[test]
    fn certificates_must_have_the_x509_shape() {
        let pem = decode_pem(include_str!("../testdata/keys/rsa2048.cert.pem")).expect("pem");
        let cert = pem.der.to_vec();
        let spki = certificate_spki(&cert).expect("the fixture certificate");
        assert!(matches!(parse_spki(spki), Some(SpkiKey::Rsa(_))));
        let mut trailing = cert.clone();
        trailing.push(0);
        assert!(certificate_spki(&trailing).is_none());
        // The certificate without its signature: a bare SEQUENCE { tbsCertificate }.
        let (outer, _) = expect(&cert, SEQUENCE).expect("outer");
        let (tbs, _) = read_tlv(outer).expect("tbs");
        let tbs_only = tlv(SEQUENCE, &tlv(SEQUENCE, tbs.content));
        assert!(certificate_spki(&tbs_only).is_none());
        // A certificate's SPKI is not a certificate, and an SPKI is not one either.
        assert!(certificate_spki(spki).is_none());
    }

    #[test]
    fn the_walker_never_panics_on_truncations_of_real_keys() {
        let pem = decode_pem(include_str!("../testdata/keys/rsa2048.cert.pem")).expect("pem");
        for end in 0..pem.der.len() {
            let cut = &pem.der[..end];
            assert!(certificate_spki(cut).is_none(), "{end}");
            let _ = (parse_spki(cut), pkcs8_algorithm(cut), sec1_curve(cut));
        }
    }
}
