//! Operator commands that act through the use cases: acting as a named user, onboarding every
//! county of a region for a benchmark, importing files from the command line.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use domain::{DomainError, Level, RegionCode};
use infra::app::Ctx;
use infra::app::auth::{caller_with_grants, lookup_login};
use infra::app::cases::{import, sheet};
use infra::app::users::NewUser;
use infra::app::{jobs, tenants, users};
use uuid::Uuid;

use crate::state::AppState;

/// A context acting as `username` with the roles that user holds (no session).
///
/// # Errors
/// When the user does not exist or is disabled.
pub fn acting_as(state: &AppState, username: &str) -> anyhow::Result<Ctx> {
    let found =
        lookup_login(&state.db, username)?.with_context(|| format!("no user {username}"))?;
    anyhow::ensure!(!found.disabled, "{username} is disabled");
    let org = RegionCode::from_i64(found.region_code).map_err(anyhow::Error::msg)?;
    let caller = state.db.in_scope(org.subtree(), |conn| {
        caller_with_grants(
            conn,
            &state.catalog,
            found.id,
            username.to_string(),
            org,
            Uuid::nil(),
        )
    })?;
    Ok(Ctx {
        caller,
        request_id: format!("cli-{}", Uuid::new_v4()),
        now: chrono::Utc::now(),
    })
}

/// Every village (or every county) under `region`.
///
/// # Errors
/// Database failures.
pub fn nodes_under(
    state: &AppState,
    region: RegionCode,
    level: Level,
) -> anyhow::Result<Vec<RegionCode>> {
    Ok(state.db.in_scope(region.subtree(), |tx| {
        infra::regions::codes_at_level(tx, region.subtree(), level)
    })?)
}

/// Onboards every county under `region` (skipping tenants that exist) and gives each an
/// importer account `import.<county>` (county_approver) with `password`.
///
/// # Errors
/// Database failures.
pub fn seed_tenants(
    state: &AppState,
    platform: &Ctx,
    region: RegionCode,
    password: &str,
) -> anyhow::Result<usize> {
    let hash = state.hasher.hash(password)?;
    let mut made = 0;
    for county in nodes_under(state, region, Level::County)? {
        let admin = format!("admin.{:06}", county.county_code());
        let importer = format!("import.{:06}", county.county_code());
        state.db.in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            if tenants::get(conn, county.county_code()).is_err() {
                tenants::onboard(
                    conn,
                    platform,
                    &state.catalog,
                    county,
                    &admin,
                    "管理员",
                    &hash,
                )?;
            }
            if lookup_login(&state.db, &importer)?.is_none() {
                users::create(
                    conn,
                    platform,
                    &state.catalog,
                    &NewUser {
                        username: importer.clone(),
                        display_name: "数据导入".into(),
                        org: county,
                        password_hash: hash.clone(),
                        roles: vec!["county_approver".into()],
                    },
                )?;
            }
            Ok(())
        })?;
        made += 1;
    }
    Ok(made)
}

/// Imports files as `ctx` through the same job code the API uses; prints each summary.
///
/// # Errors
/// Unreadable files or a stopped import.
pub fn import_files(
    state: &AppState,
    ctx: &Ctx,
    files: &[PathBuf],
    dry_run: bool,
) -> anyhow::Result<(usize, f64)> {
    let mut members = 0;
    let started = Instant::now();
    for f in files {
        // Read row by row from the file, twice (import::FileIndex): a few batches of rows are
        // held, never the file's text or all of its rows.
        let mut source = |sink: &mut dyn FnMut(sheet::Row)| {
            let file = std::fs::File::open(f).map_err(|e| {
                DomainError::Unexpected(anyhow::anyhow!("cannot read {}: {e}", f.display()))
            })?;
            sheet::read_job(
                std::io::BufReader::new(file),
                sheet::COLUMNS,
                usize::MAX,
                sink,
            )
        };
        let index = import::FileIndex::read(&mut source)
            .map_err(|e| anyhow::anyhow!("{}: {e:?}", f.display()))?;
        let worker = format!("cli:{}", std::process::id());
        let (job, claimed) = state.db.in_scope(ctx.caller.scope(), |conn| {
            let job = jobs::create(conn, ctx, "household_import", dry_run, index.rows, None)?;
            let claimed = jobs::take(conn, &job, &worker)?;
            Ok((job, claimed))
        })?;
        let summary = match import::run(
            &state.db,
            ctx,
            &state.data_keys,
            &claimed.held(&worker),
            &index,
            &mut source,
            dry_run,
            state.today(),
            import::Pace::FULL,
        ) {
            Ok(summary) => summary,
            Err(e) => {
                // Said on the job at once (households written before stay written, each whole;
                // a rerun of the file finishes it), not left `running` for the stale-job sweep.
                // The job, which county users read, says what the API's worker says; the
                // details (paths, database errors) go to the operator here.
                // Cancelled through the API (`POST /jobs/{id}/cancel`): it stopped at the end
                // of a batch.
                let (status, summary) = if jobs::is_cancel_stop(&e) {
                    ("cancelled", jobs::cancelled_summary("household_import"))
                } else {
                    (
                        "failed",
                        serde_json::json!({ "error": crate::work::JOB_FAILED }),
                    )
                };
                let finished = state.db.in_scope(ctx.caller.scope(), |conn| {
                    jobs::finish(conn, &claimed, &worker, status, &summary)
                });
                if let Err(f) = finished {
                    eprintln!("job {}: could not be marked {status}: {f:?}", job.id);
                }
                if status == "cancelled" {
                    return Err(anyhow::anyhow!(
                        "{}: cancelled (job {}); households imported before stay, each whole",
                        f.display(),
                        job.id
                    ));
                }
                return Err(anyhow::anyhow!("{}: {e:?} (job {})", f.display(), job.id));
            }
        };
        state.db.in_scope(ctx.caller.scope(), |conn| {
            jobs::finish(
                conn,
                &claimed,
                &worker,
                "succeeded",
                &serde_json::to_value(&summary).unwrap_or_default(),
            )
        })?;
        members += summary.members_written;
        eprintln!(
            "{}: {} rows, {} households created, {} updated, {} unchanged, {} refused (job {})",
            f.display(),
            summary.rows,
            summary.households_created,
            summary.households_updated,
            summary.households_unchanged,
            summary.households_refused,
            job.id
        );
    }
    Ok((members, started.elapsed().as_secs_f64()))
}
