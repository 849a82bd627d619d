//! The development IdP over real HTTP: aps-client gets the tokens, aps-jwt's validator checks
//! them through discovery, and raw requests check the refusals.

mod dev_idp {
    pub(crate) mod support;

    mod jwt;
    mod secrets;
    mod state;
    mod uma;
}
