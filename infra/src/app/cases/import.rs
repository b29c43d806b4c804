//! Bulk import of households from the county spreadsheets.
//!
//! The file is read through once first (file-level problems refuse it before anything is
//! written; [`FileIndex`] counts each household's rows); then it is read again, and each
//! household is handed on once all its rows are read. Households go in batches to a few workers:
//! each checks its batch, reports every bad row with its row number, column and reason (a
//! household with any bad row is left out whole), and writes the good households in one
//! transaction, each household all or nothing: new households with multi-row inserts, existing
//! ones (same household number in the county) updated only where they differ, so importing the
//! same file again changes nothing. A dry run does all the checks, database ones included, and
//! rolls back.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// How many rows each household of a file has: the first of an import's two readings of the
/// file. It keeps a few dozen bytes a household (its number and its count), never the rows, so
/// the second reading can hand each household on as soon as its last row is read. (Counted, not
/// the number of the last row: an XLSX written by another program may give two rows one number.)
#[derive(Debug, Default)]
pub struct FileIndex {
    /// Data rows in the file.
    pub rows: usize,
    rows_of: HashMap<Box<str>, usize>,
    /// How long the first reading took (logged with the import's phases).
    took: std::time::Duration,
}

impl FileIndex {
    /// Reads the file once through `source` (which gives each row to the sink and returns how
    /// many there were).
    ///
    /// # Errors
    /// What `source` returns (the file cannot be read).
    pub fn read(source: &mut Source<'_>) -> Result<Self, DomainError> {
        let started = std::time::Instant::now();
        let mut rows_of: HashMap<Box<str>, usize> = HashMap::new();
        let rows = source(&mut |r: Row| {
            let n = r.get("household_number");
            if n.is_empty() {
                return;
            }
            match rows_of.get_mut(n) {
                Some(count) => *count += 1,
                None => {
                    rows_of.insert(n.into(), 1);
                }
            }
        })?;
        Ok(Self {
            rows,
            rows_of,
            took: started.elapsed(),
        })
    }
}

/// Reads an import's file: gives every row, in file order, to the sink and returns how many
/// there were. It is called twice (see [`FileIndex`]) and must give the same rows both times.
pub type Source<'s> = dyn FnMut(&mut dyn FnMut(Row)) -> Result<usize, DomainError> + 's;

/// Households of the file in the order their last rows come, handed to the workers in batches,
/// with the rows that name no household (each its own error).
#[derive(Default)]
struct Batch {
    households: Vec<(Box<str>, Vec<Row>)>,
    /// Rows with no household number: their number and what was wrong as read (a 户编号 typed
    /// into a number cell, which lost digits, is dropped and said there).
    loose: Vec<(u32, Vec<(String, domain::Rule)>)>,
}

/// What the workers share: the summary so far and the rows done.
struct Shared {
    summary: ImportSummary,
    processed: usize,
}

/// Verdicts on the villages met so far, and their names, shared by the workers.
#[derive(Default)]
pub(super) struct Villages {
    pub(super) verdicts: Mutex<HashMap<i64, Option<domain::Rule>>>,
    names: Mutex<HashMap<i64, String>>,
}

/// Runs an import for job `job`: reads the file a second time through `source` (`index` is
/// the first reading), and as each household's last row is read hands it on; the households go
/// in batches of [`BATCH`] (a row naming no household counts as one) to [`WORKERS`] workers,
/// each checking its batch (the checks that need no database, then the village and number
/// checks) and writing it in one transaction, and recording its progress and row errors. So the
/// import holds a few batches of rows, never the file's: a file whose households' rows are
/// together (the template's order, and `zhenxing generate`'s) holds one household at most
/// besides the batches; a household whose rows are spread over the file is held from its first
/// row to its last. Errors are reported batch by batch, as the households are written.
///
/// # Errors
/// Only failures that stop the whole import (the database going away, the file no longer
/// readable, or changed between the two readings: then the households it did not read whole
/// are not written); row problems are in the job's errors.
#[expect(
    clippy::too_many_arguments,
    reason = "the job, its file and how it runs: each from a different source"
)]
pub fn run(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    job: &jobs::Held,
    index: &FileIndex,
    source: &mut Source<'_>,
    dry_run: bool,
    today: NaiveDate,
    pace: Pace<'_>,
) -> Result<ImportSummary, DomainError> {
    let scope = ctx.caller.scope();
    let started = std::time::Instant::now();
    let causes = db.in_scope_conn(scope, super::cause_catalog)?;
    let shared = Mutex::new(Shared {
        summary: ImportSummary {
            rows: index.rows,
            dry_run,
            ..ImportSummary::default()
        },
        processed: 0,
    });
    let villages = Villages::default();
    // The first failure that stops the import, and a flag read once a row that says there was one.
    let stop: Mutex<Option<DomainError>> = Mutex::new(None);
    let failed = AtomicBool::new(false);
    let stopped = || failed.load(Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(WORKERS);
    let (causes, villages, shared_ref, stop_ref, failed) =
        (&causes, &villages, &shared, &stop, &failed);
    let read = std::thread::scope(|s| {
        // The workers share the receiver; when the last of them is gone (even by a panic) it
        // is dropped, and the reader's next send fails instead of waiting for ever.
        let rx = std::sync::Arc::new(Mutex::new(rx));
        for _ in 0..WORKERS {
            let rx = std::sync::Arc::clone(&rx);
            s.spawn(move || {
                loop {
                    let next = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()));
                    let Ok(batch) = next else { return };
                    if stopped() {
                        // Drained, so the reader is never left waiting on a full channel.
                        continue;
                    }
                    let lane = pace.enter();
                    let started = std::time::Instant::now();
                    let outcome = run_batch(
                        db, ctx, keys, job, &batch, causes, today, villages, dry_run, shared_ref,
                    );
                    drop(lane);
                    if let Err(e) = outcome {
                        if let Ok(mut g) = stop_ref.lock() {
                            g.get_or_insert(e);
                        }
                        failed.store(true, Ordering::Relaxed);
                    }
                    // Yield to the instance's requests (its connection is back in the pool).
                    std::thread::sleep(pace.rest(started.elapsed()));
                }
            });
        }
        drop(rx);
        // The second reading, here: each household is sent on with its last row.
        let mut pending: HashMap<Box<str>, Vec<Row>> = HashMap::new();
        let mut batch = Batch::default();
        let send = |batch: &mut Batch| {
            let full = std::mem::take(batch);
            // The workers only hang up when they are gone (a panic): the scope reports it.
            if tx.send(full).is_err() {
                tracing::error!("the import's workers are gone");
            }
        };
        let read = source(&mut |r: Row| {
            // After a failure the rest of the file is still read (a sink cannot stop the
            // reader), but nothing more is kept or sent.
            if stopped() {
                return;
            }
            let n = r.get("household_number");
            if n.is_empty() {
                batch.loose.push((r.number, r.problems));
                return;
            }
            let held = pending.get(n).map_or(0, Vec::len);
            if held + 1 >= index.rows_of.get(n).copied().unwrap_or(1) {
                let mut rows = pending.remove(n).unwrap_or_default();
                let number: Box<str> = n.into();
                rows.push(r);
                batch.households.push((number, rows));
            } else {
                pending.entry(n.into()).or_default().push(r);
            }
            if batch.households.len() + batch.loose.len() >= BATCH {
                send(&mut batch);
            }
        });
        // The full households read are imported; a household whose rows the second reading
        // did not all meet (the file changed, or stopped being readable, between the two
        // readings) is not: none of it is written, and the import fails (its re-run, of the
        // file as it is then, finishes it).
        let incomplete = pending.len();
        if !batch.households.is_empty() || !batch.loose.is_empty() {
            send(&mut batch);
        }
        drop(tx);
        match read {
            Ok(n) if n != index.rows || incomplete > 0 => {
                Err(DomainError::Unexpected(anyhow::anyhow!(
                    "the file changed between the import's two readings ({} rows, then {n}; \
                     {incomplete} households not read whole and not imported)",
                    index.rows
                )))
            }
            other => other,
        }
    });
    if let Some(e) = stop.into_inner().ok().flatten() {
        return Err(e);
    }
    read?;
    let summary = shared
        .into_inner()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?
        .summary;
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
        index_s = index.took.as_secs_f64(),
        check_and_write_s = written.as_secs_f64(),
        analyze_s = (started.elapsed() - written).as_secs_f64(),
        "household import phases"
    );
    Ok(summary)
}

/// Checks a batch, writes what passes, and records the batch's outcomes, progress and row
/// errors.
#[expect(
    clippy::too_many_arguments,
    reason = "the job, the batch and what the workers share"
)]
fn run_batch(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    job: &jobs::Held,
    batch: &Batch,
    causes: &[(String, String)],
    today: NaiveDate,
    villages: &Villages,
    dry_run: bool,
    shared: &Mutex<Shared>,
) -> Result<(), DomainError> {
    // A numberless row says why as read (its problems), and that 户编号 is required unless a
    // problem already names that column.
    let mut errors: Vec<RowError> = batch
        .loose
        .iter()
        .flat_map(|(r, problems)| {
            let named = problems.iter().any(|(c, _)| c == "household_number");
            problems
                .iter()
                .map(|(c, m)| err(*r, c, m.clone()))
                .chain((!named).then(|| err(*r, "household_number", domain::Rule::Required)))
                .collect::<Vec<_>>()
        })
        .collect();
    let groups: Vec<Vec<&Row>> = batch
        .households
        .iter()
        .map(|(_, rows)| rows.iter().collect())
        .collect();
    let checked: Vec<_> = batch
        .households
        .iter()
        .zip(&groups)
        .map(|((n, _), group)| check_group(n, group, causes, today))
        .collect();
    let refused_before = checked.len();
    let (parsed, check_errors) = db.in_scope_conn(ctx.caller.scope(), |conn| {
        village_checks(conn, ctx, checked, villages)
    })?;
    errors.extend(check_errors);
    let mut refused = refused_before - parsed.len();
    let (parsed, left_out) = gate_tries(db, ctx, keys, parsed, &mut errors)?;
    refused += left_out;
    let names = villages.names_of(db, ctx, &parsed)?;
    let outcomes = write_households(db, ctx, keys, &parsed, &names, dry_run)?;
    let mut summary = ImportSummary::default();
    for (p, o) in parsed.iter().zip(outcomes) {
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
                refused += 1;
                let reported: HashSet<i32> = errs.iter().map(|e| e.row).collect();
                errors.extend(errs);
                for r in &p.rows {
                    if !reported.contains(&i32::try_from(*r).unwrap_or(i32::MAX)) {
                        errors.push(err(*r, "household", household_refused()));
                    }
                }
            }
        }
    }
    summary.households_refused = refused;
    summary.rows_refused = errors.iter().map(|e| e.row).collect::<HashSet<_>>().len();
    let rows = batch.loose.len() + batch.households.iter().map(|(_, r)| r.len()).sum::<usize>();
    let mut guard = shared
        .lock()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?;
    let Shared {
        summary: total,
        processed,
    } = &mut *guard;
    total.households_created += summary.households_created;
    total.households_updated += summary.households_updated;
    total.households_unchanged += summary.households_unchanged;
    total.households_refused += summary.households_refused;
    total.members_written += summary.members_written;
    total.rows_refused += summary.rows_refused;
    *processed += rows;
    // Written under the lock: error sequence numbers are counted, so writers must not interleave.
    let done = *processed;
    db.in_scope_conn(ctx.caller.scope(), |conn| {
        jobs::progress(conn, ctx, job, done, &errors, "running")
    })?
    .go_on()
}

impl Villages {
    /// The names of the villages of `parsed`, read about once each (two workers may both read
    /// one that neither had).
    fn names_of(
        &self,
        db: &Db,
        ctx: &Ctx,
        parsed: &[Parsed],
    ) -> Result<HashMap<i64, String>, DomainError> {
        let wanted: HashSet<i64> = parsed
            .iter()
            .map(|p| p.household.village.as_i64())
            .collect();
        let lock = || {
            self.names
                .lock()
                .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))
        };
        let missing: Vec<i64> = {
            let known = lock()?;
            wanted
                .iter()
                .copied()
                .filter(|v| !known.contains_key(v))
                .collect()
        };
        if !missing.is_empty() {
            let read = db.in_scope_conn(ctx.caller.scope(), |conn| {
                super::village_names(conn, &missing)
            })?;
            lock()?.extend(read);
        }
        let known = lock()?;
        Ok(wanted
            .into_iter()
            .filter_map(|v| known.get(&v).map(|n| (v, n.clone())))
            .collect())
    }
}

/// The error of a household's other rows when one of its rows was refused.
fn household_refused() -> domain::Rule {
    domain::Rule::other(
        "another row of this household was refused; nothing of it was imported",
        "本户另有一行被拒绝;该户未导入任何内容",
    )
}

/// Counts the batch's ID numbers against the caller's daily tries of each masked form and
/// birth year (security.md §16), in a transaction of its own before the batch's (so a dry run,
/// which rolls its batches back, counts them too): a row is a try when its form and year
/// match a registered member, in any county (the import answers "already registered" for
/// any), that is not the row's own person in its own household, unless the caller registered
/// every such member with its household ([`super::tries::registry_standings`]). A household
/// with a row past the limit is left out whole, that row reported as not checked (into
/// `errors`). Returns the households kept and how many were left out.
fn gate_tries(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    parsed: Vec<Parsed>,
    errors: &mut Vec<RowError>,
) -> Result<(Vec<Parsed>, usize), DomainError> {
    use super::tries::{Register, gate_import, registry_standings, too_many_tries};
    let rows: Vec<(&domain::cases::IdNumber, i32, &str)> = parsed
        .iter()
        .flat_map(|p| {
            let (county, number) = (
                p.household.village.county_code(),
                p.household.household_number.as_str(),
            );
            p.members
                .iter()
                .map(move |(_, m)| (&m.id_number, county, number))
        })
        .collect();
    if rows.is_empty() {
        return Ok((parsed, 0));
    }
    let allowed = db.in_scope_conn(ctx.caller.scope(), |conn| {
        let standings = registry_standings(conn, ctx, keys, &rows)?;
        if standings.iter().all(|s| *s == super::tries::Standing::Free) {
            return Ok(None);
        }
        let rows: Vec<_> = rows.iter().map(|(id, _, _)| *id).zip(standings).collect();
        gate_import(conn, ctx, keys, Register::Members, &rows).map(Some)
    })?;
    let Some(allowed) = allowed else {
        return Ok((parsed, 0));
    };
    let mut allowed = allowed.into_iter();
    let (mut kept, mut left_out) = (Vec::with_capacity(parsed.len()), 0);
    for p in parsed {
        let over: HashSet<u32> = p
            .members
            .iter()
            .filter(|_| !allowed.next().unwrap_or(false))
            .map(|(row, _)| *row)
            .collect();
        if over.is_empty() {
            kept.push(p);
            continue;
        }
        left_out += 1;
        for r in &p.rows {
            errors.push(if over.contains(r) {
                err(*r, "id_number", too_many_tries(Register::Members))
            } else {
                err(*r, "household", household_refused())
            });
        }
    }
    Ok((kept, left_out))
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

/// Writes a batch in one transaction; in a dry run rolls it back; when the batch fails as a
/// whole, retries its households one by one so one bad household cannot sink the others.
fn write_households(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    batch: &[Parsed],
    names: &HashMap<i64, String>,
    dry_run: bool,
) -> Result<Vec<Outcome>, DomainError> {
    const ROLLBACK: domain::ErrorCode = domain::ErrorCode::DryRunRollback;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
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
                out.extend(write_households(
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
}
