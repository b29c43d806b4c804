//! Jobs: stopped servers, concurrent imports, export quotas, exports as queued jobs, the jobs list.

use super::*;

#[actix_web::test]
async fn jobs_whose_server_stopped_are_failed_not_left_running() {
    use diesel::prelude::*;
    let (app, t) = setup().await;
    let done = import_households(&app, &t, sheet(900).0.into_bytes()).await;
    assert_eq!(done["status"], "succeeded");
    // A job left queued by a server that died ten minutes ago.
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "INSERT INTO jobs (county_code, id, region_code, kind, status, updated_at) \
             VALUES (370831, '6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a70', 370831000000, 'household_import', 'running', now() - interval '11 minutes')",
        )
        .execute(c)
    });
    let failed =
        infra::app::jobs::fail_stale(&app.state.db, Duration::from_secs(600)).unwrap_or(-1);
    assert_eq!(failed, 1, "only the silent job, not the finished one");
    let job = app
        .get("/api/v1/jobs/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a70", &t)
        .await;
    assert_eq!(job.body["status"], "failed");
    assert!(
        job.body["summary"]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted")
    );
}

#[actix_web::test]
async fn concurrent_imports_into_one_township_all_land_and_keep_the_rollups_exact() {
    let (app, t) = setup().await;
    // Two files writing households of the same three villages, in opposite orders.
    let villages = ["370831001003", "370831001010", "370831001013"];
    let file = |part: u32, reverse: bool| {
        let mut lines = vec![HEADER.to_string()];
        for i in 0..240_u32 {
            let v = villages[if reverse { 2 - (i % 3) } else { i % 3 } as usize];
            let id = id_number("370831", 40_000 + part * 1000 + i);
            lines.push(row(
                &format!("C{part}-{i:04}"),
                v,
                "户主",
                &id,
                "户主",
                "因病",
                "3100",
            ));
        }
        lines.join("\n").into_bytes()
    };
    let jobs =
        futures_util::future::join_all([file(1, false), file(2, true)].into_iter().map(|body| {
            let t = t.clone();
            let app = &app;
            async move {
                let r = app
                    .post_raw("/api/v1/imports/households", Some(&t), "text/csv", body)
                    .await;
                assert_eq!(r.status, 202, "{:?}", r.body);
                wait(app, &t, &r.body).await
            }
        }))
        .await;
    for job in &jobs {
        assert_eq!(job["status"], "succeeded", "{job:?}");
        assert_eq!(job["error_rows"], 0, "{job:?}");
    }
    let count = app.get("/api/v1/households/count", &t).await;
    assert_eq!(count.body["count"], 480);
    assert_eq!(crate::reports::mismatches(&app), 0);
}

#[actix_web::test]
async fn exports_past_the_daily_quota_are_refused_and_raise_an_audit_alert() {
    let (mut app, t) = setup().await;
    app.user("auditor", "370831", &["auditor"]);
    let auditor = app.token("auditor").await;
    // The test configuration allows five exports a day.
    for i in 0..5 {
        let r = app.get("/api/v1/exports/households", &t).await;
        assert_eq!(r.status, 200, "export {i}: {:?}", r.body);
    }
    let r = app.get("/api/v1/exports/households", &t).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert!(r.header("retry-after").is_some());
    let alerts = app
        .get("/api/v1/audit-events?action=alert.quota_exceeded", &auditor)
        .await;
    let items = alerts.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{:?}", alerts.body);
    assert_eq!(items[0]["actor_username"], "approver");
    assert_eq!(items[0]["object_id"], "GET /api/v1/exports/households");
    // The refused export itself left nothing behind: still five exports counted.
    let exports = app
        .get("/api/v1/audit-events?action=household.export", &auditor)
        .await;
    assert_eq!(exports.body["items"].as_array().map(Vec::len), Some(5));
}

#[actix_web::test]
async fn an_export_runs_as_a_job_from_the_queue_and_its_file_is_fetched_when_done() {
    let (mut app, t) = setup().await;
    app.user("approver.w", "370830", &["county_approver"]);
    let (csv, _) = sheet(700);
    import_households(&app, &t, csv.into_bytes()).await;
    let r = app
        .post("/api/v1/exports/households/jobs?format=csv", &t, json!({}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.body["kind"], "household_export");
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let done = wait(&app, &t, &r.body).await;
    assert_eq!(done["status"], "succeeded", "{done:?}");
    assert_eq!(done["summary"]["rows"], 10);
    let file = app.get(&format!("/api/v1/jobs/{id}/result"), &t).await;
    assert_eq!(file.status, 200);
    assert!(
        file.header("content-disposition")
            .unwrap_or_default()
            .contains("households.csv")
    );
    let text = file.body.as_str().unwrap_or_default().to_string();
    assert_eq!(text.lines().count(), 11, "header + 10 members: {text}");
    assert!(
        text.contains("H01") && text.contains("****"),
        "masked numbers: {text}"
    );
    // Another county's user cannot see the job or its file.
    let w = app.token("approver.w").await;
    assert_eq!(
        app.get(&format!("/api/v1/jobs/{id}/result"), &w)
            .await
            .status,
        404
    );
    // The file is kept in the county's area of the file store, not in the job row; after its
    // day the job forgets it (409 result_expired) and housekeeping removes it.
    let stored = app.db.attachment_dir().join(format!("370831/exports/{id}"));
    assert_eq!(
        std::fs::read_to_string(&stored).unwrap_or_default(),
        text,
        "{stored:?}"
    );
    let in_row = |sql: &str| {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = sql.replace("$id", &id);
        app.db
            .as_owner("370831", |c| {
                use diesel::RunQueryDsl as _;
                diesel::sql_query(&sql).get_result::<N>(c)
            })
            .n
    };
    assert_eq!(
        in_row(
            "SELECT count(*) AS n FROM jobs WHERE id = '$id' AND result IS NULL AND result_key = '370831/exports/' || id::text"
        ),
        1
    );
    in_row(
        "WITH u AS (UPDATE jobs SET finished_at = now() - interval '2 days' WHERE id = '$id' RETURNING 1) SELECT count(*) AS n FROM u",
    );
    infra::app::jobs::fail_stale(&app.state.db, Duration::from_secs(600))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let gone = app.get(&format!("/api/v1/jobs/{id}/result"), &t).await;
    assert_eq!(gone.status, 409, "{:?}", gone.body);
    assert_eq!(gone.body["code"], "result_expired");
    let removed = infra::app::jobs::sweep_exports(
        &app.state.db,
        app.state.attachments.as_ref(),
        Duration::ZERO,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(removed >= 1 && !stored.exists(), "{removed} removed");
    // XLSX too; a bad format is refused before anything is queued.
    let r = app
        .post("/api/v1/exports/households/jobs?format=xlsx", &t, json!({}))
        .await;
    let done = wait(&app, &t, &r.body).await;
    assert_eq!(done["summary"]["rows"], 10, "{done:?}");
    let id = r.body["id"].as_str().unwrap_or_default();
    let file = app.get(&format!("/api/v1/jobs/{id}/result"), &t).await;
    assert_eq!(file.status, 200);
    assert!(
        file.header("content-type")
            .unwrap_or_default()
            .contains("spreadsheetml")
    );
    assert!(file.raw.starts_with(b"PK"), "an xlsx is a zip");
    let r = app
        .post("/api/v1/exports/households/jobs?format=pdf", &t, json!({}))
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("format"))
    );
    // An import job makes no file.
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            sheet(700).0.into_bytes(),
        )
        .await;
    wait(&app, &t, &r.body).await;
    let id = r.body["id"].as_str().unwrap_or_default();
    assert_eq!(
        app.get(&format!("/api/v1/jobs/{id}/result"), &t)
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn the_jobs_list_shows_the_latest_jobs_of_the_callers_subtree() {
    let (mut app, t) = setup().await;
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("other.approver", "370830", &["county_approver"]);
    let (csv, _) = sheet(0);
    let r = app
        .post_raw(
            "/api/v1/imports/households?dry_run=true",
            Some(&t),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(&app, &t, &r.body).await;
    let list = app.get("/api/v1/jobs?limit=5", &t).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.body["items"][0]["id"], job["id"]);
    assert_eq!(list.body["items"][0]["kind"], "household_import");
    // A village clerk does not see the county's job; another county sees nothing of it.
    let c = app.token("clerk").await;
    let seen = app.get("/api/v1/jobs", &c).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["items"].as_array().map(Vec::len), Some(0));
    let o = app.token("other.approver").await;
    let other = app.get("/api/v1/jobs", &o).await;
    assert_eq!(other.body["items"].as_array().map(Vec::len), Some(0));
    for bad in ["limit=0", "limit=201", "limit=x"] {
        let r = app.get(&format!("/api/v1/jobs?{bad}"), &t).await;
        assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
    }
}
