//! The one YAML writer configuration: single-line strings stay on one line (no folding, so
//! URLs can be pasted), multi-line strings become literal blocks.

use serde::Serialize;
use serde_saphyr::SerializerOptions;

use crate::error::Error;

pub(crate) fn to_yaml<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut options = SerializerOptions::default();
    options.folded_wrap_chars = usize::MAX / 4;
    let mut text = serde_saphyr::to_string_with_options(value, options)
        .map_err(|err| Error::Write(err.to_string()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}
