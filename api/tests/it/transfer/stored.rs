//! Imports' uploads in the file store (issue 16): streamed to a staged file, stored under the
//! job's key in the county's area, read back by whichever instance runs the job, and removed
//! when the job is over (succeeded, called off, failed for good).

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::*;
use crate::helpers::eventually;

/// The keys the store holds for Sishui (attachments and uploads alike).
fn stored(app: &TestApp) -> Vec<String> {
    app.state
        .attachments
        .keys(370_831)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Staged parts left in the store's staging directory.
fn staged(app: &TestApp) -> usize {
    std::fs::read_dir(app.db.attachment_dir().join(".staging"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[derive(QueryableByName, Debug)]
struct Held {
    #[diesel(sql_type = Bool)]
    bytes: bool,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
}

/// Whether the job row holds bytes, and the key it holds.
fn held(app: &TestApp, id: &str) -> Held {
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "SELECT payload IS NOT NULL AS bytes, payload_key AS key, status FROM jobs WHERE id = $1::uuid",
        )
        .bind::<Text, _>(id)
        .get_result(c)
    })
}

async fn setup_without_workers() -> (TestApp, String) {
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    (app, t)
}

/// Queues an import of `sheet(first)` on `app` (no worker runs it there); returns the job id.
async fn queue(app: &TestApp, t: &str, path: &str, first: u32) -> String {
    let body = sheet(first).0.into_bytes();
    let r = app.post_raw(path, Some(t), "text/csv", body.clone()).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // In the store, in the county's area under the job's key, byte for byte; the row holds the
    // key, not the bytes; nothing staged is left.
    let key = format!("370831/imports/{id}");
    assert!(stored(app).contains(&key), "{:?}", stored(app));
    let h = held(app, &id);
    assert_eq!((h.bytes, h.key.as_deref()), (false, Some(key.as_str())));
    assert_eq!(
        app.state.attachments.get(&key).unwrap_or_default(),
        body,
        "the stored upload is the file sent"
    );
    assert_eq!(staged(app), 0, "no staged part left");
    id
}

/// An upload waits in the store until a worker of another instance (no worker runs on the one
/// that took it) claims the job and reads it back; it is removed once the job is over. A dry
/// run goes the same way and writes nothing.
#[actix_web::test]
async fn an_upload_waits_in_the_store_is_run_by_another_instance_and_removed() {
    let (app, t) = setup_without_workers().await;
    let dry = queue(&app, &t, "/api/v1/imports/households?dry_run=true", 900).await;
    let real = queue(&app, &t, "/api/v1/imports/households", 900).await;
    assert_eq!(stored(&app).len(), 2);
    // Another instance on the same database and store runs both.
    let _sibling = app.start_sibling();
    let job = wait(&app, &t, &json!({ "id": dry })).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["dry_run"], true, "{job:?}");
    assert_eq!(job["summary"]["households_created"], 5, "{job:?}");
    let job = wait(&app, &t, &json!({ "id": real })).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["summary"]["households_created"], 5, "{job:?}");
    eventually("the uploads to be removed", 30, || {
        stored(&app).is_empty() && held(&app, &dry).key.is_none() && held(&app, &real).key.is_none()
    })
    .await;
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        5,
        "the dry run wrote nothing, the import its five households"
    );
    assert_eq!(staged(&app), 0);
}

/// A job called off (its user disabled before it runs: it fails without running) and a job
/// failed for good (its servers went away as many times as it may be tried) lose their upload:
/// the first at once, the second at the next housekeeping. A job's key can only name its own
/// county's upload.
#[actix_web::test]
async fn uploads_of_jobs_called_off_or_failed_for_good_are_removed() {
    let (app, t) = setup_without_workers().await;
    // Failed for good: claimed three times by workers that went away.
    let gone = queue(&app, &t, "/api/v1/imports/households", 900).await;
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE jobs SET status = 'running', attempts = 3, locked_by = 'w', \
             lease_until = now() - interval '1 second' WHERE id = $1::uuid",
        )
        .bind::<Text, _>(&gone)
        .execute(c)
    });
    let claimed = infra::app::jobs::claim(
        &app.state.db,
        "w2",
        std::time::Duration::from_secs(60),
        3,
        1000,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(claimed.is_none(), "{claimed:?}");
    let h = held(&app, &gone);
    assert_eq!(h.status, "failed");
    assert!(
        h.key.is_some(),
        "the database cannot remove the object: its key stays"
    );
    let removed = infra::app::jobs::sweep_uploads(&app.state.db, app.state.attachments.as_ref())
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(removed, 1);
    assert!(stored(&app).is_empty(), "{:?}", stored(&app));
    assert_eq!(held(&app, &gone).key, None);
    assert_eq!(
        infra::app::jobs::sweep_uploads(&app.state.db, app.state.attachments.as_ref())
            .unwrap_or_else(|e| panic!("{e:?}")),
        0
    );

    // A key naming another county's area, or another job, is refused by the database.
    let refused = app.db.as_owner("370831", |c| {
        // In a savepoint: the refusal leaves the transaction usable.
        Ok(c.transaction(|c| {
            diesel::sql_query(
                "UPDATE jobs SET payload_key = '370830/imports/' || id::text WHERE id = $1::uuid",
            )
            .bind::<Text, _>(&gone)
            .execute(c)
        }))
    });
    let e = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("jobs_payload_key_of_the_job"), "{e}");
    assert_eq!(held(&app, &gone).key, None);

    // Called off: its user can no longer act when a worker claims it.
    let off = queue(&app, &t, "/api/v1/imports/households", 900).await;
    app.db.as_owner("370831", |c| {
        diesel::sql_query("UPDATE users SET disabled = true WHERE username = 'approver'").execute(c)
    });
    let _sibling = app.start_sibling();
    eventually("the job to be called off", 60, || {
        held(&app, &off).status == "failed"
    })
    .await;
    eventually("its upload to be removed", 30, || {
        stored(&app).is_empty() && held(&app, &off).key.is_none()
    })
    .await;
}

/// An upload stored whose job was never queued (a crash between the two) is removed by
/// housekeeping once it is older than the age given; a young one stays, and so does an upload
/// a job names, however old.
#[actix_web::test]
async fn uploads_no_job_names_are_removed_once_old() {
    use std::io::Write as _;
    let (app, t) = setup_without_workers().await;
    let queued = queue(&app, &t, "/api/v1/imports/households", 950).await;
    let named = held(&app, &queued)
        .key
        .unwrap_or_else(|| panic!("the queued job names no upload"));
    let store = app.state.attachments.as_ref();
    let orphan = infra::files::import_key(370_831, uuid::Uuid::new_v4());
    let (mut f, path) = store.stage().unwrap_or_else(|e| panic!("{e}"));
    f.write_all(b"household_number\n")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(f);
    store.put(&path, &orphan).unwrap_or_else(|e| panic!("{e}"));
    let sweep = |age: u64| {
        infra::app::jobs::sweep_orphan_uploads(
            &app.state.db,
            store,
            std::time::Duration::from_secs(age),
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
    };
    assert_eq!(
        sweep(3600),
        0,
        "an upload an hour old may still get its job"
    );
    assert!(stored(&app).contains(&orphan));
    assert_eq!(sweep(0), 1);
    assert_eq!(stored(&app), vec![named.clone()], "only the orphan went");
    assert_eq!(held(&app, &queued).key, Some(named));
    assert_eq!(sweep(0), 0);
}
