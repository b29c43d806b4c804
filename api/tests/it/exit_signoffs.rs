//! Verification as two recorded sign-offs (issue 22, seed 1: 村两委和驻村工作队核实): the village
//! committee's through `POST …/verification`, the resident team's through
//! `POST …/verification/team`, each its own record; with `exit.team_verification_required` the
//! list is verified only once both are there, by two people.

use serde_json::{Value, json};

use crate::exit::{
    Exit, V1, V2, code, dated, nomination, registered, setup, step_path, to_notice_end, votes,
};
use crate::helpers::TestApp;

async fn require_team(app: &TestApp, on: bool) {
    let admin = app.token("admin.370831").await;
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"exit": {"team_verification_required": on}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// A team serving `village` with the user `user_id` as a member in term.
async fn team_with(app: &TestApp, token: &str, village: &str, user_id: &str, seq: u32) {
    let r = app
        .post(
            "/api/v1/teams",
            token,
            json!({"village_code": village, "name": "驻村工作队"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let team = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/teams/{team}/members"),
            token,
            json!({"name": "张某", "id_number": crate::cases::id_number("370831", 9000 + seq),
                "dispatching_unit": "县农业农村局", "position": "first_secretary",
                "term_start": "2015-01-01", "term_end": "2030-12-31", "user_id": user_id}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

/// A list of one household of `village`, appraised.
async fn appraised(x: &Exit, village: &str, token: &str, seq: u32) -> String {
    let app = &x.app;
    let h = registered(
        app,
        token,
        &format!("S{seq}"),
        village,
        seq,
        (3, 400_000, true),
    )
    .await;
    let r = app
        .post("/api/v1/exit-lists", token, nomination(village, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &step_path(&list, "appraisal"),
            token,
            dated(app, votes(&[(&h, 20)])),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    list
}

fn village_signoff() -> Value {
    json!({"verified_on": "today", "verifiers": ["村主任王某"], "findings": "情况属实"})
}

fn team_signoff() -> Value {
    json!({"opinion": "入户核实,收入和两不愁三保障属实"})
}

#[actix_web::test]
async fn with_the_setting_both_bodies_sign_and_only_then_the_list_is_verified() {
    let mut x = setup().await;
    let zhang = x.app.user("team.zhang", V1, &["team_member"]).to_string();
    let li = x.app.user("team.li", V1, &["team_member"]).to_string();
    x.app.user("team.v2", V2, &["team_member"]);
    // A village clerk who also serves on the team: cannot sign for both bodies.
    let both = x
        .app
        .user("clerk.team", V1, &["village_clerk", "team_member"])
        .to_string();
    let app = &x.app;
    require_team(app, true).await;
    team_with(app, &x.approver, V1, &zhang, 1).await;
    team_with(app, &x.approver, V1, &both, 2).await;
    let _ = li;
    let list = appraised(&x, V1, &x.clerk, 1).await;
    let team_path = step_path(&list, "verification/team");

    // Not a team member of the village: a clerk (no team_member role), a team member not on a
    // team serving the village, a team member of another village (not found: out of scope).
    let r = app.post(&team_path, &x.clerk, team_signoff()).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let li_token = app.token("team.li").await;
    let r = app.post(&team_path, &li_token, team_signoff()).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("team.li"),
        "named: {:?}",
        r.body
    );
    let v2 = app.token("team.v2").await;
    let r = app.post(&team_path, &v2, team_signoff()).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Another county: not found.
    let r = app.post(&team_path, &x.stranger, team_signoff()).await;
    assert!(matches!(r.status, 403 | 404), "{:?}", r.body);
    // Bad input names the field.
    let zhang_token = app.token("team.zhang").await;
    let r = app
        .post(&team_path, &zhang_token, json!({"opinion": ""}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body.to_string().contains("opinion"), "{:?}", r.body);

    // The clerk-and-team-member signs for the village committee: not verified yet.
    let both_token = app.token("clerk.team").await;
    let r = app
        .post(
            &step_path(&list, "verification"),
            &both_token,
            dated(app, village_signoff()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "appraised", "the team has not signed");
    assert_eq!(r.body["signoffs"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["signoffs"][0]["body"], "village_committee");
    assert_eq!(r.body["signoffs"][0]["username"], "clerk.team");
    // The village committee cannot sign twice.
    let r = app
        .post(
            &step_path(&list, "verification"),
            &x.clerk,
            dated(app, village_signoff()),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "already_signed"));
    // …so the village's inbox no longer offers the verification.
    let inbox = app.get("/api/v1/me/tasks?kind=exit_step", &x.clerk).await;
    assert_eq!(inbox.status, 200, "{:?}", inbox.body);
    assert!(
        !inbox.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["object_id"] == list.as_str()),
        "{:?}",
        inbox.body
    );
    // …and the same person cannot sign for the team.
    let r = app.post(&team_path, &both_token, team_signoff()).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "same_signatory"),
        "{:?}",
        r.body
    );
    // The first notice waits for the verification.
    let r = app
        .post(
            &step_path(&list, "first-notice"),
            &x.clerk,
            json!({"location": "村委会公示栏"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "step_out_of_order"));

    // A team member of a team serving the village signs: verified, one step recorded.
    let r = app.post(&team_path, &zhang_token, team_signoff()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "verified");
    let signoffs = r.body["signoffs"].as_array().cloned().unwrap_or_default();
    assert_eq!(signoffs.len(), 2);
    assert_eq!(signoffs[1]["body"], "resident_team");
    assert_eq!(signoffs[1]["username"], "team.zhang");
    assert_eq!(signoffs[1]["user_id"], zhang.as_str());
    assert!(signoffs[1]["team_id"].is_string());
    assert!(signoffs[1]["signed_at"].is_string());
    let steps: Vec<&Value> = r.body["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["step"] == "verification")
        .collect();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["stage_to"], "verified");
    assert_eq!(
        steps[0]["details"]["signoffs"].as_array().map(Vec::len),
        Some(2)
    );
    // Once verified, no more sign-offs.
    let r = app.post(&team_path, &zhang_token, team_signoff()).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    // The next step goes on.
    let r = app
        .post(
            &step_path(&list, "first-notice"),
            &x.clerk,
            json!({"location": "村委会公示栏"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The county reads the sign-offs on the list.
    let r = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.approver)
        .await;
    assert_eq!(r.body["signoffs"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn without_the_setting_the_village_committee_verifies_and_the_team_may_sign_first() {
    let mut x = setup().await;
    let wang = x.app.user("team.wang", V2, &["team_member"]).to_string();
    let app = &x.app;
    team_with(app, &x.approver, V2, &wang, 1).await;
    // Default: the village committee's sign-off alone verifies (recorded as a sign-off).
    let list = appraised(&x, V1, &x.clerk, 1).await;
    let r = app
        .post(
            &step_path(&list, "verification"),
            &x.clerk,
            dated(app, village_signoff()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "verified");
    assert_eq!(r.body["signoffs"][0]["body"], "village_committee");
    assert_eq!(r.body["signoffs"][0]["username"], "clerk");
    // The team signing first is recorded; the village committee's then verifies.
    let second = appraised(&x, V2, &x.clerk2, 2).await;
    let wang_token = app.token("team.wang").await;
    let r = app
        .post(
            &step_path(&second, "verification/team"),
            &wang_token,
            team_signoff(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "appraised");
    let r = app
        .post(
            &step_path(&second, "verification"),
            &x.clerk2,
            dated(app, village_signoff()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "verified");
    assert_eq!(r.body["signoffs"].as_array().map(Vec::len), Some(2));
}

/// A list of V1 walked to `filed` by the village, the township and the county.
async fn filed(x: &Exit) -> String {
    let app = &x.app;
    let list = appraised(x, V1, &x.clerk, 7).await;
    let notice = json!({"location": "村委会公示栏"});
    let review = json!({"opinion": "同意", "decision_no": "泗扶发〔2016〕12号"});
    let walk: [(&str, &str, Value, bool); 7] = [
        (&x.clerk, "verification", village_signoff(), false),
        (&x.clerk, "first-notice", notice.clone(), false),
        (&x.reviewer, "township-review", review.clone(), true),
        (&x.reviewer, "second-notice", notice.clone(), false),
        (&x.approver, "approval", review, true),
        (&x.approver, "announcement", notice, false),
        (&x.approver, "filing", json!({"reference": "备案1"}), true),
    ];
    for (token, step, body, wait) in walk {
        if wait {
            to_notice_end(app, token, &list, chrono::Duration::seconds(1)).await;
        }
        let r = app
            .post(&step_path(&list, step), token, dated(app, body))
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    list
}

#[actix_web::test]
async fn a_filing_is_acknowledged_by_the_city_then_the_province_once_each() {
    let mut x = setup().await;
    x.app.user("observer.shandong", "37", &["observer"]);
    let province = x.app.token("observer.shandong").await;
    let app = &x.app;
    let list = filed(&x).await;
    let path = format!("/api/v1/exit-lists/{list}/acknowledgement");
    // Before filing nobody acknowledges: covered by the rule; here the county cannot.
    let r = app.post(&path, &x.approver, json!({})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // The province before the city: out of order.
    let r = app
        .post(&path, &province, json!({"note": "省级备案"}))
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "step_out_of_order"),
        "{:?}",
        r.body
    );
    // Another county's user: not found (outside scope) or forbidden.
    let r = app.post(&path, &x.stranger, json!({})).await;
    assert!(matches!(r.status, 403 | 404), "{:?}", r.body);
    // Bad input names the field.
    let r = app
        .post(&path, &x.city, json!({"note": "x".repeat(2001)}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body.to_string().contains("note"), "{:?}", r.body);
    // The city's inbox offers it; the province's not before the city's acknowledgement.
    assert!(waits_for(app, &x.city, &list).await);
    assert!(!waits_for(app, &province, &list).await);
    // The city, then the province.
    let r = app.post(&path, &x.city, json!({"note": "市级备案"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["acknowledgements"][0]["level"], "city");
    assert_eq!(r.body["acknowledgements"][0]["username"], "observer.city");
    let r = app.post(&path, &x.city, json!({})).await;
    assert_eq!((r.status, code(&r)), (409, "already_acknowledged"));
    assert!(!waits_for(app, &x.city, &list).await);
    assert!(waits_for(app, &province, &list).await);
    let r = app
        .post(&path, &province, json!({"note": "省级备案"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(!waits_for(app, &province, &list).await);
    let acks = r.body["acknowledgements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[1]["level"], "province");
    assert_eq!(acks[1]["org_unit"], "370000000000");
    assert!(acks[1]["acknowledged_at"].is_string());
    let r = app.post(&path, &province, json!({})).await;
    assert_eq!((r.status, code(&r)), (409, "already_acknowledged"));
    // The county reads them on the list.
    let r = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.approver)
        .await;
    assert_eq!(r.body["acknowledgements"].as_array().map(Vec::len), Some(2));
}

/// Whether the caller's inbox offers the filing's acknowledgement.
async fn waits_for(app: &TestApp, token: &str, list: &str) -> bool {
    let r = app.get("/api/v1/me/tasks?kind=exit_step", token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().into_iter().flatten().any(|t| {
        t["object_id"] == list
            && t["action"] == "acknowledgement"
            && t["action_link"] == format!("/api/v1/exit-lists/{list}/acknowledgement").as_str()
    })
}
