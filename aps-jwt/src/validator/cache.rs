//! The verified-token cache: a hit skips signature verification.
//!
//! Keyed by a keyed SipHash of the token's last 64 bytes (the end of its signature: 48 bytes a
//! signer's key decides, distinct for any two tokens), with a full comparison of the whole
//! token on a hit, so a token that differs from a cached one by a single byte is never served
//! from the cache. (A SHA-256 of the whole token would cost about 0.9 us on every call, a keyed
//! hash of the whole ~350-byte signature part ~80 ns; the key makes the bucket of a given token
//! unpredictable to an attacker, however many bytes are hashed.)
//!
//! An entry never outlives the token's `exp` (checked on every hit against the clock) nor the
//! key that verified it (a key that leaves its issuer's set retires its entries).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::keyset::KeyHandle;
use crate::validator::checks::unexpired;
use crate::validator::verified::VerifiedToken;

/// Limits of the verified-token cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CacheLimits {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            max_entries: 10_000,
            max_bytes: 32 << 20,
        }
    }
}

struct Entry {
    token: Box<str>,
    value: VerifiedToken,
    exp: i64,
    key: Arc<KeyHandle>,
}

impl Entry {
    fn usable(&self, now: i64, leeway: i64) -> bool {
        unexpired(self.exp, now, leeway) && !self.key.is_retired()
    }

    fn bytes(&self) -> usize {
        // The token, its decoded payload held by the verified token, and bookkeeping.
        self.token.len() * 2 + 256
    }
}

#[derive(Default)]
struct Map {
    buckets: HashMap<u64, Vec<Entry>>,
    entries: usize,
    bytes: usize,
}

pub(crate) struct TokenCache {
    map: RwLock<Map>,
    hasher: RandomState,
    limits: CacheLimits,
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
}

/// The bytes the cache key is computed from: the token's last 64.
fn key_bytes(token: &[u8]) -> &[u8] {
    &token[token.len().saturating_sub(64)..]
}

impl TokenCache {
    pub(crate) fn new(limits: CacheLimits) -> Self {
        TokenCache {
            map: RwLock::default(),
            hasher: RandomState::new(),
            limits,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn hash(&self, token: &[u8]) -> u64 {
        self.hasher.hash_one(key_bytes(token))
    }

    pub(crate) fn get(&self, token: &[u8], now: i64, leeway: i64) -> Option<VerifiedToken> {
        let hash = self.hash(token);
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = map.buckets.get(&hash).and_then(|bucket| {
            bucket
                .iter()
                .find(|e| e.token.as_bytes() == token && e.usable(now, leeway))
                .map(|e| e.value.clone())
        });
        drop(map);
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Counts a miss: a token that goes on to be validated (a lookup alone may be of a
    /// malformed token that is refused before it gets that far).
    pub(crate) fn count_miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn insert(
        &self,
        token: &str,
        value: VerifiedToken,
        exp: i64,
        key: Arc<KeyHandle>,
        now: i64,
        leeway: i64,
    ) {
        let entry = Entry {
            token: token.into(),
            value,
            exp,
            key,
        };
        let size = entry.bytes();
        if size > self.limits.max_bytes / 4 || self.limits.max_entries == 0 {
            return;
        }
        let hash = self.hash(token.as_bytes());
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.entries + 1 > self.limits.max_entries || map.bytes + size > self.limits.max_bytes {
            Self::evict(&mut map, &self.limits, now, leeway);
        }
        let bucket = map.buckets.entry(hash).or_default();
        if bucket.iter().any(|e| *e.token == *token) {
            return;
        }
        bucket.push(entry);
        map.entries += 1;
        map.bytes += size;
    }

    /// Drops unusable entries; if that is not enough, drops about a quarter of the rest
    /// (arbitrary ones: the map's iteration order is randomized).
    fn evict(map: &mut Map, limits: &CacheLimits, now: i64, leeway: i64) {
        map.buckets.retain(|_, bucket| {
            bucket.retain(|e| e.usable(now, leeway));
            !bucket.is_empty()
        });
        Self::recount(map);
        if map.entries * 4 > limits.max_entries * 3 || map.bytes * 4 > limits.max_bytes * 3 {
            let target = map.entries / 4 + 1;
            let mut dropped = 0;
            map.buckets.retain(|_, bucket| {
                if dropped >= target {
                    return true;
                }
                dropped += bucket.len();
                false
            });
            Self::recount(map);
        }
    }

    fn recount(map: &mut Map) {
        map.entries = map.buckets.values().map(Vec::len).sum();
        map.bytes = map.buckets.values().flatten().map(Entry::bytes).sum();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.read().map(|m| m.entries).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(i: usize) -> String {
        format!("header.payload.signature{i:04}")
    }

    fn value() -> VerifiedToken {
        VerifiedToken::for_tests()
    }

    #[test]
    fn hit_needs_the_exact_token_an_unexpired_entry_and_a_live_key() {
        let cache = TokenCache::new(CacheLimits::default());
        let key = Arc::new(KeyHandle::default());
        let t = token(1);
        cache.insert(&t, value(), 1_000, Arc::clone(&key), 900, 0);
        assert!(cache.get(t.as_bytes(), 900, 0).is_some());
        assert!(cache.get(t.as_bytes(), 999, 0).is_some());
        assert!(
            cache.get(t.as_bytes(), 1_000, 0).is_none(),
            "expired at exp"
        );
        assert!(
            cache.get(t.as_bytes(), 1_005, 10).is_some(),
            "leeway as in the checks"
        );
        // One byte different anywhere, also before the bytes the key is made of: a miss.
        let long = format!("{}.{}.{}", "h".repeat(40), "p".repeat(300), "s".repeat(100));
        cache.insert(&long, value(), 1_000, Arc::clone(&key), 900, 0);
        assert!(cache.get(long.as_bytes(), 900, 0).is_some());
        for t in [&t, &long] {
            for i in 0..t.len() {
                let mut bytes = t.clone().into_bytes();
                bytes[i] ^= 1;
                assert!(cache.get(&bytes, 900, 0).is_none(), "byte {i}");
            }
        }
        let retired = Arc::new(KeyHandle::default());
        let t2 = token(2);
        cache.insert(&t2, value(), 1_000, Arc::clone(&retired), 900, 0);
        assert!(cache.get(t2.as_bytes(), 900, 0).is_some());
        retired.retire();
        assert!(cache.get(t2.as_bytes(), 900, 0).is_none());
    }

    #[test]
    fn entries_and_bytes_stay_bounded() {
        let limits = CacheLimits {
            max_entries: 100,
            max_bytes: 1 << 20,
        };
        let cache = TokenCache::new(limits);
        let key = Arc::new(KeyHandle::default());
        for i in 0..1_000 {
            cache.insert(&token(i), value(), 10_000, Arc::clone(&key), 0, 0);
            assert!(cache.len() <= 100);
        }
        let small = TokenCache::new(CacheLimits {
            max_entries: 1_000,
            max_bytes: 4_000,
        });
        for i in 0..1_000 {
            small.insert(&token(i), value(), 10_000, Arc::clone(&key), 0, 0);
            let bytes = small.map.read().map(|m| m.bytes).unwrap_or(0);
            assert!(bytes <= 4_000, "{bytes}");
        }
        // Expired entries go first.
        let cache = TokenCache::new(CacheLimits {
            max_entries: 10,
            max_bytes: 1 << 20,
        });
        for i in 0..10 {
            cache.insert(&token(i), value(), 100, Arc::clone(&key), 0, 0);
        }
        cache.insert(&token(99), value(), 10_000, Arc::clone(&key), 200, 0);
        assert_eq!(cache.len(), 1);
    }
}
