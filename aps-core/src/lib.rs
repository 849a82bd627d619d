//! The vocabulary of the aps SDK.
//!
//! An API provider on the BC Government API Services Portal (APS) describes how its API is
//! protected with an *Authorization Profile* (`kind: CredentialIssuer`); a portal keeps an
//! *access request* for every consumer that asks for access. `aps-core` models both, validates
//! them, and turns a profile into the access policy that the gateway (and an upstream service)
//! enforces.
//!
//! Who adds it: API providers and portal operators, usually through `aps-idp`; every other aps
//! crate builds on it. It does no I/O and has no async code.
