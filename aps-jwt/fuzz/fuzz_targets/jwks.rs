//! JWKS and JWK parsing, and loading every key of a set: typed errors, never a panic.
#![no_main]

use aps_jwt::{Jwk, Jwks, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = Jwks::from_slice(data) {
        for jwk in &set.keys {
            let _ = jwk.thumbprint();
            if let Ok(key) = VerifyingKey::from_jwk(jwk) {
                let _ = key.verify(aps_jwt::Algorithm::RS256, b"m", b"s");
                let _ = key.verify(aps_jwt::Algorithm::ES256, b"m", &[0; 64]);
            }
        }
        let _ = set.to_json();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(jwk) = Jwk::from_json(text) {
            let _ = VerifyingKey::from_jwk(&jwk);
        }
        let _ = aps_jwt::SigningKey::from_jwk(text);
    }
});
