//! The upstream-JWT check as a layer for axum services (feature `axum`): the body is buffered
//! (up to a limit) because `payloadhash` covers it, then handed on unchanged.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{Request, StatusCode};
use http_body_util::{BodyExt as _, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::upstream::{GatewayRequest, Verifier};
use crate::validation_error::ValidationError;

/// Verifies the gateway's upstream JWT on every request (header, signature, `aud`, `exp`,
/// `jti` replay, `payloadhash` over the buffered body), puts the [`GatewayRequest`] in the
/// request extensions, and answers 401 (or 503 without keys) itself. A request without exactly
/// one gateway header is refused before its body is read; bodies over the limit are refused
/// with 413.
///
/// # Examples
/// ```no_run
/// use aps_jwt::upstream::{APS_PROD_JWKS, GatewayRequest, UpstreamLayer, Verifier};
/// use axum::{Router, routing::post};
///
/// async fn create(gateway: GatewayRequest, body: String) -> String {
///     format!("{} sent {} bytes", gateway.consumer_name().unwrap_or("?"), body.len())
/// }
///
/// # fn build() -> Result<Router, aps_jwt::Error> {
/// let verifier = Verifier::builder("my-service").jwks_uri(APS_PROD_JWKS).header("GW-JWT").build()?;
/// let app: Router = Router::new().route("/", post(create)).layer(UpstreamLayer::new(verifier));
/// # Ok(app) }
/// ```
#[derive(Debug, Clone)]
pub struct UpstreamLayer {
    verifier: Verifier,
    max_body: usize,
}

impl UpstreamLayer {
    /// A layer verifying with `verifier`, buffering bodies up to 1 MiB.
    #[must_use]
    pub fn new(verifier: Verifier) -> Self {
        UpstreamLayer {
            verifier,
            max_body: 1 << 20,
        }
    }

    /// The largest body buffered for the hash. Defaults to 1 MiB.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }
}

impl<S> Layer<S> for UpstreamLayer {
    type Service = Upstream<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Upstream {
            inner,
            verifier: self.verifier.clone(),
            max_body: self.max_body,
        }
    }
}

/// The service [`UpstreamLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct Upstream<S> {
    inner: S,
    verifier: Verifier,
    max_body: usize,
}

impl<S> Service<Request<Body>> for Upstream<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        let max_body = self.max_body;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            // Before the body is read: a request without exactly one gateway header is refused.
            let value = match gateway_header(&parts.headers, verifier.header_name()) {
                Ok(value) => value.to_owned(),
                Err(err) => return Ok(err.into_response()),
            };
            let Ok(collected) = Limited::new(body, max_body).collect().await else {
                return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
            };
            let bytes = collected.to_bytes();
            match verifier.verify(&value, &bytes).await {
                Ok(gateway) => {
                    parts.extensions.insert(gateway);
                    inner
                        .call(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(err) => Ok(err.into_response()),
            }
        })
    }
}

/// The value of the one `name` header. Several are refused: a client could add its own next to
/// the gateway's, and which one a framework returns first is not something to rely on.
fn gateway_header<'a>(
    headers: &'a http::HeaderMap,
    name: &str,
) -> Result<&'a str, ValidationError> {
    let mut values = headers.get_all(name).iter();
    let value = values.next().ok_or(ValidationError::Missing)?;
    if values.next().is_some() {
        return Err(ValidationError::Malformed("several gateway JWT headers"));
    }
    value
        .to_str()
        .map_err(|_| ValidationError::Malformed("gateway JWT header is not ASCII"))
}

/// Takes what [`UpstreamLayer`] verified; without the layer, the request is refused with 500.
impl<S: Send + Sync> FromRequestParts<S> for GatewayRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<GatewayRequest>()
            .cloned()
            .ok_or_else(|| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "upstream JWT verification is not configured",
                )
                    .into_response()
            })
    }
}
