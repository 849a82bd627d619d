//! Discovery, secrets (basic and post), the refusals, and the shape of tokens.

use aps_client::AuthMethod;
use aps_idp::{Authentication, ClientGrants, DevIdp, IdentityProvider, NewClient};
use aps_jwt::Algorithm;
use serde_json::json;

use super::support::{
    TestResult, client, decode, post_token, secret_client, validator, verified_token,
};

#[tokio::test]
async fn discovery_for_both_issuer_shapes() -> TestResult {
    for idp in [
        DevIdp::start().await?,
        DevIdp::builder().bare_issuer().start().await?,
    ] {
        let issuer = idp.issuer().to_owned();
        let url = format!("{issuer}/.well-known/openid-configuration");
        let doc: serde_json::Value = reqwest::get(&url).await?.json().await?;
        assert_eq!(doc["issuer"], issuer.as_str());
        assert_eq!(
            doc["token_endpoint"],
            format!("{issuer}/protocol/openid-connect/token")
        );
        assert_eq!(
            doc["jwks_uri"],
            format!("{issuer}/protocol/openid-connect/certs")
        );
        assert_eq!(doc["grant_types_supported"], json!(["client_credentials"]));
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt"
            ])
        );
        for member in [
            "token_endpoint_auth_signing_alg_values_supported",
            "id_token_signing_alg_values_supported",
            "response_types_supported",
            "subject_types_supported",
        ] {
            assert!(doc[member].is_array(), "{member}");
        }
        let secret = secret_client(&idp, "app", None).await;
        let verified = verified_token(&idp, client(&idp, "app").client_secret(secret)).await?;
        assert_eq!(verified.issuer(), issuer);
        idp.shutdown().await;
    }
    let bare = DevIdp::builder().bare_issuer().start().await?;
    assert_eq!(bare.issuer(), format!("http://127.0.0.1:{}", bare.port()));
    assert_eq!(bare.realm(), "dev");
    Ok(())
}

#[tokio::test]
async fn basic_credentials_are_form_encoded_and_post_works() -> TestResult {
    let idp = DevIdp::start().await?;
    let (id, secret) = ("app+1:%é~&=?", "s3+c:%é~&=?ret");
    secret_client(&idp, id, Some(secret)).await;
    for method in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost] {
        let builder = client(&idp, id).client_secret(secret).auth_method(method);
        let verified = verified_token(&idp, builder).await?;
        assert_eq!(verified.authorized_party(), Some(id));
    }
    Ok(())
}

#[tokio::test]
async fn unknown_disabled_and_wrong_secrets_are_401_invalid_client() -> TestResult {
    let idp = DevIdp::start().await?;
    let cc = ("grant_type", "client_credentials");
    let secret = idp
        .register_client(&NewClient::new("off", Authentication::Secret(None)))
        .await?
        .unwrap();
    let disabled = post_token(&idp, &[cc], Some(("off", secret.expose()))).await;
    assert_eq!((disabled.status, disabled.error()), (401, "invalid_client"));
    assert_eq!(disabled.challenge.as_deref(), Some("Basic realm=\"apigw\""));
    assert_eq!(disabled.cache_control.as_deref(), Some("no-store"));
    let posted = [cc, ("client_id", "off"), ("client_secret", secret.expose())];
    let disabled = post_token(&idp, &posted, None).await;
    assert_eq!((disabled.status, disabled.error()), (401, "invalid_client"));
    assert_eq!(disabled.challenge, None, "no challenge without HTTP Basic");

    let unknown = post_token(&idp, &[cc], Some(("nobody", "x"))).await;
    assert_eq!((unknown.status, unknown.error()), (401, "invalid_client"));
    secret_client(&idp, "on", Some("right")).await;
    let wrong = post_token(&idp, &[cc], Some(("on", "wrong"))).await;
    assert_eq!((wrong.status, wrong.error()), (401, "invalid_client"));
    let error = client(&idp, "on")
        .client_secret("wrong")
        .build()?
        .token()
        .await
        .unwrap_err();
    assert!(error.is_client_rejected(), "{error}");

    let rotated = idp.regenerate_secret("on").await?;
    let old = post_token(&idp, &[cc], Some(("on", "right"))).await;
    assert_eq!(old.error(), "invalid_client");
    assert_eq!(
        post_token(&idp, &[cc], Some(("on", rotated.expose())))
            .await
            .error(),
        "ok"
    );

    idp.create_profile_client("ap-profile").await?;
    let bearer_only = post_token(&idp, &[cc], Some(("ap-profile", ""))).await;
    assert_eq!(
        (bearer_only.status, bearer_only.error()),
        (401, "invalid_client")
    );
    Ok(())
}

#[tokio::test]
async fn malformed_requests_are_refused_as_rfc_6749_says() -> TestResult {
    let idp = DevIdp::start().await?;
    secret_client(&idp, "app", Some("s")).await;
    let cc = ("grant_type", "client_credentials");
    let scope = post_token(
        &idp,
        &[cc, ("scope", "Function3/write")],
        Some(("app", "s")),
    )
    .await;
    assert_eq!((scope.status, scope.error()), (400, "invalid_scope"));
    assert_eq!(scope.cache_control.as_deref(), Some("no-store"));
    let two = post_token(
        &idp,
        &[cc, ("client_id", "app"), ("client_secret", "s")],
        Some(("app", "s")),
    )
    .await;
    assert_eq!((two.status, two.error()), (400, "invalid_request"));
    let grant = post_token(&idp, &[("grant_type", "password")], Some(("app", "s"))).await;
    assert_eq!(
        (grant.status, grant.error()),
        (400, "unsupported_grant_type")
    );
    let missing = post_token(&idp, &[], Some(("app", "s"))).await;
    assert_eq!(missing.error(), "invalid_request");
    let ok = post_token(
        &idp,
        &[cc, ("scope", "openid Function1/read")],
        Some(("app", "s")),
    )
    .await;
    assert_eq!(ok.body["scope"], "openid Function1/read");
    assert!(ok.body["error_description"].is_null());
    Ok(())
}

#[tokio::test]
async fn tokens_are_shaped_like_keycloaks() -> TestResult {
    let idp = DevIdp::builder()
        .algorithm(Algorithm::ES256)
        .start()
        .await?;
    idp.create_profile_client("ap-orders").await?;
    idp.set_client_roles("ap-orders", &["read".into(), "write".into()])
        .await?;
    let new = NewClient::new("app", Authentication::Secret(None)).audience("ap-orders");
    let secret = idp.register_client(&new).await?.unwrap();
    let grants =
        ClientGrants::scopes(["Function1/read", "Function2/*"]).roles("ap-orders", ["read"]);
    idp.set_grants("app", &grants).await?;
    idp.set_enabled("app", true).await?;
    assert!(idp.client("app").await?.unwrap().has_exactly(&grants));

    let cc = ("grant_type", "client_credentials");
    let answer = post_token(&idp, &[cc], Some(("app", secret.expose()))).await;
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 300);
    assert_eq!(answer.body["scope"], "Function1/read Function2/*");
    let token = answer.body["access_token"].as_str().unwrap();
    let header = decode(token, 0);
    assert_eq!(
        (&header["alg"], &header["typ"]),
        (&json!("ES256"), &json!("JWT"))
    );
    assert!(header["kid"].is_string());
    let c = decode(token, 1);
    assert_eq!(c["iss"], idp.issuer());
    assert_eq!(c["aud"], "ap-orders");
    assert_eq!((&c["typ"], &c["azp"]), (&json!("Bearer"), &json!("app")));
    assert_eq!(
        (&c["clientId"], &c["client_id"]),
        (&json!("app"), &json!("app"))
    );
    assert_eq!(c["preferred_username"], "service-account-app");
    assert_eq!(
        c["resource_access"],
        json!({"ap-orders": {"roles": ["read"]}})
    );
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 300);
    assert!(c["sub"].as_str().unwrap().len() == 36 && c["jti"].is_string());
    let again = post_token(&idp, &[cc], Some(("app", secret.expose()))).await;
    let c2 = decode(again.body["access_token"].as_str().unwrap(), 1);
    assert_eq!(c2["sub"], c["sub"], "the service account is stable");
    assert_ne!(c2["jti"], c["jti"]);

    let verified = validator(&idp, Algorithm::ES256).validate(token).await?;
    assert_eq!(verified.client_roles("ap-orders"), ["read"]);
    assert!(verified.has_scope("Function2/*"));
    Ok(())
}

#[tokio::test]
async fn binds_loopback_and_hides_secrets() -> TestResult {
    let idp = DevIdp::start().await?;
    assert!(idp.addr().ip().is_loopback());
    assert_eq!(idp.addr().port(), idp.port());
    let secret = secret_client(&idp, "app", None).await;
    let shown = format!("{idp:?}");
    assert!(
        shown.contains("127.0.0.1") && !shown.contains(secret.expose()),
        "{shown}"
    );
    let clone = idp.clone();
    drop(idp);
    assert!(
        clone.client("app").await?.is_some(),
        "a clone keeps it running"
    );
    let url = format!("{}/.well-known/openid-configuration", clone.issuer());
    clone.shutdown().await;
    assert!(reqwest::get(&url).await.is_err(), "stopped");
    Ok(())
}
