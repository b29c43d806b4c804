//! The to-do inbox (`GET /api/v1/me/tasks`, issue 19 item 3): each level sees the work that waits
//! for it and nothing else, in due-date order with counts by kind and stable pages; every source
//! query is served by its partial index and reads only waiting rows.

use chrono::Duration;
use diesel::prelude::*;
use domain::region::Level;
use infra::app::tasks as inbox;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::exit::{Exit, V1, V2, nomination, registered, setup};
use crate::helpers::{TestApp, TestDb};

fn today(app: &TestApp) -> chrono::NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

async fn tasks(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/me/tasks{query}"), token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// An exited household of `village`, opened as a monitoring case found today by `token`.
async fn case_in(x: &Exit, token: &str, number: &str, village: &str, seq: u32) -> Value {
    let app = &x.app;
    let h = registered(app, token, number, village, seq, (2, 400_000, true)).await;
    let sql = format!("UPDATE households SET status = 'exited' WHERE id = '{h}'");
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            token,
            json!({"household_id": h, "kind": "unstable_exited", "risk_types": ["illness"],
                   "found_on": today(app).to_string(), "description": "户主患重病"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

#[actix_web::test]
async fn each_level_sees_its_own_work_by_due_date_with_counts_and_stable_pages() {
    let mut x = setup().await;
    // A city user holding the village clerk's role in V1: exit lists are not shown above the
    // county, so their inbox offers none (their routes would answer 404).
    let city = x.app.user("city.clerk", "3708", &[]);
    let app = &x.app;
    let p = app.token("platform.admin").await;
    let r = app
        .post(
            &format!("/api/v1/users/{city}/roles"),
            &p,
            json!({"role": "village_clerk", "org_unit": V1}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let city = app.token("city.clerk").await;
    // Nothing waits yet.
    let empty = tasks(app, &x.approver, "").await;
    assert_eq!(empty["counts"]["total"], 0, "{empty:?}");
    assert_eq!(empty["items"], json!([]));

    // A nominated list waits for the village's appraisal, due five working days on.
    let h = registered(app, &x.clerk, "T1", V1, 1, (2, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let t = tasks(app, &x.clerk, "").await;
    assert_eq!(t["counts"]["exit_step"], 1, "{t:?}");
    let item = &t["items"][0];
    assert_eq!(item["kind"], "exit_step");
    assert_eq!(item["object_type"], "exit_list");
    assert_eq!(item["object_id"], list.as_str());
    assert_eq!(item["action"], "appraisal");
    assert_eq!(item["link"], format!("/api/v1/exit-lists/{list}"));
    assert_eq!(
        item["action_link"],
        format!("/api/v1/exit-lists/{list}/appraisal")
    );
    let d = today(app);
    let due = app
        .calendar(d, d + Duration::days(30))
        .working_days_after(d, 5);
    assert_eq!(item["since"], d.to_string());
    assert_eq!(item["due_on"], due.to_string());
    assert_eq!(item["overdue"], false);
    // Not the township's, the county's, nor another county's; nor the city user's.
    for token in [&x.reviewer, &x.approver, &x.stranger, &x.clerk2, &city] {
        let t = tasks(app, token, "").await;
        assert_eq!(t["counts"]["total"], 0, "{t:?}");
    }

    // Cases found in two villages wait for their township, due on their deadline.
    let c1 = case_in(&x, &x.clerk, "T2", V1, 2).await;
    let c2 = case_in(&x, &x.clerk2, "T3", V2, 3).await;
    let t = tasks(app, &x.reviewer, "").await;
    assert_eq!(t["counts"]["monitoring_case"], 2, "{t:?}");
    assert_eq!(t["counts"]["total"], 2);
    for item in t["items"].as_array().into_iter().flatten() {
        let case = if item["object_id"] == c1["id"] {
            &c1
        } else {
            &c2
        };
        assert_eq!(item["due_on"], case["deadline"], "{item:?}");
        assert_eq!(item["action"], "township_review");
    }
    assert!(
        tasks(app, &x.other_reviewer, "").await["counts"]["total"] == 0,
        "another township sees nothing"
    );
    assert_eq!(
        tasks(app, &x.approver, "").await["counts"]["total"],
        0,
        "the county's turn comes after the township's"
    );

    // Pages of one follow a stable order and keep the counts of the whole inbox.
    let p1 = tasks(app, &x.reviewer, "?limit=1").await;
    let cursor = p1["next_cursor"].as_str().unwrap_or_default().to_string();
    assert!(!cursor.is_empty(), "{p1:?}");
    let p2 = tasks(app, &x.reviewer, &format!("?limit=1&cursor={cursor}")).await;
    assert!(p2["next_cursor"].is_null(), "{p2:?}");
    assert_eq!(p2["counts"]["total"], 2);
    let ids = [&p1["items"][0]["object_id"], &p2["items"][0]["object_id"]];
    assert_ne!(ids[0], ids[1]);
    let all = tasks(app, &x.reviewer, "?kind=monitoring_case").await;
    assert_eq!(
        all["items"]
            .as_array()
            .map(|a| a.iter().map(|i| &i["object_id"]).collect::<Vec<_>>()),
        Some(ids.to_vec())
    );
    assert_eq!(
        tasks(app, &x.reviewer, "?kind=exit_step").await["items"],
        json!([])
    );

    // The township reviews one; it moves to the county.
    let id = c1["id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/township-review"),
            &x.reviewer,
            json!({"approve": true, "opinion": "属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        tasks(app, &x.reviewer, "").await["counts"]["monitoring_case"],
        1
    );
    let t = tasks(app, &x.approver, "").await;
    assert_eq!(t["counts"]["monitoring_case"], 1, "{t:?}");
    assert_eq!(t["items"][0]["action"], "confirmation");
    assert_eq!(
        t["items"][0]["action_link"],
        format!("/api/v1/monitoring-cases/{id}/confirmation")
    );

    // A failed job of the clerk's is the clerk's only.
    let me = app.get("/api/v1/me", &x.clerk).await;
    let user = me.body["id"].as_str().unwrap_or_default().to_string();
    let sql = format!(
        "INSERT INTO jobs (county_code, id, region_code, kind, status, created_by, finished_at) \
         VALUES (370831, gen_random_uuid(), {}, 'import_households', 'failed', '{user}', now())",
        V1
    );
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    let t = tasks(app, &x.clerk, "").await;
    assert_eq!(t["counts"]["failed_job"], 1, "{t:?}");
    assert_eq!(tasks(app, &x.approver, "").await["counts"]["failed_job"], 0);
}

#[actix_web::test]
async fn bad_kind_and_cursor_name_the_parameter() {
    let x = setup().await;
    let app = &x.app;
    for (q, field) in [
        ("?kind=everything", "kind"),
        ("?cursor=bm9wZQ", "cursor"),
        ("?limit=0", "limit"),
    ] {
        let r = app.get(&format!("/api/v1/me/tasks{q}"), &x.clerk).await;
        assert_eq!(r.status, 422, "{q}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{q}: {:?}", r.body);
    }
}

/// A county of realistic size for what the inbox reads: most rows of every source are not
/// waiting (filed lists, monitored cases, succeeded jobs), a few are.
const ROWS: i64 = 20_000;

fn load(db: &TestDb) {
    let mut c =
        PgConnection::establish(db.owner_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("ALTER TABLE households DISABLE TRIGGER USER")
        .execute(&mut c)
        .unwrap_or_else(|e| panic!("{e}"));
    let (lo, hi) = (370_831_000_000_i64, 370_831_999_999_i64);
    c.transaction(|c| {
        diesel::sql_query(format!(
            "SELECT set_config('app.scope_lo', '{lo}', true), set_config('app.scope_hi', '{hi}', true)"
        ))
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO households (county_code, id, region_code, household_number, attribute, \
               poverty_causes, year_identified, status, head_name, member_count) \
             SELECT 370831, gen_random_uuid(), vs[1 + i % cardinality(vs)], \
               vs[1 + i % cardinality(vs)]::text || lpad((i / cardinality(vs))::text, 4, '0'), \
               'general', ARRAY['illness'], 2016, 'monitored', '王' || i::text, 3 \
             FROM (SELECT array_agg(code ORDER BY code) AS vs FROM regions \
                   WHERE code BETWEEN {lo} AND {hi} AND level = 5) AS v, generate_series(0, {ROWS} - 1) AS i"
        ))
        .execute(c)?;
        diesel::sql_query(
            "INSERT INTO monitoring_cases (county_code, id, household_id, region_code, kind, risk_types, \
               found_on, deadline, description, stage, status_before, created_by, created_at, updated_at) \
             SELECT county_code, gen_random_uuid(), id, region_code, 'unstable_exited', ARRAY['illness'], \
               DATE '2024-01-01', DATE '2024-01-16', '-', \
               CASE WHEN row_number() OVER () % 2000 = 0 THEN 'township_reviewed' ELSE 'monitored' END, \
               'exited', gen_random_uuid(), now(), now() FROM households",
        )
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO exit_lists (county_code, id, region_code, year, stage, villager_group, \
               created_by, created_at, updated_at) \
             SELECT 370831, gen_random_uuid(), vs[1 + i % cardinality(vs)], 2000 + i % 20, \
               CASE WHEN i % 2000 = 0 THEN 'approved' ELSE 'filed' END, '一组', gen_random_uuid(), now(), now() \
             FROM (SELECT array_agg(code ORDER BY code) AS vs FROM regions \
                   WHERE code BETWEEN {lo} AND {hi} AND level = 5) AS v, generate_series(0, {ROWS} - 1) AS i"
        ))
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO jobs (county_code, id, region_code, kind, status, created_by, finished_at) \
             SELECT 370831, gen_random_uuid(), {lo}, 'import_households', \
               CASE WHEN i % 2000 = 0 THEN 'failed' ELSE 'succeeded' END, \
               '00000000-0000-0000-0000-000000000001', now() FROM generate_series(0, {ROWS} - 1) AS i"
        ))
        .execute(c)?;
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Most rows a scan may read: the waiting rows (ten of each loaded source) and slack.
const BOUND: f64 = 200.0;

fn problems(node: &Value, out: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or("");
    let rel = node["Relation Name"].as_str().unwrap_or("");
    let loops = node["Actual Loops"].as_f64().unwrap_or(1.0);
    let read = (node["Actual Rows"].as_f64().unwrap_or(0.0)
        + node["Rows Removed by Filter"].as_f64().unwrap_or(0.0)
        + node["Rows Removed by Index Recheck"]
            .as_f64()
            .unwrap_or(0.0))
        * loops;
    if kind == "Seq Scan" && !rel.is_empty() {
        out.push(format!("Seq Scan on {rel}"));
    }
    if kind.contains("Scan") && read > BOUND {
        out.push(format!("{kind} on {rel} read {read} rows"));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        problems(child, out);
    }
}

fn indexes(node: &Value, out: &mut Vec<String>) {
    if let Some(i) = node["Index Name"].as_str() {
        out.push(i.to_string());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        indexes(child, out);
    }
}

/// The inbox's source queries, with binds written in (the county's range, a user, a date), and
/// the partial index each must use.
fn sources() -> Vec<(String, &'static str)> {
    let (lo, hi) = ("370831000000", "370831999999");
    let range = |sql: &str| sql.replace("$1", lo).replace("$2", hi);
    vec![
        (
            range(&inbox::exit_lists_sql(Level::County)),
            "exit_lists_waiting",
        ),
        (
            range(&inbox::exit_lists_sql(Level::Village)),
            "exit_lists_waiting",
        ),
        (
            range(&inbox::objections_sql(domain::exit::Stage::Announced)),
            "exit_objections_open",
        ),
        (
            range(inbox::INTAKE_OBJECTIONS_SQL),
            "intake_objections_open",
        ),
        (
            range(&inbox::cases_sql(Level::County).unwrap_or_default()),
            "monitoring_cases_identifying",
        ),
        (
            range(&inbox::cases_sql(Level::Township).unwrap_or_default()),
            "monitoring_cases_identifying",
        ),
        (range(inbox::HITS_SQL), "property_hits_pending"),
        (range(inbox::TABLES_SQL), "property_reports_unconfirmed"),
        (
            range(inbox::RANGER_SQL).replace("$3", "DATE '2026-11-30'"),
            "ranger_contracts_running",
        ),
        (
            inbox::VISITS_SQL
                .replace("$1", "'00000000-0000-0000-0000-000000000001'::uuid")
                .replace("$2", "DATE '2026-12-01'"),
            "pairings_member_open",
        ),
        (
            inbox::JOBS_SQL
                .replace("$1", "'00000000-0000-0000-0000-000000000001'::uuid")
                .replace("$2", "now() - interval '7 days'"),
            "jobs_failed_by",
        ),
    ]
}

fn explain(c: &mut PgConnection, sql: &str) -> Value {
    infra::db::explain(c, diesel::sql_query(sql)).unwrap_or_else(|e| panic!("{sql}: {e:?}"))[0]["Plan"]
        .clone()
}

#[test]
fn every_source_is_served_by_its_partial_index_and_reads_only_waiting_rows() {
    let db = TestDb::new();
    load(&db);
    let mut failures = Vec::new();
    let mut c = db.app_conn();
    c.transaction(|c| {
        diesel::sql_query(
            "SELECT set_config('app.scope_lo', '370831000000', true), \
                    set_config('app.scope_hi', '370831999999', true)",
        )
        .execute(c)?;
        for (sql, index) in sources() {
            // Without statistics (nothing here was analyzed), as the server runs them.
            let mut found = Vec::new();
            problems(&explain(c, &sql), &mut found);
            // The index that can serve the query is the partial one (its predicate is implied
            // by the query's literal condition).
            diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
            let mut used = Vec::new();
            indexes(&explain(c, &sql), &mut used);
            diesel::sql_query("SET LOCAL enable_seqscan = on").execute(c)?;
            if !used.iter().any(|u| u == index) {
                found.push(format!("does not use {index} (uses {used:?})"));
            }
            if !found.is_empty() {
                failures.push(format!("{sql}\n  {}", found.join("\n  ")));
            }
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
