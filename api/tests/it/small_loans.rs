//! 小额信贷 through the HTTP API (seed 4: 扎实做好脱贫人口小额信贷工作; issue 22): a small loan
//! is an assistance measure with the amount lent (fen) and its term in months, both checked.

use serde_json::json;

use crate::cases::{household, id_number};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_small_loan_records_its_amount_and_term() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    let t = app.token("clerk").await;
    let other = app.token("clerk.b").await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("SL1", "370831001003", &[id_number("370831", 41)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let url = format!("/api/v1/households/{id}/measures");
    let fields = |b: &serde_json::Value| {
        let mut f: Vec<String> = b["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["field"].as_str().map(str::to_owned))
            .collect();
        f.sort_unstable();
        f
    };
    // A loan needs an amount and a term; a term belongs to loans only.
    let r = app
        .post(
            &url,
            &t,
            json!({"kind": "small_loan", "date": "2021-03-01", "responsible": "李干部"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r.body), vec!["amount_fen", "term_months"]);
    let r = app
        .post(
            &url,
            &t,
            json!({"kind": "small_loan", "date": "2021-03-01", "responsible": "李干部",
                "amount_fen": 5_000_000, "term_months": 121}),
        )
        .await;
    assert_eq!(
        (r.status, fields(&r.body)),
        (422, vec!["term_months".to_string()])
    );
    let r = app
        .post(
            &url,
            &t,
            json!({"kind": "industry", "date": "2021-03-01", "responsible": "李干部",
                "amount_fen": 100, "term_months": 12}),
        )
        .await;
    assert_eq!(
        (r.status, fields(&r.body)),
        (422, vec!["term_months".to_string()])
    );
    // 50,000 yuan for three years.
    let loan = json!({"kind": "小额信贷", "date": "2021-03-01", "responsible": "李干部",
        "amount_fen": 5_000_000, "term_months": 36, "description": "发展养殖"});
    let r = app.post(&url, &t, loan.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = app.get(&url, &t).await;
    assert_eq!(list.body[0]["kind"], "small_loan");
    assert_eq!(list.body[0]["amount_fen"], 5_000_000);
    assert_eq!(list.body[0]["term_months"], 36);
    // Another county's clerk reaches neither the household nor its measures.
    assert_eq!(app.get(&url, &other).await.status, 404);
    assert_eq!(app.post(&url, &other, loan).await.status, 404);
}
