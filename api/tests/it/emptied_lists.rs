//! A list whose every household was taken off by upheld objections has no step left (each
//! answers `list_empty`): the inbox does not offer it to anyone, for exit and intake lists.

use chrono::Duration;
use serde_json::{Value, json};

use crate::exit::{
    V1, code, dated, nomination, registered, setup, step_path, to_notice_end, votes,
};
use crate::helpers::{Resp, TestApp};

async fn take(app: &TestApp, token: &str, path: &str, body: Value) -> Resp {
    app.post(path, token, dated(app, body)).await
}

/// Whether `token`'s inbox holds any item about `id`.
async fn offered(app: &TestApp, token: &str, id: &str) -> bool {
    let r = app.get("/api/v1/me/tasks?limit=200", token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["object_id"] == id)
}

#[actix_web::test]
async fn an_exit_list_emptied_by_an_upheld_objection_leaves_the_inbox() {
    let x = setup().await;
    let app = &x.app;
    let h = registered(app, &x.clerk, "Q1", V1, 41, (2, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
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
        let r = take(app, &x.clerk, &step_path(&list, step), body).await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            &x.clerk,
            json!({"household_id": h, "raised_by": "村民李某", "content": "该户收入不实"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let objection = r.body["id"].as_str().unwrap_or_default().to_string();
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            &x.clerk,
            json!({"outcome": "upheld", "reason": "核实该户有未申报的务工收入"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The review it would have offered answers list_empty; so nobody is asked to take it.
    let review = json!({"opinion": "同意", "decision_no": "泗扶发〔2016〕12号"});
    let r = take(
        app,
        &x.reviewer,
        &step_path(&list, "township-review"),
        review,
    )
    .await;
    assert_eq!((r.status, code(&r)), (409, "list_empty"), "{:?}", r.body);
    for token in [&x.clerk, &x.reviewer, &x.approver] {
        assert!(!offered(app, token, &list).await);
    }
    let r = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["households"], 0, "{:?}", r.body);
}

#[actix_web::test]
async fn an_intake_list_emptied_by_an_upheld_objection_leaves_the_inbox() {
    let x = setup().await;
    let app = &x.app;
    let h = crate::intake::household_in(&x, "Q2", 42, "non_poor").await;
    let r = app
        .post(
            "/api/v1/intake-lists",
            &x.clerk,
            crate::intake::intake(app, &[(&h, "new")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let end = crate::intake::appraised_and_posted(app, &x.clerk, &list, &[&h]).await;
    let objections = format!("/api/v1/intake-lists/{list}/objections");
    let r = app
        .post(
            &objections,
            &x.clerk,
            json!({"household_id": h, "raised_by": "村民张三", "content": "该户有稳定收入"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let objection = r.body["id"].as_str().unwrap_or_default().to_string();
    app.state
        .clock
        .advance(end - app.state.clock.now() + Duration::hours(1));
    // Before the resolution the village holds the objection.
    assert!(offered(app, &x.clerk, &objection).await);
    let r = app
        .post(
            &format!("{objections}/{objection}/resolution"),
            &x.clerk,
            json!({"outcome": "upheld", "reason": "核实属实"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    let path = format!("/api/v1/intake-lists/{list}/township-review");
    let r = take(app, &x.reviewer, &path, json!({"opinion": "同意"})).await;
    assert_eq!((r.status, code(&r)), (409, "list_empty"), "{:?}", r.body);
    for token in [&x.clerk, &x.reviewer, &x.approver] {
        assert!(!offered(app, token, &list).await);
        assert!(!offered(app, token, &objection).await);
    }
}
