//! The exit criteria and the order of steps: what a list may not do.

use super::*;

#[actix_web::test]
async fn a_nomination_failing_the_criteria_says_which_and_by_how_much() {
    let x = setup().await;
    let app = &x.app;
    let ok = registered(app, &x.clerk, "C1", V1, 11, (2, LINE_2016 + 1, true)).await;
    let poor = registered(app, &x.clerk, "C2", V1, 12, (2, LINE_2016 - 5_000, true)).await;
    let on_line = registered(app, &x.clerk, "C3", V1, 13, (2, LINE_2016, true)).await;
    let unsafe_house = registered(app, &x.clerk, "C4", V1, 14, (2, 500_000, false)).await;
    let other_village = registered(app, &x.clerk2, "C5", V2, 15, (2, 500_000, true)).await;
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            nomination(
                V1,
                &[&ok, &poor, &on_line, &unsafe_house, &other_village, &ok],
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let errors: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let fields: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "households[1]",
            "households[2]",
            "households[3]",
            "households[4]",
            "households[5]"
        ]
    );
    assert!(errors[0].1.contains("50.01 yuan short"), "{}", errors[0].1);
    assert!(errors[1].1.contains("0.01 yuan short"), "{}", errors[1].1);
    assert!(errors[2].1.contains("safe housing"), "{}", errors[2].1);
    assert!(
        errors[3].1.contains("not a household in your scope"),
        "{}",
        errors[3].1
    );
    assert!(errors[4].1.contains("twice"), "{}", errors[4].1);
    // Nothing was written.
    let lists = app.get("/api/v1/exit-lists", &x.clerk).await;
    assert_eq!(lists.body["items"].as_array().map(Vec::len), Some(0));
    // The criteria endpoint says the same, criterion by criterion.
    let c = app
        .get(
            &format!("/api/v1/households/{poor}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.status, 200);
    assert_eq!(c.body["eligible"], false);
    assert_eq!(c.body["criteria"][0]["shortfall_fen"], 5_001);
    let c = app
        .get(
            &format!("/api/v1/households/{ok}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.body["eligible"], true);
    // A year without a record, and a household on a list already.
    let c = app
        .get(
            &format!("/api/v1/households/{ok}/exit-criteria?year=2017"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.body["eligible"], false);
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&ok]))
        .await;
    assert_eq!(r.status, 201);
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&ok]))
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already on the 2016 exit list")
    );
}

/// Issue 22 item 7 (seed 1 §三, 稳定超过当年省定扶贫标准): income is judged by the province's
/// own line, and "stably" means above the line of each of the last two years
/// (`exit.stable_income_years`), each year by its own line.
#[actix_web::test]
async fn income_must_be_above_the_provinces_line_in_each_of_the_last_two_years() {
    let x = setup().await;
    let app = &x.app;
    let p = app.token("platform.admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"poverty_line_fen": {"2016": 337_200}}})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let with_years = |number: &'static str, seq: u32, years: Vec<(i32, i64)>| {
        let clerk = x.clerk.clone();
        async move {
            let id = unrecorded(app, &clerk, number, V1, seq, 2).await;
            for (year, income) in years {
                put_year(app, &clerk, &id, year, income, true).await;
            }
            id
        }
    };
    // Above Shandong's 2016 line (3,372 yuan) in 2016, below the 2015 line (2,855) in 2015.
    let dip = with_years("S1", 51, vec![(2015, 280_000), (2016, 340_000)]).await;
    // Above both years' lines.
    let stable = with_years("S2", 52, vec![(2015, 290_000), (2016, 340_000)]).await;
    // Above the national 2016 line (2,952) but not Shandong's.
    let national = with_years("S3", 53, vec![(2015, 300_000), (2016, 300_000)]).await;
    // No record for 2015.
    let unrecorded_2015 = with_years("S4", 54, vec![(2016, 340_000)]).await;
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            nomination(V1, &[&dip, &stable, &national, &unrecorded_2015]),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let errors: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let fields: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(fields, ["households[0]", "households[2]", "households[3]"]);
    assert!(
        errors[0]
            .1
            .contains("must exceed the 2015 line of 2855.00 yuan: 55.01 yuan short"),
        "{}",
        errors[0].1
    );
    assert!(!errors[0].1.contains("2016 line"), "{}", errors[0].1);
    assert!(
        errors[1]
            .1
            .contains("must exceed the 2016 line of 3372.00 yuan: 372.01 yuan short"),
        "{}",
        errors[1].1
    );
    assert!(
        errors[2].1.contains("no record for 2015"),
        "{}",
        errors[2].1
    );
    // The criteria endpoint shows each year judged.
    let c = app
        .get(
            &format!("/api/v1/households/{dip}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert_eq!(c.body["eligible"], false);
    assert_eq!(c.body["poverty_line_fen"], 337_200);
    let income = &c.body["criteria"][0];
    assert_eq!(income["code"], "income_above_line");
    assert_eq!(income["met"], false);
    assert_eq!(income["shortfall_fen"], 5_501);
    assert_eq!(
        income["years"],
        json!([
            {"year": 2015, "income_per_capita_fen": 280_000, "poverty_line_fen": 285_500},
            {"year": 2016, "income_per_capita_fen": 340_000, "poverty_line_fen": 337_200}
        ])
    );
    let c = app
        .get(
            &format!("/api/v1/households/{stable}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.body["eligible"], true, "{:?}", c.body);
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&stable]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // The county may override neither the line nor what "stably" means.
    let admin = app.token("admin.370831").await;
    for (overrides, field) in [
        (
            json!({"poverty_line_fen": {"2016": 295_200}}),
            "overrides.poverty_line_fen",
        ),
        (
            json!({"exit": {"stable_income_years": 1}}),
            "overrides.exit.stable_income_years",
        ),
    ] {
        let r = app
            .send(
                "PUT",
                "/api/v1/settings/370831",
                Some(&admin),
                Some(&json!({ "overrides": overrides })),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(r.status, 422, "{overrides}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
    }
    // The province may: with one year, the 2016 record alone decides.
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/37",
            Some(&p),
            Some(&json!({"overrides": {"poverty_line_fen": {"2016": 337_200},
                "exit": {"stable_income_years": 1}}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let c = app
        .get(
            &format!("/api/v1/households/{dip}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.body["eligible"], true, "{:?}", c.body);
}

#[actix_web::test]
async fn every_illegal_step_is_refused() {
    let x = setup().await;
    let app = &x.app;
    let (list, [a, _b, _c]) = verified_list(&x).await;
    // A skipped step: the township cannot review before the first notice; the village cannot
    // open the first notice twice; nobody can approve now.
    let r = take(app, &x.reviewer, &list, "township-review", review()).await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("the next step is first_notice"),
        "{:?}",
        r.body
    );
    let r = take(app, &x.clerk, &list, "appraisal", votes(&[(&a, 20)])).await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));
    // Wrong role: the county and the township cannot take village steps, the village cannot
    // take county steps.
    for (token, step, body) in [
        (&x.approver, "first-notice", notice()),
        (&x.reviewer, "first-notice", notice()),
        (&x.clerk, "approval", review()),
        (&x.clerk, "filing", json!({"reference": "x"})),
    ] {
        let r = take(app, token, &list, step, body).await;
        assert_eq!(r.status, 403, "{step}: {:?}", r.body);
    }
    // Another village, another township, another county: the list does not exist for them.
    let r = take(app, &x.clerk2, &list, "first-notice", notice()).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/exit-lists/{list}"), &x.stranger)
            .await
            .status,
        404
    );
    let r = take(app, &x.stranger, &list, "approval", review()).await;
    assert_eq!(r.status, 404);
    // The city does not see a list in progress.
    assert_eq!(
        app.get(&format!("/api/v1/exit-lists/{list}"), &x.city)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/exit-lists", &x.city).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // No objection outside a notice.
    let obj = json!({"household_id": a, "raised_by": "村民", "content": "异议"});
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            &x.clerk,
            obj.clone(),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "no_notice_running"));
    let r = take(app, &x.clerk, &list, "first-notice", notice()).await;
    assert_eq!(r.status, 200);
    // During the first notice, the township does not record objections; the village does.
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            &x.reviewer,
            obj.clone(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // A township reviewer of another township cannot review this village's list.
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    let r = take(app, &x.other_reviewer, &list, "township-review", review()).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            &x.clerk,
            obj,
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "no_notice_running"));
    // Removing a household that is not on the list is refused by name.
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意", "removals": [{"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b", "reason": "x"}]}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "removals[0].household_id");
    let r = take(
        app,
        &x.reviewer,
        &list,
        "township-review",
        json!({"opinion": "同意", "removals": [
            {"household_id": a, "reason": "x"}, {"household_id": a, "reason": "y"}]}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "removals[1].household_id");
    let r = take(app, &x.reviewer, &list, "township-review", review()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A household on a list not yet filed cannot be nominated for another year.
    let mut next_year = nomination(V1, &[&a]);
    next_year["year"] = json!(2017);
    let r = app.post("/api/v1/exit-lists", &x.clerk, next_year).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already on the 2016 exit list"),
        "{:?}",
        r.body
    );
    // A document before its step.
    let r = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/county_announcement"),
            &x.clerk,
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "document_not_ready"));
    // Bad bodies name the field.
    let r = take(
        app,
        &x.reviewer,
        &list,
        "second-notice",
        json!({"location": ""}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "location");
}

#[actix_web::test]
async fn appraisal_tallies_are_checked() {
    let x = setup().await;
    let app = &x.app;
    let a = registered(app, &x.clerk, "T1", V1, 21, (1, 400_000, true)).await;
    let b = registered(app, &x.clerk, "T2", V1, 22, (1, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&a, &b]))
        .await;
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    // More votes than attendees; a household without a tally.
    let body = json!({"held_on": "today", "attendees": 10, "minutes": "m",
        "votes": [{"household_id": a, "for": 9, "against": 2, "abstain": 0}]});
    let r = take(app, &x.clerk, &list, "appraisal", body).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["votes[0]", "votes"]);
    // Nobody passes: refused, nothing recorded.
    let r = take(app, &x.clerk, &list, "appraisal", {
        let mut v = votes(&[(&a, 3), (&b, 4)]);
        v["attendees"] = json!(30);
        v
    })
    .await;
    assert_eq!((r.status, code(&r)), (409, "list_empty"));
    let r = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.clerk)
        .await;
    assert_eq!(r.body["stage"], "nominated");
    assert_eq!(r.body["households"], 2);
}
