//! A township's yearly reduction plan and exit timetable (年度减贫计划及退出时间表, seed 1, 泗水
//! exit work plan, 工作要求 (一)): planned exits and entries of the year, the dates by which the
//! township's lists reach the steps it answers for, and how the year's actual figures diverge
//! from the plan (总量控制、进出平衡).
//!
//! Pure rules: the use case passes the dates, the counts and today.

use chrono::{Datelike as _, NaiveDate};

use crate::error::{DomainError, FieldError};
use crate::exit::Step;

/// The steps a township's timetable may name: from its own review to the filing of its lists.
/// The village steps before the township review are the villages' (their due dates are the
/// campaign's); the choice of this subset is the project's.
pub const PLAN_STEPS: &[Step] = &[
    Step::TownshipReview,
    Step::SecondNotice,
    Step::Approval,
    Step::Announcement,
    Step::Filing,
];

/// Upper bound of every planned figure (households or people of one township in one year).
pub const MAX_FIGURE: i32 = 1_000_000;

/// One milestone of the timetable: the day by which every list of the township's villages has
/// taken `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Milestone {
    /// The step.
    pub step: Step,
    /// Due on this day (inclusive).
    pub due_on: NaiveDate,
}

/// The figures of a plan as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Households planned to exit.
    pub exit_households: i32,
    /// People planned to exit.
    pub exit_people: i32,
    /// People planned to be newly identified (新识别), when the township plans them.
    pub entry_people: Option<i32>,
}

/// Checks a plan: figures between 0 and [`MAX_FIGURE`], at least as many people as households
/// planned to exit, milestones of [`PLAN_STEPS`] (each once, in the procedure's order) due
/// between `created_on` (the day the plan was first entered) and the end of `year`, none
/// before the milestone it follows. Returns the milestones parsed.
///
/// # Errors
/// `Validation` naming each bad field (`exit_people`, `milestones[1].step`,
/// `milestones[0].due_on`, …).
pub fn check(
    year: i32,
    created_on: NaiveDate,
    figures: &Figures,
    milestones: &[(String, NaiveDate)],
) -> Result<Vec<Milestone>, DomainError> {
    let mut errs = Vec::new();
    let mut figure = |field: &str, v: i32| {
        if !(0..=MAX_FIGURE).contains(&v) {
            errs.push(FieldError::new(field, crate::Rule::range(0, MAX_FIGURE)));
        }
    };
    figure("exit_households", figures.exit_households);
    figure("exit_people", figures.exit_people);
    if let Some(e) = figures.entry_people {
        figure("entry_people", e);
    }
    if figures.exit_people >= 0
        && figures.exit_households >= 0
        && figures.exit_people < figures.exit_households
    {
        errs.push(FieldError::new(
            "exit_people",
            crate::Rule::other(
                "must be at least exit_households: every household has a member",
                "不能少于 exit_households:每户至少一人",
            ),
        ));
    }
    if milestones.len() > PLAN_STEPS.len() {
        errs.push(FieldError::new(
            "milestones",
            crate::Rule::other(
                format!("at most {} milestones", PLAN_STEPS.len()),
                format!("最多 {} 个节点", PLAN_STEPS.len()),
            ),
        ));
    }
    let mut out = Vec::new();
    // The last good milestone: its place on the ladder and its date.
    let mut last: Option<(usize, NaiveDate)> = None;
    for (i, (step, due_on)) in milestones.iter().enumerate() {
        let step_field = format!("milestones[{i}].step");
        let due_field = format!("milestones[{i}].due_on");
        let step = match Step::parse(step) {
            Ok(s) => s,
            Err(m) => {
                errs.push(FieldError::new(step_field, m));
                continue;
            }
        };
        let Some(rank) = PLAN_STEPS.iter().position(|s| *s == step) else {
            errs.push(FieldError::new(
                step_field,
                crate::Rule::other(
                    format!(
                        "{} is a village step; a township's timetable names {}",
                        step.as_str(),
                        names()
                    ),
                    format!(
                        "{} 是村级步骤;乡镇时间表列出的是 {}",
                        step.as_str(),
                        names()
                    ),
                ),
            ));
            continue;
        };
        if let Some((before, _)) = last
            && rank <= before
        {
            errs.push(FieldError::new(
                step_field,
                crate::Rule::other(format!(
                    "{} must come after {} and appear once: the steps follow the procedure ({})",
                    step.as_str(),
                    PLAN_STEPS[before].as_str(),
                    names()
                ), format!(
                    "{} 必须排在 {} 之后且只出现一次:步骤须按程序顺序({})",
                    step.as_str(),
                    PLAN_STEPS[before].as_str(),
                    names()
                )),
            ));
            continue;
        }
        let problem = if due_on.year() != year {
            Some(crate::Rule::other(
                format!("{due_on} lies outside the plan's year {year}"),
                format!("{due_on} 不在计划年度 {year} 内"),
            ))
        } else if *due_on < created_on {
            Some(crate::Rule::other(
                format!("{due_on} is before the plan was made ({created_on})"),
                format!("{due_on} 早于计划制定日期({created_on})"),
            ))
        } else {
            last.filter(|(_, d)| due_on < d).map(|(before, d)| {
                crate::Rule::other(
                    format!(
                        "{due_on} is before the due date of {} ({d})",
                        PLAN_STEPS[before].as_str()
                    ),
                    format!(
                        "{due_on} 早于 {} 的截止日期({d})",
                        PLAN_STEPS[before].as_str()
                    ),
                )
            })
        };
        let kept = match problem {
            Some(m) => {
                errs.push(FieldError::new(due_field, m));
                last.map_or(*due_on, |(_, d)| d)
            }
            None => *due_on,
        };
        last = Some((rank, kept));
        out.push(Milestone {
            step,
            due_on: *due_on,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Validation(errs))
    }
}

fn names() -> String {
    PLAN_STEPS
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

vocabulary! {
    /// Where a milestone stands.
    MilestoneState as "TownshipMilestoneState" {
        /// Every list of the township's villages of the year has taken the step.
        Done = "done" / "已完成",
        /// Not done, the due day not passed.
        Due = "due" / "未到期",
        /// Not done, and the due day has passed.
        Overdue = "overdue" / "已逾期",
    }
}

/// A milestone's state: `reached_on` is the day the last of the township's lists took the step
/// (`None` while any list has not, or when it has no list of the year).
pub fn milestone_state(
    due_on: NaiveDate,
    reached_on: Option<NaiveDate>,
    today: NaiveDate,
) -> MilestoneState {
    match reached_on {
        Some(_) => MilestoneState::Done,
        None if today > due_on => MilestoneState::Overdue,
        None => MilestoneState::Due,
    }
}

/// The day the step was reached by every list: the latest of the lists' days, `None` when a
/// list has not taken it or there is no list.
pub fn reached_by_all(days: &[Option<NaiveDate>]) -> Option<NaiveDate> {
    if days.is_empty() {
        return None;
    }
    days.iter()
        .copied()
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

vocabulary! {
    /// How a township's year diverges from its plan.
    Divergence as "TownshipPlanDivergence" {
        /// The year is over and fewer households or people exited (filed) than planned.
        ExitsBelowPlan = "exits_below_plan" / "退出少于计划",
        /// A milestone of the timetable is overdue.
        BehindTimetable = "behind_timetable" / "进度滞后",
        /// More people were newly identified (announced) than planned.
        EntriesOverPlan = "entries_over_plan" / "新识别超计划",
    }
}

/// What a township actually did in the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actual {
    /// Households in filed exit lists of the year.
    pub exited_households: i64,
    /// Their people.
    pub exited_people: i64,
    /// People newly identified in announced intake lists of the year.
    pub entry_people: i64,
}

/// The divergences of a township's year from its plan, as of `today`.
pub fn divergences(
    year: i32,
    today: NaiveDate,
    plan: &Figures,
    actual: Actual,
    states: &[MilestoneState],
) -> Vec<Divergence> {
    let mut out = Vec::new();
    let over = NaiveDate::from_ymd_opt(year, 12, 31).is_some_and(|end| today > end);
    if over
        && (actual.exited_households < i64::from(plan.exit_households)
            || actual.exited_people < i64::from(plan.exit_people))
    {
        out.push(Divergence::ExitsBelowPlan);
    }
    if states.contains(&MilestoneState::Overdue) {
        out.push(Divergence::BehindTimetable);
    }
    if plan
        .entry_people
        .is_some_and(|e| actual.entry_people > i64::from(e))
    {
        out.push(Divergence::EntriesOverPlan);
    }
    out
}

/// 总量控制 as the project reads it: the townships' planned exits add up to at least the
/// county's exit target. `Some(shortfall)` in people when they do not, `None` when they do or
/// no target is set.
pub fn plans_short_of_target(planned_people: i64, target_people: Option<i64>) -> Option<i64> {
    target_people
        .filter(|t| planned_people < *t)
        .map(|t| t - planned_people)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn fig(h: i32, p: i32, e: Option<i32>) -> Figures {
        Figures {
            exit_households: h,
            exit_people: p,
            entry_people: e,
        }
    }

    fn fields(r: Result<Vec<Milestone>, DomainError>) -> Vec<String> {
        match r {
            Err(DomainError::Validation(v)) => v.into_iter().map(|f| f.field).collect(),
            other => panic!("expected a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_good_timetable_is_kept_in_order() {
        let m = check(
            2026,
            d("2026-03-01"),
            &fig(10, 30, Some(5)),
            &[("镇审核".into(), d("2026-09-30"))],
        )
        .unwrap_or_default();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].step, Step::TownshipReview);
        let m = check(
            2026,
            d("2026-03-01"),
            &fig(0, 0, None),
            &[
                ("township_review".into(), d("2026-09-30")),
                ("approval".into(), d("2026-09-30")),
                ("filing".into(), d("2026-12-31")),
            ],
        )
        .unwrap_or_default();
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn bad_figures_and_milestones_are_named() {
        let r = check(
            2026,
            d("2026-03-01"),
            &fig(-1, 5, Some(-2)),
            &[
                ("appraisal".into(), d("2026-04-01")),
                ("nonsense".into(), d("2026-04-01")),
                ("approval".into(), d("2026-02-01")),
                ("second_notice".into(), d("2026-05-01")),
                ("filing".into(), d("2027-01-01")),
            ],
        )
        .map(|_| ());
        let f = match r {
            Err(DomainError::Validation(v)) => v.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            f,
            [
                "exit_households",
                "entry_people",
                "milestones[0].step",
                "milestones[1].step",
                "milestones[2].due_on",
                "milestones[3].step",
                "milestones[4].due_on",
            ]
        );
        assert_eq!(
            fields(check(2026, d("2026-03-01"), &fig(5, 4, None), &[])),
            ["exit_people"]
        );
        // A later step due before an earlier one.
        assert_eq!(
            fields(check(
                2026,
                d("2026-03-01"),
                &fig(1, 1, None),
                &[
                    ("approval".into(), d("2026-10-01")),
                    ("filing".into(), d("2026-09-01")),
                ],
            )),
            ["milestones[1].due_on"]
        );
    }

    #[test]
    fn a_milestone_is_done_when_every_list_reached_it() {
        let (due, today) = (d("2026-06-30"), d("2026-07-01"));
        assert_eq!(reached_by_all(&[]), None);
        assert_eq!(
            reached_by_all(&[Some(d("2026-06-01")), None]),
            None,
            "one list has not"
        );
        let all = reached_by_all(&[Some(d("2026-06-01")), Some(d("2026-07-01"))]);
        assert_eq!(all, Some(d("2026-07-01")));
        assert_eq!(milestone_state(due, all, today), MilestoneState::Done);
        assert_eq!(milestone_state(due, None, today), MilestoneState::Overdue);
        assert_eq!(milestone_state(due, None, due), MilestoneState::Due);
    }

    #[test]
    fn divergences_follow_the_year_the_timetable_and_entries() {
        let plan = fig(2, 5, Some(3));
        let short = Actual {
            exited_households: 1,
            exited_people: 5,
            entry_people: 4,
        };
        assert_eq!(
            divergences(2016, d("2016-12-31"), &plan, short, &[MilestoneState::Due]),
            [Divergence::EntriesOverPlan],
            "the year is not over yet"
        );
        assert_eq!(
            divergences(
                2016,
                d("2017-01-01"),
                &plan,
                short,
                &[MilestoneState::Done, MilestoneState::Overdue]
            ),
            [
                Divergence::ExitsBelowPlan,
                Divergence::BehindTimetable,
                Divergence::EntriesOverPlan
            ]
        );
        let met = Actual {
            exited_households: 2,
            exited_people: 5,
            entry_people: 3,
        };
        assert!(divergences(2016, d("2017-01-01"), &plan, met, &[]).is_empty());
        assert_eq!(plans_short_of_target(90, Some(100)), Some(10));
        assert_eq!(plans_short_of_target(100, Some(100)), None);
        assert_eq!(plans_short_of_target(0, None), None);
    }
}
