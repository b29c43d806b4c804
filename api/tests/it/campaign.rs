//! The yearly dynamic-adjustment campaign (动态调整) through the HTTP API: opening with due
//! dates, the village table derived from exit lists per step, late villages after the due date,
//! excuses and closing, another county seeing nothing, bad input.

use chrono::{Datelike as _, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::exit::{Exit, TOWNSHIP, V1, V2, dated, nomination, registered, setup, votes};
use crate::helpers::{Resp, TestApp};

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

fn today(app: &TestApp) -> NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

/// The states of `village` in a page of the village table, by step.
fn states(page: &Value, village: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["village_code"] == village)
        .map(|v| {
            v["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| s["state"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn count(body: &Value, step: &str, state: &str) -> i64 {
    body["counts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["step"] == step)
        .and_then(|c| c[state].as_i64())
        .unwrap_or(-1)
}

/// Every village code of the campaign the caller sees, through the pages.
async fn all_villages(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/campaigns/{id}/villages?limit=200&cursor={c}"),
            None => format!("/api/v1/campaigns/{id}/villages?limit=200"),
        };
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        for v in r.body["items"].as_array().into_iter().flatten() {
            out.push(v["village_code"].as_str().unwrap_or_default().to_string());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

/// V1 with an exit list of 2016, appraised.
async fn appraised_list(x: &Exit) -> String {
    let app = &x.app;
    let a = registered(app, &x.clerk, "C1", V1, 71, (3, 400_000, true)).await;
    let b = registered(app, &x.clerk, "C2", V1, 72, (2, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&a, &b]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/appraisal"),
            &x.clerk,
            dated(app, votes(&[(&a, 20), (&b, 20)])),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    list
}

async fn open(x: &Exit, body: Value) -> Resp {
    x.app.post("/api/v1/campaigns", &x.approver, body).await
}

#[actix_web::test]
async fn the_village_table_follows_exit_lists_step_by_step_and_flags_late_villages() {
    let x = setup().await;
    let app = &x.app;
    let day = today(app);
    let due = day + Duration::days(1);
    let r = open(
        &x,
        json!({"county_code": "370831", "year": 2016, "deadlines": {"appraisal": due}, "note": "2016年动态调整"}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["county_code"], "370831000000");
    assert_eq!(r.body["deadlines"][0]["step"], "appraisal");
    assert_eq!(r.body["deadlines"][0]["nominal"], due.to_string());
    // The other steps default from the settings: campaign.village_notice_days (45) after opening.
    assert_eq!(
        r.body["deadlines"][1]["nominal"],
        (day + Duration::days(45)).to_string()
    );
    let villages = r.body["villages"].as_i64().unwrap_or_default();
    assert!(villages > 2, "{:?}", r.body);
    assert_eq!(count(&r.body, "appraisal", "not_started"), villages);
    // One open campaign per county and year.
    let again = open(&x, json!({"county_code": "370831", "year": 2016})).await;
    assert_eq!((again.status, code(&again)), (409, "campaign_open"));

    let list = appraised_list(&x).await;
    let path = format!("/api/v1/campaigns/{id}/villages?township={TOWNSHIP}");
    let r = app.get(&path, &x.reviewer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        states(&r.body, V1),
        [
            "done",
            "in_progress",
            "not_started",
            "not_started",
            "not_started"
        ]
    );
    assert_eq!(states(&r.body, V2), ["not_started"; 5]);
    assert_eq!(count(&r.body, "appraisal", "done"), 1);
    let in_township = r.body["items"].as_array().map_or(0, Vec::len);
    assert!(
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|v| v["township_code"] == format!("{TOWNSHIP}000"))
    );
    // The first notice runs: the village's notice step says so.
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/verification"),
            &x.clerk,
            dated(
                app,
                json!({"verified_on": "today", "verifiers": ["村主任"], "findings": "属实"}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/first-notice"),
            &x.clerk,
            json!({"location": "村委会公示栏"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.get(&path, &x.reviewer).await;
    assert_eq!(
        states(&r.body, V1),
        [
            "done",
            "notice_running",
            "not_started",
            "not_started",
            "not_started"
        ]
    );
    // Nothing is late on the due day itself.
    let r = app.get(&format!("{path}&late=true"), &x.reviewer).await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(0),
        "{:?}",
        r.body
    );

    // Past the appraisal's due date (moved past any rest days): V2 is late, V1 is not.
    app.state.clock.advance(Duration::days(12));
    let r = app.get(&format!("{path}&late=true"), &x.reviewer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let late: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["village_code"].as_str())
        .collect();
    assert!(late.contains(&V2) && !late.contains(&V1), "{late:?}");
    assert_eq!(late.len(), in_township - 1);
    assert_eq!(states(&r.body, V2)[0], "late");
    assert_eq!(
        count(&r.body, "appraisal", "late"),
        i64::try_from(in_township - 1).unwrap_or(0)
    );
    // Late villages wait in the inbox of the township and of the county, not of the village.
    let r = app
        .get("/api/v1/me/tasks?kind=campaign_step&limit=200", &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["counts"]["campaign_step"],
        i64::try_from(in_township - 1).unwrap_or(0)
    );
    let task = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["part"] == V2)
        .cloned()
        .unwrap_or_default();
    assert_eq!(task["action"], "appraisal", "{:?}", r.body);
    assert_eq!(task["object_id"], id.as_str());
    assert_eq!(task["overdue"], true);
    assert!(
        !r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["part"] == V1)
    );
    let r = app
        .get("/api/v1/me/tasks?kind=campaign_step", &x.approver)
        .await;
    assert_eq!(r.body["counts"]["campaign_step"], villages - 1);
    let r = app
        .get("/api/v1/me/tasks?kind=campaign_step", &x.clerk2)
        .await;
    assert_eq!(r.body["counts"]["campaign_step"], 0);

    let r = app
        .get(&format!("/api/v1/campaigns/{id}"), &x.approver)
        .await;
    assert_eq!(r.body["late_villages"], villages - 1);
    assert_eq!(r.body["totals"]["exits"]["in_procedure_households"], 2);
    assert_eq!(r.body["totals"]["exits"]["households"], 0);

    // A village user sees the campaign and only their village.
    let r = app
        .get(&format!("/api/v1/campaigns/{id}/villages"), &x.clerk)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["village_code"], V1);

    // Closing with villages neither done nor excused: 409 naming them.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/close"),
            &x.approver,
            json!({}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "campaign_villages_pending"));
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(V1) && detail.contains(V2), "{detail}");

    // Another county sees nothing of it.
    let r = app
        .get(&format!("/api/v1/campaigns/{id}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .get(&format!("/api/v1/campaigns/{id}/villages"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/excuses"),
            &x.stranger,
            json!({"village_code": V2, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 404);
    // Above the county (the city's observer) it is not shown either, like lists in progress.
    let r = app.get(&format!("/api/v1/campaigns/{id}"), &x.city).await;
    assert_eq!(r.status, 404);
    let r = app.get("/api/v1/campaigns", &x.city).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app.get("/api/v1/campaigns", &x.stranger).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app.get("/api/v1/campaigns", &x.reviewer).await;
    assert_eq!(r.body["items"][0]["id"], id.as_str());
}

#[actix_web::test]
async fn the_county_closes_once_every_village_is_excused_with_a_reason() {
    let x = setup().await;
    let app = &x.app;
    let r = open(&x, json!({"county_code": "370831", "year": 2017})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // The township may read but not excuse.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/excuses"),
            &x.reviewer,
            json!({"village_code": V1, "reason": "本年度无增减"}),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // Bad excuses name their field.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/excuses"),
            &x.approver,
            json!({"village_code": "370830101201", "reason": ""}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "reason");
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/excuses"),
            &x.approver,
            json!({"village_code": "370830101201", "reason": "外县"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "village_code");

    let codes = all_villages(app, &x.approver, &id).await;
    assert!(codes.len() > 2 && codes.contains(&V1.to_string()));
    let Some((last, rest)) = codes.split_last() else {
        panic!("no villages")
    };
    for v in rest {
        let r = app
            .post(
                &format!("/api/v1/campaigns/{id}/excuses"),
                &x.approver,
                json!({"village_code": v, "reason": "本年度无新识别、无退出、无返贫"}),
            )
            .await;
        assert_eq!(r.status, 200, "{v}: {:?}", r.body);
    }
    // One village left: it is the only one named.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/close"),
            &x.approver,
            json!({}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "campaign_villages_pending"));
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&format!(
                "1 village(s) are neither done nor excused: {last}"
            ))),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/excuses"),
            &x.approver,
            json!({"village_code": last, "reason": "行政村撤并"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["excused_villages"],
        i64::try_from(codes.len()).unwrap_or(0)
    );
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/close"),
            &x.approver,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "closed");
    // Closed is closed; the year may have a new campaign.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/close"),
            &x.approver,
            json!({}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "campaign_closed"));
    let r = open(&x, json!({"county_code": "370831", "year": 2017})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // The excuse shows in the table with its reason.
    let r = app
        .get(
            &format!("/api/v1/campaigns/{id}/villages?township={TOWNSHIP}"),
            &x.reviewer,
        )
        .await;
    let v1 = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["village_code"] == V1)
        .cloned()
        .unwrap_or_default();
    assert_eq!(v1["excused"], true);
    assert!(v1["excuse_reason"].as_str().is_some_and(|s| !s.is_empty()));
}

#[actix_web::test]
async fn bad_campaigns_are_refused_by_field_and_due_dates_skip_rest_days() {
    let x = setup().await;
    let app = &x.app;
    let day = today(app);
    // A village clerk may not open one.
    let r = app
        .post(
            "/api/v1/campaigns",
            &x.clerk,
            json!({"county_code": "370831", "year": 2018}),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = open(&x, json!({"county_code": "3708", "year": 1900})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["county_code", "year"]);
    let r = open(
        &x,
        json!({"county_code": "370831", "year": 2018, "deadlines": {
            "appraisal": day - Duration::days(1),
            "township_review": day + Duration::days(50),
            "county_approval": day + Duration::days(40)}}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["deadlines.appraisal", "deadlines.county_approval"]);
    let r = open(
        &x,
        json!({"county_code": "370831", "year": 2018, "deadlines": {"appraisal": "2018-02-30"}}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Another county's code.
    let r = open(&x, json!({"county_code": "370830", "year": 2018})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "county_code");

    // A due date on a Sunday moves to the next working day.
    let mut sunday = day + Duration::days(2);
    while sunday.weekday() != Weekday::Sun {
        sunday += Duration::days(1);
    }
    let r = open(
        &x,
        json!({"county_code": "370831", "year": 2018, "deadlines": {"appraisal": sunday}}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["deadlines"][0]["nominal"], sunday.to_string());
    let due: NaiveDate = r.body["deadlines"][0]["due_on"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(sunday);
    assert!(due > sunday, "{:?}", r.body["deadlines"]);
    // The table's township must be one of the county's.
    let id = r.body["id"].as_str().unwrap_or_default();
    for bad in ["370830101", "370831101201", "37"] {
        let r = app
            .get(
                &format!("/api/v1/campaigns/{id}/villages?township={bad}"),
                &x.approver,
            )
            .await;
        assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "township");
    }
}
