//! From a profile and one of its environments to the access policy the gateway enforces.

use super::{CredentialIssuer, Environment};
use crate::policy::{AccessPolicy, PolicyError};
use crate::shared_idp::SharedIdp;

impl CredentialIssuer {
    /// The access policy of this profile in `environment`: the environment's issuer
    /// (exactly), the audience (the shared-IdP client `ap-...` when inheriting, otherwise the
    /// `audience` client mapper's value, if any), `RS256`, and `exp`. Scopes and roles are
    /// per API: add them with [`AccessPolicy::to_builder`].
    ///
    /// # Errors
    /// [`PolicyError`] when the environment is not configured, its issuer URL is missing or
    /// invalid, or `inheritFrom` names an unknown shared IdP.
    ///
    /// # Examples
    /// ```
    /// use aps_core::{CredentialIssuer, Environment};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// profile.inherit_from = Some("Gold Shared IdP".into());
    /// let policy = profile.access_policy(Environment::Dev)?;
    /// assert_eq!(policy.issuers(), ["https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"]);
    /// assert_eq!(policy.audience(), Some("ap-my-api-default-dev"));
    ///
    /// let stricter = policy.to_builder().scope("Function1/read").build()?;
    /// assert_eq!(stricter.scopes(), ["Function1/read"]);
    /// # Ok::<(), aps_core::PolicyError>(())
    /// ```
    pub fn access_policy(&self, environment: Environment) -> Result<AccessPolicy, PolicyError> {
        let builder = AccessPolicy::builder();
        let builder = if let Some(name) = self.inherit_from.as_deref() {
            let idp = SharedIdp::find(name).ok_or_else(|| PolicyError::UnknownSharedIdp {
                name: name.to_owned(),
            })?;
            let issuer =
                idp.issuer(environment)
                    .ok_or_else(|| PolicyError::SharedIdpEnvironment {
                        name: name.to_owned(),
                        environment,
                    })?;
            builder
                .issuer(issuer)
                .audience(self.shared_client_id(environment))
        } else {
            let env = self
                .environment(environment)
                .ok_or(PolicyError::EnvironmentNotConfigured { environment })?;
            let issuer = env
                .issuer_url
                .as_deref()
                .filter(|url| !url.is_empty())
                .ok_or(PolicyError::MissingIssuerUrl { environment })?;
            let audience = self
                .client_mappers
                .iter()
                .filter(|m| m.name == "audience")
                .find_map(|m| m.default_value.as_deref().filter(|v| !v.is_empty()));
            let builder = builder.issuer(issuer);
            match audience {
                Some(aud) => builder.audience(aud),
                None => builder,
            }
        };
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IssuerUrlError;
    use crate::profile::{ClientMapper, EnvironmentDetail};

    fn custom() -> CredentialIssuer {
        let mut p = CredentialIssuer::new("Resource Server Example");
        let mut env = EnvironmentDetail::new(Environment::Test);
        env.issuer_url = Some("https://idp.example/auth/realms/apigw".into());
        p.environment_details.push(env);
        p
    }

    #[test]
    fn custom_idp_policy_uses_the_environment_issuer_and_audience_mapper() {
        let mut p = custom();
        let policy = p.access_policy(Environment::Test).unwrap();
        assert_eq!(policy.issuers(), ["https://idp.example/auth/realms/apigw"]);
        assert_eq!(policy.audience(), None);
        p.client_mappers
            .push(ClientMapper::new("audience", "my-api"));
        assert_eq!(
            p.access_policy(Environment::Test).unwrap().audience(),
            Some("my-api")
        );
    }

    #[test]
    fn shared_idp_policy_per_environment() {
        let mut p = CredentialIssuer::new("Resource Server Example");
        p.inherit_from = Some("Gold Shared IdP".into());
        let prod = p.access_policy(Environment::Prod).unwrap();
        assert_eq!(
            prod.issuers(),
            ["https://loginproxy.gov.bc.ca/auth/realms/apigw"]
        );
        assert_eq!(prod.audience(), Some("ap-resource-server-example"));
        assert_eq!(
            p.access_policy(Environment::Sandbox),
            Err(PolicyError::SharedIdpEnvironment {
                name: "Gold Shared IdP".into(),
                environment: Environment::Sandbox
            })
        );
        p.inherit_from = Some("Silver".into());
        let err = p.access_policy(Environment::Prod).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown shared IdP `Silver` in inheritFrom; known: Gold Shared IdP"
        );
    }

    #[test]
    fn missing_or_bad_environment_is_an_error() {
        let mut p = custom();
        assert_eq!(
            p.access_policy(Environment::Prod),
            Err(PolicyError::EnvironmentNotConfigured {
                environment: Environment::Prod
            })
        );
        p.environment_details[0].issuer_url = None;
        assert_eq!(
            p.access_policy(Environment::Test),
            Err(PolicyError::MissingIssuerUrl {
                environment: Environment::Test
            })
        );
        p.environment_details[0].issuer_url = Some("http://idp.example/realms/x".into());
        assert!(matches!(
            p.access_policy(Environment::Test),
            Err(PolicyError::InvalidIssuer {
                reason: IssuerUrlError::NotHttps,
                ..
            })
        ));
    }
}
