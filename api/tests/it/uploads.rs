//! Uploads that cost more than they weigh (issue 23, items 5 and 6): error answers that grow
//! with the input, archives that inflate, sheets with millions of rows, many imports at once.

use crate::helpers::TestApp;
use crate::transfer::HEADER;

async fn setup() -> (TestApp, String) {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    (app, t)
}

/// Item 6: 100,000 unknown columns gave a 20 MB 422. The answer lists the first 100 errors and
/// counts them all.
#[actix_web::test]
async fn a_file_with_100000_unknown_columns_gets_a_short_answer() {
    let (app, t) = setup().await;
    let long = "星".repeat(500);
    let mut header = HEADER.to_string();
    for i in 0..100_000 {
        header.push_str(&format!(",x{i}"));
    }
    header.push_str(&format!(",{long}\n"));
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            header.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body["detail"]);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(100));
    assert_eq!(r.body["errors_total"], 100_001);
    assert_eq!(r.body["errors"][0]["field"], "column 20");
    let size = r.body.to_string().len();
    assert!(size < 32 * 1024, "{size} bytes");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .ends_with("and 99901 more errors (errors_total)"),
        "{:?}",
        r.body["detail"]
    );
}
