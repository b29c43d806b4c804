//! A household's second case after its first closed: the first case's measures do not count
//! for the second, and a lead dated before the first closed still opens the second.

use serde_json::json;

use super::{case, decision, household_in, today};
use crate::exit::setup;

#[actix_web::test]
async fn a_second_case_needs_its_own_measures_and_an_earlier_lead_still_opens_it() {
    let x = setup().await;
    let app = &x.app;
    let h = household_in(&x, "G1", 41, "exited", 700_000).await;
    let on = today(app);
    let opened = |body: serde_json::Value| {
        let (app, clerk) = (app, x.clerk.clone());
        async move {
            let r = app.post("/api/v1/monitoring-cases", &clerk, body).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body["id"].as_str().unwrap_or_default().to_string()
        }
    };
    let confirm = |id: String| {
        let x = &x;
        async move {
            let p = |s: &str| format!("/api/v1/monitoring-cases/{id}/{s}");
            let r = x
                .app
                .post(&p("township-review"), &x.reviewer, decision(true))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let r = x
                .app
                .post(&p("confirmation"), &x.approver, decision(true))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
    };
    let close = json!({"opinion": "收入稳定,风险消除"});
    // The first case: a measure today, closed today.
    let first = opened(case(&h, "unstable_exited", &["illness"], &on)).await;
    confirm(first.clone()).await;
    let m = json!({"kind": "health", "date": on, "responsible": "李干部"});
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{first}/measures"),
            &x.clerk,
            m.clone(),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{first}/risk-elimination"),
            &x.approver,
            close.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // A second case found the same day: the first case's measure (dated today) is not its own.
    let second = opened(case(&h, "unstable_exited", &["expenditure_surge"], &on)).await;
    confirm(second.clone()).await;
    let eliminate = format!("/api/v1/monitoring-cases/{second}/risk-elimination");
    let r = app.post(&eliminate, &x.approver, close.clone()).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("no_measures")),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            &format!("/api/v1/monitoring-cases/{second}/measures"),
            &x.clerk,
            m,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.post(&eliminate, &x.approver, close).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // A disaster reported as of yesterday (before both closed): verifying it opens a case,
    // found the day the last case closed.
    let yesterday =
        (infra::clock::china_date(app.state.clock.now()) - chrono::Duration::days(1)).to_string();
    let r = app
        .post(
            "/api/v1/monitoring-leads",
            &x.clerk,
            json!({"household_id": h, "rule": "disaster", "occurred_on": yesterday, "description": "房屋倒塌"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let lead = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/monitoring-leads/{lead}/verification"),
            &x.clerk,
            json!({"outcome": "open_case", "kind": "sudden_hardship", "risk_types": ["disaster"],
                "description": "暴雨致房屋倒塌", "rescue_first": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let case_id = r.body["case"]["id"]
        .as_str()
        .or_else(|| r.body["case_id"].as_str())
        .unwrap_or_default()
        .to_string();
    let c = app
        .get(&format!("/api/v1/monitoring-cases/{case_id}"), &x.clerk)
        .await;
    assert_eq!(c.status, 200, "{:?} {:?}", r.body, c.body);
    assert_eq!(c.body["found_on"], on, "{:?}", c.body);
}
