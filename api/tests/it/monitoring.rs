//! Return-to-poverty monitoring through the HTTP API: identification village → township →
//! county within the deadline, measures, closing decisions, help-first cases, leads.

use chrono::Duration;
use diesel::RunQueryDsl as _;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{Exit, V1, setup};
use crate::helpers::{Resp, TestApp};

/// A household of V1 in `status`, with a 2022 record of `income_fen`.
async fn household_in(x: &Exit, number: &str, seq: u32, status: &str, income_fen: i64) -> String {
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            household(number, V1, &[id_number("370831", 500 + seq)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let year = json!({"income_per_capita_fen": income_fen, "enough_food": true, "enough_clothing": true,
        "compulsory_education": true, "basic_medical": true, "safe_housing": true, "safe_drinking_water": true});
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/households/{id}/years/2022"),
            Some(&x.clerk),
            Some(&year),
            &[],
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // Arranged directly: the exit procedure that would get it there is tested in `exit`.
    let sql = format!("UPDATE households SET status = '{status}' WHERE id = '{id}'");
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    id
}

fn case(household_id: &str, kind: &str, risks: &[&str], found_on: &str) -> Value {
    json!({"household_id": household_id, "kind": kind, "risk_types": risks,
        "found_on": found_on, "description": "户主患重病,医疗支出大"})
}

fn decision(approve: bool) -> Value {
    json!({"approve": approve, "opinion": "经核实"})
}

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> String {
    app.get(&format!("/api/v1/households/{id}"), token)
        .await
        .body["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn today(app: &TestApp) -> String {
    infra::clock::china_date(app.state.clock.now()).to_string()
}

#[actix_web::test]
async fn a_case_moves_village_township_county_and_is_closed_by_decision() {
    let x = setup().await;
    let app = &x.app;
    let h = household_in(&x, "M1", 1, "exited", 700_000).await;
    let on = today(app);
    // The kind must fit the household.
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "marginal", &["illness"], &on),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "kind");
    // Only the village identifies.
    let body = case(
        &h,
        "unstable_exited",
        &["illness", "expenditure_surge"],
        &on,
    );
    for t in [&x.reviewer, &x.approver] {
        assert_eq!(
            app.post("/api/v1/monitoring-cases", t, body.clone())
                .await
                .status,
            403
        );
    }
    let r = app
        .post("/api/v1/monitoring-cases", &x.clerk, body.clone())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["stage"], "identified");
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // One open case per household.
    let r = app.post("/api/v1/monitoring-cases", &x.clerk, body).await;
    assert_eq!((r.status, code(&r)), (409, "case_open"));
    let path = |s: &str| format!("/api/v1/monitoring-cases/{id}/{s}");
    // The county cannot confirm before the township; the township of another place cannot
    // review; the village cannot review.
    let r = app
        .post(&path("confirmation"), &x.approver, decision(true))
        .await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));
    let r = app
        .post(&path("township-review"), &x.other_reviewer, decision(true))
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post(&path("township-review"), &x.clerk, decision(true))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&path("township-review"), &x.reviewer, decision(true))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "township_reviewed");
    assert_eq!(status_of(app, &x.clerk, &h).await, "exited");
    let r = app
        .post(&path("confirmation"), &x.approver, decision(true))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "monitored");
    assert_eq!(r.body["overdue"], false);
    assert_eq!(status_of(app, &x.clerk, &h).await, "monitored");
    // The monitoring report counts it by stage, kind and risk; the day before, it did not exist.
    let report = app
        .get("/api/v1/reports/monitoring?region=370831101", &x.reviewer)
        .await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    let col = |r: &Value, code: &str| {
        let i = r["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .position(|c| c["code"] == code)
            .unwrap_or(usize::MAX);
        r["total"]["values"][i].clone()
    };
    assert_eq!(col(&report.body, "monitored"), 1);
    assert_eq!(col(&report.body, "kind:unstable_exited"), 1);
    assert_eq!(col(&report.body, "risk:illness"), 1);
    let yesterday = infra::clock::china_date(app.state.clock.now()) - chrono::Duration::days(1);
    let before = app
        .get(
            &format!("/api/v1/reports/monitoring?region=370831101&as_of={yesterday}"),
            &x.reviewer,
        )
        .await;
    assert_eq!(col(&before.body, "monitored"), 0);
    // Risk eliminated only after measures.
    let close = json!({"opinion": "收入稳定超过监测线,风险消除"});
    let r = app
        .post(&path("risk-elimination"), &x.approver, close.clone())
        .await;
    assert_eq!((r.status, code(&r)), (409, "no_measures"));
    let m = json!({"kind": "health", "date": on, "amount_fen": 500_000, "responsible": "李干部", "description": "大病救助"});
    let r = app.post(&path("measures"), &x.clerk, m).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["measures"].as_array().map(Vec::len), Some(1));
    let r = app
        .post(&path("risk-elimination"), &x.clerk, close.clone())
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&path("risk-elimination"), &x.approver, close.clone())
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "risk_eliminated");
    assert!(r.body["closed_at"].is_string());
    assert_eq!(status_of(app, &x.clerk, &h).await, "exited");
    // Every transition is an event, attributed.
    let kinds: Vec<(&str, &str)> = r.body["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default(),
                e["actor_username"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("identified", "clerk"),
            ("township_review", "reviewer"),
            ("confirmation", "approver"),
            ("measure", "clerk"),
            ("risk_elimination", "approver"),
        ]
    );
    // A closed case takes no more decisions.
    let r = app
        .post(&path("return-to-poverty"), &x.approver, close)
        .await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));
    // The household's history has the status changes with their reasons.
    let hist = app
        .get(&format!("/api/v1/households/{h}/history"), &x.clerk)
        .await;
    let statuses = hist.body["items"]
        .as_array()
        .or_else(|| hist.body.as_array())
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "status_changed" || e["kind"] == "monitoring")
        .count();
    // Identified and township review (no status change), confirmation and risk elimination
    // (status changes): every transition is in the household's history.
    assert_eq!(statuses, 4, "{:?}", hist.body);

    // A second case's risk is not found before the first case closed (that one's measures
    // would count for it).
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "sudden_hardship", &["accident"], &yesterday.to_string()),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "found_on", "{:?}", r.body);
    // A second case on the same household returns it to poverty.
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "sudden_hardship", &["accident"], &on),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id2 = r.body["id"].as_str().unwrap_or_default().to_string();
    let p2 = |s: &str| format!("/api/v1/monitoring-cases/{id2}/{s}");
    assert_eq!(
        app.post(&p2("township-review"), &x.reviewer, decision(true))
            .await
            .status,
        200
    );
    assert_eq!(
        app.post(&p2("confirmation"), &x.approver, decision(true))
            .await
            .status,
        200
    );
    let r = app
        .post(
            &p2("return-to-poverty"),
            &x.approver,
            json!({"opinion": "意外致残,丧失劳动能力"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "returned");
    assert_eq!(status_of(app, &x.clerk, &h).await, "returned");
    // Another county sees none of it.
    let r = app
        .get(&format!("/api/v1/monitoring-cases/{id}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);
    let r = app.get("/api/v1/monitoring-cases", &x.stranger).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
}

/// A case moves the household only from where it left it: a household another procedure
/// moved meanwhile (here removed, as a veto does) is not confirmed into monitoring, and a
/// monitored case closes without setting it back.
#[actix_web::test]
async fn a_decision_does_not_set_back_a_household_another_procedure_moved() {
    let x = setup().await;
    let app = &x.app;
    let on = today(app);
    let mut cases = Vec::new();
    for (n, status) in [(1, "exited"), (2, "exited")] {
        let h = household_in(&x, &format!("S{n}"), 40 + n, status, 700_000).await;
        let r = app
            .post(
                "/api/v1/monitoring-cases",
                &x.clerk,
                case(&h, "unstable_exited", &["illness"], &on),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap_or_default().to_string();
        let r = app
            .post(
                &format!("/api/v1/monitoring-cases/{id}/township-review"),
                &x.reviewer,
                decision(true),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        cases.push((h, id));
    }
    let set = |h: &str, status: &str| {
        let sql = format!("UPDATE households SET status = '{status}' WHERE id = '{h}'");
        app.db
            .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    };
    // Reviewed, then removed before the county confirms: not confirmed into monitoring.
    let (h, id) = &cases[0];
    set(h, "removed");
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/confirmation"),
            &x.approver,
            decision(true),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "household_status_changed"),
        "{:?}",
        r.body
    );
    assert_eq!(status_of(app, &x.clerk, h).await, "removed");
    // Dismissing it moves nothing, and stays open to the county.
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/confirmation"),
            &x.approver,
            decision(false),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["stage"]),
        (200, &json!("dismissed")),
        "{:?}",
        r.body
    );
    assert_eq!(status_of(app, &x.clerk, h).await, "removed");
    // Monitored, then removed: closing the case (here as fallen into poverty, which would have
    // made it returned) leaves the household where the other procedure put it.
    let (h, id) = &cases[1];
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/confirmation"),
            &x.approver,
            decision(true),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    set(h, "removed");
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/return-to-poverty"),
            &x.approver,
            json!({"opinion": "经核实"}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["stage"]),
        (200, &json!("returned")),
        "{:?}",
        r.body
    );
    assert_eq!(status_of(app, &x.clerk, h).await, "removed");
}

#[actix_web::test]
async fn a_household_never_poor_enters_as_non_poor_and_a_dismissal_leaves_it_so() {
    let x = setup().await;
    let app = &x.app;
    let on = today(app);
    let mut body = case("", "marginal", &["income_drop"], &on);
    body.as_object_mut().map(|o| o.remove("household_id"));
    body["household"] = household("N1", V1, &[id_number("370831", 601)]);
    let r = app
        .post("/api/v1/monitoring-cases", &x.clerk, body.clone())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let h = r.body["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(r.body["status_before"], "non_poor");
    assert_eq!(status_of(app, &x.clerk, &h).await, "non_poor");
    // Bad embedded household fields are named under `household.`.
    body["household"] = household("N2", V1, &["123".to_string()]);
    let r = app.post("/api/v1/monitoring-cases", &x.clerk, body).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["errors"][0]["field"],
        "household.members[0].id_number"
    );
    // The township dismisses it: closed, household untouched.
    let list = app
        .get("/api/v1/monitoring-cases?stage=identified", &x.reviewer)
        .await;
    let id = list.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/township-review"),
            &x.reviewer,
            decision(false),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "dismissed");
    assert_eq!(status_of(app, &x.clerk, &h).await, "non_poor");
}

async fn overdue_count(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/monitoring-cases?overdue=true", token)
        .await
        .body["items"]
        .as_array()
        .map_or(99, Vec::len)
}

#[actix_web::test]
async fn overdue_identifications_are_flagged() {
    let x = setup().await;
    let app = &x.app;
    let h = household_in(&x, "O1", 2, "exited", 700_000).await;
    let on = today(app);
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "unstable_exited", &["illness"], &on),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // A second, found the same day, that the township will dismiss late.
    let h2 = household_in(&x, "O2", 3, "exited", 700_000).await;
    let r2 = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h2, "unstable_exited", &["illness"], &on),
        )
        .await;
    assert_eq!(r2.status, 201, "{:?}", r2.body);
    let dismissed = r2.body["id"].as_str().unwrap_or_default().to_string();
    // The deadline is 15 days by default, counted as a Civil Code period on the working
    // calendar: the 15th day after, or the first working day after it when that is a rest day.
    // On the deadline it is in time, the day after overdue.
    let found: chrono::NaiveDate = on.parse().unwrap_or_default();
    let deadline: chrono::NaiveDate = r.body["deadline"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    let cal = app.calendar(found, deadline);
    assert_eq!(deadline, cal.period(found, 15).last_day);
    assert!(cal.is_working_day(deadline), "{deadline}");
    assert!(
        (15..30).contains(&(deadline - found).num_days()),
        "{deadline}"
    );
    app.state.clock.advance(deadline - found);
    assert_eq!(overdue_count(app, &x.approver).await, 0);
    app.state.clock.advance(Duration::days(1));
    assert_eq!(overdue_count(app, &x.approver).await, 2);
    let r = app
        .get(&format!("/api/v1/monitoring-cases/{id}"), &x.approver)
        .await;
    assert_eq!(r.body["overdue"], true);
    assert_eq!(r.body["overdue_days"], 1);
    // Decided late: recorded with the days late; no longer in the overdue queue.
    assert_eq!(
        app.post(
            &format!("/api/v1/monitoring-cases/{id}/township-review"),
            &x.reviewer,
            decision(true)
        )
        .await
        .status,
        200
    );
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{id}/confirmation"),
            &x.approver,
            decision(true),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["events"][2]["details"]["days_late"], 1);
    assert_eq!(r.body["overdue"], false);
    assert_eq!(r.body["overdue_days"], 1, "decided a day late");
    assert_eq!(overdue_count(app, &x.approver).await, 1);
    // Dismissed a day late: as late as a late confirmation, out of the queue.
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{dismissed}/township-review"),
            &x.reviewer,
            decision(false),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "dismissed");
    assert_eq!(r.body["overdue"], false);
    assert_eq!(r.body["overdue_days"], 1, "{:?}", r.body);
    assert_eq!(overdue_count(app, &x.approver).await, 0);
}

#[actix_web::test]
async fn leads_come_from_rules_and_reports_and_disasters_are_helped_first() {
    let x = setup().await;
    let app = &x.app;
    // 2022's monitoring line is 6,600 yuan by default.
    let below = household_in(&x, "L1", 3, "exited", 500_000).await;
    let above = household_in(&x, "L2", 4, "exited", 700_000).await;
    let returned = household_in(&x, "L3", 5, "returned", 100_000).await;
    let scan = json!({"county_code": "370831", "year": 2022});
    assert_eq!(
        app.post("/api/v1/monitoring-leads/scan", &x.clerk, scan.clone())
            .await
            .status,
        403
    );
    let r = app
        .post("/api/v1/monitoring-leads/scan", &x.approver, scan.clone())
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"income_below_line": 1, "returned_case": 1}));
    // A second scan raises nothing new.
    let r = app
        .post("/api/v1/monitoring-leads/scan", &x.approver, scan)
        .await;
    assert_eq!(r.body, json!({"income_below_line": 0, "returned_case": 0}));
    let r = app
        .post(
            "/api/v1/monitoring-leads/scan",
            &x.approver,
            json!({"county_code": "370831", "year": 2030}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "year");
    let r = app
        .post(
            "/api/v1/monitoring-leads/scan",
            &x.stranger,
            json!({"county_code": "370831", "year": 2022}),
        )
        .await;
    assert_eq!(r.status, 422);
    let queue = app
        .get("/api/v1/monitoring-leads?status=pending", &x.clerk)
        .await;
    let leads: Vec<(String, String)> = queue.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["household_id"].as_str().unwrap_or_default().to_string(),
                l["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(leads.contains(&(below.clone(), "income_below_line".into())));
    // Each lead names the household's head (the leads table shows who it is about).
    assert!(
        queue.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|l| l["head_name"] == "成员0"),
        "{:?}",
        queue.body
    );
    assert!(leads.contains(&(returned.clone(), "returned_case".into())));
    assert!(!leads.iter().any(|l| l.0 == above));
    // Dismissing a lead needs a reason, and happens once.
    let lead = queue.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["rule"] == "returned_case")
        .and_then(|l| l["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let vpath = format!("/api/v1/monitoring-leads/{lead}/verification");
    let r = app
        .post(&vpath, &x.clerk, json!({"outcome": "dismiss"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "reason");
    let dismiss = json!({"outcome": "dismiss", "reason": "已纳入低保兜底"});
    assert_eq!(
        app.post(&vpath, &x.reviewer, dismiss.clone()).await.status,
        403
    );
    assert_eq!(
        app.post(&vpath, &x.clerk, dismiss.clone()).await.status,
        200
    );
    let r = app.post(&vpath, &x.clerk, dismiss).await;
    assert_eq!((r.status, code(&r)), (409, "lead_resolved"));
    // A returned household is watched as unstable: a case opens for it, it cannot be nominated
    // for exit while monitored, and closing the case with the risk eliminated exits it again.
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&returned, "unstable_exited", &["income_drop"], &today(app)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let rc = r.body["id"].as_str().unwrap_or_default().to_string();
    let rp = |s: &str| format!("/api/v1/monitoring-cases/{rc}/{s}");
    assert_eq!(
        app.post(&rp("township-review"), &x.reviewer, decision(true))
            .await
            .status,
        200
    );
    assert_eq!(
        app.post(&rp("confirmation"), &x.approver, decision(true))
            .await
            .status,
        200
    );
    assert_eq!(status_of(app, &x.clerk, &returned).await, "monitored");
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            json!({"village_code": V1, "year": 2022, "villager_group": "一组",
                "nominated_on": today(app), "households": [returned]}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("only registered or returned"),
        "{:?}",
        r.body
    );
    let m = json!({"kind": "employment", "date": today(app), "responsible": "李干部"});
    assert_eq!(app.post(&rp("measures"), &x.clerk, m).await.status, 201);
    let r = app
        .post(
            &rp("risk-elimination"),
            &x.approver,
            json!({"opinion": "稳定就业"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(status_of(app, &x.clerk, &returned).await, "exited");

    // A medical expense below the threshold (10,000 yuan) is refused with the threshold.
    let on = today(app);
    let med = |amount: i64| {
        json!({"household_id": above, "rule": "medical_expense", "amount_fen": amount,
            "occurred_on": on, "description": "住院"})
    };
    let r = app
        .post("/api/v1/monitoring-leads", &x.clerk, med(999_999))
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("10000.00 yuan"),
        "{:?}",
        r.body
    );
    let r = app
        .post("/api/v1/monitoring-leads", &x.approver, med(1_000_000))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["head_name"], "成员0");
    assert_eq!(
        app.post("/api/v1/monitoring-leads", &x.clerk, med(1_000_000))
            .await
            .status,
        409
    );

    // A disaster: help first, verify after.
    let r = app
        .post(
            "/api/v1/monitoring-leads",
            &x.clerk,
            json!({"household_id": below, "rule": "disaster", "occurred_on": on, "description": "房屋倒塌"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let disaster = r.body["id"].as_str().unwrap_or_default().to_string();
    // The income lead of the same household is still pending; opening from the disaster lead
    // takes the household into monitoring at once.
    let r = app
        .post(
            &format!("/api/v1/monitoring-leads/{disaster}/verification"),
            &x.clerk,
            json!({"outcome": "open_case", "kind": "sudden_hardship", "risk_types": ["disaster"],
                "description": "暴雨致房屋倒塌", "rescue_first": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["lead"]["status"], "case_opened");
    assert_eq!(r.body["case"]["stage"], "monitored");
    assert_eq!(r.body["case"]["rescue_first"], true);
    assert!(r.body["case"]["post_verified"].is_null());
    assert_eq!(status_of(app, &x.clerk, &below).await, "monitored");
    let id = r.body["case"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let p = |s: &str| format!("/api/v1/monitoring-cases/{id}/{s}");
    let m =
        json!({"kind": "housing", "date": on, "amount_fen": 2_000_000, "responsible": "镇民政办"});
    assert_eq!(app.post(&p("measures"), &x.clerk, m).await.status, 201);
    let close = json!({"opinion": "房屋重建完成"});
    let r = app
        .post(&p("risk-elimination"), &x.approver, close.clone())
        .await;
    assert_eq!((r.status, code(&r)), (409, "awaiting_verification"));
    let r = app
        .post(&p("post-verification"), &x.approver, decision(true))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["post_verified"], true);
    let r = app
        .post(&p("post-verification"), &x.approver, decision(true))
        .await;
    assert_eq!((r.status, code(&r)), (409, "not_awaiting_verification"));
    let r = app.post(&p("risk-elimination"), &x.approver, close).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(status_of(app, &x.clerk, &below).await, "exited");

    // Help first applies to disasters only.
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            json!({"household_id": above, "kind": "sudden_hardship", "risk_types": ["illness"],
                "found_on": on, "description": "重病", "rescue_first": true}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "rescue_first");
    // Another village's clerk cannot report about this household.
    let r = app
        .post(
            "/api/v1/monitoring-leads",
            &x.clerk2,
            json!({"household_id": above, "rule": "disaster", "occurred_on": on, "description": "x"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "household_id");
}

/// Seed 4 "落实监测联系人": the village names each monitored household's contact, a user of the
/// county working at or above the village; the list finds the cases still without one.
#[actix_web::test]
async fn every_monitored_household_gets_a_named_contact() {
    let x = setup().await;
    let app = &x.app;
    let h = household_in(&x, "C1", 31, "exited", 700_000).await;
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "unstable_exited", &["illness"], &today(app)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.body["contact_user_id"].is_null());
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let without = |t: String| async move {
        let r = app
            .get("/api/v1/monitoring-cases?without_contact=true", &t)
            .await;
        r.body["items"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(without(x.clerk.clone()).await, 1);
    let user_of = |t: String| async move {
        app.get("/api/v1/me", &t).await.body["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let township = user_of(x.reviewer.clone()).await;
    let other_village = user_of(x.clerk2.clone()).await;
    let other_county = user_of(x.stranger.clone()).await;
    let path = format!("/api/v1/monitoring-cases/{id}/contact");
    // A user of another village, of another county, or unknown: refused alike, by name.
    let mut messages = Vec::new();
    for u in [
        other_village,
        other_county,
        "00000000-0000-4000-8000-000000000000".to_string(),
    ] {
        let r = app
            .send(
                "PUT",
                &path,
                Some(&x.clerk),
                Some(&json!({"user_id": u})),
                &[],
            )
            .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "user_id");
        messages.push(r.body["errors"][0]["message"].clone());
    }
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
    // Another village's clerk cannot assign it.
    let r = app
        .send(
            "PUT",
            &path,
            Some(&x.clerk2),
            Some(&json!({"user_id": township})),
            &[],
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // The township official is named; the case records it as an event.
    let r = app
        .send(
            "PUT",
            &path,
            Some(&x.clerk),
            Some(&json!({"user_id": township})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["contact_user_id"], township.as_str());
    assert_eq!(r.body["contact_name"], "reviewer");
    let events = r.body["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e["kind"] == "contact"), "{events:?}");
    assert_eq!(without(x.clerk.clone()).await, 0);
}

mod again;
mod reads;
