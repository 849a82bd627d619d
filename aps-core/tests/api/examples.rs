//! The documentation's two profiles and the guide's complete example.

use aps_core::{CredentialIssuer, Environment, Location, Problem, Severity, load_yaml};

use super::testdata;

fn only_profile(name: &str) -> CredentialIssuer {
    let docs = load_yaml(&testdata(name)).unwrap();
    assert_eq!(docs.warnings, vec![], "{name}");
    let mut profiles = docs.credential_issuers();
    let profile = profiles.next().unwrap().clone();
    assert!(profiles.next().is_none());
    profile
}

/// `problem` placed in the file's only document.
fn at(mut problem: Problem, line: u64, column: u64) -> Problem {
    problem.document = Some(0);
    problem.location = Some(Location { line, column });
    problem
}

fn error(path: &str, message: &str, line: u64, column: u64) -> Problem {
    let p = at(Problem::error(path, message), line, column);
    assert_eq!(p.severity, Severity::Error);
    p
}

#[test]
fn shared_idp_example_reports_its_placeholders() {
    let profile = only_profile("shared-idp.yaml");
    assert_eq!(profile.inherit_from.as_deref(), Some("Gold Shared IdP"));
    assert_eq!(
        profile.validate(),
        vec![
            error(
                "namespace",
                "placeholder `<GW-NAMESPACE>` from a template is not filled in",
                5,
                12
            ),
            error(
                "description",
                "placeholder `<Authorization Profile description>` from a template is not filled in",
                6,
                14
            ),
        ]
    );
}

#[test]
fn custom_idp_example_reports_its_placeholders_and_blanks() {
    let profile = only_profile("custom-idp.yaml");
    assert_eq!(
        profile.validate(),
        vec![
            error(
                "namespace",
                "placeholder `<GW-NAMESPACE>` from a template is not filled in",
                5,
                12
            ),
            error(
                "description",
                "placeholder `<Authorization Profile description>` from a template is not filled in",
                6,
                14
            ),
            at(
                Problem::warning(
                    "clientMappers[0].defaultValue",
                    "is empty: the portal skips a mapper without a value"
                ),
                14,
                19
            ),
            error(
                "owner",
                "placeholder `<your-username>` from a template is not filled in",
                16,
                8
            ),
            error(
                "environmentDetails[0].issuerUrl",
                "placeholder `<https://auth-issuer>` from a template is not filled in",
                19,
                16
            ),
            error(
                "environmentDetails[0].clientId",
                "placeholder `<testapp-client>` from a template is not filled in",
                20,
                15
            ),
            error(
                "environmentDetails[0].clientSecret",
                "is required with clientRegistration `managed` (the managing client's secret)",
                22,
                19
            ),
        ]
    );
}

#[test]
fn filled_examples_validate_clean() {
    for name in [
        "shared-idp-filled.yaml",
        "custom-idp-filled.yaml",
        "authorization-profile.yaml",
    ] {
        assert_eq!(only_profile(name).validate(), vec![], "{name}");
    }
}

#[test]
fn filled_examples_give_the_gateway_policy() {
    let shared = only_profile("shared-idp-filled.yaml");
    let policy = shared.access_policy(Environment::Prod).unwrap();
    assert_eq!(
        policy.issuers(),
        ["https://loginproxy.gov.bc.ca/auth/realms/apigw"]
    );
    assert_eq!(policy.audience(), Some("ap-resource-server-example"));

    let custom = only_profile("custom-idp-filled.yaml");
    let policy = custom.access_policy(Environment::Prod).unwrap();
    assert_eq!(
        policy.issuers(),
        ["https://idp.example.gov.bc.ca/auth/realms/apigw"]
    );
    assert_eq!(policy.audience(), Some("example-api"));
    assert!(custom.access_policy(Environment::Dev).is_err());
}

#[test]
fn complete_example_of_the_guide() {
    let profile = only_profile("authorization-profile.yaml");
    assert_eq!(profile.environment_details.len(), 3);
    let prod = profile.environment(Environment::Prod).unwrap();
    assert!(prod.keeps_stored_secrets());
    assert!(prod.client_secret.as_ref().unwrap().is_masked());
    let dev = profile.environment(Environment::Dev).unwrap();
    assert_eq!(
        dev.client_secret.as_ref().and_then(|s| s.expose()),
        Some("dev-secret-not-real")
    );
    assert!(
        !format!("{profile:?}").contains("not-real"),
        "secrets leak into Debug"
    );
    let shown = serde_json::to_string(&profile.redacted()).unwrap();
    assert!(!shown.contains("not-real"), "{shown}");
    assert!(
        shown.contains(r#""initialAccessToken":"****","exists":true"#),
        "{shown}"
    );
    for env in [Environment::Dev, Environment::Test, Environment::Prod] {
        let plugin = profile.jwt_keycloak_plugin(env).unwrap();
        assert_eq!(
            plugin.config.allowed_aud.as_deref(),
            Some("health-records-api")
        );
        assert_eq!(plugin.tags, ["ns.health-records"]);
    }
}

#[test]
fn guide_shows_the_complete_example_file_verbatim() {
    let guide_path = format!(
        "{}/../docs/authorization-profiles.md",
        env!("CARGO_MANIFEST_DIR")
    );
    let guide = std::fs::read_to_string(&guide_path).unwrap();
    let start = guide.find("<!-- example:start -->\n```yaml\n").unwrap()
        + "<!-- example:start -->\n```yaml\n".len();
    let end = guide.find("```\n<!-- example:end -->").unwrap();
    assert_eq!(&guide[start..end], testdata("authorization-profile.yaml"));
}
