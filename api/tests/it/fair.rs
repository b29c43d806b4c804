//! Noisy neighbours (issue 17, part 2): one county's queued jobs cannot take every worker. A
//! claim skips a county already running its limit and serves the county running fewest first.

use std::time::Duration;

use diesel::prelude::*;

use crate::helpers::TestApp;

fn queue(app: &TestApp, county: &str, n: usize, offset_ms: i64) {
    app.db.as_owner(county, |c| {
        for i in 0..n {
            let at = offset_ms + i64::try_from(i).unwrap_or(0);
            diesel::sql_query(format!(
                "INSERT INTO jobs (county_code, id, region_code, kind, status, payload, created_at) \
                 VALUES ({county}, gen_random_uuid(), {county}000000, 'import', 'queued', '\\x00', \
                 now() - interval '1 hour' + interval '{at} milliseconds')"
            ))
            .execute(c)?;
        }
        Ok(())
    });
}

fn claim(app: &TestApp, limit: i32) -> Option<i32> {
    infra::app::jobs::claim(&app.state.db, "w", Duration::from_secs(60), 3, limit)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .map(|j| j.county_code)
}

#[actix_web::test]
async fn a_county_with_many_jobs_queued_first_does_not_starve_another() {
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.onboard("370883");
    // County A queues five imports; county B queues one a little later.
    queue(&app, "370831", 5, 0);
    queue(&app, "370883", 1, 1000);
    // Oldest first while both run nothing; then B (running fewest) before A's second.
    assert_eq!(claim(&app, 2), Some(370_831));
    assert_eq!(claim(&app, 2), Some(370_883));
    assert_eq!(claim(&app, 2), Some(370_831));
    // A is at its limit: its other three wait, though workers are free.
    assert_eq!(claim(&app, 2), None);
    // A job of A finishes: A may run another.
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE jobs SET status = 'succeeded', finished_at = now() \
             WHERE id = (SELECT id FROM jobs WHERE status = 'running' ORDER BY created_at LIMIT 1)",
        )
        .execute(c)
    });
    assert_eq!(claim(&app, 2), Some(370_831));
    assert_eq!(claim(&app, 2), None);
    // A running job whose lease ran out (its instance died) no longer counts against A.
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'",
        )
        .execute(c)
    });
    assert_eq!(
        claim(&app, 2),
        Some(370_831),
        "an expired lease is taken over"
    );
}

/// Webhook deliveries are one queue for every county: a county that queued many (an import's
/// household.created events) does not hold another county's back until it has drained. A claim
/// takes the oldest due delivery of each county in turn; within a county, oldest first.
#[actix_web::test]
async fn a_county_with_many_deliveries_queued_first_does_not_starve_another() {
    let mut app = TestApp::spawn_with(
        |c| {
            c.work.job_workers = 0;
            // No delivery loop of the instance's own: the claims below are the test's.
            c.work.webhook_delivery = false;
        },
        None,
    )
    .await;
    app.onboard("370831");
    app.onboard("370883");
    let owners = [
        (
            "370831",
            app.user("hooks.a", "370831", &["tenant_admin", "auditor"]),
        ),
        (
            "370883",
            app.user("hooks.b", "370883", &["tenant_admin", "auditor"]),
        ),
    ];
    // County A: 30 deliveries due for an hour; county B: 2, due a minute ago.
    for ((county, owner), (n, minutes)) in owners.iter().zip([(30, 60), (2, 1)]) {
        app.db.as_owner(county, |c| {
            diesel::sql_query(format!(
                "WITH e AS (INSERT INTO webhook_endpoints (county_code, id, region_code, url, secret, \
                   events, description, active, created_by, created_at, updated_at, owned_by) \
                 VALUES ({county}, gen_random_uuid(), {county}000000, 'https://hooks.example.cn/{county}', \
                   'secret', ARRAY['household.created'], 'x', true, '{owner}', now(), now(), '{owner}') \
                 RETURNING id), \
                 v AS (INSERT INTO webhook_events (county_code, id, region_code, kind, object_type, \
                   object_id, payload, occurred_at) \
                 SELECT {county}, gen_random_uuid(), {county}000000, 'household.created', 'household', \
                   i::text, '{{}}', now() FROM generate_series(1, {n}) AS i RETURNING id) \
                 INSERT INTO webhook_deliveries (county_code, id, region_code, endpoint_id, event_id, \
                   status, attempts, next_attempt_at, created_at) \
                 SELECT {county}, gen_random_uuid(), {county}000000, e.id, v.id, 'pending', 0, \
                   now() - interval '{minutes} minutes' + (row_number() OVER ())::int * interval '1 second', now() \
                 FROM e, v"
            ))
            .execute(c)
        });
    }
    let claim = |limit: i32| -> Vec<i32> {
        infra::app::webhooks::claim(&app.state.db, "w", Duration::from_secs(60), limit)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .into_iter()
            .map(|d| d.county_code)
            .collect()
    };
    // Ten at a time, each county its share (five): B's two are in the first claim, though
    // A's thirty are older.
    let first = claim(10);
    assert_eq!(
        first.iter().filter(|c| **c == 370_883).count(),
        2,
        "{first:?}"
    );
    assert_eq!(first.len(), 7, "A's five and B's two: {first:?}");
    // Then A's, until none is due; nothing twice.
    let rest: Vec<i32> = (0..5).flat_map(|_| claim(10)).collect();
    assert_eq!(rest.len(), 25, "{rest:?}");
    assert!(rest.iter().all(|c| *c == 370_831), "{rest:?}");
    assert!(claim(10).is_empty());
}
