//! The access-request lifecycle as a pure state machine.
//!
//! ```text
//! requested ──issue credentials──▶ credentials issued ──approve──▶ approved ──revoke──▶ revoked
//!     │                                  │   ▲                      │  ▲
//!     └──────────reject──────────┐       │   └─ regenerate / update ┘  └─ approve (change grants)
//!                                ▼       ▼        client key
//!                              rejected ◀── reject
//! ```
//!
//! [`AccessRequest::next`] takes a [`Step`] and returns the next request together with the
//! [`Action`]s the IdP must perform; nothing here does I/O. Everything serialises, so a
//! portal can persist a request and resume after a crash.

mod error;
mod request;
mod step;
#[cfg(test)]
mod tests;
mod transition;

pub use error::TransitionError;
pub use request::{AccessRequest, State};
pub use step::{Action, ClientKey, Grants, Step, StepKind, Transition};
