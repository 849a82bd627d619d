//! The axum side (feature `axum`): `VerifiedToken` as an extractor, and `ValidationError` as a
//! response.

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::validation_error::ValidationError;
use crate::validator::VerifiedToken;

/// Takes the token that [`BearerLayer`](crate::BearerLayer) verified. Without the layer in
/// front of the handler, the request is refused with 500: a configuration mistake must not
/// let requests through.
impl<S: Send + Sync> FromRequestParts<S> for VerifiedToken {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<VerifiedToken>()
            .cloned()
            .ok_or_else(|| {
                (
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "bearer token validation is not configured",
                )
                    .into_response()
            })
    }
}

/// The RFC 6750 answer: 401/403/503 with `WWW-Authenticate`, and the error description as text.
impl IntoResponse for ValidationError {
    fn into_response(self) -> Response {
        let mut response = crate::layer::refusal::<axum_core::body::Body>(&self);
        *response.body_mut() = axum_core::body::Body::from(self.to_string());
        response
    }
}
