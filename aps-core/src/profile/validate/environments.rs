//! Rules on `environmentDetails`: one entry per environment, a realm URL, and the
//! credentials its registration method needs.

use std::collections::HashMap;

use super::placeholders::find_placeholder;
use crate::issuer_url::check_realm_url;
use crate::problem::Problem;
use crate::profile::{ClientRegistration, CredentialIssuer, EnvironmentDetail};
use crate::secret::Secret;

pub(super) fn check(p: &CredentialIssuer, out: &mut Vec<Problem>) {
    if p.environment_details.is_empty() && p.inherit_from.is_none() {
        out.push(Problem::error(
            "environmentDetails",
            "at least one environment is required (or inheritFrom a shared IdP)",
        ));
    }
    if p.inherit_from.is_some() && !p.environment_details.is_empty() {
        out.push(Problem::warning(
            "environmentDetails",
            "is computed by the portal from the shared IdP when inheritFrom is set; these entries are ignored",
        ));
    }
    let mut seen = HashMap::new();
    for (i, env) in p.environment_details.iter().enumerate() {
        let path = format!("environmentDetails[{i}]");
        if let Some(first) = seen.get(&env.environment) {
            out.push(Problem::error(
                format!("{path}.environment"),
                format!(
                    "duplicate environment `{}` (also environmentDetails[{first}])",
                    env.environment
                ),
            ));
        } else {
            seen.insert(env.environment, i);
        }
        check_one(env, &path, out);
    }
}

fn check_one(env: &EnvironmentDetail, path: &str, out: &mut Vec<Problem>) {
    match env.issuer_url.as_deref() {
        None | Some("") => out.push(Problem::error(format!("{path}.issuerUrl"), "is required")),
        Some(url) if find_placeholder(url, false).is_some() => {} // reported as a placeholder
        Some(url) => {
            if let Err(reason) = check_realm_url(url) {
                out.push(Problem::error(
                    format!("{path}.issuerUrl"),
                    reason.to_string(),
                ));
            }
        }
    }
    let has = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
    let has_secret = |secret: &Option<Secret>| match secret {
        Some(s) => s.is_masked() || s.expose().is_some_and(|v| !v.is_empty()),
        None => false,
    };
    match env.client_registration {
        Some(ClientRegistration::Managed) => {
            if !has(&env.client_id) {
                out.push(Problem::error(
                    format!("{path}.clientId"),
                    "is required with clientRegistration `managed` (the managing client)",
                ));
            }
            if !has_secret(&env.client_secret) {
                out.push(Problem::error(
                    format!("{path}.clientSecret"),
                    "is required with clientRegistration `managed` (the managing client's secret)",
                ));
            }
        }
        Some(ClientRegistration::Iat) => {
            if !has_secret(&env.initial_access_token) {
                out.push(Problem::error(
                    format!("{path}.initialAccessToken"),
                    "is required with clientRegistration `iat`",
                ));
            }
        }
        Some(ClientRegistration::Anonymous) => out.push(Problem::error(
            format!("{path}.clientRegistration"),
            "`anonymous` is not supported: the portal cannot approve access without credentials; use `managed`",
        )),
        Some(ClientRegistration::SharedIdp) => out.push(Problem::error(
            format!("{path}.clientRegistration"),
            "`shared-idp` is computed by the portal and cannot be set; use inheritFrom instead",
        )),
        None => out.push(Problem::error(
            format!("{path}.clientRegistration"),
            "is required: `managed` or `iat`",
        )),
    }
    for (name, secret) in [
        ("clientSecret", &env.client_secret),
        ("initialAccessToken", &env.initial_access_token),
    ] {
        if secret.as_ref().is_some_and(Secret::is_masked) && !env.keeps_stored_secrets() {
            out.push(Problem::error(
                format!("{path}.{name}"),
                "is the masked form `****` but `exists` is not true: the portal would store `****` as the secret",
            ));
        }
    }
}
