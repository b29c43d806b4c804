//! The append-only tables that grow with use, partitioned by month like the audit log (issue
//! 17): households' history, job row errors, webhook deliveries and login attempts write into
//! their month's partition, behind the partitioned table's row-level security; an old month of
//! each is retired by detaching and archiving it, and the rest stays readable through the API.

use std::io::BufRead as _;

use chrono::{DateTime, Datelike as _, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use infra::retire::Retention;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::helpers::TestApp;

#[derive(QueryableByName, Debug)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const TABLES: [&str; 4] = [
    "household_events",
    "job_errors",
    "webhook_deliveries",
    "login_attempts",
];

/// `<table>_YYYY_MM` of the month (China time) `k` months after the one holding `at`.
fn month_after(table: &str, at: DateTime<Utc>, k: i32) -> String {
    let l = at
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("UTC+8")));
    let n = l.year() * 12 + i32::try_from(l.month0()).unwrap_or(0) + k;
    format!("{table}_{:04}_{:02}", n / 12, n % 12 + 1)
}

/// `<table>_YYYY_MM` of the month (China time) holding `at`.
fn month_of(table: &str, at: DateTime<Utc>) -> String {
    month_after(table, at, 0)
}

/// Runs `f` as the owner with the whole platform in scope.
fn as_platform<T>(app: &TestApp, f: impl FnOnce(&mut PgConnection) -> QueryResult<T>) -> T {
    app.db.as_owner("37", |c| {
        diesel::sql_query(
            "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
        )
        .execute(c)?;
        f(c)
    })
}

fn partitions_of(app: &TestApp, table: &str) -> Vec<String> {
    as_platform(app, |c| {
        diesel::sql_query(format!(
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
              WHERE i.inhparent = '{table}'::regclass ORDER BY 1"
        ))
        .load::<Name>(c)
    })
    .into_iter()
    .map(|n| n.name)
    .collect()
}

/// The partitions holding the rows `sql` selects (`SELECT tableoid::regclass::text AS name …`).
fn homes(app: &TestApp, sql: &str) -> Vec<String> {
    let mut v: Vec<String> = as_platform(app, |c| diesel::sql_query(sql).load::<Name>(c))
        .into_iter()
        .map(|n| n.name)
        .collect();
    v.dedup();
    v
}

#[actix_web::test]
async fn each_append_only_table_writes_into_its_month_behind_the_parents_policies() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    let now = Utc::now();
    // Every table is partitioned, with last month, this month and the next two ready.
    for t in TABLES {
        let parts = partitions_of(&app, t);
        for k in [-1, 0, 1, 2] {
            let want = month_after(t, now, k);
            assert!(parts.contains(&want), "{t}: {want} missing from {parts:?}");
        }
    }
    // A household registered through the API: its history row is in this month's partition.
    let t = app.token("clerk").await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("P1", "370831001003", &[id_number("370831", 77)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        homes(
            &app,
            &format!(
                "SELECT tableoid::regclass::text AS name FROM household_events WHERE household_id = '{id}'"
            )
        ),
        [month_of("household_events", Utc::now())]
    );
    // A wrong password: the failure is counted in this month's login_attempts.
    let r = app
        .post_public(
            "/api/v1/auth/login",
            json!({"username": "clerk", "password": "not-the-password-1"}),
        )
        .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(
        homes(
            &app,
            "SELECT tableoid::regclass::text AS name FROM login_attempts"
        ),
        [month_of("login_attempts", Utc::now())]
    );
    // The neighbour county reads neither the household nor its history: the parent's policy
    // holds for every month.
    let other = app.token("clerk.b").await;
    for path in [
        format!("/api/v1/households/{id}"),
        format!("/api/v1/households/{id}/history"),
    ] {
        assert_eq!(app.get(&path, &other).await.status, 404, "{path}");
    }
    // Nor does the app role see another county's history rows, in any month, even unfiltered.
    let mut c = app.db.app_conn();
    let seen: Count = c
        .transaction(|c| {
            diesel::sql_query(
                "SELECT set_config('app.scope_lo', '370830000000', true), \
                        set_config('app.scope_hi', '370830999999', true)",
            )
            .execute(c)?;
            diesel::sql_query("SELECT count(*) AS n FROM household_events").get_result(c)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seen.n, 0);
    // A month's partition is not reachable directly by the app role.
    let direct = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM {}",
        month_of("household_events", Utc::now())
    ))
    .get_result::<Count>(&mut c);
    assert!(
        format!("{direct:?}").contains("permission denied"),
        "{direct:?}"
    );
}

fn read_archive(path: &std::path::Path) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{e}"));
    std::io::BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap_or_default()).unwrap_or(Value::Null))
        .collect()
}

#[actix_web::test]
async fn an_old_month_of_each_table_is_detached_and_archived_and_the_rest_stays_readable() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token("clerk").await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("R1", "370831001003", &[id_number("370831", 78)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let now = Utc::now();
    // Rows of two old months (more than a year back), written as they were then.
    let old = now - Duration::days(400);
    let older = now - Duration::days(460);
    as_platform(&app, |c| {
        for t in TABLES {
            diesel::sql_query(format!(
                "SELECT zx_month_partitions('{t}', $1, $1), zx_month_partitions('{t}', $2, $2)"
            ))
            .bind::<Timestamptz, _>(old)
            .bind::<Timestamptz, _>(older)
            .execute(c)?;
        }
        diesel::sql_query(format!(
            "INSERT INTO household_events (county_code, id, household_id, region_code, at, kind, snapshot) \
             VALUES (370831, gen_random_uuid(), '{id}', 370831001003, $1, 'updated', '{{\"address\": \"旧\"}}')"
        ))
        .bind::<Timestamptz, _>(old)
        .execute(c)?;
        for sql in [
            "INSERT INTO jobs (county_code, id, region_code, kind, status) \
             VALUES (370831, md5('oldjob')::uuid, 370831000000, 'household_import', 'succeeded')",
            "INSERT INTO webhook_endpoints (county_code, id, region_code, url, secret, events) \
             VALUES (370831, md5('hook')::uuid, 370831000000, 'https://example.org/h', 'x', \
               ARRAY['household.created'])",
            "INSERT INTO webhook_events (county_code, id, region_code, kind, object_type, object_id, \
               payload, occurred_at) \
             VALUES (370831, md5('event')::uuid, 370831000000, 'household.created', 'household', 'x', \
               '{}', now())",
        ] {
            diesel::sql_query(sql).execute(c)?;
        }
        for sql in [
            "INSERT INTO job_errors (county_code, job_id, seq, region_code, row_number, column_name, \
               message, at) \
             VALUES (370831, md5('oldjob')::uuid, 1, 370831000000, 2, 'id_number', 'bad', $1)",
            "INSERT INTO login_attempts (key, kind, at) VALUES (md5('old'), 'failure', $1)",
        ] {
            diesel::sql_query(sql)
                .bind::<Timestamptz, _>(old)
                .execute(c)?;
        }
        // One old month's delivery is done; the older month still has one pending.
        diesel::sql_query(
            "INSERT INTO webhook_deliveries (county_code, id, region_code, endpoint_id, event_id, status, \
               created_at, next_attempt_at) \
             VALUES (370831, gen_random_uuid(), 370831000000, md5('hook')::uuid, md5('event')::uuid, \
               'delivered', $1, $1), \
                    (370831, gen_random_uuid(), 370831000000, md5('hook')::uuid, md5('event')::uuid, \
               'pending', $2, now() + interval '1 day')",
        )
        .bind::<Timestamptz, _>(old)
        .bind::<Timestamptz, _>(older)
        .execute(c)
    });
    let dir = std::env::temp_dir().join(format!("zx-retire-months-{}", app.db.name));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let owner = app.db.owner_url();
    let year = Retention {
        household_events_days: 365,
        job_errors_days: 365,
        webhook_deliveries_days: 365,
        login_attempts_days: 365,
    };
    // A retention below its floor is refused, naming the table.
    let short = Retention {
        household_events_days: 30,
        ..year
    };
    let err = infra::retire::run_all(owner.expose_secret(), &short, now, &dir, true, "test")
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(err.contains("household_events"), "{err}");
    // A dry run lists and touches nothing.
    let dry = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, true, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    let count = |r: &[infra::retire::Report], t: &str| -> Vec<i64> {
        r.iter()
            .filter(|r| r.table == t)
            .flat_map(|r| r.months.iter().map(|m| m.rows))
            .collect()
    };
    // Each table's two old months (the older one of three tables is empty); the webhook
    // deliveries' older month is held: a delivery there is still pending.
    assert_eq!(count(&dry, "household_events"), [0, 1], "{dry:?}");
    assert_eq!(count(&dry, "job_errors"), [0, 1], "{dry:?}");
    assert_eq!(count(&dry, "login_attempts"), [0, 1], "{dry:?}");
    assert_eq!(count(&dry, "webhook_deliveries"), [1], "{dry:?}");
    assert!(count(&dry, "audit_log").is_empty(), "{dry:?}");
    let held: Vec<&(String, String)> = dry.iter().flat_map(|r| r.held.iter()).collect();
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(held[0].1.contains("pending"), "{held:?}");
    // Not by a paused endpoint's: those would never go out, and the month would be kept past
    // its retention for every county.
    let pause = |active: bool| {
        as_platform(&app, |c| {
            diesel::sql_query(format!(
                "UPDATE webhook_endpoints SET active = {active} WHERE id = md5('hook')::uuid"
            ))
            .execute(c)
        })
    };
    pause(false);
    let paused = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, true, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(paused.iter().all(|r| r.held.is_empty()), "{paused:?}");
    assert_eq!(count(&paused, "webhook_deliveries"), [1, 1], "{paused:?}");
    pause(true);
    assert!(partitions_of(&app, "household_events").contains(&month_of("household_events", old)));
    // A household whose history was wholly retired before months carried their state forward
    // (registered long ago, its entries gone): it has no state in any month kept.
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("R2", "370831001003", &[id_number("370831", 79)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let lost = r.body["id"].as_str().unwrap_or_default().to_string();
    as_platform(&app, |c| {
        diesel::sql_query(format!(
            "UPDATE households SET created_at = $1, updated_at = $1 WHERE id = '{lost}'"
        ))
        .bind::<Timestamptz, _>(older)
        .execute(c)?;
        diesel::sql_query(format!(
            "DELETE FROM household_events WHERE household_id = '{lost}'"
        ))
        .execute(c)
    });
    let kept_day = (Utc::now() + Duration::hours(8)).date_naive() - Duration::days(300);
    let r = app
        .get(&format!("/api/v1/households/{lost}?as_of={kept_day}"), &t)
        .await;
    assert_eq!(r.status, 404, "no state before the backfill: {:?}", r.body);
    let dry = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, true, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    let baselines = |r: &[infra::retire::Report]| -> usize { r.iter().map(|r| r.baselines).sum() };
    assert_eq!(baselines(&dry), 1, "the dry run finds it: {dry:?}");
    // The real run.
    let done = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, false, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(baselines(&done), 1, "{done:?}");
    for t in TABLES {
        let parts = partitions_of(&app, t);
        assert!(!parts.contains(&month_of(t, old)), "{t}: {parts:?}");
        assert!(parts.contains(&month_of(t, now)), "{t}: {parts:?}");
        let gone: Count = as_platform(&app, |c| {
            diesel::sql_query(format!(
                "SELECT count(*) AS n FROM pg_class WHERE relname = '{}'",
                month_of(t, old)
            ))
            .get_result(c)
        });
        assert_eq!(gone.n, 0, "{t}: the detached month is dropped");
    }
    assert!(
        partitions_of(&app, "webhook_deliveries").contains(&month_of("webhook_deliveries", older)),
        "the month with a pending delivery stays"
    );
    // The archives hold the rows, in the offboarding shape.
    let file = |t: &str| {
        done.iter()
            .filter(|r| r.table == t)
            .flat_map(|r| r.months.iter())
            .find(|m| m.rows == 1)
            .map(|m| m.file.clone())
            .unwrap_or_else(|| panic!("{t}: no archive in {done:?}"))
    };
    let events = read_archive(&file("household_events"));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["table"], "household_events");
    assert_eq!(events[0]["row"]["snapshot"]["address"], "旧");
    let errors = read_archive(&file("job_errors"));
    assert_eq!(errors[0]["row"]["message"], "bad");
    let deliveries = read_archive(&file("webhook_deliveries"));
    assert_eq!(deliveries[0]["row"]["status"], "delivered");
    // The household's history still reads, through the API, without the retired month.
    let hist = app
        .get(&format!("/api/v1/households/{id}/history"), &t)
        .await;
    assert_eq!(hist.status, 200, "{:?}", hist.body);
    let kinds: Vec<&str> = hist.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    // The retired month's last state is carried to its end as a baseline, which says when
    // that state was last changed.
    assert_eq!(kinds, ["created", "baseline"], "{:?}", hist.body);
    // One format whoever wrote it (the carry in SQL, the backfill in Rust): UTC, microseconds.
    let written = hist.body["items"][1]["changes"]["last_change_at"]
        .as_str()
        .unwrap_or_default();
    assert!(
        written.ends_with('Z') && written.len() == "2025-01-01T00:00:00.000000Z".len(),
        "{written}"
    );
    let carried_from = hist.body["items"][1]["changes"]["last_change_at"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    assert_eq!(
        carried_from.map(|t| t.timestamp_micros()),
        Some(old.timestamp_micros()),
        "{:?}",
        hist.body
    );
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let r = app
        .get(&format!("/api/v1/households/{id}?as_of={today}"), &t)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A day of the months kept, before anything else happened to the household: its state is
    // the retired month's (without the baseline there was no state to read: 404), changed when
    // it was changed.
    let r = app
        .get(&format!("/api/v1/households/{id}?as_of={kept_day}"), &t)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["address"], "旧", "{:?}", r.body);
    assert_eq!(
        r.body["updated_at"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_micros()),
        Some(old.timestamp_micros()),
        "{:?}",
        r.body
    );
    // Each retirement is on the platform's record.
    let retired: Vec<Name> = as_platform(&app, |c| {
        diesel::sql_query(
            "SELECT object_type AS name FROM audit_events WHERE action = 'partition.month_retired' \
              ORDER BY 1",
        )
        .load(c)
    });
    let retired: Vec<String> = retired.into_iter().map(|n| n.name).collect();
    // The month after the old one may be due too (by the calendar), with the baseline in it:
    // it is retired in the same run and carries the baseline on.
    let months = |t: &str| -> usize {
        done.iter()
            .filter(|r| r.table == t)
            .map(|r| r.months.len())
            .sum()
    };
    assert!(months("household_events") >= 2, "{done:?}");
    let households = vec!["household_events"; months("household_events")];
    assert_eq!(retired[..households.len()], households[..], "{retired:?}");
    assert_eq!(
        retired[households.len()..],
        [
            "job_errors",
            "job_errors",
            "login_attempts",
            "login_attempts",
            "webhook_deliveries"
        ]
    );
    // The household without history now has a baseline of its state, at the start of the
    // oldest month kept, saying when it last changed: a day of the months kept reads it.
    let hist = app
        .get(&format!("/api/v1/households/{lost}/history"), &t)
        .await;
    assert_eq!(hist.status, 200, "{:?}", hist.body);
    assert_eq!(
        hist.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        hist.body
    );
    assert_eq!(hist.body["items"][0]["kind"], "baseline", "{:?}", hist.body);
    let last_change = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc).timestamp_micros())
    };
    let written = hist.body["items"][0]["changes"]["last_change_at"]
        .as_str()
        .unwrap_or_default();
    assert!(
        written.ends_with('Z') && written.len() == "2025-01-01T00:00:00.000000Z".len(),
        "{written}"
    );
    assert_eq!(
        last_change(&hist.body["items"][0]["changes"]["last_change_at"]),
        Some(older.timestamp_micros()),
        "{:?}",
        hist.body
    );
    let r = app
        .get(&format!("/api/v1/households/{lost}?as_of={kept_day}"), &t)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["household_number"], "R2", "{:?}", r.body);
    assert_eq!(
        last_change(&r.body["updated_at"]),
        Some(older.timestamp_micros())
    );
    let backfilled: Vec<Name> = as_platform(&app, |c| {
        diesel::sql_query(
            "SELECT details->>'households' AS name FROM audit_events \
              WHERE action = 'partition.baselines_backfilled'",
        )
        .load(c)
    });
    assert_eq!(backfilled.len(), 1, "audited once");
    assert_eq!(backfilled[0].name, "1");
    // Nothing more to retire, nobody left without history.
    let again = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, false, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(again.iter().all(|r| r.months.is_empty()), "{again:?}");
    assert_eq!(baselines(&again), 0, "{again:?}");
    let records: Count = as_platform(&app, |c| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'partition.baselines_backfilled'",
        )
        .get_result(c)
    });
    assert_eq!(
        records.n, 1,
        "done for good: the next run does not search again"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The backfill of households without history walks them in key order a batch at a time,
/// giving each one baseline, and ends; and two retirement runs never overlap.
#[actix_web::test]
async fn the_baseline_backfill_goes_batch_by_batch_and_runs_alone() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token("clerk").await;
    let mut ids = Vec::new();
    for (number, seq) in [("B1", 81), ("B2", 82), ("B3", 83)] {
        let r = app
            .post(
                "/api/v1/households",
                &t,
                household(number, "370831001003", &[id_number("370831", seq)]),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    let list = ids
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(",");
    as_platform(&app, |c| {
        diesel::sql_query(format!(
            "DELETE FROM household_events WHERE household_id IN ({list})"
        ))
        .execute(c)
    });
    let now = Utc::now();
    let mut after = None;
    let mut keys = Vec::new();
    while let Some((n, last)) = as_platform(&app, |c| {
        infra::app::cases::backfill_baselines(c, now, after, 1)
            .map_err(|e| diesel::result::Error::QueryBuilderError(format!("{e:?}").into()))
    }) {
        assert_eq!(n, 1, "one household a batch");
        keys.push(last);
        after = Some(last);
        assert!(keys.len() <= 3, "it ends: {keys:?}");
    }
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "in key order: {keys:?}"
    );
    let each: Vec<Count> = as_platform(&app, |c| {
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM household_events \
              WHERE household_id IN ({list}) AND kind = 'baseline' GROUP BY household_id"
        ))
        .load(c)
    });
    assert_eq!(each.iter().map(|c| c.n).collect::<Vec<_>>(), [1, 1, 1]);
    // A second run while one holds the lock stops at once and says why.
    let owner = app.db.owner_url();
    let mut holder =
        PgConnection::establish(owner.expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("SELECT pg_advisory_lock(hashtextextended('zx-retire-months', 0))")
        .execute(&mut holder)
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("zx-retire-alone-{}", app.db.name));
    let year = Retention {
        household_events_days: 365,
        job_errors_days: 365,
        webhook_deliveries_days: 365,
        login_attempts_days: 365,
    };
    let err = infra::retire::run_all(owner.expose_secret(), &year, now, &dir, true, "test")
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(err.contains("under way"), "{err}");
    diesel::sql_query("SELECT pg_advisory_unlock(hashtextextended('zx-retire-months', 0))")
        .execute(&mut holder)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        infra::retire::run_all(owner.expose_secret(), &year, now, &dir, true, "test").is_ok(),
        "free again once the other run ends"
    );
}
