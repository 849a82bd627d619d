//! The narration of the examples, and the checks that make them exit non-zero when an
//! outcome is not the expected one.

use std::fmt::Display;

/// An outcome that was not the expected one.
#[derive(Debug)]
pub struct Unexpected(pub String);

impl Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unexpected: {}", self.0)
    }
}

impl std::error::Error for Unexpected {}

/// The error type of the examples' `main`.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Fails with `what` unless `ok`.
///
/// # Errors
/// [`Unexpected`] when `ok` is false.
pub fn expect(ok: bool, what: impl Into<String>) -> Result<(), Unexpected> {
    if ok {
        Ok(())
    } else {
        Err(Unexpected(what.into()))
    }
}

/// A step heading.
pub fn step(number: u32, title: &str) {
    println!("\nStep {number}. {title}");
}

/// One line of what happened.
pub fn line(text: impl Display) {
    println!("   {text}");
}

/// A named value.
pub fn value(name: &str, value: impl Display) {
    println!("   {name:<25} {value}");
}

/// A block of text (YAML, JSON), indented.
pub fn block(text: &str) {
    for line in text.lines() {
        println!("      {line}");
    }
}
