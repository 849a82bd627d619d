//! A bounded replay window: identifiers (`jti`) spent while their token is still valid.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use crate::validation_error::ValidationError;
use crate::validator::checks::unexpired;

/// Remembers each identifier until its token's `exp` (plus leeway) and refuses it again before
/// then. When full of live entries it refuses new ones rather than forgetting a live one
/// (forgetting would reopen the replay it exists to stop).
#[derive(Debug)]
pub(crate) struct ReplayWindow<K> {
    seen: Mutex<HashMap<K, i64>>,
    max_entries: usize,
    leeway: i64,
    reused: &'static str,
}

impl<K: Eq + Hash> ReplayWindow<K> {
    /// A window of at most `max_entries`; `reused` is the refusal's reason.
    pub(crate) fn new(max_entries: usize, leeway: i64, reused: &'static str) -> Self {
        ReplayWindow {
            seen: Mutex::new(HashMap::new()),
            max_entries,
            leeway,
            reused,
        }
    }

    /// Spends `id`, whose token expires at `exp`.
    ///
    /// # Errors
    /// [`ValidationError::Rejected`] when `id` was spent by a token still valid at `now`, or
    /// the window is full of live entries.
    pub(crate) fn spend(&self, id: K, exp: i64, now: i64) -> Result<(), ValidationError> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen
            .get(&id)
            .is_some_and(|&exp| unexpired(exp, now, self.leeway))
        {
            return Err(ValidationError::Rejected(self.reused));
        }
        if seen.len() >= self.max_entries {
            seen.retain(|_, exp| unexpired(*exp, now, self.leeway));
            if seen.len() >= self.max_entries {
                return Err(ValidationError::Rejected("replay window full"));
            }
        }
        seen.insert(id, exp);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_spent_once_until_its_token_expires() {
        let window = ReplayWindow::new(2, 10, "reused");
        window.spend("a", 100, 50).unwrap();
        assert_eq!(
            window.spend("a", 100, 60),
            Err(ValidationError::Rejected("reused"))
        );
        // Still refused within the leeway after exp, accepted again once the token is dead.
        assert!(window.spend("a", 100, 109).is_err());
        window.spend("a", 200, 110).unwrap();
    }

    #[test]
    fn a_full_window_drops_dead_entries_and_never_live_ones() {
        let window = ReplayWindow::new(2, 0, "reused");
        window.spend("a", 100, 0).unwrap();
        window.spend("b", 200, 0).unwrap();
        assert_eq!(
            window.spend("c", 300, 50),
            Err(ValidationError::Rejected("replay window full"))
        );
        // "a" died at 100: its slot is reused, "b" is still remembered.
        window.spend("c", 300, 150).unwrap();
        assert_eq!(
            window.spend("b", 200, 150),
            Err(ValidationError::Rejected("reused"))
        );
    }
}
