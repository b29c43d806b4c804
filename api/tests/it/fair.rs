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
