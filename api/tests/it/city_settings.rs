//! The city layer of settings (issue 22, seed 5): the city sets the relocation subsidy county by
//! county, its counties inherit it and may not override it; the city's matching of province
//! money, reported per county and year.

use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp};

const LANTIAN: &str = "610122";
const CHANGAN: &str = "610116";

async fn put(app: &TestApp, token: &str, region: &str, tag: &str, overrides: Value) -> Resp {
    app.send(
        "PUT",
        &format!("/api/v1/settings/{region}"),
        Some(token),
        Some(&json!({ "overrides": overrides })),
        &[("if-match", &format!("\"{tag}\""))],
    )
    .await
}

fn field(r: &Resp) -> &str {
    r.body["errors"][0]["field"].as_str().unwrap_or_default()
}

/// Two counties of Xi'an with their administrators and fund officers, Xi'an's city
/// administrator, and Jining's.
async fn xian() -> (TestApp, String) {
    let mut app = TestApp::spawn().await;
    for county in [LANTIAN, CHANGAN] {
        app.onboard(county);
        app.user(&format!("funds.{county}"), county, &["fund_officer"]);
    }
    app.user("admin.xian", "6101", &["city_admin"]);
    app.user("admin.jining", "3708", &["city_admin"]);
    let city = app.token("admin.xian").await;
    (app, city)
}

#[actix_web::test]
async fn the_city_sets_the_relocation_subsidy_per_county_and_counties_may_not_override_it() {
    let (app, city) = xian().await;
    // Seed 5: 500 yuan per person in Chang'an (the city's value), 1,000 in Lantian.
    let r = put(
        &app,
        &city,
        "6101",
        "0",
        json!({"funds": {"relocation_subsidy_per_person_fen": 50_000},
               "counties": {LANTIAN: {"funds": {"relocation_subsidy_per_person_fen": 100_000}}}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["level"], "city");
    assert_eq!(r.body["version"], 1);
    assert_eq!(
        r.body["effective"]["funds"]["relocation_subsidy_per_person_fen"],
        50_000
    );
    for (county, subsidy, people) in [(LANTIAN, 100_000, 700), (CHANGAN, 50_000, 480)] {
        let admin = app.token(&format!("admin.{county}")).await;
        let r = app.get(&format!("/api/v1/settings/{county}"), &admin).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            r.body["effective"]["funds"]["relocation_subsidy_per_person_fen"],
            subsidy
        );
        assert_eq!(
            r.body["inherited_city"]["funds"]["relocation_subsidy_per_person_fen"],
            subsidy
        );
        assert_eq!(r.body["effective"]["funds"]["city_matching_permille"], 1000);
        // The relocation plan computes the entitlement with the county's value.
        let officer = app.token(&format!("funds.{county}")).await;
        let r = app
            .post(
                "/api/v1/relocation-plans",
                &officer,
                json!({"region_code": county, "year": 2010, "name": "千村移民搬迁",
                       "households": 100, "people": people}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["entitlement_fen"], subsidy * people);
        // A county may not override the city's rule: 422 naming it; nothing is written.
        let r = put(
            &app,
            &admin,
            county,
            "1",
            json!({"funds": {"relocation_subsidy_per_person_fen": 1}}),
        )
        .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(
            field(&r),
            "overrides.funds.relocation_subsidy_per_person_fen"
        );
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("city")),
            "{:?}",
            r.body
        );
        // It reads its city's row, and may not write it.
        assert_eq!(app.get("/api/v1/settings/6101", &admin).await.status, 200);
        let r = put(&app, &admin, "6101", "1", json!({})).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
    }
    // Another city's administrator sees none of it.
    let jining = app.token("admin.jining").await;
    for path in ["6101", LANTIAN] {
        let r = app.get(&format!("/api/v1/settings/{path}"), &jining).await;
        assert_eq!(r.status, 404, "{path}: {:?}", r.body);
    }
    assert_eq!(put(&app, &jining, "6101", "1", json!({})).await.status, 404);
    // The city may not set what is the province's or the county's own, loosen a threshold, or
    // name a county that is not its own; each refused by name.
    for (overrides, name) in [
        (
            json!({"poverty_line_fen": {"2020": 1}}),
            "overrides.poverty_line_fen",
        ),
        (
            json!({"teams": {"visit_interval_days": 9}}),
            "overrides.teams.visit_interval_days",
        ),
        (
            json!({"reports": {"min_cell_people": 1}}),
            "overrides.reports.min_cell_people",
        ),
        (
            json!({"counties": {"370831": {}}}),
            "overrides.counties.370831",
        ),
        (
            json!({"counties": {LANTIAN: {"funds": {"relocation_subsidy_per_person_fen": -1}}}}),
            "overrides.counties.610122.funds.relocation_subsidy_per_person_fen",
        ),
    ] {
        let r = put(&app, &city, "6101", "1", overrides.clone()).await;
        assert_eq!(r.status, 422, "{overrides}: {:?}", r.body);
        assert_eq!(field(&r), name, "{:?}", r.body);
    }
    // A city tightens a threshold for its counties; a county may go further, not back.
    let r = put(
        &app,
        &city,
        "6101",
        "1",
        json!({"reports": {"min_cell_people": 15}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let admin = app.token(&format!("admin.{CHANGAN}")).await;
    let r = app
        .get(&format!("/api/v1/settings/{CHANGAN}"), &admin)
        .await;
    assert_eq!(r.body["effective"]["reports"]["min_cell_people"], 15);
    // The city's per-county values are gone with its new layer: the default is back.
    assert_eq!(
        r.body["effective"]["funds"]["relocation_subsidy_per_person_fen"],
        100_000
    );
    let r = put(
        &app,
        &admin,
        CHANGAN,
        "1",
        json!({"reports": {"min_cell_people": 12}}),
    )
    .await;
    assert_eq!(
        (r.status, field(&r)),
        (422, "overrides.reports.min_cell_people")
    );
    let r = put(
        &app,
        &admin,
        CHANGAN,
        "1",
        json!({"reports": {"min_cell_people": 20}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Bad input: a township is no settings level.
    let r = app.get("/api/v1/settings/610122001", &city).await;
    assert_eq!((r.status, field(&r)), (422, "region_code"));
}

async fn fund(app: &TestApp, token: &str, county: &str, year: i32, level: &str, yuan: i64) {
    let r = app
        .post(
            "/api/v1/funds",
            token,
            json!({"county_code": county, "year": year, "level": level, "source": "财政扶贫资金",
                   "purpose": "infrastructure", "amount_fen": yuan * 100,
                   "received_on": format!("{year}-05-01")}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

fn rows(r: &Resp) -> Vec<(String, i64, i64, i64, bool)> {
    r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["county_code"].as_str().unwrap_or_default().to_string(),
                m["year"].as_i64().unwrap_or_default(),
                m["required_city_fen"].as_i64().unwrap_or_default(),
                m["shortfall_fen"].as_i64().unwrap_or_default(),
                m["met"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_city_matches_province_money_one_to_one_and_from_2011_the_county_share() {
    let (app, city) = xian().await;
    let lantian = app.token(&format!("funds.{LANTIAN}")).await;
    let changan = app.token(&format!("funds.{CHANGAN}")).await;
    // Lantian: 2010 matched 1:1, the county's share its own; 2011 the same city money falls
    // short by the county share the city now pays; 2012 met again.
    for (year, level, yuan) in [
        (2010, "province", 1_000_000),
        (2010, "city", 1_000_000),
        (2010, "county", 200_000),
        (2011, "province", 1_000_000),
        (2011, "city", 1_000_000),
        (2011, "county", 200_000),
        (2012, "province", 500_000),
        (2012, "city", 700_000),
        (2012, "county", 200_000),
    ] {
        fund(&app, &lantian, LANTIAN, year, level, yuan).await;
    }
    // Chang'an 2011: half the province money matched.
    fund(&app, &changan, CHANGAN, 2011, "province", 100_000).await;
    fund(&app, &changan, CHANGAN, 2011, "city", 50_000).await;
    let yuan = |y: i64| y * 100;
    let r = app.get("/api/v1/fund-matching", &city).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        rows(&r),
        [
            (CHANGAN.into(), 2011, yuan(100_000), yuan(50_000), false),
            (LANTIAN.into(), 2010, yuan(1_000_000), 0, true),
            (LANTIAN.into(), 2011, yuan(1_200_000), yuan(200_000), false),
            (LANTIAN.into(), 2012, yuan(700_000), 0, true),
        ]
    );
    let first = &r.body["items"][2];
    assert_eq!(first["province_fen"], yuan(1_000_000));
    assert_eq!(first["city_fen"], yuan(1_000_000));
    assert_eq!(first["county_share_fen"], yuan(200_000));
    assert_eq!(first["ratio_permille"], 1000);
    assert_eq!(first["county_share_from_year"], 2011);
    // One year; a county's user sees its own county only, and not another's.
    let r = app.get("/api/v1/fund-matching?year=2011", &city).await;
    assert_eq!(rows(&r).len(), 2);
    let r = app.get("/api/v1/fund-matching", &lantian).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(rows(&r).len(), 3);
    assert!(rows(&r).iter().all(|m| m.0 == LANTIAN));
    let r = app
        .get(&format!("/api/v1/fund-matching?region={CHANGAN}"), &lantian)
        .await;
    assert_eq!((r.status, field(&r)), (422, "region"));
    // The city's rule per county: Chang'an need match only half; Lantian's switch is moved.
    let r = put(
        &app,
        &city,
        "6101",
        "0",
        json!({"counties": {CHANGAN: {"funds": {"city_matching_permille": 500}},
                            LANTIAN: {"funds": {"city_pays_county_share_from_year": 2012}}}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.get("/api/v1/fund-matching", &city).await;
    assert_eq!(
        rows(&r),
        [
            (CHANGAN.into(), 2011, yuan(50_000), 0, true),
            (LANTIAN.into(), 2010, yuan(1_000_000), 0, true),
            (LANTIAN.into(), 2011, yuan(1_000_000), 0, true),
            (LANTIAN.into(), 2012, yuan(700_000), 0, true),
        ]
    );
    // A county may not move the city's matching rule.
    let admin = app.token(&format!("admin.{LANTIAN}")).await;
    // Reading the city's layer, a county sees its own entry, not its neighbour's.
    let r = app.get("/api/v1/settings/6101", &admin).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let counties = &r.body["overrides"]["counties"];
    assert!(counties[LANTIAN].is_object(), "{:?}", r.body);
    assert!(counties[CHANGAN].is_null(), "{:?}", r.body);
    let r = app.get("/api/v1/settings/6101", &city).await;
    assert!(
        r.body["overrides"]["counties"][CHANGAN].is_object(),
        "{:?}",
        r.body
    );
    let r = put(
        &app,
        &admin,
        LANTIAN,
        "1",
        json!({"funds": {"city_pays_county_share_from_year": null}}),
    )
    .await;
    assert_eq!(
        (r.status, field(&r)),
        (422, "overrides.funds.city_pays_county_share_from_year")
    );
    // Bad input names the parameter.
    for (q, name) in [("year=1900", "year"), ("region=abc", "region")] {
        let r = app.get(&format!("/api/v1/fund-matching?{q}"), &city).await;
        assert_eq!((r.status, field(&r)), (422, name), "{q}: {:?}", r.body);
    }
}
