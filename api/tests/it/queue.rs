//! The shared job queue: three instances behind round-robin requests, jobs run exactly once,
//! a job survives its instance being killed, and a stopping instance finishes its job first.

use std::process::{Child, Command};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Text};
use infra::jwt::KeyRing;
use secrecy::ExposeSecret as _;
use serde_json::Value;

use crate::cases::id_number;
use crate::helpers::{TestApp, eventually, test_data_keys};
use crate::transfer::{HEADER, row};

/// A sheet of `n` one-person households numbered `{tag}-0000…` in the clerk's village.
pub(crate) fn sheet(tag: &str, first: u32, n: u32) -> Vec<u8> {
    let mut lines = vec![HEADER.to_string()];
    for i in 0..n {
        lines.push(row(
            &format!("{tag}-{i:04}"),
            "370831001003",
            &format!("户主{i}"),
            &id_number("370831", first + i),
            "户主",
            "因病",
            "4200",
        ));
    }
    (lines.join("\n") + "\n").into_bytes()
}

#[derive(QueryableByName, Debug)]
struct JobState {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    locked_by: Option<String>,
}

fn job_state(app: &TestApp, id: &str) -> JobState {
    app.db.as_owner("370831", |c| {
        diesel::sql_query("SELECT status, attempts, locked_by FROM jobs WHERE id = $1::uuid")
            .bind::<Text, _>(id)
            .get_result(c)
    })
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .as_owner("370831", |c| diesel::sql_query(sql).get_result::<N>(c))
        .n
}

/// Households of the county not written whole: without exactly `members` members, without
/// their yearly record, or without their history (each household is all or nothing).
fn half_written(app: &TestApp, members: i64) -> i64 {
    count(
        app,
        &format!(
            "SELECT count(*) AS n FROM households h
              WHERE (SELECT count(*) FROM members m
                      WHERE m.county_code = h.county_code AND m.household_id = h.id) <> {members}
                 OR NOT EXISTS (SELECT 1 FROM household_years y
                      WHERE y.county_code = h.county_code AND y.household_id = h.id)
                 OR NOT EXISTS (SELECT 1 FROM household_events e
                      WHERE e.county_code = h.county_code AND e.household_id = h.id)"
        ),
    )
}

/// Uploads a file as a client should: a 503 (the instance busy: nothing was queued) is tried
/// again after its `Retry-After`, a few times. A hundred uploads at once on a loaded machine
/// can wait past the admission limit; what is checked is that each file runs exactly once.
async fn send_raw(base: &str, token: &str, body: Vec<u8>) -> (u16, Value) {
    for _ in 0..5 {
        let mut r = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish()
            .post(format!("{base}/api/v1/imports/households"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("content-type", "text/csv"))
            .send_body(body.clone())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let v: Value = r.json().await.unwrap_or_default();
        if r.status().as_u16() != 503 {
            return (r.status().as_u16(), v);
        }
        let wait: u64 = r
            .headers()
            .get("retry-after")
            .and_then(|h| h.to_str().ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        actix_web::rt::time::sleep(Duration::from_secs(wait)).await;
    }
    panic!("the upload was refused as busy five times")
}

fn shared_keys() -> (std::path::PathBuf, impl Fn() -> KeyRing) {
    let dir = std::env::temp_dir().join(format!("zx-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    KeyRing::rotate_dir(&dir, Duration::from_secs(3600), chrono::Utc::now())
        .unwrap_or_else(|e| panic!("{e:#}"));
    let d = dir.clone();
    (dir, move || {
        KeyRing::load_dir(&d, Duration::from_secs(3600), chrono::Utc::now())
            .unwrap_or_else(|e| panic!("{e:#}"))
    })
}

#[actix_web::test]
async fn a_hundred_jobs_over_three_instances_each_run_exactly_once() {
    let (dir, load) = shared_keys();
    let mut app = TestApp::spawn_with(|_| {}, Some(load())).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let (b, _) = app.start_sibling_full(load(), |_| {});
    let (c, _) = app.start_sibling_full(load(), |_| {});
    let bases = [app.addr.clone(), b, c];
    // The province lets one user queue a hundred imports (the default cap is 2 per user and 6
    // per county: imports.max_running_per_user / _per_county).
    let p = app.token("platform.admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&serde_json::json!({"overrides": {"imports": {"max_running_per_user": 100, "max_running_per_county": 1000}}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A flow that crosses instances: the token comes from the first.
    let token = app.token("clerk").await;
    let sends = (0..100_u32).map(|i| {
        let (base, token) = (bases[i as usize % 3].clone(), token.clone());
        async move { send_raw(&base, &token, sheet(&format!("Q{i:03}"), 1000 + i, 1)).await }
    });
    let answers = futures_util::future::join_all(sends).await;
    let ids: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 202, "{body}");
            body["id"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    eventually("the hundred jobs", 120, || {
        count(
            &app,
            "SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')",
        ) == 0
    })
    .await;
    let mut workers = std::collections::BTreeSet::new();
    for id in &ids {
        let s = job_state(&app, id);
        assert_eq!(s.status, "succeeded", "{id}: {s:?}");
        assert_eq!(s.attempts, 1, "{id} ran more than once: {s:?}");
        workers.extend(
            s.locked_by
                .and_then(|w| w.split('/').next().map(str::to_owned)),
        );
    }
    // Exactly one household per job: nothing ran twice, nothing was lost.
    assert_eq!(count(&app, "SELECT count(*) AS n FROM households"), 100);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_events WHERE action = 'household.created'"
        ),
        100
    );
    // Every job was read back through another instance than the one that queued it.
    for (i, id) in ids.iter().enumerate() {
        let base = &bases[(i + 1) % 3];
        let mut r = awc::Client::default()
            .get(format!("{base}/api/v1/jobs/{id}"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let v: Value = r.json().await.unwrap_or_default();
        assert_eq!(v["status"], "succeeded");
        assert_eq!(v["summary"]["households_created"], 1, "{v}");
    }
    assert!(
        workers.len() >= 2,
        "the work should be shared, ran on {workers:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server process on the test's database, running jobs.
struct Server {
    child: Child,
    log: std::path::PathBuf,
    base: String,
}

impl Server {
    fn start(app: &TestApp, lease_secs: u32) -> Self {
        Self::start_with(app, lease_secs, None)
    }

    /// With `keys`, the signing-key directory the other instances share (so their tokens work).
    fn start_with(app: &TestApp, lease_secs: u32, keys_dir: Option<&std::path::Path>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let keys = test_data_keys();
        let log = std::env::temp_dir().join(format!("zx-child-{}.log", uuid::Uuid::new_v4()));
        let file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
        let out = file.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhenxing"));
        cmd.arg("serve").env_clear();
        if let Some(dir) = keys_dir {
            cmd.env("ZX_JWT_KEYS_DIR", dir);
        }
        let child = cmd
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", app.db.app_url().expose_secret())
            .env("ZX_ATTACHMENT_DIR", app.db.attachment_dir())
            .env("ZX_BIND", format!("127.0.0.1:{port}"))
            .env("ZX_DATA_KEYS", keys.keys.expose_secret())
            .env("ZX_BLIND_INDEX_KEY", keys.blind.expose_secret())
            .env("ZX_JOB_WORKERS", "1")
            .env("ZX_JOB_POLL_MS", "50")
            .env("ZX_JOB_LEASE_SECS", lease_secs.to_string())
            .env("ZX_SHUTDOWN_GRACE_SECS", "60")
            .env("RUST_LOG", "info")
            .stdout(out)
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the server: {e}"));
        Self {
            child,
            log,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

async fn queue_big_import(app: &TestApp, token: &str, n: u32) -> String {
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(token),
            "text/csv",
            sheet("BIG", 5000, n),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

#[actix_web::test]
async fn a_job_whose_instance_is_killed_is_taken_over_and_finishes_once() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    // Eight batches of the import's 1,000 households: with two workers, several rounds remain
    // after the first commit, so the kill lands mid-run however fast a batch is written.
    const HOUSEHOLDS: u32 = 8000;
    // This instance takes requests but runs no jobs until the other one is dead.
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let mut other = Server::start(&app, 2);
    let id = queue_big_import(&app, &token, HOUSEHOLDS).await;
    // Kill the other instance as soon as it has written part of the file.
    eventually("the other instance to start the job", 60, || {
        count(&app, "SELECT count(*) AS n FROM households") > 0
    })
    .await;
    other.child.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = other.child.wait();
    let first = job_state(&app, &id);
    assert_eq!(
        first.status,
        "running",
        "killed mid-run: {first:?}\n{}",
        other.log()
    );
    let partial = count(&app, "SELECT count(*) AS n FROM households");
    assert!(
        partial < i64::from(HOUSEHOLDS),
        "the import should have been cut short"
    );
    // What the dead instance wrote, it wrote whole: member, yearly record and history.
    assert_eq!(half_written(&app, 1), 0, "killed mid-run");
    // This instance starts working: it takes the job over when the dead one's lease runs out.
    let background = api::work::Background::start(
        &app.state,
        &api::config::WorkConfig {
            job_workers: 1,
            poll: Duration::from_millis(50),
            lease: Duration::from_secs(2),
            ..api::config::WorkConfig::default()
        },
    );
    eventually("the job to be finished by the survivor", 120, || {
        job_state(&app, &id).status != "running"
    })
    .await;
    let done = job_state(&app, &id);
    assert_eq!(done.status, "succeeded", "{done:?}");
    assert_eq!(done.attempts, 2, "run once, taken over once: {done:?}");
    assert!(
        done.locked_by
            .as_deref()
            .is_some_and(|w| w.starts_with(&background.worker)),
        "{done:?}"
    );
    // Nothing doubled: every household once, every member once, no duplicate row errors.
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM households"),
        i64::from(HOUSEHOLDS)
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM members"),
        i64::from(HOUSEHOLDS)
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(DISTINCT household_number) AS n FROM households"
        ),
        i64::from(HOUSEHOLDS)
    );
    let job = app.get(&format!("/api/v1/jobs/{id}"), &token).await;
    assert_eq!(job.body["error_rows"], 0, "{:?}", job.body);
    assert_eq!(
        job.body["summary"]["households_created"]
            .as_i64()
            .unwrap_or(0)
            + job.body["summary"]["households_unchanged"]
                .as_i64()
                .unwrap_or(0),
        i64::from(HOUSEHOLDS),
        "{:?}",
        job.body
    );
    background.shutdown(Duration::from_secs(5)).await;
}

#[actix_web::test]
async fn a_stopping_instance_finishes_its_job_before_it_exits() {
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let mut other = Server::start(&app, 30);
    let id = queue_big_import(&app, &token, 600).await;
    eventually("the other instance to start the job", 60, || {
        count(&app, "SELECT count(*) AS n FROM households") > 0
    })
    .await;
    // SIGTERM, as an orchestrator stops a server.
    let pid = other.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()));
    let mut exited = None;
    for _ in 0..1200 {
        if let Ok(Some(status)) = other.child.try_wait() {
            exited = Some(status);
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let status = exited.unwrap_or_else(|| panic!("the server did not stop\n{}", other.log()));
    assert!(status.success(), "{status:?}\n{}", other.log());
    let done = job_state(&app, &id);
    assert_eq!(done.status, "succeeded", "{done:?}\n{}", other.log());
    assert_eq!(done.attempts, 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM households"), 600);
    assert!(
        other.log().contains("finishing background work"),
        "{}",
        other.log()
    );
}

#[actix_web::test]
async fn a_server_killed_amid_disbursements_leaves_no_partial_write_and_retries_do_not_double() {
    let (dir, load) = shared_keys();
    let mut app = TestApp::spawn_with(|_| {}, Some(load())).await;
    app.onboard("370831");
    app.user("funds", "370831", &["fund_officer"]);
    let officer = app.token("funds").await;
    let project = crate::funds::allocated_project(&app, &officer, "370831001003").await;
    let mut other = Server::start_with(&app, 30, Some(&dir));
    eventually("the other server", 60, || {
        std::net::TcpStream::connect(other.base.trim_start_matches("http://")).is_ok()
    })
    .await;
    // Sixty payments of 100 yuan, each with its own idempotency key, to the other server; it
    // is killed while they are being written.
    let send = |base: String, n: u32| {
        let (token, project) = (officer.clone(), project.clone());
        async move {
            awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish()
                .post(format!("{base}/api/v1/projects/{project}/disbursements"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .insert_header(("idempotency-key", format!("pay-{n}")))
                .send_json(&serde_json::json!({"amount_fen": 10_000, "payee": "施工单位", "paid_on": "2021-06-01"}))
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    let burst = futures_util::future::join_all((0..60).map(|n| send(other.base.clone(), n)));
    let killer = async {
        eventually("some payments to land", 60, || {
            count(&app, "SELECT count(*) AS n FROM disbursements") >= 5
        })
        .await;
        other.child.kill().unwrap_or_else(|e| panic!("{e}"));
        let _ = other.child.wait();
    };
    let (answers, ()) = futures_util::future::join(burst, killer).await;
    let landed = count(&app, "SELECT count(*) AS n FROM disbursements");
    assert!(
        landed < 60,
        "the kill should cut the burst short: {landed} landed, {answers:?}"
    );
    // Nothing partial: every payment has its audit row, every audit row its payment.
    let unaudited = "SELECT count(*) AS n FROM disbursements d WHERE NOT EXISTS \
         (SELECT 1 FROM audit_events a WHERE a.action = 'disbursement.made' AND a.object_id = d.id::text)";
    let orphans = "SELECT count(*) AS n FROM audit_events a WHERE a.action = 'disbursement.made' AND NOT EXISTS \
         (SELECT 1 FROM disbursements d WHERE d.id::text = a.object_id)";
    assert_eq!(count(&app, unaudited), 0);
    assert_eq!(count(&app, orphans), 0);
    // Every request retried with its key, on the surviving instance: each payment once.
    let retried = futures_util::future::join_all((0..60).map(|n| send(app.addr.clone(), n))).await;
    assert!(retried.iter().all(|s| *s == 201), "{retried:?}");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM disbursements"), 60);
    assert_eq!(
        count(
            &app,
            "SELECT coalesce(sum(amount_fen), 0)::bigint AS n FROM disbursements"
        ),
        600_000
    );
    assert_eq!(count(&app, unaudited), 0);
    let again = futures_util::future::join_all((0..60).map(|n| send(app.addr.clone(), n))).await;
    assert!(again.iter().all(|s| *s == 201));
    assert_eq!(count(&app, "SELECT count(*) AS n FROM disbursements"), 60);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An import stopped half-way (its account disabled between two batches, the import's own
/// stop: there is no cancel route) leaves no household half-written (members, yearly record
/// and history together), and importing the same file again finishes it: the households
/// written before are unchanged, the rest are created.
#[actix_web::test]
async fn an_import_stopped_half_way_leaves_whole_households_and_the_rerun_finishes_it() {
    // Six batches of 1,000 two-member households: the stop lands with batches still to run.
    const HOUSEHOLDS: u32 = 6000;
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let mut lines = vec![HEADER.to_string()];
    for i in 0..HOUSEHOLDS {
        let number = format!("HALF-{i:04}");
        lines.push(row(
            &number,
            "370831001003",
            &format!("户主{i}"),
            &id_number("370831", 20_000 + 2 * i),
            "户主",
            "因病",
            "4200",
        ));
        lines.push(row(
            &number,
            "370831001003",
            &format!("子女{i}"),
            &id_number("370831", 20_000 + 2 * i + 1),
            "子女",
            "因病",
            "",
        ));
    }
    let file = (lines.join("\n") + "\n").into_bytes();
    let (status, job) = send_raw(&app.addr, &token, file.clone()).await;
    assert_eq!(status, 202, "{job:?}");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    eventually("the first batch to land", 120, || {
        count(&app, "SELECT count(*) AS n FROM households") > 0
    })
    .await;
    let set_disabled = |disabled: bool| {
        app.db.as_owner("370831", |c| {
            diesel::sql_query("UPDATE users SET disabled = $1 WHERE username = 'clerk'")
                .bind::<diesel::sql_types::Bool, _>(disabled)
                .execute(c)
        })
    };
    set_disabled(true);
    eventually("the import to stop", 120, || {
        job_state(&app, &id).status != "running"
    })
    .await;
    assert_eq!(job_state(&app, &id).status, "failed");
    let partial = count(&app, "SELECT count(*) AS n FROM households");
    assert!(
        partial > 0 && partial < i64::from(HOUSEHOLDS),
        "stopped half-way: {partial} households"
    );
    assert_eq!(half_written(&app, 2), 0, "no household half-written");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM members"),
        2 * partial
    );
    // The same file again finishes it.
    set_disabled(false);
    let token = app.token("clerk").await;
    let (status, job) = send_raw(&app.addr, &token, file).await;
    assert_eq!(status, 202, "{job:?}");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    eventually("the rerun to finish", 240, || {
        let status = job_state(&app, &id).status;
        status == "succeeded" || status == "failed"
    })
    .await;
    let job = app.get(&format!("/api/v1/jobs/{id}"), &token).await.body;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["error_rows"], 0, "{job:?}");
    assert_eq!(
        job["summary"]["households_unchanged"].as_i64(),
        Some(partial),
        "{job:?}"
    );
    assert_eq!(
        job["summary"]["households_created"].as_i64(),
        Some(i64::from(HOUSEHOLDS) - partial),
        "{job:?}"
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM households"),
        i64::from(HOUSEHOLDS)
    );
    assert_eq!(half_written(&app, 2), 0);
}
