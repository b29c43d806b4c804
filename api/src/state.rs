//! Application state shared by all workers, and the one path from a handler to the database:
//! [`AppState::run`] authenticates the caller and runs a use case inside one scoped
//! transaction on the blocking pool.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, web};
use domain::DomainError;
use domain::authz::Catalog;
use infra::app::Ctx;
use infra::app::auth::{self, SessionPolicy};
use infra::crypto::PasswordHasher;
use infra::db::Db;
use infra::db::Tx;
use infra::jwt::{AccessClaims, KeyRing};
use tokio::sync::Semaphore;

use crate::config::ThrottleConfig;
use crate::error::{ApiError, ApiResult};
use crate::http::middleware::RequestId;
use crate::routes::{Access, Rule};

/// Everything handlers share; cheap to clone (pools and locks are shared).
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database, as the app role.
    pub db: Db,
    /// Signing and verifying keys.
    pub keys: Arc<KeyRing>,
    /// Token and session lifetimes.
    pub sessions: SessionPolicy,
    /// argon2id.
    pub hasher: Arc<PasswordHasher>,
    /// Caps concurrent argon2 computations.
    pub hash_slots: Arc<Semaphore>,
    /// Caps requests waiting for or holding a database connection (admission control): past it
    /// a request waits at most `admission_wait`, then answers 503 instead of queueing on.
    pub db_slots: Arc<Semaphore>,
    /// How long a request may wait for a database slot.
    pub admission_wait: Duration,
    /// The number of `db_slots` (fewer available: requests are running).
    pub admission_slots: usize,
    /// Share of the time an import's batch worker works while requests run (`ZX_JOB_DUTY_PERCENT`).
    pub job_duty_percent: u32,
    /// The instance's import lane: while requests run, one import batch at a time (of every
    /// import job the instance runs) holds it.
    pub import_lane: Arc<std::sync::Mutex<()>>,
    /// Import uploads being read on this instance, counted against the import caps.
    pub uploads_in_flight: Arc<crate::http::uploads_in_flight::UploadsInFlight>,
    /// Attachment uploads this instance is reading, per county and per user (at most
    /// `routes::attachments::MAX_UPLOADS_PER_USER` and `…_PER_COUNTY` at once).
    pub attachment_uploads: Arc<crate::http::uploads_in_flight::UploadsInFlight>,
    /// The slots one county may hold at once (noisy neighbours).
    pub county_slots: Arc<crate::http::county_slots::CountySlots>,
    /// Roles and permissions.
    pub catalog: Arc<Catalog>,
    /// Login throttles.
    pub throttle: Arc<Throttle>,
    /// Keys that encrypt ID numbers and key their search index.
    pub data_keys: Arc<infra::pii::DataKeys>,
    /// Full ID numbers one user may reveal per 24 hours.
    pub reveal_daily_limit: i64,
    /// Exports with full ID numbers one user may make per 24 hours.
    pub revealed_exports_daily_limit: i64,
    /// Exports of any kind one user may make per 24 hours.
    pub exports_daily_limit: i64,
    /// The time use cases see (tests advance it).
    pub clock: infra::clock::Clock,
    /// Whether a platform administrator may move `clock` (`ZX_DEMO_CLOCK`: demos only).
    pub demo_clock: bool,
    /// Request counters and latencies for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The bearer token `/metrics` requires (`None`: only the separate metrics listener serves it).
    pub metrics_token: Option<Arc<secrecy::SecretString>>,
    /// Wakes this instance's job workers when a job is queued here.
    pub wake: Arc<crate::work::Wake>,
    /// Origins allowed per county (cached lookups).
    pub cors: Arc<crate::http::cors::CorsCache>,
    /// Which webhook URLs are accepted.
    pub webhook_urls: infra::app::webhooks::UrlPolicy,
    /// The read replica, when one is configured.
    pub replica: Option<Arc<crate::replica::Replica>>,
    /// Where the built console is (served at `/console/`).
    pub console_dir: Arc<std::path::Path>,
    /// Where stored attachments keep their bytes.
    pub attachments: Arc<dyn infra::files::Store>,
    /// Largest spreadsheet an import route accepts (`ZX_IMPORT_MAX_BYTES`).
    pub import_max_bytes: usize,
    /// Most rows of a spreadsheet an import route accepts (`ZX_IMPORT_MAX_ROWS`).
    pub import_max_rows: usize,
    /// How long an `Idempotency-Key` and its answer are kept (`ZX_IDEMPOTENCY_KEEP_DAYS`), for
    /// the work a handler does before its write ([`infra::app::idempotency::answered`]).
    pub idempotency_keep: Duration,
}

/// What a client address counts against: an IPv4 address itself, an IPv6 address its /64 (one
/// subscriber's network: counted address by address, a spray from one /64 had 2^64 budgets).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

/// Per-account-name and per-IP login throttles, kept in PostgreSQL (`login_attempts`, through
/// `zx_login_*` functions), so every instance sees the same counts.
#[derive(Debug)]
pub struct Throttle {
    /// Limits.
    pub config: ThrottleConfig,
}

impl Throttle {
    /// Throttles with these limits.
    pub fn new(config: ThrottleConfig) -> Self {
        Self { config }
    }

    /// Refuses when the address or the account name has failed too often in the window;
    /// otherwise reserves an attempt against both (counted like a failure until
    /// `throttle_result` settles it), so guesses sent at once cannot all pass.
    ///
    /// # Errors
    /// `TooManyRequests` with the wait.
    pub fn admit(&self, db: &Db, ip: Option<IpAddr>, account: &str) -> Result<(), DomainError> {
        let wait = infra::app::auth::throttle_admit(
            db,
            account,
            ip.map(address_key).as_deref(),
            self.config.window,
            self.config.max_failures,
            self.config.ip_max_failures,
        )?;
        if wait > Duration::ZERO {
            return Err(DomainError::TooManyRequests(wait));
        }
        Ok(())
    }
}

/// An authenticated request: verified token claims and the route's access rule.
#[derive(Debug, Clone)]
pub struct Auth {
    claims: AccessClaims,
    rule: Rule,
    request_id: String,
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ext = req.extensions();
        let found = match (ext.get::<AccessClaims>(), ext.get::<Rule>()) {
            (Some(c), Some(r)) => Ok(Self {
                claims: c.clone(),
                rule: *r,
                request_id: ext
                    .get::<RequestId>()
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
            }),
            _ => Err(DomainError::Unauthorized("missing token").into()),
        };
        std::future::ready(found)
    }
}

/// The request id of a public (unauthenticated) request.
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

impl AppState {
    /// Today in China (UTC+8) by the app's clock (the one tests move).
    pub fn today(&self) -> chrono::NaiveDate {
        infra::clock::china_date(self.clock.now())
    }

    /// Authenticates the caller and runs `f` in one transaction scoped to the caller's org
    /// unit, on the blocking pool. The route's permission is checked before `f` runs.
    ///
    /// # Errors
    /// 401 when the session ended or the user is disabled or moved; 403 without the route's
    /// permission; whatever `f` returns.
    pub async fn run<T: Send + 'static>(
        &self,
        auth: Auth,
        f: impl FnOnce(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        self.run_planned(auth, false, f).await
    }

    /// Checks what [`AppState::run`] checks before its work (session, account, the route's
    /// permission) and nothing more: for a route that must not spend a password-hashing slot
    /// on a caller it refuses anyway (a refused request would hold one otherwise).
    ///
    /// # Errors
    /// As [`AppState::run`].
    pub async fn authorized(&self, auth: Auth) -> ApiResult<()> {
        self.run(auth, |_, _| Ok(())).await
    }

    /// [`AppState::run`] for a request that reads one page of a list (`infra::db::load_page`):
    /// its transaction prices sorting out from its opening message
    /// ([`infra::db::Db::in_scope_pages`]), two round trips fewer than setting it around the
    /// page. Only where `f` reads the page and what goes with it.
    ///
    /// # Errors
    /// As [`AppState::run`].
    pub async fn run_page<T: Send + 'static>(
        &self,
        auth: Auth,
        f: impl FnOnce(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        self.run_planned(auth, true, f).await
    }

    async fn run_planned<T: Send + 'static>(
        &self,
        auth: Auth,
        page: bool,
        f: impl FnOnce(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        let permit = self.admit(&auth).await?;
        let state = self.clone();
        let span = tracing::Span::current();
        let writes = auth.rule.method != "GET";
        let user = auth.claims.sub;
        let result = web::block(move || {
            span.in_scope(|| {
                let alert = (auth.claims.clone(), auth.rule, auth.request_id.clone());
                let out = state
                    .call(&state.db, auth, page, |conn, ctx| {
                        f(conn, ctx).map(|t| (t, ()))
                    })
                    .inspect_err(|e| {
                        if let DomainError::TooManyRequests(_) = e {
                            state.quota_alert(&alert.0, alert.1, &alert.2);
                        }
                        if let DomainError::Conflict {
                            code: domain::ErrorCode::TermOverlaps,
                            ..
                        } = e
                        {
                            state.term_conflict(&alert.0, &alert.2);
                        }
                    })?;
                if writes
                    && state.replica.is_some()
                    && let Err(e) = infra::wal::mark_write(&state.db, user)
                {
                    // Read-your-writes: this user's next reads wait for the replica to get
                    // here. The write has committed: failing the request now would tell the
                    // client it was not saved (and an upload's file would be discarded under
                    // its committed row). Without the mark the next reads may only lag.
                    tracing::warn!(error = ?e, "could not mark the write for read-your-writes");
                }
                Ok::<_, DomainError>(out.0)
            })
        })
        .await?;
        drop(permit);
        Ok(result?)
    }

    /// Records an audit alert when a caller runs past a daily quota (exports, reveals), in a
    /// transaction of its own (the refused one was rolled back), for the county's auditors.
    fn quota_alert(&self, claims: &AccessClaims, rule: Rule, request_id: &str) {
        let Ok(org) = domain::RegionCode::parse(&claims.org) else {
            return;
        };
        let done = self.db.in_scope(org.subtree(), |conn| {
            let (caller, _) = auth::load_caller(conn, &self.catalog, claims)?;
            let ctx = Ctx {
                caller,
                request_id: request_id.to_string(),
                now: self.clock.now(),
            };
            tracing::warn!(user = %ctx.caller.username, route = rule.path, "daily quota exceeded");
            ctx.audit(
                conn,
                "alert.quota_exceeded",
                "route",
                format!("{} {}", rule.method, rule.path),
                org,
                serde_json::json!({ "method": rule.method, "route": rule.path }),
            )
        });
        if let Err(e) = done {
            tracing::error!(error = %e, "could not record a quota alert");
        }
    }

    /// Records a refused team-membership conflict, and an alert when they repeat, in a
    /// transaction of its own (the refused one was rolled back).
    fn term_conflict(&self, claims: &AccessClaims, request_id: &str) {
        let Ok(org) = domain::RegionCode::parse(&claims.org) else {
            return;
        };
        let done = self.db.in_scope(org.subtree(), |conn| {
            let (caller, _) = auth::load_caller(conn, &self.catalog, claims)?;
            let ctx = Ctx {
                caller,
                request_id: request_id.to_string(),
                now: self.clock.now(),
            };
            infra::app::teams::record_term_conflict(conn, &ctx, org)
        });
        if let Err(e) = done {
            tracing::error!(error = %e, "could not record a term conflict");
        }
    }

    /// A read that may be served by the replica: `read` runs there when the replica is up,
    /// within its lag bound and has replayed the caller's own last write; otherwise on the
    /// primary. `audit` then records the read on the primary (it writes).
    ///
    /// # Errors
    /// As [`AppState::run`].
    pub async fn read<T: Send + 'static>(
        &self,
        auth: Auth,
        read: impl Fn(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + Sync + 'static,
        audit: impl FnOnce(&mut Tx<'_>, &Ctx, &T) -> Result<(), DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        self.read_planned(auth, false, read, audit).await
    }

    /// [`AppState::read`] of one page of a list, planned as [`AppState::run_page`] plans it.
    ///
    /// # Errors
    /// As [`AppState::run`].
    pub async fn read_page<T: Send + 'static>(
        &self,
        auth: Auth,
        read: impl Fn(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + Sync + 'static,
        audit: impl FnOnce(&mut Tx<'_>, &Ctx, &T) -> Result<(), DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        self.read_planned(auth, true, read, audit).await
    }

    async fn read_planned<T: Send + 'static>(
        &self,
        auth: Auth,
        page: bool,
        read: impl Fn(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + Sync + 'static,
        audit: impl FnOnce(&mut Tx<'_>, &Ctx, &T) -> Result<(), DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        let permit = self.admit(&auth).await?;
        let state = self.clone();
        let span = tracing::Span::current();
        let result = web::block(move || {
            span.in_scope(|| {
                if let Some(replica) = state.replica.clone().filter(|r| r.usable()) {
                    // The caller is authorized on the primary (a session ended or a grant
                    // removed a moment ago counts at once), with the position of their last
                    // write; only the read itself goes to the replica.
                    let (ctx, mark) = state.call(&state.db, auth.clone(), false, |conn, ctx| {
                        Ok((
                            ctx.clone(),
                            infra::wal::write_mark(conn, ctx.caller.user_id)?,
                        ))
                    })?;
                    let on_replica = |conn: &mut Tx<'_>| {
                        if let Some(m) = mark
                            && !infra::wal::replayed(conn, m)?
                        {
                            return Err(DomainError::Unavailable);
                        }
                        read(conn, &ctx)
                    };
                    let attempt = if page {
                        replica.db.in_scope_pages(ctx.caller.scope(), on_replica)
                    } else {
                        replica.db.in_scope(ctx.caller.scope(), on_replica)
                    };
                    match attempt {
                        Ok(t) => {
                            state.metrics.count("read_replica");
                            state
                                .db
                                .in_scope(ctx.caller.scope(), |conn| audit(conn, &ctx, &t))?;
                            return Ok(t);
                        }
                        // Down, broken, saturated or behind this user's last write: the
                        // primary answers.
                        Err(DomainError::Unavailable | DomainError::Unexpected(_)) => {
                            state.metrics.count("read_replica_skipped");
                        }
                        Err(e) => return Err(e),
                    }
                }
                state.metrics.count("read_primary");
                state
                    .call(&state.db, auth, page, |conn, ctx| {
                        let t = read(conn, ctx)?;
                        audit(conn, ctx, &t)?;
                        Ok((t, ()))
                    })
                    .map(|(t, ())| t)
            })
        })
        .await?;
        drop(permit);
        Ok(result?)
    }

    /// The database a long read (an export) may use, after its caller was authorized on the
    /// primary: the replica when it is within its lag bound and has replayed `user`'s last
    /// write, else the primary. (Replay only moves forward, so the check holds for the read.)
    pub fn read_db(&self, user: uuid::Uuid) -> Db {
        if let Some(r) = self.replica.as_ref().filter(|r| r.usable()) {
            let mark = self.db.unscoped(|c| infra::wal::write_mark(c, user));
            let caught_up = mark.and_then(|m| match m {
                Some(m) => r.db.unscoped(|c| infra::wal::replayed(c, m)),
                None => Ok(true),
            });
            if matches!(caught_up, Ok(true)) {
                self.metrics.count("read_replica");
                return r.db.clone();
            }
            self.metrics.count("read_replica_skipped");
        }
        self.db.clone()
    }

    /// A database slot for one request, or 503 after `admission_wait`: under overload requests
    /// are told to retry quickly instead of queueing without bound.
    ///
    /// The caller's county takes one of its own permits first (at most
    /// `ZX_COUNTY_MAX_CONCURRENT_REQUESTS` at once): a county at its limit waits the same
    /// admission time and is then told 429 `county_busy`, while the instance's slots stay free
    /// for the other counties.
    async fn admit(
        &self,
        auth: &Auth,
    ) -> Result<
        (
            tokio::sync::OwnedSemaphorePermit,
            tokio::sync::OwnedSemaphorePermit,
        ),
        ApiError,
    > {
        let county = domain::RegionCode::parse(&auth.claims.org)
            .map_err(|_| DomainError::Unauthorized("bad org claim"))?
            .county_code();
        let Some(mine) = self.county_slots.acquire(county, self.admission_wait).await else {
            self.metrics.count("county_busy");
            return Err(ApiError::CountyBusy);
        };
        match tokio::time::timeout(self.admission_wait, self.db_slots.clone().acquire_owned()).await
        {
            Ok(Ok(p)) => Ok((mine, p)),
            _ => {
                self.metrics.count("admission_refused");
                Err(DomainError::Unavailable.into())
            }
        }
    }

    /// One scoped transaction on `db` as the authenticated caller, after the route's
    /// permission checks (`page`: planned for one page of a list, [`Db::in_scope_pages`]).
    fn call<T, U>(
        &self,
        db: &Db,
        auth: Auth,
        page: bool,
        f: impl FnOnce(&mut Tx<'_>, &Ctx) -> Result<(T, U), DomainError>,
    ) -> Result<(T, U), DomainError> {
        let org = domain::RegionCode::parse(&auth.claims.org)
            .map_err(|_| DomainError::Unauthorized("bad org claim"))?;
        let body = |conn: &mut Tx<'_>| {
            let (mut caller, forced) = auth::load_caller(conn, &self.catalog, &auth.claims)?;
            // After an administrator's reset the user chooses their own password before
            // anything else: the administrator knows the one they set.
            if forced && !crate::routes::me::open_while_forced(&auth.rule) {
                return Err(DomainError::PasswordChangeRequired);
            }
            if let Access::Permission(p) = auth.rule.access {
                if !caller.has_permission(p) {
                    return Err(DomainError::Forbidden(format!(
                        "you need the permission {p}"
                    )));
                }
                bound_by(conn, &mut caller, p)?;
            }
            if crate::routes::is_record_route(&auth.rule)
                && caller.org.level() < domain::Level::County
            {
                drilldown_bound(conn, &mut caller)?;
            }
            let ctx = Ctx {
                caller,
                request_id: auth.request_id,
                now: self.clock.now(),
            };
            f(conn, &ctx)
        };
        if page {
            db.in_scope_pages(org.subtree(), body)
        } else {
            db.in_scope(org.subtree(), body)
        }
    }

    /// Runs blocking database work that needs no caller (login, refresh, health).
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, DomainError> + Send + 'static,
    ) -> ApiResult<T> {
        let state = self.clone();
        let span = tracing::Span::current();
        Ok(web::block(move || span.in_scope(|| f(&state))).await??)
    }

    /// Runs argon2 work on the blocking pool behind the concurrency cap; when every slot stays
    /// busy for 5 s the request is refused with 503 instead of queueing without end.
    ///
    /// # Errors
    /// 503 when saturated.
    pub async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> ApiResult<T> {
        let permit = tokio::time::timeout(
            Duration::from_secs(5),
            self.hash_slots.clone().acquire_owned(),
        )
        .await
        .map_err(|_| DomainError::Unavailable)?
        .map_err(|_| DomainError::Unavailable)?;
        let state = self.clone();
        let out = web::block(move || {
            let r = f(&state.hasher);
            drop(permit);
            r
        })
        .await?;
        Ok(out)
    }
}

/// Above the county, household records are read where household access
/// (`cases:drilldown`) is held: without it anywhere, 403; held below the request's range (an
/// auditor at one county of a city user's city), the request is narrowed to it, and refused
/// when the two do not meet.
///
/// # Errors
/// 403 as above; database failures.
fn drilldown_bound(
    conn: &mut Tx<'_>,
    caller: &mut domain::authz::Caller,
) -> Result<(), DomainError> {
    use domain::authz::perm::CASES_DRILLDOWN;
    if !caller.has_permission(CASES_DRILLDOWN) {
        return Err(DomainError::Forbidden(format!(
            "above the county, household records need the permission {CASES_DRILLDOWN}; reports and counts are open to you"
        )));
    }
    let Some(unit) = caller.grants_bound(CASES_DRILLDOWN) else {
        return bound_by(conn, caller, CASES_DRILLDOWN);
    };
    let current = caller.bound.unwrap_or(caller.org);
    if current.subtree().contains(unit) {
        if let Some(span) = caller.grants_split(CASES_DRILLDOWN) {
            return Err(DomainError::Forbidden(format!(
                "your roles carrying {CASES_DRILLDOWN} lie at several units under {span} and none covers them all"
            )));
        }
        conn.narrow(unit.subtree())?;
        caller.bound = Some(unit);
        Ok(())
    } else if caller.can_over(CASES_DRILLDOWN, current.subtree()) {
        // A grant covers the whole range already read.
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "{CASES_DRILLDOWN} is granted to you at {unit}, outside the range this request reads"
        )))
    }
}

/// Bounds the rest of the transaction by where `permission` is granted: a city user holding it
/// at one county sees and touches that county only, and another county's objects answer as
/// unknown ones (row-level security itself is narrowed, so no route can forget it). Nothing
/// changes for a caller holding it at their org unit. Routes whose permission depends on the
/// request (reports by kind) call it themselves.
///
/// # Errors
/// `Forbidden` when the grants carrying `permission` lie at several units (counties, townships,
/// villages) that no one grant covers ([`domain::authz::Caller::grants_split`]); database
/// failures.
pub fn bound_by(
    conn: &mut Tx<'_>,
    caller: &mut domain::authz::Caller,
    permission: &str,
) -> Result<(), DomainError> {
    if let Some(span) = caller.grants_split(permission) {
        return Err(DomainError::Forbidden(format!(
            "your roles carrying {permission} lie at several units under {span} and none \
             covers them all; a request reads one range, which would take in the units between: \
             hold a role carrying it at {span} where one may be held there, or use one account \
             per unit"
        )));
    }
    if let Some(bound) = caller.grants_bound(permission) {
        conn.narrow(bound.subtree())?;
        caller.bound = Some(bound);
    }
    Ok(())
}
