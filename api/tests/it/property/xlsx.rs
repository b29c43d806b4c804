//! A property-check batch from an XLSX workbook.

use super::*;

#[actix_web::test]
async fn a_batch_imports_from_xlsx_too() {
    let mut x = setup().await;
    let p = people(&mut x).await;
    let rows = vec![
        vec![
            p.p1.clone(),
            String::new(),
            "车辆".into(),
            "鲁H12345".into(),
        ],
        vec![
            p.p3.clone(),
            String::new(),
            "real_estate".into(),
            "城区商品房".into(),
        ],
        vec!["123".into(), String::new(), "车辆".into(), "x".into()],
    ];
    let xlsx =
        infra::app::cases::sheet::table_xlsx(&["身份证号", "姓名", "检索类型", "检索详情"], &rows)
            .unwrap_or_default();
    let r = x
        .app
        .post_raw(
            "/api/v1/property-checks?name=xlsx-batch",
            Some(&x.approver),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["loaded"], 2);
    assert_eq!(r.body["errors"][0]["row"], 4);
    assert_eq!(r.body["errors"][0]["column"], "id_number");
}
