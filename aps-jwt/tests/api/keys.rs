use aps_jwt::{Algorithm, Error, Jwk, KeyProblem, KeyType, SigningKey, VerifyingKey};

use crate::support::{testdata, testdata_str};

fn rsa_forms() -> Vec<(&'static str, SigningKey)> {
    vec![
        (
            "pkcs8 pem",
            SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs8.pem")).unwrap(),
        ),
        (
            "pkcs1 pem",
            SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs1.pem")).unwrap(),
        ),
        (
            "pkcs8 der",
            SigningKey::from_der(&testdata("keys/rsa2048.pkcs8.der")).unwrap(),
        ),
        (
            "pkcs1 der",
            SigningKey::from_der(&testdata("keys/rsa2048.pkcs1.der")).unwrap(),
        ),
        (
            "jwk",
            SigningKey::from_jwk(&testdata_str("keys/rsa2048.private.jwk.json")).unwrap(),
        ),
    ]
}

#[test]
fn rsa_private_key_forms_are_the_same_key() {
    let forms = rsa_forms();
    let reference = forms[0].1.public_jwk();
    for (name, key) in &forms {
        let jwk = key.public_jwk();
        assert_eq!(
            (jwk.n.as_ref(), jwk.e.as_ref()),
            (reference.n.as_ref(), reference.e.as_ref()),
            "{name}"
        );
        assert_eq!(key.algorithm(), Algorithm::RS256, "{name}");
        assert_eq!(key.key_type(), KeyType::Rsa);
    }
    let expected = Jwk::from_json(&testdata_str("keys/rsa2048.public.jwk.json")).unwrap();
    assert_eq!(reference.n, expected.n);
    assert_eq!(reference.e.as_deref(), Some("AQAB"));
    assert_eq!(forms[4].1.kid(), "rsa-fixture", "kid from the JWK is kept");
}

#[test]
fn ec_private_key_forms_are_the_same_key() {
    let forms = [
        SigningKey::from_pem(&testdata_str("keys/p256.sec1.pem")).unwrap(),
        SigningKey::from_pem(&testdata_str("keys/p256.pkcs8.pem")).unwrap(),
        SigningKey::from_der(&testdata("keys/p256.sec1.der")).unwrap(),
        SigningKey::from_jwk(&testdata_str("keys/p256.private.jwk.json")).unwrap(),
    ];
    let expected = Jwk::from_json(&testdata_str("keys/p256.public.jwk.json")).unwrap();
    for key in &forms {
        let jwk = key.public_jwk();
        assert_eq!(
            (&jwk.x, &jwk.y, jwk.crv.as_deref()),
            (&expected.x, &expected.y, Some("P-256"))
        );
        assert_eq!(key.algorithm(), Algorithm::ES256);
    }
    let p384 = SigningKey::from_pem(&testdata_str("keys/p384.sec1.pem")).unwrap();
    assert_eq!(p384.algorithm(), Algorithm::ES384);
    assert_eq!(p384.public_jwk().crv.as_deref(), Some("P-384"));
}

#[test]
fn weak_unsupported_and_encrypted_private_keys_are_refused() {
    let cases = [
        ("keys/rsa1024.pkcs8.pem", "size"),
        ("keys/secp256k1.sec1.pem", "curve"),
        ("keys/p256.encrypted.pem", "encrypted"),
        ("keys/rsa2048.spki.pem", "label"),
    ];
    for (file, why) in cases {
        let err = SigningKey::from_pem(&testdata_str(file)).expect_err(file);
        assert!(err.is_key(), "{file}: {err}");
        match (why, &err) {
            (
                "size",
                Error::Key(KeyProblem::RsaSize { bits: 1024 } | KeyProblem::Rejected("TooSmall")),
            )
            | ("curve", Error::Key(KeyProblem::UnsupportedKeyType | KeyProblem::Rejected(_)))
            | ("encrypted", Error::Key(KeyProblem::Encrypted))
            | ("label", Error::Key(KeyProblem::UnsupportedPemLabel(_))) => {}
            _ => panic!("{file}: unexpected {err:?}"),
        }
    }
    assert!(SigningKey::from_der(b"\x30\x03\x02\x01\x00").is_err());
    assert!(SigningKey::from_pem("no pem here").is_err());
    assert!(SigningKey::generate_rsa(1024).is_err());
}

#[test]
fn private_jwk_errors_never_quote_members() {
    let mut jwk: serde_json::Value =
        serde_json::from_str(&testdata_str("keys/p256.private.jwk.json")).unwrap();
    let d = jwk["d"].as_str().unwrap().to_owned();
    jwk["x"] = serde_json::Value::String(jwk["y"].as_str().unwrap().to_owned());
    let err = SigningKey::from_jwk(&jwk.to_string()).expect_err("mismatched public part");
    assert!(!err.to_string().contains(&d));
    let err = SigningKey::from_jwk(r#"{"kty":"EC","crv":"P-256","d":12345}"#).expect_err("type");
    assert!(!format!("{err} {err:?}").contains("12345"), "{err:?}");
}

#[test]
fn debug_never_prints_key_material() {
    for (_, key) in rsa_forms() {
        let debug = format!("{key:?}");
        let jwk = key.public_jwk();
        assert!(!debug.contains(&jwk.n.unwrap()[..20]), "{debug}");
        assert!(debug.contains("RS256"));
    }
    let pem = SigningKey::from_pem(&testdata_str("keys/p256.pkcs8.pem"))
        .unwrap()
        .to_pkcs8_pem()
        .unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
}

#[test]
fn generated_keys_sign_and_verify_and_round_trip_through_pkcs8() {
    let ec = SigningKey::generate_p256().unwrap();
    let sig = ec.sign(b"message").unwrap();
    assert_eq!(sig.len(), 64);
    ec.verifying_key()
        .unwrap()
        .verify(Algorithm::ES256, b"message", &sig)
        .unwrap();
    let again = SigningKey::from_pem(&ec.to_pkcs8_pem().unwrap()).unwrap();
    assert_eq!(again.public_jwk(), ec.public_jwk());
    let public = VerifyingKey::from_pem(&ec.public_key_pem().unwrap()).unwrap();
    public.verify(Algorithm::ES256, b"message", &sig).unwrap();
}

#[test]
fn kid_defaults_to_the_rfc7638_thumbprint() {
    let key = SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs1.pem")).unwrap();
    let jwk = key.public_jwk();
    assert_eq!(key.kid(), jwk.thumbprint().unwrap());
    assert_eq!(jwk.kid.as_deref(), Some(key.kid()));
    assert_eq!(jwk.use_.as_deref(), Some("sig"));
    assert_eq!(jwk.alg.as_deref(), Some("RS256"));
    let renamed = key.clone().with_kid("k1");
    assert_eq!(renamed.public_jwks().keys[0].kid.as_deref(), Some("k1"));
    assert_eq!(
        key.kid(),
        jwk.thumbprint().unwrap(),
        "with_kid does not change the original"
    );
    // The JWKS document serializes with `use`, not `use_`.
    let json = key.public_jwks().to_json();
    assert!(
        json.contains(r#""use":"sig""#) && json.contains(r#""kty":"RSA""#),
        "{json}"
    );
}

#[test]
fn rsa_algorithms_can_be_chosen_but_not_across_key_types() {
    let key = SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs8.pem")).unwrap();
    let public = VerifyingKey::from_pem(&testdata_str("keys/rsa2048.spki.pem")).unwrap();
    for alg in KeyType::Rsa.algorithms() {
        let key = key.clone().with_algorithm(alg).unwrap();
        let sig = key.sign(b"m").unwrap();
        public.verify(alg, b"m", &sig).unwrap();
        for other in KeyType::Rsa.algorithms().filter(|o| *o != alg) {
            assert!(
                public.verify(other, b"m", &sig).is_err(),
                "{alg} sig verified as {other}"
            );
        }
    }
    assert!(matches!(
        key.with_algorithm(Algorithm::ES256),
        Err(Error::AlgorithmMismatch { .. })
    ));
}

#[test]
fn public_keys_from_spki_certificates_and_jwk_agree() {
    let rsa_jwk = Jwk::from_json(&testdata_str("keys/rsa2048.public.jwk.json")).unwrap();
    let rsa = [
        VerifyingKey::from_pem(&testdata_str("keys/rsa2048.spki.pem")).unwrap(),
        VerifyingKey::from_pem(&testdata_str("keys/rsa2048.cert.pem")).unwrap(),
        VerifyingKey::from_der(&testdata("keys/rsa2048.cert.der")).unwrap(),
        VerifyingKey::from_certificate_der(&testdata("keys/rsa2048.cert.der")).unwrap(),
        VerifyingKey::from_jwk(&rsa_jwk).unwrap(),
    ];
    let signer = SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs1.pem")).unwrap();
    let sig = signer.sign(b"input").unwrap();
    for key in &rsa {
        assert!(key.same_key(&rsa[0]));
        key.verify(Algorithm::RS256, b"input", &sig).unwrap();
        assert!(key.verify(Algorithm::RS256, b"inpuT", &sig).is_err());
    }
    let ec = [
        VerifyingKey::from_pem(&testdata_str("keys/p256.spki.pem")).unwrap(),
        VerifyingKey::from_pem(&testdata_str("keys/p256.cert.pem")).unwrap(),
        VerifyingKey::from_jwk(
            &Jwk::from_json(&testdata_str("keys/p256.public.jwk.json")).unwrap(),
        )
        .unwrap(),
    ];
    for key in &ec {
        assert!(key.same_key(&ec[0]));
        assert_eq!(key.key_type(), KeyType::EcP256);
        assert!(!key.supports(Algorithm::RS256));
    }
}

#[test]
fn weak_or_wrong_public_keys_are_refused() {
    assert!(matches!(
        VerifyingKey::from_pem(&testdata_str("keys/rsa1024.spki.pem")),
        Err(Error::Key(KeyProblem::RsaSize { bits: 1024 }))
    ));
    assert!(matches!(
        VerifyingKey::from_pem(&testdata_str("keys/rsa2048-e3.spki.pem")),
        Err(Error::Key(KeyProblem::RsaExponent))
    ));
    let mut jwk = Jwk::from_json(&testdata_str("keys/rsa2048.public.jwk.json")).unwrap();
    jwk.use_ = Some("enc".into());
    assert!(matches!(
        VerifyingKey::from_jwk(&jwk),
        Err(Error::Key(KeyProblem::NotForSignatures))
    ));
    jwk.use_ = None;
    jwk.alg = Some("RSA-OAEP".into());
    assert!(matches!(
        VerifyingKey::from_jwk(&jwk),
        Err(Error::JwkMember { member: "alg", .. })
    ));
    jwk.alg = Some("ES256".into());
    assert!(matches!(
        VerifyingKey::from_jwk(&jwk),
        Err(Error::AlgorithmMismatch { .. })
    ));
    jwk.alg = Some("PS256".into());
    let ps = VerifyingKey::from_jwk(&jwk).unwrap();
    assert!(ps.supports(Algorithm::PS256) && !ps.supports(Algorithm::RS256));
    // An off-curve point: x of the fixture with y + 1.
    let mut ec = Jwk::from_json(&testdata_str("keys/p256.public.jwk.json")).unwrap();
    let mut y = base64_decode(ec.y.as_deref().unwrap());
    y[31] ^= 1;
    ec.y = Some(base64_encode(&y));
    assert!(matches!(
        VerifyingKey::from_jwk(&ec),
        Err(Error::Key(KeyProblem::Rejected(_)))
    ));
    let hmac = Jwk::from_json(r#"{"kty":"oct","k":"c2VjcmV0"}"#).unwrap();
    assert!(VerifyingKey::from_jwk(&hmac).is_err());
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn degenerate_rsa_members_are_refused_without_panicking() {
    let jwk = |n: &str, e: &str| {
        Jwk::from_json(&format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}"}}"#)).unwrap()
    };
    let good_n = Jwk::from_json(&testdata_str("keys/rsa2048.public.jwk.json"))
        .unwrap()
        .n
        .unwrap();
    for n in ["", "AA", "AAAA"] {
        assert!(
            matches!(
                VerifyingKey::from_jwk(&jwk(n, "AQAB")),
                Err(Error::Key(KeyProblem::RsaSize { bits: 0 }))
            ),
            "{n:?}"
        );
    }
    for e in ["", "AA", "AQ", "Aw", "AQAA"] {
        assert!(
            matches!(
                VerifyingKey::from_jwk(&jwk(&good_n, e)),
                Err(Error::Key(KeyProblem::RsaExponent))
            ),
            "{e:?}"
        );
    }
}

#[test]
fn der_public_keys_with_trailing_or_wrong_parameters_are_refused() {
    let spki = VerifyingKey::from_pem(&testdata_str("keys/rsa2048.spki.pem")).unwrap();
    let der = pem_body(&testdata_str("keys/rsa2048.spki.pem"));
    assert!(VerifyingKey::from_spki_der(&der).unwrap().same_key(&spki));
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(matches!(
        VerifyingKey::from_spki_der(&trailing),
        Err(Error::Key(KeyProblem::Malformed(_)))
    ));
    // rsaEncryption's NULL parameters (05 00) replaced by an OID (06 00 is not even valid).
    let null_at = der
        .windows(2)
        .position(|w| w == [0x05, 0x00])
        .expect("NULL parameters");
    let mut wrong_params = der.clone();
    wrong_params[null_at] = 0x06;
    assert!(VerifyingKey::from_spki_der(&wrong_params).is_err());
    assert!(VerifyingKey::from_der(&wrong_params).is_err());
    let mut cert = testdata("keys/rsa2048.cert.der");
    cert.push(0);
    assert!(VerifyingKey::from_certificate_der(&cert).is_err());
    assert!(VerifyingKey::from_der(&cert).is_err());
}

fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn a_signing_key_whose_public_half_we_would_refuse_is_refused() {
    // e = 3: our own verifiers (and RFC 8725's advice) refuse the public key, so the private
    // key is refused up front rather than producing a JWKS nobody should accept.
    assert!(matches!(
        SigningKey::from_pem(&testdata_str("keys/rsa2048-e3.pkcs8.pem")),
        Err(Error::Key(KeyProblem::RsaExponent))
    ));
}
