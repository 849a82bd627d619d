//! The development IdP over real HTTP.
