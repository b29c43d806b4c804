//! The printed documents of seeds 4 and 5 (issue 18 item 3): a key village's yearly indicator
//! table against the county's targets and a relocation plan's subsidy roster, as PDF (text read
//! back with `pdftotext`) and DOCX, in Chinese and English; scope (another county 404), a year
//! without data (409) or outside the designation (422), masked ID numbers, audit.

use serde_json::json;

use crate::cases::{household, id_number};
use crate::exit::{V1, setup};
use crate::funds::id;

fn masked(full: &str) -> String {
    format!("{}********{}", &full[..6], &full[14..])
}

#[actix_web::test]
async fn key_village_indicator_table_prints_values_against_targets() {
    let x = setup().await;
    let app = &x.app;
    // Seed 4's first village in 2021: collective income 200,000 yuan, tap water 95%, toilets
    // 92.5%, per-capita income 18,260 yuan against the county's 19,000.
    let profile = json!({"households": 1199, "population": 3594, "per_capita_income_fen": 1_826_000,
        "collective_income_fen": 20_000_000, "cultivated_mu": 3335.0, "forest_mu": 449.4,
        "main_industries": ["种养殖"], "featured_industries": ["鱼养殖"],
        "merged_village": true, "former_poor_village": true,
        "tap_water_pct": 95.0, "sanitary_toilet_pct": 92.5});
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/villages/{V1}/profiles/2021"),
            Some(&x.clerk),
            Some(&profile),
            &[],
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .send(
            "PUT",
            "/api/v1/county-figures/370831/2021",
            Some(&x.approver),
            Some(&json!({"per_capita_income_fen": 1_900_000})),
            &[],
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let kv = id(app
        .post(
            "/api/v1/key-villages",
            &x.approver,
            json!({"village_code": V1, "from_year": 2021, "to_year": 2025,
                "plan": "一队一策一批项目", "projects": ["集体经济合作社"]}),
        )
        .await)
    .await;
    let url = format!("/api/v1/key-villages/{kv}/indicator-table");

    let pdf = app
        .get(&format!("{url}?year=2021&format=pdf"), &x.approver)
        .await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "key-village-indicators");
    for m in [
        "乡村振兴重点帮扶村",
        "指标完成情况表",
        "（2021年度）",
        "一、基本情况",
        "二、指标完成情况",
        // The targets (settings) beside the year's values.
        "村集体经济收入（元）50000.002023200000.00是已达标",
        "100000.002025200000.00是已达标",
        "自来水普及率≥90.0%202595.0%是已达标",
        "卫生厕所普及率≥90.0%202592.5%是已达标",
        "≥县域平均19000.00202318260.00否有风险",
        "种养殖",
        "鱼养殖",
        "有风险",
        "已达标",
        // Totals: sixteen indicators (nine of issue 22 without data yet), income parity not met.
        "共16项",
        "达标6项",
        "未达标10项",
        "全县2021年财政衔接推进乡村振兴补助资金",
        "人民政府",
        "—1—",
    ] {
        assert!(text.contains(m), "indicator table lacks {m}: {text}");
    }
    let today = domain::calendar::date_zh(infra::clock::china_date(app.state.clock.now()));
    assert!(text.contains(&today), "{text}");

    // DOCX for the village's clerk, English on request.
    let docx = app
        .get(&format!("{url}?year=2021&format=docx"), &x.clerk)
        .await;
    assert_eq!(docx.status, 200, "{:?}", docx.body);
    let text = crate::printed::docx_text(&docx.raw);
    assert!(
        text.contains("达标6项") && text.contains("50000.00"),
        "{text}"
    );
    // The county's per-capita income is the county's figure, read inside the county: the
    // clerk's table judges income parity against it as the county's does.
    assert!(
        text.contains("19000.00") && !text.contains("县域未填报"),
        "{text}"
    );
    let en = app
        .send(
            "GET",
            &format!("{url}?year=2021&format=docx"),
            Some(&x.approver),
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en.status, 200);
    let text = crate::printed::docx_text(&en.raw);
    for m in [
        "IndicatorsAgainstTargets",
        "Atrisk",
        "6met",
        "(People'sGovernment)",
    ] {
        assert!(text.contains(m), "English table lacks {m}: {text}");
    }

    // A year of the designation without a profile: 409; outside it: 422 naming the year;
    // another county: 404.
    let r = app.get(&format!("{url}?year=2022"), &x.approver).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("document_not_ready"))
    );
    let r = app.get(&format!("{url}?year=2019"), &x.approver).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "year");
    assert_eq!(
        app.get(&format!("{url}?year=2021"), &x.stranger)
            .await
            .status,
        404
    );
    let admin = app.token("admin.370831").await;
    let log = app
        .get("/api/v1/audit-events?action=key_village.document", &admin)
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn relocation_roster_lists_paid_households_with_masked_ids_and_totals() {
    let mut x = setup().await;
    x.app.user("funds", "370831", &["fund_officer"]);
    x.app.user("auditor.c", "370831", &["auditor"]);
    let app = &x.app;
    let officer = app.token("funds").await;
    // Two households of V1: three and two people.
    let ids1 = [
        id_number("370831", 401),
        id_number("370831", 402),
        id_number("370831", 403),
    ];
    let ids2 = [id_number("370831", 404), id_number("370831", 405)];
    let h1 = id(app
        .post("/api/v1/households", &x.clerk, household("RL1", V1, &ids1))
        .await)
    .await;
    let h2 = id(app
        .post("/api/v1/households", &x.clerk, household("RL2", V1, &ids2))
        .await)
    .await;
    let r = app
        .post(
            "/api/v1/relocation-plans",
            &officer,
            json!({"region_code": "370831", "year": 2021, "name": "泗水县易地扶贫搬迁",
                "households": 2, "people": 5}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let plan = r.body["id"].as_str().unwrap_or_default().to_string();
    let project = r.body["project_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let per = r.body["subsidy_per_person_fen"].as_i64().unwrap_or(0);
    let entitlement = r.body["entitlement_fen"].as_i64().unwrap_or(0);
    assert_eq!(entitlement, 5 * per);
    let url = format!("/api/v1/relocation-plans/{plan}/roster");
    // Nobody paid yet: no roster.
    let r = app.get(&url, &officer).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("document_not_ready")),
        "{:?}",
        r.body
    );
    let fund = id(app
        .post(
            "/api/v1/funds",
            &officer,
            json!({"county_code": "370831", "year": 2021, "level": "city", "source": "财政扶贫资金",
                "purpose": "relocation", "amount_fen": entitlement, "received_on": "2021-03-01"}),
        )
        .await)
    .await;
    let r = app
        .post(
            "/api/v1/allocations",
            &officer,
            json!({"fund_id": fund, "project_id": project, "amount_fen": entitlement}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    for (h, people) in [(&h1, 3), (&h2, 2)] {
        // 一卡兑付: each household is paid to its benefit card.
        let r = crate::benefit_cards::give_card(app, &officer, h).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app
            .post(
                &format!("/api/v1/projects/{project}/disbursements"),
                &officer,
                json!({"amount_fen": people * per, "kind": "subsidy", "payee": "成员0",
                    "household_id": h, "paid_on": "2021-06-01"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let yuan = domain::exit::yuan;

    let pdf = app.get(&format!("{url}?format=pdf"), &officer).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "relocation-roster");
    let total = format!("{}{}", yuan(5 * per), yuan(5 * per));
    for m in [
        "易地扶贫搬迁补助资金发放花名册",
        "（泗水县易地扶贫搬迁）",
        "计划搬迁：2户5人",
        "户主身份证号",
        "RL1",
        "RL2",
        &masked(&ids1[0]),
        &masked(&ids2[0]),
        &yuan(3 * per),
        "2021年6月1日",
        &total,
        "合计2户5",
        "经办人（签字）",
        "审核人（签字）",
        "扶贫开发领导小组办公室",
    ] {
        assert!(text.contains(m), "roster lacks {m}: {text}");
    }
    // Never the full number, whoever asks.
    for full in ids1.iter().chain(ids2.iter()) {
        assert!(!text.contains(full.as_str()), "{text}");
    }
    let docx = app.get(&format!("{url}?format=docx"), &officer).await;
    assert_eq!(docx.status, 200);
    let text = crate::printed::docx_text(&docx.raw);
    assert!(
        text.contains(&masked(&ids1[0])) && text.contains("2户"),
        "{text}"
    );
    assert!(!text.contains(ids1[0].as_str()));
    let en = app
        .send(
            "GET",
            &format!("{url}?format=docx"),
            Some(&officer),
            None,
            &[("accept-language", "en")],
        )
        .await;
    let text = crate::printed::docx_text(&en.raw);
    assert!(
        text.contains("RelocationSubsidyRoster") && text.contains("2households"),
        "{text}"
    );
    // Another county: 404. Audited like an export: the county's auditor reads what it
    // printed; its administrator, who reads no funds, the entries only (security.md §18).
    assert_eq!(app.get(&url, &x.stranger).await.status, 404);
    let admin = app.token("admin.370831").await;
    let withheld = app
        .get(
            "/api/v1/audit-events?action=relocation_plan.document",
            &admin,
        )
        .await;
    assert_eq!(withheld.body["items"][0]["withheld"], "funds:read");
    let auditor = app.token("auditor.c").await;
    let log = app
        .get(
            "/api/v1/audit-events?action=relocation_plan.document",
            &auditor,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let items = log.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0]["details"]["households"], 2);
}
