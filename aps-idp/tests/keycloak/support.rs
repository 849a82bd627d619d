//! What the Keycloak tests share.

use aps_idp::{IdentityProvider, Keycloak};
use serde_json::Value;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The test realm, managed by the provisioned management client.
pub(crate) fn idp(kc: &aps_testkit::Keycloak) -> Keycloak {
    Keycloak::builder()
        .issuer(kc.issuer())
        .management_client(kc.management_client_id(), kc.management_client_secret())
        .build()
        .expect("the test realm's settings are valid")
}

/// A token for a client with a secret, or aps-client's error.
pub(crate) async fn secret_token(
    kc: &aps_testkit::Keycloak,
    client_id: &str,
    secret: &str,
) -> aps_client::Result<aps_client::Token> {
    aps_client::Client::builder()
        .token_endpoint(kc.token_endpoint())
        .client_id(client_id)
        .client_secret(secret)
        .danger_allow_http_loopback(true)
        .build()?
        .token()
        .await
}

/// A token for a client signing assertions with `key`, registered with Keycloak as a PEM: the
/// `kid` is the one Keycloak derives for it (aps-client's rule for a key registered that way).
pub(crate) async fn key_token(
    kc: &aps_testkit::Keycloak,
    client_id: &str,
    key: &aps_jwt::SigningKey,
) -> aps_client::Result<aps_client::Token> {
    let pem = key.to_pkcs8_pem().expect("a generated key encodes");
    aps_client::Client::builder()
        .issuer(kc.issuer())
        .token_endpoint(kc.token_endpoint())
        .client_id(client_id)
        .private_key_pem(pem.as_str())
        .key_id(aps_client::keycloak_key_id(key)?)
        .danger_allow_http_loopback(true)
        .build()?
        .token()
        .await
}

/// The verified claims of a token of the test realm.
pub(crate) async fn claims(kc: &aps_testkit::Keycloak, token: &aps_client::Token) -> Value {
    let validator = aps_jwt::Validator::builder()
        .issuer(kc.issuer())
        .build()
        .expect("a validator of the test realm");
    let verified = validator
        .validate(token.secret())
        .await
        .expect("Keycloak's token validates");
    verified.claims().expect("claims are JSON")
}

/// The raw representation of the client `client_id` (as the management client reads it).
pub(crate) async fn representation(kc: &aps_testkit::Keycloak, client_id: &str) -> Value {
    let path = format!("/clients?clientId={client_id}");
    let found = kc
        .management_call(reqwest::Method::GET, &path, None)
        .await
        .expect("clients can be listed");
    let list: Value = serde_json::from_str(&found.body).expect("a JSON list");
    list[0].clone()
}

/// Asserts `rep` is the portal's consumer template (research 1.4), disabled, with this
/// authenticator and these default scopes.
pub(crate) fn assert_portal_template(rep: &Value, authenticator: &str, default_scopes: Value) {
    for (field, expected) in [
        ("enabled", Value::Bool(false)),
        ("clientAuthenticatorType", authenticator.into()),
        ("publicClient", false.into()),
        ("serviceAccountsEnabled", true.into()),
        ("standardFlowEnabled", false.into()),
        ("implicitFlowEnabled", false.into()),
        ("directAccessGrantsEnabled", false.into()),
        ("bearerOnly", false.into()),
        ("fullScopeAllowed", false.into()),
        ("protocol", "openid-connect".into()),
        ("defaultClientScopes", default_scopes),
        ("optionalClientScopes", Value::Array(Vec::new())),
    ] {
        assert_eq!(rep[field], expected, "{field}");
    }
    assert_eq!(
        rep["attributes"]["client_credentials.use_refresh_token"],
        "false"
    );
}

/// Deletes what a test created (ignoring what is already gone).
pub(crate) async fn cleanup(idp: &Keycloak, client_ids: &[&str]) {
    for client_id in client_ids {
        let _ = idp.delete_client(client_id).await;
    }
}

/// A realm a test creates (as the master admin) for realm-level changes, deleted by
/// [`TestRealm::delete`].
pub(crate) struct TestRealm {
    pub(crate) name: String,
    pub(crate) issuer: String,
    admin: String,
    token: String,
    http: reqwest::Client,
}

impl TestRealm {
    /// A new, enabled realm with Keycloak's defaults (its client-registration policies too).
    pub(crate) async fn create(kc: &aps_testkit::Keycloak, prefix: &str) -> Self {
        let name = aps_testkit::unique_id(prefix);
        let realm = Self {
            issuer: kc.issuer_of(&name),
            admin: format!("{}/admin/realms", kc.base_url()),
            token: kc.admin_token().await.expect("the master admin logs in"),
            http: kc.http().clone(),
            name,
        };
        let body = serde_json::json!({ "realm": realm.name, "enabled": true });
        realm.call(reqwest::Method::POST, "", Some(&body)).await;
        realm
    }

    /// An Admin REST call below `/admin/realms/{name}` as the master admin; panics on a
    /// status outside 2xx. Returns the body as JSON (`Null` when empty).
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Value {
        let url = if method == reqwest::Method::POST && path.is_empty() {
            self.admin.clone()
        } else {
            format!("{}/{}{path}", self.admin, self.name)
        };
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("Keycloak answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {url}: {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A new initial access token: `(id, token)`.
    pub(crate) async fn initial_access_token(&self, count: u32) -> (String, String) {
        let body = serde_json::json!({ "expiration": 600, "count": count });
        let made = self
            .call(
                reqwest::Method::POST,
                "/clients-initial-access",
                Some(&body),
            )
            .await;
        (
            made["id"].as_str().unwrap().to_owned(),
            made["token"].as_str().unwrap().to_owned(),
        )
    }

    /// How many registrations the initial access token `id` has left.
    pub(crate) async fn remaining_count(&self, id: &str) -> u64 {
        let all = self
            .call(reqwest::Method::GET, "/clients-initial-access", None)
            .await;
        all.as_array()
            .into_iter()
            .flatten()
            .find(|t| t["id"] == id)
            .and_then(|t| t["remainingCount"].as_u64())
            .unwrap_or(0)
    }

    /// Adds `mapper` to the client-registration policy "Allowed Protocol Mapper Types" of
    /// `sub_type` (`authenticated` or `anonymous`).
    pub(crate) async fn allow_protocol_mapper(&self, sub_type: &str, mapper: &str) {
        let path = "/components?type=org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
        let all = self.call(reqwest::Method::GET, path, None).await;
        let mut policy = all
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["providerId"] == "allowed-protocol-mappers" && c["subType"] == sub_type)
            .cloned()
            .expect("Keycloak's default policy");
        let types = policy["config"]["allowed-protocol-mapper-types"]
            .as_array_mut()
            .expect("a list");
        types.push(Value::String(mapper.to_owned()));
        let id = policy["id"].as_str().unwrap().to_owned();
        self.call(
            reqwest::Method::PUT,
            &format!("/components/{id}"),
            Some(&policy),
        )
        .await;
    }

    /// The client `client_id` as the master admin reads it.
    pub(crate) async fn client(&self, client_id: &str) -> Value {
        let found = self
            .call(
                reqwest::Method::GET,
                &format!("/clients?clientId={client_id}"),
                None,
            )
            .await;
        found[0].clone()
    }

    /// Deletes the realm and everything in it.
    pub(crate) async fn delete(self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}
