//! The console at `/console/` (files, deep links, cache headers, CSP) and the refresh token as
//! an `HttpOnly` cookie (opt-in with `X-Refresh-Cookie: 1`).

use std::io::Write as _;

use serde_json::json;

use crate::helpers::{PASSWORD, Resp, TestApp};

/// A built console in a fresh folder: index, one hashed asset with a gzip sibling.
fn console_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zx-console-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>console</title><script type=module src=/console/assets/index-AbC123.js></script>",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("assets/index-AbC123.js"), "console.log('plain')")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"console.log('gzipped')")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("assets/index-AbC123.js.gz"),
        gz.finish().unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(".env"), "SECRET=1").unwrap_or_else(|e| panic!("{e}"));
    dir
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    app.send("GET", path, None, None, headers).await
}

#[actix_web::test]
async fn the_console_is_served_with_deep_links_cache_headers_and_a_strict_csp() {
    let dir = console_dir();
    let d = dir.clone();
    let app = TestApp::spawn_with(move |c| c.console_dir = d, None).await;

    let index = get(&app, "/console/", &[]).await;
    assert_eq!(index.status, 200);
    assert!(
        index
            .body
            .as_str()
            .is_some_and(|b| b.contains("<title>console"))
    );
    assert_eq!(index.header("cache-control").as_deref(), Some("no-cache"));
    assert!(
        index
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
    let csp = index.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(!csp.contains("http"), "no third-party origin: {csp}");

    // A deep link answers the index; /console leads to /console/.
    let deep = get(
        &app,
        "/console/households/0b6f6c1e-1f0d-4e43-9d58-3c2d6ed1a001",
        &[],
    )
    .await;
    assert_eq!(deep.status, 200);
    assert_eq!(deep.body, index.body);
    // (the client follows the redirect)
    let bare = get(&app, "/console", &[]).await;
    assert_eq!((bare.status, &bare.body), (200, &index.body));

    // Hashed assets: cached for a year, gzip when accepted.
    let plain = get(
        &app,
        "/console/assets/index-AbC123.js",
        &[("accept-encoding", "identity")],
    )
    .await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body.as_str(), Some("console.log('plain')"));
    assert_eq!(
        plain.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        plain
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript"))
    );
    let gz = get(
        &app,
        "/console/assets/index-AbC123.js",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert!(
        gz.body.as_str().is_some_and(|b| b.starts_with('\u{1f}')),
        "the gzip sibling's bytes: {:?}",
        gz.body
    );

    // A missing asset is 404, not the HTML page; hidden files and escapes are never served.
    assert_eq!(
        get(&app, "/console/assets/gone-123.js", &[]).await.status,
        404
    );
    assert_eq!(get(&app, "/console/.env", &[]).await.status, 404);
    assert_eq!(
        get(&app, "/console/%2e%2e/Cargo.toml", &[]).await.status,
        404
    );
    assert_eq!(
        get(&app, "/console/assets/..%2F..%2Findex.html", &[])
            .await
            .status,
        404
    );
    // The API keeps its own policy.
    let api = get(&app, "/health/live", &[]).await;
    assert_eq!(
        api.header("content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[actix_web::test]
async fn without_a_built_console_the_answer_says_how_to_build_it() {
    let app = TestApp::spawn_with(|c| c.console_dir = "/nonexistent/console".into(), None).await;
    let r = get(&app, "/console/", &[]).await;
    assert_eq!(r.status, 404);
    assert!(r.body.as_str().is_some_and(|b| b.contains("npm run build")));
}

/// The `zx_refresh=…` pair of a `Set-Cookie`.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

#[actix_web::test]
async fn the_refresh_token_can_live_in_an_http_only_cookie() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let cookie_mode = ("x-refresh-cookie", "1");
    let login = app
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": admin, "password": PASSWORD})),
            &[cookie_mode],
        )
        .await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    assert!(
        login.body.get("refresh_token").is_none(),
        "not in the body: {:?}",
        login.body
    );
    let access = login.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(app.get("/api/v1/me", &access).await.status, 200);
    let set = login.header("set-cookie").unwrap_or_default();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=3600",
    ] {
        assert!(set.contains(part), "{part} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP on loopback: {set}");
    let first = cookie_pair(&set);
    assert!(
        first.starts_with("zx_refresh=") && first.len() > 20,
        "{first}"
    );

    // Refresh reads the cookie (no body) and sets the next one.
    let r = app
        .send(
            "POST",
            "/api/v1/auth/refresh",
            None,
            None,
            &[cookie_mode, ("cookie", &first)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body.get("refresh_token").is_none());
    let second = cookie_pair(&r.header("set-cookie").unwrap_or_default());
    assert_ne!(second, first);
    // Without the header the cookie is not looked at: the JSON body is required, as before.
    let no_header = app
        .send(
            "POST",
            "/api/v1/auth/refresh",
            None,
            None,
            &[("cookie", &second)],
        )
        .await;
    assert_eq!(no_header.status, 415, "{:?}", no_header.body);
    let no_cookie = app
        .send("POST", "/api/v1/auth/refresh", None, None, &[cookie_mode])
        .await;
    assert_eq!(no_cookie.status, 401);

    // Logout ends the session and clears the cookie.
    let out = app
        .send(
            "POST",
            "/api/v1/auth/logout",
            None,
            None,
            &[cookie_mode, ("cookie", &second)],
        )
        .await;
    assert_eq!(out.status, 204);
    let cleared = out.header("set-cookie").unwrap_or_default();
    assert!(
        cleared.starts_with("zx_refresh=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let after = app
        .send(
            "POST",
            "/api/v1/auth/refresh",
            None,
            None,
            &[cookie_mode, ("cookie", &second)],
        )
        .await;
    assert_eq!(after.status, 401);
}

#[actix_web::test]
async fn the_cookie_is_secure_off_loopback_and_json_clients_are_unchanged() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let login = app
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": admin, "password": PASSWORD})),
            &[
                ("x-refresh-cookie", "1"),
                ("host", "zhenxing.example.gov.cn"),
            ],
        )
        .await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let set = login.header("set-cookie").unwrap_or_default();
    assert!(set.contains("; Secure"), "{set}");

    // No header: the pair in the body, no cookie.
    let plain = app
        .post_public(
            "/api/v1/auth/login",
            json!({"username": admin, "password": PASSWORD}),
        )
        .await;
    assert_eq!(plain.status, 200);
    assert!(
        plain.body["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(plain.header("set-cookie").is_none());
    let token = plain.body["refresh_token"].as_str().unwrap_or_default();
    let r = app
        .post_public("/api/v1/auth/refresh", json!({"refresh_token": token}))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("set-cookie").is_none());
}

/// The vocabularies a front end takes its labels from: every one is a schema of the served
/// contract with exactly its codes, and each code has a Chinese label.
#[actix_web::test]
async fn vocabularies_give_every_contract_enum_its_chinese_labels() {
    let mut app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/vocabularies", "").await.status, 401);
    let admin = app.onboard("370831");
    let token = app.token(&admin).await;
    let r = app.get("/api/v1/vocabularies", &token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = app.get("/api/v1/openapi.json", "").await.body;
    let list = r.body.as_array().unwrap_or_else(|| panic!("{}", r.body));
    assert!(list.len() >= 30, "{} vocabularies", list.len());
    let mut in_contract = 0;
    for v in list {
        let name = v["name"].as_str().unwrap_or_default();
        let codes: Vec<&str> = v["entries"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|e| {
                assert!(!e["label"].as_str().unwrap_or_default().is_empty(), "{e}");
                e["code"].as_str().unwrap_or_default()
            })
            .collect();
        // A vocabulary no DTO uses (the calendar's day kinds) is not among the schemas.
        let Some(schema) = doc["components"]["schemas"].get(name) else {
            continue;
        };
        in_contract += 1;
        let enumerated: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is no enum of the contract: {schema}"))
            .iter()
            .filter_map(|x| x.as_str())
            .collect();
        assert_eq!(codes, enumerated, "{name}");
    }
    assert!(
        in_contract >= 25,
        "only {in_contract} vocabularies are schemas of the contract"
    );
    let status = list
        .iter()
        .find(|v| v["name"] == "HouseholdStatus")
        .unwrap_or_else(|| panic!("no HouseholdStatus"));
    assert!(
        status["entries"]
            .as_array()
            .is_some_and(|e| e.contains(&json!({"code": "removed", "label": "已清退"}))),
        "{status}"
    );
    // Levels, roles and permissions are labelled by the server too (issue 20): every role of
    // the catalog and every permission a role carries has its Chinese name.
    let entries = |name: &str| -> Vec<(String, String)> {
        list.iter()
            .find(|v| v["name"] == name)
            .and_then(|v| v["entries"].as_array())
            .unwrap_or_else(|| panic!("no {name} vocabulary"))
            .iter()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                (text("code"), text("label"))
            })
            .collect()
    };
    assert!(entries("Level").contains(&("village".into(), "村级".into())));
    let role_labels = entries("Role");
    let perm_labels = entries("Permission");
    let roles = app.get("/api/v1/roles", &token).await.body;
    for role in roles.as_array().unwrap_or_else(|| panic!("{roles}")) {
        let name = role["name"].as_str().unwrap_or_default();
        let label = role["label"].as_str().unwrap_or_default();
        assert!(!label.is_empty() && !label.is_ascii(), "{role}");
        assert!(role_labels.contains(&(name.into(), label.into())), "{name}");
        for p in role["permissions"].as_array().into_iter().flatten() {
            let p = p.as_str().unwrap_or_default();
            assert!(
                perm_labels.iter().any(|(c, l)| c == p && !l.is_ascii()),
                "permission {p} has no Chinese label"
            );
        }
    }
    assert!(role_labels.contains(&("village_clerk".into(), "村文书".into())));
}
