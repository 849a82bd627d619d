//! The IdP's own signing keys: one current key, and retired keys still published for a grace
//! period so that tokens they signed keep validating. Pure: every decision takes `now`.

use aps_jwt::{Algorithm, Jwks, KeyType, SigningKey};

use crate::{Error, Result};

/// A signing key and, once replaced, when (Unix seconds).
#[derive(Debug, Clone)]
pub(super) struct RingKey {
    pub(super) key: SigningKey,
    pub(super) retired_at: Option<u64>,
}

/// The signing keys: the last one signs, the others are retired.
#[derive(Debug, Clone)]
pub(super) struct KeyRing {
    keys: Vec<RingKey>,
}

/// A new key for `alg`: RSA 2048 for the RSA algorithms, P-256 for ES256.
pub(super) fn generate(alg: Algorithm) -> Result<SigningKey> {
    let key = match alg.key_type() {
        KeyType::Rsa => SigningKey::generate_rsa(2048)?.with_algorithm(alg)?,
        KeyType::EcP256 => SigningKey::generate_p256()?,
        _ => {
            return Err(Error::config(
                "algorithm",
                format!("the development IdP cannot generate {alg} keys (use RS256 or ES256)"),
            ));
        }
    };
    Ok(key)
}

impl KeyRing {
    /// A ring with one key.
    pub(super) fn new(key: SigningKey) -> Self {
        Self {
            keys: vec![RingKey {
                key,
                retired_at: None,
            }],
        }
    }

    /// A ring read back from storage: exactly one key, the last, must be current.
    pub(super) fn from_keys(keys: Vec<RingKey>) -> Option<Self> {
        let (last, retired) = keys.split_last()?;
        (last.retired_at.is_none() && retired.iter().all(|k| k.retired_at.is_some()))
            .then_some(Self { keys })
    }

    /// The key that signs new tokens.
    pub(super) fn current(&self) -> &SigningKey {
        // `new`, `from_keys` and `rotate` never leave the ring empty.
        &self.keys[self.keys.len() - 1].key
    }

    /// Every key, retired first, for storage.
    pub(super) fn keys(&self) -> &[RingKey] {
        &self.keys
    }

    /// Retires the current key at `now` and makes `key` current; drops retired keys whose
    /// grace period is over.
    pub(super) fn rotate(&mut self, key: SigningKey, now: u64, grace: u64) {
        self.keys.retain(|k| live(k, now, grace));
        if let Some(last) = self.keys.last_mut() {
            last.retired_at = Some(now);
        }
        self.keys.push(RingKey {
            key,
            retired_at: None,
        });
    }

    /// The keys a JWKS shows at `now`: the current one and those retired less than `grace`
    /// seconds ago.
    pub(super) fn published(&self, now: u64, grace: u64) -> Jwks {
        self.keys
            .iter()
            .filter(|k| live(k, now, grace))
            .map(|k| k.key.public_jwk())
            .collect()
    }
}

fn live(key: &RingKey, now: u64, grace: u64) -> bool {
    key.retired_at
        .is_none_or(|at| now < at.saturating_add(grace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kids(jwks: &Jwks) -> Vec<String> {
        jwks.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }

    #[test]
    fn retired_keys_stay_published_for_the_grace_period_only() {
        let first = SigningKey::generate_p256().unwrap();
        let second = SigningKey::generate_p256().unwrap();
        let mut ring = KeyRing::new(first.clone());
        ring.rotate(second.clone(), 1000, 600);
        assert_eq!(ring.current().kid(), second.kid());
        assert_eq!(
            kids(&ring.published(1599, 600)),
            [first.kid(), second.kid()]
        );
        assert_eq!(kids(&ring.published(1600, 600)), [second.kid()]);
        let third = SigningKey::generate_p256().unwrap();
        ring.rotate(third.clone(), 2000, 600);
        assert_eq!(ring.keys().len(), 2, "the first key is pruned");
    }

    #[test]
    fn a_stored_ring_needs_exactly_one_current_key_last() {
        let key = |retired_at| RingKey {
            key: SigningKey::generate_p256().unwrap(),
            retired_at,
        };
        assert!(KeyRing::from_keys(vec![]).is_none());
        assert!(KeyRing::from_keys(vec![key(None), key(None)]).is_none());
        assert!(KeyRing::from_keys(vec![key(None), key(Some(1))]).is_none());
        assert!(KeyRing::from_keys(vec![key(Some(1)), key(None)]).is_some());
    }

    #[test]
    fn only_rs_and_es256_keys_are_generated() {
        assert_eq!(
            generate(Algorithm::ES256).unwrap().algorithm(),
            Algorithm::ES256
        );
        assert!(generate(Algorithm::ES384).is_err());
    }
}
