//! Rules on the profile's own fields (everything but `environmentDetails`).

use std::collections::HashMap;

use super::NAME_MESSAGE;
use super::placeholders::find_placeholder;
use crate::problem::Problem;
use crate::profile::{ClientAuthenticator, CredentialIssuer, Flow, Mode};
use crate::scope::is_scope_token;
use crate::shared_idp::SharedIdp;

pub(super) fn check(p: &CredentialIssuer, out: &mut Vec<Problem>) {
    check_name(&p.name, out);
    match p.flow {
        Some(Flow::ClientCredentials) => {}
        Some(other) => out.push(Problem::error(
            "flow",
            format!("`{other}` is not supported: this SDK supports only `client-credentials`"),
        )),
        None => out.push(Problem::error(
            "flow",
            "is required: set it to `client-credentials`",
        )),
    }
    match p.mode {
        Some(Mode::Auto) => {}
        Some(other) => out.push(Problem::error(
            "mode",
            format!("`{other}` is not supported: credentials are issued only in `auto` mode"),
        )),
        None => out.push(Problem::error("mode", "is required: set it to `auto`")),
    }
    if let Some(plugin) = p
        .auth_plugin
        .as_deref()
        .filter(|plugin| *plugin != "jwt-keycloak")
    {
        out.push(Problem::warning(
            "authPlugin",
            format!(
                "`{plugin}` is not `jwt-keycloak`: this SDK renders only the jwt-keycloak plugin"
            ),
        ));
    }
    if p.client_authenticator.is_none() {
        let allowed = ClientAuthenticator::ALLOWED.join(", ");
        out.push(Problem::error(
            "clientAuthenticator",
            format!("is required: one of {allowed}"),
        ));
    }
    check_names("clientRoles", &p.client_roles, "role", out);
    for (i, role) in p.client_roles.iter().enumerate() {
        if role.chars().any(char::is_whitespace) {
            out.push(Problem::warning(
                format!("clientRoles[{i}]"),
                format!("role `{role}` contains whitespace: the gateway's client_roles cannot require it"),
            ));
        }
    }
    for (i, mapper) in p.client_mappers.iter().enumerate() {
        if mapper.name != "audience" {
            out.push(Problem::error(
                format!("clientMappers[{i}].name"),
                format!(
                    "unsupported mapper `{}`: only `audience` is supported",
                    mapper.name
                ),
            ));
        } else if mapper.default_value.as_deref().is_none_or(str::is_empty) {
            out.push(Problem::warning(
                format!("clientMappers[{i}].defaultValue"),
                "is empty: the portal skips a mapper without a value",
            ));
        }
    }
    if p.inherit_from.is_some() && !p.available_scopes.is_empty() {
        out.push(Problem::error(
            "availableScopes",
            "Client Scopes not supported with Shared IdP: remove availableScopes or inheritFrom",
        ));
    }
    check_scopes("availableScopes", &p.available_scopes, out);
    check_resources(p, out);
    if let Some(owner) = p
        .owner
        .as_deref()
        .filter(|o| !o.contains('@') && !o.starts_with('<'))
    {
        out.push(Problem::warning(
            "owner",
            format!(
                "`{owner}` does not look like an e-mail address: the portal finds owners by e-mail"
            ),
        ));
    }
    if let Some(name) = p
        .inherit_from
        .as_deref()
        .filter(|name| SharedIdp::find(name).is_none() && find_placeholder(name, false).is_none())
    {
        out.push(Problem::warning(
            "inheritFrom",
            format!(
                "`{name}` is not a shared IdP this SDK knows (known: {}): the gateway policy \
                 and plugin cannot be derived offline",
                SharedIdp::known_names()
            ),
        ));
    }
    if p.is_shared == Some(true) {
        out.push(Problem::warning(
            "isShared",
            "Setting shared is only available in privileged gateways",
        ));
    }
}

fn check_name(name: &str, out: &mut Vec<Problem>) {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    let len = name.chars().count();
    if !(first_ok && rest_ok && (5..=40).contains(&len)) {
        out.push(Problem::error("name", NAME_MESSAGE));
    }
}

/// Empty entries and duplicates in a list of names.
fn check_names(field: &str, values: &[String], what: &str, out: &mut Vec<Problem>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, value) in values.iter().enumerate() {
        if value.trim().is_empty() {
            out.push(Problem::error(
                format!("{field}[{i}]"),
                format!("empty {what}"),
            ));
        } else if let Some(first) = seen.insert(value, i) {
            seen.insert(value, first);
            out.push(Problem::error(
                format!("{field}[{i}]"),
                format!("duplicate {what} `{value}` (also {field}[{first}])"),
            ));
        }
    }
}

fn check_scopes(field: &str, scopes: &[String], out: &mut Vec<Problem>) {
    check_names(field, scopes, "scope", out);
    for (i, scope) in scopes.iter().enumerate() {
        if !scope.trim().is_empty() && !is_scope_token(scope) {
            out.push(Problem::error(
                format!("{field}[{i}]"),
                scope_message(scope),
            ));
        }
    }
}

pub(super) fn scope_message(scope: &str) -> String {
    format!(
        "`{scope}` is not a valid scope (RFC 6749 section 3.3: printable ASCII without spaces, \
         `\"` or `\\`)"
    )
}

fn check_resources(p: &CredentialIssuer, out: &mut Vec<Problem>) {
    let has_type = p.resource_type.as_deref().is_some_and(|t| !t.is_empty());
    let has_scopes = !p.resource_scopes.is_empty();
    if has_type && !has_scopes {
        out.push(Problem::error(
            "resourceScopes",
            "is required with resourceType",
        ));
    }
    if has_scopes && !has_type {
        out.push(Problem::error(
            "resourceType",
            "is required with resourceScopes",
        ));
    }
    check_scopes("resourceScopes", &p.resource_scopes, out);
    if let Some(scope) = p.resource_access_scope.as_deref() {
        if !(has_type && has_scopes) {
            out.push(Problem::error(
                "resourceAccessScope",
                "is only allowed with resourceType and resourceScopes",
            ));
        } else if !is_scope_token(scope) {
            out.push(Problem::error("resourceAccessScope", scope_message(scope)));
        }
    }
}
