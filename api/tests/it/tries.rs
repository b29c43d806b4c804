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
    audit_rows(app, "member.id_check", "clerk", false)
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

/// A retry whose key is within an hour of being pruned records its tries first, as a new
/// request does: were the key pruned before the write, the registration would be made anew and
/// its check would need the try recorded. While the key is there, the retry is still replayed.
#[actix_web::test]
async fn a_retry_of_a_key_about_to_be_pruned_records_its_tries_first() {
    let (app, _, clerk) = setup().await;
    let same = one_masked_form("461");
    let body = household("R03", "370831001003", std::slice::from_ref(&same[0]));
    let send = async || {
        app.send(
            "POST",
            "/api/v1/households",
            Some(&clerk),
            Some(&body),
            &[("idempotency-key", "reg-old")],
        )
        .await
    };
    let first = send().await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(id_checks(&app), 1);
    // Kept 7 days in tests: this one is 6 days and 23 and a half hours old.
    app.db.as_owner("370831000000", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(
            "UPDATE idempotency_keys SET created_at = now() - interval '7 days' + interval '30 minutes' \
              WHERE user_id = (SELECT id FROM users WHERE username = 'clerk')",
        )
        .execute(c)
    });
    let again = send().await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(id_checks(&app), 2, "the retry's try recorded again");
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

/// Numbers of one masked form (county 370831, sequence `seq`) born in different years: a team
/// member shows no birth date, so these are all candidates for one cadre's number.
fn one_form_across_years(seq: &str) -> Vec<String> {
    let mut same: Vec<String> = Vec::new();
    for year in 1960..2000 {
        for day in 0..365 {
            let date = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
                + chrono::Duration::days(day);
            let n = domain::cases::id_number::with_check_character(&format!(
                "370831{}{seq}",
                date.format("%Y%m%d")
            ))
            .unwrap_or_default();
            if same.first().is_none_or(|f| f.ends_with(&n[17..])) {
                same.push(n);
                break;
            }
        }
    }
    assert!(same.len() >= 6, "{same:?}");
    same
}

/// The audit rows of `action` by `username`, optionally only those whose details name the teams'
/// register.
fn audit_rows(app: &TestApp, action: &str, username: &str, teams_only: bool) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.db.as_owner("370831000000", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_events \
              WHERE action = $1 AND actor_username = $2 \
                AND (NOT $3 OR details->>'register' = 'teams')",
        )
        .bind::<diesel::sql_types::Text, _>(action)
        .bind::<diesel::sql_types::Text, _>(username)
        .bind::<diesel::sql_types::Bool, _>(teams_only)
        .get_result::<N>(c)
        .map(|r| r.n)
    })
}

/// A new team in village 370831001003, as `token`'s user.
async fn team(app: &TestApp, token: &str) -> String {
    let r = app
        .post(
            "/api/v1/teams",
            token,
            serde_json::json!({"village_code": "370831001003", "name": "驻村工作队"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

/// Adds cadre `id` to `team` for a term, as `token`'s user, with an `Idempotency-Key`.
async fn add_cadre_once(
    app: &TestApp,
    token: &str,
    team: &str,
    id: &str,
    term: (&str, &str),
    key: &str,
) -> crate::helpers::Resp {
    app.send(
        "POST",
        &format!("/api/v1/teams/{team}/members"),
        Some(token),
        Some(&serde_json::json!({"name": "张某", "id_number": id,
            "dispatching_unit": "县农业农村局", "position": "member",
            "term_start": term.0, "term_end": term.1})),
        &[("idempotency-key", key)],
    )
    .await
}

async fn add_cadre(app: &TestApp, token: &str, team: &str, id: &str, from: &str, to: &str) -> u16 {
    let key = format!("{team}-{id}-{from}");
    add_cadre_once(app, token, team, id, (from, to), &key)
        .await
        .status
}

/// Adding a cadre answers whether their number serves on a team anywhere (409, or added), and a
/// team member shows no birth date: every number added counts as a try of its masked form,
/// whatever its year, in the one budget the households' tries use (3 in tests).
#[actix_web::test]
async fn adding_team_members_counts_numbers_per_masked_form_across_years() {
    let (app, approver, _) = setup().await;
    let same = one_form_across_years("457");
    let t = team(&app, &approver).await;
    let term = ("2024-01-01", "2024-12-31");
    let first = add_cadre_once(&app, &approver, &t, &same[0], term, "cadre-1").await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    for id in &same[1..3] {
        assert_eq!(
            add_cadre(&app, &approver, &t, id, term.0, term.1).await,
            201
        );
    }
    // A fourth number of the form, born in yet another year: refused, nothing added.
    let r = add_cadre_once(&app, &approver, &t, &same[3], term, "cadre-4").await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (429, Some("too_many_requests")),
        "{:?}",
        r.body
    );
    let members = app.get(&format!("/api/v1/teams/{t}"), &approver).await;
    assert_eq!(
        members.body["members"].as_array().map(Vec::len),
        Some(3),
        "{:?}",
        members.body
    );
    assert_eq!(audit_rows(&app, "member.id_check", "approver", true), 3);
    assert!(audit_rows(&app, "alert.quota_exceeded", "approver", false) >= 1);
    // A retry of the first add with its key is replayed, trying nothing again.
    let again = add_cadre_once(&app, &approver, &t, &same[0], term, "cadre-1").await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(audit_rows(&app, "member.id_check", "approver", true), 3);
    // A number tried already may be tried again: the first cadre's next term.
    assert_eq!(
        add_cadre(&app, &approver, &t, &same[0], "2025-01-01", "2025-12-31").await,
        201
    );
    // The team tries count in the households' buckets of every year of the form: a search of
    // a fifth number, of a year no cadre was tried in, is refused too.
    let r = app
        .post(
            "/api/v1/members/search",
            &approver,
            serde_json::json!({ "id_number": same[4] }),
        )
        .await;
    assert_eq!(r.status, 429, "{:?}", r.body);
}

/// The team-member import answers per row whether a number is on a team (the row unchanged, or
/// "serves on another team"): each row counts as a try of its masked form, in its dry run too,
/// and past the limit a row is refused unchecked, in the dry run and the import alike.
#[actix_web::test]
async fn a_team_member_import_counts_its_rows_per_masked_form() {
    let (app, approver, _) = setup().await;
    let same = one_form_across_years("458");
    let t = team(&app, &approver).await;
    let mut lines = vec![
        "村代码,工作队名称,姓名,身份证号,派出单位,职务,任期开始,任期结束,系统账号".to_string(),
    ];
    for (i, id) in same[..4].iter().enumerate() {
        lines.push(format!(
            "370831001003,驻村工作队,队员{i},{id},县局,队员,2024-01-01,2024-12-31,"
        ));
    }
    let csv = lines.join("\n") + "\n";
    for path in [
        "/api/v1/imports/team-members?dry_run=true",
        "/api/v1/imports/team-members",
    ] {
        let job = run(&app, &approver, path, &csv).await;
        assert_eq!(job["summary"]["created"], 3, "{path}: {job:?}");
        let errs = errors(&app, &approver, &job).await;
        assert_eq!(errs.len(), 1, "{path}: {errs:?}");
        assert_eq!(
            (errs[0].0, errs[0].1.as_str()),
            (5, "id_number"),
            "{errs:?}"
        );
        assert!(
            errs[0]
                .2
                .contains("numbers of this masked form were tried today"),
            "{errs:?}"
        );
        // The dry run's tries stay recorded; the import after it records none again.
        assert_eq!(audit_rows(&app, "member.id_check", "approver", true), 3);
    }
    // The same budget as adding one by one.
    assert_eq!(
        add_cadre(&app, &approver, &t, &same[4], "2026-01-01", "2026-12-31").await,
        429
    );
    // A re-import of the rows checked counts nothing new and changes nothing.
    let job = run(&app, &approver, "/api/v1/imports/team-members", &csv).await;
    assert_eq!(job["summary"]["unchanged"], 3, "{job:?}");
    assert_eq!(audit_rows(&app, "member.id_check", "approver", true), 3);
}
