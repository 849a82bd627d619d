//! Token acquisition for API consumers.
//!
//! Who adds it: a consumer application that holds the credentials the portal handed out (a client
//! id with a secret or a private key) and calls an API behind the APS gateway. It gets tokens with
//! the OAuth2 client credentials grant, caches them, refreshes them ahead of expiry and adds them
//! to requests.
