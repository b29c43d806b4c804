//! Grants left split after they were granted: by revoking the grant that covered them, or by
//! a move that drops it (security.md §14).

use super::*;

/// The user's grants, as `(role, unit code)`, sorted.
async fn grants_of(app: &TestApp, token: &str, id: uuid::Uuid) -> Vec<(String, String)> {
    let r = app.get(&format!("/api/v1/users/{id}/roles"), token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut grants: Vec<(String, String)> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            (
                g["role"].as_str().unwrap_or_default().to_owned(),
                g["org_unit"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    grants.sort();
    grants
}

#[actix_web::test]
async fn revoking_the_covering_grant_works_and_the_split_it_leaves_is_shown() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let id = app.user("funds.cover", "370831", &["fund_officer"]);
    let p = app.token("platform.admin").await;
    // Two townships' grants, covered by the county's: granted.
    for unit in ["370831102", "370831103"] {
        let r = app
            .post(
                &format!("/api/v1/users/{id}/roles"),
                &p,
                json!({"role": "fund_officer", "org_unit": unit}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let user = app.get(&format!("/api/v1/users/{id}"), &p).await;
    assert_eq!(user.body["split_grants"], json!([]), "{:?}", user.body);
    let t = app.token("funds.cover").await;
    assert_eq!(app.get("/api/v1/projects?limit=5", &t).await.status, 200);
    let county = user.body["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["org_unit"]["code"] == "370831000000")
        .and_then(|g| g["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    // Taking the county's grant away is never refused…
    let r = app.revoke(&p, id, &county).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    // … and what it leaves is said: in the user's view, to the user, in the audit row.
    let user = app.get(&format!("/api/v1/users/{id}"), &p).await;
    let split = user.body["split_grants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        split.iter().any(|s| s["permission"] == "funds:read"),
        "{split:?}"
    );
    assert!(
        split
            .iter()
            .all(|s| s["covering_unit"]["code"] == "370831000000"
                && s["covering_unit"]["level"] == "county"),
        "{split:?}"
    );
    let t = app.token("funds.cover").await;
    let me = app.get("/api/v1/me", &t).await;
    assert_eq!(me.body["split_grants"], user.body["split_grants"]);
    let r = app.get("/api/v1/projects?limit=5", &t).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let audit = app.get("/api/v1/audit-events?action=role.revoke", &p).await;
    let left = &audit.body["items"][0]["details"]["left_split"];
    assert!(
        left.as_array().is_some_and(|l| l
            .iter()
            .any(|s| s["permission"] == "funds:read" && s["covering_unit"] == "370831000000")),
        "{:?}",
        audit.body
    );
}

#[actix_web::test]
async fn a_move_that_would_leave_grants_split_is_refused_and_changes_nothing() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let id = app.user("mover", "370831", &["county_approver"]);
    // Two villages' clerk grants, stored as an earlier version could (the county approver's
    // grant covers what the two share with it).
    let stored = app.db.as_owner("370831", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(format!(
            "INSERT INTO role_grants (county_code, id, user_id, role, region_code, granted_by) \
             SELECT county_code, gen_random_uuid(), user_id, 'village_clerk', v, granted_by \
             FROM role_grants, unnest(ARRAY[370831101201, 370831101202]::bigint[]) v \
             WHERE user_id = '{id}'"
        ))
        .execute(c)
    });
    assert_eq!(stored, 2);
    let p = app.token("platform.admin").await;
    let path = format!("/api/v1/users/{id}");
    let before = grants_of(&app, &p, id).await;
    assert_eq!(before.len(), 3, "{before:?}");
    let etag = app.get(&path, &p).await.header("etag").unwrap_or_default();
    // To the township: the county's grant would go, and what it covered would be split.
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&p),
            Some(&json!({"org_unit": "370831101"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "org_unit");
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("grants_split")
            && message.contains("village_clerk at 370831101201")
            && message.contains("village_clerk at 370831101202")
            && message.contains("370831101000"),
        "{message}"
    );
    let user = app.get(&path, &p).await;
    assert_eq!(user.body["org_unit"]["code"], "370831000000");
    assert_eq!(user.header("etag"), Some(etag.clone()));
    assert_eq!(grants_of(&app, &p, id).await, before);
    // With one village's grant revoked first, the move goes through.
    let village = user.body["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["org_unit"]["code"] == "370831101202")
        .and_then(|g| g["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let r = app.revoke(&p, id, &village).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let etag = app.get(&path, &p).await.header("etag").unwrap_or_default();
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&p),
            Some(&json!({"org_unit": "370831101"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        grants_of(&app, &p, id).await,
        vec![("village_clerk".to_owned(), "370831101201".to_owned())]
    );
}
