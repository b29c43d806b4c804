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

fn parse<T>(r: Result<T, String>) -> Result<T, DomainError> {
    r.map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}

fn overdue(case: &CaseRow, today: NaiveDate) -> i64 {
    let stage = CaseStage::parse(&case.stage).unwrap_or(CaseStage::Dismissed);
    if stage.in_identification() {
        rules::overdue_days(case.deadline, today)
    } else {
        case.confirmed_at.map_or(0, |at| {
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
    let measures = records::list_measures(conn, case.household_id)?
        .into_iter()
        .filter(|m| m.date >= case.found_on)
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
/// # Errors
/// `Validation` naming the field; `Forbidden` outside the caller's village; `Conflict`
/// `case_open` when the household has an open case.
pub fn open_case(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    new: &NewCase,
    lead: Option<&LeadRow>,
) -> Result<CaseView, DomainError> {
    if new.found_on > ctx.today() {
        return Err(DomainError::field("found_on", "must not be in the future"));
    }
    if new.rescue_first
        && !(new.kind == Kind::SuddenHardship && new.risk_types.contains(&RiskType::Disaster))
    {
        return Err(DomainError::field(
            "rescue_first",
            "help first, verify after (先救后核) applies to sudden hardship caused by a disaster",
        ));
    }
    let row = match &new.household {
        CaseHousehold::Existing(id) => {
            let row = cases::find_for_update(conn, *id).map_err(|e| match e {
                DomainError::NotFound => {
                    DomainError::field("household_id", "is not a household in your scope")
                }
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
                    return Err(DomainError::Conflict {
                        code: domain::ErrorCode::AlreadyRegistered,
                        message: format!(
                            "household.{field}: this person is already registered; open the case on that household"
                        ),
                    });
                }
            }
        }
    };
    let status = parse(Status::parse(&row.status))?;
    rules::check_kind(new.kind, status).map_err(|m| DomainError::field("kind", m))?;
    let days = super::settings::effective_for(conn, ctx, stored_code(row.region_code)?)?
        .monitoring
        .identification_deadline_days;
    let horizon = new.found_on + chrono::Duration::days(i64::from(days));
    let deadline = rules::deadline(
        &super::calendar::load(conn, new.found_on, horizon)?,
        new.found_on,
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
            monitoring_cases::found_on.eq(new.found_on),
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
            "kind": new.kind.as_str(), "risk_types": risk, "found_on": new.found_on,
            "description": new.description, "lead_id": lead.map(|l| l.id),
        }),
    )?;
    get(conn, ctx, case.id)
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
    let case = find_case(conn, id, true)?;
    let village = stored_code(case.region_code)?;
    let owner = step.owner();
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    let from = parse(CaseStage::parse(&case.stage))?;
    let to = rules::check_case_step(from, step, approve, case.rescue_first, case.post_verified)?;
    if step == CaseStep::RiskElimination {
        let measures: i64 = assistance_measures::table
            .filter(assistance_measures::county_code.eq(case.county_code))
            .filter(assistance_measures::household_id.eq(case.household_id))
            .filter(assistance_measures::date.ge(case.found_on))
            .count()
            .get_result(conn)
            .db()?;
        if measures == 0 {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::NoMeasures,
                message:
                    "record the assistance measures taken before deciding the risk is eliminated"
                        .into(),
            });
        }
    }
    let before = parse(Status::parse(&case.status_before))?;
    let household_to = match (from, to) {
        (CaseStage::TownshipReviewed, CaseStage::Monitored) => Some(Status::Monitored),
        (CaseStage::Monitored, CaseStage::Monitored) => None,
        (CaseStage::Monitored, closed) => Some(rules::status_after(closed, before)),
        _ => None,
    };
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
            json!({ "case_id": case.id, "step": step.as_str(), "stage": [from.as_str(), to.as_str()] }),
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
            format!("must not be before the risk was found ({})", case.found_on),
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

/// Filters of the case list.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Stage.
    pub stage: Option<CaseStage>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Only cases past their identification deadline and still undecided.
    pub overdue: bool,
    /// Only open cases without a monitoring contact.
    pub without_contact: bool,
}

/// A case in a list.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    /// The case.
    pub case: CaseRow,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// Days overdue.
    pub overdue_days: i64,
}

/// Cases in scope by village, then oldest finding first — the order of `monitoring_cases_walk`
/// (and of one index per filter), so every scope and filter walks an index and stops after the
/// page; keyset after `(village, found_on, id)`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    f: &CaseFilter,
    after: Option<(i64, NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<CaseSummary>, DomainError> {
    let mut q = monitoring_cases::table
        .inner_join(
            households::table.on(households::county_code
                .eq(monitoring_cases::county_code)
                .and(households::id.eq(monitoring_cases::household_id))),
        )
        .filter(monitoring_cases::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            monitoring_cases::region_code,
            monitoring_cases::found_on,
            monitoring_cases::id,
        ))
        .select((
            CaseRow::as_select(),
            households::household_number,
            households::head_name,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.stage {
        q = q.filter(monitoring_cases::stage.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(monitoring_cases::kind.eq(k.as_str()));
    }
    if f.overdue {
        // Written as the predicate of `monitoring_cases_undecided_walk`, so that index serves it.
        q = q
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "monitoring_cases.stage IN ('identified', 'township_reviewed')",
            ))
            .filter(monitoring_cases::deadline.lt(ctx.today()));
    }
    if f.without_contact {
        q = q
            .filter(monitoring_cases::contact_user_id.is_null())
            .filter(monitoring_cases::closed_at.is_null());
    }
    if let Some((r, d, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(monitoring_cases.region_code, monitoring_cases.found_on, monitoring_cases.id) > (",
            )
            .bind::<BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Date, _>(d)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows: Vec<(CaseRow, String, String)> = crate::db::load_page(conn, q)?;
    let today = ctx.today();
    Ok(rows
        .into_iter()
        .map(|(case, household_number, head_name)| CaseSummary {
            overdue_days: overdue(&case, today),
            case,
            household_number,
            head_name,
        })
        .collect())
}

/// What a scan raised.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ScanReport {
    /// Leads for income below the monitoring line.
    pub income_below_line: i64,
    /// Leads for returned households without an open case.
    pub returned_case: i64,
}

/// Runs the data rules over a county (county step): households whose per-capita income in
/// `year` is below the monitoring line, and returned households without an open case, become
/// leads (once: a lead is not raised twice for the same household, rule and period).
///
/// # Errors
/// `Validation` when no monitoring line is set for the year.
pub fn scan(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<ScanReport, DomainError> {
    if !ctx.caller.scope().contains(county) || county.level() != Level::County {
        return Err(DomainError::field(
            "county_code",
            "must be a county in your scope",
        ));
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    let settings = super::settings::effective_for(conn, ctx, county)?;
    let Some(line) = settings.monitoring_line_for(year) else {
        return Err(DomainError::field(
            "year",
            format!(
                "no monitoring line is set for {year}; set monitoring.line_fen.{year} in the settings"
            ),
        ));
    };
    let scope = county.subtree();
    let income = diesel::sql_query(
        "INSERT INTO monitoring_leads (county_code, id, household_id, region_code, rule, period, details, raised_by, raised_at) \
         SELECT h.county_code, gen_random_uuid(), h.id, h.region_code, 'income_below_line', $3::text, \
                jsonb_build_object('year', $3, 'income_per_capita_fen', y.income_per_capita_fen, 'line_fen', $4::bigint), $5, $6 \
           FROM households h JOIN household_years y ON y.county_code = h.county_code AND y.household_id = h.id AND y.year = $3 \
          WHERE h.region_code BETWEEN $1 AND $2 AND h.status IN ('exited', 'non_poor') \
            AND y.income_per_capita_fen < $4 \
            AND NOT EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county_code = h.county_code AND c.household_id = h.id \
                            AND c.stage IN ('identified', 'township_reviewed', 'monitored')) \
         ON CONFLICT (county_code, household_id, rule, period) DO NOTHING",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<Integer, _>(year)
    .bind::<BigInt, _>(line)
    .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
    .bind::<Timestamptz, _>(ctx.now)
    .execute(conn)
    .db()?;
    let returned = diesel::sql_query(
        "INSERT INTO monitoring_leads (county_code, id, household_id, region_code, rule, period, details, raised_by, raised_at) \
         SELECT h.county_code, gen_random_uuid(), h.id, h.region_code, 'returned_case', $3, \
                jsonb_build_object('status', h.status), $4, $5 \
           FROM households h \
          WHERE h.region_code BETWEEN $1 AND $2 AND h.status = 'returned' \
            AND NOT EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county_code = h.county_code AND c.household_id = h.id \
                            AND c.stage IN ('identified', 'township_reviewed', 'monitored')) \
         ON CONFLICT (county_code, household_id, rule, period) DO NOTHING",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<Text, _>(year.to_string())
    .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
    .bind::<Timestamptz, _>(ctx.now)
    .execute(conn)
    .db()?;
    let report = ScanReport {
        income_below_line: i64::try_from(income).unwrap_or(i64::MAX),
        returned_case: i64::try_from(returned).unwrap_or(i64::MAX),
    };
    if income + returned > 0
        && super::webhooks::listening(
            conn,
            county.county_code(),
            domain::webhooks::EventKind::LeadRaised,
        )?
    {
        let raised: Vec<(Uuid, Uuid, i64, String, String)> = monitoring_leads::table
            .filter(monitoring_leads::region_code.between(scope.lo(), scope.hi()))
            .filter(monitoring_leads::raised_by.eq(ctx.caller.user_id))
            .filter(monitoring_leads::raised_at.eq(ctx.now))
            .select((
                monitoring_leads::id,
                monitoring_leads::household_id,
                monitoring_leads::region_code,
                monitoring_leads::rule,
                monitoring_leads::period,
            ))
            .load(conn)
            .db()?;
        for (id, household, region, rule, period) in raised {
            emit_lead(conn, ctx, id, household, region, &rule, &period)?;
        }
    }
    ctx.audit(
        conn,
        "monitoring_lead.scan",
        "monitoring_lead",
        "",
        county,
        json!({ "year": year, "line_fen": line, "raised": report }),
    )?;
    Ok(report)
}

/// A signal reported by a department or the village.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A medical expense.
    MedicalExpense {
        /// Amount, fen.
        amount_fen: i64,
    },
    /// A disaster.
    Disaster,
}

/// Reports a signal about a household as a lead (village or county step). A medical expense
/// below the large-expense threshold is refused and says the threshold.
///
/// # Errors
/// `Validation`, `Forbidden`, `Conflict` `lead_exists` for the same household, rule and date.
pub fn report(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    signal: &Signal,
    occurred_on: NaiveDate,
    description: &str,
) -> Result<LeadRow, DomainError> {
    // Reports come from the village or the county: others are refused before anything is read.
    if !ctx.caller.has_permission(perm::WORKFLOW_VILLAGE)
        && !ctx.caller.has_permission(perm::WORKFLOW_COUNTY)
    {
        return Err(DomainError::Forbidden(
            "leads are reported by village or county users".into(),
        ));
    }
    let h = cases::find(conn, household_id)
        .map_err(|_| DomainError::field("household_id", "is not a household in your scope"))?;
    let village = stored_code(h.region_code)?;
    if ctx
        .caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, village)
        .is_err()
    {
        ctx.caller
            .require_at_level(perm::WORKFLOW_COUNTY, Level::County, village)?;
    }
    if occurred_on > ctx.today() {
        return Err(DomainError::field(
            "occurred_on",
            "must not be in the future",
        ));
    }
    let (rule, details) = match signal {
        Signal::MedicalExpense { amount_fen } => {
            let threshold = super::settings::effective_for(conn, ctx, village)?
                .monitoring
                .large_medical_expense_fen;
            if *amount_fen < threshold {
                return Err(DomainError::field(
                    "amount_fen",
                    format!(
                        "{} yuan is below the large medical expense threshold of {} yuan",
                        domain::exit::yuan(*amount_fen),
                        domain::exit::yuan(threshold)
                    ),
                ));
            }
            (
                LeadRule::MedicalExpense,
                json!({ "amount_fen": amount_fen, "threshold_fen": threshold, "description": description }),
            )
        }
        Signal::Disaster => (LeadRule::Disaster, json!({ "description": description })),
    };
    let row: LeadRow = diesel::insert_into(monitoring_leads::table)
        .values((
            monitoring_leads::county_code.eq(h.county_code),
            monitoring_leads::id.eq(Uuid::new_v4()),
            monitoring_leads::household_id.eq(h.id),
            monitoring_leads::region_code.eq(h.region_code),
            monitoring_leads::rule.eq(rule.as_str()),
            monitoring_leads::period.eq(occurred_on.to_string()),
            monitoring_leads::details.eq(&details),
            monitoring_leads::raised_by.eq(ctx.caller.user_id),
            monitoring_leads::raised_at.eq(ctx.now),
        ))
        .returning(LeadRow::as_returning())
        .get_result(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::LeadExists,
                message: format!(
                    "a {} lead for this household on {occurred_on} exists already",
                    rule.as_str()
                ),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "monitoring_lead.reported",
        "monitoring_lead",
        row.id,
        village,
        json!({ "rule": rule.as_str(), "household_id": h.id }),
    )?;
    emit_lead(
        conn,
        ctx,
        row.id,
        row.household_id,
        row.region_code,
        &row.rule,
        &row.period,
    )?;
    Ok(row)
}

/// Filters of the lead queue.
#[derive(Debug, Clone)]
pub struct LeadFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Status.
    pub status: Option<LeadStatus>,
    /// Rule.
    pub rule: Option<LeadRule>,
}

/// Leads in scope by village, then oldest first (the order of `monitoring_leads_walk`); keyset
/// after `(village, raised_at, id)`.
///
/// # Errors
/// Database failures.
pub fn leads(
    conn: &mut PgConnection,
    f: &LeadFilter,
    after: Option<(i64, DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<LeadRow>, DomainError> {
    let mut q = monitoring_leads::table
        .filter(monitoring_leads::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            monitoring_leads::region_code,
            monitoring_leads::raised_at,
            monitoring_leads::id,
        ))
        .select(LeadRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(monitoring_leads::status.eq(s.as_str()));
    }
    if let Some(r) = f.rule {
        q = q.filter(monitoring_leads::rule.eq(r.as_str()));
    }
    if let Some((r, at, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(monitoring_leads.region_code, monitoring_leads.raised_at, monitoring_leads.id) > (",
            )
            .bind::<BigInt, _>(r)
            .sql(", ")
            .bind::<Timestamptz, _>(at)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    crate::db::load_page(conn, q)
}

/// How a lead was verified.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// No risk: dismissed with a reason.
    Dismiss {
        /// Why.
        reason: String,
    },
    /// A risk: open a case.
    OpenCase {
        /// Kind.
        kind: Kind,
        /// Risk types.
        risk_types: Vec<RiskType>,
        /// What was found.
        description: String,
        /// Help first (disasters).
        rescue_first: bool,
    },
}

/// Verifies a pending lead (village step): dismiss it, or open a case from it.
///
/// # Errors
/// `Conflict` `lead_resolved`; as [`open_case`].
pub fn verify_lead(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    id: Uuid,
    verdict: &Verdict,
) -> Result<(LeadRow, Option<CaseView>), DomainError> {
    let lead: LeadRow = monitoring_leads::table
        .filter(monitoring_leads::id.eq(id))
        .select(LeadRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let village = require_village(ctx, lead.region_code)?;
    if lead.status != LeadStatus::Pending.as_str() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::LeadResolved,
            message: format!("the lead is {} already", lead.status),
        });
    }
    let (status, case, reason) = match verdict {
        Verdict::Dismiss { reason } => (LeadStatus::Dismissed, None, Some(reason.clone())),
        Verdict::OpenCase {
            kind,
            risk_types,
            description,
            rescue_first,
        } => {
            let found_on =
                NaiveDate::parse_from_str(&lead.period, "%Y-%m-%d").unwrap_or_else(|_| ctx.today());
            let v = open_case(
                conn,
                ctx,
                keys,
                &NewCase {
                    household: CaseHousehold::Existing(lead.household_id),
                    kind: *kind,
                    risk_types: risk_types.clone(),
                    found_on,
                    description: description.clone(),
                    rescue_first: *rescue_first,
                },
                Some(&lead),
            )?;
            (LeadStatus::CaseOpened, Some(v), None)
        }
    };
    let row: LeadRow = diesel::update(
        monitoring_leads::table
            .filter(monitoring_leads::county_code.eq(lead.county_code))
            .filter(monitoring_leads::id.eq(id)),
    )
    .set((
        monitoring_leads::status.eq(status.as_str()),
        monitoring_leads::case_id.eq(case.as_ref().map(|c| c.case.id)),
        monitoring_leads::resolution_reason.eq(&reason),
        monitoring_leads::resolved_by.eq(ctx.caller.user_id),
        monitoring_leads::resolved_at.eq(ctx.now),
    ))
    .returning(LeadRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        &format!("monitoring_lead.{}", status.as_str()),
        "monitoring_lead",
        id,
        village,
        json!({ "case_id": row.case_id, "reason": reason }),
    )?;
    Ok((row, case))
}

/// Field errors of a new case's risk types.
pub fn check_risk_types(codes: &[String]) -> Result<Vec<RiskType>, FieldError> {
    if codes.is_empty() || codes.len() > RiskType::ALL.len() {
        return Err(FieldError::new(
            "risk_types",
            "must list at least one risk type",
        ));
    }
    let mut out = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        let r = RiskType::parse(c).map_err(|m| FieldError::new(format!("risk_types[{i}]"), m))?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}
