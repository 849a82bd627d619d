use std::time::SystemTime;

use aps_jwt::{ClientAssertion, SigningKey};

use super::*;
use crate::ClientSecret;

fn secret(id: &str, secret: &str) -> Presented {
    Presented::Secret {
        client_id: id.into(),
        secret: secret.into(),
        basic: false,
    }
}

fn client(credential: Credential, enabled: bool) -> Option<DevClient> {
    let mut client = DevClient::new("a", credential, "sa".into());
    client.enabled = enabled;
    Some(client)
}

fn refusal(result: Result<Admission, OAuthError>) -> &'static str {
    result.map(|_| "ok").unwrap_or_else(|e| e.code)
}

#[test]
fn secrets_methods_and_states() {
    let secret_client = || Credential::Secret(ClientSecret::new("s"));
    assert_eq!(
        refusal(admit(client(secret_client(), true), "a", &secret("a", "s"))),
        "ok"
    );
    assert_eq!(
        refusal(admit(client(secret_client(), true), "a", &secret("a", "x"))),
        "invalid_client"
    );
    assert_eq!(
        refusal(admit(
            client(secret_client(), false),
            "a",
            &secret("a", "s")
        )),
        "invalid_client"
    );
    assert_eq!(
        refusal(admit(None, "a", &secret("a", "s"))),
        "invalid_client"
    );
    assert_eq!(
        refusal(admit(
            client(Credential::BearerOnly, true),
            "a",
            &secret("a", "")
        )),
        "invalid_client"
    );
    let assertion = Presented::Assertion {
        client_id: None,
        assertion: "h.p.s".into(),
    };
    assert_eq!(
        refusal(admit(client(secret_client(), true), "a", &assertion)),
        "invalid_client"
    );
    let pem = SigningKey::generate_p256()
        .unwrap()
        .public_key_pem()
        .unwrap();
    let jwt = || Credential::Jwt(JwtKey::parse(&crate::PublicKey::Pem(pem.clone())).unwrap());
    assert_eq!(
        refusal(admit(client(jwt(), true), "a", &secret("a", "s"))),
        "invalid_client"
    );
    assert!(matches!(
        admit(client(jwt(), true), "a", &assertion)
            .unwrap()
            .admitted,
        Admitted::Assertion(_)
    ));
}

#[test]
fn the_claimed_client_comes_from_the_assertion() {
    let key = SigningKey::generate_p256().unwrap().with_kid("k9");
    let signed = ClientAssertion::builder("app-1", "https://idp")
        .build()
        .unwrap()
        .sign(&key, SystemTime::now())
        .unwrap();
    let assertion = signed.expose_secret().to_owned();
    assert_eq!(assertion_kid(&assertion).as_deref(), Some("k9"));
    let presented = |client_id: Option<&str>| Presented::Assertion {
        client_id: client_id.map(str::to_owned),
        assertion: assertion.clone(),
    };
    assert_eq!(claimed_client_id(&presented(None)).unwrap(), "app-1");
    assert_eq!(
        claimed_client_id(&presented(Some("app-1"))).unwrap(),
        "app-1"
    );
    assert_eq!(
        claimed_client_id(&presented(Some("app-2")))
            .unwrap_err()
            .code,
        "invalid_client"
    );
    let garbage = Presented::Assertion {
        client_id: None,
        assertion: "x".into(),
    };
    assert!(claimed_client_id(&garbage).is_err());
}
