//! Cancelling jobs (issue 16: "an import cancelled … half-way → no half-written household, and
//! the rerun finishes it"): a queued job at once, by its creator or an importer above it and by
//! no one else; a running import at the end of its batch, whole households only.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;

use crate::helpers::{TestApp, eventually};
use crate::queue::sheet;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    app.db
        .as_owner("370831", |c| {
            diesel::sql_query(sql)
                .bind::<Text, _>(bind)
                .get_result::<N>(c)
        })
        .n
}

/// Households of the county not written whole: a member, the yearly record and the history
/// each (every household of these sheets has one member).
fn half_written(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM households h
          WHERE $1 = $1 AND ((SELECT count(*) FROM members m
                  WHERE m.county_code = h.county_code AND m.household_id = h.id) <> 1
             OR NOT EXISTS (SELECT 1 FROM household_years y
                  WHERE y.county_code = h.county_code AND y.household_id = h.id)
             OR NOT EXISTS (SELECT 1 FROM household_events e
                  WHERE e.county_code = h.county_code AND e.household_id = h.id))",
        "",
    )
}

fn households(app: &TestApp, prefix: &str) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM households WHERE household_number LIKE $1 || '%'",
        prefix,
    )
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> Value {
    let r = app
        .post_raw("/api/v1/imports/households", Some(token), "text/csv", body)
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    r.body
}

#[actix_web::test]
async fn a_queued_job_is_cancelled_at_once_by_its_creator_or_an_importer_above_it_only() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    // No worker runs here until the test starts one: the jobs stay queued.
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("reviewer", "370831001", &["township_reviewer"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("stranger", "370830", &["county_approver"]);
    let clerk = app.token("clerk").await;
    let job = upload(&app, &clerk, sheet("QC", 41_000, 3)).await;
    assert_eq!(job["status"], "queued", "{job:?}");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let cancel = format!("/api/v1/jobs/{id}/cancel");
    let stored = app.db.attachment_dir().join(format!("370831/imports/{id}"));
    assert!(stored.exists(), "the upload waits in the store: {stored:?}");

    // The township reviewer sees the job (cases:read) but may not start imports: not theirs
    // to cancel. Another county's approver does not see it at all.
    let reviewer = app.token("reviewer").await;
    assert_eq!(
        app.get(&format!("/api/v1/jobs/{id}"), &reviewer)
            .await
            .status,
        200
    );
    let r = app.post(&cancel, &reviewer, Value::Null).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let stranger = app.token("stranger").await;
    let r = app.post(&cancel, &stranger, Value::Null).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/jobs/{id}"), &clerk).await.body["status"],
        "queued"
    );

    // The county's approver imports too: they may stop a clerk's import.
    let approver = app.token("approver").await;
    let r = app.post(&cancel, &approver, Value::Null).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "cancelled", "{:?}", r.body);
    assert!(r.body["cancel_requested_at"].is_string(), "{:?}", r.body);
    assert!(r.body["finished_at"].is_string(), "{:?}", r.body);
    assert!(
        r.body["summary"]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("cancelled")),
        "{:?}",
        r.body
    );
    assert!(!stored.exists(), "a cancelled job's upload is removed");
    // Twice is no error and changes nothing; one audit entry, by the approver.
    let again = app.post(&cancel, &clerk, Value::Null).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["finished_at"], r.body["finished_at"]);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_events WHERE action = 'job.cancel' AND object_id = $1 AND actor_username = 'approver'",
            &id,
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_events WHERE action = 'job.cancel' AND object_id = $1",
            &id,
        ),
        1
    );

    // A worker starts: it runs the next import and never the cancelled one.
    let next = upload(&app, &clerk, sheet("QN", 42_000, 2)).await;
    let next_id = next["id"].as_str().unwrap_or_default().to_string();
    let _background = api::work::Background::start(
        &app.state,
        &api::config::WorkConfig {
            job_workers: 1,
            poll: Duration::from_millis(50),
            ..api::config::WorkConfig::default()
        },
    );
    let path = format!("/api/v1/jobs/{next_id}");
    let mut done = Value::Null;
    for _ in 0..600 {
        done = app.get(&path, &clerk).await.body;
        if done["status"] == "succeeded" || done["status"] == "failed" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(done["status"], "succeeded", "{done:?}");
    let first = app.get(&format!("/api/v1/jobs/{id}"), &clerk).await.body;
    assert_eq!(first["status"], "cancelled", "{first:?}");
    assert_eq!(first["processed_rows"], 0, "{first:?}");
    assert_eq!(
        households(&app, "QC-"),
        0,
        "the cancelled file wrote nothing"
    );
    assert_eq!(households(&app, "QN-"), 2);

    // A job that is over cannot be cancelled.
    let r = app
        .post(
            &format!("/api/v1/jobs/{next_id}/cancel"),
            &clerk,
            Value::Null,
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "job_finished", "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/jobs/{}/cancel", uuid::Uuid::new_v4()),
            &clerk,
            Value::Null,
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

#[actix_web::test]
async fn a_running_import_cancelled_stops_at_a_batch_with_whole_households_and_the_rerun_finishes_it()
 {
    // Six batches of the import's 1,000 households: the cancel lands with batches still to run.
    const HOUSEHOLDS: u32 = 6000;
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let file = sheet("RC", 50_000, HOUSEHOLDS);
    let job = upload(&app, &token, file.clone()).await;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    eventually("the first batch to land", 120, || {
        households(&app, "RC-") > 0
    })
    .await;
    let r = app
        .post(&format!("/api/v1/jobs/{id}/cancel"), &token, Value::Null)
        .await;
    assert_eq!(r.status, 202, "asked while running: {:?}", r.body);
    assert_eq!(r.body["status"], "running", "{:?}", r.body);
    assert!(r.body["cancel_requested_at"].is_string(), "{:?}", r.body);
    let path = format!("/api/v1/jobs/{id}");
    let mut stopped = Value::Null;
    for _ in 0..1200 {
        stopped = app.get(&path, &token).await.body;
        if stopped["status"] != "running" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stopped["status"], "cancelled", "{stopped:?}");
    let partial = households(&app, "RC-");
    assert!(
        partial > 0 && partial < i64::from(HOUSEHOLDS),
        "stopped part-way: {partial} households"
    );
    assert_eq!(half_written(&app), 0, "no household half-written");
    assert!(
        stopped["processed_rows"]
            .as_i64()
            .is_some_and(|p| p >= partial),
        "the batches written are counted ({partial} households): {stopped:?}"
    );

    // The same file again finishes it: what was written is unchanged, the rest created.
    let job = upload(&app, &token, file).await;
    let path = format!("/api/v1/jobs/{}", job["id"].as_str().unwrap_or_default());
    let mut done = Value::Null;
    for _ in 0..2400 {
        done = app.get(&path, &token).await.body;
        if done["status"] == "succeeded" || done["status"] == "failed" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(done["status"], "succeeded", "{done:?}");
    assert_eq!(
        done["summary"]["households_unchanged"].as_i64(),
        Some(partial)
    );
    assert_eq!(
        done["summary"]["households_created"].as_i64(),
        Some(i64::from(HOUSEHOLDS) - partial)
    );
    assert_eq!(households(&app, "RC-"), i64::from(HOUSEHOLDS));
    assert_eq!(half_written(&app), 0);
}

/// A cancel that arrives with the last batch changes nothing (every row is handled: the
/// import ends with its summary); before it, the checkpoint stops the run, its progress kept.
#[actix_web::test]
async fn a_checkpoint_stops_a_cancelled_run_unless_every_row_is_handled() {
    use infra::app::jobs;
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let ctx = api::ops::acting_as(&app.state, "clerk").unwrap_or_else(|e| panic!("{e:#}"));
    let (job, claimed) = app
        .state
        .db
        .in_scope(ctx.caller.scope(), |conn| {
            let job = jobs::create(conn, &ctx, "household_import", false, 3, None)?;
            let claimed = jobs::take(conn, &job, "cli:1")?;
            Ok((job, claimed))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let held = claimed.held("cli:1");
    let progress = |n: usize| {
        app.state
            .db
            .in_scope(ctx.caller.scope(), |conn| {
                jobs::progress(conn, &ctx, &held, n, &[], "running")
            })
            .unwrap_or_else(|e| panic!("{e:?}"))
    };
    assert_eq!(progress(1), jobs::Checkpoint::GoOn);
    let r = app
        .post(
            &format!("/api/v1/jobs/{}/cancel", job.id),
            &token,
            Value::Null,
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(progress(2), jobs::Checkpoint::Cancelled);
    let now = app
        .get(&format!("/api/v1/jobs/{}", job.id), &token)
        .await
        .body;
    assert_eq!(
        now["processed_rows"], 2,
        "the stopping checkpoint is recorded: {now:?}"
    );
    assert_eq!(progress(3), jobs::Checkpoint::GoOn, "every row handled");
}

/// A job cancelled while it ran whose server went away before its next checkpoint ends
/// cancelled at the next claim, its progress as it stood, even on its last attempt; never run
/// again, never failed.
#[actix_web::test]
async fn a_cancelled_job_whose_server_went_away_ends_cancelled_with_its_progress() {
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let mut ids = Vec::new();
    for (tag, attempts) in [("GA", 1_i32), ("GB", 3)] {
        let job = upload(
            &app,
            &token,
            sheet(tag, 60_000 + attempts.unsigned_abs() * 100, 5),
        )
        .await;
        let id = job["id"].as_str().unwrap_or_default().to_string();
        // As a run that handled two rows, was asked to stop, and whose server died.
        app.db.as_owner("370831", |c| {
            diesel::sql_query(
                "UPDATE jobs SET status = 'running', locked_by = 'gone', attempts = $2,
                        lease_until = now() - interval '1 minute', processed_rows = 2,
                        cancel_requested_at = now() WHERE id = $1::uuid",
            )
            .bind::<Text, _>(&id)
            .bind::<diesel::sql_types::Int4, _>(attempts)
            .execute(c)
        });
        ids.push(id);
    }
    let _background = api::work::Background::start(
        &app.state,
        &api::config::WorkConfig {
            job_workers: 1,
            poll: Duration::from_millis(50),
            ..api::config::WorkConfig::default()
        },
    );
    for id in &ids {
        let path = format!("/api/v1/jobs/{id}");
        eventually("the gone job to end", 60, || {
            count(
                &app,
                "SELECT count(*) AS n FROM jobs WHERE id = $1::uuid AND status <> 'running'",
                id,
            ) == 1
        })
        .await;
        let job = app.get(&path, &token).await.body;
        assert_eq!(job["status"], "cancelled", "{job:?}");
        assert_eq!(job["processed_rows"], 2, "{job:?}");
    }
    assert_eq!(households(&app, "G"), 0, "never run again");
}
