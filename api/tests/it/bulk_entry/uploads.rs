//! Bulk entry: the template as uploaded (XLSX, as a form), and the concurrent-import caps
//! counting imports of every kind.

use crate::cases::household;
use crate::helpers::TestApp;
use crate::transfer::wait;

#[actix_web::test]
async fn the_xlsx_template_uploads_as_a_form_and_imports_its_example() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token("clerk").await;
    // The household the template's example row names.
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household(
                "3708310010030001",
                "370831001003",
                &["370831198001010015".to_string()],
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let tpl = app
        .get("/api/v1/imports/household-years/template?format=xlsx", &t)
        .await;
    assert_eq!(tpl.status, 200);
    let boundary = "zxboundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"years.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&tpl.raw);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = app
        .post_raw(
            "/api/v1/imports/household-years",
            Some(&t),
            &format!("multipart/form-data; boundary={boundary}"),
            form,
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["summary"]["created"], 1, "{job:?}");
    let year = app
        .get(&format!("/api/v1/households/{id}/years/2020"), &t)
        .await;
    assert_eq!(year.status, 200, "{:?}", year.body);
    assert_eq!(year.body["income_per_capita_fen"], 420_050);
}

#[actix_web::test]
async fn the_concurrent_import_caps_count_imports_of_every_kind() {
    // No workers: accepted imports stay queued, as behind long ones.
    let mut app = TestApp::spawn_with(|c| c.work.job_workers = 0, None).await;
    app.onboard("370831");
    app.user("clerk", "370831001003", &["village_clerk"]);
    let t = app.token("clerk").await;
    let years = format!(
        "{}\n{}\n",
        super::YEAR_HEADER,
        super::year_row("H00", "", "2021", "4000")
    );
    let profiles = format!(
        "{}\n{}\n",
        super::PROFILE_HEADER,
        super::profile_row("370831001003", "2021", "1", "90")
    );
    for (path, body) in [
        ("/api/v1/imports/household-years", &years),
        ("/api/v1/imports/village-profiles", &profiles),
    ] {
        let r = app
            .post_raw(path, Some(&t), "text/csv", body.clone().into_bytes())
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
    }
    // A third import of any kind, a household import included, passes the user's cap of 2.
    for path in [
        "/api/v1/imports/household-years",
        "/api/v1/imports/households",
    ] {
        let r = app
            .post_raw(path, Some(&t), "text/csv", years.clone().into_bytes())
            .await;
        assert_eq!(r.status, 409, "{path}: {:?}", r.body);
        assert_eq!(r.body["code"], "imports_running", "{:?}", r.body);
    }
}
