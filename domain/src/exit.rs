//! Exit of households from poverty (贫困户退出, seed 1): who may be nominated, and the procedure
//! as a state machine over an exit list (one village, one year).
//!
//! Each step belongs to one level (village, township, county), follows exactly one stage, and —
//! where the stage before it is a public notice — may be taken only once the notice period has
//! ended and every objection raised during it is resolved. Time is an argument, so the rules are
//! tested here without a clock.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::error::DomainError;
use crate::region::Level;

vocabulary! {
    /// Where an exit list stands.
    Stage as "ExitStage" {
        /// 村民小组提名.
        Nominated = "nominated" / "村民小组已提名",
        /// 村民代表大会民主评议.
        Appraised = "appraised" / "已民主评议",
        /// 村委会和驻村工作队核实.
        Verified = "verified" / "已核实",
        /// 第一次公示 (village, initial list).
        FirstNotice = "first_notice" / "第一次公示",
        /// 镇审核 (the township list is fixed).
        TownshipReviewed = "township_reviewed" / "镇已审核",
        /// 第二次公示.
        SecondNotice = "second_notice" / "第二次公示",
        /// 县扶贫开发领导小组审批.
        Approved = "approved" / "县已审批",
        /// 公告.
        Announced = "announced" / "公告",
        /// 逐级报市、省备案.
        Filed = "filed" / "已备案",
    }
}

vocabulary! {
    /// A step of the procedure after nomination.
    Step as "ExitStep" {
        /// Democratic appraisal by the village representative assembly.
        Appraisal = "appraisal" / "民主评议",
        /// Verification by the village committee and the resident team.
        Verification = "verification" / "核实",
        /// Opening of the first notice.
        FirstNotice = "first_notice" / "第一次公示",
        /// Township review.
        TownshipReview = "township_review" / "镇审核",
        /// Opening of the second notice.
        SecondNotice = "second_notice" / "第二次公示",
        /// County approval.
        Approval = "approval" / "县审批",
        /// Opening of the announcement.
        Announcement = "announcement" / "公告",
        /// Filing with city and province.
        Filing = "filing" / "备案",
    }
}

impl Step {
    /// The stage the step must follow and the stage it leads to.
    pub fn transition(self) -> (Stage, Stage) {
        match self {
            Self::Appraisal => (Stage::Nominated, Stage::Appraised),
            Self::Verification => (Stage::Appraised, Stage::Verified),
            Self::FirstNotice => (Stage::Verified, Stage::FirstNotice),
            Self::TownshipReview => (Stage::FirstNotice, Stage::TownshipReviewed),
            Self::SecondNotice => (Stage::TownshipReviewed, Stage::SecondNotice),
            Self::Approval => (Stage::SecondNotice, Stage::Approved),
            Self::Announcement => (Stage::Approved, Stage::Announced),
            Self::Filing => (Stage::Announced, Stage::Filed),
        }
    }

    /// The level whose users take the step.
    pub fn owner(self) -> Level {
        match self {
            Self::Appraisal | Self::Verification | Self::FirstNotice => Level::Village,
            Self::TownshipReview | Self::SecondNotice => Level::Township,
            Self::Approval | Self::Announcement | Self::Filing => Level::County,
        }
    }

    /// Whether the step opens a notice period.
    pub fn opens_notice(self) -> bool {
        matches!(
            self,
            Self::FirstNotice | Self::SecondNotice | Self::Announcement
        )
    }

    /// Whether seed 1 asks for evidence of the step: the appraisal meeting (its sign-in sheet)
    /// and each notice's posting (a photo of it). With `exit.require_stored_evidence` such a
    /// step needs an attachment stored for the list.
    pub fn needs_evidence(self) -> bool {
        self == Self::Appraisal || self.opens_notice()
    }
}

impl Stage {
    /// Whether the stage is a notice period (objections may be raised while it runs).
    pub fn is_notice(self) -> bool {
        matches!(
            self,
            Self::FirstNotice | Self::SecondNotice | Self::Announced
        )
    }

    /// The level that records and resolves objections raised during this notice.
    pub fn notice_owner(self) -> Option<Level> {
        match self {
            Self::FirstNotice => Some(Level::Village),
            Self::SecondNotice => Some(Level::Township),
            Self::Announced => Some(Level::County),
            _ => None,
        }
    }

    /// The step that may follow, if any.
    pub fn next_step(self) -> Option<Step> {
        Step::ALL.iter().copied().find(|s| s.transition().0 == self)
    }
}

/// What the rules need to know about a list to decide on a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListState {
    /// Current stage.
    pub stage: Stage,
    /// End of the running notice period, if the stage is a notice.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Objections not yet resolved.
    pub open_objections: i64,
    /// Households still on the list.
    pub listed: i64,
}

fn refuse(code: crate::ErrorCode, message: String) -> DomainError {
    DomainError::Conflict { code, message }
}

/// Checks that `step` may be taken now and returns the stage it leads to.
///
/// # Errors
/// `Conflict` with code `step_out_of_order` (the list is not at the stage the step follows),
/// `notice_period_running` (with the end), `objections_open`, or `list_empty`.
pub fn check_step(state: &ListState, step: Step, now: DateTime<Utc>) -> Result<Stage, DomainError> {
    let (from, to) = step.transition();
    if state.stage != from {
        let expected = state.stage.next_step().map_or_else(
            || "none: the list is filed".to_string(),
            |s| s.as_str().to_string(),
        );
        return Err(refuse(
            crate::ErrorCode::StepOutOfOrder,
            format!(
                "{} follows the stage {}, but the list is at {}; the next step is {expected}",
                step.as_str(),
                from.as_str(),
                state.stage.as_str()
            ),
        ));
    }
    check_notice_over(
        state.stage.as_str(),
        state.stage.is_notice(),
        state.notice_ends_at,
        state.open_objections,
        state.listed,
        step.as_str(),
        now,
    )?;
    Ok(to)
}

/// Checks a review's removals (exit and intake alike) against the households on the list: each
/// removed household is on the list and named once (`removals[i].household_id`), and at least one
/// household stays on it.
///
/// # Errors
/// `Validation` naming each bad removal; `Conflict` `list_empty` when every household would go.
pub fn check_removals(removals: &[uuid::Uuid], listed: &[uuid::Uuid]) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    for (i, id) in removals.iter().enumerate() {
        let rule = if !listed.contains(id) {
            crate::Rule::NotOnList
        } else if removals[..i].contains(id) {
            crate::Rule::ListedTwice
        } else {
            continue;
        };
        errs.push(crate::FieldError::new(
            format!("removals[{i}].household_id"),
            rule,
        ));
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    if removals.len() == listed.len() {
        return Err(DomainError::Conflict {
            code: crate::ErrorCode::ListEmpty,
            message: "a review cannot take every household off the list".into(),
        });
    }
    Ok(())
}

/// The part of a step's check every procedure shares (exit, intake): after a notice, the period
/// must have ended and every objection raised during it be resolved; and households must be
/// left on the list. `stage` names the list's stage, `is_notice` says whether it is a notice.
///
/// # Errors
/// `Conflict` `notice_period_running` (with the end), `objections_open`, `list_empty`.
pub fn check_notice_over(
    stage: &str,
    is_notice: bool,
    notice_ends_at: Option<DateTime<Utc>>,
    open_objections: i64,
    listed: i64,
    step: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if is_notice {
        match notice_ends_at {
            Some(end) if now < end => {
                return Err(refuse(
                    crate::ErrorCode::NoticePeriodRunning,
                    format!(
                        "the {stage} runs until {}; {step} can be taken after it ends",
                        crate::calendar::ends_text(end),
                    ),
                ));
            }
            _ => {}
        }
        if open_objections > 0 {
            return Err(refuse(
                crate::ErrorCode::ObjectionsOpen,
                format!(
                    "{open_objections} objection(s) raised during the {stage} are not resolved"
                ),
            ));
        }
    }
    if listed == 0 {
        return Err(refuse(
            crate::ErrorCode::ListEmpty,
            "no household is left on the list".to_string(),
        ));
    }
    Ok(())
}

vocabulary! {
    /// Who signs the verification (seed 1: 村两委和驻村工作队核实).
    SignoffBody as "ExitSignoffBody" {
        /// 村两委: a village user with `workflow:village` at the list's village.
        VillageCommittee = "village_committee" / "村两委",
        /// 驻村工作队: a member (in term, linked to the user) of a team serving the village.
        ResidentTeam = "resident_team" / "驻村工作队",
    }
}

/// Decides on a verification sign-off by `user` for `body`, given the sign-offs recorded
/// (`(body, user)`), the list's stage, and whether the resident team's sign-off is required.
/// Returns whether the list is verified once this sign-off is recorded.
///
/// # Errors
/// `Conflict` `step_out_of_order` (the list is not appraised), `already_signed` (the body
/// signed), `same_signatory` (the user signed for the other body).
pub fn check_signoff<U: PartialEq + Copy>(
    stage: Stage,
    recorded: &[(SignoffBody, U)],
    body: SignoffBody,
    user: U,
    team_required: bool,
) -> Result<bool, DomainError> {
    if stage != Stage::Appraised {
        return Err(refuse(
            crate::ErrorCode::StepOutOfOrder,
            format!(
                "the {} sign-off is given while the list is appraised, and it is at {}",
                body.as_str(),
                stage.as_str()
            ),
        ));
    }
    if recorded.iter().any(|(b, _)| *b == body) {
        return Err(refuse(
            crate::ErrorCode::AlreadySigned,
            format!("the {} has signed this verification already", body.as_str()),
        ));
    }
    if recorded.iter().any(|(_, u)| *u == user) {
        return Err(refuse(
            crate::ErrorCode::SameSignatory,
            format!(
                "you signed this verification for the other body; the {} sign-off is another person's",
                body.as_str()
            ),
        ));
    }
    let village = body == SignoffBody::VillageCommittee
        || recorded
            .iter()
            .any(|(b, _)| *b == SignoffBody::VillageCommittee);
    let team = body == SignoffBody::ResidentTeam
        || recorded
            .iter()
            .any(|(b, _)| *b == SignoffBody::ResidentTeam);
    Ok(village && (team || !team_required))
}

/// Decides on the acknowledgement of a filing (逐级报市、省备案) at `level`, given the levels that
/// acknowledged already: the city first, then the province, each once, after the filing.
///
/// # Errors
/// `Conflict` `step_out_of_order` (not filed, or the province before the city),
/// `already_acknowledged`; `Forbidden` for a level other than city or province.
pub fn check_acknowledgement(
    stage: Stage,
    recorded: &[Level],
    level: Level,
) -> Result<(), DomainError> {
    if level != Level::City && level != Level::Province {
        return Err(DomainError::Forbidden(format!(
            "a filing is acknowledged by the city, then the province, not at the {} level",
            level.name()
        )));
    }
    if stage != Stage::Filed {
        return Err(refuse(
            crate::ErrorCode::StepOutOfOrder,
            format!(
                "a list is acknowledged once filed, and it is at {}",
                stage.as_str()
            ),
        ));
    }
    if recorded.contains(&level) {
        return Err(refuse(
            crate::ErrorCode::AlreadyAcknowledged,
            format!("the {} has acknowledged this filing already", level.name()),
        ));
    }
    if level == Level::Province && !recorded.contains(&Level::City) {
        return Err(refuse(
            crate::ErrorCode::StepOutOfOrder,
            "the city acknowledges the filing before the province (逐级备案)".into(),
        ));
    }
    Ok(())
}

/// Whether the submission report (seed 1 附件7, 关于送审建档立卡贫困户退出的报告: the township's, to
/// the county) can be produced now. It submits the township's list to the county leading group for approval "经公示
/// 无异议后": so from the moment the second notice has ended with no objection open and households
/// left — exactly when the county's approval may be taken — and at every later stage. It is the
/// request for the approval, not its record: the approval is its own step.
///
/// # Errors
/// `Conflict` `document_not_ready` saying why (the list before its second notice, the notice
/// running until its end, objections open, no household left).
pub fn check_submission_ready(state: &ListState, now: DateTime<Utc>) -> Result<(), DomainError> {
    let rank = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let not_ready = |why: String| {
        refuse(
            crate::ErrorCode::DocumentNotReady,
            format!(
                "the submission report (county_report) is produced once the second notice has ended without objection: {why}"
            ),
        )
    };
    match rank(state.stage).cmp(&rank(Stage::SecondNotice)) {
        std::cmp::Ordering::Greater => Ok(()),
        std::cmp::Ordering::Less => Err(not_ready(format!(
            "the list is at {}",
            state.stage.as_str()
        ))),
        std::cmp::Ordering::Equal => match check_step(state, Step::Approval, now) {
            Ok(_) => Ok(()),
            Err(DomainError::Conflict { code, message }) => Err(not_ready(match code {
                crate::ErrorCode::NoticePeriodRunning => format!(
                    "the second_notice runs until {}",
                    state
                        .notice_ends_at
                        .map(crate::calendar::ends_text)
                        .unwrap_or_default()
                ),
                _ => message,
            })),
            Err(e) => Err(e),
        },
    }
}

/// Checks that an objection may be raised now.
///
/// # Errors
/// `Conflict` `no_notice_running` outside a running notice period.
pub fn check_objection(state: &ListState, now: DateTime<Utc>) -> Result<Level, DomainError> {
    let open = state.stage.is_notice() && state.notice_ends_at.is_some_and(|end| now < end);
    match (open, state.stage.notice_owner()) {
        (true, Some(owner)) => Ok(owner),
        _ => Err(refuse(
            crate::ErrorCode::NoNoticeRunning,
            format!(
                "objections are raised during a public notice; the list is at {} with no notice running",
                state.stage.as_str()
            ),
        )),
    }
}

/// The step a dated step follows, as its date must respect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follows {
    /// The step's name (`verification`, `first_notice`).
    pub step: String,
    /// The date it happened.
    pub on: NaiveDate,
    /// For a notice: its last day; the next step is dated after it.
    pub notice_last_day: Option<NaiveDate>,
}

/// Checks the date a step happened (a meeting, a posting, a decision), entered `today`: not in
/// the future, at most `backdate_days` before today, and not before the step it follows (after
/// the last day of a notice it follows).
///
/// # Errors
/// `Validation` naming `field`, the date and the date it must not precede.
pub fn check_step_date(
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
    backdate_days: i32,
    follows: Option<&Follows>,
) -> Result<(), DomainError> {
    let refuse =
        |en: String, zh: String| Err(DomainError::field(field, crate::Rule::other(en, zh)));
    if date > today {
        return refuse(
            format!("{date} is in the future (today is {today})"),
            format!("{date} 晚于今天({today})"),
        );
    }
    let earliest = today - Duration::days(i64::from(backdate_days.max(0)));
    if date < earliest {
        return refuse(
            format!(
                "{date} is more than {backdate_days} days before the day it is entered ({today}): \
                 it must be on or after {earliest}"
            ),
            format!("{date} 比录入日({today})早 {backdate_days} 天以上:不能早于 {earliest}"),
        );
    }
    if let Some(f) = follows {
        if let Some(last) = f.notice_last_day
            && date <= last
        {
            return refuse(
                format!(
                    "{date} is within the {}, which runs until {last}: it must be after {last}",
                    f.step
                ),
                format!("{date} 处于 {} 期间(至 {last}):必须晚于 {last}", f.step),
            );
        }
        if date < f.on {
            return refuse(
                format!(
                    "{date} is before {}, the date of the {} it follows: it must be on or after {}",
                    f.on, f.step, f.on
                ),
                format!(
                    "{date} 早于其前一步骤“{}”的日期 {}:不能早于 {}",
                    f.step, f.on, f.on
                ),
            );
        }
    }
    Ok(())
}

/// The indicators of a household's yearly record that decide exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicators {
    /// 人均纯收入, fen.
    pub income_per_capita_fen: i64,
    /// 不愁吃.
    pub enough_food: bool,
    /// 不愁穿.
    pub enough_clothing: bool,
    /// 义务教育有保障 (no child out of school because of poverty).
    pub compulsory_education: bool,
    /// 基本医疗有保障.
    pub basic_medical: bool,
    /// 住房安全有保障.
    pub safe_housing: bool,
    /// 饮水安全.
    pub safe_drinking_water: bool,
}

/// One exit criterion, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// Stable code.
    pub code: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Whether it is met.
    pub met: bool,
    /// What was found, in words.
    pub detail: String,
    /// For income: how far below the line (fen) the household is in its worst year; 0 when
    /// above in every year; absent when a year has no record or no line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall_fen: Option<i64>,
    /// For income: each year judged, with its income and line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<IncomeYear>,
}

/// Formats fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

/// One year of the income criterion's evidence: the household's recorded per-capita net income
/// and the province's line for that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IncomeYear {
    /// Year.
    pub year: i32,
    /// 人均纯收入 recorded for the year, fen (absent: no record).
    pub income_per_capita_fen: Option<i64>,
    /// The year's poverty line, fen (absent: none set).
    pub poverty_line_fen: Option<i64>,
}

/// The years the income criterion looks at for an exit in `year`: the `stable_years` years
/// ending with it (`exit.stable_income_years`; at least the exit year itself), oldest first.
pub fn income_years(year: i32, stable_years: i32) -> std::ops::RangeInclusive<i32> {
    (year - stable_years.max(1) + 1)..=year
}

const INCOME_LABEL: &str = "人均纯收入稳定超过当年省定扶贫标准";

/// The income criterion (seed 1 §三: 年人均纯收入稳定超过当年省定扶贫标准): "above" the line of
/// each year (exactly on it is one fen short), and "stably": every year in `years` (see
/// [`income_years`]) must have a record and a line and be above it. A year without either fails
/// the criterion, naming the year.
pub fn income_criterion(years: &[IncomeYear]) -> Criterion {
    let mut failures = Vec::new();
    let mut passes = Vec::new();
    let mut shortfall = Some(0_i64);
    for y in years {
        match (y.income_per_capita_fen, y.poverty_line_fen) {
            (None, _) => {
                shortfall = None;
                failures.push(format!("the household has no record for {}", y.year));
            }
            (Some(_), None) => {
                shortfall = None;
                failures.push(format!(
                    "no poverty line is set for {} in this province",
                    y.year
                ));
            }
            (Some(income), Some(line)) if income > line => passes.push(format!(
                "{} yuan is above the {} line of {} yuan",
                yuan(income),
                y.year,
                yuan(line)
            )),
            (Some(income), Some(line)) => {
                let short = line - income + 1;
                shortfall = shortfall.map(|s| s.max(short));
                failures.push(format!(
                    "per-capita net income {} yuan must exceed the {} line of {} yuan: {} yuan short",
                    yuan(income),
                    y.year,
                    yuan(line),
                    yuan(short)
                ));
            }
        }
    }
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("in each year {}–{}", a.year, b.year),
        (Some(a), _) => format!("in {}", a.year),
        _ => String::new(),
    };
    let met = failures.is_empty() && !years.is_empty();
    Criterion {
        code: "income_above_line",
        label: INCOME_LABEL,
        met,
        detail: if met {
            format!("per-capita net income {span}: {}", passes.join("; "))
        } else if years.is_empty() {
            "no year to judge the income by".to_string()
        } else {
            format!(
                "per-capita net income must be above the line {span}: {}",
                failures.join("; ")
            )
        },
        shortfall_fen: shortfall,
        years: years.to_vec(),
    }
}

/// Evaluates the exit criteria for `year` (seed 1: income stably above the provincial line,
/// safe housing, no child out of school because of poverty; and the other 两不愁三保障).
/// `record` is the household's record for the year; `income` the income criterion's years (see
/// [`income_years`] and [`income_criterion`]), the last of them `year`.
pub fn evaluate(year: i32, record: Option<&Indicators>, income: &[IncomeYear]) -> Vec<Criterion> {
    let Some(r) = record else {
        return vec![Criterion {
            code: "yearly_record",
            label: "年度收入和两不愁三保障记录",
            met: false,
            detail: format!("the household has no record for {year}"),
            shortfall_fen: None,
            years: Vec::new(),
        }];
    };
    let income = income_criterion(income);
    let flag = |code, label, ok: bool, what: &str| Criterion {
        code,
        label,
        met: ok,
        detail: if ok {
            format!("{what}: yes")
        } else {
            format!("{what}: not assured")
        },
        shortfall_fen: None,
        years: Vec::new(),
    };
    vec![
        income,
        flag(
            "safe_housing",
            "住房安全有保障",
            r.safe_housing,
            "safe housing",
        ),
        flag(
            "compulsory_education",
            "无因贫辍学学生",
            r.compulsory_education,
            "no child out of school because of poverty",
        ),
        flag("enough_food", "不愁吃", r.enough_food, "enough food"),
        flag(
            "enough_clothing",
            "不愁穿",
            r.enough_clothing,
            "enough clothing",
        ),
        flag(
            "basic_medical",
            "基本医疗有保障",
            r.basic_medical,
            "basic medical cover",
        ),
        flag(
            "safe_drinking_water",
            "饮水安全有保障",
            r.safe_drinking_water,
            "safe drinking water",
        ),
    ]
}

/// Votes of the village representative assembly on one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Votes {
    /// 赞成.
    pub for_: i32,
    /// 反对.
    pub against: i32,
    /// 弃权.
    pub abstain: i32,
}

impl Votes {
    /// Checks the tally against the attendance; returns whether the household passes (more
    /// than half of the attending representatives voted for it).
    ///
    /// # Errors
    /// A message when counts are negative or exceed the attendance.
    pub fn passes(&self, attendees: i32) -> Result<bool, crate::Rule> {
        if self.for_ < 0 || self.against < 0 || self.abstain < 0 {
            return Err(crate::Rule::other(
                "votes must not be negative",
                "票数不能为负数",
            ));
        }
        let cast = i64::from(self.for_) + i64::from(self.against) + i64::from(self.abstain);
        if cast > i64::from(attendees) {
            return Err(crate::Rule::other(
                format!("{cast} votes were cast but only {attendees} representatives attended"),
                format!("共投 {cast} 票,但只有 {attendees} 名代表到会"),
            ));
        }
        Ok(i64::from(self.for_) * 2 > i64::from(attendees))
    }
}

#[cfg(test)]
mod tests;
