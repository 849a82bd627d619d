use super::*;

fn parse(json: &str) -> Result<Claims, serde_json::Error> {
    Claims::parse(json.to_owned())
}

fn ok(json: &str) -> Claims {
    parse(json).expect(json)
}

#[test]
fn strings_are_read_in_place_and_kept_as_signed() {
    let json = r#"{"iss":"https://idp/realms/r","sub":"s","aud":["account","api"],"azp":"app",
        "scope":"a b","realm_access":{"roles":["reader"],"other":1},
        "resource_access":{"app":{"roles":["read","write"]}},"x":{"nested":["iss"]}}"#;
    let claims = ok(json);
    assert_eq!(claims.iss(), Some("https://idp/realms/r"));
    assert_eq!(claims.sub(), Some("s"));
    assert_eq!(claims.azp(), Some("app"));
    assert_eq!(claims.scope(), Some("a b"));
    assert_eq!(claims.jti(), None);
    assert_eq!(claims.aud(), ["account", "api"]);
    assert_eq!(claims.realm_roles(), ["reader"]);
    assert_eq!(claims.client_roles("app"), ["read", "write"]);
    assert!(claims.client_roles("other").is_empty());
    assert_eq!(claims.json(), json);
}

#[test]
fn escaped_strings_are_unescaped_and_the_text_stays_as_signed() {
    let json = r#"{"iss":"a\/b","aud":["x\u0041","plain"],"realm_access":{"roles":["r\n"]},
        "resource_access":{"c\u00e9":{"roles":["\"q\""]}},"azp":"caf\u00e9"}"#;
    let claims = ok(json);
    assert_eq!(claims.iss(), Some("a/b"));
    assert_eq!(claims.aud(), ["xA", "plain"]);
    assert_eq!(claims.realm_roles(), ["r\n"]);
    assert_eq!(claims.client_roles("cé"), ["\"q\""]);
    assert_eq!(claims.azp(), Some("café"));
    assert_eq!(claims.json(), json);
}

#[test]
fn member_names_are_compared_after_unescaping() {
    assert_eq!(ok(r#"{"i\u0073s":"a"}"#).iss(), Some("a"));
    assert!(parse(r#"{"iss":"a","i\u0073s":"b"}"#).is_err());
    // Names are compared exactly: no case folding, no trimming.
    let claims = ok(r#"{"ISS":"a","iss ":"b","aud ":"c"}"#);
    assert_eq!(claims.iss(), None);
    assert!(claims.aud().is_empty());
}

#[test]
fn every_known_member_may_appear_once() {
    for member in [
        r#""iss":"a""#,
        r#""sub":"a""#,
        r#""jti":"a""#,
        r#""typ":"a""#,
        r#""azp":"a""#,
        r#""scope":"a""#,
        r#""client_id":"a""#,
        r#""clientId":"a""#,
        r#""preferred_username":"a""#,
        r#""payloadhash":"a""#,
        r#""aud":"a""#,
        r#""exp":1"#,
        r#""nbf":1"#,
        r#""iat":1"#,
        r#""realm_access":{}"#,
        r#""resource_access":{}"#,
    ] {
        assert!(parse(&format!("{{{member}}}")).is_ok(), "{member}");
        let twice = parse(&format!("{{{member},{member}}}"));
        assert!(twice.is_err_and(|e| e.is_data()), "{member}");
    }
    assert!(parse(r#"{"realm_access":{"roles":[],"roles":["admin"]}}"#).is_err());
    // Members this type does not read may repeat, as in any JSON object.
    assert!(parse(r#"{"x":1,"x":2}"#).is_ok());
}

#[test]
fn shapes_are_checked() {
    for bad in [
        r#"{"iss":null}"#,
        r#"{"iss":1}"#,
        r#"{"aud":null}"#,
        r#"{"aud":1}"#,
        r#"{"aud":["a",1]}"#,
        r#"{"aud":{"a":1}}"#,
        r#"{"realm_access":[["a"]]}"#,
        r#"{"realm_access":{"roles":null}}"#,
        r#"{"realm_access":{"roles":"admin"}}"#,
        r#"{"realm_access":{"roles":[1]}}"#,
        r#"{"resource_access":{"app":null}}"#,
        r#"{"resource_access":{"app":{"roles":[null]}}}"#,
        r#"{"resource_access":[]}"#,
        r#"{"exp":"1"}"#,
    ] {
        assert!(parse(bad).is_err_and(|e| e.is_data()), "{bad}");
    }
    for syntax in [r#"{"iss":"a""#, r#"{"iss":"a"} x"#, "[]", ""] {
        assert!(parse(syntax).is_err(), "{syntax}");
    }
    // `null` for the two access objects means absent, as it always did.
    let claims = ok(r#"{"realm_access":null,"resource_access":null}"#);
    assert!(claims.realm_roles().is_empty());
    assert!(claims.client_roles("app").is_empty());
}

#[test]
fn of_a_client_named_twice_the_last_entry_counts() {
    let claims =
        ok(r#"{"resource_access":{"app":{"roles":["admin"]},"b":{},"app":{"roles":["read"]}}}"#);
    assert_eq!(claims.client_roles("app"), ["read"]);
    assert!(claims.client_roles("b").is_empty());
}

#[test]
fn a_claim_list_iterates_compares_and_shows_its_strings() {
    let claims = ok(r#"{"aud":["a","b","c"]}"#);
    let aud = claims.aud();
    assert_eq!(aud.len(), 3);
    assert!(aud.contains("b") && !aud.contains("B") && !aud.contains("b "));
    assert_eq!(aud.clone().rev().collect::<Vec<_>>(), ["c", "b", "a"]);
    assert_eq!(format!("{aud:?}"), r#"["a", "b", "c"]"#);
    assert_ne!(aud, ["a", "b"]);
    assert_ne!(aud, ["a", "b", "d"]);
    assert_eq!(aud, claims.aud());
    assert_eq!(ok(r#"{"aud":"solo"}"#).aud(), ["solo"]);
}

#[test]
fn the_member_table_is_in_the_order_of_the_members() {
    for (i, (name, member)) in MEMBERS.iter().enumerate() {
        assert_eq!(*member as usize, i);
        assert_eq!(Member::from_name(name), Some(*member));
        assert_eq!(member.name(), *name);
    }
}
