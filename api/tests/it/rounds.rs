//! Township rounds (issue 19 item 1; seed 1 §三 steps 5–9): the township reviews its villages'
//! first-notice lists together, posts the second notice in every village at once, the county
//! approves and announces the township list one decision each, then files the county's list. An
//! objection in one village holds back that village's list only.

use chrono::Duration;
use serde_json::{Value, json};

use crate::exit::{
    Exit, TOWNSHIP, V1, V2, code, dated, nomination, registered, setup, step_path, to_notice_end,
    votes,
};
use crate::helpers::{Resp, TestApp};

async fn take(app: &TestApp, token: &str, list: &str, step: &str, body: Value) -> Resp {
    app.post(&step_path(list, step), token, dated(app, body))
        .await
}

/// A list of one household of `village`, nominated, appraised, verified and in its first
/// notice.
async fn in_first_notice(x: &Exit, clerk: &str, village: &str, number: &str, seq: u32) -> String {
    let app = &x.app;
    let h = registered(app, clerk, number, village, seq, (2, 500_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", clerk, nomination(village, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    for (step, body) in [
        ("appraisal", votes(&[(&h, 28)])),
        (
            "verification",
            json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
        ),
        ("first-notice", json!({"location": "村委会公示栏"})),
    ] {
        let r = take(app, clerk, &list, step, body).await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    list
}

fn held(r: &Resp) -> Vec<(String, String)> {
    r.body["held"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["village_code"].as_str().unwrap_or_default().to_string(),
                h["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn moved(r: &Resp) -> Vec<String> {
    r.body["moved"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| m.as_str().unwrap_or_default().to_string())
        .collect()
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn stage(app: &TestApp, token: &str, list: &str) -> String {
    let r = app.get(&format!("/api/v1/exit-lists/{list}"), token).await;
    r.body["stage"].as_str().unwrap_or_default().to_string()
}

async fn objection(app: &TestApp, token: &str, list: &str) -> String {
    let r = app.get(&format!("/api/v1/exit-lists/{list}"), token).await;
    let household = r.body["entries"][0]["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            token,
            json!({"household_id": household, "raised_by": "村民李某", "content": "该户收入不实"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

async fn dismiss(app: &TestApp, token: &str, objection: &str) {
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            token,
            json!({"outcome": "dismissed", "reason": "经核实,收入属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

fn posting(app: &TestApp, village: &str) -> Value {
    dated(
        app,
        json!({"village_code": village, "location": "村委会公示栏", "posted_on": "today",
               "attachments": [{"title": "公示照片", "uri": "https://archive.sishui.example/2016/notice.jpg"}]}),
    )
}

#[actix_web::test]
async fn a_township_round_moves_its_villages_together_and_an_objection_holds_only_its_village() {
    let x = setup().await;
    let app = &x.app;
    let list1 = in_first_notice(&x, &x.clerk, V1, "R1", 31).await;
    let list2 = in_first_notice(&x, &x.clerk2, V2, "R2", 32).await;
    // An objection in V1's first notice.
    let o1 = objection(app, &x.clerk, &list1).await;

    let open = dated(
        app,
        json!({"township": TOWNSHIP, "year": 2016, "opinion": "同意", "decision_no": "卞政发〔2016〕3号",
               "decided_on": "today"}),
    );
    // Before the first notices end nothing is ready, and nothing is stored.
    let r = app
        .post("/api/v1/exit-rounds", &x.reviewer, open.clone())
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "round_nothing_ready"),
        "{:?}",
        r.body
    );
    assert!(
        r.body["detail"].as_str().unwrap_or_default().contains(V1),
        "{:?}",
        r.body
    );
    let l = app.get("/api/v1/exit-rounds", &x.approver).await;
    assert_eq!(l.body, json!([]));
    // Neither the village nor the county opens a round (403); for a reviewer of another
    // township the township lies outside their area, as another county's does for anyone:
    // 422 naming it, as every route answers a place outside scope.
    for who in [&x.clerk, &x.approver] {
        let r = app.post("/api/v1/exit-rounds", who, open.clone()).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
    }
    let mut foreign = open.clone();
    foreign["township"] = json!("370830001");
    for (who, body) in [(&x.other_reviewer, &open), (&x.reviewer, &foreign)] {
        let r = app.post("/api/v1/exit-rounds", who, body.clone()).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (422, Some("township")),
            "{:?}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["rule"], "not_in_scope", "{:?}", r.body);
    }
    let bad = app
        .post(
            "/api/v1/exit-rounds",
            &x.reviewer,
            json!({"township": "370831101201", "year": 2016, "opinion": ""}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert!(
        fields(&bad).contains(&"opinion".to_string()),
        "{:?}",
        bad.body
    );

    to_notice_end(app, &x.clerk, &list1, Duration::seconds(1)).await;
    let open = dated(
        app,
        json!({"township": TOWNSHIP, "year": 2016, "opinion": "同意", "decided_on": "today"}),
    );
    let r = app
        .post("/api/v1/exit-rounds", &x.reviewer, open.clone())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(moved(&r), [list2.as_str()]);
    assert_eq!(held(&r), [(V1.to_string(), "objections_open".to_string())]);
    assert_eq!(r.body["round"]["stage"], "first_notice");
    let round = r.body["round"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let again = app.post("/api/v1/exit-rounds", &x.reviewer, open).await;
    assert_eq!((again.status, code(&again)), (409, "already_exists"));

    // The list in the round takes no round step by itself.
    let r = take(
        app,
        &x.reviewer,
        &list1,
        "township-review",
        json!({"opinion": "同意"}),
    )
    .await;
    assert_eq!((r.status, code(&r)), (409, "list_in_round"), "{:?}", r.body);

    // The second notice: every village awaiting it, each once, none outside the round.
    let path = format!("/api/v1/exit-rounds/{round}/second-notice");
    let r = app
        .post(&path, &x.reviewer, json!({"postings": [posting(app, V1)]}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(fields(&r).contains(&"postings[0].village_code".to_string()));
    let r = app
        .post(
            &path,
            &x.reviewer,
            json!({"postings": [posting(app, V2), posting(app, "370831001001")]}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["postings[1].village_code"]);
    let r = app
        .post(&path, &x.reviewer, json!({"postings": [posting(app, V2)]}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(stage(app, &x.clerk2, &list2).await, "second_notice");

    // V1's objection is dismissed; the township reviews it on the round and posts its notice.
    dismiss(app, &x.clerk, &o1).await;
    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/township-review"),
            &x.reviewer,
            dated(app, json!({"opinion": "同意", "decided_on": "today"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r), [list1.as_str()]);
    let r = app
        .post(&path, &x.reviewer, json!({"postings": [posting(app, V1)]}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["round"]["postings"].as_array().map(Vec::len),
        Some(2)
    );

    // An objection in V2's second notice: at the approval only V2 waits.
    let o2 = objection(app, &x.reviewer, &list2).await;
    to_notice_end(app, &x.clerk, &list1, Duration::seconds(1)).await;
    let approval = format!("/api/v1/exit-rounds/{round}/approval");
    // The county approver's inbox sends the ended notices to the round's approval.
    let inbox = app.get("/api/v1/me/tasks", &x.approver).await;
    assert_eq!(inbox.status, 200, "{:?}", inbox.body);
    let links: Vec<&str> = inbox.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["object_id"] == list1.as_str())
        .map(|t| t["action_link"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(links, [approval.as_str()], "{:?}", inbox.body);
    let r = app
        .post(&approval, &x.reviewer, json!({"opinion": "同意"}))
        .await;
    assert_eq!(r.status, 403, "the township does not approve");
    let r = app
        .post(
            &approval,
            &x.approver,
            dated(app, json!({"opinion": "同意", "decision_no": "泗扶组〔2016〕5号", "decided_on": "today"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r), [list1.as_str()]);
    assert_eq!(held(&r), [(V2.to_string(), "objections_open".to_string())]);
    assert_eq!(stage(app, &x.clerk, &list1).await, "approved");
    assert_eq!(stage(app, &x.clerk2, &list2).await, "second_notice");
    // Nothing else is ready: a second approval names what waits.
    let r = app
        .post(&approval, &x.approver, json!({"opinion": "同意"}))
        .await;
    assert_eq!((r.status, code(&r)), (409, "round_nothing_ready"));
    dismiss(app, &x.reviewer, &o2).await;
    let r = app
        .post(
            &approval,
            &x.approver,
            dated(app, json!({"opinion": "同意", "decided_on": "today"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r), [list2.as_str()]);

    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/announcement"),
            &x.approver,
            dated(
                app,
                json!({"location": "县政府公告栏", "posted_on": "today"}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r).len(), 2);
    assert_eq!(r.body["round"]["stage"], "announced");

    // The county files its list once the announcement has ended.
    let filing = json!({"county_code": "370831", "year": 2016, "reference": "泗扶备〔2016〕1号"});
    let r = app
        .post("/api/v1/exit-filings", &x.approver, filing.clone())
        .await;
    assert_eq!((r.status, code(&r)), (409, "round_nothing_ready"));
    to_notice_end(app, &x.clerk, &list1, Duration::seconds(1)).await;
    let r = app
        .post("/api/v1/exit-filings", &x.stranger, filing.clone())
        .await;
    assert_eq!(r.status, 422, "another county's filing: {:?}", r.body);
    let r = app.post("/api/v1/exit-filings", &x.approver, filing).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["filed"].as_array().map(Vec::len), Some(2));
    assert_eq!(stage(app, &x.clerk, &list1).await, "filed");

    let r = app
        .get(&format!("/api/v1/exit-rounds/{round}"), &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "filed");
    assert_eq!(r.body["township_name"], "泉林镇", "{:?}", r.body);
    assert!(
        r.body["lists"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|l| l["village_name"].as_str().is_some_and(|n| !n.is_empty())),
        "{:?}",
        r.body
    );
    let steps: Vec<&str> = r.body["decisions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["step"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        steps,
        [
            "township_review",
            "second_notice",
            "township_review",
            "second_notice",
            "approval",
            "approval",
            "announcement"
        ]
    );
    assert_eq!(r.body["postings"][0]["attachments"][0]["title"], "公示照片");

    // Each list's step taken by the round has its own audit row naming the round.
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<N> = app.db.as_owner("370831", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'exit_list.approval' \
             AND object_id = '{list1}' AND details->'details'->>'round_id' = '{round}' \
             AND details->>'to' = 'approved'"
        ))
        .load(c)
    });
    assert_eq!(rows.first().map(|e| e.n), Some(1));

    // Another county, the city, a village: nothing of it.
    for who in [&x.stranger, &x.city, &x.clerk] {
        let r = app.get(&format!("/api/v1/exit-rounds/{round}"), who).await;
        assert_eq!(r.status, 404, "{:?}", r.body);
    }
    let r = app.get("/api/v1/exit-rounds", &x.stranger).await;
    assert_eq!(r.body, json!([]));
}

#[actix_web::test]
async fn a_county_requiring_rounds_refuses_the_village_by_village_review() {
    let x = setup().await;
    let app = &x.app;
    let list = in_first_notice(&x, &x.clerk, V1, "R3", 33).await;
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    let admin = app.token("admin.370831").await;
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"exit": {"township_round_required": true}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
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
        (409, "township_round_required"),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            "/api/v1/exit-rounds",
            &x.reviewer,
            dated(
                app,
                json!({"township": TOWNSHIP, "year": 2016, "opinion": "同意", "decided_on": "today"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(moved(&r), [list]);
}

mod decisions;
