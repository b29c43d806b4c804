//! Background work every instance takes part in: jobs and webhook deliveries, claimed from
//! queues in PostgreSQL (`FOR UPDATE SKIP LOCKED`), so any number of instances share them and
//! each piece of work runs once at a time. A claim is a lease renewed while the work runs; when
//! an instance dies its leases run out and another instance takes the work over.
//!
//! [`Background::shutdown`] stops claiming and lets running work finish within a grace
//! period; a job still running after that is taken over by another instance once its lease
//! runs out (imports are idempotent, so the rerun duplicates nothing).

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::web;
use domain::{DomainError, RegionCode};
use infra::app::Ctx;
use infra::app::cases::{import, sheet};
use infra::app::imports;
use infra::app::jobs::{self, Claimed};
use infra::app::webhooks::{self, Outcome};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::config::WorkConfig;
use crate::state::AppState;

/// The background tasks of one instance.
#[derive(Debug)]
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// This instance's worker name (in `jobs.locked_by`).
    pub worker: String,
}

/// Wakes this instance's job workers (a job was just queued here).
#[derive(Debug, Default)]
pub struct Wake(Notify);

impl Wake {
    /// Wakes one idle worker.
    pub fn job_queued(&self) {
        self.0.notify_one();
    }
}

impl Background {
    /// Starts `config.job_workers` job workers and, unless turned off, one delivery loop on the
    /// current runtime.
    pub fn start(state: &AppState, config: &WorkConfig) -> Self {
        let (stop, stopped) = watch::channel(false);
        let worker = format!(
            "{}:{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let mut tasks = Vec::new();
        for i in 0..config.job_workers {
            let name = format!("{worker}/{i}");
            tasks.push(actix_web::rt::spawn(job_loop(
                state.clone(),
                config.clone(),
                name,
                stopped.clone(),
            )));
        }
        if config.webhook_delivery {
            tasks.push(actix_web::rt::spawn(delivery_loop(
                state.clone(),
                config.clone(),
                format!("{worker}/hooks"),
                stopped,
            )));
        }
        Self {
            stop,
            tasks,
            worker,
        }
    }

    /// Stops claiming work and waits up to `grace` for running work to finish.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background work did not finish within the grace period");
        }
    }
}

/// Whether the instance is stopping (or its [`Background`] was dropped).
fn stopping(stopped: &watch::Receiver<bool>) -> bool {
    *stopped.borrow() || stopped.has_changed().is_err()
}

async fn idle(poll: Duration, wake: &Wake, stopped: &mut watch::Receiver<bool>) {
    tokio::select! {
        () = tokio::time::sleep(poll) => {}
        () = wake.0.notified() => {}
        _ = stopped.changed() => {}
    }
}

async fn job_loop(
    state: AppState,
    config: WorkConfig,
    worker: String,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if stopping(&stopped) {
            break;
        }
        let db = state.db.clone();
        let (w, lease, max) = (worker.clone(), config.lease, config.job_max_attempts);
        let per_county = config.county_max_running_jobs;
        match web::block(move || jobs::claim(&db, &w, lease, max, per_county)).await {
            Ok(Ok(Some(job))) => run_job(&state, &config, &worker, job).await,
            Ok(Ok(None)) => idle(config.poll, &state.wake, &mut stopped).await,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not claim a job");
                idle(config.poll, &state.wake, &mut stopped).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not claim a job");
                idle(config.poll, &state.wake, &mut stopped).await;
            }
        }
    }
}

fn county_scope(county: i32) -> Result<domain::Scope, DomainError> {
    RegionCode::from_i64(i64::from(county) * 1_000_000)
        .map(RegionCode::subtree)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))
}

/// Runs one claimed job, renewing its lease meanwhile.
async fn run_job(state: &AppState, config: &WorkConfig, worker: &str, job: Claimed) {
    let id = job.id;
    tracing::info!(job = %id, attempt = job.attempts, worker, "job claimed");
    // Renew the lease at a third of its length while the job runs.
    let renewer = {
        let (db, job, worker, lease) = (
            state.db.clone(),
            job.clone(),
            worker.to_string(),
            config.lease,
        );
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(lease / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                let (db, held, w) = (db.clone(), job.clone(), worker.clone());
                let kept = web::block(move || {
                    db.in_scope(county_scope(held.county_code)?, |c| {
                        jobs::renew(c, &held, &w, lease)
                    })
                })
                .await;
                if let Ok(Ok(false)) = kept {
                    tracing::warn!(job = %job.id, "lost the job's lease to another instance");
                    break;
                }
            }
        })
    };
    let st = state.clone();
    let (w, j) = (worker.to_string(), job.clone());
    let run = web::block(move || execute(&st, &w, &j));
    let outcome = run.await;
    renewer.abort();
    match outcome {
        Ok(Ok(true)) => {
            state.metrics.count("job_succeeded");
            tracing::info!(job = %id, "job finished");
            // What the job wrote is its creator's write: their reads wait for the replica.
            if state.replica.is_some()
                && let Some(user) = job.created_by
            {
                let db = state.db.clone();
                let _ = web::block(move || infra::wal::mark_write(&db, user)).await;
            }
        }
        Ok(Ok(false)) => {
            tracing::info!(job = %id, "job was taken over; its result is the other run's")
        }
        Ok(Err(e)) => {
            state.metrics.count("job_failed");
            tracing::error!(job = %id, error = %e, "job could not be recorded");
        }
        Err(e) => {
            state.metrics.count("job_failed");
            tracing::error!(job = %id, error = %e, "job could not be recorded");
        }
    }
}

/// Loads the job's creator, runs the job as them and records the result. Returns whether this
/// worker's result was recorded.
fn execute(state: &AppState, worker: &str, job: &Claimed) -> Result<bool, DomainError> {
    let scope = county_scope(job.county_code)?;
    let prepared = state.db.in_scope(scope, |conn| {
        let (kind, request_id) = jobs::kind_of(conn, job)?;
        // Read first: a run that ends at once for a cancel keeps the last run's progress and
        // row errors, which a fresh run clears.
        let cancelled = jobs::cancel_requested(conn, job)?;
        let (payload, dry_run) = jobs::start_run(conn, job, !cancelled)?;
        Ok((kind, request_id, payload, dry_run, cancelled))
    })?;
    // The creator's account lies at their org unit, which may be anywhere above the job's
    // county (a city or platform user holding a role at one county): the worker reads that one
    // account, by id, in the platform's scope.
    let job_unit = RegionCode::from_i64(job.region_code)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))?;
    let mut caller = match job.created_by {
        Some(user) => state.db.in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            infra::app::auth::caller_for_job(conn, &state.catalog, user)
        })?,
        None => None,
    };
    let (kind, request_id, payload, dry_run, cancelled) = prepared;
    // A job belongs to the unit its request was bounded by (where the creator holds the
    // permission it needed; `Caller::unit`): it runs bounded the same way, so an export or an
    // import reaches no further than the request that queued it could.
    if let Some(c) = caller.as_mut()
        && job_unit != c.org
        && c.org.subtree().contains(job_unit)
    {
        c.bound = Some(job_unit);
    }
    // Once the job is over its upload goes (from the store, then its key from the row); what
    // cannot go now housekeeping removes later (`jobs::sweep_uploads`).
    let finish = |status: &str, summary: serde_json::Value| -> Result<bool, DomainError> {
        let done = state.db.in_scope(scope, |conn| {
            jobs::finish(conn, job, worker, status, &summary)
        })?;
        if done && let jobs::Payload::Stored(key) = &payload {
            let store = state.attachments.as_ref();
            if let Err(e) = jobs::drop_upload(&state.db, store, job.county_code, job.id, key) {
                tracing::warn!(job = %job.id, error = %e, "could not remove the job's upload");
            }
        }
        Ok(done)
    };
    // Cancelled while its last run was going (which stopped before its next checkpoint, or
    // whose server went away): this run ends it.
    if cancelled {
        return finish("cancelled", jobs::cancelled_summary(&kind));
    }
    let Some(caller) = caller else {
        return finish(
            "failed",
            serde_json::json!({ "error": "the user who started this job can no longer act; start it again" }),
        );
    };
    let ctx = Ctx {
        caller,
        request_id,
        now: state.clock.now(),
    };
    match kind.as_str() {
        "household_import" => {
            // The file is read twice (import::FileIndex): first to count each household's rows,
            // then to import each household once its rows are all read; only a few batches are
            // held.
            // Opened once: an object of an S3 store is downloaded once for both readings.
            let upload = match Upload::open(state, &payload) {
                Ok(upload) => upload,
                Err(e) => return unreadable(e, &finish),
            };
            let mut source = |sink: &mut dyn FnMut(sheet::Row)| upload.read(sheet::COLUMNS, sink);
            let index = match import::FileIndex::read(&mut source) {
                Ok(index) => index,
                Err(e) => return unreadable(e, &finish),
            };
            let today = ctx.today();
            // Requests running on this instance: the import yields to them.
            let busy = || state.db_slots.available_permits() < state.admission_slots;
            let pace = import::Pace {
                duty_percent: state.job_duty_percent,
                busy: &busy,
                lane: Some(&state.import_lane),
            };
            let ran = import::run(
                &state.db,
                &ctx,
                &state.data_keys,
                &job.held(worker),
                &index,
                &mut source,
                dry_run,
                today,
                pace,
            );
            imported(job.id, &kind, ran, &finish)
        }
        "household_export" => {
            let jobs::Payload::Bytes(params) = &payload else {
                return finish(
                    "failed",
                    serde_json::json!({ "error": "an export job without its parameters" }),
                );
            };
            match crate::routes::transfer::run_export_job(state, &ctx, params) {
                Ok(exported) => keep_export(state, worker, job, &kind, exported, &finish),
                Err(DomainError::Unavailable) => Err(DomainError::Unavailable),
                Err(e) => {
                    tracing::error!(job = %job.id, error = ?e, "export failed");
                    finish(
                        "failed",
                        serde_json::json!({ "error": "the export stopped; run it again" }),
                    )
                }
            }
        }
        other => match imports::Kind::from_job_kind(other) {
            Some(k) => run_bulk(
                state,
                &ctx,
                &job.held(worker),
                k,
                &payload,
                dry_run,
                &finish,
            ),
            None => finish(
                "failed",
                serde_json::json!({ "error": format!("unknown job kind {other}") }),
            ),
        },
    }
}

/// Ends an export job whose file is staged: stored under the job's key in the file store, then
/// named on the job (the file first: a job never names a file that is not there), unless the
/// job was cancelled meanwhile (an export has no checkpoint while its query runs: its file is
/// not kept).
fn keep_export(
    state: &AppState,
    worker: &str,
    job: &Claimed,
    kind: &str,
    exported: crate::routes::transfer::Exported,
    finish: &Finish<'_>,
) -> Result<bool, DomainError> {
    let scope = county_scope(job.county_code)?;
    let discard = |why: &str| {
        if let Err(e) = std::fs::remove_file(&exported.staged) {
            tracing::warn!(job = %job.id, error = %e, "could not remove a staged export ({why})");
        }
    };
    match state
        .db
        .in_scope(scope, |conn| jobs::cancel_requested(conn, job))
    {
        Ok(false) => {}
        Ok(true) => {
            discard("cancelled");
            return finish("cancelled", jobs::cancelled_summary(kind));
        }
        Err(e) => {
            discard("the database could not be asked");
            return Err(e);
        }
    }
    let key = infra::files::export_key(job.county_code, job.id);
    if let Err(e) = state.attachments.put(&exported.staged, &key) {
        discard("not stored");
        tracing::error!(job = %job.id, error = %e, "the export's file could not be stored");
        return finish(
            "failed",
            serde_json::json!({ "error": "the export stopped; run it again" }),
        );
    }
    state.db.in_scope(scope, |conn| {
        jobs::attach_result(
            conn,
            job,
            worker,
            &key,
            exported.content_type,
            exported.name,
        )?;
        jobs::finish(
            conn,
            job,
            worker,
            "succeeded",
            &serde_json::json!({ "rows": exported.rows, "bytes": exported.bytes }),
        )
    })
}

/// The rows of an import's file (another sheet than households'), all of them.
fn read_rows(
    state: &AppState,
    payload: &jobs::Payload,
    columns: &'static [sheet::Column],
) -> Result<Vec<sheet::Row>, DomainError> {
    let mut rows = Vec::new();
    Upload::open(state, payload)?.read(columns, &mut |r: sheet::Row| rows.push(r))?;
    Ok(rows)
}

/// An import's file, opened: the file store's file (a local file, or a copy of the object
/// downloaded to the staging directory, removed when this is dropped), or the bytes of an
/// import queued before uploads went to the store.
enum Upload<'p> {
    Bytes(&'p [u8]),
    Stored(infra::files::Opened),
}

impl<'p> Upload<'p> {
    /// A store that cannot be reached is `Unavailable` (the job is taken over later); a missing
    /// object is the file's error.
    fn open(state: &AppState, payload: &'p jobs::Payload) -> Result<Self, DomainError> {
        match payload {
            jobs::Payload::Bytes(bytes) => Ok(Self::Bytes(bytes)),
            jobs::Payload::Stored(key) => state
                .attachments
                .open_file(key)
                .map(Self::Stored)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        DomainError::Unexpected(anyhow::anyhow!(
                            "the upload {key} is not in the store"
                        ))
                    } else {
                        tracing::warn!(error = %e, "the file store cannot be read");
                        DomainError::Unavailable
                    }
                }),
        }
    }

    /// Gives each row to `sink`, from the start, reading row by row so the text of the file is
    /// never held; returns how many rows there were. The file was accepted once, so no row limit
    /// applies. May be called again (each call reads from the start).
    fn read(
        &self,
        columns: &'static [sheet::Column],
        sink: &mut dyn FnMut(sheet::Row),
    ) -> Result<usize, DomainError> {
        match self {
            Self::Bytes(bytes) => {
                sheet::read_job(std::io::Cursor::new(bytes), columns, usize::MAX, sink)
            }
            Self::Stored(opened) => sheet::read_job(
                std::io::BufReader::new(&opened.file),
                columns,
                usize::MAX,
                sink,
            ),
        }
    }
}

/// Runs an import of one of the other sheets (yearly records, village profiles, …) and
/// records its result, as the household import does.
fn run_bulk(
    state: &AppState,
    ctx: &Ctx,
    job: &jobs::Held,
    kind: imports::Kind,
    payload: &jobs::Payload,
    dry_run: bool,
    finish: &Finish<'_>,
) -> Result<bool, DomainError> {
    let rows = match read_rows(state, payload, kind.columns()) {
        Ok(rows) => rows,
        Err(e) => return unreadable(e, finish),
    };
    let env = imports::Env {
        keys: &state.data_keys,
    };
    let ran = imports::run(&state.db, ctx, &env, kind, job, &rows, dry_run);
    imported(job.id, kind.job_kind(), ran, finish)
}

/// How a job ends whose file could not be read: a file store that cannot be reached hands the
/// job back, to be taken over later; any other error fails it, saying why.
fn unreadable(e: DomainError, finish: &Finish<'_>) -> Result<bool, DomainError> {
    match e {
        DomainError::Unavailable => Err(DomainError::Unavailable),
        e => finish(
            "failed",
            serde_json::json!({ "error": format!("the file cannot be read: {e:?}") }),
        ),
    }
}

/// How an import job ends: its summary when it ran; when the database went away mid-run the
/// lease is left to run out and the job to be taken over (imports are idempotent); any other
/// error fails it, and a re-run of the file finishes it.
/// What a failed import's job says to its county (the details are logged, not shown).
pub const JOB_FAILED: &str =
    "the import stopped; rows already imported stay, re-run the file to finish";

fn imported<S: serde::Serialize>(
    id: uuid::Uuid,
    kind: &str,
    ran: Result<S, DomainError>,
    finish: &Finish<'_>,
) -> Result<bool, DomainError> {
    match ran {
        Ok(s) => finish("succeeded", serde_json::to_value(s).unwrap_or_default()),
        Err(e) if jobs::is_cancel_stop(&e) => {
            tracing::info!(job = %id, "cancelled: stopped at a checkpoint");
            finish("cancelled", jobs::cancelled_summary(kind))
        }
        Err(DomainError::Unavailable) => {
            tracing::warn!(job = %id, "the database is unavailable; the job will be taken over");
            Err(DomainError::Unavailable)
        }
        Err(e) => {
            tracing::error!(job = %id, error = ?e, "import failed");
            finish("failed", serde_json::json!({ "error": JOB_FAILED }))
        }
    }
}

/// Records a job's end (its status and summary); true when it was still this worker's job.
type Finish<'a> = dyn Fn(&str, serde_json::Value) -> Result<bool, DomainError> + 'a;

async fn delivery_loop(
    state: AppState,
    config: WorkConfig,
    worker: String,
    mut stopped: watch::Receiver<bool>,
) {
    let client = awc::Client::builder()
        .timeout(config.webhook_timeout)
        .disable_redirects()
        .finish();
    let mut rounds: u64 = 0;
    loop {
        if stopping(&stopped) {
            break;
        }
        // Notice periods end with time: look for ended ones every tenth round.
        if rounds.is_multiple_of(10) {
            let (db, now) = (state.db.clone(), state.clock.now());
            match web::block(move || webhooks::emit_notices_ended(&db, now)).await {
                Ok(Ok(n)) if n > 0 => tracing::info!(notices = n, "notice periods ended"),
                Ok(Err(e)) => tracing::warn!(error = %e, "could not scan notice periods"),
                _ => {}
            }
        }
        rounds += 1;
        let db = state.db.clone();
        let (w, lease) = (
            worker.clone(),
            config.webhook_timeout * 2 + Duration::from_secs(5),
        );
        let claimed = match web::block(move || webhooks::claim(&db, &w, lease, 16)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not claim deliveries");
                Vec::new()
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not claim deliveries");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = tokio::time::sleep(config.poll) => {}
                _ = stopped.changed() => {}
            }
            continue;
        }
        let sends = claimed.into_iter().map(|d| {
            let (client, state, config, worker) = (
                client.clone(),
                state.clone(),
                config.clone(),
                worker.clone(),
            );
            async move {
                let Some(outcome) = send(&client, &state, &config, &d, &worker).await else {
                    // Paused, deleted, unsubscribed or no longer the owner's to read since
                    // it was claimed: given back unsent.
                    return;
                };
                state.metrics.count(match outcome {
                    Outcome::Delivered(_) => "delivery_succeeded",
                    Outcome::Failed { .. } => "delivery_failed",
                });
                let db = state.db.clone();
                let max = config.webhook_max_attempts;
                let done =
                    web::block(move || webhooks::record(&db, &d, &worker, &outcome, max)).await;
                if let Ok(Err(e)) = done {
                    tracing::warn!(error = %e, "could not record a delivery");
                }
            }
        });
        futures_util::future::join_all(sends).await;
    }
}

/// One attempt: resolves the receiver once, refuses special-purpose addresses unless allowed,
/// signs, and POSTs to the address it checked (a second lookup cannot answer otherwise). Every
/// failure before the receiver answers gets the same message, so deliveries cannot be used to
/// map which internal addresses exist; the reason is logged. Right before the POST the
/// delivery is checked again ([`webhooks::go`]): `None` when it is no longer to be sent.
async fn send(
    client: &awc::Client,
    state: &AppState,
    config: &WorkConfig,
    d: &webhooks::Claimed,
    worker: &str,
) -> Option<Outcome> {
    const UNREACHABLE: &str = "could not reach the receiver";
    let failed = |status: Option<u16>, error: String| Outcome::Failed {
        status,
        error,
        retry_in: domain::webhooks::retry_delay(config.webhook_backoff, d.attempts),
    };
    let unreachable = |reason: &str| {
        tracing::info!(delivery = %d.id, reason, "webhook delivery not sent");
        failed(None, UNREACHABLE.into())
    };
    // The lookup within the attempt's time too: one outlasting the lease would let another
    // instance claim the delivery and send it twice.
    let lookup = receiver_address(&d.url, state.webhook_urls.allow_internal);
    let address = match tokio::time::timeout(config.webhook_timeout, lookup).await {
        Ok(Ok(a)) => a,
        Ok(Err(reason)) => return Some(unreachable(&reason)),
        Err(_) => return Some(unreachable("the name lookup timed out")),
    };
    let (db, claimed, who) = (state.db.clone(), d.clone(), worker.to_owned());
    // The POST's own time, renewed from here (the lookup and the waits used the claim's).
    let lease = config.webhook_timeout + Duration::from_secs(5);
    match web::block(move || webhooks::go(&db, &claimed, &who, lease)).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return None,
        Ok(Err(e)) => {
            // Unchecked, not sent: the lease runs out and the delivery is claimed again.
            tracing::warn!(error = %e, "could not check a delivery before sending it");
            return None;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not check a delivery before sending it");
            return None;
        }
    }
    let body = d.body();
    let timestamp = chrono::Utc::now().timestamp();
    let signature = webhooks::sign(&d.secret, timestamp, &body);
    let request = client
        .post(&d.url)
        .address(address)
        .insert_header(("content-type", "application/json"))
        .insert_header(("user-agent", "zhenxing-webhooks/1"))
        .insert_header(("zhenxing-event", d.kind.as_str()))
        .insert_header(("zhenxing-event-id", d.event_id.to_string()))
        .insert_header(("zhenxing-delivery", d.id.to_string()))
        .insert_header(("zhenxing-signature", signature));
    Some(match request.send_body(body).await {
        Ok(res) if res.status().is_success() => Outcome::Delivered(res.status().as_u16()),
        Ok(res) => failed(
            Some(res.status().as_u16()),
            format!("the receiver answered {}", res.status()),
        ),
        Err(e) => unreachable(&e.to_string()),
    })
}

/// The address to deliver to: the URL's host (an IP literal, or every address its name
/// resolves to), refused when any is special-purpose (cloud metadata, the database, this
/// server, …; see `domain::net`) unless `allow_internal`.
async fn receiver_address(url: &str, allow_internal: bool) -> Result<SocketAddr, String> {
    let url = url::Url::parse(url).map_err(|e| format!("unparsable URL: {e}"))?;
    let port = url
        .port_or_known_default()
        .ok_or_else(|| "no port".to_string())?;
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Domain(name)) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| format!("cannot resolve: {e}"))?
            .collect(),
        None => Vec::new(),
    };
    if !allow_internal && let Some(a) = addrs.iter().find(|a| domain::webhooks::is_internal(a.ip()))
    {
        return Err(format!(
            "resolves to the special-purpose address {}",
            a.ip()
        ));
    }
    addrs
        .first()
        .copied()
        .ok_or_else(|| "no address".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn receivers_are_pinned_to_checked_addresses() {
        // IPv6 literals, with and without a port (these failed with "invalid port value").
        assert_eq!(
            receiver_address("https://[2400:cb00::1]/x", false).await,
            Ok("[2400:cb00::1]:443"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")))
        );
        assert_eq!(
            receiver_address("http://[2400:cb00::1]:8080/x", false).await,
            Ok("[2400:cb00::1]:8080"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")))
        );
        // Special-purpose addresses in any spelling, unless allowed.
        for url in [
            "https://198.18.0.1/x",
            "https://2130706433/x",
            "https://[64:ff9b::7f00:1]/x",
            "https://[2002:c0a8:101::]/x",
            "https://localhost/x",
        ] {
            assert!(receiver_address(url, false).await.is_err(), "{url}");
        }
        assert!(receiver_address("https://198.18.0.1/x", true).await.is_ok());
    }
}
