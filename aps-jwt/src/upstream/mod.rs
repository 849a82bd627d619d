//! The JWT that the APS gateway signs for the upstream service (Kong `upstream-jwt` plugin):
//! [`Verifier`] checks that a request really came through the gateway; [`Signer`] produces the
//! same JWT, for tests of an upstream service and for gateways or proxies that play Kong's part.
//!
//! The gateway sends, in a configurable header (`JWT` by default; APS services usually set
//! `GW-JWT`), optionally prefixed with `Bearer `, an RS256 JWT with `kid`, an `x5c` holding
//! its certificate, and the claims `exp` (60 s), `jti`, `aud` (the Kong service name),
//! `payloadhash` (hex SHA-256 of the request body), `consumerid`, `consumername` and, when
//! configured, `iss` and `iat`.

use aws_lc_rs::digest;

mod sign;
mod verify;

pub use sign::{Signer, SignerBuilder};
pub use verify::{GatewayRequest, Verifier, VerifierBuilder};

#[cfg(feature = "axum")]
pub use crate::upstream_layer::{Upstream, UpstreamLayer};

/// The JWKS of the APS production gateway's upstream JWT.
pub const APS_PROD_JWKS: &str = "https://aps-jwks-upstream-jwt.api.gov.bc.ca/certs";
/// The JWKS of the APS test gateway's upstream JWT.
pub const APS_TEST_JWKS: &str =
    "https://aps-jwks-upstream-jwt-api-gov-bc-ca.test.api.gov.bc.ca/certs";

/// Lower-case hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    let digest = digest::digest(&digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
