//! Cancelling a job: a queued one stops at once (it never runs, its upload goes), a running one
//! at its next checkpoint, the end of a batch (households written before stay, each whole; a
//! rerun of the file finishes the import, as after any stop).

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::{Claimed, JobRow};
use crate::app::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::jobs;

/// What a cancelled job's summary says: an import's rows written before stay; an export's
/// file is not kept. (`zx_claim_job` and `zx_fail_stale_jobs`, which end a cancelled job whose
/// server went away, say the same.)
pub fn summary(kind: &str) -> serde_json::Value {
    let error = if kind == "household_export" {
        "cancelled: no file was kept; export again when needed"
    } else {
        "cancelled: rows already imported stay, each household whole; import the file again to finish"
    };
    serde_json::json!({ "error": error })
}

/// The permission that starts a job of `kind`: besides the job's creator, whoever holds it
/// where the job runs may cancel it.
fn starting_permission(kind: &str) -> &'static str {
    match kind {
        "household_import" => perm::CASES_IMPORT,
        "household_export" => perm::CASES_EXPORT,
        other => super::super::imports::Kind::from_job_kind(other).map_or(
            perm::TENANTS_MANAGE,
            super::super::imports::Kind::permission,
        ),
    }
}

/// A cancel: the job as it stands after it, and the stored upload of a queued job that is now
/// over (the caller removes it from the file store once the transaction has committed).
#[derive(Debug)]
pub struct Cancelled {
    /// The job: `cancelled`, or still `running` with `cancel_requested_at` set.
    pub job: JobRow,
    /// The upload to remove: its county and key.
    pub upload: Option<(i32, String)>,
}

/// Cancels job `id`, which the caller sees: its creator, or someone holding the permission that
/// starts a job of its kind at the job's unit. A queued job is cancelled at once; a running
/// one is asked to stop, which its run does at its next checkpoint; a job cancelled already is
/// returned as it is (cancelling twice is no error); an audit entry records each change.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` for someone else's job without the permission;
/// 409 `job_finished` for a job that succeeded or failed.
pub fn cancel(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<Cancelled, DomainError> {
    type Head = (
        i32,
        String,
        String,
        Option<Uuid>,
        i64,
        Option<DateTime<Utc>>,
    );
    let (county, kind, status, creator, region, asked): Head = jobs::table
        .filter(jobs::id.eq(id))
        .select((
            jobs::county_code,
            jobs::kind,
            jobs::status,
            jobs::created_by,
            jobs::region_code,
            jobs::cancel_requested_at,
        ))
        .for_update()
        .first(conn)
        .db()?;
    if creator != Some(ctx.caller.user_id) {
        ctx.caller
            .require_at(starting_permission(&kind), stored_code(region)?)?;
    }
    let unchanged = |conn: &mut PgConnection| -> Result<Cancelled, DomainError> {
        Ok(Cancelled {
            job: super::get(conn, id)?,
            upload: None,
        })
    };
    match status.as_str() {
        "cancelled" => return unchanged(conn),
        "running" if asked.is_some() => return unchanged(conn),
        "queued" | "running" => {}
        _ => {
            return Err(DomainError::Conflict {
                code: ErrorCode::JobFinished,
                message: format!("the job has {status}: there is nothing left to cancel"),
            });
        }
    }
    let now = Utc::now();
    let target = jobs::table
        .filter(jobs::county_code.eq(county))
        .filter(jobs::id.eq(id))
        .filter(jobs::status.eq_any(["queued", "running"]));
    let upload = if status == "queued" {
        // Locked above, so no worker has claimed it since: it ends here, never run.
        let key: Option<String> = diesel::update(target)
            .set((
                jobs::status.eq("cancelled"),
                jobs::cancel_requested_at.eq(now),
                jobs::cancelled_by.eq(ctx.caller.user_id),
                jobs::finished_at.eq(now),
                jobs::updated_at.eq(now),
                jobs::payload.eq(None::<Vec<u8>>),
                jobs::summary.eq(summary(&kind)),
            ))
            .returning(jobs::payload_key)
            .get_result(conn)
            .db()?;
        key.map(|k| (county, k))
    } else {
        diesel::update(target)
            .set((
                jobs::cancel_requested_at.eq(now),
                jobs::cancelled_by.eq(ctx.caller.user_id),
            ))
            .execute(conn)
            .db()?;
        None
    };
    ctx.audit(
        conn,
        "job.cancel",
        "job",
        id,
        stored_code(region)?,
        serde_json::json!({ "kind": kind, "status_before": status }),
    )?;
    Ok(Cancelled {
        job: super::get(conn, id)?,
        upload,
    })
}

/// Whether someone asked to cancel the job this run holds.
///
/// # Errors
/// Database failures.
pub fn requested(conn: &mut PgConnection, job: &Claimed) -> Result<bool, DomainError> {
    jobs::table
        .filter(jobs::county_code.eq(job.county_code))
        .filter(jobs::id.eq(job.id))
        .select(jobs::cancel_requested_at.is_not_null())
        .first(conn)
        .db()
}

/// The error a run's checkpoint stops it with when its job was cancelled.
pub(super) fn stop() -> DomainError {
    DomainError::Conflict {
        code: ErrorCode::JobCancelled,
        message: String::new(),
    }
}

/// Whether `e` is a run stopping because its job was cancelled.
pub fn is_stop(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::Conflict {
            code: ErrorCode::JobCancelled,
            ..
        }
    )
}
