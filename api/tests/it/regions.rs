//! The region import (idempotent, renames, bad rows) and the hierarchy endpoints.

use std::io::Write as _;

use diesel::prelude::*;
use infra::regions::import::import_files;
use secrecy::ExposeSecret as _;

use crate::helpers::{TestApp, TestDb};

fn write(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).unwrap_or_else(|e| panic!("{e}"));
    f.write_all(body.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn import_is_idempotent_updates_renames_and_reports_bad_rows() {
    let db = TestDb::new();
    let mut conn =
        PgConnection::establish(db.owner_url().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("zx-regions-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    // Province 65 is not in the template (it holds Shandong only).
    let provinces = write(
        &dir,
        "provinces.csv",
        "code,name\n65,\"新疆维吾尔自治区\"\n",
    );
    let cities = write(
        &dir,
        "cities.csv",
        "code,name,provinceCode\n6501,\"乌鲁木齐市\",65\n6699,\"孤儿市\",66\n65x1,\"坏\",65\n",
    );
    let areas = write(
        &dir,
        "areas.csv",
        "code,name,cityCode,provinceCode\n650102,\"天山区\",6501,65\n650100,\"重复市\",6501,65\n650103,\"沙依巴克区\",6502,65\n",
    );
    let files = vec![cities.clone(), provinces.clone(), areas.clone()];
    let first = import_files(&mut conn, &files, None).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(first.inserted, 3, "{first:?}");
    let lines: Vec<(String, u64)> = first
        .errors
        .iter()
        .map(|e| {
            (
                e.file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string(),
                e.line,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("cities.csv".into(), 3),
            ("cities.csv".into(), 4),
            ("areas.csv".into(), 3),
            ("areas.csv".into(), 4)
        ],
        "{:?}",
        first.errors
    );
    assert!(first.errors[0].reason.contains("unknown parent"));
    assert!(first.errors[1].reason.contains("malformed"));
    assert!(first.errors[2].reason.contains("wrong level"));
    assert!(first.errors[3].reason.contains("cityCode"));
    // Again: nothing changes.
    let again = import_files(&mut conn, &files, None).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    // A renamed node is updated.
    write(
        &dir,
        "areas.csv",
        "code,name,cityCode,provinceCode\n650102,\"天山区(新)\",6501,65\n",
    );
    let renamed = import_files(&mut conn, &files, None).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (renamed.inserted, renamed.updated, renamed.unchanged),
        (0, 1, 2)
    );
    let name: String = infra::schema::regions::table
        .find(650_102_000_000_i64)
        .select(infra::schema::regions::name)
        .first(&mut conn)
        .unwrap_or_default();
    assert_eq!(name, "天山区(新)");
    // A file that is no division file is refused as a whole, and nothing is written.
    let junk = write(&dir, "junk.csv", "foo,bar\n1,2\n");
    assert!(import_files(&mut conn, &[junk], None).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn hierarchy_endpoints_page_through_children() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    let r = app.get("/api/v1/regions/370831", &t).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["name"], "泗水县");
    assert_eq!(r.body["parent_code"], "370800000000");
    let mut total = 0;
    let mut cursor = String::new();
    loop {
        let r = app
            .get(
                &format!("/api/v1/regions/370831/children?limit=5{cursor}"),
                &t,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        total += r.body["items"].as_array().map_or(0, Vec::len);
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(total, 13, "Sishui has 13 townships");
    assert_eq!(app.get("/api/v1/regions/999999", &t).await.status, 404);
    assert_eq!(app.get("/api/v1/regions/12345", &t).await.status, 422);
}

#[test]
fn sishui_has_442_villages_in_the_template() {
    let db = TestDb::new();
    let mut conn = db.app_conn();
    let n: i64 = infra::schema::regions::table
        .filter(infra::schema::regions::code.between(370_831_000_000_i64, 370_831_999_999))
        .filter(infra::schema::regions::level.eq(5))
        .count()
        .get_result(&mut conn)
        .unwrap_or_default();
    assert_eq!(n, 442);
}
