//! The attachment store in S3 (moto in tests): stored, read, scoped, offboarded, multipart.

use super::*;

/// The test server's bucket under a fresh prefix, or `None` when S3 tests are opted out.
fn s3_config() -> Option<infra::files::S3Config> {
    let env = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    let Some(endpoint) = env("ZX_TEST_S3_ENDPOINT") else {
        if env("ZX_SKIP_S3").as_deref() == Some("1") {
            eprintln!("S3 attachment test skipped: ZX_SKIP_S3=1");
            return None;
        }
        panic!(
            "no S3 server for the S3 attachment tests: ZX_TEST_S3_ENDPOINT is not set. Run \
             scripts/test, or `source scripts/lib/s3-server.sh && zx_s3_server` before cargo \
             test; ZX_SKIP_S3=1 skips these tests on machines without Python 3 and pip"
        );
    };
    let need =
        |n: &str| env(n).unwrap_or_else(|| panic!("{n} is not set (scripts/lib/s3-server.sh)"));
    Some(infra::files::S3Config {
        bucket: need("ZX_TEST_S3_BUCKET"),
        allow_http: endpoint.starts_with("http://"),
        endpoint: Some(endpoint),
        region: env("ZX_TEST_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        credentials: Some((
            need("ZX_TEST_S3_ACCESS_KEY_ID").into(),
            need("ZX_TEST_S3_SECRET_ACCESS_KEY").into(),
        )),
        prefix: format!("it/{}", uuid::Uuid::new_v4()),
    })
}

/// Runs a synchronous store call off the test's async thread, as the routes do.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::web::block(f)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Opens a second, independent view of the same bucket and prefix: what is really there.
async fn s3_view(s3: &infra::files::S3Config) -> std::sync::Arc<dyn infra::files::Store> {
    let (s3, dir) = (
        s3.clone(),
        std::env::temp_dir().join(format!("zx-s3-{}", uuid::Uuid::new_v4())),
    );
    std::sync::Arc::new(
        blocking(move || infra::files::S3Store::open(&s3, dir))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

/// The app on the bucket; the local directory it is given should only ever hold staged parts.
async fn with_s3(s3: &infra::files::S3Config) -> (Exit, PathBuf) {
    let (s3, dir) = (
        s3.clone(),
        std::env::temp_dir().join(format!("zx-att-s3-{}", uuid::Uuid::new_v4())),
    );
    let d = dir.clone();
    let x = setup_with(move |c| {
        c.attachment_dir = d;
        c.attachment_store = api::config::AttachmentStore::S3(s3);
    })
    .await;
    (x, dir)
}

#[actix_web::test]
async fn files_are_stored_read_and_scoped_in_s3() {
    let Some(s3) = s3_config() else { return };
    let (x, dir) = with_s3(&s3).await;
    let app = &x.app;
    let (list, _) = nominated(&x, "S3A", 51).await;
    let r = upload(app, &x.clerk, ("exit_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["sha256"], hex(&sha2::Sha256::digest(PDF)));
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let key = infra::files::key_for(370831, id.parse().unwrap_or_else(|e| panic!("{e}")));

    // The object is in the bucket under the prefix, as <county>/<id>; nothing of it is kept in
    // the local directory, not even a staged part.
    let view = s3_view(&s3).await;
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        vec![key.clone()]
    );
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370830)).await.unwrap_or_default(),
        Vec::<String>::new()
    );
    assert_eq!(files_in(&dir), (0, 0));

    // Read back through the API: the same bytes, the same SHA-256.
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.clerk)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.raw, PDF);
    assert_eq!(
        hex(&sha2::Sha256::digest(&r.raw)),
        hex(&sha2::Sha256::digest(PDF))
    );

    // Another county's caller never gets it.
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.stranger)
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);

    // Deleting removes the object; deleting again is no error; reading it is "not found".
    let (v, k) = (view.clone(), key.clone());
    blocking(move || v.delete(&k))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (v, k) = (view.clone(), key.clone());
    blocking(move || v.delete(&k))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (v, k) = (view.clone(), key.clone());
    let gone = blocking(move || v.get(&k)).await;
    assert_eq!(
        gone.map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::NotFound)
    );
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        Vec::<String>::new()
    );
    let r = app
        .get(&format!("/api/v1/attachments/{id}/content"), &x.clerk)
        .await;
    assert_ne!(r.status, 200, "{:?}", r.body);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn offboarding_removes_only_the_countys_objects_in_s3() {
    let Some(s3) = s3_config() else { return };
    let (x, dir) = with_s3(&s3).await;
    let app = &x.app;
    let (list, _) = nominated(&x, "S3O", 52).await;
    let r = upload(app, &x.clerk, ("exit_list", &list), "签到表.pdf", PDF).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    // An object of the other county, in the same bucket and prefix.
    let store = app.state.attachments.clone();
    let other = infra::files::key_for(370830, uuid::Uuid::new_v4());
    let (s, k) = (store.clone(), other.clone());
    blocking(move || {
        let (mut f, staged) = s.stage()?;
        std::io::Write::write_all(&mut f, PNG)?;
        drop(f);
        s.put(&staged, &k)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    let out = std::env::temp_dir().join(format!("offboard-{}.jsonl.gz", uuid::Uuid::new_v4()));
    let (url, o, s) = (app.db.owner_url(), out.clone(), store.clone());
    let report =
        blocking(move || infra::offboard::run(url.expose_secret(), 370831, &o, "test", &*s))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(report.files, 1);
    let lines: Vec<Value> = std::io::BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&out).unwrap_or_else(|e| panic!("{e}")),
    ))
    .lines()
    .map(|l| serde_json::from_str(&l.unwrap_or_default()).unwrap_or_default())
    .collect();
    let file = lines
        .iter()
        .find(|l| l["file"]["attachment_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no file line"));
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["file"]["content_base64"].as_str().unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(bytes, PDF);

    let view = s3_view(&s3).await;
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        Vec::<String>::new()
    );
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370830)).await.unwrap_or_default(),
        vec![other.clone()]
    );
    let (v, k) = (view.clone(), other.clone());
    assert_eq!(blocking(move || v.get(&k)).await.unwrap_or_default(), PNG);
    assert_eq!(files_in(&dir), (0, 0));
    let _ = std::fs::remove_file(out);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn large_files_go_up_in_parts_and_a_missing_bucket_stops_startup_in_s3() {
    let Some(s3) = s3_config() else { return };
    let view = s3_view(&s3).await;
    // Past one part (8 MiB): a multipart upload, read back whole.
    let mut big = PDF.to_vec();
    big.resize(infra::files::s3::PART_BYTES + 1_000_003, b'%');
    let key = infra::files::key_for(370831, uuid::Uuid::new_v4());
    let (v, k, b) = (view.clone(), key.clone(), big.clone());
    blocking(move || {
        let (mut f, staged) = v.stage()?;
        std::io::Write::write_all(&mut f, &b)?;
        drop(f);
        v.put(&staged, &k)?;
        assert!(!staged.exists(), "the staged file stays behind");
        Ok::<_, std::io::Error>(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (v, k) = (view.clone(), key.clone());
    let back = blocking(move || v.get(&k))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.len(), big.len());
    assert_eq!(sha2::Sha256::digest(&back), sha2::Sha256::digest(&big));
    // A key that is not <county>/<uuid> is refused before any request.
    let v = view.clone();
    assert!(blocking(move || v.get("../370831/x")).await.is_err());

    // A bucket that does not exist: the server does not start, the message names the variable
    // and the bucket, and shows no credential.
    let mut config =
        crate::helpers::config_for(secrecy::SecretString::from("postgres://unused"), None);
    let missing = infra::files::S3Config {
        bucket: format!("zx-missing-{}", uuid::Uuid::new_v4().simple()),
        ..s3.clone()
    };
    let bucket = missing.bucket.clone();
    config.attachment_store = api::config::AttachmentStore::S3(missing);
    let e = match blocking(move || config.open_attachments().map(drop)).await {
        Ok(()) => panic!("a missing bucket was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(e.contains("ZX_S3_BUCKET") && e.contains(&bucket), "{e}");
    if let Some((id, secret)) = &s3.credentials {
        assert!(!e.contains(secret.expose_secret()), "{e}");
        assert!(!e.contains(id.expose_secret()), "{e}");
    }
}

/// An import's upload goes to the bucket under `<county>/imports/<job id>` (nothing of it stays
/// in the local directory), another instance on the same bucket downloads it to run the job, and
/// it is removed from the bucket when the job is over.
#[actix_web::test]
async fn an_import_upload_goes_through_the_bucket_and_is_removed() {
    use crate::transfer::{HEADER, row};
    let Some(s3) = s3_config() else { return };
    let dir = std::env::temp_dir().join(format!("zx-imp-s3-{}", uuid::Uuid::new_v4()));
    let (c, d) = (s3.clone(), dir.clone());
    let mut app = TestApp::spawn_with(
        move |cfg| {
            cfg.attachment_dir = d;
            cfg.attachment_store = api::config::AttachmentStore::S3(c);
            cfg.work.job_workers = 0;
        },
        None,
    )
    .await;
    app.onboard("370831");
    app.user("approver", "370831", &["county_approver"]);
    let t = app.token("approver").await;
    let csv = format!(
        "{HEADER}\n{}\n",
        row(
            "S3-1",
            "370831001003",
            "张三",
            &crate::cases::id_number("370831", 31),
            "户主",
            "因病",
            "4200"
        )
    );
    let r = app
        .post_raw(
            "/api/v1/imports/households",
            Some(&t),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let view = s3_view(&s3).await;
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        vec![format!("370831/imports/{id}")]
    );
    assert_eq!(files_under(&dir), 0, "nothing kept locally");
    // Listed with when it was stored; its job names it, so housekeeping's sweep of uploads no
    // job names keeps it, however old.
    let v = view.clone();
    let listed = blocking(move || v.import_uploads(370831))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        listed.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        vec![format!("370831/imports/{id}")]
    );
    assert!(
        listed[0]
            .1
            .elapsed()
            .map_or(true, |a| a < std::time::Duration::from_secs(600)),
        "stored just now: {:?}",
        listed[0].1
    );
    let sweep = |app: &TestApp| {
        let (db, store) = (app.state.db.clone(), app.state.attachments.clone());
        blocking(move || {
            infra::app::jobs::sweep_orphan_uploads(&db, store.as_ref(), std::time::Duration::ZERO)
        })
    };
    assert_eq!(sweep(&app).await.unwrap_or_else(|e| panic!("{e:?}")), 0);
    let (c, d) = (s3.clone(), dir.clone());
    let _sibling = app.start_sibling_full(
        infra::jwt::KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}")),
        move |cfg| {
            cfg.attachment_dir = d;
            cfg.attachment_store = api::config::AttachmentStore::S3(c);
        },
    );
    let job = crate::transfer::wait(&app, &t, &r.body).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["summary"]["households_created"], 1, "{job:?}");
    let mut left = vec![String::new()];
    for _ in 0..200 {
        let v = view.clone();
        left = blocking(move || v.keys(370831)).await.unwrap_or_default();
        if left.is_empty() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, Vec::<String>::new(), "removed from the bucket");
    assert_eq!(files_under(&dir), 0, "the downloaded copy is gone");
    // An upload whose job was never queued (a crash between the two) goes with the sweep.
    let v = view.clone();
    blocking(move || {
        use std::io::Write as _;
        let (mut f, path) = v.stage()?;
        f.write_all(b"household_number\n")?;
        drop(f);
        v.put(
            &path,
            &infra::files::import_key(370_831, uuid::Uuid::new_v4()),
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sweep(&app).await.unwrap_or_else(|e| panic!("{e:?}")), 1);
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        Vec::<String>::new()
    );
    // An export job's file goes to the bucket too, is downloaded from it (the local copy gone
    // after), and leaves it with housekeeping's sweep of files past their day.
    let r = app
        .post(
            "/api/v1/exports/households/jobs?format=csv",
            &t,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let job = crate::transfer::wait(&app, &t, &r.body).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        vec![format!("370831/exports/{id}")]
    );
    let file = app.get(&format!("/api/v1/jobs/{id}/result"), &t).await;
    assert_eq!(file.status, 200, "{:?}", file.body);
    assert!(
        file.body.as_str().unwrap_or_default().contains("S3-1,"),
        "{:?}",
        file.body
    );
    for _ in 0..100 {
        if files_under(&dir) == 0 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(files_under(&dir), 0, "the downloaded copy is gone");
    let (db, store) = (app.state.db.clone(), app.state.attachments.clone());
    let swept = blocking(move || {
        infra::app::jobs::sweep_exports(&db, store.as_ref(), std::time::Duration::ZERO)
    })
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(swept, 1);
    let v = view.clone();
    assert_eq!(
        blocking(move || v.keys(370831)).await.unwrap_or_default(),
        Vec::<String>::new()
    );
}

/// Files under `dir` (staged parts and downloaded copies included).
fn files_under(dir: &Path) -> usize {
    fn walk(d: &Path) -> usize {
        std::fs::read_dir(d).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { walk(&p) } else { 1 }
                })
                .sum()
        })
    }
    walk(dir)
}
