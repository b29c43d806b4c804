//! A round decision over several lists: each list takes the files stored for it, and a
//! decision dated before a list's notice ended holds that list back instead of refusing all.

use chrono::Duration;
use serde_json::{Value, json};

use super::{fields, held, in_first_notice, moved, posting};
use crate::exit::{TOWNSHIP, V1, V2, code, dated, nomination, registered, to_notice_end};
use crate::helpers::TestApp;

/// The `attachments` URIs the list's `step` recorded.
async fn step_files(app: &TestApp, token: &str, list: &str, step: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/exit-lists/{list}"), token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["step"] == step)
        .flat_map(|s| s["attachments"].as_array().cloned().unwrap_or_default())
        .map(|a| a["uri"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn cited(mut body: Value, ids: &[&str]) -> Value {
    crate::attachments::cite(&mut body, ids);
    body
}

#[actix_web::test]
async fn a_round_decision_hands_each_list_the_files_stored_for_it() {
    use crate::attachments::{PNG, set_evidence, upload, with_dir};
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let list1 = in_first_notice(&x, &x.clerk, V1, "S1", 61).await;
    let list2 = in_first_notice(&x, &x.clerk2, V2, "S2", 62).await;
    to_notice_end(app, &x.clerk, &list1, Duration::seconds(1)).await;
    to_notice_end(app, &x.clerk2, &list2, Duration::seconds(1)).await;
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
    assert_eq!(moved(&r).len(), 2, "{:?}", r.body);
    let round = r.body["round"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/second-notice"),
            &x.reviewer,
            json!({"postings": [posting(app, V1), posting(app, V2)]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    to_notice_end(app, &x.clerk, &list1, Duration::seconds(1)).await;
    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/approval"),
            &x.approver,
            dated(app, json!({"opinion": "同意", "decided_on": "today"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r).len(), 2, "{:?}", r.body);

    // The county stores the announcement's photo for each list; a third list (not in the
    // round) has its own file.
    let photo = |r: crate::helpers::Resp| {
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_str().unwrap_or_default().to_string()
    };
    let f1 = photo(upload(app, &x.approver, ("exit_list", &list1), "公告1.png", PNG).await);
    let f2 = photo(upload(app, &x.approver, ("exit_list", &list2), "公告2.png", PNG).await);
    let h3 = registered(app, &x.clerk, "S3", V1, 63, (2, 500_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h3]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list3 = r.body["id"].as_str().unwrap_or_default().to_string();
    let f3 = photo(upload(app, &x.clerk, ("exit_list", &list3), "x.png", PNG).await);
    set_evidence(app, true).await;

    let announcement = format!("/api/v1/exit-rounds/{round}/announcement");
    let notice = dated(
        app,
        json!({"location": "县政府公告栏", "posted_on": "today"}),
    );
    let r = app
        .post(
            &announcement,
            &x.approver,
            cited(notice.clone(), &[&f1, &f2, &f3]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), ["attachments[2].uri"]);
    let r = app
        .post(&announcement, &x.approver, cited(notice.clone(), &[&f1]))
        .await;
    assert_eq!(
        r.status, 422,
        "V2's list has no file of its own: {:?}",
        r.body
    );
    assert_eq!(fields(&r), ["attachments"]);
    let r = app
        .post(&announcement, &x.approver, cited(notice, &[&f1, &f2]))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r).len(), 2, "{:?}", r.body);
    assert_eq!(
        step_files(app, &x.approver, &list1, "announcement").await,
        [format!("/api/v1/attachments/{f1}")]
    );
    assert_eq!(
        step_files(app, &x.approver, &list2, "announcement").await,
        [format!("/api/v1/attachments/{f2}")]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn a_decision_dated_before_a_notice_ended_holds_that_list_back() {
    let x = crate::exit::setup().await;
    let app = &x.app;
    let list1 = in_first_notice(&x, &x.clerk, V1, "T1", 71).await;
    // V2 posts its notice three days later: it ends later.
    app.state.clock.advance(Duration::days(3));
    let list2 = in_first_notice(&x, &x.clerk2, V2, "T2", 72).await;
    let ends = |body: &Value| {
        body["notice_ends_at"]
            .as_str()
            .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
            .map(infra::clock::china_date)
            .unwrap_or_else(|| panic!("no notice end: {body:?}"))
    };
    let r1 = app
        .get(&format!("/api/v1/exit-lists/{list1}"), &x.clerk)
        .await;
    let r2 = app
        .get(&format!("/api/v1/exit-lists/{list2}"), &x.clerk2)
        .await;
    // The first day after V1's notice (its end is 24:00 of its last day).
    let (met_on, v2_over) = (ends(&r1.body), ends(&r2.body));
    assert!(met_on < v2_over, "{met_on} {v2_over}");
    to_notice_end(app, &x.clerk2, &list2, Duration::seconds(1)).await;

    // The township met the day V1's notice was over, and enters the decision afterwards.
    let r = app
        .post(
            "/api/v1/exit-rounds",
            &x.reviewer,
            json!({"township": TOWNSHIP, "year": 2016, "opinion": "同意",
                   "decided_on": met_on.to_string()}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(moved(&r), [list1.as_str()], "{:?}", r.body);
    assert_eq!(
        held(&r),
        [(V2.to_string(), "notice_period_running".to_string())],
        "{:?}",
        r.body
    );
    // A decision that no list's order allows is still refused as a whole.
    let round = r.body["round"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/township-review"),
            &x.reviewer,
            json!({"opinion": "同意", "decided_on": met_on.to_string()}),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "round_nothing_ready"),
        "{:?}",
        r.body
    );
    let r = app
        .post(
            &format!("/api/v1/exit-rounds/{round}/township-review"),
            &x.reviewer,
            dated(app, json!({"opinion": "同意", "decided_on": "today"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(moved(&r), [list2.as_str()], "{:?}", r.body);
}
