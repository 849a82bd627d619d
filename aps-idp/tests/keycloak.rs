//! `Keycloak` against a real Keycloak (`KEYCLOAK_URL`): what is specific to Keycloak. The
//! generic lifecycle is the conformance suite's.

mod keycloak {
    mod grants;
    mod iat;
    mod keys;
    mod registration;
    mod support;
    mod uma;
}
