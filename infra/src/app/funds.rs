//! Funds, projects and their ledgers; execution rates; the key-village share of linking funds;
//! relocation plans.
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

/// A fund.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = funds)]
pub struct FundRow {
    /// Tenant.
    #[serde(skip)]
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// The receiving county.
    #[serde(skip)]
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Level code.
    pub level: String,
    /// Source (department, programme).
    pub source: String,
    /// Purpose code.
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

/// A project.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ProjectRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village (or county, for county-wide projects).
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Purpose code.
    pub purpose: String,
    /// Budget, fen.
    pub budget_fen: i64,
    /// Paid by progress.
    pub pay_by_progress: bool,
    /// Dedicated account (专户).
    pub account: String,
    /// Latest progress.
    pub progress_pct: i32,
    /// Status code.
    pub status: String,
    /// Assets it creates.
    pub assets: String,
    /// Who holds them (the village collective).
    pub asset_holder: String,
    /// Version.
    pub version: i32,
    /// Created by.
    pub created_by: Uuid,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
    /// The named manager (专人, seed 5): a user of the county with `funds:manage`.
    pub manager_user_id: Option<Uuid>,
    /// Created while `funds.require_project_posting` was on (construction projects only): no
    /// money is paid and no progress recorded until its public posting (张榜公布) has ended.
    pub posting_required: bool,
}

/// A ledger entry (allocation or disbursement).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Id.
    pub id: Uuid,
    /// Amount (negative for a reversal).
    pub amount_fen: i64,
    /// The entry it reverses.
    pub reverses: Option<Uuid>,
    /// Fund (allocations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund_id: Option<Uuid>,
    /// Project.
    pub project_id: Uuid,
    /// `progress` or `subsidy` (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Payee (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// Household paid (subsidies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_id: Option<Uuid>,
    /// The household's benefit card it was paid to, masked (一卡兑付).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_masked: Option<String>,
    /// Paid on (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<NaiveDate>,
    /// Note.
    pub note: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

fn manage_at(ctx: &Ctx, code: RegionCode) -> Result<(), DomainError> {
    ctx.caller.require_at(perm::FUNDS_MANAGE, code)
}

fn parse<T>(r: Result<T, String>) -> Result<T, DomainError> {
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
            "must be a county in your scope",
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
            "must be a county, township or village in your scope",
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
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 23))")
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)
        .db()?;
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
    let fund = lock_fund(conn, fund_id)
        .map_err(|_| DomainError::field("fund_id", "is not a fund in your scope"))?;
    let project = lock_project(conn, project_id)
        .map_err(|_| DomainError::field("project_id", "is not a project in your scope"))?;
    manage_at(ctx, stored_code(fund.region_code)?)?;
    if fund.county_code != project.county_code {
        return Err(DomainError::field(
            "project_id",
            "belongs to another county than the fund",
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
    super::project_rules::check_work_may_start(conn, ctx, project)?;
    // 一卡兑付 (seed 5): a payment to a household goes to its benefit card, never in cash.
    let card = match d.household_id {
        Some(h) => Some(super::benefit_cards::card_for_payment(conn, h)?),
        None => None,
    };
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
            format!(
                "progress does not go back: it is {}% already",
                p.progress_pct
            ),
        ));
    }
    if pct > 0 {
        super::project_rules::check_work_may_start(conn, ctx, &p)?;
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

/// A fund with its totals.
#[derive(Debug, Clone, Serialize)]
pub struct FundView {
    /// The fund.
    #[serde(flatten)]
    pub fund: FundRow,
    /// County (6 digits).
    pub county_code: String,
    /// Allocated (net).
    pub allocated_fen: i64,
    /// Received and not allocated.
    pub unallocated_fen: i64,
    /// Disbursed out of its allocations: each project's disbursements shared among the funds
    /// that allocated to it, in proportion to their allocations.
    pub disbursed_fen: i64,
    /// Disbursed over received, basis points.
    pub execution_bp: i64,
}

/// A fund's share of what its projects disbursed (pro rata to the allocations).
fn fund_disbursed(conn: &mut PgConnection, f: &FundRow) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct D {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        disbursed: i64,
    }
    let d: D = diesel::sql_query(
        "SELECT coalesce(sum(fa.amount * d.disbursed / nullif(pa.total, 0)), 0)::bigint AS disbursed \
           FROM (SELECT project_id, sum(amount_fen) AS amount FROM allocations \
                  WHERE county_code = $1 AND fund_id = $2 GROUP BY 1) fa \
           JOIN (SELECT project_id, sum(amount_fen) AS total FROM allocations WHERE county_code = $1 GROUP BY 1) pa USING (project_id) \
           JOIN (SELECT project_id, sum(amount_fen) AS disbursed FROM disbursements WHERE county_code = $1 GROUP BY 1) d USING (project_id)",
    )
    .bind::<diesel::sql_types::Integer, _>(f.county_code)
    .bind::<diesel::sql_types::Uuid, _>(f.id)
    .get_result(conn)
    .db()?;
    Ok(d.disbursed)
}

/// Funds in `within` (optionally of a year).
///
/// # Errors
/// Database failures.
pub fn list_funds(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
) -> Result<Vec<FundView>, DomainError> {
    let mut q = funds::table
        .filter(funds::region_code.between(within.lo(), within.hi()))
        .order((funds::year.desc(), funds::received_on, funds::id))
        .select(FundRow::as_select())
        .limit(5000)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(funds::year.eq(y));
    }
    let rows: Vec<FundRow> = q.load(conn).db()?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        let allocated = fund_allocated(conn, &f)?;
        let disbursed = fund_disbursed(conn, &f)?;
        out.push(FundView {
            county_code: format!("{:06}", f.county_code),
            unallocated_fen: f.amount_fen - allocated,
            allocated_fen: allocated,
            disbursed_fen: disbursed,
            execution_bp: rules::rate_bp(disbursed, f.amount_fen),
            fund: f,
        });
    }
    Ok(out)
}

/// A project with its ledgers and totals.
#[derive(Debug, Clone)]
pub struct ProjectView {
    /// The project.
    pub project: ProjectRow,
    /// Allocated (net).
    pub allocated_fen: i64,
    /// Disbursed (net).
    pub disbursed_fen: i64,
    /// Allocations, in order.
    pub allocations: Vec<Entry>,
    /// Disbursements, in order.
    pub disbursements: Vec<Entry>,
    /// Whether its village is an active key village.
    pub key_village: bool,
    /// The named manager (专人): id and display name.
    pub manager: Option<(Uuid, String)>,
    /// Its public posting (张榜公布), when posted.
    pub posting: Option<super::project_rules::PostingRow>,
}

/// A project with its ledgers.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get_project(conn: &mut PgConnection, id: Uuid) -> Result<ProjectView, DomainError> {
    let project: ProjectRow = projects::table
        .filter(projects::id.eq(id))
        .select(ProjectRow::as_select())
        .first(conn)
        .db()?;
    project_view(conn, project)
}

/// A project with its ledgers, each read in order from its `(county, project, created_at, id)`
/// index.
fn project_view(conn: &mut PgConnection, project: ProjectRow) -> Result<ProjectView, DomainError> {
    let id = project.id;
    #[derive(Queryable)]
    struct A {
        id: Uuid,
        fund: Uuid,
        amount: i64,
        reverses: Option<Uuid>,
        note: String,
        at: DateTime<Utc>,
    }
    let allocs: Vec<A> = crate::db::load_page(
        conn,
        allocations::table
            .filter(allocations::county_code.eq(project.county_code))
            .filter(allocations::project_id.eq(id))
            .order((allocations::created_at, allocations::id))
            .select((
                allocations::id,
                allocations::fund_id,
                allocations::amount_fen,
                allocations::reverses,
                allocations::note,
                allocations::created_at,
            )),
    )?;
    #[derive(Queryable)]
    struct D {
        id: Uuid,
        amount_fen: i64,
        kind: String,
        payee: String,
        household_id: Option<Uuid>,
        reverses: Option<Uuid>,
        paid_on: NaiveDate,
        note: String,
        created_at: DateTime<Utc>,
        card_masked: Option<String>,
    }
    let disbs: Vec<D> = crate::db::load_page(
        conn,
        disbursements::table
            .filter(disbursements::county_code.eq(project.county_code))
            .filter(disbursements::project_id.eq(id))
            .order((disbursements::created_at, disbursements::id))
            .select((
                disbursements::id,
                disbursements::amount_fen,
                disbursements::kind,
                disbursements::payee,
                disbursements::household_id,
                disbursements::reverses,
                disbursements::paid_on,
                disbursements::note,
                disbursements::created_at,
                disbursements::card_masked,
            )),
    )?;
    let key: i64 = key_villages::table
        .filter(key_villages::county_code.eq(project.county_code))
        .filter(key_villages::region_code.eq(project.region_code))
        .filter(key_villages::status.eq("active"))
        .count()
        .get_result(conn)
        .db()?;
    Ok(ProjectView {
        allocated_fen: allocs.iter().map(|a| a.amount).sum(),
        disbursed_fen: disbs.iter().map(|d| d.amount_fen).sum(),
        allocations: allocs
            .into_iter()
            .map(|a| Entry {
                id: a.id,
                amount_fen: a.amount,
                reverses: a.reverses,
                fund_id: Some(a.fund),
                project_id: project.id,
                kind: None,
                payee: None,
                household_id: None,
                card_masked: None,
                paid_on: None,
                note: a.note,
                created_at: a.at,
            })
            .collect(),
        disbursements: disbs
            .into_iter()
            .map(|d| Entry {
                id: d.id,
                amount_fen: d.amount_fen,
                reverses: d.reverses,
                fund_id: None,
                project_id: project.id,
                kind: Some(d.kind),
                payee: Some(d.payee),
                household_id: d.household_id,
                card_masked: d.card_masked,
                paid_on: Some(d.paid_on),
                note: d.note,
                created_at: d.created_at,
            })
            .collect(),
        key_village: key > 0,
        manager: super::project_rules::manager_of(conn, &project)?,
        posting: super::project_rules::posting_of(conn, &project)?,
        project,
    })
}

/// A page of projects in `within` (optionally of a year), with their ledgers, by village, then
/// name — the order of `projects_walk` (`projects_year_walk` with a year), so every scope walks
/// the index and stops after the page; keyset after `(village, name, id)`.
///
/// # Errors
/// Database failures.
pub fn list_projects(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
    after: Option<(i64, String, Uuid)>,
    limit: i64,
) -> Result<Vec<ProjectView>, DomainError> {
    let mut q = projects::table
        .filter(projects::region_code.between(within.lo(), within.hi()))
        .order((projects::region_code, projects::name, projects::id))
        .select(ProjectRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(projects::year.eq(y));
    }
    if let Some((r, name, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(projects.region_code, projects.name, projects.id) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Text, _>(name)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows: Vec<ProjectRow> = crate::db::load_page(conn, q)?;
    rows.into_iter().map(|p| project_view(conn, p)).collect()
}

/// Execution of one region.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Execution {
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

/// Execution rates of a region and each region one level down for a year: received,
/// allocated, disbursed, disbursed over allocated.
///
/// # Errors
/// `Validation` outside scope.
pub fn execution(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
) -> Result<(Execution, Vec<Execution>), DomainError> {
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::field("region", "lies outside your scope"));
    }
    let scope = region.subtree();
    let received: Vec<(i64, i64)> = funds::table
        .filter(funds::region_code.between(scope.lo(), scope.hi()))
        .filter(funds::year.eq(year))
        .select((funds::region_code, funds::amount_fen))
        .load(conn)
        .db()?;
    let allocated: Vec<(i64, i64)> = allocations::table
        .inner_join(
            projects::table.on(projects::county_code
                .eq(allocations::county_code)
                .and(projects::id.eq(allocations::project_id))),
        )
        .filter(allocations::region_code.between(scope.lo(), scope.hi()))
        .filter(projects::year.eq(year))
        .select((allocations::region_code, allocations::amount_fen))
        .load(conn)
        .db()?;
    let disbursed: Vec<(i64, i64)> = disbursements::table
        .inner_join(
            projects::table.on(projects::county_code
                .eq(disbursements::county_code)
                .and(projects::id.eq(disbursements::project_id))),
        )
        .filter(disbursements::region_code.between(scope.lo(), scope.hi()))
        .filter(projects::year.eq(year))
        .select((disbursements::region_code, disbursements::amount_fen))
        .load(conn)
        .db()?;
    let names: Vec<(i64, String)> = regions::table
        .filter(
            regions::parent_code
                .eq(region.as_i64())
                .or(regions::code.eq(region.as_i64())),
        )
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let make = |code: i64, name: String, s: Scope| {
        let inn = |c: &i64| (s.lo()..=s.hi()).contains(c);
        let total = |v: &[(i64, i64)]| {
            v.iter()
                .filter(|(c, _)| inn(c))
                .map(|(_, a)| a)
                .sum::<i64>()
        };
        let a = total(&allocated);
        let d = total(&disbursed);
        Execution {
            region_code: format!("{code:012}"),
            name,
            received_fen: total(&received),
            allocated_fen: a,
            disbursed_fen: d,
            execution_bp: rules::rate_bp(d, a),
        }
    };
    let own = names
        .iter()
        .find(|(c, _)| *c == region.as_i64())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let total = make(region.as_i64(), own, scope);
    let children = names
        .into_iter()
        .filter(|(c, _)| *c != region.as_i64())
        .filter_map(|(c, n)| Some(make(c, n, RegionCode::from_i64(c).ok()?.subtree())))
        .collect();
    Ok((total, children))
}

/// The key-village share of a county's linking funds in a year (seed 4: at least 12%).
#[derive(Debug, Clone, Serialize)]
pub struct LinkingShare {
    /// County (6 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// Linking funds received.
    pub linking_received_fen: i64,
    /// Of which allocated to projects in active key villages.
    pub to_key_villages_fen: i64,
    /// Share, basis points of received.
    pub share_bp: i64,
    /// The minimum (setting `key_village.min_linking_fund_share_bp`).
    pub minimum_bp: i64,
    /// Present when the share falls short.
    pub warning: Option<String>,
}

/// The share of a county's linking funds of a year allocated to key villages.
///
/// # Errors
/// `NotFound` for a county outside scope.
pub fn linking_share(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<LinkingShare, DomainError> {
    if county.level() != Level::County || !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    let minimum = i64::from(
        super::settings::effective_for(conn, ctx, county)?
            .key_village
            .min_linking_fund_share_bp,
    );
    let c = county.county_code();
    let received: i64 = funds::table
        .filter(funds::county_code.eq(c))
        .filter(funds::year.eq(year))
        .filter(funds::linking.eq(true))
        .select(total("funds.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let keys: Vec<i64> = key_villages::table
        .filter(key_villages::county_code.eq(c))
        .filter(key_villages::status.eq("active"))
        .filter(key_villages::from_year.le(year))
        .filter(key_villages::to_year.ge(year))
        .select(key_villages::region_code)
        .load(conn)
        .db()?;
    let to_keys: i64 = allocations::table
        .inner_join(
            funds::table.on(funds::county_code
                .eq(allocations::county_code)
                .and(funds::id.eq(allocations::fund_id))),
        )
        .filter(allocations::county_code.eq(c))
        .filter(funds::year.eq(year))
        .filter(funds::linking.eq(true))
        .filter(allocations::region_code.eq_any(&keys))
        .select(total("allocations.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let share = rules::rate_bp(to_keys, received);
    Ok(LinkingShare {
        county_code: format!("{c:06}"),
        year,
        linking_received_fen: received,
        to_key_villages_fen: to_keys,
        share_bp: share,
        minimum_bp: minimum,
        warning: (received > 0 && share < minimum).then(|| {
            format!(
                "only {}.{:02}% of {year}'s linking funds go to key villages; at least {}.{:02}% must",
                share / 100,
                share % 100,
                minimum / 100,
                minimum % 100
            )
        }),
    })
}

/// A relocation plan.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = relocation_plans)]
pub struct RelocationRow {
    /// Id.
    pub id: Uuid,
    /// Region (county or village).
    #[serde(skip)]
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Households to move.
    pub households: i32,
    /// People to move.
    pub people: i32,
    /// Subsidy per person (the county's setting when planned), fen.
    pub subsidy_per_person_fen: i64,
    /// People × subsidy, fen.
    pub entitlement_fen: i64,
    /// The project that pays it.
    pub project_id: Uuid,
}

/// Plans a relocation: the entitlement is computed from the county's per-person subsidy
/// (a setting) and a subsidy project (paid by entitlement, not by progress) is created for it.
///
/// # Errors
/// As [`create_project`].
pub fn plan_relocation(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
    name: &str,
    (households, people): (i32, i32),
) -> Result<RelocationRow, DomainError> {
    if region.level() < Level::County || !ctx.caller.scope().contains(region) {
        return Err(DomainError::field(
            "region_code",
            "must be a county, township or village in your scope",
        ));
    }
    manage_at(ctx, region)?;
    let per_person = super::settings::effective_for(conn, ctx, region)?
        .funds
        .relocation_subsidy_per_person_fen;
    let entitlement = per_person * i64::from(people);
    let project = create_project(
        conn,
        ctx,
        &NewProject {
            region,
            year,
            name: format!("{name}(搬迁补助)"),
            purpose: Purpose::Relocation,
            budget_fen: entitlement.max(1),
            pay_by_progress: false,
            account: "易地扶贫搬迁补助专户".into(),
            assets: String::new(),
            asset_holder: String::new(),
            manager_user_id: None,
        },
    )?;
    let row: RelocationRow = diesel::insert_into(relocation_plans::table)
        .values((
            relocation_plans::county_code.eq(region.county_code()),
            relocation_plans::id.eq(Uuid::new_v4()),
            relocation_plans::region_code.eq(region.as_i64()),
            relocation_plans::year.eq(year),
            relocation_plans::name.eq(name),
            relocation_plans::households.eq(households),
            relocation_plans::people.eq(people),
            relocation_plans::subsidy_per_person_fen.eq(per_person),
            relocation_plans::entitlement_fen.eq(entitlement),
            relocation_plans::project_id.eq(project.id),
            relocation_plans::created_by.eq(ctx.caller.user_id),
            relocation_plans::created_at.eq(ctx.now),
        ))
        .returning(RelocationRow::as_returning())
        .get_result(conn)
        .map_err(map_db_error)?;
    ctx.audit(
        conn,
        "relocation.planned",
        "relocation_plan",
        row.id,
        region,
        json!({ "households": households, "people": people, "entitlement_fen": entitlement }),
    )?;
    Ok(row)
}

/// Relocation in a region: plans and totals, with the funds of relocation purpose by level.
#[derive(Debug, Clone, Serialize)]
pub struct RelocationSummary {
    /// Plans.
    pub plans: Vec<RelocationRow>,
    /// Households planned.
    pub households: i64,
    /// People planned.
    pub people: i64,
    /// Entitlements, fen.
    pub entitlement_fen: i64,
    /// Paid to households (subsidy disbursements of the plans' projects), fen.
    pub paid_fen: i64,
    /// Relocation funds received, by level (central, province, city, county), fen.
    pub funds_by_level: std::collections::BTreeMap<String, i64>,
    /// All relocation funds received, fen.
    pub funds_total_fen: i64,
}

/// Relocation plans and funding in `within` for a year.
///
/// # Errors
/// Database failures.
pub fn relocation(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
) -> Result<RelocationSummary, DomainError> {
    let mut q = relocation_plans::table
        .filter(relocation_plans::region_code.between(within.lo(), within.hi()))
        .order((relocation_plans::region_code, relocation_plans::id))
        .select(RelocationRow::as_select())
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(relocation_plans::year.eq(y));
    }
    let plans: Vec<RelocationRow> = q.load(conn).db()?;
    let ids: Vec<Uuid> = plans.iter().map(|p| p.project_id).collect();
    let paid: i64 = disbursements::table
        .filter(disbursements::region_code.between(within.lo(), within.hi()))
        .filter(disbursements::project_id.eq_any(&ids))
        .select(total("disbursements.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let mut fq = funds::table
        .filter(funds::region_code.between(within.lo(), within.hi()))
        .filter(funds::purpose.eq(Purpose::Relocation.as_str()))
        .select((funds::level, funds::amount_fen))
        .into_boxed();
    if let Some(y) = year {
        fq = fq.filter(funds::year.eq(y));
    }
    let mut by_level = std::collections::BTreeMap::new();
    for (level, amount) in fq.load::<(String, i64)>(conn).db()? {
        *by_level.entry(level).or_insert(0) += amount;
    }
    Ok(RelocationSummary {
        households: plans.iter().map(|p| i64::from(p.households)).sum(),
        people: plans.iter().map(|p| i64::from(p.people)).sum(),
        entitlement_fen: plans.iter().map(|p| p.entitlement_fen).sum(),
        paid_fen: paid,
        funds_total_fen: by_level.values().sum(),
        funds_by_level: by_level,
        plans,
    })
}
