//! Seed 5's project rules through the HTTP API (issue 22; issue 18 item 3): a named manager of
//! the project's county, the public posting (张榜公布) that must end before money is paid or
//! work recorded, its printed notice, and the construction money of key villages against the
//! minimum per village.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::exit::{V1, V2};
use crate::funds::{allocate, fund, id, project};
use crate::helpers::{Resp, TestApp};

struct X {
    app: TestApp,
    officer: String,
    approver: String,
    stranger: String,
    manager: uuid::Uuid,
    foreign_manager: uuid::Uuid,
}

async fn setup() -> X {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("funds.wenshang", "370830", &["fund_officer"]);
    let manager = app.user("mgr.zhang", "370831", &["fund_officer"]);
    let foreign_manager = app.user("mgr.wenshang", "370830", &["fund_officer"]);
    X {
        officer: app.token("funds").await,
        approver: app.token("approver").await,
        stranger: app.token("funds.wenshang").await,
        manager,
        foreign_manager,
        app,
    }
}

fn today(app: &TestApp) -> NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

fn field(r: &Resp) -> &str {
    r.body["errors"][0]["field"].as_str().unwrap_or_default()
}

async fn put_funds_settings(app: &TestApp, funds: Value) -> Resp {
    let admin = app.token("admin.370831").await;
    app.put_settings("370831", &admin, json!({"overrides": {"funds": funds}}))
        .await
}

#[actix_web::test]
async fn the_notice_period_setting_is_checked_by_name() {
    let x = setup().await;
    let app = &x.app;
    // Out of range, and shorter than the level above (7 by default): both refused by name.
    for days in [0, 5] {
        let r = put_funds_settings(app, json!({"project_notice_days": days})).await;
        assert_eq!(r.status, 422, "{days}: {:?}", r.body);
        assert!(
            field(&r).ends_with("funds.project_notice_days"),
            "{days}: {:?}",
            r.body
        );
    }
    let r = put_funds_settings(app, json!({"project_notice_days": 10})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn require_posting(app: &TestApp) {
    let admin = app.token("admin.370831").await;
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"funds": {"require_project_posting": true}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

fn managed(village: &str, budget_yuan: i64, manager: uuid::Uuid) -> Value {
    let mut p = project(village, budget_yuan, "infrastructure", true);
    p["manager_user_id"] = json!(manager);
    p
}

async fn pay(app: &TestApp, t: &str, project: &str, on: NaiveDate) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/disbursements"),
        t,
        json!({"amount_fen": 100_000, "payee": "施工单位", "paid_on": on}),
    )
    .await
}

async fn progress(app: &TestApp, t: &str, project: &str, pct: i32, on: NaiveDate) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/progress"),
        t,
        json!({"progress_pct": pct, "recorded_on": on}),
    )
    .await
}

async fn post(app: &TestApp, t: &str, project: &str, on: NaiveDate) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/posting"),
        t,
        json!({"posted_on": on, "location": "村务公开栏", "contact": "县扶贫办 0537-4231234"}),
    )
    .await
}

/// `PUT …/manager` with `If-Match` the project's version as read now.
async fn put_manager(app: &TestApp, path: &str, t: &str, m: Value) -> Resp {
    let read = app.get(path.trim_end_matches("/manager"), t).await;
    let tag = read.header("etag").unwrap_or_else(|| "\"0\"".into());
    app.send(
        "PUT",
        path,
        Some(t),
        Some(&json!({"manager_user_id": m})),
        &[("if-match", tag.as_str())],
    )
    .await
}

#[actix_web::test]
async fn the_manager_is_a_fund_user_of_the_projects_county() {
    let x = setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V1, 100_000, x.manager),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["manager"]["display_name"], "mgr.zhang");
    assert_eq!(r.body["manager"]["id"], json!(x.manager));
    let foreign = app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V1, 100_000, x.foreign_manager),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V1, 100_000, uuid::Uuid::new_v4()),
        )
        .await;
    for r in [&foreign, &unknown] {
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(field(r), "manager_user_id");
    }
    // Another county's user is not told apart from an unknown one.
    assert_eq!(foreign.body["errors"], unknown.body["errors"]);
    // Without a manager, as before.
    let r = app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 100_000, "infrastructure", true),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["manager"], Value::Null);
    // Named afterwards (PUT …/manager), by the same rule.
    let p = r.body["id"].as_str().unwrap_or_default().to_string();
    let path = format!("/api/v1/projects/{p}/manager");
    let r = put_manager(app, &path, &x.officer, json!(x.foreign_manager)).await;
    assert_eq!(
        (r.status, field(&r)),
        (422, "manager_user_id"),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["errors"], unknown.body["errors"]);
    let r = put_manager(app, &path, &x.officer, json!(x.manager)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["manager"]["display_name"], "mgr.zhang");
    assert_eq!(
        put_manager(app, &path, &x.stranger, json!(x.foreign_manager))
            .await
            .status,
        404
    );
    let r = put_manager(app, &path, &x.officer, Value::Null).await;
    assert_eq!((r.status, r.body["manager"].clone()), (200, Value::Null));
    // Two officers from the same read: the second is told (412), not silently the last; a
    // change without If-Match is 428.
    let seen = format!("\"{}\"", r.body["version"]);
    let body = json!({"manager_user_id": x.manager});
    let first = app
        .send(
            "PUT",
            &path,
            Some(&x.officer),
            Some(&body),
            &[("if-match", seen.as_str())],
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let second = app
        .send(
            "PUT",
            &path,
            Some(&x.officer),
            Some(&json!({"manager_user_id": null})),
            &[("if-match", seen.as_str())],
        )
        .await;
    assert_eq!(second.status, 412, "{:?}", second.body);
    let bare = app
        .send("PUT", &path, Some(&x.officer), Some(&body), &[])
        .await;
    assert_eq!(bare.status, 428, "{:?}", bare.body);
    let now = app.get(path.trim_end_matches("/manager"), &x.officer).await;
    assert_eq!(
        now.body["manager"]["display_name"], "mgr.zhang",
        "{:?}",
        now.body
    );
}

/// The township of `V1` and `V2`.
const TOWNSHIP: &str = "370831101";

fn usernames(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| u["username"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn the_manager_is_picked_from_the_users_the_rule_accepts() {
    let mut x = setup().await;
    // A fund officer of a township (eligible: the county's subtree), one disabled, and a user of
    // the county without funds:manage (the approver, from setup).
    let township_officer = x.app.user("mgr.li", TOWNSHIP, &["fund_officer"]);
    let gone = x.app.user("mgr.gone", "370831", &["fund_officer"]);
    let app = &x.app;
    let admin = app.token("admin.370831").await;
    let r = app
        .post(&format!("/api/v1/users/{gone}/disable"), &admin, json!({}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 100_000, "infrastructure", true),
        )
        .await)
    .await;
    let path = format!("/api/v1/projects/{p}/manager-candidates");
    let r = app.get(&path, &x.officer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Only the county's enabled holders of funds:manage, by username; never another county's.
    assert_eq!(
        usernames(&r),
        ["funds", "mgr.li", "mgr.zhang"],
        "{:?}",
        r.body
    );
    let li = &r.body["items"][1];
    assert_eq!(li["id"], json!(township_officer));
    assert_eq!(li["display_name"], "mgr.li");
    assert_eq!(li["org_unit"], format!("{TOWNSHIP}000"));
    assert!(
        li["org_unit_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{li}"
    );
    // Who they are and where, nothing more personal.
    let mut keys: Vec<&str> = li
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "display_name",
            "id",
            "org_unit",
            "org_unit_name",
            "username"
        ]
    );
    // Each one offered is accepted by PUT …/manager.
    for u in r.body["items"].as_array().cloned().unwrap_or_default() {
        let put = put_manager(
            app,
            &format!("/api/v1/projects/{p}/manager"),
            &x.officer,
            u["id"].clone(),
        )
        .await;
        assert_eq!(put.status, 200, "{u}: {:?}", put.body);
    }
    // The prefix filter, on the username (any case) or the display name; pages by username.
    let r = app.get(&format!("{path}?q=MGR."), &x.officer).await;
    assert_eq!(usernames(&r), ["mgr.li", "mgr.zhang"], "{:?}", r.body);
    let r = app.get(&format!("{path}?q=%25"), &x.officer).await;
    assert_eq!(usernames(&r), Vec::<String>::new(), "{:?}", r.body);
    let first = app.get(&format!("{path}?limit=2"), &x.officer).await;
    assert_eq!(usernames(&first), ["funds", "mgr.li"]);
    let cursor = first.body["next_cursor"].as_str().unwrap_or_default();
    let next = app
        .get(&format!("{path}?limit=2&cursor={cursor}"), &x.officer)
        .await;
    assert_eq!(usernames(&next), ["mgr.zhang"], "{:?}", next.body);
    assert_eq!(next.body["next_cursor"], Value::Null);
    let long = "x".repeat(51);
    let r = app.get(&format!("{path}?q={long}"), &x.officer).await;
    assert_eq!((r.status, field(&r)), (422, "q"), "{:?}", r.body);
    // Whoever may not name a manager: 403; another county's caller: 404, as for any other of
    // its projects.
    assert_eq!(app.get(&path, &x.approver).await.status, 403);
    assert_eq!(app.get(&path, &x.stranger).await.status, 404);
    let foreign = id(app
        .post(
            "/api/v1/projects",
            &x.stranger,
            project("370830001001", 100_000, "infrastructure", true),
        )
        .await)
    .await;
    let r = app
        .get(
            &format!("/api/v1/projects/{foreign}/manager-candidates"),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Wenshang's own list holds Wenshang's officers only.
    let r = app
        .get(
            &format!("/api/v1/projects/{foreign}/manager-candidates"),
            &x.stranger,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(usernames(&r), ["funds.wenshang", "mgr.wenshang"]);
}

#[actix_web::test]
async fn no_money_or_work_before_the_posting_has_ended() {
    let x = setup().await;
    let app = &x.app;
    let today = today(app);
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(1_000_000, "infrastructure", false, false),
        )
        .await)
    .await;
    // Created before the county requires posting: works as it did.
    let before = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V1, 100_000, x.manager),
        )
        .await)
    .await;
    require_posting(app).await;
    let fresh = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V1, 100_000, x.manager),
        )
        .await)
    .await;
    let old = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            managed(V2, 100_000, x.manager),
        )
        .await)
    .await;
    for p in [&before, &fresh, &old] {
        assert_eq!(allocate(app, &x.officer, &f, p, 100_000).await.status, 201);
    }
    assert_eq!(
        progress(app, &x.officer, &before, 50, today).await.status,
        200
    );
    assert_eq!(pay(app, &x.officer, &before, today).await.status, 201);

    // Not posted: neither progress nor money.
    let r = progress(app, &x.officer, &fresh, 50, today).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "notice_period_running"),
        "{:?}",
        r.body
    );
    let r = pay(app, &x.officer, &fresh, today).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "notice_period_running"),
        "{:?}",
        r.body
    );

    // Posting dates follow the exit steps' rules.
    let r = post(app, &x.officer, &fresh, today + Duration::days(1)).await;
    assert_eq!((r.status, field(&r)), (422, "posted_on"), "{:?}", r.body);
    let r = post(app, &x.officer, &fresh, today - Duration::days(31)).await;
    assert_eq!((r.status, field(&r)), (422, "posted_on"), "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/projects/{fresh}/posting"),
            &x.officer,
            json!({"posted_on": today, "location": " "}),
        )
        .await;
    assert_eq!((r.status, field(&r)), (422, "location"), "{:?}", r.body);

    // Posted today: the notice runs (7 days, moved past rest days).
    let r = post(app, &x.officer, &fresh, today).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["notice_days"], 7);
    let first = r.body["first_day"].as_str().unwrap_or_default().to_string();
    let last = r.body["last_day"].as_str().unwrap_or_default().to_string();
    assert_eq!(first, (today + Duration::days(1)).to_string());
    assert!(last >= (today + Duration::days(7)).to_string(), "{last}");
    assert_eq!(post(app, &x.officer, &fresh, today).await.status, 409);
    let r = pay(app, &x.officer, &fresh, today).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "notice_period_running"),
        "{:?}",
        r.body
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&last),
        "{:?}",
        r.body
    );

    // Posted 20 days ago: the notice is over, work and money may start, dated after it.
    let r = post(app, &x.officer, &old, today - Duration::days(20)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let old_last: NaiveDate = r.body["last_day"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    assert!(old_last < today, "{old_last}");
    // Entered now but dated in the notice, or after today: refused under the date.
    for (r, field) in [
        (
            progress(app, &x.officer, &old, 50, old_last).await,
            "recorded_on",
        ),
        (pay(app, &x.officer, &old, old_last).await, "paid_on"),
        (
            pay(app, &x.officer, &old, today + Duration::days(1)).await,
            "paid_on",
        ),
    ] {
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
    }
    assert_eq!(progress(app, &x.officer, &old, 50, today).await.status, 200);
    let r = pay(app, &x.officer, &old, today).await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    // The project shows its posting.
    let r = app
        .get(&format!("/api/v1/projects/{fresh}"), &x.officer)
        .await;
    assert_eq!(r.body["posting_required"], true);
    assert_eq!(r.body["posting"]["last_day"], json!(last));
    let r = app
        .get(&format!("/api/v1/projects/{fresh}/posting"), &x.officer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The printed notice names the period and the manager.
    let r = app
        .get(
            &format!("/api/v1/projects/{fresh}/notice?format=pdf"),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let text = crate::printed::pdf_text(&r.raw, "project-notice");
    let zh = |s: &str| domain::calendar::date_zh(s.parse::<NaiveDate>().unwrap_or_default());
    for m in [
        format!("自{}至{}24时", zh(&first), zh(&last)),
        "项目管理人：mgr.zhang".to_string(),
        "村道硬化".to_string(),
        "扶贫开发领导小组".to_string(),
        "0537-4231234".to_string(),
    ] {
        assert!(
            text.replace(char::is_whitespace, "")
                .contains(&m.replace(' ', "")),
            "the notice lacks {m}: {text}"
        );
    }
    // In English when asked, with the same period and manager.
    let en = app
        .send(
            "GET",
            &format!("/api/v1/projects/{fresh}/notice?format=docx"),
            Some(&x.officer),
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en.status, 200);
    let text = crate::printed::docx_text(&en.raw);
    for m in [
        "Publicnoticeoftheproject".to_string(),
        format!("from{first}totheendof{last}"),
        "Projectmanager:mgr.zhang".to_string(),
        "Purpose:infrastructure".to_string(),
    ] {
        assert!(text.contains(&m), "the English notice lacks {m}: {text}");
    }
    let r = app
        .get(
            &format!("/api/v1/projects/{fresh}/notice?format=bad"),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 422);
    // Not posted yet: nothing to print.
    let r = app
        .get(&format!("/api/v1/projects/{before}/notice"), &x.officer)
        .await;
    assert_eq!(r.status, 409);

    // Another county's officer sees none of it.
    for path in [
        format!("/api/v1/projects/{fresh}/posting"),
        format!("/api/v1/projects/{fresh}/notice?format=pdf"),
    ] {
        assert_eq!(app.get(&path, &x.stranger).await.status, 404, "{path}");
    }
    assert_eq!(post(app, &x.stranger, &before, today).await.status, 404);
}

#[actix_web::test]
async fn key_villages_short_of_the_minimum_are_flagged() {
    let x = setup().await;
    let app = &x.app;
    for v in [V1, V2] {
        let r = app
            .post(
                "/api/v1/key-villages",
                &x.approver,
                json!({"village_code": v, "from_year": 2021, "to_year": 2025, "plan": "p"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(5_000_000, "infrastructure", false, true),
        )
        .await)
    .await;
    let rich = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 1_600_000, "infrastructure", true),
        )
        .await)
    .await;
    let poor = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V2, 1_000_000, "infrastructure", true),
        )
        .await)
    .await;
    // A subsidy project is not construction money.
    let subsidy = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V2, 600_000, "infrastructure", false),
        )
        .await)
    .await;
    for (p, yuan) in [(&rich, 1_600_000), (&poor, 1_000_000), (&subsidy, 600_000)] {
        assert_eq!(allocate(app, &x.officer, &f, p, yuan).await.status, 201);
    }
    let r = app
        .get("/api/v1/key-village-funding?year=2021", &x.officer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{:?}", r.body);
    let of = |v: &str| {
        items
            .iter()
            .find(|i| i["region_code"] == v)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of(V1)["construction_fen"], 160_000_000);
    assert_eq!(of(V1)["minimum_fen"], 150_000_000);
    assert_eq!(of(V1)["short"], false);
    assert_eq!(of(V1)["shortfall_fen"], 0);
    assert_eq!(of(V2)["construction_fen"], 100_000_000);
    assert_eq!(of(V2)["short"], true);
    assert_eq!(of(V2)["shortfall_fen"], 50_000_000);
    // Paged.
    let r = app
        .get("/api/v1/key-village-funding?year=2021&limit=1", &x.officer)
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let next = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .get(
            &format!("/api/v1/key-village-funding?year=2021&limit=1&cursor={next}"),
            &x.officer,
        )
        .await;
    assert_eq!(r.body["items"][0]["region_code"], V2, "{:?}", r.body);
    // Out of the designation's years: not listed.
    let r = app
        .get("/api/v1/key-village-funding?year=2030", &x.officer)
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    // Bad input is refused by name.
    let r = app
        .get("/api/v1/key-village-funding?year=1800", &x.officer)
        .await;
    assert_eq!((r.status, field(&r)), (422, "year"), "{:?}", r.body);
    // Another county: not listed, and not reachable by naming it.
    let r = app
        .get("/api/v1/key-village-funding?year=2021", &x.stranger)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app
        .get(
            "/api/v1/key-village-funding?region=370831000000",
            &x.stranger,
        )
        .await;
    assert_eq!((r.status, field(&r)), (422, "region"), "{:?}", r.body);
}
