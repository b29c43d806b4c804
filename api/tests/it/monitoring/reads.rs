//! Reads of monitoring cases and leads name households and their risks: each is audited, as a
//! read of the household's measures is.

use serde_json::Value;

use super::{case, household_in, today};
use crate::exit::setup;
use crate::helpers::TestApp;

async fn actions(app: &TestApp, query: &str) -> Vec<Value> {
    let auditor = app.token("auditor.sishui").await;
    let r = app
        .get(&format!("/api/v1/audit-events?{query}"), &auditor)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

#[actix_web::test]
async fn reading_a_case_its_list_and_the_leads_is_audited() {
    let mut x = setup().await;
    x.app.user("auditor.sishui", "370831", &["auditor"]);
    let app = &x.app;
    let h = household_in(&x, "R1", 31, "exited", 700_000).await;
    let on = today(app);
    let r = app
        .post(
            "/api/v1/monitoring-cases",
            &x.clerk,
            case(&h, "unstable_exited", &["illness"], &on),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();

    let r = app
        .get(&format!("/api/v1/monitoring-cases/{id}"), &x.reviewer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let read = actions(app, &format!("action=household.read&object_id={h}")).await;
    assert!(
        read.iter()
            .any(|e| e["details"]["part"] == "monitoring_case" && e["actor_username"] == "reviewer"),
        "{read:?}"
    );

    let r = app
        .get("/api/v1/monitoring-cases?stage=identified", &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let listed = actions(app, "action=monitoring_case.list").await;
    assert!(
        listed.iter().any(|e| e["actor_username"] == "approver"
            && e["details"]["stage"] == "identified"
            && e["details"]["rows"] == 1),
        "{listed:?}"
    );

    let r = app.get("/api/v1/monitoring-leads", &x.reviewer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let leads = actions(app, "action=monitoring_lead.list").await;
    assert!(
        leads.iter().any(|e| e["actor_username"] == "reviewer"),
        "{leads:?}"
    );
}
