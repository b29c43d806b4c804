//! Files refused whole, uploads past the limit, and rows broken as read.

use super::*;

#[actix_web::test]
async fn bad_files_are_refused_whole() {
    let (app, t) = setup().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        (
            "unknown column",
            format!("{HEADER},星座\n").into_bytes(),
            "unknown column",
        ),
        (
            "GBK",
            encoding_rs::GBK
                .encode(&format!(
                    "{HEADER}\n{}\n",
                    row(
                        "G1",
                        "370831001003",
                        "张三",
                        &id_number("370831", 1),
                        "户主",
                        "因病",
                        "1"
                    )
                ))
                .0
                .into_owned(),
            "GBK",
        ),
        (
            "garbage",
            (0..10_000_000_u32)
                .map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap_or(0))
                .collect(),
            "neither UTF-8",
        ),
        (
            "header only",
            format!("{HEADER}\n").into_bytes(),
            "no data rows",
        ),
    ];
    for (what, body, text) in cases {
        let r = app
            .post_raw("/api/v1/imports/households", Some(&t), "text/csv", body)
            .await;
        assert_eq!(r.status, 422, "{what}: {:?}", r.body);
        assert!(
            r.body["detail"].as_str().unwrap_or_default().contains(text),
            "{what}: {:?}",
            r.body
        );
    }
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        0
    );
}

/// `ZX_IMPORT_MAX_BYTES` (here 4 KiB; 200 MB by default): an upload past it answers 413 naming
/// the limit, as the raw body or as a form field, for households and the other sheets, and
/// nothing is written (no job, no household) nor left behind (no staged part, no stored
/// upload); a file under it is imported, and its upload removed after.
#[actix_web::test]
async fn uploads_past_the_configured_limit_are_refused_and_write_nothing() {
    const LIMIT: usize = 4096;
    let mut app = TestApp::spawn_with(|c| c.import_max_bytes = LIMIT, None).await;
    app.onboard("370831");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    // A good sheet, grown past the limit by more good households.
    let mut big = vec![HEADER.to_string()];
    for i in 0..60 {
        big.push(row(
            &format!("B{i:03}"),
            "370831001003",
            "李四",
            &id_number("370831", 500 + i),
            "户主",
            "因病",
            "4200",
        ));
    }
    let big = (big.join("\n") + "\n").into_bytes();
    assert!(big.len() > LIMIT);
    let boundary = "zxboundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&big);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let form_type = format!("multipart/form-data; boundary={boundary}");
    for (path, content_type, body) in [
        ("/api/v1/imports/households", "text/csv", big.clone()),
        ("/api/v1/imports/households", form_type.as_str(), form),
        ("/api/v1/imports/household-years", "text/csv", big.clone()),
        (
            "/api/v1/imports/households?dry_run=true",
            "text/csv",
            big.clone(),
        ),
    ] {
        let r = app.post_raw(path, Some(&t), content_type, body).await;
        assert_eq!(r.status, 413, "{path} {content_type}: {:?}", r.body);
        assert_eq!(r.body["code"], "payload_too_large", "{:?}", r.body);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(&LIMIT.to_string()),
            "the problem names the limit: {:?}",
            r.body
        );
    }
    let jobs = app.get("/api/v1/jobs", &t).await;
    assert_eq!(jobs.body["items"], serde_json::json!([]), "{:?}", jobs.body);
    let left = || {
        let staged = std::fs::read_dir(app.db.attachment_dir().join(".staging"))
            .map(|d| d.count())
            .unwrap_or(0);
        let stored = app.state.attachments.keys(370_831).unwrap_or_default();
        (staged, stored)
    };
    assert_eq!(left(), (0, Vec::new()), "nothing staged or stored is left");
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        0
    );
    // Under the limit: accepted and imported.
    let small = format!(
        "{HEADER}\n{}\n",
        row(
            "S001",
            "370831001003",
            "李四",
            &id_number("370831", 900),
            "户主",
            "因病",
            "4200"
        )
    );
    assert!(small.len() < LIMIT);
    let job = import_households(&app, &t, small.into_bytes()).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    crate::helpers::eventually("the upload to be removed", 30, || left() == (0, Vec::new())).await;
}

/// Rows broken as read (issue 16, "bad input"): a row with more cells than the header (200), a
/// 1 MB cell, and a last line cut off (the file ends mid-row, or inside a quoted cell) are each
/// that row's error, naming the row and the column, and every other household is imported. A
/// quote opened mid-file and never closed makes the rest of the file one cell: the file is
/// refused (422 naming the row) and nothing is written.
#[actix_web::test]
async fn broken_rows_are_their_own_errors_and_the_rest_is_imported() {
    let (app, t) = setup().await;
    let good = |n: u32| {
        row(
            &format!("G{n:02}"),
            "370831001003",
            "王五",
            &id_number("370831", 700 + n),
            "户主",
            "因病",
            "4200",
        )
    };
    let broken = |n: &str, seq: u32| {
        row(
            n,
            "370831001003",
            "赵六",
            &id_number("370831", 800 + seq),
            "户主",
            "因病",
            "4200",
        )
    };
    // Row 3: 200 cells; row 5: a 1 MB address; row 7 (last): cut after five cells, no line break.
    let wide = format!("{}{}", broken("W1", 1), ",x".repeat(200 - 19));
    assert_eq!(wide.split(',').count(), 200);
    let huge = broken("L1", 2).replace(",某村,", &format!(",{},", "村".repeat(350_000)));
    let cut: String = broken("C1", 3)
        .split(',')
        .take(5)
        .collect::<Vec<_>>()
        .join(",");
    let csv = [
        HEADER.to_string(),
        good(1),
        wide,
        good(2),
        huge,
        good(3),
        cut,
    ]
    .join("\n");
    let job = import_households(&app, &t, csv.into_bytes()).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["summary"]["households_created"], 3, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 3, "{job:?}");
    let errs = errors(&app, &t, &job).await;
    let has = |row: i64, column: &str, text: &str| {
        errs.iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(text))
    };
    assert!(has(3, "column 20", "200 cells"), "{errs:?}");
    assert!(has(5, "address", "1026 KB"), "{errs:?}");
    assert!(has(7, "poverty_causes", "cut off"), "{errs:?}");
    assert!(
        errs.iter().all(|(r, _, _)| [3, 5, 7].contains(r)),
        "only the broken rows: {errs:?}"
    );
    // A row error never echoes the giant cell.
    assert!(errs.iter().all(|(_, _, m)| m.len() < 300), "{errs:?}");
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        3
    );

    // The file ends inside a quoted cell of its last line: that row's error.
    let csv = format!("{HEADER}\n{}\nQ1,370831001003,\"某村", good(4));
    let job = import_households(&app, &t, csv.into_bytes()).await;
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    let errs = errors(&app, &t, &job).await;
    assert!(
        errs.iter()
            .any(|(r, c, m)| *r == 3 && c == "address" && m.contains("quoted cell")),
        "{errs:?}"
    );

    // A quote opened mid-file and never closed: the rows after it cannot be read: 422 naming
    // the row, nothing written.
    let csv = format!(
        "{HEADER}\n{}\nQ2,370831001003,\"某村,一般贫困户\n{}\n{}\n",
        good(5),
        good(6),
        good(7)
    );
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let detail = r.body.to_string();
    assert!(
        detail.contains("row 3") && detail.contains("never closed"),
        "{:?}",
        r.body
    );
    assert_eq!(
        app.get("/api/v1/households/count", &t).await.body["count"],
        4
    );
}
