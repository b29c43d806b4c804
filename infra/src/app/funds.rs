//! Funds, projects and their ledgers; how they read ([`views`]); execution rates and the
//! key-village share of linking funds ([`execution`]); relocation plans ([`relocation`]).
//!
//! Allocations and disbursements are append-only (the app role may only INSERT them): a
//! correction is a reversing entry pointing at the original, which can be reversed once.
//! Conservation is checked under row locks — the fund's row for an allocation (then the
//! project's), the project's row for a disbursement — so concurrent entries cannot together
//! overdraw a fund or a project.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::funds::{
    self as rules, DisbursementKind, FundLevel, FundState, ProjectState, ProjectStatus, Purpose,
};
use domain::{DomainError, Level, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{
    allocations, disbursements, funds, key_villages, project_progress, projects, regions,
    relocation_plans,
};

mod execution;
mod relocation;
mod views;

pub use execution::{Execution, LinkingShare, execution, linking_share};
pub use relocation::{RelocationRow, RelocationSummary, plan_relocation, relocation};
pub use views::{FundView, ProjectView, get_project, list_funds, list_projects};

mod rows;
pub use rows::{Entry, FundRow, ProjectRow};

fn manage_at(ctx: &Ctx, code: RegionCode) -> Result<(), DomainError> {
    ctx.caller.require_at(perm::FUNDS_MANAGE, code)
}

fn parse<T>(r: Result<T, domain::Rule>) -> Result<T, DomainError> {
    r.map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}

/// A fund to record.
#[derive(Debug, Clone)]
pub struct NewFund {
    /// Receiving county.
    pub county: RegionCode,
    /// Year.
    pub year: i32,
    /// Level.
    pub level: FundLevel,
    /// Source.
    pub source: String,
    /// Purpose.
    pub purpose: Purpose,
    /// Bundled.
    pub bundled: bool,
    /// Linking funds.
    pub linking: bool,
    /// Amount.
    pub amount_fen: i64,
    /// Document number.
    pub document_no: String,
    /// Received on.
    pub received_on: NaiveDate,
}

/// Records a fund received by a county.
///
/// # Errors
/// `Validation` for a county outside scope; `Forbidden` without `funds:manage` there.
pub fn create_fund(
    conn: &mut PgConnection,
    ctx: &Ctx,
    f: &NewFund,
) -> Result<FundRow, DomainError> {
    if f.county.level() != Level::County || !ctx.caller.scope().contains(f.county) {
        return Err(DomainError::field(
            "county_code",
            domain::Rule::not_in_scope(domain::ScopeKind::County),
        ));
    }
    manage_at(ctx, f.county)?;
    super::users::check_org_unit(conn, "county_code", f.county)?;
    let row: FundRow = diesel::insert_into(funds::table)
        .values((
            funds::county_code.eq(f.county.county_code()),
            funds::id.eq(Uuid::new_v4()),
            funds::region_code.eq(f.county.as_i64()),
            funds::year.eq(f.year),
            funds::level.eq(f.level.as_str()),
            funds::source.eq(&f.source),
            funds::purpose.eq(f.purpose.as_str()),
            funds::bundled.eq(f.bundled),
            funds::linking.eq(f.linking),
            funds::amount_fen.eq(f.amount_fen),
            funds::document_no.eq(&f.document_no),
            funds::received_on.eq(f.received_on),
            funds::created_by.eq(ctx.caller.user_id),
            funds::created_at.eq(ctx.now),
        ))
        .returning(FundRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "fund.received",
        "fund",
        row.id,
        f.county,
        json!({ "amount_fen": f.amount_fen, "level": f.level.as_str(), "purpose": f.purpose.as_str() }),
    )?;
    Ok(row)
}

/// A project to record.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Village (or county).
    pub region: RegionCode,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: Purpose,
    /// Budget.
    pub budget_fen: i64,
    /// Paid by progress.
    pub pay_by_progress: bool,
    /// Dedicated account.
    pub account: String,
    /// Assets it creates.
    pub assets: String,
    /// Who holds them.
    pub asset_holder: String,
    /// The named manager (专人).
    pub manager_user_id: Option<Uuid>,
}

/// Records a project.
///
/// # Errors
/// `Validation` for a region outside scope or above the county.
pub fn create_project(
    conn: &mut PgConnection,
    ctx: &Ctx,
    p: &NewProject,
) -> Result<ProjectRow, DomainError> {
    if p.region.level() < Level::County || !ctx.caller.scope().contains(p.region) {
        return Err(DomainError::field(
            "region_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Region),
        ));
    }
    manage_at(ctx, p.region)?;
    super::users::check_org_unit(conn, "region_code", p.region)?;
    if let Some(m) = p.manager_user_id {
        super::project_rules::check_manager(conn, p.region, m)?;
    }
    // Seed 5 posts construction projects (建设项目) before work; subsidy projects are paid to
    // households by entitlement and are not posted.
    let posting_required = p.pay_by_progress
        && super::settings::effective_for(conn, ctx, p.region)?
            .funds
            .require_project_posting;
    let row: ProjectRow = diesel::insert_into(projects::table)
        .values((
            projects::county_code.eq(p.region.county_code()),
            projects::id.eq(Uuid::new_v4()),
            projects::region_code.eq(p.region.as_i64()),
            projects::year.eq(p.year),
            projects::name.eq(&p.name),
            projects::purpose.eq(p.purpose.as_str()),
            projects::budget_fen.eq(p.budget_fen),
            projects::pay_by_progress.eq(p.pay_by_progress),
            projects::account.eq(&p.account),
            projects::assets.eq(&p.assets),
            projects::asset_holder.eq(&p.asset_holder),
            projects::manager_user_id.eq(p.manager_user_id),
            projects::posting_required.eq(posting_required),
            projects::created_by.eq(ctx.caller.user_id),
            projects::created_at.eq(ctx.now),
            projects::updated_at.eq(ctx.now),
        ))
        .returning(ProjectRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "project.created",
        "project",
        row.id,
        p.region,
        json!({ "budget_fen": p.budget_fen, "purpose": p.purpose.as_str(), "manager_user_id": p.manager_user_id, "posting_required": posting_required }),
    )?;
    Ok(row)
}

fn fund_allocated(conn: &mut PgConnection, f: &FundRow) -> Result<i64, DomainError> {
    allocations::table
        .filter(allocations::county_code.eq(f.county_code))
        .filter(allocations::fund_id.eq(f.id))
        .select(total("allocations.amount_fen"))
        .first::<i64>(conn)
        .db()
}

/// `coalesce(sum(<table.column>), 0)` as a bigint (`sum` of bigint is numeric in PostgreSQL;
/// money totals in fen fit a bigint).
fn total(column: &'static str) -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("coalesce(sum({column}), 0)::bigint"))
}

fn project_totals(conn: &mut PgConnection, p: &ProjectRow) -> Result<(i64, i64), DomainError> {
    let allocated = allocations::table
        .filter(allocations::county_code.eq(p.county_code))
        .filter(allocations::project_id.eq(p.id))
        .select(total("allocations.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let disbursed = disbursements::table
        .filter(disbursements::county_code.eq(p.county_code))
        .filter(disbursements::project_id.eq(p.id))
        .select(total("disbursements.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    Ok((allocated, disbursed))
}

/// Reads a fund and serialises allocations from it until the transaction ends. Funds are
/// insert-only for the app role (no UPDATE, so no row lock): a transaction-scoped advisory
/// lock on the fund's id does the serialising.
fn lock_fund(conn: &mut PgConnection, id: Uuid) -> Result<FundRow, DomainError> {
    let fund = funds::table
        .filter(funds::id.eq(id))
        .select(FundRow::as_select())
        .first(conn)
        .db()?;
    crate::db::lock_key(conn, 23, &id.to_string())?;
    Ok(fund)
}

fn lock_project(conn: &mut PgConnection, id: Uuid) -> Result<ProjectRow, DomainError> {
    projects::table
        .filter(projects::id.eq(id))
        .select(ProjectRow::as_select())
        .for_update()
        .first(conn)
        .db()
}

/// Allocates money from a fund to a project of the same county, never beyond the project's
/// budget.
///
/// # Errors
/// `Conflict` `fund_exhausted`, `over_budget`, `purpose_changed`; `Validation` for unknown ids.
pub fn allocate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    fund_id: Uuid,
    project_id: Uuid,
    amount: i64,
    note: &str,
) -> Result<Entry, DomainError> {
    let fund = lock_fund(conn, fund_id).map_err(|_| {
        DomainError::field(
            "fund_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Fund),
        )
    })?;
    let project = lock_project(conn, project_id).map_err(|_| {
        DomainError::field(
            "project_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Project),
        )
    })?;
    manage_at(ctx, stored_code(fund.region_code)?)?;
    if fund.county_code != project.county_code {
        return Err(DomainError::field(
            "project_id",
            domain::Rule::other(
                "belongs to another county than the fund",
                "与资金不属于同一个县",
            ),
        ));
    }
    let state = FundState {
        amount_fen: fund.amount_fen,
        allocated_fen: fund_allocated(conn, &fund)?,
        bundled: fund.bundled,
        purpose: parse(Purpose::parse(&fund.purpose))?,
    };
    // The project's row is locked (lock_project), so concurrent allocations to it serialise
    // and cannot together pass its budget.
    let (project_allocated, _) = project_totals(conn, &project)?;
    rules::check_allocation(
        &state,
        parse(Purpose::parse(&project.purpose))?,
        project.budget_fen,
        project_allocated,
        amount,
    )?;
    insert_allocation(conn, ctx, &fund, &project, amount, None, note)
}

fn insert_allocation(
    conn: &mut PgConnection,
    ctx: &Ctx,
    fund: &FundRow,
    project: &ProjectRow,
    amount: i64,
    reverses: Option<Uuid>,
    note: &str,
) -> Result<Entry, DomainError> {
    let id = Uuid::new_v4();
    diesel::insert_into(allocations::table)
        .values((
            allocations::county_code.eq(fund.county_code),
            allocations::id.eq(id),
            allocations::fund_id.eq(fund.id),
            allocations::project_id.eq(project.id),
            allocations::region_code.eq(project.region_code),
            allocations::amount_fen.eq(amount),
            allocations::reverses.eq(reverses),
            allocations::note.eq(note),
            allocations::created_by.eq(ctx.caller.user_id),
            allocations::created_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::Reversed,
                message: "this allocation was reversed already".into(),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        if reverses.is_some() {
            "allocation.reversed"
        } else {
            "allocation.made"
        },
        "allocation",
        id,
        stored_code(project.region_code)?,
        json!({ "fund_id": fund.id, "project_id": project.id, "amount_fen": amount, "reverses": reverses }),
    )?;
    Ok(Entry {
        id,
        amount_fen: amount,
        reverses,
        fund_id: Some(fund.id),
        project_id: project.id,
        kind: None,
        payee: None,
        household_id: None,
        card_masked: None,
        paid_on: None,
        note: note.to_string(),
        created_at: ctx.now,
    })
}

/// Reverses an allocation with a negative entry; refused when the project has disbursed the
/// money already.
///
/// # Errors
/// `Conflict` `reversed` or `over_allocation`.
pub fn reverse_allocation(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    note: &str,
) -> Result<Entry, DomainError> {
    let (fund_id, project_id, amount, reverses): (Uuid, Uuid, i64, Option<Uuid>) =
        allocations::table
            .filter(allocations::id.eq(id))
            .select((
                allocations::fund_id,
                allocations::project_id,
                allocations::amount_fen,
                allocations::reverses,
            ))
            .first(conn)
            .db()?;
    if reverses.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotReversible,
            message: "a reversing entry is not reversed; record a new allocation".into(),
        });
    }
    let fund = lock_fund(conn, fund_id)?;
    let project = lock_project(conn, project_id)?;
    manage_at(ctx, stored_code(fund.region_code)?)?;
    let (allocated, disbursed) = project_totals(conn, &project)?;
    if allocated - amount < disbursed {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::OverAllocation,
            message: format!(
                "the project has disbursed {} yuan; reversing {} yuan would leave only {} yuan allocated",
                domain::exit::yuan(disbursed),
                domain::exit::yuan(amount),
                domain::exit::yuan(allocated - amount)
            ),
        });
    }
    insert_allocation(conn, ctx, &fund, &project, -amount, Some(id), note)
}

/// A disbursement to record.
#[derive(Debug, Clone)]
pub struct NewDisbursement {
    /// Amount.
    pub amount_fen: i64,
    /// Kind.
    pub kind: DisbursementKind,
    /// Payee.
    pub payee: String,
    /// Household paid (subsidies).
    pub household_id: Option<Uuid>,
    /// Paid on.
    pub paid_on: NaiveDate,
    /// Note.
    pub note: String,
}

/// Disburses from a project's dedicated account.
///
/// # Errors
/// `Conflict` `over_budget`, `over_allocation`, `beyond_progress`, `project_closed`.
pub fn disburse(
    conn: &mut PgConnection,
    ctx: &Ctx,
    project_id: Uuid,
    d: &NewDisbursement,
) -> Result<Entry, DomainError> {
    let project = lock_project(conn, project_id)?;
    manage_at(ctx, stored_code(project.region_code)?)?;
    disburse_locked(conn, ctx, &project, d)
}

/// Disburses from a project locked by the caller.
pub(crate) fn disburse_locked(
    conn: &mut PgConnection,
    ctx: &Ctx,
    project: &ProjectRow,
    d: &NewDisbursement,
) -> Result<Entry, DomainError> {
    if project.status == ProjectStatus::Cancelled.as_str() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::ProjectClosed,
            message: "the project is cancelled".into(),
        });
    }
    // A payment is recorded once made: a day still to come would put it in a bank file of a
    // day that has not been (the payment file groups by `paid_on`) and in the books early; a
    // day inside the project's notice would show money paid while it was posted.
    super::project_rules::check_work_may_start(conn, ctx, project, ("paid_on", d.paid_on))?;
    // 一卡兑付 (seed 5): a payment to a household goes to its benefit card, never in cash.
    let card = match d.household_id {
        Some(h) => Some(super::benefit_cards::card_for_payment(conn, ctx, h)?),
        None => None,
    };
    // A relocation project pays the households of its plan's place: one of another village
    // would appear on that village's subsidy roster.
    if let Some(h) = d.household_id
        && project.purpose == domain::funds::Purpose::Relocation.as_str()
        && !stored_code(project.region_code)?
            .subtree()
            .contains(stored_code(super::cases::find(conn, h)?.region_code)?)
    {
        return Err(DomainError::field(
            "household_id",
            domain::Rule::other(
                "a relocation project pays households of its own place (the plan's village or area)",
                "易地扶贫搬迁项目只能向本项目所在地(搬迁计划所在村或区域)的农户发放",
            ),
        ));
    }
    let (allocated, disbursed) = project_totals(conn, project)?;
    let state = ProjectState {
        budget_fen: project.budget_fen,
        allocated_fen: allocated,
        disbursed_fen: disbursed,
        // The kind does not lift the cap: a project paid by progress pays by progress.
        pay_by_progress: project.pay_by_progress,
        progress_pct: project.progress_pct,
    };
    rules::check_disbursement(&state, d.amount_fen)?;
    insert_disbursement(conn, ctx, project, d, d.amount_fen, None, card)
}

fn insert_disbursement(
    conn: &mut PgConnection,
    ctx: &Ctx,
    project: &ProjectRow,
    d: &NewDisbursement,
    amount: i64,
    reverses: Option<Uuid>,
    card: Option<(Uuid, String)>,
) -> Result<Entry, DomainError> {
    let id = Uuid::new_v4();
    let (card_id, card_masked) = card.unzip();
    diesel::insert_into(disbursements::table)
        .values((
            disbursements::county_code.eq(project.county_code),
            disbursements::id.eq(id),
            disbursements::project_id.eq(project.id),
            disbursements::region_code.eq(project.region_code),
            disbursements::amount_fen.eq(amount),
            disbursements::kind.eq(d.kind.as_str()),
            disbursements::payee.eq(&d.payee),
            disbursements::household_id.eq(d.household_id),
            disbursements::reverses.eq(reverses),
            disbursements::paid_on.eq(d.paid_on),
            disbursements::note.eq(&d.note),
            disbursements::created_by.eq(ctx.caller.user_id),
            disbursements::created_at.eq(ctx.now),
            disbursements::card_id.eq(card_id),
            disbursements::card_masked.eq(&card_masked),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::Reversed,
                message: "this disbursement was reversed already".into(),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        if reverses.is_some() {
            "disbursement.reversed"
        } else {
            "disbursement.made"
        },
        "disbursement",
        id,
        stored_code(project.region_code)?,
        json!({ "project_id": project.id, "amount_fen": amount, "kind": d.kind.as_str(), "reverses": reverses }),
    )?;
    super::webhooks::emit(
        conn,
        ctx,
        domain::webhooks::EventKind::DisbursementMade,
        stored_code(project.region_code)?,
        "disbursement",
        id,
        json!({
            "disbursement_id": id, "project_id": project.id, "region": format!("{:012}", project.region_code),
            "amount_fen": amount, "kind": d.kind.as_str(), "paid_on": d.paid_on, "reverses": reverses,
        }),
    )?;
    Ok(Entry {
        id,
        amount_fen: amount,
        reverses,
        fund_id: None,
        project_id: project.id,
        kind: Some(d.kind.as_str().into()),
        payee: Some(d.payee.clone()),
        household_id: d.household_id,
        card_masked,
        paid_on: Some(d.paid_on),
        note: d.note.clone(),
        created_at: ctx.now,
    })
}

/// Reverses a disbursement with a negative entry (once).
///
/// # Errors
/// `Conflict` `reversed` or `not_reversible`.
pub fn reverse_disbursement(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    note: &str,
) -> Result<Entry, DomainError> {
    #[derive(Queryable)]
    struct Original {
        project_id: Uuid,
        amount_fen: i64,
        kind: String,
        payee: String,
        household_id: Option<Uuid>,
        reverses: Option<Uuid>,
        card_id: Option<Uuid>,
        card_masked: Option<String>,
    }
    let o: Original = disbursements::table
        .filter(disbursements::id.eq(id))
        .select((
            disbursements::project_id,
            disbursements::amount_fen,
            disbursements::kind,
            disbursements::payee,
            disbursements::household_id,
            disbursements::reverses,
            disbursements::card_id,
            disbursements::card_masked,
        ))
        .first(conn)
        .db()?;
    if o.reverses.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotReversible,
            message: "a reversing entry is not reversed; record a new disbursement".into(),
        });
    }
    let project = lock_project(conn, o.project_id)?;
    manage_at(ctx, stored_code(project.region_code)?)?;
    let payout: i64 = crate::schema::ranger_payouts::table
        .filter(crate::schema::ranger_payouts::county_code.eq(project.county_code))
        .filter(crate::schema::ranger_payouts::disbursement_id.eq(id))
        .count()
        .get_result(conn)
        .db()?;
    if payout > 0 {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::RangerPayout,
            message: "this disbursement pays a ranger's month; the payout record stands with it"
                .into(),
        });
    }
    let d = NewDisbursement {
        amount_fen: -o.amount_fen,
        kind: parse(DisbursementKind::parse(&o.kind))?,
        payee: o.payee,
        household_id: o.household_id,
        paid_on: ctx.today(),
        note: note.to_string(),
    };
    // The reversal names the card the original was paid to.
    let card = o.card_id.zip(o.card_masked);
    insert_disbursement(conn, ctx, &project, &d, -o.amount_fen, Some(id), card)
}

/// Records progress on a project (and moves it to in progress or completed).
///
/// # Errors
/// `Validation` when progress goes backwards.
pub fn record_progress(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    pct: i32,
    on: NaiveDate,
    note: &str,
) -> Result<ProjectRow, DomainError> {
    let p = lock_project(conn, id)?;
    manage_at(ctx, stored_code(p.region_code)?)?;
    if pct < p.progress_pct {
        return Err(DomainError::field(
            "progress_pct",
            domain::Rule::other(
                format!(
                    "progress does not go back: it is {}% already",
                    p.progress_pct
                ),
                format!("进度不能倒退:已达 {}%", p.progress_pct),
            ),
        ));
    }
    if pct > 0 {
        super::project_rules::check_work_may_start(conn, ctx, &p, ("recorded_on", on))?;
    } else {
        super::project_rules::check_not_ahead(ctx, "recorded_on", on)?;
    }
    diesel::insert_into(project_progress::table)
        .values((
            project_progress::county_code.eq(p.county_code),
            project_progress::id.eq(Uuid::new_v4()),
            project_progress::project_id.eq(id),
            project_progress::region_code.eq(p.region_code),
            project_progress::progress_pct.eq(pct),
            project_progress::recorded_on.eq(on),
            project_progress::note.eq(note),
            project_progress::created_by.eq(ctx.caller.user_id),
            project_progress::created_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    let status = if pct == 100 {
        ProjectStatus::Completed
    } else {
        ProjectStatus::InProgress
    };
    let row = diesel::update(
        projects::table
            .filter(projects::county_code.eq(p.county_code))
            .filter(projects::id.eq(id)),
    )
    .set((
        projects::progress_pct.eq(pct),
        projects::status.eq(status.as_str()),
        projects::version.eq(projects::version + 1),
        projects::updated_at.eq(ctx.now),
    ))
    .returning(ProjectRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        "project.progress",
        "project",
        id,
        stored_code(p.region_code)?,
        json!({ "progress_pct": pct, "recorded_on": on }),
    )?;
    Ok(row)
}
