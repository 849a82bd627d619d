//! One failing case per rule, each asserting the exact path, message and severity.

use crate::problem::{Problem, Severity};
use crate::profile::{
    ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Mode,
};
use crate::secret::Secret;

fn env(environment: Environment, issuer: &str) -> EnvironmentDetail {
    let mut e = EnvironmentDetail::new(environment);
    e.issuer_url = Some(issuer.into());
    e.client_registration = Some(ClientRegistration::Managed);
    e.client_id = Some("aps-management".into());
    e.client_secret = Some(Secret::new("s3cr3t-value"));
    e
}

/// A clean custom-IdP profile.
fn clean() -> CredentialIssuer {
    let mut p = CredentialIssuer::new("Resource Server Example");
    p.flow = Some(Flow::ClientCredentials);
    p.mode = Some(Mode::Auto);
    p.auth_plugin = Some("jwt-keycloak".into());
    p.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    p.client_roles = vec!["read".into(), "write".into()];
    p.client_mappers = vec![ClientMapper::new("audience", "my-api")];
    p.available_scopes = vec!["Function1/read".into(), "Function2/*".into()];
    p.owner = Some("api.owner@gov.bc.ca".into());
    p.environment_details = vec![
        env(
            Environment::Dev,
            "https://dev.idp.example/auth/realms/apigw",
        ),
        env(Environment::Prod, "https://idp.example/realms/apigw"),
    ];
    p
}

fn shared() -> CredentialIssuer {
    let mut p = CredentialIssuer::new("My API default");
    p.flow = Some(Flow::ClientCredentials);
    p.mode = Some(Mode::Auto);
    p.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    p.inherit_from = Some("Gold Shared IdP".into());
    p
}

#[track_caller]
fn only(p: &CredentialIssuer, severity: Severity, path: &str, message: &str) {
    let expected = Problem {
        severity,
        path: path.into(),
        message: message.into(),
        document: None,
        location: None,
    };
    assert_eq!(p.validate(), vec![expected]);
}

#[track_caller]
fn only_error(p: &CredentialIssuer, path: &str, message: &str) {
    only(p, Severity::Error, path, message);
}

#[test]
fn clean_profiles_have_no_problems() {
    assert_eq!(clean().validate(), vec![]);
    assert_eq!(shared().validate(), vec![]);
    assert!(clean().is_valid());
}

#[test]
fn name_follows_the_portal_rule() {
    let msg = "Profile name must be between 5 and 40 alpha-numeric (or space, dash) characters and \
               begin with an alphabet";
    for bad in [
        "Abcd",
        "1abcde",
        "my_api_profile",
        &"a".repeat(41),
        "Résumé API",
        "",
    ] {
        let mut p = clean();
        p.name = bad.into();
        only_error(&p, "name", msg);
    }
    for good in ["Abcde", "My API - v2", &"a".repeat(40)] {
        let mut p = clean();
        p.name = good.into();
        assert!(p.validate().is_empty(), "{good}");
    }
}

#[test]
fn flow_must_be_client_credentials() {
    let mut p = clean();
    p.flow = Some(Flow::Public);
    only_error(
        &p,
        "flow",
        "`public` is not supported: this SDK supports only `client-credentials`",
    );
    p.flow = None;
    only_error(&p, "flow", "is required: set it to `client-credentials`");
}

#[test]
fn mode_must_be_auto() {
    let mut p = clean();
    p.mode = Some(Mode::Manual);
    only_error(
        &p,
        "mode",
        "`manual` is not supported: credentials are issued only in `auto` mode",
    );
    p.mode = None;
    only_error(&p, "mode", "is required: set it to `auto`");
}

#[test]
fn client_authenticator_is_required_and_auth_plugin_should_be_jwt_keycloak() {
    let mut p = clean();
    p.client_authenticator = None;
    only_error(
        &p,
        "clientAuthenticator",
        "is required: one of client-secret, client-jwt, client-jwt-jwks-url",
    );
    let mut p = clean();
    p.auth_plugin = Some("oidc".into());
    only(
        &p,
        Severity::Warning,
        "authPlugin",
        "`oidc` is not `jwt-keycloak`: this SDK renders only the jwt-keycloak plugin",
    );
}

#[test]
fn managed_needs_client_id_and_secret() {
    let mut p = clean();
    p.environment_details[1].client_id = None;
    only_error(
        &p,
        "environmentDetails[1].clientId",
        "is required with clientRegistration `managed` (the managing client)",
    );
    let mut p = clean();
    p.environment_details[0].client_secret = Some(Secret::new(""));
    only_error(
        &p,
        "environmentDetails[0].clientSecret",
        "is required with clientRegistration `managed` (the managing client's secret)",
    );
}

#[test]
fn iat_needs_an_initial_access_token() {
    let mut p = clean();
    p.environment_details[0].client_registration = Some(ClientRegistration::Iat);
    only_error(
        &p,
        "environmentDetails[0].initialAccessToken",
        "is required with clientRegistration `iat`",
    );
    p.environment_details[0].initial_access_token = Some(Secret::new("eyJ..."));
    assert!(p.validate().is_empty());
}

#[test]
fn anonymous_and_shared_idp_registration_are_refused() {
    let mut p = clean();
    p.environment_details[0].client_registration = Some(ClientRegistration::Anonymous);
    only_error(
        &p,
        "environmentDetails[0].clientRegistration",
        "`anonymous` is not supported: the portal cannot approve access without credentials; use `managed`",
    );
    p.environment_details[0].client_registration = Some(ClientRegistration::SharedIdp);
    only_error(
        &p,
        "environmentDetails[0].clientRegistration",
        "`shared-idp` is computed by the portal and cannot be set; use inheritFrom instead",
    );
    p.environment_details[0].client_registration = None;
    only_error(
        &p,
        "environmentDetails[0].clientRegistration",
        "is required: `managed` or `iat`",
    );
}

#[test]
fn masked_secret_needs_exists() {
    let mut p = clean();
    p.environment_details[1].client_secret = Some(Secret::masked());
    only_error(
        &p,
        "environmentDetails[1].clientSecret",
        "is the masked form `****` but `exists` is not true: the portal would store `****` as the secret",
    );
    p.environment_details[1].exists = Some(true);
    assert!(p.validate().is_empty());
}

#[test]
fn environments_are_required_unless_inherited() {
    let mut p = clean();
    p.environment_details.clear();
    only_error(
        &p,
        "environmentDetails",
        "at least one environment is required (or inheritFrom a shared IdP)",
    );
    let mut p = shared();
    p.environment_details
        .push(env(Environment::Dev, "https://idp.example/realms/x"));
    only(
        &p,
        Severity::Warning,
        "environmentDetails",
        "is computed by the portal from the shared IdP when inheritFrom is set; these entries are ignored",
    );
}

#[test]
fn duplicate_environments_are_errors() {
    let mut p = clean();
    p.environment_details
        .push(env(Environment::Dev, "https://idp.example/realms/y"));
    only_error(
        &p,
        "environmentDetails[2].environment",
        "duplicate environment `dev` (also environmentDetails[0])",
    );
}

#[test]
fn issuer_url_must_be_an_https_realm_url() {
    let cases = [
        (
            "http://idp.example/realms/x",
            "must use https (http is allowed only for loopback hosts)",
        ),
        ("https://idp.example/realms/x/", "must not end with `/`"),
        (
            "https://idp.example/realms/x?x=1",
            "must not contain a query",
        ),
        (
            "https://idp.example/realms/x#top",
            "must not contain a fragment",
        ),
        (
            "https://idp.example/auth",
            "must be a realm URL ending in `/realms/<realm>`",
        ),
        ("idp.example/realms/x", "not an absolute URL"),
        ("<https://auth-issuer", "not an absolute URL"),
        (
            "https://IDP.example/realms/x",
            "must be written in normal form: `https://idp.example/realms/x`",
        ),
        ("", "is required"),
    ];
    for (url, message) in cases {
        let mut p = clean();
        p.environment_details[0].issuer_url = Some(url.into());
        only_error(&p, "environmentDetails[0].issuerUrl", message);
    }
    let mut p = clean();
    p.environment_details[0].issuer_url = Some("http://127.0.0.1:18080/realms/apigw".into());
    assert!(p.validate().is_empty());
}

#[test]
fn inherit_from_should_name_a_known_shared_idp() {
    let mut p = shared();
    p.inherit_from = Some("Gold Shared IDP".into());
    only(
        &p,
        Severity::Warning,
        "inheritFrom",
        "`Gold Shared IDP` is not a shared IdP this SDK knows (known: Gold Shared IdP): the \
         gateway policy and plugin cannot be derived offline",
    );
    p.inherit_from = Some("<shared-idp>".into());
    only_error(
        &p,
        "inheritFrom",
        "placeholder `<shared-idp>` from a template is not filled in",
    );
}

#[test]
fn no_scopes_with_inherit_from() {
    let mut p = shared();
    p.available_scopes = vec!["Function1/read".into()];
    only_error(
        &p,
        "availableScopes",
        "Client Scopes not supported with Shared IdP: remove availableScopes or inheritFrom",
    );
}

#[test]
fn scopes_are_rfc_6749_tokens_without_duplicates() {
    let mut p = clean();
    p.available_scopes.push("two words".into());
    only_error(
        &p,
        "availableScopes[2]",
        "`two words` is not a valid scope (RFC 6749 section 3.3: printable ASCII without spaces, `\"` or `\\`)",
    );
    let mut p = clean();
    p.available_scopes.push("Function1/read".into());
    only_error(
        &p,
        "availableScopes[2]",
        "duplicate scope `Function1/read` (also availableScopes[0])",
    );
    let mut p = clean();
    p.available_scopes.push(" ".into());
    only_error(&p, "availableScopes[2]", "empty scope");
}

#[test]
fn roles_are_unique_and_not_empty() {
    let mut p = clean();
    p.client_roles.push("read".into());
    only_error(
        &p,
        "clientRoles[2]",
        "duplicate role `read` (also clientRoles[0])",
    );
    let mut p = clean();
    p.client_roles.push(String::new());
    only_error(&p, "clientRoles[2]", "empty role");
    let mut p = clean();
    p.client_roles.push("read all".into());
    only(
        &p,
        Severity::Warning,
        "clientRoles[2]",
        "role `read all` contains whitespace: the gateway's client_roles cannot require it",
    );
}

#[test]
fn client_mappers_are_audience_only() {
    let mut p = clean();
    p.client_mappers.push(ClientMapper::new("groups", "x"));
    only_error(
        &p,
        "clientMappers[1].name",
        "unsupported mapper `groups`: only `audience` is supported",
    );
    let mut p = clean();
    p.client_mappers[0].default_value = Some(String::new());
    only(
        &p,
        Severity::Warning,
        "clientMappers[0].defaultValue",
        "is empty: the portal skips a mapper without a value",
    );
}

#[test]
fn resource_fields_go_together() {
    let mut p = clean();
    p.resource_type = Some("urn:my-api:resource".into());
    only_error(&p, "resourceScopes", "is required with resourceType");
    let mut p = clean();
    p.resource_scopes = vec!["read".into()];
    only_error(&p, "resourceType", "is required with resourceScopes");
    let mut p = clean();
    p.resource_access_scope = Some("manage".into());
    only_error(
        &p,
        "resourceAccessScope",
        "is only allowed with resourceType and resourceScopes",
    );
    p.resource_type = Some("urn:my-api:resource".into());
    p.resource_scopes = vec!["read".into(), "read".into()];
    only_error(
        &p,
        "resourceScopes[1]",
        "duplicate scope `read` (also resourceScopes[0])",
    );
    p.resource_scopes.pop();
    p.resource_access_scope = Some("man age".into());
    only_error(
        &p,
        "resourceAccessScope",
        "`man age` is not a valid scope (RFC 6749 section 3.3: printable ASCII without spaces, `\"` or `\\`)",
    );
}

#[test]
fn owner_and_is_shared_warnings() {
    let mut p = clean();
    p.owner = Some("acope".into());
    only(
        &p,
        Severity::Warning,
        "owner",
        "`acope` does not look like an e-mail address: the portal finds owners by e-mail",
    );
    let mut p = clean();
    p.is_shared = Some(true);
    only(
        &p,
        Severity::Warning,
        "isShared",
        "Setting shared is only available in privileged gateways",
    );
}

#[test]
fn placeholders_are_reported_with_their_path() {
    let mut p = clean();
    p.namespace = Some("<GW-NAMESPACE>".into());
    only_error(
        &p,
        "namespace",
        "placeholder `<GW-NAMESPACE>` from a template is not filled in",
    );
    let mut p = clean();
    p.environment_details[1].issuer_url = Some("<https://auth-issuer>".into());
    only_error(
        &p,
        "environmentDetails[1].issuerUrl",
        "placeholder `<https://auth-issuer>` from a template is not filled in",
    );
    let mut p = clean();
    p.environment_details[1].issuer_url = Some("https://<host>/auth/realms/apigw".into());
    only_error(
        &p,
        "environmentDetails[1].issuerUrl",
        "placeholder `<host>` from a template is not filled in",
    );
    let mut p = clean();
    p.owner = Some("<your-username>".into());
    only_error(
        &p,
        "owner",
        "placeholder `<your-username>` from a template is not filled in",
    );
    let mut p = clean();
    p.environment_details[0].client_secret = Some(Secret::new("<client-secret>"));
    let problems = p.validate();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "environmentDetails[0].clientSecret");
    assert_eq!(
        problems[0].message,
        "holds a placeholder from a template, not a real value"
    );
    let mut p = clean();
    p.extra
        .insert("client_secret".into(), "x<not-echoed>y".into());
    only_error(
        &p,
        "client_secret",
        "holds a placeholder from a template, not a real value",
    );
}

#[test]
fn every_problem_is_returned_at_once() {
    let mut p = clean();
    p.name = "x".into();
    p.flow = None;
    p.environment_details[0].issuer_url = Some("http://idp.example/realms/x".into());
    p.environment_details[1].client_id = None;
    let paths: Vec<String> = p
        .validate()
        .into_iter()
        .map(|problem| problem.path)
        .collect();
    assert_eq!(
        paths,
        [
            "name",
            "flow",
            "environmentDetails[0].issuerUrl",
            "environmentDetails[1].clientId"
        ]
    );
}
