//! Exit of households through the HTTP API: criteria, every step of the procedure by its own
//! level, notice periods on a controllable clock, objections, documents, targets and progress.

use chrono::Duration;
use serde_json::{Value, json};

use crate::cases::{household, id_number};
use crate::helpers::{Resp, TestApp};

/// Moves the clock to the end of the list's running notice period, plus `after` (negative:
/// before it ends). The end is 24:00 Beijing time of the period's last day on the working
/// calendar, so how far that is depends on the day the test runs.
pub async fn to_notice_end(app: &TestApp, token: &str, list: &str, after: Duration) {
    let r = app.get(&format!("/api/v1/exit-lists/{list}"), token).await;
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{}\"", r.body["version"])),
        "the list's version is its ETag"
    );
    let end: chrono::DateTime<chrono::Utc> = r.body["notice_ends_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no notice running: {:?}", r.body));
    let by = end - app.state.clock.now() + after;
    if by > Duration::zero() {
        app.state.clock.advance(by);
    }
}

/// Village 卞桥二村 and its sibling 卞桥三村 in township 卞桥镇 of Sishui.
pub const V1: &str = "370831101201";
pub const V2: &str = "370831101202";
pub const TOWNSHIP: &str = "370831101";

/// 2016's default poverty line: 2,952 yuan.
pub const LINE_2016: i64 = 295_200;

pub struct Exit {
    pub app: TestApp,
    pub clerk: String,
    pub clerk2: String,
    pub reviewer: String,
    pub other_reviewer: String,
    pub approver: String,
    pub city: String,
    pub stranger: String,
}

pub async fn setup() -> Exit {
    setup_with(|_| {}).await
}

/// [`setup`] with changes to the server's configuration.
pub async fn setup_with(change: impl FnOnce(&mut api::config::Config)) -> Exit {
    let mut app = TestApp::spawn_with(change, None).await;
    app.onboard("370831");
    app.onboard("370830");
    app.user("clerk", V1, &["village_clerk"]);
    app.user("clerk2", V2, &["village_clerk"]);
    app.user("reviewer", TOWNSHIP, &["township_reviewer"]);
    app.user("reviewer.other", "370831001", &["township_reviewer"]);
    app.user("approver", "370831", &["county_approver"]);
    app.user("observer.city", "3708", &["observer"]);
    app.user("approver.wenshang", "370830", &["county_approver"]);
    Exit {
        clerk: app.token("clerk").await,
        clerk2: app.token("clerk2").await,
        reviewer: app.token("reviewer").await,
        other_reviewer: app.token("reviewer.other").await,
        approver: app.token("approver").await,
        city: app.token("observer.city").await,
        stranger: app.token("approver.wenshang").await,
        app,
    }
}

/// Registers a household of `people` members in `village` with the same record for 2015 and
/// 2016.
pub async fn registered(
    app: &TestApp,
    token: &str,
    number: &str,
    village: &str,
    seq: u32,
    (people, income_fen, safe_housing): (u32, i64, bool),
) -> String {
    let id = unrecorded(app, token, number, village, seq, people).await;
    // "Stably above the line" looks at the exit year and the one before
    // (`exit.stable_income_years`, 2): the same record for both.
    for year in [2015, 2016] {
        put_year(app, token, &id, year, income_fen, safe_housing).await;
    }
    id
}

/// Registers a household of `people` members in `village` without any yearly record.
pub async fn unrecorded(
    app: &TestApp,
    token: &str,
    number: &str,
    village: &str,
    seq: u32,
    people: u32,
) -> String {
    let ids: Vec<String> = (0..people)
        .map(|i| id_number("370831", seq * 10 + i))
        .collect();
    let r = app
        .post(
            "/api/v1/households",
            token,
            household(number, village, &ids),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

/// Records the household's `year`: the income and safe housing given, every other indicator met.
pub async fn put_year(
    app: &TestApp,
    token: &str,
    id: &str,
    year: i32,
    income_fen: i64,
    safe_housing: bool,
) {
    let record = json!({"income_per_capita_fen": income_fen, "enough_food": true, "enough_clothing": true,
        "compulsory_education": true, "basic_medical": true, "safe_housing": safe_housing,
        "safe_drinking_water": true});
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/households/{id}/years/{year}"),
            Some(token),
            Some(&record),
            &[],
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

pub fn nomination(village: &str, households: &[&str]) -> Value {
    json!({
        "village_code": village, "year": 2016, "villager_group": "第三村民小组",
        "nominated_on": "2016-10-20", "households": households,
        "attachments": [{"title": "退出申请书", "uri": "https://archive.sishui.example/2016/exit/001.pdf"}]
    })
}

pub fn votes(ids: &[(&str, i32)]) -> Value {
    let v: Vec<Value> = ids
        .iter()
        .map(|(id, f)| json!({"household_id": id, "for": f, "against": 30 - f - 1, "abstain": 1}))
        .collect();
    json!({"held_on": "today", "attendees": 30, "minutes": "会议讨论了退出名单", "votes": v})
}

pub fn step_path(list: &str, step: &str) -> String {
    format!("/api/v1/exit-lists/{list}/{step}")
}

async fn take(app: &TestApp, token: &str, list: &str, step: &str, body: Value) -> Resp {
    app.post(&step_path(list, step), token, dated(app, body))
        .await
}

/// The body with each top-level `"today"` replaced by the date on the server's (test) clock:
/// steps are dated, and a date may not lie in the future nor too far back.
pub fn dated(app: &TestApp, mut body: Value) -> Value {
    let today = infra::clock::china_date(app.state.clock.now()).to_string();
    if let Some(o) = body.as_object_mut() {
        for v in o.values_mut() {
            if v == "today" {
                *v = Value::String(today.clone());
            }
        }
    }
    body
}

fn notice() -> Value {
    json!({"location": "村委会公示栏"})
}

fn review() -> Value {
    json!({"opinion": "同意", "decision_no": "泗扶发〔2016〕12号"})
}

pub fn code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or_default()
}

/// A list of three households nominated, appraised (the third fails the vote) and verified.
async fn verified_list(x: &Exit) -> (String, [String; 3]) {
    let app = &x.app;
    let a = registered(app, &x.clerk, "E1", V1, 1, (3, 400_000, true)).await;
    let b = registered(app, &x.clerk, "E2", V1, 2, (2, 300_000, true)).await;
    let c = registered(app, &x.clerk, "E3", V1, 3, (4, 310_000, true)).await;
    let r = app
        .post(
            "/api/v1/exit-lists",
            &x.clerk,
            nomination(V1, &[&a, &b, &c]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["stage"], "nominated");
    assert_eq!(r.body["next_step"], "appraisal");
    assert_eq!(r.body["people"], 9);
    let list = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = take(
        app,
        &x.clerk,
        &list,
        "appraisal",
        votes(&[(&a, 20), (&b, 16), (&c, 15)]),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "appraised");
    assert_eq!(r.body["households"], 2, "15 of 30 is no majority");
    let removed: Vec<&Value> = r.body["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["removed"] == true)
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["household_id"], c.as_str());
    let r = take(
        app,
        &x.clerk,
        &list,
        "verification",
        json!({"verified_on": "today", "verifiers": ["村主任王某", "第一书记张某"], "findings": "情况属实"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    (list, [a, b, c])
}

#[actix_web::test]
async fn a_village_list_walks_from_nomination_to_filing_level_by_level() {
    let x = setup().await;
    let app = &x.app;
    let (list, [a, b, _c]) = verified_list(&x).await;

    // First notice: the village opens it; the township waits for it to end.
    let r = take(app, &x.clerk, &list, "first-notice", notice()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "first_notice");
    let r = take(app, &x.reviewer, &list, "township-review", review()).await;
    assert_eq!((r.status, code(&r)), (409, "notice_period_running"));

    // An objection during the notice blocks the next step until resolved.
    let r = app
        .post(
            &format!("/api/v1/exit-lists/{list}/objections"),
            &x.clerk,
            json!({"household_id": b, "raised_by": "村民李某", "content": "该户收入不实"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let objection = r.body["id"].as_str().unwrap_or_default().to_string();
    // A second village of the township puts its own list into its first notice.
    let v2h = registered(app, &x.clerk2, "F1", V2, 5, (2, 500_000, true)).await;
    let r = app
        .post("/api/v1/exit-lists", &x.clerk2, nomination(V2, &[&v2h]))
        .await;
    let list2 = r.body["id"].as_str().unwrap_or_default().to_string();
    for (step, body) in [
        ("appraisal", votes(&[(&v2h, 28)])),
        (
            "verification",
            json!({"verified_on": "today", "verifiers": ["王某"], "findings": "属实"}),
        ),
        ("first-notice", notice()),
    ] {
        let r = take(app, &x.clerk2, &list2, step, body).await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    to_notice_end(app, &x.clerk2, &list2, Duration::seconds(1)).await;
    let r = take(app, &x.reviewer, &list2, "township-review", review()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(app, &x.reviewer, &list, "township-review", review()).await;
    assert_eq!((r.status, code(&r)), (409, "objections_open"));
    // The township's inbox does not offer that step while the objection is open.
    assert!(!notice_ended_for(app, &x.reviewer, &list).await);
    // The objection is the village's to resolve (it was raised in the village's notice).
    let resolution = json!({"outcome": "upheld", "reason": "核实该户有未申报的务工收入,暂缓退出"});
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            &x.reviewer,
            resolution.clone(),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            &x.clerk,
            resolution.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "upheld");
    assert!(notice_ended_for(app, &x.reviewer, &list).await);
    let r = app
        .post(
            &format!("/api/v1/objections/{objection}/resolution"),
            &x.clerk,
            resolution,
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "already_resolved"));

    // Township review, second notice, county approval, announcement, filing.
    let r = take(app, &x.reviewer, &list, "township-review", review()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["households"], 1);
    let r = take(app, &x.reviewer, &list, "second-notice", notice()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(app, &x.approver, &list, "approval", review()).await;
    assert_eq!((r.status, code(&r)), (409, "notice_period_running"));
    // Issue 22 item 5: the submission report (附件7, 送审) asks for the approval, so it exists
    // once the second notice has ended without objection, before the approval, and carries no
    // approval content.
    let report = format!("/api/v1/exit-lists/{list}/documents/county_report");
    let r = app.get(&report, &x.approver).await;
    assert_eq!((r.status, code(&r)), (409, "document_not_ready"));
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("second_notice runs until"),
        "{:?}",
        r.body
    );
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    let r = app.get(&report, &x.approver).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let html = r.body.as_str().unwrap_or_default();
    assert!(html.contains("现报请审批"), "{html}");
    assert!(html.contains(">E1<") && !html.contains(">E2<"), "{html}");
    // (The second village's list is still in its first stage of review: not submitted.)
    assert!(!html.contains(">F1<"), "{html}");
    // It is the township's submission to the county (seed 1: 镇人民政府…经公示无异议后报县扶贫
    // 开发领导小组审批), not the county office's.
    assert!(
        html.contains("泉林镇人民政府") && html.contains("泗水县扶贫开发领导小组："),
        "{html}"
    );
    assert!(!html.contains("扶贫开发领导小组办公室"), "{html}");
    for approval in ["审批意见", "文号", "泗扶发"] {
        assert!(!html.contains(approval), "{approval}: {html}");
    }
    let r = take(app, &x.approver, &list, "approval", review()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The approval is its own record: the county's step, with its opinion and number.
    let approval = r.body["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["step"] == "approval")
        .cloned()
        .unwrap_or_default();
    assert_eq!(approval["actor_username"], "approver", "{:?}", r.body);
    assert_eq!(approval["details"]["decision_no"], "泗扶发〔2016〕12号");
    assert_eq!(approval["details"]["opinion"], "同意");
    // The report stays what was submitted: still no approval in it.
    let html = app.get(&report, &x.approver).await.body;
    let html = html.as_str().unwrap_or_default();
    assert!(
        html.contains("现报请审批") && !html.contains("泗扶发"),
        "{html}"
    );
    let r = take(app, &x.approver, &list, "announcement", notice()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let filing = json!({"reference": "济扶备〔2016〕3号"});
    to_notice_end(app, &x.approver, &list, -Duration::minutes(1)).await;
    let r = take(app, &x.approver, &list, "filing", filing.clone()).await;
    assert_eq!((r.status, code(&r)), (409, "notice_period_running"));
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    let r = take(app, &x.approver, &list, "filing", filing).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "filed");
    assert!(r.body["next_step"].is_null());

    // Every step is recorded with its actor and time.
    let steps: Vec<(String, String)> = r.body["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["step"].as_str().unwrap_or_default().to_string(),
                s["actor_username"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("nomination", "clerk"),
        ("appraisal", "clerk"),
        ("verification", "clerk"),
        ("first_notice", "clerk"),
        ("township_review", "reviewer"),
        ("second_notice", "reviewer"),
        ("approval", "approver"),
        ("announcement", "approver"),
        ("filing", "approver"),
    ];
    assert_eq!(
        steps,
        expected
            .iter()
            .map(|(s, a)| ((*s).to_string(), (*a).to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(r.body["steps"][0]["attachments"][0]["title"], "退出申请书");

    // The household left on the list is exited, with the event in its history; the one
    // taken off by the objection is still registered.
    let h = app.get(&format!("/api/v1/households/{a}"), &x.clerk).await;
    assert_eq!(h.body["status"], "exited");
    let h = app.get(&format!("/api/v1/households/{b}"), &x.clerk).await;
    assert_eq!(h.body["status"], "registered");
    let c = app
        .get(
            &format!("/api/v1/households/{a}/exit-criteria?year=2016"),
            &x.clerk,
        )
        .await;
    assert_eq!(c.body["policies_retained_until"], 2021, "{:?}", c.body);

    // The city sees the filed exit and counts it.
    let r = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.city)
        .await;
    assert_eq!(r.status, 200);
    let p = app
        .get("/api/v1/exit-progress?region=3708&year=2016", &x.city)
        .await;
    assert_eq!(p.status, 200, "{:?}", p.body);
    assert_eq!(p.body["total"]["exited_people"], 3);
    assert_eq!(p.body["total"]["exited_households"], 1);

    // The eight documents, generated from what was recorded.
    for (kind, must) in [
        ("application", "自愿申请退出建档立卡贫困户"),
        ("assembly_minutes", "会议讨论了退出名单"),
        ("appraisal_tally", "未通过"),
        ("village_notice", "初选名单公示"),
        ("township_report", "审核意见：同意"),
        ("township_notice", "名单公示"),
        ("county_report", "现报请审批"),
        ("county_announcement", "现予公告"),
    ] {
        let r = app
            .get(
                &format!("/api/v1/exit-lists/{list}/documents/{kind}"),
                &x.approver,
            )
            .await;
        assert_eq!(r.status, 200, "{kind}");
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("text/html"),
            "{kind}"
        );
        let html = r.body.as_str().unwrap_or_default();
        assert!(html.contains(must), "{kind} lacks {must}: {html}");
        assert!(html.contains("卞桥二村"), "{kind} names the village");
        if kind != "appraisal_tally" {
            assert!(!html.contains(">E2<"), "{kind} lists a household taken off");
        }
    }
    // The notice prints its true period: from the day after posting to the last day on the
    // working calendar (Civil Code §201, §203), dates without leading zeros.
    let v = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.approver)
        .await;
    let steps = v.body["steps"].as_array().cloned().unwrap_or_default();
    let first = steps
        .iter()
        .find(|s| s["step"] == "first_notice")
        .map(|s| s["details"].clone())
        .unwrap_or_default();
    let on = |k: &str| -> chrono::NaiveDate {
        first[k]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or_default()
    };
    let period = app
        .calendar(on("posted_on"), on("last_day"))
        .period(on("posted_on"), 7);
    assert_eq!(
        (on("first_day"), on("last_day")),
        (period.first_day, period.last_day)
    );
    let html = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/village_notice"),
            &x.approver,
        )
        .await
        .body;
    let must = format!(
        "公示期：自{}至{}24时",
        domain::calendar::date_zh(period.first_day),
        domain::calendar::date_zh(period.last_day)
    );
    assert!(
        html.as_str().unwrap_or_default().contains(&must),
        "{must}: {html}"
    );
    // The minutes and the tally date the meeting as documents print dates, and the minutes name
    // their recorder (记录人) by display name, not login name; the township's report is addressed
    // to the county's office and confirms the list of the whole 镇; each notice's title names the
    // unit that posts it, so that no two lists' notices bear the same name.
    let appraisal = steps
        .iter()
        .find(|s| s["step"] == "appraisal")
        .cloned()
        .unwrap_or_default();
    let held = domain::calendar::date_zh(
        appraisal["details"]["held_on"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or_default(),
    );
    let admin = app.token("admin.370831").await;
    let recorder = format!(
        "/api/v1/users/{}",
        appraisal["actor_id"].as_str().unwrap_or_default()
    );
    let etag = app
        .get(&recorder, &admin)
        .await
        .header("etag")
        .unwrap_or_default();
    let r = app
        .send(
            "PATCH",
            &recorder,
            Some(&admin),
            Some(&json!({"display_name": "王记录"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for (kind, want) in [
        ("assembly_minutes", format!("时间：{held}")),
        ("assembly_minutes", "记录人：王记录".to_string()),
        ("appraisal_tally", format!("评议日期：{held}")),
        (
            "village_notice",
            "卞桥二村建档立卡贫困户退出初选名单公示".to_string(),
        ),
        (
            "township_report",
            "泗水县扶贫开发领导小组办公室：".to_string(),
        ),
        ("township_report", "确定全镇退出名单如下".to_string()),
        (
            "township_notice",
            "泉林镇建档立卡贫困户退出名单公示".to_string(),
        ),
        (
            "county_announcement",
            "泗水县建档立卡贫困户退出名单公告".to_string(),
        ),
    ] {
        let html = app
            .get(
                &format!("/api/v1/exit-lists/{list}/documents/{kind}"),
                &x.approver,
            )
            .await
            .body;
        let html = html.as_str().unwrap_or_default();
        assert!(html.contains(&want), "{kind} lacks {want}: {html}");
        assert!(!html.contains("记录人：clerk"), "{kind}: {html}");
    }
    // The same documents in English, on request; the recorded values stay as they were entered.
    for (kind, must) in [
        (
            "application",
            "we apply of our own will to leave the register",
        ),
        ("assembly_minutes", "Representatives present: 30"),
        ("appraisal_tally", "not passed"),
        ("village_notice", "Notice period:"),
        ("township_report", "Opinion: 同意"),
        (
            "township_notice",
            "Objections may be raised with 泉林镇人民政府 (People",
        ),
        ("county_report", "It is hereby submitted for your approval."),
        ("county_announcement", "this is hereby announced"),
    ] {
        let r = app
            .get_with(
                &format!("/api/v1/exit-lists/{list}/documents/{kind}"),
                &x.approver,
                &[("accept-language", "en-GB,en;q=0.9")],
            )
            .await;
        assert_eq!(r.status, 200, "{kind}");
        assert_eq!(r.header("content-language").as_deref(), Some("en"));
        let html = r.body.as_str().unwrap_or_default();
        assert!(html.contains(must), "{kind} lacks {must}: {html}");
        assert!(html.contains("<html lang=\"en\">"), "{kind}");
        assert!(!html.contains("合计"), "{kind} is English: {html}");
    }
    // The same documents as PDF (`?format=`) and DOCX (`Accept`): the text extracted from each
    // says what the document must say, in the embedded font.
    for (kind, must) in [
        ("application", "自愿申请退出建档立卡贫困户"),
        ("assembly_minutes", "会议讨论了退出名单"),
        ("appraisal_tally", "未通过"),
        ("village_notice", "初选名单公示"),
        ("township_report", "审核意见：同意"),
        ("township_notice", "名单公示"),
        ("county_report", "现报请审批"),
        ("county_announcement", "现予公告"),
    ] {
        let url = format!("/api/v1/exit-lists/{list}/documents/{kind}");
        let r = app.get(&format!("{url}?format=pdf"), &x.approver).await;
        assert_eq!(r.status, 200, "{kind}: {:?}", r.body);
        assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
        let text = crate::printed::pdf_text(&r.raw, &format!("exit-{kind}"));
        for m in [must, "卞桥二村", "—1—"] {
            assert!(text.contains(m), "{kind}.pdf lacks {m}: {text}");
        }
        if !matches!(kind, "application" | "assembly_minutes" | "appraisal_tally") {
            assert!(text.contains("合计"), "{kind}.pdf prints totals: {text}");
        }
        if kind == "county_report" {
            // GB/T 9704-2012 7.1: 28 characters a full body line, drawn within the 156 mm type
            // area that starts 28 mm from the left edge (the 16 pt face alone fits 27).
            let lines = crate::printed::pdf_lines(&r.raw, "exit-county_report-lines");
            let mm = 72.0 / 25.4;
            // (Lines of full-width characters only: digits and Latin letters are narrower.)
            let full: Vec<&(String, f32, f32)> = lines
                .iter()
                .filter(|(t, _, _)| {
                    t.chars().count() >= 27 && t.chars().all(|c| u32::from(c) >= 0x2E80)
                })
                .collect();
            assert!(!full.is_empty(), "{lines:?}");
            for (t, left, right) in full {
                assert_eq!(t.chars().count(), 28, "{t}: {lines:?}");
                assert!((left - 28.0 * mm).abs() < 1.0, "{t} starts at {left}");
                assert!(
                    *right <= 184.0 * mm + 1.0,
                    "{t} ends at {right}, past the area"
                );
                assert!(
                    *right >= 184.0 * mm - 3.0,
                    "{t} ends at {right}, short of it"
                );
            }
        }
        let r = app
            .get_with(
                &url,
                &x.approver,
                &[(
                    "accept",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                )],
            )
            .await;
        assert_eq!(r.status, 200, "{kind}");
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment;")),
            "{kind}"
        );
        let text = crate::printed::docx_text(&r.raw);
        assert!(
            text.contains(must) && text.contains("卞桥二村"),
            "{kind}.docx: {text}"
        );
    }
    // The notice's period, in the PDF as on the page.
    let r = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/village_notice?format=pdf"),
            &x.approver,
        )
        .await;
    let text = crate::printed::pdf_text(&r.raw, "exit-village_notice");
    assert!(text.contains(&must), "{must}: {text}");
    // English PDF.
    let r = app
        .get_with(
            &format!("/api/v1/exit-lists/{list}/documents/county_report?format=pdf"),
            &x.approver,
            &[("accept-language", "en")],
        )
        .await;
    let text = crate::printed::pdf_text(&r.raw, "exit-county_report-en");
    assert!(text.contains("submittedforyourapproval"), "{text}");
    assert!(!text.contains("泗扶发"), "{text}");
    // An unknown format names the field.
    let r = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/county_report?format=odt"),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "format");
    let r = app
        .get(
            &format!("/api/v1/exit-lists/{list}/documents/nothing"),
            &x.approver,
        )
        .await;
    assert_eq!(r.status, 404);
    // The township report covers the township's lists: the county sees both villages' lists;
    // the city only the filed one (the other is still in progress).
    let report = format!("/api/v1/exit-lists/{list}/documents/township_report");
    let html = app.get(&report, &x.approver).await.body;
    let html = html.as_str().unwrap_or_default();
    assert!(html.contains(">E1<") && html.contains(">F1<"), "{html}");
    let r = app.get(&report, &x.city).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let html = r.body.as_str().unwrap_or_default();
    assert!(html.contains(">E1<") && !html.contains(">F1<"), "{html}");
}

mod criteria;
mod levels;

/// A household whose status changed after the announcement (taken into monitoring, or removed
/// by a property-check veto), or whose yearly record no longer meets the exit criteria, is
/// taken off the list at filing, with why, and the rest is filed:
/// no step after the announcement could take it off, and filing it as exited left its open
/// case behind (and a refusal would have kept the whole list from ever being filed).
#[actix_web::test]
async fn filing_takes_off_a_household_no_longer_in_poverty_and_files_the_rest() {
    let x = setup().await;
    let app = &x.app;
    let (list, [a, b, _c]) = verified_list(&x).await;
    let step = |token: &str, name: &str, body: Value| {
        let (token, name) = (token.to_string(), name.to_string());
        let list = list.clone();
        async move {
            let r = take(app, &token, &list, &name, body).await;
            assert_eq!(r.status, 200, "{name}: {:?}", r.body);
            r
        }
    };
    step(&x.clerk, "first-notice", notice()).await;
    to_notice_end(app, &x.clerk, &list, Duration::seconds(1)).await;
    step(&x.reviewer, "township-review", review()).await;
    step(&x.reviewer, "second-notice", notice()).await;
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    step(&x.approver, "approval", review()).await;
    step(&x.approver, "announcement", notice()).await;
    to_notice_end(app, &x.approver, &list, Duration::seconds(1)).await;
    let sql = format!("UPDATE households SET status = 'monitored' WHERE id = '{b}'");
    app.db.as_owner("370831", |c| {
        diesel::RunQueryDsl::execute(diesel::sql_query(&sql), c)
    });
    let r = step(
        &x.approver,
        "filing",
        json!({"reference": "济扶备〔2016〕3号"}),
    )
    .await;
    assert_eq!(r.body["stage"], "filed");
    let entry = |id: &str| {
        r.body["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["household_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(entry(&b)["removed"], true, "{:?}", r.body);
    assert!(
        entry(&b)["removed_reason"]
            .as_str()
            .is_some_and(|m| m.contains("monitored")),
        "{:?}",
        r.body
    );
    assert_eq!(entry(&a)["removed"], false);
    let clerk = &x.clerk;
    let status = |id: &str| {
        let id = id.to_string();
        async move {
            app.get(&format!("/api/v1/households/{id}"), clerk)
                .await
                .body["status"]
                .clone()
        }
    };
    assert_eq!(status(&a).await, "exited");
    assert_eq!(status(&b).await, "monitored");
}

/// A household whose yearly record was corrected after its nomination so that it no longer
/// meets the exit criteria is not filed as exited: filing judges the criteria again.
#[actix_web::test]
async fn filing_judges_the_exit_criteria_on_the_record_as_it_stands() {
    let x = setup().await;
    let app = &x.app;
    let (list, [a, b, _c]) = verified_list(&x).await;
    for (token, name, body) in [
        (&x.clerk, "first-notice", notice()),
        (&x.reviewer, "township-review", review()),
        (&x.reviewer, "second-notice", notice()),
        (&x.approver, "approval", review()),
        (&x.approver, "announcement", notice()),
    ] {
        let r = take(app, token, &list, name, body).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        if name.ends_with("notice") || name == "announcement" {
            to_notice_end(app, token, &list, Duration::seconds(1)).await;
        }
    }
    // A's record of the year, corrected since: its housing is not safe.
    let year = app
        .get(&format!("/api/v1/exit-lists/{list}"), &x.approver)
        .await
        .body["year"]
        .as_i64()
        .unwrap_or_default();
    let path = format!("/api/v1/households/{a}/years/{year}");
    let tag = app
        .get(&path, &x.clerk)
        .await
        .header("etag")
        .unwrap_or_default();
    let record = json!({"income_per_capita_fen": 400_000, "enough_food": true, "enough_clothing": true,
        "compulsory_education": true, "basic_medical": true, "safe_housing": false,
        "safe_drinking_water": true});
    let r = app
        .send(
            "PUT",
            &path,
            Some(&x.clerk),
            Some(&record),
            &[("if-match", tag.as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = take(
        app,
        &x.approver,
        &list,
        "filing",
        json!({"reference": "济扶备〔2016〕4号"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(entry_of(&r.body, &a)["removed"], true, "{:?}", r.body);
    assert!(
        entry_of(&r.body, &a)["removed_reason"]
            .as_str()
            .is_some_and(
                |m| m.contains("no longer meets the exit criteria") && m.contains("safe housing")
            ),
        "{:?}",
        entry_of(&r.body, &a)
    );
    assert_eq!(entry_of(&r.body, &b)["removed"], false);
    for (id, want) in [(&a, "registered"), (&b, "exited")] {
        let h = app.get(&format!("/api/v1/households/{id}"), &x.clerk).await;
        assert_eq!(h.body["status"], want, "{id}");
    }
}

fn entry_of(list: &Value, id: &str) -> Value {
    list["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["household_id"] == id)
        .cloned()
        .unwrap_or_default()
}

/// Whether the caller's inbox offers the list's next step after its ended notice.
async fn notice_ended_for(app: &TestApp, token: &str, list: &str) -> bool {
    let r = app.get("/api/v1/me/tasks?kind=notice_ended", token).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["object_id"] == list)
}
