//! Changes, history, idempotency, members, years and measures, lists, exports, key rotation, aggregates.

use super::*;

#[actix_web::test]
async fn changes_need_if_match_and_history_answers_as_of() {
    let (app, t) = setup().await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("C1", "370831001003", &[id_number("370831", 12)]),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let path = format!("/api/v1/households/{id}");
    let change = json!({"address": "新地址", "reason": "搬家"});
    assert_eq!(
        app.send("PATCH", &path, Some(&t), Some(&change), &[])
            .await
            .status,
        428
    );
    assert_eq!(
        app.send(
            "PATCH",
            &path,
            Some(&t),
            Some(&change),
            &[("if-match", "\"9\"")]
        )
        .await
        .status,
        412
    );
    assert_eq!(
        app.get(&path, &t).await.body["address"],
        "泗水县某村",
        "a stale write changes nothing"
    );
    let ok = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&change),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["address"], "新地址");
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    let r = app
        .send(
            "PATCH",
            &path,
            Some(&t),
            Some(&json!({"status": "exited"})),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 422, "status moves only through domain operations");
    let hist = app.get(&format!("{path}/history"), &t).await;
    assert_eq!(hist.body["items"][0]["kind"], "updated");
    assert_eq!(hist.body["items"][0]["reason"], "搬家");
    assert_eq!(
        hist.body["items"][0]["changes"]["address"],
        json!(["泗水县某村", "新地址"])
    );
    // Move the first event ten days back (as the owner, inside the county's scope).
    app.db.as_owner("370831", |c| {
        diesel::sql_query(
            "UPDATE household_events SET at = at - interval '10 days' WHERE kind = 'created'",
        )
        .execute(c)
    });
    let day = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::days(days))
            .date_naive()
    };
    let then = app.get(&format!("{path}?as_of={}", day(5)), &t).await;
    assert_eq!(then.status, 200, "{:?}", then.body);
    assert_eq!(then.body["address"], "泗水县某村");
    let before = app.get(&format!("{path}?as_of={}", day(20)), &t).await;
    assert_eq!(before.status, 404);
    let now = app.get(&format!("{path}?as_of={}", day(0)), &t).await;
    assert_eq!(now.body["address"], "新地址");
    assert_eq!(
        app.get(&format!("{path}?as_of=2020-13-01"), &t)
            .await
            .status,
        422
    );
}

#[actix_web::test]
async fn idempotency_key_makes_retries_safe() {
    let (app, t) = setup().await;
    let body = household("I1", "370831001003", &[id_number("370831", 13)]);
    let key = [("idempotency-key", "retry-123")];
    let first = app
        .send("POST", "/api/v1/households", Some(&t), Some(&body), &key)
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = app
        .send("POST", "/api/v1/households", Some(&t), Some(&body), &key)
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        1
    );
    let other = household("I2", "370831001003", &[id_number("370831", 14)]);
    let r = app
        .send("POST", "/api/v1/households", Some(&t), Some(&other), &key)
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "Idempotency-Key");
}

#[actix_web::test]
async fn members_keep_exactly_one_head() {
    let (app, t) = setup().await;
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household(
                "M1",
                "370831001003",
                &[id_number("370831", 15), id_number("370831", 16)],
            ),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let head = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let child = r.body["members"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let add = |rel: &str, n: u32| json!({"name": "新成员", "id_number": id_number("370831", n), "relationship": rel});
    let r = app
        .post(
            &format!("/api/v1/households/{id}/members"),
            &t,
            add("head", 17),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "relationship");
    let r = app
        .post(
            &format!("/api/v1/households/{id}/members"),
            &t,
            add("spouse", 17),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["members"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/households/{id}/members/{head}"),
            Some(&t),
            None,
            &[("if-match", "\"1\"")]
        )
        .await
        .status,
        422
    );
    // A phone is checked as on registration; a household change's reason is plain and short.
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{id}/members/{child}"),
            Some(&t),
            Some(&json!({"phone": "call me"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("phone")),
        "{:?}",
        r.body
    );
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{id}"),
            Some(&t),
            Some(&json!({"notes": "x", "reason": "长".repeat(201)})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "{:?}",
        r.body
    );
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{id}/members/{child}"),
            Some(&t),
            Some(&json!({"relationship": "head"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["head_name"], "成员1");
    let rels: Vec<&str> = r.body["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["relationship"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(rels.iter().filter(|r| **r == "head").count(), 1);
    assert!(rels.contains(&"other"));
    // A reason too long is refused under its name, and nothing is removed.
    let long = "%E6%AD%BB".repeat(201); // 死 × 201
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/households/{id}/members/{head}?reason={long}"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "reason");
    assert_eq!(
        app.get(&format!("/api/v1/households/{id}/members/{head}"), &t)
            .await
            .status,
        200
    );
    // A removal names the version it was read at: without it 428, stale 412 (nothing removed).
    let read = app
        .get(&format!("/api/v1/households/{id}/members/{head}"), &t)
        .await;
    let tag = read.header("etag").unwrap_or_default();
    let path = format!("/api/v1/households/{id}/members/{head}?reason=%E5%A9%9A%E5%87%BA");
    assert_eq!(removal(&app, &t, &path, None).await, 428);
    assert_eq!(removal(&app, &t, &path, Some("\"99\"")).await, 412);
    assert_eq!(
        app.get(&format!("/api/v1/households/{id}/members/{head}"), &t)
            .await
            .status,
        200
    );
    // The removal's reason is kept in the household's history beside it.
    assert_eq!(removal(&app, &t, &path, Some(&tag)).await, 204);
    let hist = app
        .get(&format!("/api/v1/households/{id}/history"), &t)
        .await;
    assert_eq!(
        (
            &hist.body["items"][0]["kind"],
            &hist.body["items"][0]["reason"]
        ),
        (&json!("member_removed"), &json!("婚出")),
        "{:?}",
        hist.body
    );
    // A member id under another household answers 404.
    let other = app
        .post(
            "/api/v1/households",
            &t,
            household("M2", "370831001003", &[id_number("370831", 18)]),
        )
        .await;
    let oid = other.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        app.get(&format!("/api/v1/households/{oid}/members/{child}"), &t)
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn years_and_measures() {
    let (mut app, t) = setup().await;
    app.user("auditor.sishui", "370831", &["auditor"]);
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("Y1", "370831001003", &[id_number("370831", 19)]),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let year = json!({"income_per_capita_fen": 420_000, "wage_income_fen": 600_000, "enough_food": true, "enough_clothing": true,
        "compulsory_education": true, "basic_medical": true, "safe_housing": false, "safe_drinking_water": true});
    let p = format!("/api/v1/households/{id}/years/2019");
    let r = app.send("PUT", &p, Some(&t), Some(&year), &[]).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        app.send("PUT", &p, Some(&t), Some(&year), &[]).await.status,
        428
    );
    let r = app
        .send("PUT", &p, Some(&t), Some(&year), &[("if-match", "\"1\"")])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["safe_housing"], false);
    assert_eq!(
        app.get(&format!("/api/v1/households/{id}/years"), &t)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let m = json!({"kind": "industry", "date": "2019-05-01", "amount_fen": 300_000, "responsible": "李干部", "description": "发放鸡苗"});
    let r = app
        .post(&format!("/api/v1/households/{id}/measures"), &t, m)
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = app
        .get(&format!("/api/v1/households/{id}/measures"), &t)
        .await;
    assert_eq!(list.body[0]["kind"], "industry");
    let bad = json!({"kind": "magic", "date": "2019-05-01", "responsible": ""});
    let r = app
        .post(&format!("/api/v1/households/{id}/measures"), &t, bad)
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(2));
    // Reading the yearly records and the measures is audited like reading the household (an
    // auditor who reads households sees which part).
    let admin = app.token("auditor.sishui").await;
    let log = app
        .get(
            &format!("/api/v1/audit-events?action=household.read&object_id={id}"),
            &admin,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let mut parts: Vec<String> = log.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["details"]["part"].as_str().unwrap_or_default().to_owned())
        .collect();
    parts.sort();
    assert_eq!(parts, ["measures", "years"], "{:?}", log.body);
}

#[actix_web::test]
async fn lists_filter_page_count_and_stay_in_scope() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    app.user("observer.city", "3708", &["observer"]);
    app.user("clerk.other.village", "370831001010", &["village_clerk"]);
    let tb = app.token("clerk.b").await;
    for i in 0..5_u32 {
        let mut body = household(
            &format!("L{i:02}"),
            "370831001003",
            &[id_number("370831", 100 + i)],
        );
        if i % 2 == 0 {
            body["attribute"] = json!("subsistence_allowance");
            body["poverty_causes"] = json!(["disability", "illness"]);
        }
        assert_eq!(app.post("/api/v1/households", &t, body).await.status, 201);
    }
    assert_eq!(
        app.post(
            "/api/v1/households",
            &tb,
            household("B01", "370830001001", &[id_number("370830", 1)])
        )
        .await
        .status,
        201
    );
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app
            .get(&format!("/api/v1/households?limit=2{cursor}"), &t)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        seen.extend(
            r.body["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|h| {
                    h["household_number"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                }),
        );
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["L00", "L01", "L02", "L03", "L04"]);
    let count = |q: &str| {
        let app = &app;
        let t = t.clone();
        let q = q.to_string();
        async move { app.get(&format!("/api/v1/households/count?{q}"), &t).await }
    };
    assert_eq!(
        count("attribute=subsistence_allowance").await.body["count"],
        3
    );
    assert_eq!(count("cause=disability").await.body["count"], 3);
    assert_eq!(count("status=registered&year=2015").await.body["count"], 5);
    assert_eq!(count("name=%E6%88%90%E5%91%98").await.body["count"], 5);
    assert_eq!(count("region=370831001003").await.body["count"], 5);
    assert_eq!(
        count("region=370831001010").await.status,
        422,
        "a sibling village is outside a clerk's scope"
    );
    assert_eq!(
        count("region=370830").await.status,
        422,
        "another county is outside the scope"
    );
    assert_eq!(count("status=gone").await.status, 422);
    assert_eq!(count("income_min=1").await.status, 422);
    // Income ranges use the yearly records.
    let first = app.get("/api/v1/households?limit=1", &t).await.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let year = json!({"income_per_capita_fen": 500_000, "enough_food": true, "enough_clothing": true, "compulsory_education": true,
        "basic_medical": true, "safe_housing": true, "safe_drinking_water": true});
    app.send(
        "PUT",
        &format!("/api/v1/households/{first}/years/2020"),
        Some(&t),
        Some(&year),
        &[],
    )
    .await;
    assert_eq!(
        count("income_year=2020&income_min=400000&income_max=600000")
            .await
            .body["count"],
        1
    );
    assert_eq!(
        count("income_year=2020&income_min=600000").await.body["count"],
        0
    );
    // A city auditor (household access) sees both counties; each county only its own; another
    // village nothing. The city observer's 6 is under the small-cell threshold: suppressed.
    app.user("auditor.city", "3708", &["auditor"]);
    let a = app.token("auditor.city").await;
    assert_eq!(
        app.get("/api/v1/households/count", &a).await.body["count"],
        6
    );
    let o = app.token("observer.city").await;
    let r = app.get("/api/v1/households/count", &o).await;
    assert_eq!(
        (r.body["count"].clone(), r.body["suppressed"].clone()),
        (Value::Null, json!(true)),
        "{:?}",
        r.body
    );
    assert_eq!(
        app.get("/api/v1/households/count", &tb).await.body["count"],
        1
    );
    let other = app.token("clerk.other.village").await;
    assert_eq!(
        app.get("/api/v1/households", &other).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let foreign = app.get(&format!("/api/v1/households/{first}"), &tb).await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/households/{first}/history"), &tb)
            .await
            .status,
        404
    );
    let _ = PASSWORD;
}

#[actix_web::test]
async fn a_refused_member_change_writes_nothing() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    let tb = app.token("clerk.b").await;
    let taken = id_number("370830", 31);
    let theirs = json!({"household_number": "W1", "village_code": "370830001001", "attribute": "general",
        "poverty_causes": ["illness"], "year_identified": 2016, "members": [{"name": "外县人", "id_number": taken, "relationship": "head"}]});
    assert_eq!(
        app.post("/api/v1/households", &tb, theirs).await.status,
        201
    );
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household(
                "R1",
                "370831001003",
                &[id_number("370831", 32), id_number("370831", 33)],
            ),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let child = r.body["members"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let change = json!({"relationship": "head", "id_number": taken});
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{id}/members/{child}"),
            Some(&t),
            Some(&change),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    let after = app.get(&format!("/api/v1/households/{id}"), &t).await;
    assert_eq!(after.body["head_name"], "成员0", "the head was not swapped");
    assert_eq!(after.body["members"][1]["relationship"], "child");
    assert_eq!(after.body["version"], 1);
}

#[actix_web::test]
async fn exports_need_the_permission_over_what_they_export() {
    let (mut app, t) = setup().await;
    // A county-level account whose only role is township reviewer of one township.
    let id = app.user("narrow", "370831", &[]);
    let p = app.token("platform.admin").await;
    let g = app
        .post(
            &format!("/api/v1/users/{id}/roles"),
            &p,
            json!({"role": "township_reviewer", "org_unit": "370831001"}),
        )
        .await;
    assert_eq!(g.status, 201, "{:?}", g.body);
    app.post(
        "/api/v1/households",
        &t,
        household("E1", "370831001003", &[id_number("370831", 34)]),
    )
    .await;
    app.post(
        "/api/v1/households",
        &t,
        household("E2", "370831002001", &[id_number("370831", 35)]),
    )
    .await;
    let n = app.token("narrow").await;
    // Not the whole county: an export naming no region covers where the permission is held.
    let default = app
        .send("GET", "/api/v1/exports/households", Some(&n), None, &[])
        .await;
    assert_eq!(default.status, 200, "{:?}", default.body);
    let text = default.body.to_string();
    assert!(text.contains("E1") && !text.contains("E2"), "{text}");
    let county = app
        .send(
            "GET",
            "/api/v1/exports/households?region=370831",
            Some(&n),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (county.status, county.body["errors"][0]["field"].as_str()),
        (422, Some("region")),
        "not the whole county: {:?}",
        county.body
    );
    let own = app
        .send(
            "GET",
            "/api/v1/exports/households?region=370831001",
            Some(&n),
            None,
            &[],
        )
        .await;
    assert_eq!(own.status, 200, "{:?}", own.body);
    // An export job runs bounded as the request that queued it: the township, not the county.
    let r = app
        .post("/api/v1/exports/households/jobs?format=csv", &n, json!({}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let done = crate::transfer::wait(&app, &n, &r.body).await;
    assert_eq!(done["status"], "succeeded", "{done:?}");
    let id = r.body["id"].as_str().unwrap_or_default();
    let file = app.get(&format!("/api/v1/jobs/{id}/result"), &n).await;
    let text = file.body.to_string();
    assert!(text.contains("E1") && !text.contains("E2"), "{text}");
}

/// Registers household `number` with `people`, and makes a key set with a new active key:
/// the first member's id and the rotated keys.
async fn before_rotation(
    app: &TestApp,
    t: &str,
    number: &str,
    people: &[String],
) -> (uuid::Uuid, infra::pii::DataKeys) {
    let r = app
        .post(
            "/api/v1/households",
            t,
            household(number, "370831001003", people),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let rotated = app
        .state
        .data_keys
        .with_new_random_key()
        .unwrap_or_else(|e| panic!("{e}"));
    (member, rotated)
}

#[actix_web::test]
async fn rotation_moves_every_id_number_to_the_new_key() {
    let (app, t) = setup().await;
    let person = id_number("370831", 41);
    let (member, rotated) =
        before_rotation(&app, &t, "K1", &[person.clone(), id_number("370831", 42)]).await;
    let moved = infra::app::cases::rotate::reencrypt(&app.state.db, &rotated, 1)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(moved, 2);
    assert_eq!(
        infra::app::cases::rotate::reencrypt(&app.state.db, &rotated, 1).unwrap_or(99),
        0,
        "nothing left to move"
    );
    let (key, cipher): (i16, Vec<u8>) = app.db.as_owner("370831", |c| {
        infra::schema::members::table
            .filter(infra::schema::members::id.eq(member))
            .select((
                infra::schema::members::id_key,
                infra::schema::members::id_cipher,
            ))
            .first(c)
    });
    assert_eq!(key, rotated.active());
    assert_eq!(
        rotated.decrypt(key, member, &cipher).ok().as_deref(),
        Some(person.as_str())
    );
    // The blind index did not change: search still finds the person.
    let hit = app
        .post("/api/v1/members/search", &t, json!({"id_number": person}))
        .await;
    assert_eq!(hit.body["items"].as_array().map(Vec::len), Some(1));
}

/// A row held by other work while the rotation runs is skipped, so the command must not report
/// success: the old key would then be dropped with a value still under it.
#[actix_web::test]
async fn rotation_fails_while_a_row_stays_locked_and_finishes_when_run_again() {
    let (app, t) = setup().await;
    let (member, rotated) = before_rotation(&app, &t, "K2", &[id_number("370831", 43)]).await;
    // Another transaction holds the member's row for the whole run.
    let (locked, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let owner = app.db.owner_url();
    let holder = std::thread::spawn(move || {
        let mut c = PgConnection::establish(secrecy::ExposeSecret::expose_secret(&owner))
            .unwrap_or_else(|e| panic!("{e}"));
        c.transaction(|c| {
            diesel::sql_query(
                "SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true)",
            )
            .execute(c)?;
            diesel::sql_query("SELECT id FROM members WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Uuid, _>(member)
                .execute(c)?;
            let _ = locked.0.send(());
            let _ = release.1.recv();
            diesel::QueryResult::Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    });
    let _ = locked.1.recv();
    let refused = infra::app::cases::rotate::reencrypt(&app.state.db, &rotated, 10);
    let message = format!("{refused:?}");
    assert!(
        refused.is_err() && message.contains("1 are still under another key"),
        "{message}"
    );
    let _ = release.0.send(());
    let _ = holder.join();
    assert_eq!(
        infra::app::cases::rotate::reencrypt(&app.state.db, &rotated, 10).ok(),
        Some(1),
        "the held row, moved by the second run"
    );
}

/// Issue 23 item 10: a Wenshang clerk registered `3708310000001`, Sishui's prefix and a number
/// used there. A number carrying a county prefix must carry the household's county.
#[actix_web::test]
async fn a_household_number_with_a_county_prefix_must_be_the_households_county() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk.w", "370830102202", &["village_clerk"]);
    let w = app.token("clerk.w").await;
    let r = app
        .post(
            "/api/v1/households",
            &w,
            household("3708310000001", "370830102202", &[id_number("370830", 1)]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "household_number");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("370830")),
        "{:?}",
        r.body
    );
    // A number carrying another village's full code (the national 户编号) is refused too, the
    // same whether or not that village holds it: numbers of a village the clerk does not see
    // are not probed through the county-wide unique key.
    let r = app
        .post(
            "/api/v1/households",
            &w,
            household(
                "3708301022030001",
                "370830102202",
                &[id_number("370830", 5)],
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "household_number");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("370830102203") && m.contains("370830102202")),
        "{:?}",
        r.body
    );
    // Its own prefix, its own village's code, and numbers of the county's own scheme, are fine.
    for (number, n) in [
        ("3708300000001", 2),
        ("WS-000001", 3),
        ("1234567", 4),
        ("3708301022020001", 6),
        // A county serial after its code, whose digits happen to spell another village's.
        ("3708301022031", 7),
    ] {
        let r = app
            .post(
                "/api/v1/households",
                &w,
                household(number, "370830102202", &[id_number("370830", n)]),
            )
            .await;
        assert_eq!(r.status, 201, "{number}: {:?}", r.body);
    }
}

/// Issue 23, item 2: the province observer (no household access) recovered one person's income,
/// attribute and cause from `GET /households/count` with her name, her village and halved income
/// ranges. Counts without household access now obey the rules of reports: no name, income only in
/// whole bands, small counts suppressed; every count is audited. Household access keeps the
/// full filters.
#[actix_web::test]
async fn aggregates_never_single_out_a_person() {
    let (mut app, t) = setup().await;
    app.user("observer.province", "37", &["observer"]);
    app.user("auditor.province", "37", &["auditor"]);
    const VILLAGE: &str = "370831001003";
    for i in 0..12_u32 {
        let mut body = household(
            &format!("S{i:02}"),
            VILLAGE,
            &[id_number("370831", 300 + i)],
        );
        if i == 0 {
            body["members"][0]["name"] = json!("韩伟");
            body["attribute"] = json!("subsistence_allowance");
            body["poverty_causes"] = json!(["disability"]);
        }
        let r = app.post("/api/v1/households", &t, body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap_or_default().to_string();
        let income = if i == 0 {
            523_456
        } else {
            800_000 + i64::from(i)
        };
        let year = json!({"income_per_capita_fen": income, "enough_food": true, "enough_clothing": true,
            "compulsory_education": true, "basic_medical": true, "safe_housing": true, "safe_drinking_water": true});
        let r = app
            .send(
                "PUT",
                &format!("/api/v1/households/{id}/years/2020"),
                Some(&t),
                Some(&year),
                &[],
            )
            .await;
        assert!(r.status < 300, "{:?}", r.body);
    }
    let o = app.token("observer.province").await;
    let count = |q: &str, who: &str| {
        let app = &app;
        let (q, who) = (q.to_string(), who.to_string());
        async move {
            app.get(
                &format!("/api/v1/households/count?region={VILLAGE}&{q}"),
                &who,
            )
            .await
        }
    };
    let field_of = |b: &Value| -> Vec<String> {
        b["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // The attack as sent: name, village, year and an income pair, halved.
    let name = "name=%E9%9F%A9%E4%BC%9F";
    let r = count(
        &format!("{name}&income_year=2020&income_min=0&income_max=1000000"),
        &o,
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(field_of(&r.body), vec!["name"]);
    assert!(r.body.to_string().contains("singles out a person"));
    for (lo, hi, fields) in [
        (500_000, 550_000, vec!["income_max"]),
        (523_000, 524_000, vec!["income_min", "income_max"]),
        (523_456, 523_456, vec!["income_min", "income_max"]),
        (500_000, 600_000, vec!["income_max"]),
    ] {
        let r = count(
            &format!("income_year=2020&income_min={lo}&income_max={hi}"),
            &o,
        )
        .await;
        assert_eq!(r.status, 422, "{lo}..{hi}: {:?}", r.body);
        assert_eq!(field_of(&r.body), fields);
    }
    // Whole bands (1000 yuan by default) are allowed; a band holding one household is suppressed,
    // as is her attribute and her cause: counts of 1 are never shown.
    for q in [
        "income_year=2020&income_min=500000&income_max=599999",
        "attribute=subsistence_allowance",
        "cause=disability",
    ] {
        let r = count(q, &o).await;
        assert_eq!(r.status, 200, "{q}: {:?}", r.body);
        assert_eq!(r.body["count"], Value::Null, "{q}: {:?}", r.body);
        assert_eq!(r.body["suppressed"], true);
        assert_eq!(r.body["min_cell"], 10);
    }
    // Cells of ten or more are shown.
    let r = count("income_year=2020&income_min=0&income_max=999999", &o).await;
    assert_eq!(
        (r.body["count"].clone(), r.body["suppressed"].clone()),
        (json!(12), json!(false))
    );
    // Reports obey the same rule (the same code): the village's attribute cells are hidden.
    let r = app
        .get(
            "/api/v1/reports/households?region=370831001&by=attribute",
            &o,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body["suppressed_cells"].as_i64().unwrap_or(0) >= 1,
        "{:?}",
        r.body
    );
    // Household access keeps the full filters in its own scope: the clerk, and an auditor above
    // the county (cases:drilldown).
    let a = app.token("auditor.province").await;
    for who in [&t, &a] {
        let r = count(
            &format!("{name}&income_year=2020&income_min=523456&income_max=523456"),
            who,
        )
        .await;
        assert_eq!(
            (r.status, r.body["count"].clone()),
            (200, json!(1)),
            "{:?}",
            r.body
        );
        assert_eq!(r.body["suppressed"], false);
    }
    // Every count is audited, with its filters.
    let audit = app
        .get("/api/v1/audit-events?action=household.count&limit=100", &a)
        .await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let items = audit.body["items"].as_array().cloned().unwrap_or_default();
    // Observer: 4 answered counts; clerk and auditor: one each.
    assert_eq!(items.len(), 6, "{:?}", audit.body);
    assert!(items.iter().any(|e| e.to_string().contains("韩伟")));
}

/// The status of a member's removal at `path`, with `If-Match: tag` when given.
async fn removal(app: &crate::helpers::TestApp, t: &str, path: &str, tag: Option<&str>) -> u16 {
    let headers: Vec<(&str, &str)> = tag.map(|t| ("if-match", t)).into_iter().collect();
    app.send("DELETE", path, Some(t), None, &headers)
        .await
        .status
}
