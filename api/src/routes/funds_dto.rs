//! Response shapes of the fund and ranger resources: the same JSON as the rows they come from
//! (a unit test compares them field by field), typed in the OpenAPI document (issue 24 item 1).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::ranger::{Line, Payout};
use infra::app::funds::{
    Entry, Execution, FundRow, FundView, LinkingShare, RelocationRow, RelocationSummary,
};
use infra::app::rangers::{ContractRow, Paid};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A fund received by a county.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundDto {
    /// Id.
    pub id: Uuid,
    /// Year.
    pub year: i32,
    /// Level.
    #[schema(value_type = domain::funds::FundLevel)]
    pub level: String,
    /// Source (department, programme).
    pub source: String,
    /// Purpose.
    #[schema(value_type = domain::funds::Purpose)]
    pub purpose: String,
    /// Bundled from another department (purpose kept).
    pub bundled: bool,
    /// Linking funds (衔接资金): counted for the key-village share.
    pub linking: bool,
    /// Received, fen.
    pub amount_fen: i64,
    /// Document number.
    pub document_no: String,
    /// Received on.
    pub received_on: NaiveDate,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

impl From<FundRow> for FundDto {
    fn from(f: FundRow) -> Self {
        Self {
            id: f.id,
            year: f.year,
            level: f.level,
            source: f.source,
            purpose: f.purpose,
            bundled: f.bundled,
            linking: f.linking,
            amount_fen: f.amount_fen,
            document_no: f.document_no,
            received_on: f.received_on,
            created_at: f.created_at,
        }
    }
}

/// A fund with what it allocated and what was disbursed out of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundViewDto {
    /// The fund.
    #[serde(flatten)]
    pub fund: FundDto,
    /// County (6 digits).
    pub county_code: String,
    /// Allocated (net), fen.
    pub allocated_fen: i64,
    /// Received and not allocated, fen.
    pub unallocated_fen: i64,
    /// Disbursed out of its allocations (each project's disbursements shared among the funds
    /// that allocated to it, in proportion), fen.
    pub disbursed_fen: i64,
    /// Disbursed over received, basis points.
    pub execution_bp: i64,
}

impl From<FundView> for FundViewDto {
    fn from(v: FundView) -> Self {
        Self {
            fund: v.fund.into(),
            county_code: v.county_code,
            allocated_fen: v.allocated_fen,
            unallocated_fen: v.unallocated_fen,
            disbursed_fen: v.disbursed_fen,
            execution_bp: v.execution_bp,
        }
    }
}

/// A ledger entry: an allocation or a disbursement, or the entry reversing one (append-only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerEntryDto {
    /// Id.
    pub id: Uuid,
    /// Amount, fen (negative for a reversal).
    pub amount_fen: i64,
    /// The entry it reverses.
    pub reverses: Option<Uuid>,
    /// The fund (allocations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund_id: Option<Uuid>,
    /// The project.
    pub project_id: Uuid,
    /// The kind (disbursements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<domain::funds::DisbursementKind>)]
    pub kind: Option<String>,
    /// Payee (disbursements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// The household paid (subsidies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_id: Option<Uuid>,
    /// The household's benefit card it was paid to, masked (一卡兑付): `6222***********1234`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_masked: Option<String>,
    /// Paid on (disbursements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<NaiveDate>,
    /// Note.
    pub note: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<Entry> for LedgerEntryDto {
    fn from(e: Entry) -> Self {
        Self {
            id: e.id,
            amount_fen: e.amount_fen,
            reverses: e.reverses,
            fund_id: e.fund_id,
            project_id: e.project_id,
            kind: e.kind,
            payee: e.payee,
            household_id: e.household_id,
            card_masked: e.card_masked,
            paid_on: e.paid_on,
            note: e.note,
            created_at: e.created_at,
        }
    }
}

/// Execution of one region: received, allocated and disbursed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExecutionDto {
    /// Region (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Funds received (counties only carry funds), fen.
    pub received_fen: i64,
    /// Allocated to projects in the region, fen.
    pub allocated_fen: i64,
    /// Disbursed by projects in the region, fen.
    pub disbursed_fen: i64,
    /// Disbursed over allocated, basis points.
    pub execution_bp: i64,
}

impl From<Execution> for ExecutionDto {
    fn from(e: Execution) -> Self {
        Self {
            region_code: e.region_code,
            name: e.name,
            received_fen: e.received_fen,
            allocated_fen: e.allocated_fen,
            disbursed_fen: e.disbursed_fen,
            execution_bp: e.execution_bp,
        }
    }
}

/// Execution of a region and of each region one level down.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExecutionReportDto {
    /// The year asked for.
    pub year: i32,
    /// The region itself.
    pub total: ExecutionDto,
    /// Each region one level down.
    pub children: Vec<ExecutionDto>,
}

/// The key-village share of a county's linking funds in a year (seed 4).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkingShareDto {
    /// County (6 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// Linking funds received, fen.
    pub linking_received_fen: i64,
    /// Of which allocated to projects in active key villages, fen.
    pub to_key_villages_fen: i64,
    /// Share, basis points of received.
    pub share_bp: i64,
    /// The minimum (setting `key_village.min_linking_fund_share_bp`).
    pub minimum_bp: i64,
    /// Present when the share falls short.
    pub warning: Option<String>,
}

impl From<LinkingShare> for LinkingShareDto {
    fn from(s: LinkingShare) -> Self {
        Self {
            county_code: s.county_code,
            year: s.year,
            linking_received_fen: s.linking_received_fen,
            to_key_villages_fen: s.to_key_villages_fen,
            share_bp: s.share_bp,
            minimum_bp: s.minimum_bp,
            warning: s.warning,
        }
    }
}

/// A relocation plan (易地扶贫搬迁).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelocationPlanDto {
    /// Id.
    pub id: Uuid,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Households to move.
    pub households: i32,
    /// People to move.
    pub people: i32,
    /// Subsidy per person (the setting when planned), fen.
    pub subsidy_per_person_fen: i64,
    /// People × subsidy, fen.
    pub entitlement_fen: i64,
    /// The project that pays it.
    pub project_id: Uuid,
}

impl From<RelocationRow> for RelocationPlanDto {
    fn from(r: RelocationRow) -> Self {
        Self {
            id: r.id,
            year: r.year,
            name: r.name,
            households: r.households,
            people: r.people,
            subsidy_per_person_fen: r.subsidy_per_person_fen,
            entitlement_fen: r.entitlement_fen,
            project_id: r.project_id,
        }
    }
}

/// Relocation in a region: plans and totals, with the relocation funds by level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelocationSummaryDto {
    /// Plans.
    pub plans: Vec<RelocationPlanDto>,
    /// Households planned.
    pub households: i64,
    /// People planned.
    pub people: i64,
    /// Entitlements, fen.
    pub entitlement_fen: i64,
    /// Paid to households (subsidy disbursements of the plans' projects), fen.
    pub paid_fen: i64,
    /// Relocation funds received, by level (`central`, `province`, `city`, `county`), fen.
    pub funds_by_level: BTreeMap<String, i64>,
    /// All relocation funds received, fen.
    pub funds_total_fen: i64,
}

impl From<RelocationSummary> for RelocationSummaryDto {
    fn from(s: RelocationSummary) -> Self {
        Self {
            plans: s.plans.into_iter().map(Into::into).collect(),
            households: s.households,
            people: s.people,
            entitlement_fen: s.entitlement_fen,
            paid_fen: s.paid_fen,
            funds_by_level: s.funds_by_level,
            funds_total_fen: s.funds_total_fen,
        }
    }
}

/// A forest ranger's contract (生态护林员管护协议).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangerContractDto {
    /// Id.
    pub id: Uuid,
    /// The ranger (a registered person).
    pub member_id: Uuid,
    /// The ranger's name: given in the contracts list (`GET /ranger-contracts`), absent from
    /// the answers to signing and terminating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranger_name: Option<String>,
    /// Their household.
    pub household_id: Uuid,
    /// The township forestry station (party A).
    pub station: String,
    /// 村民小组.
    pub villager_group: String,
    /// Area, tenths of a mu.
    pub area_mu_tenths: i64,
    /// East boundary.
    pub bound_east: String,
    /// South boundary.
    pub bound_south: String,
    /// West boundary.
    pub bound_west: String,
    /// North boundary.
    pub bound_north: String,
    /// Start.
    pub start_date: NaiveDate,
    /// End.
    pub end_date: NaiveDate,
    /// Annual subsidy, fen.
    pub annual_subsidy_fen: i64,
    /// The subsidy project payouts are disbursed from.
    pub project_id: Uuid,
    /// Terminated on.
    pub terminated_on: Option<NaiveDate>,
    /// Why.
    pub termination_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Signed on (China's date).
    pub signed_on: NaiveDate,
    /// The `ranger` settings it was signed under, with its own annual subsidy: what its months
    /// are paid and its incidents judged by, and what its printed agreement states. `null` for
    /// contracts signed before terms were kept (they follow the settings).
    #[schema(value_type = Option<Object>)]
    pub terms: Option<serde_json::Value>,
}

impl From<ContractRow> for RangerContractDto {
    fn from(c: ContractRow) -> Self {
        Self {
            id: c.id,
            member_id: c.member_id,
            ranger_name: None,
            household_id: c.household_id,
            station: c.station,
            villager_group: c.villager_group,
            area_mu_tenths: c.area_mu_tenths,
            bound_east: c.bound_east,
            bound_south: c.bound_south,
            bound_west: c.bound_west,
            bound_north: c.bound_north,
            start_date: c.start_date,
            end_date: c.end_date,
            annual_subsidy_fen: c.annual_subsidy_fen,
            project_id: c.project_id,
            terminated_on: c.terminated_on,
            termination_reason: c.termination_reason,
            created_at: c.created_at,
            signed_on: c.signed_on,
            terms: c.terms,
        }
    }
}

/// One line of a month's payout explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutLineDto {
    /// Stable code of the line (`base_fee`, `absence_deduction`, `withheld`, `pest_liability`, …).
    pub code: String,
    /// Chinese explanation.
    pub text: String,
    /// The clauses of the agreement the line applies (e.g. `第六条第（二）项`); empty for the
    /// base fee.
    pub clause: String,
    /// Fen; positive is paid, negative is deducted.
    pub amount_fen: i64,
}

impl From<Line> for PayoutLineDto {
    fn from(l: Line) -> Self {
        Self {
            code: l.code.to_string(),
            text: l.text,
            clause: l.clause,
            amount_fen: l.amount_fen,
        }
    }
}

/// What one contract pays for one month, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutDto {
    /// Calendar year.
    pub year: i32,
    /// Calendar month, 1 to 12.
    pub month: u32,
    /// The explanation, in order: base fee, absence deduction, withholding, notes.
    pub lines: Vec<PayoutLineDto>,
    /// Sum of the lines, never below zero, fen.
    pub total_fen: i64,
    /// The whole month's fee is withheld.
    pub withheld: bool,
    /// The contract must be terminated (major fire or logging through negligence).
    pub terminate: bool,
    /// The contract may be terminated at once.
    pub termination_allowed: bool,
    /// A compensation claim against the ranger is recorded.
    pub compensation_claim: bool,
}

impl From<Payout> for PayoutDto {
    fn from(p: Payout) -> Self {
        Self {
            year: p.year,
            month: p.month,
            lines: p.lines.into_iter().map(Into::into).collect(),
            total_fen: p.total_fen,
            withheld: p.withheld,
            terminate: p.terminate,
            termination_allowed: p.termination_allowed,
            compensation_claim: p.compensation_claim,
        }
    }
}

/// A paid month: the computation, the disbursement, and whether it terminated the contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaidDto {
    /// The computation.
    pub payout: PayoutDto,
    /// The disbursement (absent when the month pays nothing).
    pub disbursement_id: Option<Uuid>,
    /// Whether the contract was terminated by this month's record.
    pub terminated: bool,
}

impl From<Paid> for PaidDto {
    fn from(p: Paid) -> Self {
        Self {
            payout: p.payout.into(),
            disbursement_id: p.disbursement_id,
            terminated: p.terminated,
        }
    }
}

/// The id of a record just made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedIdDto {
    /// Id.
    pub id: Uuid,
}

#[cfg(test)]
mod tests {
    //! Each DTO serializes exactly as the row it replaces did (the API's JSON does not change).

    use super::*;
    use serde_json::to_value;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default()
    }

    fn fund() -> FundRow {
        FundRow {
            county_code: 370_831,
            id: Uuid::nil(),
            region_code: 370_831_000_000,
            year: 2026,
            level: "central".into(),
            source: "衔接资金".into(),
            purpose: "industry".into(),
            bundled: false,
            linking: true,
            amount_fen: 100,
            document_no: "鲁财农〔2026〕1号".into(),
            received_on: day(),
            created_at: now(),
        }
    }

    #[test]
    fn the_dtos_serialize_as_the_rows_did() {
        let f = fund();
        assert_eq!(to_value(FundDto::from(f.clone())).ok(), to_value(&f).ok());
        let v = FundView {
            fund: f,
            county_code: "370831".into(),
            allocated_fen: 60,
            unallocated_fen: 40,
            disbursed_fen: 10,
            execution_bp: 1000,
        };
        assert_eq!(
            to_value(FundViewDto::from(v.clone())).ok(),
            to_value(&v).ok()
        );
        for e in [
            Entry {
                id: Uuid::nil(),
                amount_fen: -5,
                reverses: Some(Uuid::nil()),
                fund_id: Some(Uuid::nil()),
                project_id: Uuid::nil(),
                kind: None,
                payee: None,
                household_id: None,
                card_masked: None,
                paid_on: None,
                note: String::new(),
                created_at: now(),
            },
            Entry {
                id: Uuid::nil(),
                amount_fen: 5,
                reverses: None,
                fund_id: None,
                project_id: Uuid::nil(),
                kind: Some("subsidy".into()),
                payee: Some("张三".into()),
                household_id: Some(Uuid::nil()),
                card_masked: Some("4111********1111".into()),
                paid_on: Some(day()),
                note: "n".into(),
                created_at: now(),
            },
        ] {
            assert_eq!(
                to_value(LedgerEntryDto::from(e.clone())).ok(),
                to_value(&e).ok()
            );
        }
        let x = Execution {
            region_code: "370831000000".into(),
            name: "泗水县".into(),
            received_fen: 1,
            allocated_fen: 2,
            disbursed_fen: 3,
            execution_bp: 4,
        };
        assert_eq!(
            to_value(ExecutionDto::from(x.clone())).ok(),
            to_value(&x).ok()
        );
        let s = LinkingShare {
            county_code: "370831".into(),
            year: 2026,
            linking_received_fen: 1,
            to_key_villages_fen: 2,
            share_bp: 3,
            minimum_bp: 4,
            warning: Some("w".into()),
        };
        assert_eq!(
            to_value(LinkingShareDto::from(s.clone())).ok(),
            to_value(&s).ok()
        );
        let r = RelocationRow {
            id: Uuid::nil(),
            region_code: 370_831_000_000,
            year: 2026,
            name: "p".into(),
            households: 1,
            people: 2,
            subsidy_per_person_fen: 3,
            entitlement_fen: 6,
            project_id: Uuid::nil(),
        };
        let sum = RelocationSummary {
            plans: vec![r],
            households: 1,
            people: 2,
            entitlement_fen: 6,
            paid_fen: 0,
            funds_by_level: BTreeMap::from([("central".to_string(), 5)]),
            funds_total_fen: 5,
        };
        assert_eq!(
            to_value(RelocationSummaryDto::from(sum.clone())).ok(),
            to_value(&sum).ok()
        );
        let c = ContractRow {
            county_code: 370_831,
            id: Uuid::nil(),
            region_code: 370_831_001_003,
            member_id: Uuid::nil(),
            household_id: Uuid::nil(),
            station: "林业站".into(),
            villager_group: "一组".into(),
            area_mu_tenths: 1500,
            bound_east: "e".into(),
            bound_south: "s".into(),
            bound_west: "w".into(),
            bound_north: "n".into(),
            start_date: day(),
            end_date: day(),
            annual_subsidy_fen: 1_000_000,
            project_id: Uuid::nil(),
            terminated_on: None,
            termination_reason: None,
            created_at: now(),
            signed_on: day(),
            terms: Some(serde_json::json!({"annual_subsidy_fen": 1_000_000})),
        };
        assert_eq!(
            to_value(RangerContractDto::from(c.clone())).ok(),
            to_value(&c).ok()
        );
        let p = Paid {
            payout: Payout {
                year: 2026,
                month: 3,
                lines: vec![Line {
                    code: "base_fee",
                    text: "管护费".into(),
                    clause: String::new(),
                    amount_fen: 83_333,
                }],
                total_fen: 83_333,
                withheld: false,
                terminate: false,
                termination_allowed: false,
                compensation_claim: false,
            },
            disbursement_id: Some(Uuid::nil()),
            terminated: false,
        };
        assert_eq!(to_value(PaidDto::from(p.clone())).ok(), to_value(&p).ok());
    }
}
