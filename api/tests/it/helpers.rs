//! Test harness: a database per test, cloned from a migrated template, and the real server on
//! an ephemeral port, connected as the app role so row-level security is exercised.
//!
//! The template (migrations + Shandong's division codes) is built once per migration set under
//! an advisory lock, so test binaries running side by side share it safely.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::{HttpServer, web};
use api::config::{Config, ThrottleConfig, WorkConfig};
use api::state::AppState;
use api::work::Background;
use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::RegionCode;
use infra::app::Ctx;
use infra::app::users::NewUser;
use infra::crypto::HashCost;
use infra::db::{Db, PoolOptions};
use infra::jwt::{KeyRing, TokenPolicy};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use uuid::Uuid;

const OWNER_PW: &str = "zhenxing-owner-dev";
const APP_PW: &str = "zhenxing-app-dev";

/// The `/metrics` bearer token of test servers.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123";

/// A password every seeded test user gets.
pub const PASSWORD: &str = "test-password-1";

pub fn admin_url() -> String {
    std::env::var("TEST_ADMIN_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        // No TLS to the loopback server (scripts/lib/pg.sh says why).
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into())
}

fn url_as(user: &str, password: &str, db: &str) -> String {
    let mut u = url::Url::parse(&admin_url()).unwrap_or_else(|e| panic!("bad admin URL: {e}"));
    u.set_username(user).ok();
    u.set_password(Some(password)).ok();
    u.set_path(db);
    u.to_string()
}

fn template_name() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut h = DefaultHasher::new();
    for f in files {
        // Relative names: worktrees with the same migrations share one template (absolute
        // paths made one per checkout, and each dropped the others' as "old").
        f.strip_prefix(&dir).unwrap_or(&f).hash(&mut h);
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    "import-v2:37+61".hash(&mut h);
    format!("zhenxing_tpl_{:016x}", h.finish())
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Comment {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    comment: Option<String>,
}

/// The migrated template database, built at most once per migration set.
pub fn template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = template_name();
        build_template(&name);
        name
    })
}

/// Builds the template `name` unless it is there and complete (another checkout with other
/// migrations may have dropped it since: then it is built again).
fn build_template(name: &str) {
    {
        let name = name.to_string();
        let mut admin = PgConnection::establish(&admin_url())
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_ADMIN_DATABASE_URL ({e}); run the tests with scripts/test"));
        diesel::sql_query("SELECT pg_advisory_lock(7731)")
            .execute(&mut admin)
            .ok();
        let state: Vec<Comment> = diesel::sql_query(
            "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
        )
        .bind::<Text, _>(&name)
        .load(&mut admin)
        .unwrap_or_default();
        let ready = state.first().and_then(|c| c.comment.as_deref()) == Some("zhenxing-ready");
        if !ready {
            if !state.is_empty() {
                diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .ok();
            }
            let owner = SecretString::from(url_as("zhenxing_owner", OWNER_PW, &name));
            let app = SecretString::from(url_as("zhenxing_app", APP_PW, &name));
            infra::migrate::bootstrap(&SecretString::from(admin_url()), &owner, &app)
                .unwrap_or_else(|e| panic!("bootstrap failed: {e:#}"));
            infra::migrate::run_migrations(&owner)
                .unwrap_or_else(|e| panic!("migrations failed: {e:#}"));
            let mut conn =
                PgConnection::establish(owner.expose_secret()).unwrap_or_else(|e| panic!("{e}"));
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/regions");
            let files: Vec<_> = ["provinces", "cities", "areas", "streets", "villages"]
                .iter()
                .map(|f| dir.join(format!("{f}.csv.gz")))
                .collect();
            // Shandong, and Shaanxi for seed 5's relocation figures (Xi'an).
            for prefix in ["37", "61"] {
                let report = infra::regions::import::import_files(&mut conn, &files, Some(prefix))
                    .unwrap_or_else(|e| panic!("region import failed: {e:#}"));
                assert!(
                    report.errors.is_empty(),
                    "{:?}",
                    &report.errors[..report.errors.len().min(3)]
                );
            }
            drop(conn);
            diesel::sql_query(format!("COMMENT ON DATABASE {name} IS 'zhenxing-ready'"))
                .execute(&mut admin)
                .unwrap_or_else(|e| panic!("{e}"));
            // Templates of older migration sets are dead weight: drop those nobody uses. Only
            // stale ones (a day old): other checkouts on this cluster (branches with other
            // migrations) may be using theirs right now.
            #[derive(QueryableByName)]
            struct Old {
                #[diesel(sql_type = Text)]
                datname: String,
            }
            let old: Vec<Old> = diesel::sql_query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'zhenxing\\_tpl\\_%' AND datname <> $1 \
                 AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 day'",
            )
            .bind::<Text, _>(&name)
            .load(&mut admin)
            .unwrap_or_default();
            for db in old {
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", db.datname))
                    .execute(&mut admin)
                    .ok();
            }
        }
        diesel::sql_query("SELECT pg_advisory_unlock(7731)")
            .execute(&mut admin)
            .ok();
    }
}

/// A database of its own for one test, dropped at the end.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    /// The file store of the instances on this database (`ZX_ATTACHMENT_DIR`).
    pub fn attachment_dir(&self) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("zx-attachments-{}", self.name))
    }

    pub fn new() -> Self {
        let template = template();
        let name = format!("zhenxing_t_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url()).unwrap_or_else(|e| panic!("{e}"));
        let mut tries = 0;
        loop {
            let r = diesel::sql_query(format!(
                "CREATE DATABASE {name} TEMPLATE {template} OWNER zhenxing_owner STRATEGY FILE_COPY"
            ))
            .execute(&mut admin);
            match r {
                Ok(_) => break,
                // Another checkout (other migrations) dropped it: build it again.
                Err(e) if tries < 600 && e.to_string().contains("does not exist") => {
                    tries += 1;
                    build_template(template);
                }
                // Another test may be copying the template at this instant.
                Err(e) if tries < 600 && e.to_string().contains("being accessed") => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("cannot create the test database: {e}"),
            }
        }
        Self { name }
    }

    pub fn app_url(&self) -> SecretString {
        SecretString::from(url_as("zhenxing_app", APP_PW, &self.name))
    }

    /// A database with nothing in it yet (the roles exist cluster-wide), dropped at the end.
    pub fn empty() -> Self {
        let name = format!("zhenxing_e_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url()).unwrap_or_else(|e| panic!("{e}"));
        let _ = template();
        diesel::sql_query(format!("CREATE DATABASE {name} OWNER zhenxing_owner"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("{e}"));
        Self { name }
    }

    pub fn owner_url(&self) -> SecretString {
        SecretString::from(url_as("zhenxing_owner", OWNER_PW, &self.name))
    }

    /// A raw connection as the app role (no scope set).
    pub fn app_conn(&self) -> PgConnection {
        PgConnection::establish(self.app_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl TestDb {
    /// Runs `f` as the owner in one transaction scoped to `region`'s subtree: for arranging
    /// states the API cannot reach (moving time back) and for looking at raw rows.
    pub fn as_owner<T>(
        &self,
        region: &str,
        f: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
    ) -> T {
        let scope = code(region).subtree();
        let mut c = PgConnection::establish(self.owner_url().expose_secret())
            .unwrap_or_else(|e| panic!("{e}"));
        c.transaction(|c| {
            diesel::sql_query(format!(
                "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
                scope.lo(),
                scope.hi()
            ))
            .execute(c)?;
            f(c)
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&admin_url()) {
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .ok();
        }
        let _ = std::fs::remove_dir_all(self.attachment_dir());
    }
}

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub fn test_config(db: &TestDb) -> Config {
    let mut config = config_for(db.app_url(), Some(db.owner_url()));
    // The instances of one deployment share the file store (imports' uploads are read back by
    // whichever instance runs the job): every instance on this database uses the same one.
    config.attachment_dir = db.attachment_dir();
    config
}

/// The test configuration for a database given by URL.
pub fn config_for(app_url: SecretString, owner_url: Option<SecretString>) -> Config {
    Config {
        database_url: app_url,
        migration_url: owner_url,
        bind: "127.0.0.1:0".into(),
        keys_dir: None,
        key_grace: Duration::from_secs(3600),
        tokens: TokenPolicy {
            issuer: "zhenxing".into(),
            audience: "zhenxing-api".into(),
            access_ttl: Duration::from_secs(900),
            leeway: Duration::from_secs(10),
        },
        refresh_ttl: Duration::from_secs(3600),
        session_ttl: Duration::from_secs(7200),
        pool: PoolOptions {
            max_size: 4,
            ..PoolOptions::default()
        },
        hash_cost: HashCost::TEST,
        hash_concurrency: 2,
        // The production defaults; the tests stand in for a reverse proxy on this host.
        throttle: ThrottleConfig {
            trusted_proxies: "127.0.0.1/32,::1/128"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
            ..ThrottleConfig::default()
        },
        body_limit: 65_536,
        import_max_bytes: api::config::IMPORT_MAX_BYTES,
        import_max_rows: infra::app::cases::sheet::IMPORT_MAX_ROWS,
        data_keys: None,
        reveal_daily_limit: 3,
        search_same_mask_daily_limit: 3,
        idempotency_keep_days: 7,
        revealed_exports_daily_limit: 2,
        exports_daily_limit: 5,
        work: WorkConfig {
            job_workers: 1,
            webhook_delivery: true,
            job_duty_percent: 100,
            poll: Duration::from_millis(50),
            lease: Duration::from_secs(5),
            job_max_attempts: 3,
            // Unlimited here; tests/it/fair.rs tests the limit.
            county_max_running_jobs: 1000,
            webhook_max_attempts: 10,
            webhook_backoff: Duration::from_millis(200),
            webhook_timeout: Duration::from_secs(5),
        },
        replica: None,
        shutdown_grace: Duration::from_secs(5),
        webhook_urls: infra::app::webhooks::UrlPolicy {
            allow_plain: true,
            allow_internal: true,
        },
        admission: api::config::Admission {
            slots: 64,
            wait: Duration::from_secs(10),
            per_county: 64,
        },
        metrics: api::config::MetricsConfig {
            bind: None,
            token: Some(SecretString::from(METRICS_TOKEN)),
        },
        console_dir: "console/dist".into(),
        attachment_dir: std::env::temp_dir()
            .join(format!("zx-attachments-{}", uuid::Uuid::new_v4())),
        attachment_store: api::config::AttachmentStore::Local,
        demo_clock: false,
    }
}

/// The personal-data keys of this test process: every instance a test starts (in process or
/// as a child process) shares them, as the instances of one deployment do.
pub fn test_data_keys() -> api::config::DataKeysConfig {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    let (keys, blind) = KEYS.get_or_init(|| {
        use base64::Engine as _;
        let mut a = [0_u8; 32];
        let mut b = [0_u8; 32];
        getrandom::fill(&mut a).unwrap_or_else(|e| panic!("{e}"));
        getrandom::fill(&mut b).unwrap_or_else(|e| panic!("{e}"));
        let e = base64::engine::general_purpose::STANDARD;
        (format!("1:{}", e.encode(a)), e.encode(b))
    });
    api::config::DataKeysConfig {
        keys: SecretString::from(keys.clone()),
        active: None,
        blind: SecretString::from(blind.clone()),
    }
}

/// Waits until `ok` holds, checking every 50 ms, for at most `secs` seconds.
pub async fn eventually(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    for _ in 0..(secs * 20) {
        if ok() {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    /// The body's bytes as received (PDF, DOCX).
    pub raw: Vec<u8>,
    pub headers: actix_web::http::header::HeaderMap,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// The running server on its own database.
pub struct TestApp {
    pub addr: String,
    pub state: AppState,
    /// This instance's job workers and delivery loop (they stop when it is dropped).
    _background: Background,
    pub db: TestDb,
    client: awc::Client,
    platform: Option<Ctx>,
}

impl TestApp {
    /// The platform calendar around `from..=to`, as the server reads it.
    pub fn calendar(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> domain::calendar::Calendar {
        infra::app::calendar::load(&mut self.db.app_conn(), from, to)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}, None).await
    }

    /// Spawns with config changes and, optionally, a given key ring.
    pub async fn spawn_with(change: impl FnOnce(&mut Config), keys: Option<KeyRing>) -> Self {
        let db = TestDb::new();
        let mut config = test_config(&db);
        change(&mut config);
        let pool =
            Db::connect(&config.database_url, &config.pool).unwrap_or_else(|e| panic!("{e:#}"));
        let keys = keys.unwrap_or_else(|| KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}")));
        let data_keys = test_data_keys().load().unwrap_or_else(|e| panic!("{e}"));
        let state =
            api::build_state(&config, pool, keys, data_keys).unwrap_or_else(|e| panic!("{e:#}"));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let background = Background::start(&state, &config.work);
        let data = web::Data::new(state.clone());
        let limit = config.body_limit;
        let server = HttpServer::new(move || api::build_app(data.clone(), limit))
            // The suite shares two cores with its own servers and clients: a burst of uploads may
            // wait longer than actix's 5 s for its head to be read (408), which says nothing about
            // the server. Production keeps the default.
            .client_request_timeout(std::time::Duration::from_secs(60))
            // The client keeps idle connections 15 s (awc's default); a server closing them
            // sooner (actix's 5 s) lets a test that blocks its thread for a while (offboarding,
            // a census of every table) reuse a connection the server has dropped.
            .keep_alive(std::time::Duration::from_secs(75))
            .workers(2)
            .disable_signals()
            .listen(listener)
            .unwrap_or_else(|e| panic!("{e}"))
            .run();
        actix_web::rt::spawn(server);
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        Self {
            addr,
            state,
            _background: background,

            db,
            client,
            platform: None,
        }
    }

    /// Starts a second server on the same database (another instance, with its own keys and
    /// process state); returns its base address.
    pub fn start_sibling(&self) -> String {
        self.start_sibling_with(KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}")))
    }

    /// A second server on the same database with the given signing keys.
    pub fn start_sibling_with(&self, keys: KeyRing) -> String {
        self.start_sibling_full(keys, |_| {}).0
    }

    /// A second server on the same database with the given keys and config changes; returns
    /// its address and its state.
    pub fn start_sibling_full(
        &self,
        keys: KeyRing,
        change: impl FnOnce(&mut Config),
    ) -> (String, AppState) {
        let mut config = test_config(&self.db);
        change(&mut config);
        let pool =
            Db::connect(&config.database_url, &config.pool).unwrap_or_else(|e| panic!("{e:#}"));
        let data_keys = test_data_keys().load().unwrap_or_else(|e| panic!("{e}"));
        let state =
            api::build_state(&config, pool, keys, data_keys).unwrap_or_else(|e| panic!("{e:#}"));
        std::mem::forget(Background::start(&state, &config.work));
        let sibling = state.clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let data = web::Data::new(state);
        let limit = config.body_limit;
        let server = HttpServer::new(move || api::build_app(data.clone(), limit))
            // The suite shares two cores with its own servers and clients: a burst of uploads may
            // wait longer than actix's 5 s for its head to be read (408), which says nothing about
            // the server. Production keeps the default.
            .client_request_timeout(std::time::Duration::from_secs(60))
            // The client keeps idle connections 15 s (awc's default); a server closing them
            // sooner (actix's 5 s) lets a test that blocks its thread for a while (offboarding,
            // a census of every table) reuse a connection the server has dropped.
            .keep_alive(std::time::Duration::from_secs(75))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap_or_else(|e| panic!("{e}"))
            .run();
        actix_web::rt::spawn(server);
        (addr, sibling)
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let method = actix_web::http::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut req = self
            .client
            .request(method, format!("{}{}", self.addr, path));
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_json(b).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("request failed: {e}"));
        let bytes = res.body().limit(16 * 1024 * 1024).await.unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Resp {
            status: res.status().as_u16(),
            body,
            raw: bytes.to_vec(),
            headers: res.headers().clone(),
        }
    }

    /// Revokes the grant `grant` of user `user` as `token`'s user.
    pub async fn revoke(&self, token: &str, user: impl std::fmt::Display, grant: &str) -> Resp {
        self.send(
            "DELETE",
            &format!("/api/v1/users/{user}/roles/{grant}"),
            Some(token),
            None,
            &[],
        )
        .await
    }

    /// POST a JSON body without a token (login, refresh, logout).
    pub async fn post_public(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, None, Some(&body), &[]).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send("GET", path, Some(token), None, &[]).await
    }

    /// Puts settings overrides on `region` (`{"overrides": …}` or `{"clear": …}`) as `token`
    /// would from a settings page: reads the layer's ETag first and sends it as `If-Match`.
    pub async fn put_settings(&self, region: &str, token: &str, body: Value) -> Resp {
        let path = format!("/api/v1/settings/{region}");
        let tag = self
            .get(&path, token)
            .await
            .header("etag")
            .unwrap_or_default();
        self.send(
            "PUT",
            &path,
            Some(token),
            Some(&body),
            &[("if-match", tag.as_str())],
        )
        .await
    }

    /// GET with extra headers.
    pub async fn get_with(&self, path: &str, token: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, Some(token), None, headers).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send("POST", path, Some(token), Some(&body), &[]).await
    }

    /// GET with owned arguments (for many requests at once).
    pub async fn get_owned(&self, path: String, token: String) -> Resp {
        self.get(&path, &token).await
    }

    /// POST with owned arguments (for many requests at once).
    pub async fn post_owned(&self, path: String, token: String, body: Value) -> Resp {
        self.post(&path, &token, body).await
    }

    /// Raw bytes with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        self.post_raw_with(path, token, content_type, body, &[])
            .await
    }

    /// [`TestApp::post_raw`] with more headers (`Idempotency-Key`).
    pub async fn post_raw_with(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .client
            .post(format!("{}{}", self.addr, path))
            .insert_header(("content-type", content_type));
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = req
            .send_body(body)
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let bytes = res.body().await.unwrap_or_default();
        Resp {
            status: res.status().as_u16(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            raw: bytes.to_vec(),
            headers: res.headers().clone(),
        }
    }

    /// `PUT /api/v1/me/password` as the holder of `token`.
    pub async fn change_own_password(&self, token: &str, current: &str, new: &str) -> Resp {
        let body = serde_json::json!({"current_password": current, "new_password": new});
        self.send("PUT", "/api/v1/me/password", Some(token), Some(&body), &[])
            .await
    }

    /// Logs in; panics unless it succeeds. Returns (access, refresh).
    pub async fn login(&self, username: &str, password: &str) -> (String, String) {
        let r = self
            .post_public(
                "/api/v1/auth/login",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "login of {username} failed: {:?}", r.body);
        (
            r.body["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r.body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// Access token of a user with the test password.
    pub async fn token(&self, username: &str) -> String {
        self.login(username, PASSWORD).await.0
    }

    /// A platform-administrator context for seeding through the real use cases.
    fn platform(&mut self) -> Ctx {
        if let Some(c) = &self.platform {
            return c.clone();
        }
        let id = api::demo::create_platform_admin(&self.state, "platform.admin", PASSWORD)
            .unwrap_or_else(|e| panic!("{e:#}"));
        let ctx = api::demo::platform_caller(&self.state, id, "platform.admin");
        self.platform = Some(ctx.clone());
        ctx
    }

    /// Onboards a county (6 digits) with admin `admin.<county>`.
    pub fn onboard(&mut self, county: &str) -> String {
        let ctx = self.platform();
        let admin = format!("admin.{county}");
        let hash = self.state.hasher.hash(PASSWORD).unwrap_or_default();
        let catalog = self.state.catalog.clone();
        let c = code(county);
        self.state
            .db
            .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
                infra::app::tenants::onboard(conn, &ctx, &catalog, c, &admin, "Admin", &hash)
            })
            .unwrap_or_else(|e| panic!("onboard {county}: {e:?}"));
        admin
    }

    /// Creates `username` at `org` with `roles` (granted at `org`); returns the user id.
    pub fn user(&mut self, username: &str, org: &str, roles: &[&str]) -> Uuid {
        let ctx = self.platform();
        let hash = self.state.hasher.hash(PASSWORD).unwrap_or_default();
        let catalog = self.state.catalog.clone();
        let new = NewUser {
            username: username.into(),
            display_name: username.into(),
            org: code(org),
            password_hash: hash,
            roles: roles.iter().map(|r| (*r).to_string()).collect(),
        };
        self.state
            .db
            .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
                infra::app::users::create(conn, &ctx, &catalog, &new)
            })
            .unwrap_or_else(|e| panic!("create {username}: {e:?}"))
            .user
            .id
    }
}

/// Offboards Sishui (370831) with `store` as the attachment store: the report and the archive's
/// lines (the archive file is removed).
pub fn offboard_sishui(
    app: &TestApp,
    store: &dyn infra::files::Store,
) -> (infra::offboard::Report, Vec<serde_json::Value>) {
    use std::io::BufRead as _;
    let out = std::env::temp_dir().join(format!("offboard-{}.jsonl.gz", Uuid::new_v4()));
    let report = infra::offboard::run(
        app.db.owner_url().expose_secret(),
        370831,
        &out,
        "test",
        store,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let lines = std::io::BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&out).unwrap_or_else(|e| panic!("{e}")),
    ))
    .lines()
    .map(|l| serde_json::from_str(&l.unwrap_or_default()).unwrap_or_default())
    .collect();
    let _ = std::fs::remove_file(&out);
    (report, lines)
}
