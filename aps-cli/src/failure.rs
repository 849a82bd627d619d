//! How a command ends: the exit status and the one line (or the problem list) for stderr.

use std::fmt;
use std::process::ExitCode;

/// A command that finished: with nothing wrong found (exit 0), or with problems it has already
/// printed (an invalid token, profile errors, no usable key: exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Clean,
    Problems,
}

impl Outcome {
    pub(crate) fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Problems => ExitCode::from(1),
        }
    }
}

/// A command that could not do its job. Exit 2 for usage and I/O errors (bad arguments, an
/// unreadable file, the network), 1 when what it checked was refused (the IdP refused the
/// credentials, a profile has errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// Bad arguments, unreadable input, network trouble: exit 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// What was checked was refused: exit 1.
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of a command.
pub(crate) type Result<T = Outcome> = std::result::Result<T, Failure>;

/// Reads a file, or standard input for `-`, naming the file in the error.
pub(crate) fn read_input(path: &std::path::Path) -> Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::usage(format!("standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}
