//! Runnable examples of the aps SDK live in `src/bin/`, one program per step of the flow.
