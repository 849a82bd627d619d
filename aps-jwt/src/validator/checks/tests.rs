use super::*;

fn header(typ: Option<&str>) -> Header {
    let mut header = serde_json::json!({"alg": "RS256"});
    if let Some(typ) = typ {
        header["typ"] = typ.into();
    }
    serde_json::from_value(header).expect("header")
}

fn claims(json: serde_json::Value) -> Claims {
    Claims::parse(json.to_string()).expect("claims")
}

const NOW: i64 = 1_800_000_000;

fn base() -> serde_json::Value {
    serde_json::json!({"exp": NOW + 300, "iat": NOW - 10, "typ": "Bearer"})
}

fn with(extra: serde_json::Value) -> Claims {
    let mut value = base();
    for (k, v) in extra.as_object().expect("object") {
        if v.is_null() {
            value.as_object_mut().expect("object").remove(k);
        } else {
            value[k] = v.clone();
        }
    }
    claims(value)
}

#[test]
fn time_checks_are_exact_at_the_leeway_boundary() {
    let checks = ClaimChecks::default();
    let h = header(Some("JWT"));
    assert_eq!(checks.check(&h, &with(serde_json::json!({})), NOW), Ok(()));
    let exp = |exp: i64| with(serde_json::json!({ "exp": exp }));
    assert_eq!(checks.check(&h, &exp(NOW - 29), NOW), Ok(()));
    assert_eq!(
        checks.check(&h, &exp(NOW - 30), NOW),
        Err(ValidationError::Expired)
    );
    let nbf = |nbf: i64| with(serde_json::json!({ "nbf": nbf }));
    assert_eq!(checks.check(&h, &nbf(NOW + 30), NOW), Ok(()));
    assert_eq!(
        checks.check(&h, &nbf(NOW + 31), NOW),
        Err(ValidationError::NotYetValid)
    );
    let iat = |iat: i64| with(serde_json::json!({ "iat": iat }));
    assert_eq!(
        checks.check(&h, &iat(NOW + 31), NOW),
        Err(ValidationError::IssuedInFuture)
    );
    assert_eq!(
        checks.check(&h, &with(serde_json::json!({"exp": null})), NOW),
        Err(ValidationError::MissingExpiry)
    );
    assert_eq!(
        checks.check(&h, &with(serde_json::json!({"iat": null})), NOW),
        Err(ValidationError::MissingClaim("iat"))
    );
    let strict = ClaimChecks {
        require_nbf: true,
        require_jti: true,
        maximum_expiration: Some(300),
        ..ClaimChecks::default()
    };
    assert_eq!(
        strict.check(&h, &with(serde_json::json!({})), NOW),
        Err(ValidationError::MissingClaim("nbf"))
    );
    let full = with(serde_json::json!({"nbf": NOW, "jti": "x"}));
    assert_eq!(strict.check(&h, &full, NOW), Ok(()));
    let long = with(serde_json::json!({"nbf": NOW, "jti": "x", "exp": NOW + 301}));
    assert_eq!(
        strict.check(&h, &long, NOW),
        Err(ValidationError::LifetimeTooLong)
    );
}

#[test]
fn audience_and_azp() {
    let checks = ClaimChecks {
        audiences: vec!["api".into()],
        authorized_parties: vec!["app".into()],
        ..ClaimChecks::default()
    };
    let h = header(None);
    let ok = with(serde_json::json!({"aud": ["account", "api"], "azp": "app"}));
    assert_eq!(checks.check(&h, &ok, NOW), Ok(()));
    let one = with(serde_json::json!({"aud": "api", "azp": "app"}));
    assert_eq!(checks.check(&h, &one, NOW), Ok(()));
    for bad_aud in [
        serde_json::json!("API"),
        serde_json::json!(["apix"]),
        serde_json::json!([]),
    ] {
        let c = with(serde_json::json!({"aud": bad_aud, "azp": "app"}));
        assert_eq!(checks.check(&h, &c, NOW), Err(ValidationError::Audience));
    }
    let no_azp = with(serde_json::json!({"aud": "api"}));
    assert_eq!(
        checks.check(&h, &no_azp, NOW),
        Err(ValidationError::AuthorizedParty)
    );
}

#[test]
fn only_access_tokens_pass_by_default() {
    let checks = ClaimChecks::default();
    let typ = |typ: &str| with(serde_json::json!({ "typ": typ }));
    assert_eq!(
        checks.check(&header(Some("JWT")), &typ("Bearer"), NOW),
        Ok(())
    );
    assert_eq!(
        checks.check(
            &header(Some("at+jwt")),
            &with(serde_json::json!({"typ": null})),
            NOW
        ),
        Ok(())
    );
    assert_eq!(
        checks.check(&header(Some("application/AT+JWT")), &typ("Bearer"), NOW),
        Ok(())
    );
    for (h, c) in [
        (header(Some("JWT")), typ("ID")),
        (header(Some("JWT")), typ("Refresh")),
        (header(None), with(serde_json::json!({"typ": null}))),
        (header(Some("at+jwt")), typ("ID")),
        (header(Some("logout+jwt")), typ("Bearer")),
    ] {
        assert_eq!(checks.check(&h, &c, NOW), Err(ValidationError::TokenType));
    }
    let any = ClaimChecks {
        token_type: TokenType::Any,
        ..ClaimChecks::default()
    };
    assert_eq!(any.check(&header(None), &typ("ID"), NOW), Ok(()));
}

fn keycloak_claims() -> Claims {
    with(serde_json::json!({
        "scope": "profile Function1/read email",
        "azp": "app-1",
        "realm_access": {"roles": ["offline_access", "reader"]},
        "resource_access": {
            "app-1": {"roles": ["read"]},
            "api": {"roles": ["write", "admin"]},
            "empty": {}
        }
    }))
}

#[test]
fn grants_any_of_within_and_across() {
    let claims = keycloak_claims();
    let ok = Grants {
        scopes: vec!["Function2/*".into(), "Function1/read".into()],
        realm_roles: vec!["reader".into()],
        roles: vec!["read".into()],
        client_roles: vec![ClientRole::new("api", "admin").expect("role")],
        require_all: false,
    };
    assert_eq!(ok.authorize(&claims), Ok(()));
    let missing_scope = Grants {
        scopes: vec!["Function1".into()],
        ..ok.clone()
    };
    assert!(matches!(
        missing_scope.authorize(&claims),
        Err(Denial::MissingScope { .. })
    ));
    // Realm and client roles never share a namespace.
    let realm_as_client = Grants {
        realm_roles: vec!["read".into()],
        ..ok.clone()
    };
    assert!(matches!(
        realm_as_client.authorize(&claims),
        Err(Denial::MissingRealmRole { .. })
    ));
    let client_as_realm = Grants {
        roles: vec!["reader".into()],
        ..ok.clone()
    };
    assert!(matches!(
        client_as_realm.authorize(&claims),
        Err(Denial::MissingRole { .. })
    ));
    let wrong_client = Grants {
        client_roles: vec![ClientRole::new("app-1", "admin").expect("role")],
        ..ok.clone()
    };
    assert!(matches!(
        wrong_client.authorize(&claims),
        Err(Denial::MissingClientRole { .. })
    ));
}

#[test]
fn grants_all_of() {
    let claims = keycloak_claims();
    let all = Grants {
        scopes: vec!["profile".into(), "Function1/read".into()],
        client_roles: vec![
            ClientRole::new("api", "admin").expect("role"),
            ClientRole::new("api", "write").expect("role"),
        ],
        require_all: true,
        ..Grants::default()
    };
    assert_eq!(all.authorize(&claims), Ok(()));
    let one_missing = Grants {
        scopes: vec!["profile".into(), "Function2/*".into()],
        ..all.clone()
    };
    let denial = one_missing
        .authorize(&claims)
        .expect_err("Function2/* is not granted");
    assert_eq!(
        denial.to_string(),
        "Missing required scope (all of: profile, Function2/*)"
    );
    let any = Grants {
        require_all: false,
        ..one_missing.clone()
    };
    assert_eq!(any.authorize(&claims), Ok(()));
    let none = Grants {
        scopes: vec!["Function3/read".into(), "Function2/*".into()],
        ..any
    };
    assert_eq!(
        none.authorize(&claims).map_err(|d| d.to_string()),
        Err("Missing required scope (one of: Function3/read, Function2/*)".into())
    );
    assert_eq!(
        Grants::default().authorize(&with(serde_json::json!({}))),
        Ok(())
    );
}

/// Issue 11, section 2: an empty required scope never matches the empty pieces of a claim.
#[test]
fn issue_11_empty_scope_pieces_never_match() {
    for scope in [None, Some(""), Some(" "), Some("a  b")] {
        let claims = match scope {
            Some(scope) => with(serde_json::json!({ "scope": scope })),
            None => with(serde_json::json!({})),
        };
        for require_all in [false, true] {
            let grants = Grants {
                scopes: vec!["X".into(), String::new()],
                require_all,
                ..Grants::default()
            };
            assert!(grants.authorize(&claims).is_err(), "{scope:?}");
        }
    }
}

/// A token without `azp` or `client_id` has no own client roles, whatever `resource_access`
/// says of a client named "".
#[test]
fn without_an_own_client_no_role_is_the_clients() {
    let claims = with(serde_json::json!({"resource_access": {"": {"roles": ["read"]}}}));
    let grants = Grants {
        roles: vec!["read".into()],
        ..Grants::default()
    };
    assert!(matches!(
        grants.authorize(&claims),
        Err(Denial::MissingRole { .. })
    ));
}
