use super::*;
use chrono::{Duration, TimeZone as _};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 11, 1, 2, 0, 0)
        .single()
        .unwrap_or_default()
}

fn state(stage: Stage) -> ListState {
    ListState {
        stage,
        notice_ends_at: stage.is_notice().then(|| t0() + Duration::days(7)),
        open_objections: 0,
        listed: 3,
    }
}

fn code(r: Result<Stage, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Conflict { code, .. }) => code.as_str(),
        Ok(_) => "ok",
        Err(_) => "other",
    }
}

#[test]
fn evidence_is_asked_for_the_meeting_and_the_postings() {
    let needing: Vec<Step> = Step::ALL
        .iter()
        .copied()
        .filter(|s| s.needs_evidence())
        .collect();
    assert_eq!(
        needing,
        [
            Step::Appraisal,
            Step::FirstNotice,
            Step::SecondNotice,
            Step::Announcement
        ]
    );
}

#[test]
fn every_step_follows_exactly_one_stage_in_order() {
    let later = t0() + Duration::days(30);
    let mut stage = Stage::Nominated;
    for step in Step::ALL {
        // Every other step is out of order here.
        for other in Step::ALL.iter().filter(|s| *s != step) {
            assert_eq!(
                code(check_step(&state(stage), *other, later)),
                "step_out_of_order",
                "{other:?} at {stage:?}"
            );
        }
        stage = check_step(&state(stage), *step, later).unwrap_or(Stage::Nominated);
        assert_eq!(stage, step.transition().1);
    }
    assert_eq!(stage, Stage::Filed);
    assert_eq!(Stage::Filed.next_step(), None);
}

#[test]
fn a_notice_must_end_before_the_next_step() {
    for (stage, step, days) in [
        (Stage::FirstNotice, Step::TownshipReview, 7),
        (Stage::SecondNotice, Step::Approval, 7),
        (Stage::Announced, Step::Filing, 5),
    ] {
        let mut s = state(stage);
        s.notice_ends_at = Some(t0() + Duration::days(days));
        let end = t0() + Duration::days(days);
        assert_eq!(
            code(check_step(&s, step, end - Duration::seconds(1))),
            "notice_period_running"
        );
        assert_eq!(code(check_step(&s, step, end)), "ok");
    }
}

#[test]
fn open_objections_block_and_an_empty_list_cannot_go_on() {
    let later = t0() + Duration::days(30);
    let mut s = state(Stage::SecondNotice);
    s.open_objections = 1;
    assert_eq!(
        code(check_step(&s, Step::Approval, later)),
        "objections_open"
    );
    s.open_objections = 0;
    s.listed = 0;
    assert_eq!(code(check_step(&s, Step::Approval, later)), "list_empty");
}

#[test]
fn the_submission_report_follows_the_second_notice_and_precedes_nothing_it_reports() {
    let ready = |s: &ListState, at| match check_submission_ready(s, at) {
        Ok(()) => "ok".to_string(),
        Err(DomainError::Conflict { code, message }) => format!("{}: {message}", code.as_str()),
        Err(e) => format!("{e:?}"),
    };
    let end = t0() + Duration::days(7);
    let mut s = state(Stage::SecondNotice);
    s.notice_ends_at = Some(end);
    // Before and during the second notice: not yet.
    for early in [Stage::Verified, Stage::FirstNotice, Stage::TownshipReviewed] {
        let r = ready(&state(early), end);
        assert!(r.starts_with("document_not_ready"), "{early:?}: {r}");
        assert!(r.contains(early.as_str()), "{r}");
    }
    let r = ready(&s, end - Duration::seconds(1));
    assert!(r.starts_with("document_not_ready"), "{r}");
    assert!(
        r.contains("runs until 10:00 on 2016-11-08 (Beijing time)"),
        "{r}"
    );
    // Ended, but an objection is open: not yet.
    s.open_objections = 1;
    let r = ready(&s, end);
    assert!(
        r.starts_with("document_not_ready") && r.contains("objection"),
        "{r}"
    );
    // Ended without objection: ready before the approval, and after it.
    s.open_objections = 0;
    assert_eq!(ready(&s, end), "ok");
    for later in [Stage::Approved, Stage::Announced, Stage::Filed] {
        assert_eq!(ready(&state(later), t0()), "ok", "{later:?}");
    }
}

#[test]
fn objections_only_while_a_notice_runs_owned_by_its_level() {
    let s = state(Stage::FirstNotice);
    assert_eq!(check_objection(&s, t0()).ok(), Some(Level::Village));
    assert!(check_objection(&s, t0() + Duration::days(7)).is_err());
    assert!(check_objection(&state(Stage::Verified), t0()).is_err());
    assert_eq!(
        check_objection(&state(Stage::SecondNotice), t0()).ok(),
        Some(Level::Township)
    );
    assert_eq!(
        check_objection(&state(Stage::Announced), t0()).ok(),
        Some(Level::County)
    );
}

#[test]
fn owners_by_level() {
    assert_eq!(Step::Appraisal.owner(), Level::Village);
    assert_eq!(Step::TownshipReview.owner(), Level::Township);
    assert_eq!(Step::Filing.owner(), Level::County);
}

fn ok_record(income: i64) -> Indicators {
    Indicators {
        income_per_capita_fen: income,
        enough_food: true,
        enough_clothing: true,
        compulsory_education: true,
        basic_medical: true,
        safe_housing: true,
        safe_drinking_water: true,
    }
}

fn yr(year: i32, income: Option<i64>, line: Option<i64>) -> IncomeYear {
    IncomeYear {
        year,
        income_per_capita_fen: income,
        poverty_line_fen: line,
    }
}

#[test]
fn criteria_say_which_fails_and_by_how_much() {
    let one = |income, line| [yr(2016, Some(income), Some(line))];
    let all_met = evaluate(2016, Some(&ok_record(300_000)), &one(300_000, 295_200));
    assert!(all_met.iter().all(|c| c.met));
    // Exactly on the line is not above it: one fen short.
    let on = evaluate(2016, Some(&ok_record(295_200)), &one(295_200, 295_200));
    assert!(!on[0].met);
    assert_eq!(on[0].shortfall_fen, Some(1));
    let mut r = ok_record(290_000);
    r.safe_housing = false;
    let c = evaluate(2016, Some(&r), &one(290_000, 295_200));
    let failed: Vec<&str> = c.iter().filter(|c| !c.met).map(|c| c.code).collect();
    assert_eq!(failed, vec!["income_above_line", "safe_housing"]);
    assert_eq!(c[0].shortfall_fen, Some(5_201));
    assert!(c[0].detail.contains("52.01 yuan short"), "{}", c[0].detail);
    assert!(!evaluate(2016, None, &one(1, 1))[0].met);
    assert!(!evaluate(2030, Some(&ok_record(1)), &[yr(2030, Some(1), None)])[0].met);
}

#[test]
fn stable_income_means_every_year_counted_is_above_its_own_line() {
    assert_eq!(income_years(2016, 2), 2015..=2016);
    assert_eq!(income_years(2016, 1), 2016..=2016);
    assert_eq!(income_years(2016, 0), 2016..=2016);
    // Shandong's 2016 line (3,372 yuan) and the 2015 national default (2,855 yuan).
    let both = [
        yr(2015, Some(290_000), Some(285_500)),
        yr(2016, Some(340_000), Some(337_200)),
    ];
    let c = income_criterion(&both);
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.shortfall_fen, Some(0));
    assert_eq!(c.years.len(), 2);
    assert!(c.detail.contains("2015–2016"), "{}", c.detail);

    // Above the line in the exit year but not in the year before: not stable.
    let dip = [
        yr(2015, Some(280_000), Some(285_500)),
        yr(2016, Some(340_000), Some(337_200)),
    ];
    let c = income_criterion(&dip);
    assert!(!c.met);
    assert_eq!(c.shortfall_fen, Some(5_501));
    assert!(
        c.detail
            .contains("must exceed the 2015 line of 2855.00 yuan: 55.01 yuan short"),
        "{}",
        c.detail
    );
    assert!(!c.detail.contains("2016 line"), "{}", c.detail);

    // Each year by its own line: 3,000 yuan is above 2015's line but not 2016's.
    let c = income_criterion(&[
        yr(2015, Some(300_000), Some(285_500)),
        yr(2016, Some(300_000), Some(337_200)),
    ]);
    assert!(!c.met);
    assert!(c.detail.contains("the 2016 line"), "{}", c.detail);

    // No record or no line for a year: not met, naming the year, no shortfall to give.
    let c = income_criterion(&[
        yr(2015, None, Some(285_500)),
        yr(2016, Some(340_000), Some(337_200)),
    ]);
    assert!(!c.met);
    assert_eq!(c.shortfall_fen, None);
    assert!(c.detail.contains("no record for 2015"), "{}", c.detail);
    let c = income_criterion(&[
        yr(2029, Some(900_000), None),
        yr(2030, Some(900_000), Some(1)),
    ]);
    assert!(!c.met);
    assert!(
        c.detail.contains("no poverty line is set for 2029"),
        "{}",
        c.detail
    );
    assert!(!income_criterion(&[]).met);

    // Through evaluate: the income criterion is the first, the others unchanged.
    let e = evaluate(2016, Some(&ok_record(340_000)), &dip);
    assert_eq!(
        e.iter()
            .filter(|c| !c.met)
            .map(|c| c.code)
            .collect::<Vec<_>>(),
        vec!["income_above_line"]
    );
}

#[test]
fn votes_need_a_majority_of_attendees() {
    let v = |f, a, b| Votes {
        for_: f,
        against: a,
        abstain: b,
    };
    assert_eq!(v(16, 10, 4).passes(30), Ok(true));
    assert_eq!(v(15, 10, 5).passes(30), Ok(false));
    assert!(v(20, 10, 1).passes(30).is_err());
    assert!(v(-1, 0, 0).passes(30).is_err());
}

#[test]
fn a_step_date_is_past_recent_and_after_the_step_it_follows() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    let today = d("2026-12-04");
    let msg = |r: Result<(), DomainError>| match r {
        Err(DomainError::Validation(e)) => format!("{}: {}", e[0].field, e[0].rule),
        _ => String::new(),
    };
    let verified = Follows {
        step: "verification".into(),
        on: d("2026-11-20"),
        notice_last_day: None,
    };
    assert!(check_step_date("posted_on", today, today, 30, Some(&verified)).is_ok());
    assert!(check_step_date("posted_on", d("2026-11-20"), today, 30, Some(&verified)).is_ok());
    assert_eq!(
        msg(check_step_date(
            "posted_on",
            d("2026-12-05"),
            today,
            30,
            None
        )),
        "posted_on: 2026-12-05 is in the future (today is 2026-12-04)"
    );
    let m = msg(check_step_date(
        "posted_on",
        d("2026-11-03"),
        today,
        30,
        None,
    ));
    assert!(m.contains("on or after 2026-11-04"), "{m}");
    assert!(check_step_date("posted_on", d("2026-11-04"), today, 30, None).is_ok());
    assert_eq!(
        msg(check_step_date(
            "posted_on",
            d("2026-11-19"),
            today,
            30,
            Some(&verified)
        )),
        "posted_on: 2026-11-19 is before 2026-11-20, the date of the verification it follows: \
         it must be on or after 2026-11-20"
    );
    let notice = Follows {
        step: "first_notice".into(),
        on: d("2026-11-24"),
        notice_last_day: Some(d("2026-12-01")),
    };
    let m = msg(check_step_date(
        "decided_on",
        d("2026-12-01"),
        today,
        30,
        Some(&notice),
    ));
    assert!(
        m.starts_with("decided_on: 2026-12-01 is within the first_notice"),
        "{m}"
    );
    assert!(m.contains("after 2026-12-01"), "{m}");
    assert!(check_step_date("decided_on", d("2026-12-02"), today, 30, Some(&notice)).is_ok());
}

#[test]
fn verification_needs_both_bodies_by_two_people() {
    use SignoffBody::{ResidentTeam, VillageCommittee};
    let a = Stage::Appraised;
    assert_eq!(
        check_signoff(a, &[], VillageCommittee, 1, true).ok(),
        Some(false)
    );
    assert_eq!(
        check_signoff(a, &[], VillageCommittee, 1, false).ok(),
        Some(true)
    );
    assert_eq!(
        check_signoff(a, &[], ResidentTeam, 2, true).ok(),
        Some(false)
    );
    assert_eq!(
        check_signoff(a, &[], ResidentTeam, 2, false).ok(),
        Some(false)
    );
    assert_eq!(
        check_signoff(a, &[(VillageCommittee, 1)], ResidentTeam, 2, true).ok(),
        Some(true)
    );
    assert_eq!(
        check_signoff(a, &[(ResidentTeam, 2)], VillageCommittee, 1, true).ok(),
        Some(true)
    );
    let code = |r: Result<bool, DomainError>| match r {
        Err(DomainError::Conflict { code, .. }) => Some(code),
        _ => None,
    };
    assert_eq!(
        code(check_signoff(
            a,
            &[(VillageCommittee, 1)],
            ResidentTeam,
            1,
            true
        )),
        Some(crate::ErrorCode::SameSignatory)
    );
    assert_eq!(
        code(check_signoff(
            a,
            &[(VillageCommittee, 1)],
            VillageCommittee,
            3,
            true
        )),
        Some(crate::ErrorCode::AlreadySigned)
    );
    assert_eq!(
        code(check_signoff(Stage::Verified, &[], ResidentTeam, 2, true)),
        Some(crate::ErrorCode::StepOutOfOrder)
    );
}

#[test]
fn filings_are_acknowledged_by_the_city_then_the_province_once_each() {
    let f = Stage::Filed;
    assert!(check_acknowledgement(f, &[], Level::City).is_ok());
    assert!(check_acknowledgement(f, &[Level::City], Level::Province).is_ok());
    let code = |r: Result<(), DomainError>| match r {
        Err(DomainError::Conflict { code, .. }) => Some(code),
        _ => None,
    };
    assert_eq!(
        code(check_acknowledgement(f, &[], Level::Province)),
        Some(crate::ErrorCode::StepOutOfOrder)
    );
    assert_eq!(
        code(check_acknowledgement(f, &[Level::City], Level::City)),
        Some(crate::ErrorCode::AlreadyAcknowledged)
    );
    assert_eq!(
        code(check_acknowledgement(Stage::Announced, &[], Level::City)),
        Some(crate::ErrorCode::StepOutOfOrder)
    );
    assert!(matches!(
        check_acknowledgement(f, &[], Level::County),
        Err(DomainError::Forbidden(_))
    ));
}

#[test]
fn removals_are_on_the_list_once_and_leave_someone() {
    let (a, b, c) = (
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    );
    assert!(check_removals(&[a], &[a, b]).is_ok());
    let Err(DomainError::Validation(errs)) = check_removals(&[c, a, a], &[a, b]) else {
        panic!("not refused");
    };
    let got: Vec<(String, crate::Rule)> = errs.into_iter().map(|e| (e.field, e.rule)).collect();
    assert_eq!(
        got,
        vec![
            ("removals[0].household_id".into(), crate::Rule::NotOnList),
            ("removals[2].household_id".into(), crate::Rule::ListedTwice),
        ]
    );
    assert!(matches!(
        check_removals(&[a, b], &[a, b]),
        Err(DomainError::Conflict {
            code: crate::ErrorCode::ListEmpty,
            ..
        })
    ));
}
