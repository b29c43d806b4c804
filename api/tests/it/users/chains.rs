//! The two-person rule up the chains of accounts (review of 2026-12-07): one administrator
//! holding several accounts — administrators they created or granted, colleagues whose
//! passwords they reset — cannot request with one and approve with another.

use super::*;

const PW: &str = "Correct-Horse-7731";

/// A user made through the API by `token` (the creator chooses the password); its id.
async fn create(app: &TestApp, token: &str, username: &str, org: &str, roles: &[&str]) -> String {
    let r = app
        .post(
            "/api/v1/users",
            token,
            json!({"username": username, "display_name": username, "password": PW,
                   "org_unit": org, "roles": roles}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

/// A request by `token` of a village clerk's role for `user`; the request's id.
async fn request(app: &TestApp, token: &str, user: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/users/{user}/roles"),
            token,
            json!({"role": "village_clerk", "org_unit": "370831001003"}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

async fn approve(app: &TestApp, token: &str, req: &str) -> (u16, String) {
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            token,
            json!({}),
        )
        .await;
    (
        r.status,
        r.body["code"].as_str().unwrap_or_default().to_owned(),
    )
}

#[actix_web::test]
async fn one_administrator_cannot_play_both_parts_through_accounts_they_made_or_took_over() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let clerk = app.user("clerk", "370831001003", &[]).to_string();
    let clerk2 = app.user("clerk.two", "370831001003", &[]).to_string();
    let colleague = app.user("admin.b", "370831", &["tenant_admin"]).to_string();
    let genuine = app.user("admin.g", "370831", &["tenant_admin"]);
    let _ = genuine;
    let a = app.token(&admin).await;
    let r = app
        .put_settings(
            "370831",
            &a,
            json!({"overrides": {"users": {"operational_grant_approval": true}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let refused = (409, "second_approver_required".to_owned());

    // A makes a puppet administrator and a user; the puppet requests, A approves: refused (A
    // stands behind both).
    create(&app, &a, "puppet", "370831", &["tenant_admin"]).await;
    let s = create(&app, &a, "s.user", "370831001003", &[]).await;
    let p = app.login("puppet", PW).await.0;
    let by_puppet = request(&app, &p, &s).await;
    assert_eq!(approve(&app, &a, &by_puppet).await, refused);

    // A resets a colleague's password and requests through that account: refused.
    let r = app
        .post(
            &format!("/api/v1/users/{colleague}/password-reset"),
            &a,
            json!({"new_password": "Taken-Over-Account-93"}),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    // The reset obliges a change first; the account stays tied to A after it.
    let b = app.login("admin.b", "Taken-Over-Account-93").await.0;
    let changed = app
        .change_own_password(&b, "Taken-Over-Account-93", "Changed-By-Owner-94")
        .await;
    assert_eq!(changed.status, 204, "{:?}", changed.body);
    let b = app.login("admin.b", "Changed-By-Owner-94").await.0;
    let by_colleague = request(&app, &b, &clerk).await;
    assert_eq!(approve(&app, &a, &by_colleague).await, refused);

    // A chain of puppets: A → p1 → p2 → q; p1 requests a role for A's own account, q approves:
    // refused (q's administration comes, up the chain, from both).
    create(&app, &a, "puppet.one", "370831", &["tenant_admin"]).await;
    let p1 = app.login("puppet.one", PW).await.0;
    create(&app, &p1, "puppet.two", "370831", &["tenant_admin"]).await;
    let p2 = app.login("puppet.two", PW).await.0;
    create(&app, &p2, "puppet.q", "370831", &["tenant_admin"]).await;
    let q = app.login("puppet.q", PW).await.0;
    let admin_id = app.get("/api/v1/me", &a).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let for_a = request(&app, &p1, &admin_id).await;
    assert_eq!(approve(&app, &q, &for_a).await, refused);

    // Two puppets of one administrator: one requests, the other approves: refused (the same
    // account behind both).
    let by_p1 = request(&app, &p1, &clerk2).await;
    create(&app, &a, "puppet.three", "370831", &["tenant_admin"]).await;
    let p3 = app.login("puppet.three", PW).await.0;
    assert_eq!(approve(&app, &p3, &by_p1).await, refused);

    // An administrator outside every chain (granted by the platform, password their own) may
    // approve each, and finds them in the inbox; A's inbox offers none.
    let g = app.token("admin.g").await;
    let inbox = app.get("/api/v1/me/tasks?kind=grant_request", &g).await;
    assert_eq!(inbox.body["counts"]["grant_request"], 4, "{:?}", inbox.body);
    let mine = app.get("/api/v1/me/tasks?kind=grant_request", &a).await;
    assert_eq!(mine.body["counts"]["grant_request"], 0, "{:?}", mine.body);
    for req in [&by_puppet, &by_colleague, &by_p1] {
        assert_eq!(approve(&app, &g, req).await, (200, String::new()), "{req}");
    }
}
