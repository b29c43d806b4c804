//! Import uploads this instance is reading, per county and per user: counted with the imports
//! queued or running against the caps (`imports.max_running_per_user`, `…_per_county`), so that
//! uploads sent at once cannot each pass the check before any of them is queued and together
//! stage gigabytes (security review, 2026-12-07). A slot is taken before the body is read and
//! given back when the upload is queued or refused ([`Slot`] on drop).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

/// The uploads in flight on this instance.
#[derive(Debug, Default)]
pub struct UploadsInFlight {
    counts: Mutex<(HashMap<i32, i64>, HashMap<Uuid, i64>)>,
}

/// One upload's place among those in flight, given back on drop.
#[derive(Debug)]
pub struct Slot {
    of: Arc<UploadsInFlight>,
    county: i32,
    user: Uuid,
}

impl UploadsInFlight {
    /// Takes a slot for `user` of `county` when `admit(user's in flight, county's in flight)`
    /// allows one more, atomically with the other uploads of this instance.
    ///
    /// # Errors
    /// What `admit` refuses with.
    pub fn take<E>(
        self: &Arc<Self>,
        county: i32,
        user: Uuid,
        admit: impl FnOnce(i64, i64) -> Result<(), E>,
    ) -> Result<Slot, E> {
        let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let by_county = c.0.get(&county).copied().unwrap_or(0);
        let by_user = c.1.get(&user).copied().unwrap_or(0);
        admit(by_user, by_county)?;
        *c.0.entry(county).or_insert(0) += 1;
        *c.1.entry(user).or_insert(0) += 1;
        Ok(Slot {
            of: Arc::clone(self),
            county,
            user,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self
            .of
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = c.0.get_mut(&self.county) {
            *n -= 1;
            if *n <= 0 {
                c.0.remove(&self.county);
            }
        }
        if let Some(n) = c.1.get_mut(&self.user) {
            *n -= 1;
            if *n <= 0 {
                c.1.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_until_given_back() {
        let u = Arc::new(UploadsInFlight::default());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let cap = |max_user: i64, max_county: i64| {
            move |user: i64, county: i64| {
                if user >= max_user || county >= max_county {
                    Err(())
                } else {
                    Ok(())
                }
            }
        };
        let first = u.take(370831, a, cap(1, 2));
        assert!(first.is_ok());
        assert!(u.take(370831, a, cap(1, 2)).is_err(), "the user's one slot");
        let second = u.take(370831, b, cap(1, 2));
        assert!(second.is_ok());
        assert!(
            u.take(370831, Uuid::new_v4(), cap(1, 2)).is_err(),
            "the county's two"
        );
        assert!(
            u.take(370830, Uuid::new_v4(), cap(1, 2)).is_ok(),
            "another county"
        );
        drop(first);
        assert!(u.take(370831, a, cap(1, 2)).is_ok(), "given back");
    }
}
