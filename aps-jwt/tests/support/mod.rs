//! Shared helpers for aps-jwt's test binaries.
#![allow(dead_code)]

use std::path::PathBuf;

/// Reads a file under `testdata/`.
pub(crate) fn testdata(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Reads a text file under `testdata/`.
pub(crate) fn testdata_str(path: &str) -> String {
    String::from_utf8(testdata(path)).expect("utf-8 test data")
}

/// The RSA fixture key.
pub(crate) fn rsa_key() -> aps_jwt::SigningKey {
    aps_jwt::SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs8.pem")).expect("fixture")
}

/// The P-256 fixture key.
pub(crate) fn ec_key() -> aps_jwt::SigningKey {
    aps_jwt::SigningKey::from_pem(&testdata_str("keys/p256.pkcs8.pem")).expect("fixture")
}

/// The fixed "now" of the tests: 2027-01-15T08:00:00Z.
pub(crate) const NOW: u64 = 1_799_996_400;

/// The issuer of the static test keys.
pub(crate) const ISSUER: &str = "https://idp.example/realms/apigw";

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs any header and claims (the tests need headers `sign_jwt` would never write).
pub(crate) fn mint(
    key: &aps_jwt::SigningKey,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> String {
    mint_raw(key, &header.to_string(), &claims.to_string())
}

/// Signs raw header and claims JSON text (for duplicate members and other non-canonical JSON).
pub(crate) fn mint_raw(key: &aps_jwt::SigningKey, header: &str, claims: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let signature = key.sign(input.as_bytes()).expect("sign");
    format!("{input}.{}", b64(&signature))
}

/// The header a Keycloak-like issuer writes for `key`.
pub(crate) fn header_for(key: &aps_jwt::SigningKey) -> serde_json::Value {
    serde_json::json!({"alg": key.algorithm().as_str(), "typ": "JWT", "kid": key.kid()})
}

/// Claims shaped like a Keycloak client-credentials access token, valid at `NOW`.
pub(crate) fn keycloak_claims() -> serde_json::Value {
    serde_json::json!({
        "exp": NOW + 300, "iat": NOW - 5, "jti": "0b8f5a2e-1", "iss": ISSUER,
        "aud": ["account", "ap-my-api"], "sub": "6c1b9e1f", "typ": "Bearer", "azp": "app-1",
        "scope": "profile Function1/read email",
        "realm_access": {"roles": ["offline_access", "reader"]},
        "resource_access": {"app-1": {"roles": ["read"]}, "ap-my-api": {"roles": ["write"]}},
        "clientId": "app-1", "preferred_username": "service-account-app-1"
    })
}

/// Replaces (or, with `null`, removes) top-level members of `value`.
pub(crate) fn patch(mut value: serde_json::Value, changes: serde_json::Value) -> serde_json::Value {
    for (k, v) in changes.as_object().expect("object") {
        let object = value.as_object_mut().expect("object");
        if v.is_null() {
            object.remove(k);
        } else {
            object.insert(k.clone(), v.clone());
        }
    }
    value
}

/// A validator for `ISSUER` with the fixture keys (RS256 and ES256 allowed), clock at `NOW`.
pub(crate) fn validator_builder() -> aps_jwt::ValidatorBuilder {
    let jwks = aps_jwt::Jwks::new(vec![rsa_key().public_jwk(), ec_key().public_jwk()]);
    aps_jwt::Validator::builder()
        .issuer_with_jwks(ISSUER, &jwks)
        .algorithms([aps_jwt::Algorithm::RS256, aps_jwt::Algorithm::ES256])
        .clock(std::sync::Arc::new(aps_jwt::ManualClock::at_unix(NOW)))
}

/// What the `tracing` subscriber wrote (see [`logs`]).
#[derive(Clone, Default)]
pub(crate) struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    /// The lines that contain `marker`.
    pub(crate) fn lines_with(&self, marker: &str) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().expect("logs"))
            .lines()
            .filter(|line| line.contains(marker))
            .map(str::to_owned)
            .collect()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The logs of this test binary: a global `tracing` subscriber (info and above), installed
/// once. Global because a per-thread default subscriber misses the events of tasks on other
/// threads and races with the other tests over the global max level; tests pick their own
/// lines by something unique to them (the stub's port, a client id).
pub(crate) fn logs() -> Logs {
    static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logs
    })
    .clone()
}
