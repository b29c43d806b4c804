//! Users and grants: scope, levels, concurrency, pagination, validation.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

fn new_user(username: &str, org: &str) -> serde_json::Value {
    json!({"username": username, "display_name": "张三", "password": "a-good-password", "org_unit": org})
}

#[actix_web::test]
async fn county_admin_manages_only_inside_the_county() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.onboard("370830");
    let t = app.token(&admin).await;
    let mut body = new_user("clerk.new", "370831001003");
    body["roles"] = json!(["village_clerk"]);
    let ok = app.post("/api/v1/users", &t, body).await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["roles"][0]["role"], "village_clerk");
    assert_eq!(ok.header("etag").as_deref(), Some("\"1\""));
    assert!(ok.body.get("password_hash").is_none());
    // Another county, the city above, the province: 403.
    for org in ["370830001001", "3708", "37"] {
        let r = app
            .post("/api/v1/users", &t, new_user("x.other", org))
            .await;
        assert_eq!(r.status, 403, "{org}: {:?}", r.body);
    }
    // The new clerk can log in.
    app.login("clerk.new", "a-good-password").await;
}

#[actix_web::test]
async fn grants_respect_subtree_and_level() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.onboard("370830");
    let clerk = app.user("clerk", "370831001003", &[]);
    let township_user = app.user("township.user", "370831001", &[]);
    let t = app.token(&admin).await;
    let grant = |role: &str, org: &str| json!({"role": role, "org_unit": org});
    // At another county or at the city above: 403.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            grant("village_clerk", "370830001001"),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            &format!("/api/v1/users/{township_user}/roles"),
            &t,
            grant("observer", "3708"),
        )
        .await;
    assert_eq!(r.status, 403);
    // Wrong level for the role, unknown role: 422 naming the field.
    let r = app
        .post(
            &format!("/api/v1/users/{township_user}/roles"),
            &t,
            grant("village_clerk", "370831001"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "org_unit");
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            grant("emperor", "370831001003"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "role");
    // A fitting grant, then the same again (409), then revoke.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            grant("village_clerk", "370831001003"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let gid = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            grant("village_clerk", "370831001003"),
        )
        .await;
    assert_eq!(r.status, 409);
    let list = app.get(&format!("/api/v1/users/{clerk}/roles"), &t).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/users/{clerk}/roles/{gid}"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 204);
    let list = app.get(&format!("/api/v1/users/{clerk}/roles"), &t).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn another_countys_user_is_not_found_by_any_route() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let other_admin = app.onboard("370830");
    let foreign = app.user("foreign", "370830001001", &["village_clerk"]);
    let t = app.token(&admin).await;
    let to = app.token(&other_admin).await;
    let foreign_grant =
        app.get(&format!("/api/v1/users/{foreign}"), &to).await.body["roles"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    let p = format!("/api/v1/users/{foreign}");
    for (method, path, body) in [
        ("GET", p.clone(), None),
        ("PATCH", p.clone(), Some(json!({"display_name": "x"}))),
        ("POST", format!("{p}/disable"), Some(json!({}))),
        ("POST", format!("{p}/enable"), Some(json!({}))),
        (
            "POST",
            format!("{p}/password-reset"),
            Some(json!({"new_password": "whatever-123"})),
        ),
        ("GET", format!("{p}/roles"), None),
        (
            "POST",
            format!("{p}/roles"),
            Some(json!({"role": "village_clerk", "org_unit": "370831001003"})),
        ),
        ("DELETE", format!("{p}/roles/{foreign_grant}"), None),
        ("GET", format!("/api/v1/users/{}", Uuid::new_v4()), None),
        ("GET", "/api/v1/users/not-a-uuid".to_string(), None),
    ] {
        let r = app
            .send(
                method,
                &path,
                Some(&t),
                body.as_ref(),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(r.status, 404, "{method} {path}: {:?}", r.body);
        let text = r.body.to_string();
        assert!(
            !text.contains("370830") && !text.contains("foreign"),
            "the answer leaks: {text}"
        );
    }
    // Still intact.
    let r = app.get(&format!("/api/v1/users/{foreign}"), &to).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["disabled"], false);
    assert_eq!(r.body["roles"].as_array().map(Vec::len), Some(1));
    // A filter on another county is refused without revealing anything.
    let r = app.get("/api/v1/users?org_unit=370830001001", &t).await;
    assert_eq!(r.status, 422);
}

#[actix_web::test]
async fn updates_need_a_current_if_match() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let id = app.user("someone", "370831001003", &[]);
    let t = app.token(&admin).await;
    let path = format!("/api/v1/users/{id}");
    let body = json!({"display_name": "新名字"});
    let r = app.send("PATCH", &path, Some(&t), Some(&body), &[]).await;
    assert_eq!(r.status, 428);
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&body),
            &[("if-match", "\"7\"")],
        )
        .await;
    assert_eq!(r.status, 412);
    let etag = app.get(&path, &t).await.header("etag").unwrap_or_default();
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&body),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["display_name"], "新名字");
    assert_ne!(r.header("etag"), Some(etag.clone()));
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&body),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 412, "the old tag is stale now");
    // Mass assignment is refused by name.
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&json!({"display_name": "x", "county_code": "370830"})),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "county_code");
}

#[actix_web::test]
async fn bad_input_names_the_field() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    let r = app.post("/api/v1/users", &t, json!({"username": "Bad Name", "display_name": "", "password": "short", "org_unit": "12x"})).await;
    assert_eq!(r.status, 422);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        vec!["username", "display_name", "password", "org_unit"]
    );
    let r = app
        .post("/api/v1/users", &t, json!({"username": "ok.name"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "display_name");
    // Duplicate username: 409 whatever county holds it.
    app.onboard("370830");
    app.user("taken.name", "370830001001", &[]);
    let r = app
        .post("/api/v1/users", &t, new_user("taken.name", "370831001003"))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "username_taken");
    assert!(!r.body.to_string().contains("370830"));
    // A county not onboarded cannot host users even for the platform.
    let p = app.token("platform.admin").await;
    let r = app
        .post("/api/v1/users", &p, new_user("lonely", "370832"))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
}

#[actix_web::test]
async fn lists_are_paginated_filtered_and_permissioned() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    for i in 0..5 {
        app.user(&format!("u{i}.clerk"), "370831001003", &["village_clerk"]);
    }
    app.user("auditor", "370831", &["auditor"]);
    app.user("clerk.nope", "370831001010", &["village_clerk"]);
    let t = app.token(&admin).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => {
                format!("/api/v1/users?role=village_clerk&org_unit=370831001003&limit=2&cursor={c}")
            }
            None => "/api/v1/users?role=village_clerk&org_unit=370831001003&limit=2".into(),
        };
        let r = app.get(&path, &t).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        for u in r.body["items"].as_array().cloned().unwrap_or_default() {
            seen.push(u["username"].as_str().unwrap_or_default().to_string());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec!["u0.clerk", "u1.clerk", "u2.clerk", "u3.clerk", "u4.clerk"]
    );
    for bad in ["limit=0", "limit=201", "limit=-1", "cursor=zzz"] {
        assert_eq!(
            app.get(&format!("/api/v1/users?{bad}"), &t).await.status,
            422,
            "{bad}"
        );
    }
    // The auditor reads but cannot change; the clerk cannot even read.
    let a = app.token("auditor").await;
    assert_eq!(app.get("/api/v1/users", &a).await.status, 200);
    assert_eq!(
        app.post("/api/v1/users", &a, new_user("x.y", "370831001003"))
            .await
            .status,
        403
    );
    let c = app.token("u0.clerk").await;
    assert_eq!(app.get("/api/v1/users", &c).await.status, 403);
}

#[actix_web::test]
async fn admin_password_reset_ends_the_users_sessions() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let id = app.user("forgetful", "370831001003", &[]);
    let t = app.token(&admin).await;
    let before = app.token("forgetful").await;
    assert_eq!(
        app.get("/api/v1/me", &before).await.body["must_change_password"],
        false
    );
    let r = app
        .post(
            &format!("/api/v1/users/{id}/password-reset"),
            &t,
            json!({"new_password": "brand-new-secret"}),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    assert_eq!(app.get("/api/v1/me", &before).await.status, 401);
    // The reset obliges the user to choose their own password; changing it clears that.
    let (after, _) = app.login("forgetful", "brand-new-secret").await;
    let me = app.get("/api/v1/me", &after).await;
    assert_eq!(me.body["must_change_password"], true, "{:?}", me.body);
    // Until then the server answers nothing else: the administrator knows that password.
    for path in ["/api/v1/households", "/api/v1/me/tasks", "/api/v1/users"] {
        let refused = app.get(path, &after).await;
        assert_eq!(refused.status, 403, "{path}: {:?}", refused.body);
        assert_eq!(refused.body["code"], "password_change_required", "{path}");
    }
    let changed = app
        .change_own_password(&after, "brand-new-secret", "my-own-secret-now")
        .await;
    assert_eq!(changed.status, 204, "{:?}", changed.body);
    let (mine, _) = app.login("forgetful", "my-own-secret-now").await;
    assert_eq!(
        app.get("/api/v1/me", &mine).await.body["must_change_password"],
        false
    );
    assert_eq!(app.get("/api/v1/me/tasks", &mine).await.status, 200);
    let audit = app
        .get(
            &format!("/api/v1/audit-events?action=user.password_reset&object_id={id}"),
            &t,
        )
        .await;
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1));
    assert!(!audit.body.to_string().contains("brand-new-secret"));
}

/// Issue 23 item 3: a user administrator made itself an operator. Nobody grants roles to
/// themselves; a grant of an operational role raises an audit alert seen above the county.
#[actix_web::test]
async fn nobody_grants_roles_to_themselves_and_operational_grants_raise_an_alert() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.user("observer.jining", "3708", &["auditor"]);
    let clerk = app.user("clerk", "370831001003", &[]);
    let t = app.token(&admin).await;
    let me = app.get("/api/v1/me", &t).await;
    let my_id = me.body["id"].as_str().unwrap_or_default().to_string();
    assert!(!my_id.is_empty(), "{:?}", me.body);
    for (role, unit) in [
        ("county_approver", "370831"),
        ("auditor", "370831"),
        ("property_checker", "370831"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/users/{my_id}/roles"),
                &t,
                json!({"role": role, "org_unit": unit}),
            )
            .await;
        assert_eq!(r.status, 422, "{role}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "id");
        assert!(
            r.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("self_grant"))
        );
    }
    let roles = app.get(&format!("/api/v1/users/{my_id}/roles"), &t).await;
    assert_eq!(
        roles.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        roles.body
    );
    // Granting an operational role to someone else works, and is an alert for the city above.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            json!({"role": "village_clerk", "org_unit": "370831001003"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let city = app.token("observer.jining").await;
    let alerts = app
        .get(
            "/api/v1/audit-events?action=alert.operational_role_granted",
            &city,
        )
        .await;
    let items = alerts.body["items"].as_array().cloned().unwrap_or_default();
    let mine: Vec<_> = items
        .iter()
        .filter(|e| e["actor_username"] == admin.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{:?}", alerts.body);
    assert_eq!(mine[0]["details"]["role"], "village_clerk");
    assert_eq!(mine[0]["object_id"], clerk.to_string());
}

/// Issue 23 item 12: `password1234` was accepted. Common passwords (the bundled top 100,000)
/// and passwords containing the username are refused on every route that sets one.
#[actix_web::test]
async fn common_passwords_and_ones_containing_the_username_are_refused() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let clerk = app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token(&admin).await;
    let new = |username: &str, password: &str| json!({"username": username, "display_name": "x", "password": password, "org_unit": "370831001003"});
    for (username, password, why) in [
        ("new.clerk", "password1234", "most common"),
        ("new.clerk", "QWERTYUIOP", "most common"),
        ("new.clerk", "my-New.Clerk-2026", "username"),
    ] {
        let r = app.post("/api/v1/users", &t, new(username, password)).await;
        assert_eq!(r.status, 422, "{password}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "password");
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(why)),
            "{:?}",
            r.body
        );
    }
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/password-reset"),
            &t,
            json!({"new_password": "password1234"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "new_password");
    let c = app.token("clerk").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/me/password",
            Some(&c),
            Some(&json!({"current_password": crate::helpers::PASSWORD, "new_password": "qwerty123456"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "new_password");
    // A good one still passes.
    let r = app
        .post("/api/v1/users", &t, new("new.clerk", "a-good-password"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

/// Issue 23 item 3, the setting: where `users.operational_grant_approval` is on, a user
/// administrator's grant of an operational role is only a request until a second administrator
/// approves it. The attacks: approving one's own request, a role for oneself, approving through a
/// sock-puppet administrator the requester created, or through an account whose password the
/// requester reset; a county switching the safeguard off once the province has it on.
#[actix_web::test]
async fn operational_grants_wait_for_a_second_administrator_when_the_county_requires_it() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.onboard("370830");
    let clerk = app.user("clerk", "370831001003", &[]);
    let second = app.user("admin2.sishui", "370831", &["tenant_admin"]);
    let _ = second;
    let t = app.token(&admin).await;
    // The county switches the safeguard on.
    let r = app
        .put_settings(
            "370831",
            &t,
            json!({"overrides": {"users": {"operational_grant_approval": true}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // An operational role is requested (202), not granted.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            json!({"role": "village_clerk", "org_unit": "370831001003"}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    let req = r.body["id"].as_str().unwrap_or_default().to_string();
    let roles = app.get(&format!("/api/v1/users/{clerk}/roles"), &t).await;
    assert_eq!(roles.body, json!([]), "nothing granted yet");
    // The same request twice: 409.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            json!({"role": "village_clerk", "org_unit": "370831001003"}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    // Creating a user with an operational role is refused by name.
    let r = app
        .post(
            "/api/v1/users",
            &t,
            json!({"username": "new.clerk", "display_name": "x", "password": "Correct-Horse-7731",
                   "org_unit": "370831001003", "roles": ["village_clerk"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "roles[0]");
    // The requester cannot approve it.
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &t,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "second_approver_required");
    // A sock puppet: the requester creates another administrator, who may not approve.
    let r = app
        .post(
            "/api/v1/users",
            &t,
            json!({"username": "puppet.admin", "display_name": "x", "password": "Correct-Horse-7731",
                   "org_unit": "370831", "roles": ["tenant_admin"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let puppet = app.login("puppet.admin", "Correct-Horse-7731").await.0;
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &puppet,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "second_approver_required");
    // A password reset: the requester takes over the second administrator's account.
    let r = app
        .post(
            &format!("/api/v1/users/{second}/password-reset"),
            &t,
            json!({"new_password": "Taken-Over-Account-93"}),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let taken = app.login("admin2.sishui", "Taken-Over-Account-93").await.0;
    // The reset obliges a change first (403 until then); the account stays taken over.
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &taken,
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["code"]),
        (403, &json!("password_change_required"))
    );
    let changed = app
        .change_own_password(&taken, "Taken-Over-Account-93", "Changed-By-Taker-95")
        .await;
    assert_eq!(changed.status, 204, "{:?}", changed.body);
    let taken = app.login("admin2.sishui", "Changed-By-Taker-95").await.0;
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &taken,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "second_approver_required");
    // Another county's administrator does not see it.
    let other = app.token("admin.370830").await;
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &other,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .get("/api/v1/grant-requests?status=pending", &other)
        .await;
    assert_eq!(r.body["items"], json!([]), "{:?}", r.body);
    // A genuine second administrator (granted by the platform, password their own) approves.
    let third = app.user("admin3.sishui", "370831", &["tenant_admin"]);
    let _ = third;
    let t3 = app.token("admin3.sishui").await;
    // The request is in the inbox of an administrator who may approve it, not in the requester's.
    let inbox = app.get("/api/v1/me/tasks?kind=grant_request", &t3).await;
    assert_eq!(inbox.body["counts"]["grant_request"], 1, "{:?}", inbox.body);
    assert_eq!(inbox.body["items"][0]["object_id"], req.as_str());
    assert_eq!(inbox.body["items"][0]["action"], "approve");
    let mine = app.get("/api/v1/me/tasks?kind=grant_request", &t).await;
    assert_eq!(mine.body["counts"]["grant_request"], 0, "{:?}", mine.body);
    // Nor in the inbox of the two the approval refuses: it offers only what it would accept.
    for (who, token) in [("the puppet", &puppet), ("the account taken over", &taken)] {
        let r = app.get("/api/v1/me/tasks?kind=grant_request", token).await;
        assert_eq!(r.status, 200, "{who}: {:?}", r.body);
        assert_eq!(r.body["counts"]["grant_request"], 0, "{who}: {:?}", r.body);
    }
    let queue = app.get("/api/v1/grant-requests?status=pending", &t3).await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    assert_eq!(
        queue.body["items"][0]["id"],
        req.as_str(),
        "{:?}",
        queue.body
    );
    assert_eq!(
        queue.body["items"][0]["requested_by_username"],
        admin.as_str()
    );
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/approve"),
            &t3,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "approved");
    assert!(r.body["grant_id"].is_string(), "{:?}", r.body);
    let roles = app.get(&format!("/api/v1/users/{clerk}/roles"), &t).await;
    assert_eq!(roles.body[0]["role"], "village_clerk", "{:?}", roles.body);
    // Decided once: again is 409 request_decided.
    let r = app
        .post(
            &format!("/api/v1/grant-requests/{req}/reject"),
            &t3,
            json!({"reason": "changed my mind"}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "request_decided");
    // A rejection needs a reason, and the requester may withdraw.
    let r = app
        .post(
            &format!("/api/v1/users/{clerk}/roles"),
            &t,
            json!({"role": "team_member", "org_unit": "370831001003"}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let second_req = r.body["id"].as_str().unwrap_or_default().to_string();
    {
        let r = app
            .post(
                &format!("/api/v1/grant-requests/{second_req}/reject"),
                &t,
                json!({"reason": " "}),
            )
            .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "reason");
        let r = app
            .post(
                &format!("/api/v1/grant-requests/{second_req}/reject"),
                &t,
                json!({"reason": "asked for the wrong person"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "rejected");
    }
    // Every step is in the audit log.
    let log = app
        .get(
            "/api/v1/audit-events?action=role.grant_request.approve",
            &t3,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        log.body
    );
    // Once the province requires it, a county cannot switch it off.
    let p = app.token("platform.admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"users": {"operational_grant_approval": true}}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .put_settings(
            "370831",
            &t,
            json!({"overrides": {"users": {"operational_grant_approval": false}}}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["field"],
        "overrides.users.operational_grant_approval"
    );
}

mod above;
mod chains;
mod split;
