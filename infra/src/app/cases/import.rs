//! Bulk import of households from the county spreadsheets.
//!
//! The file is read whole first (file-level problems refuse it before anything is written);
//! then every row is validated and every bad row reported with its row number, column and
//! reason; a household with any bad row is left out whole. Good households are written in
//! batches, each batch in one transaction and each household all or nothing: new households
//! with multi-row inserts, existing ones (same household number in the county) updated only
//! where they differ, so importing the same file again changes nothing. A dry run does all the
//! checks, database ones included, and rolls back.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea};
use domain::authz::perm;
use domain::cases::{
    HouseholdInput, MemberInput, ValidHousehold, ValidMember, YearRecord, validate_household,
    validate_member, validate_year,
};
use domain::{DomainError, RegionCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::households::{check_number_county, check_village};
use super::sheet::{Row, yes_no, yuan_to_fen};
use super::{HouseholdRow, HouseholdView, MemberRow, record_change};
use crate::app::jobs::{self, RowError};
use crate::app::{Ctx, stored_code};
use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;
use crate::schema::{household_years, households, members};

mod copy;
use copy::{NewHouseholdRow, NewMemberRow};

mod write;
use write::*;

mod validate;
use validate::*;
pub(crate) use validate::{err, year_record};

/// Households per transaction (about 3,300 members): large enough that the statements of a
/// batch cost little beside its rows (measured: 250 → 1,000 raised the rate by a third).
const BATCH: usize = 1000;
/// Transactions running at once.
const WORKERS: usize = 2;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, serde::Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data rows read.
    pub rows: usize,
    /// Rows refused.
    pub rows_refused: usize,
    /// Households registered.
    pub households_created: usize,
    /// Households that existed and were changed.
    pub households_updated: usize,
    /// Households that existed unchanged.
    pub households_unchanged: usize,
    /// Households left out because of a bad row.
    pub households_refused: usize,
    /// Members written (new or changed).
    pub members_written: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

/// How an import yields to the requests of its instance (noisy neighbours, issue 17): while
/// `busy()` says requests are running, a batch waits for the instance's one import `lane` (so
/// however many imports run, one batch at a time competes with the requests for the cores),
/// and after it the batch's worker rests so that it works at most `duty_percent` of the time
/// (50: it rests as long as the batch took). With no request running every worker goes at full
/// speed.
#[derive(Clone, Copy)]
pub struct Pace<'a> {
    /// Share of the time a batch worker may work while requests run, 1–100.
    pub duty_percent: u32,
    /// Whether requests are running on this instance now.
    pub busy: &'a (dyn Fn() -> bool + Sync),
    /// The instance's import lane: one batch at a time holds it while requests run.
    pub lane: Option<&'a Mutex<()>>,
}

impl<'a> Pace<'a> {
    /// No pacing (the command-line import: nothing to yield to).
    pub const FULL: Pace<'static> = Pace {
        duty_percent: 100,
        busy: &never,
        lane: None,
    };

    /// Waits for the lane if requests are running; the batch holds what this returns.
    #[must_use]
    pub fn enter(&self) -> Option<std::sync::MutexGuard<'a, ()>> {
        let lane = self.lane?;
        if !(self.busy)() {
            return None;
        }
        // A worker that panicked holding the lane poisons it; the lane guards no data.
        Some(
            lane.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The rest owed after a batch that took `took`.
    #[must_use]
    pub fn rest(&self, took: std::time::Duration) -> std::time::Duration {
        let duty = self.duty_percent.clamp(1, 100);
        if duty >= 100 || !(self.busy)() {
            return std::time::Duration::ZERO;
        }
        took * (100 - duty) / duty
    }
}

fn never() -> bool {
    false
}

impl std::fmt::Debug for Pace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pace")
            .field("duty_percent", &self.duty_percent)
            .finish_non_exhaustive()
    }
}

/// Runs an import for job `job`. Progress and row errors are written to the job as it goes.
///
/// # Errors
/// Only failures that stop the whole import (the database going away); row problems are in
/// the job's errors.
#[expect(
    clippy::too_many_arguments,
    reason = "the job, its rows and how it runs: each from a different source"
)]
pub fn run(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    job: Uuid,
    rows: &[Row],
    dry_run: bool,
    today: NaiveDate,
    pace: Pace<'_>,
) -> Result<ImportSummary, DomainError> {
    let scope = ctx.caller.scope();
    let summary = ImportSummary {
        rows: rows.len(),
        dry_run,
        ..ImportSummary::default()
    };
    let started = std::time::Instant::now();
    // The causes are read first, so that no connection is held while the rows are checked
    // (paced checks rest between their steps).
    let causes = db.in_scope_conn(scope, super::cause_catalog)?;
    let (parsed, errors) = validate_rows(db, ctx, rows, &causes, today, pace)?;
    let validated = started.elapsed();
    let refused_rows: HashSet<i32> = errors.iter().map(|e| e.row).collect();
    let mut summary = summary;
    summary.households_refused = count_households(rows, &refused_rows);
    let processed = refused_rows.len();
    db.in_scope_conn(scope, |conn| {
        jobs::progress(conn, ctx, job, processed, &errors, "running")
    })?;
    let villages: Vec<i64> = parsed
        .iter()
        .map(|p| p.household.village.as_i64())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names = db.in_scope_conn(scope, |conn| super::village_names(conn, &villages))?;
    // Batches go to a few workers, each with its own connection and transaction; the database
    // is the bottleneck, so two backends nearly double the rate on two cores. Advisory locks
    // taken in sorted order keep concurrent batches from registering one person twice.
    let batches: Vec<&[Parsed]> = parsed.chunks(BATCH).collect();
    let next = AtomicUsize::new(0);
    let stop: Mutex<Option<DomainError>> = Mutex::new(None);
    let shared = Mutex::new((summary, processed));
    std::thread::scope(|s| {
        for _ in 0..WORKERS.min(batches.len()).max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= batches.len() || stop.lock().map_or(true, |g| g.is_some()) {
                        return;
                    }
                    let batch = batches[i];
                    let lane = pace.enter();
                    let started = std::time::Instant::now();
                    let outcome = run_batch(db, ctx, keys, batch, &names, dry_run)
                        .and_then(|outcomes| record_batch(db, ctx, job, batch, outcomes, &shared));
                    drop(lane);
                    if let Err(e) = outcome
                        && let Ok(mut g) = stop.lock()
                    {
                        g.get_or_insert(e);
                    }
                    // Yield to the instance's requests (its connection is back in the pool).
                    std::thread::sleep(pace.rest(started.elapsed()));
                }
            });
        }
    });
    if let Some(e) = stop.into_inner().ok().flatten() {
        return Err(e);
    }
    let (mut summary, _) = shared
        .into_inner()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?;
    summary.rows_refused += refused_rows.len();
    let written = started.elapsed();
    // The new rows get statistics before the import reports done: plans must not wait for
    // autovacuum (which may be off).
    if !dry_run && summary.households_created + summary.households_updated > 0 {
        db.in_scope_conn(scope, |conn| {
            crate::db::analyze(
                conn,
                &[
                    "households",
                    "members",
                    "household_years",
                    "household_events",
                ],
            )
        })?;
    }
    tracing::info!(
        rows = summary.rows,
        validate_s = validated.as_secs_f64(),
        write_s = (written - validated).as_secs_f64(),
        analyze_s = (started.elapsed() - written).as_secs_f64(),
        "household import phases"
    );
    Ok(summary)
}

/// Adds a batch's outcomes to the summary and writes its progress and row errors.
fn record_batch(
    db: &Db,
    ctx: &Ctx,
    job: Uuid,
    batch: &[Parsed],
    outcomes: Vec<Outcome>,
    shared: &Mutex<(ImportSummary, usize)>,
) -> Result<(), DomainError> {
    let mut batch_errors = Vec::new();
    let mut guard = shared
        .lock()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?;
    let (summary, processed) = &mut *guard;
    for (p, o) in batch.iter().zip(outcomes) {
        *processed += p.rows.len();
        match o {
            Outcome::Created(n) => {
                summary.households_created += 1;
                summary.members_written += n;
            }
            Outcome::Updated(n) => {
                summary.households_updated += 1;
                summary.members_written += n;
            }
            Outcome::Unchanged => summary.households_unchanged += 1,
            Outcome::Refused(errs) => {
                summary.households_refused += 1;
                let reported: HashSet<i32> = errs.iter().map(|e| e.row).collect();
                batch_errors.extend(errs);
                for r in &p.rows {
                    if !reported.contains(&i32::try_from(*r).unwrap_or(i32::MAX)) {
                        batch_errors.push(err(
                            *r,
                            "household",
                            domain::Rule::other("another row of this household was refused; nothing of it was imported", "本户另有一行被拒绝;该户未导入任何内容"),
                        ));
                    }
                }
            }
        }
    }
    summary.rows_refused += batch_errors
        .iter()
        .map(|e| e.row)
        .collect::<HashSet<_>>()
        .len();
    // Written under the lock: error sequence numbers are counted, so writers must not interleave.
    let done = *processed;
    db.in_scope_conn(ctx.caller.scope(), |conn| {
        jobs::progress(conn, ctx, job, done, &batch_errors, "running")
    })
}

/// Records duplicate-registration attempts for the oversight levels above both counties.
fn record_attempts(db: &Db, ctx: &Ctx, attempts: &[(Vec<u8>, i64)]) -> Result<(), DomainError> {
    db.in_scope_conn(ctx.caller.scope(), |conn| {
        for (blind, village) in attempts {
            diesel::sql_query("SELECT zx_record_duplicate_attempt($1, $2, $3, $4, $5)")
                .bind::<Bytea, _>(blind)
                .bind::<BigInt, _>(*village)
                .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
                .bind::<diesel::sql_types::Text, _>(&ctx.caller.username)
                .bind::<diesel::sql_types::Text, _>(&ctx.request_id)
                .execute(conn)
                .db()?;
        }
        Ok(())
    })
}

fn count_households(rows: &[Row], refused: &HashSet<i32>) -> usize {
    rows.iter()
        .filter(|r| refused.contains(&i32::try_from(r.number).unwrap_or(i32::MAX)))
        .map(|r| r.get("household_number"))
        .collect::<HashSet<_>>()
        .len()
}

/// Writes a batch in one transaction; in a dry run rolls it back; when the batch fails as a
/// whole, retries its households one by one so one bad household cannot sink the others.
fn run_batch(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    batch: &[Parsed],
    names: &HashMap<i64, String>,
    dry_run: bool,
) -> Result<Vec<Outcome>, DomainError> {
    const ROLLBACK: domain::ErrorCode = domain::ErrorCode::DryRunRollback;
    let scope = ctx.caller.scope();
    // A long import stops when its account is disabled part-way (checked per batch).
    crate::app::imports::still_enabled(db, ctx)?;
    let mut kept = None;
    let mut attempts = Vec::new();
    let result = db.in_scope_conn(scope, |conn| {
        // The batch's commit does not wait for its WAL to reach the disk: the requests'
        // commits, which do, then share fewer flushes with the import's (noisy neighbours).
        // A PostgreSQL crash loses at most the last moments of committed batches, never part
        // of one, and always with the progress recorded after them (WAL is lost from its end):
        // the job is taken over and its re-run writes what is missing.
        diesel::sql_query("SET LOCAL synchronous_commit = off")
            .execute(conn)
            .db()?;
        let outcomes = write_batch(conn, ctx, keys, batch, names, &mut attempts)?;
        if dry_run {
            kept = Some(outcomes);
            return Err(DomainError::Conflict {
                code: ROLLBACK,
                message: String::new(),
            });
        }
        Ok(outcomes)
    });
    // Attempts to register people registered elsewhere are on record whatever became of the
    // batch: a dry run must not be a way to test ID numbers unseen.
    if !attempts.is_empty() {
        record_attempts(db, ctx, &attempts)?;
    }
    match result {
        Ok(o) => Ok(o),
        Err(DomainError::Conflict { code: ROLLBACK, .. }) => Ok(kept.unwrap_or_default()),
        Err(DomainError::Unavailable) => Err(DomainError::Unavailable),
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, "import batch failed; retrying its households one by one");
            let mut out = Vec::new();
            for p in batch {
                out.extend(run_batch(
                    db,
                    ctx,
                    keys,
                    std::slice::from_ref(p),
                    names,
                    dry_run,
                )?);
            }
            Ok(out)
        }
        Err(e) => {
            let message = match e {
                DomainError::Validation(_)
                | DomainError::Conflict { .. }
                | DomainError::Forbidden(_) => e.to_rule(true),
                other => {
                    tracing::error!(error = ?other, "import of a household failed");
                    domain::Rule::other(
                        "could not be saved; nothing of this household was written",
                        "无法保存;该户未写入任何内容",
                    )
                }
            };
            Ok(vec![Outcome::Refused(vec![err(
                batch[0].rows[0],
                "household",
                message,
            )])])
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Pace;

    #[test]
    fn an_import_rests_only_while_requests_run() {
        let took = Duration::from_millis(200);
        let busy = || true;
        let idle = || false;
        let half = Pace {
            duty_percent: 50,
            busy: &busy,
            lane: None,
        };
        assert_eq!(half.rest(took), took);
        let fifth = Pace {
            duty_percent: 20,
            busy: &busy,
            lane: None,
        };
        assert_eq!(fifth.rest(took), Duration::from_millis(800));
        let quiet = Pace {
            duty_percent: 20,
            busy: &idle,
            lane: None,
        };
        assert_eq!(quiet.rest(took), Duration::ZERO);
        assert_eq!(Pace::FULL.rest(took), Duration::ZERO);
        // Out of range: at least 1 percent.
        let zero = Pace {
            duty_percent: 0,
            busy: &busy,
            lane: None,
        };
        assert_eq!(
            zero.rest(Duration::from_millis(1)),
            Duration::from_millis(99)
        );
    }

    #[test]
    fn while_requests_run_one_batch_at_a_time_holds_the_lane() {
        let lane = std::sync::Mutex::new(());
        let busy = || true;
        let idle = || false;
        let pace = Pace {
            duty_percent: 50,
            busy: &busy,
            lane: Some(&lane),
        };
        let first = pace.enter();
        assert!(first.is_some(), "a busy instance gives the lane");
        assert!(
            lane.try_lock().is_err(),
            "a second batch waits while the first holds it"
        );
        drop(first);
        assert!(lane.try_lock().is_ok(), "the lane is free after the batch");
        let quiet = Pace {
            duty_percent: 50,
            busy: &idle,
            lane: Some(&lane),
        };
        let _held = lane.lock();
        assert!(
            quiet.enter().is_none(),
            "an idle instance's batches do not wait for the lane"
        );
        assert!(Pace::FULL.enter().is_none());
    }

    #[test]
    fn while_requests_run_validation_steps_wait_for_the_lane_on_one_thread() {
        use std::collections::HashSet;
        use std::sync::Mutex;
        use std::time::Instant;

        let lane = Mutex::new(());
        let busy = || true;
        let pace = Pace {
            duty_percent: 100,
            busy: &busy,
            lane: Some(&lane),
        };
        let items: Vec<u32> = (0..10).collect();
        let threads = Mutex::new(Vec::<HashSet<std::thread::ThreadId>>::new());
        let started = Instant::now();
        let out = std::thread::scope(|s| {
            let held = lane
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let run = s.spawn(|| {
                super::validate::in_steps(&items, 5, pace, |i| {
                    let mut t = threads
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let step = usize::try_from(*i / 5).unwrap_or_default();
                    if t.len() <= step {
                        t.push(HashSet::new());
                    }
                    t[step].insert(std::thread::current().id());
                    i * 2
                })
            });
            std::thread::sleep(Duration::from_millis(150));
            drop(held);
            run.join().ok()
        });
        let out = out.and_then(Result::ok).unwrap_or_default();
        assert_eq!(
            out,
            (0..10).map(|i| i * 2).collect::<Vec<u32>>(),
            "every item, in order"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(150),
            "the first step waited for the lane another held"
        );
        let t = threads.into_inner().unwrap_or_default();
        assert_eq!(t.len(), 2);
        assert!(
            t.iter().all(|s| s.len() == 1),
            "each step on one thread: {t:?}"
        );
    }
}
