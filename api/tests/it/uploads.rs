//! Uploads that cost more than they weigh (issue 23, items 5 and 6): error answers that grow
//! with the input, archives that inflate, sheets with millions of rows, many imports at once.

use crate::helpers::TestApp;
use crate::transfer::HEADER;

async fn setup() -> (TestApp, String) {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    (app, t)
}

/// Item 6: 100,000 unknown columns gave a 20 MB 422. The answer lists the first 100 errors and
/// counts them all.
#[actix_web::test]
async fn a_file_with_100000_unknown_columns_gets_a_short_answer() {
    let (app, t) = setup().await;
    let long = "星".repeat(500);
    let mut header = HEADER.to_string();
    for i in 0..100_000 {
        header.push_str(&format!(",x{i}"));
    }
    header.push_str(&format!(",{long}\n"));
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            header.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body["detail"]);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(100));
    assert_eq!(r.body["errors_total"], 100_001);
    assert_eq!(r.body["errors"][0]["field"], "column 20");
    let size = r.body.to_string().len();
    assert!(size < 32 * 1024, "{size} bytes");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .ends_with("and 99901 more errors (errors_total)"),
        "{:?}",
        r.body["detail"]
    );
}

/// A minimal workbook whose first sheet's XML is `sheet` (and, when `padding` > 0, a second
/// part of that many spaces, which deflates to almost nothing).
fn workbook(sheet: &[u8], padding: u64) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(padding > u64::from(u32::MAX / 2));
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(body).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .unwrap_or_else(|e| panic!("{e}"));
    zip.write_all(sheet).unwrap_or_else(|e| panic!("{e}"));
    if padding > 0 {
        zip.start_file("xl/media/padding.bin", opts)
            .unwrap_or_else(|e| panic!("{e}"));
        std::io::copy(
            &mut std::io::Read::take(std::io::repeat(b' '), padding),
            &mut zip,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

/// A sheet: the header (inline strings), then `rows` rows of one cell each, then `tail`.
fn sheet_xml(rows: usize, tail: &str) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">"#,
    );
    for (i, h) in HEADER.split(',').enumerate() {
        let col = char::from(b'A' + u8::try_from(i).unwrap_or(0));
        let _ = write!(x, r#"<c r="{col}1" t="inlineStr"><is><t>{h}</t></is></c>"#);
    }
    x.push_str("</row>");
    for r in 2..rows + 2 {
        let _ = write!(
            x,
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>H</t></is></c></row>"#
        );
    }
    x.push_str(tail);
    x.into_bytes()
}

/// Item 5: a 1 MB XLSX inflating to 1 GB was accepted and parsed; a small XLSX with 2.1 million
/// rows was parsed whole before the row limit refused it.
#[actix_web::test]
async fn zip_bombs_and_endless_sheets_are_stopped_at_the_first_limit() {
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // A bomb: well under a megabyte, inflating past the limit.
    let bomb = workbook(&sheet_xml(1, "</sheetData></worksheet>"), 300 * 1024 * 1024);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    // Rows past the limit, then a sheet that breaks.
    let endless = workbook(
        &sheet_xml(
            200_002,
            r#"<row r="999999"><c r="A999999" t="inlineStr"><is><t>"#,
        ),
        0,
    );
    let (app, t) = setup().await;
    let r = app
        .post_raw("/api/v1/imports/households", Some(&t), xlsx, bomb)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "file");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("inflates"),
        "{:?}",
        r.body
    );
    // Reading stops at the row limit and never reaches the break (reading the sheet whole
    // first would answer "cannot be read").
    let r = app
        .post_raw("/api/v1/imports/households", Some(&t), xlsx, endless)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("more than 200000 rows"),
        "{:?}",
        r.body
    );
    // The same for CSV: the limit comes before a broken record further down.
    let mut csv = format!("{HEADER}\n");
    for _ in 0..200_001 {
        csv.push_str("H\n");
    }
    csv.push_str("\"unterminated\n");
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("more than 200000 rows"),
        "{:?}",
        r.body
    );
}
