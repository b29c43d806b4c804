//! The platform calendar: loaded from the State Council's arrangements, read by everyone,
//! replaced a year at a time by a platform administrator (audited), refused when a date is bad.

use chrono::Datelike as _;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const CSV: &str = include_str!("../../../data/calendar/cn-statutory-holidays.csv");

fn day(date: &str, kind: &str) -> Value {
    json!({"date": date, "kind": kind, "festival": "National Day", "festival_zh": "国庆节"})
}

/// The holidays the law fixes by date in `year`, which every arrangement lists, and `more`.
fn with_law(year: i32, more: &[Value]) -> Vec<Value> {
    let mut days: Vec<Value> = domain::calendar::fixed_holidays(year)
        .into_iter()
        .filter(|(d, _, _)| !more.iter().any(|m| m["date"] == d.to_string()))
        .map(|(d, en, zh)| json!({"date": d, "kind": "holiday", "festival": en, "festival_zh": zh}))
        .collect();
    days.extend(more.iter().cloned());
    days
}

#[actix_web::test]
async fn everyone_reads_the_calendar_the_platform_administrator_keeps_it() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    app.user("cal.clerk", "370831001003", &["village_clerk"]);
    let clerk = app.token("cal.clerk").await;
    let t = app.token(&admin).await;
    let p = app.token("platform.admin").await;

    // The seeded years are exactly the CSV in the repository.
    let r = app.get("/api/v1/calendar/2026", &clerk).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["known"], true);
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{}\"", r.body["version"])),
        "the year's version is its ETag"
    );
    // Its source, shown to county offices as 依据, is in Chinese.
    assert!(
        r.body["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("国务院办公厅")),
        "{:?}",
        r.body["source"]
    );
    let got: Vec<String> = r.body["days"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| {
            format!(
                "{},{},{},{}",
                d["date"].as_str().unwrap_or_default(),
                d["kind"].as_str().unwrap_or_default(),
                d["festival"].as_str().unwrap_or_default(),
                d["festival_zh"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let want: Vec<String> = CSV
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(got, want);
    let r = app.get("/api/v1/calendar/2027", &clerk).await;
    assert_eq!(
        (r.body["known"].as_bool(), r.body["version"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(app.get("/api/v1/calendar/20x7", &clerk).await.status, 422);
    // Years outside the range every year parameter takes (the fuzzer sent 1979).
    assert_eq!(app.get("/api/v1/calendar/1979", &clerk).await.status, 422);

    // A county cannot change it; the platform administrator adds 2027.
    let year = json!({
        "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "days": with_law(2027, &[day("2027-10-09", "workday"), day("2027-10-04", "holiday")]),
    });
    let put = |token: &str, version: Option<&str>, body: Value| {
        let token = token.to_string();
        let version = version.map(|v| format!("\"{v}\""));
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = version
                .as_deref()
                .map(|v| ("If-Match", v))
                .into_iter()
                .collect();
            app.send(
                "PUT",
                "/api/v1/calendar/2027",
                Some(&token),
                Some(&body),
                &headers,
            )
            .await
        }
    };
    assert_eq!(put(&t, Some("0"), year.clone()).await.status, 403);
    // The version read (0 for a year never added) is required, and must be the stored one.
    assert_eq!(put(&p, None, year.clone()).await.status, 428);
    assert_eq!(put(&p, Some("1"), year.clone()).await.status, 412);
    let r = put(&p, Some("0"), year.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    let dates: Vec<&str> = r.body["days"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["date"].as_str())
        .collect();
    assert_eq!(
        dates,
        [
            "2027-01-01",
            "2027-05-01",
            "2027-05-02",
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
            "2027-10-04",
            "2027-10-09"
        ],
        "kept in date order"
    );
    // A second administrator who read the year before that save is told, not overwritten.
    assert_eq!(put(&p, Some("0"), year).await.status, 412);
    let r = app.get("/api/v1/calendar/2027", &clerk).await;
    assert_eq!(
        (
            r.body["known"].as_bool(),
            r.body["version"].as_i64(),
            r.body["days"].as_array().map(Vec::len)
        ),
        (Some(true), Some(1), Some(8))
    );

    // Bad years are refused naming the date, and leave the stored year as it was.
    for (days, field, says) in [
        (
            json!([day("2027-05-01", "holiday"), day("2027-05-01", "holiday")]),
            "days[1].date",
            "2027-05-01 is listed twice",
        ),
        (
            json!([day("2027-05-08", "workday"), day("2027-05-08", "holiday")]),
            "days[1].date",
            "2027-05-08 is listed both as a holiday and as an adjusted working day",
        ),
        (
            json!([day("2028-01-01", "holiday")]),
            "days[0].date",
            "2028-01-01 is not in 2027",
        ),
        (
            json!([day("2027-10-08", "workday")]),
            "days[0].date",
            "2027-10-08 is a Fri",
        ),
        (
            json!([day("2027-10-02", "rest")]),
            "days[0].kind",
            "must be one of",
        ),
    ] {
        let r = put(&p, Some("1"), json!({"source": "x", "days": days})).await;
        assert_eq!(r.status, 422, "{says}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
        let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{message}");
    }
    // Nor can a year be emptied, or lose a holiday the law fixes by date.
    let r = put(&p, Some("1"), json!({"source": "x", "days": []})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(6));
    assert_eq!(r.body["errors"][0]["field"], "days");
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2027-01-01 (New Year's Day)"), "{message}");
    let r = app.get("/api/v1/calendar/2027", &clerk).await;
    assert_eq!(r.body["version"], 1);

    // A correction bumps the version and is audited with before and after.
    let r = put(
        &p,
        Some("1"),
        json!({"source": "更正", "days": with_law(2027, &[])}),
    )
    .await;
    assert_eq!((r.status, r.body["version"].as_i64()), (200, Some(2)));
    let r = app
        .get("/api/v1/audit-events?action=calendar.update", &p)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{items:?}");
    let details = items
        .iter()
        .find(|e| e["details"]["source"] == "更正")
        .map(|e| e["details"].clone())
        .unwrap_or_default();
    assert_eq!(
        details["before"].as_array().map(Vec::len),
        Some(8),
        "{details}"
    );
    assert_eq!(details["after"].as_array().map(Vec::len), Some(6));
    assert_eq!(details["after"][5], "2027-10-03 holiday");
}

#[test]
fn only_a_platform_scope_writes_the_calendar_even_past_the_use_case() {
    use diesel::{Connection as _, RunQueryDsl as _};
    let db = crate::helpers::TestDb::new();
    let mut c = db.app_conn();
    let insert = "INSERT INTO calendar_days (date, kind, festival, festival_zh) \
                  VALUES ('2030-10-01', 'holiday', 'National Day', '国庆节')";
    for (lo, hi, allowed) in [
        ("370831000000", "370831999999", false),
        ("", "", false),
        ("0", "999999999999", true),
    ] {
        let r = c.transaction(|c| {
            diesel::sql_query(format!(
                "SELECT set_config('app.scope_lo', '{lo}', true), set_config('app.scope_hi', '{hi}', true)"
            ))
            .execute(c)?;
            diesel::sql_query(insert).execute(c)?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        let refused = matches!(r, Err(diesel::result::Error::DatabaseError(..)));
        assert_eq!(!refused, allowed, "scope {lo}..{hi}: {r:?}");
    }
}

/// A year the platform holds no arrangement for: platform administrators are asked to add it
/// in their inbox (no one else is), and its statutory holidays still rest.
#[actix_web::test]
async fn a_missing_year_is_asked_for_in_the_platform_administrators_inbox() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let p = app.token("platform.admin").await;
    let t = app.token(&admin).await;
    // The current year (Beijing time) taken away, as on a platform nobody kept.
    let this_year = (chrono::Utc::now() + chrono::Duration::hours(8)).year();
    let removed = app.db.as_owner("000000000000", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(format!(
            "DELETE FROM calendar_days WHERE date BETWEEN '{this_year}-01-01' AND '{this_year}-12-31'"
        ))
        .execute(c)?;
        diesel::sql_query(format!("DELETE FROM calendar_years WHERE year = {this_year}")).execute(c)
    });
    assert_eq!(removed, 1);
    let asked = |token: String| {
        let app = &app;
        async move {
            let r = app.get("/api/v1/me/tasks?kind=calendar_year", &token).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| {
                    (
                        i["part"].as_str().unwrap_or_default().to_owned(),
                        i["action_link"].as_str().unwrap_or_default().to_owned(),
                        i["since"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let items = asked(p.clone()).await;
    assert!(
        items.contains(&(
            this_year.to_string(),
            format!("/api/v1/calendar/{this_year}"),
            format!("{}-11-01", this_year - 1),
        )),
        "{items:?}"
    );
    assert_eq!(
        asked(t).await,
        Vec::new(),
        "a county administrator adds no year"
    );
    // Added: the task goes.
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/calendar/{this_year}"),
            Some(&p),
            Some(&json!({
                "source": "国务院办公厅通知",
                "days": with_law(this_year, &[]),
            })),
            &[("If-Match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        !asked(p)
            .await
            .iter()
            .any(|(y, _, _)| *y == this_year.to_string()),
        "the year added is still asked for"
    );
}
