//! Intake of households into poverty support (新识别和返贫户及时纳入, seed 1; issue 19 item 2): a
//! procedure mirroring exit over an intake list (one village, one year). A household enters as
//! newly identified (`new`: a non-poor household, becomes `registered`) or as a return to
//! poverty (`return`: an exited or monitored household, becomes `returned`).
//!
//! The order of steps is this module's; the shared part of every step's check (a notice ended,
//! households left) is [`crate::exit::check_notice_over`], the same code exit lists run.

use chrono::{DateTime, Utc};

use crate::campaign::Milestone;
use crate::cases::household::Status;
use crate::error::DomainError;
use crate::region::Level;

vocabulary! {
    /// Where an intake list stands.
    Stage as "IntakeStage" {
        /// 农户申请或摸底排查: the list is drawn up.
        Applied = "applied" / "已申请",
        /// 村民代表大会民主评议.
        Appraised = "appraised" / "已民主评议",
        /// 村级公示.
        Notice = "notice" / "公示",
        /// 乡镇审核.
        TownshipReviewed = "township_reviewed" / "镇已审核",
        /// 县审批.
        Approved = "approved" / "县已审批",
        /// 公告: the households are in (registered or returned).
        Announced = "announced" / "已公告",
    }
}

vocabulary! {
    /// A step of the intake procedure after the application.
    Step as "IntakeStep" {
        /// Democratic appraisal by the village representative assembly.
        Appraisal = "appraisal" / "民主评议",
        /// Opening of the village's public notice.
        Notice = "notice" / "公示",
        /// Township review.
        TownshipReview = "township_review" / "镇审核",
        /// County approval.
        Approval = "approval" / "县审批",
        /// Announcement: the households enter.
        Announcement = "announcement" / "公告",
    }
}

vocabulary! {
    /// How a household enters.
    Kind as "IntakeKind" {
        /// Newly identified (新识别): a non-poor household becomes registered.
        New = "new" / "新识别",
        /// Returned to poverty (返贫): an exited or monitored household becomes returned.
        Return = "return" / "返贫",
    }
}

vocabulary! {
    /// How the list began (seed 1: 农户申请 or 摸底排查).
    Source as "IntakeSource" {
        /// The households applied.
        Application = "application" / "农户申请",
        /// The village found them in its screening.
        Screening = "screening" / "摸底排查",
    }
}

impl Step {
    /// The stage the step must follow and the stage it leads to.
    pub fn transition(self) -> (Stage, Stage) {
        match self {
            Self::Appraisal => (Stage::Applied, Stage::Appraised),
            Self::Notice => (Stage::Appraised, Stage::Notice),
            Self::TownshipReview => (Stage::Notice, Stage::TownshipReviewed),
            Self::Approval => (Stage::TownshipReviewed, Stage::Approved),
            Self::Announcement => (Stage::Approved, Stage::Announced),
        }
    }

    /// Whether the seed requires evidence of the step (the appraisal meeting's sign-in sheet,
    /// the posting of the notice and of the announcement): with the setting
    /// `exit.require_stored_evidence`, a file stored for the list.
    pub fn needs_evidence(self) -> bool {
        matches!(self, Self::Appraisal | Self::Notice | Self::Announcement)
    }

    /// The level whose users take the step.
    pub fn owner(self) -> Level {
        match self {
            Self::Appraisal | Self::Notice => Level::Village,
            Self::TownshipReview => Level::Township,
            Self::Approval | Self::Announcement => Level::County,
        }
    }
}

impl Stage {
    /// The list's place on the campaign's common ladder.
    pub fn milestone(self) -> Milestone {
        match self {
            Self::Applied => Milestone::Started,
            Self::Appraised => Milestone::Appraised,
            Self::Notice => Milestone::VillageNotice,
            Self::TownshipReviewed => Milestone::TownshipReviewed,
            Self::Approved => Milestone::CountyApproved,
            Self::Announced => Milestone::Completed,
        }
    }
}

/// Checks that `step` may be taken on a list at `stage` (notice ending at `notice_ends_at`,
/// `open_objections` raised during it unresolved, `listed` households left) and returns the
/// stage it leads to.
///
/// # Errors
/// `Conflict` `step_out_of_order` (naming the next step), `notice_period_running`,
/// `objections_open`, `list_empty`.
pub fn check_step(
    stage: Stage,
    notice_ends_at: Option<DateTime<Utc>>,
    open_objections: i64,
    listed: i64,
    step: Step,
    now: DateTime<Utc>,
) -> Result<Stage, DomainError> {
    let (from, to) = step.transition();
    if stage != from {
        let next = Step::ALL
            .iter()
            .find(|s| s.transition().0 == stage)
            .map_or("none: the list is announced", |s| s.as_str());
        return Err(DomainError::Conflict {
            code: crate::ErrorCode::StepOutOfOrder,
            message: format!(
                "{} follows the stage {}, but the list is at {}; the next step is {next}",
                step.as_str(),
                from.as_str(),
                stage.as_str()
            ),
        });
    }
    crate::exit::check_notice_over(
        stage.as_str(),
        stage == Stage::Notice,
        notice_ends_at,
        open_objections,
        listed,
        step.as_str(),
        now,
    )?;
    Ok(to)
}

/// Checks that an objection may be recorded now: only while the village's notice runs (the
/// village records it, as it owns the notice).
///
/// # Errors
/// `Conflict` `no_notice_running`.
pub fn check_objection(
    stage: Stage,
    notice_ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if stage == Stage::Notice && notice_ends_at.is_some_and(|end| now < end) {
        return Ok(());
    }
    Err(DomainError::Conflict {
        code: crate::ErrorCode::NoNoticeRunning,
        message: format!(
            "objections are raised during the village's public notice; the list is at {} with no notice running",
            stage.as_str()
        ),
    })
}

/// The status a household of `status` takes when it enters as `kind`. A monitored household
/// enters as what it was before its monitoring case (`monitored_from`, the open case's
/// `status_before`): one never poor (a marginal or sudden-hardship case) is newly identified
/// (致贫), an exited one returns (返贫). Its case is then closed by the entry.
///
/// # Errors
/// A message saying which households may enter so.
pub fn entering_status(
    kind: Kind,
    status: Status,
    monitored_from: Option<Status>,
) -> Result<Status, crate::Rule> {
    let status = match (status, monitored_from) {
        (Status::Monitored, Some(before @ (Status::NonPoor | Status::Exited))) => before,
        _ => status,
    };
    match (kind, status) {
        (Kind::New, Status::NonPoor) => Ok(Status::Registered),
        (Kind::Return, Status::Exited | Status::Monitored) => Ok(Status::Returned),
        (Kind::New, s) => Err(crate::Rule::other(
            format!(
                "is {}: only a non-poor household (non_poor) is newly identified",
                s.as_str()
            ),
            format!("状态为 {}:只有非贫困户(non_poor)才能新识别", s.as_str()),
        )),
        (Kind::Return, s) => Err(crate::Rule::other(
            format!(
                "is {}: only an exited or monitored household returns to poverty",
                s.as_str()
            ),
            format!("状态为 {}:只有已退出或监测户才能返贫", s.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn steps_follow_in_order_and_wait_for_the_notice() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 1, 4, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            check_step(Stage::Applied, None, 0, 1, Step::Appraisal, now).ok(),
            Some(Stage::Appraised)
        );
        let e = check_step(Stage::Applied, None, 0, 1, Step::Approval, now);
        assert!(
            format!("{e:?}").contains("the next step is appraisal"),
            "{e:?}"
        );
        let end = now + Duration::days(1);
        let e = check_step(Stage::Notice, Some(end), 0, 1, Step::TownshipReview, now);
        assert!(format!("{e:?}").contains("NoticePeriodRunning"), "{e:?}");
        assert!(check_step(Stage::Notice, Some(end), 0, 1, Step::TownshipReview, end).is_ok());
        let e = check_step(Stage::Notice, Some(end), 1, 1, Step::TownshipReview, end);
        assert!(format!("{e:?}").contains("ObjectionsOpen"), "{e:?}");
        assert!(check_step(Stage::Approved, None, 0, 0, Step::Announcement, now).is_err());
        // Objections only while the notice runs.
        assert!(check_objection(Stage::Notice, Some(end), now).is_ok());
        assert!(check_objection(Stage::Notice, Some(end), end).is_err());
        assert!(check_objection(Stage::Appraised, None, now).is_err());
    }

    #[test]
    fn who_may_enter_how() {
        assert_eq!(
            entering_status(Kind::New, Status::NonPoor, None),
            Ok(Status::Registered)
        );
        assert_eq!(
            entering_status(Kind::Return, Status::Monitored, Some(Status::Exited)),
            Ok(Status::Returned)
        );
        assert!(entering_status(Kind::New, Status::Exited, None).is_err());
        assert!(entering_status(Kind::Return, Status::Registered, None).is_err());
        // A monitored household that was never poor is newly identified, not returned (it
        // was let in as returned, and its case could then close neither way).
        assert_eq!(
            entering_status(Kind::New, Status::Monitored, Some(Status::NonPoor)),
            Ok(Status::Registered)
        );
        assert!(entering_status(Kind::Return, Status::Monitored, Some(Status::NonPoor)).is_err());
        assert!(entering_status(Kind::New, Status::Monitored, Some(Status::Exited)).is_err());
    }
}
