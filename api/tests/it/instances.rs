//! Several server instances on one database: a token issued by one is accepted by the others
//! (shared signing-key directory), and instances that migrate at the same time migrate once.

use std::time::Duration;

use infra::jwt::KeyRing;
use secrecy::ExposeSecret as _;

use crate::helpers::{TestApp, TestDb};

#[actix_web::test]
async fn a_token_issued_by_one_instance_is_accepted_by_the_others() {
    let dir = std::env::temp_dir().join(format!("zx-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    KeyRing::rotate_dir(&dir, Duration::from_secs(3600), chrono::Utc::now())
        .unwrap_or_else(|e| panic!("{e:#}"));
    let load = || {
        KeyRing::load_dir(&dir, Duration::from_secs(3600), chrono::Utc::now())
            .unwrap_or_else(|e| panic!("{e:#}"))
    };
    let mut app = TestApp::spawn_with(|_| {}, Some(load())).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let others = [
        app.start_sibling_with(load()),
        app.start_sibling_with(load()),
    ];
    let token = app.token("clerk").await;
    let client = awc::Client::default();
    for base in &others {
        let mut r = client
            .get(format!("{base}/api/v1/me"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status().as_u16(), 200);
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        assert_eq!(body["username"], "clerk");
    }
    // An instance with other keys refuses it.
    let stranger = app.start_sibling();
    let r = client
        .get(format!("{stranger}/api/v1/me"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 401);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn instances_migrating_together_migrate_once() {
    let db = TestDb::empty();
    let url = db.owner_url();
    let results: Vec<anyhow::Result<usize>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| infra::migrate::run_migrations(&url)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked")))
            })
            .collect()
    });
    let applied: Vec<usize> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("a migration run failed: {e:#}")))
        .collect();
    // One instance applied every migration; the others found nothing left to do.
    let total: usize = applied.iter().sum();
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "{applied:?}");
    let mut c = diesel::Connection::establish(url.expose_secret())
        .unwrap_or_else(|e: diesel::ConnectionError| panic!("{e}"));
    assert!(infra::migrate::migrations_current(&mut c).unwrap_or(false));
    assert!(total >= 8);
}
