//! Households and members: registration, validation, personal data, search, reveal, history,
//! concurrency, idempotency, lists.

use diesel::prelude::*;
use domain::cases::id_number::with_check_character;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

/// A valid ID number born on 1980-01-01 + `n` days' worth of sequence, county prefix `prefix`.
pub fn id_number(prefix: &str, n: u32) -> String {
    let day = 1 + n % 28;
    let month = 1 + (n / 28) % 12;
    let seq = n % 1000;
    with_check_character(&format!("{prefix}1980{month:02}{day:02}{seq:03}")).unwrap_or_default()
}

pub fn household(number: &str, village: &str, ids: &[String]) -> Value {
    let members: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "name": format!("成员{i}"), "id_number": id,
                "relationship": if i == 0 { "head" } else { "child" },
                "education": "初中", "health": "健康", "labour_ability": "普通劳动力",
                "medical_insurance": true, "phone": "13800000000"
            })
        })
        .collect();
    json!({
        "household_number": number, "village_code": village, "address": "泗水县某村",
        "attribute": "general", "poverty_causes": ["illness"], "year_identified": 2015,
        "responsible_cadre": "李干部", "members": members
    })
}

async fn setup() -> (TestApp, String) {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token("clerk").await;
    (app, t)
}

#[actix_web::test]
async fn a_clerk_registers_a_household_and_reads_it_masked() {
    let (app, t) = setup().await;
    let ids = [id_number("370831", 1), id_number("370831", 40)];
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("H0001", "370831001003", &ids),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["head_name"], "成员0");
    assert_eq!(r.body["status"], "registered");
    let head = &r.body["members"][0];
    assert_eq!(head["relationship"], "head");
    assert_eq!(
        head["id_number_masked"],
        format!("370831********{}", &ids[0][14..])
    );
    // The year only: the date is digits 7 to 14, which the masked form hides.
    assert_eq!(head["birth_year"], 1980);
    assert!(head.get("birth_date").is_none(), "{head}");
    assert_eq!(
        head["sex"],
        if ids[0].as_bytes()[16] % 2 == 1 {
            "male"
        } else {
            "female"
        }
    );
    assert!(
        !r.body.to_string().contains(&ids[0]),
        "the full number leaked"
    );
    let g = app.get(&format!("/api/v1/households/{id}"), &t).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["members"].as_array().map(Vec::len), Some(2));
    // Nothing shown beside a masked number spells the digits it hides: not the household, its
    // members, a search, nor the household as it was on a day.
    // China's date: `as_of` is a day in Beijing time (between 16:00 and 24:00 UTC the UTC date
    // is China's yesterday, before the household existed).
    let today = app.state.today();
    let reads = [
        g.body.clone(),
        app.get(&format!("/api/v1/households/{id}/members"), &t)
            .await
            .body,
        app.post("/api/v1/members/search", &t, json!({"id_number": ids[1]}))
            .await
            .body,
        app.get(&format!("/api/v1/households/{id}?as_of={today}"), &t)
            .await
            .body,
    ];
    for (i, body) in reads.iter().enumerate() {
        let text = body.to_string();
        for n in &ids {
            let hidden = &n[6..14];
            let dashed = format!("{}-{}-{}", &n[6..10], &n[10..12], &n[12..14]);
            assert!(
                !text.contains(hidden) && !text.contains(&dashed),
                "read {i} shows the hidden digits of {n}: {text}"
            );
        }
        assert!(text.contains("\"birth_year\":1980"), "read {i}: {text}");
    }
    let h = app
        .get(&format!("/api/v1/households/{id}/history"), &t)
        .await;
    assert_eq!(h.body["items"][0]["kind"], "created");
}

#[actix_web::test]
async fn bad_input_names_the_field() {
    let (app, t) = setup().await;
    let good = id_number("370831", 2);
    let mut wrong_check = good.clone();
    let last = if wrong_check.ends_with('0') { "1" } else { "0" };
    wrong_check.replace_range(17..18, last);
    let feb30 = with_check_character("37083119800230001").unwrap_or_default();
    let cases = [
        (
            "wrong check digit",
            household("H1", "370831001003", &[wrong_check]),
            "members[0].id_number",
        ),
        (
            "17 characters",
            household("H1", "370831001003", &[good[..17].to_string()]),
            "members[0].id_number",
        ),
        (
            "impossible birth date",
            household("H1", "370831001003", &[feb30]),
            "members[0].id_number",
        ),
        (
            "unknown cause",
            {
                let mut b = household("H1", "370831001003", std::slice::from_ref(&good));
                b["poverty_causes"] = json!(["bad_luck"]);
                b
            },
            "poverty_causes[0]",
        ),
        (
            "village outside scope",
            household("H1", "370830001001", std::slice::from_ref(&good)),
            "village_code",
        ),
        (
            "no head",
            {
                let mut b = household("H1", "370831001003", std::slice::from_ref(&good));
                b["members"][0]["relationship"] = json!("child");
                b
            },
            "members",
        ),
        (
            "two heads",
            {
                let mut b = household(
                    "H1",
                    "370831001003",
                    &[good.clone(), id_number("370831", 3)],
                );
                b["members"][1]["relationship"] = json!("head");
                b
            },
            "members",
        ),
    ];
    for (what, body, field) in cases {
        let r = app.post("/api/v1/households", &t, body).await;
        assert_eq!(r.status, 422, "{what}: {:?}", r.body);
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&field),
            "{what}: expected {field} in {fields:?}"
        );
        assert!(
            !r.body.to_string().contains(&good[..14]),
            "{what}: the message repeats the number"
        );
    }
    // Nothing was written.
    let n = app.get("/api/v1/households/count", &t).await;
    assert_eq!(n.body["count"], 0);
    // A household number used in the county: 409 naming it.
    assert_eq!(
        app.post(
            "/api/v1/households",
            &t,
            household("H1", "370831001003", &[good])
        )
        .await
        .status,
        201
    );
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("H1", "370831001003", &[id_number("370831", 5)]),
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("household_number")
    );
    // Negative income.
    let hid = app.get("/api/v1/households", &t).await.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app.send("PUT", &format!("/api/v1/households/{hid}/years/2020"), Some(&t), Some(&json!({
        "income_per_capita_fen": -1, "enough_food": true, "enough_clothing": true, "compulsory_education": true,
        "basic_medical": true, "safe_housing": true, "safe_drinking_water": true
    })), &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "income_per_capita_fen");
}

#[actix_web::test]
async fn a_person_registered_in_another_county_is_refused_without_a_trace_of_where() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    app.user("auditor.city", "3708", &["auditor"]);
    app.user("auditor.b", "370830", &["auditor"]);
    let tb = app.token("clerk.b").await;
    let person = id_number("370831", 7);
    assert_eq!(
        app.post(
            "/api/v1/households",
            &tb,
            household("B1", "370830001001", std::slice::from_ref(&person))
        )
        .await
        .status,
        201
    );
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("A1", "370831001003", std::slice::from_ref(&person)),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "already_registered");
    let text = r.body.to_string();
    for leak in ["370830", "B1", "汶上"] {
        assert!(!text.contains(leak), "the answer names {leak}: {text}");
    }
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        0,
        "nothing written"
    );
    // The attempt is on record for the city above both counties, not for either county.
    let city = app.token("auditor.city").await;
    let seen = app
        .get(
            "/api/v1/audit-events?action=member.duplicate_attempt",
            &city,
        )
        .await;
    assert_eq!(
        seen.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        seen.body
    );
    assert_eq!(seen.body["items"][0]["region_code"], "370800000000");
    let b = app.token("auditor.b").await;
    let unseen = app
        .get("/api/v1/audit-events?action=member.duplicate_attempt", &b)
        .await;
    assert_eq!(unseen.body["items"].as_array().map(Vec::len), Some(0));
    // A monitoring case on a new household with the person is refused the same way, and its
    // attempt stays on record too.
    let today = infra::clock::china_date(app.state.clock.now()).to_string();
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &t,
            json!({"household": household("A2", "370831001003", std::slice::from_ref(&person)),
                   "kind": "marginal", "risk_types": ["illness"], "found_on": today,
                   "description": "户主患重病"}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "already_registered");
    let seen = app
        .get(
            "/api/v1/audit-events?action=member.duplicate_attempt",
            &city,
        )
        .await;
    assert_eq!(seen.body["items"].as_array().map(Vec::len), Some(2));
    // Within one county the same rule holds.
    let r = app
        .post(
            "/api/v1/households",
            &tb,
            household("B2", "370830001001", &[person]),
        )
        .await;
    assert_eq!(r.status, 409);
}

#[actix_web::test]
async fn search_by_full_number_and_audited_reveal() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    app.user("auditor", "370831", &["auditor"]);
    let person = id_number("370831", 9);
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("S1", "370831001003", std::slice::from_ref(&person)),
        )
        .await;
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let hit = app
        .post("/api/v1/members/search", &t, json!({"id_number": person}))
        .await;
    assert_eq!(hit.status, 200);
    assert_eq!(hit.body["items"][0]["member"]["id"], member.as_str());
    assert_eq!(hit.body["items"][0]["household"]["household_number"], "S1");
    // Another county finds nothing; a prefix is no search.
    let tb = app.token("clerk.b").await;
    let miss = app
        .post("/api/v1/members/search", &tb, json!({"id_number": person}))
        .await;
    assert_eq!(miss.body["items"].as_array().map(Vec::len), Some(0));
    let prefix = app
        .post(
            "/api/v1/members/search",
            &t,
            json!({"id_number": &person[..10]}),
        )
        .await;
    assert_eq!(prefix.status, 422);
    // Reveal needs a reason and the permission; it is audited with the reason.
    let path = format!("/api/v1/members/{member}/reveal");
    assert_eq!(app.post(&path, &t, json!({"reason": ""})).await.status, 422);
    let full = app.post(&path, &t, json!({"reason": "核对低保申请"})).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body["id_number"], person.as_str());
    let auditor = app.token("auditor").await;
    assert_eq!(
        app.post(&path, &auditor, json!({"reason": "想看看这个人"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post(&path, &tb, json!({"reason": "想看看这个人"}))
            .await
            .status,
        404
    );
    let log = app
        .get("/api/v1/audit-events?action=member.reveal", &auditor)
        .await;
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(log.body["items"][0]["reason"], "核对低保申请");
    let searches = app
        .get("/api/v1/audit-events?action=member.search", &auditor)
        .await;
    assert!(
        !searches.body.to_string().contains(&person),
        "audit rows hold masked numbers only"
    );
}

#[actix_web::test]
async fn id_numbers_are_never_stored_in_clear() {
    let (app, t) = setup().await;
    let person = id_number("370831", 11);
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("P1", "370831001003", std::slice::from_ref(&person)),
        )
        .await;
    assert_eq!(r.status, 201);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    app.post(
        &format!("/api/v1/members/{member}/reveal"),
        &t,
        json!({"reason": "核对身份信息"}),
    )
    .await;
    app.post("/api/v1/members/search", &t, json!({"id_number": person}))
        .await;
    // Read every tenant row as the owner with the county's scope and look for the number.
    #[derive(QueryableByName)]
    struct Hits {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.db.as_owner("000000000000", |c| {
        for table in [
            "households",
            "members",
            "household_events",
            "audit_events",
            "idempotency_keys",
        ] {
            let h: Hits = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM {table} t WHERE t::text LIKE $1"
            ))
            .bind::<diesel::sql_types::Text, _>(format!("%{person}%"))
            .get_result(c)?;
            assert_eq!(h.n, 0, "{table} holds the ID number in clear");
        }
        Ok(())
    });
}

mod measures;
mod order;
mod records;

/// Numbers that share a masked form differ only in the birth date the mask hides: a user may
/// search only a few of them a day (3 in tests), so the mask cannot be undone by trying dates.
#[actix_web::test]
async fn numbers_of_one_masked_form_are_searched_only_a_few_a_day() {
    let (app, t) = setup().await;
    let same = one_masked_form("123");
    let search = |n: &str| app.post("/api/v1/members/search", &t, json!({ "id_number": n }));
    for n in &same[..3] {
        assert_eq!(search(n).await.status, 200, "{n}");
    }
    let r = search(&same[3]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    // Free again when the first number's search leaves the 24 hours (it was just now).
    let wait: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    assert!((86_000..=86_400).contains(&wait), "Retry-After {wait}");
    // The same numbers again count once; another masked form has its own budget.
    assert_eq!(search(&same[0]).await.status, 200);
    assert_eq!(search(&id_number("370831", 7)).await.status, 200);
    // The audit row keeps the masked number and a tag, never the number.
    let details: Vec<Value> = app
        .db
        .as_owner("370831000000", |c| {
            diesel::sql_query(
                "SELECT details FROM audit_events WHERE action = 'member.search' ORDER BY at",
            )
            .load::<Details>(c)
        })
        .into_iter()
        .map(|d| d.details)
        .collect();
    assert!(details.len() >= 5, "{details:?}");
    // The refusal is an alert for the county's auditors, like every quota's.
    let alerts = app
        .db
        .as_owner("370831000000", |c| {
            diesel::sql_query(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'alert.quota_exceeded' \
                 AND details->>'route' = '/api/v1/members/search'",
            )
            .get_result::<Count>(c)
        })
        .n;
    assert_eq!(alerts, 1);
    let text = serde_json::to_string(&details).unwrap_or_default();
    for n in &same {
        assert!(
            !text.contains(n.as_str()) && !text.contains(&n[6..14]),
            "{text}"
        );
    }
}

/// Numbers born in 1980 on different days with sequence number `seq` and the same check
/// character: one masked form (`370831********` and the last four).
pub fn one_masked_form(seq: &str) -> Vec<String> {
    let mut same: Vec<String> = Vec::new();
    for day in 0..365 {
        let date = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default()
            + chrono::Duration::days(day);
        let n = with_check_character(&format!("370831{}{seq}", date.format("%Y%m%d")))
            .unwrap_or_default();
        if same.first().is_none_or(|f| f.ends_with(&n[17..])) {
            same.push(n);
        }
    }
    assert!(same.len() >= 6, "{same:?}");
    same
}

/// Registering a number answers whether it is registered (409, or it goes through), so it is a
/// try of its masked form like a search: the two share one budget (3 in tests), and past it
/// registering, adding a member and correcting a number are refused with nothing written. A
/// write refused for another reason after its check still counts the try.
#[actix_web::test]
async fn registering_numbers_of_one_masked_form_counts_like_searching_them() {
    let (app, t) = setup().await;
    let same = one_masked_form("456");
    // Try 1: a search. Try 2: a household registered with the second number.
    let r = search_number(&app, &t, &same[0]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = register_one(&app, &t, "M0001", &same[1]).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let hid = r.body["id"].as_str().unwrap_or_default().to_string();
    let head = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let etag = r.header("etag");
    // Try 3: correcting the head's number together with a change refused after the check (the
    // head cannot stop being head). The refusal rolls the write back, not the try: otherwise
    // 409 against 422 would tell registered numbers apart for free.
    let head_path = format!("/api/v1/households/{hid}/members/{head}");
    let patch_head = async |n: &str| {
        let body = json!({ "id_number": n, "relationship": "child" });
        app.send(
            "PATCH",
            &head_path,
            Some(&t),
            Some(&body),
            &[("if-match", "\"1\"")],
        )
        .await
    };
    let r = patch_head(&same[2]).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "relationship");
    // A fourth number of the form, by any route, is refused and leaves nothing behind.
    assert_eq!(patch_head(&same[3]).await.status, 429);
    let members = format!("/api/v1/households/{hid}/members");
    let r = app
        .post(
            &members,
            &t,
            json!({"name": "试号", "id_number": same[4], "relationship": "child"}),
        )
        .await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert!(r.header("retry-after").is_some());
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household(
                "M0002",
                "370831001003",
                &[id_number("370831", 77), same[5].clone()],
            ),
        )
        .await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    let now = app.get(&members, &t).await.body;
    assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
    assert_eq!(
        app.get(&format!("/api/v1/households/{hid}"), &t)
            .await
            .header("etag"),
        etag
    );
    let made = app
        .db
        .as_owner("370831000000", |c| {
            diesel::sql_query(
                "SELECT count(*) AS n FROM households WHERE household_number = 'M0002'",
            )
            .get_result::<Count>(c)
        })
        .n;
    assert_eq!(made, 0);
    // A number tried already counts once: registering it again is answered (409: it is
    // registered now), and so is searching it.
    let r = register_one(&app, &t, "M0003", &same[1]).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "already_registered");
    let r = search_number(&app, &t, &same[2]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Each refusal past the limit is an alert for the county's auditors.
    let alerts = app
        .db
        .as_owner("370831000000", |c| {
            diesel::sql_query(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'alert.quota_exceeded'",
            )
            .get_result::<Count>(c)
        })
        .n;
    assert_eq!(alerts, 3);
    // The checks are audited with the masked number and a tag, never the number.
    let details: Vec<Value> = app
        .db
        .as_owner("370831000000", |c| {
            diesel::sql_query(
                "SELECT details FROM audit_events WHERE action = 'member.id_check' ORDER BY at",
            )
            .load::<Details>(c)
        })
        .into_iter()
        .map(|d| d.details)
        .collect();
    assert_eq!(details.len(), 3, "{details:?}");
    assert_eq!(details[0]["found"], false);
    assert_eq!(details[1]["found"], false);
    assert_eq!(details[2]["found"], true);
    assert_eq!(
        details[0]["id_number"],
        format!("370831********{}", &same[1][14..])
    );
    assert_eq!(details[0]["tag"], details[2]["tag"]);
    assert_ne!(details[0]["tag"], details[1]["tag"]);
    let text = serde_json::to_string(&details).unwrap_or_default();
    for n in &same {
        assert!(!text.contains(&n[6..14]), "{text}");
    }
}

/// Tries are counted by the user wherever they were recorded: rows the request's scope does not
/// reach (written before the user moved, or where a permission granted lower does not reach)
/// count as much as the others.
#[actix_web::test]
async fn tries_recorded_outside_the_callers_scope_still_count() {
    let (app, t) = setup().await;
    let same = one_masked_form("321");
    let masked = format!("370831********{}", &same[0][14..]);
    // Three tries of the form recorded in the neighbouring county, out of the clerk's reach.
    app.db.as_owner("370830000000", |c| {
        diesel::sql_query(
            "INSERT INTO audit_events (county_code, id, actor_id, action, object_type, region_code, at, details) \
             SELECT 370830, gen_random_uuid(), u.id, 'member.search', 'person', 370830102202, now(), \
                    jsonb_build_object('id_number', $1::text, 'tag', 'elsewhere' || g::text) \
               FROM users u, generate_series(1, 3) AS g WHERE u.username = 'clerk'",
        )
        .bind::<diesel::sql_types::Text, _>(&masked)
        .execute(c)
    });
    let r = search_number(&app, &t, &same[0]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    let r = register_one(&app, &t, "E0001", &same[1]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    // Another form is untouched.
    let r = search_number(&app, &t, &id_number("370831", 5)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// Searches one full ID number as the clerk.
async fn search_number(app: &TestApp, t: &str, n: &str) -> crate::helpers::Resp {
    app.post("/api/v1/members/search", t, json!({ "id_number": n }))
        .await
}

/// Registers a household of one person in the clerk's village.
async fn register_one(app: &TestApp, t: &str, number: &str, n: &str) -> crate::helpers::Resp {
    app.post(
        "/api/v1/households",
        t,
        household(number, "370831001003", &[n.to_string()]),
    )
    .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Details {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    details: Value,
}
