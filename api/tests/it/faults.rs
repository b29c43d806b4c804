//! Faults: PostgreSQL stops in the middle of traffic and comes back. While it is down requests
//! fail quickly with 503; the server recovers by itself; a request retried with the same
//! idempotency key is applied once; and nothing is half-written (every table's invariants hold).

use std::time::{Duration, Instant};

use diesel::prelude::*;
use secrecy::ExposeSecret as _;

use crate::cases::{household, id_number};
use crate::cluster::{V, app_state, make_clusters, seed_users, serve};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[actix_web::test]
async fn a_database_restart_answers_503_then_recovers_and_leaves_nothing_half_written() {
    let c = make_clusters();
    let (owner, _) = c.prepare("370831");
    let (state, config) = app_state(&c, None);
    seed_users(&state);
    let client = serve(&state, &config);
    let clerk = client.token("clerk").await;
    let create = |n: u32| {
        let (client, clerk) = (&client, clerk.clone());
        async move {
            let key = format!("fault-{n}");
            client
                .call_with(
                    "POST",
                    "/api/v1/households",
                    Some(&clerk),
                    Some(household(
                        &format!("F{n}"),
                        V,
                        &[id_number("370831", 2 * n), id_number("370831", 2 * n + 1)],
                    )),
                    &[("idempotency-key", key.as_str())],
                )
                .await
        }
    };
    // Traffic before.
    for n in 0..10 {
        assert_eq!(create(n).await.0, 201);
    }
    // The database stops.
    c.stop("primary");
    let mut refused = Vec::new();
    for n in 10..20 {
        let started = Instant::now();
        let (status, body) = create(n).await;
        refused.push((n, status, started.elapsed()));
        assert_eq!(status, 503, "while the database is down: {body}");
        assert!(
            body["code"] == "unavailable",
            "a clean problem document: {body}"
        );
        let (status, _) = client
            .call("GET", "/api/v1/households?limit=5", Some(&clerk), None)
            .await;
        assert_eq!(status, 503);
    }
    // Each refusal came within the pool's acquire timeout, not after a hang.
    assert!(
        refused
            .iter()
            .all(|(_, _, took)| *took < Duration::from_secs(10)),
        "{refused:?}"
    );
    // It comes back; the server recovers by itself.
    c.start("primary", c.primary);
    let mut recovered = false;
    for _ in 0..100 {
        let (status, _) = client
            .call("GET", "/api/v1/households?limit=5", Some(&clerk), None)
            .await;
        if status == 200 {
            recovered = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the server did not recover");
    // Every pooled connection works again (none is left broken).
    for _ in 0..(config.pool.max_size * 3) {
        let (status, body) = client
            .call("GET", "/api/v1/households?limit=5", Some(&clerk), None)
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // The refused requests, retried with their keys, apply once; a second retry replays.
    for n in 10..20 {
        let (status, body) = create(n).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = create(15).await;
    assert_eq!(status, 201, "{body}");
    // Nothing was half-written: 20 households, 40 members, each counted once, rollups exact.
    let mut conn = PgConnection::establish(owner.expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    let q = |conn: &mut PgConnection, sql: &str| -> i64 {
        conn.transaction(|c| {
            diesel::sql_query(
                "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
            )
            .execute(c)?;
            diesel::sql_query(sql).get_result::<N>(c).map(|n| n.n)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(q(&mut conn, "SELECT count(*) AS n FROM households"), 20);
    assert_eq!(q(&mut conn, "SELECT count(*) AS n FROM members"), 40);
    assert_eq!(
        q(
            &mut conn,
            "SELECT count(*) AS n FROM households h WHERE h.member_count <> \
             (SELECT count(*) FROM members m WHERE m.county_code = h.county_code AND m.household_id = h.id)"
        ),
        0
    );
    assert_eq!(
        q(
            &mut conn,
            "SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
             WHERE a.action = 'household.created' AND a.object_id = h.id::text)"
        ),
        0,
        "every household has its audit row"
    );
    assert_eq!(
        q(
            &mut conn,
            &format!("SELECT ({}) AS n", crate::reports::RECOUNT_MISMATCHES)
        ),
        0,
        "rollups equal a recount"
    );
}

#[actix_web::test]
async fn a_saturated_server_answers_503_quickly_instead_of_queueing() {
    let mut app = crate::helpers::TestApp::spawn_with(
        |c| {
            c.admission = api::config::Admission {
                slots: 2,
                wait: Duration::from_millis(200),
                per_county: 2,
            };
        },
        None,
    )
    .await;
    app.onboard("370831");
    app.user("clerk", V, &["village_clerk"]);
    let t = app.token("clerk").await;
    // Every slot is taken (as by long requests).
    let held = app
        .state
        .db_slots
        .clone()
        .acquire_many_owned(2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let r = app.get("/api/v1/households", &t).await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Slots free again: served.
    drop(held);
    assert_eq!(app.get("/api/v1/households", &t).await.status, 200);
}

/// Issue 17 part 2, noisy neighbours: a county holding as many requests as it may
/// (`ZX_COUNTY_MAX_CONCURRENT_REQUESTS`) waits, then hears 429 `county_busy`, while another
/// county's requests are served at once; the instance's own slots were never taken by the queue.
#[actix_web::test]
async fn a_busy_county_is_told_to_wait_while_its_neighbour_is_served() {
    let mut app = crate::helpers::TestApp::spawn_with(
        |c| {
            c.admission = api::config::Admission {
                slots: 8,
                wait: Duration::from_millis(200),
                per_county: 2,
            };
        },
        None,
    )
    .await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", V, &["village_clerk"]);
    app.user("clerk.wenshang", "370830001001", &["village_clerk"]);
    let sishui = app.token("clerk").await;
    let wenshang = app.token("clerk.wenshang").await;
    // Sishui's two requests are running (as long imports or reports would be).
    let wait = Duration::from_millis(10);
    let held = [
        app.state.county_slots.acquire(370_831, wait).await,
        app.state.county_slots.acquire(370_831, wait).await,
    ];
    assert!(held.iter().all(Option::is_some));
    let started = Instant::now();
    let r = app.get("/api/v1/households", &sishui).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert_eq!(r.body["code"], "county_busy");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Wenshang is not held up, and the instance's slots are all free for it.
    assert_eq!(app.state.db_slots.available_permits(), 8);
    let r = app.get("/api/v1/households", &wenshang).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Sishui's requests end: served again.
    drop(held);
    assert_eq!(app.get("/api/v1/households", &sishui).await.status, 200);
    assert_eq!(app.state.county_slots.available(370_831), 2);
}
