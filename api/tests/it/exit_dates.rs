//! Dated steps (issue 18 item 2): each step records the day it happened, which may be earlier
//! than the day it is entered (within `exit.backdate_days`), never in the future and never
//! before the step it follows; a notice's period runs from its posting date on the calendar.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::exit::{V1, nomination, registered, setup, step_path, votes};
use crate::helpers::{Resp, TestApp};

fn today(app: &TestApp) -> NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

async fn post(app: &TestApp, token: &str, list: &str, step: &str, body: Value) -> Resp {
    app.post(&step_path(list, step), token, body).await
}

fn refusal(r: &Resp) -> (u16, String, String) {
    (
        r.status,
        r.body["errors"][0]["field"]
            .as_str()
            .unwrap_or_default()
            .into(),
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .into(),
    )
}

/// A list nominated on an earlier day (entered later) is appraised from that day on: the
/// nomination's own date, not the day it was entered, is what the next step follows.
#[actix_web::test]
async fn the_appraisal_follows_the_nominations_own_date() {
    let x = setup().await;
    let app = &x.app;
    let h = registered(app, &x.clerk, "D2", V1, 31, (3, 400_000, true)).await;
    let t = today(app);
    let mut body = nomination(V1, &[&h]);
    body["nominated_on"] = json!(t - Duration::days(10));
    let r = app.post("/api/v1/exit-lists", &x.clerk, body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let mut appraisal = votes(&[(&h, 28)]);
    appraisal["held_on"] = json!(t - Duration::days(11));
    let (s, f, m) = refusal(&post(app, &x.clerk, &list, "appraisal", appraisal.clone()).await);
    assert_eq!((s, f.as_str()), (422, "held_on"), "{m}");
    assert!(
        m.contains(&format!(
            "the date of the nomination it follows: it must be on or after {}",
            t - Duration::days(10)
        )),
        "{m}"
    );
    appraisal["held_on"] = json!(t - Duration::days(9));
    let r = post(app, &x.clerk, &list, "appraisal", appraisal).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[actix_web::test]
async fn steps_are_dated_when_they_happened_within_the_rules() {
    let x = setup().await;
    let app = &x.app;
    let h = registered(app, &x.clerk, "D1", V1, 31, (3, 400_000, true)).await;
    // Nominated today (the nomination's own date is what the appraisal follows).
    let mut body = nomination(V1, &[&h]);
    body["nominated_on"] = json!(today(app));
    let r = app.post("/api/v1/exit-lists", &x.clerk, body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let nominated = today(app);
    // The paperwork is entered twelve days later.
    app.state.clock.advance(Duration::days(12));
    let t = today(app);
    let day = |n: i64| nominated + Duration::days(n);

    // A meeting before the nomination, or tomorrow, is refused naming both dates.
    let mut appraisal = votes(&[(&h, 28)]);
    appraisal["held_on"] = json!(day(-1));
    let (s, f, m) = refusal(&post(app, &x.clerk, &list, "appraisal", appraisal.clone()).await);
    assert_eq!((s, f.as_str()), (422, "held_on"), "{m}");
    assert!(
        m.contains(&day(-1).to_string()) && m.contains(&nominated.to_string()),
        "{m}"
    );
    appraisal["held_on"] = json!(t + Duration::days(1));
    let (s, f, m) = refusal(&post(app, &x.clerk, &list, "appraisal", appraisal.clone()).await);
    assert_eq!((s, f.as_str()), (422, "held_on"), "{m}");
    assert!(
        m.contains("in the future") && m.contains(&t.to_string()),
        "{m}"
    );
    appraisal["held_on"] = json!(day(2));
    let r = post(app, &x.clerk, &list, "appraisal", appraisal).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let verification =
        |on: NaiveDate| json!({"verified_on": on, "verifiers": ["王某"], "findings": "属实"});
    let (s, f, m) =
        refusal(&post(app, &x.clerk, &list, "verification", verification(day(1))).await);
    assert_eq!((s, f.as_str()), (422, "verified_on"), "{m}");
    assert!(
        m.contains(&format!("before {}, the date of the appraisal", day(2))),
        "{m}"
    );
    let r = post(app, &x.clerk, &list, "verification", verification(day(3))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The notice was posted on paper on day 4: its period runs from day 5 on the calendar.
    let notice = |on: Value| json!({"location": "村委会公示栏", "posted_on": on});
    let (s, f, m) =
        refusal(&post(app, &x.clerk, &list, "first-notice", notice(json!(day(2)))).await);
    assert_eq!((s, f.as_str()), (422, "posted_on"), "{m}");
    assert!(
        m.contains(&day(2).to_string()) && m.contains(&day(3).to_string()),
        "{m}"
    );
    let r = post(app, &x.clerk, &list, "first-notice", notice(json!(day(4)))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let period = app.calendar(day(4), day(30)).period(day(4), 7);
    let step = r.body["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["step"] == "first_notice").cloned())
        .unwrap_or_default();
    assert_eq!(step["details"]["posted_on"], json!(day(4)));
    assert_eq!(step["details"]["last_day"], json!(period.last_day));
    assert_eq!(
        r.body["notice_ends_at"]
            .as_str()
            .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()),
        Some(period.ends_at())
    );
    // The document prints the true period and signs with the posting date.
    let html = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/village_notice"),
            &x.approver,
        )
        .await
        .body;
    let html = html.as_str().unwrap_or_default();
    let d = domain::calendar::date_zh;
    assert!(
        !html.contains("委员会村民委员会"),
        "a full committee name takes no suffix: {html}"
    );
    assert!(
        html.contains(&format!(
            "公示期：自{}至{}24时",
            d(period.first_day),
            d(period.last_day)
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!("卞桥二村村民委员会<br>{}</p>", d(day(4)))),
        "{html}"
    );

    // Once the notice has ended, the township review is dated after its last day.
    crate::exit::to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    let review = |on: NaiveDate| json!({"opinion": "同意", "decided_on": on});
    let (s, f, m) = refusal(
        &post(
            app,
            &x.reviewer,
            &list,
            "township-review",
            review(period.last_day),
        )
        .await,
    );
    assert_eq!((s, f.as_str()), (422, "decided_on"), "{m}");
    assert!(
        m.contains(&format!("runs until {}", period.last_day)),
        "{m}"
    );
    let r = post(
        app,
        &x.reviewer,
        &list,
        "township-review",
        review(today(app)),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The township signs as its people's government, dated with the decision.
    let html = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/township_report"),
            &x.approver,
        )
        .await
        .body;
    let must = format!("泉林镇人民政府<br>{}</p>", d(today(app)));
    assert!(
        html.as_str().unwrap_or_default().contains(&must),
        "{must}: {html}"
    );

    // Too far back: at most 30 days (the setting) before the day it is entered.
    app.state.clock.advance(Duration::days(40));
    let t = today(app);
    let r = post(
        app,
        &x.reviewer,
        &list,
        "second-notice",
        notice(json!(t - Duration::days(31))),
    )
    .await;
    let (s, f, m) = refusal(&r);
    assert_eq!((s, f.as_str()), (422, "posted_on"), "{m}");
    assert!(
        m.contains(&format!("on or after {}", t - Duration::days(30))),
        "{m}"
    );
    // Nothing was written by the refusals.
    let v = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.reviewer)
        .await;
    assert_eq!(v.body["stage"], "township_reviewed");
    assert_eq!(v.body["steps"].as_array().map(Vec::len), Some(5));
}
