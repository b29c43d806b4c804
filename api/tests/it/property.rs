//! Property check through the HTTP API: import and routing, verification against the cut-off
//! and the veto conditions, appraisal, statistics, confirmation, reversal, reuse,
//! confidentiality.

use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{Exit, TOWNSHIP, V1, V2, setup};
use crate::helpers::Resp;
use crate::property_routing::forward;

pub struct People {
    /// V1, household A, head.
    pub p1: String,
    /// V1, household B.
    pub p2: String,
    /// V2.
    pub p3: String,
    /// Wenshang (another county).
    pub w1: String,
    pub households: Vec<String>,
}

pub async fn people(x: &mut Exit) -> People {
    let app = &x.app;
    let ids: Vec<String> = (0..3).map(|i| id_number("370831", 700 + i)).collect();
    let w1 = id_number("370830", 720);
    let mut households = Vec::new();
    for (token, number, village, id) in [
        (&x.clerk, "PA", V1, &ids[0]),
        (&x.clerk, "PB", V1, &ids[1]),
        (&x.clerk2, "PC", V2, &ids[2]),
        (&x.stranger, "WA", "370830001001", &w1),
    ] {
        let r = app
            .post(
                "/api/v1/households",
                token,
                household(number, village, std::slice::from_ref(id)),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        households.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    People {
        p1: ids[0].clone(),
        p2: ids[1].clone(),
        p3: ids[2].clone(),
        w1,
        households,
    }
}

pub fn csv(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from("身份证号,姓名,检索类型,检索详情\n");
    for (id, t, d) in rows {
        s.push_str(&format!("{id},,{t},{d}\n"));
    }
    s.into_bytes()
}

pub async fn import(x: &Exit, token: &str, name: &str, body: Vec<u8>) -> Resp {
    x.app
        .post_raw(
            &format!("/api/v1/property-checks?name={name}"),
            Some(token),
            "text/csv",
            body,
        )
        .await
}

pub async fn hits_of(x: &Exit, token: &str, batch: &str) -> Vec<Value> {
    let r = x
        .app
        .get(&format!("/api/v1/property-hits?batch={batch}"), token)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

pub fn hit_for<'a>(hits: &'a [Value], household_number: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["household_number"] == household_number)
        .unwrap_or_else(|| panic!("no hit for {household_number}: {hits:?}"))
}

/// Verifies `hit` as read now (If-Match its current version, as a client that has just read it).
pub async fn verify(x: &Exit, token: &str, hit: &Value, body: Value) -> Resp {
    let id = hit["id"].as_str().unwrap_or_default();
    // Read as the owner: a read through the API would write read audits the tests count.
    let version = x.app.db.as_owner("370831", |c| {
        use diesel::prelude::*;
        infra::schema::property_hits::table
            .filter(
                infra::schema::property_hits::id.eq(uuid::Uuid::parse_str(id).unwrap_or_default()),
            )
            .select(infra::schema::property_hits::version)
            .first::<i32>(c)
    });
    let tag = format!("\"{version}\"");
    x.app
        .send(
            "POST",
            &format!("/api/v1/property-hits/{id}/verification"),
            Some(token),
            Some(&body),
            &[("if-match", tag.as_str())],
        )
        .await
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn a_batch_is_routed_to_villages_and_bad_rows_are_reported() {
    let mut x = setup().await;
    x.app.user("checker.city", "3708", &["property_checker"]);
    let p = people(&mut x).await;
    let unregistered = id_number("370831", 799);
    let file = csv(&[
        (&p.p1, "车辆", "鲁H12345 小型轿车"),
        (&p.p2, "public_payroll", "县教育局在编教师"),
        (&p.p3, "房产", "城区商品房一套"),
        (&p.w1, "车辆", "鲁H54321"),
        (&unregistered, "土地", "承包地"),
        ("123", "车辆", "x"),
        (&p.p1, "游艇", "x"),
        (&p.p1, "车辆", " 鲁H12345  小型轿车 "),
    ]);
    let r = import(&x, &x.approver, "batch-2016-1", file.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["loaded"], 3);
    assert_eq!(r.body["counties"], json!(["370831"]));
    let errors: Vec<(i64, String, String)> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let rows: Vec<(i64, &str)> = errors.iter().map(|e| (e.0, e.1.as_str())).collect();
    assert_eq!(
        rows,
        vec![
            (5, "id_number"),
            (6, "id_number"),
            (7, "id_number"),
            (8, "hit_type"),
            (9, "details")
        ]
    );
    // Another county's person and an unregistered person get the same answer: nothing tells
    // whether the person exists elsewhere.
    assert_eq!(errors[0].2, errors[1].2);
    assert!(errors[0].2.contains("within your scope"), "{}", errors[0].2);
    assert!(!errors.iter().any(|e| e.2.contains(&p.w1)));
    let batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    // The same file again loads nothing.
    let r = import(&x, &x.approver, "again", file).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "batch_exists");
    assert_eq!(hits_of(&x, &x.approver, &batch).await.len(), 3);
    // Each village sees its own hits only; the township sees both villages.
    let v1 = hits_of(&x, &x.clerk, &batch).await;
    assert_eq!(v1.len(), 2);
    assert!(v1.iter().all(|h| h["village_code"] == V1));
    assert_eq!(v1[0]["id_masked"].as_str().map(str::len), Some(18));
    assert!(
        !v1[0].to_string().contains(&p.p1),
        "full ID numbers never show"
    );
    assert_eq!(hits_of(&x, &x.clerk2, &batch).await.len(), 1);
    assert_eq!(hits_of(&x, &x.reviewer, &batch).await.len(), 3);
    assert_eq!(hits_of(&x, &x.stranger, &batch).await.len(), 0);
    let r = x
        .app
        .get(&format!("/api/v1/property-checks/{batch}"), &x.stranger)
        .await;
    assert_eq!(r.status, 404);
    // The village sees the batch with the cut-off it verifies against (the province's setting).
    let r = x
        .app
        .get(&format!("/api/v1/property-checks/{batch}"), &x.clerk)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["identification_cutoff"], "2015-10-26");
    let r = x.app.get("/api/v1/property-checks", &x.reviewer).await;
    assert!(
        r.body
            .as_array()
            .is_some_and(|b| b.iter().all(|b| b["identification_cutoff"] == "2015-10-26")),
        "{:?}",
        r.body
    );
    // The city's checker imports for all its counties: Wenshang's person goes to Wenshang; a
    // fact already waiting for verification is not loaded twice.
    let city = x.app.token("checker.city").await;
    let r = import(
        &x,
        &city,
        "city-batch",
        csv(&[
            (&p.w1, "车辆", "鲁H54321"),
            (&p.p1, "车辆", "鲁H12345 小型轿车"),
        ]),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["loaded"], 1);
    assert_eq!(r.body["counties"], json!(["370830"]));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("waits for verification")
    );
    let city_batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    assert_eq!(hits_of(&x, &x.stranger, &city_batch).await.len(), 1);
    assert_eq!(hits_of(&x, &x.approver, &city_batch).await.len(), 0);
    // A village clerk does not import.
    let r = import(&x, &x.clerk, "x", csv(&[(&p.p1, "车辆", "y")])).await;
    assert_eq!(r.status, 403);
    // A bad sheet is refused whole.
    let r = import(&x, &x.approver, "x", b"foo,bar\n1,2\n".to_vec()).await;
    assert_eq!(r.status, 422);
    let _ = &p.households;
}

#[actix_web::test]
async fn verification_follows_the_cutoff_and_the_veto_conditions() {
    let mut x = setup().await;
    let p = people(&mut x).await;
    let r = import(
        &x,
        &x.approver,
        "b",
        csv(&[
            (&p.p1, "车辆", "鲁H12345"),
            (&p.p2, "经济实体", "个体工商户"),
            (&p.p3, "养老金", "城镇职工养老金"),
        ]),
    )
    .await;
    let batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    forward(&x, &batch).await;
    let hits = hits_of(&x, &x.approver, &batch).await;
    let (h1, h2, h3) = (
        hit_for(&hits, "PA").clone(),
        hit_for(&hits, "PB").clone(),
        hit_for(&hits, "PC").clone(),
    );
    // Only the village of the person verifies.
    let body = json!({"is_true": false});
    assert_eq!(verify(&x, &x.reviewer, &h1, body.clone()).await.status, 403);
    assert_eq!(verify(&x, &x.clerk2, &h1, body.clone()).await.status, 404);
    // A clerk of another county: the hit does not exist for them.
    x.app
        .user("clerk.wenshang", "370830001001", &["village_clerk"]);
    let other = x.app.token("clerk.wenshang").await;
    assert_eq!(verify(&x, &other, &h1, body).await.status, 404);
    // A veto without a condition; an unknown condition; a no-veto without a reason.
    let r = verify(
        &x,
        &x.clerk,
        &h2,
        json!({"is_true": true, "arose_on": "2014-05-01", "veto": true}),
    )
    .await;
    assert_eq!(
        (r.status, fields(&r)),
        (422, vec!["veto_condition".to_string()])
    );
    let r = verify(
        &x,
        &x.clerk,
        &h2,
        json!({"is_true": true, "arose_on": "2014-05-01", "veto": true, "veto_condition": "yacht"}),
    )
    .await;
    assert_eq!(
        (r.status, fields(&r)),
        (422, vec!["veto_condition".to_string()])
    );
    let r = verify(
        &x,
        &x.clerk,
        &h2,
        json!({"is_true": true, "arose_on": "2014-05-01", "veto": false, "veto_condition": "business_entity"}),
    )
    .await;
    assert_eq!((r.status, fields(&r)), (422, vec!["reason".to_string()]));
    // A fact after the cut-off: the veto does not apply, and the system says so.
    let r = verify(
        &x,
        &x.clerk,
        &h2,
        json!({"is_true": true, "arose_on": "2015-10-27", "veto": true, "veto_condition": "business_entity"}),
    )
    .await;
    assert_eq!((r.status, fields(&r)), (422, vec!["veto".to_string()]));
    let r = verify(
        &x,
        &x.clerk,
        &h2,
        json!({"is_true": true, "arose_on": "2015-10-27"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["proposal"], "not_applicable");
    assert_eq!(r.body["hit"]["before_cutoff"], false);
    assert!(
        r.body["note"]
            .as_str()
            .unwrap_or_default()
            .contains("does not apply")
    );
    // A fact arising exactly on the cut-off day counts as before it: the veto applies.
    let r = verify(
        &x,
        &x.clerk,
        &h1,
        json!({"is_true": true, "arose_on": "2015-10-26", "veto": true, "veto_condition": "vehicle"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["proposal"], "veto");
    assert_eq!(r.body["hit"]["before_cutoff"], true);
    // A no-veto with a reason is accepted.
    let r = verify(
        &x,
        &x.clerk2,
        &h3,
        json!({"is_true": true, "arose_on": "2013-01-01", "veto": false,
            "reason": "因病致贫,家庭确实困难"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["proposal"], "no_veto");
    // The veto conditions are the configurable list.
    let r = x.app.get("/api/v1/veto-conditions", &x.clerk).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(8));
}

#[actix_web::test]
async fn appraisal_statistics_confirmation_and_reversal() {
    let mut x = setup().await;
    let p = people(&mut x).await;
    let r = import(
        &x,
        &x.approver,
        "b",
        csv(&[
            (&p.p1, "车辆", "鲁H12345"),
            (&p.p2, "财政供养", "在编"),
            (&p.p3, "房产", "商品房"),
        ]),
    )
    .await;
    let batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    forward(&x, &batch).await;
    let hits = hits_of(&x, &x.approver, &batch).await;
    let (h1, h2, h3) = (
        hit_for(&hits, "PA").clone(),
        hit_for(&hits, "PB").clone(),
        hit_for(&hits, "PC").clone(),
    );
    let appraisals = format!("/api/v1/property-checks/{batch}/appraisals");
    let opinion = |h: &Value, o: &str| json!({"hit_id": h["id"], "opinion": o});
    let v1_body = json!({"village_code": V1, "held_on": "2016-11-01", "attendees": 23,
        "minutes": "村评议会逐户评议检索结果", "opinions": [opinion(&h1, "建议清退"), opinion(&h2, "情况不属实,保留")]});
    // Not before every hit of the village is verified.
    let r = x.app.post(&appraisals, &x.clerk, v1_body.clone()).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("unverified_hits"))
    );
    let veto = json!({"is_true": true, "arose_on": "2014-03-02", "veto": true, "veto_condition": "vehicle"});
    assert_eq!(verify(&x, &x.clerk, &h1, veto.clone()).await.status, 200);
    // A second verification from the same read (version 1) is told, not silently the last;
    // a correction names the version it corrects.
    let h1_path = format!(
        "/api/v1/property-hits/{}/verification",
        h1["id"].as_str().unwrap_or_default()
    );
    let not_true = json!({"is_true": false});
    for (tag, status) in [(Some("\"1\""), 412), (None, 428)] {
        let headers: Vec<(&str, &str)> = tag.map(|t| ("if-match", t)).into_iter().collect();
        let r = x
            .app
            .send("POST", &h1_path, Some(&x.clerk), Some(&not_true), &headers)
            .await;
        assert_eq!(r.status, status, "{:?}", r.body);
    }
    assert_eq!(verify(&x, &x.clerk, &h1, veto).await.status, 200);
    assert_eq!(
        verify(&x, &x.clerk, &h2, json!({"is_true": false}))
            .await
            .status,
        200
    );
    // Every hit needs exactly one opinion.
    let r = x
        .app
        .post(
            &appraisals,
            &x.clerk,
            json!({"village_code": V1, "held_on": "2016-11-01", "attendees": 21, "minutes": "村评议会逐户评议检索结果", "opinions": [opinion(&h1, "清退")]}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), vec!["opinions"]);
    let r = x.app.post(&appraisals, &x.clerk, v1_body.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Appraised hits are fixed.
    let r = verify(&x, &x.clerk, &h2, json!({"is_true": false})).await;
    assert_eq!(r.status, 409);
    // The township sends V1's appraisal back with a reason (seed 2): the village corrects a
    // verification and meets again; the meeting sent back keeps why.
    let send_back = format!("/api/v1/property-checks/{batch}/villages/{V1}/send-back");
    let r = x
        .app
        .post(&send_back, &x.clerk, json!({"reason": "x"}))
        .await;
    assert_eq!(
        r.status, 403,
        "the village does not send its own table back"
    );
    let r = x
        .app
        .post(&send_back, &x.reviewer, json!({"reason": " "}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), vec!["reason"]);
    let r = x
        .app
        .post(
            &send_back,
            &x.reviewer,
            json!({"reason": "第2户核实依据不足,请补充后重新评议"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body
            .as_array()
            .into_iter()
            .flatten()
            .all(|h| h["status"] == "verified"),
        "{:?}",
        r.body
    );
    let r = x
        .app
        .post(&send_back, &x.reviewer, json!({"reason": "再次退回"}))
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("not_appraised"))
    );
    let r = verify(&x, &x.clerk, &h2, json!({"is_true": false})).await;
    assert_eq!(
        r.status, 200,
        "a sent-back village corrects its verification"
    );
    let mut no_meeting = v1_body.clone();
    no_meeting["attendees"] = json!(0);
    no_meeting["minutes"] = json!("");
    let r = x.app.post(&appraisals, &x.clerk, no_meeting).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(fields(&r), vec!["attendees", "minutes"]);
    let r = x.app.post(&appraisals, &x.clerk, v1_body.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = x.app.get(&appraisals, &x.reviewer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let meetings = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(meetings.len(), 2, "{:?}", r.body);
    assert_eq!(meetings[0]["attendees"], 23);
    assert_eq!(
        meetings[0]["send_back_reason"],
        "第2户核实依据不足,请补充后重新评议"
    );
    assert_eq!(meetings[1]["send_back_reason"], Value::Null);
    // A batch that does not exist is not an empty list.
    let r = x
        .app
        .get(
            "/api/v1/property-checks/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/appraisals",
            &x.reviewer,
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // The township cannot submit before V2 is appraised.
    let submissions = format!("/api/v1/property-checks/{batch}/submissions");
    let township = json!({"township_code": TOWNSHIP});
    let r = x
        .app
        .post(&submissions, &x.reviewer, township.clone())
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("not_appraised"))
    );
    assert_eq!(
        verify(
            &x,
            &x.clerk2,
            &h3,
            json!({"is_true": true, "arose_on": "2019-06-01"})
        )
        .await
        .status,
        200
    );
    let r = x
        .app
        .post(
            &appraisals,
            &x.clerk2,
            json!({"village_code": V2, "held_on": "2016-11-02", "attendees": 21, "minutes": "村评议会逐户评议检索结果", "opinions": [opinion(&h3, "识别后购房,不适用否决")]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Confirmation waits for the submission; only the township submits.
    let confirmations = format!("/api/v1/property-checks/{batch}/confirmations");
    let r = x
        .app
        .post(&confirmations, &x.approver, township.clone())
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("not_submitted"))
    );
    assert_eq!(
        x.app
            .post(&submissions, &x.clerk, township.clone())
            .await
            .status,
        403
    );
    let r = x
        .app
        .post(&submissions, &x.reviewer, township.clone())
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r2 = x
        .app
        .post(&send_back, &x.reviewer, json!({"reason": "提交后再退回"}))
        .await;
    assert_eq!(
        (r2.status, r2.body["code"].as_str()),
        (409, Some("submitted")),
        "not after the township's table is in"
    );
    let total = r.body["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["hit_type"] == "total")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &total["hits"],
            &total["true"],
            &total["not_true"],
            &total["before_cutoff"],
            &total["after_cutoff"],
            &total["veto"],
            &total["no_veto"]
        ),
        (
            &json!(3),
            &json!(2),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(0)
        )
    );
    // The tables as CSV and XLSX.
    let csv = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/statistics?format=csv"),
            &x.reviewer,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap_or_default();
    assert!(
        text.contains("检索类型") && text.contains("合计,3,3,0,2,1,1,1,1,0,0,0"),
        "{text}"
    );
    let xlsx = x
        .app
        .send(
            "GET",
            &format!("/api/v1/property-checks/{batch}/opinions?format=xlsx&region={V1}"),
            Some(&x.clerk),
            None,
            &[],
        )
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-type")
            .unwrap_or_default()
            .contains("spreadsheetml")
    );
    let ops = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/opinions"),
            &x.clerk,
        )
        .await;
    assert_eq!(ops.body.as_array().map(Vec::len), Some(2));
    assert_eq!(ops.body[0]["opinion"], "建议清退");
    // The first household is an exited one under monitoring meanwhile (an unstable exited
    // household): the veto closes its case, which would otherwise set it back to exited.
    let a = &p.households[0];
    let sql = format!("UPDATE households SET status = 'exited' WHERE id = '{a}'");
    x.app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::execute(diesel::sql_query(&sql), c)
    });
    let today = (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string();
    let c = x
        .app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            json!({"household_id": a, "kind": "unstable_exited", "risk_types": ["illness"],
                "found_on": today, "description": "户主患重病"}),
        )
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let case = c.body["id"].as_str().unwrap_or_default().to_string();
    for (step, token) in [
        ("township-review", &x.reviewer),
        ("confirmation", &x.approver),
    ] {
        let r = x
            .app
            .post(
                &format!("/api/v1/monitoring-cases/{case}/{step}"),
                token,
                json!({"approve": true, "opinion": "经核实"}),
            )
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    // The county confirms: the veto takes the household out, with the hit as the reason.
    let r = x
        .app
        .post(&confirmations, &x.reviewer, township.clone())
        .await;
    assert_eq!(r.status, 403);
    let r = x
        .app
        .post(&confirmations, &x.approver, township.clone())
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = x.app.post(&confirmations, &x.approver, township).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("confirmed"))
    );
    let h = x
        .app
        .get(&format!("/api/v1/households/{a}"), &x.clerk)
        .await;
    assert_eq!(h.body["status"], "removed");
    let c = x
        .app
        .get(&format!("/api/v1/monitoring-cases/{case}"), &x.approver)
        .await;
    assert_eq!(
        c.body["stage"], "dismissed",
        "closed by the veto: {:?}",
        c.body
    );
    // The monitoring report counts it as ended by the veto, not as never taken into monitoring.
    let r = x
        .app
        .get("/api/v1/reports/monitoring?region=370831", &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let column = |code: &str| {
        r.body["columns"]
            .as_array()
            .and_then(|cs| cs.iter().position(|c| c["code"] == code))
            .map(|j| r.body["total"]["values"][j].clone())
    };
    assert_eq!(column("vetoed"), Some(json!(1)), "{:?}", r.body);
    assert_eq!(column("dismissed"), Some(json!(0)), "{:?}", r.body);
    let history = x
        .app
        .get(&format!("/api/v1/households/{a}/history"), &x.clerk)
        .await;
    let h1_id = h1["id"].as_str().unwrap_or_default();
    assert!(
        history.body.to_string().contains(h1_id),
        "{:?}",
        history.body
    );
    let b = &p.households[1];
    assert_eq!(
        x.app
            .get(&format!("/api/v1/households/{b}"), &x.clerk)
            .await
            .body["status"],
        "registered"
    );
    // Only the county reverses, and only with a reason.
    let reversal = format!("/api/v1/property-hits/{h1_id}/reversal");
    assert_eq!(
        x.app
            .post(&reversal, &x.reviewer, json!({"reason": "x"}))
            .await
            .status,
        403
    );
    let r = x
        .app
        .post(&reversal, &x.approver, json!({"reason": " "}))
        .await;
    assert_eq!((r.status, fields(&r)), (422, vec!["reason".to_string()]));
    let r = x
        .app
        .post(
            &reversal,
            &x.approver,
            json!({"reason": "车辆已于2015年过户给他人,复核后不符合否决情形"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["reversed_at"].is_string());
    // Back to what it was before monitoring (its case is closed), not to monitored.
    assert_eq!(
        x.app
            .get(&format!("/api/v1/households/{a}"), &x.clerk)
            .await
            .body["status"],
        "exited"
    );
    let r = x
        .app
        .post(&reversal, &x.approver, json!({"reason": "again"}))
        .await;
    assert_eq!(r.status, 409);
}

#[actix_web::test]
async fn a_fact_verified_once_is_reused_and_hits_stay_confidential() {
    let mut x = setup().await;
    x.app.user("auditor.county", "370831", &["auditor"]);
    x.app.user("team", V1, &["team_member"]);
    let p = people(&mut x).await;
    let r = import(
        &x,
        &x.approver,
        "first",
        csv(&[(&p.p1, "车辆", "鲁H12345")]),
    )
    .await;
    let first = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    forward(&x, &first).await;
    let hits = hits_of(&x, &x.clerk, &first).await;
    let r = verify(
        &x,
        &x.clerk,
        &hits[0],
        json!({"is_true": true, "arose_on": "2016-01-01"}),
    )
    .await;
    assert_eq!(r.status, 200);
    // Not reused until the village appraisal fixes it.
    let r = x
        .app
        .post(
            &format!("/api/v1/property-checks/{first}/appraisals"),
            &x.clerk,
            json!({"village_code": V1, "held_on": "2016-11-01", "attendees": 23, "minutes": "评议会记录",
                "opinions": [{"hit_id": hits[0]["id"], "opinion": "识别后购车,不适用否决"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The same fact in a later batch (details written a little differently) reuses the result.
    let r = import(
        &x,
        &x.approver,
        "second",
        csv(&[(&p.p1, "vehicle", "鲁Ｈ12345 "), (&p.p2, "车辆", "鲁H9")]),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["reused"], 1);
    let second = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    forward(&x, &second).await;
    let hits2 = hits_of(&x, &x.clerk, &second).await;
    let reused = hit_for(&hits2, "PA").clone();
    assert_eq!(reused["status"], "verified");
    assert_eq!(reused["proposal"], "not_applicable");
    assert_eq!(reused["reused_from"], hits[0]["id"]);
    let r = verify(&x, &x.clerk, &reused, json!({"is_true": false})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (409, Some("reused")));
    let id = reused["id"].as_str().unwrap_or_default();
    let r = x
        .app
        .get(&format!("/api/v1/property-hits/{id}"), &x.clerk)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["reused"]["id"], hits[0]["id"]);
    // Roles that do not handle hits do not see them.
    let auditor = x.app.token("auditor.county").await;
    let team = x.app.token("team").await;
    for t in [&auditor, &team, &x.city] {
        assert_eq!(x.app.get("/api/v1/property-hits", t).await.status, 403);
        assert_eq!(
            x.app
                .get(&format!("/api/v1/property-hits/{id}"), t)
                .await
                .status,
            403
        );
        assert_eq!(
            x.app
                .get(&format!("/api/v1/property-checks/{first}/statistics"), t)
                .await
                .status,
            403
        );
    }
    // Every read is in the audit log, with who read which hits.
    let admin = x.app.token("admin.370831").await;
    let log = x
        .app
        .get("/api/v1/audit-events?action=property_hit.read", &admin)
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let entries = log.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["object_id"], id);
    let log = x
        .app
        .get("/api/v1/audit-events?action=property_hit.list", &admin)
        .await;
    // The two lists the clerk read (refused reads read nothing).
    assert_eq!(log.body["items"].as_array().map_or(0, Vec::len), 2);
}

mod xlsx;
