//! The servers under load, all on the server runtime: the quickstart's gateway and upstream
//! (`aps_examples::api`, unchanged) and a plain upstream without verification, the HTTP floor.

use aps_examples::api;
use aps_jwt::{SigningKey, Validator};
use axum::Router;
use serde_json::json;
use tokio::runtime::Runtime;

/// The base URLs of the servers the cases call.
pub(crate) struct Servers {
    /// A plain axum handler answering a body like the upstream's, without `UpstreamLayer`.
    pub(crate) plain_upstream: String,
    /// The quickstart's gateway validating with a cache that holds every token, proxying to
    /// the quickstart's upstream.
    pub(crate) gateway_hit: String,
    /// The same with a small cache, for cold validations.
    pub(crate) gateway_cold: String,
    /// The cache-hit gateway proxying to the plain upstream: the gateway without the upstream's
    /// verification.
    pub(crate) gateway_hit_to_plain: String,
}

impl Servers {
    /// Starts them; the gateway signs with `gateway_key`, which the upstream trusts.
    pub(crate) fn start(
        runtime: &Runtime,
        gateway_key: &SigningKey,
        hits: &Validator,
        cold: &Validator,
    ) -> Servers {
        runtime.block_on(async {
            let plain_upstream = api::serve(Router::new().fallback(plain_upstream))
                .await
                .expect("plain upstream");
            let upstream = fresh_upstream_in(gateway_key).await;
            let gateway = |validator: &Validator, to: &str| {
                api::start_gateway(validator.clone(), gateway_key.clone(), to.to_owned())
            };
            Servers {
                gateway_hit: gateway(hits, &upstream).await.expect("gateway"),
                gateway_cold: gateway(cold, &upstream).await.expect("gateway"),
                gateway_hit_to_plain: gateway(hits, &plain_upstream).await.expect("gateway"),
                plain_upstream,
            }
        })
    }
}

/// A new quickstart upstream (its replay store empty), for callers sending pre-signed JWTs.
pub(crate) fn fresh_upstream(runtime: &Runtime, gateway_key: &SigningKey) -> String {
    runtime.block_on(fresh_upstream_in(gateway_key))
}

async fn fresh_upstream_in(gateway_key: &SigningKey) -> String {
    api::start_upstream(gateway_key).await.expect("upstream")
}

/// The quickstart upstream's answer, built the same way, without the verified request.
async fn plain_upstream() -> axum::Json<serde_json::Value> {
    axum::Json(json!({
        "upstream": "hello from the quickstart API",
        "consumer": std::hint::black_box("consumer-app-1"),
        "gatewayJwtId": std::hint::black_box("0c6f3e52-5f0e-4d8e-9b7a-2a4f1d3c9e10"),
        "bodyBytes": 0,
    }))
}
