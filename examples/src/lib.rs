//! Not built yet: this crate is empty. It will hold the seven steps of the flow end to end; until
//! then, runnable examples are in `aps-client/examples/`.
