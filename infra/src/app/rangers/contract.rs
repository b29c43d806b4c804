//! A ranger's contract: its row, the terms it was signed under, and signing it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::authz::perm;
use domain::settings::RangerSettings;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{Ctx, cases, settings, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{members, projects, ranger_contracts};

/// A contract.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ranger_contracts)]
pub struct ContractRow {
    /// Tenant.
    #[serde(skip)]
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village of the ranger.
    #[serde(skip)]
    pub region_code: i64,
    /// The ranger (a registered person).
    pub member_id: Uuid,
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
    /// South.
    pub bound_south: String,
    /// West.
    pub bound_west: String,
    /// North.
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
    /// The `ranger` settings it was signed under (its own annual subsidy); `None` for contracts
    /// signed before terms were kept, which follow the settings.
    pub terms: Option<Value>,
}

impl ContractRow {
    /// The terms the contract's months are paid and its incidents judged by: those it was
    /// signed under, or (signed before they were kept) the settings now.
    ///
    /// # Errors
    /// Database failures; a stored snapshot that no longer reads.
    pub fn terms(&self, conn: &mut PgConnection, ctx: &Ctx) -> Result<RangerSettings, DomainError> {
        let kept = match &self.terms {
            Some(Value::Object(kept)) => kept,
            _ => return self.terms_now(conn, ctx),
        };
        // Every term kept (the usual case): the settings are not read at all.
        if let Ok(t) = serde_json::from_value::<RangerSettings>(Value::Object(kept.clone())) {
            return Ok(t);
        }
        // The kept terms over today's: a term added to the settings since the contract was
        // signed takes today's value, one no longer known is left out.
        let mut terms = serde_json::to_value(self.terms_now(conn, ctx)?)
            .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("contract terms: {e}")))?;
        if let Value::Object(t) = &mut terms {
            for (k, v) in kept {
                if let Some(slot) = t.get_mut(k) {
                    *slot = v.clone();
                }
            }
        }
        serde_json::from_value(terms)
            .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("contract terms: {e}")))
    }

    fn terms_now(&self, conn: &mut PgConnection, ctx: &Ctx) -> Result<RangerSettings, DomainError> {
        Ok(settings::effective_for(conn, ctx, stored_code(self.region_code)?)?.ranger)
    }
}

/// A contract to sign.
#[derive(Debug, Clone)]
pub struct NewContract {
    /// The ranger.
    pub member_id: Uuid,
    /// Station.
    pub station: String,
    /// Group.
    pub villager_group: String,
    /// Area, tenths of a mu.
    pub area_mu_tenths: i64,
    /// Boundaries E, S, W, N.
    pub bounds: [String; 4],
    /// Period.
    pub period: (NaiveDate, NaiveDate),
    /// Annual subsidy; the county's setting when absent.
    pub annual_subsidy_fen: Option<i64>,
    /// The subsidy project.
    pub project_id: Uuid,
    /// Signed on; today (China's date) when absent.
    pub signed_on: Option<NaiveDate>,
}

/// Signs a contract with a registered person in scope.
///
/// # Errors
/// `Validation` when the ranger is not a registered person in scope (or no longer in the
/// registry), or the project is not an ecology subsidy project of the county.
pub fn sign(
    conn: &mut PgConnection,
    ctx: &Ctx,
    c: &NewContract,
) -> Result<ContractRow, DomainError> {
    let m: Option<(Uuid, i64, i32)> = members::table
        .filter(members::id.eq(c.member_id))
        .select((
            members::household_id,
            members::region_code,
            members::county_code,
        ))
        .first(conn)
        .optional()
        .db()?;
    let Some((household_id, region, county)) = m else {
        return Err(DomainError::field(
            "member_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Person),
        ));
    };
    let h = cases::find(conn, household_id)?;
    if !matches!(
        h.status.as_str(),
        "registered" | "returned" | "monitored" | "exited"
    ) {
        return Err(DomainError::field(
            "member_id",
            domain::Rule::other(
                format!(
                    "the person's household is {} and not in the registry",
                    h.status
                ),
                format!("此人所在户状态为 {},不在建档立卡名单中", h.status),
            ),
        ));
    }
    let village = stored_code(region)?;
    ctx.caller.require_at(perm::FUNDS_MANAGE, village)?;
    let purpose: Option<(String, bool, i32)> = projects::table
        .filter(projects::county_code.eq(county))
        .filter(projects::id.eq(c.project_id))
        .select((
            projects::purpose,
            projects::pay_by_progress,
            projects::county_code,
        ))
        .first(conn)
        .optional()
        .db()?;
    match purpose {
        Some((p, false, _)) if p == "ecology" => {}
        _ => {
            return Err(DomainError::field(
                "project_id",
                domain::Rule::other(
                    "must be an ecology subsidy project (not paid by progress) of the ranger's county",
                    "必须是护林员所在县的生态补偿项目(不按进度拨付)",
                ),
            ));
        }
    }
    let today = crate::clock::china_date(ctx.now);
    let signed_on = c.signed_on.unwrap_or(today);
    if signed_on > today {
        return Err(DomainError::field(
            "signed_on",
            domain::Rule::other(
                "is after today: a contract is recorded once signed",
                "晚于今天:协议签订后才能录入",
            ),
        ));
    }
    // One contract per person at a time: two over the same months paid the subsidy twice to
    // one card, and the inspection sheet filed each day's absence on one of them only.
    // Serialised per person, as no row exists yet to lock.
    crate::db::lock_key(conn, 61, &c.member_id.to_string())?;
    let overlapping: Option<(NaiveDate, NaiveDate, Option<NaiveDate>)> = ranger_contracts::table
        .filter(ranger_contracts::county_code.eq(county))
        .filter(ranger_contracts::member_id.eq(c.member_id))
        .filter(ranger_contracts::start_date.le(c.period.1))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "least(ranger_contracts.end_date, coalesce(ranger_contracts.terminated_on, ranger_contracts.end_date)) >= ",
        ).bind::<diesel::sql_types::Date, _>(c.period.0))
        .select((
            ranger_contracts::start_date,
            ranger_contracts::end_date,
            ranger_contracts::terminated_on,
        ))
        .first(conn)
        .optional()
        .db()?;
    if let Some((from, end, terminated)) = overlapping {
        let to = terminated.map_or(end, |t| t.min(end));
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::ContractOverlaps,
            message: format!(
                "this person has a ranger contract from {from} to {to} over part of the same period: one at a time (terminate it first, or sign from the day after it ends)"
            ),
        });
    }
    // The terms in force when it is signed are the contract's (printed on it, and what its
    // months are paid by), whatever the settings become.
    let mut terms = settings::effective_for(conn, ctx, village)?.ranger;
    if let Some(a) = c.annual_subsidy_fen {
        terms.annual_subsidy_fen = a;
    }
    let annual = terms.annual_subsidy_fen;
    let terms = serde_json::to_value(&terms)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("contract terms: {e}")))?;
    let row: ContractRow = diesel::insert_into(ranger_contracts::table)
        .values((
            ranger_contracts::county_code.eq(county),
            ranger_contracts::id.eq(Uuid::new_v4()),
            ranger_contracts::region_code.eq(region),
            ranger_contracts::member_id.eq(c.member_id),
            ranger_contracts::household_id.eq(household_id),
            ranger_contracts::station.eq(&c.station),
            ranger_contracts::villager_group.eq(&c.villager_group),
            ranger_contracts::area_mu_tenths.eq(c.area_mu_tenths),
            ranger_contracts::bound_east.eq(&c.bounds[0]),
            ranger_contracts::bound_south.eq(&c.bounds[1]),
            ranger_contracts::bound_west.eq(&c.bounds[2]),
            ranger_contracts::bound_north.eq(&c.bounds[3]),
            ranger_contracts::start_date.eq(c.period.0),
            ranger_contracts::end_date.eq(c.period.1),
            ranger_contracts::annual_subsidy_fen.eq(annual),
            ranger_contracts::project_id.eq(c.project_id),
            ranger_contracts::created_by.eq(ctx.caller.user_id),
            ranger_contracts::created_at.eq(ctx.now),
            ranger_contracts::signed_on.eq(signed_on),
            ranger_contracts::terms.eq(Some(&terms)),
        ))
        .returning(ContractRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "ranger_contract.signed",
        "ranger_contract",
        row.id,
        village,
        json!({ "member_id": c.member_id, "annual_subsidy_fen": annual,
                "period": [c.period.0, c.period.1], "signed_on": signed_on, "terms": terms }),
    )?;
    Ok(row)
}
