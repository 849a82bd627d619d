use serde_json::json;

use super::*;
use crate::IssuerUrlError;

const ISS: &str = "https://loginproxy.gov.bc.ca/auth/realms/apigw";

fn base() -> AccessPolicyBuilder {
    AccessPolicy::builder().issuer(ISS)
}

#[test]
fn defaults_follow_the_plugin() {
    let p = AccessPolicy::new(ISS).unwrap();
    assert_eq!(p.issuers(), [ISS]);
    assert_eq!(p.algorithms(), ["RS256"]);
    assert_eq!(p.claims_to_verify(), [ClaimToVerify::Exp]);
    assert!(p.verifies(ClaimToVerify::Exp) && !p.verifies(ClaimToVerify::Nbf));
    assert_eq!(p.audience(), None);
    assert_eq!(p.maximum_expiration(), None);
    assert!(p.scopes().is_empty() && p.roles().is_empty());
    assert!(p.realm_roles().is_empty() && p.client_roles().is_empty());
}

#[test]
fn issuer_is_compared_exactly() {
    let p = AccessPolicy::new(ISS).unwrap();
    assert!(p.allows_issuer(ISS));
    assert!(!p.allows_issuer(&format!("{ISS}/")));
    assert!(
        !p.allows_issuer("https://evil.example/https://loginproxy.gov.bc.ca/auth/realms/apigw")
    );
    assert!(!p.allows_issuer("https://loginproxy.gov.bc.ca/realms/apigw"));
}

#[test]
fn build_rejects_unsafe_policies() {
    assert_eq!(AccessPolicy::builder().build(), Err(PolicyError::NoIssuer));
    assert_eq!(
        AccessPolicy::new("http://idp.example/realms/x"),
        Err(PolicyError::InvalidIssuer {
            issuer: "http://idp.example/realms/x".into(),
            reason: IssuerUrlError::NotHttps
        })
    );
    for alg in ["none", "HS256", "rs256"] {
        assert_eq!(
            base().algorithm(alg).build(),
            Err(PolicyError::UnsupportedAlgorithm {
                algorithm: alg.into()
            })
        );
    }
    assert_eq!(
        base().client_role("no-colon").build(),
        Err(PolicyError::InvalidClientRole {
            value: "no-colon".into()
        })
    );
    assert_eq!(
        base().scope("two words").build(),
        Err(PolicyError::InvalidValue {
            field: "scopes",
            value: "two words".into()
        })
    );
    assert_eq!(
        base().role(" padded").build(),
        Err(PolicyError::InvalidValue {
            field: "roles",
            value: " padded".into()
        })
    );
    let messages: Vec<String> = [base().scope("two words"), base().audience("")]
        .map(|b| b.build().unwrap_err().to_string())
        .into();
    assert_eq!(
        messages,
        [
            "invalid value `two words` in scopes: a scope is an RFC 6749 token (printable ASCII \
             without spaces, `\"` or `\\`)",
            "invalid value `` in audience: it must not be empty, padded with whitespace or contain \
             control characters"
        ]
    );
    assert_eq!(
        base()
            .maximum_expiration_secs(MAX_MAXIMUM_EXPIRATION_SECS + 1)
            .build(),
        Err(PolicyError::MaximumExpirationTooLarge {
            seconds: MAX_MAXIMUM_EXPIRATION_SECS + 1
        })
    );
    assert_eq!(
        base()
            .claims_to_verify([ClaimToVerify::Nbf])
            .maximum_expiration_secs(60)
            .build(),
        Err(PolicyError::MaximumExpirationWithoutExp)
    );
}

#[test]
fn unsupported_algorithm_message_lists_allowed_ones() {
    let err = base().algorithm("none").build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "algorithm `none` is not supported; allowed: RS256, RS384, RS512, PS256, PS384, PS512, \
         ES256, ES384, ES512, EdDSA"
    );
}

#[test]
fn client_role_splits_at_last_colon() {
    let pair: ClientRole = "urn:app:read".parse().unwrap();
    assert_eq!((pair.client(), pair.role()), ("urn:app", "read"));
    for bad in [":read", "app:", "a b:read", "app:r w", ""] {
        assert!(bad.parse::<ClientRole>().is_err(), "{bad:?}");
    }
    assert!(ClientRole::new("app", "a:b").is_err());
}

#[test]
fn duplicates_are_kept_once_in_order() {
    let p = base()
        .issuer(ISS)
        .scopes(["b", "a", "b"])
        .algorithm("ES256")
        .algorithm("ES256")
        .build()
        .unwrap();
    assert_eq!(p.issuers(), [ISS]);
    assert_eq!(p.scopes(), ["b", "a"]);
    assert_eq!(p.algorithms(), ["ES256"]);
}

#[test]
fn maximum_expiration_zero_means_unbounded() {
    let p = base().maximum_expiration_secs(0).build().unwrap();
    assert_eq!(p.maximum_expiration(), None);
    assert!(!p.exceeds_maximum_expiration(i64::MAX, 0));
    let p = base().maximum_expiration_secs(300).build().unwrap();
    assert!(!p.exceeds_maximum_expiration(1300, 1000));
    assert!(p.exceeds_maximum_expiration(1301, 1000));
    assert!(!p.exceeds_maximum_expiration(i64::MIN, i64::MAX));
}

#[test]
fn audience_accepts_string_or_array() {
    let p = base().audience("ap-x").build().unwrap();
    assert!(p.allows_audience(Some(&json!("ap-x"))));
    assert!(p.allows_audience(Some(&json!(["account", "ap-x"]))));
    assert!(!p.allows_audience(Some(&json!("ap-x-dev"))));
    assert!(!p.allows_audience(Some(&json!(["ap"]))));
    assert!(!p.allows_audience(None));
    assert!(!p.allows_audience(Some(&json!(7))));
    assert!(AccessPolicy::new(ISS).unwrap().allows_audience(None));
}

#[test]
fn grant_lists_are_any_of_within_and_across_all() {
    let p = base()
        .scopes(["s1", "s2"])
        .realm_role("r1")
        .role("own")
        .client_role("other:cr")
        .build()
        .unwrap();
    let full = json!({
        "scope": "openid s2",
        "azp": "me",
        "realm_access": { "roles": ["r0", "r1"] },
        "resource_access": { "me": { "roles": ["own"] }, "other": { "roles": ["cr"] } }
    });
    assert_eq!(p.authorize(&full), Ok(()));

    let mut c = full.clone();
    c["scope"] = json!("openid s22");
    assert!(matches!(p.authorize(&c), Err(Denial::MissingScope { .. })));
    let mut c = full.clone();
    c["realm_access"] = json!({ "roles": "r1" });
    assert!(matches!(
        p.authorize(&c),
        Err(Denial::MissingRealmRole { .. })
    ));
    let mut c = full.clone();
    c["azp"] = json!("other");
    assert!(matches!(p.authorize(&c), Err(Denial::MissingRole { .. })));
    let mut c = full.clone();
    c["resource_access"]["other"]["roles"] = json!(["own"]);
    assert!(matches!(
        p.authorize(&c),
        Err(Denial::MissingClientRole { .. })
    ));
}

#[test]
fn empty_lists_pass_and_first_failure_wins() {
    assert_eq!(
        AccessPolicy::new(ISS).unwrap().authorize(&json!({})),
        Ok(())
    );
    let p = base().scope("s").realm_role("r").build().unwrap();
    let err = p.authorize(&json!({})).unwrap_err();
    assert_eq!(err.to_string(), "Missing required scope (one of: s)");
}

#[test]
fn serde_round_trip_and_validation_on_input() {
    let p = base()
        .audience("ap-x")
        .algorithm("RS256")
        .algorithm("ES256")
        .scope("Function1/read")
        .realm_role("r")
        .role("own")
        .client_role("ap-x:read")
        .claims_to_verify([ClaimToVerify::Exp, ClaimToVerify::Nbf])
        .maximum_expiration_secs(600)
        .build()
        .unwrap();
    let text = serde_json::to_string(&p).unwrap();
    assert_eq!(
        text,
        r#"{"issuers":["https://loginproxy.gov.bc.ca/auth/realms/apigw"],"audience":"ap-x","algorithms":["RS256","ES256"],"scopes":["Function1/read"],"realm_roles":["r"],"roles":["own"],"client_roles":["ap-x:read"],"claims_to_verify":["exp","nbf"],"maximum_expiration":600}"#
    );
    assert_eq!(serde_json::from_str::<AccessPolicy>(&text).unwrap(), p);

    let err = serde_json::from_str::<AccessPolicy>(r#"{"issuers":[],"algorithms":["none"]}"#)
        .unwrap_err();
    assert!(err.to_string().contains("at least one issuer"), "{err}");
    let err = serde_json::from_str::<AccessPolicy>(r#"{"issuers":["x"],"extra":1}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
}
