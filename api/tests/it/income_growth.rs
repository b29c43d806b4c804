//! Seed 5 (issue 22): each key village's per-capita income growth against its county's average
//! (增长幅度高于当地农民平均水平), on every key village answer.

use serde_json::json;

use crate::exit::{V1, V2, setup};

#[actix_web::test]
async fn key_village_income_growth_is_compared_with_the_county_average() {
    let x = setup().await;
    let app = &x.app;
    let profile = |income: i64| {
        json!({"households": 600, "population": 1800, "per_capita_income_fen": income,
            "collective_income_fen": 1_000_000, "cultivated_mu": 3000.0, "forest_mu": 400.0,
            "main_industries": ["种养殖"], "featured_industries": [],
            "merged_village": false, "former_poor_village": true})
    };
    // V1: 18,000 → 19,800 → 19,800 yuan (+10%, then flat); V2: 18,000 → 18,500 (+2.77%).
    for (v, t, year, income) in [
        (V1, &x.clerk, 2020, 1_800_000),
        (V1, &x.clerk, 2021, 1_980_000),
        (V1, &x.clerk, 2022, 1_980_000),
        (V2, &x.clerk2, 2020, 1_800_000),
        (V2, &x.clerk2, 2021, 1_850_000),
    ] {
        let r = app
            .send(
                "PUT",
                &format!("/api/v1/villages/{v}/profiles/{year}"),
                Some(t),
                Some(&profile(income)),
                &[],
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    // The county: 19,000 → 20,000 → 21,000 yuan (+5.26%, +5%).
    for (year, fen) in [(2020, 1_900_000), (2021, 2_000_000), (2022, 2_100_000)] {
        let r = app
            .send(
                "PUT",
                &format!("/api/v1/county-figures/370831/{year}"),
                Some(&x.approver),
                Some(&json!({"per_capita_income_fen": fen})),
                &[],
            )
            .await;
        assert_eq!(r.status, 204, "{:?}", r.body);
    }
    for v in [V1, V2] {
        let r = app
            .post(
                "/api/v1/key-villages",
                &x.approver,
                json!({"village_code": v, "from_year": 2020, "to_year": 2025,
                    "plan": "一村一策", "projects": ["道路"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let list = app.get("/api/v1/key-villages?year=2022", &x.approver).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let items = list.body.as_array().cloned().unwrap_or_default();
    let of = |v: &str| {
        items
            .iter()
            .find(|i| i["village_code"] == v)
            .map(|i| i["income_growth"].clone())
            .unwrap_or_default()
    };
    let g1 = of(V1);
    assert_eq!(g1.as_array().map(Vec::len), Some(2), "{g1}");
    assert_eq!(g1[0]["year"], 2021);
    assert_eq!(g1[0]["village_growth_bp"], 1000);
    assert_eq!(g1[0]["county_growth_bp"], 526);
    assert_eq!(g1[0]["difference_bp"], 474);
    assert_eq!(g1[0]["faster_than_county"], true);
    assert_eq!(g1[1]["year"], 2022);
    assert_eq!(g1[1]["village_growth_bp"], 0);
    assert_eq!(g1[1]["county_growth_bp"], 500);
    assert_eq!(g1[1]["faster_than_county"], false);
    // V2 grew 2.77% against the county's 5.26%: slower, by 249 basis points.
    let g2 = of(V2);
    assert_eq!(g2.as_array().map(Vec::len), Some(1), "{g2}");
    assert_eq!(g2[0]["village_growth_bp"], 277);
    assert_eq!(g2[0]["difference_bp"], -249);
    assert_eq!(g2[0]["faster_than_county"], false);
    // Evaluated for 2021, the 2022 comparison is not shown yet.
    let list = app.get("/api/v1/key-villages?year=2021", &x.approver).await;
    let items = list.body.as_array().cloned().unwrap_or_default();
    let g1 = items
        .iter()
        .find(|i| i["village_code"] == V1)
        .map(|i| i["income_growth"].clone())
        .unwrap_or_default();
    assert_eq!(g1.as_array().map(Vec::len), Some(1), "{g1}");
}
