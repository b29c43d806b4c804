//! The audit log that can grow (issue 17): monthly partitions made ahead by the server, months
//! retired by detaching and archiving, row-level security through the partitioned table, and
//! audit queries that walk an index in their order at every scope.

use std::io::BufRead as _;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, TimeZone as _, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use infra::audit::AuditFilter;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, code};

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

fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("UTC+8"))
}

/// Midnight (China time) starting the month `months` after the month of `at`.
fn month_start(at: DateTime<Utc>, months: i32) -> DateTime<Utc> {
    let local = at.with_timezone(&china()).date_naive();
    let n = local.year() * 12 + i32::try_from(local.month0()).unwrap_or(0) + months;
    let first = NaiveDate::from_ymd_opt(n / 12, u32::try_from(n % 12).unwrap_or(0) + 1, 1)
        .unwrap_or_else(|| panic!("a month"));
    china()
        .from_local_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .unwrap_or_else(|| panic!("one instant"))
        .with_timezone(&Utc)
}

fn partition_name(at: DateTime<Utc>) -> String {
    let l = at.with_timezone(&china());
    format!("audit_log_{:04}_{:02}", l.year(), l.month())
}

/// Runs `f` as the owner with the whole platform in scope.
fn as_platform<T>(db: &TestDb, f: impl FnOnce(&mut PgConnection) -> QueryResult<T>) -> T {
    let mut c =
        PgConnection::establish(db.owner_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    c.transaction(|c| {
        diesel::sql_query(
            "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
        )
        .execute(c)?;
        f(c)
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn partitions(db: &TestDb) -> Vec<String> {
    as_platform(db, |c| {
        diesel::sql_query(
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'audit_log'::regclass ORDER BY 1",
        )
        .load::<Name>(c)
    })
    .into_iter()
    .map(|n| n.name)
    .collect()
}

/// Inserts one audit row as the app role, scoped to `county`, at `at`.
fn insert_as_app(db: &TestDb, county: i64, at: DateTime<Utc>, tag: &str) -> QueryResult<usize> {
    let mut c = db.app_conn();
    let scope = code(&county.to_string()).subtree();
    c.transaction(|c| {
        diesel::sql_query(format!(
            "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
            scope.lo(),
            scope.hi()
        ))
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO audit_events (county_code, id, action, object_type, object_id, region_code, at) \
             VALUES ({county}, gen_random_uuid(), 'test.tick', 'test', '{tag}', {county}000000, $1)"
        ))
        .bind::<diesel::sql_types::Timestamptz, _>(at)
        .execute(c)
    })
}

#[actix_web::test]
async fn the_server_makes_next_months_ahead_so_midnight_never_fails_an_insert() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    // Move the clock to one second before midnight, China time, at the end of the month after
    // the months made so far (the template holds this month and the next two).
    let made_until = month_start(Utc::now(), 3);
    let eve = made_until - Duration::seconds(1);
    let midnight = made_until;
    let before = partitions(&app.db);
    assert!(
        !before.contains(&partition_name(midnight)),
        "{before:?} already holds {}",
        partition_name(midnight)
    );
    // Without the server, that midnight's insert would fail: no month for it.
    let err = insert_as_app(&app.db, 370_831, midnight, "too-early");
    assert!(err.is_err(), "an insert into a missing month must fail");
    app.state.clock.advance(eve - Utc::now());
    // Housekeeping's call, at the moved time.
    let made = infra::audit::ensure_partitions(&app.state.db, app.state.clock.now())
        .unwrap_or_else(|e| panic!("{e}"));
    // Two months for the audit log and for each other table partitioned by month.
    assert_eq!(
        made,
        i32::try_from(infra::audit::MONTHS_AHEAD as usize * infra::partitions::TABLES.len())
            .unwrap_or(0)
    );
    let after = partitions(&app.db);
    for m in 0..=2 {
        assert!(
            after.contains(&partition_name(month_start(midnight, m - 1))),
            "{after:?}"
        );
    }
    // Midnight comes: rows on both sides of it go in, and read back through the log.
    assert_eq!(insert_as_app(&app.db, 370_831, eve, "eve").ok(), Some(1));
    assert_eq!(
        insert_as_app(&app.db, 370_831, midnight, "midnight").ok(),
        Some(1)
    );
    // Again: nothing more to make, on this or any other instance.
    let again = infra::audit::ensure_partitions(&app.state.db, app.state.clock.now())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, 0);
    let t = app.token("admin.370831").await;
    let r = app.get("/api/v1/audit-events?action=test.tick", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let tags: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["object_id"].as_str())
        .collect();
    assert_eq!(tags, ["midnight", "eve"]);
}

#[actix_web::test]
async fn row_level_security_holds_through_the_partitioned_log_and_no_month_is_reachable_directly() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    let now = Utc::now();
    assert_eq!(insert_as_app(&app.db, 370_831, now, "mine").ok(), Some(1));
    // A row of another county, written under this county's scope: refused by the log's policy.
    let mut c = app.db.app_conn();
    let refused = c.transaction(|c| {
        let s = code("370831").subtree();
        diesel::sql_query(format!(
            "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
            s.lo(),
            s.hi()
        ))
        .execute(c)?;
        diesel::sql_query(
            "INSERT INTO audit_events (county_code, id, action, object_type, region_code) \
             VALUES (370830, gen_random_uuid(), 'test.x', 'test', 370830000000)",
        )
        .execute(c)
    });
    let msg = format!("{refused:?}");
    assert!(msg.contains("row-level security"), "{msg}");
    // The neighbour sees none of it; nobody without a scope sees anything.
    for (scope, want) in [("370830", 0), ("370831", 1)] {
        let s = code(scope).subtree();
        let n: Count = c
            .transaction(|c| {
                diesel::sql_query(format!(
                    "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
                    s.lo(),
                    s.hi()
                ))
                .execute(c)?;
                diesel::sql_query(
                    "SELECT count(*) AS n FROM audit_events WHERE object_id = 'mine'",
                )
                .get_result(c)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.n, want, "{scope}");
    }
    let n: Count = diesel::sql_query("SELECT count(*) AS n FROM audit_log")
        .get_result(&mut c)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n.n, 0, "no scope, no rows");
    // A month's table itself: no privilege at all for the app role.
    let month = partition_name(now);
    let direct =
        diesel::sql_query(format!("SELECT count(*) AS n FROM {month}")).get_result::<Count>(&mut c);
    assert!(
        format!("{direct:?}").contains("permission denied"),
        "{direct:?}"
    );
    // Nor may the app role make or drop months itself, except through the definer function.
    let ddl = diesel::sql_query(format!("DROP TABLE {month}")).execute(&mut c);
    assert!(ddl.is_err());
}

#[actix_web::test]
async fn old_months_are_detached_archived_and_dropped_never_deleted_row_by_row() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    let now = Utc::now();
    // Two old months: one past the default retention (1095 days), one inside it.
    let old = now - Duration::days(1200);
    let recent = now - Duration::days(400);
    as_platform(&app.db, |c| {
        diesel::sql_query("SELECT zx_audit_partitions($1, $1), zx_audit_partitions($2, $2)")
            .bind::<diesel::sql_types::Timestamptz, _>(old)
            .bind::<diesel::sql_types::Timestamptz, _>(recent)
            .execute(c)
    });
    for (county, at, tag) in [
        (370_831, old, "old-sishui"),
        (370_830, old, "old-wenshang"),
        (370_831, recent, "recent"),
    ] {
        assert_eq!(insert_as_app(&app.db, county, at, tag).ok(), Some(1));
    }
    let dir = std::env::temp_dir().join(format!("zx-retire-{}", app.db.name));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let owner = app.db.owner_url();
    // A county keeping its log for 1300 days holds the old month back (the longest wins).
    let t = app.token("admin.370830").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370830",
            Some(&t),
            Some(&json!({"overrides": {"audit": {"retention_days": 1300}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let held = infra::retire::run(owner.expose_secret(), now, &dir, false, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(held.retention_days, 1300);
    assert!(held.months.is_empty(), "{:?}", held.months);
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370830",
            Some(&t),
            Some(&json!({"overrides": {"audit": {"retention_days": 1095}}})),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A dry run lists and touches nothing.
    let dry = infra::retire::run(owner.expose_secret(), now, &dir, true, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(dry.months.len(), 1, "{:?}", dry.months);
    assert_eq!(dry.months[0].rows, 2);
    assert!(partitions(&app.db).contains(&partition_name(old)));
    // The real run.
    let done = infra::retire::run(owner.expose_secret(), now, &dir, false, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(done.months.len(), 1, "{:?}", done.months);
    let month = &done.months[0];
    assert_eq!(month.rows, 2);
    let left = partitions(&app.db);
    assert!(!left.contains(&partition_name(old)), "{left:?}");
    assert!(left.contains(&partition_name(recent)), "{left:?}");
    let gone: Count = as_platform(&app.db, |c| {
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_class WHERE relname = '{}'",
            partition_name(old)
        ))
        .get_result(c)
    });
    assert_eq!(gone.n, 0, "the detached month is dropped");
    // The archive holds both rows, actions and all, as the log reads them.
    let file = std::fs::File::open(&month.file).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<Value> = std::io::BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap_or_default()).unwrap_or(Value::Null))
        .collect();
    let mut tags: Vec<&str> = lines
        .iter()
        .filter(|l| l["table"] == "audit_events" && l["row"]["action"] == "test.tick")
        .filter_map(|l| l["row"]["object_id"].as_str())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["old-sishui", "old-wenshang"]);
    // The rest of the log is untouched, and the retirement is on the platform's record.
    let rows: Vec<Name> = as_platform(&app.db, |c| {
        diesel::sql_query(
            "SELECT coalesce(object_id, '') || ':' || action AS name FROM audit_events \
              WHERE action IN ('test.tick', 'audit.month_retired') ORDER BY 1",
        )
        .load(c)
    });
    let rows: Vec<String> = rows.into_iter().map(|n| n.name).collect();
    let retired = format!("{}:audit.month_retired", month.month);
    assert_eq!(rows, [retired.as_str(), "recent:test.tick"]);
    // Run again: nothing left to retire.
    let again = infra::retire::run(owner.expose_secret(), now, &dir, false, "test")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(again.months.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn a_county_keeping_its_log_shorter_loses_only_its_own_rows_past_its_setting() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    let now = Utc::now();
    let t = app.token("admin.370831").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&t),
            Some(&json!({"overrides": {"audit": {"retention_days": 200}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    as_platform(&app.db, |c| {
        diesel::sql_query("SELECT zx_audit_partitions($1, $2)")
            .bind::<diesel::sql_types::Timestamptz, _>(now - Duration::days(220))
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .execute(c)
    });
    for (county, days, tag) in [
        (370_831, 190, "sishui-190"),
        (370_831, 210, "sishui-210"),
        (370_830, 210, "wenshang-210"),
    ] {
        assert_eq!(
            insert_as_app(&app.db, county, now - Duration::days(days), tag).ok(),
            Some(1)
        );
    }
    let pruned = infra::audit::prune(&app.state.db, now).unwrap_or(-1);
    assert_eq!(pruned, 1);
    let left: Vec<Name> = app.db.as_owner("37", |c| {
        diesel::sql_query(
            "SELECT object_id AS name FROM audit_events WHERE action = 'test.tick' ORDER BY 1",
        )
        .load(c)
    });
    let left: Vec<String> = left.into_iter().map(|n| n.name).collect();
    assert_eq!(left, ["sishui-190", "wenshang-210"]);
}

/// Problems in an executed plan: sorts or scans over more than `bound` rows.
fn problems(node: &Value, bound: f64, out: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or("");
    let rel = node["Relation Name"].as_str().unwrap_or("");
    let loops = node["Actual Loops"].as_f64().unwrap_or(1.0);
    let read = (node["Actual Rows"].as_f64().unwrap_or(0.0)
        + node["Rows Removed by Filter"].as_f64().unwrap_or(0.0))
        * loops;
    if kind.contains("Scan") && rel.starts_with("audit_log") && read > bound {
        out.push(format!("{kind} on {rel} read {read} rows"));
    }
    if kind == "Sort" {
        let input = node["Plans"][0]["Actual Rows"].as_f64().unwrap_or(0.0);
        if input > bound {
            out.push(format!("Sort over {input} rows"));
        }
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        problems(child, bound, out);
    }
}

#[test]
fn audit_pages_walk_an_index_newest_first_at_every_scope() {
    let db = TestDb::new();
    let now = Utc::now();
    // 100,000 rows over two months and three partitions, in two counties, as the owner: enough
    // that reading a scope and sorting it costs the planner more than walking an index (the
    // plan a big log gets), few enough to load in seconds.
    let mut c =
        PgConnection::establish(db.owner_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    let actor = uuid::Uuid::new_v4();
    c.transaction(|c| {
        diesel::sql_query("SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)")
            .execute(c)?;
        diesel::sql_query("SELECT zx_audit_partitions($1, $2)")
            .bind::<diesel::sql_types::Timestamptz, _>(now - Duration::days(70))
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .execute(c)?;
        diesel::sql_query(
            "INSERT INTO audit_kinds (action, object_type) VALUES ('household.read', 'household'), ('member.reveal', 'member')",
        )
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO audit_log (at, region_code, county_code, kind, id, actor_id, object_id, details) \
             SELECT now() - (i * interval '50 seconds'), \
                    CASE WHEN i % 4 = 0 THEN 370830001001 ELSE 370831001003 END, \
                    CASE WHEN i % 4 = 0 THEN 370830 ELSE 370831 END, \
                    (SELECT id FROM audit_kinds WHERE action = CASE WHEN i % 100 = 7 THEN 'member.reveal' ELSE 'household.read' END), \
                    gen_random_uuid(), \
                    CASE WHEN i % 100 = 3 THEN '{actor}'::uuid ELSE gen_random_uuid() END, \
                    'h' || (i % 5000)::text, '{{}}' \
               FROM generate_series(0, 99999) AS i"
        ))
        .execute(c)?;
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    // What housekeeping does every ten minutes: months changed by more than a tenth are
    // analyzed (by the server itself, whether autovacuum runs or not).
    let db_handle = infra::db::Db::connect(&db.app_url(), &crate::helpers::test_config(&db).pool)
        .unwrap_or_else(|e| panic!("{e}"));
    let analyzed = infra::audit::analyze_months(&db_handle).unwrap_or_else(|e| panic!("{e}"));
    assert!(analyzed >= 3, "{analyzed}");
    assert_eq!(
        infra::audit::analyze_months(&db_handle).ok(),
        Some(0),
        "nothing changed since"
    );
    let page = 51;
    let base = |scope: &str| {
        let s = code(scope).subtree();
        AuditFilter {
            region_lo: s.lo(),
            region_hi: s.hi(),
            limit: page,
            ..AuditFilter::default()
        }
    };
    let cases: Vec<(&str, &str, AuditFilter)> = vec![
        ("province", "37", base("37")),
        ("city", "3708", base("3708")),
        ("county", "370831", base("370831")),
        ("township", "370831", base("370831001")),
        (
            "county, one actor",
            "370831",
            AuditFilter {
                actor_id: Some(actor),
                ..base("370831")
            },
        ),
        (
            "province, one object",
            "37",
            AuditFilter {
                object_id: Some("h123".into()),
                ..base("37")
            },
        ),
        // Half a day: 864 rows of both counties. A whole day (1,728) is over the bound, and
        // whether the planner reads the window and sorts it or walks it newest first depends on
        // the statistics' random sample: either is fine for a window that small.
        (
            "county, half a day last week",
            "370831",
            AuditFilter {
                from: Some(now - Duration::days(7)),
                to: Some(now - Duration::days(7) + Duration::hours(12)),
                ..base("370831")
            },
        ),
        (
            "county, second page",
            "370831",
            AuditFilter {
                before: Some((now - Duration::days(40), uuid::Uuid::max())),
                ..base("370831")
            },
        ),
    ];
    let mut failures = Vec::new();
    let mut app = db.app_conn();
    for (what, scope, f) in cases {
        let s = code(scope).subtree();
        let plan: Value = app
            .transaction(|c| {
                diesel::sql_query(format!(
                    "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
                    s.lo(),
                    s.hi()
                ))
                .execute(c)?;
                Ok::<_, diesel::result::Error>(
                    infra::audit::explain_query(c, &f).unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let root = &plan[0]["Plan"];
        let mut found = Vec::new();
        // A page, what a township's filter passes over in its county (1 row in 20 of the
        // county's are elsewhere), and slack.
        problems(root, 1_500.0, &mut found);
        if !found.is_empty() {
            failures.push(format!("{what}: {found:?}\n{plan}"));
        }
        let rows = root["Actual Rows"].as_f64().unwrap_or(0.0);
        assert!(rows > 0.0, "{what}: no rows found\n{plan}");
        // Pages without a narrowing filter walk the log newest first and stop.
        let narrowed = f.actor_id.is_some() || f.object_id.is_some() || f.from.is_some();
        if !narrowed && !plan.to_string().contains("\"Scan Direction\":\"Backward\"") {
            failures.push(format!("{what}: no index walk newest first\n{plan}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
