//! Private PostgreSQL clusters for tests that must stop, restart or replicate a server (the
//! shared one on 5432 cannot be touched): started with this machine's initdb and pg_ctl, as the
//! postgres user when the tests run as root, removed at the end.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use api::config::ReplicaConfig;
use api::state::AppState;
use diesel::prelude::*;
use domain::RegionCode;
use infra::app::users::NewUser;
use infra::db::Db;
use infra::jwt::KeyRing;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, config_for, test_data_keys};

/// The village of the clerk.
pub const V: &str = "370831001003";

pub fn pg_bin(name: &str) -> PathBuf {
    if let Ok(out) = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        && out.status.success()
    {
        let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !p.is_empty() {
            return PathBuf::from(p);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("{name} not found: install PostgreSQL's server package"))
}

/// Runs a PostgreSQL program as the `postgres` user when we are root (initdb refuses root).
pub fn pg(name: &str, args: &[&str]) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let bin = pg_bin(name);
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Two private clusters, stopped and removed at the end.
pub struct Clusters {
    pub dir: PathBuf,
    pub primary: u16,
    pub replica: u16,
}

impl Clusters {
    pub fn data(&self, which: &str) -> String {
        self.dir.join(which).display().to_string()
    }

    pub fn start(&self, which: &str, port: u16) {
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off \
             -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c max_connections=60",
            self.dir.display()
        );
        let log = self.dir.join(format!("{which}.log")).display().to_string();
        pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(which),
                "-l",
                &log,
                "-w",
                "-o",
                &opts,
                "start",
            ],
        );
    }

    pub fn stop(&self, which: &str) {
        let data = self.data(which);
        if Path::new(&data).join("postmaster.pid").exists() {
            pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
    }

    pub fn url(&self, port: u16, user: &str, password: &str, db: &str) -> SecretString {
        SecretString::from(format!(
            "postgres://{user}:{password}@127.0.0.1:{port}/{db}"
        ))
    }

    pub fn superuser(&self, port: u16) -> PgConnection {
        PgConnection::establish(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for Clusters {
    fn drop(&mut self) {
        self.stop("replica");
        self.stop("primary");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn make_clusters() -> Clusters {
    let dir = PathBuf::from(format!(
        "/var/tmp/zx-replica-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(dir.join("primary")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join("replica")).unwrap_or_else(|e| panic!("{e}"));
    // The clusters belong to the user that runs them.
    let _ = Command::new("chown")
        .args(["-R", "postgres", &dir.display().to_string()])
        .status();
    let _ = Command::new("chmod")
        .args(["700", &dir.join("replica").display().to_string()])
        .status();
    let c = Clusters {
        primary: free_port(),
        replica: free_port(),
        dir,
    };
    pg(
        "initdb",
        &[
            "-D",
            &c.data("primary"),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ],
    );
    c.start("primary", c.primary);
    c
}

impl Clusters {
    /// Roles, schema and one county's division codes on the primary; returns the owner and
    /// app URLs.
    pub fn prepare(&self, regions: &str) -> (SecretString, SecretString) {
        let admin = SecretString::from(format!(
            "postgres://postgres@127.0.0.1:{}/postgres",
            self.primary
        ));
        let owner = self.url(self.primary, "zhenxing_owner", "owner-pw", "zhenxing");
        let app = self.url(self.primary, "zhenxing_app", "app-pw", "zhenxing");
        infra::migrate::bootstrap(&admin, &owner, &app).unwrap_or_else(|e| panic!("{e:#}"));
        infra::migrate::run_migrations(&owner).unwrap_or_else(|e| panic!("{e:#}"));
        let mut conn =
            PgConnection::establish(owner.expose_secret()).unwrap_or_else(|e| panic!("{e}"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/regions");
        let files: Vec<_> = ["provinces", "cities", "areas", "streets", "villages"]
            .iter()
            .map(|f| dir.join(format!("{f}.csv.gz")))
            .collect();
        infra::regions::import::import_files(&mut conn, &files, Some(regions))
            .unwrap_or_else(|e| panic!("{e:#}"));
        (owner, app)
    }
}

/// Server state on the private primary, with the replica when `max_lag` is given.
pub fn app_state(c: &Clusters, max_lag: Option<Duration>) -> (AppState, api::config::Config) {
    let owner = c.url(c.primary, "zhenxing_owner", "owner-pw", "zhenxing");
    let app = c.url(c.primary, "zhenxing_app", "app-pw", "zhenxing");
    let mut config = config_for(app, Some(owner));
    config.replica = max_lag.map(|max_lag| ReplicaConfig {
        url: c.url(c.replica, "zhenxing_app", "app-pw", "zhenxing"),
        max_lag,
    });
    let db = Db::connect(&config.database_url, &config.pool).unwrap_or_else(|e| panic!("{e:#}"));
    let keys = KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}"));
    let data_keys = test_data_keys().load().unwrap_or_else(|e| panic!("{e}"));
    let state = api::build_state(&config, db, keys, data_keys).unwrap_or_else(|e| panic!("{e:#}"));
    (state, config)
}

/// The platform admin, Sishui, its clerk (village `V`) and approver.
pub fn seed_users(state: &AppState) {
    let admin = api::demo::create_platform_admin(state, "platform.admin", PASSWORD)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let ctx = api::demo::platform_caller(state, admin, "platform.admin");
    let hash = state.hasher.hash(PASSWORD).unwrap_or_default();
    let county = RegionCode::parse("370831").unwrap_or_else(|e| panic!("{e}"));
    state
        .db
        .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            infra::app::tenants::onboard(
                conn,
                &ctx,
                &state.catalog,
                county,
                "admin.370831",
                "Admin",
                &hash,
            )?;
            for (name, org, role) in [
                ("clerk", V, "village_clerk"),
                ("approver", "370831", "county_approver"),
            ] {
                infra::app::users::create(
                    conn,
                    &ctx,
                    &state.catalog,
                    &NewUser {
                        username: name.into(),
                        display_name: name.into(),
                        org: RegionCode::parse(org).unwrap_or(county),
                        password_hash: hash.clone(),
                        roles: vec![role.into()],
                    },
                )?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// Serves `state` on a free port; returns a client of it.
pub fn serve(state: &AppState, config: &api::config::Config) -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let data = actix_web::web::Data::new(state.clone());
    let limit = config.body_limit;
    actix_web::rt::spawn(
        actix_web::HttpServer::new(move || api::build_app(data.clone(), limit))
            // The suite shares two cores with its own servers and clients: a burst of uploads may
            // wait longer than actix's 5 s for its head to be read (408), which says nothing about
            // the server. Production keeps the default.
            .client_request_timeout(std::time::Duration::from_secs(60))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap_or_else(|e| panic!("{e}"))
            .run(),
    );
    Client {
        base,
        http: awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish(),
    }
}

/// A client of a server the test started.
pub struct Client {
    pub base: String,
    pub http: awc::Client,
}

impl Client {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_with(method, path, token, body, &[]).await
    }

    /// A request with extra headers; answers the status and the body.
    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let m = actix_web::http::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut req = self.http.request(m, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("{e}"));
        let bytes = res.body().limit(1 << 24).await.unwrap_or_default();
        (
            res.status().as_u16(),
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())),
        )
    }

    pub async fn token(&self, user: &str) -> String {
        let (s, b) = self
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"username": user, "password": PASSWORD})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["access_token"].as_str().unwrap_or_default().to_string()
    }

    pub async fn numbers(&self, token: &str) -> Vec<String> {
        let (s, b) = self
            .call("GET", "/api/v1/households?limit=200", Some(token), None)
            .await;
        assert_eq!(s, 200, "{b}");
        b["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                h["household_number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }
}
