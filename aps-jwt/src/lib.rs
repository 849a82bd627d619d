//! Keys, JWK/JWKS, client assertions, and a standalone bearer-token validator.
//!
//! Who adds it: the owner of an upstream service behind the APS gateway, to validate the access
//! tokens that Keycloak issued (as the gateway's `jwt-keycloak` plugin does) and the JWT that the
//! gateway signs for the upstream. `aps-client` uses it to sign client assertions
//! (`private_key_jwt`).
