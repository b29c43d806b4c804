//! Login throttles that fit shared addresses (issue 17): successes never count against an
//! address, failures count per account and per address, and `X-Forwarded-For` is believed only
//! from trusted proxies, read right to left. The tests run with the production defaults (5
//! failures per account, 100 per address, 15 minutes) unless they say otherwise.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Resp, TestApp};

fn body(u: &str, p: &str) -> Value {
    json!({"username": u, "password": p})
}

async fn login_from(app: &TestApp, forwarded: &str, user: &str, password: &str) -> Resp {
    app.send(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&body(user, password)),
        &[("x-forwarded-for", forwarded)],
    )
    .await
}

/// 8:30 at a township office behind one NAT address: 40 users, each mistyping once, then 200
/// logins in all. Nobody is refused.
#[actix_web::test]
async fn an_office_behind_one_address_logs_everyone_in() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let users: Vec<String> = (0..40).map(|i| format!("clerk{i:02}")).collect();
    for u in &users {
        app.user(u, "370831001003", &["village_clerk"]);
    }
    let office = "198.51.100.20";
    let typos = join_all(
        users
            .iter()
            .map(|u| login_from(&app, office, u, "wrong-pass-1")),
    )
    .await;
    assert!(typos.iter().all(|r| r.status == 401));
    for round in 0..5 {
        let batch = join_all(users.iter().map(|u| login_from(&app, office, u, PASSWORD))).await;
        for (u, r) in users.iter().zip(&batch) {
            assert_eq!(r.status, 200, "round {round}, {u}: {:?}", r.body);
        }
    }
}

/// 20 wrong passwords for one account: refused from the sixth on, for that account only.
#[actix_web::test]
async fn one_account_guessed_at_is_refused_and_only_that_account() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("target", "370831001003", &["village_clerk"]);
    app.user("neighbour", "370831001003", &["village_clerk"]);
    let office = "198.51.100.21";
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(
            login_from(&app, office, "target", "guess-guess-1")
                .await
                .status,
        );
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let r = login_from(&app, office, "target", PASSWORD).await;
    assert_eq!(r.status, 429, "the right password waits too");
    assert!(r.header("retry-after").is_some());
    // The same address, another account: unaffected (both a typo and a good login).
    assert_eq!(
        login_from(&app, office, "neighbour", "typo-typo-1")
            .await
            .status,
        401
    );
    assert_eq!(
        login_from(&app, office, "neighbour", PASSWORD).await.status,
        200
    );
}

/// A password spray from one address (many accounts, one or two guesses each) is stopped at
/// the per-address limit, and a success in between does not reset the count.
#[actix_web::test]
async fn a_password_spray_from_one_address_is_stopped() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("insider", "370831001003", &["village_clerk"]);
    app.user("victim", "370831001003", &["village_clerk"]);
    let attacker = "203.0.113.66";
    let names: Vec<String> = (0..100).map(|i| format!("user{i}")).collect();
    let first = join_all(
        names
            .iter()
            .map(|n| login_from(&app, attacker, n, "Password1")),
    )
    .await;
    assert!(first.iter().all(|r| r.status == 401));
    // One good login from the same address does not clear the address's failures.
    let r = login_from(&app, attacker, "insider", PASSWORD).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    let r = login_from(&app, attacker, "victim", "Password1").await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // Other addresses are not affected.
    assert_eq!(
        login_from(&app, "198.51.100.30", "victim", PASSWORD)
            .await
            .status,
        200
    );
}

/// A client outside the trusted networks cannot choose its address with `X-Forwarded-For`.
#[actix_web::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let mut app = TestApp::spawn_with(
        |c| {
            // The tests' peer (127.0.0.1) is not a trusted proxy here.
            c.throttle.trusted_proxies = "10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"));
            c.throttle.ip_max_failures = 10;
        },
        None,
    )
    .await;
    app.onboard("370831");
    for i in 0..10 {
        let r = login_from(
            &app,
            &format!("203.0.113.{i}"),
            &format!("u{i}"),
            "nope-nope",
        )
        .await;
        assert_eq!(r.status, 401);
    }
    // A fresh forged address each time: all counted against the real peer.
    let r = login_from(&app, "198.51.100.99", "u99", "nope-nope").await;
    assert_eq!(r.status, 429);
}

/// Behind a trusted proxy, entries the client wrote to the left of the proxy's are ignored.
#[actix_web::test]
async fn behind_a_trusted_proxy_the_rightmost_untrusted_entry_is_the_client() {
    let mut app = TestApp::spawn_with(
        |c| {
            c.throttle.trusted_proxies = "127.0.0.1/32,10.0.0.0/8"
                .parse()
                .unwrap_or_else(|e| panic!("{e}"));
            c.throttle.ip_max_failures = 10;
        },
        None,
    )
    .await;
    app.onboard("370831");
    // The client at 198.51.100.7 forges a new leftmost entry each time; an inner proxy
    // (10.1.2.3) forwarded it.
    for i in 0..10 {
        let chain = format!("203.0.113.{i}, 198.51.100.7, 10.1.2.3");
        let r = login_from(&app, &chain, &format!("u{i}"), "nope-nope").await;
        assert_eq!(r.status, 401);
    }
    let r = login_from(&app, "203.0.113.200, 198.51.100.7", "u99", "nope-nope").await;
    assert_eq!(r.status, 429);
    // Its neighbour behind the same proxies is not affected.
    let r = login_from(&app, "198.51.100.8, 10.1.2.3", "admin.370831", PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// The yes/no proxy switch and the old attempts limit are refused at startup with what to set
/// instead, rather than silently meaning something else.
#[test]
fn the_old_throttle_settings_are_refused_with_what_to_set_instead() {
    for (var, value, hint) in [
        ("ZX_TRUST_FORWARDED_FOR", "true", "ZX_TRUSTED_PROXIES="),
        ("ZX_LOGIN_IP_MAX_ATTEMPTS", "30", "ZX_LOGIN_IP_MAX_FAILURES"),
        ("ZX_TRUSTED_PROXIES", "10.0.0.0/99", "prefix length"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhenxing"))
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .env(var, value)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{var}={value} was accepted");
        assert!(err.contains(var) && err.contains(hint), "{var}: {err}");
    }
}

/// Guesses at one account sent all at once: only as many as the per-account limit reach the
/// password check, the rest wait (429). Admission counted the failures already recorded, and a
/// failure was recorded only after its hash: all thirty were checked.
#[actix_web::test]
async fn guesses_sent_at_once_are_admitted_only_up_to_the_limit() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("target", "370831001003", &["village_clerk"]);
    let from: Vec<String> = (0..30).map(|i| format!("198.51.100.{i}")).collect();
    let answers = join_all(
        from.iter()
            .map(|a| login_from(&app, a, "target", "guess-guess-1")),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 5, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    // The account's owner, once the guesses are over, still waits out the window.
    assert_eq!(
        login_from(&app, "198.51.100.200", "target", PASSWORD)
            .await
            .status,
        429
    );
}

/// An IPv6 client counts by its /64 (one subscriber's network): a spray from one network, an
/// address per guess, is stopped at the per-address limit; another network is not affected.
#[actix_web::test]
async fn an_ipv6_network_counts_as_one_address() {
    let mut app = TestApp::spawn_with(
        |c| {
            c.throttle.ip_max_failures = 10;
        },
        None,
    )
    .await;
    app.onboard("370831");
    for i in 1..=10 {
        let r = login_from(
            &app,
            &format!("2001:db8:0:1::{i:x}"),
            &format!("u{i}"),
            "nope-nope",
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let r = login_from(&app, "2001:db8:0:1::b", "u99", "nope-nope").await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    let r = login_from(&app, "2001:db8:0:2::1", "u98", "nope-nope").await;
    assert_eq!(r.status, 401, "{:?}", r.body);
}

/// A login that ended between admission and its outcome (a 503 waiting for a hash slot, a
/// cancelled request) leaves its reservation; one older than a minute no longer counts, so a
/// user who never typed a wrong password is not locked out by five of them.
#[actix_web::test]
async fn reservations_never_settled_stop_counting_after_a_minute() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("patient", "370831001003", &["village_clerk"]);
    app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "INSERT INTO login_attempts (key, kind, at) SELECT md5('account:patient'), 'attempt', \
                 clock_timestamp() - interval '2 minutes' FROM generate_series(1, 5)",
            ),
            c,
        )
    });
    let r = login_from(&app, "198.51.100.77", "patient", PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}
