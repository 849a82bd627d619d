//! A handle on the Keycloak the tests use, with the few Admin REST calls tests need to set up
//! their own clients.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::Error;

/// The client attribute that sets a client's own access-token lifespan in seconds, so that an
/// expiry test gets a short-lived token without changing the realm.
pub const SHORT_LIFESPAN_ATTRIBUTE: &str = "access.token.lifespan";

/// The Keycloak server under test and the credentials that `testkit/realms` provisions.
///
/// Settings come from the environment, with the defaults that `scripts/test.sh` uses:
/// `KEYCLOAK_URL`, `APS_KEYCLOAK_REALM` (`apigw`), `APS_KEYCLOAK_MANAGEMENT_CLIENT_ID`
/// (`aps-management`), `APS_KEYCLOAK_MANAGEMENT_CLIENT_SECRET`, `KEYCLOAK_ADMIN_USER` and
/// `KEYCLOAK_ADMIN_PASSWORD` (`admin`/`admin`, the master realm's bootstrap admin).
#[derive(Clone)]
pub struct Keycloak {
    base_url: String,
    realm: String,
    management_client_id: String,
    management_client_secret: String,
    admin_user: String,
    admin_password: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for Keycloak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keycloak")
            .field("base_url", &self.base_url)
            .field("realm", &self.realm)
            .field("management_client_id", &self.management_client_id)
            .finish_non_exhaustive()
    }
}

/// A client a test created, with its internal id (for admin calls) and its `clientId`.
#[derive(Debug, Clone)]
pub struct CreatedClient {
    /// Keycloak's internal id, used in Admin REST paths.
    pub id: String,
    /// The OAuth `client_id`.
    pub client_id: String,
    /// The client secret, for confidential clients that authenticate with one.
    pub secret: Option<String>,
}

impl Keycloak {
    /// The server at `base_url`, with the other settings from the environment (see above).
    pub fn at(base_url: String) -> Self {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        Self::new(
            base_url,
            var("APS_KEYCLOAK_REALM", "apigw"),
            var("APS_KEYCLOAK_MANAGEMENT_CLIENT_ID", "aps-management"),
            var(
                "APS_KEYCLOAK_MANAGEMENT_CLIENT_SECRET",
                "aps-management-secret",
            ),
            (
                var("KEYCLOAK_ADMIN_USER", "admin"),
                var("KEYCLOAK_ADMIN_PASSWORD", "admin"),
            ),
        )
    }

    /// A handle with explicit settings.
    pub fn new(
        base_url: String,
        realm: String,
        management_client_id: String,
        management_client_secret: String,
        (admin_user, admin_password): (String, String),
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            realm,
            management_client_id,
            management_client_secret,
            admin_user,
            admin_password,
            http: reqwest::Client::new(),
        }
    }

    /// The server's base URL, such as `http://127.0.0.1:18080`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The realm the tests use (`apigw`).
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The issuer of the test realm: `{base_url}/realms/{realm}`.
    pub fn issuer(&self) -> String {
        self.issuer_of(&self.realm)
    }

    /// The issuer of any realm on this server.
    pub fn issuer_of(&self, realm: &str) -> String {
        format!("{}/realms/{realm}", self.base_url)
    }

    /// The test realm's token endpoint.
    pub fn token_endpoint(&self) -> String {
        format!("{}/protocol/openid-connect/token", self.issuer())
    }

    /// The test realm's OIDC discovery document URL.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer())
    }

    /// The Admin REST API root of the test realm.
    pub fn admin_url(&self) -> String {
        format!("{}/admin/realms/{}", self.base_url, self.realm)
    }

    /// The management client's `client_id`.
    pub fn management_client_id(&self) -> &str {
        &self.management_client_id
    }

    /// The management client's secret.
    pub fn management_client_secret(&self) -> &str {
        &self.management_client_secret
    }

    /// A plain HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Posts `form` to the test realm's token endpoint and returns the status and the JSON body.
    ///
    /// # Errors
    ///
    /// When Keycloak cannot be reached or does not answer with JSON.
    pub async fn token_response(
        &self,
        form: &[(&str, &str)],
    ) -> Result<(StatusCode, Value), Error> {
        let request = self.http.post(self.token_endpoint()).form(form);
        let answer = send(request, "POST token endpoint").await?;
        Ok((answer.status, parse(&answer.body, "token endpoint")?))
    }

    /// An access token for `client_id` with the client credentials grant and `client_secret_post`.
    ///
    /// # Errors
    ///
    /// When Keycloak refuses the credentials or cannot be reached.
    pub async fn client_credentials_token(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<String, Error> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        let (status, body) = self.token_response(&form).await?;
        access_token(status, &body, client_id)
    }

    /// An access token of the management client (what a portal uses for the Admin REST API).
    ///
    /// # Errors
    ///
    /// When Keycloak refuses the management client or cannot be reached.
    pub async fn management_token(&self) -> Result<String, Error> {
        self.client_credentials_token(&self.management_client_id, &self.management_client_secret)
            .await
    }

    /// An access token of the master realm's admin, for realm-level changes (keys, realms).
    ///
    /// # Errors
    ///
    /// When Keycloak refuses the admin credentials or cannot be reached.
    pub async fn admin_token(&self) -> Result<String, Error> {
        let url = format!(
            "{}/realms/master/protocol/openid-connect/token",
            self.base_url
        );
        let form = [
            ("grant_type", "password"),
            ("client_id", "admin-cli"),
            ("username", self.admin_user.as_str()),
            ("password", self.admin_password.as_str()),
        ];
        let answer = send(
            self.http.post(url).form(&form),
            "POST master token endpoint",
        )
        .await?;
        let body = parse(&answer.body, "master token endpoint")?;
        access_token(answer.status, &body, "admin-cli")
    }

    /// Calls the test realm's Admin REST API at `path` (below `/admin/realms/{realm}`) as the
    /// management client, and returns the status, the `Location` header and the body.
    ///
    /// # Errors
    ///
    /// When Keycloak cannot be reached or answers with a status outside 2xx.
    pub async fn management_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<AdminResponse, Error> {
        let token = self.management_token().await?;
        admin_call(
            &self.http,
            &token,
            method,
            &format!("{}{path}", self.admin_url()),
            body,
        )
        .await
    }

    /// Creates a client from a `ClientRepresentation` as the management client.
    ///
    /// # Errors
    ///
    /// When Keycloak refuses the representation.
    pub async fn create_client(&self, representation: Value) -> Result<CreatedClient, Error> {
        let client_id = representation["clientId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let created = self
            .management_call(Method::POST, "/clients", Some(&representation))
            .await?;
        let id = created
            .location
            .as_deref()
            .and_then(|l| l.rsplit('/').next())
            .ok_or_else(|| Error::new(format!("creating client {client_id}: no Location header")))?
            .to_owned();
        let secret = representation["secret"].as_str().map(str::to_owned);
        Ok(CreatedClient {
            id,
            client_id,
            secret,
        })
    }

    /// Creates an enabled confidential client with a secret and service accounts only, the shape
    /// of a portal-issued consumer client, with a unique `clientId` starting with `prefix`.
    ///
    /// # Errors
    ///
    /// When Keycloak refuses the client.
    pub async fn create_confidential_client(&self, prefix: &str) -> Result<CreatedClient, Error> {
        self.create_client(consumer_client(&unique_id(prefix)))
            .await
    }

    /// Reads a client's representation.
    ///
    /// # Errors
    ///
    /// When the client does not exist.
    pub async fn client(&self, id: &str) -> Result<Value, Error> {
        let response = self
            .management_call(Method::GET, &format!("/clients/{id}"), None)
            .await?;
        parse(&response.body, "GET client")
    }

    /// Merges the top-level fields of `patch` into a client's representation and saves it.
    ///
    /// # Errors
    ///
    /// When the client does not exist or Keycloak refuses the change.
    pub async fn update_client(&self, id: &str, patch: Value) -> Result<(), Error> {
        let mut representation = self.client(id).await?;
        if let (Some(target), Some(fields)) = (representation.as_object_mut(), patch.as_object()) {
            for (key, value) in fields {
                target.insert(key.clone(), value.clone());
            }
        }
        self.management_call(
            Method::PUT,
            &format!("/clients/{id}"),
            Some(&representation),
        )
        .await
        .map(drop)
    }

    /// Enables or disables a client (the approval step of an access request).
    ///
    /// # Errors
    ///
    /// When the client does not exist.
    pub async fn set_enabled(&self, id: &str, enabled: bool) -> Result<(), Error> {
        self.update_client(id, json!({ "enabled": enabled })).await
    }

    /// Deletes a client.
    ///
    /// # Errors
    ///
    /// When the client does not exist.
    pub async fn delete_client(&self, id: &str) -> Result<(), Error> {
        self.management_call(Method::DELETE, &format!("/clients/{id}"), None)
            .await
            .map(drop)
    }

    /// Adds the realm client scope named `scope` to a client's default scopes.
    ///
    /// # Errors
    ///
    /// When no such scope exists or Keycloak refuses the change.
    pub async fn add_default_scope(&self, id: &str, scope: &str) -> Result<(), Error> {
        let scopes = self
            .management_call(Method::GET, "/client-scopes", None)
            .await?;
        let scopes = parse(&scopes.body, "GET client-scopes")?;
        let scope_id = scopes
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["name"] == scope)
            .and_then(|s| s["id"].as_str())
            .ok_or_else(|| Error::new(format!("client scope {scope:?} not found in the realm")))?;
        let path = format!("/clients/{id}/default-client-scopes/{scope_id}");
        self.management_call(Method::PUT, &path, None)
            .await
            .map(drop)
    }
}

/// What an Admin REST call answered.
#[derive(Debug, Clone)]
pub struct AdminResponse {
    /// The HTTP status (always 2xx: other statuses are errors).
    pub status: StatusCode,
    /// The `Location` header, set when something was created.
    pub location: Option<String>,
    /// The raw body.
    pub body: String,
}

/// The representation of an enabled consumer client with a secret and service accounts only.
pub fn consumer_client(client_id: &str) -> Value {
    json!({
        "clientId": client_id,
        "enabled": true,
        "protocol": "openid-connect",
        "publicClient": false,
        "bearerOnly": false,
        "clientAuthenticatorType": "client-secret",
        "secret": format!("{client_id}-secret"),
        "serviceAccountsEnabled": true,
        "standardFlowEnabled": false,
        "implicitFlowEnabled": false,
        "directAccessGrantsEnabled": false,
    })
}

/// A `clientId` no other test uses: `prefix`, then time and a per-process counter.
pub fn unique_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{:x}-{}-{n}", nanos, std::process::id())
}

pub(crate) async fn admin_call(
    http: &reqwest::Client,
    token: &str,
    method: Method,
    url: &str,
    body: Option<&Value>,
) -> Result<AdminResponse, Error> {
    let what = format!("{method} {url}");
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = send(request, &what).await?;
    if !answer.status.is_success() {
        return Err(Error::new(format!(
            "{what}: {}: {}",
            answer.status, answer.body
        )));
    }
    Ok(answer)
}

/// Sends `request` and reads the whole answer; only a failure to talk to Keycloak is an error.
async fn send(request: RequestBuilder, what: &str) -> Result<AdminResponse, Error> {
    let response = request
        .send()
        .await
        .map_err(|e| Error::new(format!("{what}: cannot reach Keycloak: {e}")))?;
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .text()
        .await
        .map_err(|e| Error::new(format!("{what}: reading the body: {e}")))?;
    Ok(AdminResponse {
        status,
        location,
        body,
    })
}

pub(crate) fn parse(body: &str, what: &str) -> Result<Value, Error> {
    serde_json::from_str(body)
        .map_err(|e| Error::new(format!("{what}: not JSON ({e}): {body:.200}")))
}

fn access_token(status: StatusCode, body: &Value, client_id: &str) -> Result<String, Error> {
    match body["access_token"].as_str() {
        Some(token) if status.is_success() => Ok(token.to_owned()),
        _ => Err(Error::new(format!(
            "no token for {client_id}: {status}: {} {}",
            body["error"], body["error_description"]
        ))),
    }
}
