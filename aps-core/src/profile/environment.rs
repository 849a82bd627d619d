//! The per-environment part of a profile, and the client mappers.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ClientRegistration, Environment};
use crate::Secret;
use crate::secret::mask_map;

/// One entry of `environmentDetails`: the IdP of one environment and how the portal
/// registers consumer clients in it.
///
/// ```
/// use aps_core::{ClientRegistration, Environment, EnvironmentDetail, Secret};
///
/// let mut prod = EnvironmentDetail::new(Environment::Prod);
/// prod.issuer_url = Some("https://idp.example.gov.bc.ca/auth/realms/health".into());
/// prod.client_registration = Some(ClientRegistration::Managed);
/// prod.client_id = Some("aps-management".into());
/// prod.client_secret = Some(Secret::new("s3cr3t"));
/// assert!(!format!("{prod:?}").contains("s3cr3t"));
///
/// // The portal's read form: `****` with `exists: true` keeps the stored secret.
/// prod.client_secret = Some(Secret::new("****"));
/// prod.exists = Some(true);
/// assert!(prod.keeps_stored_secrets());
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EnvironmentDetail {
    /// Which environment (unique within a profile).
    pub environment: Environment,
    /// The realm URL (the token issuer), e.g. `https://idp.example/auth/realms/apigw`.
    /// Kept as written; [`validate`](crate::CredentialIssuer::validate) checks it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    /// How the portal authenticates to register clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_registration: Option<ClientRegistration>,
    /// The managing client (with `managed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The managing client's secret (with `managed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The initial access token (with `iat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_access_token: Option<Secret>,
    /// `true` on the portal's masked read form: masked secrets keep their stored values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// Fields this model does not know, kept in order.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EnvironmentDetail {
    /// An entry with only its environment set.
    pub fn new(environment: Environment) -> Self {
        Self {
            environment,
            issuer_url: None,
            client_registration: None,
            client_id: None,
            client_secret: None,
            initial_access_token: None,
            exists: None,
            extra: Map::new(),
        }
    }

    /// Whether a masked secret here means "keep the stored value" (`exists: true`).
    pub fn keeps_stored_secrets(&self) -> bool {
        self.exists == Some(true)
    }

    pub(crate) fn redact(&mut self) {
        let mut had_secret = false;
        for secret in [&mut self.client_secret, &mut self.initial_access_token]
            .into_iter()
            .flatten()
        {
            *secret = Secret::masked();
            had_secret = true;
        }
        if had_secret {
            self.exists = Some(true);
        }
        self.extra = mask_map(&self.extra);
    }
}

/// An entry of `clientMappers`: a protocol mapper added to consumer clients.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientMapper {
    /// The mapper; only `audience` is supported.
    pub name: String,
    /// Its value, e.g. the audience to add to tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Fields this model does not know, kept in order.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClientMapper {
    /// A mapper with a value, e.g. `ClientMapper::new("audience", "my-api")`.
    pub fn new(name: impl Into<String>, default_value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            default_value: Some(default_value.into()),
            extra: Map::new(),
        }
    }
}
