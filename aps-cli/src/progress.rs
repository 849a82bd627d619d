//! A short "waiting on the network" line on stderr, shown only on a terminal and erased when the
//! wait is over, so that piped and captured output stays clean.

use std::io::{IsTerminal, Write};

/// Shows `message…` on stderr until dropped.
#[derive(Debug)]
pub(crate) struct Progress {
    shown: bool,
}

impl Progress {
    pub(crate) fn start(message: &str) -> Self {
        let mut stderr = std::io::stderr();
        let shown = stderr.is_terminal();
        if shown {
            // Nothing to do if stderr is gone: the line is a courtesy.
            let _ = write!(stderr, "{message}…");
            let _ = stderr.flush();
        }
        Progress { shown }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            let mut stderr = std::io::stderr();
            // Back to the start of the line, and clear it.
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
