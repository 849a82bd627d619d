//! The one place that talks HTTP to Keycloak's Admin REST API: send with the management
//! token, read the body, map the status to an [`Error`]. Everything else is pure.

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::error::excerpt;
use crate::{Error, Result};

/// What a call needs the management client to be allowed to do, for
/// [`Error::Forbidden`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Permission {
    action: &'static str,
    role: &'static str,
}

/// Reading clients, their scopes, roles and secrets.
pub(crate) const VIEW_CLIENTS: Permission = Permission {
    action: "read clients",
    role: "view-clients",
};
/// Creating, changing and deleting clients, their scopes, roles and secrets.
pub(crate) const MANAGE_CLIENTS: Permission = Permission {
    action: "manage clients",
    role: "manage-clients",
};
/// Reading and changing the role mappings of service accounts (they are users).
pub(crate) const MANAGE_USERS: Permission = Permission {
    action: "map roles to service accounts",
    role: "manage-users",
};

/// One Admin REST call: below `{base}/admin/realms/{realm}`, with what its failures mean.
/// `Debug` shows the call, never its body (a client representation may carry a secret).
#[derive(Clone)]
pub(crate) struct Request {
    method: Method,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    permission: Permission,
    missing: (&'static str, String),
    creates: Option<String>,
    secret_answer: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("body", &self.body.as_ref().map(|_| "[not shown]"))
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A call of `method` on the path made of `segments` (each escaped on its own).
    pub(crate) fn new<S: Into<String>>(
        method: Method,
        permission: Permission,
        segments: impl IntoIterator<Item = S>,
    ) -> Self {
        let path: Vec<String> = segments.into_iter().map(Into::into).collect();
        let missing = ("object", format!("/{}", path.join("/")));
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            permission,
            missing,
            creates: None,
            secret_answer: false,
        }
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Sends `body` as JSON.
    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// What a 404 means: `what` (`client`, `service account`) named `name` does not exist.
    pub(crate) fn missing(mut self, what: &'static str, name: impl Into<String>) -> Self {
        self.missing = (what, name.into());
        self
    }

    /// The call creates the client `client_id`: a 409 means it exists already.
    pub(crate) fn creates(mut self, client_id: impl Into<String>) -> Self {
        self.creates = Some(client_id.into());
        self
    }

    /// The answer holds a secret: its body is never shown in an error.
    pub(crate) fn secret_answer(mut self) -> Self {
        self.secret_answer = true;
        self
    }

    /// `METHOD /path` without host, for messages.
    pub(crate) fn what(&self) -> String {
        format!("{} /{}", self.method, self.path.join("/"))
    }

    fn url(&self, base: &Url) -> Url {
        let mut url = base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.extend(&self.path);
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        url
    }
}

/// A successful answer.
/// `Debug` shows the status, never the body (it may be a client secret).
#[derive(Clone)]
pub(crate) struct Answer {
    what: String,
    pub(crate) status: StatusCode,
    location: Option<String>,
    pub(crate) body: String,
    secret: bool,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("what", &self.what)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// The body as `T`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.body).map_err(|e| {
            let shown = if self.secret {
                "(a secret; not shown)".to_owned()
            } else {
                excerpt(&self.body)
            };
            Error::Unexpected {
                what: self.what.clone(),
                status: self.status.as_u16(),
                excerpt: format!("not the expected JSON ({e}): {shown}"),
            }
        })
    }

    /// The id at the end of the `Location` header of a `201 Created`.
    pub(crate) fn created_id(&self) -> Result<String> {
        self.location
            .as_deref()
            .and_then(|l| l.rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| Error::Unexpected {
                what: self.what.clone(),
                status: self.status.as_u16(),
                excerpt: "no Location header naming the new object".into(),
            })
    }
}

/// The Admin REST API of one realm, reached with the management client's token.
#[derive(Debug, Clone)]
pub(crate) struct Admin {
    pub(crate) http: reqwest::Client,
    pub(crate) token: Option<aps_client::Client>,
    pub(crate) base: Url,
    pub(crate) realm: String,
}

impl Admin {
    /// Sends `request` and reads the answer; every status outside 2xx is an error.
    ///
    /// A 401 drops the cached management token and tries once more with a new one (the
    /// token may have been revoked or the realm keys rotated); a second 401 is
    /// [`Error::Forbidden`].
    pub(crate) async fn send(&self, request: Request) -> Result<Answer> {
        let what = request.what();
        let client = self.token.as_ref().ok_or_else(|| {
            Error::config(
                "management_client",
                format!(
                    "not set, and `{what}` needs one: an initial access token only registers \
                     clients; approving, reading, rotating and deleting them need a management \
                     client (the profile's clientId and clientSecret, or management_client / \
                     management_key), as the portal's \"WF09 Managed Client Registration requires \
                     a Client ID and Secret\""
                ),
            )
        })?;
        let mut retried = false;
        loop {
            let token = client.token().await.map_err(Error::ManagementToken)?;
            let mut builder = self
                .http
                .request(request.method.clone(), request.url(&self.base))
                .header(reqwest::header::AUTHORIZATION, token.authorization());
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let mut answer = read(builder, &what).await?;
            answer.secret = request.secret_answer;
            tracing::debug!(call = %what, status = answer.status.as_u16(), "keycloak admin");
            if answer.status == StatusCode::UNAUTHORIZED && !retried {
                client.invalidate(&token);
                retried = true;
                continue;
            }
            check(answer.status, &request, &self.realm, &answer.body)?;
            return Ok(answer);
        }
    }

    /// Sends `request` and reads its JSON answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        self.send(request).await?.json()
    }
}

/// Sends and reads the whole answer; only a failure to talk to Keycloak is an error here.
pub(crate) async fn read(request: reqwest::RequestBuilder, what: &str) -> Result<Answer> {
    let transport = |e: reqwest::Error| Error::Transport {
        what: what.to_owned(),
        source: Box::new(e.without_url()),
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.map_err(transport)?;
    Ok(Answer {
        what: what.to_owned(),
        status,
        location,
        body,
        secret: false,
    })
}

/// What a status means for `request`: `Ok` for 2xx, else the error. Pure.
pub(crate) fn check(status: StatusCode, request: &Request, realm: &str, body: &str) -> Result<()> {
    let realm = realm.to_owned();
    match status.as_u16() {
        200..=299 => Ok(()),
        401 | 403 => Err(Error::Forbidden {
            action: request.permission.action.to_owned(),
            needed_role: request.permission.role,
            realm,
        }),
        404 => Err(Error::NotFound {
            what: request.missing.0,
            name: request.missing.1.clone(),
            realm,
        }),
        409 => Err(match &request.creates {
            Some(client_id) => Error::AlreadyExists {
                client_id: client_id.clone(),
                realm,
            },
            None => Error::Conflict(format!("{}: {}", request.what(), excerpt(body))),
        }),
        status => Err(Error::Unexpected {
            what: request.what(),
            status,
            excerpt: excerpt(body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request::new(Method::POST, MANAGE_CLIENTS, ["clients"])
    }

    #[test]
    fn statuses_map_to_errors_naming_the_call_and_the_role() {
        assert!(check(StatusCode::CREATED, &request(), "apigw", "").is_ok());
        for status in [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN] {
            let error = check(status, &request(), "apigw", "").unwrap_err();
            assert!(
                matches!(&error, Error::Forbidden { needed_role: "manage-clients", realm, .. } if realm == "apigw"),
                "{error}"
            );
        }
        let read = Request::new(Method::GET, VIEW_CLIENTS, ["clients", "x"]);
        let error = check(StatusCode::FORBIDDEN, &read, "apigw", "").unwrap_err();
        assert!(error.to_string().contains("`view-clients`"), "{error}");

        let missing = request().missing("client", "app-1");
        let error = check(StatusCode::NOT_FOUND, &missing, "apigw", "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "client `app-1` does not exist in realm `apigw`"
        );

        let create = request().creates("app-1");
        let error = check(StatusCode::CONFLICT, &create, "apigw", "").unwrap_err();
        assert!(error.is_already_exists(), "{error}");
        let error = check(StatusCode::CONFLICT, &request(), "apigw", "{}").unwrap_err();
        assert!(matches!(error, Error::Conflict(_)), "{error}");
    }

    #[test]
    fn unexpected_answers_keep_an_excerpt_without_secrets_and_no_host() {
        let call = Request::new(
            Method::GET,
            VIEW_CLIENTS,
            ["clients", "id 1", "client-secret"],
        );
        let body = r#"{"error":"x","secret":"s3cr3t"}"#;
        let error = check(StatusCode::BAD_GATEWAY, &call, "apigw", body).unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.starts_with("GET /clients/id 1/client-secret: unexpected answer 502"),
            "{shown}"
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(error.is_transient());
    }

    #[test]
    fn paths_are_escaped_per_segment_and_queries_encoded() {
        let base = Url::parse("https://idp.example/auth/admin/realms/apigw").unwrap();
        let call = Request::new(
            Method::DELETE,
            MANAGE_CLIENTS,
            ["clients", "c1", "roles", "a/b c"],
        )
        .query("clientId", "x&y");
        assert_eq!(
            call.url(&base).as_str(),
            "https://idp.example/auth/admin/realms/apigw/clients/c1/roles/a%2Fb%20c?clientId=x%26y"
        );
        assert_eq!(call.what(), "DELETE /clients/c1/roles/a/b c");
    }
}
