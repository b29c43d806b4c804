//! Imports count the ID numbers they check against the registry like searches do (security.md
//! §16): a row whose number shares the masked form and birth year of a member of the caller's
//! scope, and is not that member in its own household, is a try; past the daily limit (3 in
//! tests) such rows are refused unchecked, the right number with the wrong ones, so a refusal
//! tells nothing. A county's own loads and re-imports count nothing.

use serde_json::Value;

use crate::cases::{household, one_masked_form};
use crate::helpers::TestApp;
use crate::transfer::{HEADER, errors, row, wait};

const NOT_CHECKED: &str = "not checked: too many different numbers";

/// Sishui with an approver (who registers) and a clerk of village 370831001003 (who imports).
async fn setup() -> (TestApp, String, String) {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("approver", "370831", &["county_approver"]);
    app.user("clerk", "370831001003", &["village_clerk"]);
    let approver = app.token("approver").await;
    let clerk = app.token("clerk").await;
    (app, approver, clerk)
}

/// A household import file of one-person households, `H{i}` holding `ids[i]`.
fn households_csv(prefix: &str, ids: &[String]) -> String {
    let mut lines = vec![HEADER.to_string()];
    for (i, id) in ids.iter().enumerate() {
        lines.push(row(
            &format!("{prefix}{i:02}"),
            "370831001003",
            &format!("户主{i}"),
            id,
            "户主",
            "因病",
            "4000",
        ));
    }
    lines.join("\n") + "\n"
}

/// Registers household `number` in `village` by the route, as `token`'s user.
async fn register(
    app: &TestApp,
    token: &str,
    number: &str,
    village: &str,
    ids: &[String],
) -> crate::helpers::Resp {
    let r = app
        .post("/api/v1/households", token, household(number, village, ids))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r
}

async fn run(app: &TestApp, token: &str, path: &str, csv: &str) -> Value {
    let r = app
        .post_raw(path, Some(token), "text/csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(app, token, &r.body).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    job
}

/// The clerk's `member.id_check` audit rows.
fn id_checks(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.db.as_owner("370831000000", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_events \
              WHERE action = 'member.id_check' AND actor_username = 'clerk'",
        )
        .get_result::<N>(c)
        .map(|r| r.n)
    })
}

/// A dry run of a household import guessing at a registered member's number: three candidates
/// are checked (and recorded), the rest are refused unchecked, and so is the right number
/// afterwards, which a search of the form is then refused too.
#[actix_web::test]
async fn a_household_import_counts_the_numbers_it_guesses_at_a_member() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("456");
    register(
        &app,
        &approver,
        "T01",
        "370831001003",
        std::slice::from_ref(&same[0]),
    )
    .await;

    // Five candidates of the member's form and year, in a dry run.
    let csv = households_csv("G", &same[1..6]);
    let job = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    assert_eq!(job["summary"]["households_created"], 3, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 2, "{job:?}");
    let errs = errors(&app, &clerk, &job).await;
    for row in [5, 6] {
        assert!(
            errs.iter()
                .any(|(r, c, m)| *r == row && c == "id_number" && m.contains(NOT_CHECKED)),
            "row {row}: {errs:?}"
        );
    }
    assert_eq!(id_checks(&app), 3, "the dry run's tries stay recorded");

    // The right number now: refused unchecked, exactly like a wrong one (not "already
    // registered"), and the household not written.
    let csv = households_csv("K", std::slice::from_ref(&same[0]));
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_refused"], 1, "{job:?}");
    let errs = errors(&app, &clerk, &job).await;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].2.contains(NOT_CHECKED), "{errs:?}");
    // The budget is the searches' too.
    let r = app
        .post(
            "/api/v1/members/search",
            &clerk,
            serde_json::json!({ "id_number": same[4] }),
        )
        .await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    // A number tried already may be checked again: the dry run's first candidate is imported.
    let csv = households_csv("L", std::slice::from_ref(&same[1]));
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    assert_eq!(id_checks(&app), 3);
}

/// A county loading its own people counts nothing: the first load (no member to guess at), a
/// re-import by the one who loaded it (their own households), and a re-import by someone else
/// (every row its own member in its own household), however many numbers share a form.
#[actix_web::test]
async fn a_countys_own_loads_and_reimports_count_nothing() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("321");
    let csv = households_csv("H", &same[0..6]);
    let job = run(&app, &approver, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_created"], 6, "{job:?}");
    let job = run(&app, &approver, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_unchanged"], 6, "{job:?}");
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_unchanged"], 6, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 0, "{job:?}");
    assert_eq!(id_checks(&app), 0);
}

/// An import that finds households by a member's ID number answers "found" or "not in your
/// area" per row: numbers not found, of a member's form and year, count; past the limit the
/// rows are refused unchecked, the member's own number too.
#[actix_web::test]
async fn a_yearly_import_counts_numbers_it_does_not_find() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("654");
    let other = one_masked_form("655");
    register(
        &app,
        &approver,
        "T01",
        "370831001003",
        &[same[0].clone(), other[0].clone()],
    )
    .await;
    let header = "户编号,身份证号,年度,人均纯收入(元),工资性收入(元),不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障";
    let line = |id: &str, year: u32| format!(",{id},{year},4000,1000,是,是,是,是,是,是");
    let mut lines = vec![header.to_string()];
    // Rows 2-6: five wrong numbers of the member's form and year; row 7: the right one.
    for (i, id) in same[1..6].iter().enumerate() {
        lines.push(line(id, 2020 + u32::try_from(i).unwrap_or(0)));
    }
    lines.push(line(&same[0], 2019));
    // Row 8: the other member, of another form, found.
    lines.push(line(&other[0], 2019));
    let csv = lines.join("\n") + "\n";
    let job = run(&app, &clerk, "/api/v1/imports/household-years", &csv).await;
    assert_eq!(job["summary"]["created"], 1, "{job:?}");
    let errs = errors(&app, &clerk, &job).await;
    let not_checked: Vec<i64> = errs
        .iter()
        .filter(|(_, _, m)| m.contains(NOT_CHECKED))
        .map(|(r, _, _)| *r)
        .collect();
    assert_eq!(not_checked, vec![5, 6, 7], "{errs:?}");
    for row in [2, 3, 4] {
        assert!(
            errs.iter()
                .any(|(r, c, _)| *r == row && c == "household_number"),
            "row {row}: {errs:?}"
        );
    }
    assert_eq!(id_checks(&app), 3);
}

/// The household import answers "already registered" for any county, so a guess at a member
/// outside the caller's scope counts too: the clerk's candidates for a member of another
/// village are counted, and the right number past the limit is refused unchecked.
#[actix_web::test]
async fn guesses_at_a_member_outside_the_callers_scope_count_too() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("457");
    register(
        &app,
        &approver,
        "X01",
        "370831001010",
        std::slice::from_ref(&same[0]),
    )
    .await;
    let csv = households_csv("G", &same[1..5]);
    let job = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    assert_eq!(job["summary"]["households_created"], 3, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 1, "{job:?}");
    let csv = households_csv("K", std::slice::from_ref(&same[0]));
    let job = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    let errs = errors(&app, &clerk, &job).await;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].2.contains(NOT_CHECKED), "{errs:?}");
    assert_eq!(id_checks(&app), 3);
}

/// A member someone else added to a household the caller registered is not one whose number
/// the caller knows: numbers of its form and year count.
#[actix_web::test]
async fn a_member_added_by_someone_else_is_guessed_at_like_any() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("458");
    // The clerk registers a household; numbers of its member's bucket are the clerk's own.
    let r = register(
        &app,
        &clerk,
        "C01",
        "370831001003",
        std::slice::from_ref(&same[0]),
    )
    .await;
    let hid = r.body["id"].as_str().unwrap_or_default().to_string();
    // (Registering by the route counts its number, whatever the registry holds.)
    assert_eq!(id_checks(&app), 1);
    let csv = households_csv("F", std::slice::from_ref(&same[1]));
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    assert_eq!(
        id_checks(&app),
        1,
        "nothing to guess at: the clerk knows them all"
    );
    // The approver adds a member to the clerk's household.
    let r = app
        .send(
            "POST",
            &format!("/api/v1/households/{hid}/members"),
            Some(&approver),
            Some(&serde_json::json!({"name": "新成员", "id_number": same[2], "relationship": "child"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let csv = households_csv("N", &same[3..8]);
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    // The route's try of same[0] shares the bucket: two more fill it.
    assert_eq!(job["summary"]["households_created"], 2, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 3, "{job:?}");
    assert_eq!(id_checks(&app), 3);
}

/// The same file gives the same answer twice (a dry run, then the real import), even when a
/// row of a member's own household comes before the guesses that fill its bucket: the guesses
/// are judged first, so the member's row is refused both times.
#[actix_web::test]
async fn a_dry_run_and_the_import_after_it_answer_alike() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("459");
    register(
        &app,
        &approver,
        "T01",
        "370831001003",
        std::slice::from_ref(&same[0]),
    )
    .await;
    // Row 2: the member in its own household; rows 3-7: five other numbers of its bucket.
    let mut lines = vec![HEADER.to_string()];
    lines.push(row(
        "T01",
        "370831001003",
        "成员0",
        &same[0],
        "户主",
        "因病",
        "4000",
    ));
    for (i, id) in same[1..6].iter().enumerate() {
        lines.push(row(
            &format!("G{i:02}"),
            "370831001003",
            "户主",
            id,
            "户主",
            "因病",
            "4000",
        ));
    }
    let csv = lines.join("\n") + "\n";
    let refused = async |job: &Value| -> Vec<i64> {
        let mut rows: Vec<i64> = errors(&app, &clerk, job)
            .await
            .into_iter()
            .filter(|(_, _, m)| m.contains(NOT_CHECKED))
            .map(|(r, _, _)| r)
            .collect();
        rows.sort_unstable();
        rows
    };
    let dry = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    let real = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(refused(&dry).await, vec![2, 6, 7], "{dry:?}");
    assert_eq!(refused(&real).await, vec![2, 6, 7], "{real:?}");
    assert_eq!(real["summary"]["households_created"], 3, "{real:?}");
    assert_eq!(id_checks(&app), 3);
    // Each refusal raised an alert for the county's auditors.
    let alerts = app.db.as_owner("370831000000", |c| {
        use diesel::RunQueryDsl as _;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_events \
              WHERE action = 'alert.quota_exceeded' AND object_type = 'import' \
                AND actor_username = 'clerk'",
        )
        .get_result::<N>(c)
        .map(|r| r.n)
    });
    assert_eq!(alerts, 2);
}

/// A property-check load answers per row whether a number is a registered person of the
/// importer's scope: its numbers not found count like any import's, and past the limit the
/// member's own number is refused unchecked with the wrong ones.
#[actix_web::test]
async fn a_property_check_load_counts_numbers_it_does_not_find() {
    let (mut app, approver, _) = setup().await;
    app.user("checker", "370831", &["property_checker"]);
    let checker = app.token("checker").await;
    let same = one_masked_form("653");
    register(
        &app,
        &approver,
        "T01",
        "370831001003",
        std::slice::from_ref(&same[0]),
    )
    .await;
    let mut csv = String::from("身份证号,姓名,检索类型,检索详情\n");
    // Rows 2-6: five wrong numbers of the member's form and year; row 7: the right one.
    for (i, id) in same[1..6]
        .iter()
        .chain(std::iter::once(&same[0]))
        .enumerate()
    {
        csv.push_str(&format!("{id},,车辆,鲁H1234{i}\n"));
    }
    let r = app
        .post_raw(
            "/api/v1/property-checks?name=tries",
            Some(&checker),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let errs = r.body["errors"].as_array().cloned().unwrap_or_default();
    let not_checked: Vec<i64> = errs
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains(NOT_CHECKED))
        })
        .filter_map(|e| e["row"].as_i64())
        .collect();
    assert_eq!(not_checked, vec![5, 6, 7], "{errs:?}");
    assert_eq!(r.body["loaded"], 0, "{:?}", r.body);
}

/// A retry of a registration with its `Idempotency-Key` is replayed even when the masked form
/// has filled up since: the first answer stands, nothing is tried or recorded again.
#[actix_web::test]
async fn a_replayed_registration_is_not_refused_for_tries_made_since() {
    let (app, _, clerk) = setup().await;
    let same = one_masked_form("460");
    let body = household("R01", "370831001003", std::slice::from_ref(&same[0]));
    let send = async |body: &Value, key: &str| {
        app.send(
            "POST",
            "/api/v1/households",
            Some(&clerk),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    };
    let first = send(&body, "reg-1").await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    for n in &same[1..3] {
        let r = app
            .post(
                "/api/v1/members/search",
                &clerk,
                serde_json::json!({ "id_number": n }),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    assert_eq!(id_checks(&app), 1);
    let again = send(&body, "reg-1").await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(
        id_checks(&app),
        1,
        "a replay checks nothing, so records no try"
    );
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    // A new request with a fourth number of the form is refused.
    let other = household("R02", "370831001003", std::slice::from_ref(&same[3]));
    assert_eq!(send(&other, "reg-2").await.status, 429);
}

/// A member whose number someone else corrected is no longer one whose number the registrant
/// knows: numbers of its form and year count again.
#[actix_web::test]
async fn a_corrected_number_is_no_longer_the_registrants_own() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("461");
    let r = register(&app, &clerk, "C01", "370831001003", &[same[0].clone()]).await;
    let hid = r.body["id"].as_str().unwrap_or_default().to_string();
    let mid = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/households/{hid}/members/{mid}"),
            Some(&approver),
            Some(&serde_json::json!({ "id_number": same[1] })),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The clerk's route try of same[0] is one; two more of the form and year fill it.
    let csv = households_csv("N", &same[2..7]);
    let job = run(&app, &clerk, "/api/v1/imports/households", &csv).await;
    assert_eq!(job["summary"]["households_created"], 2, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 3, "{job:?}");
}

/// Guesses at a person registered in another county count: the household import answers
/// "already registered" for every county.
#[actix_web::test]
async fn guesses_at_a_person_of_another_county_count_too() {
    let (mut app, _, clerk) = setup().await;
    app.onboard("370830");
    app.user("approver.w", "370830", &["county_approver"]);
    let wenshang = app.token("approver.w").await;
    let same = one_masked_form("462");
    register(&app, &wenshang, "W01", "370830001001", &[same[0].clone()]).await;
    let csv = households_csv("G", &same[1..5]);
    let job = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    assert_eq!(job["summary"]["households_created"], 3, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 1, "{job:?}");
    let csv = households_csv("K", std::slice::from_ref(&same[0]));
    let job = run(
        &app,
        &clerk,
        "/api/v1/imports/households?dry_run=true",
        &csv,
    )
    .await;
    let errs = errors(&app, &clerk, &job).await;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].2.contains(NOT_CHECKED), "{errs:?}");
}

/// A caller who may not load property-check batches is refused before anything is counted or
/// recorded.
#[actix_web::test]
async fn a_property_load_refused_for_permission_counts_nothing() {
    let (app, approver, clerk) = setup().await;
    let same = one_masked_form("463");
    register(&app, &approver, "T01", "370831001003", &[same[0].clone()]).await;
    let mut csv = String::from("身份证号,姓名,检索类型,检索详情\n");
    for (i, id) in same[1..5].iter().enumerate() {
        csv.push_str(&format!("{id},,车辆,鲁H2234{i}\n"));
    }
    let r = app
        .post_raw(
            "/api/v1/property-checks?name=nope",
            Some(&clerk),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(id_checks(&app), 0);
}
