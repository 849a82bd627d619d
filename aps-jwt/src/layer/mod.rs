//! A tower `Layer` that validates the bearer token of every request (feature `tower`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::validation_error::ValidationError;
use crate::validator::Validator;
pub use credential::bearer_token;
use credential::{authorization, has_query_token, unchecked_credential};

mod credential;

/// Validates `Authorization: Bearer <token>` on every request with a [`Validator`], puts the
/// [`VerifiedToken`](crate::VerifiedToken) in the request extensions, and answers 401/403/503
/// itself (empty body, `WWW-Authenticate` per RFC 6750) when the token is refused.
///
/// The token is read from the `Authorization` header only (RFC 6750 section 2.1): the scheme
/// is case-insensitive, and exactly one header with exactly one token is accepted. Tokens in
/// an `access_token` query parameter (section 2.3) or a form body (section 2.2) are not
/// supported: a request with only those is answered 401 like one without a token, and a
/// request with a token in the header **and** an `access_token` query parameter gets
/// `400 invalid_request` (section 3.1: more than one method).
///
/// # Examples
/// ```no_run
/// # #[cfg(feature = "axum")] {
/// use aps_jwt::{BearerLayer, Validator, VerifiedToken};
/// use axum::{Router, routing::get};
///
/// async fn hello(token: VerifiedToken) -> String {
///     format!("hello {}", token.client_id().unwrap_or("?"))
/// }
///
/// # fn build() -> Result<Router, aps_jwt::Error> {
/// let validator = Validator::builder()
///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
///     .scope("Function1/read")
///     .build()?;
/// let app: Router = Router::new().route("/", get(hello)).layer(BearerLayer::new(validator));
/// # Ok(app) }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BearerLayer {
    validator: Validator,
}

impl BearerLayer {
    /// A layer validating with `validator`.
    #[must_use]
    pub fn new(validator: Validator) -> Self {
        BearerLayer { validator }
    }
}

impl<S> Layer<S> for BearerLayer {
    type Service = Bearer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Bearer {
            inner,
            validator: self.validator.clone(),
        }
    }
}

/// The service [`BearerLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct Bearer<S> {
    inner: S,
    validator: Validator,
}

/// The verified token of a request whose bearer token the validator has verified before and
/// cached: its characters need no check, since only valid compact JWSs are ever cached.
fn cache_hit(validator: &Validator, request: &Request<impl Sized>) -> Option<crate::VerifiedToken> {
    if has_query_token(request.uri()) {
        return None;
    }
    let value = authorization(request.headers()).ok()?;
    validator.cached(unchecked_credential(value.as_bytes()).ok()?)
}

/// The response for a refused request: status, `WWW-Authenticate`, empty body.
pub(crate) fn refusal<B: Default>(err: &ValidationError) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    if let Some(value) = err
        .www_authenticate()
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Bearer<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // A token verified before: no waiting, so the ready service is called here and now.
        if let Some(verified) = cache_hit(&self.validator, &request) {
            request.extensions_mut().insert(verified);
            return Box::pin(self.inner.call(request));
        }
        // The clone is not ready yet; the ready one goes into the future (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let validator = self.validator.clone();
        Box::pin(async move {
            let verified = match bearer_token(request.headers()) {
                Ok(_) if has_query_token(request.uri()) => Err(validator.refuse(
                    ValidationError::InvalidRequest(
                        "a token in both the Authorization header and the query",
                    ),
                    None,
                )),
                Ok(token) => validator.validate_uncached(token).await,
                Err(err) => Err(validator.refuse(err, None)),
            };
            match verified {
                Ok(token) => {
                    request.extensions_mut().insert(token);
                    inner.call(request).await
                }
                Err(err) => Ok(refusal(&err)),
            }
        })
    }
}
