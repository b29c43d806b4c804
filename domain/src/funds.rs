//! Funds, projects and the ledger rules (seeds 4 and 5): money is integer fen; a fund allocates
//! no more than it received, a project disburses no more than it was allocated, its budget, or
//! (when paid by progress) the share its recorded progress justifies; bundled money from other
//! departments keeps its purpose (用途不变、渠道不乱).

use crate::error::DomainError;
use crate::exit::yuan;

pub mod matching;

vocabulary! {
    /// Where a fund's money comes from.
    FundLevel {
        /// 中央.
        Central = "central" / "中央",
        /// 省.
        Province = "province" / "省级",
        /// 市.
        City = "city" / "市级",
        /// 县.
        County = "county" / "县级",
    }
}

vocabulary! {
    /// What money and projects are for.
    Purpose {
        /// Infrastructure (roads, water, electricity).
        Infrastructure = "infrastructure" / "基础设施",
        /// Industry.
        Industry = "industry" / "产业发展",
        /// Employment.
        Employment = "employment" / "就业",
        /// Education.
        Education = "education" / "教育",
        /// Health.
        Health = "health" / "健康",
        /// Housing.
        Housing = "housing" / "住房",
        /// Relocation.
        Relocation = "relocation" / "易地搬迁",
        /// Ecology (forest rangers).
        Ecology = "ecology" / "生态",
        /// Collective economy.
        CollectiveEconomy = "collective_economy" / "村集体经济",
        /// Other.
        Other = "other" / "其他",
    }
}

vocabulary! {
    /// A project's state.
    ProjectStatus {
        /// 计划.
        Planned = "planned" / "计划",
        /// 在建.
        InProgress = "in_progress" / "在建",
        /// 完工.
        Completed = "completed" / "完工",
        /// 取消.
        Cancelled = "cancelled" / "取消",
    }
}

vocabulary! {
    /// What a disbursement pays.
    DisbursementKind {
        /// A payment on the project's progress.
        Progress = "progress" / "按进度拨付",
        /// A subsidy to a household (relocation, ranger).
        Subsidy = "subsidy" / "补助发放",
    }
}

/// The most a project paid by progress may have disbursed at `progress_pct`.
pub fn progress_cap(budget_fen: i64, progress_pct: i32) -> i64 {
    budget_fen.saturating_mul(i64::from(progress_pct.clamp(0, 100))) / 100
}

fn refuse(code: crate::ErrorCode, message: String) -> DomainError {
    DomainError::Conflict { code, message }
}

/// A fund's state for an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundState {
    /// Received.
    pub amount_fen: i64,
    /// Allocated so far (net of reversals).
    pub allocated_fen: i64,
    /// Bundled from another department: its purpose must be kept.
    pub bundled: bool,
    /// Its purpose.
    pub purpose: Purpose,
}

/// Checks an allocation of `amount` from a fund to a project of `project_purpose`.
///
/// The project's budget caps what may be allocated to it (`project_budget_fen` and
/// `project_allocated_fen`, net of reversals, read under the project's row lock).
///
/// # Errors
/// `Conflict` `fund_exhausted`, `over_budget` or `purpose_changed`.
pub fn check_allocation(
    fund: &FundState,
    project_purpose: Purpose,
    project_budget_fen: i64,
    project_allocated_fen: i64,
    amount: i64,
) -> Result<(), DomainError> {
    if fund.bundled && fund.purpose != project_purpose {
        return Err(refuse(
            crate::ErrorCode::PurposeChanged,
            format!(
                "bundled money keeps its purpose (用途不变): the fund is for {}, the project for {}",
                fund.purpose.as_str(),
                project_purpose.as_str()
            ),
        ));
    }
    let left = fund.amount_fen - fund.allocated_fen;
    if amount > left {
        return Err(refuse(
            crate::ErrorCode::FundExhausted,
            format!(
                "the fund has {} yuan left to allocate; {} yuan were asked",
                yuan(left),
                yuan(amount)
            ),
        ));
    }
    let room = project_budget_fen - project_allocated_fen;
    if amount > room {
        return Err(refuse(
            crate::ErrorCode::OverBudget,
            format!(
                "the project's budget is {} yuan and {} yuan are allocated to it; {} yuan more would exceed it ({} yuan left)",
                yuan(project_budget_fen),
                yuan(project_allocated_fen),
                yuan(amount),
                yuan(room.max(0))
            ),
        ));
    }
    Ok(())
}

/// A project's state for a disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectState {
    /// Budget.
    pub budget_fen: i64,
    /// Allocated to it (net).
    pub allocated_fen: i64,
    /// Disbursed (net).
    pub disbursed_fen: i64,
    /// Paid by progress.
    pub pay_by_progress: bool,
    /// Recorded progress.
    pub progress_pct: i32,
}

/// Checks a disbursement of `amount`.
///
/// # Errors
/// `Conflict` `over_budget`, `over_allocation` or `beyond_progress`, naming the room left.
pub fn check_disbursement(p: &ProjectState, amount: i64) -> Result<(), DomainError> {
    let after = p.disbursed_fen + amount;
    if after > p.budget_fen {
        return Err(refuse(
            crate::ErrorCode::OverBudget,
            format!(
                "the budget is {} yuan and {} yuan are disbursed: {} yuan is more than the {} yuan left",
                yuan(p.budget_fen),
                yuan(p.disbursed_fen),
                yuan(amount),
                yuan(p.budget_fen - p.disbursed_fen)
            ),
        ));
    }
    if after > p.allocated_fen {
        return Err(refuse(
            crate::ErrorCode::OverAllocation,
            format!(
                "{} yuan are allocated to the project and {} yuan disbursed: {} yuan is more than the {} yuan left",
                yuan(p.allocated_fen),
                yuan(p.disbursed_fen),
                yuan(amount),
                yuan(p.allocated_fen - p.disbursed_fen)
            ),
        ));
    }
    if p.pay_by_progress {
        let cap = progress_cap(p.budget_fen, p.progress_pct);
        if after > cap {
            return Err(refuse(
                crate::ErrorCode::BeyondProgress,
                format!(
                    "at {}% progress at most {} yuan of the {} yuan budget may be disbursed; {} yuan are disbursed",
                    p.progress_pct,
                    yuan(cap),
                    yuan(p.budget_fen),
                    yuan(p.disbursed_fen)
                ),
            ));
        }
    }
    Ok(())
}

/// Execution rate in basis points (disbursed over available), 0 when nothing is available.
pub fn rate_bp(disbursed: i64, of: i64) -> i64 {
    if of <= 0 {
        0
    } else {
        disbursed.saturating_mul(10_000) / of
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), DomainError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(DomainError::Conflict { code, .. }) => code.as_str(),
            Err(_) => "other",
        }
    }

    #[test]
    fn a_fund_allocates_what_it_has_and_bundled_money_keeps_its_purpose() {
        let f = FundState {
            amount_fen: 1_000_000,
            allocated_fen: 600_000,
            bundled: false,
            purpose: Purpose::Infrastructure,
        };
        let big = i64::MAX / 2;
        assert_eq!(
            code(check_allocation(&f, Purpose::Industry, big, 0, 400_000)),
            "ok"
        );
        assert_eq!(
            code(check_allocation(&f, Purpose::Industry, big, 0, 400_001)),
            "fund_exhausted"
        );
        let b = FundState { bundled: true, ..f };
        assert_eq!(
            code(check_allocation(&b, Purpose::Industry, big, 0, 1)),
            "purpose_changed"
        );
        assert_eq!(
            code(check_allocation(&b, Purpose::Infrastructure, big, 0, 1)),
            "ok"
        );
        // The project's budget caps its allocations (8,000 yuan budget, 5,000 allocated).
        assert_eq!(
            code(check_allocation(
                &f,
                Purpose::Industry,
                800_000,
                500_000,
                300_000
            )),
            "ok"
        );
        assert_eq!(
            code(check_allocation(
                &f,
                Purpose::Industry,
                800_000,
                500_000,
                300_001
            )),
            "over_budget"
        );
    }

    #[test]
    fn disbursements_stay_within_budget_allocation_and_progress() {
        let p = ProjectState {
            budget_fen: 1_000_000,
            allocated_fen: 800_000,
            disbursed_fen: 200_000,
            pay_by_progress: true,
            progress_pct: 50,
        };
        assert_eq!(code(check_disbursement(&p, 300_000)), "ok");
        assert_eq!(code(check_disbursement(&p, 300_001)), "beyond_progress");
        let done = ProjectState {
            progress_pct: 100,
            ..p
        };
        assert_eq!(code(check_disbursement(&done, 600_001)), "over_allocation");
        let full = ProjectState {
            allocated_fen: 2_000_000,
            ..done
        };
        assert_eq!(code(check_disbursement(&full, 800_001)), "over_budget");
        let subsidy = ProjectState {
            pay_by_progress: false,
            progress_pct: 0,
            ..p
        };
        assert_eq!(code(check_disbursement(&subsidy, 600_000)), "ok");
        assert_eq!(progress_cap(1_000_001, 33), 330_000);
        assert_eq!(rate_bp(1, 3), 3333);
        assert_eq!(rate_bp(5, 0), 0);
    }
}
