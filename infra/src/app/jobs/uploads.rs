//! Housekeeping of the uploads kept for import jobs in the file store: removed when a job is
//! over, swept when a job's end left them behind.

use diesel::prelude::*;
use domain::DomainError;
use uuid::Uuid;

use crate::db::DbResultExt as _;
use crate::schema::jobs;

/// Removes the stored upload of a job that is over (its object under `key`, then the key from
/// the row, through the narrow `zx_forget_upload`, which touches finished jobs only). An object
/// already gone is no error, so the worker that finished the job and housekeeping may both
/// try.
///
/// # Errors
/// The store or the database failing: the key stays, and housekeeping tries again.
pub fn drop_upload(
    db: &crate::db::Db,
    store: &dyn crate::files::Store,
    county: i32,
    id: Uuid,
    key: &str,
) -> Result<(), DomainError> {
    if key != crate::files::import_key(county, id) {
        return Err(DomainError::Unexpected(anyhow::anyhow!(
            "job {id} names the upload {key:?}, not its own"
        )));
    }
    store
        .delete(key)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("removing upload {key}: {e}")))?;
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_forget_upload($1, $2)")
            .bind::<diesel::sql_types::Int4, _>(county)
            .bind::<diesel::sql_types::Uuid, _>(id)
            .execute(c)
            .db()
    })?;
    Ok(())
}

/// Removes the uploads of jobs that are over but still hold one, in every tenant (through
/// `zx_spent_uploads`): a job failed for good after its attempts or as stale, or one whose
/// worker could not remove it. Returns how many were removed; one that cannot be is logged
/// and left for the next round.
///
/// # Errors
/// Database failures.
pub fn sweep_uploads(
    db: &crate::db::Db,
    store: &dyn crate::files::Store,
) -> Result<usize, DomainError> {
    #[derive(QueryableByName)]
    struct Spent {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        county_code: i32,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Text)]
        payload_key: String,
    }
    let spent: Vec<Spent> = db.unscoped_conn(|c| {
        diesel::sql_query("SELECT * FROM zx_spent_uploads(500)")
            .load(c)
            .db()
    })?;
    let mut removed = 0;
    for s in spent {
        match drop_upload(db, store, s.county_code, s.id, &s.payload_key) {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(job = %s.id, error = %e, "could not remove an import's upload")
            }
        }
    }
    Ok(removed)
}

/// Every tenant's county code (housekeeping goes through the file store county by county).
///
/// # Errors
/// Database failures.
pub(super) fn tenant_counties(db: &crate::db::Db) -> Result<Vec<i32>, DomainError> {
    use crate::schema::tenants;
    db.in_scope_conn(domain::RegionCode::PLATFORM.subtree(), |c| {
        tenants::table.select(tenants::county_code).load(c).db()
    })
}

/// Removes the imports' uploads that no job names and that were stored more than `age` ago,
/// in every tenant: an upload is stored before its job is queued, so a crash between the two
/// leaves one behind (an upload takes seconds; a day is the usual `age`). Returns how many were
/// removed; one that cannot be is logged and left for the next round.
///
/// # Errors
/// Database failures.
pub fn sweep_orphan_uploads(
    db: &crate::db::Db,
    store: &dyn crate::files::Store,
    age: std::time::Duration,
) -> Result<usize, DomainError> {
    let all = domain::RegionCode::PLATFORM.subtree();
    let mut removed = 0;
    for county in tenant_counties(db)? {
        let uploads = match store.import_uploads(county) {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(county, error = %e, "could not list the imports' uploads");
                continue;
            }
        };
        let old: Vec<(String, Uuid)> = uploads
            .into_iter()
            .filter(|(_, at)| at.elapsed().is_ok_and(|a| a >= age))
            .filter_map(|(key, _)| {
                let id = key
                    .rsplit('/')
                    .next()
                    .and_then(|i| Uuid::parse_str(i).ok())?;
                Some((key, id))
            })
            .collect();
        if old.is_empty() {
            continue;
        }
        let ids: Vec<Uuid> = old.iter().map(|(_, id)| *id).collect();
        let named: std::collections::HashSet<Uuid> = db
            .in_scope_conn(all, |c| {
                jobs::table
                    .filter(jobs::county_code.eq(county))
                    .filter(jobs::id.eq_any(&ids))
                    .select(jobs::id)
                    .load::<Uuid>(c)
                    .db()
            })?
            .into_iter()
            .collect();
        for (key, id) in old {
            if named.contains(&id) {
                continue;
            }
            match store.delete(&key) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(key, error = %e, "could not remove an orphan upload"),
            }
        }
    }
    Ok(removed)
}
