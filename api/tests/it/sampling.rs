//! Sampling inspections of filed exits (督查验收, issue 22 seed 1): a reproducible draw, one visit
//! per sampled household, a false exit reopening the household, isolation from other counties.

use diesel::RunQueryDsl as _;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::{Exit, V1, setup};

/// `n` households of V1 whose exit was filed for 2023: registered through the API, then (as the
/// owner) marked exited on one filed exit list — the procedure that gets them there is tested in
/// `exit`.
async fn filed(x: &Exit, n: u32) -> Vec<String> {
    filed_in(x, &x.clerk, "370831", V1, n).await
}

/// `n` households of `village` (in `county`, entered by `clerk`) on one exit list of 2023 that
/// was filed.
async fn filed_in(x: &Exit, clerk: &str, county: &str, village: &str, n: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = x
            .app
            .post(
                "/api/v1/households",
                clerk,
                household(&format!("S{i:03}"), village, &[id_number(county, 700 + i)]),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    let list = uuid::Uuid::new_v4();
    let mut sql = vec![format!(
        "INSERT INTO exit_lists (county_code, id, region_code, year, stage, villager_group, \
         created_by, created_at, updated_at, filed_at) \
         VALUES ({county}, '{list}', {village}, 2023, 'filed', '一组', gen_random_uuid(), now(), now(), now())"
    )];
    for id in &ids {
        sql.push(format!(
            "UPDATE households SET status = 'exited' WHERE county_code = {county} AND id = '{id}'"
        ));
        sql.push(format!(
            "INSERT INTO exit_entries (county_code, list_id, household_id, region_code, year, people, \
             income_per_capita_fen, poverty_line_fen, criteria, added_at) \
             VALUES ({county}, '{list}', '{id}', {village}, 2023, 1, 500000, 400000, '{{}}', now())"
        ));
    }
    x.app.db.as_owner(county, |c| {
        for s in &sql {
            diesel::sql_query(s).execute(c)?;
        }
        Ok(())
    });
    ids
}

fn sample(body: &Value) -> Vec<String> {
    body["households"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| h["household_id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn the_same_seed_draws_the_same_sample_and_sizes_are_checked() {
    let x = setup().await;
    let ids = filed(&x, 6).await;
    let draw = |seed: &str, size: i64| json!({"region": "370831000000", "year": 2023, "size": size, "seed": seed});
    let a = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            draw("督查-2024-1", 3),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    let b = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            draw("督查-2024-1", 3),
        )
        .await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    assert_eq!(sample(&a.body).len(), 3);
    assert_eq!(
        sample(&a.body),
        sample(&b.body),
        "the same seed draws the same sample"
    );
    assert!(sample(&a.body).iter().all(|h| ids.contains(h)));
    assert_eq!(a.body["population"], 6);
    assert_eq!(a.body["counts"]["sampled"], 3);
    // Every household, in some order, whatever the seed.
    let all = x
        .app
        .post("/api/v1/exit-inspections", &x.approver, draw("other", 6))
        .await;
    let mut got = sample(&all.body);
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want);
    // No seed: one is generated and stored.
    let r = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            json!({"region": "370831000000", "year": 2023, "size": 2}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(!r.body["seed"].as_str().unwrap_or_default().is_empty());

    let big = x
        .app
        .post("/api/v1/exit-inspections", &x.approver, draw("s", 7))
        .await;
    assert_eq!(big.status, 422, "{:?}", big.body);
    assert_eq!(fields(&big.body), ["size"]);
    assert!(
        big.body.to_string().contains('6'),
        "the population is named: {:?}",
        big.body
    );
    let zero = x
        .app
        .post("/api/v1/exit-inspections", &x.approver, draw("s", 0))
        .await;
    assert_eq!(zero.status, 422);
    assert_eq!(fields(&zero.body), ["size"]);
    // No exits filed that year: a population of 0.
    let none = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            json!({"region": "370831000000", "year": 2022, "size": 1}),
        )
        .await;
    assert_eq!(none.status, 422);
    assert_eq!(fields(&none.body), ["size"]);
    // A village is not a region to inspect.
    let v = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            json!({"region": V1, "year": 2023, "size": 1}),
        )
        .await;
    assert_eq!(v.status, 422);
    assert_eq!(fields(&v.body), ["region"]);

    // The city observer draws over the city: the same households (the only filed exits).
    let c = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.city,
            json!({"region": "370800000000", "year": 2023, "size": 2, "seed": "市抽查"}),
        )
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    assert_eq!(c.body["population"], 6);
    // A village clerk may not inspect.
    let clerk = x
        .app
        .post("/api/v1/exit-inspections", &x.clerk, draw("s", 1))
        .await;
    assert_eq!(clerk.status, 403);
}

#[actix_web::test]
async fn a_false_exit_reopens_the_household_and_other_counties_see_nothing() {
    let x = setup().await;
    let ids = filed(&x, 4).await;
    let r = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            json!({"region": "370831000000", "year": 2023, "size": 2, "seed": "k"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let drawn = sample(&r.body);
    let population = r.body["population"].as_i64();
    let outside = ids
        .iter()
        .find(|h| !drawn.contains(h))
        .cloned()
        .unwrap_or_default();
    let visit = |on: &str, outcome: &str| json!({"visited_on": on, "findings": "入户核查:家中无稳定收入", "outcome": outcome});

    let out = x
        .app
        .post(
            &format!("/api/v1/exit-inspections/{id}/households/{outside}/visit"),
            &x.approver,
            visit("2026-11-02", "confirmed"),
        )
        .await;
    assert_eq!(out.status, 422, "{:?}", out.body);
    assert_eq!(fields(&out.body), ["household_id"]);
    let future = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.approver,
            visit("2099-01-01", "false_exit"),
        )
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(fields(&future.body), ["visited_on"]);
    let bad = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.approver,
            visit("2026-11-02", "maybe"),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.body), ["outcome"]);
    // A visit of this inspection is not dated before its sample was drawn.
    let drawn_on = r.body["created_at"]
        .as_str()
        .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
        .map(infra::clock::china_date)
        .unwrap_or_else(|| panic!("no created_at: {:?}", r.body));
    let early = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.approver,
            visit(
                &(drawn_on - chrono::Duration::days(1)).to_string(),
                "false_exit",
            ),
        )
        .await;
    assert_eq!(early.status, 422, "{:?}", early.body);
    assert_eq!(fields(&early.body), ["visited_on"]);

    // Another county's approver: nothing of it.
    let s = x
        .app
        .get(&format!("/api/v1/exit-inspections/{id}"), &x.stranger)
        .await;
    assert_eq!(s.status, 404);
    let l = x.app.get("/api/v1/exit-inspections", &x.stranger).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.body["items"], json!([]));
    let sv = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.stranger,
            visit("2026-11-02", "false_exit"),
        )
        .await;
    assert_eq!(sv.status, 404);
    let sd = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.stranger,
            json!({"region": "370831000000", "year": 2023, "size": 1}),
        )
        .await;
    assert_eq!(sd.status, 422);
    assert_eq!(fields(&sd.body), ["region"]);

    // The household is monitored (an unstable exited household, 脱贫不稳定户): the false exit
    // closes its case, which would otherwise set it back to exited when the risk is judged
    // eliminated, out of poverty without the exit procedure.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string();
    let c = x
        .app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            json!({"household_id": drawn[0], "kind": "unstable_exited", "risk_types": ["illness"],
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

    // The false exit: back to registered, with a history entry naming the inspection; the
    // year's exit figures no longer count it (they kept counting it as exited).
    let progress = "/api/v1/exit-progress?region=370831&year=2023";
    let before = x.app.get(progress, &x.approver).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    let households = |b: &serde_json::Value| b["total"]["exited_households"].as_i64();
    let f = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.approver,
            visit(&today, "false_exit"),
        )
        .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert_eq!(f.body["counts"]["false_exits"], 1);
    assert_eq!(f.body["counts"]["reopened"], 1);
    assert_eq!(f.body["households"][0]["reopened"], true);
    assert_eq!(f.body["households"][0]["status"], "registered");
    let h = x
        .app
        .get(&format!("/api/v1/households/{}", drawn[0]), &x.clerk)
        .await;
    assert_eq!(h.body["status"], "registered", "{:?}", h.body);
    let c = x
        .app
        .get(&format!("/api/v1/monitoring-cases/{case}"), &x.approver)
        .await;
    assert_eq!(c.body["stage"], "returned", "{:?}", c.body);
    let r = x
        .app
        .post(
            &format!("/api/v1/monitoring-cases/{case}/risk-elimination"),
            &x.approver,
            json!({"opinion": "风险已消除"}),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    let after = x.app.get(progress, &x.approver).await;
    assert_eq!(
        households(&after.body),
        households(&before.body).map(|n| n - 1),
        "{:?} {:?}",
        before.body,
        after.body
    );
    // A later inspection of the year draws from the exits that stand: not the overturned one.
    let again = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.approver,
            json!({"region": "370831000000", "year": 2023, "size": 1, "seed": "k2"}),
        )
        .await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(
        again.body["population"].as_i64(),
        population.map(|n| n - 1),
        "{:?}",
        again.body
    );
    let hist = x
        .app
        .get(
            &format!("/api/v1/households/{}/history", drawn[0]),
            &x.clerk,
        )
        .await;
    let ev = &hist.body["items"][0];
    assert_eq!(ev["kind"], "status_changed", "{:?}", hist.body);
    assert!(
        ev["reason"].as_str().unwrap_or_default().contains(&id),
        "{ev:?}"
    );
    // One visit per household.
    let again = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[0]
            ),
            &x.approver,
            visit(&today, "confirmed"),
        )
        .await;
    assert_eq!(again.status, 409);
    // The other is confirmed: nothing changes.
    let c = x
        .app
        .post(
            &format!(
                "/api/v1/exit-inspections/{id}/households/{}/visit",
                drawn[1]
            ),
            &x.city,
            visit(&today, "confirmed"),
        )
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    let g = x
        .app
        .get(&format!("/api/v1/exit-inspections/{id}"), &x.approver)
        .await;
    assert_eq!(
        g.body["counts"],
        json!({"sampled": 2, "visited": 2, "confirmed": 1, "false_exits": 1, "reopened": 1})
    );
    assert_eq!(g.body["households"][1]["status"], "exited");
    let l = x.app.get("/api/v1/exit-inspections", &x.city).await;
    // Newest first: the later draw, then this one.
    assert_eq!(l.body["items"][1]["id"], id.as_str(), "{:?}", l.body);
}

/// A city-wide draw is stored per county, each county's row holding its own share: the county
/// approver of one county learns neither how many exits its neighbour filed nor how many of the
/// neighbour's households were drawn (the ranks, too, count within the county).
#[actix_web::test]
async fn a_county_sees_only_its_own_share_of_a_city_draw() {
    let mut x = setup().await;
    filed(&x, 4).await;
    x.app
        .user("clerk.wenshang", "370830001001", &["village_clerk"]);
    let clerk_b = x.app.token("clerk.wenshang").await;
    filed_in(&x, &clerk_b, "370830", "370830001001", 3).await;

    let c = x
        .app
        .post(
            "/api/v1/exit-inspections",
            &x.city,
            json!({"region": "370800000000", "year": 2023, "size": 7, "seed": "全市"}),
        )
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    assert_eq!(c.body["population"], 7, "the city sees the whole");
    assert_eq!(c.body["size"], 7);
    let id = c.body["id"].as_str().unwrap_or_default().to_string();

    for (token, population, county) in [(&x.approver, 4, "370831"), (&x.stranger, 3, "370830")] {
        let one = x
            .app
            .get(&format!("/api/v1/exit-inspections/{id}"), token)
            .await;
        assert_eq!(one.status, 200, "{:?}", one.body);
        assert_eq!(
            one.body["population"], population,
            "{county}: {:?}",
            one.body
        );
        assert_eq!(one.body["size"], population);
        let households = one.body["households"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(households.len(), usize::try_from(population).unwrap_or(0));
        let mut ranks: Vec<i64> = households
            .iter()
            .map(|h| h["rank"].as_i64().unwrap_or(0))
            .collect();
        ranks.sort_unstable();
        assert_eq!(
            ranks,
            (1..=i64::from(population)).collect::<Vec<_>>(),
            "{county}: ranks within the county"
        );
        assert!(
            households.iter().all(|h| h["village_code"]
                .as_str()
                .is_some_and(|v| v.starts_with(county))),
            "{county}: only its own households"
        );
        let list = x.app.get("/api/v1/exit-inspections", token).await;
        assert_eq!(list.body["items"][0]["population"], population, "{county}");
    }
    // The audit entry each county keeps names only its own part.
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for (county, population) in [("370831", 4), ("370830", 3)] {
        let rows: Vec<N> = x.app.db.as_owner(county, |c| {
            diesel::sql_query(format!(
                "SELECT count(*) AS n FROM audit_events WHERE county_code = {county} \
                 AND action = 'exit_inspection.create' AND object_id = '{id}' \
                 AND (details->>'population')::int = {population} \
                 AND jsonb_array_length(details->'households') = {population}"
            ))
            .load(c)
        });
        assert_eq!(rows.first().map(|r| r.n), Some(1), "{county}");
    }
}
