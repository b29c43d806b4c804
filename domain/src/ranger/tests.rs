use super::*;

fn settings() -> RangerSettings {
    RangerSettings {
        annual_subsidy_fen: 1_000_000,
        one_absence_deduction_bp: 500,
        two_absences_deduction_bp: 1000,
        termination_absences: 3,
        major_fire_mu: 15,
        payment_due_day: 10,
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn contract() -> Contract {
    Contract {
        start: d(2017, 1, 1),
        end: d(2017, 12, 31),
        annual_subsidy_fen: settings().annual_subsidy_fen,
        terminated_on: None,
    }
}

fn absent(day: u32) -> Inspection {
    Inspection {
        date: d(2017, 6, day),
        present: false,
    }
}

fn incident(kind: IncidentKind, tenths: i64, negligence: bool, threshold: bool) -> Incident {
    Incident {
        date: d(2017, 6, 10),
        kind,
        burnt_mu_tenths: tenths,
        through_negligence: negligence,
        above_case_threshold: threshold,
        major_loss: false,
    }
}

fn june(inspections: &[Inspection], incidents: &[Incident]) -> Payout {
    payout(&contract(), &settings(), 2017, 6, inspections, incidents).unwrap_or_else(|e| {
        panic!("{e}");
    })
}

fn codes(p: &Payout) -> Vec<&'static str> {
    p.lines.iter().map(|l| l.code).collect()
}

#[test]
fn days_in_months() {
    assert_eq!(days_in_month(2017, 2), 28);
    assert_eq!(days_in_month(2016, 2), 29);
    assert_eq!(days_in_month(2100, 2), 28);
    assert_eq!(days_in_month(2000, 2), 29);
    assert_eq!(days_in_month(2017, 4), 30);
    assert_eq!(days_in_month(2017, 12), 31);
    assert_eq!(days_in_month(2017, 13), 0);
}

#[test]
fn full_normal_month() {
    let p = june(&[], &[]);
    assert_eq!(p.total_fen, 83_333);
    assert_eq!(codes(&p), vec![BASE_FEE]);
    assert_eq!(p.lines[0].text, "2017年6月管护补助");
    assert!(!p.withheld && !p.terminate && !p.termination_allowed);
    assert_eq!((p.year, p.month), (2017, 6));
}

#[test]
fn december_takes_the_remainder() {
    let p = payout(&contract(), &settings(), 2017, 12, &[], &[]).unwrap_or_else(|e| {
        panic!("{e}");
    });
    assert_eq!(p.total_fen, 83_337);
    assert_eq!(p.lines[0].text, "2017年12月管护补助");
}

#[test]
fn one_absence_deducts_five_percent() {
    let present = Inspection {
        date: d(2017, 6, 3),
        present: true,
    };
    let p = june(&[present, absent(5)], &[]);
    assert_eq!(codes(&p), vec![BASE_FEE, ABSENCE_DEDUCTION]);
    assert_eq!(p.lines[1].amount_fen, -4_166);
    assert_eq!(p.lines[1].text, "当月抽查缺勤1次，扣减当月补助5%");
    assert_eq!(p.total_fen, 83_333 - 4_166);
    assert!(!p.termination_allowed);
}

#[test]
fn two_absences_deduct_ten_percent() {
    let p = june(&[absent(5), absent(20)], &[]);
    assert_eq!(p.lines[1].amount_fen, -8_333);
    assert_eq!(p.total_fen, 75_000);
    assert!(!p.termination_allowed);
}

#[test]
fn three_absences_allow_termination() {
    let p = june(&[absent(5), absent(12), absent(20)], &[]);
    assert_eq!(codes(&p), vec![BASE_FEE, ABSENCE_DEDUCTION]);
    assert_eq!(p.lines[1].amount_fen, -8_333);
    assert_eq!(p.total_fen, 75_000);
    assert!(p.termination_allowed);
    assert!(!p.terminate && !p.withheld);
    assert!(p.lines[1].text.contains("可即时解除合同"));
}

#[test]
fn fire_just_below_the_threshold_is_not_major() {
    let p = june(&[], &[incident(IncidentKind::Fire, 149, true, false)]);
    assert_eq!(p.total_fen, 83_333);
    assert_eq!(codes(&p), vec![BASE_FEE]);
    assert!(!p.withheld && !p.terminate && !p.termination_allowed);
}

#[test]
fn fire_of_exactly_the_threshold_is_major() {
    // 15亩以上 includes 15 mu itself.
    let p = june(&[], &[incident(IncidentKind::Fire, 150, true, false)]);
    assert_eq!(codes(&p), vec![BASE_FEE, WITHHELD]);
    assert_eq!(p.total_fen, 0);
    assert!(p.withheld && p.terminate && p.termination_allowed);
    assert!(p.lines[1].text.contains("过火面积15亩，达到15亩以上"));
}

#[test]
fn unreported_pests_with_a_major_loss_withhold_and_claim_without_terminating() {
    let mut pests = incident(IncidentKind::UnreportedPests, 0, true, false);
    pests.major_loss = true;
    let p = june(&[absent(5)], &[pests]);
    assert_eq!(
        codes(&p),
        vec![BASE_FEE, ABSENCE_DEDUCTION, WITHHELD, PEST_LIABILITY]
    );
    assert_eq!(p.total_fen, 0);
    assert!(p.withheld && p.compensation_claim);
    assert!(!p.terminate && !p.termination_allowed);
    assert!(p.lines[2].text.contains("追究赔偿责任"));
    assert!(!p.lines[2].text.contains("解除合同"));
}

#[test]
fn unreported_pests_without_a_major_loss_cost_nothing() {
    let p = june(
        &[],
        &[incident(IncidentKind::UnreportedPests, 0, true, false)],
    );
    assert_eq!(codes(&p), vec![BASE_FEE, PEST_LIABILITY]);
    assert_eq!(p.total_fen, 83_333);
    assert!(!p.withheld && !p.compensation_claim);
}

#[test]
fn fire_over_the_threshold_through_negligence_withholds_and_terminates() {
    let p = june(
        &[absent(5)],
        &[incident(IncidentKind::Fire, 151, true, false)],
    );
    assert_eq!(codes(&p), vec![BASE_FEE, ABSENCE_DEDUCTION, WITHHELD]);
    assert_eq!(p.lines[2].amount_fen, -(83_333 - 4_166));
    assert_eq!(p.total_fen, 0);
    assert!(p.withheld && p.terminate && p.termination_allowed);
    assert!(p.lines[2].text.contains("15.1亩"));
}

#[test]
fn fire_not_through_negligence_does_not_withhold() {
    let p = june(&[], &[incident(IncidentKind::Fire, 200, false, false)]);
    assert_eq!(p.total_fen, 83_333);
    assert!(!p.withheld && !p.terminate);
}

#[test]
fn logging_above_threshold_through_negligence_withholds() {
    let p = june(
        &[],
        &[incident(IncidentKind::IllegalLogging, 0, true, true)],
    );
    assert_eq!(codes(&p), vec![BASE_FEE, WITHHELD]);
    assert_eq!(p.lines[1].amount_fen, -83_333);
    assert_eq!(p.total_fen, 0);
    assert!(p.withheld && p.terminate);
    let minor = june(
        &[],
        &[incident(IncidentKind::IllegalLogging, 0, true, false)],
    );
    assert_eq!(minor.total_fen, 83_333);
    assert!(!minor.withheld);
    let not_negligent = june(
        &[],
        &[incident(IncidentKind::IllegalLogging, 0, false, true)],
    );
    assert!(!not_negligent.withheld);
}

#[test]
fn unreported_pests_record_liability_last() {
    let p = june(
        &[absent(5)],
        &[
            incident(IncidentKind::UnreportedPests, 0, true, false),
            incident(IncidentKind::IllegalLogging, 0, true, true),
        ],
    );
    assert_eq!(
        codes(&p),
        vec![BASE_FEE, ABSENCE_DEDUCTION, WITHHELD, PEST_LIABILITY]
    );
    assert_eq!(p.lines[3].amount_fen, 0);
    assert!(p.lines[3].text.contains("记录管护责任"));
    assert_eq!(p.total_fen, 0);
}

#[test]
fn contract_starting_mid_month_is_pro_rated() {
    let c = Contract {
        start: d(2017, 6, 16),
        ..contract()
    };
    let p = payout(&c, &settings(), 2017, 6, &[], &[]).unwrap_or_else(|e| {
        panic!("{e}");
    });
    assert_eq!(p.total_fen, 83_333 * 15 / 30);
    assert_eq!(p.total_fen, 41_666);
    assert!(p.lines[0].text.contains("15/30天"));
    // An absence before the start does not count; one after does, on the pro-rated fee.
    let p = payout(&c, &settings(), 2017, 6, &[absent(10), absent(20)], &[]).unwrap_or_else(|e| {
        panic!("{e}");
    });
    assert_eq!(p.lines[1].amount_fen, -(41_666 * 500 / 10_000));
    assert_eq!(p.lines[1].amount_fen, -2_083);
}

#[test]
fn termination_ends_coverage() {
    let c = Contract {
        terminated_on: Some(d(2017, 6, 10)),
        ..contract()
    };
    let p = payout(&c, &settings(), 2017, 6, &[absent(20)], &[]).unwrap_or_else(|e| {
        panic!("{e}");
    });
    assert_eq!(p.total_fen, 83_333 * 10 / 30);
    assert_eq!(codes(&p), vec![BASE_FEE]);
    assert_eq!(
        payout(&c, &settings(), 2017, 7, &[], &[]).map_err(|e| e.to_string()),
        Err("the contract does not cover 2017-07".to_owned())
    );
}

#[test]
fn month_outside_the_contract_is_an_error() {
    assert_eq!(
        payout(&contract(), &settings(), 2018, 1, &[], &[]).map_err(|e| e.to_string()),
        Err("the contract does not cover 2018-01".to_owned())
    );
    assert_eq!(
        payout(&contract(), &settings(), 2016, 12, &[], &[]).map_err(|e| e.to_string()),
        Err("the contract does not cover 2016-12".to_owned())
    );
    assert!(payout(&contract(), &settings(), 2017, 13, &[], &[]).is_err());
}

#[test]
fn inspections_and_incidents_outside_the_month_are_ignored() {
    let outside = [
        Inspection {
            date: d(2017, 5, 31),
            present: false,
        },
        Inspection {
            date: d(2017, 7, 1),
            present: false,
        },
    ];
    let fire = Incident {
        date: d(2017, 7, 1),
        ..incident(IncidentKind::Fire, 500, true, false)
    };
    let p = june(&outside, &[fire]);
    assert_eq!(p.total_fen, 83_333);
    assert_eq!(codes(&p), vec![BASE_FEE]);
}

#[test]
fn twelve_months_sum_to_the_annual_subsidy() {
    for annual in [settings().annual_subsidy_fen, 1_000_007, 11, 0] {
        let c = Contract {
            annual_subsidy_fen: annual,
            ..contract()
        };
        let sum: i64 = (1..=12)
            .map(|m| {
                payout(&c, &settings(), 2017, m, &[], &[])
                    .map(|p| p.total_fen)
                    .unwrap_or_default()
            })
            .sum();
        assert_eq!(sum, annual);
    }
}

#[test]
fn serializes_with_codes() {
    assert_eq!(
        serde_json::to_value(IncidentKind::UnreportedPests).ok(),
        Some(serde_json::json!("unreported_pests"))
    );
    assert_eq!(
        serde_json::from_value::<IncidentKind>(serde_json::json!("illegal_logging")).ok(),
        Some(IncidentKind::IllegalLogging)
    );
    let v = serde_json::to_value(june(&[], &[])).unwrap_or_default();
    assert_eq!(v["total_fen"], 83_333);
    assert_eq!(v["lines"][0]["code"], "base_fee");
}

#[test]
fn each_ground_withholds_the_month_under_its_clause() {
    // (kind, clause, terminate, may terminate, compensation claim)
    let cases = [
        (
            IncidentKind::PoorPatrolLoss,
            "第六条第（一）项",
            false,
            false,
            false,
        ),
        (
            IncidentKind::UnstoppedViolation,
            "第六条第（三）项",
            false,
            true,
            false,
        ),
        (
            IncidentKind::AbsenceMajorLoss,
            "第六条第（五）项",
            false,
            true,
            true,
        ),
        (
            IncidentKind::ProhibitedLogging,
            "第五条第（一）项、第三条第（六）项",
            false,
            true,
            false,
        ),
        (
            IncidentKind::ProhibitedGrazing,
            "第五条第（二）项、第三条第（六）项",
            false,
            true,
            false,
        ),
        (
            IncidentKind::ProhibitedClearing,
            "第五条第（三）项、第三条第（六）项",
            false,
            true,
            false,
        ),
        (
            IncidentKind::ProhibitedBuilding,
            "第五条第（四）项、第三条第（六）项",
            false,
            true,
            false,
        ),
        (
            IncidentKind::ProhibitedHunting,
            "第五条第（五）项、第三条第（六）项",
            false,
            true,
            false,
        ),
        (IncidentKind::Fire, "第六条第（二）项", true, true, false),
    ];
    for (kind, clause, terminate, may, compensation) in cases {
        let p = june(&[], &[incident(kind, 150, true, true)]);
        assert_eq!(codes(&p), vec![BASE_FEE, WITHHELD], "{kind:?}");
        assert_eq!(p.total_fen, 0, "{kind:?}");
        assert_eq!(p.lines[1].clause, clause, "{kind:?}");
        assert_eq!(p.lines[1].amount_fen, -83_333, "{kind:?}");
        assert!(p.withheld, "{kind:?}");
        assert_eq!(p.terminate, terminate, "{kind:?}");
        assert_eq!(p.termination_allowed, may, "{kind:?}");
        assert_eq!(p.compensation_claim, compensation, "{kind:?}");
        assert_eq!(
            p.lines[1].text.contains("可视情况解除合同"),
            may && !terminate,
            "{kind:?}: {}",
            p.lines[1].text
        );
    }
}

#[test]
fn several_grounds_make_one_withholding_line_citing_each_clause_once() {
    let p = june(
        &[absent(3)],
        &[
            incident(IncidentKind::UnstoppedViolation, 0, false, false),
            incident(IncidentKind::AbsenceMajorLoss, 0, false, false),
            incident(IncidentKind::UnstoppedViolation, 0, false, false),
        ],
    );
    assert_eq!(codes(&p), vec![BASE_FEE, ABSENCE_DEDUCTION, WITHHELD]);
    assert_eq!(p.lines[2].clause, "第六条第（三）项、第六条第（五）项");
    assert_eq!(p.lines[2].amount_fen, -(83_333 - 4_166));
    assert_eq!(p.total_fen, 0);
    assert!(p.compensation_claim && p.termination_allowed && !p.terminate);
    // A fire under the threshold, or one not through negligence, withholds nothing.
    let p = june(&[], &[incident(IncidentKind::Fire, 149, true, false)]);
    assert_eq!(codes(&p), vec![BASE_FEE]);
    let p = june(&[], &[incident(IncidentKind::Fire, 500, false, false)]);
    assert_eq!(codes(&p), vec![BASE_FEE]);
}

#[test]
fn a_month_is_due_on_the_set_day_of_the_next() {
    assert_eq!(payment_due(2017, 3, 10), Some(d(2017, 4, 10)));
    assert_eq!(payment_due(2017, 12, 10), Some(d(2018, 1, 10)));
    assert_eq!(payment_due(2017, 1, 28), Some(d(2017, 2, 28)));
    assert_eq!(payment_due(2017, 13, 10), None);
    assert_eq!(payment_due(2017, 1, 0), None);
}

#[test]
fn percent_and_mu_formatting() {
    assert_eq!(percent(500), "5%");
    assert_eq!(percent(250), "2.5%");
    assert_eq!(percent(1), "0.01%");
    assert_eq!(mu(151), "15.1");
    assert_eq!(mu(150), "15");
}
