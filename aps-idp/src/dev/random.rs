//! Random values: client secrets, token ids and service-account ids, from aws-lc's system RNG.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;

use crate::{Error, Result};

fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| Error::Key(aps_jwt::Error::Crypto("generate random bytes")))?;
    Ok(out)
}

/// A new client secret: 32 random bytes, base64url without padding (43 characters).
pub(super) fn secret() -> Result<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes::<32>()?))
}

/// A random (version 4) UUID in its usual text form, as Keycloak uses for ids and `jti`s.
pub(super) fn uuid() -> Result<String> {
    let mut b = bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_uuids_are_fresh_and_well_formed() {
        let (a, b) = (secret().unwrap(), secret().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        let id = uuid().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(
            matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
        assert_ne!(id, uuid().unwrap());
    }
}
