//! Public-API tests that need no network.

mod support;

mod api {
    mod assertion;
    mod assertion_verify;
    mod keys;
    mod security;
    mod upstream;
    mod upstream_sign;
    mod validator;
    mod wycheproof;
}
