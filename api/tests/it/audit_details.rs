//! What the audit log tells about a household (security.md §18): who did what to which
//! household and when, to every reader of the log; what the entry records (names, phone
//! numbers, health, reasons), only to those who may read households where it lies.

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[actix_web::test]
async fn administrators_audit_household_writes_without_reading_what_they_changed() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("auditor.sishui", "370831", &["auditor"]);
    let clerk = app.token("clerk").await;
    let ids = [crate::cases::id_number("370831", 7)];
    let r = app
        .post(
            "/api/v1/households",
            &clerk,
            crate::cases::household("A0001", "370831001003", &ids),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let hid = r.body["id"].as_str().unwrap_or_default().to_owned();
    let head = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{hid}/members/{head}"),
            Some(&clerk),
            Some(&json!({"phone": "13912345678"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    let entry = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/audit-events?{query}"), &token)
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"][0].clone()
        }
    };
    let q = "action=household.member_updated";
    // The county's auditor reads households, and the change.
    let seen = entry(app.token("auditor.sishui").await, q).await;
    assert!(
        seen["details"].to_string().contains("13912345678"),
        "{seen}"
    );
    assert_eq!(seen["withheld"], Value::Null);
    // The county's administrator and the platform's see the same entry without it.
    for who in [admin.clone(), "platform.admin".to_owned()] {
        let got = entry(app.token(&who).await, q).await;
        assert_eq!(got["id"], seen["id"], "{who}: the entry itself is listed");
        assert_eq!(
            (&got["action"], &got["object_id"], &got["actor_username"]),
            (&seen["action"], &seen["object_id"], &seen["actor_username"]),
            "{who}"
        );
        assert_eq!(got["details"], Value::Null, "{who}: {got}");
        assert_eq!(got["reason"], Value::Null, "{who}");
        assert_eq!(got["withheld"], "cases:read", "{who}");
        assert!(!got.to_string().contains("13912345678"), "{who}: {got}");
    }
    // The administration's own entries keep their details for the administrator.
    let own = entry(app.token(&admin).await, "action=role.grant").await;
    assert_eq!(own["withheld"], Value::Null, "{own}");
    assert_ne!(own["details"], Value::Null, "{own}");
}
