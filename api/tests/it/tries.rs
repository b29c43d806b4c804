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
    let r = app
        .post(
            "/api/v1/households",
            &approver,
            household("T01", "370831001003", std::slice::from_ref(&same[0])),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);

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
    let r = app
        .post(
            "/api/v1/households",
            &approver,
            household("T01", "370831001003", &[same[0].clone(), other[0].clone()]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
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
