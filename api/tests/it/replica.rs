//! Reads from a streaming replica: a private primary cluster and a replica made from it with
//! `pg_basebackup`, started by the test. Reports and lists go to the replica when it is within
//! its lag bound; a user's own writes are read back from the primary until the replica has
//! replayed them; a replica that lags past the bound or is down is skipped.

use std::time::Duration;

use diesel::prelude::*;

use crate::cases::{household, id_number};
use crate::cluster::{V, app_state, make_clusters, pg, seed_users, serve};
use crate::helpers::eventually;

#[actix_web::test]
async fn reads_use_the_replica_within_bounds_and_never_hide_your_own_writes() {
    let c = make_clusters();
    let (owner, _) = c.prepare("370831");
    // The replica: a base backup streaming from the primary.
    pg(
        "pg_basebackup",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &c.primary.to_string(),
            "-U",
            "postgres",
            "-D",
            &c.data("replica"),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        ],
    );
    c.start("replica", c.replica);
    let bound = Duration::from_secs(3);
    let (state, config) = app_state(&c, Some(bound));
    seed_users(&state);
    let replica = state
        .replica
        .clone()
        .unwrap_or_else(|| panic!("no replica"));
    actix_web::rt::spawn(
        replica
            .clone()
            .run_probe(state.db.clone(), Duration::from_millis(100)),
    );
    let client = serve(&state, &config);
    let clerk = client.token("clerk").await;
    let approver = client.token("approver").await;
    eventually("the replica to catch up", 15, || replica.usable()).await;
    let m = &state.metrics;

    // A report with no writes of one's own is read from the replica.
    let before = m.counted("read_replica");
    let (s, b) = client
        .call("GET", "/api/v1/reports/households", Some(&approver), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(m.counted("read_replica"), before + 1);

    // Replay stops on the replica; the clerk registers a household.
    let mut on_replica = c.superuser(c.replica);
    diesel::sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut on_replica)
        .unwrap_or_else(|e| panic!("{e}"));
    let (s, b) = client
        .call(
            "POST",
            "/api/v1/households",
            Some(&clerk),
            Some(household("R1", V, &[id_number("370831", 7)])),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    // The clerk sees it at once: the replica has not replayed the clerk's write, so the
    // primary answers.
    let skipped = m.counted("read_replica_skipped");
    assert!(client.numbers(&clerk).await.contains(&"R1".to_string()));
    assert_eq!(m.counted("read_replica_skipped"), skipped + 1);
    // Another user, within the bound, may be answered by the replica, a moment behind.
    let before = m.counted("read_replica");
    let theirs = client.numbers(&approver).await;
    assert_eq!(m.counted("read_replica"), before + 1);
    assert!(
        !theirs.contains(&"R1".to_string()),
        "the replica is paused: {theirs:?}"
    );
    // Past the bound the replica is skipped for everyone.
    eventually("the lag to pass the bound", 15, || !replica.usable()).await;
    let primary = m.counted("read_primary");
    assert!(client.numbers(&approver).await.contains(&"R1".to_string()));
    assert_eq!(m.counted("read_primary"), primary + 1);
    let (_, metrics) = client
        .call("GET", "/metrics", Some(crate::helpers::METRICS_TOKEN), None)
        .await;
    assert!(
        metrics
            .as_str()
            .unwrap_or_default()
            .contains("zx_replica_lag_seconds"),
        "{metrics}"
    );
    // Replay resumes: the replica serves again, now with the household.
    diesel::sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut on_replica)
        .unwrap_or_else(|e| panic!("{e}"));
    eventually("the replica to catch up again", 15, || replica.usable()).await;
    let before = m.counted("read_replica");
    assert!(client.numbers(&approver).await.contains(&"R1".to_string()));
    assert_eq!(m.counted("read_replica"), before + 1);
    // Exports read from the replica too (the authorization and the audit row on the primary).
    let before = m.counted("read_replica");
    let (status, body) = client
        .call(
            "GET",
            "/api/v1/exports/households?format=csv",
            Some(&approver),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.as_str().unwrap_or_default().contains("R1"), "{body}");
    assert_eq!(m.counted("read_replica"), before + 1);
    // A session ended on the primary ends at once, even while the replica has not seen it:
    // callers are authorized on the primary, only the read goes to the replica.
    diesel::sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut on_replica)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut primary = PgConnection::establish(secrecy::ExposeSecret::expose_secret(&owner))
        .unwrap_or_else(|e| panic!("{e}"));
    primary
        .transaction(|t| {
            diesel::sql_query(
                "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
            )
            .execute(t)?;
            diesel::sql_query(
                "UPDATE sessions SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'approver')",
            )
            .execute(t)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _) = client
        .call("GET", "/api/v1/households?limit=5", Some(&approver), None)
        .await;
    assert_eq!(
        status, 401,
        "a revoked session must not read from the lagging replica"
    );
    diesel::sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut on_replica)
        .unwrap_or_else(|e| panic!("{e}"));
    let approver = client.token("approver").await;
    // The replica goes down: reads carry on from the primary.
    drop(on_replica);
    c.stop("replica");
    for _ in 0..3 {
        assert!(client.numbers(&approver).await.contains(&"R1".to_string()));
        let (s, _) = client
            .call("GET", "/api/v1/reports/households", Some(&approver), None)
            .await;
        assert_eq!(s, 200);
    }
    eventually("the probe to see the replica down", 15, || {
        replica.lag().is_none()
    })
    .await;
    // The read-your-writes mark cannot be written: the write has committed, so the request
    // answers as saved (it once answered 503, and an upload's file was discarded under its
    // committed row).
    let mut su = PgConnection::establish(&format!(
        "postgres://postgres@127.0.0.1:{}/zhenxing",
        c.primary
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("REVOKE EXECUTE ON FUNCTION zx_mark_write(uuid) FROM zhenxing_app")
        .execute(&mut su)
        .unwrap_or_else(|e| panic!("{e}"));
    let (s, b) = client
        .call(
            "POST",
            "/api/v1/households",
            Some(&clerk),
            Some(household("R2", V, &[id_number("370831", 8)])),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(client.numbers(&clerk).await.contains(&"R2".to_string()));
}
