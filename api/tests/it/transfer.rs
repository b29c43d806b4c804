//! Bulk import (CSV, XLSX, form upload; dry run; row errors; idempotent re-import) and
//! streamed export.

use std::time::Duration;

use serde_json::{Value, json};

use crate::cases::id_number;
use crate::helpers::TestApp;

pub const HEADER: &str = "户编号,村代码,地址,户属性,致贫原因,识别年度,姓名,身份证号,与户主关系,健康状况,参加医保,年度,人均纯收入(元),不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障";

pub fn row(
    number: &str,
    village: &str,
    name: &str,
    id: &str,
    rel: &str,
    causes: &str,
    income: &str,
) -> String {
    let year = if rel == "户主" {
        format!("2020,{income},是,是,是,是,是,是")
    } else {
        ",,,,,,,".to_string()
    };
    format!("{number},{village},某村,一般贫困户,{causes},2015,{name},{id},{rel},健康,是,{year}")
}

/// Five good households (H01..H05, two members each) and several bad ones.
fn sheet(prefix_number: u32) -> (String, Vec<String>) {
    let mut lines = vec![HEADER.to_string()];
    let mut ids = Vec::new();
    for i in 0..5 {
        let (a, b) = (
            id_number("370831", prefix_number + 2 * i),
            id_number("370831", prefix_number + 2 * i + 1),
        );
        lines.push(row(
            &format!("H0{i}"),
            "370831001003",
            &format!("户主{i}"),
            &a,
            "户主",
            "因病;缺资金",
            "4200.50",
        ));
        lines.push(row(
            &format!("H0{i}"),
            "370831001003",
            &format!("子女{i}"),
            &b,
            "子女",
            "因病;缺资金",
            "",
        ));
        ids.extend([a, b]);
    }
    let bad_check = {
        let mut s = id_number("370831", prefix_number + 50);
        let last = if s.ends_with('1') { "2" } else { "1" };
        s.replace_range(17..18, last);
        s
    };
    lines.push(row(
        "B01",
        "370831001003",
        "坏号码",
        &bad_check,
        "户主",
        "因病",
        "4000",
    ));
    lines.push(row(
        "B02",
        "370831001003",
        "怪原因",
        &id_number("370831", prefix_number + 51),
        "户主",
        "运气差",
        "4000",
    ));
    lines.push(row(
        "B03",
        "370831001003",
        "甲",
        &id_number("370831", prefix_number + 52),
        "户主",
        "因病",
        "4000",
    ));
    lines.push(row(
        "B03",
        "370831001003",
        "乙",
        &id_number("370831", prefix_number + 53),
        "户主",
        "因病",
        "4000",
    ));
    lines.push(row(
        "B04",
        "370830001001",
        "外县",
        &id_number("370830", prefix_number + 54),
        "户主",
        "因病",
        "4000",
    ));
    lines.push(row(
        "B05",
        "370831001003",
        "负收入",
        &id_number("370831", prefix_number + 55),
        "户主",
        "因病",
        "-5",
    ));
    (lines.join("\n") + "\n", ids)
}

/// Waits up to two minutes for a job to finish (the 2,200-household import of `bulk` takes
/// over 30 s in a debug build when other tests run beside it).
/// Sends `csv` to the household import as `token`'s user and waits for the job to end.
pub async fn import_households(app: &TestApp, token: &str, csv: impl Into<Vec<u8>>) -> Value {
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(token),
            "text/csv",
            csv.into(),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    wait(app, token, &r.body).await
}

pub async fn wait(app: &TestApp, token: &str, job: &Value) -> Value {
    let id = job["id"].as_str().unwrap_or_default();
    for _ in 0..1200 {
        let r = app.get(&format!("/api/v1/jobs/{id}"), token).await;
        if r.body["status"] == "succeeded" || r.body["status"] == "failed" {
            return r.body;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job did not finish: {job:?}");
}

pub async fn errors(app: &TestApp, token: &str, job: &Value) -> Vec<(i64, String, String)> {
    let id = job["id"].as_str().unwrap_or_default();
    let r = app
        .get(&format!("/api/v1/jobs/{id}/errors?limit=200"), token)
        .await;
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

async fn setup() -> (TestApp, String) {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    (app, t)
}

#[actix_web::test]
async fn import_reports_every_bad_row_and_loses_no_good_one() {
    let (app, t) = setup().await;
    let (csv, _) = sheet(0);
    // A dry run checks everything and writes nothing.
    let r = app
        .post_raw(
            "/api/v1/imports/households?dry_run=true",
            Some(&t),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert!(r.header("location").is_some());
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["summary"]["households_created"], 5);
    assert_eq!(job["summary"]["dry_run"], true);
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        0,
        "a dry run writes nothing"
    );
    // The real run.
    let job = import_households(&app, &t, csv.clone().into_bytes()).await;
    assert_eq!(job["summary"]["households_created"], 5, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 5);
    assert_eq!(job["total_rows"], 16);
    assert_eq!(job["processed_rows"], 16);
    assert_eq!(job["error_rows"], 6);
    let errs = errors(&app, &t, &job).await;
    let has = |row: i64, column: &str, text: &str| {
        errs.iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(text))
    };
    assert!(has(12, "id_number", "check"), "{errs:?}");
    assert!(has(13, "poverty_causes", "not a known cause"), "{errs:?}");
    assert!(has(14, "relationship", "exactly one head"), "{errs:?}");
    assert!(
        has(15, "household", "other rows"),
        "both rows of a bad household are reported: {errs:?}"
    );
    assert!(has(16, "village_code", "outside your scope"), "{errs:?}");
    assert!(has(17, "income_per_capita", "negative"), "{errs:?}");
    // Each error also names the column as the sheet's header does (a person reads the file's
    // Chinese headers, not the API's keys); a household-wide refusal names no column.
    let id = job["id"].as_str().unwrap_or_default();
    let raw = app
        .get(&format!("/api/v1/jobs/{id}/errors?limit=200"), &t)
        .await;
    let header_of = |column: &str| {
        raw.body["items"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["column"] == column))
            .map(|e| e["header"].clone())
            .unwrap_or_default()
    };
    assert_eq!(header_of("id_number"), "身份证号", "{:?}", raw.body);
    assert_eq!(header_of("income_per_capita"), "人均纯收入(元)");
    assert_eq!(header_of("household"), Value::Null);
    // The same rows in Chinese: each reason was stored in both languages when it was refused.
    let zh = app
        .get_with(
            &format!("/api/v1/jobs/{id}/errors?limit=200"),
            &t,
            &[("accept-language", "zh-CN")],
        )
        .await;
    let message_zh = |column: &str| {
        zh.body["items"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["column"] == column))
            .and_then(|e| e["message"].as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    assert_eq!(
        message_zh("income_per_capita"),
        "不能为负数",
        "{:?}",
        zh.body
    );
    assert_eq!(
        message_zh("village_code"),
        "超出您的管辖范围",
        "{:?}",
        zh.body
    );
    assert!(message_zh("household").starts_with("户 "), "{:?}", zh.body);
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        5
    );
    let list = app.get("/api/v1/households?limit=10", &t).await;
    assert_eq!(list.body["items"][0]["member_count"], 2);
    let id = list.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let year = app
        .get(&format!("/api/v1/households/{id}/years/2020"), &t)
        .await;
    assert_eq!(year.body["income_per_capita_fen"], 420_050);
    // Again: nothing changes.
    let again = import_households(&app, &t, csv.clone().into_bytes()).await;
    assert_eq!(again["summary"]["households_created"], 0, "{again:?}");
    assert_eq!(again["summary"]["households_unchanged"], 5);
    assert_eq!(again["summary"]["households_updated"], 0);
    let hist = app
        .get(&format!("/api/v1/households/{id}/history"), &t)
        .await;
    assert_eq!(
        hist.body["items"].as_array().map(Vec::len),
        Some(1),
        "re-import wrote no history"
    );
    // A changed address updates that household only.
    let changed = csv.replacen("H00,370831001003,某村", "H00,370831001003,新村", 2);
    let third = import_households(&app, &t, changed.into_bytes()).await;
    assert_eq!(third["summary"]["households_updated"], 1, "{third:?}");
    assert_eq!(third["summary"]["households_unchanged"], 4);
}

#[actix_web::test]
async fn xlsx_and_form_uploads_import_too() {
    let (app, t) = setup().await;
    let (csv, _) = sheet(200);
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, line) in csv.lines().take(5).enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(
                u32::try_from(r).unwrap_or(0),
                u16::try_from(c).unwrap_or(0),
                cell,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["summary"]["households_created"], 2, "{job:?}");
    // The same rows as a form field.
    let boundary = "zxboundary";
    let (csv2, _) = sheet(300);
    let first_household: String = csv2
        .lines()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n")
        .replace("H00,", "F00,");
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.csv\"\r\nContent-Type: text/csv\r\n\r\n{first_household}\n\r\n--{boundary}--\r\n"
    );
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            &format!("multipart/form-data; boundary={boundary}"),
            form.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    // Two `file` parts are refused, not imported joined end to end as one file.
    let part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.csv\"\r\nContent-Type: text/csv\r\n\r\n{first_household}\n\r\n"
    );
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            &format!("multipart/form-data; boundary={boundary}"),
            format!("{part}{part}--{boundary}--\r\n").into_bytes(),
        )
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("file")),
        "{:?}",
        r.body
    );
    let tpl = app
        .get("/api/v1/imports/households/template?format=xlsx", &t)
        .await;
    assert_eq!(tpl.status, 200);
}

/// Registers as counties keep them in Excel: a household's own columns merged down its member
/// rows read on every row (the household is imported whole), and a row whose 户编号 was typed
/// into a number cell (Excel kept 15 of its 16 digits) says so, not only that 户编号 is missing.
#[actix_web::test]
async fn merged_household_cells_import_and_a_numeric_number_says_why() {
    let (app, t) = setup().await;
    let (csv, _) = sheet(700);
    let lines: Vec<Vec<&str>> = csv
        .lines()
        .take(5)
        .map(|l| l.split(',').collect())
        .collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    for (r, cells) in lines.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(0);
        for (c, cell) in cells.iter().enumerate() {
            let c16 = u16::try_from(c).unwrap_or(0);
            match (r, c) {
                // H00 (rows 2–3): its own columns merged down both rows, written once.
                (1, 0..=5) => {
                    ws.merge_range(1, c16, 2, c16, cell, &plain)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                (2, 0..=5) => {}
                // H01's head (row 4): 户编号 in a number cell.
                (3, 0) => {
                    ws.write_number(3, 0, 3_708_310_010_030_099.0)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                _ => {
                    ws.write_string(r, c16, *cell)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    let found = app.get("/api/v1/households?limit=10", &t).await;
    let h00: Vec<&Value> = found.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["household_number"] == "H00")
        .collect();
    assert_eq!(h00.len(), 1, "{:?}", found.body);
    let id = h00[0]["id"].as_str().unwrap_or_default();
    let members = app
        .get(&format!("/api/v1/households/{id}/members"), &t)
        .await;
    assert_eq!(
        members.body.as_array().map(Vec::len),
        Some(2),
        "{:?}",
        members.body
    );
    let errs = errors(&app, &t, &job).await;
    let row4: Vec<&(i64, String, String)> = errs.iter().filter(|e| e.0 == 4).collect();
    assert!(
        row4.iter()
            .any(|e| e.1 == "household_number" && e.2.contains("16 digits")),
        "{errs:?}"
    );
    assert!(
        !row4.iter().any(|e| e.2.contains("required")),
        "the row's reason is lost under 'required': {errs:?}"
    );
}

#[actix_web::test]
async fn import_refuses_people_registered_elsewhere() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    let tb = app.token("clerk.b").await;
    let (csv, ids) = sheet(400);
    let theirs = json!({
        "household_number": "W1", "village_code": "370830001001", "attribute": "general", "poverty_causes": ["illness"],
        "year_identified": 2016, "members": [{"name": "外县人", "id_number": ids[2], "relationship": "head"}]
    });
    assert_eq!(
        app.post("/api/v1/households", &tb, theirs).await.status,
        201
    );
    let job = import_households(&app, &t, csv.into_bytes()).await;
    assert_eq!(job["summary"]["households_created"], 4, "{job:?}");
    let errs = errors(&app, &t, &job).await;
    assert!(
        errs.iter()
            .any(|(r, c, m)| *r == 4 && c == "id_number" && m.contains("already registered")),
        "{errs:?}"
    );
    assert!(
        !errs
            .iter()
            .any(|(_, _, m)| m.contains("370830") || m.contains("W1")),
        "errors name nothing of the other county"
    );
}

#[actix_web::test]
async fn export_streams_scoped_masked_and_audited() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    app.user("auditor", "370831", &["auditor"]);
    let (csv, ids) = sheet(500);
    import_households(&app, &t, csv.into_bytes()).await;
    let tb = app.token("clerk.b").await;
    let theirs = json!({
        "household_number": "W9", "village_code": "370830001001", "attribute": "general", "poverty_causes": ["illness"],
        "year_identified": 2016, "members": [{"name": "外县人", "id_number": id_number("370830", 999), "relationship": "head"}]
    });
    app.post("/api/v1/households", &tb, theirs).await;
    let r = app
        .send(
            "GET",
            "/api/v1/exports/households?format=csv",
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-disposition")
            .unwrap_or_default()
            .contains("households.csv")
    );
    let text = r.body.as_str().unwrap_or_default().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "header + 10 members: {text}");
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("户编号,村代码")
    );
    assert!(
        !text.contains(&ids[0]) && text.contains(&format!("370831********{}", &ids[0][14..])),
        "masked by default"
    );
    assert!(
        !text.contains("W9"),
        "another county's households are not exported"
    );
    // Full numbers need a reason and the permission, and are audited.
    assert_eq!(
        app.send(
            "GET",
            "/api/v1/exports/households?reveal=true",
            Some(&t),
            None,
            &[]
        )
        .await
        .status,
        422
    );
    let auditor = app.token("auditor").await;
    assert_eq!(
        app.send(
            "GET",
            "/api/v1/exports/households?reveal=true&reason=checking",
            Some(&auditor),
            None,
            &[]
        )
        .await
        .status,
        403
    );
    let full = app
        .send(
            "GET",
            "/api/v1/exports/households?reveal=true&reason=annual%20review",
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(full.status, 200);
    let full_text = full.body.as_str().unwrap_or_default().to_string();
    assert!(full_text.contains(&ids[0]));
    let log = app
        .get("/api/v1/audit-events?action=member.reveal_bulk", &auditor)
        .await;
    assert_eq!(log.body["items"][0]["details"]["reason"], "annual review");
    // An export with full numbers imports back unchanged.
    let job = import_households(&app, &t, full_text.into_bytes()).await;
    assert_eq!(job["summary"]["households_unchanged"], 5, "{job:?}");
    // Exports with full numbers are limited per user and day (2 in the tests).
    assert_eq!(
        app.send(
            "GET",
            "/api/v1/exports/households?reveal=true&reason=second%20look",
            Some(&t),
            None,
            &[]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.send(
            "GET",
            "/api/v1/exports/households?reveal=true&reason=third%20look",
            Some(&t),
            None,
            &[]
        )
        .await
        .status,
        429
    );
    // XLSX export.
    let x = app
        .send(
            "GET",
            "/api/v1/exports/households?format=xlsx&status=registered",
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(x.status, 200);
    assert!(
        x.header("content-type")
            .unwrap_or_default()
            .contains("spreadsheetml")
    );
}

#[actix_web::test]
async fn a_dry_run_still_records_attempts_on_people_registered_elsewhere() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    app.user("auditor.city", "3708", &["auditor"]);
    let tb = app.token("clerk.b").await;
    let (csv, ids) = sheet(600);
    let theirs = json!({"household_number": "W1", "village_code": "370830001001", "attribute": "general",
        "poverty_causes": ["illness"], "year_identified": 2016, "members": [{"name": "外县人", "id_number": ids[0], "relationship": "head"}]});
    assert_eq!(
        app.post("/api/v1/households", &tb, theirs).await.status,
        201
    );
    let r = app
        .post_raw(
            "/api/v1/imports/households?dry_run=true",
            Some(&t),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    let job = wait(&app, &t, &r.body).await;
    assert_eq!(job["summary"]["households_refused"], 6, "{job:?}");
    let city = app.token("auditor.city").await;
    let seen = app
        .get(
            "/api/v1/audit-events?action=member.duplicate_attempt",
            &city,
        )
        .await;
    assert_eq!(
        seen.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        seen.body
    );
}

#[actix_web::test]
async fn exported_cells_cannot_run_formulas_and_still_import_back() {
    let (app, t) = setup().await;
    let body = json!({"household_number": "F1", "village_code": "370831001003", "attribute": "general",
        "poverty_causes": ["illness"], "year_identified": 2016, "notes": "=HYPERLINK(\"http://x\")",
        "members": [{"name": "王五", "id_number": id_number("370831", 777), "relationship": "head", "phone": "+8613800000000"}]});
    assert_eq!(app.post("/api/v1/households", &t, body).await.status, 201);
    let r = app
        .send(
            "GET",
            "/api/v1/exports/households?reveal=true&reason=round%20trip",
            Some(&t),
            None,
            &[],
        )
        .await;
    let text = r.body.as_str().unwrap_or_default().to_string();
    assert!(
        text.contains("'=HYPERLINK") && text.contains("'+8613800000000"),
        "{text}"
    );
    let job = import_households(&app, &t, text.into_bytes()).await;
    assert_eq!(job["summary"]["households_unchanged"], 1, "{job:?}");
    // An XLSX cell written as text is never a formula: the note and the phone number as they
    // are, no apostrophe to show.
    let r = app
        .send(
            "GET",
            "/api/v1/exports/households?format=xlsx&reveal=true&reason=round%20trip",
            Some(&t),
            None,
            &[],
        )
        .await;
    assert!(r.raw.starts_with(b"PK"), "an xlsx is a zip");
    let cells = String::from_utf8_lossy(&crate::benefit_cards::xlsx_strings(&r.raw)).to_string();
    assert!(
        cells.contains("=HYPERLINK") && !cells.contains("'=HYPERLINK"),
        "{cells}"
    );
    assert!(
        cells.contains("+8613800000000") && !cells.contains("'+8613800000000"),
        "{cells}"
    );
}

mod bulk;
mod cancel;
mod files;
mod jobs;
mod stored;
