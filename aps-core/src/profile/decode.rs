//! Decoding a profile from a parsed document, reporting every problem with its path.

use super::{ClientMapper, CredentialIssuer, EnvironmentDetail};
use crate::Secret;
use crate::document::fields::{Fields, Sink};
use crate::document::node::Node;
use crate::positions::Positions;

const PROFILE_FIELDS: &[&str] = &[
    "name",
    "namespace",
    "description",
    "flow",
    "mode",
    "authPlugin",
    "clientAuthenticator",
    "clientRoles",
    "clientMappers",
    "availableScopes",
    "owner",
    "inheritFrom",
    "isShared",
    "clientId",
    "apiKeyName",
    "instruction",
    "resourceType",
    "resourceAccessScope",
    "resourceScopes",
    "environmentDetails",
];

const ENVIRONMENT_FIELDS: &[&str] = &[
    "environment",
    "issuerUrl",
    "clientRegistration",
    "clientId",
    "clientSecret",
    "initialAccessToken",
    "exists",
];

const MAPPER_FIELDS: &[&str] = &["name", "defaultValue"];

/// Decodes a `CredentialIssuer` mapping; `None` when an error prevents building it (the
/// errors are in `sink`, together with every other problem found on the way).
pub(crate) fn decode_credential_issuer(node: &Node, sink: &mut Sink) -> Option<CredentialIssuer> {
    let mut f = Fields::of(node, "", sink)?;
    f.get("kind");
    let before = sink.problems.iter().filter(|p| p.is_error()).count();
    let name = f.required_string("name", sink);
    let mut profile = CredentialIssuer::new(name.unwrap_or_default());
    profile.namespace = f.string("namespace", sink);
    profile.description = f.string("description", sink);
    profile.flow = f.parse("flow", sink);
    profile.mode = f.parse("mode", sink);
    profile.auth_plugin = f.string("authPlugin", sink);
    profile.client_authenticator = f.parse("clientAuthenticator", sink);
    profile.client_roles = f.string_list("clientRoles", sink);
    profile.client_mappers = f
        .list("clientMappers", sink)
        .into_iter()
        .filter_map(|(path, item)| decode_mapper(item, &path, sink))
        .collect();
    profile.available_scopes = f.string_list("availableScopes", sink);
    profile.owner = f.string("owner", sink);
    profile.inherit_from = f.string("inheritFrom", sink);
    profile.is_shared = f.bool("isShared", sink);
    profile.client_id = f.string("clientId", sink);
    profile.api_key_name = f.string("apiKeyName", sink);
    profile.instruction = f.string("instruction", sink);
    profile.resource_type = f.string("resourceType", sink);
    profile.resource_access_scope = f.string("resourceAccessScope", sink);
    profile.resource_scopes = f.string_list("resourceScopes", sink);
    profile.environment_details = f
        .list("environmentDetails", sink)
        .into_iter()
        .filter_map(|(path, item)| decode_environment(item, &path, sink))
        .collect();
    let mut known = PROFILE_FIELDS.to_vec();
    known.push("kind");
    profile.extra = f.finish(&known, sink);
    profile.positions = Positions::new(sink.document, node.positions());
    let after = sink.problems.iter().filter(|p| p.is_error()).count();
    (after == before).then_some(profile)
}

fn decode_environment(node: &Node, path: &str, sink: &mut Sink) -> Option<EnvironmentDetail> {
    let mut f = Fields::of(node, path, sink)?;
    let environment = f.get("environment");
    let env = match environment {
        Some(_) => f.parse("environment", sink),
        None => {
            f.required_string("environment", sink);
            None
        }
    };
    let issuer_url = f.string("issuerUrl", sink);
    let client_registration = f.parse("clientRegistration", sink);
    let client_id = f.string("clientId", sink);
    let client_secret = f.string("clientSecret", sink).map(Secret::new);
    let initial_access_token = f.string("initialAccessToken", sink).map(Secret::new);
    let exists = f.bool("exists", sink);
    let extra = f.finish(ENVIRONMENT_FIELDS, sink);
    let mut detail = EnvironmentDetail::new(env?);
    detail.issuer_url = issuer_url;
    detail.client_registration = client_registration;
    detail.client_id = client_id;
    detail.client_secret = client_secret;
    detail.initial_access_token = initial_access_token;
    detail.exists = exists;
    detail.extra = extra;
    Some(detail)
}

fn decode_mapper(node: &Node, path: &str, sink: &mut Sink) -> Option<ClientMapper> {
    let mut f = Fields::of(node, path, sink)?;
    let name = f.required_string("name", sink);
    let default_value = f.string("defaultValue", sink);
    let extra = f.finish(MAPPER_FIELDS, sink);
    Some(ClientMapper {
        name: name?,
        default_value,
        extra,
    })
}
