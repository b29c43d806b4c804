//! Townships' yearly plans and exit timetables (issue 22, seed 1) through the HTTP API: set by
//! the township or the county, versioned, approved and reopened by the county, rolled up against
//! the county's exit target with the filed exits of each township's villages.

use chrono::{Datelike as _, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::exit::{
    Exit, TOWNSHIP, V1, V2, code, dated, nomination, registered, setup, step_path, to_notice_end,
    votes,
};
use crate::helpers::{Resp, TestApp};

/// The other township of the test county (the one `reviewer.other` reviews).
const OTHER: &str = "370831001";

fn today(app: &TestApp) -> NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

async fn put(app: &TestApp, token: &str, path: &str, body: &Value, tag: Option<&str>) -> Resp {
    let headers: Vec<(&str, &str)> = tag.map(|t| ("If-Match", t)).into_iter().collect();
    app.send(
        "PUT",
        &format!("/api/v1/township-plans/{path}"),
        Some(token),
        Some(body),
        &headers,
    )
    .await
}

async fn rollup(app: &TestApp, token: &str, county: &str, year: i32) -> Resp {
    app.get(
        &format!("/api/v1/township-plans/rollup?county_code={county}&year={year}"),
        token,
    )
    .await
}

fn township<'a>(r: &'a Resp, code: &str) -> &'a Value {
    r.body["townships"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["township_code"] == format!("{code}000"))
        .unwrap_or_else(|| panic!("no {code}: {:?}", r.body))
}

async fn take(x: &Exit, token: &str, list: &str, step: &str, body: Value) {
    let r = x
        .app
        .post(&step_path(list, step), token, dated(&x.app, body))
        .await;
    assert_eq!(r.status, 200, "{step}: {:?}", r.body);
}

/// One household of three people in V1 (township 卞桥镇), its 2016 list walked to filing.
async fn filed_list(x: &Exit) {
    let app = &x.app;
    let h = registered(app, &x.clerk, "P1", V1, 81, (3, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let notice = json!({"location": "村委会公示栏"});
    let review = json!({"opinion": "同意", "decision_no": "泗扶发〔2016〕12号"});
    take(x, &x.clerk, &list, "appraisal", votes(&[(&h, 25)])).await;
    take(
        x,
        &x.clerk,
        &list,
        "verification",
        json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
    )
    .await;
    take(x, &x.clerk, &list, "first-notice", notice.clone()).await;
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    take(x, &x.reviewer, &list, "township-review", review.clone()).await;
    take(x, &x.reviewer, &list, "second-notice", notice.clone()).await;
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    take(x, &x.approver, &list, "approval", review).await;
    take(x, &x.approver, &list, "announcement", notice).await;
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    take(
        x,
        &x.approver,
        &list,
        "filing",
        json!({"reference": "济扶备〔2016〕3号"}),
    )
    .await;
}

#[actix_web::test]
async fn plans_roll_up_by_township_against_the_countys_target() {
    let x = setup().await;
    let app = &x.app;
    // The township sets its own plan; the county sets the other township's for it.
    let mine = json!({"exit_households": 2, "exit_people": 5, "entry_people": 0});
    let r = put(app, &x.reviewer, &format!("{TOWNSHIP}/2016"), &mine, None).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["township_code"], format!("{TOWNSHIP}000"));
    assert_eq!(r.body["approved"], false);
    let r = put(
        app,
        &x.approver,
        &format!("{OTHER}/2016"),
        &json!({"exit_households": 3, "exit_people": 6}),
        None,
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // A township user cannot set another township's plan: it is outside their scope.
    let r = put(
        app,
        &x.other_reviewer,
        &format!("{TOWNSHIP}/2016"),
        &mine,
        None,
    )
    .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Nor can a village clerk set their township's.
    let r = put(app, &x.clerk, &format!("{TOWNSHIP}/2016"), &mine, None).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .send(
            "PUT",
            "/api/v1/exit-targets/370831/2016",
            Some(&x.approver),
            Some(&json!({"people": 20})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    filed_list(&x).await;
    let r = rollup(app, &x.approver, "370831", 2016).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let t = township(&r, TOWNSHIP);
    assert_eq!(t["exits"]["households"], 1, "{t:?}");
    assert_eq!(t["exits"]["people"], 3, "{t:?}");
    assert_eq!(t["exit_lists"], 1);
    assert_eq!(t["plan"]["exit_people"], 5);
    // 2016 is over: one household of two planned is below the plan.
    assert_eq!(t["divergences"], json!(["exits_below_plan"]), "{t:?}");
    assert_eq!(t["diverges"], true);
    let o = township(&r, OTHER);
    assert_eq!(o["exits"]["people"], 0, "{o:?}");
    assert_eq!(o["divergences"], json!(["exits_below_plan"]));
    // A township without a plan has nothing to diverge from.
    let none = r.body["townships"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["plan"].is_null())
        .cloned()
        .unwrap_or_default();
    assert_eq!(none["diverges"], false, "{none:?}");
    // The county line: 11 people planned against a target of 20 (总量控制).
    let c = &r.body["county"];
    assert_eq!(c["planned_exit_people"], 11, "{c:?}");
    assert_eq!(c["planned_exit_households"], 5);
    assert_eq!(c["exit_target_people"], 20);
    assert_eq!(c["plans_short_of_target_people"], 9);
    assert_eq!(c["plans_below_target"], true);
    assert_eq!(c["townships_with_plan"], 2);
    // 进出平衡: three people out, nobody in.
    assert_eq!(
        (c["out_people"].clone(), c["in_people"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(c["net_change_people"], -3);
    assert_eq!(c["diverging_townships"], 2);

    // The township lowers its plan to what was done: replacing needs the version read.
    let met = json!({"exit_households": 1, "exit_people": 3});
    let path = format!("{TOWNSHIP}/2016");
    let r = put(app, &x.reviewer, &path, &met, None).await;
    assert_eq!(r.status, 428, "{:?}", r.body);
    let r = put(app, &x.reviewer, &path, &met, Some("\"7\"")).await;
    assert_eq!(r.status, 412, "{:?}", r.body);
    let r = put(app, &x.reviewer, &path, &met, Some("\"1\"")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 2);
    // And raises the county's target: the plans now cover it.
    let r = app
        .send(
            "PUT",
            "/api/v1/exit-targets/370831/2016",
            Some(&x.approver),
            Some(&json!({"people": 9})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = rollup(app, &x.approver, "370831", 2016).await;
    assert_eq!(township(&r, TOWNSHIP)["diverges"], false, "{:?}", r.body);
    assert_eq!(r.body["county"]["plans_below_target"], false);
    assert!(r.body["county"]["plans_short_of_target_people"].is_null());

    // The county approves the plan: the township may no longer change it until reopened.
    // It approves the version it read: figures the township changed meanwhile are refused.
    let approval = format!("/api/v1/township-plans/{path}/approval");
    let decide = |method: &'static str, token: String, version: Option<&'static str>| {
        let approval = approval.clone();
        async move {
            let headers: Vec<(&str, &str)> = version.map(|v| ("if-match", v)).into_iter().collect();
            app.send(method, &approval, Some(&token), None, &headers)
                .await
        }
    };
    let r = decide("POST", x.reviewer.clone(), Some("\"2\"")).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = decide("POST", x.approver.clone(), None).await;
    assert_eq!(r.status, 428, "{:?}", r.body);
    let r = decide("POST", x.approver.clone(), Some("\"1\"")).await;
    assert_eq!(
        r.status, 412,
        "the county read version 1, the township saved 2: {:?}",
        r.body
    );
    let r = decide("POST", x.approver.clone(), Some("\"2\"")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["approved"], true);
    assert_eq!(r.body["version"], 3);
    // Approving it again changes nothing and records nothing (the audit counts below).
    for tag in ["\"3\"", "\"2\""] {
        // Also the retry of an approval whose answer was lost (it carries version 2).
        let r = decide("POST", x.approver.clone(), Some(tag)).await;
        assert_eq!(
            (r.status, &r.body["version"]),
            (200, &json!(3)),
            "{:?}",
            r.body
        );
    }
    let r = put(app, &x.reviewer, &path, &mine, Some("\"3\"")).await;
    assert_eq!((r.status, code(&r)), (409, "plan_approved"), "{:?}", r.body);
    let r = decide("DELETE", x.approver.clone(), Some("\"3\"")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["approved"], false);
    let r = put(app, &x.reviewer, &path, &met, Some("\"4\"")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // Reads: the township sees its own plan and row, without the county's target.
    let r = app
        .get("/api/v1/township-plans?year=2016", &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{:?}", r.body);
    let r = app
        .get("/api/v1/township-plans?year=2016", &x.approver)
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(2), "{:?}", r.body);
    let r = rollup(app, &x.reviewer, "370831", 2016).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["townships"].as_array().map(Vec::len), Some(1));
    assert_eq!(township(&r, TOWNSHIP)["exits"]["people"], 3);
    assert!(r.body["county"]["exit_target_people"].is_null());
    let r = rollup(app, &x.clerk, "370831", 2016).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // The city sees the county under it: its filed exits, not the households on lists still
    // in the procedure (the county's own, exact to one household).
    let h = registered(app, &x.clerk, "P2", V1, 82, (2, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = rollup(app, &x.approver, "370831", 2016).await;
    assert_eq!(
        township(&r, TOWNSHIP)["exits"]["in_procedure_households"],
        1,
        "{:?}",
        r.body
    );
    assert_eq!(township(&r, TOWNSHIP)["exit_lists"], 2, "{:?}", r.body);
    let r = rollup(app, &x.city, "370831", 2016).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["county"]["exit_target_people"], 9);
    assert_eq!(township(&r, TOWNSHIP)["exits"]["households"], 1);
    assert_eq!(
        township(&r, TOWNSHIP)["exits"]["in_procedure_households"],
        0,
        "{:?}",
        r.body
    );
    // Nor the list itself: only the filed one is counted.
    assert_eq!(township(&r, TOWNSHIP)["exit_lists"], 1, "{:?}", r.body);

    // Another county's users find nothing.
    let r = put(app, &x.stranger, &path, &mine, None).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .get(&format!("/api/v1/township-plans/{path}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = rollup(app, &x.stranger, "370831", 2016).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = decide("POST", x.stranger.clone(), Some("\"4\"")).await;
    assert_eq!(r.status, 404, "{:?}", r.body);

    // Every write is audited.
    let admin = app.token("admin.370831").await;
    for (action, n) in [
        ("township_plan.created", 2),
        ("township_plan.updated", 2),
        ("township_plan.approved", 1),
        ("township_plan.reopened", 1),
    ] {
        let log = app
            .get(&format!("/api/v1/audit-events?action={action}"), &admin)
            .await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        let entries = log.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), n, "{action}: {entries:?}");
    }
}

#[actix_web::test]
async fn a_timetable_follows_the_procedure_inside_the_year() {
    let x = setup().await;
    let app = &x.app;
    let day = today(app);
    let year = day.year();
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(day);
    let path = format!("{TOWNSHIP}/{year}");
    let body = |milestones: Value| json!({"exit_households": 1, "exit_people": 2, "entry_people": 1, "milestones": milestones});
    // Bad input: each field named.
    let bad = [
        (format!("{TOWNSHIP}/1900"), body(json!([])), vec!["year"]),
        (
            "370831/2016".to_string(),
            body(json!([])),
            vec!["township_code"],
        ),
        (format!("{V1}/2016"), body(json!([])), vec!["township_code"]),
        (
            path.clone(),
            json!({"exit_households": -1, "exit_people": 2, "entry_people": -3}),
            vec!["exit_households", "entry_people"],
        ),
        (
            path.clone(),
            body(json!([{"step": "cleanup", "due_on": day}])),
            vec!["milestones[0].step"],
        ),
        (
            path.clone(),
            body(json!([{"step": "appraisal", "due_on": day}])),
            vec!["milestones[0].step"],
        ),
        (
            path.clone(),
            body(json!([{"step": "filing", "due_on": day}, {"step": "approval", "due_on": end}])),
            vec!["milestones[1].step"],
        ),
        (
            path.clone(),
            body(json!([{"step": "approval", "due_on": end + Duration::days(1)}])),
            vec!["milestones[0].due_on"],
        ),
        (
            path.clone(),
            body(json!([{"step": "approval", "due_on": end}, {"step": "filing", "due_on": day}])),
            if day < end {
                vec!["milestones[1].due_on"]
            } else {
                vec![]
            },
        ),
        // A plan of a past year has no timetable: its dates lie before the plan was made.
        (
            format!("{TOWNSHIP}/2016"),
            body(json!([{"step": "approval", "due_on": "2016-12-01"}])),
            vec!["milestones[0].due_on"],
        ),
    ];
    for (p, b, want) in bad {
        if want.is_empty() {
            continue;
        }
        let r = put(app, &x.reviewer, &p, &b, None).await;
        assert_eq!(r.status, 422, "{p} {b}: {:?}", r.body);
        assert_eq!(fields(&r), want, "{p} {b}: {:?}", r.body);
    }
    let r = app
        .get("/api/v1/township-plans/370831/2016", &x.reviewer)
        .await;
    assert_eq!(
        (r.status, fields(&r)),
        (422, vec!["township_code".to_string()])
    );
    let r = rollup(app, &x.approver, "3708", 2016).await;
    assert_eq!(
        (r.status, fields(&r)),
        (422, vec!["county_code".to_string()])
    );

    // While the county's campaign of the year is open, the township's inbox asks for its plan.
    let r = app
        .post(
            "/api/v1/campaigns",
            &x.approver,
            json!({"county_code": "370831", "year": year}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let asks = |r: &Resp| {
        r.body["items"].as_array().into_iter().flatten().any(|t| {
            t["kind"] == "township_plan"
                && t["action_link"] == format!("/api/v1/township-plans/{TOWNSHIP}000/{year}")
        })
    };
    let r = app
        .get("/api/v1/me/tasks?kind=township_plan", &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(asks(&r), "{:?}", r.body);
    assert_eq!(r.body["counts"]["township_plan"], 1, "{:?}", r.body);
    // The other township has its own; nobody else gets one.
    let r = app.get("/api/v1/me/tasks", &x.other_reviewer).await;
    assert_eq!(r.body["counts"]["township_plan"], 1, "{:?}", r.body);
    let r = app.get("/api/v1/me/tasks", &x.approver).await;
    assert_eq!(r.body["counts"]["township_plan"], 0, "{:?}", r.body);

    // A good timetable: the township review due today, filing at the year's end.
    let r = put(
        app,
        &x.reviewer,
        &path,
        &body(json!([{"step": "镇审核", "due_on": day}, {"step": "filing", "due_on": end}])),
        None,
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["milestones"][0]["step"], "township_review");
    assert_eq!(r.body["created_on"], day.to_string());
    let r = app.get("/api/v1/me/tasks", &x.reviewer).await;
    assert!(!asks(&r), "{:?}", r.body);
    assert_eq!(r.body["counts"]["township_plan"], 0, "{:?}", r.body);
    let r = rollup(app, &x.approver, "370831", year).await;
    let t = township(&r, TOWNSHIP);
    assert_eq!(t["milestones"][0]["state"], "due", "{t:?}");
    assert!(t["milestones"][0]["reached_on"].is_null());
    assert_eq!(t["diverges"], false, "{t:?}");
    // A day later, with no list of the township reviewed, the review is overdue.
    app.state.clock.advance(Duration::days(1));
    let r = rollup(app, &x.approver, "370831", year).await;
    let t = township(&r, TOWNSHIP);
    assert_eq!(t["milestones"][0]["state"], "overdue", "{t:?}");
    let d = t["divergences"].as_array().cloned().unwrap_or_default();
    assert!(d.contains(&json!("behind_timetable")), "{t:?}");
    // A list of the township reviewed on paper the day its notice ended, and entered two days
    // later: the milestone is reached on the day of the decision, not of the entry.
    let p = app.token("platform.admin").await;
    let s = app.get("/api/v1/settings/37", &p).await;
    let tag = s.header("etag").unwrap_or_else(|| "\"0\"".into());
    let mut lines = serde_json::Map::new();
    for y in [year - 1, year] {
        lines.insert(y.to_string(), json!(400_000));
    }
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"poverty_line_fen": lines}})),
            &[("if-match", tag.as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let h = registered(app, &x.clerk, "P9", V1, 89, (3, 400_000, true)).await;
    for y in [year - 1, year] {
        crate::exit::put_year(app, &x.clerk, &h, y, 1_500_000, true).await;
    }
    let mut n = nomination(V1, &[&h]);
    n["year"] = json!(year);
    n["nominated_on"] = json!(today(app).to_string());
    let r = app.post("/api/v1/exit-lists", &x.clerk, n).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    take(&x, &x.clerk, &list, "appraisal", votes(&[(&h, 25)])).await;
    take(
        &x,
        &x.clerk,
        &list,
        "verification",
        json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
    )
    .await;
    take(
        &x,
        &x.clerk,
        &list,
        "first-notice",
        json!({"location": "村委会公示栏"}),
    )
    .await;
    // A second list of the township, in V2, emptied by an upheld objection during its notice:
    // it has no step left, so it does not hold the township's milestone back.
    let h2 = registered(app, &x.clerk2, "P8", V2, 88, (3, 400_000, true)).await;
    for y in [year - 1, year] {
        crate::exit::put_year(app, &x.clerk2, &h2, y, 1_500_000, true).await;
    }
    let mut n = nomination(V2, &[&h2]);
    n["year"] = json!(year);
    n["nominated_on"] = json!(today(app).to_string());
    let r = app.post("/api/v1/exit-lists", &x.clerk2, n).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let emptied = r.body["id"].as_str().unwrap_or_default().to_string();
    take(&x, &x.clerk2, &emptied, "appraisal", votes(&[(&h2, 25)])).await;
    take(
        &x,
        &x.clerk2,
        &emptied,
        "verification",
        json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
    )
    .await;
    take(
        &x,
        &x.clerk2,
        &emptied,
        "first-notice",
        json!({"location": "村委会公示栏"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{emptied}/objections"),
            &x.clerk2,
            json!({"household_id": h2, "raised_by": "村民李某", "content": "该户收入不实"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let objection = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            &x.clerk2,
            json!({"outcome": "upheld", "reason": "核实属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    let decided = today(app);
    app.state.clock.advance(Duration::days(2));
    take(
        &x,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意", "decision_no": "泗扶发〔2026〕12号", "decided_on": decided.to_string()}),
    )
    .await;
    let r = rollup(app, &x.approver, "370831", year).await;
    let t = township(&r, TOWNSHIP);
    assert_eq!(
        t["milestones"][0]["reached_on"],
        decided.to_string(),
        "{t:?}"
    );
}
