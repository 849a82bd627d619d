//! Against the real Keycloak (`scripts/keycloak.sh`): tokens it issues, other realms, expiry,
//! tampering, realm key rotation, and a flood of unknown kids. Skips without `KEYCLOAK_URL`
//! (fails instead in CI), per `aps_testkit::keycloak()`.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aps_jwt::{Algorithm, ManualClock, ValidationError, Validator};
use aps_testkit::{Keycloak, SHORT_LIFESPAN_ATTRIBUTE};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("b64");
    serde_json::from_slice(&bytes).expect("json")
}

fn header(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').next().expect("header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("b64");
    serde_json::from_slice(&bytes).expect("json")
}

fn validator_for(kc: &Keycloak, clock: &Arc<ManualClock>) -> aps_jwt::ValidatorBuilder {
    Validator::builder()
        .issuer(kc.issuer())
        .clock(Arc::clone(clock))
}

fn clock_now() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(SystemTime::now()))
}

#[tokio::test]
async fn keycloak_tokens_validate_with_their_scopes_and_claims() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let client = kc.create_confidential_client("jwt-claims").await?;
    kc.add_default_scope(&client.id, "Function1/read").await?;
    let secret = client.secret.clone().expect("secret");
    let token = kc
        .client_credentials_token(&client.client_id, &secret)
        .await?;
    let clock = clock_now();
    let validator = validator_for(&kc, &clock).scope("Function1/read").build()?;
    let verified = validator.validate(&token).await?;
    assert_eq!(verified.issuer(), kc.issuer());
    assert_eq!(verified.authorized_party(), Some(client.client_id.as_str()));
    assert_eq!(verified.client_id(), Some(client.client_id.as_str()));
    assert_eq!(
        verified.preferred_username(),
        Some(format!("service-account-{}", client.client_id).as_str())
    );
    assert!(verified.has_scope("Function1/read"));
    assert_eq!(verified.token_type(), Some("Bearer"));
    // Keycloak's JWKS also publishes an RSA-OAEP encryption key: skipped, the rest usable.
    let (kids, skipped) = validator.loaded_keys(&kc.issuer()).expect("issuer");
    assert!(
        kids.iter()
            .any(|k| Some(k.as_str()) == header(&token)["kid"].as_str())
    );
    assert!(skipped >= 1, "the use=enc key is skipped");
    // A scope the client does not have: 403.
    let strict = validator_for(&kc, &clock)
        .scope("Function3/write")
        .build()?;
    let err = strict.validate(&token).await.unwrap_err();
    assert_eq!(err.status(), 403);
    assert!(
        err.www_authenticate()
            .unwrap_or_default()
            .contains(r#"scope="Function3/write""#)
    );
    Ok(())
}

#[tokio::test]
async fn keycloak_client_roles_are_checked_in_their_own_namespace() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let token = kc.management_token().await?;
    let clock = clock_now();
    let ok = validator_for(&kc, &clock)
        .client_role("realm-management", "manage-clients")
        .build()?;
    ok.validate(&token).await?;
    let other = validator_for(&kc, &clock)
        .client_role("realm-management", "manage-realm")
        .build()?;
    assert!(other.validate(&token).await.unwrap_err().is_forbidden());
    let realm = validator_for(&kc, &clock)
        .realm_role("manage-clients")
        .build()?;
    assert!(realm.validate(&token).await.unwrap_err().is_forbidden());
    Ok(())
}

#[tokio::test]
async fn token_from_another_realm_is_refused_without_a_fetch() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // A client of this test's own in the other realm (made with the master admin token).
    let other = OwnRealm {
        kc: kc.clone(),
        name: "apigw-other".into(),
        admin: kc.admin_token().await?,
    };
    let client_id = aps_testkit::unique_id("jwt-other-realm");
    let mut client = aps_testkit::consumer_client(&client_id);
    client["secret"] = json!("rotation-secret");
    other
        .call(reqwest::Method::POST, "/clients", Some(client))
        .await?;
    let token = other.client_token(&client_id).await?;
    let token = token.as_str();
    let validator = validator_for(&kc, &clock_now()).build()?;
    assert_eq!(
        validator.validate(token).await.unwrap_err(),
        ValidationError::IssuerNotAllowed
    );
    assert_eq!(
        validator.stats().jwks_fetches,
        0,
        "a foreign iss never triggers a fetch"
    );
    Ok(())
}

#[tokio::test]
async fn expired_keycloak_token_is_refused() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let client = kc.create_confidential_client("jwt-expiry").await?;
    kc.update_client(
        &client.id,
        json!({ "attributes": { SHORT_LIFESPAN_ATTRIBUTE: "60" } }),
    )
    .await?;
    let token = kc
        .client_credentials_token(&client.client_id, client.secret.as_deref().expect("secret"))
        .await?;
    let claims = payload(&token);
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 60, "the client's lifespan applies");
    let clock = Arc::new(ManualClock::at_unix(iat));
    let validator = validator_for(&kc, &clock)
        .leeway(Duration::from_secs(5))
        .build()?;
    validator.validate(&token).await?;
    clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(exp + 4));
    validator.validate(&token).await?;
    clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(exp + 5));
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        ValidationError::Expired
    );
    Ok(())
}

#[tokio::test]
async fn tampered_keycloak_token_is_refused() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let token = kc.management_token().await?;
    let validator = validator_for(&kc, &clock_now()).build()?;
    validator.validate(&token).await?;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = payload(&token);
    claims["azp"] = json!("someone-else");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        support::b64(claims.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(
        validator.validate(&forged).await.unwrap_err(),
        ValidationError::BadSignature
    );
    Ok(())
}

/// Admin calls on a realm of this test's own (key rotation must not disturb other tests).
struct OwnRealm {
    kc: Keycloak,
    name: String,
    admin: String,
}

impl OwnRealm {
    async fn create(kc: &Keycloak) -> Result<Self, Box<dyn std::error::Error>> {
        let name = aps_testkit::unique_id("aps-jwt-rotation");
        let admin = kc.admin_token().await?;
        let realm = OwnRealm {
            kc: kc.clone(),
            name,
            admin,
        };
        realm
            .call(
                reqwest::Method::POST,
                "",
                Some(json!({"realm": realm.name, "enabled": true})),
            )
            .await?;
        Ok(realm)
    }

    fn issuer(&self) -> String {
        self.kc.issuer_of(&self.name)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let url = if path.is_empty() && method == reqwest::Method::POST {
            format!("{}/admin/realms", self.kc.base_url())
        } else {
            format!("{}/admin/realms/{}{path}", self.kc.base_url(), self.name)
        };
        let mut request = self
            .kc
            .http()
            .request(method.clone(), &url)
            .bearer_auth(&self.admin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            return Err(format!("{method} {url}: {status} {text}").into());
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn add_rsa_key(
        &self,
        name: &str,
        priority: u32,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let realm_id = self.call(reqwest::Method::GET, "", None).await?["id"].clone();
        let component = json!({
            "name": name, "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id,
            "config": {"priority": [priority.to_string()], "enabled": ["true"], "active": ["true"],
                       "keySize": ["2048"], "algorithm": ["RS256"]}
        });
        self.call(reqwest::Method::POST, "/components", Some(component))
            .await?;
        Ok(())
    }

    async fn add_ec_key(&self, name: &str) -> Result<(), Box<dyn std::error::Error>> {
        let realm_id = self.call(reqwest::Method::GET, "", None).await?["id"].clone();
        let component = json!({
            "name": name, "providerId": "ecdsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id,
            "config": {"priority": ["100"], "enabled": ["true"], "active": ["true"],
                       "ecdsaEllipticCurveKey": ["P-256"]}
        });
        self.call(reqwest::Method::POST, "/components", Some(component))
            .await?;
        Ok(())
    }

    async fn remove_rsa_keys_except(
        &self,
        keep: &[&str],
    ) -> Result<(), Box<dyn std::error::Error>> {
        let components = self
            .call(
                reqwest::Method::GET,
                "/components?type=org.keycloak.keys.KeyProvider",
                None,
            )
            .await?;
        for c in components.as_array().into_iter().flatten() {
            let name = c["name"].as_str().unwrap_or_default();
            if c["providerId"] == "rsa-generated" && !keep.contains(&name) {
                let id = c["id"].as_str().unwrap_or_default();
                self.call(reqwest::Method::DELETE, &format!("/components/{id}"), None)
                    .await?;
            }
        }
        Ok(())
    }

    async fn client_token(&self, client_id: &str) -> Result<String, Box<dyn std::error::Error>> {
        let response: Value = self
            .kc
            .http()
            .post(format!("{}/protocol/openid-connect/token", self.issuer()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", "rotation-secret"),
            ])
            .send()
            .await?
            .json()
            .await?;
        Ok(response["access_token"]
            .as_str()
            .ok_or("no access token")?
            .to_owned())
    }

    async fn delete(&self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}

#[tokio::test]
async fn realm_key_rotation_is_followed_without_a_restart() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let realm = OwnRealm::create(&kc).await?;
    let result = rotation(&realm).await;
    realm.delete().await;
    result
}

async fn rotation(realm: &OwnRealm) -> TestResult {
    let mut client = aps_testkit::consumer_client("rotating-client");
    client["secret"] = json!("rotation-secret");
    realm
        .call(reqwest::Method::POST, "/clients", Some(client))
        .await?;
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let validator = Validator::builder()
        .issuer(realm.issuer())
        .clock(Arc::clone(&clock))
        .build()?;
    let t1 = realm.client_token("rotating-client").await?;
    validator.validate(&t1).await?;
    assert_eq!(validator.stats().jwks_fetches, 1);

    // A new active key: new tokens carry its kid; the validator fetches once and follows.
    realm.add_rsa_key("rotated-2", 200).await?;
    let t2 = realm.client_token("rotating-client").await?;
    assert_ne!(header(&t1)["kid"], header(&t2)["kid"]);
    clock.advance(Duration::from_secs(11));
    validator.validate(&t2).await?;
    assert_eq!(validator.stats().jwks_fetches, 2);
    validator.validate(&t1).await?;

    // The old key is removed, and a third key is added: once the validator sees the third kid,
    // its set no longer has the first key, and tokens signed with it (even cached) are refused.
    realm.remove_rsa_keys_except(&["rotated-2"]).await?;
    realm.add_rsa_key("rotated-3", 300).await?;
    let t3 = realm.client_token("rotating-client").await?;
    clock.advance(Duration::from_secs(11));
    validator.validate(&t3).await?;
    assert_eq!(validator.stats().jwks_fetches, 3);
    assert_eq!(
        validator.validate(&t1).await.unwrap_err(),
        ValidationError::UnknownKey
    );
    validator.validate(&t2).await?;
    Ok(())
}

#[tokio::test]
async fn flood_of_unknown_kids_fetches_once_per_cooldown() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let clock = clock_now();
    let validator = validator_for(&kc, &clock).build()?;
    validator.validate(&kc.management_token().await?).await?;
    assert_eq!(validator.stats().jwks_fetches, 1);
    let attacker = aps_jwt::SigningKey::from_pem(&support::testdata_str("keys/rsa2048.pkcs8.pem"))?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_secs();
    let claims = json!({"iss": kc.issuer(), "exp": now + 300, "iat": now, "typ": "Bearer"});
    let tokens: Vec<String> = (0..200)
        .map(|i| {
            support::mint(
                &attacker,
                &json!({"alg": "RS256", "kid": format!("random-{i}")}),
                &claims,
            )
        })
        .collect();
    for round in 1..=2u64 {
        clock.advance(Duration::from_secs(10));
        let mut tasks = tokio::task::JoinSet::new();
        for token in tokens.clone() {
            let validator = validator.clone();
            tasks.spawn(async move { validator.validate(&token).await });
        }
        while let Some(result) = tasks.join_next().await {
            assert_eq!(result?.unwrap_err(), ValidationError::UnknownKey);
        }
        assert_eq!(
            validator.stats().jwks_fetches,
            1 + round,
            "one fetch per cooldown"
        );
    }
    Ok(())
}

#[tokio::test]
async fn es256_and_ps256_tokens_from_keycloak_validate_when_allowed() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let realm = OwnRealm::create(&kc).await?;
    let result = other_algorithms(&realm).await;
    realm.delete().await;
    result
}

async fn other_algorithms(realm: &OwnRealm) -> TestResult {
    realm.add_ec_key("ec-p256").await?;
    for (client_id, alg) in [
        ("es256-client", Algorithm::ES256),
        ("ps256-client", Algorithm::PS256),
    ] {
        let mut client = aps_testkit::consumer_client(client_id);
        client["secret"] = json!("rotation-secret");
        client["attributes"] = json!({ "access.token.signed.response.alg": alg.as_str() });
        realm
            .call(reqwest::Method::POST, "/clients", Some(client))
            .await?;
        let token = realm.client_token(client_id).await?;
        assert_eq!(header(&token)["alg"], alg.as_str());
        let clock = clock_now();
        let default = Validator::builder()
            .issuer(realm.issuer())
            .clock(Arc::clone(&clock))
            .build()?;
        assert_eq!(
            default.validate(&token).await.unwrap_err(),
            ValidationError::AlgorithmNotAllowed
        );
        let allowing = Validator::builder()
            .issuer(realm.issuer())
            .algorithm(alg)
            .clock(Arc::clone(&clock))
            .build()?;
        let verified = allowing.validate(&token).await?;
        assert_eq!(verified.algorithm(), alg);
        assert_eq!(verified.client_id(), Some(client_id));
    }
    Ok(())
}
