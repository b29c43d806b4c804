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
        "户编号:HC1",
        "一、基本情况",
        "帮扶责任人:李干部",
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
