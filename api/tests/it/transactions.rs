//! The server's transactions as PostgreSQL sees them: one message opens each (`BEGIN` with the
//! statement budget and the caller's scope), diesel still knows it is inside one (nested work
//! takes savepoints), a transaction that fails to begin leaves its connection clean, and the
//! audit row written straight into the log reads exactly as one written through the view.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::DomainError;
use infra::audit::{self, Actor, AuditFilter, Entry};
use infra::db::{Db, PoolOptions};
use secrecy::ExposeSecret as _;

use crate::helpers::{TestDb, code};

#[derive(QueryableByName, Debug, PartialEq)]
struct Settings {
    #[diesel(sql_type = Text)]
    timeout: String,
    #[diesel(sql_type = Text)]
    lo: String,
    #[diesel(sql_type = Text)]
    isolation: String,
    #[diesel(sql_type = Text)]
    read_only: String,
}

fn settings(c: &mut PgConnection) -> Settings {
    diesel::sql_query(
        "SELECT current_setting('statement_timeout') AS timeout, \
                coalesce(current_setting('app.scope_lo', true), '') AS lo, \
                current_setting('transaction_isolation') AS isolation, \
                current_setting('transaction_read_only') AS read_only",
    )
    .get_result(c)
    .unwrap_or_else(|e| panic!("{e}"))
}

fn db_with(db: &TestDb, max_size: u32, statement_timeout: Duration) -> Db {
    Db::connect(
        &db.app_url(),
        &PoolOptions {
            max_size,
            statement_timeout,
            ..PoolOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e:#}"))
}

/// The backends of this database in `state`, as PostgreSQL reports them (to a superuser: other
/// roles see no state of sessions not their own).
fn sessions_in(db: &TestDb, state: &str) -> Vec<i32> {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut c =
        PgConnection::establish(&crate::helpers::admin_url()).unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query(
        "SELECT pid FROM pg_stat_activity WHERE datname::text = $1 AND state = $2 ORDER BY pid",
    )
    .bind::<Text, _>(&db.name)
    .bind::<Text, _>(state)
    .load::<Pid>(&mut c)
    .unwrap_or_else(|e| panic!("{e}"))
    .into_iter()
    .map(|p| p.pid)
    .collect()
}

/// The transaction runs with its budget and scope from the start; a snapshot is repeatable read and read
/// only; nested `transaction` calls are savepoints of the one transaction (an inner failure
/// rolls back the inner work only, the outer's scope and rows stay).
#[test]
fn a_transaction_begins_with_its_settings_and_nests_as_savepoints() {
    let db = TestDb::new();
    let handle = db_with(&db, 1, Duration::from_secs(7));
    let county = code("370831").subtree();
    let lo = county.lo().to_string();

    let seen = handle
        .in_scope(county, |tx| Ok(settings(tx)))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        seen,
        Settings {
            timeout: "7s".into(),
            lo: lo.clone(),
            isolation: "read committed".into(),
            read_only: "off".into()
        }
    );
    let seen = handle
        .in_scope_snapshot(county, |tx| Ok(settings(tx)))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (seen.isolation.as_str(), seen.read_only.as_str(), seen.lo),
        ("repeatable read", "on", lo.clone())
    );

    // A temporary table lives as long as the transaction that made it (ON COMMIT DROP): it is
    // there after the inner failure only if that failure rolled back to a savepoint.
    let after = handle
        .in_scope(county, |tx| {
            let c: &mut PgConnection = tx;
            diesel::sql_query("CREATE TEMP TABLE zx_t (n int) ON COMMIT DROP")
                .execute(c)
                .map_err(infra::db::map_db_error)?;
            diesel::sql_query("INSERT INTO zx_t VALUES (1)")
                .execute(c)
                .map_err(infra::db::map_db_error)?;
            let inner = c.transaction::<(), diesel::result::Error, _>(|c| {
                diesel::sql_query("INSERT INTO zx_t VALUES (2)").execute(c)?;
                diesel::sql_query("SELECT 1/0").execute(c)?;
                Ok(())
            });
            assert!(inner.is_err(), "the inner work failed");
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = BigInt)]
                n: i64,
            }
            let rows: Row = diesel::sql_query("SELECT sum(n)::bigint AS n FROM zx_t")
                .get_result(c)
                .map_err(infra::db::map_db_error)?;
            Ok((rows.n, settings(c).lo))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(after, (1, lo), "only the inner work was rolled back");
    assert_eq!(
        sessions_in(&db, "idle in transaction (aborted)"),
        Vec::<i32>::new()
    );
}

/// A statement of the opening message that fails (here a statement budget PostgreSQL refuses)
/// fails the call, and the connection goes back to the pool with no transaction left open on
/// it: the server shows it idle, not idle in an aborted transaction.
#[test]
fn a_transaction_that_fails_to_begin_leaves_its_connection_clean() {
    let db = TestDb::new();
    // More milliseconds than `statement_timeout` takes (an int).
    let handle = db_with(&db, 1, Duration::from_secs(3_000_000));
    let county = code("370831").subtree();
    // (A new backend reports its state a moment after the pool has it.)
    let mut before = sessions_in(&db, "idle");
    for _ in 0..100 {
        if !before.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        before = sessions_in(&db, "idle");
    }
    assert_eq!(before.len(), 1, "the pool's one connection: {before:?}");
    for _ in 0..2 {
        let answer = handle.in_scope(county, |_| Ok(()));
        assert!(
            matches!(answer, Err(DomainError::Unexpected(_))),
            "the budget is refused, as a server error (not a scope or data one): {answer:?}"
        );
    }
    assert_eq!(
        sessions_in(&db, "idle in transaction (aborted)"),
        Vec::<i32>::new()
    );
    assert_eq!(sessions_in(&db, "idle in transaction"), Vec::<i32>::new());
    assert_eq!(
        sessions_in(&db, "idle"),
        before,
        "the same connection, back in the pool and idle (not dropped and replaced)"
    );
}

/// The first entry of a kind or of an actor goes through the view (its trigger fills the
/// dictionaries); later ones go straight into the log. Either way the entry reads the same,
/// and the dictionaries hold each kind and actor once.
#[test]
fn audit_entries_read_the_same_whichever_way_they_were_written() {
    let db = TestDb::new();
    let handle = db_with(&db, 1, Duration::from_secs(10));
    let village = code("370831100201");
    let county = code("370831").subtree();
    let actor = Actor {
        id: Some(uuid::Uuid::new_v4()),
        username: Some("clerk.transactions".into()),
        roles: vec!["county_clerk".into(), "auditor".into()],
        org: Some(code("370831")),
        request_id: Some("req-1".into()),
    };
    let anonymous = Actor::default();
    let entry = |object: &str| Entry {
        action: "test.transactions",
        object_type: "probe",
        object_id: Some(object.into()),
        region: village,
        reason: Some("because".into()),
        details: serde_json::json!({ "n": object }),
    };
    handle
        .in_scope(county, |tx| {
            let c: &mut PgConnection = tx;
            // New kind and actor; the same again; the anonymous actor; the first actor again.
            audit::record(c, &actor, &entry("1"))?;
            audit::record(c, &actor, &entry("2"))?;
            audit::record(c, &anonymous, &entry("3"))?;
            audit::record(c, &actor, &entry("4"))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let rows = handle
        .in_scope(county, |tx| {
            audit::query(
                tx,
                &AuditFilter {
                    action: Some("test.transactions".into()),
                    region_lo: county.lo(),
                    region_hi: county.hi(),
                    limit: 10,
                    ..AuditFilter::default()
                },
            )
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut seen: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.object_id.clone().unwrap_or_default(),
                r.actor_id,
                r.actor_username.clone(),
                r.actor_roles.clone(),
                r.actor_org,
                r.object_type.clone(),
                r.region_code,
                r.reason.clone(),
                r.request_id.clone(),
                r.details.clone(),
            )
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let as_actor = |n: &str, a: &Actor| {
        (
            n.to_string(),
            a.id,
            a.username.clone(),
            a.roles.clone(),
            a.org.map(domain::RegionCode::as_i64),
            "probe".to_string(),
            village.as_i64(),
            Some("because".to_string()),
            a.request_id.clone(),
            serde_json::json!({ "n": n }),
        )
    };
    assert_eq!(
        seen,
        vec![
            as_actor("1", &actor),
            as_actor("2", &actor),
            as_actor("3", &anonymous),
            as_actor("4", &actor),
        ]
    );
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        kinds: i64,
        #[diesel(sql_type = BigInt)]
        actors: i64,
    }
    let mut c =
        PgConnection::establish(db.owner_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    let counts: Counts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM audit_kinds \
                  WHERE action = 'test.transactions' AND object_type = 'probe') AS kinds, \
                (SELECT count(*) FROM audit_actors WHERE username = 'clerk.transactions') AS actors",
    )
    .get_result(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        counts,
        Counts {
            kinds: 1,
            actors: 1
        }
    );
}
