//! Token endpoint errors in the RFC 6749 section 5.2 form, and their HTTP answers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An RFC 6749 section 5.2 error: a code, a description, and whether the client tried HTTP
/// Basic (then `invalid_client` carries a `WWW-Authenticate` challenge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OAuthError {
    pub(super) code: &'static str,
    pub(super) description: String,
    pub(super) basic_realm: Option<String>,
}

impl OAuthError {
    fn new(code: &'static str, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            basic_realm: None,
        }
    }

    pub(super) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub(super) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new("invalid_client", description)
    }

    pub(super) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new("invalid_scope", description)
    }

    pub(super) fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new("unsupported_grant_type", description)
    }

    pub(super) fn server_error(description: impl Into<String>) -> Self {
        Self::new("server_error", description)
    }

    /// Marks that the client tried HTTP Basic on `realm` (for the challenge).
    #[must_use]
    pub(super) fn with_basic_realm(mut self, realm: Option<&str>) -> Self {
        self.basic_realm = realm.map(str::to_owned);
        self
    }

    /// `401` for `invalid_client` (as Keycloak answers), `500` for `server_error`, else `400`.
    pub(super) fn status(&self) -> StatusCode {
        match self.code {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code, "error_description": self.description});
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if let (Some(realm), "invalid_client") = (&self.basic_realm, self.code)
            && let Ok(value) = HeaderValue::from_str(&format!("Basic realm=\"{realm}\""))
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_challenge() {
        assert_eq!(OAuthError::invalid_scope("x").status(), 400);
        let e = OAuthError::invalid_client("x").with_basic_realm(Some("apigw"));
        assert_eq!(e.status(), 401);
        let response = e.into_response();
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"apigw\""
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let post = OAuthError::invalid_client("x").into_response();
        assert!(post.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
