//! The yearly dynamic-adjustment campaign (动态调整, issue 19 item 2): a county opens the year's
//! campaign with a due date per step, follows every village's progress per step, and closes the
//! campaign once every village is done or excused with a reason.
//!
//! A village's progress is never stored: it is derived from the village's exit lists and intake
//! lists of the year, each placed on one common ladder of [`Milestone`]s. Time is an argument.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};

use crate::error::{DomainError, FieldError};
use crate::settings::CampaignSettings;

vocabulary! {
    /// A step of the villages' work in the campaign, each with its due date.
    Step as "CampaignStep" {
        /// Democratic appraisal in the village (exit: appraised and verified; intake: appraised).
        Appraisal = "appraisal" / "民主评议",
        /// The village's public notice, ended (exit: first notice; intake: notice).
        VillageNotice = "village_notice" / "村级公示",
        /// Township review.
        TownshipReview = "township_review" / "乡镇审核",
        /// County approval (for exits, after the township's second notice).
        CountyApproval = "county_approval" / "县级审批",
        /// Announcement: exits announced and filed, intakes announced (in force).
        Announcement = "announcement" / "公告",
    }
}

vocabulary! {
    /// Where a village stands on one step.
    StepState as "CampaignStepState" {
        /// No list of the village has reached the step.
        NotStarted = "not_started" / "未开始",
        /// Some list is working on the step.
        InProgress = "in_progress" / "进行中",
        /// A public notice before the step is running.
        NoticeRunning = "notice_running" / "公示中",
        /// Every list of the village is past the step.
        Done = "done" / "已完成",
        /// Not done and past its due date (and the village not excused).
        Late = "late" / "逾期",
    }
}

vocabulary! {
    /// Whether the campaign is open.
    Status as "CampaignStatus" {
        /// Open: villages work, the county follows.
        Open = "open" / "进行中",
        /// Closed by the county: every village done or excused.
        Closed = "closed" / "已结束",
    }
}

/// The common ladder of an exit list and an intake list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Milestone {
    /// Nominated (exit) or applied (intake).
    Started,
    /// Appraised (exit: appraised or verified).
    Appraised,
    /// In the village's notice.
    VillageNotice,
    /// Reviewed by the township (exit: also during the second notice).
    TownshipReviewed,
    /// Approved by the county.
    CountyApproved,
    /// In the announcement (exit).
    Announced,
    /// Nothing left to do: exit filed, intake announced.
    Completed,
}

/// An exit list's place on the ladder.
pub fn exit_milestone(stage: crate::exit::Stage) -> Milestone {
    use crate::exit::Stage as S;
    match stage {
        S::Nominated => Milestone::Started,
        S::Appraised | S::Verified => Milestone::Appraised,
        S::FirstNotice => Milestone::VillageNotice,
        S::TownshipReviewed | S::SecondNotice => Milestone::TownshipReviewed,
        S::Approved => Milestone::CountyApproved,
        S::Announced => Milestone::Announced,
        S::Filed => Milestone::Completed,
    }
}

/// Where one list stands: its milestone and whether a notice is running on it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListProgress {
    /// The milestone.
    pub milestone: Milestone,
    /// A public notice running now (its end still ahead).
    pub notice_running: bool,
}

impl ListProgress {
    /// The progress of a list at `milestone` whose notice, if any, ends at `notice_ends_at`.
    pub fn at(
        milestone: Milestone,
        notice_ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            milestone,
            notice_running: notice_ends_at.is_some_and(|end| now < end),
        }
    }

    fn done(self, step: Step) -> bool {
        use Milestone as M;
        let m = self.milestone;
        match step {
            Step::Appraisal => m >= M::Appraised,
            Step::VillageNotice => {
                m > M::VillageNotice || (m == M::VillageNotice && !self.notice_running)
            }
            Step::TownshipReview => m >= M::TownshipReviewed,
            Step::CountyApproval => m >= M::CountyApproved,
            // Exits announced and filed (an ended announcement still waits for the filing),
            // intakes announced.
            Step::Announcement => m == M::Completed,
        }
    }

    /// The list's state on `step` (never `late`: lateness is the village's, against a date).
    pub fn state(self, step: Step) -> StepState {
        if self.done(step) {
            return StepState::Done;
        }
        let previous = Step::ALL
            .iter()
            .position(|s| *s == step)
            .and_then(|i| i.checked_sub(1))
            .map(|i| Step::ALL[i]);
        match previous {
            Some(p) if !self.done(p) => StepState::NotStarted,
            _ if self.notice_running => StepState::NoticeRunning,
            _ => StepState::InProgress,
        }
    }
}

/// A village's state on `step` from its lists: not started without lists or when none reached
/// the step, done when all are past it, else a notice running on any, else in progress; `late`
/// when not done after `due_on` (the due day itself is in time) unless the village is excused.
pub fn village_state(
    lists: &[ListProgress],
    step: Step,
    due_on: NaiveDate,
    today: NaiveDate,
    excused: bool,
) -> StepState {
    let states: Vec<StepState> = lists.iter().map(|l| l.state(step)).collect();
    let state = if states.is_empty() || states.iter().all(|s| *s == StepState::NotStarted) {
        StepState::NotStarted
    } else if states.iter().all(|s| *s == StepState::Done) {
        StepState::Done
    } else if states.contains(&StepState::NoticeRunning) {
        StepState::NoticeRunning
    } else {
        StepState::InProgress
    };
    if state != StepState::Done && today > due_on && !excused {
        StepState::Late
    } else {
        state
    }
}

/// The nominal due dates of the steps, `days` after `opened_on` by the settings, with any the
/// county gave instead (`given`). Given dates must not be before the opening, and no step may
/// fall due before the one it follows.
///
/// # Errors
/// `Validation` naming `deadlines.<step>`.
pub fn nominal_deadlines(
    settings: &CampaignSettings,
    opened_on: NaiveDate,
    given: &[(Step, NaiveDate)],
) -> Result<Vec<(Step, NaiveDate)>, DomainError> {
    let mut errs = Vec::new();
    let mut out: Vec<(Step, NaiveDate)> = Vec::new();
    for (step, (days, _)) in Step::ALL.iter().zip(settings.days()) {
        let field = format!("deadlines.{}", step.as_str());
        let date = match given.iter().find(|(s, _)| s == step) {
            Some((_, d)) => {
                // Within the campaign's year and the next: a date beyond is a typing error
                // (and one near the end of time overflowed the calendar's reading, a 500).
                let last =
                    NaiveDate::from_ymd_opt(opened_on.year() + 1, 12, 31).unwrap_or(opened_on);
                if *d > last {
                    errs.push(FieldError::new(
                        &field,
                        crate::Rule::other(
                            format!(
                                "{d} is after the end of the year after the campaign opens ({last})"
                            ),
                            format!("{d} 晚于行动开始次年年底({last})"),
                        ),
                    ));
                }
                if *d < opened_on {
                    errs.push(FieldError::new(
                        &field,
                        crate::Rule::other(
                            format!("{d} is before the campaign opens ({opened_on})"),
                            format!("{d} 早于行动开始日期({opened_on})"),
                        ),
                    ));
                }
                *d
            }
            None => opened_on + Duration::days(i64::from(days)),
        };
        if let Some((prev, before)) = out.last()
            && date < *before
        {
            errs.push(FieldError::new(
                &field,
                crate::Rule::other(
                    format!(
                        "{date} is before the due date of {} ({before}), the step it follows",
                        prev.as_str()
                    ),
                    format!(
                        "{date} 早于其前一步骤 {} 的截止日期({before})",
                        prev.as_str()
                    ),
                ),
            ));
        }
        out.push((*step, date));
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// Checks that a campaign can be closed: every village done on every step, or excused.
/// `pending` holds the codes of the villages neither done nor excused.
///
/// # Errors
/// `Conflict` `campaign_villages_pending` naming every such village; `campaign_closed` when the
/// campaign is closed already.
pub fn check_close(status: Status, pending: &[String]) -> Result<(), DomainError> {
    if status == Status::Closed {
        return Err(DomainError::Conflict {
            code: crate::ErrorCode::CampaignClosed,
            message: "the campaign is closed already".into(),
        });
    }
    if pending.is_empty() {
        return Ok(());
    }
    Err(DomainError::Conflict {
        code: crate::ErrorCode::CampaignVillagesPending,
        message: format!(
            "{} village(s) are neither done nor excused: {}",
            pending.len(),
            pending.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 4, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn p(m: Milestone, running: bool) -> ListProgress {
        ListProgress {
            milestone: m,
            notice_running: running,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_list_in_its_village_notice_is_notice_running_there_and_not_started_after() {
        let l = p(Milestone::VillageNotice, true);
        assert_eq!(l.state(Step::Appraisal), StepState::Done);
        assert_eq!(l.state(Step::VillageNotice), StepState::NoticeRunning);
        assert_eq!(l.state(Step::TownshipReview), StepState::NotStarted);
        let ended = ListProgress::at(Milestone::VillageNotice, Some(now()), now());
        assert_eq!(ended.state(Step::VillageNotice), StepState::Done);
        assert_eq!(ended.state(Step::TownshipReview), StepState::InProgress);
    }

    #[test]
    fn the_second_notice_runs_before_the_county_approval() {
        let l = p(Milestone::TownshipReviewed, true);
        assert_eq!(l.state(Step::TownshipReview), StepState::Done);
        assert_eq!(l.state(Step::CountyApproval), StepState::NoticeRunning);
        assert_eq!(
            p(Milestone::Completed, false).state(Step::Announcement),
            StepState::Done
        );
        assert_eq!(
            p(Milestone::Announced, true).state(Step::Announcement),
            StepState::NoticeRunning
        );
        // The announcement over, the exit still waits for its filing.
        assert_eq!(
            p(Milestone::Announced, false).state(Step::Announcement),
            StepState::InProgress
        );
    }

    #[test]
    fn a_village_is_as_far_as_its_slowest_list_and_late_after_the_due_day() {
        let lists = [p(Milestone::Completed, false), p(Milestone::Started, false)];
        let due = d("2026-03-10");
        assert_eq!(
            village_state(&lists, Step::Appraisal, due, d("2026-03-10"), false),
            StepState::InProgress
        );
        assert_eq!(
            village_state(&lists, Step::Appraisal, due, d("2026-03-11"), false),
            StepState::Late
        );
        assert_eq!(
            village_state(&lists, Step::Appraisal, due, d("2026-03-11"), true),
            StepState::InProgress
        );
        assert_eq!(
            village_state(&[], Step::Appraisal, due, d("2026-03-01"), false),
            StepState::NotStarted
        );
        assert_eq!(
            village_state(&lists[..1], Step::Announcement, due, d("2027-01-01"), false),
            StepState::Done
        );
    }

    #[test]
    fn deadlines_default_from_the_settings_and_keep_their_order() {
        let s = CampaignSettings::default();
        let open = d("2026-03-02");
        let all = nominal_deadlines(&s, open, &[]).unwrap_or_default();
        assert_eq!(all.first(), Some(&(Step::Appraisal, d("2026-04-01"))));
        assert_eq!(all.get(4), Some(&(Step::Announcement, d("2026-05-31"))));
        let r = nominal_deadlines(
            &s,
            open,
            &[
                (Step::TownshipReview, d("2026-03-20")),
                (Step::Appraisal, d("2026-03-01")),
            ],
        );
        let Err(DomainError::Validation(errs)) = r else {
            panic!("{r:?}")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["deadlines.appraisal", "deadlines.township_review"]);
        // Not beyond the year after the campaign opens.
        let r = nominal_deadlines(&s, open, &[(Step::Announcement, d("2999-01-01"))]);
        let Err(DomainError::Validation(errs)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(errs[0].field, "deadlines.announcement");
        assert!(nominal_deadlines(&s, open, &[(Step::Announcement, d("2027-12-31"))]).is_ok());
    }

    #[test]
    fn every_exit_stage_has_its_place_on_the_ladder() {
        use crate::exit::Stage as S;
        let ladder: Vec<Milestone> = S::ALL.iter().map(|s| exit_milestone(*s)).collect();
        assert!(ladder.windows(2).all(|w| w[0] <= w[1]), "{ladder:?}");
        let filed = p(exit_milestone(S::Filed), false);
        assert!(Step::ALL.iter().all(|s| filed.state(*s) == StepState::Done));
        let verified = p(exit_milestone(S::Verified), false);
        assert_eq!(verified.state(Step::VillageNotice), StepState::InProgress);
    }

    #[test]
    fn closing_names_every_pending_village() {
        assert!(check_close(Status::Open, &[]).is_ok());
        let r = check_close(
            Status::Open,
            &["370831101201".into(), "370831101202".into()],
        );
        let Err(DomainError::Conflict { code, message }) = r else {
            panic!("{r:?}")
        };
        assert_eq!(code, crate::ErrorCode::CampaignVillagesPending);
        assert!(message.contains("370831101201, 370831101202"), "{message}");
        assert!(check_close(Status::Closed, &[]).is_err());
    }
}
