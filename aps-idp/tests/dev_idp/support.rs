//! What the tests share: starting IdPs, registering clients, raw token requests, a JWKS
//! server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use aps_idp::{Authentication, ClientGrants, ClientSecret, DevIdp, IdentityProvider, NewClient};
use aps_jwt::{Algorithm, ClientAssertion, SigningKey, Validator};
use base64::Engine as _;
use serde_json::Value;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Registers a secret client with these scopes, enabled; returns its secret.
pub(crate) async fn secret_client(idp: &DevIdp, id: &str, secret: Option<&str>) -> ClientSecret {
    let auth = Authentication::Secret(secret.map(ClientSecret::from));
    let secret = idp
        .register_client(&NewClient::new(id, auth))
        .await
        .unwrap()
        .unwrap();
    grant_and_enable(idp, id).await;
    secret
}

/// Grants `Function1/read` and enables the client.
pub(crate) async fn grant_and_enable(idp: &DevIdp, id: &str) {
    let grants = ClientGrants::scopes(["Function1/read"]);
    idp.set_grants(id, &grants).await.unwrap();
    idp.set_enabled(id, true).await.unwrap();
}

/// An aps-client client for the IdP (discovery through the issuer).
pub(crate) fn client(idp: &DevIdp, id: &str) -> aps_client::ClientBuilder {
    aps_client::Client::builder()
        .issuer(idp.issuer())
        .client_id(id)
        .danger_allow_http_loopback(true)
}

/// A validator of the IdP's tokens, keys through discovery.
pub(crate) fn validator(idp: &DevIdp, alg: Algorithm) -> Validator {
    Validator::builder()
        .issuer(idp.issuer())
        .algorithm(alg)
        .build()
        .unwrap()
}

/// Gets a token with `builder` and validates it (RS256, keys through discovery).
pub(crate) async fn verified_token(
    idp: &DevIdp,
    builder: aps_client::ClientBuilder,
) -> Result<aps_jwt::VerifiedToken, Box<dyn std::error::Error>> {
    let token = builder.build()?.token().await?;
    Ok(validator(idp, Algorithm::RS256)
        .validate(token.secret())
        .await?)
}

/// The answer of a raw token request: status, `WWW-Authenticate`, `Cache-Control`, body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) challenge: Option<String>,
    pub(crate) cache_control: Option<String>,
    pub(crate) body: Value,
}

impl Answer {
    /// The `error` code, or `ok`.
    pub(crate) fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("ok")
    }
}

/// POSTs `form` to the token endpoint, with HTTP Basic `basic` if given.
pub(crate) async fn post_token(
    idp: &DevIdp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(&idp.endpoints().token_endpoint)
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (challenge, cache_control) = (header("www-authenticate"), header("cache-control"));
    Answer {
        status: response.status().as_u16(),
        challenge,
        cache_control,
        body: response.json().await.unwrap(),
    }
}

/// A client assertion of `client` for `aud`, signed by `key`.
pub(crate) fn assertion(key: &SigningKey, client: &str, aud: &str) -> String {
    ClientAssertion::builder(client, aud)
        .build()
        .unwrap()
        .sign(key, SystemTime::now())
        .unwrap()
        .expose_secret()
        .to_owned()
}

/// A `private_key_jwt` token request form.
pub(crate) fn assertion_form(assertion: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".to_owned()),
        (
            "client_assertion_type",
            aps_jwt::CLIENT_ASSERTION_TYPE.to_owned(),
        ),
        ("client_assertion", assertion.to_owned()),
    ]
}

/// Borrows a form built by [`assertion_form`].
pub(crate) fn borrowed<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The JSON of a JWT's header (`part` 0) or claims (`part` 1), unverified.
pub(crate) fn decode(token: &str, part: usize) -> Value {
    let segment = token.split('.').nth(part).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A JWKS served on 127.0.0.1 by a tiny axum app, counting fetches.
pub(crate) struct JwksServer {
    pub(crate) url: String,
    pub(crate) fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    pub(crate) async fn start(jwks: String) -> Self {
        let fetches = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&fetches);
        let app = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = jwks.clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, fetches }
    }

    pub(crate) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}
