//! Many instances, one database, through PgBouncer in transaction mode (issue 17, part 4).
//!
//! Debian's `pgbouncer` (installed with apt-get when missing) is started on a free port in front
//! of the tests' PostgreSQL, with fewer server connections than the instances' pools hold. The
//! servers run with `prepared_statements: false` (`ZX_DB_PREPARED_STATEMENTS=false`): the
//! installed PgBouncer predates protocol-level prepared statements (1.21).

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use diesel::prelude::*;
use futures_util::future::join_all;
use infra::jwt::KeyRing;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::cluster::free_port;
use crate::helpers::{PASSWORD, TestApp};

/// Server connections PgBouncer keeps per database and user: fewer than 3 instances × 4.
const SERVER_POOL: i64 = 5;

fn pgbouncer_bin() -> PathBuf {
    // One installation at a time (apt-get holds a lock).
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(install_pgbouncer).clone()
}

fn install_pgbouncer() -> PathBuf {
    let find = || {
        ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
    };
    if let Some(p) = find() {
        return p;
    }
    // Debian's package, as the test machine's own files must install what it needs.
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !apt(&[
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "pgbouncer",
    ]) {
        apt(&["update", "-q"]);
        apt(&[
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "pgbouncer",
        ]);
    }
    // The package starts its own instance on 6432; this test runs its own.
    let _ = Command::new("sh")
        .args(["-c", "service pgbouncer stop >/dev/null 2>&1"])
        .status();
    find().unwrap_or_else(|| panic!("pgbouncer is not installed and apt-get could not install it"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PgBouncer in transaction mode in front of the tests' PostgreSQL.
pub struct Bouncer {
    dir: PathBuf,
    pub port: u16,
    child: Option<Child>,
}

impl Bouncer {
    pub fn start_for(upstream: &url::Url) -> Self {
        let dir = PathBuf::from(format!(
            "/var/tmp/zx-pgbouncer-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let port = free_port();
        let host = upstream.host_str().unwrap_or("127.0.0.1");
        let up_port = upstream.port().unwrap_or(5432);
        let conf = format!(
            "[databases]\n* = host={host} port={up_port}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {d}/users.txt\npool_mode = transaction\n\
             default_pool_size = {SERVER_POOL}\nmax_client_conn = 200\n\
             server_reset_query =\nignore_startup_parameters = extra_float_digits\n\
             logfile = {d}/pgbouncer.log\npidfile = {d}/pgbouncer.pid\n",
            d = dir.display()
        );
        std::fs::write(dir.join("pgbouncer.ini"), conf).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.join("users.txt"),
            "\"zhenxing_app\" \"\"\n\"zhenxing_owner\" \"\"\n\"postgres\" \"\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres", &dir.display().to_string()])
                .status();
        }
        let mut b = Self {
            dir,
            port,
            child: None,
        };
        b.start();
        b
    }

    /// Starts (again) on the same port, and waits until it accepts connections.
    pub fn start(&mut self) {
        let bin = pgbouncer_bin();
        let ini = self.dir.join("pgbouncer.ini").display().to_string();
        // PgBouncer refuses to run as root.
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        let child = cmd
            .arg(&ini)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("pgbouncer: {e}"));
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("pgbouncer did not listen: {}", self.log());
    }

    /// Kills it at once (no graceful shutdown), as a crash would.
    pub fn kill(&mut self) {
        let pidfile = self.dir.join("pgbouncer.pid");
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
        {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&pidfile);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn upstream() -> url::Url {
    url::Url::parse(&crate::helpers::admin_url()).unwrap_or_else(|e| panic!("{e}"))
}

/// The config change that puts an instance behind `bouncer`.
fn through(bouncer_port: u16) -> impl Fn(&mut api::config::Config) + Clone {
    move |c: &mut api::config::Config| {
        let mut u =
            url::Url::parse(c.database_url.expose_secret()).unwrap_or_else(|e| panic!("{e}"));
        u.set_port(Some(bouncer_port)).ok();
        c.database_url = SecretString::from(u.to_string());
        c.pool.prepared_statements = false;
    }
}

async fn call(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let m =
        actix_web::http::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut req = client.request(m, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    let mut res = match body {
        Some(b) => req.send_json(&b).await,
        None => req.send().await,
    }
    .unwrap_or_else(|e| panic!("{e}"));
    let bytes = res.body().limit(1 << 24).await.unwrap_or_default();
    (
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Three instances of pool 4 through one PgBouncer holding 5 server connections: a token from
/// one is accepted by the others, a login throttle reached on one holds on the others, and
/// two counties' requests interleaved on the shared server connections never see each
/// other's rows (the scope is set per transaction).
#[actix_web::test]
async fn three_instances_through_pgbouncer_in_transaction_mode() {
    let bouncer = Bouncer::start_for(&upstream());
    let keys_dir = std::env::temp_dir().join(format!("zx-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&keys_dir).unwrap_or_else(|e| panic!("{e}"));
    KeyRing::rotate_dir(&keys_dir, Duration::from_secs(3600), chrono::Utc::now())
        .unwrap_or_else(|e| panic!("{e:#}"));
    let load = || {
        KeyRing::load_dir(&keys_dir, Duration::from_secs(3600), chrono::Utc::now())
            .unwrap_or_else(|e| panic!("{e:#}"))
    };
    let change = through(bouncer.port);
    let mut app = TestApp::spawn_with(change.clone(), Some(load())).await;
    app.onboard("370831");
    app.onboard("370883");
    app.user("clerk.a", "370831001003", &["village_clerk"]);
    app.user("clerk.b", "370883001004", &["village_clerk"]);
    let bases = [
        app.addr.clone(),
        app.start_sibling_full(load(), change.clone()).0,
        app.start_sibling_full(load(), change).0,
    ];
    // A token issued by one instance works on the others.
    let a = app.token("clerk.a").await;
    let (s, _) = call(
        &bases[0],
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "clerk.b", "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, 200);
    let b = {
        let (s, body) = call(
            &bases[1],
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "clerk.b", "password": PASSWORD})),
        )
        .await;
        assert_eq!(s, 200, "{body}");
        body["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    for base in &bases {
        let (s, me) = call(base, "GET", "/api/v1/me", Some(&a), None).await;
        assert_eq!((s, me["username"].as_str()), (200, Some("clerk.a")));
    }
    // Interleaved writes and reads of two counties on all three instances at once.
    let work = (0..30).map(|i| {
        let (base, token, village, county) = if i % 2 == 0 {
            (&bases[i % 3], &a, "370831001003", "370831")
        } else {
            (&bases[i % 3], &b, "370883001004", "370883")
        };
        let n = u32::try_from(i).unwrap_or(0);
        async move {
            let number = format!("{county}-PB{i:03}");
            let (s, body) = call(
                base,
                "POST",
                "/api/v1/households",
                Some(token),
                Some(household(&number, village, &[id_number(county, 100 + n)])),
            )
            .await;
            assert_eq!(s, 201, "{body}");
            let (s, list) = call(
                base,
                "GET",
                "/api/v1/households?limit=200",
                Some(token),
                None,
            )
            .await;
            assert_eq!(s, 200, "{list}");
            let numbers: Vec<String> = list["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| {
                    h["household_number"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            assert!(numbers.contains(&number), "its own write is visible");
            assert!(
                numbers.iter().all(|n| n.starts_with(county)),
                "{county} saw another county's households: {numbers:?}"
            );
        }
    });
    join_all(work).await;
    // The end state per county, read on each instance.
    for base in &bases {
        for (token, county) in [(&a, "370831"), (&b, "370883")] {
            let (s, list) = call(
                base,
                "GET",
                "/api/v1/households?limit=200",
                Some(token),
                None,
            )
            .await;
            assert_eq!(s, 200);
            let items = list["items"].as_array().cloned().unwrap_or_default();
            assert_eq!(items.len(), 15, "{county} on {base}");
        }
    }
    // A login throttle reached on one instance holds on another.
    for _ in 0..5 {
        let (s, _) = call(
            &bases[2],
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "clerk.a", "password": "wrong-wrong-1"})),
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, _) = call(
        &bases[0],
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "clerk.a", "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, 429);
    // The 12 client connections shared at most SERVER_POOL server connections.
    let mut admin =
        PgConnection::establish(&crate::helpers::admin_url()).unwrap_or_else(|e| panic!("{e}"));
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let server_conns = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND usename = 'zhenxing_app'",
    )
    .bind::<diesel::sql_types::Text, _>(&app.db.name)
    .get_result::<N>(&mut admin)
    .map(|r| r.n)
    .unwrap_or(-1);
    assert!(
        (1..=SERVER_POOL).contains(&server_conns),
        "{server_conns} server connections for 12 client connections"
    );
    let _ = std::fs::remove_dir_all(&keys_dir);
}

/// PgBouncer killed in the middle of writes: requests answer 201 or 503 (never 500), requests
/// while it is down answer 503, the server recovers by itself when it is back, the refused
/// requests retried with their idempotency keys apply once, and nothing is half-written.
#[actix_web::test]
async fn pgbouncer_killed_mid_load_answers_503_then_recovers_with_nothing_half_written() {
    let mut bouncer = Bouncer::start_for(&upstream());
    let mut app = TestApp::spawn_with(through(bouncer.port), None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let clerk = app.token("clerk").await;
    let create = |n: u32| {
        let (base, clerk) = (app.addr.clone(), clerk.clone());
        async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let mut res = client
                .post(format!("{base}/api/v1/households"))
                .insert_header(("authorization", format!("Bearer {clerk}")))
                .insert_header(("idempotency-key", format!("pgb-{n}")))
                .send_json(&household(
                    &format!("PGB{n:03}"),
                    "370831001003",
                    &[id_number("370831", 2 * n), id_number("370831", 2 * n + 1)],
                ))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (res.status().as_u16(), body)
        }
    };
    for n in 0..10 {
        assert_eq!(create(n).await.0, 201);
    }
    // Writes in flight when PgBouncer dies.
    let (during, ()) = tokio::join!(join_all((10..30).map(create)), async {
        actix_web::rt::time::sleep(Duration::from_millis(30)).await;
        bouncer.kill();
    });
    for (status, body) in &during {
        assert!(*status == 201 || *status == 503, "{status}: {body}");
        if *status == 503 {
            assert_eq!(body["code"], "unavailable", "{body}");
        }
    }
    // While it is down.
    for n in 30..35 {
        let (status, body) = create(n).await;
        assert_eq!(status, 503, "{body}");
    }
    bouncer.start();
    let mut recovered = false;
    for _ in 0..100 {
        let (s, _) = call(
            &app.addr,
            "GET",
            "/api/v1/households?limit=5",
            Some(&clerk),
            None,
        )
        .await;
        if s == 200 {
            recovered = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the server did not recover: {}", bouncer.log());
    for _ in 0..12 {
        let (s, body) = call(
            &app.addr,
            "GET",
            "/api/v1/households?limit=5",
            Some(&clerk),
            None,
        )
        .await;
        assert_eq!(s, 200, "every pooled connection works again: {body}");
    }
    // Everything retried with its key applies once.
    for n in 10..35 {
        let (status, body) = create(n).await;
        assert_eq!(status, 201, "{body}");
    }
    let mut conn = PgConnection::establish(app.db.owner_url().expose_secret())
        .unwrap_or_else(|e| panic!("{e}"));
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut q = |sql: &str| -> i64 {
        conn.transaction(|c| {
            diesel::sql_query(
                "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
            )
            .execute(c)?;
            diesel::sql_query(sql).get_result::<N>(c).map(|n| n.n)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(q("SELECT count(*) AS n FROM households"), 35);
    assert_eq!(q("SELECT count(*) AS n FROM members"), 70);
    assert_eq!(
        q(
            "SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
           WHERE a.action = 'household.created' AND a.object_id = h.id::text)"
        ),
        0,
        "every household has its audit row"
    );
    assert_eq!(
        q(&format!(
            "SELECT ({}) AS n",
            crate::reports::RECOUNT_MISMATCHES
        )),
        0,
        "rollups equal a recount"
    );
}
