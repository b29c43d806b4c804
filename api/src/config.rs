//! Configuration, read once from environment variables into [`Config`] and passed into the
//! application (no globals). Secrets are wrapped so they never print.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | required | the app role (`zhenxing_app`), subject to row-level security |
//! | `MIGRATION_DATABASE_URL` | required for `migrate`, `regions`, `demo` | the owner role (`zhenxing_owner`) |
//! | `ADMIN_DATABASE_URL` | — | a superuser/CREATEROLE URL, only for `bootstrap` |
//! | `ZX_BIND` | `127.0.0.1:8080` | listen address |
//! | `ZX_JWT_KEYS_DIR` | — | directory of `<kid>.pem` Ed25519 keys; unset: one ephemeral key |
//! | `ZX_JWT_KEY_GRACE_HOURS` | `48` | how long a superseded key keeps verifying |
//! | `ZX_JWT_ISSUER` / `ZX_JWT_AUDIENCE` | `zhenxing` / `zhenxing-api` | token `iss` / `aud` |
//! | `ZX_ACCESS_TTL_SECS` | `900` | access-token lifetime (≤ 900) |
//! | `ZX_REFRESH_TTL_HOURS` | `168` | refresh-token lifetime |
//! | `ZX_SESSION_TTL_HOURS` | `720` | absolute session lifetime |
//! | `ZX_DB_POOL_SIZE` | `10` | connections |
//! | `ZX_DB_PREPARED_STATEMENTS` | `true` | cache named prepared statements per connection; `false` behind PgBouncer in transaction mode (docs/deployment.md) |
//! | `ZX_HASH_CONCURRENCY` | number of cores | concurrent argon2 computations |
//! | `ZX_LOGIN_MAX_FAILURES` | `5` | failed logins per account name per window before 429 |
//! | `ZX_LOGIN_IP_MAX_FAILURES` | `100` | failed logins per client address per window before 429 (successes never count) |
//! | `ZX_LOGIN_WINDOW_SECS` | `900` | throttle window |
//! | `ZX_TRUSTED_PROXIES` | — (none) | networks of your reverse proxies and nothing else (`10.0.5.10/32,127.0.0.1/32`: a wider network lets every client in it choose its own address): `X-Forwarded-For` is read right to left past them |
//! | `ZX_BODY_LIMIT_BYTES` | `65536` | largest JSON body |
//! | `ZX_IMPORT_MAX_BYTES` | `209715200` (200 MB) | largest spreadsheet an import route accepts (`POST /imports/…`); a larger upload answers 413 naming the limit, and nothing is written |
//! | `ZX_IMPORT_MAX_ROWS` | `1000000` | most data rows of a spreadsheet an import route accepts; reading stops at the first row over and the upload answers 422 naming `file`, nothing written. Each row read costs about half a kilobyte of memory while the file is checked |
//! | `ZX_LOG_FORMAT` | `text` | `json` for JSON logs |
//! | `ZX_IDEMPOTENCY_KEEP_DAYS` | `7` | days an `Idempotency-Key` and the answer it replays are kept; housekeeping deletes older ones (a retry after that creates anew) |
//! | `ZX_REVEAL_DAILY_LIMIT` | `100` | full ID numbers one user may reveal per 24 hours |
//! | `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` | `5` | different ID numbers of one masked form and birth year one user may try per 24 hours, by search, by registering them (then 429) or by import rows that guess at a member of that form and year (then refused unchecked): such numbers differ only in the month and day the mask hides |
//! | `ZX_REVEALED_EXPORTS_DAILY_LIMIT` | `2` | exports with full ID numbers one user may make per 24 hours |
//! | `ZX_EXPORTS_DAILY_LIMIT` | `50` | exports of any kind one user may make per 24 hours (past a quota: 429 and an audit alert) |
//! | `ZX_DATA_KEYS` | required to serve | `id:base64,…` AES-256 keys for ID numbers (32 bytes each) |
//! | `ZX_DATA_KEY_ACTIVE` | highest id | the key that encrypts new values |
//! | `ZX_BLIND_INDEX_KEY` | required to serve | base64 of 32 bytes; keys the ID-number search index (never change it) |
//! | `ZX_JOB_WORKERS` | `2` | jobs this instance runs at once (0: it runs none) |
//! | `ZX_JOB_DUTY_PERCENT` | `50` | while requests run on this instance, an import's batch workers work at most this share of the time and rest the rest (100: never rest) |
//! | `ZX_JOB_POLL_MS` | `1000` | how often an idle worker looks for work |
//! | `ZX_JOB_LEASE_SECS` | `60` | a claimed job or delivery is taken over when its lease is not renewed for this long |
//! | `ZX_JOB_MAX_ATTEMPTS` | `3` | runs of one job (after its instances died) before it is failed |
//! | `ZX_COUNTY_MAX_RUNNING_JOBS` | `2` | jobs one county may have running at once, across all instances (the rest wait; counties running fewest are served first) |
//! | `ZX_WEBHOOK_MAX_ATTEMPTS` | `10` | delivery attempts before a delivery is marked failed |
//! | `ZX_WEBHOOK_BACKOFF_SECS` | `10` | wait before the first retry; doubles each attempt, at most 6 hours |
//! | `ZX_WEBHOOK_TIMEOUT_SECS` | `10` | how long a receiver has to answer |
//! | `ZX_WEBHOOK_ALLOW_HTTP` | `false` | accept `http://` endpoints (closed networks, tests) |
//! | `ZX_WEBHOOK_ALLOW_INTERNAL` | `false` | accept endpoints on loopback and private addresses |
//! | `REPLICA_DATABASE_URL` | — | app-role URL of a streaming replica for reports and lists |
//! | `ZX_REPLICA_MAX_LAG_MS` | `5000` | a replica further behind than this is skipped |
//! | `ZX_SHUTDOWN_GRACE_SECS` | `30` | on SIGTERM, time given to in-flight requests and jobs |
//! | `ZX_ADMISSION_SLOTS` | 4 × pool size | requests doing database work at once (the rest wait) |
//! | `ZX_ADMISSION_WAIT_MS` | `1000` | longest wait for a slot; then 503 with `Retry-After` |
//! | `ZX_COUNTY_MAX_CONCURRENT_REQUESTS` | pool size ÷ 4 | requests of one county doing database work at once on this instance; the rest wait up to `ZX_ADMISSION_WAIT_MS`, then 429 `county_busy` with `Retry-After` |
//! | `ZX_METRICS_BIND` | — | a separate listen address serving only `/metrics` (e.g. `127.0.0.1:9464`, reachable by Prometheus only) |
//! | `ZX_METRICS_TOKEN` | — | bearer token that `/metrics` requires (on either listener); with neither set, `/metrics` answers 404 |
//! | `ZX_CONSOLE_DIR` | `console/dist` | the built console, served at `/console/` (docs/console.md) |
//! | `ZX_ATTACHMENT_DIR` | `.attachments` | where stored attachments keep their files (docs/operations.md); with `s3`, only uploads in progress (`.staging/`) |
//! | `ZX_ATTACHMENT_STORE` | `local` | `local` (files in `ZX_ATTACHMENT_DIR`) or `s3` (a bucket of an S3-compatible object store; the `ZX_S3_*` variables) |
//! | `ZX_S3_BUCKET` | required with `s3` | the bucket; it must exist and is listed once at startup |
//! | `ZX_S3_ENDPOINT` | — (AWS) | an S3-compatible endpoint, e.g. `https://minio.example:9000` (path-style requests) |
//! | `ZX_S3_REGION` | `us-east-1` | the bucket's region |
//! | `ZX_S3_ACCESS_KEY_ID` / `ZX_S3_SECRET_ACCESS_KEY` | — | static credentials, both or neither (neither: the machine's instance role or web identity) |
//! | `ZX_S3_PREFIX` | — | key prefix inside the bucket (`zhenxing/attachments`); objects are `<prefix>/<county>/<uuid>` |
//! | `ZX_S3_ALLOW_HTTP` | `false` | accept a plain `http://` endpoint (a local MinIO or test server only) |
//! | `ZX_DEMO_CLOCK` | `false` | the demo's controllable clock: a platform administrator may set how many days this instance's use cases run ahead of the real date (`PUT /api/v1/demo/clock`), so a demo or a browser test can let a public notice end. Never on in production: the server warns at start and every change is audited |
//! | `ZX_RETAIN_HOUSEHOLD_EVENTS_DAYS` | `3650` (at least 183) | `retire-months`: households' history months older than this are detached and archived |
//! | `ZX_RETAIN_JOB_ERRORS_DAYS` | `180` (at least 30) | `retire-months`: import jobs' row errors |
//! | `ZX_RETAIN_WEBHOOK_DELIVERIES_DAYS` | `180` (at least 30) | `retire-months`: webhook deliveries (a month with one still pending waits) |
//! | `ZX_RETAIN_LOGIN_ATTEMPTS_DAYS` | `30` (at least 1) | `retire-months`: failed logins kept for the throttles |

use std::time::Duration;

use anyhow::{Context as _, bail};
use infra::crypto::HashCost;
use infra::db::PoolOptions;
use infra::jwt::TokenPolicy;
use secrecy::SecretString;

use crate::http::proxies::TrustedProxies;

/// The default of `ZX_IMPORT_MAX_BYTES`: 200 MB (a county's whole register as one sheet).
pub const IMPORT_MAX_BYTES: usize = 200 * 1024 * 1024;

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// App-role URL.
    pub database_url: SecretString,
    /// Owner-role URL.
    pub migration_url: Option<SecretString>,
    /// Listen address.
    pub bind: String,
    /// Key directory.
    pub keys_dir: Option<std::path::PathBuf>,
    /// Grace period of superseded keys.
    pub key_grace: Duration,
    /// Token issuer, audience, lifetimes.
    pub tokens: TokenPolicy,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
    /// Absolute session lifetime.
    pub session_ttl: Duration,
    /// Pool.
    pub pool: PoolOptions,
    /// argon2 cost.
    pub hash_cost: HashCost,
    /// Concurrent hashes.
    pub hash_concurrency: usize,
    /// Login throttle.
    pub throttle: ThrottleConfig,
    /// Largest JSON body.
    pub body_limit: usize,
    /// Largest spreadsheet an import route accepts (`ZX_IMPORT_MAX_BYTES`).
    pub import_max_bytes: usize,
    /// Most rows of a spreadsheet an import route accepts (`ZX_IMPORT_MAX_ROWS`).
    pub import_max_rows: usize,
    /// Keys for personal data (`None` when not configured).
    pub data_keys: Option<DataKeysConfig>,
    /// Full ID numbers one user may reveal per 24 hours.
    pub reveal_daily_limit: i64,
    /// Different ID numbers of one masked form one user may search per 24 hours.
    pub search_same_mask_daily_limit: i64,
    /// Days an `Idempotency-Key` is kept (`ZX_IDEMPOTENCY_KEEP_DAYS`).
    pub idempotency_keep_days: u32,
    /// Exports with full ID numbers one user may make per 24 hours.
    pub revealed_exports_daily_limit: i64,
    /// Exports of any kind one user may make per 24 hours.
    pub exports_daily_limit: i64,
    /// Background work: jobs and webhook deliveries.
    pub work: WorkConfig,
    /// A streaming replica for reads that may lag (`None`: all reads go to the primary).
    pub replica: Option<ReplicaConfig>,
    /// Time given to in-flight requests and jobs on shutdown.
    pub shutdown_grace: Duration,
    /// Which webhook URLs are accepted.
    pub webhook_urls: infra::app::webhooks::UrlPolicy,
    /// Admission control in front of the database pool.
    pub admission: Admission,
    /// Where `/metrics` is served and what it requires.
    pub metrics: MetricsConfig,
    /// The built console (`index.html` and `assets/`), served at `/console/`.
    pub console_dir: std::path::PathBuf,
    /// Where stored attachments keep their files (with S3: their staged uploads).
    pub attachment_dir: std::path::PathBuf,
    /// Which store keeps attachments.
    pub attachment_store: AttachmentStore,
    /// Whether the demo's clock may be moved (`ZX_DEMO_CLOCK`).
    pub demo_clock: bool,
}

/// Where stored attachments keep their bytes (`ZX_ATTACHMENT_STORE`).
#[derive(Debug, Clone, Default)]
pub enum AttachmentStore {
    /// Files in `ZX_ATTACHMENT_DIR`.
    #[default]
    Local,
    /// A bucket of an S3-compatible object store.
    S3(infra::files::S3Config),
}

impl AttachmentStore {
    /// Reads `ZX_ATTACHMENT_STORE` and, for `s3`, the `ZX_S3_*` variables.
    ///
    /// # Errors
    /// A message naming the variable that is missing or invalid.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(var)
    }

    /// [`Self::from_env`] with variables from `get` (blank values read as unset).
    ///
    /// # Errors
    /// A message naming the variable that is missing or invalid.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        const S3_VARS: [&str; 7] = [
            "ZX_S3_BUCKET",
            "ZX_S3_ENDPOINT",
            "ZX_S3_REGION",
            "ZX_S3_ACCESS_KEY_ID",
            "ZX_S3_SECRET_ACCESS_KEY",
            "ZX_S3_PREFIX",
            "ZX_S3_ALLOW_HTTP",
        ];
        match var("ZX_ATTACHMENT_STORE").as_deref().map(str::trim) {
            None | Some("local") => {
                // S3 settings without the switch are a mistake that would otherwise keep
                // attachments on a disk nobody backs up.
                if let Some(v) = S3_VARS.iter().find(|v| var(v).is_some()) {
                    bail!(
                        "{v} is set but ZX_ATTACHMENT_STORE is not s3: set ZX_ATTACHMENT_STORE=s3, or unset {v}"
                    );
                }
                Ok(Self::Local)
            }
            Some("s3") => {
                let credentials = match (var("ZX_S3_ACCESS_KEY_ID"), var("ZX_S3_SECRET_ACCESS_KEY"))
                {
                    (Some(id), Some(secret)) => {
                        Some((SecretString::from(id), SecretString::from(secret)))
                    }
                    (None, None) => None,
                    (Some(_), None) => bail!(
                        "ZX_S3_SECRET_ACCESS_KEY is not set: set it with ZX_S3_ACCESS_KEY_ID, or neither"
                    ),
                    (None, Some(_)) => bail!(
                        "ZX_S3_ACCESS_KEY_ID is not set: set it with ZX_S3_SECRET_ACCESS_KEY, or neither"
                    ),
                };
                let s3 = infra::files::S3Config {
                    bucket: var("ZX_S3_BUCKET")
                        .context("ZX_S3_BUCKET is not set (ZX_ATTACHMENT_STORE=s3 needs a bucket)")?
                        .trim()
                        .to_string(),
                    endpoint: var("ZX_S3_ENDPOINT").map(|e| e.trim().to_string()),
                    region: var("ZX_S3_REGION")
                        .map_or_else(|| "us-east-1".into(), |r| r.trim().into()),
                    credentials,
                    prefix: var("ZX_S3_PREFIX").unwrap_or_default().trim().to_string(),
                    allow_http: match var("ZX_S3_ALLOW_HTTP") {
                        None => false,
                        Some(v) => v.trim().parse().map_err(|e| {
                            anyhow::anyhow!("ZX_S3_ALLOW_HTTP={v:?} is invalid: {e}")
                        })?,
                    },
                };
                if let Some(p) = s3.problem() {
                    bail!(p);
                }
                Ok(Self::S3(s3))
            }
            Some(other) => bail!("ZX_ATTACHMENT_STORE={other:?} is invalid: local or s3"),
        }
    }
}

/// Who may read `/metrics`. Closed by default: with neither a separate listener nor a token,
/// nobody can (the API listener answers 404).
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// A separate listen address serving only `/metrics`.
    pub bind: Option<String>,
    /// A bearer token `/metrics` requires, on either listener.
    pub token: Option<SecretString>,
}

/// Requests admitted to database work at once, and how long the others wait.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    /// Requests holding or waiting for a connection at once.
    pub slots: usize,
    /// Longest wait for a slot before 503.
    pub wait: Duration,
    /// Slots one county may hold at once (the rest of its requests wait, then 429
    /// `county_busy`): a noisy county cannot take the others' capacity.
    pub per_county: usize,
}

/// The shared work queues, as this instance takes part in them.
#[derive(Debug, Clone)]
pub struct WorkConfig {
    /// Jobs run at once by this instance.
    pub job_workers: usize,
    /// Whether this instance delivers webhooks (`ZX_WEBHOOK_DELIVERY`; an instance that only
    /// answers requests may leave them to the others).
    pub webhook_delivery: bool,
    /// Share of the time (1–100) an import's batch worker works while requests run on this
    /// instance; it rests the remainder (noisy neighbours).
    pub job_duty_percent: u32,
    /// Idle poll interval.
    pub poll: Duration,
    /// Lease of a claimed job or delivery.
    pub lease: Duration,
    /// Runs of a job before it is failed.
    pub job_max_attempts: i32,
    /// Jobs one county may have running at once, across all instances.
    pub county_max_running_jobs: i32,
    /// Delivery attempts before a delivery is failed.
    pub webhook_max_attempts: i32,
    /// First retry delay (doubles).
    pub webhook_backoff: Duration,
    /// Receiver timeout.
    pub webhook_timeout: Duration,
}

impl Default for WorkConfig {
    fn default() -> Self {
        Self {
            job_workers: 2,
            webhook_delivery: true,
            job_duty_percent: 50,
            poll: Duration::from_millis(1000),
            lease: Duration::from_secs(60),
            job_max_attempts: 3,
            county_max_running_jobs: 2,
            webhook_max_attempts: 10,
            webhook_backoff: Duration::from_secs(10),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// A read replica.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    /// App-role URL of the replica.
    pub url: SecretString,
    /// Most lag tolerated.
    pub max_lag: Duration,
}

/// Where the personal-data keys come from.
#[derive(Debug, Clone)]
pub struct DataKeysConfig {
    /// `id:base64,…`.
    pub keys: SecretString,
    /// The key that encrypts.
    pub active: Option<i16>,
    /// Blind-index key, base64.
    pub blind: SecretString,
}

impl DataKeysConfig {
    /// Parses the keys.
    ///
    /// # Errors
    /// Malformed keys.
    pub fn load(&self) -> anyhow::Result<infra::pii::DataKeys> {
        use secrecy::ExposeSecret as _;
        infra::pii::DataKeys::parse(
            self.keys.expose_secret(),
            self.active,
            self.blind.expose_secret(),
        )
    }
}

/// Login throttling limits. Only failures count: successful logins never use up an address's
/// budget (a township office shares one NAT address).
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Failures per account name per window.
    pub max_failures: u32,
    /// Failures per client address per window.
    pub ip_max_failures: u32,
    /// Window.
    pub window: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
}

impl Default for ThrottleConfig {
    /// The documented defaults: 5 failures per account, 100 per address, in 15 minutes; no
    /// trusted proxy.
    fn default() -> Self {
        Self {
            max_failures: 5,
            ip_max_failures: 100,
            window: Duration::from_secs(900),
            trusted_proxies: TrustedProxies::none(),
        }
    }
}

impl ThrottleConfig {
    fn from_env() -> anyhow::Result<Self> {
        if var("ZX_LOGIN_IP_MAX_ATTEMPTS").is_some() {
            bail!(
                "ZX_LOGIN_IP_MAX_ATTEMPTS is no longer read: successful logins no longer count \
                 against an address. Remove it and set ZX_LOGIN_IP_MAX_FAILURES (failed logins \
                 per address per window, default 100) if the default does not fit"
            );
        }
        if parsed("ZX_TRUST_FORWARDED_FOR", false)? {
            bail!(
                "ZX_TRUST_FORWARDED_FOR is no longer read: name your reverse proxies instead, \
                 e.g. ZX_TRUSTED_PROXIES=127.0.0.1/32 (a proxy on this host) or \
                 ZX_TRUSTED_PROXIES=10.0.5.10/32 (the proxy's own address); X-Forwarded-For from any other peer is ignored"
            );
        }
        let d = Self::default();
        Ok(Self {
            max_failures: parsed("ZX_LOGIN_MAX_FAILURES", d.max_failures)?.max(1),
            ip_max_failures: parsed("ZX_LOGIN_IP_MAX_FAILURES", d.ip_max_failures)?.max(1),
            window: Duration::from_secs(parsed("ZX_LOGIN_WINDOW_SECS", d.window.as_secs())?.max(1)),
            trusted_proxies: match var("ZX_TRUSTED_PROXIES") {
                None => TrustedProxies::none(),
                Some(v) => v
                    .parse()
                    .map_err(|e| anyhow::anyhow!("ZX_TRUSTED_PROXIES: {e}"))?,
            },
        })
    }
}

/// How long the tables partitioned by month other than the audit log keep their months
/// (`ZX_RETAIN_*_DAYS`), checked against their floors.
///
/// # Errors
/// A message naming the variable that is invalid or below its floor.
pub fn retention_from_env() -> anyhow::Result<infra::retire::Retention> {
    let d = infra::retire::Retention::default();
    let r = infra::retire::Retention {
        household_events_days: parsed("ZX_RETAIN_HOUSEHOLD_EVENTS_DAYS", d.household_events_days)?,
        job_errors_days: parsed("ZX_RETAIN_JOB_ERRORS_DAYS", d.job_errors_days)?,
        webhook_deliveries_days: parsed(
            "ZX_RETAIN_WEBHOOK_DELIVERIES_DAYS",
            d.webhook_deliveries_days,
        )?,
        login_attempts_days: parsed("ZX_RETAIN_LOGIN_ATTEMPTS_DAYS", d.login_attempts_days)?,
    };
    r.check()
        .map_err(|e| anyhow::anyhow!("ZX_RETAIN_*_DAYS: {e}"))?;
    Ok(r)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={v:?} is invalid: {e}")),
    }
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// A message naming the variable that is missing or invalid.
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = var("DATABASE_URL")
            .context("DATABASE_URL is not set (the zhenxing_app role's connection URL)")?;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let config = Self {
            database_url: SecretString::from(database_url),
            migration_url: var("MIGRATION_DATABASE_URL").map(SecretString::from),
            bind: var("ZX_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            keys_dir: var("ZX_JWT_KEYS_DIR").map(Into::into),
            key_grace: Duration::from_secs(3600 * parsed("ZX_JWT_KEY_GRACE_HOURS", 48_u64)?),
            tokens: TokenPolicy {
                issuer: var("ZX_JWT_ISSUER").unwrap_or_else(|| "zhenxing".into()),
                audience: var("ZX_JWT_AUDIENCE").unwrap_or_else(|| "zhenxing-api".into()),
                access_ttl: Duration::from_secs(parsed("ZX_ACCESS_TTL_SECS", 900_u64)?),
                leeway: Duration::from_secs(10),
            },
            refresh_ttl: Duration::from_secs(3600 * parsed("ZX_REFRESH_TTL_HOURS", 168_u64)?),
            session_ttl: Duration::from_secs(3600 * parsed("ZX_SESSION_TTL_HOURS", 720_u64)?),
            pool: PoolOptions {
                max_size: parsed("ZX_DB_POOL_SIZE", 10_u32)?,
                prepared_statements: parsed("ZX_DB_PREPARED_STATEMENTS", true)?,
                ..PoolOptions::default()
            },
            hash_cost: HashCost::OWASP,
            hash_concurrency: parsed("ZX_HASH_CONCURRENCY", cores)?,
            throttle: ThrottleConfig::from_env()?,
            body_limit: parsed("ZX_BODY_LIMIT_BYTES", 65_536_usize)?,
            import_max_bytes: parsed("ZX_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)?.max(1),
            import_max_rows: parsed(
                "ZX_IMPORT_MAX_ROWS",
                infra::app::cases::sheet::IMPORT_MAX_ROWS,
            )?
            .max(1),
            reveal_daily_limit: parsed("ZX_REVEAL_DAILY_LIMIT", 100_i64)?,
            search_same_mask_daily_limit: parsed("ZX_SEARCH_SAME_MASK_DAILY_LIMIT", 5_i64)?.max(1),
            idempotency_keep_days: parsed("ZX_IDEMPOTENCY_KEEP_DAYS", 7_u32)?.max(1),
            revealed_exports_daily_limit: parsed("ZX_REVEALED_EXPORTS_DAILY_LIMIT", 2_i64)?,
            exports_daily_limit: parsed("ZX_EXPORTS_DAILY_LIMIT", 50_i64)?,
            data_keys: match (var("ZX_DATA_KEYS"), var("ZX_BLIND_INDEX_KEY")) {
                (Some(keys), Some(blind)) => Some(DataKeysConfig {
                    keys: SecretString::from(keys),
                    active: var("ZX_DATA_KEY_ACTIVE")
                        .map(|v| v.trim().parse())
                        .transpose()
                        .map_err(|_| {
                            anyhow::anyhow!("ZX_DATA_KEY_ACTIVE must be a small number")
                        })?,
                    blind: SecretString::from(blind),
                }),
                (None, None) => None,
                _ => bail!("set both ZX_DATA_KEYS and ZX_BLIND_INDEX_KEY, or neither"),
            },
            work: WorkConfig {
                job_workers: parsed("ZX_JOB_WORKERS", 2_usize)?,
                webhook_delivery: parsed("ZX_WEBHOOK_DELIVERY", true)?,
                job_duty_percent: parsed("ZX_JOB_DUTY_PERCENT", 50_u32)?.clamp(1, 100),
                poll: Duration::from_millis(parsed("ZX_JOB_POLL_MS", 1000_u64)?.max(10)),
                lease: Duration::from_secs(parsed("ZX_JOB_LEASE_SECS", 60_u64)?.max(1)),
                job_max_attempts: parsed("ZX_JOB_MAX_ATTEMPTS", 3_i32)?.max(1),
                county_max_running_jobs: parsed("ZX_COUNTY_MAX_RUNNING_JOBS", 2_i32)?.max(1),
                webhook_max_attempts: parsed("ZX_WEBHOOK_MAX_ATTEMPTS", 10_i32)?.max(1),
                webhook_backoff: Duration::from_secs(parsed("ZX_WEBHOOK_BACKOFF_SECS", 10_u64)?),
                webhook_timeout: Duration::from_secs(
                    parsed("ZX_WEBHOOK_TIMEOUT_SECS", 10_u64)?.max(1),
                ),
            },
            replica: match var("REPLICA_DATABASE_URL") {
                Some(url) => Some(ReplicaConfig {
                    url: SecretString::from(url),
                    max_lag: Duration::from_millis(parsed("ZX_REPLICA_MAX_LAG_MS", 5000_u64)?),
                }),
                None => None,
            },
            shutdown_grace: Duration::from_secs(parsed("ZX_SHUTDOWN_GRACE_SECS", 30_u64)?),
            webhook_urls: infra::app::webhooks::UrlPolicy {
                allow_plain: parsed("ZX_WEBHOOK_ALLOW_HTTP", false)?,
                allow_internal: parsed("ZX_WEBHOOK_ALLOW_INTERNAL", false)?,
            },
            admission: Admission {
                // Four requests per connection: enough to keep the pool busy, few enough that
                // none waits long.
                slots: parsed(
                    "ZX_ADMISSION_SLOTS",
                    4 * parsed("ZX_DB_POOL_SIZE", 10_usize)?,
                )?
                .max(1),
                wait: Duration::from_millis(parsed("ZX_ADMISSION_WAIT_MS", 1000_u64)?),
                // A quarter of the pool: a county hammering the instance leaves three quarters
                // of the connections (and of the CPU they would keep busy) to everyone else.
                per_county: parsed(
                    "ZX_COUNTY_MAX_CONCURRENT_REQUESTS",
                    (parsed("ZX_DB_POOL_SIZE", 10_usize)? / 4).max(1),
                )?
                .max(1),
            },
            metrics: MetricsConfig {
                bind: var("ZX_METRICS_BIND"),
                token: var("ZX_METRICS_TOKEN").map(SecretString::from),
            },
            console_dir: var("ZX_CONSOLE_DIR").map_or_else(|| "console/dist".into(), Into::into),
            attachment_dir: var("ZX_ATTACHMENT_DIR")
                .map_or_else(|| ".attachments".into(), Into::into),
            attachment_store: AttachmentStore::from_env()?,
            demo_clock: parsed("ZX_DEMO_CLOCK", false)?,
        };
        config.tokens.validate()?;
        if config
            .metrics
            .token
            .as_ref()
            .is_some_and(|t| secrecy::ExposeSecret::expose_secret(t).len() < 16)
        {
            bail!("ZX_METRICS_TOKEN must be at least 16 characters");
        }
        if config.hash_concurrency == 0 {
            bail!("ZX_HASH_CONCURRENCY must be at least 1");
        }
        Ok(config)
    }

    /// Opens the attachment store: the directory, or the bucket (checked to answer: one
    /// listing).
    ///
    /// # Errors
    /// A message naming the variable whose store cannot be used.
    pub fn open_attachments(&self) -> anyhow::Result<std::sync::Arc<dyn infra::files::Store>> {
        let dir = &self.attachment_dir;
        Ok(match &self.attachment_store {
            AttachmentStore::Local => {
                std::sync::Arc::new(infra::files::LocalStore::open(dir).map_err(|e| {
                    anyhow::anyhow!("ZX_ATTACHMENT_DIR {}: cannot use it: {e}", dir.display())
                })?)
            }
            AttachmentStore::S3(s3) => {
                std::sync::Arc::new(infra::files::S3Store::open(s3, dir).map_err(|e| {
                    anyhow::anyhow!(
                        "ZX_ATTACHMENT_STORE=s3: the bucket ZX_S3_BUCKET={:?} cannot be used \
                         (check ZX_S3_ENDPOINT, ZX_S3_REGION and the credentials), or the \
                         staging directory ZX_ATTACHMENT_DIR {} cannot be made: {e}",
                        s3.bucket,
                        dir.display()
                    )
                })?)
            }
        })
    }

    /// The owner URL, required by commands that change the schema or reference data.
    ///
    /// # Errors
    /// When `MIGRATION_DATABASE_URL` is not set.
    pub fn migration_url(&self) -> anyhow::Result<&SecretString> {
        self.migration_url
            .as_ref()
            .context("MIGRATION_DATABASE_URL is not set (the zhenxing_owner role's connection URL)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(vars: &[(&str, &str)]) -> anyhow::Result<AttachmentStore> {
        AttachmentStore::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        })
    }

    fn refused(vars: &[(&str, &str)]) -> String {
        match store(vars) {
            Ok(s) => panic!("accepted {vars:?}: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_attachment_store_is_local_unless_s3_is_configured_whole() {
        assert!(matches!(store(&[]), Ok(AttachmentStore::Local)));
        assert!(matches!(
            store(&[("ZX_ATTACHMENT_STORE", "local")]),
            Ok(AttachmentStore::Local)
        ));
        let Ok(AttachmentStore::S3(s3)) = store(&[
            ("ZX_ATTACHMENT_STORE", "s3"),
            ("ZX_S3_BUCKET", "zx"),
            ("ZX_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("ZX_S3_ALLOW_HTTP", "true"),
            ("ZX_S3_PREFIX", "zhenxing/attachments"),
            ("ZX_S3_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("ZX_S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"),
        ]) else {
            panic!("a whole S3 configuration was refused");
        };
        assert_eq!(s3.bucket, "zx");
        assert_eq!(s3.region, "us-east-1");
        assert_eq!(s3.prefix, "zhenxing/attachments");
        assert!(s3.allow_http);
        // The secret never prints.
        assert!(!format!("{s3:?}").contains("wJalrXUtnFEMI"));

        // Each mistake is named by its variable.
        for (vars, names) in [
            (vec![("ZX_ATTACHMENT_STORE", "disk")], "ZX_ATTACHMENT_STORE"),
            (vec![("ZX_S3_BUCKET", "zx")], "ZX_ATTACHMENT_STORE=s3"),
            (vec![("ZX_ATTACHMENT_STORE", "s3")], "ZX_S3_BUCKET"),
            (
                vec![
                    ("ZX_ATTACHMENT_STORE", "s3"),
                    ("ZX_S3_BUCKET", "zx"),
                    ("ZX_S3_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ],
                "ZX_S3_SECRET_ACCESS_KEY",
            ),
            (
                vec![
                    ("ZX_ATTACHMENT_STORE", "s3"),
                    ("ZX_S3_BUCKET", "zx"),
                    ("ZX_S3_ENDPOINT", "http://127.0.0.1:9000"),
                ],
                "ZX_S3_ALLOW_HTTP",
            ),
            (
                vec![
                    ("ZX_ATTACHMENT_STORE", "s3"),
                    ("ZX_S3_BUCKET", "zx"),
                    ("ZX_S3_ENDPOINT", "https://key:secret@minio.example"),
                ],
                "ZX_S3_ENDPOINT",
            ),
            (
                vec![
                    ("ZX_ATTACHMENT_STORE", "s3"),
                    ("ZX_S3_BUCKET", "zx"),
                    ("ZX_S3_PREFIX", "/zx/"),
                ],
                "ZX_S3_PREFIX",
            ),
            (
                vec![
                    ("ZX_ATTACHMENT_STORE", "s3"),
                    ("ZX_S3_BUCKET", "zx"),
                    ("ZX_S3_ALLOW_HTTP", "maybe"),
                ],
                "ZX_S3_ALLOW_HTTP",
            ),
        ] {
            let e = refused(&vars);
            assert!(e.contains(names), "{vars:?}: {e}");
            assert!(!e.contains("secret@"), "{e}");
        }
    }
}
