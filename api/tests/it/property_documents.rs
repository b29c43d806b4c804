//! The property check's printed tables (issue 18 item 3, seed 2) and its fourth outcome
//! (issue 22 item 4): the 核查表 of a household, the 处理意见表 of a village and the 统计表 of a
//! township and a county, as HTML, PDF (text read back with `pdftotext`) and DOCX. A true fact
//! from before the cut-off that matches no veto condition (不属于否决情形) has its own column;
//! conditions print by label; 检索人数 counts people; another county's caller gets 404 and
//! roles without property access 403.

use serde_json::{Value, json};

use crate::exit::{TOWNSHIP, V1, V2, setup};
use crate::property::{csv, hits_of, import, people, verify};
use crate::property_routing::forward;

const VEHICLE: &str = "家庭拥有小轿车等机动车(不含农用车、摩托车)";

fn hit<'a>(hits: &'a [Value], household: &str, hit_type: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["household_number"] == household && h["hit_type"] == hit_type)
        .unwrap_or_else(|| panic!("no {hit_type} hit for {household}: {hits:?}"))
}

/// The cells after `label` in the DOCX's paragraphs (table cells are paragraphs).
fn after(docx: &[String], label: &str, n: usize) -> Vec<String> {
    let at = docx
        .iter()
        .position(|p| p == label)
        .unwrap_or_else(|| panic!("no {label} in {docx:?}"));
    docx[at + 1..at + 1 + n].to_vec()
}

#[actix_web::test]
async fn property_tables_count_people_print_labels_and_the_not_matching_column() {
    let mut x = setup().await;
    x.app.user("auditor.county", "370831", &["auditor"]);
    x.app.user("team", V1, &["team_member"]);
    let p = people(&mut x).await;
    // Person 1 has two hits (a car, vetoed; a flat matching no condition); person 2 one hit
    // that is not true; person 3 a pension kept as a hardship exception and land after the
    // cut-off. Five hits, three people.
    let r = import(
        &x,
        &x.approver,
        "batch-2016-1",
        csv(&[
            (&p.p1, "车辆", "鲁H12345 小型轿车"),
            (&p.p1, "房产", "农村自建房一处"),
            (&p.p2, "财政供养", "在编"),
            (&p.p3, "养老金", "城镇职工养老金"),
            (&p.p3, "土地", "流转土地20亩"),
        ]),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    forward(&x, &batch).await;
    let hits = hits_of(&x, &x.approver, &batch).await;
    let car = hit(&hits, "PA", "vehicle").clone();
    let flat = hit(&hits, "PA", "real_estate").clone();
    let payroll = hit(&hits, "PB", "public_payroll").clone();
    let pension = hit(&hits, "PC", "pension").clone();
    let land = hit(&hits, "PC", "land").clone();

    // The fourth outcome: true, before the cut-off, matching no veto condition. It names no
    // condition and is no veto.
    let r = verify(
        &x,
        &x.clerk,
        &flat,
        json!({"is_true": true, "arose_on": "2012-04-01", "matches_veto_condition": false,
               "veto_condition": "urban_property"}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "veto_condition");
    let r = verify(
        &x,
        &x.clerk,
        &flat,
        json!({"is_true": true, "arose_on": "2012-04-01", "matches_veto_condition": false}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["proposal"], "not_matching");
    assert!(r.body["hit"]["veto_condition"].is_null());
    assert!(
        r.body["note"]
            .as_str()
            .unwrap_or_default()
            .contains("matches none")
    );
    let r = verify(
        &x,
        &x.clerk,
        &car,
        json!({"is_true": true, "arose_on": "2014-03-02", "veto": true, "veto_condition": "vehicle"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hit"]["veto_condition_label"], VEHICLE);
    for (token, h, body) in [
        (&x.clerk, &payroll, json!({"is_true": false})),
        (
            &x.clerk2,
            &pension,
            json!({"is_true": true, "arose_on": "2013-01-01", "veto": false,
                   "reason": "因病致贫,家庭确实困难"}),
        ),
        (
            &x.clerk2,
            &land,
            json!({"is_true": true, "arose_on": "2019-06-01"}),
        ),
    ] {
        let r = verify(&x, token, h, body).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let opinion = |h: &Value, o: &str| json!({"hit_id": h["id"], "opinion": o});
    let appraisals = format!("/api/v1/property-checks/{batch}/appraisals");
    let r = x
        .app
        .post(
            &appraisals,
            &x.clerk,
            json!({"village_code": V1, "held_on": "2016-11-01", "attendees": 21, "minutes": "村评议会逐户评议检索结果", "opinions": [
                opinion(&car, "建议清退"), opinion(&flat, "不属于否决情形,保留"),
                opinion(&payroll, "情况不属实,保留")]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = x
        .app
        .post(
            &appraisals,
            &x.clerk2,
            json!({"village_code": V2, "held_on": "2016-11-02", "attendees": 21, "minutes": "村评议会逐户评议检索结果", "opinions": [
                opinion(&pension, "家庭确实困难,不予否决"), opinion(&land, "识别后发生,不适用否决")]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = x
        .app
        .post(
            &format!("/api/v1/property-checks/{batch}/submissions"),
            &x.reviewer,
            json!({"township_code": TOWNSHIP}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The statistics as JSON and CSV: people are people, the new outcome has its column.
    let total = r.body["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["hit_type"] == "total")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &total["people"],
            &total["hits"],
            &total["veto"],
            &total["no_veto"],
            &total["not_matching"],
            &total["after_cutoff"],
            &total["not_true"]
        ),
        (
            &json!(3),
            &json!(5),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(1)
        )
    );
    let stats = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/statistics?format=csv"),
            &x.reviewer,
        )
        .await;
    let text = stats.body.as_str().unwrap_or_default().to_string();
    assert!(
        text.contains("检索人数,检索条数")
            && text.contains("不属于否决情形")
            && text.contains("合计,3,5,0,4,1,3,1,1,1,1,0"),
        "{text}"
    );
    // The opinion table (CSV) names the condition by its label, not its code.
    let ops = x
        .app
        .get(
            &format!("/api/v1/property-checks/{batch}/opinions?format=csv&region={V1}"),
            &x.clerk,
        )
        .await;
    let text = ops.body.as_str().unwrap_or_default().to_string();
    assert!(
        text.contains(VEHICLE) && !text.contains(",vehicle,"),
        "{text}"
    );
    // The new outcome has its own column: label, then veto, no veto, not matching (√).
    assert!(text.contains("不属于否决情形,,,√,"), "{text}");

    let masked = |n: &str| format!("{}********{}", &n[..6], &n[14..]);
    let app = &x.app;
    let household_a = &p.households[0];

    // 核查表 of household A.
    let url = format!("/api/v1/property-checks/{batch}/households/{household_a}/check-sheet");
    let html = app.get(&url, &x.clerk).await;
    assert_eq!(html.status, 200, "{:?}", html.body);
    let page = String::from_utf8_lossy(&html.raw).to_string();
    assert!(page.contains("建档立卡贫困人口财产检索结果核查表"));
    assert!(page.contains(&masked(&p.p1)) && !page.contains(p.p1.as_str()));
    let pdf = app.get(&format!("{url}?format=pdf"), &x.clerk).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "property-check-sheet");
    for m in [
        "建档立卡贫困人口财产检索结果核查表",
        "batch-2016-1",
        "户编号：PA",
        "鲁H12345",
        "否决",
        "不属于否决情形",
        "识别前",
        "2014年3月2日",
        "2015年10月26日",
        "合计",
        "1人",
        "2条",
        "卞桥二村",
    ] {
        assert!(text.contains(m), "check sheet lacks {m}: {text}");
    }
    assert!(text.contains(&masked(&p.p1)), "{text}");
    assert!(
        !text.contains(p.p1.as_str()),
        "the check sheet reveals the ID number"
    );
    assert!(!text.contains("vehicle"), "codes are not printed: {text}");
    let docx = app.get(&format!("{url}?format=docx"), &x.clerk).await;
    assert_eq!(docx.status, 200);
    let text = crate::printed::docx_text(&docx.raw);
    assert!(
        text.contains(VEHICLE) && text.contains(&masked(&p.p1)),
        "{text}"
    );

    // 处理意见表 of V1: a column per outcome, the label, totals of each column.
    let url = format!("/api/v1/property-checks/{batch}/villages/{V1}/opinion-sheet");
    let pdf = app.get(&format!("{url}?format=pdf"), &x.reviewer).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "property-opinion-sheet");
    for m in [
        "建档立卡对象财产检索结果核查处理意见表",
        "不予否决",
        "不属于否决情形",
        "识别后发生",
        "不属实",
        VEHICLE,
        "建议清退",
        "不属于否决情形,保留",
        "评议时间",
        "村（居）：卞桥二村评议",
        "卞桥二村村民委员会",
        "—1—",
    ] {
        assert!(text.contains(m), "opinion sheet lacks {m}: {text}");
    }
    assert!(!text.contains("vehicle"), "codes are not printed: {text}");
    assert!(!text.contains(p.p2.as_str()));
    let docx = app.get(&format!("{url}?format=docx"), &x.reviewer).await;
    assert_eq!(docx.status, 200);
    let paras = render::docx_text(&docx.raw).unwrap_or_default();
    // Totals: 2 households, 2 people, 3 hits; then veto 1, no veto 0, not matching 1, after 0,
    // not true 1.
    assert_eq!(
        after(&paras, "合计", 6),
        vec!["2户", "2人", "3条", "1", "0", "1"],
        "{paras:?}"
    );
    assert!(paras.iter().any(|p| p == "不属于否决情形"));
    let en = app
        .get_with(&url, &x.reviewer, &[("accept-language", "en")])
        .await;
    let page = String::from_utf8_lossy(&en.raw).to_string();
    assert!(
        page.contains("Matches no veto condition")
            && page.contains("(Villagers&#39; Committee)")
            && page.contains(VEHICLE),
        "{page}"
    );

    // 统计表 of the township (per village) and of the county (per township).
    let url = format!("/api/v1/property-checks/{batch}/regions/{TOWNSHIP}/statistics-sheet");
    let pdf = app.get(&format!("{url}?format=pdf"), &x.reviewer).await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "property-statistics-township");
    for m in [
        "建档立卡对象财产检索结果核查情况统计表",
        "检索人数",
        "检索条数",
        "不属于否决情形",
        "卞桥二村",
        "合计",
        "按检索类型",
        "人民政府",
    ] {
        assert!(text.contains(m), "statistics lack {m}: {text}");
    }
    let docx = app.get(&format!("{url}?format=docx"), &x.reviewer).await;
    let paras = render::docx_text(&docx.raw).unwrap_or_default();
    // people, hits, pending, not true, true, veto, no veto, not matching, after, in effect.
    let expected = vec!["3", "5", "0", "1", "4", "1", "1", "1", "1", "0"];
    assert_eq!(after(&paras, "合计", 10), expected, "{paras:?}");
    let county = app
        .get(
            &format!("/api/v1/property-checks/{batch}/regions/370831/statistics-sheet?format=docx"),
            &x.approver,
        )
        .await;
    assert_eq!(county.status, 200, "{:?}", county.body);
    let paras = render::docx_text(&county.raw).unwrap_or_default();
    assert_eq!(after(&paras, "合计", 10), expected, "{paras:?}");
    assert!(
        paras.iter().any(|p| p.contains("扶贫开发领导小组办公室")),
        "{paras:?}"
    );
    // English on request.
    let en = app
        .get_with(&url, &x.reviewer, &[("accept-language", "en")])
        .await;
    assert_eq!(en.status, 200);
    let page = String::from_utf8_lossy(&en.raw).to_string();
    assert!(
        page.contains("People checked") && page.contains("Matches no veto condition"),
        "{page}"
    );

    // Scope and access: another county 404; another village 404; roles without property
    // access 403; a bad code or format 422.
    let sheets = [
        format!("/api/v1/property-checks/{batch}/households/{household_a}/check-sheet"),
        format!("/api/v1/property-checks/{batch}/villages/{V1}/opinion-sheet"),
        format!("/api/v1/property-checks/{batch}/regions/{TOWNSHIP}/statistics-sheet"),
    ];
    for s in &sheets {
        assert_eq!(app.get(s, &x.stranger).await.status, 404, "{s}");
    }
    assert_eq!(app.get(&sheets[0], &x.clerk2).await.status, 404);
    assert_eq!(app.get(&sheets[1], &x.clerk2).await.status, 404);
    let auditor = app.token("auditor.county").await;
    let team = app.token("team").await;
    for t in [&auditor, &team, &x.city] {
        for s in &sheets {
            assert_eq!(app.get(s, t).await.status, 403, "{s}");
        }
    }
    let r = app
        .get(
            &format!("/api/v1/property-checks/{batch}/regions/{V1}/statistics-sheet"),
            &x.reviewer,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "region_code");
    let r = app
        .get(&format!("{}?format=rtf", sheets[1]), &x.reviewer)
        .await;
    assert_eq!(r.body["errors"][0]["field"], "format");
    // Every generation is audited, with the hits it showed: the county's auditor reads them;
    // its administrator, who reads no household, sees the entries without (security.md §18).
    let admin = app.token("admin.370831").await;
    let withheld = app
        .get(
            "/api/v1/audit-events?action=property_check.document",
            &admin,
        )
        .await;
    assert!(
        withheld.body["items"]
            .as_array()
            .is_some_and(|i| i.len() == 10 && i.iter().all(|e| e["details"].is_null())),
        "{:?}",
        withheld.body
    );
    let auditor = app.token("auditor.county").await;
    let log = app
        .get(
            "/api/v1/audit-events?action=property_check.document",
            &auditor,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let entries = log.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 10, "{entries:?}");
    assert!(
        entries.iter().any(|e| e["details"]["hits"]
            .to_string()
            .contains(flat["id"].as_str().unwrap_or("?"))),
        "{entries:?}"
    );
}
