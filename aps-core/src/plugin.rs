//! The gateway's `jwt-keycloak` plugin configuration, rendered from an access policy so that
//! the gateway and an upstream service check exactly the same things.

use serde::Serialize;

#[cfg(feature = "yaml")]
use crate::error::Error;
use crate::policy::{AccessPolicy, ClaimToVerify, PolicyError};
use crate::profile::{CredentialIssuer, Environment};

/// A `jwt-keycloak` plugin entry for a GatewayService (`plugins:` list item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JwtKeycloakPlugin {
    /// Always `jwt-keycloak`.
    pub name: &'static str,
    /// `ns.<namespace>` when the namespace is known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Always `true`.
    pub enabled: bool,
    /// The plugin configuration.
    pub config: JwtKeycloakConfig,
}

/// The plugin's `config`, with the portal template's settings for what the policy does not
/// decide (consumer match on `azp`, token in `Authorization` or `?jwt=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JwtKeycloakConfig {
    /// The one allowed header `alg`.
    pub algorithm: String,
    /// Discovery pinned to the configured issuer, so a token's own `iss` can never choose
    /// where keys come from.
    pub well_known_template: String,
    /// The allowed issuer (exact).
    pub allowed_iss: Vec<String>,
    /// The required audience (fork-only option), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_aud: Option<String>,
    /// `true`.
    pub run_on_preflight: bool,
    /// Seconds between key re-fetches: 10.
    pub iss_key_grace_period: u32,
    /// Seconds; 0 means unbounded.
    pub maximum_expiration: u64,
    /// `exp` and/or `nbf`.
    pub claims_to_verify: Vec<ClaimToVerify>,
    /// `[jwt]`.
    pub uri_param_names: Vec<String>,
    /// `[]`.
    pub cookie_names: Vec<String>,
    /// Any-of scopes, or null.
    pub scope: Option<Vec<String>>,
    /// Any-of roles of the `azp` client, or null.
    pub roles: Option<Vec<String>>,
    /// Any-of realm roles, or null.
    pub realm_roles: Option<Vec<String>>,
    /// Any-of `client:role` pairs, or null.
    pub client_roles: Option<Vec<String>>,
    /// null: no anonymous consumer.
    pub anonymous: Option<String>,
    /// `true`: the token's `azp` must be a known consumer.
    pub consumer_match: bool,
    /// `azp`.
    pub consumer_match_claim: String,
    /// `true`: match on the consumer's custom id.
    pub consumer_match_claim_custom_id: bool,
    /// `false`: an unknown consumer is refused.
    pub consumer_match_ignore_not_found: bool,
}

fn non_empty(list: &[String]) -> Option<Vec<String>> {
    (!list.is_empty()).then(|| list.to_vec())
}

impl JwtKeycloakPlugin {
    /// Renders the plugin for a policy; `namespace` adds the `ns.<namespace>` tag.
    ///
    /// # Errors
    /// [`PolicyError::PluginNeedsOne`] when the policy allows several algorithms or several
    /// issuers (the plugin checks one algorithm, and key discovery is pinned to one issuer).
    ///
    /// # Examples
    /// ```
    /// use aps_core::{AccessPolicy, JwtKeycloakPlugin};
    ///
    /// let policy = AccessPolicy::builder()
    ///     .issuer("https://idp.example.gov.bc.ca/auth/realms/health")
    ///     .audience("health-records-api")
    ///     .scope("Records/read")
    ///     .build()?;
    /// let plugin = JwtKeycloakPlugin::from_policy(&policy, Some("health-records"))?;
    /// assert_eq!(plugin.tags, ["ns.health-records"]);
    /// assert_eq!(plugin.config.scope.as_deref(), Some(&["Records/read".to_owned()][..]));
    /// assert_eq!(
    ///     plugin.config.well_known_template,
    ///     "https://idp.example.gov.bc.ca/auth/realms/health/.well-known/openid-configuration"
    /// );
    ///
    /// let two_algorithms = policy.to_builder().algorithm("RS256").algorithm("ES256").build()?;
    /// assert!(JwtKeycloakPlugin::from_policy(&two_algorithms, None).is_err());
    /// # Ok::<(), aps_core::PolicyError>(())
    /// ```
    pub fn from_policy(
        policy: &AccessPolicy,
        namespace: Option<&str>,
    ) -> Result<Self, PolicyError> {
        let [algorithm] = policy.algorithms() else {
            return Err(PolicyError::PluginNeedsOne {
                what: "algorithm",
                count: policy.algorithms().len(),
            });
        };
        let [issuer] = policy.issuers() else {
            return Err(PolicyError::PluginNeedsOne {
                what: "issuer",
                count: policy.issuers().len(),
            });
        };
        let config = JwtKeycloakConfig {
            algorithm: algorithm.clone(),
            well_known_template: format!("{issuer}/.well-known/openid-configuration"),
            allowed_iss: vec![issuer.clone()],
            allowed_aud: policy.audience().map(str::to_owned),
            run_on_preflight: true,
            iss_key_grace_period: 10,
            maximum_expiration: policy.maximum_expiration().map_or(0, |d| d.as_secs()),
            claims_to_verify: policy.claims_to_verify().to_vec(),
            uri_param_names: vec!["jwt".into()],
            cookie_names: Vec::new(),
            scope: non_empty(policy.scopes()),
            roles: non_empty(policy.roles()),
            realm_roles: non_empty(policy.realm_roles()),
            client_roles: (!policy.client_roles().is_empty()).then(|| {
                policy
                    .client_roles()
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            }),
            anonymous: None,
            consumer_match: true,
            consumer_match_claim: "azp".into(),
            consumer_match_claim_custom_id: true,
            consumer_match_ignore_not_found: false,
        };
        let tags = namespace
            .map(|ns| vec![format!("ns.{ns}")])
            .unwrap_or_default();
        Ok(Self {
            name: "jwt-keycloak",
            tags,
            enabled: true,
            config,
        })
    }

    #[cfg(feature = "yaml")]
    /// The plugin entry as YAML, ready to paste under a GatewayService's `plugins:`.
    ///
    /// # Errors
    /// [`Error::Write`] if the YAML writer fails (it does not for these values).
    pub fn to_yaml(&self) -> Result<String, Error> {
        crate::yaml_out::to_yaml(&[self])
    }
}

impl CredentialIssuer {
    /// The `jwt-keycloak` plugin for this profile in `environment`, from
    /// [`access_policy`](Self::access_policy) (tagged with the profile's namespace).
    ///
    /// # Errors
    /// As [`access_policy`](Self::access_policy).
    ///
    /// # Examples
    /// ```
    /// use aps_core::{CredentialIssuer, Environment};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// profile.inherit_from = Some("Gold Shared IdP".into());
    /// let plugin = profile.jwt_keycloak_plugin(Environment::Dev)?;
    /// assert_eq!(plugin.config.allowed_aud.as_deref(), Some("ap-my-api-default-dev"));
    /// let yaml = plugin.to_yaml()?;
    /// assert!(yaml.contains("allowed_iss:\n    - https://dev.loginproxy.gov.bc.ca/auth/realms/apigw\n"));
    /// # Ok::<(), aps_core::Error>(())
    /// ```
    pub fn jwt_keycloak_plugin(
        &self,
        environment: Environment,
    ) -> Result<JwtKeycloakPlugin, PolicyError> {
        let policy = self.access_policy(environment)?;
        JwtKeycloakPlugin::from_policy(&policy, self.namespace.as_deref())
    }
}

#[cfg(test)]
mod tests;
