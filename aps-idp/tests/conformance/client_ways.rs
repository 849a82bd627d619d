//! aps-client on every IdP, every way a consumer can authenticate and give its key, with the
//! same assertions: `client_secret_basic`, `client_secret_post`, and `private_key_jwt` with a
//! `SigningKey`, a PEM, a private JWK (keys published at a JWKS URL under their own kid), and the
//! portal's credential document (a key registered as a PEM, named by the IdP).

use aps_client::{AuthMethod, Client, ClientBuilder};
use aps_core::{AccessRequest, ClientAuthenticator, Step};
use aps_idp::{Authentication, ClientGrants, NewClient, PublicKey};
use aps_jwt::{Jwks, SigningKey};

use crate::support::{ENV, JwksServer, Target, client_id};

async fn enabled(target: &Target, client: NewClient) -> Option<aps_idp::ClientSecret> {
    let id = client.client_id.clone();
    let secret = target.idp.register_client(&client).await.unwrap();
    let grants = ClientGrants::scopes(["Function1/read"]);
    target.idp.set_grants(&id, &grants).await.unwrap();
    target.idp.set_enabled(&id, true).await.unwrap();
    secret
}

/// Gets a token with `builder` and checks it names the client and its scope.
async fn works(target: &Target, how: &str, id: &str, builder: ClientBuilder) {
    let client: Client = builder
        .danger_allow_http_loopback(true)
        .build()
        .unwrap_or_else(|e| panic!("{}: {how}: {e}", target.name));
    let token = client
        .token()
        .await
        .unwrap_or_else(|e| panic!("{}: {how}: {e}", target.name));
    let seen = aps_jwt::Validator::builder()
        .issuer(target.issuer())
        .scope("Function1/read")
        .build()
        .unwrap()
        .validate(token.secret())
        .await
        .unwrap_or_else(|e| panic!("{}: {how}: the token: {e}", target.name));
    assert_eq!(seen.authorized_party(), Some(id), "{}: {how}", target.name);
}

async fn every_way_to_authenticate(target: &Target) {
    let endpoints = target.idp.endpoints().clone();

    let id = client_id("ways-secret");
    let secret = enabled(target, NewClient::new(&id, Authentication::Secret(None)))
        .await
        .unwrap();
    for method in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost] {
        let builder = Client::builder()
            .issuer(&endpoints.issuer)
            .client_id(&id)
            .client_secret(secret.clone())
            .auth_method(method);
        works(target, &format!("{method:?}"), &id, builder).await;
    }
    target.idp.delete_client(&id).await.unwrap();

    // Keys published at a JWKS URL under the kid each key publishes itself.
    let rsa = SigningKey::generate_rsa(2048).unwrap();
    let ec = SigningKey::generate_p256().unwrap();
    let server = JwksServer::start(&Jwks::new(vec![rsa.public_jwk(), ec.public_jwk()])).await;
    let id = client_id("ways-jwks");
    enabled(
        target,
        NewClient::new(
            &id,
            Authentication::Jwt(PublicKey::JwksUrl(server.url.clone())),
        ),
    )
    .await;
    let base = || Client::builder().issuer(&endpoints.issuer).client_id(&id);
    for key in [&rsa, &ec] {
        let alg = key.algorithm();
        works(
            target,
            &format!("SigningKey {alg}"),
            &id,
            base().private_key(key.clone()),
        )
        .await;
        let pem = key.to_pkcs8_pem().unwrap().to_string();
        works(
            target,
            &format!("PEM {alg}"),
            &id,
            base().private_key_pem(pem),
        )
        .await;
    }
    let jwk = private_jwk(&ec);
    works(
        target,
        "private JWK ES256",
        &id,
        base().private_key_jwk(jwk),
    )
    .await;
    target.idp.delete_client(&id).await.unwrap();

    // The portal's document for a generated key pair (registered with the IdP as a PEM).
    let profile = target.profile(ClientAuthenticator::ClientJwt);
    let request = AccessRequest::new(&profile, ENV, client_id("ways-doc"), None).unwrap();
    let provisioner = target.provisioner(&profile);
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let grants = aps_core::Grants::new(["Function1/read"], Vec::<String>::new());
    provisioner
        .perform(&issued.request, &Step::Approve { grants })
        .await
        .unwrap();
    let document = issued.credentials.unwrap().document().unwrap();
    let id = request.consumer_client_id();
    works(
        target,
        "credential document",
        id,
        Client::builder().credentials(&document),
    )
    .await;
    target.idp.delete_client(id).await.unwrap();
}

/// The private JWK of a P-256 key, from its PKCS#8 DER (the last 32 bytes of the private key
/// octet string are `d`).
fn private_jwk(key: &SigningKey) -> String {
    use base64::Engine as _;
    let pem = key.to_pkcs8_pem().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    // PKCS#8 for P-256 from aws-lc: the private scalar follows the `04 20` octet-string header.
    let at = der.windows(2).position(|w| w == [0x04, 0x20]).unwrap() + 2;
    let d = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&der[at..at + 32]);
    let mut jwk = serde_json::to_value(key.public_jwk()).unwrap();
    jwk["d"] = serde_json::Value::String(d);
    jwk.to_string()
}

crate::on_every_idp!(every_way_to_authenticate);
