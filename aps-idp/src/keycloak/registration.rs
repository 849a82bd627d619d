//! `iat` mode: registering a client through Keycloak's client registration service
//! (`POST {issuer}/clients-registrations/default`) with an initial access token.
//!
//! The answer holds the client's secret and a registration access token: neither is logged,
//! kept or shown in an error (the token is dropped at once; nothing here uses it).

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::admin::read;
use crate::error::excerpt;
use crate::{ClientSecret, Error, Result};

/// The client registration service of one realm, reached with an initial access token.
#[derive(Clone)]
pub(crate) struct Registration {
    pub(crate) http: reqwest::Client,
    /// `{issuer}/clients-registrations/default`.
    pub(crate) url: Url,
    pub(crate) token: ClientSecret,
    pub(crate) realm: String,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// What a registration answered: the new client's id and, for `client-secret`, its secret.
#[derive(Deserialize)]
pub(crate) struct Registered {
    pub(crate) id: String,
    #[serde(default)]
    secret: Option<String>,
}

impl Registered {
    /// The secret Keycloak holds (the one sent, or one it generated).
    pub(crate) fn secret(self) -> Option<ClientSecret> {
        self.secret.filter(|s| !s.is_empty()).map(ClientSecret::new)
    }
}

/// Keycloak's OAuth-style error body.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ErrorBody {
    error: String,
    error_description: String,
}

impl Registration {
    /// The service of the realm `issuer` names.
    pub(crate) fn new(
        http: reqwest::Client,
        issuer: &str,
        token: ClientSecret,
        realm: &str,
    ) -> Result<Self> {
        let url = Url::parse(&format!("{issuer}/clients-registrations/default"))
            .map_err(|e| Error::config("issuer", e.to_string()))?;
        Ok(Self {
            http,
            url,
            token,
            realm: realm.to_owned(),
        })
    }

    /// `POST …/clients-registrations/default` with `template` (a `ClientRepresentation`).
    pub(crate) async fn register(&self, template: &Value, client_id: &str) -> Result<Registered> {
        let what = "POST /clients-registrations/default";
        let request = self
            .http
            .post(self.url.clone())
            .bearer_auth(self.token.expose())
            .json(template);
        let answer = read(request, what).await?;
        tracing::debug!(
            call = what,
            status = answer.status.as_u16(),
            "keycloak registration"
        );
        if answer.status.is_success() {
            return serde_json::from_str(&answer.body).map_err(|e| Error::Unexpected {
                what: what.to_owned(),
                status: answer.status.as_u16(),
                // The body holds the secret and the registration access token.
                excerpt: format!("not a client representation ({e}); body not shown"),
            });
        }
        Err(refusal(answer.status, &answer.body, client_id, &self.realm))
    }
}

/// What a refused registration means. Pure.
fn refusal(status: StatusCode, body: &str, client_id: &str, realm: &str) -> Error {
    let parsed: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let description = parsed.error_description.trim();
    let realm = realm.to_owned();
    match status.as_u16() {
        409 => Error::AlreadyExists {
            client_id: client_id.to_owned(),
            realm,
        },
        400 if description == "Client Identifier in use" => Error::AlreadyExists {
            client_id: client_id.to_owned(),
            realm,
        },
        401 => Error::InitialAccessToken {
            realm,
            reason: match description {
                "Failed decode token" => {
                    "Keycloak cannot read it (wrong, expired, or of another realm)".to_owned()
                }
                "" => short(&parsed.error),
                other => short(other),
            },
        },
        403 if parsed.error == "insufficient_scope" => {
            let (policy, details) = policy_refusal(description);
            Error::RegistrationPolicy {
                policy,
                details,
                realm,
            }
        }
        status => Error::Unexpected {
            what: "POST /clients-registrations/default".to_owned(),
            status,
            excerpt: excerpt(body),
        },
    }
}

/// `Policy 'X' rejected request to client-registration service. Details: Y` → `(X, Y)`.
fn policy_refusal(description: &str) -> (String, String) {
    let policy = description
        .strip_prefix("Policy '")
        .and_then(|rest| rest.split_once('\''))
        .map(|(name, _)| name.to_owned());
    let details = description
        .split_once("Details: ")
        .map(|(_, details)| details.trim().to_owned());
    match (policy, details) {
        (Some(policy), Some(details)) => (short(&policy), short(&details)),
        (Some(policy), None) => (short(&policy), short(description)),
        _ => ("(unnamed)".to_owned(), short(description)),
    }
}

/// Keycloak's own words (an `error_description`, which never echoes the token), on one line
/// and at most 200 characters. [`excerpt`] would hide them: they name the token.
fn short(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, body: &str) -> Error {
        refusal(
            StatusCode::from_u16(status).unwrap(),
            body,
            "app-1",
            "apigw",
        )
    }

    #[test]
    fn keycloaks_refusals_become_typed_errors() {
        let spent = refused(
            401,
            r#"{"error":"invalid_token","error_description":"No remaining count on initial access token"}"#,
        );
        assert!(
            matches!(&spent, Error::InitialAccessToken { reason, realm } if reason == "No remaining count on initial access token" && realm == "apigw"),
            "{spent}"
        );
        let wrong = refused(
            401,
            r#"{"error":"invalid_token","error_description":"Failed decode token"}"#,
        );
        assert!(wrong.to_string().contains("wrong, expired"), "{wrong}");

        let policy = refused(
            403,
            r#"{"error":"insufficient_scope","error_description":"Policy 'Allowed Protocol Mapper Types' rejected request to client-registration service. Details: ProtocolMapper type not allowed"}"#,
        );
        assert_eq!(
            policy.to_string(),
            "the client-registration policy `Allowed Protocol Mapper Types` of realm `apigw` refused the client: ProtocolMapper type not allowed"
        );

        let in_use = refused(
            400,
            r#"{"error":"invalid_client_metadata","error_description":"Client Identifier in use"}"#,
        );
        assert!(in_use.is_already_exists(), "{in_use}");
        let other = refused(
            400,
            r#"{"error":"invalid_client_metadata","error_description":"bad"}"#,
        );
        assert!(matches!(other, Error::Unexpected { status: 400, .. }));
        assert!(refused(502, "").is_transient());
    }

    #[test]
    fn the_registration_answer_gives_id_and_secret_only() {
        let answer: Registered = serde_json::from_str(
            r#"{"id":"u-1","clientId":"app-1","secret":"s3","registrationAccessToken":"eyJ"}"#,
        )
        .unwrap();
        assert_eq!(answer.id, "u-1");
        assert_eq!(answer.secret().unwrap().expose(), "s3");
        let jwt: Registered = serde_json::from_str(r#"{"id":"u-2"}"#).unwrap();
        assert!(jwt.secret().is_none());
    }

    #[test]
    fn debug_shows_no_token() {
        let registration = Registration::new(
            reqwest::Client::new(),
            "http://127.0.0.1:1/realms/apigw",
            ClientSecret::new("iat-s3cr3t"),
            "apigw",
        )
        .unwrap();
        let shown = format!("{registration:?}");
        assert!(!shown.contains("iat-s3cr3t"), "{shown}");
        assert!(
            shown.contains("/realms/apigw/clients-registrations/default"),
            "{shown}"
        );
    }
}
