//! The quickstart: the seven steps of the OAuth2 client credentials flow behind an API gateway,
//! end to end, narrated.
//!
//! ```text
//! cargo run -p aps-examples --bin quickstart                # offline: the embedded development IdP
//! cargo run -p aps-examples --bin quickstart -- --keycloak  # the Keycloak of scripts/keycloak.sh
//! ```
//!
//! Exits non-zero when any step's outcome is not the expected one.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use aps_client::{Client, ErrorCode};
use aps_core::{
    AccessRequest, ClientKey, CredentialIssuer, Environment, Grants, JwtKeycloakPlugin, Step,
};
use aps_examples::api::{self, GATEWAY_HEADER};
use aps_examples::idp::{self, Running, Target};
use aps_examples::say::{self, Error, expect};
use aps_idp::Provisioner;
use aps_jwt::{ManualClock, SigningKey, Validator};
use axum::Router;
use axum::routing::get;

const ENV: Environment = Environment::Dev;
const PROFILES: &str = include_str!("../../profiles/quickstart.yaml");

#[tokio::main]
async fn main() -> ExitCode {
    let target = match Target::from_args(std::env::args().skip(1)) {
        Ok(target) => target,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&target).await {
        Ok(()) => {
            println!("\nAll seven steps behaved as expected.");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("\nquickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The two profiles of `profiles/quickstart.yaml`, pointed at the running IdP.
fn profiles(
    documents: &aps_core::Documents,
    running: &Running,
) -> Result<(CredentialIssuer, CredentialIssuer), Error> {
    let mut profiles: Vec<CredentialIssuer> = documents.credential_issuers().cloned().collect();
    for profile in &mut profiles {
        running.adopt(profile, ENV);
    }
    let [secret, jwt] = <[CredentialIssuer; 2]>::try_from(profiles)
        .map_err(|_| say::Unexpected("quickstart.yaml holds two profiles".into()))?;
    Ok((secret, jwt))
}

async fn run(target: &Target) -> Result<(), Error> {
    println!("aps quickstart: an API protected with the OAuth2 client credentials flow.");
    let running = idp::start(target).await?;
    say::value("identity provider", &running.description);
    let documents = aps_core::load_yaml(PROFILES)?;
    let (secret_profile, jwt_profile) = profiles(&documents, &running)?;
    let profile_policy = secret_profile.access_policy(ENV)?;
    // What the IdP issued, shown through the SDK's own validator (the profile's policy alone).
    let inspector = Validator::builder().policy(&profile_policy).build()?;
    let policy = profile_policy
        .to_builder()
        .scope("Function1/read")
        .build()?;

    say::step(1, "An API sits behind the gateway");
    let gateway_key = SigningKey::generate_rsa(2048)?;
    let upstream = api::start_upstream(&gateway_key).await?;
    let validator = Validator::builder().policy(&policy).build()?;
    let gateway = api::start_gateway(validator, gateway_key.clone(), upstream.clone()).await?;
    let an_hour_later = ManualClock::new(SystemTime::now() + Duration::from_secs(3600));
    let later = Validator::builder()
        .policy(&policy)
        .clock(an_hour_later)
        .build()?;
    let gateway_later = api::start_gateway(later, gateway_key, upstream.clone()).await?;
    say::value("upstream service", &upstream);
    say::value("gateway", &gateway);
    say::line("The gateway checks bearer tokens as the jwt-keycloak plugin does, then signs");
    say::line(format!(
        "a JWT for the upstream in the {GATEWAY_HEADER} header, as Kong's Upstream JWT plugin does."
    ));

    say::step(2, "The API provider's Authorization Profile");
    let problems = documents.validate();
    say::value("profiles", "examples/profiles/quickstart.yaml (2 profiles)");
    say::value("problems found", problems.len());
    for problem in &problems {
        say::line(problem);
    }
    expect(
        problems.iter().all(|p| !p.is_error()),
        "the quickstart profiles validate",
    )?;
    say::value("issuer (dev)", policy.issuers().join(", "));
    say::line(
        "The jwt-keycloak plugin entry the gateway enforces (this API also requires Function1/read):",
    );
    say::block(&JwtKeycloakPlugin::from_policy(&policy, None)?.to_yaml()?);

    say::step(3, "A consumer requests access");
    let provisioner = Provisioner::new(running.idp.clone(), secret_profile.clone()).key_bits(2048);
    let consumer_id = aps_core::consumer_client_id("QS", &idp::unique());
    let request = AccessRequest::new(&secret_profile, ENV, consumer_id.clone(), None)?;
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await?;
    let credentials = issued
        .credentials
        .ok_or_else(|| say::Unexpected("credentials handed out".into()))?;
    say::value("client id", &consumer_id);
    say::value(
        "client secret",
        "(handed to the consumer once; not shown here)",
    );
    say::value("token endpoint", &credentials.token_endpoint);
    let state = running.idp.client(&consumer_id).await?;
    expect(
        state.is_some_and(|s| !s.enabled),
        "the new client exists, disabled",
    )?;
    say::line("The client exists on the IdP, disabled until an access manager approves.");
    let consumer = Client::builder()
        .credentials(&credentials.document()?)
        .danger_allow_http_loopback(true)
        .build()?;
    let refused = consumer.token().await.err();
    expect(
        refused
            .as_ref()
            .and_then(|e| e.oauth())
            .is_some_and(|e| e.code == ErrorCode::InvalidClient),
        "the token endpoint refuses a client not yet approved with invalid_client",
    )?;
    say::value(
        "token request",
        refused.map(|e| e.to_string()).unwrap_or_default(),
    );

    say::step(4, "The access manager approves");
    let grants = Grants::new(["Function1/read"], ["read"]);
    let approved = provisioner
        .perform(&issued.request, &Step::Approve { grants })
        .await?;
    let state = running.idp.client(&consumer_id).await?;
    let state = state.ok_or_else(|| say::Unexpected("the approved client exists".into()))?;
    expect(state.enabled, "the approved client is enabled")?;
    say::value("enabled", state.enabled);
    say::value("default scopes", state.default_scopes.join(" "));
    say::value("roles", format!("{:?}", state.roles));

    say::step(5, "Consumers get tokens");
    let token = consumer.token().await?;
    let claims: serde_json::Value = inspector.validate(token.secret()).await?.claims()?;
    say::line(format!(
        "{consumer_id} authenticates with its client secret. Its token's claims:"
    ));
    say::block(&serde_json::to_string_pretty(&claims)?);
    let (signed_consumer, signed_id, jwks_url, signed_request) =
        signed_jwt_consumer(&running, &jwt_profile).await?;
    let signed_token = signed_consumer.token().await?;
    say::line(format!(
        "{signed_id} signs a JWT with its own key (private_key_jwt), published at {jwks_url}"
    ));
    let signed_scopes: Vec<String> = inspector
        .validate(signed_token.secret())
        .await?
        .scopes()
        .map(str::to_owned)
        .collect();
    say::value("its token's scope", signed_scopes.join(" "));

    say::step(6, "Calls through the gateway");
    let http = reqwest::Client::new();
    let call = |base: &str, token: Option<String>| {
        let mut request = http.get(format!("{base}/records"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let ok = call(&gateway, Some(token.secret().to_owned())).await?;
    show_call("with Function1/read", &ok);
    expect(ok.status() == 200, "the right scope gets 200")?;
    let upstream_answer: serde_json::Value = ok.json().await?;
    let forbidden = call(&gateway, Some(signed_token.secret().to_owned())).await?;
    show_call("without Function1/read", &forbidden);
    expect(forbidden.status() == 403, "a missing scope gets 403")?;
    let tampered = call(&gateway, Some(tamper(token.secret()))).await?;
    show_call("a tampered token", &tampered);
    expect(tampered.status() == 401, "a tampered token gets 401")?;
    let expired = call(&gateway_later, Some(token.secret().to_owned())).await?;
    show_call("the token, an hour later", &expired);
    expect(expired.status() == 401, "an expired token gets 401")?;
    let missing = call(&gateway, None).await?;
    show_call("no token", &missing);
    expect(missing.status() == 401, "no token gets 401")?;

    say::step(7, "The upstream trusts the gateway; access is revoked");
    say::line("The upstream verified the gateway's JWT (signature, aud, exp, jti, payloadhash):");
    say::block(&serde_json::to_string_pretty(&upstream_answer)?);
    let bypass = call(&upstream, Some(token.secret().to_owned())).await?;
    show_call("straight to the upstream", &bypass);
    expect(
        bypass.status() == 401,
        "the upstream refuses a request that bypassed the gateway",
    )?;
    provisioner
        .perform(&approved.request, &Step::Revoke)
        .await?;
    consumer.invalidate(&token);
    let after = consumer.token().await.err();
    expect(
        after
            .as_ref()
            .is_some_and(aps_client::Error::is_client_rejected),
        "a revoked client gets no token",
    )?;
    say::value(
        "token request",
        after.map(|e| e.to_string()).unwrap_or_default(),
    );
    Provisioner::new(running.idp.clone(), jwt_profile)
        .perform(&signed_request, &Step::Revoke)
        .await?;
    expect(
        running.idp.client(&consumer_id).await?.is_none()
            && running.idp.client(&signed_id).await?.is_none(),
        "revoked clients are deleted",
    )?;
    say::line("Both clients are deleted from the IdP.");
    Ok(())
}

/// The second consumer: its own key, published at a JWKS URL it serves, approved without
/// Function1/read.
async fn signed_jwt_consumer(
    running: &Running,
    profile: &CredentialIssuer,
) -> Result<(Client, String, String, AccessRequest), Error> {
    let key = SigningKey::generate_p256()?;
    let jwks = key.public_jwks().to_json();
    let base =
        api::serve(Router::new().route("/jwks.json", get(move || async move { jwks }))).await?;
    let jwks_url = format!("{base}/jwks.json");
    let provisioner = Provisioner::new(running.idp.clone(), profile.clone());
    let client_id = aps_core::consumer_client_id("QS", &idp::unique());
    let request = AccessRequest::new(
        profile,
        ENV,
        client_id.clone(),
        Some(ClientKey::JwksUrl(jwks_url.clone())),
    )?;
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await?;
    let grants = Grants::new(["Function2/*"], ["read"]);
    let approved = provisioner
        .perform(&issued.request, &Step::Approve { grants })
        .await?;
    let endpoints = running.idp.endpoints();
    let client = Client::builder()
        .client_id(&client_id)
        .private_key(key)
        .issuer(&endpoints.issuer)
        .token_endpoint(&endpoints.token_endpoint)
        .danger_allow_http_loopback(true)
        .build()?;
    Ok((client, client_id, jwks_url, approved.request))
}

fn show_call(what: &str, response: &reqwest::Response) {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(|v| format!("  WWW-Authenticate: {v}"))
        .unwrap_or_default();
    say::value(what, format!("{}{challenge}", response.status()));
}

/// The token with one character of its signature changed.
fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    if let Some(last) = bytes.iter_mut().rev().nth(5) {
        *last = if *last == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(bytes).unwrap_or_default()
}
