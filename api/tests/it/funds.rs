//! Funds through the HTTP API: the ledger rules, conservation under random and concurrent
//! entries, the key-village share, execution rates, seed 5's relocation funding, and ranger
//! payouts month by month.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{V1, V2};
use crate::helpers::{Resp, TestApp};

struct Funds {
    app: TestApp,
    officer: String,
    clerk: String,
    approver: String,
    stranger: String,
}

async fn setup() -> Funds {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("clerk", V1, &["village_clerk"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("funds.wenshang", "370830", &["fund_officer"]);
    Funds {
        officer: app.token("funds").await,
        clerk: app.token("clerk").await,
        approver: app.token("approver").await,
        stranger: app.token("funds.wenshang").await,
        app,
    }
}

pub fn fund(amount_yuan: i64, purpose: &str, bundled: bool, linking: bool) -> Value {
    json!({"county_code": "370831", "year": 2021, "level": "province", "source": "财政专项扶贫资金",
        "purpose": purpose, "bundled": bundled, "linking": linking, "amount_fen": amount_yuan * 100,
        "received_on": "2021-03-01"})
}

pub fn project(village: &str, budget_yuan: i64, purpose: &str, by_progress: bool) -> Value {
    json!({"region_code": village, "year": 2021, "name": "村道硬化", "purpose": purpose,
        "budget_fen": budget_yuan * 100, "pay_by_progress": by_progress, "account": "泗水县扶贫资金专户",
        "assets": "村道3公里", "asset_holder": "村股份经济合作社"})
}

pub async fn id(r: Resp) -> String {
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

pub async fn allocate(app: &TestApp, t: &str, fund: &str, project: &str, yuan: i64) -> Resp {
    app.post(
        "/api/v1/allocations",
        t,
        json!({"fund_id": fund, "project_id": project, "amount_fen": yuan * 100}),
    )
    .await
}

/// A fund of 100,000 yuan and a project of 50,000 yuan in `village`, fully allocated; returns
/// the project's id.
pub async fn allocated_project(app: &TestApp, officer: &str, village: &str) -> String {
    let fund = id(app
        .post(
            "/api/v1/funds",
            officer,
            fund(100_000, "infrastructure", false, false),
        )
        .await)
    .await;
    let project = id(app
        .post(
            "/api/v1/projects",
            officer,
            project(village, 50_000, "infrastructure", false),
        )
        .await)
    .await;
    assert_eq!(
        allocate(app, officer, &fund, &project, 50_000).await.status,
        201
    );
    project
}

pub async fn disburse(app: &TestApp, t: &str, project: &str, fen: i64) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/disbursements"),
        t,
        json!({"amount_fen": fen, "payee": "施工单位", "paid_on": "2021-06-01"}),
    )
    .await
}

async fn progress(app: &TestApp, t: &str, project: &str, pct: i32) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/progress"),
        t,
        json!({"progress_pct": pct, "recorded_on": "2021-06-01"}),
    )
    .await
}

#[actix_web::test]
async fn every_ledger_rule_refuses_by_name() {
    let x = setup().await;
    let app = &x.app;
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(1_000_000, "infrastructure", false, true),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 600_000, "infrastructure", true),
        )
        .await)
    .await;
    // Only fund officers record money.
    assert_eq!(
        app.post("/api/v1/funds", &x.approver, fund(1, "other", false, false))
            .await
            .status,
        403
    );
    assert_eq!(allocate(app, &x.clerk, &f, &p, 1).await.status, 403);
    assert_eq!(allocate(app, &x.officer, &f, &p, 500_000).await.status, 201);
    // Beyond the recorded progress (0%), then within it.
    let r = disburse(app, &x.officer, &p, 100).await;
    assert_eq!((r.status, code(&r)), (409, "beyond_progress"));
    // Calling it a subsidy does not lift the cap.
    let r = app
        .post(
            &format!("/api/v1/projects/{p}/disbursements"),
            &x.officer,
            json!({"amount_fen": 100, "kind": "subsidy", "payee": "x", "paid_on": "2021-06-01"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "beyond_progress"));
    assert_eq!(progress(app, &x.officer, &p, 50).await.status, 200);
    // A payment is recorded once made: not dated after today.
    let ahead = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/projects/{p}/disbursements"),
            &x.officer,
            json!({"amount_fen": 100, "payee": "施工单位", "paid_on": ahead}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "paid_on", "{:?}", r.body);
    assert_eq!(disburse(app, &x.officer, &p, 30_000_000).await.status, 201);
    let r = disburse(app, &x.officer, &p, 1).await;
    assert_eq!((r.status, code(&r)), (409, "beyond_progress"));
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("300000.00 yuan"),
        "{:?}",
        r.body
    );
    // Progress does not go back.
    let r = progress(app, &x.officer, &p, 40).await;
    assert_eq!(r.status, 422);
    // Beyond what was allocated; beyond the budget.
    assert_eq!(progress(app, &x.officer, &p, 100).await.status, 200);
    let r = disburse(app, &x.officer, &p, 20_000_001).await;
    assert_eq!((r.status, code(&r)), (409, "over_allocation"));
    // Allocations stop at the budget (600,000 yuan).
    let r = allocate(app, &x.officer, &f, &p, 200_000).await;
    assert_eq!((r.status, code(&r)), (409, "over_budget"));
    assert_eq!(allocate(app, &x.officer, &f, &p, 100_000).await.status, 201);
    let r = disburse(app, &x.officer, &p, 30_000_001).await;
    assert_eq!((r.status, code(&r)), (409, "over_budget"));
    // A fund allocates no more than it received.
    let r = allocate(app, &x.officer, &f, &p, 400_001).await;
    assert_eq!((r.status, code(&r)), (409, "fund_exhausted"));
    // Bundled money keeps its purpose.
    let bundled = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(50_000, "infrastructure", true, false),
        )
        .await)
    .await;
    let industry = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 50_000, "industry", true),
        )
        .await)
    .await;
    let r = allocate(app, &x.officer, &bundled, &industry, 1).await;
    assert_eq!((r.status, code(&r)), (409, "purpose_changed"));
    // A correction is a reversing entry, once; a reversal cannot unfund money paid out.
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    let first_disb = r.body["disbursements"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let first_alloc = r.body["allocations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/allocations/{first_alloc}/reversal"),
            &x.officer,
            json!({"note": "错账"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "over_allocation"));
    let rev = json!({"note": "重复拨付,冲销"});
    let r = app
        .post(
            &format!("/api/v1/disbursements/{first_disb}/reversal"),
            &x.officer,
            rev.clone(),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["amount_fen"], -30_000_000);
    let r = app
        .post(
            &format!("/api/v1/disbursements/{first_disb}/reversal"),
            &x.officer,
            rev,
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "reversed"));
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    assert_eq!(r.body["disbursed_fen"], 0);
    assert_eq!(r.body["allocated_fen"], 60_000_000);
    assert_eq!(r.body["disbursements"].as_array().map(Vec::len), Some(2));
    // A retried disbursement with the same key pays once.
    let body = json!({"amount_fen": 1000, "payee": "施工单位", "paid_on": "2021-06-02"});
    let path = format!("/api/v1/projects/{p}/disbursements");
    let a = app
        .send(
            "POST",
            &path,
            Some(&x.officer),
            Some(&body),
            &[("idempotency-key", "pay-1")],
        )
        .await;
    let b = app
        .send(
            "POST",
            &path,
            Some(&x.officer),
            Some(&body),
            &[("idempotency-key", "pay-1")],
        )
        .await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(b.header("idempotent-replayed").as_deref(), Some("true"));
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    assert_eq!(r.body["disbursed_fen"], 1000);
    // A retried progress record with the same key records once (it recorded a second row).
    let body = json!({"progress_pct": 100, "recorded_on": "2021-06-02", "note": "复核"});
    let path = format!("/api/v1/projects/{p}/progress");
    let mut answers = Vec::new();
    for _ in 0..2 {
        answers.push(
            app.send(
                "POST",
                &path,
                Some(&x.officer),
                Some(&body),
                &[("idempotency-key", "progress-1")],
            )
            .await,
        );
    }
    assert_eq!(
        (answers[0].status, answers[1].status),
        (200, 200),
        "{:?}",
        answers[0].body
    );
    assert_eq!(
        answers[1].header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        answers[1].body["progress_pct"], 100,
        "{:?}",
        answers[1].body
    );
    let recorded: Check = app.db.as_owner(V1, |c| {
        diesel::sql_query(
            "SELECT true AS ok, count(*) AS entries FROM project_progress \
             WHERE project_id = $1::uuid AND note = '复核'",
        )
        .bind::<diesel::sql_types::Text, _>(&p)
        .get_result(c)
    });
    assert_eq!(recorded.entries, 1);
    // The ledger is append-only for the app role itself.
    let mut c = app.db.app_conn();
    let e = diesel::sql_query("UPDATE disbursements SET amount_fen = 1").execute(&mut c);
    assert!(e.is_err_and(|e| e.to_string().contains("permission denied")));
    // Another county sees none of it.
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.stranger).await;
    assert_eq!(r.status, 404);
    assert_eq!(allocate(app, &x.stranger, &f, &p, 1).await.status, 422);
}

/// A small deterministic generator (xorshift) for reproducible random sequences.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Bool)]
    ok: bool,
    #[diesel(sql_type = BigInt)]
    entries: i64,
}

#[actix_web::test]
async fn money_is_conserved_under_random_concurrent_entries() {
    let x = setup().await;
    let app = &x.app;
    let mut funds = Vec::new();
    for amount in [300_000, 200_000] {
        funds.push(
            id(app
                .post(
                    "/api/v1/funds",
                    &x.officer,
                    fund(amount, "infrastructure", false, false),
                )
                .await)
            .await,
        );
    }
    let mut projects = Vec::new();
    for (v, budget, by_progress) in [
        (V1, 150_000, true),
        (V1, 120_000, false),
        (V2, 200_000, true),
    ] {
        let p = id(app
            .post(
                "/api/v1/projects",
                &x.officer,
                project(v, budget, "infrastructure", by_progress),
            )
            .await)
        .await;
        projects.push(p);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..6 {
        // A burst of concurrent entries of every kind, many of which must be refused.
        let mut ops = Vec::new();
        let snapshot: Vec<Value> = join_all(
            projects
                .iter()
                .map(|p| app.get_owned(format!("/api/v1/projects/{p}"), x.officer.clone())),
        )
        .await
        .into_iter()
        .map(|r| r.body)
        .collect();
        for _ in 0..24 {
            let p = &projects[usize::try_from(rng.below(3)).unwrap_or(0)];
            let f = &funds[usize::try_from(rng.below(2)).unwrap_or(0)];
            let amount = i64::try_from(1 + rng.below(6_000_000)).unwrap_or(1);
            let op = match rng.below(6) {
                0 | 1 => (
                    "/api/v1/allocations".to_string(),
                    json!({"fund_id": f, "project_id": p, "amount_fen": amount * 2}),
                ),
                2 | 3 => (
                    format!("/api/v1/projects/{p}/disbursements"),
                    json!({"amount_fen": amount, "payee": "x", "paid_on": "2021-06-01",
                        "kind": if rng.below(2) == 0 { "progress" } else { "subsidy" }}),
                ),
                4 => (
                    format!("/api/v1/projects/{p}/progress"),
                    json!({"progress_pct": 20 * (round + 1) - i32::try_from(rng.below(10)).unwrap_or(0), "recorded_on": "2021-06-01"}),
                ),
                _ => {
                    // Reverse an entry seen in the snapshot (possibly reversed already).
                    let s = &snapshot[usize::try_from(rng.below(3)).unwrap_or(0)];
                    let (list, kind) = if rng.below(2) == 0 {
                        (&s["allocations"], "allocations")
                    } else {
                        (&s["disbursements"], "disbursements")
                    };
                    let n = list.as_array().map_or(0, Vec::len) as u64;
                    match (n > 0).then(|| &list[usize::try_from(rng.below(n)).unwrap_or(0)]) {
                        Some(e) => (
                            format!(
                                "/api/v1/{kind}/{}/reversal",
                                e["id"].as_str().unwrap_or_default()
                            ),
                            json!({"note": "冲销"}),
                        ),
                        None => (
                            "/api/v1/allocations".to_string(),
                            json!({"fund_id": f, "project_id": p, "amount_fen": 100}),
                        ),
                    }
                }
            };
            ops.push(op);
        }
        let answers = join_all(
            ops.into_iter()
                .map(|(path, body)| app.post_owned(path, x.officer.clone(), body)),
        )
        .await;
        for r in &answers {
            assert!(
                [200, 201, 409, 422].contains(&r.status),
                "round {round}: unexpected {} {:?}",
                r.status,
                r.body
            );
        }
    }
    // Conservation, from the base tables: no fund allocates more than it received, no project
    // is allocated more than its budget, no project disburses more than allocated or budgeted or (paid by progress) more than its progress
    // allows, every reversal negates its original once; and the API's totals equal the sums.
    let checks: Vec<Check> = app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "SELECT bool_and(ok) AS ok, count(*) AS entries FROM (
               SELECT coalesce(sum(a.amount_fen), 0) <= f.amount_fen AS ok FROM funds f
                 LEFT JOIN allocations a ON a.county_code = f.county_code AND a.fund_id = f.id GROUP BY f.county_code, f.id, f.amount_fen
               UNION ALL
               SELECT d.total <= a.total AND d.total <= p.budget_fen AND a.total <= p.budget_fen
                      AND (NOT p.pay_by_progress OR d.total <= p.budget_fen * p.progress_pct / 100)
                      AND d.total >= 0
                 FROM projects p
                 CROSS JOIN LATERAL (SELECT coalesce(sum(amount_fen), 0) AS total FROM allocations x
                                      WHERE x.county_code = p.county_code AND x.project_id = p.id) a
                 CROSS JOIN LATERAL (SELECT coalesce(sum(amount_fen), 0) AS total,
                                            coalesce(sum(amount_fen) FILTER (WHERE kind = 'progress'), 0) AS progress_total
                                       FROM disbursements x WHERE x.county_code = p.county_code AND x.project_id = p.id) d
               UNION ALL
               SELECT r.amount_fen = -o.amount_fen FROM allocations r JOIN allocations o ON o.county_code = r.county_code AND o.id = r.reverses
               UNION ALL
               SELECT r.amount_fen = -o.amount_fen FROM disbursements r JOIN disbursements o ON o.county_code = r.county_code AND o.id = r.reverses
             ) AS checks",
        )
        .load(c)
    });
    assert!(checks[0].ok, "an invariant is broken");
    assert!(checks[0].entries > 5);
    let (alloc_total, disb_total): (i64, i64) = app.db.as_owner("370831", |c| {
        diesel::select((
            diesel::dsl::sql::<BigInt>(
                "(SELECT coalesce(sum(amount_fen), 0)::bigint FROM allocations)",
            ),
            diesel::dsl::sql::<BigInt>(
                "(SELECT coalesce(sum(amount_fen), 0)::bigint FROM disbursements)",
            ),
        ))
        .get_result(c)
    });
    let listed = app.get("/api/v1/projects", &x.officer).await;
    let sum = |k: &str| -> i64 {
        listed.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p[k].as_i64().unwrap_or(0))
            .sum()
    };
    assert_eq!(sum("allocated_fen"), alloc_total);
    assert_eq!(sum("disbursed_fen"), disb_total);
    let f = app.get("/api/v1/funds", &x.officer).await;
    let allocated: i64 = f
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["allocated_fen"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(allocated, alloc_total);
    assert!(disb_total > 0, "the sequence paid something");
}

#[actix_web::test]
async fn key_villages_get_their_share_and_execution_rolls_up() {
    let x = setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/key-villages",
            &x.approver,
            json!({"village_code": V1, "from_year": 2021, "to_year": 2025, "plan": "p"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let key_village = r.body["id"].as_str().unwrap_or_default().to_string();
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(1_000_000, "infrastructure", false, true),
        )
        .await)
    .await;
    let key = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 200_000, "infrastructure", true),
        )
        .await)
    .await;
    let other = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V2, 800_000, "infrastructure", true),
        )
        .await)
    .await;
    assert_eq!(
        allocate(app, &x.officer, &f, &key, 100_000).await.status,
        201
    );
    assert_eq!(
        allocate(app, &x.officer, &f, &other, 500_000).await.status,
        201
    );
    let share = app
        .get("/api/v1/linking-share/370831/2021", &x.approver)
        .await;
    assert_eq!(share.status, 200, "{:?}", share.body);
    assert_eq!(share.body["share_bp"], 1000);
    assert_eq!(share.body["minimum_bp"], 1200);
    assert!(
        share.body["warning"]
            .as_str()
            .unwrap_or_default()
            .contains("10.00%")
    );
    assert_eq!(
        allocate(app, &x.officer, &f, &key, 20_000).await.status,
        201
    );
    let share = app
        .get("/api/v1/linking-share/370831/2021", &x.approver)
        .await;
    assert_eq!(share.body["share_bp"], 1200);
    assert!(share.body["warning"].is_null());
    // Execution: disbursed over allocated, per project, village, county and up.
    assert_eq!(progress(app, &x.officer, &key, 100).await.status, 200);
    assert_eq!(disburse(app, &x.officer, &key, 6_000_000).await.status, 201);
    let r = app.get("/api/v1/projects", &x.officer).await;
    let k = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == key.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(k["execution_bp"], 5000);
    assert_eq!(k["key_village"], true);
    // Per fund: the fund paid for both projects, so all 60,000 yuan disbursed are its own.
    let f_list = app.get("/api/v1/funds?year=2021", &x.officer).await;
    assert_eq!(f_list.body[0]["disbursed_fen"], 6_000_000);
    assert_eq!(f_list.body[0]["execution_bp"], 600);
    let e = app
        .get(
            "/api/v1/fund-execution?region=370831&year=2021",
            &x.approver,
        )
        .await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    assert_eq!(e.body["total"]["received_fen"], 100_000_000);
    assert_eq!(e.body["total"]["allocated_fen"], 62_000_000);
    assert_eq!(e.body["total"]["disbursed_fen"], 6_000_000);
    assert_eq!(e.body["total"]["execution_bp"], 967);
    let township = e.body["children"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["region_code"] == "370831101000")
        .cloned()
        .unwrap_or_default();
    assert_eq!(township["allocated_fen"], 62_000_000);
    let mut app2 = x.app;
    app2.user("observer.city", "3708", &["observer"]);
    let city = app2.token("observer.city").await;
    let e = app2
        .get("/api/v1/fund-execution?region=3708&year=2021", &city)
        .await;
    let sishui = e.body["children"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["region_code"] == "370831000000")
        .cloned()
        .unwrap_or_default();
    assert_eq!(sishui["disbursed_fen"], 6_000_000);
    // The village leaves key status in 2024: 2021's share and key-village report still count
    // it, as it was key that year (the share fell to 0% and warned, the report left it out).
    let report = "/api/v1/reports/key_villages?region=370831&year=2021";
    let before = app2.get(report, &x.approver).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    let r = app2
        .post(
            &format!("/api/v1/key-villages/{key_village}/exit"),
            &x.approver,
            json!({"decided_on": "2024-06-30", "decision_no": "泗振发〔2024〕3号", "reason": "目标达成"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let share = app2
        .get("/api/v1/linking-share/370831/2021", &x.approver)
        .await;
    assert_eq!(share.body["share_bp"], 1200, "{:?}", share.body);
    let after = app2.get(report, &x.approver).await;
    assert_eq!(after.body, before.body);
}

#[actix_web::test]
async fn seed_five_relocation_funding_is_reproduced() {
    let mut app = TestApp::spawn().await;
    // Xi'an's five relocation districts and counties; the city's subsidy per person is the
    // city's rule, set county by county: 1,000 yuan in Lantian and Zhouzhi, 500 in Huyi (Hu
    // county), Chang'an and Lintong. Province money per county as each received it.
    let counties = [
        ("610122", "蓝田", 100_000, 150, 700, 2_950_000),
        ("610124", "周至", 100_000, 140, 637, 2_700_000),
        ("610118", "鄠邑", 50_000, 110, 500, 2_100_000),
        ("610116", "长安", 50_000, 105, 480, 2_000_000),
        ("610115", "临潼", 50_000, 116, 487, 2_056_200),
    ];
    for (county, ..) in counties {
        app.onboard(county);
        app.user(&format!("funds.{county}"), county, &["fund_officer"]);
    }
    app.user("observer.xian", "6101", &["observer"]);
    app.user("admin.xian", "6101", &["city_admin"]);
    let by_county: serde_json::Map<String, Value> = counties
        .iter()
        .map(|(county, _, subsidy, ..)| {
            (
                (*county).to_string(),
                json!({"funds": {"relocation_subsidy_per_person_fen": subsidy}}),
            )
        })
        .collect();
    let city_admin = app.token("admin.xian").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/6101",
            Some(&city_admin),
            Some(&json!({"overrides": {"counties": by_county}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for (county, name, subsidy, households, people, province_yuan) in counties {
        let t = app.token(&format!("funds.{county}")).await;
        let r = app
            .post(
                "/api/v1/relocation-plans",
                &t,
                json!({"region_code": county, "year": 2010, "name": format!("{name}千村移民搬迁"),
                    "households": households, "people": people}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let entitlement = r.body["entitlement_fen"].as_i64().unwrap_or(0);
        assert_eq!(entitlement, subsidy * people);
        let project = r.body["project_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let fund_of = |level: &str, fen: i64| {
            json!({"county_code": county, "year": 2010, "level": level, "source": "财政扶贫资金",
                "purpose": "relocation", "amount_fen": fen, "received_on": "2010-05-01"})
        };
        let province = fund_of("province", province_yuan * 100);
        let city = fund_of("city", entitlement);
        assert_eq!(app.post("/api/v1/funds", &t, province).await.status, 201);
        let city_fund = id(app.post("/api/v1/funds", &t, city).await).await;
        let r = app
            .post(
                "/api/v1/allocations",
                &t,
                json!({"fund_id": city_fund, "project_id": project, "amount_fen": entitlement}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        // The subsidy is paid (to the plan's payee) and cannot be paid twice.
        let pay = json!({"amount_fen": entitlement, "kind": "subsidy", "payee": format!("{name}搬迁户"), "paid_on": "2010-12-01"});
        assert_eq!(
            app.post(
                &format!("/api/v1/projects/{project}/disbursements"),
                &t,
                pay.clone()
            )
            .await
            .status,
            201
        );
        let r = app
            .post(
                &format!("/api/v1/projects/{project}/disbursements"),
                &t,
                pay,
            )
            .await;
        assert_eq!((r.status, code(&r)), (409, "over_budget"));
    }
    let city = app.token("observer.xian").await;
    let r = app.get("/api/v1/relocation-plans?region=6101", &city).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let s = &r.body;
    assert_eq!(s["households"], 621);
    assert_eq!(s["people"], 2804);
    assert_eq!(s["entitlement_fen"], 2_070_500 * 100);
    assert_eq!(s["paid_fen"], 2_070_500 * 100);
    assert_eq!(s["funds_by_level"]["province"], 11_806_200 * 100);
    assert_eq!(s["funds_by_level"]["city"], 2_070_500 * 100);
    assert_eq!(s["funds_total_fen"], 13_876_700 * 100);
}

/// Issue 23 item 9: 9,000 yuan were allocated to an 8,000-yuan project. Allocations stop at the
/// budget with 409 `over_budget`, also when two arrive at once (the project's row lock).
#[actix_web::test]
async fn allocations_never_exceed_the_projects_budget_even_at_once() {
    let x = setup().await;
    let app = &x.app;
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
            project(V1, 8_000, "infrastructure", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, &x.officer, &f, &p, 5_000).await.status, 201);
    let r = allocate(app, &x.officer, &f, &p, 4_000).await;
    assert_eq!((r.status, code(&r)), (409, "over_budget"), "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("8000")),
        "{:?}",
        r.body
    );
    // Two at once, each fitting alone, together over: exactly one is taken.
    let p2 = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 8_000, "infrastructure", false),
        )
        .await)
    .await;
    let both = join_all([
        allocate(app, &x.officer, &f, &p2, 5_000),
        allocate(app, &x.officer, &f, &p2, 5_000),
    ])
    .await;
    let (a, b) = (&both[0], &both[1]);
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{:?} {:?}", a.body, b.body);
    for (project, allocated) in [(&p, 500_000), (&p2, 500_000)] {
        let r = app
            .get(&format!("/api/v1/projects/{project}"), &x.officer)
            .await;
        assert_eq!(r.body["allocated_fen"], allocated, "{:?}", r.body);
    }
    assert_eq!(allocate(app, &x.officer, &f, &p, 3_000).await.status, 201);
}

mod ranger_integrity;
pub(crate) mod rangers;
