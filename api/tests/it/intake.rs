//! Intake of households (新识别和返贫户及时纳入) through the HTTP API: an intake list from
//! application to announcement, level by level, the notice on the working calendar, the
//! households' statuses moved at the announcement, and the campaign's totals against targets.

use chrono::Duration;
use diesel::RunQueryDsl as _;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{Exit, TOWNSHIP, V1, dated, setup};
use crate::helpers::{Resp, TestApp};

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect()
}

/// A household of V1 put in `status` directly (the procedures that would get it there are
/// tested in `exit` and `monitoring`).
async fn household_in(x: &Exit, number: &str, seq: u32, status: &str) -> String {
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            household(number, V1, &[id_number("370831", 800 + seq)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let sql = format!("UPDATE households SET status = '{status}' WHERE id = '{id}'");
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    id
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> String {
    app.get(&format!("/api/v1/households/{id}"), token)
        .await
        .body["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn year(app: &TestApp) -> i32 {
    chrono::Datelike::year(&infra::clock::china_date(app.state.clock.now()))
}

fn intake(app: &TestApp, entries: &[(&str, &str)]) -> Value {
    let e: Vec<Value> = entries
        .iter()
        .map(|(h, k)| json!({"household_id": h, "kind": k}))
        .collect();
    dated(
        app,
        json!({"village_code": V1, "year": year(app), "source": "screening",
            "applied_on": "today", "entries": e,
            "attachments": [{"title": "摸底排查表", "uri": "https://archive.sishui.example/intake/001.pdf"}]}),
    )
}

async fn take(app: &TestApp, token: &str, list: &str, step: &str, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/intake-lists/{list}/{step}"),
        token,
        dated(app, body),
    )
    .await
}

#[actix_web::test]
async fn an_intake_list_walks_level_by_level_and_the_announcement_moves_the_households() {
    let x = setup().await;
    let app = &x.app;
    let new = household_in(&x, "I1", 1, "non_poor").await;
    let back = household_in(&x, "I2", 2, "exited").await;
    let poor = household_in(&x, "I3", 3, "registered").await;

    // Bad input names the fields; a household that cannot enter so is named by its kind.
    let mut bad = intake(app, &[(&new, "newly"), (&poor, "new")]);
    bad["source"] = json!("rumour");
    bad["applied_on"] = json!("2099-01-01");
    let r = app.post("/api/v1/intake-lists", &x.clerk, bad).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["source", "entries[0].kind"]);
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&poor, "new"), (&back, "return"), (&back, "return")]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["entries[0].kind", "entries[2].household_id"]);
    let mut future = intake(app, &[(&new, "new")]);
    future["applied_on"] = json!("2099-01-01");
    let r = app.post("/api/v1/intake-lists", &x.clerk, future).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["applied_on"]);
    // Only the village draws it up.
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.reviewer,
            intake(app, &[(&new, "new")]),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);

    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&new, "new"), (&back, "return")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["stage"], "applied");
    assert_eq!(r.body["steps"][0]["step"], "application");
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    // On one intake list a year.
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&new, "new")]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["entries[0].household_id"]);
    // Another county sees nothing of it.
    let r = app
        .get(&format!("/api/v1/intake-lists/{list}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);

    // Out of order, then the village's appraisal and notice.
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "step_out_of_order"),
        "{:?}",
        r.body
    );
    let tally = |f: i32| {
        json!({"held_on": "today", "attendees": 30, "minutes": "评议新识别和返贫户",
            "votes": [{"household_id": new, "for": f, "against": 29 - f, "abstain": 1},
                      {"household_id": back, "for": 25, "against": 4, "abstain": 1}]})
    };
    let r = take(app, &x.clerk, &list, "appraisal", tally(40)).await;
    assert_eq!(r.status, 422, "more votes than attendees: {:?}", r.body);
    let r = take(app, &x.clerk, &list, "appraisal", tally(20)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "appraised");
    let r = take(
        app,
        &x.clerk,
        &list,
        "notice",
        json!({"location": "村委会公示栏"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "notice");
    assert_eq!(r.body["steps"][2]["details"]["days"], 7);
    let end: chrono::DateTime<chrono::Utc> = r.body["notice_ends_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no notice end: {:?}", r.body));
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!((r.status, code(&r)), (409, "notice_period_running"));

    // The campaign of the year shows the village's notice running.
    let r = app
        .post(
            "/api/v1/campaigns",
            &x.approver,
            json!({"county_code": "370831", "year": year(app)}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let campaign = r.body["id"].as_str().unwrap_or_default().to_string();
    let table = format!("/api/v1/campaigns/{campaign}/villages?township={TOWNSHIP}");
    let r = app.get(&table, &x.reviewer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let v1 = |b: &Value| {
        b["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["village_code"] == V1)
            .map(|v| v["steps"][1]["state"].clone())
            .unwrap_or_default()
    };
    assert_eq!(v1(&r.body), "notice_running");

    // After the notice: the township, then the county, then the announcement.
    let by = end - app.state.clock.now() + Duration::hours(1);
    app.state.clock.advance(by);
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意", "removals": [{"household_id": x.clerk, "reason": "x"}]}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "township_reviewed");
    let r = take(app, &x.clerk, &list, "approval", json!({"opinion": "同意"})).await;
    assert_eq!(r.status, 403, "a village user cannot approve: {:?}", r.body);
    let r = take(
        app,
        &x.approver,
        &list,
        "approval",
        json!({"opinion": "同意纳入", "decision_no": "泗扶发〔2026〕3号"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(status_of(app, &x.clerk, &new).await, "non_poor");
    let r = take(
        app,
        &x.approver,
        &list,
        "announcement",
        json!({"location": "县政府公告栏"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "announced");
    assert_eq!(status_of(app, &x.clerk, &new).await, "registered");
    assert_eq!(status_of(app, &x.clerk, &back).await, "returned");
    assert_eq!(status_of(app, &x.clerk, &poor).await, "registered");
    let r = app
        .get(&format!("/api/v1/households/{new}/history"), &x.clerk)
        .await;
    assert!(
        r.body.to_string().contains("intake announced"),
        "{:?}",
        r.body
    );
    let r = take(
        app,
        &x.approver,
        &list,
        "announcement",
        json!({"location": "x"}),
    )
    .await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));

    // The campaign: the village done on every step; entries and returns against the target.
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/intake-targets/370831/{}", year(app)),
            Some(&x.approver),
            Some(&json!({"people": 4})),
            &[],
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let r = app.get(&table, &x.reviewer).await;
    let steps: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["village_code"] == V1)
        .and_then(|v| v["steps"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s["state"].as_str())
        .collect();
    assert_eq!(steps, ["done"; 5]);
    let r = app
        .get(&format!("/api/v1/campaigns/{campaign}"), &x.approver)
        .await;
    let t = &r.body["totals"];
    assert_eq!(t["entries"]["households"], 1, "{t:?}");
    assert_eq!(t["entries"]["people"], 1);
    assert_eq!(t["entries"]["target_people"], 4);
    assert_eq!(t["entries"]["percent_of_target"], 25.0);
    assert_eq!(t["returns"]["households"], 1);
    assert_eq!(t["exits"]["households"], 0);
    assert_eq!(t["net_change_people"], 2);
}
