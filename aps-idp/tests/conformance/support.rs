//! The two identity providers under test, and what every test needs around them: a profile
//! pointing at the IdP, a provisioner, a consumer that asks for tokens, a validator, and a
//! JWKS URL served on 127.0.0.1.

use std::sync::{Arc, RwLock};

use aps_client::{Client, ErrorCode, Token};
use aps_core::{
    ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Mode, Secret,
};
use aps_idp::{DevIdp, IdentityProvider, IssuedCredentials, Keycloak, Provisioner};
use aps_jwt::{Jwks, SigningKey, Validator, VerifiedToken};

/// The audience mapper every consumer of the profile gets.
pub(crate) const API_AUDIENCE: &str = "aps-conformance-api";
/// The profile's `availableScopes` (client scopes of both realms).
pub(crate) const SCOPES: [&str; 3] = ["Function1/read", "Function2/*", "Function3/read"];
/// The profile's `clientRoles` (roles of the roles client in both realms).
pub(crate) const ROLES: [&str; 3] = ["read", "write", "admin"];
/// The environment every test requests.
pub(crate) const ENV: Environment = Environment::Dev;

/// One identity provider under test.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    pub(crate) idp: Arc<dyn IdentityProvider>,
    /// The client owning the roles approvers grant (the profile's managing client).
    pub(crate) roles_client: String,
    management_secret: String,
}

/// The embedded development IdP, with the roles client Keycloak's test realm has.
pub(crate) async fn dev_idp() -> Target {
    with_roles_client(DevIdp::start().await.expect("the DevIdp starts"), "dev-idp").await
}

/// The same with a bare-origin issuer (`http://127.0.0.1:PORT`, no path), which clients that
/// normalise URLs get wrong.
pub(crate) async fn dev_idp_bare_issuer() -> Target {
    let dev = DevIdp::builder()
        .bare_issuer()
        .start()
        .await
        .expect("the DevIdp starts");
    with_roles_client(dev, "dev-idp, bare issuer").await
}

async fn with_roles_client(dev: DevIdp, name: &'static str) -> Target {
    let roles_client = "aps-management";
    dev.create_profile_client(roles_client).await.unwrap();
    let roles: Vec<String> = ROLES.iter().map(|r| r.to_string()).collect();
    dev.set_client_roles(roles_client, &roles).await.unwrap();
    Target {
        name,
        idp: Arc::new(dev),
        roles_client: roles_client.into(),
        management_secret: "not-used-by-the-dev-idp".into(),
    }
}

/// Keycloak, when there is one (always in CI: `aps_testkit::keycloak` fails the test there).
pub(crate) fn keycloak() -> Option<Target> {
    let kc = aps_testkit::keycloak()?;
    let idp = Keycloak::builder()
        .issuer(kc.issuer())
        .management_client(kc.management_client_id(), kc.management_client_secret())
        .build()
        .expect("the Keycloak IdP builds");
    Some(Target {
        name: "keycloak",
        idp: Arc::new(idp),
        roles_client: kc.management_client_id().into(),
        management_secret: kc.management_client_secret().into(),
    })
}

impl Target {
    pub(crate) fn issuer(&self) -> &str {
        &self.idp.endpoints().issuer
    }

    /// A client's state on this IdP (`None`: no such client).
    pub(crate) async fn state(&self, client_id: &str) -> Option<aps_idp::ClientState> {
        self.idp
            .client(client_id)
            .await
            .unwrap_or_else(|e| panic!("{}: reading client `{client_id}`: {e}", self.name))
    }

    /// A custom-IdP profile on this IdP: the portal's shape, managed registration.
    pub(crate) fn profile(&self, authenticator: ClientAuthenticator) -> CredentialIssuer {
        let mut profile = CredentialIssuer::new("Conformance API");
        profile.flow = Some(Flow::ClientCredentials);
        profile.mode = Some(Mode::Auto);
        profile.client_authenticator = Some(authenticator);
        profile.available_scopes = SCOPES.iter().map(|s| s.to_string()).collect();
        profile.client_roles = ROLES.iter().map(|s| s.to_string()).collect();
        profile.client_mappers = vec![ClientMapper::new("audience", API_AUDIENCE)];
        let mut env = EnvironmentDetail::new(ENV);
        env.issuer_url = Some(self.issuer().to_owned());
        env.client_registration = Some(ClientRegistration::Managed);
        env.client_id = Some(self.roles_client.clone());
        env.client_secret = Some(Secret::new(self.management_secret.clone()));
        profile.environment_details.push(env);
        profile
    }

    pub(crate) fn provisioner(&self, profile: &CredentialIssuer) -> Provisioner {
        Provisioner::new(self.idp.clone(), profile.clone()).key_bits(2048)
    }

    /// What the gateway enforces for this profile, plus one scope and one role.
    pub(crate) fn validator(&self, profile: &CredentialIssuer) -> Validator {
        let policy = profile
            .access_policy(ENV)
            .unwrap()
            .to_builder()
            .scope("Function1/read")
            .client_role(&format!("{}:read", self.roles_client))
            .build()
            .unwrap();
        Validator::builder().policy(&policy).build().unwrap()
    }
}

/// A consumer app: a fresh aps-client each time, so nothing is cached between calls.
pub(crate) enum Consumer {
    /// From the credential document the provisioner handed out.
    Document(IssuedCredentials),
    /// A consumer that holds its own key (`client-jwt-jwks-url`).
    OwnKey {
        client_id: String,
        key: SigningKey,
        issuer: String,
        token_endpoint: String,
    },
}

impl Consumer {
    pub(crate) fn client(&self) -> Client {
        let builder = match self {
            Self::Document(issued) => Client::builder().credentials(&issued.document().unwrap()),
            Self::OwnKey {
                client_id,
                key,
                issuer,
                token_endpoint,
            } => Client::builder()
                .client_id(client_id)
                .private_key(key.clone())
                .issuer(issuer)
                .token_endpoint(token_endpoint),
        };
        builder
            .danger_allow_http_loopback(true)
            .build()
            .expect("the consumer's client builds")
    }

    pub(crate) async fn token(&self) -> Result<Token, aps_client::Error> {
        self.client().token().await
    }

    /// Asserts the IdP gives this consumer a token; `what` names the case when it does not.
    pub(crate) async fn assert_token(&self, what: &str) -> Token {
        self.token()
            .await
            .unwrap_or_else(|e| panic!("{what}: the consumer gets no token: {e}"))
    }

    /// Asserts the IdP refuses this consumer as a client (unknown, disabled or wrong key).
    pub(crate) async fn assert_refused(&self, what: &str) -> aps_client::Error {
        let error = self.token().await.expect_err(what);
        assert!(error.is_client_rejected(), "{what}: {error}");
        error
    }

    /// Asserts `invalid_client`: what both IdPs answer for a disabled or deleted client.
    pub(crate) async fn assert_invalid_client(&self, what: &str) {
        let error = self.assert_refused(what).await;
        assert_eq!(
            error.oauth().map(|e| &e.code),
            Some(&ErrorCode::InvalidClient),
            "{what}: {error}"
        );
    }
}

/// Validates `token` and returns it verified.
pub(crate) async fn verified(validator: &Validator, token: &Token) -> VerifiedToken {
    validator
        .validate(token.secret())
        .await
        .unwrap_or_else(|e| panic!("the gateway refuses the token: {e}"))
}

/// A JWKS document served at a URL on 127.0.0.1, replaceable while it runs.
pub(crate) struct JwksServer {
    pub(crate) url: String,
    keys: Arc<RwLock<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    pub(crate) async fn start(jwks: &Jwks) -> Self {
        let keys = Arc::new(RwLock::new(jwks.to_json()));
        let served = keys.clone();
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let body = served.read().unwrap().clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, keys, task }
    }

    #[allow(dead_code)]
    pub(crate) fn replace(&self, jwks: &Jwks) {
        *self.keys.write().unwrap() = jwks.to_json();
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A unique consumer client id.
pub(crate) fn client_id(test: &str) -> String {
    aps_testkit::unique_id(&format!("conf-{test}"))
}

/// A P-256 key and a self-signed certificate of it (PEM), for the portal's certificate option.
pub(crate) fn key_and_certificate() -> (SigningKey, String) {
    let key = SigningKey::generate_p256().unwrap();
    let pair = rcgen::KeyPair::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
    let params = rcgen::CertificateParams::new(vec!["consumer.example".to_owned()]).unwrap();
    let cert = params.self_signed(&pair).unwrap();
    (key, cert.pem())
}

/// Runs each listed test against the DevIdp (always, with a realm issuer and a bare one) and
/// Keycloak (when there is one).
#[macro_export]
macro_rules! on_every_idp {
    ($($test:ident),+ $(,)?) => {
        mod dev_idp {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(&$crate::support::dev_idp().await).await;
                }
            )+
        }
        mod dev_idp_bare_issuer {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(&$crate::support::dev_idp_bare_issuer().await).await;
                }
            )+
        }
        mod keycloak {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(target) = $crate::support::keycloak() else { return };
                    super::$test(&target).await;
                }
            )+
        }
    };
}
