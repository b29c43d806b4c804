//! An export job's file: kept in the file store under the job's key (`<county>/exports/<job>`)
//! for a day, read back as a file, removed by housekeeping. Jobs finished before files went to
//! the store keep their bytes in the row (`jobs.result`) until their day is over.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use uuid::Uuid;

use super::Claimed;
use crate::db::DbResultExt as _;
use crate::schema::jobs;

/// Names a job's output file (an export) stored under `key`, if this worker still holds the
/// job.
///
/// # Errors
/// Database failures.
pub fn attach_result(
    conn: &mut PgConnection,
    job: &Claimed,
    worker: &str,
    key: &str,
    content_type: &str,
    name: &str,
) -> Result<(), DomainError> {
    diesel::update(
        jobs::table
            .filter(jobs::county_code.eq(job.county_code))
            .filter(jobs::id.eq(job.id))
            .filter(jobs::locked_by.eq(worker))
            .filter(jobs::attempts.eq(job.attempts)),
    )
    .set((
        jobs::result_key.eq(key),
        jobs::result_content_type.eq(content_type),
        jobs::result_name.eq(name),
    ))
    .execute(conn)
    .db()?;
    Ok(())
}

/// Where a finished job's file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultFile {
    /// In the file store, under this key.
    Stored(String),
    /// In the row (a job finished before files went to the store).
    Bytes(Vec<u8>),
}

/// A finished job's output file.
#[derive(Debug, Clone)]
pub struct JobFile {
    /// Its content type.
    pub content_type: String,
    /// Its file name.
    pub name: String,
    /// Where it is.
    pub file: ResultFile,
}

/// A finished job's output file.
///
/// # Errors
/// `NotFound` outside scope or without a file; `Conflict` `not_finished` before it is done,
/// `result_expired` once its day is over.
pub fn result(conn: &mut PgConnection, id: Uuid) -> Result<JobFile, DomainError> {
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<Vec<u8>>,
    );
    let (status, kind, content_type, name, key, bytes): Row = jobs::table
        .filter(jobs::id.eq(id))
        .select((
            jobs::status,
            jobs::kind,
            jobs::result_content_type,
            jobs::result_name,
            jobs::result_key,
            jobs::result,
        ))
        .first(conn)
        .db()?;
    if status == "queued" || status == "running" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotFinished,
            message: format!("the job is {status}; its file is ready when it has succeeded"),
        });
    }
    let file = match (key, bytes) {
        (Some(key), _) => Some(ResultFile::Stored(key)),
        (None, Some(bytes)) => Some(ResultFile::Bytes(bytes)),
        (None, None) => None,
    };
    match (content_type, name, file) {
        (Some(content_type), Some(name), Some(file)) => Ok(JobFile {
            content_type,
            name,
            file,
        }),
        _ if kind == "household_export" && status == "succeeded" => Err(expired()),
        _ => Err(DomainError::NotFound),
    }
}

/// The answer for an export whose file is no longer kept.
pub fn expired() -> DomainError {
    DomainError::Conflict {
        code: domain::ErrorCode::ResultExpired,
        message: "exported files are kept for a day; export again".into(),
    }
}

/// Removes the export jobs' files stored more than `age` ago, in every tenant (the database
/// forgets their keys after a day, `zx_fail_stale_jobs`; `age` is a little longer, so a key
/// still named always finds its file). Returns how many were removed; one that cannot be is
/// logged and left for the next round.
///
/// # Errors
/// Database failures.
pub fn sweep_exports(
    db: &crate::db::Db,
    store: &dyn crate::files::Store,
    age: std::time::Duration,
) -> Result<usize, DomainError> {
    // The tenants' areas, and those of exports made above a county (a city's or a province's
    // auditor exports under their unit's code, which no tenant has) in the last week.
    let mut counties = super::uploads::tenant_counties(db)?;
    let above: Vec<i32> = db.in_scope_conn(domain::RegionCode::PLATFORM.subtree(), |c| {
        jobs::table
            .filter(jobs::kind.eq("household_export"))
            .filter(jobs::created_at.gt(chrono::Utc::now() - chrono::Duration::days(7)))
            .select(jobs::county_code)
            .distinct()
            .load(c)
            .db()
    })?;
    counties.extend(above);
    counties.sort_unstable();
    counties.dedup();
    let mut removed = 0;
    for county in counties {
        let files = match store.exported(county) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(county, error = %e, "could not list the exports' files");
                continue;
            }
        };
        for (key, at) in files {
            if !at.elapsed().is_ok_and(|a| a >= age) {
                continue;
            }
            match store.delete(&key) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(key, error = %e, "could not remove an export's file"),
            }
        }
    }
    Ok(removed)
}
