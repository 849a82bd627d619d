//! Replay protection: identifiers (`jti`) spent while their token is still valid.
//!
//! [`ReplayStore`] is the seam (a store shared by several replicas can implement it);
//! [`MemoryReplayStore`] is the default, in memory:
//! - an entry lives until its token's `exp` plus the leeway, then goes;
//! - entries are kept per partition (the client), each with its own bound, so one client can
//!   neither evict another's entries nor lock it out;
//! - a spend is O(1) on average: a hash lookup and insert, plus the expiry of the entries that
//!   died since the last spend, found in per-second buckets in order (O(log n) per bucket),
//!   never by scanning; the lock is one of 16 shards, chosen by partition (each spend also
//!   clears one other shard, if free, so that the entries of idle clients go too);
//! - memory is rate times lifetime, about 80 bytes per live entry (a 128-bit keyed
//!   fingerprint of the id in a hash map and in its expiry bucket): 10,000 tokens/s of 60 s
//!   plus 10 s leeway keep 700,000 entries, measured at +54 MiB resident (`benches/validate.rs`,
//!   group `replay`).
//!
//! At the bound (a partition holding `max_per_partition` live entries), new identifiers of that
//! partition are refused ("replay window full") until some expire: forgetting a live one would
//! reopen the replay the store exists to stop. Other partitions are unaffected.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Why an identifier cannot be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// It was spent before, by a token still valid.
    #[error("identifier already spent")]
    Reused,
    /// The partition holds as many live identifiers as allowed.
    #[error("replay window full")]
    Full,
}

/// Where spent token identifiers are remembered until their token is dead.
///
/// Implement it to share one store between replicas of a service; the default is
/// [`MemoryReplayStore`].
pub trait ReplayStore: Send + Sync + fmt::Debug + 'static {
    /// Spends `id` in `partition` (the client it belongs to), remembered until `until` (Unix
    /// seconds: the token's `exp` plus the leeway). `now` is the current Unix time.
    ///
    /// # Errors
    /// [`ReplayError::Reused`] if `id` was spent in `partition` and `now < until` of that
    /// spend; [`ReplayError::Full`] if the store cannot remember more for `partition`.
    fn spend(&self, partition: &str, id: &str, until: i64, now: i64) -> Result<(), ReplayError>;
}

/// A store shared by several verifiers (replicas in one process, tests).
impl<S: ReplayStore> ReplayStore for std::sync::Arc<S> {
    fn spend(&self, partition: &str, id: &str, until: i64, now: i64) -> Result<(), ReplayError> {
        (**self).spend(partition, id, until, now)
    }
}

const SHARDS: usize = 16;

/// The default [`ReplayStore`]: in memory, partitioned, entries expiring with their token.
///
/// # Examples
/// ```
/// use aps_jwt::{MemoryReplayStore, ReplayError, ReplayStore};
///
/// let store = MemoryReplayStore::new(2);
/// store.spend("app-1", "jti-1", 1_100, 1_000)?;
/// assert_eq!(store.spend("app-1", "jti-1", 1_100, 1_050), Err(ReplayError::Reused));
/// store.spend("app-1", "jti-2", 1_100, 1_000)?;
/// // app-1 is at its bound; app-2 is not affected.
/// assert_eq!(store.spend("app-1", "jti-3", 1_100, 1_000), Err(ReplayError::Full));
/// store.spend("app-2", "jti-1", 1_100, 1_000)?;
/// // Once the tokens are dead, their identifiers are forgotten.
/// store.spend("app-1", "jti-3", 1_200, 1_100)?;
/// # Ok::<(), ReplayError>(())
/// ```
pub struct MemoryReplayStore {
    shards: [Mutex<Shard>; SHARDS],
    /// Which shard the next spend also clears of dead entries (so that the entries of idle
    /// clients go too): every shard once per 16 spends.
    sweep: AtomicUsize,
    hasher: (RandomState, RandomState),
    max_per_partition: usize,
}

/// One lock's worth of partitions, with the expiry order of all their entries.
#[derive(Default)]
struct Shard {
    partitions: HashMap<u64, HashMap<u128, i64>>,
    /// `until` -> (partition, id fingerprint) spent with it.
    expiry: BTreeMap<i64, Vec<(u64, u128)>>,
}

impl Shard {
    /// Forgets the entries dead at `now`, oldest first; stops at the first live second.
    fn expire(&mut self, now: i64) {
        while let Some(entry) = self.expiry.first_entry() {
            if *entry.key() > now {
                break;
            }
            let (until, dead) = entry.remove_entry();
            for (partition, id) in dead {
                let Some(seen) = self.partitions.get_mut(&partition) else {
                    continue;
                };
                // A later spend of the same id (after this one died) has its own bucket.
                if seen.get(&id) == Some(&until) {
                    seen.remove(&id);
                    if seen.is_empty() {
                        self.partitions.remove(&partition);
                    }
                }
            }
        }
    }
}

impl MemoryReplayStore {
    /// A store remembering at most `max_per_partition` live identifiers per partition.
    #[must_use]
    pub fn new(max_per_partition: usize) -> Self {
        MemoryReplayStore {
            shards: std::array::from_fn(|_| Mutex::default()),
            sweep: AtomicUsize::new(0),
            hasher: (RandomState::new(), RandomState::new()),
            max_per_partition,
        }
    }

    /// Live identifiers remembered (entries dead but not yet reached by a spend included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let shard = s.lock().unwrap_or_else(PoisonError::into_inner);
                shard.partitions.values().map(HashMap::len).sum::<usize>()
            })
            .sum()
    }

    /// Whether nothing is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A keyed 128-bit fingerprint: unpredictable to a client, so ids cannot be crafted to
    /// collide, and collisions by chance are out of reach (a collision could only refuse).
    fn fingerprint(&self, partition: u64, id: &str) -> u128 {
        let high = self.hasher.0.hash_one((partition, id));
        let low = self.hasher.1.hash_one((partition, id));
        (u128::from(high) << 64) | u128::from(low)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn spend(&self, partition: &str, id: &str, until: i64, now: i64) -> Result<(), ReplayError> {
        let key = self.hasher.0.hash_one(partition);
        let id = self.fingerprint(key, id);
        let index = usize::try_from(key % SHARDS as u64).unwrap_or(0);
        let other = self.sweep.fetch_add(1, Ordering::Relaxed) % SHARDS;
        if other != index
            && let Ok(mut idle) = self.shards[other].try_lock()
        {
            idle.expire(now);
        }
        let mut shard = self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        shard.expire(now);
        let seen = shard.partitions.entry(key).or_default();
        if seen.get(&id).is_some_and(|&spent| now < spent) {
            return Err(ReplayError::Reused);
        }
        if seen.len() >= self.max_per_partition {
            if seen.is_empty() {
                shard.partitions.remove(&key);
            }
            return Err(ReplayError::Full);
        }
        seen.insert(id, until);
        shard.expiry.entry(until).or_default().push((key, id));
        Ok(())
    }
}

impl fmt::Debug for MemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayStore")
            .field("max_per_partition", &self.max_per_partition)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_spent_once_until_its_token_expires() {
        let store = MemoryReplayStore::new(2);
        store.spend("c", "a", 110, 50).unwrap();
        assert_eq!(store.spend("c", "a", 110, 60), Err(ReplayError::Reused));
        // Still refused until `until` (exp plus leeway), accepted again once the token is dead.
        assert_eq!(store.spend("c", "a", 110, 109), Err(ReplayError::Reused));
        store.spend("c", "a", 210, 110).unwrap();
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_full_partition_drops_dead_entries_and_never_live_ones() {
        let store = MemoryReplayStore::new(2);
        store.spend("c", "a", 100, 0).unwrap();
        store.spend("c", "b", 200, 0).unwrap();
        assert_eq!(store.spend("c", "c", 300, 50), Err(ReplayError::Full));
        // "a" died at 100: its slot is free again, "b" is still remembered.
        store.spend("c", "c", 300, 150).unwrap();
        assert_eq!(store.spend("c", "b", 200, 150), Err(ReplayError::Reused));
    }

    /// Issue 11, section 3: one client filling its partition locks out neither itself for
    /// longer than its tokens live, nor anyone else; the same id in two partitions is two ids.
    #[test]
    fn issue_11_partitions_are_independent() {
        let store = MemoryReplayStore::new(100);
        for i in 0..1_000 {
            let _ = store.spend("greedy", &format!("g{i}"), 1_000, 0);
        }
        assert_eq!(
            store.spend("greedy", "one more", 1_000, 1),
            Err(ReplayError::Full)
        );
        for client in ["app-1", "app-2"] {
            store.spend(client, "g1", 1_000, 1).unwrap();
            assert_eq!(
                store.spend(client, "g1", 1_000, 2),
                Err(ReplayError::Reused)
            );
        }
        // The greedy client's tokens die: it may spend again.
        store.spend("greedy", "one more", 2_000, 1_000).unwrap();
        // Within 16 spends every shard is cleared: idle clients' dead entries go too.
        for i in 0..16 {
            store
                .spend("greedy", &format!("h{i}"), 2_000, 1_000)
                .unwrap();
        }
        assert_eq!(
            store.len(),
            17,
            "dead entries are gone, idle partitions included"
        );
    }

    /// Entries go with their token: a sustained rate keeps the store at rate x lifetime.
    #[test]
    fn issue_11_memory_follows_rate_times_lifetime() {
        let store = MemoryReplayStore::new(usize::MAX);
        let (rate, lifetime) = (100, 70);
        for second in 0..3 * lifetime {
            for i in 0..rate {
                let id = format!("{second}-{i}");
                store.spend("gw", &id, second + lifetime, second).unwrap();
            }
            let expected = usize::try_from(rate * (second + 1).min(lifetime)).unwrap();
            assert_eq!(store.len(), expected, "at {second}");
        }
    }
}
