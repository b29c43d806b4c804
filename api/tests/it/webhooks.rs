//! Webhooks: events written with the change (outbox), signed, delivered at least once with
//! retries to a receiver on loopback (also while it is down), listed with their status, and kept
//! inside the county; CORS origins per county.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

use crate::exit::{V1, nomination, registered, setup, votes};
use crate::helpers::{TestApp, eventually};

/// What a receiver got: headers of interest and the body.
#[derive(Debug, Clone)]
struct Got {
    event: String,
    event_id: String,
    signature: String,
    body: Vec<u8>,
}

type Inbox = Arc<Mutex<Vec<Got>>>;

/// A receiver on `listener` answering 200 and keeping what it got.
fn receiver(listener: TcpListener) -> Inbox {
    let inbox: Inbox = Arc::new(Mutex::new(Vec::new()));
    let kept = inbox.clone();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let kept = kept.clone();
            async move {
                let h = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                if let Ok(mut k) = kept.lock() {
                    k.push(Got {
                        event: h("zhenxing-event"),
                        event_id: h("zhenxing-event-id"),
                        signature: h("zhenxing-signature"),
                        body: body.to_vec(),
                    });
                }
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap_or_else(|e| panic!("{e}"))
    .run();
    actix_web::rt::spawn(server);
    inbox
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Checks the signature as a receiver would, with its own HMAC.
fn verify(secret: &str, got: &Got) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in got.signature.split(',') {
        if let Some(x) = part.strip_prefix("t=") {
            t = x;
        } else if let Some(x) = part.strip_prefix("v1=") {
            v1 = x;
        }
    }
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.").as_bytes());
    mac.update(&got.body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    !t.is_empty() && want == v1
}

fn kinds(inbox: &Inbox) -> Vec<String> {
    inbox
        .lock()
        .map(|k| k.iter().map(|g| g.event.clone()).collect())
        .unwrap_or_default()
}

/// An endpoint's deliveries with `status`, as its administrator lists them.
async fn listed(app: &TestApp, admin: &str, endpoint: &str, status: &str) -> Vec<Value> {
    app.get(
        &format!("/api/v1/webhooks/{endpoint}/deliveries?status={status}"),
        admin,
    )
    .await
    .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A county administrator who may also read what the events tell (`tenant_admin` and `auditor`
/// at Sishui): subscribing needs both.
async fn reading_admin(app: &mut TestApp) -> String {
    app.user("hooks.370831", "370831", &["tenant_admin", "auditor"]);
    app.token("hooks.370831").await
}

/// The endpoint's failed deliveries once there are any (up to ten seconds), as `admin` lists
/// them.
async fn failed_soon(app: &TestApp, admin: &str, endpoint: &str) -> Vec<Value> {
    for _ in 0..200 {
        let failed = listed(app, admin, endpoint, "failed").await;
        if !failed.is_empty() {
            return failed;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    Vec::new()
}

async fn register(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhooks",
            admin,
            json!({"url": url, "events": events, "description": "县数据中心"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (
        r.body["id"].as_str().unwrap_or_default().to_string(),
        r.body["secret"].as_str().unwrap_or_default().to_string(),
    )
}

const ALL: [&str; 6] = [
    "household.created",
    "household.changed",
    "workflow.step_taken",
    "exit.notice_ended",
    "monitoring.lead_raised",
    "funds.disbursement_made",
];

#[actix_web::test]
async fn domain_events_are_signed_delivered_and_listed() {
    let mut x = setup().await;
    x.app.user("funds", "370831", &["fund_officer"]);
    let officer = x.app.token("funds").await;
    let admin = reading_admin(&mut x.app).await;
    let app = &x.app;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/hooks",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let inbox = receiver(listener);
    let (endpoint, secret) = register(app, &admin, &url, &ALL).await;
    assert!(secret.starts_with("whsec_"));
    // The secret is shown once.
    let r = app
        .get(&format!("/api/v1/webhooks/{endpoint}"), &admin)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("secret").is_none(), "{:?}", r.body);

    // A refused change raises nothing; a registration raises household.created, its yearly
    // record household.changed.
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            json!({"household_number": "", "village_code": V1}),
        )
        .await;
    assert_eq!(r.status, 422);
    let h = registered(app, &x.clerk, "W1", V1, 41, (2, 400_000, true)).await;
    eventually("two household events", 20, || kinds(&inbox).len() >= 2).await;
    // Claimed together, they are sent at once: either may arrive first.
    let mut first_two = kinds(&inbox)[..2].to_vec();
    first_two.sort();
    assert_eq!(
        first_two,
        [
            "household.changed".to_string(),
            "household.created".to_string()
        ]
    );
    let first = inbox
        .lock()
        .ok()
        .and_then(|k| k.iter().find(|g| g.event == "household.created").cloned())
        .unwrap_or_else(|| panic!("no household.created"));
    assert!(verify(&secret, &first), "signature: {}", first.signature);
    assert!(!verify("whsec_wrong", &first));
    let body: Value = serde_json::from_slice(&first.body).unwrap_or_default();
    assert_eq!(body["type"], "household.created");
    assert_eq!(body["id"], first.event_id.as_str());
    assert_eq!(body["county"], "370831");
    assert_eq!(body["data"]["household_id"], h.as_str());
    assert_eq!(body["data"]["household_number"], "W1");
    // Names and ID numbers stay behind the API.
    let text = String::from_utf8_lossy(&first.body);
    assert!(!text.contains("370831198"), "{text}");

    // Workflow steps, and a notice period ending with time.
    let r = app
        .post("/api/v1/exit-lists", &x.clerk, nomination(V1, &[&h]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    for (step, body) in [
        ("appraisal", votes(&[(&h, 28)])),
        (
            "verification",
            json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
        ),
        ("first-notice", json!({"location": "村委会公示栏"})),
    ] {
        let r = app
            .post(
                &format!("/api/v1/exit-lists/{list}/{step}"),
                &x.clerk,
                crate::exit::dated(app, body),
            )
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    eventually("the workflow steps", 20, || {
        kinds(&inbox)
            .iter()
            .filter(|k| *k == "workflow.step_taken")
            .count()
            >= 4
    })
    .await;
    assert!(!kinds(&inbox).contains(&"exit.notice_ended".to_string()));
    crate::exit::to_notice_end(app, &x.clerk, &list, chrono::Duration::seconds(1)).await;
    eventually("the notice to end", 20, || {
        kinds(&inbox).contains(&"exit.notice_ended".to_string())
    })
    .await;

    // A monitoring lead, and a disbursement.
    let today = infra::clock::china_date(app.state.clock.now()).to_string();
    let r = app
        .post(
            "/api/v1/monitoring-leads",
            &x.clerk,
            json!({"household_id": h, "rule": "disaster", "occurred_on": today, "description": "房屋倒塌"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let project = crate::funds::allocated_project(app, &officer, V1).await;
    let r = crate::funds::disburse(app, &officer, &project, 1_000_000).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    eventually("every kind of event", 20, || {
        let k = kinds(&inbox);
        ALL.iter().all(|a| k.iter().any(|g| g == a))
    })
    .await;
    // Every delivery verifies, and each event came once.
    let got = inbox.lock().map(|k| k.clone()).unwrap_or_default();
    assert!(got.iter().all(|g| verify(&secret, g)));
    let mut ids: Vec<&str> = got.iter().map(|g| g.event_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), got.len());

    // The deliveries, listed with their status. A delivery is marked delivered once the
    // receiver's answer is back, a moment after the receiver has the event: wait for the last.
    let mut items = Vec::new();
    for _ in 0..100 {
        let r = app
            .get(
                &format!("/api/v1/webhooks/{endpoint}/deliveries?status=delivered&limit=200"),
                &admin,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        items = r.body["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= got.len() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(items.len(), got.len());
    assert!(
        items
            .iter()
            .all(|d| d["attempts"] == 1 && d["last_status"] == 200)
    );
    let r = app
        .get(
            &format!("/api/v1/webhooks/{endpoint}/deliveries?status=lost"),
            &admin,
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "status");

    // Another county sees none of it, by any route.
    let stranger_admin = x.app.token("admin.370830").await;
    let app = &x.app;
    for path in [
        format!("/api/v1/webhooks/{endpoint}"),
        format!("/api/v1/webhooks/{endpoint}/deliveries"),
    ] {
        assert_eq!(app.get(&path, &stranger_admin).await.status, 404, "{path}");
    }
    let r = app.get("/api/v1/webhooks", &stranger_admin).await;
    assert_eq!(r.body, json!([]));
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/webhooks/{endpoint}"),
            Some(&stranger_admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    // A clerk cannot manage webhooks.
    assert_eq!(app.get("/api/v1/webhooks", &x.clerk).await.status, 403);
}

#[actix_web::test]
async fn a_receiver_that_is_down_gets_its_events_later_and_failures_can_be_resent() {
    let mut app = TestApp::spawn_with(|c| c.work.webhook_max_attempts = 3, None).await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = reading_admin(&mut app).await;
    let clerk = app.token("clerk").await;
    // Nothing listens on this port yet.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let (endpoint, secret) = register(&app, &admin, &url, &["household.created"]).await;
    registered(&app, &clerk, "D1", V1, 51, (1, 400_000, true)).await;
    let deliveries = |status: &'static str| listed(&app, &admin, &endpoint, status);
    // Retried with backoff (200 ms, 400 ms, …) until the attempts run out.
    let failed = failed_soon(&app, &admin, &endpoint).await;
    assert_eq!(failed.len(), 1, "the delivery should fail after 3 attempts");
    assert_eq!(failed[0]["attempts"], 3);
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("could not reach")
    );
    // A second event while the receiver is down stays pending between its attempts.
    registered(&app, &clerk, "D2", V1, 52, (1, 400_000, true)).await;
    // The endpoint is paused: the receiver comes up, but neither the pending event nor the
    // failed one resent reaches it while paused (both went on being sent), and the pending one
    // keeps its attempts.
    let pause = |active: bool| {
        let (app, admin, endpoint) = (&app, admin.clone(), endpoint.clone());
        async move {
            app.send(
                "PATCH",
                &format!("/api/v1/webhooks/{endpoint}"),
                Some(&admin),
                Some(&json!({"active": active})),
                &[],
            )
            .await
        }
    };
    assert_eq!(pause(false).await.status, 200);
    let inbox = receiver(TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}")));
    let id = failed[0]["id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v1/webhooks/{endpoint}/deliveries/{id}/retry"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert!(kinds(&inbox).is_empty(), "delivered while paused");
    assert_eq!(deliveries("pending").await.len(), 2);
    // Resumed: the pending event arrives by itself, the failed one as resent.
    assert_eq!(pause(true).await.status, 200);
    eventually("both events", 20, || kinds(&inbox).len() >= 2).await;
    let got = inbox.lock().map(|k| k.clone()).unwrap_or_default();
    assert!(got.iter().all(|g| verify(&secret, &g.clone())));
    let numbers: Vec<String> = got
        .iter()
        .map(|g| {
            serde_json::from_slice::<Value>(&g.body).unwrap_or_default()["data"]["household_number"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        numbers.contains(&"D1".into()) && numbers.contains(&"D2".into()),
        "{numbers:?}"
    );
    let mut delivered = Vec::new();
    for _ in 0..100 {
        delivered = deliveries("delivered").await;
        if delivered.len() == 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered.len(), 2);
    // Resending a delivered one is refused.
    let id = delivered[0]["id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v1/webhooks/{endpoint}/deliveries/{id}/retry"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("not_failed"))
    );
    // Metrics show the backlog and the attempts.
    let m = app
        .send(
            "GET",
            "/metrics",
            Some(crate::helpers::METRICS_TOKEN),
            None,
            &[],
        )
        .await;
    let text = m.body.as_str().unwrap_or_default().to_string();
    assert!(text.contains("zx_webhook_deliveries_pending 0"), "{text}");
    assert!(
        text.contains("zx_work_total{event=\"delivery_failed\"}"),
        "{text}"
    );
}

#[actix_web::test]
async fn a_kind_dropped_from_the_subscription_is_not_sent_later() {
    let mut app = TestApp::spawn_with(|c| c.work.webhook_max_attempts = 50, None).await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = reading_admin(&mut app).await;
    let clerk = app.token("clerk").await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let (endpoint, _) = register(&app, &admin, &url, &["household.created"]).await;
    let patch = |body: Value| {
        let (app, admin, endpoint) = (&app, admin.clone(), endpoint.clone());
        async move {
            app.send(
                "PATCH",
                &format!("/api/v1/webhooks/{endpoint}"),
                Some(&admin),
                Some(&body),
                &[],
            )
            .await
        }
    };
    // The receiver is down: the household's delivery waits between its attempts.
    registered(&app, &clerk, "U1", V1, 53, (1, 400_000, true)).await;
    let deliveries = |status: &'static str| listed(&app, &admin, &endpoint, status);
    let mut tried = false;
    for _ in 0..100 {
        let pending = deliveries("pending").await;
        if pending.len() == 1 && pending[0]["attempts"].as_i64() >= Some(1) {
            tried = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(tried, "the delivery should wait after a failed attempt");
    // The kind is dropped: the waiting household.created is not sent when the receiver comes
    // up (it was, with its retries).
    let r = patch(json!({"events": ["exit.notice_ended"]})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let inbox = receiver(TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}")));
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        kinds(&inbox).is_empty(),
        "an unsubscribed kind was delivered"
    );
    assert!(deliveries("pending").await.is_empty());
    let failed = deliveries("failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("no longer subscribes to household.created"),
        "{failed:?}"
    );
    let id = failed[0]["id"].as_str().unwrap_or_default().to_string();
    // One the endpoint's change could not see (emitted by a transaction that read the old
    // subscription) is ended by the claim, not left waiting.
    app.db.as_owner("370831", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(format!(
            "UPDATE webhook_deliveries SET status = 'pending', last_error = NULL, lease_until = NULL WHERE id = '{id}'"
        ))
        .execute(c)
    });
    let mut ended = Vec::new();
    for _ in 0..100 {
        ended = deliveries("failed").await;
        if ended.len() == 1 && !ended[0]["last_error"].is_null() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert!(
        ended[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("no longer subscribes"),
        "{ended:?}"
    );
    assert!(
        kinds(&inbox).is_empty(),
        "an unsubscribed kind was delivered"
    );
    // Resending it is refused while the kind is not subscribed, and sent once it is again.
    let retry = || {
        let (app, admin, endpoint, id) = (&app, admin.clone(), endpoint.clone(), id.clone());
        async move {
            app.post(
                &format!("/api/v1/webhooks/{endpoint}/deliveries/{id}/retry"),
                &admin,
                json!({}),
            )
            .await
        }
    };
    let r = retry().await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("unsubscribed")),
        "{:?}",
        r.body
    );
    let r = patch(json!({"events": ["exit.notice_ended", "household.created"]})).await;
    assert_eq!(r.status, 200);
    assert_eq!(retry().await.status, 202);
    eventually("the resent event", 20, || kinds(&inbox).len() == 1).await;
    assert_eq!(kinds(&inbox), vec!["household.created".to_string()]);
}

#[actix_web::test]
async fn endpoints_must_be_https_and_outside_by_default() {
    let mut app = TestApp::spawn_with(
        |c| c.webhook_urls = infra::app::webhooks::UrlPolicy::default(),
        None,
    )
    .await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = reading_admin(&mut app).await;
    for (body, field) in [
        (
            json!({"url": "http://hooks.example.cn/x", "events": ["household.created"]}),
            "url",
        ),
        (
            json!({"url": "https://169.254.169.254/latest", "events": ["household.created"]}),
            "url",
        ),
        (
            json!({"url": "https://hooks.example.cn/x", "events": ["household.eaten"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://hooks.example.cn/x", "events": []}),
            "events",
        ),
    ] {
        let r = app.post("/api/v1/webhooks", &admin, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
    }
    // The same refusal in Chinese: codes, fields and rules stay, words change.
    let bad = json!({
        "url": "http://hooks.example.cn/x",
        "events": [],
        "description": "长".repeat(501),
    });
    let r = app
        .send(
            "POST",
            "/api/v1/webhooks",
            Some(&admin),
            Some(&bad),
            &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-language").as_deref(), Some("zh-CN"));
    assert_eq!(r.body["code"], "validation_failed");
    assert_eq!(r.body["title"], "输入有误");
    assert_eq!(r.body["errors"][0]["field"], "url");
    assert_eq!(r.body["errors"][0]["message"], "必须使用 https");
    assert_eq!(r.body["errors"][1]["field"], "events");
    assert_eq!(r.body["errors"][1]["message"], "至少选择一种事件");
    // A typed rule carries its name and parameters, and its Chinese is rendered from them.
    assert_eq!(r.body["errors"][2]["field"], "description");
    assert_eq!(r.body["errors"][2]["rule"], "too_long");
    assert_eq!(r.body["errors"][2]["max"], 500);
    assert_eq!(r.body["errors"][2]["message"], "最多 500 个字符");
    assert_eq!(r.body["errors"][0]["rule"], "other");
    assert_eq!(r.body["errors_total"], 3);
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("url:必须使用 https;"), "{detail}");
    // Nothing English is left but the field names and the scheme.
    let words = ["description", "events", "https", "url"]
        .iter()
        .fold(detail.to_string(), |d, w| d.replace(w, ""));
    assert!(!words.chars().any(|c| c.is_ascii_alphabetic()), "{detail}");
    let r = app.post("/api/v1/webhooks", &admin, bad).await;
    assert_eq!(r.header("content-language").as_deref(), Some("en"));
    assert_eq!(r.body["title"], "Validation failed");
    assert_eq!(r.body["errors"][0]["message"], "must use https");
    assert_eq!(r.body["errors"][2]["rule"], "too_long");
    assert_eq!(r.body["errors"][2]["max"], 500);
    assert_eq!(
        r.body["errors"][2]["message"],
        "must have at most 500 characters"
    );
    assert_eq!(
        r.body["detail"],
        "url: must use https; events: must name at least one event; \
         description: must have at most 500 characters"
    );
    let r = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": "https://hooks.example.cn/x", "events": ["household.created"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.get("/api/v1/webhook-events", &admin).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(6));
}

#[actix_web::test]
async fn cors_origins_are_per_county_and_none_by_default() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = app.token("admin.370831").await;
    let clerk = app.token("clerk").await;
    let other = app.token("admin.370830").await;
    let origin = "https://app.sishui.example.cn";
    let preflight = |app: &TestApp| {
        let client = awc::Client::default();
        let url = format!("{}/api/v1/me", app.addr);
        async move {
            client
                .request(actix_web::http::Method::OPTIONS, url)
                .insert_header(("origin", origin))
                .insert_header(("access-control-request-method", "GET"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // None by default.
    let r = preflight(&app).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = app
        .get_with("/api/v1/me", &clerk, &[("origin", origin)])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-allow-origin").is_none());
    // Sishui lists its front end.
    let r = app
        .send(
            "PUT",
            "/api/v1/cors-origins",
            Some(&admin),
            Some(&json!({"origins": [origin, "ftp://x"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "origins[1]");
    let r = app
        .send(
            "PUT",
            "/api/v1/cors-origins",
            Some(&admin),
            Some(&json!({"origins": [origin]})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = preflight(&app).await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        r.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(origin)
    );
    let r = app
        .get_with("/api/v1/me", &clerk, &[("origin", origin)])
        .await;
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(origin)
    );
    // Wenshang's users get no CORS from Sishui's origin, and do not see Sishui's list.
    let r = app
        .get_with("/api/v1/me", &other, &[("origin", origin)])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-allow-origin").is_none());
    let r = app.get("/api/v1/cors-origins", &other).await;
    assert_eq!(r.body, json!({"origins": []}));
    let r = app.get("/api/v1/cors-origins", &clerk).await;
    assert_eq!(r.status, 403);
}

/// Issue 23, item 7: decimal, hex, octal and shortened IPv4 forms, `0`, 198.18.0.0/15, NAT64,
/// 6to4, IPv4-mapped IPv6 and zone ids were accepted, and 198.18.0.1 was delivered to. Hosts are
/// normalised and checked against the special-purpose registries at registration and again at
/// delivery, where every refusal reads the same.
#[actix_web::test]
async fn webhook_hosts_are_normalised_and_special_ranges_refused() {
    let mut app = TestApp::spawn_with(
        |c| {
            c.webhook_urls = infra::app::webhooks::UrlPolicy {
                allow_plain: true,
                allow_internal: false,
            };
            c.work.webhook_max_attempts = 1;
        },
        None,
    )
    .await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = reading_admin(&mut app).await;
    let clerk = app.token("clerk").await;
    for url in [
        "https://2130706433/x",
        "https://0x7f.1/x",
        "https://0177.0.0.1/x",
        "https://127.1/x",
        "https://0/x",
        "https://198.18.0.1/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[::ffff:a9fe:a9fe]/latest",
        "https://[64:ff9b::a9fe:a9fe]/x",
        "https://[2002:a9fe:a9fe::1]/x",
        "https://[fe80::1%25eth0]/x",
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                &admin,
                json!({"url": url, "events": ["household.created"]}),
            )
            .await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "url", "{url}");
    }
    // Endpoints whose address became internal after registration (a name that now resolves
    // inside, a row from before this rule): refused at delivery, all with one message, and the
    // receiver listening on loopback gets nothing.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let inbox = receiver(listener);
    let targets = [
        format!("http://127.0.0.1:{port}/a"),
        format!("http://2130706433:{port}/b"),
        format!("http://[::ffff:7f00:1]:{port}/c"),
        "http://198.18.0.1/d".to_string(),
    ];
    let mut endpoints = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let (id, _) = register(
            &app,
            &admin,
            &format!("https://hooks{i}.example.cn/x"),
            &["household.created"],
        )
        .await;
        let target = target.clone();
        let uuid = uuid::Uuid::parse_str(&id).unwrap_or_else(|e| panic!("{e}"));
        app.db.as_owner("370831", |c| {
            use diesel::prelude::*;
            diesel::sql_query("UPDATE webhook_endpoints SET url = $1 WHERE id = $2")
                .bind::<diesel::sql_types::Text, _>(target)
                .bind::<diesel::sql_types::Uuid, _>(uuid)
                .execute(c)
        });
        endpoints.push(id);
    }
    registered(&app, &clerk, "N1", V1, 61, (1, 400_000, true)).await;
    for endpoint in &endpoints {
        let mut failed = Vec::new();
        for _ in 0..300 {
            failed = app
                .get(
                    &format!("/api/v1/webhooks/{endpoint}/deliveries?status=failed"),
                    &admin,
                )
                .await
                .body["items"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !failed.is_empty() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(failed.len(), 1, "{endpoint}");
        assert_eq!(
            failed[0]["last_error"], "could not reach the receiver",
            "{failed:?}"
        );
    }
    assert!(kinds(&inbox).is_empty(), "{:?}", kinds(&inbox));
}

/// IPv6 literal URLs failed with "invalid port value" at delivery.
#[actix_web::test]
async fn ipv6_literal_receivers_are_delivered_to() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let admin = reading_admin(&mut app).await;
    let clerk = app.token("clerk").await;
    let listener = TcpListener::bind("[::1]:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let inbox = receiver(listener);
    register(
        &app,
        &admin,
        &format!("http://[::1]:{port}/hooks"),
        &["household.created"],
    )
    .await;
    registered(&app, &clerk, "V6", V1, 62, (1, 400_000, true)).await;
    eventually("the delivery over IPv6", 15, || {
        kinds(&inbox) == ["household.created"]
    })
    .await;
}

/// A webhook tells what reading its object does: subscribing needs the read permission of each
/// kind at the county, and deliveries follow the owner's permissions (security.md §17).
#[actix_web::test]
async fn deliveries_follow_what_their_owner_may_read() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let clerk = app.token("clerk").await;
    let bare = app.token("admin.370831").await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    // The administrator's role alone reads no household, workflow or fund: nothing is stored.
    let r = app
        .post(
            "/api/v1/webhooks",
            &bare,
            json!({"url": url, "events": ["household.created", "funds.disbursement_made"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["events[0]", "events[1]"], "{:?}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cases:read")),
        "{:?}",
        r.body
    );
    assert_eq!(
        app.get("/api/v1/webhooks", &bare).await.body,
        json!([]),
        "a refused endpoint was stored"
    );
    // One who reads them subscribes and owns the endpoint.
    let owner = app.user("hooks.370831", "370831", &["tenant_admin", "auditor"]);
    let heir = app.user("hooks.two", "370831", &["tenant_admin", "auditor"]);
    let admin = app.token("hooks.370831").await;
    let r = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": url, "events": ["household.created"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["owned_by"], json!(owner));
    let endpoint = r.body["id"].as_str().unwrap_or_default().to_string();
    let inbox = receiver(TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}")));
    registered(&app, &clerk, "O1", V1, 61, (1, 400_000, true)).await;
    eventually("the owner's first event", 20, || kinds(&inbox).len() == 1).await;
    // The owner's reading role is revoked: the next event is not sent, and says why.
    let p = app.token("platform.admin").await;
    let roles = app.get(&format!("/api/v1/users/{owner}/roles"), &p).await;
    let auditor = roles
        .body
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["role"] == "auditor")
        .and_then(|g| g["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let r = app.revoke(&p, owner, &auditor).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    registered(&app, &clerk, "O2", V1, 62, (1, 400_000, true)).await;
    let failed = failed_soon(&app, &bare, &endpoint).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("owner no longer reads household.created"),
        "{failed:?}"
    );
    assert_eq!(
        kinds(&inbox).len(),
        1,
        "sent after its owner lost the right to read it"
    );
    // Pausing needs no right to read (nor takes the endpoint over); resuming does.
    let patch = |token: String, body: Value| {
        let (app, endpoint) = (&app, endpoint.clone());
        async move {
            app.send(
                "PATCH",
                &format!("/api/v1/webhooks/{endpoint}"),
                Some(&token),
                Some(&body),
                &[],
            )
            .await
        }
    };
    let r = patch(bare.clone(), json!({"active": false})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["owned_by"], json!(owner));
    let r = patch(bare.clone(), json!({"active": true})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "events");
    // Another administrator who reads households takes it over; the failed event is resent.
    let second = app.token("hooks.two").await;
    let r = patch(second.clone(), json!({"active": true})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["owned_by"], json!(heir));
    let id = failed[0]["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .post(
            &format!("/api/v1/webhooks/{endpoint}/deliveries/{id}/retry"),
            &second,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    eventually("the resent event", 20, || kinds(&inbox).len() == 2).await;
    // The claim's table of kinds and permissions is the server's.
    let mut c = app.db.app_conn();
    for kind in domain::webhooks::EventKind::ALL {
        #[derive(diesel::QueryableByName)]
        struct Reads {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            reads: Option<String>,
        }
        let got: Reads = diesel::RunQueryDsl::get_result(
            diesel::sql_query("SELECT zx_event_reads($1) AS reads")
                .bind::<diesel::sql_types::Text, _>(kind.as_str()),
            &mut c,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got.reads.as_deref(),
            Some(kind.reads()),
            "{}",
            kind.as_str()
        );
    }
}

/// Endpoints registered before they had owners: the migration gives each its creator (run as
/// migrations run, the owner role under row-level security), and until then one without an
/// owner sends nothing and says why.
#[actix_web::test]
async fn endpoints_from_before_owners_get_their_creator_and_an_ownerless_one_says_so() {
    use diesel::{Connection as _, RunQueryDsl as _};
    use secrecy::ExposeSecret as _;
    const BACKFILL: &str =
        include_str!("../../../migrations/2026-12-19-200000_webhook_owner_backfill/up.sql");
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("clerk", V1, &["village_clerk"]);
    let clerk = app.token("clerk").await;
    let admin = reading_admin(&mut app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let (endpoint, _) = register(&app, &admin, &url, &["household.created"]).await;
    let path = format!("/api/v1/webhooks/{endpoint}");
    let owner = app.get(&path, &admin).await.body["owned_by"].clone();
    assert!(owner.is_string(), "{owner:?}");
    let cleared = app.db.as_owner("370831", |c| {
        diesel::sql_query("UPDATE webhook_endpoints SET owned_by = NULL").execute(c)
    });
    assert_eq!(cleared, 1);
    registered(&app, &clerk, "N1", V1, 71, (1, 400_000, true)).await;
    let failed = failed_soon(&app, &admin, &endpoint).await;
    assert!(
        failed.first().is_some_and(|f| f["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("has no owner")),
        "{failed:?}"
    );
    let mut c = diesel::PgConnection::establish(app.db.owner_url().expose_secret())
        .unwrap_or_else(|e| panic!("{e}"));
    c.transaction(|c| diesel::connection::SimpleConnection::batch_execute(c, BACKFILL))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.get(&path, &admin).await.body["owned_by"], owner);
}
