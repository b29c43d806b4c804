//! Forest-ranger subsidy contracts (生态护林员, seed 3): the payout of one contract for one
//! calendar month, explained line by line.
//!
//! The monthly fee is the contract's annual subsidy divided by twelve, December taking the
//! remainder so that twelve full months add up to the annual subsidy exactly; a partly covered
//! month is pro-rated by days. Absences found by inspection deduct a share of the month's fee; a
//! major fire (15 mu or more: 以上 includes the number) or illegal logging through negligence
//! withholds the whole month and ends the contract; pests the ranger failed to find or report
//! that caused a major loss withhold the whole month and record a compensation claim. Every number comes from [`RangerSettings`]; money is integer fen, areas are tenths
//! of a mu.

use chrono::{Datelike as _, NaiveDate};
use serde::Serialize;

use crate::settings::RangerSettings;

pub mod records;

pub use records::{validate_inspection_note, validate_patrol};

/// One ranger's management contract (管护合同).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// First day covered.
    pub start: NaiveDate,
    /// Last day covered, as signed.
    pub end: NaiveDate,
    /// Annual subsidy agreed in the contract, fen.
    pub annual_subsidy_fen: i64,
    /// Day the contract was terminated early; it is the last day covered.
    pub terminated_on: Option<NaiveDate>,
}

/// One spot check of whether the ranger was on duty (巡查抽查).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Day of the check.
    pub date: NaiveDate,
    /// Whether the ranger was found at work; `false` is an absence.
    pub present: bool,
}

vocabulary! {
    /// What happened in the ranger's patch.
    IncidentKind {
        /// 森林火灾.
        Fire = "fire" / "森林火灾",
        /// 盗伐滥伐林木.
        IllegalLogging = "illegal_logging" / "盗伐滥伐",
        /// 林业有害生物未及时报告.
        UnreportedPests = "unreported_pests" / "病虫害未报告",
        /// 巡山护林不到位造成森林火灾、乱砍滥伐、人畜践踏等林木损失 (§六(一)): the station
        /// records it when it applies the clause's discretionary withholding (可扣发).
        PoorPatrolLoss = "poor_patrol_loss" / "巡护不到位造成林木损失",
        /// Others' violations in the patch the ranger neither stopped nor reported, with a loss
        /// of forest resources (§六(三)).
        UnstoppedViolation = "unstopped_violation" / "对他人违法行为不制止不报告造成损失",
        /// Unexcused absence from the post with a major loss (无故脱岗, §六(五)).
        AbsenceMajorLoss = "absence_major_loss" / "无故脱岗造成重大损失",
        /// The ranger's own illegal or excessive logging (§五(一)).
        ProhibitedLogging = "prohibited_logging" / "乙方盗伐滥伐林木",
        /// Cutting firewood or grazing in young or special-purpose forest (§五(二)).
        ProhibitedGrazing = "prohibited_grazing" / "在幼林地和特种用途林内砍柴、放牧",
        /// Clearing forest for farming, quarrying, sand or soil (§五(三)).
        ProhibitedClearing = "prohibited_clearing" / "毁林开垦和毁林采石、采砂、采土",
        /// Building houses or other permanent structures without approval (§五(四)).
        ProhibitedBuilding = "prohibited_building" / "擅自修建房舍和其他永久性建筑",
        /// Hunting protected wild animals or digging up protected plants (§五(五)).
        ProhibitedHunting = "prohibited_hunting" / "违法猎捕野生保护动物和采挖重点野生保护植物",
    }
}

/// One ground for withholding a month, with the contract clause it applies.
struct Ground {
    /// What happened, with its date.
    reason: String,
    /// The clause of the agreement (管护补助协议书) that applies.
    clause: &'static str,
    /// The contract must end (§六(二)).
    terminate: bool,
    /// The contract may end (视情况终止协议).
    may_terminate: bool,
    /// A compensation claim against the ranger.
    compensation: bool,
}

/// Why `i` ends the contract at once (§六(二): a major fire or case-level logging through
/// negligence: 立即终止协议), if it does.
pub fn ends_contract(i: &Incident, settings: &RangerSettings) -> Option<String> {
    ground(i, settings.major_fire_mu)
        .filter(|g| g.terminate)
        .map(|g| g.reason)
}

/// The ground for withholding that `i` gives, if any: which incidents withhold the month, under
/// which clause, and whether they end the contract or claim compensation.
fn ground(i: &Incident, major_fire_mu: i32) -> Option<Ground> {
    let on = i.date.format("%Y-%m-%d");
    let g = |reason: String, clause, terminate, may_terminate, compensation| {
        Some(Ground {
            reason,
            clause,
            terminate,
            may_terminate,
            compensation,
        })
    };
    let prohibited = |what: &str, clause| {
        g(
            format!("{on} 乙方在管护范围内{what}，属协议禁止的活动"),
            clause,
            false,
            true,
            false,
        )
    };
    match i.kind {
        IncidentKind::Fire
            if i.through_negligence && i.burnt_mu_tenths >= i64::from(major_fire_mu) * 10 =>
        {
            g(
                format!(
                    "{on} 因管护失职发生森林火灾，过火面积{}亩，达到{major_fire_mu}亩以上",
                    mu(i.burnt_mu_tenths)
                ),
                "第六条第（二）项",
                true,
                true,
                false,
            )
        }
        IncidentKind::IllegalLogging if i.through_negligence && i.above_case_threshold => g(
            format!("{on} 因管护失职发生盗伐滥伐，达到立案标准"),
            "第六条第（二）项",
            true,
            true,
            false,
        ),
        IncidentKind::UnreportedPests if i.major_loss => g(
            format!("{on} 林业有害生物未及时发现和上报，造成森林资源重大损失"),
            "第六条第（四）项",
            false,
            false,
            true,
        ),
        IncidentKind::PoorPatrolLoss => g(
            format!("{on} 巡山护林不到位，造成林木损失"),
            "第六条第（一）项",
            false,
            false,
            false,
        ),
        IncidentKind::UnstoppedViolation => g(
            format!(
                "{on} 对管护区域内他人破坏森林资源的行为不予制止、不及时报告，造成森林资源损失"
            ),
            "第六条第（三）项",
            false,
            true,
            false,
        ),
        IncidentKind::AbsenceMajorLoss => g(
            format!("{on} 无故脱岗，造成森林资源重大损失"),
            "第六条第（五）项",
            false,
            true,
            true,
        ),
        IncidentKind::ProhibitedLogging => {
            prohibited("盗伐滥伐森林和林木", "第五条第（一）项、第三条第（六）项")
        }
        IncidentKind::ProhibitedGrazing => prohibited(
            "在幼林地和特种用途林内砍柴、放牧",
            "第五条第（二）项、第三条第（六）项",
        ),
        IncidentKind::ProhibitedClearing => prohibited(
            "毁林开垦或毁林采石、采砂、采土",
            "第五条第（三）项、第三条第（六）项",
        ),
        IncidentKind::ProhibitedBuilding => prohibited(
            "擅自修建房舍或其他永久性建筑",
            "第五条第（四）项、第三条第（六）项",
        ),
        IncidentKind::ProhibitedHunting => prohibited(
            "违法猎捕野生保护动物或采挖重点野生保护植物",
            "第五条第（五）项、第三条第（六）项",
        ),
        IncidentKind::Fire | IncidentKind::IllegalLogging | IncidentKind::UnreportedPests => None,
    }
}

/// An incident in the ranger's patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Day of the incident.
    pub date: NaiveDate,
    /// What happened.
    pub kind: IncidentKind,
    /// Burnt area in tenths of a mu (fires only; ignored otherwise).
    pub burnt_mu_tenths: i64,
    /// Whether the ranger's negligence caused it or let it happen.
    pub through_negligence: bool,
    /// Whether it reaches the threshold for opening a case (立案标准; logging).
    pub above_case_threshold: bool,
    /// Whether it caused a major loss of forest resources (重大损失; unreported pests).
    pub major_loss: bool,
}

/// One line of the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// Stable code: `base_fee`, `absence_deduction`, `withheld` or `pest_liability`.
    pub code: &'static str,
    /// Chinese explanation.
    pub text: String,
    /// The clauses of the agreement the line applies (e.g. `第六条第（二）项`); empty for the
    /// base fee.
    pub clause: String,
    /// Fen; positive is paid, negative is deducted.
    pub amount_fen: i64,
}

/// What one contract pays for one month, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payout {
    /// Calendar year.
    pub year: i32,
    /// Calendar month, 1 to 12.
    pub month: u32,
    /// The explanation, in order: base fee, absence deduction, withholding, pest notes.
    pub lines: Vec<Line>,
    /// Sum of the lines, never below zero.
    pub total_fen: i64,
    /// The whole month's fee is withheld.
    pub withheld: bool,
    /// The contract must be terminated (major fire or logging through negligence).
    pub terminate: bool,
    /// The contract may be terminated at once (too many absences, or `terminate`).
    pub termination_allowed: bool,
    /// A compensation claim against the ranger is recorded (unreported pests with a major loss).
    pub compensation_claim: bool,
}

/// Code of the base-fee line.
const BASE_FEE: &str = "base_fee";
/// Code of the absence-deduction line.
const ABSENCE_DEDUCTION: &str = "absence_deduction";
/// Code of the withholding line.
const WITHHELD: &str = "withheld";
/// Code of the pest-liability note.
const PEST_LIABILITY: &str = "pest_liability";

/// Days in a calendar month; 0 for a month outside 1 to 12.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if NaiveDate::from_ymd_opt(year, 2, 29).is_some() => 29,
        2 => 28,
        _ => 0,
    }
}

/// The payout of `contract` for the calendar month `year`-`month`.
///
/// The contract covers the days from `start` to the earlier of `end` and `terminated_on`, both
/// inclusive. Only inspections and incidents dated on a covered day of the month count.
///
/// # Errors
/// An invalid month, a contract ending before it starts, a negative subsidy, a month with no
/// covered day, or an amount too large for the arithmetic.
pub fn payout(
    contract: &Contract,
    settings: &RangerSettings,
    year: i32,
    month: u32,
    inspections: &[Inspection],
    incidents: &[Incident],
) -> Result<Payout, crate::Rule> {
    let days = days_in_month(year, month);
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
        crate::Rule::other(
            format!("{year:04}-{month:02} is not a valid month"),
            format!("{year:04}-{month:02} 不是有效的月份"),
        )
    })?;
    let last = NaiveDate::from_ymd_opt(year, month, days).ok_or_else(|| {
        crate::Rule::other(
            format!("{year:04}-{month:02} is not a valid month"),
            format!("{year:04}-{month:02} 不是有效的月份"),
        )
    })?;
    let contract_last = match contract.terminated_on {
        Some(t) => t.min(contract.end),
        None => contract.end,
    };
    if contract.end < contract.start {
        return Err(crate::Rule::other(
            "the contract ends before it starts",
            "合同结束日期早于开始日期",
        ));
    }
    if contract.annual_subsidy_fen < 0 {
        return Err(crate::Rule::other(
            "the annual subsidy must not be negative",
            "年度补助不能为负数",
        ));
    }
    let from = first.max(contract.start);
    let to = last.min(contract_last);
    if to < from {
        return Err(crate::Rule::other(
            format!("the contract does not cover {year:04}-{month:02}"),
            format!("合同不覆盖 {year:04}-{month:02}"),
        ));
    }
    let covered = to.day() - from.day() + 1;
    let covers = |d: NaiveDate| from <= d && d <= to;

    // 1. Base fee, December taking the remainder, pro-rated by covered days.
    let annual = contract.annual_subsidy_fen;
    let full_fee = annual / 12 + if month == 12 { annual % 12 } else { 0 };
    let fee = if covered == days {
        full_fee
    } else {
        mul_div(full_fee, i64::from(covered), i64::from(days))?
    };
    let mut lines = Vec::new();
    let base_text = if covered == days {
        format!("{year}年{month}月管护补助")
    } else {
        format!(
            "{year}年{month}月管护补助（合同覆盖{}至{}，{covered}/{days}天，按日折算）",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        )
    };
    lines.push(Line {
        code: BASE_FEE,
        text: base_text,
        clause: String::new(),
        amount_fen: fee,
    });

    // 3. Absences.
    let absences = inspections
        .iter()
        .filter(|i| covers(i.date) && !i.present)
        .count();
    let absences = i64::try_from(absences)
        .map_err(|_| crate::Rule::other("too many inspections", "抽查次数过多"))?;
    let deduction_bp = match absences {
        0 => None,
        1 => Some(settings.one_absence_deduction_bp),
        _ => Some(settings.two_absences_deduction_bp),
    };
    let mut termination_allowed = false;
    if let Some(bp) = deduction_bp {
        let deduction = mul_div(fee, i64::from(bp), 10_000)?;
        let mut text = format!("当月抽查缺勤{absences}次，扣减当月补助{}", percent(bp));
        if absences >= i64::from(settings.termination_absences) {
            termination_allowed = true;
            text.push_str(&format!(
                "；缺勤达到{}次，可即时解除合同",
                settings.termination_absences
            ));
        }
        lines.push(Line {
            code: ABSENCE_DEDUCTION,
            text,
            clause: "第六条第（一）项".to_owned(),
            amount_fen: -deduction,
        });
    }

    // 4. Incidents that withhold the whole month (each ground with its clause): a major fire
    //    (以上: the threshold itself counts) or logging through negligence also ends the contract
    //    (§六(二)); unreported pests with a major loss (§六(四)) and unexcused absence with a
    //    major loss (§六(五)) claim compensation; others' violations not stopped (§六(三)),
    //    absence with a major loss and the ranger's own prohibited activities (§五, §三(六)) let
    //    the station end the contract.
    let covered_incidents = || incidents.iter().filter(|i| covers(i.date));
    let grounds: Vec<Ground> = covered_incidents()
        .filter_map(|i| ground(i, settings.major_fire_mu))
        .collect();
    let terminate = grounds.iter().any(|g| g.terminate);
    let compensation_claim = grounds.iter().any(|g| g.compensation);
    let may_terminate = grounds.iter().any(|g| g.may_terminate);
    let withheld = !grounds.is_empty();
    if withheld {
        let remaining: i64 = lines.iter().map(|l| l.amount_fen).sum();
        let mut consequence = String::from("扣发当月全部管护补助");
        if terminate {
            consequence.push_str("，解除合同");
        } else if may_terminate {
            consequence.push_str("，可视情况解除合同");
        }
        if compensation_claim {
            consequence.push_str("，追究赔偿责任");
        }
        let mut clauses: Vec<&str> = Vec::new();
        for g in &grounds {
            for c in g.clause.split('、') {
                if !clauses.contains(&c) {
                    clauses.push(c);
                }
            }
        }
        let reasons: Vec<&str> = grounds.iter().map(|g| g.reason.as_str()).collect();
        lines.push(Line {
            code: WITHHELD,
            text: format!("{}：{consequence}", reasons.join("；")),
            clause: clauses.join("、"),
            amount_fen: -remaining.max(0),
        });
        termination_allowed |= terminate || may_terminate;
    }

    // 5. Unreported pests: the liability is recorded on every one; only a major loss costs money
    //    (above).
    for i in covered_incidents().filter(|i| i.kind == IncidentKind::UnreportedPests) {
        let text = if i.major_loss {
            format!(
                "{} 林业有害生物未及时报告，造成重大损失：记录赔偿责任（金额另行确定）",
                i.date.format("%Y-%m-%d")
            )
        } else {
            format!(
                "{} 林业有害生物未及时报告：记录管护责任（未造成重大损失，不扣款）",
                i.date.format("%Y-%m-%d")
            )
        };
        lines.push(Line {
            code: PEST_LIABILITY,
            text,
            clause: "第六条第（四）项".to_owned(),
            amount_fen: 0,
        });
    }

    // 6. Total, never below zero.
    let total_fen = lines.iter().map(|l| l.amount_fen).sum::<i64>().max(0);
    Ok(Payout {
        year,
        month,
        lines,
        total_fen,
        withheld,
        terminate,
        termination_allowed,
        compensation_claim,
    })
}

/// The day by which the fee of `year`-`month` is due: day `due_day` of the following month
/// (`ranger.payment_due_day`, 1 to 28). `None` for an invalid month or day.
pub fn payment_due(year: i32, month: u32, due_day: i32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month.checked_add(1)?)
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, u32::try_from(due_day).ok()?)
}

/// `a * b / c`, rounded toward zero, without overflow.
fn mul_div(a: i64, b: i64, c: i64) -> Result<i64, crate::Rule> {
    let q = i128::from(a)
        .checked_mul(i128::from(b))
        .and_then(|p| p.checked_div(i128::from(c)))
        .ok_or_else(|| crate::Rule::other("amount out of range", "金额超出范围"))?;
    i64::try_from(q).map_err(|_| crate::Rule::other("amount out of range", "金额超出范围"))
}

/// Basis points as a percentage: 500 → "5%", 250 → "2.5%".
fn percent(bp: i32) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    if frac == 0 {
        format!("{whole}%")
    } else if frac % 10 == 0 {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

/// Tenths of a mu as text: 151 → "15.1", 150 → "15".
fn mu(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

#[cfg(test)]
mod tests;
