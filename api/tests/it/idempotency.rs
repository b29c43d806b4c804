//! `Idempotency-Key` on the creating routes: every `POST` answering 201 documents it (but the
//! few listed below, each with why), and the money routes make one row per key: a retry with the
//! same key and body answers the first request's body with `Idempotent-Replayed: true`, the same
//! key with another body is refused, and keys are each user's own.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{Value, json};

use crate::exit::V1;
use crate::funds::{allocate, fund, id, project};
use crate::helpers::{Resp, TestApp};

/// `POST` operations that answer 201 and take no `Idempotency-Key`, each with the reason.
const WITHOUT_KEY: &[(&str, &str)] = &[
    // Answers 201 (granted) or 202 (sent for a second administrator's approval): a replay keeps
    // the body, not the status. The same grant again is refused (409 `grant_exists`), whether
    // held or waiting, so a retry cannot grant twice.
    ("/api/v1/users/{id}/roles", "grant or grant request"),
    // A raw upload (up to 20 MB) answering 201 or 200 by what it loaded; the same file again is
    // refused (409 `batch_exists`, by its SHA-256), so a retry cannot load twice.
    ("/api/v1/property-checks", "property-check batch upload"),
];

#[test]
fn every_creating_post_documents_the_idempotency_key() {
    let doc: Value = serde_json::from_str(openapi::COMMITTED).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let (mut missing, mut keyed, mut listed_but_keyed) = (Vec::new(), 0, Vec::new());
    for (path, ops) in &paths {
        let Some(op) = ops.get("post") else { continue };
        if op["responses"].get("201").is_none() {
            continue;
        }
        let documented = op["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
        });
        let excepted = WITHOUT_KEY.iter().any(|(p, _)| p == path);
        match (documented, excepted) {
            (true, false) => keyed += 1,
            (false, false) => missing.push(path.clone()),
            (true, true) => listed_but_keyed.push(path.clone()),
            (false, true) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "POST operations answering 201 without Idempotency-Key (use `Once` and \
         `params(IdempotencyKey)`, or list them here with why): {missing:?}"
    );
    assert!(
        listed_but_keyed.is_empty(),
        "listed as without a key but documenting one: {listed_but_keyed:?}"
    );
    for (path, _) in WITHOUT_KEY {
        assert!(
            paths.get(*path).is_some_and(|o| o.get("post").is_some()),
            "{path} is listed but no longer a POST operation"
        );
    }
    // Funds, households, teams, rangers, exit and intake lists, users, tenants, webhooks, …
    assert!(keyed >= 35, "only {keyed} creating operations documented");
}

/// The `.rs` files under `dir`, recursively.
fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_operation_documenting_the_key_honours_it_and_the_other_way_round() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let (mut checked, mut wrong) = (0, Vec::new());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        // Each operation: its `#[utoipa::path(…)]` up to its handler's end (the next operation).
        for op in text.split("#[utoipa::path(").skip(1) {
            let Some((attr, handler)) = op.split_once("pub async fn ") else {
                continue;
            };
            let name = handler.split('(').next().unwrap_or_default();
            let documents = attr.contains("IdempotencyKey");
            let honours = handler.contains("Once::of(");
            if documents != honours {
                wrong.push(format!("{}: {name}", f.display()));
            }
            checked += usize::from(documents);
        }
    }
    assert!(
        wrong.is_empty(),
        "handlers whose `params(IdempotencyKey)` and use of `Once` disagree: {wrong:?}"
    );
    assert!(checked >= 35, "only {checked} handlers use `Once`");
}

struct Money {
    app: TestApp,
    officer: String,
    other: String,
    clerk: String,
}

async fn setup() -> Money {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("funds.2", "370831", &["fund_officer"]);
    app.user("clerk", V1, &["village_clerk"]);
    Money {
        officer: app.token("funds").await,
        other: app.token("funds.2").await,
        clerk: app.token("clerk").await,
        app,
    }
}

fn count(app: &TestApp, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    app.db.as_owner("370831", |c| {
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<N>(c)
            .map(|r| r.n)
    })
}

async fn keyed(app: &TestApp, token: &str, path: &str, body: &Value, key: &str) -> Resp {
    app.send(
        "POST",
        path,
        Some(token),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

/// The three promises on one route: `body` twice under one key makes one row in `table`;
/// `other` under that key is refused and makes nothing; another user's same key is their own.
async fn one_row_per_key(x: &Money, path: &str, table: &str, body: Value, other: Value) {
    one_row_per_key_of(x, path, table, [body.clone(), body.clone(), body], other).await;
}

/// As [`one_row_per_key`], with the bodies of the three rows made (ours, another user's, one
/// without a key) each its own: for objects of which one person may hold one at a time.
async fn one_row_per_key_of(
    x: &Money,
    path: &str,
    table: &str,
    [body, theirs_body, plain_body]: [Value; 3],
    other: Value,
) {
    let app = &x.app;
    let before = count(app, table);
    let key = format!("k-{table}");
    let first = keyed(app, &x.officer, path, &body, &key).await;
    assert_eq!(first.status, 201, "{path}: {:?}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = keyed(app, &x.officer, path, &body, &key).await;
    assert_eq!(again.status, 201, "{path}: {:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        again.body, first.body,
        "{path}: the replay is the first answer"
    );
    assert!(first.body["id"].is_string(), "{path}: {:?}", first.body);
    assert_eq!(count(app, table), before + 1, "{path}: one row");
    // The same key with another body: refused by name, nothing made.
    let r = keyed(app, &x.officer, path, &other, &key).await;
    assert_eq!(r.status, 422, "{path}: {:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(count(app, table), before + 1, "{path}: nothing more");
    // Another user's key of the same name is theirs: a new row, not a replay of ours.
    let theirs = keyed(app, &x.other, path, &theirs_body, &key).await;
    assert_eq!(theirs.status, 201, "{path}: {:?}", theirs.body);
    assert_eq!(theirs.header("idempotent-replayed"), None);
    assert_ne!(theirs.body["id"], first.body["id"]);
    assert_eq!(count(app, table), before + 2, "{path}: theirs is made");
    // Without a key, each request makes its own.
    let plain = app.post(path, &x.officer, plain_body).await;
    assert_eq!(plain.status, 201, "{path}: {:?}", plain.body);
    assert_eq!(count(app, table), before + 3, "{path}: no key, no replay");
}

#[actix_web::test]
async fn funds_projects_and_disbursements_are_made_once_per_key() {
    let x = setup().await;
    let app = &x.app;
    one_row_per_key(
        &x,
        "/api/v1/funds",
        "funds",
        fund(100_000, "infrastructure", false, false),
        fund(100_001, "infrastructure", false, false),
    )
    .await;
    one_row_per_key(
        &x,
        "/api/v1/projects",
        "projects",
        project(V1, 50_000, "infrastructure", false),
        project(V1, 50_001, "infrastructure", false),
    )
    .await;
    // Money to pay from: a fund fully allocated to a project.
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(100_000, "infrastructure", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 50_000, "infrastructure", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, &x.officer, &f, &p, 50_000).await.status, 201);
    let pay = |fen: i64| json!({"amount_fen": fen, "payee": "施工单位", "paid_on": "2021-06-01"});
    one_row_per_key(
        &x,
        &format!("/api/v1/projects/{p}/disbursements"),
        "disbursements",
        pay(1000),
        pay(2000),
    )
    .await;
    // Paid three times (ours, theirs, and the one without a key), never four.
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    assert_eq!(r.body["disbursed_fen"], 3000);
    // A key that is not a header value of visible characters, or too long: refused by name.
    let long = "k".repeat(201);
    let r = keyed(
        app,
        &x.officer,
        "/api/v1/funds",
        &fund(1, "infrastructure", false, false),
        &long,
    )
    .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].clone()),
        (422, json!("Idempotency-Key"))
    );
    // The same key on another route is another request: refused, not replayed.
    let r = keyed(
        app,
        &x.officer,
        "/api/v1/projects",
        &project(V1, 1, "infrastructure", false),
        "k-funds",
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
}

#[actix_web::test]
async fn relocation_plans_and_ranger_contracts_are_made_once_per_key() {
    let x = setup().await;
    let app = &x.app;
    let plan = |households: i64| {
        json!({"region_code": "370831", "year": 2021, "name": "泗水县易地扶贫搬迁",
            "households": households, "people": 5})
    };
    one_row_per_key(
        &x,
        "/api/v1/relocation-plans",
        "relocation_plans",
        plan(2),
        plan(3),
    )
    .await;
    // A ranger: a registered person, paid from an ecology project.
    let (r, p) =
        crate::funds::rangers::ranger_and_project(app, &x.clerk, &x.officer, "IDEM1", 977).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // One contract per person at a time: the three rows made cover three years.
    let contract = |station: &str, year: u32| {
        json!({"member_id": member, "station": station, "villager_group": "三组", "area_mu": 300.5,
            "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
            "start_date": format!("{year}-01-01"), "end_date": format!("{year}-12-31"), "project_id": p})
    };
    one_row_per_key_of(
        &x,
        "/api/v1/ranger-contracts",
        "ranger_contracts",
        [
            contract("泗张镇林业站", 2017),
            contract("泗张镇林业站", 2018),
            contract("泗张镇林业站", 2019),
        ],
        contract("圣水峪镇林业站", 2017),
    )
    .await;
}

#[actix_web::test]
async fn an_attachment_retried_with_its_key_is_stored_once() {
    use crate::attachments::{PDF, PNG, files_in, form, nominated, rows, with_dir};
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "IK1", 31).await;
    let path = format!("/api/v1/attachments?object_type=exit_list&object_id={list}");
    let send = |bytes: &'static [u8], key: &'static str| {
        let (ct, body) = form("filename=\"签到表.pdf\"", bytes);
        let (path, clerk) = (path.clone(), x.clerk.clone());
        async move {
            app.post_raw_with(&path, Some(&clerk), &ct, body, &[("idempotency-key", key)])
                .await
        }
    };
    let first = send(PDF, "att-1").await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = send(PDF, "att-1").await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    // One row, one stored file: the retry's copy went again.
    assert_eq!((rows(app), files_in(&dir)), (1, (1, 0)));
    // Another file under the same key: refused, and its copy is gone too.
    let other = send(PNG, "att-1").await;
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.body["errors"][0]["field"], "Idempotency-Key");
    assert_eq!((rows(app), files_in(&dir)), (1, (1, 0)));
    std::fs::remove_dir_all(&dir).ok();
}

#[actix_web::test]
async fn users_replay_the_first_password_and_webhooks_their_secret() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    // An administrator who may read households too: subscribing to their events needs it.
    app.user("admin.reads", "370831", &["tenant_admin", "auditor"]);
    let t = app.token("admin.reads").await;
    let user = |display: &str, password: &str| {
        json!({"username": "clerk.idem", "display_name": display, "password": password,
            "org_unit": "370831001003"})
    };
    let first = keyed(
        &app,
        &t,
        "/api/v1/users",
        &user("张三", "a-good-password"),
        "u-1",
    )
    .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
    // The password is not part of the fingerprint (it is kept with the key): a retry that
    // differs only there is the same request, and the first password stands.
    let again = keyed(
        &app,
        &t,
        "/api/v1/users",
        &user("张三", "another-good-one"),
        "u-1",
    )
    .await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.header("etag").as_deref(), Some("\"1\""));
    app.login("clerk.idem", "a-good-password").await;
    let r = keyed(
        &app,
        &t,
        "/api/v1/users",
        &user("李四", "a-good-password"),
        "u-1",
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Without the key the repeat is what it always was: the username is taken.
    let r = app
        .post("/api/v1/users", &t, user("张三", "a-good-password"))
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);

    // A webhook: the replay answers the same endpoint, its secret and its Location.
    let hook = json!({"url": "http://127.0.0.1:9/hook", "events": ["household.created"]});
    let first = keyed(&app, &t, "/api/v1/webhooks", &hook, "w-1").await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = keyed(&app, &t, "/api/v1/webhooks", &hook, "w-1").await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert!(
        again.body["secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_"))
    );
    assert_eq!(again.header("location"), first.header("location"));
    assert!(first.header("location").is_some());
    let r = app.get("/api/v1/webhooks", &t).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{:?}", r.body);
}

/// Keys expire (`ZX_IDEMPOTENCY_KEEP_DAYS`): housekeeping deletes the ones older than the days
/// kept, in every county, and a key so freed creates anew; a younger key still guards retries.
#[actix_web::test]
async fn keys_past_their_days_are_pruned_and_free_again() {
    let x = setup().await;
    let app = &x.app;
    let body = fund(100_000, "infrastructure", false, false);
    let other = fund(100_001, "infrastructure", false, false);
    let old = keyed(app, &x.officer, "/api/v1/funds", &body, "old-key").await;
    assert_eq!(old.status, 201, "{:?}", old.body);
    let young = keyed(app, &x.officer, "/api/v1/funds", &body, "young-key").await;
    assert_eq!(young.status, 201, "{:?}", young.body);
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'old-key'",
        )
        .execute(c)
    });
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    let gone = infra::app::idempotency::prune(&app.state.db, week).unwrap_or(-1);
    assert_eq!(gone, 1);
    assert_eq!(count(app, "idempotency_keys"), 1);
    // The old key is free: another body under it creates (no 422), a new fund.
    let r = keyed(app, &x.officer, "/api/v1/funds", &other, "old-key").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.header("idempotent-replayed"), None);
    assert_ne!(r.body["id"], old.body["id"]);
    // The young one still refuses another body.
    let r = keyed(app, &x.officer, "/api/v1/funds", &other, "young-key").await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "Idempotency-Key");
}
