//! Correcting a recorded assistance measure: If-Match, history, audit, field errors, scope.

use super::*;

#[actix_web::test]
async fn a_measure_is_corrected_with_if_match_and_leaves_a_trace() {
    let (mut app, t) = setup().await;
    app.user("clerk.w", "370830001001", &["village_clerk"]);
    app.user("auditor", "370831", &["auditor"]);
    let tw = app.token("clerk.w").await;
    let ta = app.token("auditor").await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("M1", "370831001003", &[id_number("370831", 61)]),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let m = json!({"kind": "industry", "date": "2019-05-01", "amount_fen": 300_000, "responsible": "李干部", "description": "发放鸡苗"});
    let r = app
        .post(&format!("/api/v1/households/{id}/measures"), &t, m)
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    let mid = r.body["id"].as_str().unwrap_or_default().to_string();
    let path = format!("/api/v1/households/{id}/measures/{mid}");
    let fixed = json!({"kind": "employment", "date": "2019-05-02", "amount_fen": 250_000, "responsible": "李干部", "description": "公益岗位"});

    // Without If-Match: 428; with a stale one: 412, and nothing is written.
    let r = app.send("PUT", &path, Some(&t), Some(&fixed), &[]).await;
    assert_eq!(r.status, 428, "{:?}", r.body);
    let r = app
        .send(
            "PUT",
            &path,
            Some(&t),
            Some(&fixed),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 412, "{:?}", r.body);
    let list = app
        .get(&format!("/api/v1/households/{id}/measures"), &t)
        .await;
    assert_eq!(
        list.body[0]["kind"], "industry",
        "a stale write changes nothing"
    );

    // A bad field: 422 naming it, nothing written.
    let bad =
        json!({"kind": "industry", "date": "2019-05-01", "amount_fen": -1, "responsible": ""});
    let r = app
        .send("PUT", &path, Some(&t), Some(&bad), &[("if-match", "\"1\"")])
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        fields.contains(&"amount_fen") && fields.contains(&"responsible"),
        "{fields:?}"
    );

    // Another county's clerk: 404, whatever the version.
    let r = app
        .send(
            "PUT",
            &path,
            Some(&tw),
            Some(&fixed),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // A measure id of another household (or none at all): 404.
    let other = app
        .post(
            "/api/v1/households",
            &t,
            household("M2", "370831001003", &[id_number("370831", 62)]),
        )
        .await;
    let oid = other.body["id"].as_str().unwrap_or_default();
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/households/{oid}/measures/{mid}"),
            Some(&t),
            Some(&fixed),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);

    // The correction: the new version in the body and the ETag.
    let r = app
        .send(
            "PUT",
            &path,
            Some(&t),
            Some(&fixed),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["kind"], "employment");
    assert_eq!(r.body["amount_fen"], 250_000);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    // The old version is stale now.
    let r = app
        .send(
            "PUT",
            &path,
            Some(&t),
            Some(&fixed),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 412);

    // The history names who changed what, before and after.
    let h = app
        .get(&format!("/api/v1/households/{id}/history"), &t)
        .await;
    let ev = h.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["kind"] == "measure_updated"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ev["actor_username"], "clerk", "{ev}");
    assert_eq!(ev["changes"]["measure_id"], mid.as_str());
    assert_eq!(ev["changes"]["kind"], json!(["industry", "employment"]));
    assert_eq!(ev["changes"]["amount_fen"], json!([300_000, 250_000]));
    assert!(
        ev["changes"].get("responsible").is_none(),
        "unchanged fields are left out"
    );
    // And the audit log has it.
    let a = app
        .get("/api/v1/audit-events?action=household.measure_updated", &ta)
        .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert!(
        a.body["items"]
            .as_array()
            .is_some_and(|x| x.iter().any(|e| e["object_id"] == id.as_str())),
        "{:?}",
        a.body
    );
}
