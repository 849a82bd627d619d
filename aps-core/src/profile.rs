//! The Authorization Profile (`kind: CredentialIssuer`) as the portal accepts it.

mod debug;
#[cfg(feature = "yaml")]
mod decode;
mod enums;
mod environment;
mod policy;
mod validate;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::positions::Positions;
use crate::secret::mask_map;

#[cfg(feature = "yaml")]
pub(crate) use decode::decode_credential_issuer;
pub use enums::{ClientAuthenticator, ClientRegistration, Environment, Flow, Mode, UnknownValue};
pub use environment::{ClientMapper, EnvironmentDetail};

/// An Authorization Profile: how an API provider's API is protected and how the portal
/// issues credentials for it.
///
/// Field names on the wire are the portal's camelCase names (`authPlugin`,
/// `environmentDetails`, ...). Lists the portal stores as JSON text are real lists here.
/// Fields this model does not know are kept in [`extra`](Self::extra) (and reported as
/// warnings when loading), so that writing a profile back loses nothing.
///
/// # Examples
/// ```
/// use aps_core::{CredentialIssuer, Flow, Mode};
///
/// let mut profile = CredentialIssuer::new("My API default");
/// profile.flow = Some(Flow::ClientCredentials);
/// profile.mode = Some(Mode::Auto);
/// profile.inherit_from = Some("Gold Shared IdP".into());
/// profile.client_authenticator = Some(aps_core::ClientAuthenticator::ClientSecret);
/// assert!(profile.validate().is_empty());
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CredentialIssuer {
    /// Unique name: 5 to 40 characters, a letter first, then letters, digits, spaces, dashes.
    pub name: String,
    /// The gateway (namespace) that owns the profile; the portal sets it from the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Markdown shown to consumers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How consumers get credentials; this SDK supports `client-credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<Flow>,
    /// Automatic or manual issuing; this SDK supports `auto`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// The gateway plugin that enforces it (informational), e.g. `jwt-keycloak`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_plugin: Option<String>,
    /// How consumer clients authenticate to the IdP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_authenticator: Option<ClientAuthenticator>,
    /// Roles an approver can grant (client roles of the profile's client).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_roles: Vec<String>,
    /// Protocol mappers added to every consumer client; only `audience` exists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_mappers: Vec<ClientMapper>,
    /// Realm client scopes an approver can grant (not with `inheritFrom`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub available_scopes: Vec<String>,
    /// E-mail of the owning user; the portal sets it from the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Name of a shared profile (e.g. `Gold Shared IdP`) whose IdP this profile uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherit_from: Option<String>,
    /// Whether other gateways may inherit from this profile (privileged gateways only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_shared: Option<bool>,
    /// The profile's own client id (set by the portal when inheriting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Header name for API-key flows, e.g. `X-API-KEY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_name: Option<String>,
    /// Markdown instructions shown to consumers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    /// UMA2 resource type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// UMA2 scope that grants access to manage resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_access_scope: Option<String>,
    /// UMA2 resource scopes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_scopes: Vec<String>,
    /// One entry per product environment: its IdP and how the portal registers clients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment_details: Vec<EnvironmentDetail>,
    /// Fields this model does not know, kept in order so that writing loses nothing.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Where each field was written, when loaded from a file (not part of the value).
    #[serde(skip)]
    pub(crate) positions: Positions,
}

impl CredentialIssuer {
    /// A profile with only a name; every other field empty.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            namespace: None,
            description: None,
            flow: None,
            mode: None,
            auth_plugin: None,
            client_authenticator: None,
            client_roles: Vec::new(),
            client_mappers: Vec::new(),
            available_scopes: Vec::new(),
            owner: None,
            inherit_from: None,
            is_shared: None,
            client_id: None,
            api_key_name: None,
            instruction: None,
            resource_type: None,
            resource_access_scope: None,
            resource_scopes: Vec::new(),
            environment_details: Vec::new(),
            extra: Map::new(),
            positions: Positions::default(),
        }
    }

    /// The environment entry for `env`, if any (the first one when duplicated).
    pub fn environment(&self, env: Environment) -> Option<&EnvironmentDetail> {
        self.environment_details
            .iter()
            .find(|e| e.environment == env)
    }

    /// A copy safe to show: every present secret becomes `****` with `exists: true`, the
    /// portal's own read form (which it also understands as "keep the stored value"), and
    /// unknown fields named like secrets (`client_secret`, `password`, ...) become `****`.
    ///
    /// ```
    /// use aps_core::{CredentialIssuer, Environment, EnvironmentDetail, Secret};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// let mut dev = EnvironmentDetail::new(Environment::Dev);
    /// dev.client_secret = Some(Secret::new("s3cr3t"));
    /// dev.extra.insert("client_secret".into(), "s3cr3t".into());
    /// profile.environment_details.push(dev);
    /// let shown = serde_json::to_string(&profile.redacted())?;
    /// assert!(!shown.contains("s3cr3t"));
    /// assert!(shown.contains(r#""clientSecret":"****","exists":true"#));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn redacted(&self) -> Self {
        let mut copy = self.clone();
        copy.extra = mask_map(&copy.extra);
        for env in &mut copy.environment_details {
            env.redact();
        }
        for mapper in &mut copy.client_mappers {
            mapper.extra = mask_map(&mapper.extra);
        }
        copy
    }
}
