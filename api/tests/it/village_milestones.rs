//! Seed 4's remaining key-village rules through the HTTP API (issue 22): the living-environment
//! and governance milestones, high-standard farmland, stable work, roads to groups and sewage
//! for settlements on the yearly profile; the industry plan due by the end of 2022; the targets
//! from the county's settings; the indicator table.

use serde_json::{Value, json};

use crate::exit::{V1, setup};
use crate::helpers::TestApp;

fn profile(indicators: Value) -> Value {
    json!({"households": 1199, "population": 3594, "per_capita_income_fen": 1_826_000,
        "collective_income_fen": 20_000_000, "cultivated_mu": 3335.0, "forest_mu": 449.4,
        "main_industries": ["种养殖"], "featured_industries": ["鱼养殖"],
        "tap_water_pct": 95.0, "sanitary_toilet_pct": 92.5, "indicators": indicators})
}

fn status<'a>(kv: &'a Value, code: &str) -> &'a str {
    kv["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["code"] == code)
        .and_then(|t| t["status"].as_str())
        .unwrap_or("absent")
}

fn fields(body: &Value) -> Vec<String> {
    let mut f: Vec<String> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    f.sort_unstable();
    f
}

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = app.send("PUT", path, Some(token), Some(body), &[]).await;
    (r.status, r.body)
}

#[actix_web::test]
async fn key_village_milestones_are_judged_from_the_profiles_and_the_industry_plan() {
    let x = setup().await;
    let app = &x.app;
    // 2021: village rules revised, garbage and sewage system in place, the committee election
    // not done yet; 300 households with labour, all with someone in stable work; 3 of 4 groups
    // of 30+ households on hardened roads; 1 of 2 settlements of 200+ with sewage treatment.
    let p2021 = format!("/api/v1/villages/{V1}/profiles/2021");
    let ind = json!({"village_rules": true, "garbage_sewage_system": true,
        "committee_election": false, "high_standard_farmland_pct": 40.5,
        "labour_households": 300, "labour_households_stable_work": 300,
        "groups_30plus": 4, "groups_30plus_hardened_road": 3,
        "settlements_200plus": 2, "settlements_200plus_sewage": 1});
    // Bad values are refused by name, before anything is written.
    let mut bad = ind.clone();
    bad["labour_households_stable_work"] = json!(301);
    bad["high_standard_farmland_pct"] = json!(100.5);
    bad["settlements_200plus"] = Value::Null;
    bad["labour_households"] = json!(300);
    let (s, body) = put(app, &x.clerk, &p2021, &profile(bad)).await;
    assert_eq!(s, 422, "{body:?}");
    assert_eq!(
        fields(&body),
        vec![
            "indicators.high_standard_farmland_pct",
            "indicators.labour_households_stable_work",
            "indicators.settlements_200plus_sewage",
        ]
    );
    let mut more = ind.clone();
    more["labour_households"] = json!(1200);
    more["labour_households_stable_work"] = json!(1200);
    let (s, body) = put(app, &x.clerk, &p2021, &profile(more)).await;
    assert_eq!(s, 422, "{body:?}");
    assert_eq!(fields(&body), vec!["indicators.labour_households"]);
    let mut unknown = ind.clone();
    unknown["toilets_done"] = json!(true);
    let (s, body) = put(app, &x.clerk, &p2021, &profile(unknown)).await;
    assert_eq!(s, 422, "{body:?}");
    let (s, body) = put(app, &x.clerk, &p2021, &profile(ind.clone())).await;
    assert_eq!(s, 201, "{body:?}");
    assert_eq!(body["indicators"]["high_standard_farmland_pct"], 40.5);
    assert_eq!(body["indicators"]["village_rules"], true);
    assert_eq!(body["indicators"]["cultural_courtyard"], Value::Null);
    let r = app.get(&p2021, &x.clerk).await;
    assert_eq!(r.body["indicators"]["groups_30plus_hardened_road"], 3);
    // Another county's user learns nothing.
    let r = app.get(&p2021, &x.stranger).await;
    assert_eq!(r.status, 404);
    let (s, _) = put(app, &x.stranger, &p2021, &profile(ind.clone())).await;
    assert_eq!(s, 404);

    let r = app
        .post(
            "/api/v1/key-villages",
            &x.approver,
            json!({"village_code": V1, "from_year": 2021, "to_year": 2025,
                "plan": "一村一策", "projects": ["改厕"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let kv = app
        .get(&format!("/api/v1/key-villages/{id}?year=2022"), &x.approver)
        .await;
    assert_eq!(kv.status, 200, "{:?}", kv.body);
    // Seed 4's deadlines: the end of 2021 for village rules, garbage and sewage and the
    // election; 2023 for the courtyard; all households with labour in stable work.
    assert_eq!(status(&kv.body, "village_rules"), "met");
    assert_eq!(status(&kv.body, "garbage_sewage_system"), "met");
    assert_eq!(status(&kv.body, "committee_election"), "missed");
    assert_eq!(status(&kv.body, "cultural_courtyard"), "no_data");
    assert_eq!(status(&kv.body, "stable_work"), "met");
    // Three of four groups, one measurement, before 2025: at risk.
    assert_eq!(status(&kv.body, "group_roads"), "at_risk");
    assert_eq!(status(&kv.body, "industry_plan"), "no_data");
    let deadline = |code: &str| {
        kv.body["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["code"] == code)
            .map(|t| t["deadline"].clone())
    };
    assert_eq!(deadline("industry_plan"), Some(json!(2022)));
    assert_eq!(deadline("civilization_station"), Some(json!(2025)));
    assert_eq!(deadline("deliberation_council"), Some(json!(2023)));

    // The industry plan: the county's to record, a day not in the future.
    let plan = format!("/api/v1/key-villages/{id}/industry-plan");
    let (s, _) = put(app, &x.clerk, &plan, &json!({"adopted_on": "2022-06-30"})).await;
    assert_eq!(s, 403);
    let (s, _) = put(
        app,
        &x.stranger,
        &plan,
        &json!({"adopted_on": "2022-06-30"}),
    )
    .await;
    assert_eq!(s, 404);
    let (s, body) = put(
        app,
        &x.approver,
        &plan,
        &json!({"adopted_on": "2999-01-01"}),
    )
    .await;
    assert_eq!((s, fields(&body)), (422, vec!["adopted_on".to_string()]));
    let (s, body) = put(
        app,
        &x.approver,
        &plan,
        &json!({"adopted_on": "2023-01-10"}),
    )
    .await;
    assert_eq!(s, 200, "{body:?}");
    assert_eq!(body["industry_plan_adopted_on"], "2023-01-10");
    let kv = app
        .get(&format!("/api/v1/key-villages/{id}?year=2023"), &x.approver)
        .await;
    assert_eq!(status(&kv.body, "industry_plan"), "missed");
    let (s, _) = put(
        app,
        &x.approver,
        &plan,
        &json!({"adopted_on": "2022-12-31"}),
    )
    .await;
    assert_eq!(s, 200);
    let kv = app
        .get(&format!("/api/v1/key-villages/{id}?year=2023"), &x.approver)
        .await;
    assert_eq!(status(&kv.body, "industry_plan"), "met");

    // The deadlines are the county's settings: the election by 2022 is still open in 2022.
    let admin = app.token("admin.370831").await;
    let s = app.get("/api/v1/settings/370831", &admin).await;
    assert_eq!(
        s.body["effective"]["key_village"]["milestones"]["committee_election_year"],
        2021
    );
    let etag = s.header("etag").unwrap_or_default();
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"key_village": {"milestones": {
                "stable_work_target": {"year": 2025, "value": 101}}}}})),
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        fields(&r.body)
            .iter()
            .any(|f| f.ends_with("milestones.stable_work_target.value")),
        "{:?}",
        r.body
    );
    let mut m = s.body["effective"]["key_village"]["milestones"].clone();
    m["committee_election_year"] = json!(2022);
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"key_village": {"milestones": m}}})),
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let kv = app
        .get(&format!("/api/v1/key-villages/{id}?year=2022"), &x.approver)
        .await;
    assert_eq!(status(&kv.body, "committee_election"), "at_risk");

    // The indicator table lists the new targets and the reported indicators.
    let r = app
        .get(
            &format!("/api/v1/key-villages/{id}/indicator-table?year=2021&format=docx"),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let text = crate::printed::docx_text(&r.raw);
    for m in [
        "村规民约健全",
        "完成产业规划方案编制",
        "有劳动力的家庭至少有一人稳定就业达到100%",
        "高标准农田占比",
        "40.5%",
        "200人以上聚居点污水处理",
        "1/2",
    ] {
        assert!(text.contains(m), "indicator table lacks {m}: {text}");
    }
}
