//! A set of verifying keys for one issuer, and pure key selection (by `kid`, or by algorithm for
//! tokens without one).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::alg::Algorithm;
use crate::jwk::Jwks;
use crate::verifying_key::VerifyingKey;

/// Marks whether a key is still in its issuer's set: cached tokens verified by a key that has
/// left the set are no longer served from the cache.
#[derive(Debug, Default)]
pub(crate) struct KeyHandle {
    retired: AtomicBool,
}

impl KeyHandle {
    pub(crate) fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }

    pub(crate) fn retire(&self) {
        self.retired.store(true, Ordering::Release);
    }
}

#[derive(Clone)]
pub(crate) struct KeyEntry {
    pub(crate) key: VerifyingKey,
    pub(crate) handle: Arc<KeyHandle>,
}

/// Why a JWK in a set was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) kid: Option<String>,
    pub(crate) reason: String,
}

/// The usable keys of one issuer.
#[derive(Default)]
pub(crate) struct KeySet {
    keys: Vec<KeyEntry>,
    pub(crate) skipped: Vec<Skipped>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field(
                "kids",
                &self.keys.iter().map(|k| k.key.kid()).collect::<Vec<_>>(),
            )
            .field("skipped", &self.skipped.len())
            .finish()
    }
}

/// The outcome of looking a key up.
pub(crate) enum Selection<'a> {
    /// Candidates, best first (one with a `kid`; possibly several without).
    Found(Vec<&'a KeyEntry>),
    /// A key has this `kid` but cannot verify the token's algorithm.
    WrongAlgorithm,
    /// No key matches.
    NotFound,
}

impl KeySet {
    /// Loads every usable key of `jwks`; the rest are recorded in `skipped` (weak, `use: enc`,
    /// off-curve, unsupported or inconsistent `alg`), and do not affect the others.
    pub(crate) fn from_jwks(jwks: &Jwks) -> Self {
        let mut set = KeySet::default();
        for jwk in &jwks.keys {
            match VerifyingKey::from_jwk(jwk) {
                Ok(key) => set.keys.push(KeyEntry {
                    key,
                    handle: Arc::default(),
                }),
                Err(err) => set.skipped.push(Skipped {
                    kid: jwk.kid.clone(),
                    reason: err.to_string(),
                }),
            }
        }
        set
    }

    /// A set of the given keys.
    pub(crate) fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        KeySet {
            keys: keys
                .into_iter()
                .map(|key| KeyEntry {
                    key,
                    handle: Arc::default(),
                })
                .collect(),
            skipped: Vec::new(),
        }
    }

    pub(crate) fn kids(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter_map(|k| k.key.kid().map(str::to_owned))
            .collect()
    }

    /// Whether some key can verify one of `algorithms`.
    pub(crate) fn usable_for(&self, algorithms: &[Algorithm]) -> bool {
        self.keys
            .iter()
            .any(|e| algorithms.iter().any(|&alg| e.key.supports(alg)))
    }

    /// The algorithms the keys can verify, for messages.
    pub(crate) fn algorithms(&self) -> Vec<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(|&alg| self.keys.iter().any(|e| e.key.supports(alg)))
            .collect()
    }

    /// The number of usable keys.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Takes over the handles of keys that `previous` also had (so their cached tokens stay
    /// valid) and retires the handles of keys that are gone.
    pub(crate) fn succeed(&mut self, previous: &KeySet) {
        for entry in &mut self.keys {
            if let Some(old) = previous
                .keys
                .iter()
                .find(|old| old.key.kid() == entry.key.kid() && old.key.same_key(&entry.key))
            {
                entry.handle = Arc::clone(&old.handle);
            }
        }
        for old in &previous.keys {
            if !self
                .keys
                .iter()
                .any(|new| Arc::ptr_eq(&new.handle, &old.handle))
            {
                old.handle.retire();
            }
        }
    }

    /// Picks the key for a token: by `kid` when it has one (never falling back to other keys),
    /// otherwise every key that can verify `alg`.
    pub(crate) fn select(&self, kid: Option<&str>, alg: Algorithm) -> Selection<'_> {
        match kid {
            Some(kid) => {
                let mut same_kid = self.keys.iter().filter(|e| e.key.kid() == Some(kid));
                let Some(first) = same_kid.next() else {
                    return Selection::NotFound;
                };
                match std::iter::once(first)
                    .chain(same_kid)
                    .find(|e| e.key.supports(alg))
                {
                    Some(entry) => Selection::Found(vec![entry]),
                    None => Selection::WrongAlgorithm,
                }
            }
            None => {
                let found: Vec<_> = self.keys.iter().filter(|e| e.key.supports(alg)).collect();
                if found.is_empty() {
                    Selection::NotFound
                } else {
                    Selection::Found(found)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::Jwk;
    use crate::signing_key::SigningKey;

    fn ec_jwk(kid: &str) -> Jwk {
        let mut jwk = SigningKey::generate_p256().expect("keygen").public_jwk();
        jwk.kid = Some(kid.into());
        jwk
    }

    #[test]
    fn unusable_keys_are_skipped_and_the_rest_stays_usable() {
        let mut enc = ec_jwk("enc");
        enc.use_ = Some("enc".into());
        let mut oaep = ec_jwk("oaep");
        oaep.alg = Some("RSA-OAEP".into());
        let mut off_curve = ec_jwk("off");
        off_curve.x = ec_jwk("other").x;
        let set = KeySet::from_jwks(&Jwks::new(vec![enc, ec_jwk("good"), oaep, off_curve]));
        assert_eq!(set.len(), 1);
        assert_eq!(set.skipped.len(), 3);
        assert!(
            matches!(set.select(Some("good"), Algorithm::ES256), Selection::Found(v) if v.len() == 1)
        );
        assert!(matches!(
            set.select(Some("good"), Algorithm::RS256),
            Selection::WrongAlgorithm
        ));
        assert!(matches!(
            set.select(Some("enc"), Algorithm::ES256),
            Selection::NotFound
        ));
        assert!(matches!(
            set.select(None, Algorithm::ES256),
            Selection::Found(_)
        ));
        assert!(matches!(
            set.select(None, Algorithm::ES384),
            Selection::NotFound
        ));
    }

    #[test]
    fn succeeding_set_keeps_handles_of_kept_keys_and_retires_removed_ones() {
        let (a, b, c) = (ec_jwk("a"), ec_jwk("b"), ec_jwk("c"));
        let old = KeySet::from_jwks(&Jwks::new(vec![a.clone(), b]));
        let mut new = KeySet::from_jwks(&Jwks::new(vec![a, c]));
        new.succeed(&old);
        assert!(Arc::ptr_eq(&old.keys[0].handle, &new.keys[0].handle));
        assert!(!old.keys[0].handle.is_retired());
        assert!(old.keys[1].handle.is_retired());
        assert!(!new.keys[1].handle.is_retired());
    }

    #[test]
    fn same_kid_with_different_key_material_is_a_new_key() {
        let old = KeySet::from_jwks(&Jwks::new(vec![ec_jwk("a")]));
        let mut new = KeySet::from_jwks(&Jwks::new(vec![ec_jwk("a")]));
        new.succeed(&old);
        assert!(old.keys[0].handle.is_retired());
    }
}
