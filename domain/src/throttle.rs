//! Login throttling: a fixed-window failure counter per key (an account name, a client IP).
//!
//! Pure logic with time passed in, so it is tested without sleeping. The same counter serves
//! existing and unknown account names alike, so a 429 reveals nothing about which exist.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Counts events per key in fixed windows and refuses a key once it reaches `limit`.
#[derive(Debug)]
pub struct WindowCounter<K> {
    limit: u32,
    window: Duration,
    entries: HashMap<K, (Instant, u32)>,
}

impl<K: Eq + Hash + Clone> WindowCounter<K> {
    /// At most `limit` events per key per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            entries: HashMap::new(),
        }
    }

    /// `Some(retry_after)` when `key` has used up its window at `now`.
    pub fn blocked(&self, key: &K, now: Instant) -> Option<Duration> {
        let (start, count) = self.entries.get(key)?;
        let end = *start + self.window;
        (now < end && *count >= self.limit).then(|| end - now)
    }

    /// Records one event for `key` at `now`.
    pub fn record(&mut self, key: &K, now: Instant) {
        if self.entries.len() > 100_000 {
            self.prune(now);
        }
        let entry = self.entries.entry(key.clone()).or_insert((now, 0));
        if now >= entry.0 + self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// Drops expired windows so memory stays bounded under a spray of keys.
    fn prune(&mut self, now: Instant) {
        let window = self.window;
        self.entries.retain(|_, (start, _)| now < *start + window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_until_window_ends() {
        let t0 = Instant::now();
        let mut c = WindowCounter::new(3, Duration::from_secs(60));
        let k = "alice".to_string();
        for _ in 0..3 {
            assert!(c.blocked(&k, t0).is_none());
            c.record(&k, t0);
        }
        let wait = c.blocked(&k, t0 + Duration::from_secs(10));
        assert_eq!(wait, Some(Duration::from_secs(50)));
        assert!(c.blocked(&"bob".to_string(), t0).is_none());
        assert!(c.blocked(&k, t0 + Duration::from_secs(60)).is_none());
        c.record(&k, t0 + Duration::from_secs(61));
        assert!(c.blocked(&k, t0 + Duration::from_secs(62)).is_none());
        c.reset(&k);
        assert!(c.blocked(&k, t0).is_none());
    }
}
