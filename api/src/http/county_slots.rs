//! Noisy neighbours (issue 17 part 2): one county may hold at most a set number of this
//! instance's database slots at once, so its imports, exports and page hammering cannot take the
//! capacity the other counties' requests need.
//!
//! Each county (by the first six digits of the caller's org unit; users above the counties form
//! a bucket of their own per province or city) has a semaphore of `per_county` permits. A request
//! takes its county's permit first, then one of the instance's admission slots, so a county's
//! queue never holds slots the others could use. A request that cannot get its county's permit
//! within the admission wait is answered 429 `county_busy` with `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The per-county semaphores of this instance.
#[derive(Debug)]
pub struct CountySlots {
    per_county: usize,
    counties: Mutex<HashMap<i32, Arc<Semaphore>>>,
}

impl CountySlots {
    /// At most `per_county` requests of one county at once (at least 1).
    pub fn new(per_county: usize) -> Self {
        Self {
            per_county: per_county.max(1),
            counties: Mutex::new(HashMap::new()),
        }
    }

    /// The permits each county has.
    pub fn per_county(&self) -> usize {
        self.per_county
    }

    fn semaphore(&self, county: i32) -> Arc<Semaphore> {
        // A poisoned lock only means another request panicked while holding it; the map
        // itself is always consistent (inserts are whole).
        let mut map = self
            .counties
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            map.entry(county)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_county))),
        )
    }

    /// A permit of `county`, waiting at most `wait`; `None` when the county stays at its limit.
    pub async fn acquire(&self, county: i32, wait: Duration) -> Option<OwnedSemaphorePermit> {
        let sem = self.semaphore(county);
        tokio::time::timeout(wait, sem.acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// Permits of `county` free now (for tests and metrics).
    pub fn available(&self, county: i32) -> usize {
        self.semaphore(county).available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_county_at_its_limit_waits_while_another_county_gets_in() {
        let slots = CountySlots::new(2);
        let wait = Duration::from_millis(20);
        let a1 = slots.acquire(370_831, wait).await;
        let a2 = slots.acquire(370_831, wait).await;
        assert!(a1.is_some() && a2.is_some());
        assert!(slots.acquire(370_831, wait).await.is_none(), "a third of A");
        assert!(
            slots.acquire(370_830, wait).await.is_some(),
            "B is not held up"
        );
        drop(a1);
        assert!(
            slots.acquire(370_831, wait).await.is_some(),
            "A again after a release"
        );
        assert_eq!(slots.available(370_831), 1);
    }
}
