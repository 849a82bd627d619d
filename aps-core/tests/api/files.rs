//! Whole files: kinds, unknown fields, errors with positions, round trips.

use aps_core::{Document, Location, Severity, load_json, load_yaml};
use serde_json::json;

use super::testdata;

#[test]
fn gwa_template_keeps_every_kind_and_round_trips() {
    let text = testdata("gwa-shared-idp-template.yaml");
    let docs = load_yaml(&text).unwrap();
    let kinds: Vec<_> = docs.documents.iter().map(Document::kind).collect();
    assert_eq!(
        kinds,
        [
            Some("Namespace"),
            Some("GatewayService"),
            Some("CredentialIssuer"),
            Some("DraftDataset"),
            Some("Product")
        ]
    );
    assert_eq!(docs.warnings, vec![]);
    let Document::Other(service) = &docs.documents[1] else {
        panic!("not opaque")
    };
    assert_eq!(
        service.value()["plugins"][0]["config"]["allowed_aud"],
        json!("ap-my-gateway-default-dev")
    );
    assert_eq!(
        service.value()["plugins"][0]["config"]["scope"],
        json!(null)
    );

    let written = docs.to_yaml().unwrap();
    let again = load_yaml(&written).unwrap();
    assert_eq!(again.documents, docs.documents);
    assert_eq!(again.to_yaml().unwrap(), written, "writing is stable");

    let from_json = load_json(&docs.to_json()).unwrap();
    assert_eq!(from_json.documents, docs.documents);
}

#[test]
fn unknown_fields_are_kept_and_reported_with_path_and_position() {
    let text = "kind: Product\nname: p\n---\nkind: CredentialIssuer\nname: My API default\nflows: x\n\
                environmentDetails:\n  - environment: dev\n    issuerURL: https://idp.example/realms/x\n";
    let docs = load_yaml(text).unwrap();
    let warnings: Vec<_> = docs.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "document 2, line 6, column 1: flows: unknown field `flows` is kept but not understood; did \
             you mean `flow`?",
            "document 2, line 9, column 5: environmentDetails[0].issuerURL: unknown field `issuerURL` is \
             kept but not understood; did you mean `issuerUrl`?",
        ]
    );
    assert!(
        docs.warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    let profile = docs.credential_issuers().next().unwrap();
    assert_eq!(profile.extra["flows"], json!("x"));
    assert_eq!(
        profile.environment_details[0].extra["issuerURL"],
        json!("https://idp.example/realms/x")
    );
    let written = docs.to_yaml().unwrap();
    assert!(
        written.contains("issuerURL: https://idp.example/realms/x"),
        "{written}"
    );
}

#[test]
fn type_errors_are_all_reported_with_document_line_and_column() {
    let text = "kind: CredentialIssuer\nname: My API default\nflow: client_credentials\nisShared: 'yes'\n\
                clientRoles: read\nenvironmentDetails:\n  - environment: staging\n    clientSecret: 42\n";
    let err = load_yaml(text).unwrap_err();
    let lines: Vec<_> = err.errors().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "document 1, line 3, column 7: flow: unknown flow `client_credentials`; allowed: public, \
             authorization-code, client-credentials, kong-api-key-acl",
            "document 1, line 4, column 11: isShared: expected true or false, found a string",
            "document 1, line 5, column 14: clientRoles: expected a list, found a string",
            "document 1, line 7, column 18: environmentDetails[0].environment: unknown environment \
             `staging`; allowed: dev, test, prod, sandbox, other",
            "document 1, line 8, column 19: environmentDetails[0].clientSecret: expected a string, found \
             a number (quote it to make it a string)",
        ]
    );
    assert_eq!(
        err.errors().next().unwrap().location,
        Some(Location { line: 3, column: 7 })
    );
}

#[test]
fn missing_name_and_documents_without_kind() {
    let err = load_yaml("kind: CredentialIssuer\nflow: client-credentials\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "document 1, line 1, column 1: name: is required"
    );
    let docs = load_yaml("name: no kind here\n---\n- a\n- b\n").unwrap();
    assert_eq!(docs.documents.len(), 2);
    assert_eq!(docs.warnings.len(), 2);
    assert_eq!(
        docs.warnings[0].to_string(),
        "document 1, line 1, column 1: kind: document has no string `kind` (gwa would reject it); kept as is"
    );
    assert_eq!(
        docs.to_yaml().unwrap(),
        "---\nname: no kind here\n---\n- a\n- b\n"
    );
}

#[test]
fn yaml_1_1_booleans_stay_strings_and_secrets_never_reach_messages() {
    let docs = load_yaml("kind: Other\nanswer: no\n").unwrap();
    assert_eq!(docs.documents[0].to_value()["answer"], json!("no"));
    let err = load_yaml(
        "kind: CredentialIssuer\nname: My API default\nenvironmentDetails:\n  - environment: dev\n    \
         clientSecret: [hunter2-secret\n",
    )
    .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
}

#[test]
fn secrets_in_fields_the_model_does_not_know_are_masked_in_debug_and_redacted_copies() {
    let text = "kind: GatewayService\nname: svc\nplugins:\n  - name: oidc\n    config:\n      \
                client_id: app\n      client_secret: gw-secret-1\n---\nkind: CredentialIssuer\n\
                name: My API default\nenvironmentDetails:\n  - environment: dev\n    \
                clientsecret: idp-secret-2\n";
    let docs = load_yaml(text).unwrap();
    assert_eq!(
        docs.warnings[0].message,
        "unknown field `clientsecret` is kept but not understood; did you mean `clientSecret`?"
    );
    let shown = format!("{docs:?}");
    assert!(
        !shown.contains("secret-1") && !shown.contains("secret-2"),
        "{shown}"
    );
    assert!(shown.contains(r#""client_id": String("app")"#), "{shown}");

    let profile = docs.credential_issuers().next().unwrap();
    let redacted = serde_json::to_value(profile.redacted()).unwrap();
    assert_eq!(
        redacted["environmentDetails"][0]["clientsecret"],
        json!("****")
    );
    let written = docs.to_yaml().unwrap();
    assert!(
        written.contains("client_secret: gw-secret-1") && written.contains("idp-secret-2"),
        "writing a file keeps every value: {written}"
    );
}
