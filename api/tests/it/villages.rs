//! Villages and teams through the HTTP API: profiles, key-village targets from seed 4's
//! figures, assessments and exit; teams and terms, pairings, visit logs, coverage.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{Exit, V1, V2, setup};
use crate::helpers::TestApp;

fn today(app: &TestApp) -> NaiveDate {
    infra::clock::china_date(app.state.clock.now())
}

/// Seed 4's first village (2020): 1,199 households, 3,594 people, 18,260 yuan, collective
/// income 200,000 yuan, 3,335 mu cultivated, 449.4 mu forest, merged, former poor village.
fn seed_village_one() -> Value {
    json!({"households": 1199, "population": 3594, "per_capita_income_fen": 1_826_000,
        "collective_income_fen": 20_000_000, "cultivated_mu": 3335.0, "forest_mu": 449.4,
        "main_industries": ["种养殖"], "featured_industries": ["鱼养殖"],
        "merged_village": true, "former_poor_village": true,
        "tap_water_pct": 95.0, "sanitary_toilet_pct": 92.5})
}

/// Seed 4's second (2020): 677 households, 1,912 people, 18,749 yuan, collective income
/// 5,800 yuan, 4,338 mu cultivated, 1,280 mu forest, featured industry green Sichuan pepper.
fn seed_village_two(collective_fen: i64) -> Value {
    json!({"households": 677, "population": 1912, "per_capita_income_fen": 1_874_900,
        "collective_income_fen": collective_fen, "cultivated_mu": 4338.0, "forest_mu": 1280.0,
        "main_industries": ["水稻", "油菜", "青花椒"], "featured_industries": ["青花椒"],
        "merged_village": true, "former_poor_village": true,
        "tap_water_pct": 80.0, "sanitary_toilet_pct": 60.0})
}

async fn put(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &Value,
    etag: Option<&str>,
) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = etag.map(|e| vec![("if-match", e)]).unwrap_or_default();
    let r = app
        .send("PUT", path, Some(token), Some(body), &headers)
        .await;
    (r.status, r.body)
}

fn target<'a>(kv: &'a Value, code: &str) -> &'a str {
    kv["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["code"] == code)
        .and_then(|t| t["status"].as_str())
        .unwrap_or("absent")
}

#[actix_web::test]
async fn key_village_targets_follow_the_measurements() {
    let x = setup().await;
    let app = &x.app;
    // Profiles: the village enters its own; another village's is out of reach.
    let p1 = format!("/api/v1/villages/{V1}/profiles/2020");
    let (status, body) = put(app, &x.clerk, &p1, &seed_village_one(), None).await;
    assert_eq!(status, 201, "{body:?}");
    assert_eq!(body["forest_mu"], 449.4);
    assert_eq!(body["collective_income_fen"], 20_000_000);
    assert_eq!(body["registry"]["households"], 0);
    let (status, _) = put(app, &x.clerk2, &p1, &seed_village_one(), None).await;
    assert_eq!(status, 404);
    // Replacing needs the version read.
    let (status, _) = put(app, &x.clerk, &p1, &seed_village_one(), None).await;
    assert_eq!(status, 428);
    let (status, body) = put(app, &x.clerk, &p1, &seed_village_one(), Some("\"1\"")).await;
    assert_eq!((status, body["version"].clone()), (200, json!(2)));
    // Bad input names the field.
    let mut bad = seed_village_one();
    bad["tap_water_pct"] = json!(95.55);
    bad["forest_mu"] = json!(-1);
    bad["households"] = json!(-5);
    let (status, body) = put(
        app,
        &x.clerk,
        &format!("/api/v1/villages/{V1}/profiles/2021"),
        &bad,
        None,
    )
    .await;
    assert_eq!(status, 422);
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["forest_mu", "households", "tap_water_pct"]);
    // Seed 4's second village, 2020 and 2021 (5,800 then 6,000 yuan collective income).
    for (year, collective) in [(2020, 580_000), (2021, 600_000)] {
        let (status, body) = put(
            app,
            &x.clerk2,
            &format!("/api/v1/villages/{V2}/profiles/{year}"),
            &seed_village_two(collective),
            None,
        )
        .await;
        assert_eq!(status, 201, "{body:?}");
    }
    // The county's per-capita income (19,000 yuan in 2020, 20,000 in 2021).
    for (year, fen) in [(2020, 1_900_000), (2021, 2_000_000)] {
        let (status, _) = put(
            app,
            &x.approver,
            &format!("/api/v1/county-figures/370831/{year}"),
            &json!({"per_capita_income_fen": fen}),
            None,
        )
        .await;
        assert_eq!(status, 204);
    }
    // Designation is the county's.
    let designation = |v: &str| {
        json!({"village_code": v, "from_year": 2021, "to_year": 2025,
            "plan": "一队一策一批项目", "projects": ["集体经济合作社", "改厕"]})
    };
    assert_eq!(
        app.post("/api/v1/key-villages", &x.clerk, designation(V1))
            .await
            .status,
        403
    );
    for v in [V1, V2] {
        let r = app
            .post("/api/v1/key-villages", &x.approver, designation(v))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let r = app
        .post("/api/v1/key-villages", &x.approver, designation(V1))
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("already_key"))
    );
    // Evaluated for 2021: the first village has met the collective-income target of 2023; the
    // second is at risk; it ranks first by gap.
    let list = app.get("/api/v1/key-villages?year=2021", &x.approver).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let items = list.body.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["village_code"], V2);
    assert_eq!(target(&items[0], "collective_income_2023"), "at_risk");
    assert_eq!(target(&items[0], "tap_water"), "at_risk");
    assert_eq!(target(&items[0], "income_parity"), "at_risk");
    assert_eq!(target(&items[0], "featured_industry"), "met");
    // The village's clerk sees the same target against the county's figure (a row of the
    // county, readable inside it).
    let mine = app.get("/api/v1/key-villages?year=2021", &x.clerk2).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let own = mine.body.as_array().cloned().unwrap_or_default();
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(target(&own[0], "income_parity"), "at_risk", "{own:?}");
    // Seed 4 §一(二)2: a leading and at least one featured industry by 2023.
    for t in items[0]["targets"].as_array().into_iter().flatten() {
        if t["code"] == "leading_industry" || t["code"] == "featured_industry" {
            assert_eq!(t["deadline"], 2023, "{t}");
        }
    }
    assert_eq!(target(&items[1], "collective_income_2023"), "met");
    assert_eq!(target(&items[1], "collective_income_2025"), "met");
    assert_eq!(target(&items[1], "tap_water"), "met");
    assert_eq!(target(&items[1], "sanitary_toilet"), "met");
    assert!(items[0]["gap"].as_f64() > items[1]["gap"].as_f64());
    // 2023 passes with the second village at 40,000 yuan: missed.
    let (status, _) = put(
        app,
        &x.clerk2,
        &format!("/api/v1/villages/{V2}/profiles/2023"),
        &seed_village_two(4_000_000),
        None,
    )
    .await;
    assert_eq!(status, 201);
    let id = items[0]["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .get(&format!("/api/v1/key-villages/{id}?year=2024"), &x.clerk2)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(target(&r.body, "collective_income_2023"), "missed");
    // Targets are settings the county can change: lower the 2023 target to 40,000 yuan.
    let county = app.get("/api/v1/settings/370831", &x.approver).await;
    let _ = county;
    let admin = app.token("admin.370831").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(
                &json!({"overrides": {"key_village": {"collective_income_targets": [
                {"year": 2023, "value": 4_000_000}, {"year": 2025, "value": 10_000_000}]}}}),
            ),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .get(&format!("/api/v1/key-villages/{id}?year=2024"), &x.clerk2)
        .await;
    assert_eq!(target(&r.body, "collective_income_2023"), "met");
    // A yearly assessment (once a year) and the exit decision, both the county's.
    let a = json!({"year": 2024, "grade": "fair", "notes": "集体经济仍需加强"});
    let path = format!("/api/v1/key-villages/{id}/assessments");
    assert_eq!(app.post(&path, &x.clerk2, a.clone()).await.status, 403);
    let r = app.post(&path, &x.approver, a.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["assessments"][0]["grade"], "fair");
    assert_eq!(app.post(&path, &x.approver, a).await.status, 409);
    // Not a year before or after the designation (2021–2025), nor one that has not begun.
    for year in [2020, 2030, 2999] {
        let r = app
            .post(&path, &x.approver, json!({"year": year, "grade": "good"}))
            .await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (422, Some("year")),
            "{year}: {:?}",
            r.body
        );
    }
    let exit = json!({"decided_on": "2025-12-20", "decision_no": "泗振发〔2025〕8号", "reason": "目标全部达成"});
    let r = app
        .post(
            &format!("/api/v1/key-villages/{id}/exit"),
            &x.approver,
            exit.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "exited");
    let r = app
        .post(
            &format!("/api/v1/key-villages/{id}/exit"),
            &x.approver,
            exit,
        )
        .await;
    assert_eq!(r.status, 409);
    // Another county sees none of it.
    let r = app.get("/api/v1/key-villages", &x.stranger).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0));
    let r = app
        .get(&format!("/api/v1/key-villages/{id}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);
}

async fn team(app: &TestApp, token: &str, village: &str) -> String {
    let r = app
        .post(
            "/api/v1/teams",
            token,
            json!({"village_code": village, "name": "驻村工作队"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

fn member(id_number: &str, position: &str, from: &str, to: &str, user: Option<&str>) -> Value {
    json!({"name": "张某", "id_number": id_number, "dispatching_unit": "县农业农村局",
        "position": position, "term_start": from, "term_end": to, "user_id": user})
}

async fn registered(app: &TestApp, token: &str, number: &str, village: &str, seq: u32) -> String {
    let r = app
        .post(
            "/api/v1/households",
            token,
            household(number, village, &[id_number("370831", seq)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

#[actix_web::test]
async fn a_person_serves_on_one_team_at_a_time_and_visits_need_a_pairing() {
    let mut x: Exit = setup().await;
    let zhang = x.app.user("team.zhang", V1, &["team_member"]);
    x.app.user("team.li", V1, &["team_member"]);
    let app = &x.app;
    let t1 = team(app, &x.approver, V1).await;
    let t2 = team(app, &x.approver, V2).await;
    let person = id_number("370831", 900);
    let zhang_s = zhang.to_string();
    let r = app
        .post(
            &format!("/api/v1/teams/{t1}/members"),
            &x.approver,
            member(
                &person,
                "first_secretary",
                "2021-01-01",
                "2023-12-31",
                Some(&zhang_s),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let m1 = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !r.body.to_string().contains(&person),
        "ID numbers are masked"
    );
    // The same person on another team during the term: refused; after it: accepted.
    let r = app
        .post(
            &format!("/api/v1/teams/{t2}/members"),
            &x.approver,
            member(&person, "member", "2023-12-31", "2025-12-31", None),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("term_overlaps"))
    );
    let r = app
        .post(
            &format!("/api/v1/teams/{t2}/members"),
            &x.approver,
            member(&person, "member", "2024-01-01", "2025-12-31", None),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // Another county cannot take the same person during the term either, and learns nothing
    // about where they serve.
    let wt = team(app, &x.stranger, "370830001001").await;
    let r = app
        .post(
            &format!("/api/v1/teams/{wt}/members"),
            &x.stranger,
            member(&person, "member", "2022-01-01", "2022-06-30", None),
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(!r.body.to_string().contains("370831"), "{:?}", r.body);
    // Pairing and visits.
    let h1 = registered(app, &x.clerk, "T1", V1, 901).await;
    let h2 = registered(app, &x.clerk, "T2", V1, 902).await;
    let r = app
        .post(
            "/api/v1/pairings",
            &x.approver,
            json!({"household_id": h1, "member_id": m1, "start_date": "2021-03-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let zt = app.token("team.zhang").await;
    let lt = app.token("team.li").await;
    let visit = |h: &str, on: &str| json!({"household_id": h, "visited_on": on, "found": "户主病情稳定", "done": "送医送药"});
    let r = app
        .post("/api/v1/visits", &zt, visit(&h1, "2021-04-02"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // An unpaired household, a day before the pairing, another member, a clerk: refused.
    assert_eq!(
        app.post("/api/v1/visits", &zt, visit(&h2, "2021-04-02"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post("/api/v1/visits", &zt, visit(&h1, "2021-02-28"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post("/api/v1/visits", &lt, visit(&h1, "2021-04-02"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post("/api/v1/visits", &x.clerk, visit(&h1, "2021-04-02"))
            .await
            .status,
        403
    );
    let r = app
        .get(&format!("/api/v1/visits?household={h1}"), &x.clerk)
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    // Ending the pairing ends the right to log visits after it.
    let pairing = app
        .get(&format!("/api/v1/pairings?household={h1}"), &x.clerk)
        .await;
    let pid = pairing.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/pairings/{pid}/end"),
            &x.approver,
            json!({"end_date": "2021-06-30"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        app.post("/api/v1/visits", &zt, visit(&h1, "2021-07-01"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post("/api/v1/visits", &zt, visit(&h1, "2021-06-30"))
            .await
            .status,
        201
    );
    // Advisers and strong-weak pairings.
    let r = app
        .post(
            "/api/v1/advisers",
            &x.approver,
            json!({"village_code": V2, "name": "王教授", "specialty": "花椒种植", "unit": "省农科院", "from_date": "2021-01-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/village-pairings",
            &x.approver,
            json!({"strong_village_code": V1, "weak_village_code": V2, "from_year": 2021, "to_year": 2023, "content": "合作社带动"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/village-pairings",
            &x.approver,
            json!({"strong_village_code": V2, "weak_village_code": V2, "from_year": 2021, "to_year": 2023}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        app.get("/api/v1/advisers", &x.clerk2)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.get("/api/v1/advisers", &x.clerk)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[actix_web::test]
async fn coverage_gaps_are_found_exactly() {
    let mut x: Exit = setup().await;
    let zhang = x.app.user("team.zhang", V1, &["team_member"]);
    let app = &x.app;
    let now = today(app);
    let d = |days: i64| (now - Duration::days(days)).to_string();
    for v in [V1, V2] {
        let r = app
            .post(
                "/api/v1/key-villages",
                &x.approver,
                json!({"village_code": v, "from_year": 2021, "to_year": 2030, "plan": "计划"}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    // V1's team has a first secretary in term; V2's only a member, and a first secretary whose
    // term has ended.
    let t1 = team(app, &x.approver, V1).await;
    let t2 = team(app, &x.approver, V2).await;
    let zhang_s = zhang.to_string();
    let r = app
        .post(
            &format!("/api/v1/teams/{t1}/members"),
            &x.approver,
            member(
                &id_number("370831", 950),
                "first_secretary",
                &d(400),
                &d(-400),
                Some(&zhang_s),
            ),
        )
        .await;
    let m1 = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for (seq, pos, from, to) in [
        (951, "member", d(400), d(-400)),
        (952, "first_secretary", d(800), d(1)),
    ] {
        let r = app
            .post(
                &format!("/api/v1/teams/{t2}/members"),
                &x.approver,
                member(&id_number("370831", seq), pos, &from, &to, None),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    // Households: h1 paired and visited 10 days ago; h2 paired, visited 31 days ago; h3 in V2,
    // neither; h4 exited (not counted).
    let h1 = registered(app, &x.clerk, "K1", V1, 961).await;
    let h2 = registered(app, &x.clerk, "K2", V1, 962).await;
    let h3 = registered(app, &x.clerk2, "K3", V2, 963).await;
    let h4 = registered(app, &x.clerk, "K4", V1, 964).await;
    let sql = format!("UPDATE households SET status = 'exited' WHERE id = '{h4}'");
    app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::execute(diesel::sql_query(&sql), c)
    });
    for h in [&h1, &h2] {
        let r = app
            .post(
                "/api/v1/pairings",
                &x.approver,
                json!({"household_id": h, "member_id": m1, "start_date": d(100)}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let zt = app.token("team.zhang").await;
    for (h, days) in [(&h1, 10), (&h2, 31)] {
        let r = app
            .post(
                "/api/v1/visits",
                &zt,
                json!({"household_id": h, "visited_on": d(days), "found": "正常", "done": "宣传政策"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let r = app.get("/api/v1/coverage?region=370831", &x.approver).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let c = &r.body;
    assert_eq!(c["visit_interval_days"], 30);
    assert_eq!(c["total"]["key_villages"], 2);
    assert_eq!(c["total"]["key_villages_without_first_secretary"], 1);
    assert_eq!(c["villages_without_first_secretary"], json!([V2]));
    // Seed 4: an expert adviser per key village. Neither has one yet; V1 gets one.
    assert_eq!(c["total"]["key_villages_without_adviser"], 2);
    assert_eq!(c["villages_without_adviser"], json!([V1, V2]));
    assert_eq!(c["total"]["households"], 3);
    assert_eq!(c["households_without_cadre"], json!([h3]));
    let mut unvisited: Vec<String> = c["households_unvisited"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    unvisited.sort();
    let mut expected = vec![h2.clone(), h3.clone()];
    expected.sort();
    assert_eq!(unvisited, expected);
    // Reported up the hierarchy: the township has it all; the city sees the same counts.
    let township = c["children"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["region_code"] == "370831101000")
        .cloned()
        .unwrap_or_default();
    assert_eq!(township["households_unvisited"], 2);
    assert_eq!(township["households_without_cadre"], 1);
    let r = app.get("/api/v1/coverage?region=3708", &x.city).await;
    let sishui = r.body["children"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["region_code"] == "370831000000")
        .cloned()
        .unwrap_or_default();
    assert_eq!(sishui["key_villages_without_first_secretary"], 1);
    assert_eq!(sishui["households_unvisited"], 2);
    // A longer interval (a county setting) closes h2's gap.
    let admin = app.token("admin.370831").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"teams": {"visit_interval_days": 45}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.get("/api/v1/coverage?region=370831", &x.approver).await;
    assert_eq!(r.body["households_unvisited"], json!([h3]));
    // V1 gets an expert adviser from today: only V2 still lacks one.
    let r = app
        .post(
            "/api/v1/advisers",
            &x.approver,
            json!({"village_code": V1, "name": "刘研究员", "specialty": "果树", "unit": "市农科所", "from_date": d(0)}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.get("/api/v1/coverage?region=370831", &x.approver).await;
    assert_eq!(r.body["villages_without_adviser"], json!([V2]));
    assert_eq!(r.body["total"]["key_villages_without_adviser"], 1);
    // As of a past day the households are those of that day: these were registered today, so
    // yesterday had none (it counted today's three).
    let r = app
        .get(
            &format!("/api/v1/coverage?region=370831&as_of={}", d(1)),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["total"]["households"], 0, "{:?}", r.body);
    assert_eq!(r.body["total"]["households_without_cadre"], 0);
    assert_eq!(r.body["households_unvisited"], json!([]));
    // Backdate h1's and h4's history by two days: as of yesterday both were registered (h4's
    // exit, written straight into the table, left no snapshot) and count; h1 was paired then,
    // h4 never.
    // (Last month's partition first: two days back may be in it.)
    let sql = format!(
        "UPDATE household_events SET at = at - interval '2 days' WHERE household_id IN ('{h1}', '{h4}')"
    );
    app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "SELECT zx_month_partitions('household_events', now() - interval '1 month', now())",
            ),
            c,
        )?;
        diesel::RunQueryDsl::execute(diesel::sql_query(&sql), c)
    });
    let r = app
        .get(
            &format!("/api/v1/coverage?region=370831&as_of={}", d(1)),
            &x.approver,
        )
        .await;
    assert_eq!(r.body["total"]["households"], 2, "{:?}", r.body);
    assert_eq!(
        r.body["households_without_cadre"],
        json!([h4]),
        "{:?}",
        r.body
    );
}

/// Issue 23 item 11: conflicts answered with the conflicting term let another county's member's
/// exact dates be found by halving. The answer names no dates, and repeated conflicts raise an
/// `alert.membership_probing` audit row.
#[actix_web::test]
async fn term_conflicts_name_no_dates_and_repeated_probing_raises_an_alert() {
    let mut x: Exit = setup().await;
    x.app.user("auditor.w", "370830", &["auditor"]);
    let app = &x.app;
    let t1 = team(app, &x.approver, V1).await;
    let person = id_number("370831", 910);
    let r = app
        .post(
            &format!("/api/v1/teams/{t1}/members"),
            &x.approver,
            member(&person, "member", "2021-03-17", "2023-08-09", None),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let wt = team(app, &x.stranger, "370830001001").await;
    for (from, to) in [
        ("2021-01-01", "2021-06-30"),
        ("2021-01-01", "2021-03-31"),
        ("2021-03-01", "2021-03-31"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/teams/{wt}/members"),
                &x.stranger,
                member(&person, "member", from, to, None),
            )
            .await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (409, Some("term_overlaps"))
        );
        let text = r.body.to_string();
        for leak in ["2021", "2023", "03-17", "08-09", "370831"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
    let auditor = app.token("auditor.w").await;
    let r = app
        .get(
            "/api/v1/audit-events?action=alert.membership_probing",
            &auditor,
        )
        .await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{:?}", r.body);
    assert_eq!(items[0]["details"]["term_conflicts_24h"], 3);
}

#[actix_web::test]
async fn county_figures_are_read_back_at_the_county_and_above() {
    let x = setup().await;
    let app = &x.app;
    let path = "/api/v1/county-figures/370831/2022";
    // Nothing set yet.
    assert_eq!(app.get(path, &x.approver).await.status, 404);
    let (status, _) = put(
        app,
        &x.approver,
        path,
        &json!({"per_capita_income_fen": 2_150_050}),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // The county and the city above it read it back; the last write wins.
    for token in [&x.approver, &x.city] {
        let r = app.get(path, token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["per_capita_income_fen"], 2_150_050);
        assert_eq!(r.body["county_code"], "370831000000");
        assert_eq!(r.body["year"], 2022);
    }
    let (status, _) = put(
        app,
        &x.approver,
        path,
        &json!({"per_capita_income_fen": 2_200_000}),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        app.get(path, &x.city).await.body["per_capita_income_fen"],
        2_200_000
    );
    // Another year is not set; another county's caller and a village's clerk get 404, as does
    // a code that is not a county.
    assert_eq!(
        app.get("/api/v1/county-figures/370831/2023", &x.approver)
            .await
            .status,
        404
    );
    assert_eq!(app.get(path, &x.stranger).await.status, 404);
    assert_eq!(app.get(path, &x.clerk).await.status, 404);
    assert_eq!(
        app.get("/api/v1/county-figures/370831001/2022", &x.approver)
            .await
            .status,
        404
    );
    // Bad input on the write names the field.
    let (status, body) = put(
        app,
        &x.approver,
        path,
        &json!({"per_capita_income_fen": -1}),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "per_capita_income_fen");
}

/// Overdue visits are offered for households the caller may still log a visit for: a team
/// membership outlives a revoked grant, and the inbox followed the membership.
#[actix_web::test]
async fn overdue_visits_follow_the_grants_not_the_membership() {
    let mut x: Exit = setup().await;
    let zhang = x.app.user("team.zhang", "370831101", &[]);
    let app = &x.app;
    let p = app.token("platform.admin").await;
    let grant = |village: &'static str| {
        let p = p.clone();
        async move {
            let r = app
                .post(
                    &format!("/api/v1/users/{zhang}/roles"),
                    &p,
                    json!({"role": "team_member", "org_unit": village}),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let at_v2 = grant(V2).await;
    let t2 = team(app, &x.approver, V2).await;
    let zhang_s = zhang.to_string();
    let r = app
        .post(
            &format!("/api/v1/teams/{t2}/members"),
            &x.approver,
            member(
                &id_number("370831", 910),
                "member",
                "2021-01-01",
                "2099-12-31",
                Some(&zhang_s),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let m = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let h = registered(app, &x.clerk2, "W1", V2, 911).await;
    let r = app
        .post(
            "/api/v1/pairings",
            &x.approver,
            json!({"household_id": h, "member_id": m, "start_date": "2021-03-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let overdue = |token: String| async move {
        let r = app.get("/api/v1/me/tasks?kind=visit_overdue", &token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["object_id"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let zt = app.token("team.zhang").await;
    assert_eq!(overdue(zt.clone()).await, vec![h.clone()]);
    // Moved to the next village: the old grant revoked, a new one held. The membership stays,
    // but the household is no longer theirs to visit (the visit itself is refused).
    let r = app.revoke(&p, zhang, &at_v2).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    grant(V1).await;
    let zt = app.token("team.zhang").await;
    let r = app
        .post(
            "/api/v1/visits",
            &zt,
            json!({"household_id": h, "visited_on": "2021-04-02", "found": "户主病情稳定", "done": "送医送药"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "household_id");
    assert_eq!(overdue(zt).await, Vec::<String>::new());
}
