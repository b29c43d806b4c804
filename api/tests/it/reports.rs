//! Reports: rollups equal a recount from the base tables after concurrent changes; drill-down,
//! small-cell suppression above the county, exports, as-of dates.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use futures_util::future::join_all;
use serde_json::Value;

use crate::cases::{household, id_number};
use crate::exit::{V1, V2, setup};
use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows where the kept rollups (compacted counts plus pending deltas) differ from a recount
/// of the households: 0 when they are exact.
pub const RECOUNT_MISMATCHES: &str = "WITH recount AS (
               SELECT h.county_code, r.code AS region_code, h.status, h.attribute, c.cause,
                      count(*)::bigint AS households, sum(h.member_count)::bigint AS people
                 FROM households h
                 CROSS JOIN LATERAL (VALUES (h.region_code), ((h.region_code / 1000) * 1000)) AS r (code)
                 CROSS JOIN LATERAL unnest(array_prepend('', h.poverty_causes)) AS c (cause)
                GROUP BY 1, 2, 3, 4, 5),
             kept AS (SELECT county_code, region_code, status, attribute, cause,
                             sum(households)::bigint AS households, sum(people)::bigint AS people
                        FROM (SELECT county_code, region_code, status, attribute, cause, households, people FROM household_counts
                              UNION ALL
                              SELECT county_code, region_code, status, attribute, cause, households, people FROM household_count_deltas) AS u
                       GROUP BY 1, 2, 3, 4, 5 HAVING sum(households) <> 0 OR sum(people) <> 0)
             SELECT count(*)::bigint FROM ((SELECT * FROM recount EXCEPT SELECT * FROM kept)
                                     UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM recount)) AS d";

/// [`RECOUNT_MISMATCHES`] on the test's database.
pub fn mismatches(app: &TestApp) -> i64 {
    let rows: Vec<N> = app.db.as_owner("37", |c| {
        diesel::sql_query(format!("SELECT ({RECOUNT_MISMATCHES}) AS n")).load(c)
    });
    rows.first().map_or(-1, |r| r.n)
}

#[derive(diesel::QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    stored: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    counted: i64,
}

#[actix_web::test]
async fn rollups_equal_a_recount_after_concurrent_changes() {
    let x = setup().await;
    let app = &x.app;
    // Two villages of one township write at once (they share the township's rollup rows).
    let mut calls = Vec::new();
    for i in 0..24_u32 {
        let (token, village) = if i % 2 == 0 {
            (&x.clerk, V1)
        } else {
            (&x.clerk2, V2)
        };
        let ids: Vec<String> = (0..=(i % 3))
            .map(|k| id_number("370831", 1000 + i * 4 + k))
            .collect();
        let mut body = household(&format!("RC{i}"), village, &ids);
        if i % 4 == 1 {
            body["poverty_causes"] = serde_json::json!(["illness", "disability"]);
            body["attribute"] = serde_json::json!("subsistence_allowance");
        }
        calls.push(app.post_owned("/api/v1/households".into(), token.clone(), body));
    }
    let created: Vec<Value> = join_all(calls)
        .await
        .into_iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body
        })
        .collect();
    assert_eq!(mismatches(app), 0);
    // A burst of member additions, removals and status changes, concurrently.
    let mut calls = Vec::new();
    for (i, h) in created.iter().enumerate() {
        let id = h["id"].as_str().unwrap_or_default().to_string();
        let token = if h["village_code"] == V1 {
            x.clerk.clone()
        } else {
            x.clerk2.clone()
        };
        let seq = 2000 + u32::try_from(i).unwrap_or(0);
        calls.push(app.post_owned(
            format!("/api/v1/households/{id}/members"),
            token,
            serde_json::json!({"name": "新成员", "id_number": id_number("370831", seq), "relationship": "child"}),
        ));
    }
    let answers = join_all(calls).await;
    assert!(
        answers.iter().all(|r| r.status == 201),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    // Many members added to one household at once: each change recounts the household's
    // members, and they run one after another (the count was left short: each recount saw a
    // snapshot without the others' members).
    let one = created[0]["id"].as_str().unwrap_or_default().to_string();
    let calls: Vec<_> = (0..12_u32)
        .map(|k| {
            app.post_owned(
                format!("/api/v1/households/{one}/members"),
                x.clerk.clone(),
                serde_json::json!({"name": "同时新增", "id_number": id_number("370831", 3000 + k), "relationship": "child"}),
            )
        })
        .collect();
    let added = join_all(calls).await;
    assert!(
        added.iter().all(|r| r.status == 201),
        "{:?}",
        added
            .iter()
            .map(|r| (r.status, r.body.clone()))
            .collect::<Vec<_>>()
    );
    let (stored, counted): (i32, i64) = app.db.as_owner("370831", |c| {
        diesel::sql_query(format!(
            "SELECT h.member_count AS stored, (SELECT count(*) FROM members m \
               WHERE m.county_code = h.county_code AND m.household_id = h.id) AS counted \
               FROM households h WHERE h.id = '{one}'"
        ))
        .get_result::<Counts>(c)
        .map(|r| (r.stored, r.counted))
    });
    assert_eq!(i64::from(stored), counted);
    assert_eq!(mismatches(app), 0);
    for h in created.iter().take(6) {
        let id = h["id"].as_str().unwrap_or_default();
        let sql = format!("UPDATE households SET status = 'exited' WHERE id = '{id}'");
        app.db
            .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    }
    let removals: Vec<_> = created
        .iter()
        .filter(|h| h["members"].as_array().map_or(0, Vec::len) > 1)
        .map(|h| {
            let id = h["id"].as_str().unwrap_or_default().to_string();
            let m = h["members"][1]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let token = if h["village_code"] == V1 {
                x.clerk.clone()
            } else {
                x.clerk2.clone()
            };
            async move {
                // The member's version as read (If-Match of a member's removal).
                let got = app
                    .get(&format!("/api/v1/households/{id}/members/{m}"), &token)
                    .await;
                let etag = got.header("etag").unwrap_or_default();
                app.send(
                    "DELETE",
                    &format!("/api/v1/households/{id}/members/{m}"),
                    Some(&token),
                    None,
                    &[("if-match", &etag)],
                )
                .await
            }
        })
        .collect();
    let removed = join_all(removals).await;
    assert!(
        removed.iter().all(|r| r.status == 204 || r.status == 200),
        "{:?}",
        removed
            .iter()
            .map(|r| (r.status, r.body.clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(mismatches(app), 0);
    // Folding the deltas into the counts changes no figure, and leaves no delta behind.
    let folded = infra::app::reports::compact(&app.state.db).unwrap_or(-1);
    assert!(folded > 0);
    assert_eq!(mismatches(app), 0);
    let left: Vec<N> = app.db.as_owner("37", |c| {
        diesel::sql_query("SELECT count(*)::bigint AS n FROM household_count_deltas").load(c)
    });
    assert_eq!(left.first().map(|n| n.n), Some(0));
    // The report equals the recount too.
    let r = app
        .get("/api/v1/reports/households?region=370831101", &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let people: i64 = app.db.as_owner("370831", |c| {
        diesel::select(diesel::dsl::sql::<BigInt>(
            "(SELECT coalesce(sum(member_count), 0)::bigint FROM households)",
        ))
        .get_result(c)
    });
    let cols = r.body["columns"].as_array().cloned().unwrap_or_default();
    let sum_people: i64 = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c["code"].as_str().unwrap_or_default().ends_with(".people"))
        .map(|(i, _)| r.body["total"]["values"][i].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(sum_people, people);
}

fn value(r: &Value, row_code: &str, column: &str) -> Value {
    let i = r["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .position(|c| c["code"] == column)
        .unwrap_or(usize::MAX);
    let line = if r["total"]["region_code"] == row_code {
        r["total"].clone()
    } else {
        r["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["region_code"] == row_code)
            .cloned()
            .unwrap_or_default()
    };
    line["values"][i].clone()
}

#[actix_web::test]
async fn reports_drill_down_export_and_hide_small_cells_above_the_county() {
    let mut x = setup().await;
    x.app.user("observer.province", "37", &["observer"]);
    x.app.user("auditor.city", "3708", &["auditor"]);
    let app = &x.app;
    // Twelve households of two people in V1, three in V2.
    for i in 0..15_u32 {
        let (token, village) = if i < 12 {
            (&x.clerk, V1)
        } else {
            (&x.clerk2, V2)
        };
        let ids = [
            id_number("370831", 3000 + i * 2),
            id_number("370831", 3001 + i * 2),
        ];
        let r = app
            .post(
                "/api/v1/households",
                token,
                household(&format!("D{i}"), village, &ids),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    // The county drills into the township, then the township into its villages.
    let r = app
        .get("/api/v1/reports/households?region=370831", &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(value(&r.body, "370831101000", "registered.households"), 15);
    assert_eq!(value(&r.body, "370831101000", "registered.people"), 30);
    assert_eq!(r.body["suppressed_cells"], 0);
    let r = app
        .get("/api/v1/reports/households?region=370831101", &x.reviewer)
        .await;
    assert_eq!(value(&r.body, V1, "registered.households"), 12);
    assert_eq!(value(&r.body, V2, "registered.people"), 6);
    assert_eq!(
        r.body["chart"]["series"][0]["code"],
        "registered.households"
    );
    assert_eq!(
        r.body["chart"]["categories"].as_array().map(Vec::len),
        r.body["rows"].as_array().map(Vec::len)
    );
    let r = app
        .get(
            "/api/v1/reports/households?region=370831101&by=cause",
            &x.reviewer,
        )
        .await;
    assert_eq!(value(&r.body, V1, "illness.households"), 12);
    // Above the county, cells under ten people are hidden.
    let city = app
        .get("/api/v1/reports/households?region=3708", &x.city)
        .await;
    assert_eq!(city.status, 200, "{:?}", city.body);
    assert_eq!(value(&city.body, "370831000000", "registered.people"), 30);
    assert_eq!(
        value(&city.body, "370831000000", "registered.households"),
        15
    );
    let province = app.token("observer.province").await;
    let r = app
        .get("/api/v1/reports/households?region=370831101", &province)
        .await;
    assert!(
        value(&r.body, V2, "registered.people").is_null(),
        "{:?}",
        r.body
    );
    assert!(value(&r.body, V2, "registered.households").is_null());
    assert_eq!(r.body["min_cell"], 10);
    assert!(r.body["suppressed_cells"].as_i64().unwrap_or(0) >= 2);
    // No column keeps exactly one hidden row under a shown total: that cell would come back as
    // the total minus the others (V2's 6 people as 30 − 24). V1's cells go with V2's.
    let columns = r.body["columns"].as_array().map_or(0, Vec::len);
    let rows = r.body["rows"].as_array().cloned().unwrap_or_default();
    for j in 0..columns {
        let hidden = rows.iter().filter(|l| l["values"][j].is_null()).count();
        assert!(
            r.body["total"]["values"][j].is_null() || hidden != 1,
            "column {j}: {:?}",
            r.body
        );
    }
    assert!(value(&r.body, V1, "registered.people").is_null());
    // Above the county, records need cases:drilldown (auditors have it); counts do not.
    let r = app.get("/api/v1/households?limit=5", &x.city).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("cases:drilldown")
    );
    assert_eq!(
        app.get("/api/v1/households/count", &x.city).await.status,
        200
    );
    let auditor = app.token("auditor.city").await;
    let r = app.get("/api/v1/households?limit=5", &auditor).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(5));
    // Exports.
    let csv = app
        .get(
            "/api/v1/reports/households?region=370831101&format=csv",
            &x.reviewer,
        )
        .await;
    let text = csv.body.as_str().unwrap_or_default();
    assert!(
        text.starts_with('\u{feff}') && text.contains("地区代码,地区,未脱贫户数"),
        "{text}"
    );
    let csv = app
        .get(
            "/api/v1/reports/households?region=370831101&format=csv",
            &province,
        )
        .await;
    assert!(
        csv.body.as_str().unwrap_or_default().contains(",*,"),
        "suppressed cells print as *"
    );
    let xlsx = app
        .get(
            "/api/v1/reports/households?region=370831&format=xlsx",
            &x.approver,
        )
        .await;
    assert_eq!(xlsx.status, 200);
    // As of a past date nothing was registered yet; as of today, as now.
    let r = app
        .get(
            "/api/v1/reports/households?region=370831&as_of=2020-01-01",
            &x.approver,
        )
        .await;
    assert_eq!(value(&r.body, "370831000000", "registered.households"), 0);
    let today = infra::clock::china_date(chrono::Utc::now());
    let r = app
        .get(
            &format!("/api/v1/reports/households?region=370831&as_of={today}"),
            &x.approver,
        )
        .await;
    assert_eq!(value(&r.body, "370831101000", "registered.households"), 15);
    // Other kinds answer with their own columns; a kind needs its permission; bad input is named.
    for kind in [
        "exits",
        "monitoring",
        "key_villages",
        "coverage",
        "funds",
        "rangers",
    ] {
        let r = app
            .get(
                &format!("/api/v1/reports/{kind}?region=370831&year=2021"),
                &x.approver,
            )
            .await;
        assert_eq!(r.status, 200, "{kind}: {:?}", r.body);
        assert!(
            r.body["columns"].as_array().is_some_and(|c| !c.is_empty()),
            "{kind}"
        );
    }
    let r = app
        .get("/api/v1/reports/funds?region=370831", &x.clerk)
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .get("/api/v1/reports/households?region=370830", &x.approver)
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("region"))
    );
    let r = app.get("/api/v1/reports/nothing", &x.approver).await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("kind"))
    );
    let r = app
        .get("/api/v1/reports/households?by=colour", &x.approver)
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("by"))
    );
    // The reports by cause and by attribute count the registry: an ordinary household opened
    // for monitoring (non_poor) and one vetoed out (removed) keep their causes but are not
    // registered poor households; the report by status shows them. Today and as of a date.
    for (number, status) in [("D0", "non_poor"), ("D1", "removed")] {
        // The row and its history (what a report of a past date reads), as a status change
        // writes them.
        let sql = format!(
            "WITH h AS (UPDATE households SET status = '{status}' WHERE household_number = '{number}' \
                        RETURNING county_code, id, region_code) \
             INSERT INTO household_events (county_code, id, household_id, region_code, at, kind, changes, snapshot) \
             SELECT h.county_code, gen_random_uuid(), h.id, h.region_code, now(), 'status_changed', '{{}}'::jsonb, \
                    jsonb_set(e.snapshot, '{{status}}', to_jsonb('{status}'::text)) \
               FROM h CROSS JOIN LATERAL (SELECT snapshot FROM household_events x \
                     WHERE x.county_code = h.county_code AND x.household_id = h.id ORDER BY at DESC LIMIT 1) e"
        );
        app.db
            .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    }
    let today = infra::clock::china_date(app.state.clock.now());
    for as_of in ["", &format!("&as_of={today}")] {
        let r = app
            .get(
                &format!("/api/v1/reports/households?region=370831101&by=cause{as_of}"),
                &x.reviewer,
            )
            .await;
        assert_eq!(
            value(&r.body, V1, "illness.households"),
            10,
            "{as_of}: {:?}",
            r.body
        );
    }
    let r = app
        .get("/api/v1/reports/households?region=370831101", &x.reviewer)
        .await;
    assert_eq!(value(&r.body, V1, "non_poor.households"), 1);
    assert_eq!(value(&r.body, V1, "removed.households"), 1);
    assert_eq!(value(&r.body, V1, "registered.households"), 10);
}
