//! What can go wrong talking to an identity provider. No variant carries a secret, a key or a
//! token: bodies are cut to a short excerpt with anything secret-looking removed.

/// The result of an IdP operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An IdP operation that failed, saying what and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client (or other object) does not exist.
    #[error("{what} `{name}` does not exist in realm `{realm}`")]
    NotFound {
        /// `client`, `service account` ...
        what: &'static str,
        /// Its name or id.
        name: String,
        /// The realm.
        realm: String,
    },
    /// A client with this id exists already.
    #[error("client `{client_id}` already exists in realm `{realm}`")]
    AlreadyExists {
        /// The client id.
        client_id: String,
        /// The realm.
        realm: String,
    },
    /// The management client may not do this.
    #[error(
        "forbidden: the management client may not {action} in realm `{realm}` (it needs the realm-management role `{needed_role}`)"
    )]
    Forbidden {
        /// What was attempted, e.g. `create clients`.
        action: String,
        /// The role it lacks, e.g. `manage-clients`.
        needed_role: &'static str,
        /// The realm.
        realm: String,
    },
    /// A granted scope is not a client scope of the realm.
    #[error("scope `{scope}` does not exist in realm `{realm}`")]
    UnknownScope {
        /// The scope as granted.
        scope: String,
        /// The realm.
        realm: String,
    },
    /// A granted role is not a role of the roles client.
    #[error("role `{role}` of client `{client}` does not exist in realm `{realm}`")]
    UnknownRole {
        /// The role as granted.
        role: String,
        /// The client that should own it.
        client: String,
        /// The realm.
        realm: String,
    },
    /// The IdP's state does not allow the operation (e.g. a secret of a JWT client).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The IdP could not be reached or did not answer in time.
    #[error("{what}: cannot reach the identity provider: {source}")]
    Transport {
        /// The call, e.g. `GET /clients`.
        what: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The IdP answered something this crate does not expect.
    #[error("{what}: unexpected answer {status}: {excerpt}")]
    Unexpected {
        /// The call, e.g. `PUT /clients/{id}`.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, without secrets.
        excerpt: String,
    },
    /// The realm refused the initial access token (`iat` registration): it is wrong, expired,
    /// of another realm, or used as many times as it allows.
    #[error(
        "the initial access token was refused by realm `{realm}`: {reason} (create a new one: POST /admin/realms/{realm}/clients-initial-access)"
    )]
    InitialAccessToken {
        /// The realm.
        realm: String,
        /// Keycloak's reason, e.g. `No remaining count on initial access token`.
        reason: String,
    },
    /// A client-registration policy of the realm refused the client (`iat` registration), e.g.
    /// `Allowed Protocol Mapper Types` without `oidc-audience-mapper`.
    #[error(
        "the client-registration policy `{policy}` of realm `{realm}` refused the client: {details}"
    )]
    RegistrationPolicy {
        /// The policy's name, as the realm's Client Registration tab shows it.
        policy: String,
        /// What it refused.
        details: String,
        /// The realm.
        realm: String,
    },
    /// The identity provider cannot do this at all.
    #[error("{idp} does not support {operation}")]
    Unsupported {
        /// What was asked, e.g. `UMA 2.0 resource permissions`.
        operation: &'static str,
        /// The IdP, e.g. `DevIdp`.
        idp: &'static str,
    },
    /// `Provisioner::issue_without_approval` issued the credentials, then the approval failed.
    /// The credentials exist only in `issued`: persist its request, hand its credentials out,
    /// and run `Step::Approve` on that request again.
    #[error(
        "credentials were issued, but the approval failed: {source} (persist the issued request, hand its credentials out, then approve it again)"
    )]
    ApprovalFailed {
        /// The request in `credentials issued`, with the credentials handed out.
        issued: Box<crate::Outcome>,
        /// Why the approval failed.
        source: Box<Error>,
    },
    /// The management client could not get a token (aps-client's error says why).
    #[error("the management client cannot get a token: {0}")]
    ManagementToken(#[source] aps_client::Error),
    /// A key could not be generated, read or encoded.
    #[error("key: {0}")]
    Key(#[from] aps_jwt::Error),
    /// The access-request step is not legal now (nothing was done).
    #[error(transparent)]
    Transition(#[from] aps_core::TransitionError),
    /// A setting is missing or wrong.
    #[error("{field}: {reason}")]
    Config {
        /// The setting, e.g. `issuerUrl`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Whether the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether a client with this id exists already.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, Self::AlreadyExists { .. })
    }

    /// Whether retrying later may succeed (the IdP was unreachable or answered 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Unexpected { status, .. } => *status >= 500,
            Self::ApprovalFailed { source, .. } => source.is_transient(),
            _ => false,
        }
    }

    pub(crate) fn config(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Config {
            field,
            reason: reason.into(),
        }
    }
}

/// The first 200 characters of `body` on one line, with the values of secret-looking JSON
/// fields (`secret`, `token`, `key`, `password`, `assertion`) replaced by `****`.
pub(crate) fn excerpt(body: &str) -> String {
    const SECRET_WORDS: [&str; 6] = [
        "secret",
        "token",
        "key",
        "password",
        "assertion",
        "credential",
    ];
    let cleaned = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut value) => {
            mask(&mut value, &SECRET_WORDS);
            value.to_string()
        }
        Err(_) if SECRET_WORDS.iter().any(|w| body.to_lowercase().contains(w)) => {
            "(a non-JSON body naming a secret; not shown)".to_owned()
        }
        Err(_) => body.to_owned(),
    };
    let one_line: String = cleaned
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &one_line[..at]),
        None => one_line,
    }
}

fn mask(value: &mut serde_json::Value, words: &[&str]) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                let lower = name.to_lowercase();
                if words.iter().any(|w| lower.contains(w)) && !field.is_null() {
                    *field = serde_json::Value::String("****".into());
                } else {
                    mask(field, words);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| mask(v, words)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_hide_secret_fields_and_stay_short() {
        let body = r#"{"clientId":"a","secret":"s3cr3t","attributes":{"jwt.credential.public.key":"MIIB"}}"#;
        let shown = excerpt(body);
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("MIIB"),
            "{shown}"
        );
        assert!(shown.contains(r#""clientId":"a""#), "{shown}");
        assert!(excerpt(&"x".repeat(500)).len() < 210);
        assert!(!excerpt("access_token=abc.def.ghi").contains("abc"));
        assert_eq!(excerpt("line one\nline two"), "line one line two");
    }

    #[test]
    fn transient_means_unreachable_or_5xx() {
        let unexpected = |status| Error::Unexpected {
            what: "GET /clients".into(),
            status,
            excerpt: String::new(),
        };
        assert!(unexpected(503).is_transient());
        assert!(!unexpected(400).is_transient());
        assert!(!Error::Conflict("x".into()).is_transient());
    }
}
