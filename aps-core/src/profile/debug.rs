//! `Debug` for profiles: what a derive prints, except that unknown fields named like secrets
//! are masked (declared secrets are [`Secret`](crate::Secret)s, which mask themselves).
//! Destructuring makes a new field a compile error here until it is printed.

use std::fmt;

use super::{ClientMapper, CredentialIssuer, EnvironmentDetail};
use crate::secret::MaskedDebug;

impl fmt::Debug for CredentialIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            name,
            namespace,
            description,
            flow,
            mode,
            auth_plugin,
            client_authenticator,
            client_roles,
            client_mappers,
            available_scopes,
            owner,
            inherit_from,
            is_shared,
            client_id,
            api_key_name,
            instruction,
            resource_type,
            resource_access_scope,
            resource_scopes,
            environment_details,
            extra,
            positions: _,
        } = self;
        f.debug_struct("CredentialIssuer")
            .field("name", name)
            .field("namespace", namespace)
            .field("description", description)
            .field("flow", flow)
            .field("mode", mode)
            .field("auth_plugin", auth_plugin)
            .field("client_authenticator", client_authenticator)
            .field("client_roles", client_roles)
            .field("client_mappers", client_mappers)
            .field("available_scopes", available_scopes)
            .field("owner", owner)
            .field("inherit_from", inherit_from)
            .field("is_shared", is_shared)
            .field("client_id", client_id)
            .field("api_key_name", api_key_name)
            .field("instruction", instruction)
            .field("resource_type", resource_type)
            .field("resource_access_scope", resource_access_scope)
            .field("resource_scopes", resource_scopes)
            .field("environment_details", environment_details)
            .field("extra", &MaskedDebug(extra))
            .finish()
    }
}

impl fmt::Debug for EnvironmentDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            environment,
            issuer_url,
            client_registration,
            client_id,
            client_secret,
            initial_access_token,
            exists,
            extra,
        } = self;
        f.debug_struct("EnvironmentDetail")
            .field("environment", environment)
            .field("issuer_url", issuer_url)
            .field("client_registration", client_registration)
            .field("client_id", client_id)
            .field("client_secret", client_secret)
            .field("initial_access_token", initial_access_token)
            .field("exists", exists)
            .field("extra", &MaskedDebug(extra))
            .finish()
    }
}

impl fmt::Debug for ClientMapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            name,
            default_value,
            extra,
        } = self;
        f.debug_struct("ClientMapper")
            .field("name", name)
            .field("default_value", default_value)
            .field("extra", &MaskedDebug(extra))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::profile::{ClientMapper, CredentialIssuer, Environment, EnvironmentDetail};

    #[test]
    fn misspelled_secret_fields_never_reach_debug() {
        let mut profile = CredentialIssuer::new("My API default");
        profile.extra.insert("password".into(), json!("pw-1"));
        let mut env = EnvironmentDetail::new(Environment::Dev);
        env.extra.insert("client_secret".into(), json!("pw-2"));
        env.extra.insert("note".into(), json!("visible"));
        profile.environment_details.push(env);
        let mut mapper = ClientMapper::new("audience", "my-api");
        mapper.extra.insert("token".into(), json!({"v": "pw-3"}));
        profile.client_mappers.push(mapper);
        let shown = format!("{profile:?}");
        assert!(!shown.contains("pw-"), "{shown}");
        assert!(shown.contains(r#""note": String("visible")"#), "{shown}");
        assert!(
            shown.contains(r#""client_secret": String("****")"#),
            "{shown}"
        );
        assert!(shown.starts_with(r#"CredentialIssuer { name: "My API default""#));
    }
}
