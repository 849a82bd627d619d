//! `set_grants`: nothing changes on an unknown scope; exact scopes, roles and audience reach
//! real tokens.

use aps_idp::{Authentication, ClientGrants, Error, IdentityProvider, NewClient};
use serde_json::{Value, json};

use super::support::{TestResult, claims, cleanup, idp, representation, secret_token};

#[tokio::test]
async fn an_unknown_scope_or_role_changes_nothing() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("idp-unknown");
    let profile = aps_testkit::unique_id("ap-unknown");
    idp.register_client(&NewClient::new(&client_id, Authentication::Secret(None)))
        .await?;
    idp.create_profile_client(&profile).await?;
    idp.set_client_roles(&profile, &["read".to_owned()]).await?;

    let scopes = ClientGrants::scopes(["Function1/read", "Function9/read"]);
    let error = idp.set_grants(&client_id, &scopes).await.unwrap_err();
    assert!(matches!(error, Error::UnknownScope { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "scope `Function9/read` does not exist in realm `apigw`"
    );

    let roles = ClientGrants::scopes(["Function1/read"]).roles(&profile, ["read", "fly"]);
    let error = idp.set_grants(&client_id, &roles).await.unwrap_err();
    assert!(
        matches!(&error, Error::UnknownRole { role, .. } if role == "fly"),
        "{error}"
    );

    let state = idp.client(&client_id).await?.expect("registered");
    assert!(
        state.default_scopes.is_empty() && state.roles.is_empty(),
        "{state:?}"
    );
    assert_eq!(
        representation(&kc, &client_id).await["defaultClientScopes"],
        json!([])
    );
    cleanup(&idp, &[&client_id, &profile]).await;
    Ok(())
}

#[tokio::test]
async fn granted_scopes_roles_and_audience_reach_the_token_exactly() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("idp-grants");
    let profile = aps_testkit::unique_id("ap-grants");
    idp.create_profile_client(&profile).await?;
    idp.set_client_roles(&profile, &["read".into(), "write".into(), "admin".into()])
        .await?;
    let new = NewClient::new(&client_id, Authentication::Secret(None)).audience(&profile);
    let secret = idp.register_client(&new).await?.expect("a secret");

    // A first grant, then the one that counts: the second must remove what the first gave.
    let first = ClientGrants::scopes(["Function2/*"]).roles(&profile, ["admin"]);
    idp.set_grants(&client_id, &first).await?;
    let grants = ClientGrants::scopes(["Function1/read", "Function3/write"])
        .roles(&profile, ["read", "write"]);
    idp.set_grants(&client_id, &grants).await?;
    idp.set_grants(&client_id, &grants).await?;
    let state = idp.client(&client_id).await?.expect("registered");
    assert!(state.has_exactly(&grants), "{state:?}");
    assert!(!state.enabled, "set_grants does not enable");
    let rep = representation(&kc, &client_id).await;
    let mut scopes: Vec<&str> = rep["defaultClientScopes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["Function1/read", "Function3/write", "roles"]);

    let refused = secret_token(&kc, &client_id, secret.expose())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("invalid_client"), "{refused}");
    idp.set_enabled(&client_id, true).await?;
    assert!(idp.client(&client_id).await?.expect("registered").enabled);
    let token = secret_token(&kc, &client_id, secret.expose()).await?;
    let claims = claims(&kc, &token).await;
    let mut scope: Vec<&str> = claims["scope"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    scope.sort_unstable();
    assert_eq!(scope, ["Function1/read", "Function3/write"], "{claims}");
    let mut roles: Vec<&str> = claims["resource_access"][&profile]["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["read", "write"], "{claims}");
    let audiences = match &claims["aud"] {
        Value::String(one) => vec![one.clone()],
        many => many
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    };
    assert!(audiences.contains(&profile), "{claims}");
    assert_eq!(claims["azp"], client_id.as_str());

    // Enabling again, and granting again, keep the client as it is.
    idp.set_enabled(&client_id, true).await?;
    let no_roles = ClientGrants::scopes(["Function1/read"]).roles(&profile, Vec::<String>::new());
    idp.set_grants(&client_id, &no_roles).await?;
    let state = idp.client(&client_id).await?.expect("registered");
    assert!(state.has_exactly(&no_roles) && state.enabled, "{state:?}");
    assert_eq!(state.default_scopes, ["Function1/read"]);
    cleanup(&idp, &[&client_id, &profile]).await;
    Ok(())
}
