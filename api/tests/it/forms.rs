//! The documents a county office prints besides the exit attachments (issue 18 item 3): the
//! household file card, the ranger contract and a month's payout sheet. Each is fetched as HTML,
//! PDF (text read back with `pdftotext`, a PNG of page 1 left in `target/documents/`) and DOCX,
//! and another county's object is 404.

use serde_json::json;

use crate::cases::{household, id_number};
use crate::exit::{V1, setup};

#[actix_web::test]
async fn household_card_prints_masked_ids_income_and_measures_in_scope_only() {
    let mut x = setup().await;
    x.app.user("auditor.county", "370831", &["auditor"]);
    let auditor = x.app.token("auditor.county").await;
    let app = &x.app;
    let ids = [id_number("370831", 811), id_number("370831", 812)];
    let r = app
        .post("/api/v1/households", &x.clerk, household("HC1", V1, &ids))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    for (year, fen) in [(2019, 420_000), (2020, 615_050)] {
        let y = json!({"income_per_capita_fen": fen, "wage_income_fen": 600_000, "enough_food": true,
            "enough_clothing": true, "compulsory_education": true, "basic_medical": true,
            "safe_housing": true, "safe_drinking_water": true});
        let r = app
            .send(
                "PUT",
                &format!("/api/v1/households/{id}/years/{year}"),
                Some(&x.clerk),
                Some(&y),
                &[],
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    for (kind, fen, what) in [
        ("industry", 300_000, "发放鸡苗"),
        ("education", 150_000, "雨露计划补助"),
    ] {
        let m = json!({"kind": kind, "date": "2019-05-01", "amount_fen": fen, "responsible": "李干部", "description": what});
        let r = app
            .post(&format!("/api/v1/households/{id}/measures"), &x.clerk, m)
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let url = format!("/api/v1/households/{id}/card");
    let masked = |n: &str| format!("{}********{}", &n[..6], &n[14..]);

    let html = app.get(&url, &x.clerk).await;
    assert_eq!(html.status, 200, "{:?}", html.body);
    let page = String::from_utf8_lossy(&html.raw).to_string();
    for m in [
        "建档立卡户档案卡",
        "HC1",
        "成员0",
        "户主",
        "发放鸡苗",
        "4500.00",
        "李干部",
    ] {
        assert!(page.contains(m), "card.html lacks {m}");
    }
    for n in &ids {
        assert!(page.contains(&masked(n)), "card.html lacks the masked {n}");
        assert!(!page.contains(n.as_str()), "card.html reveals {n}");
        // The birth date is digits 7 to 14: beside the masked form it would spell the number.
        let (y, m, d) = (&n[6..10], &n[10..12], &n[12..14]);
        let day: u32 = d.parse().unwrap_or_default();
        let month: u32 = m.parse().unwrap_or_default();
        assert!(
            page.contains(&format!("{y}年")),
            "card.html lacks the birth year"
        );
        for date in [
            format!("{y}年{month}月{day}日"),
            format!("{y}年{m}月{d}日"),
            format!("{y}-{m}-{d}"),
        ] {
            assert!(
                !page.contains(&date),
                "card.html shows the birth date {date}"
            );
        }
    }

    let pdf = app.get(&format!("{url}?format=pdf"), &x.clerk).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let text = crate::printed::pdf_text(&pdf.raw, "household-card");
    for m in [
        "建档立卡户档案卡",
        "户编号：HC1",
        "一、基本情况",
        "帮扶责任人：李干部",
        "因病",
        "2019年",
        "4200.00",
        "6150.50",
        "产业帮扶",
        "教育帮扶",
        "合计",
        "4500.00",
        "卞桥二村",
        "—1—",
    ] {
        assert!(text.contains(m), "card.pdf lacks {m}: {text}");
    }
    for n in &ids {
        assert!(
            text.contains(&masked(n)),
            "card.pdf lacks masked {n}: {text}"
        );
        assert!(!text.contains(n.as_str()), "card.pdf reveals {n}");
    }

    let docx = app.get(&format!("{url}?format=docx"), &x.clerk).await;
    assert_eq!(docx.status, 200);
    let text = crate::printed::docx_text(&docx.raw);
    assert!(
        text.contains("建档立卡户档案卡") && text.contains(&masked(&ids[0])),
        "{text}"
    );
    assert!(!text.contains(ids[0].as_str()));

    // Another county, and a village clerk elsewhere in the county: 404, as reading would be.
    assert_eq!(app.get(&url, &x.stranger).await.status, 404);
    assert_eq!(
        app.get(&format!("{url}?format=pdf"), &x.clerk2)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("{url}?format=rtf"), &x.clerk).await.body["errors"][0]["field"],
        "format"
    );
    // Audited like a read: one row per card generated in scope.
    let log = app
        .get("/api/v1/audit-events?action=household.card", &auditor)
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn ranger_contract_in_three_copies_and_a_month_payout_sheet_with_clauses() {
    use crate::funds::{allocate, fund, id, project};
    let mut app = crate::helpers::TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("funds", "370831", &["fund_officer"]);
    app.user("clerk", V1, &["village_clerk"]);
    app.user("funds.wenshang", "370830", &["fund_officer"]);
    let officer = app.token("funds").await;
    let clerk = app.token("clerk").await;
    let stranger = app.token("funds.wenshang").await;
    let person = id_number("370831", 993);
    let r = app
        .post(
            "/api/v1/households",
            &clerk,
            household("RC1", V1, std::slice::from_ref(&person)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let member = r.body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // 一卡兑付: the ranger's household is paid to its benefit card.
    let hh = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(&app, &officer, &hh)
            .await
            .status,
        200
    );
    let f = id(app
        .post(
            "/api/v1/funds",
            &officer,
            fund(20_000, "ecology", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            &officer,
            project(V1, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(&app, &officer, &f, &p, 10_000).await.status, 201);
    let c = id(app
        .post(
            "/api/v1/ranger-contracts",
            &officer,
            json!({"member_id": member, "station": "泗张镇林业站", "villager_group": "三组", "area_mu": 300.5,
                "bound_east": "山脊", "bound_south": "河沟", "bound_west": "公路", "bound_north": "林场",
                "start_date": "2017-01-01", "end_date": "2017-12-31", "project_id": p,
                "signed_on": "2017-01-01"}),
        )
        .await)
    .await;
    for on in ["2017-02-10", "2017-02-20"] {
        let r = app
            .post(
                &format!("/api/v1/ranger-contracts/{c}/inspections"),
                &officer,
                json!({"inspected_on": on, "present": false}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    // One inspection a day: a second absence the same day would be deducted twice.
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/inspections"),
            &officer,
            json!({"inspected_on": "2017-02-20", "present": false, "note": "再次记录"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("already_exists")),
        "{:?}",
        r.body
    );
    let masked = format!("{}********{}", &person[..6], &person[14..]);

    let url = format!("/api/v1/ranger-contracts/{c}/document");
    let html = app.get(&url, &officer).await;
    assert_eq!(html.status, 200, "{:?}", html.body);
    assert!(String::from_utf8_lossy(&html.raw).contains("森林管护补助协议"));
    // Born 1980-12-14, signed 2017-01-01: the age by years (37), not on the signing day (36),
    // which would tell that the birthday falls later in the year (security.md §16).
    assert!(
        String::from_utf8_lossy(&html.raw).contains("年龄：37 "),
        "{}",
        String::from_utf8_lossy(&html.raw)
    );
    let pdf = app.get(&format!("{url}?format=pdf"), &officer).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "ranger-contract");
    for m in [
        "建档立卡贫困人口生态护林员",
        "森林管护补助协议",
        "（甲方存）",
        "（乙方存）",
        "（县天保办存）",
        "甲方：泗张镇林业站",
        "姓名：成员0",
        &masked,
        "300.5亩",
        "东至山脊，南至河沟，西至公路，北至林场",
        "卞桥二村三组",
        "自2017年1月1日起至2017年12月31日止，管护期为12个月",
        "10000元/年",
        "扣减当月管护费5%",
        "扣减当月管护费10%",
        "（15亩以上）",
        "一式三份",
        "代表人（签字）",
        "承包人（签字）",
        "—1—",
    ] {
        assert!(text.contains(m), "contract.pdf lacks {m}: {text}");
    }
    assert!(
        !text.contains(person.as_str()),
        "contract.pdf reveals the ID"
    );
    assert_eq!(text.matches("（县天保办存）").count(), 1);
    assert_eq!(text.matches("一式三份").count(), 3, "three copies");
    let docx = app.get(&format!("{url}?format=docx"), &officer).await;
    assert_eq!(docx.status, 200);
    assert!(crate::printed::docx_text(&docx.raw).contains("县天保办"));

    let sheet = format!("/api/v1/ranger-contracts/{c}/payouts/2017-02/document");
    let pdf = app.get(&format!("{sheet}?format=pdf"), &officer).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "ranger-payout-sheet");
    let computed = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/2017-02"),
            &officer,
        )
        .await;
    assert_eq!(computed.status, 200);
    let clause = computed.body["lines"][1]["clause"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!clause.is_empty(), "{:?}", computed.body);
    let total = computed.body["total_fen"].as_i64().unwrap_or_default();
    for m in [
        "生态护林员管护补助发放表",
        "2017年2月",
        "发放单位：泗张镇林业站",
        &masked,
        "依据条款",
        &clause,
        "实发合计",
        &format!("{}.{:02}", total / 100, total % 100),
        "领取人（签字）",
    ] {
        assert!(text.contains(m), "sheet.pdf lacks {m}: {text}");
    }
    assert!(!text.contains(person.as_str()));

    // Another county's contract is not there; a month outside the contract is named.
    assert_eq!(app.get(&url, &stranger).await.status, 404);
    assert_eq!(app.get(&sheet, &stranger).await.status, 404);
    let r = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/2018-01/document"),
            &officer,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "month");
}
