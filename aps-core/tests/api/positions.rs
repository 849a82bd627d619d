//! Validation problems of loaded profiles say where they are: document, line and column.

use aps_core::{Location, Problem, Severity, load_json, load_yaml};

use super::testdata;

/// Every problem as (severity, path, message, line, column), all in `document`.
fn placed(problems: &[Problem], document: usize) -> Vec<(Severity, &str, &str, u64, u64)> {
    problems
        .iter()
        .map(|p| {
            assert_eq!(p.document, Some(document), "{p}");
            let at = p.location.unwrap_or_else(|| panic!("no position: {p}"));
            (
                p.severity,
                p.path.as_str(),
                p.message.as_str(),
                at.line,
                at.column,
            )
        })
        .collect()
}

const E: Severity = Severity::Error;

#[test]
fn every_rule_broken_in_a_file_is_reported_at_its_line_and_column() {
    let docs = load_yaml(&testdata("profile-mistakes.yaml")).unwrap();
    let problems = docs.validate();
    assert_eq!(
        placed(&problems, 1),
        [
            (
                E,
                "name",
                "Profile name must be between 5 and 40 alpha-numeric (or space, dash) characters \
                 and begin with an alphabet",
                7,
                7
            ),
            (
                E,
                "namespace",
                "placeholder `<GW-NAMESPACE>` from a template is not filled in",
                8,
                12
            ),
            (
                E,
                "flow",
                "`authorization-code` is not supported: this SDK supports only `client-credentials`",
                9,
                7
            ),
            (
                E,
                "clientRoles[1]",
                "duplicate role `reader` (also clientRoles[0])",
                12,
                23
            ),
            (
                E,
                "availableScopes[1]",
                "`Records read` is not a valid scope (RFC 6749 section 3.3: printable ASCII without \
                 spaces, `\"` or `\\`)",
                15,
                5
            ),
            (
                E,
                "environmentDetails[0].issuerUrl",
                "must use https (http is allowed only for loopback hosts)",
                18,
                16
            ),
            (
                E,
                "environmentDetails[0].clientSecret",
                "is required with clientRegistration `managed` (the managing client's secret)",
                21,
                5
            ),
            (
                E,
                "environmentDetails[1].initialAccessToken",
                "is required with clientRegistration `iat`",
                22,
                5
            ),
            (
                E,
                "environmentDetails[1].environment",
                "duplicate environment `dev` (also environmentDetails[0])",
                22,
                18
            ),
            (
                E,
                "environmentDetails[1].issuerUrl",
                "must not end with `/`",
                23,
                16
            ),
        ]
    );
    assert_eq!(
        problems[5].to_string(),
        "document 2, line 18, column 16: environmentDetails[0].issuerUrl: must use https (http is \
         allowed only for loopback hosts)"
    );
    let profile = docs.credential_issuers().next().unwrap();
    assert_eq!(
        profile.validate(),
        problems,
        "one profile: the same problems"
    );
}

#[test]
fn missing_fields_point_at_the_mapping_that_lacks_them() {
    let text = "---\nkind: CredentialIssuer\nname: My API default\nflow: client-credentials\n\
                mode: auto\ninheritFrom: Gold Shared IdP\nresourceScopes: [a]\n";
    let problems = load_yaml(text).unwrap().validate();
    assert_eq!(
        placed(&problems, 0),
        [
            (
                E,
                "clientAuthenticator",
                "is required: one of client-secret, client-jwt, client-jwt-jwks-url",
                2,
                1
            ),
            (E, "resourceType", "is required with resourceScopes", 2, 1),
        ]
    );
}

#[test]
fn unknown_fields_with_placeholders_are_placed_at_their_value() {
    let text = "kind: CredentialIssuer\nname: My API default\nflow: client-credentials\nmode: auto\n\
                clientAuthenticator: client-secret\ninheritFrom: Gold Shared IdP\n\
                contact: <your-email>\n";
    let docs = load_yaml(text).unwrap();
    assert_eq!(
        placed(&docs.validate(), 0),
        [(
            E,
            "contact",
            "placeholder `<your-email>` from a template is not filled in",
            7,
            10
        )]
    );
}

#[test]
fn update_problems_are_placed_too() {
    let stored =
        load_yaml("kind: CredentialIssuer\nname: My API default\nclientId: my-api\n").unwrap();
    let update =
        load_yaml("kind: CredentialIssuer\nname: My API default\n\nclientId: other-api\n").unwrap();
    let (stored, update) = (
        stored.credential_issuers().next().unwrap(),
        update.credential_issuers().next().unwrap(),
    );
    assert_eq!(
        placed(&update.validate_update(stored), 0),
        [(
            E,
            "clientId",
            "is only set during creation: the portal refuses to change it",
            4,
            11
        )]
    );
}

#[test]
fn json_profiles_are_placed_in_their_array() {
    let text = "[\n  {\"kind\": \"Product\"},\n  {\"kind\": \"CredentialIssuer\", \"name\": \"My API default\",\n   \
                \"flow\": \"client-credentials\", \"mode\": \"manual\", \"clientAuthenticator\": \"client-secret\",\n   \
                \"inheritFrom\": \"Gold Shared IdP\"}\n]";
    let docs = load_json(text).unwrap();
    assert_eq!(
        placed(&docs.validate(), 1),
        [(
            E,
            "mode",
            "`manual` is not supported: credentials are issued only in `auto` mode",
            4,
            42
        )]
    );
}

#[test]
fn profiles_built_in_code_have_paths_only_and_positions_are_not_part_of_the_value() {
    let docs = load_yaml(&testdata("profile-mistakes.yaml")).unwrap();
    let loaded = docs.credential_issuers().next().unwrap();
    assert_eq!(
        loaded.position("flow"),
        Some(Location { line: 9, column: 7 })
    );

    let reloaded = load_yaml(&docs.to_yaml().unwrap()).unwrap();
    let reloaded = reloaded.credential_issuers().next().unwrap();
    assert_eq!(reloaded, loaded, "equal wherever they were written");
    assert_ne!(reloaded.position("flow"), loaded.position("flow"));

    let in_code = aps_core::CredentialIssuer::new("1 Health Records");
    let problems = in_code.validate();
    assert_eq!(problems[0].path, "name");
    assert_eq!((problems[0].document, problems[0].location), (None, None));
    assert_eq!(in_code.position("name"), None);
}
