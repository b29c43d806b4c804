//! Routing of a property-check batch through the township (issue 22, seed 2: 乡脱贫攻坚工作站将
//! 检索结果转给各挂点领导,各挂点领导将有关信息分别下发对应的村委): the station assigns its
//! villages' liaison leaders, forwards a batch to them, each leader forwards his village's hits
//! to the committee, and only then does the village verify (`property_check.routing_required`).

use serde_json::{Value, json};
use uuid::Uuid;

use crate::exit::{Exit, TOWNSHIP, V1, V2, setup};
use crate::property::{csv, hit_for, hits_of, import, people, verify};

/// The township station forwards the batch to its leaders; with no liaison leader assigned,
/// the villages of `TOWNSHIP` receive their hits directly, so they may verify them
/// (`property_check.routing_required`).
pub async fn forward(x: &Exit, batch: &str) {
    let r = x
        .app
        .post(
            &format!("/api/v1/property-checks/{batch}/townships/{TOWNSHIP}/forward"),
            &x.reviewer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

fn fields(r: &crate::helpers::Resp) -> Vec<(String, String)> {
    r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn assign(x: &Exit, token: &str, liaisons: Value) -> crate::helpers::Resp {
    x.app
        .send(
            "PUT",
            &format!("/api/v1/townships/{TOWNSHIP}/liaisons"),
            Some(token),
            Some(&json!({ "liaisons": liaisons })),
            &[],
        )
        .await
}

async fn forward_township(x: &Exit, token: &str, batch: &str) -> crate::helpers::Resp {
    x.app
        .post(
            &format!("/api/v1/property-checks/{batch}/townships/{TOWNSHIP}/forward"),
            token,
            json!({}),
        )
        .await
}

async fn forward_village(x: &Exit, token: &str, batch: &str, v: &str) -> crate::helpers::Resp {
    x.app
        .post(
            &format!("/api/v1/property-checks/{batch}/villages/{v}/forward"),
            token,
            json!({}),
        )
        .await
}

/// A batch with a hit in V1 (household PA) and one in V2 (PC).
async fn batch(x: &mut Exit) -> String {
    let p = people(x).await;
    let r = import(
        x,
        &x.approver,
        "routing",
        csv(&[
            (&p.p1, "车辆", "鲁H12345 小型轿车"),
            (&p.p3, "房产", "城区商品房一套"),
        ]),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["batch_id"].as_str().unwrap_or_default().to_string()
}

/// Two liaison leaders at the township, and users who may not be one.
struct Leaders {
    a: Uuid,
    b: Uuid,
    a_token: String,
    b_token: String,
    funds: Uuid,
    elsewhere: Uuid,
    wenshang: Uuid,
}

async fn leaders(x: &mut Exit) -> Leaders {
    let a = x.app.user("liaison.a", TOWNSHIP, &["township_liaison"]);
    let b = x.app.user("liaison.b", TOWNSHIP, &["township_liaison"]);
    let funds = x.app.user("funds.t", TOWNSHIP, &["fund_officer"]);
    let elsewhere = x.app.user("liaison.x", "370831001", &["township_liaison"]);
    let wenshang = x.app.user("liaison.w", "370830001", &["township_liaison"]);
    Leaders {
        a,
        b,
        a_token: x.app.token("liaison.a").await,
        b_token: x.app.token("liaison.b").await,
        funds,
        elsewhere,
        wenshang,
    }
}

#[actix_web::test]
async fn the_station_assigns_liaison_leaders_and_refuses_wrong_ones_by_name() {
    let mut x = setup().await;
    let l = leaders(&mut x).await;
    let r = assign(
        &x,
        &x.reviewer,
        json!([{"village_code": V1, "user_id": l.a}, {"village_code": V2, "user_id": l.b}]),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let list = x
        .app
        .get(
            &format!("/api/v1/townships/{TOWNSHIP}/liaisons"),
            &x.reviewer,
        )
        .await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let rows = list.body.as_array().cloned().unwrap_or_default();
    let of = |v: &str| {
        rows.iter()
            .find(|r| r["village_code"] == v)
            .cloned()
            .unwrap_or_else(|| panic!("no {v} in {rows:?}"))
    };
    assert_eq!(of(V1)["user_id"], json!(l.a));
    assert_eq!(of(V1)["display_name"], "liaison.a");
    assert_eq!(of(V2)["user_id"], json!(l.b));
    // Every village of the township is listed, those without a leader too.
    assert!(rows.len() > 2);
    assert!(rows.iter().any(|r| r["user_id"].is_null()));
    // A village of another township, a user of another township, a township user without a
    // forwarding role, an unknown id, another county's user and a disabled leader: each
    // refused by name, the users alike (nothing tells whether an account exists, where, what it
    // holds or whether it is disabled: the station does not read accounts).
    let unknown = Uuid::new_v4();
    let gone = x.app.user("liaison.gone", TOWNSHIP, &["township_liaison"]);
    let admin = x.app.token("admin.370831").await;
    let r = x
        .app
        .post(&format!("/api/v1/users/{gone}/disable"), &admin, json!({}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = assign(
        &x,
        &x.reviewer,
        json!([
            {"village_code": "370831001003", "user_id": l.a},
            {"village_code": V1, "user_id": l.elsewhere},
            {"village_code": V2, "user_id": l.funds},
            {"village_code": "370831101203", "user_id": unknown},
            {"village_code": "370831101204", "user_id": l.wenshang},
            {"village_code": "abc", "user_id": l.a},
        ]),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let f = fields(&r);
    assert_eq!(
        f.len(),
        1,
        "the malformed code is refused before the rest: {f:?}"
    );
    assert_eq!(f[0].0, "liaisons[5].village_code");
    let r = assign(
        &x,
        &x.reviewer,
        json!([
            {"village_code": "370831001003", "user_id": l.a},
            {"village_code": V1, "user_id": l.elsewhere},
            {"village_code": V2, "user_id": l.funds},
            {"village_code": "370831101203", "user_id": unknown},
            {"village_code": "370831101204", "user_id": l.wenshang},
            {"village_code": "370831101205", "user_id": gone},
            {"village_code": V1, "user_id": l.b},
        ]),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let f = fields(&r);
    let names: Vec<&str> = f.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "liaisons[0].village_code",
            "liaisons[1].user_id",
            "liaisons[2].user_id",
            "liaisons[3].user_id",
            "liaisons[4].user_id",
            "liaisons[5].user_id",
            "liaisons[6].village_code",
        ]
    );
    assert!(f[0].1.contains("not a village of township"), "{}", f[0].1);
    assert!(f[2].1.contains("property:forward"), "{}", f[2].1);
    for e in &f[2..=5] {
        assert_eq!(e.1, f[1].1, "{f:?}");
    }
    assert!(f[6].1.contains("twice"), "{}", f[6].1);
    // Nothing changed.
    let list = x
        .app
        .get(
            &format!("/api/v1/townships/{TOWNSHIP}/liaisons"),
            &x.reviewer,
        )
        .await;
    assert_eq!(list.body, json!(rows));
    // Only the station assigns; another county does not see the township.
    assert_eq!(assign(&x, &l.a_token, json!([])).await.status, 403);
    assert_eq!(assign(&x, &x.stranger, json!([])).await.status, 403);
    x.app
        .user("reviewer.wenshang", "370830001", &["township_reviewer"]);
    let wen = x.app.token("reviewer.wenshang").await;
    assert_eq!(assign(&x, &wen, json!([])).await.status, 404);
    assert_eq!(
        x.app
            .get(&format!("/api/v1/townships/{TOWNSHIP}/liaisons"), &wen)
            .await
            .status,
        404
    );
    // The assignment is audited.
    let admin = x.app.token("admin.370831").await;
    let audit = x
        .app
        .get("/api/v1/audit-events?action=township.liaisons_set", &admin)
        .await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn hits_go_through_the_station_and_the_leader_before_the_village_verifies() {
    let mut x = setup().await;
    let l = leaders(&mut x).await;
    let r = assign(
        &x,
        &x.reviewer,
        json!([{"village_code": V1, "user_id": l.a}, {"village_code": V2, "user_id": l.b}]),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let batch = batch(&mut x).await;
    let hits = hits_of(&x, &x.clerk, &batch).await;
    let h1 = hit_for(&hits, "PA").clone();
    assert!(h1["routed_at"].is_null());
    let no = json!({"is_true": false});
    // Not forwarded yet: the village has nothing to do, and may not verify.
    let inbox = x.app.get("/api/v1/me/tasks", &x.clerk).await;
    assert_eq!(inbox.body["counts"]["property_hit"], 0, "{:?}", inbox.body);
    let r = verify(&x, &x.clerk, &h1, no.clone()).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "not_routed");
    // The leader cannot forward before the station did.
    let r = forward_village(&x, &l.a_token, &batch, V1).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "not_forwarded");
    // Leaders do not forward the township; another county does not find it.
    assert_eq!(forward_township(&x, &l.a_token, &batch).await.status, 403);
    x.app
        .user("reviewer.wenshang", "370830001", &["township_reviewer"]);
    let wen = x.app.token("reviewer.wenshang").await;
    assert_eq!(forward_township(&x, &wen, &batch).await.status, 404);
    let r = forward_township(&x, &x.reviewer, &batch).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["forwarded_at"].is_string());
    // Both villages have leaders: nothing reached them yet.
    let villages = r.body["villages"].as_array().cloned().unwrap_or_default();
    assert_eq!(villages.len(), 2);
    assert!(villages.iter().all(|v| v["routed_at"].is_null()));
    assert_eq!(villages[0]["liaison_id"], json!(l.a));
    let r = forward_township(&x, &x.reviewer, &batch).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "forwarded");
    assert_eq!(verify(&x, &x.clerk, &h1, no.clone()).await.status, 409);
    // Leader B is not V1's leader; another county does not find V1.
    let r = forward_village(&x, &l.b_token, &batch, V1).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = forward_village(&x, &x.stranger, &batch, V1).await;
    assert_eq!(
        r.status, 403,
        "the stranger lacks property:forward: {:?}",
        r.body
    );
    assert_eq!(forward_village(&x, &wen, &batch, V1).await.status, 404);
    // Leader A forwards to V1.
    let r = forward_village(&x, &l.a_token, &batch, V1).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["leader_id"], json!(l.a));
    assert_eq!(r.body["routed_by"], json!(l.a));
    assert_eq!(r.body["direct"], false);
    let r = forward_village(&x, &l.a_token, &batch, V1).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "forwarded");
    // Now the village has the hit in its inbox, verifies, and its hits show how they came.
    let inbox = x.app.get("/api/v1/me/tasks", &x.clerk).await;
    assert_eq!(inbox.body["counts"]["property_hit"], 1, "{:?}", inbox.body);
    let r = verify(&x, &x.clerk, &h1, no.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["leader_id"], json!(l.a), "{:?}", r.body);
    assert!(r.body["hit"]["routed_at"].is_string());
    // V2 is still waiting; the station forwards it on leader B's behalf.
    let h3 = hit_for(&hits_of(&x, &x.clerk2, &batch).await, "PC").clone();
    assert_eq!(verify(&x, &x.clerk2, &h3, no.clone()).await.status, 409);
    let r = forward_village(&x, &x.reviewer, &batch, V2).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["leader_id"], json!(l.b));
    assert_ne!(r.body["routed_by"], json!(l.b));
    assert_eq!(verify(&x, &x.clerk2, &h3, no).await.status, 200);
    // The routing table: the township, then a village's own view.
    let r = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/routing"),
            &x.reviewer,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(1));
    assert_eq!(r.body[0]["township_code"], format!("{TOWNSHIP}000"));
    let vs = r.body[0]["villages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(vs.len(), 2);
    assert!(
        vs.iter()
            .all(|v| v["routed_at"].is_string() && v["pending"] == 0)
    );
    // The table names who the leaders are, not only their ids.
    let v1 = vs.iter().find(|v| v["village_code"] == V1).cloned();
    let v1 = v1.unwrap_or_default();
    assert_eq!(
        (&v1["leader_name"], &v1["liaison_name"]),
        (&json!("liaison.a"), &json!("liaison.a")),
        "{vs:?}"
    );
    let v2 = vs.iter().find(|v| v["village_code"] == V2).cloned();
    assert_eq!(v2.unwrap_or_default()["leader_name"], "liaison.b");
    let r = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/routing"),
            &x.clerk,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body[0]["villages"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body[0]["villages"][0]["village_code"], V1);
    let r = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/routing"),
            &x.stranger,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[actix_web::test]
async fn a_village_without_a_leader_is_forwarded_directly_by_the_station() {
    let mut x = setup().await;
    let l = leaders(&mut x).await;
    // Only V2 has a leader.
    let r = assign(
        &x,
        &x.reviewer,
        json!([{"village_code": V2, "user_id": l.b}]),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let batch = batch(&mut x).await;
    let r = forward_township(&x, &x.reviewer, &batch).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let vs = r.body["villages"].as_array().cloned().unwrap_or_default();
    let v1 = vs.iter().find(|v| v["village_code"] == V1).cloned();
    let v1 = v1.unwrap_or_default();
    assert_eq!(v1["direct"], true, "{vs:?}");
    assert!(v1["routed_at"].is_string());
    assert!(v1["leader_id"].is_null());
    assert!(v1["leader_name"].is_null());
    let v2 = vs.iter().find(|v| v["village_code"] == V2).cloned();
    assert!(v2.unwrap_or_default()["routed_at"].is_null());
    // V1 had no leader: it is forwarded already, and verifies.
    assert_eq!(
        forward_village(&x, &x.reviewer, &batch, V1).await.status,
        409
    );
    let h1 = hit_for(&hits_of(&x, &x.clerk, &batch).await, "PA").clone();
    let r = verify(&x, &x.clerk, &h1, json!({"is_true": false})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Leader A leads no village: he forwards none.
    let r = forward_village(&x, &l.a_token, &batch, V2).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}

#[actix_web::test]
async fn with_routing_off_the_village_verifies_what_it_received() {
    let mut x = setup().await;
    let admin = x.app.token("admin.370831").await;
    let tag = x
        .app
        .get("/api/v1/settings/370831", &admin)
        .await
        .header("etag")
        .unwrap_or_default();
    let r = x
        .app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"property_check": {"routing_required": false}}})),
            &[("if-match", tag.as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let batch = batch(&mut x).await;
    let h1 = hit_for(&hits_of(&x, &x.clerk, &batch).await, "PA").clone();
    let r = verify(&x, &x.clerk, &h1, json!({"is_true": false})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["hit"]["routed_at"].is_null());
}
