//! Ranger contracts that cannot pay twice: one contract per person at a time, no record of a day
//! still to come, and no incident that would end a contract before a month already paid.

use super::rangers::ranger_and_project;
use super::*;

fn contract(member: &str, project: &str, from: &str, to: &str) -> Value {
    json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 120.0,
        "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
        "start_date": from, "end_date": to, "project_id": project})
}

#[actix_web::test]
async fn one_contract_per_person_at_a_time_and_no_record_ahead_of_today() {
    let x = setup().await;
    let app = &x.app;
    let (r, p) = ranger_and_project(app, &x.clerk, &x.officer, "RI1", 1701).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let first = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2017-01-01", "2017-12-31"),
        )
        .await)
    .await;
    // A second over part of the same months: two subsidies to one card.
    let r = app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2017-06-01", "2018-05-31"),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(code(&r), "contract_overlaps", "{:?}", r.body);
    // The day after it ends is free; so are the months after a termination.
    let next = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2018-01-01", "2018-12-31"),
        )
        .await)
    .await;
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{next}/termination"),
            &x.officer,
            json!({"terminated_on": "2018-03-31", "reason": "本人申请解除"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2018-03-01", "2018-12-31"),
        )
        .await;
    assert_eq!(
        r.status, 409,
        "overlaps the month before the termination: {:?}",
        r.body
    );
    let open = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2018-04-01", "2099-12-31"),
        )
        .await)
    .await;
    let ranger_contracts = |m: &str| {
        let m = m.to_string();
        app.db.as_owner("370831", move |c| {
            diesel::sql_query(
                "SELECT count(*) AS n FROM ranger_contracts WHERE member_id = $1::uuid",
            )
            .bind::<diesel::sql_types::Text, _>(m)
            .get_result::<Count>(c)
        })
    };
    assert_eq!(ranger_contracts(&member).n, 3, "{first} {next} {open}");
    // The list is paged in its order (village, start): two pages of two, then one.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..3 {
        let url = match &cursor {
            Some(c) => format!("/api/v1/ranger-contracts?limit=2&cursor={c}"),
            None => "/api/v1/ranger-contracts?limit=2".to_string(),
        };
        let r = app.get(&url, &x.officer).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        for k in r.body["items"].as_array().into_iter().flatten() {
            seen.push(k["id"].as_str().unwrap_or_default().to_string());
        }
        cursor = r.body["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, [first.clone(), next.clone(), open.clone()]);

    // A day still to come: neither an inspection nor an incident.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let base = format!("/api/v1/ranger-contracts/{open}");
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            json!({"inspected_on": tomorrow, "present": false}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "inspected_on", "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/incidents"),
            &x.officer,
            json!({"occurred_on": tomorrow, "kind": "fire", "burnt_mu": 20.0, "through_negligence": true}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "occurred_on", "{:?}", r.body);
    let r = app.get(&format!("{base}/record"), &x.approver).await;
    assert_eq!(
        r.body["incidents"].as_array().map(Vec::len),
        Some(0),
        "{:?}",
        r.body
    );
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn an_incident_cannot_end_a_contract_before_a_month_already_paid() {
    let x = setup().await;
    let app = &x.app;
    let (r, p) = ranger_and_project(app, &x.clerk, &x.officer, "RI2", 1702).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let hh = r["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(app, &x.officer, &hh)
            .await
            .status,
        200
    );
    let c = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract(&member, &p, "2017-01-01", "2017-12-31"),
        )
        .await)
    .await;
    let base = format!("/api/v1/ranger-contracts/{c}");
    let r = app
        .post(&format!("{base}/payouts/2017-04"), &x.officer, json!({}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let fire = |on: &str| json!({"occurred_on": on, "kind": "fire", "burnt_mu": 15.0, "through_negligence": true, "description": "山火"});
    // March's fire would end the contract with March, and April stays paid: refused.
    let r = app
        .post(&format!("{base}/incidents"), &x.officer, fire("2017-03-20"))
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(code(&r), "month_paid", "{:?}", r.body);
    // An incident that does not end it is recorded as before.
    let r = app
        .post(
            &format!("{base}/incidents"),
            &x.officer,
            json!({"occurred_on": "2017-03-21", "kind": "fire", "burnt_mu": 2.0, "through_negligence": false}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // May's fire ends it with May, after the month paid; the end is audited as a termination.
    let r = app
        .post(&format!("{base}/incidents"), &x.officer, fire("2017-05-10"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let incident = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app.get("/api/v1/ranger-contracts", &x.officer).await;
    let row = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["id"] == c.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["terminated_on"], "2017-05-31", "{row:?}");
    let terminated = app.db.as_owner("370831", |conn| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'ranger_contract.terminated'
              AND object_id = $1 AND details->>'by_incident' = $2",
        )
        .bind::<diesel::sql_types::Text, _>(&c)
        .bind::<diesel::sql_types::Text, _>(&incident)
        .get_result::<Count>(conn)
    });
    assert_eq!(terminated.n, 1);
}
