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
pub(crate) async fn household_in(x: &Exit, number: &str, seq: u32, status: &str) -> String {
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

pub(crate) fn intake(app: &TestApp, entries: &[(&str, &str)]) -> Value {
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

/// The village's appraisal (each household 25 of 30 votes for) and notice on `list`; when the
/// notice ends.
pub(crate) async fn appraised_and_posted(
    app: &TestApp,
    clerk: &str,
    list: &str,
    households: &[&str],
) -> chrono::DateTime<chrono::Utc> {
    let votes: Vec<Value> = households
        .iter()
        .map(|h| json!({"household_id": h, "for": 25, "against": 4, "abstain": 1}))
        .collect();
    let tally = json!({"held_on": "today", "attendees": 30, "minutes": "评议", "votes": votes});
    let r = take(app, clerk, list, "appraisal", tally).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        clerk,
        list,
        "notice",
        json!({"location": "村委会公示栏"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["notice_ends_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no notice end: {:?}", r.body))
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
            Some(&json!({"people": 4, "returns_people": -1})),
            &[],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["returns_people"]);
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/intake-targets/370831/{}", year(app)),
            Some(&x.approver),
            Some(&json!({"people": 4, "returns_people": 2})),
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
    assert_eq!(t["returns"]["target_people"], 2, "the ceiling on returns");
    assert_eq!(t["returns"]["percent_of_target"], 50.0);
    assert_eq!(t["exits"]["households"], 0);
    assert_eq!(t["net_change_people"], 2);
}

/// Objections during the intake notice (公示期间的异议): the village records them while its
/// notice runs, an open one blocks the township review, upheld takes the household off the
/// list, dismissed keeps it; other levels and other counties cannot touch them.
#[actix_web::test]
async fn an_objection_during_the_intake_notice_blocks_the_review_until_resolved() {
    let x = setup().await;
    let app = &x.app;
    let new = household_in(&x, "J1", 11, "non_poor").await;
    let back = household_in(&x, "J2", 12, "exited").await;
    let outsider = household_in(&x, "J3", 13, "non_poor").await;
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&new, "new"), (&back, "return")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let objections = format!("/api/v1/intake-lists/{list}/objections");
    let objection =
        |h: &str| json!({"household_id": h, "raised_by": "村民张三", "content": "该户有稳定收入"});
    // Before the notice: nothing to object to yet.
    let r = app.post(&objections, &x.clerk, objection(&new)).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "no_notice_running"),
        "{:?}",
        r.body
    );
    let end = appraised_and_posted(app, &x.clerk, &list, &[&new, &back]).await;

    // During the notice: bad input by name, the wrong level and another county refused.
    let r = app
        .post(
            &objections,
            &x.clerk,
            json!({"household_id": outsider, "raised_by": "", "content": "x"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["raised_by"]);
    let r = app.post(&objections, &x.clerk, objection(&outsider)).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["household_id"]);
    let r = app.post(&objections, &x.reviewer, objection(&new)).await;
    assert_eq!(
        r.status, 403,
        "the township does not record them: {:?}",
        r.body
    );
    // Another village's clerk does not see the list; another county's approver lacks the
    // village permission altogether.
    let r = app.post(&objections, &x.clerk2, objection(&new)).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app.post(&objections, &x.stranger, objection(&new)).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = app.post(&objections, &x.clerk, objection(&back)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["stage"].as_str()),
        (Some("open"), Some("notice"))
    );
    let upheld = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app.post(&objections, &x.clerk, objection(&new)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let dismissed = r.body["id"].as_str().unwrap_or_default().to_string();

    // The village's inbox holds both objections, linked to their resolution.
    let inbox = inbox_of(app, &x.clerk).await;
    let mine: Vec<&Value> = inbox
        .iter()
        .filter(|t| t["object_type"] == "intake_objection")
        .collect();
    assert_eq!(mine.len(), 2, "{inbox:?}");
    assert!(mine.iter().all(|t| t["kind"] == "objection"
        && t["action_link"].as_str().is_some_and(
            |l| l.starts_with(&format!("{objections}/")) && l.ends_with("/resolution")
        )));

    // After the notice: the review waits for the objections; no new ones.
    let by = end - app.state.clock.now() + Duration::hours(1);
    app.state.clock.advance(by);
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
        (409, "objections_open"),
        "{:?}",
        r.body
    );
    // The township's inbox does not offer the review while objections are open (they are
    // the village's items); it does once they are resolved (below).
    let offered = |inbox: &[Value]| {
        inbox.iter().any(|t| {
            t["object_id"] == list.as_str()
                && t["kind"] == "notice_ended"
                && t["action"] == "township_review"
        })
    };
    let inbox = inbox_of(app, &x.reviewer).await;
    assert!(!offered(&inbox), "{inbox:?}");
    let r = app.post(&objections, &x.clerk, objection(&new)).await;
    assert_eq!((r.status, code(&r)), (409, "no_notice_running"));

    // Resolution: by the village, with a reason; once.
    let resolve = |id: &str| format!("{objections}/{id}/resolution");
    let r = app
        .post(
            &resolve(&upheld),
            &x.clerk,
            json!({"outcome": "maybe", "reason": ""}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["outcome", "reason"]);
    let r = app
        .post(
            &resolve(&upheld),
            &x.reviewer,
            json!({"outcome": "upheld", "reason": "核实属实"}),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = app
        .post(
            &resolve(&upheld),
            &x.clerk2,
            json!({"outcome": "upheld", "reason": "核实属实"}),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .post(
            &resolve(&upheld),
            &x.clerk,
            json!({"outcome": "upheld", "reason": "核实属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "upheld");
    let r = app
        .post(
            &resolve(&upheld),
            &x.clerk,
            json!({"outcome": "dismissed", "reason": "again"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "already_resolved"));
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
        (409, "objections_open"),
        "one is still open"
    );
    let r = app
        .post(
            &resolve(&dismissed),
            &x.clerk,
            json!({"outcome": "dismissed", "reason": "经核实不属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // An objection id of another list is not found on this one.
    let r = app
        .post(
            &format!(
                "/api/v1/intake-lists/{}/objections/{dismissed}/resolution",
                uuid::Uuid::new_v4()
            ),
            &x.clerk,
            json!({"outcome": "dismissed", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let inbox = inbox_of(app, &x.reviewer).await;
    assert!(offered(&inbox), "{inbox:?}");

    // The review goes through; the upheld household is off the list, with the reason.
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let entry = |h: &str| {
        r.body["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["household_id"] == h)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(entry(&back)["removed"], true);
    assert_eq!(entry(&back)["removed_reason"], "objection upheld: 核实属实");
    assert_eq!(entry(&new)["removed"], false);
    // The county's inbox: the approval; the objections are gone from the village's.
    let inbox = inbox_of(app, &x.approver).await;
    assert!(
        inbox.iter().any(|t| t["object_id"] == list.as_str()
            && t["kind"] == "intake_step"
            && t["action"] == "approval"),
        "{inbox:?}"
    );
    let inbox = inbox_of(app, &x.clerk).await;
    assert!(
        !inbox.iter().any(|t| t["object_type"] == "intake_objection"),
        "{inbox:?}"
    );
    let states: Vec<&str> = r.body["objections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["status"].as_str())
        .collect();
    assert_eq!(states, ["upheld", "dismissed"]);
    // Audited.
    let admin = app.token("admin.370831").await;
    let r = app
        .get(
            "/api/v1/audit-events?action=intake_objection.upheld",
            &admin,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        r.body
    );
}

/// Stored evidence on intake lists: files stored for the list are cited in its steps; with
/// `exit.require_stored_evidence` the appraisal, the notice and the announcement need one; a
/// file of another list is refused by name.
#[actix_web::test]
async fn intake_steps_cite_files_stored_for_the_list_and_the_setting_requires_them() {
    use crate::attachments::{PDF, PNG, cite, set_evidence, upload, with_dir};
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let a = household_in(&x, "K1", 21, "non_poor").await;
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&a, "new")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    // A list is needed before a file can be stored for it.
    let mut early = intake(app, &[(&a, "new")]);
    cite(&mut early, &[&uuid::Uuid::new_v4().to_string()]);
    let r = app.post("/api/v1/intake-lists", &x.clerk, early).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["attachments[0].uri"]);
    // Storing: whoever takes a step of the list; others see no list.
    let r = upload(app, &x.clerk2, ("intake_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(r.status, 404, "another village's clerk: {:?}", r.body);
    let sheet = upload(app, &x.clerk, ("intake_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(sheet.status, 201, "{:?}", sheet.body);
    let sheet = sheet.body["id"].as_str().unwrap_or_default().to_string();
    // An exit list's file is not this intake list's.
    let b = registered_for_exit(&x).await;
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            crate::exit::nomination(V1, &[&b]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let exit_list = r.body["id"].as_str().unwrap_or_default().to_string();
    let theirs = upload(app, &x.clerk, ("exit_list", &exit_list), "x.pdf", PDF).await;
    let theirs = theirs.body["id"].as_str().unwrap_or_default().to_string();

    set_evidence(app, true).await;
    let tally = json!({"held_on": "today", "attendees": 30, "minutes": "评议",
        "votes": [{"household_id": a, "for": 25, "against": 4, "abstain": 1}]});
    let r = take(app, &x.clerk, &list, "appraisal", tally.clone()).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["attachments"]);
    let mut wrong = tally.clone();
    cite(&mut wrong, &[&theirs]);
    let r = take(app, &x.clerk, &list, "appraisal", wrong).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["attachments[0].uri"]);
    let mut ok = tally;
    cite(&mut ok, &[&sheet]);
    let r = take(app, &x.clerk, &list, "appraisal", ok).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        &x.clerk,
        &list,
        "notice",
        json!({"location": "村委会公示栏"}),
    )
    .await;
    assert_eq!(r.status, 422, "the posting needs its photo: {:?}", r.body);
    let photo = upload(app, &x.clerk, ("intake_list", &list), "公示.png", PNG).await;
    let photo = photo.body["id"].as_str().unwrap_or_default().to_string();
    let mut posted = json!({"location": "村委会公示栏"});
    cite(&mut posted, &[&photo]);
    let r = take(app, &x.clerk, &list, "notice", posted).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The list's files are listed for its readers.
    let r = app
        .get(
            &format!("/api/v1/attachments?object_type=intake_list&object_id={list}"),
            &x.reviewer,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        r.body
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A household of V1 that an exit list may nominate.
async fn registered_for_exit(x: &crate::exit::Exit) -> String {
    crate::exit::registered(&x.app, &x.clerk, "K9", V1, 29, (2, 400_000, true)).await
}

async fn inbox_of(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/me/tasks?limit=200", token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// The county's intake target reads back as set (404 before), by the county and the city above
/// it, never by another county; the lists filter by region and stage, a region outside the
/// scope named.
#[actix_web::test]
async fn the_intake_target_reads_back_and_the_lists_filter_by_region_and_stage() {
    let x = setup().await;
    let app = &x.app;
    let path = format!("/api/v1/intake-targets/370831/{}", year(app));
    let r = app.get(&path, &x.approver).await;
    assert_eq!(r.status, 404, "none set yet: {:?}", r.body);
    let body = json!({"people": 12});
    let r = app
        .send("PUT", &path, Some(&x.approver), Some(&body), &[])
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    for token in [&x.approver, &x.city] {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["county_code"], "370831000000");
        assert_eq!(r.body["people"], 12);
        assert_eq!(r.body["returns_people"], Value::Null);
    }
    let r = app.get(&path, &x.stranger).await;
    assert_eq!(r.status, 404, "another county: {:?}", r.body);

    let new = household_in(&x, "F1", 41, "non_poor").await;
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&new, "new")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["id"].as_str().map(str::to_string))
            .collect()
    };
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let q = |s: &str| format!("/api/v1/intake-lists?{s}");
    let r = app
        .get(&q(&format!("region={V1}&stage=applied")), &x.approver)
        .await;
    assert_eq!(ids(&r), std::slice::from_ref(&id), "{:?}", r.body);
    // What is on it, for the list of lists.
    let item = &r.body["items"][0];
    assert_eq!(
        (
            &item["households"],
            &item["people"],
            &item["open_objections"]
        ),
        (&json!(1), &json!(1), &json!(0)),
        "{item:?}"
    );
    let r = app
        .get(&q(&format!("region={TOWNSHIP}")), &x.reviewer)
        .await;
    assert_eq!(ids(&r), std::slice::from_ref(&id), "{:?}", r.body);
    let r = app.get(&q("region=370831101202"), &x.approver).await;
    assert!(ids(&r).is_empty(), "another village: {:?}", r.body);
    let r = app.get(&q("stage=notice"), &x.approver).await;
    assert!(ids(&r).is_empty(), "another stage: {:?}", r.body);
    let r = app.get(&q("stage=filed"), &x.approver).await;
    assert_eq!((r.status, fields(&r)), (422, vec!["stage".to_string()]));
    let r = app.get(&q("region=370830000000"), &x.approver).await;
    assert_eq!((r.status, fields(&r)), (422, vec!["region".to_string()]));
}

/// A household never poor that is monitored (a marginal case, confirmed) and then found poor:
/// it enters as newly identified (致贫), not as returned, and the announcement closes its case
/// as fallen into poverty. It was let in as returned, and its case could then close neither as
/// risk eliminated nor as returned (both 422).
#[actix_web::test]
async fn a_monitored_household_never_poor_enters_as_new_and_its_case_closes() {
    let x = setup().await;
    let app = &x.app;
    let marginal = household_in(&x, "M1", 7, "non_poor").await;
    let today = infra::clock::china_date(app.state.clock.now()).to_string();
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            json!({"household_id": marginal, "kind": "marginal", "risk_types": ["illness"],
                "found_on": today, "description": "户主患重病"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let case = r.body["id"].as_str().unwrap_or_default().to_string();
    for (step, token) in [
        ("township-review", &x.reviewer),
        ("confirmation", &x.approver),
    ] {
        let r = app
            .post(
                &format!("/api/v1/monitoring-cases/{case}/{step}"),
                token,
                json!({"approve": true, "opinion": "经核实"}),
            )
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    assert_eq!(status_of(app, &x.clerk, &marginal).await, "monitored");
    // As returned: refused, naming the entry's kind.
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&marginal, "return")]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["entries[0].kind"]);
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&marginal, "new")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let end = appraised_and_posted(app, &x.clerk, &list, &[&marginal]).await;
    let by = end - app.state.clock.now() + Duration::hours(1);
    app.state.clock.advance(by);
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        &x.approver,
        &list,
        "approval",
        json!({"opinion": "同意纳入", "decision_no": "泗扶发〔2026〕4号"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        &x.approver,
        &list,
        "announcement",
        json!({"location": "县政府公告栏"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(status_of(app, &x.clerk, &marginal).await, "registered");
    let c = app
        .get(&format!("/api/v1/monitoring-cases/{case}"), &x.approver)
        .await;
    assert_eq!(c.body["stage"], "returned", "{:?}", c.body);
}

/// A household whose status changed after the county approved the list (here removed, as a
/// veto does) comes off it at the announcement with the reason, and the others enter: the
/// list is not blocked for good. And while a list is not announced, its households are on no
/// other year's list.
#[actix_web::test]
async fn a_household_moved_after_approval_comes_off_at_the_announcement() {
    let x = setup().await;
    let app = &x.app;
    let new = household_in(&x, "K1", 21, "non_poor").await;
    let gone = household_in(&x, "K2", 22, "non_poor").await;
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            intake(app, &[(&new, "new"), (&gone, "new")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let mut other = intake(app, &[(&gone, "new")]);
    other["year"] = json!(year(app) - 1);
    let r = app.post("/api/v1/intake-lists", &x.clerk, other).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already on the")),
        "{:?}",
        r.body
    );

    let end = appraised_and_posted(app, &x.clerk, &list, &[&new, &gone]).await;
    let by = end - app.state.clock.now() + Duration::hours(1);
    app.state.clock.advance(by);
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        &x.approver,
        &list,
        "approval",
        json!({"opinion": "同意纳入"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let sql = format!("UPDATE households SET status = 'removed' WHERE id = '{gone}'");
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
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
    assert_eq!(status_of(app, &x.clerk, &gone).await, "removed");
    let entries = r.body["entries"].as_array().cloned().unwrap_or_default();
    let off = entries
        .iter()
        .find(|e| e["household_id"] == gone.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(off["removed"], true, "{entries:?}");
    assert!(
        off["removed_reason"]
            .as_str()
            .is_some_and(|m| m.contains("not entered")),
        "{off}"
    );
}
