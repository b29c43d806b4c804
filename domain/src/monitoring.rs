//! Return-to-poverty monitoring (防止返贫动态监测, seed 4): monitored households of three kinds,
//! identified village → township → county within a deadline, helped, and closed by a recorded
//! decision (risk eliminated, or returned to poverty). Early-warning rules turn data into leads.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::cases::Status;
use crate::error::DomainError;
use crate::region::Level;

vocabulary! {
    /// 监测对象类型.
    Kind as "MonitoringKind" {
        /// 脱贫不稳定户.
        UnstableExited = "unstable_exited" / "脱贫不稳定户",
        /// 边缘易致贫户.
        Marginal = "marginal" / "边缘易致贫户",
        /// 突发严重困难户.
        SuddenHardship = "sudden_hardship" / "突发严重困难户",
    }
}

vocabulary! {
    /// 风险类型.
    RiskType {
        /// 因病.
        Illness = "illness" / "因病",
        /// 因残.
        Disability = "disability" / "因残",
        /// 因学.
        Schooling = "schooling" / "因学",
        /// 因灾.
        Disaster = "disaster" / "因灾",
        /// 因意外事故.
        Accident = "accident" / "因意外事故",
        /// 因务工就业不稳.
        Unemployment = "unemployment" / "因务工就业不稳",
        /// 因产业项目失败或收入骤减.
        IncomeDrop = "income_drop" / "因收入骤减",
        /// 因支出骤增.
        ExpenditureSurge = "expenditure_surge" / "因支出骤增",
        /// 其他.
        Other = "other" / "其他",
    }
}

vocabulary! {
    /// Where a monitoring case stands.
    CaseStage as "MonitoringCaseStage" {
        /// Found and proposed by the village (村识别).
        Identified = "identified" / "村已识别",
        /// Reviewed by the township (镇审核).
        TownshipReviewed = "township_reviewed" / "镇已审核",
        /// Confirmed by the county: a monitored household (县确定, 纳入监测).
        Monitored = "monitored" / "监测中",
        /// Closed: the risk is eliminated (风险消除).
        RiskEliminated = "risk_eliminated" / "风险已消除",
        /// Closed: the household fell (back) into poverty (返贫/致贫).
        Returned = "returned" / "返贫致贫",
        /// Closed: not taken into monitoring.
        Dismissed = "dismissed" / "不纳入监测",
    }
}

impl CaseStage {
    /// Whether the case is still open.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Identified | Self::TownshipReviewed | Self::Monitored
        )
    }

    /// Whether identification is still under way (the deadline applies).
    pub fn in_identification(self) -> bool {
        matches!(self, Self::Identified | Self::TownshipReviewed)
    }
}

vocabulary! {
    /// A decision on a monitoring case.
    CaseStep as "MonitoringCaseStep" {
        /// The township reviews the village's proposal.
        TownshipReview = "township_review" / "镇审核",
        /// The county confirms (or not) the household as monitored.
        Confirmation = "confirmation" / "县确定",
        /// Verification after help for a case opened help-first (先救后核).
        PostVerification = "post_verification" / "事后核实",
        /// The county records that the risk is eliminated.
        RiskElimination = "risk_elimination" / "风险消除",
        /// The county records a return to poverty.
        ReturnToPoverty = "return_to_poverty" / "返贫致贫",
    }
}

impl CaseStep {
    /// The level whose users take the step.
    pub fn owner(self) -> Level {
        match self {
            Self::TownshipReview => Level::Township,
            _ => Level::County,
        }
    }
}

vocabulary! {
    /// An early-warning rule.
    LeadRule {
        /// Per-capita income below the monitoring line of the year.
        IncomeBelowLine = "income_below_line" / "人均纯收入低于监测线",
        /// A large medical expense reported.
        MedicalExpense = "medical_expense" / "大额医疗支出",
        /// A disaster reported.
        Disaster = "disaster" / "受灾",
        /// A household that has returned to poverty without an open case.
        ReturnedCase = "returned_case" / "返贫户",
    }
}

vocabulary! {
    /// Where a lead stands in the verification queue.
    LeadStatus {
        /// Waiting for verification.
        Pending = "pending" / "待核实",
        /// Verified: a monitoring case was opened.
        CaseOpened = "case_opened" / "已纳入识别",
        /// Verified: no risk.
        Dismissed = "dismissed" / "核实无风险",
    }
}

/// Whether a household in `status` may be proposed as `kind`.
///
/// # Errors
/// A message naming what the kind requires.
pub fn check_kind(kind: Kind, status: Status) -> Result<(), crate::Rule> {
    let ok = match kind {
        // A household that returned to poverty (a `returned_case` lead) is watched as an
        // unstable exited household until it is stable again.
        Kind::UnstableExited => matches!(status, Status::Exited | Status::Returned),
        Kind::Marginal => status == Status::NonPoor,
        Kind::SuddenHardship => matches!(status, Status::Exited | Status::NonPoor),
    };
    if ok {
        Ok(())
    } else {
        Err(crate::Rule::other(
            format!(
                "a {} case needs a household that is {}, this one is {}",
                kind.as_str(),
                match kind {
                    Kind::UnstableExited => "exited or returned",
                    Kind::Marginal => "non_poor",
                    Kind::SuddenHardship => "exited or non_poor",
                },
                status.as_str()
            ),
            format!(
                "{}只能识别{}的户，该户为{}",
                kind.label(),
                match kind {
                    Kind::UnstableExited => "已脱贫或返贫",
                    Kind::Marginal => "一般农户",
                    Kind::SuddenHardship => "已脱贫或一般农户",
                },
                status.label()
            ),
        ))
    }
}

/// The household status a closed case leaves, given the status before monitoring.
pub fn status_after(stage: CaseStage, before: Status) -> Status {
    match (stage, before) {
        (CaseStage::Returned, Status::Exited | Status::Returned) => Status::Returned,
        (CaseStage::Returned, _) => Status::Registered,
        (CaseStage::RiskEliminated, Status::Returned) => Status::Exited,
        _ => before,
    }
}

/// The last day identification may take: `days` days after the household was found, as a
/// Civil Code period on the working calendar (starting the day after, moved past rest days).
pub fn deadline(calendar: &Calendar, found_on: NaiveDate, days: i32) -> NaiveDate {
    calendar
        .period(found_on, u32::try_from(days).unwrap_or(0))
        .last_day
}

/// Days past the deadline on `today` (0 when not overdue).
pub fn overdue_days(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (today - deadline).num_days().max(0)
}

/// Checks a decision against the case's stage; returns the stage it leads to.
///
/// `approve` chooses between the two outcomes of a review, confirmation or post-verification.
///
/// # Errors
/// `Conflict` `step_out_of_order` naming what the case needs; `precondition` messages for a
/// post-verification of a case not opened help-first, or a second one.
pub fn check_case_step(
    stage: CaseStage,
    step: CaseStep,
    approve: bool,
    rescue_first: bool,
    post_verified: Option<bool>,
) -> Result<CaseStage, DomainError> {
    let out_of_order = |needs: &str| DomainError::Conflict {
        code: crate::ErrorCode::StepOutOfOrder,
        message: format!(
            "{} needs a case that is {needs}; this one is {}",
            step.as_str(),
            stage.as_str()
        ),
    };
    match step {
        CaseStep::TownshipReview => match stage {
            CaseStage::Identified => Ok(if approve {
                CaseStage::TownshipReviewed
            } else {
                CaseStage::Dismissed
            }),
            _ => Err(out_of_order("identified")),
        },
        CaseStep::Confirmation => match stage {
            CaseStage::TownshipReviewed => Ok(if approve {
                CaseStage::Monitored
            } else {
                CaseStage::Dismissed
            }),
            _ => Err(out_of_order("township_reviewed")),
        },
        CaseStep::PostVerification => {
            if stage != CaseStage::Monitored {
                return Err(out_of_order("monitored"));
            }
            if !rescue_first || post_verified.is_some() {
                return Err(DomainError::Conflict {
                    code: crate::ErrorCode::NotAwaitingVerification,
                    message: "only a case opened help-first (先救后核) is verified after, once"
                        .into(),
                });
            }
            Ok(if approve {
                CaseStage::Monitored
            } else {
                CaseStage::Dismissed
            })
        }
        CaseStep::RiskElimination | CaseStep::ReturnToPoverty => {
            if stage != CaseStage::Monitored {
                return Err(out_of_order("monitored"));
            }
            if rescue_first && post_verified.is_none() {
                return Err(DomainError::Conflict {
                    code: crate::ErrorCode::AwaitingVerification,
                    message: "this case was opened help-first (先救后核): verify it before closing"
                        .into(),
                });
            }
            Ok(if step == CaseStep::RiskElimination {
                CaseStage::RiskEliminated
            } else {
                CaseStage::Returned
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_need_the_right_household() {
        assert!(check_kind(Kind::UnstableExited, Status::Exited).is_ok());
        assert!(check_kind(Kind::UnstableExited, Status::Registered).is_err());
        assert!(check_kind(Kind::UnstableExited, Status::Returned).is_ok());
        assert!(check_kind(Kind::Marginal, Status::NonPoor).is_ok());
        assert!(check_kind(Kind::Marginal, Status::Exited).is_err());
        assert!(check_kind(Kind::SuddenHardship, Status::Exited).is_ok());
        assert!(check_kind(Kind::SuddenHardship, Status::Monitored).is_err());
    }

    #[test]
    fn identification_moves_village_township_county() {
        use CaseStage::*;
        use CaseStep::*;
        let ok = |stage, step, approve| check_case_step(stage, step, approve, false, None).ok();
        assert_eq!(ok(Identified, TownshipReview, true), Some(TownshipReviewed));
        assert_eq!(ok(Identified, TownshipReview, false), Some(Dismissed));
        assert_eq!(ok(Identified, Confirmation, true), None);
        assert_eq!(ok(TownshipReviewed, Confirmation, true), Some(Monitored));
        assert_eq!(ok(TownshipReviewed, RiskElimination, true), None);
        assert_eq!(ok(Monitored, RiskElimination, true), Some(RiskEliminated));
        assert_eq!(ok(Monitored, ReturnToPoverty, true), Some(Returned));
        assert_eq!(ok(Returned, RiskElimination, true), None);
        assert_eq!(ok(Monitored, PostVerification, true), None);
    }

    #[test]
    fn help_first_cases_are_verified_after_before_closing() {
        use CaseStage::*;
        use CaseStep::*;
        assert!(check_case_step(Monitored, RiskElimination, true, true, None).is_err());
        assert_eq!(
            check_case_step(Monitored, PostVerification, false, true, None).ok(),
            Some(Dismissed)
        );
        assert!(check_case_step(Monitored, PostVerification, true, true, Some(true)).is_err());
        assert_eq!(
            check_case_step(Monitored, RiskElimination, true, true, Some(true)).ok(),
            Some(RiskEliminated)
        );
    }

    #[test]
    fn closing_restores_or_moves_the_household() {
        assert_eq!(
            status_after(CaseStage::Returned, Status::Exited),
            Status::Returned
        );
        assert_eq!(
            status_after(CaseStage::Returned, Status::NonPoor),
            Status::Registered
        );
        assert_eq!(
            status_after(CaseStage::RiskEliminated, Status::Exited),
            Status::Exited
        );
        assert_eq!(
            status_after(CaseStage::Dismissed, Status::NonPoor),
            Status::NonPoor
        );
    }

    #[test]
    fn overdue_counts_days_past_the_deadline() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let cal = Calendar::new([(d("2022-04-04"), crate::calendar::DayKind::Holiday)]);
        assert_eq!(deadline(&cal, d("2022-03-01"), 15), d("2022-03-16"));
        // The 15th day is a Saturday: the deadline moves to Monday.
        assert_eq!(deadline(&cal, d("2022-03-04"), 15), d("2022-03-21"));
        // The 15th day is a Sunday before a holiday Monday: Tuesday.
        assert_eq!(deadline(&cal, d("2022-03-19"), 15), d("2022-04-05"));
        assert_eq!(overdue_days(d("2022-03-16"), d("2022-03-16")), 0);
        assert_eq!(overdue_days(d("2022-03-16"), d("2022-03-18")), 2);
    }
}
