//! Forest-ranger subsidy contracts (生态护林员, seed 3): contracts between a township forestry
//! station and a registered person, inspections and incidents, and monthly payouts computed
//! line by line from the contract and the record, paid as subsidy disbursements.

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::funds::DisbursementKind;
use domain::ranger::{self as rules, Contract, Incident, IncidentKind, Inspection, Payout};
use domain::{DomainError, RegionCode};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::funds::{self, NewDisbursement};
use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{
    members, projects, ranger_contracts, ranger_incidents, ranger_inspections, ranger_patrols,
    ranger_payouts,
};

mod contract;
mod patrols;
mod record;
pub use contract::*;
pub use patrols::*;
pub use record::*;

fn lock(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<ContractRow, DomainError> {
    let c: ContractRow = ranger_contracts::table
        .filter(ranger_contracts::id.eq(id))
        .select(ContractRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    ctx.caller
        .require_at(perm::FUNDS_MANAGE, stored_code(c.region_code)?)?;
    Ok(c)
}

fn last_day(c: &ContractRow) -> NaiveDate {
    c.terminated_on.map_or(c.end_date, |t| t.min(c.end_date))
}

/// Refuses a record in a month already paid (the payout would no longer match it).
fn unpaid(conn: &mut PgConnection, c: &ContractRow, date: NaiveDate) -> Result<(), DomainError> {
    let key = date.format("%Y-%m").to_string();
    let paid: i64 = ranger_payouts::table
        .filter(ranger_payouts::county_code.eq(c.county_code))
        .filter(ranger_payouts::contract_id.eq(c.id))
        .filter(ranger_payouts::month.eq(&key))
        .count()
        .get_result(conn)
        .db()?;
    if paid > 0 {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::MonthPaid,
            message: format!("{key} is paid already; its record is closed"),
        });
    }
    Ok(())
}

/// The last month paid and the last day it covers, if any month is.
fn paid_through(
    conn: &mut PgConnection,
    c: &ContractRow,
) -> Result<Option<(String, NaiveDate)>, DomainError> {
    let last_paid: Option<String> = ranger_payouts::table
        .filter(ranger_payouts::county_code.eq(c.county_code))
        .filter(ranger_payouts::contract_id.eq(c.id))
        .select(diesel::dsl::max(ranger_payouts::month))
        .first(conn)
        .db()?;
    Ok(last_paid.and_then(|month| {
        let d = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
        let end = NaiveDate::from_ymd_opt(
            d.year(),
            d.month(),
            rules::days_in_month(d.year(), d.month()),
        )?;
        Some((month, end))
    }))
}

/// Refuses a record of a day still to come: an absence deducted in advance, or a contract
/// ended by an incident that has not happened (a year typed wrong cannot be taken back).
fn not_ahead(ctx: &Ctx, date: NaiveDate, field: &str) -> Result<(), DomainError> {
    if date > ctx.today() {
        return Err(DomainError::field(
            field,
            domain::Rule::other(
                format!("{date} is after today: record what has happened"),
                format!("{date} 晚于今天:只能录入已发生的情况"),
            ),
        ));
    }
    Ok(())
}

fn within_contract(c: &ContractRow, date: NaiveDate, field: &str) -> Result<(), DomainError> {
    if date < c.start_date || date > last_day(c) {
        return Err(DomainError::field(
            field,
            domain::Rule::other(
                format!(
                    "{date} lies outside the contract ({} to {})",
                    c.start_date,
                    last_day(c)
                ),
                format!("{date} 不在合同期内({} 至 {})", c.start_date, last_day(c)),
            ),
        ));
    }
    Ok(())
}

/// Records an inspection (present or absent) inside the contract period.
///
/// # Errors
/// `Validation` for a date outside the contract.
pub fn inspect(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    on: NaiveDate,
    present: bool,
    note: &str,
) -> Result<Uuid, DomainError> {
    let c = lock(conn, ctx, id)?;
    within_contract(&c, on, "inspected_on")?;
    not_ahead(ctx, on, "inspected_on")?;
    unpaid(conn, &c, on)?;
    // One inspection per ranger and day (as the import has it): a second absence the same day
    // doubled the month's deduction, and a third made termination allowed. Serialised by the
    // contract's lock.
    let recorded: i64 = ranger_inspections::table
        .filter(ranger_inspections::county_code.eq(c.county_code))
        .filter(ranger_inspections::contract_id.eq(id))
        .filter(ranger_inspections::inspected_on.eq(on))
        .count()
        .get_result(conn)
        .db()?;
    if recorded > 0 {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::AlreadyExists,
            message: format!(
                "this ranger's inspection of {on} is recorded already: one a day, as the inspection sheet has it"
            ),
        });
    }
    let iid = Uuid::new_v4();
    diesel::insert_into(ranger_inspections::table)
        .values((
            ranger_inspections::county_code.eq(c.county_code),
            ranger_inspections::id.eq(iid),
            ranger_inspections::contract_id.eq(id),
            ranger_inspections::region_code.eq(c.region_code),
            ranger_inspections::inspected_on.eq(on),
            ranger_inspections::present.eq(present),
            ranger_inspections::note.eq(note),
            ranger_inspections::created_by.eq(ctx.caller.user_id),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "ranger_contract.inspected",
        "ranger_contract",
        id,
        stored_code(c.region_code)?,
        json!({ "on": on, "present": present }),
    )?;
    Ok(iid)
}

/// Records an incident inside the contract period.
///
/// # Errors
/// `Validation` for a date outside the contract.
pub fn incident(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    i: &Incident,
    description: &str,
) -> Result<Uuid, DomainError> {
    let c = lock(conn, ctx, id)?;
    within_contract(&c, i.date, "occurred_on")?;
    not_ahead(ctx, i.date, "occurred_on")?;
    unpaid(conn, &c, i.date)?;
    // An incident that ends the contract ends it with its month (whose fee is withheld): the
    // months after are no longer covered, whatever order they are paid in. A later month paid
    // already would stay paid to a contract that ended before it, as a termination there is
    // refused (`terminate`): so is the incident, until the pay is settled.
    let settings = c.terms(conn, ctx)?;
    let ends = rules::ends_contract(i, &settings).map(|reason| {
        let month_end = NaiveDate::from_ymd_opt(
            i.date.year(),
            i.date.month(),
            rules::days_in_month(i.date.year(), i.date.month()),
        )
        .unwrap_or(c.end_date);
        (reason, month_end.min(c.end_date))
    });
    if let Some((_, month_end)) = &ends
        && let Some((month, paid_end)) = paid_through(conn, &c)?
        && paid_end > *month_end
    {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::MonthPaid,
            message: format!(
                "{month} is paid already, and this incident ends the contract with {}: the months after it would stay paid",
                i.date.format("%Y-%m")
            ),
        });
    }
    let iid = Uuid::new_v4();
    diesel::insert_into(ranger_incidents::table)
        .values((
            ranger_incidents::county_code.eq(c.county_code),
            ranger_incidents::id.eq(iid),
            ranger_incidents::contract_id.eq(id),
            ranger_incidents::region_code.eq(c.region_code),
            ranger_incidents::occurred_on.eq(i.date),
            ranger_incidents::kind.eq(i.kind.as_str()),
            ranger_incidents::burnt_mu_tenths.eq(i.burnt_mu_tenths),
            ranger_incidents::through_negligence.eq(i.through_negligence),
            ranger_incidents::above_case_threshold.eq(i.above_case_threshold),
            ranger_incidents::major_loss.eq(i.major_loss),
            ranger_incidents::description.eq(description),
            ranger_incidents::created_by.eq(ctx.caller.user_id),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "ranger_contract.incident",
        "ranger_contract",
        id,
        stored_code(c.region_code)?,
        json!({ "on": i.date, "kind": i.kind.as_str(), "burnt_mu_tenths": i.burnt_mu_tenths, "major_loss": i.major_loss }),
    )?;
    if let Some((reason, month_end)) = ends
        && c.terminated_on.is_none_or(|t| t > month_end)
    {
        let reason = format!("{}: {reason}", i.date.format("%Y-%m"));
        diesel::update(
            ranger_contracts::table
                .filter(ranger_contracts::county_code.eq(c.county_code))
                .filter(ranger_contracts::id.eq(id)),
        )
        .set((
            ranger_contracts::terminated_on.eq(month_end),
            ranger_contracts::termination_reason.eq(&reason),
        ))
        .execute(conn)
        .db()?;
        // The contract's end is a change of its own, audited as a termination by hand is.
        ctx.audit(
            conn,
            "ranger_contract.terminated",
            "ranger_contract",
            id,
            stored_code(c.region_code)?,
            json!({ "on": month_end, "reason": reason, "by_incident": iid }),
        )?;
    }
    Ok(iid)
}

fn record(
    conn: &mut PgConnection,
    c: &ContractRow,
) -> Result<(Vec<Inspection>, Vec<Incident>), DomainError> {
    let ins: Vec<(NaiveDate, bool)> = ranger_inspections::table
        .filter(ranger_inspections::county_code.eq(c.county_code))
        .filter(ranger_inspections::contract_id.eq(c.id))
        .select((
            ranger_inspections::inspected_on,
            ranger_inspections::present,
        ))
        .load(conn)
        .db()?;
    let inc: Vec<(NaiveDate, String, i64, bool, bool, bool)> = ranger_incidents::table
        .filter(ranger_incidents::county_code.eq(c.county_code))
        .filter(ranger_incidents::contract_id.eq(c.id))
        .select((
            ranger_incidents::occurred_on,
            ranger_incidents::kind,
            ranger_incidents::burnt_mu_tenths,
            ranger_incidents::through_negligence,
            ranger_incidents::above_case_threshold,
            ranger_incidents::major_loss,
        ))
        .load(conn)
        .db()?;
    let incidents = inc
        .into_iter()
        .map(|(date, kind, mu, neg, above, major_loss)| {
            Ok(Incident {
                date,
                kind: IncidentKind::parse(&kind)
                    .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?,
                burnt_mu_tenths: mu,
                through_negligence: neg,
                above_case_threshold: above,
                major_loss,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok((
        ins.into_iter()
            .map(|(date, present)| Inspection { date, present })
            .collect(),
        incidents,
    ))
}

/// A month's payout as computed now (nothing is written).
///
/// # Errors
/// `Validation` for a month the contract does not cover.
pub fn compute(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: i32,
    month: u32,
) -> Result<(ContractRow, Payout), DomainError> {
    let c: ContractRow = ranger_contracts::table
        .filter(ranger_contracts::id.eq(id))
        .select(ContractRow::as_select())
        .first(conn)
        .db()?;
    let settings = c.terms(conn, ctx)?;
    let (ins, inc) = record(conn, &c)?;
    let p = rules::payout(
        &Contract {
            start: c.start_date,
            end: c.end_date,
            annual_subsidy_fen: c.annual_subsidy_fen,
            terminated_on: c.terminated_on,
        },
        &settings,
        year,
        month,
        &ins,
        &inc,
    )
    .map_err(|m| DomainError::field("month", m))?;
    Ok((c, p))
}

/// A paid month.
#[derive(Debug, Clone, Serialize)]
pub struct Paid {
    /// The computation.
    pub payout: Payout,
    /// The disbursement (absent when the month pays nothing).
    pub disbursement_id: Option<Uuid>,
    /// Whether the contract was terminated by this month's record.
    pub terminated: bool,
}

/// Pays a month: computes it, records it (once per month), pays it as a subsidy disbursement
/// from the contract's project to the ranger's household, and terminates the contract when a
/// major incident requires it.
///
/// # Errors
/// `Conflict` `paid` for a month paid already; the disbursement rules.
pub fn pay(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: i32,
    month: u32,
) -> Result<Paid, DomainError> {
    let locked = lock(conn, ctx, id)?;
    let key = format!("{year:04}-{month:02}");
    let last = NaiveDate::from_ymd_opt(year, month, rules::days_in_month(year, month)).ok_or_else(
        || DomainError::field("month", domain::Rule::format(domain::Format::YearMonth)),
    )?;
    if ctx.today() <= last {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::MonthNotOver,
            message: format!("{key} is paid after it ends: its record may still change"),
        });
    }
    let (c, p) = compute(conn, ctx, id, year, month)?;
    let project = projects::table
        .filter(projects::county_code.eq(c.county_code))
        .filter(projects::id.eq(c.project_id))
        .select(funds::ProjectRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let disbursement = if p.total_fen > 0 {
        Some(funds::disburse_locked(
            conn,
            ctx,
            &project,
            &NewDisbursement {
                amount_fen: p.total_fen,
                kind: DisbursementKind::Subsidy,
                payee: format!("生态护林员 {} 户", c.household_id),
                household_id: Some(c.household_id),
                paid_on: ctx.today(),
                note: format!("{key} 管护补助"),
            },
        )?)
    } else {
        None
    };
    diesel::insert_into(ranger_payouts::table)
        .values((
            ranger_payouts::county_code.eq(c.county_code),
            ranger_payouts::contract_id.eq(id),
            ranger_payouts::month.eq(&key),
            ranger_payouts::region_code.eq(c.region_code),
            ranger_payouts::lines.eq(json!(p.lines)),
            ranger_payouts::total_fen.eq(p.total_fen),
            ranger_payouts::disbursement_id.eq(disbursement.as_ref().map(|d| d.id)),
            ranger_payouts::created_by.eq(ctx.caller.user_id),
            ranger_payouts::created_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::Paid,
                message: format!("{key} is paid already"),
            },
            other => other,
        })?;
    // The month whose incident ended the contract (at once, when it was recorded).
    let terminated = p.terminate;
    if terminated && locked.terminated_on.is_none() {
        let on = NaiveDate::from_ymd_opt(year, month, rules::days_in_month(year, month))
            .unwrap_or(locked.end_date);
        diesel::update(
            ranger_contracts::table
                .filter(ranger_contracts::county_code.eq(c.county_code))
                .filter(ranger_contracts::id.eq(id)),
        )
        .set((
            ranger_contracts::terminated_on.eq(on),
            ranger_contracts::termination_reason.eq(format!(
                "{key}: {}",
                p.lines
                    .iter()
                    .filter(|l| l.code == "withheld")
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        ))
        .execute(conn)
        .db()?;
    }
    ctx.audit(
        conn,
        "ranger_contract.paid",
        "ranger_contract",
        id,
        stored_code(c.region_code)?,
        json!({ "month": key, "total_fen": p.total_fen, "terminated": terminated }),
    )?;
    Ok(Paid {
        payout: p,
        disbursement_id: disbursement.map(|d| d.id),
        terminated,
    })
}

/// Terminates a contract (e.g. after three absences in a month), with a reason.
///
/// # Errors
/// `Conflict` when terminated already; `Validation` for a date outside the contract.
pub fn terminate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    on: NaiveDate,
    reason: &str,
) -> Result<ContractRow, DomainError> {
    let c = lock(conn, ctx, id)?;
    if c.terminated_on.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Terminated,
            message: "the contract is terminated already".into(),
        });
    }
    within_contract(&c, on, "terminated_on")?;
    // Not inside a month paid already: that month was paid in full, and the months after it
    // would no longer be covered by the contract that paid them.
    if let Some((month, end)) = paid_through(conn, &c)?
        && on < end
    {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::MonthPaid,
            message: format!(
                "{month} is paid already: the contract can end on {end} at the earliest"
            ),
        });
    }
    let row = diesel::update(
        ranger_contracts::table
            .filter(ranger_contracts::county_code.eq(c.county_code))
            .filter(ranger_contracts::id.eq(id)),
    )
    .set((
        ranger_contracts::terminated_on.eq(on),
        ranger_contracts::termination_reason.eq(reason),
    ))
    .returning(ContractRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        "ranger_contract.terminated",
        "ranger_contract",
        id,
        stored_code(c.region_code)?,
        json!({ "on": on, "reason": reason }),
    )?;
    Ok(row)
}

/// Contracts in a region, by village, start and id, after the cursor `after`; at most `limit`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    within: domain::Scope,
    after: Option<(i64, chrono::NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<ContractRow>, DomainError> {
    let mut q = ranger_contracts::table
        .filter(ranger_contracts::region_code.between(within.lo(), within.hi()))
        .order((
            ranger_contracts::region_code,
            ranger_contracts::start_date,
            ranger_contracts::id,
        ))
        .select(ContractRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((r, d, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(ranger_contracts.region_code, ranger_contracts.start_date, ranger_contracts.id) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Date, _>(d)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    crate::db::load_page(conn, q)
}

/// The rangers' names, by member id (for the contracts list: a contract names the ranger).
/// Members outside the transaction's scope are absent.
///
/// # Errors
/// Database errors.
pub fn ranger_names(
    conn: &mut PgConnection,
    member_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DomainError> {
    let rows: Vec<(Uuid, String)> = members::table
        .filter(members::id.eq_any(member_ids))
        .select((members::id, members::name))
        .load(conn)
        .db()?;
    Ok(rows.into_iter().collect())
}

/// A month of a contract that is unpaid after its due day.
#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct LateRow {
    /// The contract.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub contract_id: Uuid,
    /// The ranger's village.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub region_code: i64,
    /// The township forestry station (party A).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub station: String,
    /// The ranger (a registered person).
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub member_id: Uuid,
    /// The unpaid month, `YYYY-MM`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub month: String,
    /// The day it was due (the `payment_due_day` of the following month the contract was
    /// signed under, or for older contracts the county's `ranger.payment_due_day`; moved to the
    /// next working day when it is a rest day).
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub due_on: NaiveDate,
    /// The contract has been terminated (its months before the end are still owed).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub terminated: bool,
}

/// Every month of the contracts in `within` that was due before `as_of` and is not paid, in
/// the order of (village, contract, month); keyset after that triple. A terminated contract's
/// months up to its last day count: they are owed all the same. The due day is the one in the
/// terms the contract was signed under; a contract signed before terms were kept takes its
/// county's `ranger.payment_due_day`.
///
/// # Errors
/// Database failures.
pub fn late_payments(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: domain::Scope,
    as_of: NaiveDate,
    after: Option<(i64, Uuid, String)>,
    limit: i64,
) -> Result<Vec<LateRow>, DomainError> {
    // The counties with contracts in scope, each with its payment day.
    let counties: Vec<(i32, i64)> = ranger_contracts::table
        .filter(ranger_contracts::region_code.between(within.lo(), within.hi()))
        .select((ranger_contracts::county_code, ranger_contracts::region_code))
        .distinct_on(ranger_contracts::county_code)
        .order((ranger_contracts::county_code, ranger_contracts::region_code))
        .load(conn)
        .db()?;
    let mut codes = Vec::with_capacity(counties.len());
    let mut days = Vec::with_capacity(counties.len());
    for (county, region) in counties {
        let s = super::settings::effective_for(conn, ctx, stored_code(region)?)?;
        codes.push(county);
        days.push(s.ranger.payment_due_day);
    }
    // The SQL lists the months whose payment day (as the setting gives it) is before `as_of`;
    // a payment day on a rest day moves to the next working day (Civil Code §203), so a month
    // whose moved day is not before `as_of` yet is dropped here, and the next batch is read
    // until the page is full.
    let first = ranger_payouts_first_day(conn)?;
    let cal = super::calendar::load(conn, first, as_of + chrono::Duration::days(31))?;
    let mut key = after.unwrap_or((0, Uuid::nil(), String::new()));
    let mut out: Vec<LateRow> = Vec::new();
    loop {
        let batch = late_batch(conn, within, &codes, &days, as_of, &key, limit)?;
        let full = i64::try_from(batch.len()).unwrap_or(i64::MAX) >= limit;
        if let Some(last) = batch.last() {
            key = (last.region_code, last.contract_id, last.month.clone());
        }
        for mut row in batch {
            row.due_on = cal.working_day_from(row.due_on);
            if row.due_on < as_of && i64::try_from(out.len()).unwrap_or(i64::MAX) < limit {
                out.push(row);
            }
        }
        if !full || i64::try_from(out.len()).unwrap_or(i64::MAX) >= limit {
            return Ok(out);
        }
    }
}

/// The first day the calendar must cover for the late list: the earliest contract start.
fn ranger_payouts_first_day(conn: &mut PgConnection) -> Result<NaiveDate, DomainError> {
    let first: Option<NaiveDate> = ranger_contracts::table
        .select(diesel::dsl::min(ranger_contracts::start_date))
        .first(conn)
        .db()?;
    Ok(first.unwrap_or_default())
}

fn late_batch(
    conn: &mut PgConnection,
    within: domain::Scope,
    codes: &[i32],
    days: &[i32],
    as_of: NaiveDate,
    (r, c, m): &(i64, Uuid, String),
    limit: i64,
) -> Result<Vec<LateRow>, DomainError> {
    diesel::sql_query(
        "SELECT c.id AS contract_id, c.region_code, c.station, c.member_id, \
                to_char(d, 'YYYY-MM') AS month, \
                due.day AS due_on, \
                c.terminated_on IS NOT NULL AS terminated \
           FROM ranger_contracts c \
           JOIN unnest($3::int[], $4::int[]) AS k (county_code, due_day) ON k.county_code = c.county_code \
          CROSS JOIN LATERAL generate_series(date_trunc('month', c.start_date), \
                date_trunc('month', least(c.end_date, coalesce(c.terminated_on, c.end_date))), \
                interval '1 month') AS d \
          CROSS JOIN LATERAL (SELECT (d + interval '1 month' \
                + (coalesce((c.terms->>'payment_due_day')::int, k.due_day) - 1) * interval '1 day')::date AS day) AS due \
          WHERE c.region_code BETWEEN $1 AND $2 \
            AND due.day < $5 \
            AND NOT EXISTS (SELECT 1 FROM ranger_payouts p WHERE p.county_code = c.county_code \
                              AND p.contract_id = c.id AND p.month = to_char(d, 'YYYY-MM')) \
            AND (c.region_code, c.id, to_char(d, 'YYYY-MM')) > ($6, $7, $8) \
          ORDER BY c.region_code, c.id, d \
          LIMIT $9",
    )
    .bind::<diesel::sql_types::BigInt, _>(within.lo())
    .bind::<diesel::sql_types::BigInt, _>(within.hi())
    .bind::<diesel::sql_types::Array<diesel::sql_types::Int4>, _>(codes)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Int4>, _>(days)
    .bind::<diesel::sql_types::Date, _>(as_of)
    .bind::<diesel::sql_types::BigInt, _>(*r)
    .bind::<diesel::sql_types::Uuid, _>(*c)
    .bind::<diesel::sql_types::Text, _>(m.clone())
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .db()
}

/// One contract.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<ContractRow, DomainError> {
    ranger_contracts::table
        .filter(ranger_contracts::id.eq(id))
        .select(ContractRow::as_select())
        .first(conn)
        .db()
}

/// The village code of a contract (for callers that need it).
///
/// # Errors
/// A corrupt code.
pub fn village(c: &ContractRow) -> Result<RegionCode, DomainError> {
    stored_code(c.region_code)
}
