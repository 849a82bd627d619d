//! `Keycloak::from_profile`: the IdP of one environment of an Authorization Profile.

use aps_core::{ClientRegistration, CredentialIssuer, Environment, Secret, SharedIdp};

use super::Keycloak;
use crate::{Error, Result};

impl Keycloak {
    /// The Keycloak of `environment` in `profile`: its `issuerUrl`, with the managing
    /// client (`clientRegistration: managed`, `clientId`, `clientSecret`), or with an initial
    /// access token (`clientRegistration: iat`, `initialAccessToken`, and the managing client
    /// too when `clientId` and `clientSecret` are given: see
    /// [`KeycloakBuilder::initial_access_token`](crate::KeycloakBuilder::initial_access_token)).
    ///
    /// ```
    /// use aps_core::{ClientRegistration, CredentialIssuer, Environment, EnvironmentDetail, Secret};
    /// use aps_idp::Keycloak;
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// let mut dev = EnvironmentDetail::new(Environment::Dev);
    /// dev.issuer_url = Some("https://dev.loginproxy.gov.bc.ca/auth/realms/apigw".into());
    /// dev.client_registration = Some(ClientRegistration::Managed);
    /// dev.client_id = Some("aps-management".into());
    /// dev.client_secret = Some(Secret::new("s3cr3t"));
    /// profile.environment_details.push(dev);
    ///
    /// let keycloak = Keycloak::from_profile(&profile, Environment::Dev)?;
    /// assert_eq!(keycloak.realm(), "apigw");
    /// assert!(Keycloak::from_profile(&profile, Environment::Prod).is_err());
    /// # Ok::<(), aps_idp::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] naming the profile field: no entry for the environment, no or a bad
    /// `issuerUrl`, a missing or masked (`****`) `clientSecret` or `initialAccessToken`, only
    /// one of `clientId` and `clientSecret` with `iat`, `anonymous` registration (not
    /// supported), and profiles that `inheritFrom` a shared IdP, whose issuer is the shared
    /// IdP's and whose management credentials the profile does not hold: build those with
    /// [`Keycloak::builder`].
    pub fn from_profile(profile: &CredentialIssuer, environment: Environment) -> Result<Keycloak> {
        let detail = profile.environment(environment).ok_or_else(|| {
            Error::config(
                "environmentDetails",
                format!("the profile has no entry for environment `{environment}`"),
            )
        })?;
        let shared = detail.client_registration == Some(ClientRegistration::SharedIdp);
        if let Some(parent) = profile.inherit_from.as_deref().or(shared.then_some("")) {
            return Err(inherited(parent, environment));
        }
        let iat = match detail.client_registration {
            Some(ClientRegistration::Managed) => false,
            Some(ClientRegistration::Iat) => true,
            Some(ClientRegistration::Anonymous) => {
                return Err(Error::config(
                    "clientRegistration",
                    "Anonymous client registration not supported",
                ));
            }
            Some(other) => {
                return Err(Error::config(
                    "clientRegistration",
                    format!("`{other}` is not supported: use `managed` or `iat`"),
                ));
            }
            None => {
                return Err(Error::config(
                    "clientRegistration",
                    format!("not set for environment `{environment}` (use `managed` or `iat`)"),
                ));
            }
        };
        let issuer = detail.issuer_url.as_deref().ok_or_else(|| {
            Error::config(
                "issuerUrl",
                format!("not set for environment `{environment}`"),
            )
        })?;
        let mut builder = Keycloak::builder().issuer(issuer);
        if iat {
            let token = exposed(
                "initialAccessToken",
                detail.initial_access_token.as_ref(),
                format!("`iat` registration in `{environment}` needs the initial access token"),
            )?;
            builder = builder.initial_access_token(token);
        }
        let client_id = detail
            .client_id
            .as_deref()
            .filter(|id| !id.trim().is_empty());
        // With `iat`, the managing client is optional (without it, clients can only be
        // registered); with `managed`, it is the only credential.
        if !iat || client_id.is_some() || detail.client_secret.is_some() {
            let mode = if iat { "iat" } else { "managed" };
            let client_id = client_id.ok_or_else(|| {
                Error::config(
                    "clientId",
                    format!(
                        "`{mode}` registration in `{environment}` needs the managing client's clientId"
                    ),
                )
            })?;
            let secret = exposed(
                "clientSecret",
                detail.client_secret.as_ref(),
                format!(
                    "`{mode}` registration in `{environment}` needs the managing client's secret"
                ),
            )?;
            builder = builder.management_client(client_id, secret);
        }
        builder.build().map_err(|e| match e {
            Error::Config {
                field: "issuer",
                reason,
            } => Error::Config {
                field: "issuerUrl",
                reason,
            },
            other => other,
        })
    }
}

/// The real value of a profile secret, or the error naming the field (missing or masked).
fn exposed(field: &'static str, secret: Option<&Secret>, missing: String) -> Result<String> {
    let secret = secret.ok_or_else(|| Error::config(field, missing))?;
    secret.expose().map(str::to_owned).ok_or_else(|| {
        Error::config(
            field,
            "masked (****): the portal keeps the real value; give the real secret",
        )
    })
}

/// The error for a profile whose IdP is a shared one.
fn inherited(parent: &str, environment: Environment) -> Error {
    let issuer = SharedIdp::find(parent).and_then(|idp| idp.issuer(environment));
    let idp = match issuer {
        Some(issuer) => format!("the shared IdP `{parent}` ({issuer})"),
        None if parent.is_empty() => "a shared IdP".to_owned(),
        None => format!("the shared IdP `{parent}`"),
    };
    Error::config(
        "inheritFrom",
        format!(
            "the profile uses {idp} in `{environment}`, whose management credentials it does not \
             hold: build with Keycloak::builder().issuer(..).management_client(..) and the \
             shared IdP's credentials"
        ),
    )
}

#[cfg(test)]
mod tests {
    use aps_core::{EnvironmentDetail, Secret};

    use super::*;

    fn profile(registration: ClientRegistration, secret: &str) -> CredentialIssuer {
        let mut profile = CredentialIssuer::new("My API default");
        let mut dev = EnvironmentDetail::new(Environment::Dev);
        dev.issuer_url = Some("http://127.0.0.1:18080/realms/apigw".into());
        dev.client_registration = Some(registration);
        dev.client_id = Some("aps-management".into());
        dev.client_secret = Some(Secret::new(secret));
        profile.environment_details.push(dev);
        profile
    }

    fn config_error(result: Result<Keycloak>) -> (&'static str, String) {
        match result {
            Err(Error::Config { field, reason }) => (field, reason),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn managed_profiles_build() {
        let keycloak =
            Keycloak::from_profile(&profile(ClientRegistration::Managed, "s"), Environment::Dev)
                .unwrap();
        assert_eq!(
            keycloak.admin_url(),
            "http://127.0.0.1:18080/admin/realms/apigw"
        );
        assert!(format!("{keycloak:?}").contains("aps-management"));
    }

    #[test]
    fn unusable_profiles_say_why() {
        let managed = profile(ClientRegistration::Managed, "s");
        let (field, reason) = config_error(Keycloak::from_profile(&managed, Environment::Prod));
        assert_eq!(field, "environmentDetails");
        assert!(reason.contains("`prod`"), "{reason}");

        let anonymous = profile(ClientRegistration::Anonymous, "s");
        let (field, reason) = config_error(Keycloak::from_profile(&anonymous, Environment::Dev));
        assert_eq!(
            (field, reason.as_str()),
            (
                "clientRegistration",
                "Anonymous client registration not supported"
            )
        );

        let masked = profile(ClientRegistration::Managed, "****");
        let (field, reason) = config_error(Keycloak::from_profile(&masked, Environment::Dev));
        assert_eq!(field, "clientSecret");
        assert!(reason.contains("masked"), "{reason}");

        let mut inheriting = profile(ClientRegistration::Managed, "s");
        inheriting.inherit_from = Some("Gold Shared IdP".into());
        let (field, reason) = config_error(Keycloak::from_profile(&inheriting, Environment::Dev));
        assert_eq!(field, "inheritFrom");
        assert!(
            reason.contains("https://dev.loginproxy.gov.bc.ca/auth/realms/apigw")
                && reason.contains("credentials"),
            "{reason}"
        );

        let mut bad_issuer = profile(ClientRegistration::Managed, "s");
        bad_issuer.environment_details[0].issuer_url = Some("http://idp.example/realms/x".into());
        let (field, _) = config_error(Keycloak::from_profile(&bad_issuer, Environment::Dev));
        assert_eq!(field, "issuerUrl");
    }

    #[test]
    fn iat_profiles_build_with_or_without_a_managing_client() {
        let mut iat = profile(ClientRegistration::Iat, "s");
        iat.environment_details[0].initial_access_token = Some(Secret::new("eyJ-iat"));
        let both = Keycloak::from_profile(&iat, Environment::Dev).unwrap();
        let shown = format!("{both:?}");
        assert!(
            shown.contains("aps-management") && !shown.contains("eyJ-iat"),
            "{shown}"
        );

        iat.environment_details[0].client_id = None;
        iat.environment_details[0].client_secret = None;
        let alone = Keycloak::from_profile(&iat, Environment::Dev).unwrap();
        assert!(format!("{alone:?}").contains("management_client_id: None"));

        let mut half = iat.clone();
        half.environment_details[0].client_secret = Some(Secret::new("s"));
        let (field, reason) = config_error(Keycloak::from_profile(&half, Environment::Dev));
        assert_eq!(field, "clientId");
        assert!(reason.contains("`iat`"), "{reason}");

        let mut masked = iat.clone();
        masked.environment_details[0].initial_access_token = Some(Secret::new("****"));
        let (field, reason) = config_error(Keycloak::from_profile(&masked, Environment::Dev));
        assert_eq!(field, "initialAccessToken");
        assert!(reason.contains("masked"), "{reason}");

        let mut missing = iat;
        missing.environment_details[0].initial_access_token = None;
        let (field, _) = config_error(Keycloak::from_profile(&missing, Environment::Dev));
        assert_eq!(field, "initialAccessToken");
    }
}
