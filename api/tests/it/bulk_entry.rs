//! Bulk entry of the other spreadsheets (issue 19, item 5): yearly household records, … Each
//! kind: dry run stores nothing; good rows land and every bad row is reported with its row,
//! column and reason; re-import changes nothing; another county's object gets the unknown
//! object's message; permissions as the one-by-one routes.

use serde_json::Value;

use crate::cases::{household, id_number};
use crate::helpers::TestApp;
use crate::transfer::wait;

mod uploads;

async fn errors(app: &TestApp, token: &str, job: &Value) -> Vec<(i64, String, String)> {
    let id = job["id"].as_str().unwrap_or_default();
    let r = app
        .get(&format!("/api/v1/jobs/{id}/errors?limit=200"), token)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn import(app: &TestApp, token: &str, path: &str, csv: &str) -> Value {
    let r = app
        .post_raw(path, Some(token), "text/csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(app, token, &r.body).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    job
}

fn message_of(errs: &[(i64, String, String)], row: i64) -> Vec<(&str, &str)> {
    errs.iter()
        .filter(|(r, _, _)| *r == row)
        .map(|(_, c, m)| (c.as_str(), m.as_str()))
        .collect()
}

async fn history(app: &TestApp, token: &str, household: &str) -> Option<usize> {
    let r = app
        .get(&format!("/api/v1/households/{household}/history"), token)
        .await;
    r.body["items"].as_array().map(Vec::len)
}

const YEAR_HEADER: &str = "户编号,身份证号,年度,人均纯收入(元),工资性收入(元),不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障";

fn year_row(number: &str, id: &str, year: &str, income: &str) -> String {
    format!("{number},{id},{year},{income},1000,是,是,是,是,是,是")
}

struct Years {
    app: TestApp,
    clerk: String,
    ids: Vec<String>,
    wenshang_id: String,
    h00: String,
}

/// Two households of the clerk's village (H00, H01), one of another village of the county
/// (O00) and one of Wenshang (W00).
async fn years_setup() -> Years {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", "370831001003", &["village_clerk"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("approver.w", "370830", &["county_approver"]);
    let clerk = app.token("clerk").await;
    let approver = app.token("approver").await;
    let wenshang = app.token("approver.w").await;
    let ids: Vec<String> = (0..6).map(|i| id_number("370831", 700 + i)).collect();
    let mut h00 = String::new();
    for (n, village, members) in [
        ("H00", "370831001003", &ids[0..2]),
        ("H01", "370831001003", &ids[2..4]),
        ("O00", "370831001010", &ids[4..6]),
    ] {
        let r = app
            .post(
                "/api/v1/households",
                &approver,
                household(n, village, members),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        if n == "H00" {
            h00 = r.body["id"].as_str().unwrap_or_default().to_string();
        }
    }
    let wenshang_id = id_number("370830", 790);
    let r = app
        .post(
            "/api/v1/households",
            &wenshang,
            household("W00", "370830001001", std::slice::from_ref(&wenshang_id)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    Years {
        app,
        clerk,
        ids,
        wenshang_id,
        h00,
    }
}

#[actix_web::test]
async fn yearly_records_import_reports_every_bad_row_and_reimports_idempotently() {
    let s = years_setup().await;
    let (app, t) = (&s.app, &s.clerk);
    let lines = [
        YEAR_HEADER.to_string(),
        year_row("H00", "", "2021", "5000.50"), // 2: by number
        year_row("", &s.ids[2], "2021", "4800"), // 3: by a member's ID number
        year_row("H00", "", "2022", "-5"),      // 4: negative income
        year_row("W00", "", "2021", "4000"),    // 5: Wenshang's household number
        year_row("NOPE", "", "2021", "4000"),   // 6: no such household
        year_row("", &s.wenshang_id, "2021", "4000"), // 7: a Wenshang member's ID number
        year_row("H00", "", "2021", "5100"),    // 8: the same household-year as row 2
        year_row("H00", "", "20x1", "4000"),    // 9: not a year
        year_row("H01", &s.ids[0], "2023", "4000"), // 10: an ID of another household
        year_row("O00", "", "2021", "4000"),    // 11: another village: outside the clerk's area
        year_row("", "", "2021", "4000"),       // 12: names no household
    ];
    let csv = lines.join("\n") + "\n";
    // A dry run checks everything and stores nothing.
    let dry = import(app, t, "/api/v1/imports/household-years?dry_run=true", &csv).await;
    assert_eq!(dry["summary"]["created"], 2, "{dry:?}");
    assert_eq!(dry["summary"]["dry_run"], true);
    let years = app
        .get(&format!("/api/v1/households/{}/years", s.h00), t)
        .await;
    assert_eq!(years.body.as_array().map(Vec::len), Some(0), "{years:?}");

    let job = import(app, t, "/api/v1/imports/household-years", &csv).await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 9, "{job:?}");
    assert_eq!(job["total_rows"], 11);
    assert_eq!(job["processed_rows"], 11);
    assert_eq!(job["error_rows"], 9);
    let errs = errors(app, t, &job).await;
    let unknown = message_of(&errs, 6);
    assert_eq!(unknown.len(), 1, "{errs:?}");
    assert_eq!(unknown[0].0, "household_number");
    assert_eq!(
        message_of(&errs, 5),
        unknown,
        "another county's household gets the unknown household's message"
    );
    assert_eq!(message_of(&errs, 7), unknown, "by ID number too");
    assert_eq!(message_of(&errs, 11), unknown, "another village's too");
    let has = |row: i64, column: &str, text: &str| {
        errs.iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(text))
    };
    assert!(has(4, "income_per_capita", "negative"), "{errs:?}");
    assert!(has(8, "household_number", "row 2"), "{errs:?}");
    assert!(has(9, "year", "year"), "{errs:?}");
    assert!(has(10, "id_number", "not a member"), "{errs:?}");
    assert!(has(12, "household_number", "户编号"), "{errs:?}");
    let year = app
        .get(&format!("/api/v1/households/{}/years/2021", s.h00), t)
        .await;
    assert_eq!(year.status, 200, "{:?}", year.body);
    assert_eq!(year.body["income_per_capita_fen"], 500_050);
    assert_eq!(year.body["wage_income_fen"], 100_000);
    let before = history(app, t, &s.h00).await;

    // Again: nothing changes, nothing is duplicated, no history is written.
    let again = import(app, t, "/api/v1/imports/household-years", &csv).await;
    assert_eq!(again["summary"]["created"], 0, "{again:?}");
    assert_eq!(again["summary"]["updated"], 0);
    assert_eq!(again["summary"]["unchanged"], 2);
    assert_eq!(history(app, t, &s.h00).await, before);
    let years = app
        .get(&format!("/api/v1/households/{}/years", s.h00), t)
        .await;
    assert_eq!(years.body.as_array().map(Vec::len), Some(1));

    // A changed income updates that record only.
    let changed = csv.replacen("H00,,2021,5000.50", "H00,,2021,5200", 1);
    let third = import(app, t, "/api/v1/imports/household-years", &changed).await;
    assert_eq!(third["summary"]["updated"], 1, "{third:?}");
    assert_eq!(third["summary"]["unchanged"], 1);
    let year = app
        .get(&format!("/api/v1/households/{}/years/2021", s.h00), t)
        .await;
    assert_eq!(year.body["income_per_capita_fen"], 520_000);
    assert_eq!(year.body["version"], 2, "{:?}", year.body);
}

#[actix_web::test]
async fn yearly_records_import_has_a_template_and_the_household_imports_rules() {
    let mut s = years_setup().await;
    s.app
        .user("reviewer", "370831001000", &["township_reviewer"]);
    s.app.user("auditor", "370831", &["auditor"]);
    let reviewer = s.app.token("reviewer").await;
    let auditor = s.app.token("auditor").await;
    let app = &s.app;
    // The template: Chinese headers, XLSX by default for spreadsheets, CSV on request.
    let x = app
        .get(
            "/api/v1/imports/household-years/template?format=xlsx",
            &s.clerk,
        )
        .await;
    assert_eq!(x.status, 200);
    assert!(x.raw.starts_with(b"PK"), "an XLSX workbook");
    let c = app
        .get("/api/v1/imports/household-years/template", &s.clerk)
        .await;
    let text = String::from_utf8_lossy(&c.raw).to_string();
    assert!(
        text.contains("户编号,身份证号,年度,人均纯收入(元)"),
        "{text}"
    );
    // The template imports as it is, once its example names a household of the caller.
    let example =
        text.replacen("3708310010030001", "H01", 1)
            .replacen("370831198001010015", &s.ids[2], 1);
    let job = import(app, &s.clerk, "/api/v1/imports/household-years", &example).await;
    assert_eq!(job["summary"]["created"], 1, "{job:?}");
    // Without cases:import: refused before the file is read.
    let r = app
        .post_raw(
            "/api/v1/imports/household-years",
            Some(&reviewer),
            "text/csv",
            example.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(
        app.get("/api/v1/imports/household-years/template", &reviewer)
            .await
            .status,
        403
    );
    // A bad file is refused whole.
    let r = app
        .post_raw(
            "/api/v1/imports/household-years",
            Some(&s.clerk),
            "text/csv",
            "户编号,星座\nH00,白羊\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Audited.
    let audit = app
        .get(
            "/api/v1/audit-events?action=household_year.import",
            &auditor,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        audit.body
    );
}

const PROFILE_HEADER: &str = "村代码,年度,总户数,总人口,人均可支配收入(元),村集体经济收入(元),耕地面积(亩),林地面积(亩),主要产业,特色产业,两项改革合并村,原贫困村,自来水普及率(%)";

fn profile_row(village: &str, year: &str, forest: &str, tap: &str) -> String {
    format!("{village},{year},1199,3594,18260,200000,3335,{forest},种养殖;水稻,鱼养殖,是,是,{tap}")
}

#[actix_web::test]
async fn village_profiles_import_reports_every_bad_row_and_reimports_idempotently() {
    use crate::exit::{V1, V2, setup};
    let x = setup().await;
    let (app, t) = (&x.app, &x.clerk);
    let lines = [
        PROFILE_HEADER.to_string(),
        profile_row(V1, "2020", "449.4", "95"),         // 2
        profile_row(V1, "2021", "449.4", "96.5"),       // 3
        profile_row(V2, "2020", "1", "80"),             // 4: another village of the county
        profile_row("370830001001", "2020", "1", "80"), // 5: a village of Wenshang
        profile_row("370831999999", "2020", "1", "80"), // 6: no such village
        profile_row(V1, "2022", "-1", "95.55"),         // 7: bad area and percentage
        profile_row(V1, "2020", "449.4", "95"),         // 8: the same village-year as row 2
        profile_row("abc", "2020", "1", "80"),          // 9: not a code
    ];
    let csv = lines.join("\n") + "\n";
    let profiles = format!("/api/v1/villages/{V1}/profiles");
    let dry = import(
        app,
        t,
        "/api/v1/imports/village-profiles?dry_run=true",
        &csv,
    )
    .await;
    assert_eq!(dry["summary"]["created"], 2, "{dry:?}");
    assert_eq!(
        app.get(&profiles, t).await.body.as_array().map(Vec::len),
        Some(0),
        "a dry run stores nothing"
    );

    let job = import(app, t, "/api/v1/imports/village-profiles", &csv).await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 6);
    let errs = errors(app, t, &job).await;
    let unknown = message_of(&errs, 6);
    assert_eq!(unknown.len(), 1, "{errs:?}");
    assert_eq!(unknown[0].0, "village_code");
    assert_eq!(message_of(&errs, 4), unknown, "{errs:?}");
    assert_eq!(
        message_of(&errs, 5),
        unknown,
        "another county's village gets the unknown village's message"
    );
    let mut bad: Vec<&str> = message_of(&errs, 7).into_iter().map(|(c, _)| c).collect();
    bad.sort_unstable();
    assert_eq!(bad, vec!["forest_mu", "tap_water_pct"], "{errs:?}");
    assert!(
        message_of(&errs, 8)
            .iter()
            .any(|(c, m)| *c == "village_code" && m.contains("row 2")),
        "{errs:?}"
    );
    assert_eq!(message_of(&errs, 9)[0].0, "village_code");
    let one = app.get(&format!("{profiles}/2021"), t).await;
    assert_eq!(one.status, 200, "{:?}", one.body);
    assert_eq!(one.body["forest_mu"], 449.4);
    assert_eq!(one.body["tap_water_pct"], 96.5);
    assert_eq!(one.body["per_capita_income_fen"], 1_826_000);
    assert_eq!(one.body["main_industries"][1], "水稻");
    assert_eq!(one.body["merged_village"], true);

    let again = import(app, t, "/api/v1/imports/village-profiles", &csv).await;
    assert_eq!(again["summary"]["unchanged"], 2, "{again:?}");
    assert_eq!(again["summary"]["created"], 0);
    assert_eq!(again["summary"]["updated"], 0);
    assert_eq!(
        app.get(&profiles, t).await.body.as_array().map(Vec::len),
        Some(2)
    );
    let changed = csv.replacen(
        &profile_row(V1, "2021", "449.4", "96.5"),
        &profile_row(V1, "2021", "450", "96.5"),
        1,
    );
    let third = import(app, t, "/api/v1/imports/village-profiles", &changed).await;
    assert_eq!(third["summary"]["updated"], 1, "{third:?}");
    let one = app.get(&format!("{profiles}/2021"), t).await;
    assert_eq!(one.body["forest_mu"], 450.0);
    assert_eq!(one.body["version"], 2);

    // As the one-by-one route: a township reviewer (no villages:write) is refused.
    let r = app
        .post_raw(
            "/api/v1/imports/village-profiles",
            Some(&x.reviewer),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let tpl = app
        .get("/api/v1/imports/village-profiles/template", t)
        .await;
    assert_eq!(tpl.status, 200);
    assert!(String::from_utf8_lossy(&tpl.raw).contains("村代码,年度,总户数"));
}

#[actix_web::test]
async fn visit_logs_import_only_for_paired_households_and_adds_nothing_twice() {
    use crate::exit::{V1, setup};
    use serde_json::json;
    let mut x = setup().await;
    let zhang = x.app.user("team.zhang", V1, &["team_member"]).to_string();
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/teams",
            &x.approver,
            json!({"village_code": V1, "name": "驻村工作队"}),
        )
        .await;
    let team = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/teams/{team}/members"),
            &x.approver,
            json!({"name": "张某", "id_number": id_number("370831", 900),
                "dispatching_unit": "县农业农村局", "position": "first_secretary",
                "term_start": "2021-01-01", "term_end": "2023-12-31", "user_id": zhang}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let t1_id = id_number("370831", 901);
    let mut ids = Vec::new();
    for (n, seq) in [("T1", 901), ("T2", 902)] {
        let r = app
            .post(
                "/api/v1/households",
                &x.clerk,
                household(n, V1, &[id_number("370831", seq)]),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    let r = app
        .post(
            "/api/v1/households",
            &x.stranger,
            household("W1", "370830001001", &[id_number("370830", 903)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/pairings",
            &x.approver,
            json!({"household_id": ids[0], "member_id": member, "start_date": "2021-03-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let zt = app.token("team.zhang").await;
    let csv = [
        "户编号,身份证号,走访日期,走访情况,帮扶措施".to_string(),
        "T1,,2021-04-02,户主病情稳定,送医送药".to_string(), // 2
        format!(",{t1_id},2021/4/9,复查,送药"),             // 3: by ID number
        "T2,,2021-04-02,看望,送米".to_string(),             // 4: not paired with T2
        "W1,,2021-04-02,看望,送米".to_string(),             // 5: Wenshang's household
        "NOPE,,2021-04-02,看望,送米".to_string(),           // 6: no such household
        "T1,,2099-01-01,看望,送米".to_string(),             // 7: in the future
        "T1,,not-a-date,,送米".to_string(),                 // 8: no date, nothing found
        "T1,,2021-04-02,户主病情稳定,送医送药".to_string(), // 9: row 2 again
    ]
    .join("\n")
        + "\n";
    let visits = format!("/api/v1/visits?household={}", ids[0]);
    let count = |r: crate::helpers::Resp| r.body["items"].as_array().map(Vec::len);
    let dry = import(app, &zt, "/api/v1/imports/visits?dry_run=true", &csv).await;
    assert_eq!(dry["summary"]["created"], 2, "{dry:?}");
    assert_eq!(count(app.get(&visits, &x.clerk).await), Some(0), "dry run");

    let job = import(app, &zt, "/api/v1/imports/visits", &csv).await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 6);
    let errs = errors(app, &zt, &job).await;
    let unknown = message_of(&errs, 6);
    assert_eq!(unknown.len(), 1, "{errs:?}");
    assert_eq!(
        message_of(&errs, 5),
        unknown,
        "another county's household gets the unknown household's message"
    );
    assert!(message_of(&errs, 4)[0].1.contains("paired"), "{errs:?}");
    assert_eq!(message_of(&errs, 7)[0].0, "visited_on", "{errs:?}");
    let mut bad: Vec<&str> = message_of(&errs, 8).into_iter().map(|(c, _)| c).collect();
    bad.sort_unstable();
    assert_eq!(bad, vec!["found", "visited_on"], "{errs:?}");
    assert!(message_of(&errs, 9)[0].1.contains("row 2"), "{errs:?}");
    assert_eq!(count(app.get(&visits, &x.clerk).await), Some(2));

    let again = import(app, &zt, "/api/v1/imports/visits", &csv).await;
    assert_eq!(again["summary"]["created"], 0, "{again:?}");
    assert_eq!(again["summary"]["unchanged"], 2);
    assert_eq!(
        count(app.get(&visits, &x.clerk).await),
        Some(2),
        "no duplicates"
    );

    // As POST /visits: a clerk (no visits:write) is refused.
    let r = app
        .post_raw(
            "/api/v1/imports/visits",
            Some(&x.clerk),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}

#[actix_web::test]
async fn team_members_import_keeps_one_team_at_a_time_and_adds_nobody_twice() {
    use crate::exit::{V1, V2, setup};
    use serde_json::json;
    let mut x = setup().await;
    x.app.user("team.zhang", V1, &["team_member"]);
    // A real account that logs visits in another village: no more nameable than no account.
    let elsewhere = x.app.user("team.elsewhere", V2, &["team_member"]);
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/teams",
            &x.approver,
            json!({"village_code": V1, "name": "驻村工作队"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let team = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            "/api/v1/teams",
            &x.stranger,
            json!({"village_code": "370830001001", "name": "驻村工作队"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = |n: u32| id_number("370831", n);
    let csv = [
        "村代码,工作队名称,姓名,身份证号,派出单位,职务,任期开始,任期结束,系统账号".to_string(),
        format!(
            "{V1},驻村工作队,张某,{},县农业农村局,第一书记,2024-01-01,2025-12-31,team.zhang",
            id(910)
        ), // 2
        format!(
            "{V1},驻村工作队,李某,{},县财政局,member,2024-01-01,2025-12-31,",
            id(911)
        ), // 3
        format!(
            "370830001001,驻村工作队,王某,{},县局,队员,2024-01-01,2025-12-31,",
            id(912)
        ), // 4: Wenshang's team
        format!(
            "{V1},没有这个队,王某,{},县局,队员,2024-01-01,2025-12-31,",
            id(912)
        ), // 5: no such team
        format!(
            "{V1},驻村工作队,赵某,{},县局,厨师,2025-12-31,2024-01-01,",
            id(913)
        ), // 6: position, term
        format!(
            "{V1},驻村工作队,张某,{},县农业农村局,队员,2025-06-01,2026-12-31,",
            id(910)
        ), // 7: overlaps row 2
        format!(
            "{V1},驻村工作队,孙某,{},县局,队员,2024-01-01,2025-12-31,nobody",
            id(914)
        ), // 8: no such account
        format!(
            "{V1},驻村工作队,李某,{},县财政局,member,2024-01-01,2025-12-31,",
            id(911)
        ), // 9: row 3 again
        format!(
            "{V1},驻村工作队,周某,{},县局,队员,2024-01-01,2025-12-31,team.elsewhere",
            id(915)
        ), // 10: an account of another village
    ]
    .join("\n")
        + "\n";
    let members = |r: crate::helpers::Resp| r.body["members"].as_array().map(Vec::len);
    let path = format!("/api/v1/teams/{team}");
    let dry = import(
        app,
        &x.approver,
        "/api/v1/imports/team-members?dry_run=true",
        &csv,
    )
    .await;
    assert_eq!(dry["summary"]["created"], 2, "{dry:?}");
    assert_eq!(
        members(app.get(&path, &x.approver).await),
        Some(0),
        "dry run"
    );

    let job = import(app, &x.approver, "/api/v1/imports/team-members", &csv).await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 7);
    let errs = errors(app, &x.approver, &job).await;
    let unknown = message_of(&errs, 5);
    assert_eq!(unknown.len(), 1, "{errs:?}");
    assert_eq!(unknown[0].0, "team_name");
    assert_eq!(
        message_of(&errs, 4),
        unknown,
        "another county's team gets the unknown team's message"
    );
    let mut bad: Vec<&str> = message_of(&errs, 6).into_iter().map(|(c, _)| c).collect();
    bad.sort_unstable();
    assert_eq!(bad, vec!["position", "term_end"], "{errs:?}");
    assert!(
        message_of(&errs, 7)[0].1.contains("one team at a time"),
        "{errs:?}"
    );
    assert_eq!(message_of(&errs, 8)[0].0, "username", "{errs:?}");
    assert_eq!(
        message_of(&errs, 10),
        message_of(&errs, 8),
        "another village's account reads as no account"
    );
    // The route takes the same accounts: one of another village is refused, naming the field.
    let r = app
        .post(
            &format!("/api/v1/teams/{team}/members"),
            &x.approver,
            json!({"name": "周某", "id_number": id(916), "dispatching_unit": "县局",
                "position": "member", "term_start": "2024-01-01", "term_end": "2025-12-31",
                "user_id": elsewhere}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body.to_string().contains("user_id"), "{:?}", r.body);
    assert!(message_of(&errs, 9)[0].1.contains("row 3"), "{errs:?}");
    let t = app.get(&path, &x.approver).await;
    assert_eq!(members(t), Some(2));
    assert!(
        !app.get(&path, &x.approver)
            .await
            .body
            .to_string()
            .contains(&id(910)),
        "masked"
    );

    let again = import(app, &x.approver, "/api/v1/imports/team-members", &csv).await;
    assert_eq!(again["summary"]["created"], 0, "{again:?}");
    assert_eq!(again["summary"]["unchanged"], 2);
    assert_eq!(
        members(app.get(&path, &x.approver).await),
        Some(2),
        "nobody twice"
    );

    // As POST /teams/{id}/members: a village clerk (no villages:manage) is refused.
    let r = app
        .post_raw(
            "/api/v1/imports/team-members",
            Some(&x.clerk),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}

/// A ranger contract (2017–2030) for a new household of `village` whose one member has
/// ID number `person`; `registrar` registers the household, `officer` signs.
async fn ranger(
    app: &TestApp,
    registrar: &str,
    officer: &str,
    village: &str,
    number: &str,
    person: &str,
) -> String {
    use crate::funds::{allocate, fund, id, project};
    use serde_json::json;
    let r = app
        .post(
            "/api/v1/households",
            registrar,
            household(number, village, &[person.to_string()]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut fb = fund(20_000, "ecology", false, false);
    fb["county_code"] = json!(&village[..6]);
    let f = id(app.post("/api/v1/funds", officer, fb).await).await;
    let p = id(app
        .post(
            "/api/v1/projects",
            officer,
            project(village, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, officer, &f, &p, 10_000).await.status, 201);
    id(app
        .post(
            "/api/v1/ranger-contracts",
            officer,
            json!({"member_id": member, "station": "林业站", "area_mu": 120.0,
                "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
                "start_date": "2017-01-01", "end_date": "2030-12-31", "project_id": p}),
        )
        .await)
    .await
}

#[actix_web::test]
async fn ranger_patrols_and_inspections_import_by_the_rangers_id_number() {
    use crate::exit::V1;
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("funds.w", "370830", &["fund_officer"]);
    app.user("approver.w", "370830", &["county_approver"]);
    let officer = app.token("funds").await;
    let approver = app.token("approver").await;
    let officer_w = app.token("funds.w").await;
    let approver_w = app.token("approver.w").await;
    let ours = id_number("370831", 991);
    let theirs = id_number("370830", 992);
    let c = ranger(&app, &approver, &officer, V1, "R1", &ours).await;
    ranger(&app, &approver_w, &officer_w, "370830001001", "W1", &theirs).await;
    let stranger = id_number("370831", 993);
    let patrols = [
        "护林员身份证号,巡护日期,巡护路线或区域,发现问题,已报告林业站".to_string(),
        format!("{ours},2021-03-01,一号线,,否"), // 2
        format!("{ours},2021/3/2,二号线,发现枯枝堆积,是"), // 3
        format!("{theirs},2021-03-01,一号线,,否"), // 4: Wenshang's ranger
        format!("{stranger},2021-03-01,一号线,,否"), // 5: no contract
        format!("{ours},2016-12-31,一号线,,否"), // 6: before the contract
        format!("{ours},2021-03-03, ,,也许"),    // 7: no area, bad flag
        format!("{ours},2021-03-01,一号线,,否"), // 8: row 2 again
    ]
    .join("\n")
        + "\n";
    let dry = import(
        &app,
        &officer,
        "/api/v1/imports/ranger-patrols?dry_run=true",
        &patrols,
    )
    .await;
    assert_eq!(dry["summary"]["created"], 2, "{dry:?}");
    let log = format!("/api/v1/ranger-contracts/{c}/patrols");
    let count = |r: crate::helpers::Resp| r.body["items"].as_array().map(Vec::len);
    assert_eq!(count(app.get(&log, &officer).await), Some(0), "dry run");

    let job = import(&app, &officer, "/api/v1/imports/ranger-patrols", &patrols).await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 5);
    let errs = errors(&app, &officer, &job).await;
    let unknown = message_of(&errs, 5);
    assert_eq!(unknown.len(), 1, "{errs:?}");
    assert_eq!(unknown[0].0, "id_number");
    assert_eq!(
        message_of(&errs, 4),
        unknown,
        "another county's ranger gets the unknown ranger's message"
    );
    assert!(
        message_of(&errs, 6)
            .iter()
            .any(|(c, m)| *c == "patrolled_on" && m.contains("outside the contract")),
        "{errs:?}"
    );
    let mut bad: Vec<&str> = message_of(&errs, 7).into_iter().map(|(c, _)| c).collect();
    bad.sort_unstable();
    assert_eq!(bad, vec!["area", "reported"], "{errs:?}");
    assert!(message_of(&errs, 8)[0].1.contains("row 2"), "{errs:?}");
    assert_eq!(count(app.get(&log, &officer).await), Some(2));
    let again = import(&app, &officer, "/api/v1/imports/ranger-patrols", &patrols).await;
    assert_eq!(again["summary"]["unchanged"], 2, "{again:?}");
    assert_eq!(again["summary"]["created"], 0);
    assert_eq!(
        count(app.get(&log, &officer).await),
        Some(2),
        "nothing twice"
    );

    let inspections = [
        "护林员身份证号,检查日期,在岗,备注".to_string(),
        format!("{ours},2021-04-01,是,"),       // 2
        format!("{ours},2021-04-02,否,不在岗"), // 3
        format!("{theirs},2021-04-01,是,"),     // 4: Wenshang's ranger
        format!("{stranger},2021-04-01,是,"),   // 5: no contract
        format!("{ours},2021-04-03,,"),         // 6: present missing
    ]
    .join("\n")
        + "\n";
    let job = import(
        &app,
        &officer,
        "/api/v1/imports/ranger-inspections",
        &inspections,
    )
    .await;
    assert_eq!(job["summary"]["created"], 2, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 3);
    let errs = errors(&app, &officer, &job).await;
    assert_eq!(message_of(&errs, 4), message_of(&errs, 5), "{errs:?}");
    assert_eq!(message_of(&errs, 6)[0].0, "present", "{errs:?}");
    let again = import(
        &app,
        &officer,
        "/api/v1/imports/ranger-inspections",
        &inspections,
    )
    .await;
    assert_eq!(again["summary"]["unchanged"], 2, "{again:?}");
    assert_eq!(again["summary"]["created"], 0);
    // The absence corrected (another note) and imported again: refused by name, not a second
    // inspection of that day (a second absence doubles the month's deduction).
    let corrected =
        format!("护林员身份证号,检查日期,在岗,备注\n{ours},2021-04-02,否,外出开会未请假\n");
    let job = import(
        &app,
        &officer,
        "/api/v1/imports/ranger-inspections",
        &corrected,
    )
    .await;
    assert_eq!(job["summary"]["created"], 0, "{job:?}");
    assert_eq!(job["summary"]["rows_refused"], 1, "{job:?}");
    let errs = errors(&app, &officer, &job).await;
    assert_eq!(message_of(&errs, 2)[0].0, "inspected_on", "{errs:?}");

    // As the single routes: a county approver (no funds:manage) is refused.
    let r = app
        .post_raw(
            "/api/v1/imports/ranger-patrols",
            Some(&approver),
            "text/csv",
            patrols.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}
