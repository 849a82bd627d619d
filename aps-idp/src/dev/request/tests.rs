use base64::Engine as _;

use super::*;

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", encode(id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn code(result: Result<TokenRequest, OAuthError>) -> &'static str {
    result.map(|_| "ok").unwrap_or_else(|e| e.code)
}

#[test]
fn basic_credentials_are_form_decoded() {
    let (id, secret) = ("a+b:c%d é~", "s&=?+:%");
    let auth = basic(id, secret);
    let request = parse(FORM, Some(&auth), b"grant_type=client_credentials", "r").unwrap();
    assert_eq!(
        request.auth,
        Presented::Secret {
            client_id: id.into(),
            secret: secret.into(),
            basic: true
        }
    );
    assert_eq!(form_decode("a+b%20c%C3%A9").as_deref(), Some("a b cé"));
    for bad in ["%", "%4", "%+1", "%zz", "%ff"] {
        assert_eq!(form_decode(bad), None, "{bad}");
    }
}

#[test]
fn post_and_assertion() {
    let post = parse(
        FORM,
        None,
        b"grant_type=client_credentials&client_id=a&client_secret=s&scope=x%20y",
        "r",
    )
    .unwrap();
    assert_eq!(post.scopes, ["x", "y"]);
    assert!(matches!(post.auth, Presented::Secret { basic: false, .. }));
    let body = format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion=h.p.s",
        url::form_urlencoded::byte_serialize(JWT_BEARER.as_bytes()).collect::<String>()
    );
    let jwt = parse(FORM, None, body.as_bytes(), "r").unwrap();
    assert_eq!(
        jwt.auth,
        Presented::Assertion {
            client_id: None,
            assertion: "h.p.s".into()
        }
    );
}

#[test]
fn refusals() {
    let cc = b"grant_type=client_credentials&client_id=a&client_secret=s";
    assert_eq!(
        code(parse(Some("application/json"), None, cc, "r")),
        "invalid_request"
    );
    assert_eq!(
        code(parse(FORM, None, b"grant_type=password", "r")),
        "unsupported_grant_type"
    );
    assert_eq!(
        code(parse(FORM, None, b"client_id=a", "r")),
        "invalid_request"
    );
    assert_eq!(
        code(parse(
            FORM,
            None,
            b"grant_type=client_credentials&grant_type=client_credentials",
            "r"
        )),
        "invalid_request"
    );
    let auth = basic("a", "s");
    assert_eq!(
        code(parse(FORM, Some(&auth), cc, "r")),
        "invalid_request",
        "two methods"
    );
    assert_eq!(
        code(parse(
            FORM,
            None,
            b"grant_type=client_credentials&client_secret=s&client_assertion=x",
            "r"
        )),
        "invalid_request"
    );
    assert_eq!(
        code(parse(
            FORM,
            None,
            b"grant_type=client_credentials&client_assertion=x&client_assertion_type=other",
            "r"
        )),
        "invalid_client"
    );
    assert_eq!(
        code(parse(FORM, None, b"grant_type=client_credentials", "r")),
        "invalid_client"
    );
    let garbage = parse(
        FORM,
        Some("Basic !!!"),
        b"grant_type=client_credentials",
        "r",
    )
    .unwrap_err();
    assert_eq!(
        (garbage.code, garbage.basic_realm.as_deref()),
        ("invalid_client", Some("r"))
    );
    let other_id = parse(
        FORM,
        Some(&auth),
        b"grant_type=client_credentials&client_id=b",
        "r",
    );
    assert_eq!(code(other_id), "invalid_client");
}

#[test]
fn debug_hides_secrets() {
    let auth = basic("a", "hunter2");
    let request = parse(FORM, Some(&auth), b"grant_type=client_credentials", "r").unwrap();
    assert!(!format!("{request:?}").contains("hunter2"));
}
