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

/// A job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    /// Id.
    pub id: Uuid,
    /// `household_import`.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed`.
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
}

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct RowError {
    /// Row number in the file (header = 1).
    pub row: i32,
    /// Column key (or `file`, `household`).
    pub column: String,
    /// Why.
    pub message: String,
}

/// Creates a queued job at the caller's org unit.
///
/// # Errors
/// Database failures.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    kind: &str,
    dry_run: bool,
    total_rows: usize,
) -> Result<JobRow, DomainError> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::county_code.eq(ctx.caller.county_code()),
            jobs::id.eq(Uuid::new_v4()),
            jobs::region_code.eq(ctx.caller.org.as_i64()),
            jobs::kind.eq(kind),
            jobs::status.eq("queued"),
            jobs::dry_run.eq(dry_run),
            jobs::total_rows.eq(i32::try_from(total_rows).unwrap_or(i32::MAX)),
            jobs::created_by.eq(ctx.caller.user_id),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)
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

/// Records progress and new row errors.
///
/// # Errors
/// Database failures.
pub fn progress(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    processed: usize,
    new_errors: &[RowError],
    status: &str,
) -> Result<(), DomainError> {
    let county = ctx.caller.county_code();
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
                    job_errors::region_code.eq(ctx.caller.org.as_i64()),
                    job_errors::row_number.eq(e.row),
                    job_errors::column_name.eq(&e.column),
                    job_errors::message.eq(&e.message),
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
    diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(county))
            .filter(jobs::id.eq(id)),
    )
    .set((
        jobs::processed_rows.eq(i32::try_from(processed).unwrap_or(i32::MAX)),
        jobs::error_rows.eq(i32::try_from(error_rows).unwrap_or(i32::MAX)),
        jobs::status.eq(status),
    ))
    .execute(conn)
    .db()?;
    Ok(())
}

/// Marks a job finished with its summary.
///
/// # Errors
/// Database failures.
pub fn finish(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    status: &str,
    summary: &Value,
) -> Result<(), DomainError> {
    diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(ctx.caller.county_code()))
            .filter(jobs::id.eq(id)),
    )
    .set((
        jobs::status.eq(status),
        jobs::summary.eq(summary),
        jobs::finished_at.eq(Utc::now()),
    ))
    .execute(conn)
    .db()?;
    Ok(())
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
            ),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(job_errors::seq.gt(a));
    }
    q.load::<(i32, (i32, String, String))>(conn).db().map(|v| {
        v.into_iter()
            .map(|(s, (row, column, message))| {
                (
                    s,
                    RowError {
                        row,
                        column,
                        message,
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
    db.unscoped(|c| {
        diesel::sql_query("SELECT zx_fail_stale_jobs(make_interval(secs => $1)) AS failed")
            .bind::<diesel::sql_types::Double, _>(silence.as_secs_f64())
            .get_result::<Failed>(c)
            .db()
            .map(|f| f.failed)
    })
}
