//! Attachments of exit steps (issue 23, item 8): `javascript:` links and markup in titles were
//! accepted and shown to every later reader. Only `https:` links and this system's own
//! documents, and plain-text titles.

use serde_json::json;

use crate::exit::{V1, nomination, registered, setup};

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
