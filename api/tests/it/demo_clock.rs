//! The demo's controllable clock (`ZX_DEMO_CLOCK`): off, nobody can move it; on, only a platform
//! administrator can, within its range, audited; the use cases see the date it sets.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn put(app: &TestApp, token: &str, body: Value) -> crate::helpers::Resp {
    app.send("PUT", "/api/v1/demo/clock", Some(token), Some(&body), &[])
        .await
}

#[actix_web::test]
async fn off_by_default_nobody_moves_the_clock() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let p = app.token("platform.admin").await;
    let r = app.get("/api/v1/demo/clock", &p).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (r.body["enabled"].as_bool(), r.body["offset_days"].as_i64()),
        (Some(false), Some(0))
    );
    let r = put(&app, &p, json!({"offset_days": 10})).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    assert_eq!(app.state.clock.offset(), Duration::zero());
}

#[actix_web::test]
async fn on_a_platform_administrator_sets_the_date_the_use_cases_see() {
    let mut app = TestApp::spawn_with(|c| c.demo_clock = true, None).await;
    let admin = app.onboard("370831");
    let county = app.token(&admin).await;
    let p = app.token("platform.admin").await;

    // A county administrator holds settings:manage, but not at the platform.
    let r = put(&app, &county, json!({"offset_days": 10})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = put(&app, &p, json!({"offset_days": 731})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "offset_days", "{:?}", r.body);
    let r = put(&app, &p, json!({"offset_days": -1})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(app.state.clock.offset(), Duration::zero());

    let r = put(&app, &p, json!({"offset_days": 12})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let want = infra::clock::china_date(Utc::now() + Duration::days(12)).to_string();
    assert_eq!(r.body["today"], want.as_str());
    assert_eq!(app.state.clock.offset(), Duration::days(12));
    // Anyone signed in reads it (the console shows that the date is moved).
    let r = app.get("/api/v1/demo/clock", &county).await;
    assert_eq!(
        (r.body["enabled"].as_bool(), r.body["offset_days"].as_i64()),
        (Some(true), Some(12))
    );
    // The change is audited with the offset before and after.
    let r = app
        .get("/api/v1/audit-events?action=demo.clock_set", &p)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        (
            items[0]["details"]["offset_days_before"].as_i64(),
            items[0]["details"]["offset_days"].as_i64()
        ),
        (Some(0), Some(12))
    );
    // Back to the real date.
    let r = put(&app, &p, json!({"offset_days": 0})).await;
    assert_eq!((r.status, r.body["offset_days"].as_i64()), (200, Some(0)));
    assert_eq!(app.state.clock.offset(), Duration::zero());
}
