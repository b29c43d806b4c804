//! 乡村振兴示范村 through the HTTP API (seed 4, issue 22): every province- or city-level
//! demonstration village helps at least one key village (帮带不少于1个重点帮扶村), checked in
//! `/coverage` through the strong-weak pairings.

use serde_json::{Value, json};

use crate::exit::{V1, V2, setup};

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn every_demonstration_village_helps_a_key_village() {
    let x = setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/key-villages",
            &x.approver,
            json!({"village_code": V2, "from_year": 2021, "to_year": 2025,
                "plan": "一村一策", "projects": []}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let key = r.body["id"].as_str().unwrap_or_default().to_string();

    let demo = |level: &str| json!({"village_code": V1, "level": level, "designated_year": 2021});
    let url = "/api/v1/demonstration-villages";
    assert_eq!(app.post(url, &x.clerk, demo("province")).await.status, 403);
    let r = app.post(url, &x.stranger, demo("province")).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "village_code");
    let r = app.post(url, &x.approver, demo("county")).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "level");
    let r = app.post(url, &x.approver, demo("province")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["village_code"], V1);
    assert_eq!(app.post(url, &x.approver, demo("city")).await.status, 409);
    let list = app.get(url, &x.clerk).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    let list = app.get(url, &x.stranger).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(0));

    let coverage = |as_of: &'static str| {
        let token = x.approver.clone();
        async move {
            app.get(
                &format!("/api/v1/coverage?region=370831&as_of={as_of}"),
                &token,
            )
            .await
            .body
        }
    };
    // Named in 2021 and helping nobody.
    let c = coverage("2021-06-01").await;
    assert_eq!(codes(&c["demonstration_villages_unpaired"]), vec![V1]);
    assert_eq!(c["total"]["demonstration_villages"], 1);
    assert_eq!(c["total"]["demonstration_villages_unpaired"], 1);
    // Not yet named in 2020.
    let c = coverage("2020-06-01").await;
    assert!(codes(&c["demonstration_villages_unpaired"]).is_empty());
    assert_eq!(c["total"]["demonstration_villages"], 0);

    // Paired with the key village for 2021-2022: covered those years, not in 2023.
    let r = app
        .post(
            "/api/v1/village-pairings",
            &x.approver,
            json!({"strong_village_code": V1, "weak_village_code": V2,
                "from_year": 2021, "to_year": 2022}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let c = coverage("2022-06-01").await;
    assert!(
        codes(&c["demonstration_villages_unpaired"]).is_empty(),
        "{c}"
    );
    assert_eq!(c["total"]["demonstration_villages_unpaired"], 0);
    let c = coverage("2023-06-01").await;
    assert_eq!(codes(&c["demonstration_villages_unpaired"]), vec![V1]);
    // The key village leaves at the end of 2022: a day of 2022 is judged as it was then.
    let r = app
        .post(
            &format!("/api/v1/key-villages/{key}/exit"),
            &x.approver,
            json!({"decided_on": "2022-12-20", "decision_no": "泗振发〔2022〕9号", "reason": "目标达成"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let c = coverage("2022-06-01").await;
    assert!(
        codes(&c["demonstration_villages_unpaired"]).is_empty(),
        "{c}"
    );
}
