//! Forest-ranger contracts: payouts month by month, the patrol log, withholding, late payments, the demo ranger.

use super::*;

/// A ranger-to-be and the money to pay them: household `number` of V1 with one member (ID
/// number `seq`), and an ecology project of V1 with 10,000 fen allocated from a new fund.
/// Returns the household as answered and the project's id.
pub(crate) async fn ranger_and_project(
    app: &TestApp,
    clerk: &str,
    officer: &str,
    number: &str,
    seq: u32,
) -> (Value, String) {
    let r = app
        .post(
            "/api/v1/households",
            clerk,
            household(number, V1, &[id_number("370831", seq)]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let f = id(app
        .post(
            "/api/v1/funds",
            officer,
            fund(20_000, "ecology", false, false),
        )
        .await)
    .await;
    let p = id(app
        .post(
            "/api/v1/projects",
            officer,
            project(V1, 10_000, "ecology", false),
        )
        .await)
    .await;
    assert_eq!(allocate(app, officer, &f, &p, 10_000).await.status, 201);
    (r.body, p)
}

/// A contract of 120 mu at 泗张镇林业站 from 2017-01-01 to `end` for a new ranger (household
/// `number`, ID number `seq`, paid from a new project); its id.
pub(super) async fn contract_of_new_ranger(x: &Funds, number: &str, seq: u32, end: &str) -> String {
    let app = &x.app;
    let (r, p) = ranger_and_project(app, &x.clerk, &x.officer, number, seq).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 120.0,
                "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
                "start_date": "2017-01-01", "end_date": end, "project_id": p}),
        )
        .await)
    .await
}

#[actix_web::test]
async fn ranger_payouts_month_by_month() {
    let x = setup().await;
    let app = &x.app;
    let (r, p) = ranger_and_project(app, &x.clerk, &x.officer, "R1", 990).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ranger_name = r["members"][0]["name"].clone();
    assert!(ranger_name.is_string());
    // 一卡兑付: the ranger's household is paid to its benefit card.
    let hh = r["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(app, &x.officer, &hh)
            .await
            .status,
        200
    );
    let contract = |m: &str| {
        json!({"member_id": m, "station": "泗张镇林业站", "villager_group": "三组", "area_mu": 300.5,
            "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路", "bound_north": "北至林场",
            "start_date": "2017-01-01", "end_date": "2017-12-31", "project_id": p})
    };
    // The ranger must be a registered person in scope.
    let r = app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            contract("6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "member_id");
    let c = id(app
        .post("/api/v1/ranger-contracts", &x.officer, contract(&member))
        .await)
    .await;
    let r = app.get("/api/v1/ranger-contracts", &x.officer).await;
    assert_eq!(r.body["items"][0]["annual_subsidy_fen"], 1_000_000);
    // The list names the ranger (the console's contracts table shows who).
    assert_eq!(r.body["items"][0]["ranger_name"], ranger_name);
    assert_eq!(r.body["items"][0]["member_id"], member.as_str());
    assert_eq!(r.body["next_cursor"], Value::Null, "{:?}", r.body);
    let inspect = |on: &str, present: bool| json!({"inspected_on": on, "present": present});
    let base = format!("/api/v1/ranger-contracts/{c}");
    // Outside the contract period: refused by name.
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            inspect("2018-01-02", false),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "inspected_on");
    for (on, present) in [
        ("2017-01-10", true),
        ("2017-02-10", false),
        ("2017-02-20", true),
        ("2017-03-05", false),
        ("2017-03-25", false),
    ] {
        assert_eq!(
            app.post(
                &format!("{base}/inspections"),
                &x.officer,
                inspect(on, present)
            )
            .await
            .status,
            201
        );
    }
    let fire = |on: &str, mu: f64| json!({"occurred_on": on, "kind": "fire", "burnt_mu": mu, "through_negligence": true, "description": "山火"});
    assert_eq!(
        app.post(
            &format!("{base}/incidents"),
            &x.officer,
            fire("2017-04-20", 14.9)
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.post(
            &format!("{base}/incidents"),
            &x.officer,
            fire("2017-05-03", 15.0)
        )
        .await
        .status,
        201
    );
    // Seed 3 §六(四): pests the ranger failed to report that caused a major loss.
    let pests = json!({"occurred_on": "2017-04-12", "kind": "unreported_pests", "major_loss": true,
        "through_negligence": true, "description": "松材线虫病未及时上报"});
    assert_eq!(
        app.post(&format!("{base}/incidents"), &x.officer, pests)
            .await
            .status,
        201
    );
    // The fire of May ends the contract at once (立即终止协议), before any month is paid: June
    // is no longer covered, and nothing is recorded in it (June could be paid in full while
    // May waited).
    let r = app
        .get(&format!("{base}/payouts/2017-06"), &x.approver)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            inspect("2017-06-05", true),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // The record: every inspection and incident, oldest first, to whoever reads funds in the
    // county; another county's officer finds no such contract.
    let r = app.get(&format!("{base}/record"), &x.approver).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let absent: Vec<&str> = r.body["inspections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["present"] == false)
        .filter_map(|i| i["inspected_on"].as_str())
        .collect();
    assert_eq!(absent, ["2017-02-10", "2017-03-05", "2017-03-25"]);
    let kinds: Vec<(&str, &str)> = r.body["incidents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| Some((i["occurred_on"].as_str()?, i["kind"].as_str()?)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2017-04-12", "unreported_pests"),
            ("2017-04-20", "fire"),
            ("2017-05-03", "fire")
        ]
    );
    assert_eq!(r.body["incidents"][1]["burnt_mu"], 14.9);
    assert_eq!(r.body["incidents"][0]["major_loss"], true);
    let r = app.get(&format!("{base}/record"), &x.stranger).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // January full, February one absence (−5%), March two (−10%), April a fire of 14.9 mu (under
    // the threshold) and pests with a major loss (withheld, a compensation claim, the contract
    // goes on), May a fire of exactly 15 mu (15亩以上 includes 15: withheld, terminated).
    let expected = [
        ("2017-01", 83_333, false),
        ("2017-02", 79_167, false),
        ("2017-03", 75_000, false),
        ("2017-04", 0, false),
        ("2017-05", 0, true),
    ];
    let mut paid = 0;
    for (month, total, terminated) in expected {
        let computed = app
            .get(&format!("{base}/payouts/{month}"), &x.approver)
            .await;
        assert_eq!(computed.status, 200, "{month}: {:?}", computed.body);
        assert_eq!(
            computed.body["total_fen"], total,
            "{month}: {:?}",
            computed.body
        );
        let r = app
            .post(&format!("{base}/payouts/{month}"), &x.officer, json!({}))
            .await;
        assert_eq!(r.status, 201, "{month}: {:?}", r.body);
        assert_eq!(r.body["payout"]["total_fen"], total);
        assert_eq!(r.body["terminated"], terminated);
        assert_eq!(
            r.body["payout"]["compensation_claim"],
            month == "2017-04",
            "{month}"
        );
        assert_eq!(r.body["disbursement_id"].is_string(), total > 0);
        paid += total;
    }
    let lines = app
        .get(&format!("{base}/payouts/2017-03"), &x.approver)
        .await;
    let codes: Vec<&str> = lines.body["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["base_fee", "absence_deduction"]);
    // Paid once per month; after termination the contract covers no more months.
    let r = app
        .post(&format!("{base}/payouts/2017-01"), &x.officer, json!({}))
        .await;
    assert_eq!((r.status, code(&r)), (409, "paid"));
    let r = app
        .get(&format!("{base}/payouts/2017-06"), &x.approver)
        .await;
    assert_eq!(r.status, 422);
    // A month is paid after it ends; a paid month's record is closed.
    let r = app
        .post(&format!("{base}/payouts/2099-01"), &x.officer, json!({}))
        .await;
    assert_eq!((r.status, code(&r)), (409, "month_not_over"));
    let r = app
        .post(
            &format!("{base}/inspections"),
            &x.officer,
            inspect("2017-01-20", false),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "month_paid"));
    // Reversing a payout's disbursement is refused: the payout stands with it.
    let d = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    let did = d.body["disbursements"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/disbursements/{did}/reversal"),
            &x.officer,
            json!({"note": "x"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "ranger_payout"));
    // The payouts are disbursements of the project, to the ranger's household.
    let r = app.get(&format!("/api/v1/projects/{p}"), &x.officer).await;
    assert_eq!(r.body["disbursed_fen"], paid);
    assert_eq!(r.body["disbursements"].as_array().map(Vec::len), Some(3));
    assert!(r.body["disbursements"][0]["household_id"].is_string());
}

/// Seed 3 §四(一)2: the ranger's daily patrols are logged (by the station), in the contract's
/// period and not after its termination; §五 and §六: every ground for withholding a month is an
/// incident kind, applied under its clause.
#[actix_web::test]
async fn ranger_patrol_log_and_every_ground_for_withholding() {
    let x = setup().await;
    let app = &x.app;
    let c = contract_of_new_ranger(&x, "R2", 991, "2030-12-31").await;
    let base = format!("/api/v1/ranger-contracts/{c}");
    let patrol = |on: &str, area: &str| json!({"patrolled_on": on, "area": area, "findings": "发现枯枝堆积，已清理", "reported": true});
    // Bad input, refused by name: no area, a day before the contract, a day in the future.
    for (body, field, words) in [
        (patrol("2017-03-01", " "), "area", ""),
        (
            patrol("2016-12-31", "一号线"),
            "patrolled_on",
            "outside the contract",
        ),
        (
            patrol("2030-01-01", "一号线"),
            "patrolled_on",
            "in the future",
        ),
    ] {
        let r = app.post(&format!("{base}/patrols"), &x.officer, body).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{:?}",
            r.body
        );
    }
    for (on, area) in [
        ("2017-03-01", "一号巡护线：村北山林至林场"),
        ("2017-03-02", "二号巡护线"),
        ("2017-03-02", "三号巡护线"),
    ] {
        let r = app
            .post(&format!("{base}/patrols"), &x.officer, patrol(on, area))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["area"], area);
        assert_eq!(r.body["reported"], true);
    }
    // Newest first, in pages that follow on.
    let r = app
        .get(&format!("{base}/patrols?limit=2"), &x.approver)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let days: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["patrolled_on"].as_str())
        .collect();
    assert_eq!(days, ["2017-03-02", "2017-03-02"]);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!cursor.is_empty());
    let r = app
        .get(
            &format!("{base}/patrols?limit=2&cursor={cursor}"),
            &x.approver,
        )
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["area"], "一号巡护线：村北山林至林场");
    assert!(r.body["next_cursor"].is_null());
    // Another county's officer finds no such contract, to read or to write.
    let r = app.get(&format!("{base}/patrols"), &x.stranger).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/patrols"),
            &x.stranger,
            patrol("2017-03-03", "x"),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    // Each further ground withholds the whole month under its clause.
    let incident = |on: &str, kind: &str| json!({"occurred_on": on, "kind": kind, "through_negligence": false, "description": "记录"});
    for (month, kind, clause, compensation, may_terminate) in [
        (
            "2017-04",
            "poor_patrol_loss",
            "第六条第（一）项",
            false,
            false,
        ),
        (
            "2017-05",
            "unstopped_violation",
            "第六条第（三）项",
            false,
            true,
        ),
        (
            "2017-06",
            "absence_major_loss",
            "第六条第（五）项",
            true,
            true,
        ),
        (
            "2017-07",
            "prohibited_grazing",
            "第五条第（二）项、第三条第（六）项",
            false,
            true,
        ),
        (
            "2017-08",
            "prohibited_building",
            "第五条第（四）项、第三条第（六）项",
            false,
            true,
        ),
    ] {
        let r = app
            .post(
                &format!("{base}/incidents"),
                &x.officer,
                incident(&format!("{month}-15"), kind),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}: {:?}", r.body);
        let r = app
            .get(&format!("{base}/payouts/{month}"), &x.approver)
            .await;
        assert_eq!(r.status, 200, "{kind}: {:?}", r.body);
        assert_eq!(r.body["total_fen"], 0, "{kind}: {:?}", r.body);
        assert_eq!(r.body["lines"][1]["code"], "withheld", "{kind}");
        assert_eq!(r.body["lines"][1]["clause"], clause, "{kind}");
        assert_eq!(r.body["compensation_claim"], compensation, "{kind}");
        assert_eq!(r.body["termination_allowed"], may_terminate, "{kind}");
        assert_eq!(r.body["terminate"], false, "{kind}");
    }
    let r = app
        .post(
            &format!("{base}/incidents"),
            &x.officer,
            incident("2017-09-01", "arson"),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "kind");
    // After the contract is terminated, no patrol can be logged under it.
    let r = app
        .post(
            &format!("{base}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-09-30", "reason": "擅自修建房舍，经协商解除"}),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/patrols"),
            &x.officer,
            patrol("2017-10-02", "一号巡护线"),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "patrolled_on");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("terminated on 2017-09-30")),
        "{:?}",
        r.body
    );
}

/// Seed 3 §六(六): the station pays on time. Each month is due on `ranger.payment_due_day` of
/// the following month (a county setting, kept by each contract as it was when signed); months
/// unpaid after it are listed late, a terminated contract's owed months included, and nothing
/// of another county.
#[actix_web::test]
async fn ranger_months_unpaid_after_their_due_day_are_listed_late() {
    let mut x = setup().await;
    x.app.user("admin", "370831", &["tenant_admin"]);
    let admin = x.app.token("admin").await;
    let app = &x.app;
    let (r, p) = ranger_and_project(app, &x.clerk, &x.officer, "R3", 992).await;
    let member = r["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // 一卡兑付: the ranger's household is paid to its benefit card.
    let hh = r["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        crate::benefit_cards::give_card(app, &x.officer, &hh)
            .await
            .status,
        200
    );
    let c = id(app
        .post(
            "/api/v1/ranger-contracts",
            &x.officer,
            json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 80.0,
                "bound_east": "东", "bound_south": "南", "bound_west": "西", "bound_north": "北",
                "start_date": "2017-01-01", "end_date": "2017-06-30", "project_id": p}),
        )
        .await)
    .await;
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/payouts/2017-01"),
            &x.officer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let late = |as_of: &'static str| {
        let t = x.approver.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/ranger-payouts/late?as_of={as_of}"), &t)
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| {
                    (
                        i["month"].as_str().unwrap_or_default().to_string(),
                        i["due_on"].as_str().unwrap_or_default().to_string(),
                        i["days_late"].as_i64().unwrap_or(-1),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    // January is paid; February is due on 10 March (the default day): late from the 11th.
    assert_eq!(late("2017-03-10").await, vec![]);
    assert_eq!(
        late("2017-03-11").await,
        vec![("2017-02".to_string(), "2017-03-10".to_string(), 1)]
    );
    // The county sets the 20th (for contracts signed from now on).
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"ranger": {"payment_due_day": 20}}}),
        )
        .await;
    let tag = r.header("etag").unwrap_or_default();
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The contract keeps the 10th it was signed under: February is still late on 11 March.
    assert_eq!(
        late("2017-03-11").await,
        vec![("2017-02".to_string(), "2017-03-10".to_string(), 1)]
    );
    let r = app
        .send(
            "PUT",
            "/api/v1/settings/370831",
            Some(&admin),
            Some(&json!({"overrides": {"ranger": {"payment_due_day": 31}}})),
            &[("if-match", tag.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Not inside January, which is paid in full: from its last day at the earliest.
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-01-20", "reason": "本人申请解除"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("month_paid")),
        "{:?}",
        r.body
    );
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("2017-01-31")),
        "{:?}",
        r.body
    );
    // Terminated in April: February to April are owed and late; May and June are not owed.
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{c}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-04-15", "reason": "本人申请解除"}),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let months: Vec<String> = late("2017-08-01").await.into_iter().map(|m| m.0).collect();
    assert_eq!(months, ["2017-02", "2017-03", "2017-04"]);
    // April is due on 10 May (the contract's day), late from the 11th.
    let months: Vec<String> = late("2017-05-10").await.into_iter().map(|m| m.0).collect();
    assert_eq!(months, ["2017-02", "2017-03"]);
    assert_eq!(
        late("2017-05-11").await.last().cloned(),
        Some(("2017-04".to_string(), "2017-05-10".to_string(), 1))
    );
    // Pages follow on.
    let r = app
        .get(
            "/api/v1/ranger-payouts/late?as_of=2017-08-01&limit=2",
            &x.officer,
        )
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.body["items"][0]["terminated"], true);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .get(
            &format!("/api/v1/ranger-payouts/late?as_of=2017-08-01&limit=2&cursor={cursor}"),
            &x.officer,
        )
        .await;
    assert_eq!(r.body["items"][0]["month"], "2017-04");
    assert!(r.body["next_cursor"].is_null());
    // Another county's officer sees none of it; a bad date is refused by name.
    let r = app
        .get("/api/v1/ranger-payouts/late?as_of=2017-08-01", &x.stranger)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app
        .get("/api/v1/ranger-payouts/late?as_of=2017-13-01", &x.officer)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // A contract signed after the county set the 20th is due on the 20th: its January (paid
    // by nobody) is late from 21 February, not from the 11th.
    let c2 = contract_of_new_ranger(&x, "R4", 993, "2017-06-30").await;
    assert_eq!(late("2017-02-20").await, vec![]);
    assert_eq!(
        late("2017-02-21").await,
        vec![("2017-01".to_string(), "2017-02-20".to_string(), 1)]
    );
    // The inbox gives that month the same due day.
    let r = app
        .get("/api/v1/me/tasks?kind=ranger_month&limit=200", &x.officer)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let task = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["object_id"] == c2.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(task["part"], "2017-01", "{:?}", r.body);
    assert_eq!(task["due_on"], "2017-02-20", "{:?}", r.body);
    // The county moves the day again, to the 5th: the two contracts keep theirs.
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"ranger": {"payment_due_day": 5}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(late("2017-02-20").await, vec![]);
    let r = app
        .get("/api/v1/me/tasks?kind=ranger_month&limit=200", &x.officer)
        .await;
    let due: Vec<&Value> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["object_id"] == c2.as_str())
        .map(|t| &t["due_on"])
        .collect();
    assert_eq!(due, [&json!("2017-02-20")], "{:?}", r.body);
    // Its April's payment day, 20 May 2017, was a Saturday: it moves to Monday the 22nd (Civil
    // Code §203), so April is not late on the 22nd and one day late on the 23rd.
    let april = ("2017-04".to_string(), "2017-05-22".to_string(), 1);
    assert!(!late("2017-05-22").await.iter().any(|m| m.1 == april.1));
    assert!(late("2017-05-23").await.contains(&april));
    // A contract running to the end of 2018, ended in 2017: the 2018 ranger report does not
    // count it (it counted every contract by its planned end).
    let long = contract_of_new_ranger(&x, "R8", 998, "2018-12-31").await;
    let contracts = |year: i32| {
        let app = &x.app;
        let officer = x.officer.clone();
        async move {
            let r = app
                .get(
                    &format!("/api/v1/reports/rangers?region=370831&year={year}"),
                    &officer,
                )
                .await;
            let i = r.body["columns"]
                .as_array()
                .into_iter()
                .flatten()
                .position(|c| c["code"] == "contracts")
                .unwrap_or(usize::MAX);
            r.body["total"]["values"][i].as_i64()
        }
    };
    let before = contracts(2018).await;
    let r = app
        .post(
            &format!("/api/v1/ranger-contracts/{long}/termination"),
            &x.officer,
            json!({"terminated_on": "2017-09-30", "reason": "本人申请解除"}),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    assert_eq!(contracts(2018).await, before.map(|n| n - 1));
}

/// The demo's ranger: a year on record that the console's rangers page shows — patrols, the
/// withheld month with its clause, the months paid and the months late.
#[actix_web::test]
async fn the_demo_ranger_has_a_year_on_record() {
    use chrono::Datelike as _;
    let app = TestApp::spawn().await;
    api::demo::load(&app.state).unwrap_or_else(|e| panic!("{e:#}"));
    let t = app.login("funds.sishui", "demo-funds-2026").await.0;
    let year = chrono::Utc::now().year() - 1;
    let r = app.get("/api/v1/ranger-contracts", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        r.body
    );
    let c = r.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .get(&format!("/api/v1/ranger-contracts/{c}/patrols"), &t)
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(3));
    let r = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/{year}-06"),
            &t,
        )
        .await;
    assert_eq!(r.body["total_fen"], 0, "{:?}", r.body);
    assert_eq!(r.body["lines"][1]["clause"], "第六条第（一）项");
    let r = app
        .get(
            &format!("/api/v1/ranger-contracts/{c}/payouts/{year}-03"),
            &t,
        )
        .await;
    assert_eq!(r.body["total_fen"], 83_333 - 4_166, "{:?}", r.body);
    let r = app.get("/api/v1/ranger-payouts/late", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let months: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["month"].as_str())
        .collect();
    assert!(
        months.contains(&format!("{year}-11").as_str()),
        "{months:?}"
    );
    assert!(
        !months.contains(&format!("{year}-10").as_str()),
        "{months:?}"
    );
    // Loading the demo again adds no second contract.
    api::demo::load(&app.state).unwrap_or_else(|e| panic!("{e:#}"));
    let r = app.get("/api/v1/ranger-contracts", &t).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    // A load stopped part-way through the households is finished by the next start.
    let households = || {
        app.db.as_owner("370831", |c| {
            use diesel::RunQueryDsl as _;
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::Int8)]
                n: i64,
            }
            diesel::sql_query("SELECT count(*) AS n FROM households WHERE county_code = 370831")
                .get_result::<N>(c)
                .map(|r| r.n)
        })
    };
    let loaded = households();
    app.db.as_owner("370831", |c| {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(
            "DELETE FROM households WHERE county_code = 370831 AND id IN \
               (SELECT id FROM households WHERE county_code = 370831 \
                 ORDER BY household_number DESC LIMIT 5)",
        )
        .execute(c)
    });
    assert_eq!(households(), loaded - 5);
    api::demo::load(&app.state).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(households(), loaded);
}

/// "Today" is China's: at 00:30 in Beijing (16:30 UTC the day before) a patrol of that Beijing
/// day is taken and one of the day after is not. (It compared with the UTC date: between
/// midnight and 08:00 in Beijing the console's date picker offered today, and the server called
/// it the future.)
#[actix_web::test]
async fn a_patrol_of_today_in_beijing_is_taken_after_midnight_there() {
    let x = setup().await;
    let app = &x.app;
    let c = contract_of_new_ranger(&x, "R9", 994, "2099-12-31").await;
    let now = app.state.clock.now();
    let half_past_midnight = (now.date_naive() + chrono::Duration::days(1))
        .and_hms_opt(16, 30, 0)
        .unwrap_or_default()
        .and_utc();
    app.state.clock.advance(half_past_midnight - now);
    let beijing_today = infra::clock::china_date(app.state.clock.now());
    assert_ne!(beijing_today, app.state.clock.now().date_naive());
    let patrol = |on: chrono::NaiveDate| json!({"patrolled_on": on.to_string(), "area": "四号巡护线", "findings": "", "reported": false});
    let log = format!("/api/v1/ranger-contracts/{c}/patrols");
    let r = app.post(&log, &x.officer, patrol(beijing_today)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .post(
            &log,
            &x.officer,
            patrol(beijing_today + chrono::Duration::days(1)),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "patrolled_on", "{:?}", r.body);
}

/// A contract keeps the day it was signed and the terms it was signed under: the county's
/// later change of the absence deduction applies to contracts signed after it, not to this one
/// (its months are paid, and its agreement printed, by its own terms).
#[actix_web::test]
async fn a_contract_keeps_its_signing_day_and_terms() {
    let mut x = setup().await;
    x.app.user("admin", "370831", &["tenant_admin"]);
    let admin = x.app.token("admin").await;
    let app = &x.app;
    let sign = |number: &'static str, seq: u32, signed_on: Option<&'static str>| {
        let (app, clerk, officer) = (app, x.clerk.clone(), x.officer.clone());
        async move {
            let (r, p) = ranger_and_project(app, &clerk, &officer, number, seq).await;
            let member = r["members"][0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let mut body = json!({"member_id": member, "station": "泗张镇林业站", "area_mu": 120.0,
                "bound_east": "东至山脊", "bound_south": "南至河沟", "bound_west": "西至公路",
                "bound_north": "北至林场", "start_date": "2017-01-01", "end_date": "2017-12-31",
                "project_id": p});
            if let Some(d) = signed_on {
                body["signed_on"] = json!(d);
            }
            app.post("/api/v1/ranger-contracts", &officer, body).await
        }
    };
    // Not after today.
    let r = sign("T0", 980, Some("2999-01-01")).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "signed_on");
    let r = sign("T1", 981, Some("2016-12-20")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["signed_on"], "2016-12-20");
    assert_eq!(r.body["terms"]["one_absence_deduction_bp"], 500);
    assert_eq!(r.body["terms"]["annual_subsidy_fen"], 1_000_000);
    let old = r.body["id"].as_str().unwrap_or_default().to_string();
    // The county doubles the deduction for one absence.
    let r = app
        .put_settings(
            "370831",
            &admin,
            json!({"overrides": {"ranger": {"one_absence_deduction_bp": 1000}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = sign("T2", 982, None).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["terms"]["one_absence_deduction_bp"], 1000);
    assert!(r.body["signed_on"].is_string());
    let new = r.body["id"].as_str().unwrap_or_default().to_string();
    // One absence in February on each: 83,333 fen less 5% under the old terms, 10% under the new.
    for (c, total) in [(&old, 79_167), (&new, 75_000)] {
        let r = app
            .post(
                &format!("/api/v1/ranger-contracts/{c}/inspections"),
                &x.officer,
                json!({"inspected_on": "2017-02-10", "present": false}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let p = app
            .get(
                &format!("/api/v1/ranger-contracts/{c}/payouts/2017-02"),
                &x.approver,
            )
            .await;
        assert_eq!(p.body["total_fen"], total, "{c}: {:?}", p.body);
    }
    // The agreement states its own day and terms.
    let pdf = app
        .get(
            &format!("/api/v1/ranger-contracts/{old}/document?format=pdf"),
            &x.officer,
        )
        .await;
    assert_eq!(pdf.status, 200, "{:?}", pdf.body);
    let text = crate::printed::pdf_text(&pdf.raw, "ranger-contract-terms");
    assert!(text.contains("2016年12月20日"), "{text}");
    assert!(text.contains("扣减当月管护费5%"), "{text}");
}
