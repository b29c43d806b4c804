//! Login, tokens, refresh rotation, sessions ending, throttling.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use infra::jwt::KeyRing;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp};

fn login_body(u: &str, p: &str) -> Value {
    json!({"username": u, "password": p})
}

/// The body without its request id (which differs per request).
fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("request_id");
    }
    v
}

#[actix_web::test]
async fn village_clerk_logs_in_and_sees_exactly_their_village() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let token = app.token("clerk").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["org_unit"]["code"], "370831001003");
    assert_eq!(me.body["org_unit"]["level"], "village");
    assert_eq!(
        me.body["scope"],
        json!({"from": "370831001003", "to": "370831001003"})
    );
    assert_eq!(me.body["county_code"], "370831");
    assert_eq!(me.body["roles"][0]["role"], "village_clerk");
    assert!(me.header("x-request-id").is_some());
}

#[actix_web::test]
async fn wrong_password_unknown_user_and_disabled_account_look_the_same() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let id = app.user("someone", "370831", &[]);
    let admin = app.token("admin.370831").await;
    assert_eq!(
        app.post(&format!("/api/v1/users/{id}/disable"), &admin, json!({}))
            .await
            .status,
        200
    );
    app.user("active", "370831", &[]);
    let wrong = app
        .post_public(
            "/api/v1/auth/login",
            login_body("active", "not-the-password"),
        )
        .await;
    let unknown = app
        .post_public(
            "/api/v1/auth/login",
            login_body("nobody-here", "not-the-password"),
        )
        .await;
    let disabled = app
        .post_public("/api/v1/auth/login", login_body("someone", PASSWORD))
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(comparable(wrong.body), comparable(unknown.body.clone()));
    assert_eq!(unknown.status, 401);
    assert_eq!(comparable(disabled.body), comparable(unknown.body));
    assert_eq!(disabled.status, 401);
}

#[actix_web::test]
async fn repeated_failures_on_one_account_answer_429_with_retry_after() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("target", "370831", &[]);
    for name in ["target", "ghost-account"] {
        for _ in 0..5 {
            let r = app
                .post_public("/api/v1/auth/login", login_body(name, "bad-password-x"))
                .await;
            assert_eq!(r.status, 401);
        }
        let r = app
            .post_public("/api/v1/auth/login", login_body(name, "bad-password-x"))
            .await;
        assert_eq!(r.status, 429, "{name}: {:?}", r.body);
        let wait: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(wait > 0 && wait <= 900, "Retry-After {wait}");
    }
    // Even the right password waits until the window ends.
    let r = app
        .post_public("/api/v1/auth/login", login_body("target", PASSWORD))
        .await;
    assert_eq!(r.status, 429);
}

#[actix_web::test]
async fn one_ip_spraying_many_accounts_is_throttled() {
    let mut app = TestApp::spawn_with(|c| c.throttle.ip_max_failures = 10, None).await;
    app.onboard("370831");
    let from = [("x-forwarded-for", "203.0.113.9")];
    for i in 0..10 {
        let r = app
            .send(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(&login_body(&format!("user{i}"), "pw-pw-pw-pw")),
                &from,
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let r = app
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&login_body("user99", "pw-pw-pw-pw")),
            &from,
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // Another address is not affected.
    let other = [("x-forwarded-for", "203.0.113.10")];
    let r = app
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&login_body("admin.370831", PASSWORD)),
            &other,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let (access, first) = app.login(&admin, PASSWORD).await;
    let r = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": first}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let second = r.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let new_access = r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_ne!(second, first);
    assert_eq!(app.get("/api/v1/me", &new_access).await.status, 200);
    // Replaying the spent token: refused, and the newest token of the family dies too.
    let replay = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": first}))
        .await;
    assert_eq!(replay.status, 401);
    let newest = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": second}))
        .await;
    assert_eq!(newest.status, 401);
    assert_eq!(
        app.get("/api/v1/me", &access).await.status,
        401,
        "access tokens of the family die"
    );
    // The reuse is in the audit log.
    let (fresh, _) = app.login(&admin, PASSWORD).await;
    let audit = app
        .get("/api/v1/audit-events?action=auth.refresh_reuse", &fresh)
        .await;
    assert_eq!(
        audit.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        audit.body
    );
}

#[actix_web::test]
async fn logout_ends_the_session_at_once() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let (access, refresh) = app.login(&admin, PASSWORD).await;
    let (other_access, _) = app.login(&admin, PASSWORD).await;
    let r = app
        .post_public("/api/v1/auth/logout", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get("/api/v1/me", &access).await.status, 401);
    let again = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(again.status, 401);
    // Another session of the same user goes on.
    assert_eq!(app.get("/api/v1/me", &other_access).await.status, 200);
}

#[actix_web::test]
async fn password_change_needs_the_current_one_and_ends_every_session() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let (access, refresh) = app.login("clerk", PASSWORD).await;
    let wrong = app
        .send(
            "PUT",
            "/api/v1/me/password",
            Some(&access),
            Some(&json!({"current_password": "nope-nope-nope", "new_password": "a-new-password"})),
            &[],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let weak = app
        .send(
            "PUT",
            "/api/v1/me/password",
            Some(&access),
            Some(&json!({"current_password": PASSWORD, "new_password": "short"})),
            &[],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(weak.body["errors"][0]["field"], "new_password");
    let ok = app
        .send(
            "PUT",
            "/api/v1/me/password",
            Some(&access),
            Some(&json!({"current_password": PASSWORD, "new_password": "a-new-password"})),
            &[],
        )
        .await;
    assert_eq!(ok.status, 204, "{:?}", ok.body);
    assert_eq!(app.get("/api/v1/me", &access).await.status, 401);
    let r = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, 401);
    app.login("clerk", "a-new-password").await;
}

#[actix_web::test]
async fn disabling_or_moving_a_user_ends_their_sessions() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let a = app.user("clerk.a", "370831001003", &["village_clerk"]);
    let b = app.user("clerk.b", "370831001003", &["village_clerk"]);
    let admin_token = app.token(&admin).await;
    let ta = app.token("clerk.a").await;
    let tb = app.token("clerk.b").await;
    assert_eq!(
        app.post(
            &format!("/api/v1/users/{a}/disable"),
            &admin_token,
            json!({})
        )
        .await
        .status,
        200
    );
    assert_eq!(app.get("/api/v1/me", &ta).await.status, 401);
    let user = app.get(&format!("/api/v1/users/{b}"), &admin_token).await;
    let etag = user.header("etag").unwrap_or_default();
    let moved = app
        .send(
            "PATCH",
            &format!("/api/v1/users/{b}"),
            Some(&admin_token),
            Some(&json!({"org_unit": "370831001010"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["org_unit"]["code"], "370831001010");
    assert_eq!(
        moved.body["roles"].as_array().map(Vec::len),
        Some(0),
        "the grant at the old village is dropped"
    );
    assert_eq!(app.get("/api/v1/me", &tb).await.status, 401);
}

fn header_b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

#[actix_web::test]
async fn bad_tokens_answer_401() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let (good, refresh) = app.login(&admin, PASSWORD).await;
    let parts: Vec<&str> = good.split('.').collect();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap_or_default())
            .unwrap_or_default();
    let none = format!(
        "{}.{}.",
        header_b64(&json!({"alg": "none", "typ": "at+jwt"})),
        parts[1]
    );
    let stripped = format!("{}.{}.", parts[0], parts[1]);
    let unknown_kid = format!(
        "{}.{}.{}",
        header_b64(&json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "../../dev/null"})),
        parts[1],
        parts[2]
    );
    let hs256 = format!(
        "{}.{}.{}",
        header_b64(&json!({"alg": "HS256", "typ": "at+jwt", "kid": "x"})),
        parts[1],
        parts[2]
    );
    let mut tampered_claims = claims.clone();
    tampered_claims["org"] = json!("370830000000");
    let tampered = format!("{}.{}.{}", parts[0], header_b64(&tampered_claims), parts[2]);
    for (what, token) in [
        ("garbage", "not-a-jwt".to_string()),
        ("alg none", none),
        ("signature stripped", stripped),
        ("unknown kid", unknown_kid),
        ("alg confusion", hs256),
        ("tampered claims", tampered),
        ("refresh token as access", refresh),
    ] {
        let r = app.get("/api/v1/me", &token).await;
        assert_eq!(r.status, 401, "{what}");
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Bearer"),
            "{what}"
        );
    }
    let r = app.send("GET", "/api/v1/me", None, None, &[]).await;
    assert_eq!(r.status, 401);
    // A token in the query string is ignored.
    let r = app
        .send(
            "GET",
            &format!("/api/v1/me?access_token={good}"),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
}

fn signing_key() -> SigningKey {
    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed).unwrap_or_else(|e| panic!("{e}"));
    SigningKey::from_bytes(&seed)
}

#[actix_web::test]
async fn claims_are_checked_and_rotated_keys_verify_for_their_grace() {
    let old = signing_key();
    let new = signing_key();
    let old_bytes = old.to_bytes();
    let ring = KeyRing::from_keys(vec![("k-old".into(), old), ("k-new".into(), new)])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut app = TestApp::spawn_with(|_| {}, Some(ring)).await;
    let admin = app.onboard("370831");
    let (token, _) = app.login(&admin, PASSWORD).await;
    let jwks = app
        .send("GET", "/.well-known/jwks.json", None, None, &[])
        .await;
    let kids: Vec<&str> = jwks.body["keys"]
        .as_array()
        .map(|k| k.iter().filter_map(|k| k["kid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kids, vec!["k-new", "k-old"]);
    let parts: Vec<&str> = token.split('.').collect();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap_or_default())
            .unwrap_or_default();
    // Tokens signed by the passive (old) key still verify.
    let sign = |c: &Value| -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("k-old".into());
        header.typ = Some("at+jwt".into());
        let der = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(&SigningKey::from_bytes(
            &old_bytes,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        jsonwebtoken::encode(
            &header,
            c,
            &jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes()),
        )
        .unwrap_or_default()
    };
    assert_eq!(
        app.get("/api/v1/me", &sign(&claims)).await.status,
        200,
        "passive key"
    );
    let now = Utc::now().timestamp();
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    let without = |k: &str| {
        let mut c = claims.clone();
        c.as_object_mut().map(|o| o.remove(k));
        c
    };
    for (what, c) in [
        ("expired 61 s ago", with("exp", json!(now - 61))),
        ("not yet valid", with("nbf", json!(now + 120))),
        ("exp as a string", with("exp", json!("never"))),
        ("wrong audience", with("aud", json!("someone-else"))),
        ("wrong issuer", with("iss", json!("evil"))),
        ("no exp", without("exp")),
        ("no iss", without("iss")),
        ("no aud", without("aud")),
        ("no sub", without("sub")),
        ("no iat", without("iat")),
        ("no nbf", without("nbf")),
        ("another user", with("sub", json!(Uuid::new_v4()))),
    ] {
        assert_eq!(app.get("/api/v1/me", &sign(&c)).await.status, 401, "{what}");
    }
}

#[actix_web::test]
async fn ended_sessions_are_pruned_and_live_ones_stay() {
    use diesel::RunQueryDsl as _;
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let (_, old_refresh) = app.login(&admin, PASSWORD).await;
    let (live, _) = app.login(&admin, PASSWORD).await;
    let r = app
        .post_public("/api/v1/auth/logout", json!({"refresh_token": old_refresh}))
        .await;
    assert_eq!(r.status, 204);
    app.db.as_owner("370831", |c| {
        diesel::sql_query("UPDATE sessions SET revoked_at = now() - interval '40 days' WHERE revoked_at IS NOT NULL").execute(c)
    });
    let gone = infra::app::auth::prune_sessions(
        &app.state.db,
        std::time::Duration::from_secs(30 * 24 * 3600),
    )
    .unwrap_or(-1);
    assert_eq!(gone, 1);
    assert_eq!(
        app.get("/api/v1/me", &live).await.status,
        200,
        "the live session stays"
    );
    let again = infra::app::auth::prune_sessions(
        &app.state.db,
        std::time::Duration::from_secs(30 * 24 * 3600),
    )
    .unwrap_or(-1);
    assert_eq!(again, 0);
}

#[actix_web::test]
async fn a_login_throttle_set_on_one_instance_holds_on_another() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("victim", "370831001003", &["village_clerk"]);
    let sibling = app.start_sibling();
    let client = awc::Client::default();
    // Five failures on this instance…
    for _ in 0..5 {
        let r = app
            .post_public(
                "/api/v1/auth/login",
                serde_json::json!({"username": "victim", "password": "wrong-password-1"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // …and the other instance refuses the account too, even with the right password.
    let r = client
        .post(format!("{sibling}/api/v1/auth/login"))
        .send_json(&serde_json::json!({"username": "VICTIM", "password": crate::helpers::PASSWORD}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // Another account on the other instance is not affected.
    app.user("bystander", "370831001003", &["village_clerk"]);
    let r = client
        .post(format!("{sibling}/api/v1/auth/login"))
        .send_json(
            &serde_json::json!({"username": "bystander", "password": crate::helpers::PASSWORD}),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The current password of `PUT /me/password` is a password check like a login's: wrong ones
/// count against the login throttle (a stolen session could guess it at the hash's speed, with
/// no limit and no trace) and each is audited.
#[actix_web::test]
async fn wrong_current_passwords_are_throttled_and_audited() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let (access, _) = app.login("clerk", PASSWORD).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let body = json!({"current_password": format!("guess-guess-{i}"), "new_password": "a-new-password"});
        let r = app
            .send(
                "PUT",
                "/api/v1/me/password",
                Some(&access),
                Some(&body),
                &[],
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429]);
    let audited: Count = app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::get_result(
            diesel::sql_query(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'user.password_change_failed'",
            ),
            c,
        )
    });
    assert_eq!(audited.n, 5);
}

/// An administrator's own password is not reset by `users:manage`: it changes at
/// `PUT /me/password` with the current one (a stolen access token reset it and kept the
/// account).
#[actix_web::test]
async fn an_administrator_cannot_reset_their_own_password() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    let me = app.get("/api/v1/me", &t).await;
    let id = me.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/users/{id}/password-reset"),
            &t,
            json!({"new_password": "brand-new-secret"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("id")),
        "{:?}",
        r.body
    );
    app.login(&admin, PASSWORD).await;
}

#[actix_web::test]
async fn a_login_whose_password_changed_while_it_was_checked_gets_no_session() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let id = app.user("changing", "370831001003", &[]);
    // The login read the account and checked the password; before its session is written, an
    // administrator resets the password (ending every session there is).
    let seen = infra::app::auth::lookup_login(&app.state.db, "changing")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the account is there"));
    let t = app.token(&admin).await;
    let r = app
        .post(
            &format!("/api/v1/users/{id}/password-reset"),
            &t,
            json!({"new_password": "reset-by-the-admin"}),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let s = &app.state;
    let late = infra::app::auth::start_session(&s.db, &s.keys, &s.sessions, &seen, "changing", "t");
    assert!(
        matches!(late, Err(domain::DomainError::Unauthorized(_))),
        "{late:?}"
    );
    // A login as the account is now still starts one.
    let fresh = infra::app::auth::lookup_login(&s.db, "changing")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the account is there"));
    let ok = infra::app::auth::start_session(&s.db, &s.keys, &s.sessions, &fresh, "changing", "t");
    assert!(ok.is_ok(), "{ok:?}");
}
