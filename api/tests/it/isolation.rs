//! Row-level security, proven through the app role's own connection.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use futures_util::future::join_all;

use crate::helpers::{TestApp, TestDb};

#[derive(QueryableByName, Debug)]
struct Flags {
    #[diesel(sql_type = Bool)]
    rolsuper: bool,
    #[diesel(sql_type = Bool)]
    rolbypassrls: bool,
}

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

/// Tables that hold no tenant data: reference data, diesel's bookkeeping, and the login
/// throttle (hashed keys only, owned by the definer role and reachable through its functions).
const GLOBAL_TABLES: &[&str] = &[
    "__diesel_schema_migrations",
    // The audit log's dictionaries: (action, object type) pairs and actors (user id, login
    // name, roles, org unit) that audit rows refer to by a small key instead of repeating the
    // text (issue 17); read only through the `audit_events` view, joined to rows RLS let through.
    "audit_actors",
    "audit_kinds",
    // The platform's working calendar: public reference data, read by everyone, written only
    // by a platform-scoped transaction (its policies check the scope; see calendar.rs).
    "calendar_days",
    "calendar_years",
    // One check value per personal-data key (a ciphertext or an HMAC of a fixed text), which
    // a process compares at start-up: no tenant data (key_check.rs).
    "data_key_checks",
    "login_attempts",
    "permissions",
    "poverty_causes",
    "regions",
    "role_permissions",
    "roles",
    // A user id and a WAL position per user, for read-your-writes with a replica: no tenant
    // data, reachable only through two definer functions.
    "write_marks",
];

#[test]
fn app_role_is_no_superuser_bypasses_nothing_and_owns_nothing() {
    let db = TestDb::new();
    let mut c = db.app_conn();
    let f: Flags = diesel::sql_query(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!f.rolsuper && !f.rolbypassrls, "{f:?}");
    let owned: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user",
    )
    .get_result(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(owned.n, 0, "the app role must own no relation");
}

#[test]
fn every_tenant_table_has_forced_rls_and_a_policy() {
    let db = TestDb::new();
    let mut c = db.app_conn();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .load(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(tables.len() > GLOBAL_TABLES.len(), "no tables found");
    let unprotected: Vec<Name> = diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND NOT (c.relname = ANY($1))
           -- A partition is reached only through its partitioned table, whose policies apply
           -- (the next test: the app role holds no privilege on any partition).
           AND NOT c.relispartition
           AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity
                OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
                OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code')
                OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'region_code'))",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(GLOBAL_TABLES)
    .load(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = unprotected.into_iter().map(|n| n.name).collect();
    assert!(
        names.is_empty(),
        "tables without forced RLS, a policy, county_code or region_code: {names:?}"
    );
}

#[test]
fn partitions_grant_the_app_role_nothing() {
    let db = TestDb::new();
    let mut c = db.app_conn();
    let open: Vec<Name> = diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relispartition
           AND (has_table_privilege(c.oid, 'SELECT') OR has_table_privilege(c.oid, 'INSERT')
                OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE'))",
    )
    .load(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        open.is_empty(),
        "partitions the app role can reach directly: {open:?}"
    );
    let n: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_class c WHERE c.relispartition AND c.relname LIKE 'audit_log_%'",
    )
    .get_result(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(n.n >= 3, "the audit log's months are made ahead");
}

#[test]
fn unique_and_foreign_keys_lead_with_county_code() {
    let db = TestDb::new();
    let mut c = db.app_conn();
    // Unique indexes and foreign keys of tenant tables must include county_code, so constraint
    // checks (which bypass RLS) never compare across counties. The documented exceptions: the
    // platform-wide login name, and a person registered once across all counties (the blind
    // index of the ID number; what it reveals is what `zx_id_registered` answers on purpose).
    let bad: Vec<Name> = diesel::sql_query(
        "SELECT i.relname AS name FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND x.indisunique AND NOT (t.relname = ANY($1))
           AND i.relname NOT IN ('users_username_key', 'members_blind_once')
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid
                           AND a.attname = 'county_code' AND a.attnum = ANY(x.indkey))
         UNION ALL
         SELECT co.conname FROM pg_constraint co JOIN pg_class t ON t.oid = co.conrelid
         WHERE co.contype = 'f' AND NOT (t.relname = ANY($1))
           AND co.confrelid NOT IN (SELECT oid FROM pg_class WHERE relname = ANY($1))
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid
                           AND a.attname = 'county_code' AND a.attnum = ANY(co.conkey))",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(GLOBAL_TABLES)
    .load(&mut c)
    .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = bad.into_iter().map(|n| n.name).collect();
    assert!(names.is_empty(), "keys without county_code: {names:?}");
}

#[actix_web::test]
async fn no_scope_sees_nothing_and_out_of_scope_writes_are_refused() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    let mut c = app.db.app_conn();
    for table in [
        "tenants",
        "users",
        "role_grants",
        "settings",
        "audit_events",
    ] {
        let n: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(&mut c)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.n, 0, "{table} is visible without a scope");
    }
    // With Sishui's scope, Wenshang's rows stay invisible and cannot be written.
    let r = c.transaction::<_, diesel::result::Error, _>(|c| {
        diesel::sql_query("SELECT set_config('app.scope_lo', '370831000000', true), set_config('app.scope_hi', '370831999999', true)")
            .execute(c)?;
        let mine: Count = diesel::sql_query("SELECT count(*) AS n FROM users").get_result(c)?;
        let theirs: Count = diesel::sql_query("SELECT count(*) AS n FROM users WHERE county_code = 370830").get_result(c)?;
        assert_eq!((mine.n, theirs.n), (1, 0));
        let insert = diesel::sql_query(
            "INSERT INTO users (county_code, id, region_code, username, display_name, password_hash)
             VALUES (370830, gen_random_uuid(), 370830000000, 'intruder', 'x', 'x')",
        )
        .execute(c);
        let msg = insert.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("row-level security"), "out-of-scope insert was not refused: {msg}");
        Ok(())
    });
    // The failed insert aborted the transaction; whatever diesel reports, nothing was written.
    drop(r);
    // After the transaction the setting is gone again: nothing visible.
    let n: Count = diesel::sql_query("SELECT count(*) AS n FROM users")
        .get_result(&mut c)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n.n, 0);
    let lo: Name =
        diesel::sql_query("SELECT coalesce(current_setting('app.scope_lo', true), '') AS name")
            .get_result(&mut c)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lo.name, "");
}

#[actix_web::test]
async fn audit_log_is_append_only_for_the_app_role() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let mut c = app.db.app_conn();
    // The log itself, and the view every reader and writer uses (which takes inserts only).
    for sql in [
        "UPDATE audit_log SET reason = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "UPDATE audit_kinds SET action = 'x'",
        "DELETE FROM audit_actors",
    ] {
        let err = diesel::sql_query(sql)
            .execute(&mut c)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("permission denied")
                || err.contains("cannot update view")
                || err.contains("cannot delete from view")
                || err.contains("is not a table"),
            "{sql}: {err}"
        );
    }
}

#[actix_web::test]
async fn concurrent_requests_of_two_counties_never_see_each_other() {
    // Two connections for 50 requests: every connection serves both counties many times.
    let mut app = TestApp::spawn_with(|c| c.pool.max_size = 2, None).await;
    let a = app.onboard("370831");
    let b = app.onboard("370830");
    for i in 0..3 {
        app.user(&format!("clerk{i}.a"), "370831001003", &["village_clerk"]);
        app.user(&format!("clerk{i}.b"), "370830001001", &["village_clerk"]);
    }
    let ta = app.token(&a).await;
    let tb = app.token(&b).await;
    let calls = (0..50).map(|i| {
        let (token, county) = if i % 2 == 0 {
            (&ta, "370831")
        } else {
            (&tb, "370830")
        };
        let app = &app;
        async move { (county, app.get("/api/v1/users?limit=200", token).await) }
    });
    for (county, r) in join_all(calls).await {
        assert_eq!(r.status, 200, "{:?}", r.body);
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 4, "admin + 3 clerks of {county}");
        for u in items {
            let org = u["org_unit"]["code"].as_str().unwrap_or_default();
            assert!(org.starts_with(county), "{county} saw a user of {org}");
        }
    }
}
