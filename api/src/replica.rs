//! A streaming replica for reads that may lag a little (reports, lists): skipped when it is
//! down or further behind than a bound, and never used for a user whose own last write it has
//! not replayed yet (read-your-writes across instances, through `write_marks`).
//!
//! Lag is measured against the primary: a probe notes the primary's WAL position with the time
//! every few hundred milliseconds, and the replica's lag is the age of the oldest noted position
//! it has not replayed.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use infra::db::{Db, PoolOptions};
use secrecy::SecretString;

/// The replica and what the probe last saw of it.
#[derive(Debug)]
pub struct Replica {
    /// App-role pool on the replica.
    pub db: Db,
    max_lag: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// Primary positions noted, oldest first.
    samples: VecDeque<(i64, Instant)>,
    /// Lag at the last probe; `None` when the replica did not answer.
    lag: Option<Duration>,
}

impl Replica {
    /// Opens a small pool on the replica (lazily: a replica that is down at start is skipped
    /// until it answers).
    ///
    /// # Errors
    /// A malformed URL.
    pub fn connect(
        url: &SecretString,
        max_lag: Duration,
        pool: &PoolOptions,
    ) -> anyhow::Result<Self> {
        let opts = PoolOptions {
            acquire_timeout: Duration::from_millis(500),
            ..pool.clone()
        };
        Ok(Self {
            db: Db::connect_lazy(url, &opts)?,
            max_lag,
            seen: Mutex::new(Seen::default()),
        })
    }

    /// Whether reads may go to the replica now.
    pub fn usable(&self) -> bool {
        self.lag().is_some_and(|l| l <= self.max_lag)
    }

    /// The lag at the last probe (`None`: down or not probed yet).
    pub fn lag(&self) -> Option<Duration> {
        self.seen.lock().ok().and_then(|s| s.lag)
    }

    /// One probe: notes the primary's position and measures the replica against the notes.
    pub fn probe(&self, primary: &Db) {
        let now = Instant::now();
        let noted = infra::wal::current(primary);
        let replayed = infra::wal::replay_position(&self.db);
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        if let Ok(Some(p)) = noted {
            seen.samples.push_back((p, now));
            while seen.samples.len() > 256 {
                seen.samples.pop_front();
            }
        }
        seen.lag = match replayed {
            Ok(Some(r)) => {
                // Positions the replica has replayed no longer matter.
                while seen.samples.len() > 1 && seen.samples.get(1).is_some_and(|(p, _)| *p <= r) {
                    seen.samples.pop_front();
                }
                Some(
                    seen.samples
                        .iter()
                        .find(|(p, _)| *p > r)
                        .map_or(Duration::ZERO, |(_, at)| now.duration_since(*at)),
                )
            }
            // Not a replica (no replay position) or down: not usable.
            _ => None,
        };
    }

    /// Probes every `every` until the process ends.
    pub async fn run_probe(self: std::sync::Arc<Self>, primary: Db, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let (me, p) = (self.clone(), primary.clone());
            let _ = actix_web::web::block(move || me.probe(&p)).await;
        }
    }
}
