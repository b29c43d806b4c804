//! The time use cases see. Production reads the system clock; tests move it forward to end
//! notice periods and pass deadlines without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// A clock that can be advanced (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, plus any advance.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock (and its clones) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }

    /// How far this clock is ahead of the system clock.
    pub fn offset(&self) -> Duration {
        Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Sets how far this clock (and its clones) is ahead of the system clock (the demo's
    /// clock, `PUT /api/v1/demo/clock`).
    pub fn set_offset(&self, offset: Duration) {
        self.offset_secs
            .store(offset.num_seconds(), Ordering::Relaxed);
    }
}

/// The date in China (UTC+8) at `at`: notice periods and deadlines are counted in local days.
pub use domain::calendar::china_date;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let a = Clock::system();
        let b = a.clone();
        let before = b.now();
        a.advance(Duration::days(7));
        assert!(b.now() - before >= Duration::days(7));
    }

    #[test]
    fn setting_the_offset_replaces_any_advance() {
        let a = Clock::system();
        a.advance(Duration::days(7));
        a.set_offset(Duration::days(2));
        assert_eq!(a.clone().offset(), Duration::days(2));
        a.set_offset(Duration::zero());
        assert!((a.now() - Utc::now()).num_seconds().abs() < 5);
    }
}
