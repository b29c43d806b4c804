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

#[actix_web::test]
async fn ranger_payouts_month_by_month() {
    let x = setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            household("R1", V1, &[id_number("370831", 990)]),
        )
        .await;
    assert_eq!(r.status, 201);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // 一卡兑付: the ranger's household is paid to its benefit card.
    let hh = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(app, &x.officer, &hh)
            .await
            .status,
        200
    );
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(20_000, "ecology", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, &x.officer, &f, &p, 10_000).await.status, 201);
    let contract = |m: &str| {
        json!({"member_id": m, "station": "泗张镇林业站", "villager_group": "三组", "area_mu": 300.5,
            "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
            "start_date": "2017-01-01", "end_date": "2017-12-31", "project_id": p})
    };
    // The ranger must be a registered person in scope.
    let r = app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract("6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "member_id");
    let c = id(app
        .post("/api/v1/ranger-contracts", &x.officer, contract(&member))
        .await)
    .await;
    let r = app.get("/api/v1/ranger-contracts", &x.officer).await;
    assert_eq!(r.body[0]["annual_subsidy_fen"], 1_000_000);
    let inspect = |on: &str, present: bool| json!({"inspected_on": on, "present": present});
    let base = format!("/api/v1/ranger-contracts/{c}");
    // Outside the contract period: refused by name.
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            inspect("2018-01-02", false),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "inspected_on");
    for (on, present) in [
        ("2017-01-10", true),
        ("2017-02-10", false),
        ("2017-02-20", true),
        ("2017-03-05", false),
        ("2017-03-25", false),
    ] {
        assert_eq!(
            app.post(
                &format!("{base}/inspections"),
                &x.officer,
                inspect(on, present)
            )
            .await
            .status,
            201
        );
    }
    let fire = |on: &str, mu: f64| json!({"occurred_on": on, "kind": "fire", "burnt_mu": mu, "through_negligence": true, "description": "山火"});
    assert_eq!(
        app.post(
            &format!("{base}/incidents"),
            &x.officer,
            fire("2017-04-20", 14.9)
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.post(
            &format!("{base}/incidents"),
            &x.officer,
            fire("2017-05-03", 15.0)
        )
        .await
        .status,
        201
    );
    // Seed 3 §六(四): pests the ranger failed to report that caused a major loss.
    let pests = json!({"occurred_on": "2017-04-12", "kind": "unreported_pests", "major_loss": true,
        "through_negligence": true, "description": "松材线虫病未及时上报"});
    assert_eq!(
        app.post(&format!("{base}/incidents"), &x.officer, pests)
            .await
            .status,
        201
    );
    // January full, February one absence (−5%), March two (−10%), April a fire of 14.9 mu (under
    // the threshold) and pests with a major loss (withheld, a compensation claim, the contract
    // goes on), May a fire of exactly 15 mu (15亩以上 includes 15: withheld, terminated).
    let expected = [
        ("2017-01", 83_333, false),
        ("2017-02", 79_167, false),
        ("2017-03", 75_000, false),
        ("2017-04", 0, false),
        ("2017-05", 0, true),
    ];
    let mut paid = 0;
    for (month, total, terminated) in expected {
        let computed = app
            .get(&format!("{base}/payouts/{month}"), &x.approver)
            .await;
        assert_eq!(computed.status, 200, "{month}: {:?}", computed.body);
        assert_eq!(
            computed.body["total_fen"], total,
            "{month}: {:?}",
            computed.body
        );
        let r = app
            .post(&format!("{base}/payouts/{month}"), &x.officer, json!({}))
            .await;
        assert_eq!(r.status, 201, "{month}: {:?}", r.body);
        assert_eq!(r.body["payout"]["total_fen"], total);
        assert_eq!(r.body["terminated"], terminated);
        assert_eq!(
            r.body["payout"]["compensation_claim"],
            month == "2017-04",
            "{month}"
        );
        assert_eq!(r.body["disbursement_id"].is_string(), total > 0);
        paid += total;
    }
    let lines = app
        .get(&format!("{base}/payouts/2017-03"), &x.approver)
        .await;
    let codes: Vec<&str> = lines.body["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["base_fee", "absence_deduction"]);
    // Paid once per month; after termination the contract covers no more months.
    let r = app
        .post(&format!("{base}/payouts/2017-01"), &x.officer, json!({}))
        .await;
    assert_eq!((r.status, code(&r)), (409, "paid"));
    let r = app
        .get(&format!("{base}/payouts/2017-06"), &x.approver)
        .await;
    assert_eq!(r.status, 422);
    // A month is paid after it ends; a paid month's record is closed.
    let r = app
        .post(&format!("{base}/payouts/2099-01"), &x.officer, json!({}))
        .await;
    assert_eq!((r.status, code(&r)), (409, "month_not_over"));
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            inspect("2017-01-20", false),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "month_paid"));
    // Reversing a payout's disbursement is refused: the payout stands with it.
    let d = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    let did = d.body["disbursements"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/disbursements/{did}/reversal"),
            &x.officer,
            json!({"note": "x"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "ranger_payout"));
    // The payouts are disbursements of the project, to the ranger's household.
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    assert_eq!(r.body["disbursed_fen"], paid);
    assert_eq!(r.body["disbursements"].as_array().map(Vec::len), Some(3));
    assert!(r.body["disbursements"][0]["household_id"].is_string());
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

/// Seed 3 §四(一)2: the ranger's daily patrols are logged (by the station), in the contract's
/// period and not after its termination; §五 and §六: every ground for withholding a month is an
/// incident kind, applied under its clause.
#[actix_web::test]
async fn ranger_patrol_log_and_every_ground_for_withholding() {
    let x = setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            household("R2", V1, &[id_number("370831", 991)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(20_000, "ecology", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, &x.officer, &f, &p, 10_000).await.status, 201);
    let c = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 120.0,
                "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
                "start_date": "2017-01-01", "end_date": "2030-12-31", "project_id": p}),
        )
        .await)
    .await;
    let base = format!("/api/v1/ranger-contracts/{c}");
    let patrol = |on: &str, area: &str| json!({"patrolled_on": on, "area": area, "findings": "发现枯枝堆积，已清理", "reported": true});
    // Bad input, refused by name: no area, a day before the contract, a day in the future.
    for (body, field, words) in [
        (patrol("2017-03-01", " "), "area", ""),
        (
            patrol("2016-12-31", "一号线"),
            "patrolled_on",
            "outside the contract",
        ),
        (
            patrol("2030-01-01", "一号线"),
            "patrolled_on",
            "in the future",
        ),
    ] {
        let r = app.post(&format!("{base}/patrols"), &x.officer, body).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{:?}",
            r.body
        );
    }
    for (on, area) in [
        ("2017-03-01", "一号巡护线：村北山林至林场"),
        ("2017-03-02", "二号巡护线"),
        ("2017-03-02", "三号巡护线"),
    ] {
        let r = app
            .post(&format!("{base}/patrols"), &x.officer, patrol(on, area))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["area"], area);
        assert_eq!(r.body["reported"], true);
    }
    // Newest first, in pages that follow on.
    let r = app
        .get(&format!("{base}/patrols?limit=2"), &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let days: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["patrolled_on"].as_str())
        .collect();
    assert_eq!(days, ["2017-03-02", "2017-03-02"]);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!cursor.is_empty());
    let r = app
        .get(
            &format!("{base}/patrols?limit=2&cursor={cursor}"),
            &x.approver,
        )
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["area"], "一号巡护线：村北山林至林场");
    assert!(r.body["next_cursor"].is_null());
    // Another county's officer finds no such contract, to read or to write.
    let r = app.get(&format!("{base}/patrols"), &x.stranger).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/patrols"),
            &x.stranger,
            patrol("2017-03-03", "x"),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Each further ground withholds the whole month under its clause.
    let incident = |on: &str, kind: &str| json!({"occurred_on": on, "kind": kind, "through_negligence": false, "description": "记录"});
    for (month, kind, clause, compensation, may_terminate) in [
        (
            "2017-04",
            "poor_patrol_loss",
            "第六条第（一）项",
            false,
            false,
        ),
        (
            "2017-05",
            "unstopped_violation",
            "第六条第（三）项",
            false,
            true,
        ),
        (
            "2017-06",
            "absence_major_loss",
            "第六条第（五）项",
            true,
            true,
        ),
        (
            "2017-07",
            "prohibited_grazing",
            "第五条第（二）项、第三条第（六）项",
            false,
            true,
        ),
        (
            "2017-08",
            "prohibited_building",
            "第五条第（四）项、第三条第（六）项",
            false,
            true,
        ),
    ] {
        let r = app
            .post(
                &format!("{base}/incidents"),
                &x.officer,
                incident(&format!("{month}-15"), kind),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}: {:?}", r.body);
        let r = app
            .get(&format!("{base}/payouts/{month}"), &x.approver)
            .await;
        assert_eq!(r.status, 200, "{kind}: {:?}", r.body);
        assert_eq!(r.body["total_fen"], 0, "{kind}: {:?}", r.body);
        assert_eq!(r.body["lines"][1]["code"], "withheld", "{kind}");
        assert_eq!(r.body["lines"][1]["clause"], clause, "{kind}");
        assert_eq!(r.body["compensation_claim"], compensation, "{kind}");
        assert_eq!(r.body["termination_allowed"], may_terminate, "{kind}");
        assert_eq!(r.body["terminate"], false, "{kind}");
    }
    let r = app
        .post(
            &format!("{base}/incidents"),
            &x.officer,
            incident("2017-09-01", "arson"),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "kind");
    // After the contract is terminated, no patrol can be logged under it.
    let r = app
        .post(
            &format!("{base}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-09-30", "reason": "擅自修建房舍，经协商解除"}),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/patrols"),
            &x.officer,
            patrol("2017-10-02", "一号巡护线"),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "patrolled_on");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("terminated on 2017-09-30")),
        "{:?}",
        r.body
    );
}

/// Seed 3 §六(六): the station pays on time. Each month is due on `ranger.payment_due_day` of
/// the following month (a county setting); months unpaid after it are listed late, a
/// terminated contract's owed months included, and nothing of another county.
#[actix_web::test]
async fn ranger_months_unpaid_after_their_due_day_are_listed_late() {
    let mut x = setup().await;
    x.app.user("admin", "370831", &["tenant_admin"]);
    let admin = x.app.token("admin").await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            household("R3", V1, &[id_number("370831", 992)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // 一卡兑付: the ranger's household is paid to its benefit card.
    let hh = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(app, &x.officer, &hh)
            .await
            .status,
        200
    );
    let f = id(app
        .post(
            "/api/v1/funds",
            &x.officer,
            fund(20_000, "ecology", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &x.officer,
            project(V1, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, &x.officer, &f, &p, 10_000).await.status, 201);
    let c = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 80.0,
                "bound_east": "东", "bound_south": "南", "bound_west": "西", "bound_north": "北",
                "start_date": "2017-01-01", "end_date": "2017-06-30", "project_id": p}),
        )
        .await)
    .await;
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/payouts/2017-01"),
            &x.officer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let late = |as_of: &'static str| {
        let t = x.approver.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/ranger-payouts/late?as_of={as_of}"), &t)
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| {
                    (
                        i["month"].as_str().unwrap_or_default().to_string(),
                        i["due_on"].as_str().unwrap_or_default().to_string(),
                        i["days_late"].as_i64().unwrap_or(-1),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    // January is paid; February is due on 10 March (the default day): late from the 11th.
    assert_eq!(late("2017-03-10").await, vec![]);
    assert_eq!(
        late("2017-03-11").await,
        vec![("2017-02".to_string(), "2017-03-10".to_string(), 1)]
    );
    // The county sets the 20th: February is not late on 11 March any more.
    let tag = app
        .get("/api/v1/settings/370831", &admin)
        .await
        .header("etag")
        .unwrap_or_default();
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"ranger": {"payment_due_day": 20}}})),
            &[("if-match", tag.as_str())],
        )
        .await;
    let tag = r.header("etag").unwrap_or_default();
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(late("2017-03-11").await, vec![]);
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"ranger": {"payment_due_day": 31}}})),
            &[("if-match", tag.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Terminated in April: February to April are owed and late; May and June are not owed.
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-04-15", "reason": "本人申请解除"}),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let months: Vec<String> = late("2017-08-01").await.into_iter().map(|m| m.0).collect();
    assert_eq!(months, ["2017-02", "2017-03", "2017-04"]);
    // April's payment day, 20 May 2017, was a Saturday: it moves to Monday the 22nd (Civil Code
    // §203), so April is not late on the 22nd and one day late on the 23rd.
    let months: Vec<String> = late("2017-05-22").await.into_iter().map(|m| m.0).collect();
    assert_eq!(months, ["2017-02", "2017-03"]);
    assert_eq!(
        late("2017-05-23").await.last().cloned(),
        Some(("2017-04".to_string(), "2017-05-22".to_string(), 1))
    );
    // Pages follow on.
    let r = app
        .get(
            "/api/v1/ranger-payouts/late?as_of=2017-08-01&limit=2",
            &x.officer,
        )
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.body["items"][0]["terminated"], true);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .get(
            &format!("/api/v1/ranger-payouts/late?as_of=2017-08-01&limit=2&cursor={cursor}"),
            &x.officer,
        )
        .await;
    assert_eq!(r.body["items"][0]["month"], "2017-04");
    assert!(r.body["next_cursor"].is_null());
    // Another county's officer sees none of it; a bad date is refused by name.
    let r = app
        .get("/api/v1/ranger-payouts/late?as_of=2017-08-01", &x.stranger)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app
        .get("/api/v1/ranger-payouts/late?as_of=2017-13-01", &x.officer)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
}

/// The demo's ranger: a year on record that the console's rangers page shows — patrols, the
/// withheld month with its clause, the months paid and the months late.
#[actix_web::test]
async fn the_demo_ranger_has_a_year_on_record() {
    use chrono::Datelike as _;
    let app = TestApp::spawn().await;
    api::demo::load(&app.state).unwrap_or_else(|e| panic!("{e:#}"));
    let t = app.login("funds.sishui", "demo-funds-2026").await.0;
    let year = chrono::Utc::now().year() - 1;
    let r = app.get("/api/v1/ranger-contracts", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{:?}", r.body);
    let c = r.body[0]["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .get(&format!("/api/v1/ranger-contracts/{c}/patrols"), &t)
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(3));
    let r = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/{year}-06"),
            &t,
        )
        .await;
    assert_eq!(r.body["total_fen"], 0, "{:?}", r.body);
    assert_eq!(r.body["lines"][1]["clause"], "第六条第（一）项");
    let r = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/{year}-03"),
            &t,
        )
        .await;
    assert_eq!(r.body["total_fen"], 83_333 - 4_166, "{:?}", r.body);
    let r = app.get("/api/v1/ranger-payouts/late", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let months: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["month"].as_str())
        .collect();
    assert!(
        months.contains(&format!("{year}-11").as_str()),
        "{months:?}"
    );
    assert!(
        !months.contains(&format!("{year}-10").as_str()),
        "{months:?}"
    );
    // Loading the demo again adds no second contract.
    api::demo::load(&app.state).unwrap_or_else(|e| panic!("{e:#}"));
    let r = app.get("/api/v1/ranger-contracts", &t).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1));
}
