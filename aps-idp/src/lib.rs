//! The identity provider behind a trait.
//!
//! Who adds it: a portal operator or API provider that provisions consumer clients on Keycloak
//! through the access-request lifecycle (request, approve, reject, revoke, rotate), or anyone who
//! wants the embedded development IdP so that examples run with no server.
//!
//! **Not built yet:** this crate is empty. The access-request lifecycle itself is in `aps-core`
//! (`AccessRequest::next`), which returns the IdP actions this crate will perform.
