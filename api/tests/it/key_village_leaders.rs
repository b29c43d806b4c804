//! 县级领导联系 through the HTTP API (seed 4, issue 22): the county links one county-level leader
//! to each key village at a time, and `/coverage` lists the active key villages without one as
//! of a day.

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
async fn every_key_village_has_a_county_leader_checked_in_coverage() {
    let mut x = setup().await;
    x.app.user("auditor.sishui", "370831", &["auditor"]);
    let app = &x.app;
    let mut ids = Vec::new();
    for v in [V1, V2] {
        let r = app
            .post(
                "/api/v1/key-villages",
                &x.approver,
                json!({"village_code": v, "from_year": 2021, "to_year": 2025,
                    "plan": "一村一策", "projects": []}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    let approver = x.approver.clone();
    let coverage = |as_of: &str| {
        let url = format!("/api/v1/coverage?region=370831&as_of={as_of}");
        let token = approver.clone();
        async move { app.get(&url, &token).await }
    };
    let c = coverage("2021-06-01").await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert_eq!(codes(&c.body["villages_without_leader"]), vec![V1, V2]);
    assert_eq!(c.body["total"]["key_villages_without_leader"], 2);
    // Designated from 2021: on a day of 2020 they were no key villages (a past day counted
    // the villages key today).
    let c = coverage("2020-06-01").await;
    assert_eq!(
        c.body["total"]["key_villages_without_leader"], 0,
        "{:?}",
        c.body
    );

    let url = format!("/api/v1/key-villages/{}/leaders", ids[0]);
    let leader =
        |name: &str, from: &str| json!({"name": name, "position": "副县长", "from_date": from});
    // The county's to record; another county's key village is not found; bad fields named.
    assert_eq!(
        app.post(&url, &x.clerk, leader("王某", "2021-03-01"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post(&url, &x.stranger, leader("王某", "2021-03-01"))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&url, &x.stranger).await.status, 404);
    let r = app
        .post(
            &url,
            &x.approver,
            json!({"name": " ", "position": "副县长", "from_date": "2021-03-01",
                "to_date": "2021-02-01"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "name");
    let r = app
        .post(&url, &x.approver, leader("王某", "2021-03-01"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["village_code"], V1);

    // Linked from March: covered in June, not in February.
    let c = coverage("2021-06-01").await;
    assert_eq!(codes(&c.body["villages_without_leader"]), vec![V2]);
    assert_eq!(c.body["total"]["key_villages_without_leader"], 1);
    let c = coverage("2021-02-01").await;
    assert_eq!(codes(&c.body["villages_without_leader"]), vec![V1, V2]);

    // One at a time: a successor ends the link the day before; a start not after the current
    // one's is refused by name.
    let r = app
        .post(&url, &x.approver, leader("李某", "2021-03-01"))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "from_date");
    let r = app
        .post(&url, &x.approver, leader("李某", "2022-01-01"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = app.get(&url, &x.clerk).await;
    assert_eq!(list.status, 200);
    let rows = list.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], "王某");
    assert_eq!(rows[0]["to_date"], "2021-12-31");
    assert_eq!(rows[1]["to_date"], Value::Null);
    // The link cut short is named in the successor's audit row, with the end it had.
    let auditor = app.token("auditor.sishui").await;
    let log = app
        .get(
            "/api/v1/audit-events?action=key_village.leader_linked",
            &auditor,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let ended = &log.body["items"][0]["details"]["ended"];
    assert_eq!(
        ended,
        &json!([{"leader": rows[0]["id"], "to_date_was": null, "to_date": "2021-12-31"}]),
        "{:?}",
        log.body
    );
    let c = coverage("2022-06-01").await;
    assert_eq!(codes(&c.body["villages_without_leader"]), vec![V2]);

    // A leader with an end: past it, the village is uncovered again.
    let url2 = format!("/api/v1/key-villages/{}/leaders", ids[1]);
    let r = app
        .post(
            &url2,
            &x.approver,
            json!({"name": "赵某", "position": "县委常委", "from_date": "2021-01-01",
                "to_date": "2021-12-31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(codes(&coverage("2021-06-01").await.body["villages_without_leader"]).is_empty());
    assert_eq!(
        codes(&coverage("2022-06-01").await.body["villages_without_leader"]),
        vec![V2]
    );
}
