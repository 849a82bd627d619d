use aps_jwt::SigningKey;

use super::*;
use crate::dev::config::test_config;

fn realm() -> Realm {
    Realm {
        clients: BTreeMap::new(),
        keys: KeyRing::new(SigningKey::generate_p256().unwrap()),
    }
}

fn fresh() -> Fresh {
    Fresh {
        secret: "generated".into(),
        id: "sa-id".into(),
    }
}

/// Client `a`, and the profile client `ap-p` with the roles `read` and `write`.
fn consumer_and_profile() -> (Config, Realm) {
    let (config, mut realm) = (test_config(), realm());
    realm
        .register(&config, &secret_client("a"), fresh())
        .unwrap();
    realm
        .create_profile_client(&config, "ap-p", fresh())
        .unwrap();
    realm
        .set_client_roles(&config, "ap-p", &["read".into(), "write".into()])
        .unwrap();
    (config, realm)
}

fn secret_client(id: &str) -> NewClient {
    NewClient::new(id, Authentication::Secret(None))
}

#[test]
fn registration_is_disabled_and_unique() {
    let (config, mut realm) = (test_config(), realm());
    let secret = realm
        .register(&config, &secret_client("a"), fresh())
        .unwrap();
    assert_eq!(secret.unwrap().expose(), "generated");
    let state = realm.clients["a"].state();
    assert!(!state.enabled && state.default_scopes.is_empty() && state.roles.is_empty());
    let again = realm
        .register(&config, &secret_client("a"), fresh())
        .unwrap_err();
    assert!(again.is_already_exists(), "{again}");
    let given = NewClient::new("b", Authentication::Secret(Some("mine".into()))).audience("ap-x");
    assert_eq!(
        realm
            .register(&config, &given, fresh())
            .unwrap()
            .unwrap()
            .expose(),
        "mine"
    );
    assert_eq!(realm.clients["b"].state().audiences, ["ap-x"]);
}

#[test]
fn grants_are_checked_before_anything_changes() {
    let (config, mut realm) = consumer_and_profile();
    let good = ClientGrants::scopes(["Function1/read"]).roles("ap-p", ["read"]);
    realm.set_grants(&config, "a", &good).unwrap();
    assert!(realm.clients["a"].state().has_exactly(&good));

    let unknown_scope = ClientGrants::scopes(["Function9/read"]);
    let e = realm.set_grants(&config, "a", &unknown_scope).unwrap_err();
    assert_eq!(
        e.to_string(),
        "scope `Function9/read` does not exist in realm `apigw`"
    );
    let unknown_role = ClientGrants::scopes(["Function2/*"]).roles("ap-p", ["admin"]);
    let e = realm.set_grants(&config, "a", &unknown_role).unwrap_err();
    assert!(matches!(e, Error::UnknownRole { .. }), "{e}");
    let no_owner = ClientGrants::scopes(["Function2/*"]).roles("ap-none", ["read"]);
    assert!(matches!(
        realm.set_grants(&config, "a", &no_owner).unwrap_err(),
        Error::UnknownRole { .. }
    ));
    assert!(realm.clients["a"].state().has_exactly(&good), "unchanged");
    assert!(
        realm
            .set_grants(&config, "zz", &good)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn deleting_roles_or_their_client_removes_the_mappings() {
    let (config, mut realm) = consumer_and_profile();
    let grants = ClientGrants::scopes(Vec::<String>::new()).roles("ap-p", ["read", "write"]);
    realm.set_grants(&config, "a", &grants).unwrap();
    realm
        .set_client_roles(&config, "ap-p", &["write".into()])
        .unwrap();
    assert_eq!(realm.clients["a"].state().roles["ap-p"], ["write"]);
    assert!(realm.delete("ap-p"));
    assert!(realm.clients["a"].roles.is_empty());
    assert!(!realm.delete("ap-p"));
}

#[test]
fn secrets_and_keys_by_kind() {
    let (config, mut realm) = (test_config(), realm());
    realm
        .register(&config, &secret_client("s"), fresh())
        .unwrap();
    let pem = SigningKey::generate_p256()
        .unwrap()
        .public_key_pem()
        .unwrap();
    let jwt = NewClient::new("j", Authentication::Jwt(PublicKey::Pem(pem.clone())));
    assert!(realm.register(&config, &jwt, fresh()).unwrap().is_none());
    realm.create_profile_client(&config, "p", fresh()).unwrap();
    assert!(realm.clients["p"].enabled);

    let new = Fresh {
        secret: "rotated".into(),
        id: String::new(),
    };
    assert_eq!(
        realm.regenerate_secret(&config, "s", new).unwrap().expose(),
        "rotated"
    );
    assert_eq!(realm.secret(&config, "s").unwrap().expose(), "rotated");
    for id in ["j", "p"] {
        assert!(
            matches!(realm.secret(&config, id), Err(Error::Conflict(_))),
            "{id}"
        );
    }
    assert!(realm.secret(&config, "none").unwrap_err().is_not_found());

    let url = PublicKey::JwksUrl("http://127.0.0.1:1/jwks".into());
    realm.set_public_key(&config, "j", &url).unwrap();
    assert_eq!(
        realm.clients["j"].state().authentication,
        crate::RegisteredAuthentication::Jwt(Some(url.clone()))
    );
    assert!(matches!(
        realm.set_public_key(&config, "s", &url),
        Err(Error::Conflict(_))
    ));
    let bad = PublicKey::Pem("garbage".into());
    assert!(realm.set_public_key(&config, "j", &bad).is_err());
}
