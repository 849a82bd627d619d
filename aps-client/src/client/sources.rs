//! The client's per-request caches (`Client::source`, `Client::token_for`): one per distinct
//! request, at most a bounded number, the least recently used dropped first. The client's
//! default request keeps its cache whatever happens.

use std::collections::HashMap;

use super::UncachedSource;
use crate::CachedTokenSource;
use crate::request::CacheKey;

type Source = CachedTokenSource<UncachedSource>;

/// A least-recently-used map from requests to their caches. Lookups are by hash; an eviction
/// scans the entries, which is cheap at the sizes a client is meant for.
pub(super) struct Sources {
    default_key: CacheKey,
    default: Source,
    others: HashMap<CacheKey, (Source, u64)>,
    capacity: usize,
    clock: u64,
}

impl Sources {
    /// The default request's cache, and room for `capacity` others.
    pub(super) fn new(default_key: CacheKey, default: Source, capacity: usize) -> Self {
        Self {
            default_key,
            default,
            others: HashMap::new(),
            capacity,
            clock: 0,
        }
    }

    /// The cache for `key`, made by `make` when there is none; may drop the least recently used
    /// other cache to stay within the capacity.
    pub(super) fn get_or_insert(&mut self, key: CacheKey, make: impl FnOnce() -> Source) -> Source {
        if key == self.default_key {
            return self.default.clone();
        }
        self.clock += 1;
        let now = self.clock;
        if let Some((source, used)) = self.others.get_mut(&key) {
            *used = now;
            return source.clone();
        }
        if self.others.len() >= self.capacity
            && let Some(oldest) = self
                .others
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone())
        {
            self.others.remove(&oldest);
        }
        let source = make();
        if self.capacity > 0 {
            self.others.insert(key, (source.clone(), now));
        }
        source
    }
}
