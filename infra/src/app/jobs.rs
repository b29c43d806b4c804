//! Jobs: long work (imports) with progress and per-row errors, visible in the subtree of the
//! org unit that started them.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use serde_json::Value;
use uuid::Uuid;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{job_errors, jobs};

mod cancel;
mod results;
mod uploads;
pub use cancel::{
    Cancelled, cancel, is_stop as is_cancel_stop, requested as cancel_requested,
    summary as cancelled_summary,
};
pub use results::{JobFile, ResultFile, attach_result, expired, result, sweep_exports};
pub use uploads::{drop_upload, sweep_orphan_uploads, sweep_uploads};

/// A job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    /// Id.
    pub id: Uuid,
    /// `household_import`, `household_export`, or a bulk-entry import: `household_year_import`,
    /// `village_profile_import`, `visit_import`, `team_member_import`, `ranger_patrol_import`,
    /// `ranger_inspection_import`.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled`.
    pub status: String,
    /// Nothing is written.
    pub dry_run: bool,
    /// Data rows in the file.
    pub total_rows: i32,
    /// Rows handled so far.
    pub processed_rows: i32,
    /// Rows refused so far.
    pub error_rows: i32,
    /// What was done.
    pub summary: Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// When someone asked to cancel it (a running job stops at its next checkpoint).
    pub cancel_requested_at: Option<DateTime<Utc>>,
}

/// One refused row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// Row number in the file (header = 1).
    pub row: i32,
    /// Column key (or `file`, `household`).
    pub column: String,
    /// Why: stored rendered in English (`message`) and Chinese (`message_zh`).
    pub rule: domain::Rule,
}

/// Queues a job at the caller's org unit, with its payload (the uploaded file): any instance's
/// worker may run it. Without a payload the job is the caller's to run in place ([`take`]).
///
/// # Errors
/// Database failures.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    kind: &str,
    dry_run: bool,
    total_rows: usize,
    payload: Option<&[u8]>,
) -> Result<JobRow, DomainError> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::county_code.eq(ctx.caller.county_code()),
            jobs::id.eq(Uuid::new_v4()),
            jobs::region_code.eq(ctx.caller.unit().as_i64()),
            jobs::kind.eq(kind),
            jobs::status.eq("queued"),
            jobs::dry_run.eq(dry_run),
            jobs::total_rows.eq(i32::try_from(total_rows).unwrap_or(i32::MAX)),
            jobs::created_by.eq(ctx.caller.user_id),
            jobs::payload.eq(payload),
            jobs::request_id.eq(&ctx.request_id),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)
        .db()
}

/// Queues an import at the caller's org unit whose upload is stored under `key` (in the file
/// store, [`crate::files::import_key`] of the county and `id`): any instance's worker may run
/// it, reading the file back from the store.
///
/// # Errors
/// Database failures.
pub fn queue_upload(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    kind: &str,
    dry_run: bool,
    total_rows: usize,
) -> Result<JobRow, DomainError> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::county_code.eq(ctx.caller.county_code()),
            jobs::id.eq(id),
            jobs::region_code.eq(ctx.caller.unit().as_i64()),
            jobs::kind.eq(kind),
            jobs::status.eq("queued"),
            jobs::dry_run.eq(dry_run),
            jobs::total_rows.eq(i32::try_from(total_rows).unwrap_or(i32::MAX)),
            jobs::created_by.eq(ctx.caller.user_id),
            jobs::payload_key.eq(crate::files::import_key(ctx.caller.county_code(), id)),
            jobs::request_id.eq(&ctx.request_id),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)
        .db()
}

/// What a job runs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Bytes kept in the job row: an export's parameters, or the upload of an import queued
    /// before uploads went to the file store.
    Bytes(Vec<u8>),
    /// The key of an import's upload in the file store.
    Stored(String),
}

/// A job claimed by a worker.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    /// Tenant.
    #[diesel(sql_type = diesel::sql_types::Int4)]
    pub county_code: i32,
    /// Job.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    /// Org unit of the job.
    #[diesel(sql_type = diesel::sql_types::Int8)]
    pub region_code: i64,
    /// Who queued it (the job runs as them).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub created_by: Option<Uuid>,
    /// This run's number (1 for the first).
    #[diesel(sql_type = diesel::sql_types::Int4)]
    pub attempts: i32,
}

/// Claims a runnable job (`FOR UPDATE SKIP LOCKED`, through `zx_claim_job`): a queued one, or
/// one whose worker stopped renewing its lease. Fair between counties: a county already running
/// `county_max_running` jobs is skipped, and the county running fewest goes first (then the
/// oldest job).
///
/// # Errors
/// Database failures.
pub fn claim(
    db: &crate::db::Db,
    worker: &str,
    lease: std::time::Duration,
    max_attempts: i32,
    county_max_running: i32,
) -> Result<Option<Claimed>, DomainError> {
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT * FROM zx_claim_job($1, $2, $3, $4)")
            .bind::<diesel::sql_types::Text, _>(worker)
            .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
            .bind::<diesel::sql_types::Int4, _>(max_attempts)
            .bind::<diesel::sql_types::Int4, _>(county_max_running)
            .get_result::<Claimed>(c)
            .optional()
            .db()
    })
}

/// Takes a job without a payload to run in place (operator commands), as `worker`.
///
/// # Errors
/// `NotFound` when it is not queued.
pub fn take(conn: &mut PgConnection, job: &JobRow, worker: &str) -> Result<Claimed, DomainError> {
    let n = diesel::update(
        jobs::table
            .filter(jobs::id.eq(job.id))
            .filter(jobs::status.eq("queued"))
            .filter(jobs::payload.is_null())
            .filter(jobs::payload_key.is_null()),
    )
    .set((
        jobs::status.eq("running"),
        jobs::locked_by.eq(worker),
        jobs::attempts.eq(1),
        jobs::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .db()?;
    if n != 1 {
        return Err(DomainError::NotFound);
    }
    Ok(Claimed {
        county_code: jobs::table
            .filter(jobs::id.eq(job.id))
            .select(jobs::county_code)
            .first(conn)
            .db()?,
        id: job.id,
        region_code: 0,
        created_by: None,
        attempts: 1,
    })
}

/// Renews the lease of a job this worker holds; `false` when another worker took it over.
///
/// # Errors
/// Database failures.
pub fn renew(
    conn: &mut PgConnection,
    job: &Claimed,
    worker: &str,
    lease: std::time::Duration,
) -> Result<bool, DomainError> {
    let until = Utc::now()
        + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::seconds(60));
    let n = diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(job.county_code))
            .filter(jobs::id.eq(job.id))
            .filter(jobs::locked_by.eq(worker))
            .filter(jobs::attempts.eq(job.attempts))
            .filter(jobs::status.eq("running")),
    )
    .set((jobs::lease_until.eq(until), jobs::updated_at.eq(Utc::now())))
    .execute(conn)
    .db()?;
    Ok(n == 1)
}

/// The payload of a claimed job and its org unit, and, on a rerun that is `fresh` (not ending
/// at once for a cancel), clears what the previous run recorded (row errors, counters) so they
/// are not counted twice. The work itself is idempotent (imports upsert by household number).
///
/// # Errors
/// `NotFound` when the job is gone or has no payload.
pub fn start_run(
    conn: &mut PgConnection,
    job: &Claimed,
    fresh: bool,
) -> Result<(Payload, bool), DomainError> {
    if fresh && job.attempts > 1 {
        diesel::delete(
            job_errors::table
                .filter(job_errors::county_code.eq(job.county_code))
                .filter(job_errors::job_id.eq(job.id)),
        )
        .execute(conn)
        .db()?;
        diesel::update(
            jobs::table
                .filter(jobs::county_code.eq(job.county_code))
                .filter(jobs::id.eq(job.id)),
        )
        .set((jobs::processed_rows.eq(0), jobs::error_rows.eq(0)))
        .execute(conn)
        .db()?;
    }
    let (payload, key, dry_run): (Option<Vec<u8>>, Option<String>, bool) = jobs::table
        .filter(jobs::county_code.eq(job.county_code))
        .filter(jobs::id.eq(job.id))
        .select((jobs::payload, jobs::payload_key, jobs::dry_run))
        .first(conn)
        .db()?;
    let payload = match (key, payload) {
        (Some(key), _) => Payload::Stored(key),
        (None, Some(bytes)) => Payload::Bytes(bytes),
        (None, None) => return Err(DomainError::NotFound),
    };
    Ok((payload, dry_run))
}

/// The kind and request id of a job.
///
/// # Errors
/// `NotFound` outside scope.
pub fn kind_of(conn: &mut PgConnection, job: &Claimed) -> Result<(String, String), DomainError> {
    jobs::table
        .filter(jobs::county_code.eq(job.county_code))
        .filter(jobs::id.eq(job.id))
        .select((jobs::kind, jobs::request_id))
        .first::<(String, Option<String>)>(conn)
        .db()
        .map(|(k, r)| (k, r.unwrap_or_default()))
}

/// Jobs waiting or running, and webhook deliveries pending, across the platform (counts only,
/// for `/metrics`).
///
/// # Errors
/// Database failures.
pub fn waiting_depth(db: &crate::db::Db) -> Result<(i64, i64), DomainError> {
    #[derive(QueryableByName)]
    struct Depths {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        jobs_waiting: i64,
        #[diesel(sql_type = diesel::sql_types::Int8)]
        webhooks_waiting: i64,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT * FROM zx_queue_depths()")
            .get_result::<Depths>(c)
            .db()
            .map(|d| (d.jobs_waiting, d.webhooks_waiting))
    })
}

/// The latest `limit` jobs the caller can see (started in their subtree), newest first.
///
/// # Errors
/// Database failures.
pub fn list(conn: &mut PgConnection, limit: i64) -> Result<Vec<JobRow>, DomainError> {
    jobs::table
        .order((jobs::created_at.desc(), jobs::id.desc()))
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)
        .db()
}

/// A job the caller can see.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<JobRow, DomainError> {
    jobs::table
        .filter(jobs::id.eq(id))
        .select(JobRow::as_select())
        .first(conn)
        .db()
}

/// A run of a job as its worker holds it: the job, the worker and the attempt it claimed. What
/// the run records goes through it, so a worker that lost the job to another records nothing.
#[derive(Debug, Clone)]
pub struct Held {
    /// The job.
    pub id: Uuid,
    /// The worker holding it.
    pub worker: String,
    /// The attempt it holds.
    pub attempts: i32,
}

impl Claimed {
    /// This claim as held by `worker`.
    pub fn held(&self, worker: &str) -> Held {
        Held {
            id: self.id,
            worker: worker.to_string(),
            attempts: self.attempts,
        }
    }
}

/// What a run learns at a checkpoint ([`progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a cancelled job's run stops: call go_on once the progress is committed"]
pub enum Checkpoint {
    /// Nobody asked to stop it.
    GoOn,
    /// Someone cancelled the job: the run stops here, its progress recorded.
    Cancelled,
}

impl Checkpoint {
    /// The run goes on, or stops with the error its job's end is recorded by (call it after
    /// the transaction that recorded the progress, so that the progress stays).
    ///
    /// # Errors
    /// The cancelled job's stop ([`is_cancel_stop`]).
    pub fn go_on(self) -> Result<(), DomainError> {
        match self {
            Self::GoOn => Ok(()),
            Self::Cancelled => Err(cancel::stop()),
        }
    }
}

/// Records progress and new row errors, and says whether the job was cancelled meanwhile.
///
/// # Errors
/// Database failures; a run that no longer holds its job.
pub fn progress(
    conn: &mut PgConnection,
    ctx: &Ctx,
    held: &Held,
    processed: usize,
    new_errors: &[RowError],
    status: &str,
) -> Result<Checkpoint, DomainError> {
    let county = ctx.caller.county_code();
    let id = held.id;
    // Only the run that holds the job: a worker that lost its lease to another (which cleared
    // the first run's errors) wrote its row errors again beside the new run's, each twice.
    let holds: i64 = jobs::table
        .filter(jobs::county_code.eq(county))
        .filter(jobs::id.eq(id))
        .filter(jobs::status.eq("running"))
        .filter(jobs::locked_by.eq(&held.worker))
        .filter(jobs::attempts.eq(held.attempts))
        .count()
        .get_result(conn)
        .db()?;
    if holds == 0 {
        return Err(DomainError::Unexpected(anyhow::anyhow!(
            "job {id} is no longer this run's (another worker took it over, or it ended): this run stops"
        )));
    }
    let seq0: i32 = job_errors::table
        .filter(job_errors::county_code.eq(county))
        .filter(job_errors::job_id.eq(id))
        .count()
        .get_result::<i64>(conn)
        .db()
        .map(|n| i32::try_from(n).unwrap_or(i32::MAX))?;
    for (chunk_no, chunk) in new_errors.chunks(5000).enumerate() {
        let base = seq0 + i32::try_from(chunk_no * 5000).unwrap_or(0);
        let rows: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    job_errors::county_code.eq(county),
                    job_errors::job_id.eq(id),
                    job_errors::seq.eq(base + i32::try_from(i).unwrap_or(0)),
                    job_errors::region_code.eq(ctx.caller.unit().as_i64()),
                    job_errors::row_number.eq(e.row),
                    job_errors::column_name.eq(&e.column),
                    job_errors::message.eq(e.rule.message(domain::Lang::En)),
                    job_errors::message_zh.eq(Some(e.rule.message(domain::Lang::Zh))),
                )
            })
            .collect();
        diesel::insert_into(job_errors::table)
            .values(rows)
            .execute(conn)
            .db()?;
    }
    let error_rows: i64 = job_errors::table
        .filter(job_errors::county_code.eq(county))
        .filter(job_errors::job_id.eq(id))
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "count(DISTINCT row_number)",
        ))
        .first(conn)
        .db()?;
    // Only a job this run still holds: a worker that lost its lease while another took the
    // job over and finished it put the finished job back to running (never claimed again).
    // A checkpoint too: a job someone cancelled stops here, its batch recorded.
    let cancel: Vec<(Option<DateTime<Utc>>, i32)> = diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(county))
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq("running"))
            .filter(jobs::locked_by.eq(&held.worker))
            .filter(jobs::attempts.eq(held.attempts)),
    )
    .set((
        jobs::processed_rows.eq(i32::try_from(processed).unwrap_or(i32::MAX)),
        jobs::error_rows.eq(i32::try_from(error_rows).unwrap_or(i32::MAX)),
        jobs::status.eq(status),
        // A job run in place (the command line's import) has no lease: housekeeping judges it
        // alive by this, and failed a long import still running after ten minutes.
        jobs::updated_at.eq(Utc::now()),
    ))
    .returning((jobs::cancel_requested_at, jobs::total_rows))
    .get_results(conn)
    .db()?;
    match cancel.first() {
        None => Err(DomainError::Unexpected(anyhow::anyhow!(
            "job {id} is no longer this run's: this run stops"
        ))),
        // Every row handled: the import is done, whatever came in last; it ends with its
        // summary, not as cancelled.
        Some((Some(_), total))
            if i64::try_from(processed).unwrap_or(i64::MAX) < i64::from(*total) =>
        {
            Ok(Checkpoint::Cancelled)
        }
        Some(_) => Ok(Checkpoint::GoOn),
    }
}

/// Marks a job finished with its summary and drops its payload, if this worker still holds it
/// (a worker that lost its lease to another leaves the job to that one). Returns whether it
/// did.
///
/// # Errors
/// Database failures.
pub fn finish(
    conn: &mut PgConnection,
    job: &Claimed,
    worker: &str,
    status: &str,
    summary: &Value,
) -> Result<bool, DomainError> {
    let n = diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(job.county_code))
            .filter(jobs::id.eq(job.id))
            .filter(jobs::locked_by.eq(worker))
            .filter(jobs::attempts.eq(job.attempts))
            .filter(jobs::status.eq("running")),
    )
    .set((
        jobs::status.eq(status),
        jobs::summary.eq(summary),
        jobs::finished_at.eq(Utc::now()),
        jobs::updated_at.eq(Utc::now()),
        jobs::payload.eq(None::<Vec<u8>>),
        jobs::lease_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .db()?;
    Ok(n == 1)
}

/// Row errors of a job, by sequence, after `after`.
///
/// # Errors
/// `NotFound` when the job is outside scope.
pub fn errors(
    conn: &mut PgConnection,
    id: Uuid,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<(i32, RowError)>, DomainError> {
    let job = jobs::table
        .filter(jobs::id.eq(id))
        .select(jobs::county_code)
        .first::<i32>(conn)
        .db()?;
    let mut q = job_errors::table
        .filter(job_errors::county_code.eq(job))
        .filter(job_errors::job_id.eq(id))
        .order(job_errors::seq)
        .select((
            job_errors::seq,
            (
                job_errors::row_number,
                job_errors::column_name,
                job_errors::message,
                job_errors::message_zh,
            ),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(job_errors::seq.gt(a));
    }
    crate::db::load_page::<_, (i32, (i32, String, String, Option<String>))>(conn, q).map(|v| {
        v.into_iter()
            .map(|(s, (row, column, message, message_zh))| {
                // Rows stored before the Chinese was kept show their English in both.
                let zh = message_zh.unwrap_or_else(|| message.clone());
                (
                    s,
                    RowError {
                        row,
                        column,
                        rule: domain::Rule::other(message, zh),
                    },
                )
            })
            .collect()
    })
}

/// Marks jobs failed whose server stopped: queued or running yet silent for longer than
/// `silence`, in every tenant (through the narrow `zx_fail_stale_jobs` function). Returns how
/// many.
///
/// # Errors
/// Database failures.
pub fn fail_stale(db: &crate::db::Db, silence: std::time::Duration) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct Failed {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        failed: i64,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_fail_stale_jobs(make_interval(secs => $1)) AS failed")
            .bind::<diesel::sql_types::Double, _>(silence.as_secs_f64())
            .get_result::<Failed>(c)
            .db()
            .map(|f| f.failed)
    })
}

/// Household imports queued or running for one user and for their county.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Active {
    /// The user's.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub by_user: i64,
    /// The county's.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub by_county: i64,
}

/// The caller's import caps and the imports counted against them.
#[derive(Debug, Clone)]
pub struct ImportLoad {
    caps: domain::settings::ImportSettings,
    active: Active,
}

impl ImportLoad {
    /// Refuses one more import when the queued or running ones and `in_flight` (uploads being
    /// read: the user's, the county's) reach a cap.
    ///
    /// # Errors
    /// 409 `imports_running` naming the cap.
    pub fn admit(&self, in_flight: (i64, i64)) -> Result<(), DomainError> {
        let refuse = |message: String| {
            Err(DomainError::Conflict {
                code: domain::ErrorCode::ImportsRunning,
                message,
            })
        };
        let (caps, by_user, by_county) = (
            &self.caps,
            self.active.by_user + in_flight.0,
            self.active.by_county + in_flight.1,
        );
        if by_user >= caps.max_running_per_user {
            return refuse(format!(
                "you have {by_user} imports waiting, running or being sent, the most one user may have (imports.max_running_per_user = {}); send this one when one of them has finished",
                caps.max_running_per_user
            ));
        }
        if by_county >= caps.max_running_per_county {
            return refuse(format!(
                "the county has {by_county} imports waiting, running or being sent, the most it may have (imports.max_running_per_county = {}); send this one when one of them has finished",
                caps.max_running_per_county
            ));
        }
        Ok(())
    }
}

/// The caller's import caps and the household imports queued or running against them (see
/// [`check_import_caps`]).
///
/// # Errors
/// Database failures.
pub fn import_load(conn: &mut PgConnection, ctx: &Ctx) -> Result<ImportLoad, DomainError> {
    let caps = super::settings::effective_for(conn, ctx, ctx.caller.unit())?.imports;
    let active: Active = diesel::sql_query("SELECT * FROM zx_active_imports($1, $2)")
        .bind::<diesel::sql_types::Int4, _>(ctx.caller.county_code())
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .get_result(conn)
        .db()?;
    Ok(ImportLoad { caps, active })
}

/// Refuses another household import when the caller already has
/// `imports.max_running_per_user` queued or running, or their county
/// `imports.max_running_per_county` (the county's effective settings). The county's jobs are
/// counted by `zx_active_imports` (security definer: a village clerk's scope does not see the
/// rest of the county's jobs; it returns two counts only). With `lock`, a transaction-level
/// advisory lock on the county is taken first and held until the transaction ends: create the
/// job in the same transaction and two uploads at once are counted one after the other.
///
/// # Errors
/// 409 `imports_running` naming the cap; database failures.
pub fn check_import_caps(
    conn: &mut PgConnection,
    ctx: &Ctx,
    lock: bool,
) -> Result<(), DomainError> {
    if lock {
        diesel::sql_query("SELECT pg_advisory_xact_lock(23005, $1)")
            .bind::<diesel::sql_types::Int4, _>(ctx.caller.county_code())
            .execute(conn)
            .db()?;
    }
    import_load(conn, ctx)?.admit((0, 0))
}
