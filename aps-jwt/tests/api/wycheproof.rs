//! Project Wycheproof signature vectors through the public low-level entry point
//! `aps_jwt::verify_signature` (see testdata/wycheproof/README.md).

use aps_jwt::{Algorithm, Error, Jwk, KeyProblem, verify_signature};
use serde_json::Value;

use crate::support::testdata;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    refused_at_import: usize,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Some edge-case EC groups give only the raw coordinates (hex, possibly with a sign byte).
fn ec_jwk(key: &Value) -> Jwk {
    let (crv, size) = match key["curve"].as_str().unwrap() {
        "secp256r1" => ("P-256", 32),
        "secp384r1" => ("P-384", 48),
        other => panic!("curve {other}"),
    };
    let coord = |name: &str| {
        let bytes = hex(key[name].as_str().unwrap());
        let bytes = &bytes[bytes.len().saturating_sub(size)..];
        let mut padded = vec![0; size - bytes.len()];
        padded.extend_from_slice(bytes);
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, padded)
    };
    let json = serde_json::json!({"kty": "EC", "crv": crv, "x": coord("wx"), "y": coord("wy")});
    serde_json::from_value(json).unwrap()
}

fn run(file: &str, alg: Algorithm) -> Tally {
    let doc: Value = serde_json::from_slice(&testdata(&format!("wycheproof/{file}"))).unwrap();
    let mut tally = Tally::default();
    for group in doc["testGroups"].as_array().unwrap() {
        let jwk = match group.get("publicKeyJwk").or(group.get("keyJwk")) {
            Some(jwk) => serde_json::from_value::<Jwk>(jwk.clone()).unwrap(),
            None => ec_jwk(&group["publicKey"]),
        };
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let msg = hex(test["msg"].as_str().unwrap());
            let sig = hex(test["sig"].as_str().unwrap());
            let result = verify_signature(alg, &jwk, &msg, &sig);
            match (test["result"].as_str().unwrap(), &result) {
                (_, Err(Error::Key(KeyProblem::RsaExponent))) => {
                    // Keys with e = 3 are refused on purpose; only those groups may be refused.
                    assert_eq!(jwk.e.as_deref(), Some("Aw"), "{file} #{id}");
                    tally.refused_at_import += 1;
                }
                ("valid", Ok(())) => tally.valid += 1,
                ("invalid", Err(Error::BadSignature)) => tally.invalid += 1,
                ("acceptable", _) => tally.acceptable += 1,
                (expected, got) => panic!(
                    "{file} #{id} ({}): expected {expected}, got {got:?}",
                    test["comment"]
                ),
            }
        }
    }
    tally
}

#[test]
fn wycheproof_es256() {
    let t = run("ecdsa_secp256r1_sha256_p1363_test.json", Algorithm::ES256);
    eprintln!("{t:?}");
    assert_eq!(
        (t.valid, t.invalid, t.refused_at_import),
        (173, 89, 0),
        "{t:?}"
    );
}

#[test]
fn wycheproof_es384() {
    let t = run("ecdsa_secp384r1_sha384_p1363_test.json", Algorithm::ES384);
    eprintln!("{t:?}");
    assert_eq!(
        (t.valid, t.invalid, t.refused_at_import),
        (193, 87, 0),
        "{t:?}"
    );
}

#[test]
fn wycheproof_rs256() {
    let t = run("rsa_signature_2048_sha256_test.json", Algorithm::RS256);
    eprintln!("{t:?}");
    assert_eq!(
        t.valid + t.invalid + t.acceptable + t.refused_at_import,
        259,
        "{t:?}"
    );
    assert_eq!(t.acceptable, 1, "{t:?}");
    assert!(t.refused_at_import > 0 && t.valid >= 7, "{t:?}");
}

#[test]
fn wycheproof_ps256() {
    let t = run("rsa_pss_2048_sha256_mgf1_32_test.json", Algorithm::PS256);
    eprintln!("{t:?}");
    assert_eq!(
        (t.valid, t.invalid, t.refused_at_import),
        (63, 45, 0),
        "{t:?}"
    );
}
