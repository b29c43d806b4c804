//! Tenants, settings with inheritance, and the audit log.

use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn platform_admin_onboards_counties_and_nobody_else_can() {
    let mut app = TestApp::spawn().await;
    let sishui_admin = app.onboard("370831");
    let p = app.token("platform.admin").await;
    let body = json!({"county_code": "370830", "admin_username": "admin.wenshang", "admin_display_name": "汶上", "admin_password": "a-good-password"});
    let r = app.post("/api/v1/tenants", &p, body.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["tenant"]["name"], "汶上县");
    assert_eq!(r.body["admin"]["roles"][0]["role"], "tenant_admin");
    assert_eq!(app.post("/api/v1/tenants", &p, body).await.status, 409);
    for (code, why) in [
        ("370800", "a city"),
        ("370831001", "a township"),
        ("999999", "unknown"),
        ("37083x", "malformed"),
    ] {
        let r = app
            .post("/api/v1/tenants", &p, json!({"county_code": code, "admin_username": "someone.new", "admin_display_name": "x", "admin_password": "a-good-password"}))
            .await;
        assert_eq!(r.status, 422, "{why}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "county_code");
    }
    let t = app.token(&sishui_admin).await;
    let r = app
        .post("/api/v1/tenants", &t, json!({"county_code": "370832", "admin_username": "admin.liangshan", "admin_display_name": "x", "admin_password": "a-good-password"}))
        .await;
    assert_eq!(r.status, 403);
    // Each sees what lies on its line of descent.
    let own = app.get("/api/v1/tenants", &t).await;
    assert_eq!(own.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.get("/api/v1/tenants/370830", &t).await.status, 404);
    assert_eq!(app.get("/api/v1/tenants/370831", &t).await.status, 200);
    app.user("observer.jining", "3708", &["observer"]);
    let o = app.token("observer.jining").await;
    let all = app.get("/api/v1/tenants", &o).await;
    assert_eq!(
        all.body["items"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        all.body
    );
}

#[actix_web::test]
async fn settings_inherit_from_the_province_and_validate() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let p = app.token("platform.admin").await;
    let t = app.token(&admin).await;
    let c = app.token("clerk").await;
    // Defaults from the seeds.
    let s = app.get("/api/v1/settings/370831", &c).await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["effective"]["exit"]["first_notice_days"], 7);
    assert_eq!(
        s.body["effective"]["ranger"]["annual_subsidy_fen"],
        1_000_000
    );
    assert_eq!(s.header("etag").as_deref(), Some("\"1\""));
    // The province sets a poverty line; the county inherits it and overrides a notice period.
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"poverty_line_fen": {"2016": 337_200}}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&t),
            Some(&json!({"overrides": {"exit": {"first_notice_days": 10}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["effective"]["poverty_line_fen"]["2016"], 337_200);
    assert_eq!(r.body["effective"]["exit"]["first_notice_days"], 10);
    assert_eq!(r.body["effective"]["exit"]["second_notice_days"], 7);
    assert_eq!(r.body["inherited"]["poverty_line_fen"]["2016"], 337_200);
    // Stale tag, bad values, unknown keys.
    let put = |body: serde_json::Value, tag: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            app.send(
                "PUT",
                "/api/v1/settings/370831",
                Some(&t),
                Some(&body),
                &[("if-match", tag)],
            )
            .await
        }
    };
    assert_eq!(put(json!({"overrides": {}}), "\"1\"").await.status, 412);
    let r = put(
        json!({"overrides": {"exit": {"first_notice_days": 0}}}),
        "\"2\"",
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["errors"][0]["field"],
        "overrides.exit.first_notice_days"
    );
    let r = put(json!({"overrides": {"exit": {"notice": 3}}}), "\"2\"").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "overrides.exit.notice");
    // The clerk reads but cannot write; another county's settings are not found.
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&c),
            Some(&json!({"overrides": {}})),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.get("/api/v1/settings/370830", &t).await.status, 404);
    assert_eq!(app.get("/api/v1/settings/370831001", &t).await.status, 422);
    // A county admin cannot change the province.
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&t),
            Some(&json!({"overrides": {}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[actix_web::test]
async fn audit_records_writes_and_is_scoped() {
    let mut app = TestApp::spawn().await;
    let a = app.onboard("370831");
    let b = app.onboard("370830");
    app.user("auditor.a", "370831", &["auditor"]);
    let ta = app.token(&a).await;
    let r = app
        .post("/api/v1/users", &ta, json!({"username": "new.clerk", "display_name": "x", "password": "a-good-password", "org_unit": "370831001003", "roles": ["village_clerk"]}))
        .await;
    assert_eq!(r.status, 201);
    let request_id = r.header("x-request-id").unwrap_or_default();
    let tb = app.token(&b).await;
    app.post("/api/v1/users", &tb, json!({"username": "b.clerk", "display_name": "x", "password": "a-good-password", "org_unit": "370830001001"}))
        .await;
    let auditor = app.token("auditor.a").await;
    let r = app
        .get("/api/v1/audit-events?action=user.create", &auditor)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().all(|e| e["region_code"]
            .as_str()
            .unwrap_or_default()
            .starts_with("370831")),
        "{items:?}"
    );
    let mine = items
        .iter()
        .find(|e| e["details"]["username"] == "new.clerk")
        .cloned()
        .unwrap_or_default();
    assert_eq!(mine["actor_username"], a.as_str());
    assert_eq!(mine["actor_roles"], json!(["tenant_admin"]));
    assert_eq!(mine["request_id"], request_id.as_str());
    let grants = app
        .get("/api/v1/audit-events?action=role.grant", &auditor)
        .await;
    assert!(
        grants.body["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
    // County B's events are out of reach, by filter too.
    assert!(!r.body.to_string().contains("b.clerk"));
    assert_eq!(
        app.get("/api/v1/audit-events?region=370830", &auditor)
            .await
            .status,
        422
    );
    // Logins are audited.
    let logins = app
        .get("/api/v1/audit-events?action=auth.login", &auditor)
        .await;
    assert!(
        logins.body["items"]
            .as_array()
            .is_some_and(|i| i.len() >= 2)
    );
    // A clerk may not read the log.
    let (clerk, _) = app.login("new.clerk", "a-good-password").await;
    assert_eq!(app.get("/api/v1/audit-events", &clerk).await.status, 403);
}

#[actix_web::test]
async fn audit_retention_is_never_set_below_six_months() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let t = app.token("admin.370831").await;
    // Below six months is refused, naming the field. (What the setting does:
    // audit_log::a_county_keeping_its_log_shorter_loses_only_its_own_rows_past_its_setting and
    // audit_log::old_months_are_detached_archived_and_dropped_never_deleted_row_by_row.)
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&t),
            Some(&json!({"overrides": {"audit": {"retention_days": 100}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["field"],
        "overrides.audit.retention_days"
    );
}

#[actix_web::test]
async fn offboarding_archives_then_deletes_every_row_of_the_county_and_nothing_else() {
    use diesel::prelude::*;
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("clerk.w", "370830102202", &["village_clerk"]);
    let (a, b) = (app.token("clerk").await, app.token("clerk.w").await);
    for (t, village, n) in [(&a, "370831001003", 1), (&b, "370830102202", 2)] {
        let ids = [crate::cases::id_number(&village[..6], n)];
        let r = app
            .post(
                "/api/v1/households",
                t,
                crate::cases::household("OFF1", village, &ids),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        county: i32,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    // Rows per tenant table and county, read as the owner over the whole platform, on one
    // connection (a connection per table held the test's single thread, and with it the
    // server's, long enough for idle client connections to be dropped under load).
    let census = |app: &TestApp| -> Vec<(String, i32, i64)> {
        let mut out: Vec<(String, i32, i64)> = app.db.as_owner("000000000000", |c| {
            let tables: Vec<Row> = diesel::sql_query(
                "SELECT c.relname::text AS t, 0 AS county, 0::bigint AS n FROM pg_class c
                   JOIN pg_namespace s ON s.oid = c.relnamespace
                  WHERE s.nspname = 'public' AND c.relkind = 'r'
                    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code')",
            )
            .load(c)?;
            let mut out = Vec::new();
            for t in tables {
                let rows: Vec<Row> = diesel::sql_query(format!(
                    "SELECT '{0}' AS t, county_code AS county, count(*) AS n FROM \"{0}\" GROUP BY county_code",
                    t.t
                ))
                .load(c)?;
                out.extend(rows.into_iter().map(|r| (r.t, r.county, r.n)));
            }
            Ok(out)
        });
        out.sort();
        out
    };
    let before = census(&app);
    let sishui: i64 = before.iter().filter(|r| r.1 == 370831).map(|r| r.2).sum();
    assert!(sishui > 5, "{before:?}");
    let (report, lines) = crate::helpers::offboard_sishui(&app, &*app.state.attachments);
    // The archive holds exactly the county's rows.
    assert_eq!(i64::try_from(lines.len()).unwrap_or(0), sishui);
    assert!(lines.iter().all(|l| l["row"]["county_code"] == 370831));
    assert!(
        lines
            .iter()
            .any(|l| l["table"] == "households" && l["row"]["household_number"] == "OFF1")
    );
    assert_eq!(report.sha256.len(), 64);
    // Nothing of Sishui is left; Wenshang is untouched.
    let after = census(&app);
    assert!(after.iter().all(|r| r.1 != 370831), "{after:?}");
    let others = |v: &[(String, i32, i64)]| -> Vec<(String, i32, i64)> {
        v.iter()
            .filter(|r| r.1 != 370831 && r.1 != 0)
            .cloned()
            .collect()
    };
    assert_eq!(others(&after), others(&before));
    // Nor its users' names in the audit log's dictionary of actors; Wenshang's stay.
    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        sishui: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        wenshang: i64,
    }
    let named = app.db.as_owner("000000000000", |c| {
        diesel::sql_query(
            "SELECT count(*) FILTER (WHERE org / 1000000 = 370831 AND username IS NOT NULL) AS sishui, \
                    count(*) FILTER (WHERE org / 1000000 = 370830 AND username IS NOT NULL) AS wenshang \
               FROM audit_actors",
        )
        .get_result::<Named>(c)
    });
    assert_eq!(named.sishui, 0);
    assert!(named.wenshang > 0);
    // Sishui's users are gone; the offboarding is in the platform's audit log.
    let r = app
        .post_public(
            "/api/v1/auth/login",
            json!({"username": "clerk", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 401);
    let p = app.token("platform.admin").await;
    let r = app
        .get("/api/v1/audit-events?action=tenant.offboarded", &p)
        .await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{:?}", r.body);
    assert_eq!(
        items[0]["details"]["archive_sha256"],
        report.sha256.as_str()
    );
}

/// Issue 23 item 1: a county may not override the province's lines or cut-off, nor loosen a
/// threshold set above; a looser value stored before the rule existed is not in force.
#[actix_web::test]
async fn a_county_cannot_override_the_provinces_policy_or_loosen_a_threshold() {
    use diesel::prelude::*;
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    let put = |overrides: serde_json::Value, tag: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            app.send(
                "PUT",
                "/api/v1/settings/370831",
                Some(&t),
                Some(&json!({ "overrides": overrides })),
                &[("if-match", tag)],
            )
            .await
        }
    };
    for (overrides, field) in [
        (
            json!({"poverty_line_fen": {"2020": 1}}),
            "overrides.poverty_line_fen",
        ),
        (
            json!({"monitoring": {"line_fen": {"2022": 1}}}),
            "overrides.monitoring.line_fen",
        ),
        (
            json!({"exit": {"stable_income_years": 3}}),
            "overrides.exit.stable_income_years",
        ),
        (
            json!({"key_village": {"min_linking_fund_share_bp": 0}}),
            "overrides.key_village.min_linking_fund_share_bp",
        ),
        (
            json!({"reports": {"min_cell_people": 1}}),
            "overrides.reports.min_cell_people",
        ),
        (
            json!({"property_check": {"identification_cutoff": "2099-01-01"}}),
            "overrides.property_check.identification_cutoff",
        ),
        (
            json!({"monitoring": {"identification_deadline_days": 60}}),
            "overrides.monitoring.identification_deadline_days",
        ),
    ] {
        let r = put(overrides.clone(), "\"1\"").await;
        assert_eq!(r.status, 422, "{overrides}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("province") || m.contains("tightened")),
            "{:?}",
            r.body
        );
    }
    // Nothing was written; tightening and the county's own settings are accepted.
    let r = put(
        json!({"reports": {"min_cell_people": 20}, "key_village": {"min_linking_fund_share_bp": 1500},
               "ranger": {"major_fire_mu": 10}}),
        "\"1\"",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["effective"]["reports"]["min_cell_people"], 20);
    // A looser layer stored before the rule existed is not in force.
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE settings SET overrides = '{\"poverty_line_fen\": {\"2020\": 1}, \"reports\": {\"min_cell_people\": 1}}' \
             WHERE region_code = 370831000000",
        )
        .execute(c)
    });
    let s = app.get("/api/v1/settings/370831", &t).await;
    assert_eq!(s.body["effective"]["poverty_line_fen"]["2020"], 400_000);
    assert_eq!(s.body["effective"]["reports"]["min_cell_people"], 10);
    // When the province tightens past a county's value, the stricter one is in force.
    let p = app.token("platform.admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"reports": {"min_cell_people": 30}}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let s = app.get("/api/v1/settings/370831", &t).await;
    assert_eq!(s.body["effective"]["reports"]["min_cell_people"], 30);
}

#[actix_web::test]
async fn settings_writes_in_one_province_wait_for_each_other() {
    use diesel::connection::SimpleConnection as _;
    use std::time::{Duration, Instant};
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    // Another writer of Shandong's layers (a province or city administrator) is in its
    // transaction: it holds the province's settings lock, as a PUT does while it checks.
    let mut other = app.db.app_conn();
    other
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('370000000000', 47))")
        .unwrap_or_else(|e| panic!("{e}"));
    let put = async {
        let r = app
            .send(
                "PUT",
                "/api/v1/settings/370831",
                Some(&t),
                Some(&json!({"overrides": {"exit": {"first_notice_days": 10}}})),
                &[("if-match", "\"1\"")],
            )
            .await;
        (r, Instant::now())
    };
    let release = async {
        actix_web::rt::time::sleep(Duration::from_millis(600)).await;
        other
            .batch_execute("COMMIT")
            .unwrap_or_else(|e| panic!("{e}"));
        Instant::now()
    };
    let ((r, answered), released) = tokio::join!(put, release);
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The county's change was checked against the other writer's layers once it was done,
    // not against the layers it was replacing.
    assert!(
        answered >= released,
        "the county's write did not wait: answered {:?} before the release",
        released.duration_since(answered)
    );
}
