//! Seed 5's 一卡兑付 (issue 22): the household's benefit card (Luhn-checked, encrypted, masked
//! everywhere), payments to households only to it, and the payment file for the bank (its own
//! permission, a reason, audited). Another county's household or project is unknown.

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::exit::V1;
use crate::funds::{allocate, fund, id, project};
use crate::helpers::{Resp, TestApp};

/// A card number that passes the Luhn check (a test number).
pub const CARD: &str = "6217000010001234569";
/// The same number with its last digit changed: fails the check.
const BAD_CARD: &str = "6217000010001234566";
const MASKED: &str = "6217***********4569";

/// Records `CARD` as the household's benefit card.
pub async fn give_card(app: &TestApp, token: &str, household: &str) -> Resp {
    app.send(
        "PUT",
        &format!("/api/v1/households/{household}/benefit-card"),
        Some(token),
        Some(&json!({"bank_name": "中国农业银行泗水县支行", "card_number": CARD})),
        &[],
    )
    .await
}

struct Setup {
    app: TestApp,
    officer: String,
    clerk: String,
    approver: String,
    auditor: String,
    observer: String,
    stranger: String,
    household: String,
    project: String,
    person: String,
}

async fn setup() -> Setup {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("clerk", V1, &["village_clerk"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("auditor", "370831", &["auditor"]);
    app.user("funds.wenshang", "370830", &["fund_officer"]);
    app.user("observer", "3708", &["observer"]);
    let officer = app.token("funds").await;
    let clerk = app.token("clerk").await;
    let person = id_number("370831", 401);
    let r = app
        .post(
            "/api/v1/households",
            &clerk,
            household("BC1", V1, std::slice::from_ref(&person)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let h = r.body["id"].as_str().unwrap_or_default().to_string();
    let f = id(app
        .post(
            "/api/v1/funds",
            &officer,
            fund(20_000, "relocation", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &officer,
            project(V1, 10_000, "relocation", false),
        )
        .await)
    .await;
    assert_eq!(allocate(&app, &officer, &f, &p, 10_000).await.status, 201);
    Setup {
        approver: app.token("approver").await,
        auditor: app.token("auditor").await,
        observer: app.token("observer").await,
        stranger: app.token("funds.wenshang").await,
        officer,
        clerk,
        household: h,
        project: p,
        person,
        app,
    }
}

async fn pay(app: &TestApp, t: &str, project: &str, household: &str, fen: i64) -> Resp {
    app.post(
        &format!("/api/v1/projects/{project}/disbursements"),
        t,
        json!({"amount_fen": fen, "kind": "subsidy", "payee": "成员0", "household_id": household,
            "paid_on": "2021-06-01", "note": "搬迁补助"}),
    )
    .await
}

fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

#[actix_web::test]
async fn card_is_luhn_checked_encrypted_and_masked_everywhere() {
    let x = setup().await;
    let app = &x.app;
    let path = format!("/api/v1/households/{}/benefit-card", x.household);
    let put = |body: Value| {
        let path = path.clone();
        let t = x.officer.clone();
        async move { app.send("PUT", &path, Some(&t), Some(&body), &[]).await }
    };
    // A mistyped digit fails the Luhn check: 422 naming the field.
    let r = put(json!({"bank_name": "农业银行", "card_number": BAD_CARD})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "card_number");
    let r = put(json!({"bank_name": "农业银行", "card_number": "62170000"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "card_number");
    let r = put(json!({"bank_name": "", "card_number": CARD})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "bank_name");
    // No card yet.
    assert_eq!(app.get(&path, &x.officer).await.status, 404);
    // Recorded with spaces: answered masked, never in full.
    let r = put(json!({"bank_name": "中国农业银行泗水县支行",
        "card_number": "6217 0000 1000 1234 569"}))
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["card_masked"], MASKED);
    assert!(!r.body.to_string().contains(CARD));
    let card_id = r.body["id"].as_str().unwrap_or_default().to_string();
    // Read back masked, by the officer and by a county reader of funds.
    for t in [&x.officer, &x.approver] {
        let r = app.get(&path, t).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["card_masked"], MASKED);
        assert!(!r.body.to_string().contains(CARD));
    }
    // The village clerk has no funds permission; the city's observer reads funds but no
    // household records.
    assert_eq!(app.get(&path, &x.clerk).await.status, 403);
    assert_eq!(app.get(&path, &x.observer).await.status, 403);
    // Stored encrypted: neither the plain number nor its digits in a row of the table.
    let stored: Vec<Row> = app.db.as_owner("370831", |c| {
        diesel::sql_query("SELECT card_masked, card_cipher FROM benefit_cards WHERE id = $1::uuid")
            .bind::<Text, _>(&card_id)
            .load(c)
    });
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].card_masked, MASKED);
    assert!(
        !stored[0]
            .card_cipher
            .windows(CARD.len())
            .any(|w| w == CARD.as_bytes()),
        "the card number is stored in the clear"
    );
    // Paid to it: the ledger names the card masked, in the entry and the project.
    let r = pay(app, &x.officer, &x.project, &x.household, 300_000).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["card_masked"], MASKED);
    let p = app
        .get(&format!("/api/v1/projects/{}", x.project), &x.officer)
        .await;
    assert_eq!(p.body["disbursements"][0]["card_masked"], MASKED);
    assert!(!p.body.to_string().contains(CARD));
    // The audit trail of the change holds the masked number only.
    let log = app
        .get("/api/v1/audit-events?action=benefit_card.set", &x.auditor)
        .await;
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(1));
    assert!(!log.body.to_string().contains(CARD));
    // A new card replaces it; the earlier payment keeps naming the card it was paid to.
    let other = "4111111111111111";
    let r = put(json!({"bank_name": "泗水农商银行", "card_number": other})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["card_masked"], "4111********1111");
    assert_eq!(
        app.get(&path, &x.officer).await.body["bank_name"],
        "泗水农商银行"
    );
    let p = app
        .get(&format!("/api/v1/projects/{}", x.project), &x.officer)
        .await;
    assert_eq!(p.body["disbursements"][0]["card_masked"], MASKED);
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    card_masked: String,
    #[diesel(sql_type = Bytea)]
    card_cipher: Vec<u8>,
}

#[actix_web::test]
async fn households_are_paid_only_to_their_card() {
    let x = setup().await;
    let app = &x.app;
    // No card: refused by name, nothing paid.
    let r = pay(app, &x.officer, &x.project, &x.household, 100_000).await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "no_benefit_card"),
        "{:?}",
        r.body
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("BC1")
    );
    let p = app
        .get(&format!("/api/v1/projects/{}", x.project), &x.officer)
        .await;
    assert_eq!(p.body["disbursed_fen"], 0);
    // Payments to a contractor (no household) need no card.
    let r = app
        .post(
            &format!("/api/v1/projects/{}/disbursements", x.project),
            &x.officer,
            json!({"amount_fen": 1_000, "payee": "施工单位", "paid_on": "2021-06-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.body.get("card_masked").is_none());
    assert_eq!(give_card(app, &x.officer, &x.household).await.status, 200);
    let r = pay(app, &x.officer, &x.project, &x.household, 100_000).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // Reversed: the reversing entry names the same card.
    let did = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/disbursements/{did}/reversal"),
            &x.officer,
            json!({"note": "错发"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["card_masked"], MASKED);
}

#[actix_web::test]
async fn another_countys_household_and_project_are_unknown() {
    let x = setup().await;
    let app = &x.app;
    assert_eq!(give_card(app, &x.officer, &x.household).await.status, 200);
    let path = format!("/api/v1/households/{}/benefit-card", x.household);
    let unknown = "/api/v1/households/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/benefit-card";
    for p in [path.as_str(), unknown] {
        let r = app.get(p, &x.stranger).await;
        assert_eq!(r.status, 404, "{p}: {:?}", r.body);
    }
    let r = give_card(app, &x.stranger, &x.household).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let unknown_put = give_card(app, &x.stranger, "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b").await;
    assert_eq!(
        (r.status, code(&r)),
        (unknown_put.status, code(&unknown_put))
    );
    // The card is unchanged by the attempt.
    assert_eq!(app.get(&path, &x.officer).await.body["card_masked"], MASKED);
    let r = app
        .get(
            &format!(
                "/api/v1/projects/{}/payment-file?reason={}",
                x.project,
                enc("核对发放名单")
            ),
            &x.stranger,
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

#[actix_web::test]
async fn payment_file_needs_its_permission_and_a_reason_and_is_audited() {
    let x = setup().await;
    let app = &x.app;
    assert_eq!(give_card(app, &x.officer, &x.household).await.status, 200);
    // Two payments; the second is reversed and leaves the file.
    let r = pay(app, &x.officer, &x.project, &x.household, 280_050).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = pay(app, &x.officer, &x.project, &x.household, 1_000).await;
    let did = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/disbursements/{did}/reversal"),
            &x.officer,
            json!({"note": "重复发放"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let base = format!("/api/v1/projects/{}/payment-file", x.project);
    // Without the permission: the approver reads funds but may not print full numbers.
    let r = app
        .get(
            &format!("{base}?reason={}", enc("核对发放名单")),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // Without a reason, or too short a one: 422 naming it.
    for q in ["", "?reason=", "?reason=abc"] {
        let r = app.get(&format!("{base}{q}"), &x.officer).await;
        assert_eq!(r.status, 422, "{q}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "reason");
    }
    let r = app
        .get(
            &format!("{base}?format=pdf&reason={}", enc("核对发放名单")),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "format");
    // Nothing printed, nothing audited so far.
    let log = app
        .get(
            "/api/v1/audit-events?action=disbursement.payment_file",
            &x.auditor,
        )
        .await;
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(0));
    // With both: the full card and ID numbers, the amount in yuan, the purpose.
    let r = app
        .get(&format!("{base}?reason={}", enc(REASON)), &x.officer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let text = String::from_utf8_lossy(&r.raw).to_string();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], "姓名,身份证号,开户行,卡号,金额(元),用途,发放日期");
    assert_eq!(
        lines[1],
        format!(
            "成员0,{},中国农业银行泗水县支行,{CARD},2800.50,村道硬化:搬迁补助,2021-06-01",
            x.person
        )
    );
    // A day with no payments: the header only.
    let r = app
        .get(
            &format!("{base}?paid_on=2021-06-02&reason={}", enc(REASON)),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(String::from_utf8_lossy(&r.raw).trim().lines().count(), 1);
    // XLSX: a zip holding the same numbers as text cells.
    let r = app
        .get(
            &format!("{base}?format=xlsx&reason={}", enc(REASON)),
            &x.officer,
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.raw.starts_with(b"PK"), "an xlsx is a zip");
    let sheet = String::from_utf8_lossy(&xlsx_strings(&r.raw)).to_string();
    assert!(sheet.contains(CARD), "{sheet}");
    assert!(sheet.contains(&x.person));
    assert!(sheet.contains("2800.50"));
    // Every print is audited with its reason; the log itself holds no full number.
    let log = app
        .get(
            "/api/v1/audit-events?action=disbursement.payment_file",
            &x.auditor,
        )
        .await;
    let items = log.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "{:?}", log.body);
    assert!(items.iter().all(|i| i["reason"] == REASON));
    assert!(!log.body.to_string().contains(CARD));
}

const REASON: &str = "报送农业银行代发";

/// Percent-encodes a query value.
fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The shared strings of an xlsx file (where rust_xlsxwriter puts text cells).
pub(crate) fn xlsx_strings(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_end(&mut out).ok();
        }
    }
    out
}

/// The cards of a county's households come from a spreadsheet (issue 19 item 5's bulk entry):
/// every bad row is reported without echoing the number, another county's household gets the
/// unknown household's message, and the same file twice records nothing the second time.
#[actix_web::test]
async fn cards_are_imported_in_bulk_row_by_row_and_once() {
    let mut s = setup().await;
    s.app
        .user("clerk.wenshang", "370830001001", &["village_clerk"]);
    let clerk_b = s.app.token("clerk.wenshang").await;
    let theirs = id_number("370830", 402);
    let r = s
        .app
        .post(
            "/api/v1/households",
            &clerk_b,
            household("WS1", "370830001001", std::slice::from_ref(&theirs)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = s
        .app
        .post(
            "/api/v1/households",
            &s.clerk,
            household("BC2", V1, &[id_number("370831", 403)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let csv = format!(
        "户编号,身份证号,开户银行,卡号\n\
         BC1,{},中国农业银行泗水县支行,{CARD}\n\
         NOPE,,中国农业银行泗水县支行,{CARD}\n\
         WS1,{theirs},中国农业银行汶上县支行,{CARD}\n\
         BC2,,中国农业银行泗水县支行,{BAD_CARD}\n",
        s.person
    );
    let path = "/api/v1/imports/benefit-cards";
    let r = s
        .app
        .post_raw(path, Some(&s.clerk), "text/csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(r.status, 403, "a village clerk records no cards");
    let import = |csv: String| {
        let app = &s.app;
        let officer = s.officer.clone();
        async move {
            let r = app
                .post_raw(path, Some(&officer), "text/csv", csv.into_bytes())
                .await;
            assert_eq!(r.status, 202, "{:?}", r.body);
            let job = crate::transfer::wait(app, &officer, &r.body).await;
            assert_eq!(job["status"], "succeeded", "{job:?}");
            let id = job["id"].as_str().unwrap_or_default().to_string();
            let e = app
                .get(&format!("/api/v1/jobs/{id}/errors?limit=50"), &officer)
                .await;
            e.body["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let errs = import(csv.clone()).await;
    let at = |row: i64| -> Vec<(String, String)> {
        errs.iter()
            .filter(|e| e["row"] == row)
            .map(|e| {
                (
                    e["column"].as_str().unwrap_or_default().to_string(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(
        at(3),
        at(4),
        "another county's household reads as an unknown one"
    );
    assert_eq!(
        at(3).first().map(|e| e.0.as_str()),
        Some("household_number")
    );
    assert_eq!(at(5).first().map(|e| e.0.as_str()), Some("card_number"));
    assert!(!format!("{errs:?}").contains("621700001000123"), "{errs:?}");
    let card = s
        .app
        .get(
            &format!("/api/v1/households/{}/benefit-card", s.household),
            &s.officer,
        )
        .await;
    assert_eq!(card.status, 200, "{:?}", card.body);
    assert_eq!(card.body["card_masked"], MASKED);
    let first = card.body["id"].clone();
    // The same file again: the card in use is left as it is.
    import(csv).await;
    let again = s
        .app
        .get(
            &format!("/api/v1/households/{}/benefit-card", s.household),
            &s.officer,
        )
        .await;
    assert_eq!(again.body["id"], first, "re-import recorded the card again");
}

/// `funds.split`, of the county, holding `fund_officer` at townships 102 and 103 (not at 101,
/// where `setup`'s household lives): the range of a request would be the county's, 101
/// included. The second grant is refused when granted (422 `grants_split`); it is stored here
/// as grants made before that check were. Their token.
async fn split_officer(app: &mut TestApp) -> String {
    let id = app.user("funds.split", "370831", &[]);
    let p = app.token("platform.admin").await;
    let grant = |unit: &'static str| {
        let (app, p) = (&*app, p.clone());
        async move {
            app.post(
                &format!("/api/v1/users/{id}/roles"),
                &p,
                json!({"role": "fund_officer", "org_unit": unit}),
            )
            .await
        }
    };
    let r = grant("370831102").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = grant("370831103").await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "org_unit");
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("grants_split") && message.contains("370831000000"),
        "{message}"
    );
    // The role itself may be held at the county: that is the one suggested.
    assert!(
        message.contains("through a role at 370831000000 (fund_officer)"),
        "{message}"
    );
    let stored = app.db.as_owner("370831", |c| {
        diesel::sql_query(format!(
            "INSERT INTO role_grants (county_code, id, user_id, role, region_code, granted_by) \
             SELECT county_code, gen_random_uuid(), user_id, role, 370831103000, granted_by \
             FROM role_grants WHERE user_id = '{id}'"
        ))
        .execute(c)
    });
    assert_eq!(stored, 1);
    app.token("funds.split").await
}

/// Whether `r` is the refusal of a request whose permission is held at two townships.
fn refused_as_split(r: &Resp) -> bool {
    r.status == 403
        && r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("several units under 370831000000"))
}

/// A payment to a household needs `funds:manage` where the household lives, not only at the
/// project: the answer tells whether it has a card, and the payment would put the card's full
/// number and the head's full ID number in the project's payment file. A user holding it at
/// two townships (a range of the county, the third township's households in it) is refused
/// every payment, from their own township's project too, card or no card; nothing is paid.
#[actix_web::test]
async fn a_payment_names_no_card_outside_the_callers_townships() {
    let mut s = setup().await;
    let split = split_officer(&mut s.app).await;
    let app = &s.app;
    let theirs = crate::funds::allocated_project(app, &s.officer, "370831102201").await;
    let contractor = crate::funds::disburse(app, &split, &theirs, 1_000).await;
    let before = pay(app, &split, &theirs, &s.household, 100).await;
    assert_eq!(give_card(app, &s.officer, &s.household).await.status, 200);
    let after = pay(app, &split, &theirs, &s.household, 100).await;
    for r in [&contractor, &before, &after] {
        assert!(refused_as_split(r), "{:?}", r.body);
        assert!(!r.body.to_string().contains("BC1"), "{:?}", r.body);
    }
    assert_eq!(
        before.body["detail"], after.body["detail"],
        "card or no card"
    );
    let p = app
        .get(&format!("/api/v1/projects/{theirs}"), &s.officer)
        .await;
    assert_eq!(p.body["disbursed_fen"], 0);
    // Reading is refused alike: the households of the third township stay unread.
    let list = app.get("/api/v1/households?limit=50", &split).await;
    assert!(refused_as_split(&list), "{:?}", list.body);
}

/// A card import by the same user is refused before any row is read: a row naming the card in
/// use would answer "unchanged", which tells the number is that household's card.
#[actix_web::test]
async fn a_card_import_says_nothing_of_a_card_outside_the_callers_townships() {
    let mut s = setup().await;
    assert_eq!(
        give_card(&s.app, &s.officer, &s.household).await.status,
        200
    );
    let split = split_officer(&mut s.app).await;
    let csv = format!(
        "户编号,身份证号,开户银行,卡号\nBC1,{},中国农业银行泗水县支行,{CARD}\n",
        s.person
    );
    let r = s
        .app
        .post_raw(
            "/api/v1/imports/benefit-cards",
            Some(&split),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert!(refused_as_split(&r), "{:?}", r.body);
}

/// A township's fund officer may print the payment file of a project of their township, but a
/// payee living in another township has a card they cannot see: the file is refused, naming
/// how many payments they cannot print, instead of leaving that payment out (the ledger would
/// say paid and the bank would never pay it). The county's officer prints it whole.
#[actix_web::test]
async fn a_payment_file_with_a_payee_outside_the_callers_area_is_refused_not_cut_short() {
    let mut s = setup().await;
    s.app.user("funds.t102", "370831102", &["fund_officer"]);
    let township = s.app.token("funds.t102").await;
    let app = &s.app;
    let theirs = crate::funds::allocated_project(app, &s.officer, "370831102201").await;
    assert_eq!(give_card(app, &s.officer, &s.household).await.status, 200);
    let r = pay(app, &s.officer, &theirs, &s.household, 50_000).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let file = format!(
        "/api/v1/projects/{theirs}/payment-file?reason={}",
        enc("核对发放名单")
    );
    let r = app.get(&file, &township).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 of the file's payments")),
        "{:?}",
        r.body
    );
    let r = app.get(&file, &s.officer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let text = String::from_utf8_lossy(&r.raw).to_string();
    let lines = text.trim_start_matches('\u{feff}').trim().lines().count();
    assert_eq!(lines, 2, "the header and the payment: {text}");
}

/// A relocation project pays the households of its own place: a household of another village
/// would appear on that village's subsidy roster (422 naming the household, nothing paid).
#[actix_web::test]
async fn a_relocation_project_pays_only_households_of_its_place() {
    let mut s = setup().await;
    s.app.user("clerk.v2", crate::exit::V2, &["village_clerk"]);
    let clerk2 = s.app.token("clerk.v2").await;
    let app = &s.app;
    let r = app
        .post(
            "/api/v1/households",
            &clerk2,
            household("BC9", crate::exit::V2, &[id_number("370831", 409)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let elsewhere = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(give_card(app, &s.officer, &elsewhere).await.status, 200);
    let r = pay(app, &s.officer, &s.project, &elsewhere, 10_000).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "household_id", "{:?}", r.body);
    assert_eq!(give_card(app, &s.officer, &s.household).await.status, 200);
    let r = pay(app, &s.officer, &s.project, &s.household, 10_000).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}
