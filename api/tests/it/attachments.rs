//! Attachments of exit steps (issue 23, item 8): `javascript:` links and markup in titles were
//! accepted and shown to every later reader. Only `https:` links and this system's own
//! documents, and plain-text titles.
//!
//! Stored attachments (issue 19 item 4): files kept by the system, typed by content, limited in
//! size, scoped like their object, audited where confidential, required as evidence when the
//! county says so, and archived with the county on offboarding.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::exit::{Exit, V1, dated, nomination, registered, setup, setup_with, step_path, votes};
use crate::helpers::{Resp, TestApp};

#[actix_web::test]
async fn attachments_take_only_https_links_and_plain_titles() {
    let x = setup().await;
    let app = &x.app;
    let h = registered(app, &x.clerk, "A1", V1, 1, (2, 400_000, true)).await;
    let with = |attachments: serde_json::Value| {
        let mut b = nomination(V1, &[&h]);
        b["attachments"] = attachments;
        b
    };
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            with(json!([
                {"title": "退出申请书", "uri": "javascript:alert(document.cookie)"},
                {"title": "<img src=x onerror=alert(1)>", "uri": "https://archive.example/a.pdf"},
                {"title": "签到表", "uri": "java\tscript:alert(1)"},
                {"title": "会议记录\u{202E}fdp.exe", "uri": "data:text/html,<script>alert(1)</script>"},
                {"title": "公示照片", "uri": "http://archive.example/b.jpg"},
            ])),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "attachments[0].uri",
            "attachments[1].title",
            "attachments[2].uri",
            "attachments[3].title",
            "attachments[3].uri",
            "attachments[4].uri",
        ],
        "{:?}",
        r.body
    );
    // Nothing was written.
    let lists = app.get("/api/v1/exit-lists", &x.clerk).await;
    assert_eq!(lists.body["items"].as_array().map(Vec::len), Some(0));
    // An https link and one of the system's own documents are accepted.
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            with(json!([
                {"title": "退出申请书 (2016) & 附件", "uri": "https://archive.sishui.example/2016/001.pdf"},
                {"title": "申请书", "uri": "/api/v1/exit-lists/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/documents/application"},
            ])),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H',
];
const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A multipart form with `bytes` as the part `file` named `name` (`disposition_name`: the raw
/// parameters after `name="file"`, for names that need RFC 8187).
pub fn form(filename_params: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let b = "zxattachmentboundary7";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; {filename_params}\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    object: (&str, &str),
    name: &str,
    bytes: &[u8],
) -> Resp {
    let (ct, body) = form(&format!("filename=\"{name}\""), bytes);
    app.post_raw(
        &format!(
            "/api/v1/attachments?object_type={}&object_id={}",
            object.0, object.1
        ),
        Some(token),
        &ct,
        body,
    )
    .await
}

/// Files in the store, and files left in its staging directory.
pub fn files_in(dir: &Path) -> (usize, usize) {
    let count = |d: PathBuf| {
        std::fs::read_dir(d)
            .map(|r| {
                r.filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .count()
            })
            .unwrap_or(0)
    };
    let stored = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(Result::ok)
                .filter(|e| e.file_name() != ".staging")
                .map(|e| count(e.path()))
                .sum()
        })
        .unwrap_or(0);
    (stored, count(dir.join(".staging")))
}

pub fn rows(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        n: i64,
    }
    app.db.as_owner("37", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query("SELECT count(*) AS n FROM attachments")
            .get_result::<N>(c)
            .map(|r| r.n)
    })
}

pub async fn with_dir() -> (Exit, PathBuf) {
    let dir = std::env::temp_dir().join(format!("zx-att-it-{}", uuid::Uuid::new_v4()));
    let d = dir.clone();
    (setup_with(move |c| c.attachment_dir = d).await, dir)
}

pub async fn nominated(x: &Exit, number: &str, seq: u32) -> (String, String) {
    let app = &x.app;
    let h = registered(app, &x.clerk, number, V1, seq, (2, 400_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (r.body["id"].as_str().unwrap_or_default().to_string(), h)
}

#[actix_web::test]
async fn files_are_typed_by_content_limited_in_size_and_scoped_like_their_object() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "S1", 11).await;
    let obj = ("exit_list", list.as_str());

    // A PDF is stored; the answer carries its SHA-256.
    let r = upload(app, &x.clerk, obj, "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["sha256"], hex(&sha2::Sha256::digest(PDF)));
    assert_eq!(r.body["content_type"], "application/pdf");
    assert_eq!(r.body["size_bytes"], PDF.len());
    assert_eq!(r.body["file_name"], "签到表.pdf");
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/attachments/{id}").as_str())
    );
    assert_eq!(files_in(&dir), (1, 0));

    // Read back: metadata, the list of the object, the bytes.
    let r = app
        .get(&format!("/api/v1/attachments/{id}"), &x.clerk)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["uri"], format!("/api/v1/attachments/{id}"));
    let r = app
        .get(
            &format!("/api/v1/attachments?object_type=exit_list&object_id={list}"),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.clerk)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.raw, PDF);
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        r.header("content-disposition").as_deref(),
        Some(
            "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf"
        )
    );
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));

    // Another county's caller: not found, whether reading or attaching.
    for path in [
        format!("/api/v1/attachments/{id}"),
        format!("/api/v1/attachments/{id}/content"),
        format!("/api/v1/attachments?object_type=exit_list&object_id={list}"),
    ] {
        let r = app.get(&path, &x.stranger).await;
        assert_eq!(r.status, 404, "{path}: {:?}", r.body);
    }
    let r = upload(app, &x.stranger, obj, "x.pdf", PDF).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Another village's clerk in the same county does not see the list either.
    let r = app
        .get(&format!("/api/v1/attachments/{id}"), &x.clerk2)
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);

    // An executable named .pdf: 415, by content.
    let r = upload(app, &x.clerk, obj, "minutes.pdf", ELF).await;
    assert_eq!(r.status, 415, "{:?}", r.body);
    assert_eq!(r.body["code"], "unsupported_media_type");
    // A ZIP that is no office document, and an empty file: 415 too.
    let r = upload(app, &x.clerk, obj, "a.docx", b"PK\x03\x04garbage").await;
    assert_eq!(r.status, 415, "{:?}", r.body);
    let r = upload(app, &x.clerk, obj, "empty.pdf", b"").await;
    assert_eq!(r.status, 415, "{:?}", r.body);
    // A path or markup as the name: 422 naming it.
    for name in ["../../etc/passwd.pdf", "<img src=x>.pdf"] {
        let r = upload(app, &x.clerk, obj, name, PDF).await;
        assert_eq!(r.status, 422, "{name}: {:?}", r.body);
        assert_eq!(
            r.body["errors"][0]["field"], "file.filename",
            "{:?}",
            r.body
        );
    }
    // Not a form: 415.
    let r = app
        .post_raw(
            &format!("/api/v1/attachments?object_type=exit_list&object_id={list}"),
            Some(&x.clerk),
            "application/pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(r.status, 415, "{:?}", r.body);

    // 30 MB (past the default 20 MiB): 413, and nothing stored: no row, no file, no staged part.
    let mut big = PDF.to_vec();
    big.resize(30 * 1000 * 1000, b' ');
    let r = upload(app, &x.clerk, obj, "big.pdf", &big).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(r.body["code"], "payload_too_large");
    assert_eq!(rows(app), 1);
    assert_eq!(files_in(&dir), (1, 0));
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn a_property_hits_files_are_confidential_and_every_read_is_audited() {
    let (mut x, dir) = with_dir().await;
    x.app.user("team", V1, &["team_member"]);
    let p = crate::property::people(&mut x).await;
    let r = crate::property::import(
        &x,
        &x.approver,
        "att",
        crate::property::csv(&[(&p.p1, "车辆", "鲁H12345")]),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let batch = r.body["batch_id"].as_str().unwrap_or_default().to_string();
    let hits = crate::property::hits_of(&x, &x.clerk, &batch).await;
    let hit = hits[0]["id"].as_str().unwrap_or_default().to_string();
    let app = &x.app;
    // A team member cannot attach (no property:verify), the village clerk can.
    let team = app.token("team").await;
    let r = upload(app, &team, ("property_hit", &hit), "photo.png", PNG).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = upload(app, &x.clerk, ("property_hit", &hit), "车辆照片.png", PNG).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["content_type"], "image/png");
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // Reads need property:read: the team member is refused; another county sees nothing.
    let r = app.get(&format!("/api/v1/attachments/{id}"), &team).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.stranger)
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Every read by the clerk is audited: metadata, list and content.
    let r = app
        .get(&format!("/api/v1/attachments/{id}"), &x.clerk)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.clerk)
        .await;
    assert_eq!((r.status, r.raw.as_slice()), (200, PNG));
    let r = app
        .get(
            &format!("/api/v1/attachments?object_type=property_hit&object_id={hit}"),
            &x.clerk,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let admin = app.token("admin.370831").await;
    for (action, object) in [
        ("attachment.read", id.as_str()),
        ("attachment.downloaded", id.as_str()),
        ("attachment.listed", hit.as_str()),
        ("attachment.stored", hit.as_str()),
    ] {
        let log = app
            .get(&format!("/api/v1/audit-events?action={action}"), &admin)
            .await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        let entries = log.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), 1, "{action}: {entries:?}");
        assert_eq!(entries[0]["object_id"], object, "{action}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

pub async fn set_evidence(app: &TestApp, on: bool) {
    let admin = app.token("admin.370831").await;
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"exit": {"require_stored_evidence": on}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

pub fn cite(body: &mut Value, ids: &[&str]) {
    body["attachments"] = ids
        .iter()
        .map(|id| json!({"title": "签到表", "uri": format!("/api/v1/attachments/{id}")}))
        .collect();
}

#[actix_web::test]
async fn with_the_setting_the_meeting_and_each_posting_need_a_stored_file() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, h) = nominated(&x, "V1", 21).await;
    let (other, h2) = nominated(&x, "V2", 22).await;
    set_evidence(app, true).await;
    let step = |name: &str| step_path(&list, name);

    // Without a stored file the appraisal is refused, naming the field.
    let body = votes(&[(&h, 20)]);
    let r = app
        .post(&step("appraisal"), &x.clerk, dated(app, body.clone()))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "attachments", "{:?}", r.body);
    // A link to an archive is no stored file.
    let mut linked = body.clone();
    linked["attachments"] = json!([{"title": "签到表", "uri": "https://archive.example/a.pdf"}]);
    let r = app
        .post(&step("appraisal"), &x.clerk, dated(app, linked))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Another list's file is refused by name.
    let theirs = upload(app, &x.clerk, ("exit_list", &other), "other.pdf", PDF).await;
    assert_eq!(theirs.status, 201, "{:?}", theirs.body);
    let theirs = theirs.body["id"].as_str().unwrap_or_default().to_string();
    let mut wrong = body.clone();
    cite(&mut wrong, &[&theirs]);
    let r = app
        .post(&step("appraisal"), &x.clerk, dated(app, wrong))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["field"], "attachments[0].uri",
        "{:?}",
        r.body
    );
    // This list's sign-in sheet: the appraisal is recorded, citing it.
    let sheet = upload(app, &x.clerk, ("exit_list", &list), "签到表.pdf", PDF).await;
    let sheet = sheet.body["id"].as_str().unwrap_or_default().to_string();
    let mut ok = body.clone();
    cite(&mut ok, &[&sheet]);
    let r = app.post(&step("appraisal"), &x.clerk, dated(app, ok)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Verification asks for no evidence.
    let r = app
        .post(
            &step("verification"),
            &x.clerk,
            dated(
                app,
                json!({"verified_on": "today", "verifiers": ["村主任王某"], "findings": "情况属实"}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The first notice's posting does.
    let r = app
        .post(
            &step("first-notice"),
            &x.clerk,
            json!({"location": "村委会公示栏"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "attachments", "{:?}", r.body);
    let photo = upload(app, &x.clerk, ("exit_list", &list), "公示照片.png", PNG).await;
    let photo = photo.body["id"].as_str().unwrap_or_default().to_string();
    let mut posted = json!({"location": "村委会公示栏"});
    cite(&mut posted, &[&photo]);
    let r = app.post(&step("first-notice"), &x.clerk, posted).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "first_notice");
    // With the setting off (the default), a step may still go without one.
    set_evidence(app, false).await;
    let r = app
        .post(
            &step_path(&other, "appraisal"),
            &x.clerk,
            dated(app, votes(&[(&h2, 20)])),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn offboarding_archives_the_files_and_empties_the_store() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "O1", 31).await;
    let r = upload(app, &x.clerk, ("exit_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let (report, lines) = crate::helpers::offboard_sishui(app, &*app.state.attachments);
    assert_eq!(report.files, 1);
    assert!(
        lines
            .iter()
            .any(|l| l["table"] == "attachments" && l["row"]["id"] == id.as_str())
    );
    let file = lines
        .iter()
        .find(|l| l["file"]["attachment_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no file line"));
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["file"]["content_base64"].as_str().unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(bytes, PDF);
    assert_eq!(files_in(&dir), (0, 0));
    assert_eq!(rows(app), 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// The store as offboarding sees it, with `during` run as it reads a file: work of another
/// session landing while the archive is being made.
struct Busy<'a> {
    inner: &'a dyn infra::files::Store,
    during: std::sync::Mutex<Option<Box<dyn FnOnce() + Send + 'a>>>,
}

impl std::fmt::Debug for Busy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Busy")
    }
}

impl infra::files::Store for Busy<'_> {
    fn stage(&self) -> std::io::Result<(std::fs::File, PathBuf)> {
        self.inner.stage()
    }
    fn put(&self, staged: &std::path::Path, key: &str) -> std::io::Result<()> {
        self.inner.put(staged, key)
    }
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        if let Some(f) = self.during.lock().ok().and_then(|mut d| d.take()) {
            f();
        }
        self.inner.get(key)
    }
    fn open_file(&self, key: &str) -> std::io::Result<infra::files::Opened> {
        self.inner.open_file(key)
    }
    fn delete(&self, key: &str) -> std::io::Result<()> {
        self.inner.delete(key)
    }
    fn keys(&self, county: i32) -> std::io::Result<Vec<String>> {
        self.inner.keys(county)
    }
    fn import_uploads(&self, county: i32) -> std::io::Result<Vec<(String, std::time::SystemTime)>> {
        self.inner.import_uploads(county)
    }
    fn exported(&self, county: i32) -> std::io::Result<Vec<(String, std::time::SystemTime)>> {
        self.inner.exported(county)
    }
}

/// The store as offboarding sees it, failing every removal: a store down after the rows were
/// deleted.
#[derive(Debug)]
struct Stuck<'a>(&'a dyn infra::files::Store);

impl infra::files::Store for Stuck<'_> {
    fn stage(&self) -> std::io::Result<(std::fs::File, PathBuf)> {
        self.0.stage()
    }
    fn put(&self, staged: &std::path::Path, key: &str) -> std::io::Result<()> {
        self.0.put(staged, key)
    }
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        self.0.get(key)
    }
    fn open_file(&self, key: &str) -> std::io::Result<infra::files::Opened> {
        self.0.open_file(key)
    }
    fn delete(&self, _key: &str) -> std::io::Result<()> {
        Err(std::io::Error::other("the store is down"))
    }
    fn keys(&self, county: i32) -> std::io::Result<Vec<String>> {
        self.0.keys(county)
    }
    fn import_uploads(&self, county: i32) -> std::io::Result<Vec<(String, std::time::SystemTime)>> {
        self.0.import_uploads(county)
    }
    fn exported(&self, county: i32) -> std::io::Result<Vec<(String, std::time::SystemTime)>> {
        self.0.exported(county)
    }
}

/// Files the store failed to remove after the rows were deleted are named, each tried, and a
/// second run removes them (the county is no tenant any more, yet its files are not left for
/// good).
#[actix_web::test]
async fn offboarding_finishes_removing_files_the_store_failed_to_remove() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "O3", 33).await;
    for name in ["签到表.pdf", "会议记录.pdf"] {
        let r = upload(app, &x.clerk, ("exit_list", &list), name, PDF).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let out = std::env::temp_dir().join(format!("offboard-{}.jsonl.gz", uuid::Uuid::new_v4()));
    let owner = app.db.owner_url();
    let stuck = Stuck(&*app.state.attachments);
    let err = infra::offboard::run(owner.expose_secret(), 370831, &out, "test", &stuck)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(err.contains("2 files could not be removed"), "{err}");
    assert_eq!(rows(app), 0, "the rows are deleted and archived");
    assert_eq!(files_in(&dir).0, 2, "the files are still there");
    let again = infra::offboard::run(
        owner.expose_secret(),
        370831,
        &out,
        "test",
        &*app.state.attachments,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(again.files, 2);
    assert_eq!(files_in(&dir), (0, 0));
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_dir_all(dir);
}

/// A row another session writes while the archive is being made is not in the archive, so it
/// must not be deleted: it is left, counted, and a second run archives and removes it.
#[actix_web::test]
async fn offboarding_deletes_only_what_it_archived() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "O2", 32).await;
    let r = upload(app, &x.clerk, ("exit_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let late = uuid::Uuid::new_v4();
    let db = &app.db;
    let store = Busy {
        inner: &*app.state.attachments,
        during: std::sync::Mutex::new(Some(Box::new(move || {
            // Committed by another session while offboarding reads the file.
            db.as_owner("370831", |c| {
                use diesel::RunQueryDsl as _;
                diesel::sql_query(format!(
                    "INSERT INTO audit_events (county_code, id, action, object_type, region_code) \
                     VALUES (370831, '{late}', 'test.late', 'test', 370831000000)"
                ))
                .execute(c)
            });
        }))),
    };
    let holds_late = |lines: &[Value]| {
        lines
            .iter()
            .any(|l| l["row"]["id"] == late.to_string().as_str())
    };
    let (report, lines) = crate::helpers::offboard_sishui(app, &store);
    assert_eq!(report.files, 1);
    assert!(!holds_late(&lines));
    assert_eq!(report.left_behind, 1, "the late row, kept");
    let kept: i64 = app.db.as_owner("37", |c| {
        use diesel::RunQueryDsl as _;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::Int8)]
            n: i64,
        }
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM audit_log WHERE id = '{late}'"
        ))
        .get_result::<N>(c)
        .map(|r| r.n)
    });
    assert_eq!(kept, 1);
    // The second run finishes the county: the late row archived, nothing left.
    let (report, lines) = crate::helpers::offboard_sishui(app, &*app.state.attachments);
    assert_eq!(report.left_behind, 0);
    assert!(holds_late(&lines));
    assert_eq!(files_in(&dir), (0, 0));
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn a_county_may_lower_the_size_limit_but_not_raise_it() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "L1", 41).await;
    let admin = app.token("admin.370831").await;
    let put = |max: i64, tag: String| {
        let admin = admin.clone();
        async move {
            app.send(
                "PUT",
                "/api/v1/settings/370831",
                Some(&admin),
                Some(&json!({"overrides": {"attachments": {"max_bytes": max}}})),
                &[("if-match", tag.as_str())],
            )
            .await
        }
    };
    let tag = app
        .get("/api/v1/settings/370831", &admin)
        .await
        .header("etag")
        .unwrap_or_default();
    let r = put(200 * 1024 * 1024, tag.clone()).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["field"], "overrides.attachments.max_bytes",
        "{:?}",
        r.body
    );
    let r = put(4096, tag).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut five_k = PDF.to_vec();
    five_k.resize(5000, b' ');
    let r = upload(app, &x.clerk, ("exit_list", &list), "scan.pdf", &five_k).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    let r = upload(app, &x.clerk, ("exit_list", &list), "scan.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(files_in(&dir), (1, 0));
    let _ = std::fs::remove_dir_all(dir);
}

// --- The same in an S3-compatible object store -------------------------------------------------
//
// Against a real S3 API: moto's server, started by scripts/test (scripts/lib/s3-server.sh), or any
// endpoint given in ZX_TEST_S3_*. Each test keeps its objects under a prefix of its own in the
// shared test bucket. Without a server these tests fail, saying how to start one; ZX_SKIP_S3=1
// skips them on machines without Python.

mod s3;

/// Uploads under way are capped per user and per county on each server: the next one answers
/// 429 before its body is read, and nothing is staged or stored for it.
#[actix_web::test]
async fn uploads_at_once_are_capped_per_user_and_county() {
    let (x, dir) = with_dir().await;
    let app = &x.app;
    let (list, _) = nominated(&x, "U1", 12).await;
    let obj = ("exit_list", list.as_str());
    let me = app.get("/api/v1/me", &x.clerk).await;
    let user: uuid::Uuid = me.body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{:?}", me.body));
    // The clerk's uploads in flight, at the cap.
    let held: Vec<_> = (0..api::routes::attachments::MAX_UPLOADS_PER_USER)
        .map(|_| {
            app.state
                .attachment_uploads
                .take(370_831, user, |_, _| Ok::<_, ()>(()))
                .unwrap_or_else(|()| panic!("a slot"))
        })
        .collect();
    let r = upload(app, &x.clerk, obj, "签到表.pdf", PDF).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert!(r.header("retry-after").is_some());
    assert_eq!(files_in(&dir), (0, 0));
    drop(held);
    // The county's, taken by others.
    let others: Vec<_> = (0..api::routes::attachments::MAX_UPLOADS_PER_COUNTY)
        .map(|_| {
            app.state
                .attachment_uploads
                .take(370_831, uuid::Uuid::new_v4(), |_, _| Ok::<_, ()>(()))
                .unwrap_or_else(|()| panic!("a slot"))
        })
        .collect();
    let r = upload(app, &x.clerk, obj, "签到表.pdf", PDF).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    drop(others);
    let r = upload(app, &x.clerk, obj, "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}
