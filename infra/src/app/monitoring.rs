//! Return-to-poverty monitoring (防止返贫动态监测): cases identified by the village, reviewed by
//! the township, confirmed by the county within the identification deadline, helped with
//! measures and closed by a recorded decision; early-warning leads in a verification queue.
//!
//! The household's status follows the case: `monitored` while the county has it under
//! monitoring, back to what it was (`exited` or `non_poor`) when the risk is eliminated,
//! `returned` (or `registered` for a household never poor before) when it falls into poverty.
//! Every transition writes a `monitoring_events` row and an audit row.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use domain::authz::perm;
use domain::cases::{Status, ValidMeasure};
use domain::monitoring::{
    self as rules, CaseStage, CaseStep, Kind, LeadRule, LeadStatus, RiskType,
};
use domain::{DomainError, FieldError, Level, RegionCode, Scope};
use serde_json::{Value, json};
use uuid::Uuid;

use super::cases::households::{NewHousehold, Registered, apply_status, create_as};
use super::cases::{self, records};
use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::pii::DataKeys;
use crate::schema::{
    assistance_measures, households, monitoring_cases, monitoring_events, monitoring_leads,
};

mod closing;
mod leads;
mod list;

pub(crate) use closing::{ClosedBy, close_open_case, last_status_before, monitored_from};
pub use leads::*;
pub use list::{CaseFilter, CaseSummary, list};

/// A case row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = monitoring_cases)]
pub struct CaseRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Kind code.
    pub kind: String,
    /// Risk type codes.
    pub risk_types: Vec<String>,
    /// Date the risk was found.
    pub found_on: NaiveDate,
    /// Last day of identification.
    pub deadline: NaiveDate,
    /// What was found.
    pub description: String,
    /// Stage code.
    pub stage: String,
    /// Household status before monitoring.
    pub status_before: String,
    /// Opened help-first (先救后核).
    pub rescue_first: bool,
    /// Verification after help: none yet, confirmed, or not.
    pub post_verified: Option<bool>,
    /// The lead it came from.
    pub lead_id: Option<Uuid>,
    /// When the county confirmed it (or help began).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i32,
    /// Opened by.
    pub created_by: Uuid,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
    /// The household's monitoring contact (监测联系人), a user of the county.
    pub contact_user_id: Option<Uuid>,
    /// Their name when assigned.
    pub contact_name: Option<String>,
}

/// An event of a case.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = monitoring_events)]
pub struct EventRow {
    /// Id.
    pub id: Uuid,
    /// `identified`, `township_review`, …
    pub kind: String,
    /// Stage before.
    pub stage_from: Option<String>,
    /// Stage after.
    pub stage_to: String,
    /// Who.
    pub actor_id: Uuid,
    /// Who, by name.
    pub actor_username: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What was recorded.
    pub details: Value,
}

/// A lead row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = monitoring_leads)]
pub struct LeadRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Rule code.
    pub rule: String,
    /// What the lead is about (a year, a date).
    pub period: String,
    /// The data that raised it.
    pub details: Value,
    /// Status code.
    pub status: String,
    /// The case opened from it.
    pub case_id: Option<Uuid>,
    /// Why it was dismissed.
    pub resolution_reason: Option<String>,
    /// Reported by (none for scans).
    pub raised_by: Option<Uuid>,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// Verified by.
    pub resolved_by: Option<Uuid>,
    /// Verified at.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A case with its household and history.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The case.
    pub case: CaseRow,
    /// 户编号.
    pub household_number: String,
    /// Head's name.
    pub head_name: String,
    /// The household's status now.
    pub household_status: String,
    /// Days past the identification deadline (0 when in time or decided in time).
    pub overdue_days: i64,
    /// Events, in order.
    pub events: Vec<EventRow>,
    /// Measures recorded for the household since the risk was found.
    pub measures: Vec<records::MeasureRow>,
}

/// The household of a new case: one in the registry, or one registered now as `non_poor`.
#[derive(Debug, Clone)]
pub enum CaseHousehold {
    /// Already registered.
    Existing(Uuid),
    /// A household never registered (marginal or sudden hardship).
    New(Box<NewHousehold>),
}

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The household.
    pub household: CaseHousehold,
    /// Kind.
    pub kind: Kind,
    /// Risk types (at least one).
    pub risk_types: Vec<RiskType>,
    /// When the risk was found.
    pub found_on: NaiveDate,
    /// What was found.
    pub description: String,
    /// Help first, verify after (disasters only).
    pub rescue_first: bool,
}

fn parse<T>(r: Result<T, domain::Rule>) -> Result<T, DomainError> {
    r.map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}

fn overdue(case: &CaseRow, today: NaiveDate) -> i64 {
    let stage = CaseStage::parse(&case.stage).unwrap_or(CaseStage::Dismissed);
    if stage.in_identification() {
        rules::overdue_days(case.deadline, today)
    } else {
        // Decided when confirmed into monitoring, or, for a case dismissed while being
        // identified, when it was closed: a late dismissal is as late as a late confirmation.
        case.confirmed_at.or(case.closed_at).map_or(0, |at| {
            rules::overdue_days(case.deadline, crate::clock::china_date(at))
        })
    }
}

pub(super) fn event(
    conn: &mut PgConnection,
    ctx: &Ctx,
    case: &CaseRow,
    kind: &str,
    from: Option<&str>,
    to: &str,
    details: Value,
) -> Result<(), DomainError> {
    diesel::insert_into(monitoring_events::table)
        .values((
            monitoring_events::county_code.eq(case.county_code),
            monitoring_events::id.eq(Uuid::new_v4()),
            monitoring_events::case_id.eq(case.id),
            monitoring_events::region_code.eq(case.region_code),
            monitoring_events::kind.eq(kind),
            monitoring_events::stage_from.eq(from),
            monitoring_events::stage_to.eq(to),
            monitoring_events::actor_id.eq(ctx.caller.user_id),
            monitoring_events::actor_username.eq(&ctx.caller.username),
            monitoring_events::at.eq(ctx.now),
            monitoring_events::details.eq(&details),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        &format!("monitoring_case.{kind}"),
        "monitoring_case",
        case.id,
        stored_code(case.region_code)?,
        json!({ "from": from, "to": to, "details": details }),
    )?;
    super::webhooks::emit(
        conn,
        ctx,
        domain::webhooks::EventKind::WorkflowStep,
        stored_code(case.region_code)?,
        "monitoring_case",
        case.id,
        json!({
            "workflow": "monitoring", "case_id": case.id, "household_id": case.household_id,
            "village": format!("{:012}", case.region_code), "step": kind, "from": from, "to": to,
        }),
    )
}

/// Raises `monitoring.lead_raised` for a lead just written.
fn emit_lead(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    household: Uuid,
    region: i64,
    rule: &str,
    period: &str,
) -> Result<(), DomainError> {
    super::webhooks::emit(
        conn,
        ctx,
        domain::webhooks::EventKind::LeadRaised,
        stored_code(region)?,
        "monitoring_lead",
        id,
        json!({
            "lead_id": id, "household_id": household, "village": format!("{region:012}"),
            "rule": rule, "period": period,
        }),
    )
}

pub(super) fn find_case(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<CaseRow, DomainError> {
    let q = monitoring_cases::table
        .filter(monitoring_cases::id.eq(id))
        .select(CaseRow::as_select());
    if lock {
        q.for_update().first(conn).db()
    } else {
        q.first(conn).db()
    }
}

/// When the household's latest other case closed: a measure recorded before then was that
/// case's, whatever its date.
fn previous_closed(
    conn: &mut PgConnection,
    case: &CaseRow,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    monitoring_cases::table
        .filter(monitoring_cases::county_code.eq(case.county_code))
        .filter(monitoring_cases::household_id.eq(case.household_id))
        .filter(monitoring_cases::id.ne(case.id))
        .select(diesel::dsl::max(monitoring_cases::closed_at))
        .first(conn)
        .db()
}

/// A case with its household, events and measures.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<CaseView, DomainError> {
    let case = find_case(conn, id, false)?;
    let h = cases::find(conn, case.household_id)?;
    let events = monitoring_events::table
        .filter(monitoring_events::county_code.eq(case.county_code))
        .filter(monitoring_events::case_id.eq(id))
        .order((monitoring_events::at, monitoring_events::id))
        .select(EventRow::as_select())
        .load(conn)
        .db()?;
    // The case's own measures, as its risk elimination counts them.
    let previous = previous_closed(conn, &case)?;
    let measures = records::list_measures(conn, case.household_id)?
        .into_iter()
        .filter(|m| m.date >= case.found_on && previous.is_none_or(|at| m.created_at > at))
        .collect();
    Ok(CaseView {
        overdue_days: overdue(&case, ctx.today()),
        household_number: h.household_number,
        head_name: h.head_name,
        household_status: h.status,
        events,
        measures,
        case,
    })
}

pub(super) fn require_village(ctx: &Ctx, region: i64) -> Result<RegionCode, DomainError> {
    let village = stored_code(region)?;
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, village)?;
    Ok(village)
}

/// Opens a case for a household (village step). A case opened help-first starts monitored at
/// once and must be verified after.
///
/// A new household with a person registered anywhere already is refused with the inner error
/// (`Conflict` `already_registered`): a refusal to commit, so the attempt stays recorded for
/// oversight, as when registering a household.
///
/// # Errors
/// `Validation` naming the field; `Forbidden` outside the caller's village; `Conflict`
/// `case_open` when the household has an open case.
pub fn open_case(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    new: &NewCase,
    lead: Option<&LeadRow>,
) -> Result<Result<CaseView, DomainError>, DomainError> {
    if new.found_on > ctx.today() {
        return Err(DomainError::field("found_on", domain::Rule::NotInFuture));
    }
    if new.rescue_first
        && !(new.kind == Kind::SuddenHardship && new.risk_types.contains(&RiskType::Disaster))
    {
        return Err(DomainError::field(
            "rescue_first",
            domain::Rule::other(
                "help first, verify after (先救后核) applies to sudden hardship caused by a disaster",
                "先救后核仅适用于因灾导致的突发困难",
            ),
        ));
    }
    let row = match &new.household {
        CaseHousehold::Existing(id) => {
            let row = cases::find_for_update(conn, *id).map_err(|e| match e {
                DomainError::NotFound => DomainError::field(
                    "household_id",
                    domain::Rule::not_in_scope(domain::ScopeKind::Household),
                ),
                other => other,
            })?;
            require_village(ctx, row.region_code)?;
            row
        }
        CaseHousehold::New(h) => {
            ctx.caller.require_at_level(
                perm::WORKFLOW_VILLAGE,
                Level::Village,
                h.household.village,
            )?;
            match create_as(conn, ctx, keys, h, Status::NonPoor)? {
                Registered::Created(v) => cases::find_for_update(conn, v.household.id)?,
                Registered::AlreadyRegistered { field } => {
                    return Ok(Err(DomainError::Conflict {
                        code: domain::ErrorCode::AlreadyRegistered,
                        message: format!(
                            "household.{field}: this person is already registered; open the case on that household"
                        ),
                    }));
                }
            }
        }
    };
    // A risk found before the household's last case closed belongs to that case: a date
    // earlier than its closing would let the old case's measures count for the new one.
    let closed: Option<DateTime<Utc>> = monitoring_cases::table
        .filter(monitoring_cases::county_code.eq(row.county_code))
        .filter(monitoring_cases::household_id.eq(row.id))
        .select(diesel::dsl::max(monitoring_cases::closed_at))
        .first(conn)
        .db()?;
    // A lead's date is the reporter's (a bill, a disaster), not the village's entry: a lead
    // dated before the last case closed opens its case on the day that case closed.
    let floor = closed.map(crate::clock::china_date);
    let found_on = match (floor, lead) {
        (Some(day), Some(_)) => new.found_on.max(day),
        _ => new.found_on,
    };
    if let Some(day) = floor
        && found_on < day
    {
        return Err(DomainError::field(
            "found_on",
            domain::Rule::NotBefore {
                other: format!("{day} (the day the household's previous monitoring case closed)"),
            },
        ));
    }
    let status = parse(Status::parse(&row.status))?;
    rules::check_kind(new.kind, status).map_err(|m| DomainError::field("kind", m))?;
    let days = super::settings::effective_for(conn, ctx, stored_code(row.region_code)?)?
        .monitoring
        .identification_deadline_days;
    let horizon = found_on + chrono::Duration::days(i64::from(days));
    let deadline = rules::deadline(
        &super::calendar::load(conn, found_on, horizon)?,
        found_on,
        days,
    );
    let stage = if new.rescue_first {
        CaseStage::Monitored
    } else {
        CaseStage::Identified
    };
    let risk: Vec<&str> = new.risk_types.iter().map(|r| r.as_str()).collect();
    let case: CaseRow = diesel::insert_into(monitoring_cases::table)
        .values((
            monitoring_cases::county_code.eq(row.county_code),
            monitoring_cases::id.eq(Uuid::new_v4()),
            monitoring_cases::household_id.eq(row.id),
            monitoring_cases::region_code.eq(row.region_code),
            monitoring_cases::kind.eq(new.kind.as_str()),
            monitoring_cases::risk_types.eq(&risk),
            monitoring_cases::found_on.eq(found_on),
            monitoring_cases::deadline.eq(deadline),
            monitoring_cases::description.eq(&new.description),
            monitoring_cases::stage.eq(stage.as_str()),
            monitoring_cases::status_before.eq(status.as_str()),
            monitoring_cases::rescue_first.eq(new.rescue_first),
            monitoring_cases::lead_id.eq(lead.map(|l| l.id)),
            monitoring_cases::confirmed_at.eq(new.rescue_first.then_some(ctx.now)),
            monitoring_cases::created_by.eq(ctx.caller.user_id),
            monitoring_cases::created_at.eq(ctx.now),
            monitoring_cases::updated_at.eq(ctx.now),
        ))
        .returning(CaseRow::as_returning())
        .get_result(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::CaseOpen,
                message: format!(
                    "household {} already has an open monitoring case",
                    row.household_number
                ),
            },
            other => other,
        })?;
    if new.rescue_first {
        apply_status(
            conn,
            ctx,
            &row,
            Status::Monitored,
            &format!("help first, verify after (先救后核): case {}", case.id),
        )?;
    } else {
        cases::record_change(
            conn,
            ctx,
            row.id,
            "monitoring",
            json!({ "case_id": case.id, "step": "identified", "kind": new.kind.as_str() }),
            Some(&new.description),
        )?;
    }
    event(
        conn,
        ctx,
        &case,
        if new.rescue_first {
            "opened_help_first"
        } else {
            "identified"
        },
        None,
        stage.as_str(),
        json!({
            "kind": new.kind.as_str(), "risk_types": risk, "found_on": found_on,
            "description": new.description, "lead_id": lead.map(|l| l.id),
        }),
    )?;
    get(conn, ctx, case.id).map(Ok)
}

/// Takes a decision on a case: township review, county confirmation, verification after help,
/// risk elimination or return to poverty. `approve` picks the outcome of the first three.
///
/// # Errors
/// `Forbidden` for another level; `Conflict` out of order, or closing without any measure.
pub fn decide(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    step: CaseStep,
    approve: bool,
    opinion: &str,
) -> Result<CaseView, DomainError> {
    // The household before the case, as the intake announcement locks them (household, then
    // its open case): the other order could deadlock the two.
    let unlocked = find_case(conn, id, false)?;
    cases::find_for_update(conn, unlocked.household_id)?;
    let case = find_case(conn, id, true)?;
    let village = stored_code(case.region_code)?;
    let owner = step.owner();
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    let from = parse(CaseStage::parse(&case.stage))?;
    let to = rules::check_case_step(from, step, approve, case.rescue_first, case.post_verified)?;
    let before = parse(Status::parse(&case.status_before))?;
    let household_to = match (from, to) {
        (CaseStage::TownshipReviewed, CaseStage::Monitored) => Some(Status::Monitored),
        (CaseStage::Monitored, CaseStage::Monitored) => None,
        (CaseStage::Monitored, closed) => Some(rules::status_after(closed, before)),
        _ => None,
    };
    // A decision that moves the household moves it only from where the case left it: a veto,
    // a false exit or an intake announcement in between moved it (and closed the case), and
    // the case must not move it back, least of all out of poverty without the exit procedure.
    // A dismissal moves nothing and stays open to the county.
    let now_status = parse(Status::parse(
        &cases::find_for_update(conn, case.household_id)?.status,
    ))?;
    let expected = if from == CaseStage::Monitored {
        Status::Monitored
    } else {
        before
    };
    let moved_meanwhile = now_status != expected;
    if moved_meanwhile && from != CaseStage::Monitored && household_to.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::HouseholdStatusChanged,
            message: format!(
                "the household is {} now, not {} as when the case was opened: its status changed since (a veto, a false exit, an intake announcement); dismiss the case",
                now_status.as_str(),
                expected.as_str()
            ),
        });
    }
    // A monitored case closing on a household moved meanwhile closes without moving it back
    // (cases from before other procedures closed them: they would otherwise stay open).
    let household_to = household_to.filter(|_| !moved_meanwhile);
    if step == CaseStep::RiskElimination {
        // Measures of this case: dated on or after its risk was found, and recorded after the
        // household's previous case closed (a measure of that case, dated its last day, would
        // otherwise count for this one too).
        let previous = previous_closed(conn, &case)?;
        let mut q = assistance_measures::table
            .filter(assistance_measures::county_code.eq(case.county_code))
            .filter(assistance_measures::household_id.eq(case.household_id))
            .filter(assistance_measures::date.ge(case.found_on))
            .into_boxed();
        if let Some(at) = previous {
            q = q.filter(assistance_measures::created_at.gt(at));
        }
        let measures: i64 = q.count().get_result(conn).db()?;
        if measures == 0 {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::NoMeasures,
                message:
                    "record the assistance measures taken before deciding the risk is eliminated"
                        .into(),
            });
        }
    }
    let reason = format!("monitoring case {}: {} — {opinion}", case.id, step.as_str());
    if let Some(target) = household_to {
        let row = cases::find_for_update(conn, case.household_id)?;
        apply_status(conn, ctx, &row, target, &reason)?;
    } else {
        cases::record_change(
            conn,
            ctx,
            case.household_id,
            "monitoring",
            json!({ "case_id": case.id, "step": step.as_str(), "stage": [from.as_str(), to.as_str()],
                    "household_left_as": moved_meanwhile.then_some(now_status.as_str()) }),
            Some(&reason),
        )?;
    }
    let late = matches!(step, CaseStep::TownshipReview | CaseStep::Confirmation)
        .then(|| (ctx.today() - case.deadline).num_days().max(0));
    let target = monitoring_cases::table
        .filter(monitoring_cases::county_code.eq(case.county_code))
        .filter(monitoring_cases::id.eq(id));
    diesel::update(target)
        .set((
            monitoring_cases::stage.eq(to.as_str()),
            monitoring_cases::version.eq(monitoring_cases::version + 1),
            monitoring_cases::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    if step == CaseStep::Confirmation && to == CaseStage::Monitored {
        diesel::update(target)
            .set(monitoring_cases::confirmed_at.eq(ctx.now))
            .execute(conn)
            .db()?;
    }
    if step == CaseStep::PostVerification {
        diesel::update(target)
            .set(monitoring_cases::post_verified.eq(approve))
            .execute(conn)
            .db()?;
    }
    if !to.is_open() {
        diesel::update(target)
            .set(monitoring_cases::closed_at.eq(ctx.now))
            .execute(conn)
            .db()?;
    }
    event(
        conn,
        ctx,
        &case,
        step.as_str(),
        Some(from.as_str()),
        to.as_str(),
        json!({
            "approve": approve, "opinion": opinion,
            "days_late": late,
        }),
    )?;
    get(conn, ctx, id)
}

/// Records an assistance measure on a case's household (village step, case open).
///
/// # Errors
/// `Conflict` on a closed case; as `records::add_measure`.
pub fn add_measure(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    m: &ValidMeasure,
) -> Result<CaseView, DomainError> {
    // The household before the case, as `decide` and every other path take them: the measure
    // writes the household's record, and the other order deadlocked with a decision on it.
    let unlocked = find_case(conn, id, false)?;
    cases::find_for_update(conn, unlocked.household_id)?;
    let case = find_case(conn, id, true)?;
    require_village(ctx, case.region_code)?;
    let stage = parse(CaseStage::parse(&case.stage))?;
    if !stage.is_open() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::CaseClosed,
            message: format!("the case is {}", stage.as_str()),
        });
    }
    if m.date < case.found_on {
        return Err(DomainError::field(
            "date",
            domain::Rule::other(
                format!("must not be before the risk was found ({})", case.found_on),
                format!("不能早于发现风险的日期({})", case.found_on),
            ),
        ));
    }
    let row = records::add_measure(conn, ctx, case.household_id, m)?;
    event(
        conn,
        ctx,
        &case,
        "measure",
        Some(stage.as_str()),
        stage.as_str(),
        json!({ "measure_id": row.id, "kind": row.kind, "date": row.date, "amount_fen": row.amount_fen }),
    )?;
    get(conn, ctx, id)
}
