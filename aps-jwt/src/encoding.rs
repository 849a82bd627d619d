//! The text encodings keys and tokens arrive in: PEM armour (RFC 7468) and base64url. The DER
//! inside PEM is walked by [`crate::der`].

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

/// One PEM block: its label and its decoded body (zeroized on drop: it may be a private key).
pub(crate) struct Pem {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Why PEM text could not be read. Never carries any of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemError {
    NoBlock,
    UnterminatedBlock,
    Base64 { line: usize },
}

/// Decodes the first PEM block of `text` (RFC 7468, lax about surrounding text and line length).
pub(crate) fn decode_pem(text: &str) -> Result<Pem, PemError> {
    let mut lines = text.lines().enumerate();
    let label = loop {
        let (_, line) = lines.next().ok_or(PemError::NoBlock)?;
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("-----BEGIN ")
            && let Some(label) = rest.strip_suffix("-----")
        {
            break label.to_owned();
        }
    };
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    let mut first_line = 0;
    for (index, line) in lines {
        let line = line.trim();
        if line == end {
            let der = STANDARD
                .decode(body.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| PemError::Base64 {
                    line: first_line + 1,
                })?;
            return Ok(Pem { label, der });
        }
        if first_line == 0 {
            first_line = index;
        }
        // RFC 7468 headers (`Proc-Type:` ...) only appear in legacy encrypted keys.
        if line.contains(':') {
            return Err(PemError::Base64 { line: index + 1 });
        }
        body.push_str(line);
    }
    Err(PemError::UnterminatedBlock)
}

/// Encodes DER as a PEM block with 64-column lines.
pub(crate) fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding, as JWS and JWK require.
pub(crate) fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip() {
        let der = (0u8..=255).collect::<Vec<_>>();
        let pem = encode_pem("PUBLIC KEY", &der);
        let back = decode_pem(&format!("garbage before\n{pem}after")).expect("decodes");
        assert_eq!(back.label, "PUBLIC KEY");
        assert_eq!(&back.der[..], &der[..]);
    }

    #[test]
    fn pem_errors_name_the_line_and_never_the_content() {
        assert!(matches!(decode_pem("nothing"), Err(PemError::NoBlock)));
        assert!(matches!(
            decode_pem("-----BEGIN X-----\nAAAA\n"),
            Err(PemError::UnterminatedBlock)
        ));
        assert!(matches!(
            decode_pem("-----BEGIN X-----\nAA!A\n-----END X-----\n"),
            Err(PemError::Base64 { line: 2 })
        ));
    }
}
