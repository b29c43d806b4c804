//! Sampling inspections of filed exits (督查验收, issue 22 seed 1).
//!
//! A county approver (at the county) or a city observer (at the city) draws a sample of the
//! households whose exit was filed in a year in the region: `ORDER BY md5(seed || household_id)
//! LIMIT size` over that population, so the same seed gives the same sample (a seed is generated
//! and stored when none is given). Each sampled household gets one visit; a false exit found
//! (被脱贫, 错退) sends the household back to `registered` through the household status path,
//! with a history event naming the inspection.
//!
//! One inspection has one id; its rows are kept per county in the county's tenant key (a city
//! inspection spanning three counties has three inspection rows under the same id), so each
//! county sees its own part and no other county anything of it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use domain::authz::perm;
use domain::cases::household::Status;
use domain::inspection::{Outcome, check_size, reopen_to};
use domain::{DomainError, ErrorCode, Level, RegionCode};
use serde_json::json;
use uuid::Uuid;

use super::cases::households::apply_status;
use super::{Ctx, cases, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{exit_inspection_households as ih, exit_inspections as ei, households};

/// An inspection to draw.
#[derive(Debug, Clone)]
pub struct NewInspection {
    /// A county or a city in the caller's scope.
    pub region: RegionCode,
    /// The year the exits were filed for.
    pub year: i32,
    /// How many households to draw.
    pub size: i64,
    /// The seed; generated when absent.
    pub seed: Option<String>,
}

/// A visit to record.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// The day of the visit (not in the future).
    pub visited_on: NaiveDate,
    /// What the inspector found.
    pub findings: String,
    /// Confirmed or false exit.
    pub outcome: Outcome,
}

/// An inspection as the caller sees it (the parts of the counties in their scope).
#[derive(Debug, Clone)]
pub struct InspectionSummary {
    /// Id.
    pub id: Uuid,
    /// The region drawn in (county or city).
    pub region_code: i64,
    /// Exit year.
    pub year: i32,
    /// The seed of the draw.
    pub seed: String,
    /// Households drawn (over the whole region).
    pub size: i32,
    /// Households whose exit was filed that year in the region.
    pub population: i32,
    /// Drawn by.
    pub created_by: Uuid,
    /// Drawn at.
    pub created_at: DateTime<Utc>,
}

/// A sampled household and its visit.
#[derive(Debug, Clone)]
pub struct SampledHousehold {
    /// Household.
    pub household_id: Uuid,
    /// Its village.
    pub region_code: i64,
    /// Position in the draw (1-based).
    pub rank: i32,
    /// The filed exit list it left poverty with.
    pub list_id: Uuid,
    /// Household number.
    pub household_number: String,
    /// Head of household.
    pub head_name: String,
    /// Status now.
    pub status: String,
    /// Visit day.
    pub visited_on: Option<NaiveDate>,
    /// Findings.
    pub findings: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Whether the finding moved the household back to registered.
    pub reopened: bool,
    /// Visit recorded at.
    pub visited_at: Option<DateTime<Utc>>,
}

/// An inspection with its households.
#[derive(Debug, Clone)]
pub struct InspectionView {
    /// The inspection.
    pub inspection: InspectionSummary,
    /// The sampled households visible to the caller, in draw order.
    pub households: Vec<SampledHousehold>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Drawn {
    #[diesel(sql_type = Integer)]
    county_code: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    household_id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    list_id: Uuid,
}

/// The population: households on a filed exit list of `year` (not taken off it) in the region,
/// each once (with the list filed last).
const POPULATION: &str = "SELECT DISTINCT ON (e.county_code, e.household_id)
       e.county_code, e.household_id, e.region_code, e.list_id
  FROM exit_entries e
  JOIN exit_lists l ON l.county_code = e.county_code AND l.id = e.list_id
 WHERE l.stage = 'filed' AND l.year = $1 AND NOT e.removed
   AND e.region_code BETWEEN $2 AND $3
 ORDER BY e.county_code, e.household_id, l.filed_at DESC";

/// Draws a sample and stores the inspection.
///
/// # Errors
/// `Validation` naming `region` (not a county or city, or outside the caller's scope) or `size`
/// (below 1, above the population); `Forbidden` without `workflow:inspect` there.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    n: &NewInspection,
) -> Result<InspectionView, DomainError> {
    if !matches!(n.region.level(), Level::County | Level::City) {
        return Err(DomainError::field("region", "must be a county or a city"));
    }
    if !ctx.caller.scope().contains(n.region) {
        return Err(DomainError::field("region", "lies outside your scope"));
    }
    ctx.caller.require_at(perm::WORKFLOW_INSPECT, n.region)?;
    let scope = n.region.subtree();
    let population: Count =
        diesel::sql_query(format!("SELECT count(*) AS n FROM ({POPULATION}) p"))
            .bind::<Integer, _>(n.year)
            .bind::<BigInt, _>(scope.lo())
            .bind::<BigInt, _>(scope.hi())
            .get_result(conn)
            .db()?;
    check_size(n.size, population.n)?;
    let seed = n
        .seed
        .clone()
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    let drawn: Vec<Drawn> = diesel::sql_query(format!(
        "SELECT p.* FROM ({POPULATION}) p ORDER BY md5($4 || p.household_id::text), p.household_id LIMIT $5"
    ))
    .bind::<Integer, _>(n.year)
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<Text, _>(&seed)
    .bind::<BigInt, _>(n.size)
    .load(conn)
    .db()?;
    let id = Uuid::new_v4();
    let size = i32::try_from(n.size).map_err(|_| DomainError::field("size", "is too large"))?;
    let population = i32::try_from(population.n).unwrap_or(i32::MAX);
    let mut counties: BTreeMap<i32, i64> = BTreeMap::new();
    for d in &drawn {
        let county = stored_code(d.region_code)?.ancestor_at(Level::County);
        counties.insert(d.county_code, county.as_i64());
    }
    for (county_code, region_code) in &counties {
        diesel::insert_into(ei::table)
            .values((
                ei::county_code.eq(county_code),
                ei::id.eq(id),
                ei::region_code.eq(region_code),
                ei::scope_code.eq(n.region.as_i64()),
                ei::year.eq(n.year),
                ei::seed.eq(&seed),
                ei::size.eq(size),
                ei::population.eq(population),
                ei::created_by.eq(ctx.caller.user_id),
                ei::created_at.eq(ctx.now),
            ))
            .execute(conn)
            .db()?;
    }
    for (i, d) in drawn.iter().enumerate() {
        diesel::insert_into(ih::table)
            .values((
                ih::county_code.eq(d.county_code),
                ih::inspection_id.eq(id),
                ih::household_id.eq(d.household_id),
                ih::region_code.eq(d.region_code),
                ih::rank.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                ih::list_id.eq(d.list_id),
            ))
            .execute(conn)
            .db()?;
    }
    ctx.audit(
        conn,
        "exit_inspection.create",
        "exit_inspection",
        id,
        n.region,
        json!({ "year": n.year, "size": size, "population": population, "seed": seed,
                "households": drawn.iter().map(|d| d.household_id).collect::<Vec<_>>() }),
    )?;
    get(conn, ctx, id)
}

type SummaryCols = (
    ei::id,
    ei::scope_code,
    ei::year,
    ei::seed,
    ei::size,
    ei::population,
    ei::created_by,
    ei::created_at,
);

const SUMMARY: SummaryCols = (
    ei::id,
    ei::scope_code,
    ei::year,
    ei::seed,
    ei::size,
    ei::population,
    ei::created_by,
    ei::created_at,
);

type SummaryTuple = (Uuid, i64, i32, String, i32, i32, Uuid, DateTime<Utc>);

fn summary(t: SummaryTuple) -> InspectionSummary {
    InspectionSummary {
        id: t.0,
        region_code: t.1,
        year: t.2,
        seed: t.3,
        size: t.4,
        population: t.5,
        created_by: t.6,
        created_at: t.7,
    }
}

/// Inspections with a part in the caller's scope, newest first.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<InspectionSummary>, DomainError> {
    let scope = ctx.caller.scope();
    let mut q = ei::table
        .filter(ei::region_code.between(scope.lo(), scope.hi()))
        .select(SUMMARY)
        .distinct()
        .order((ei::created_at.desc(), ei::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            ei::created_at
                .lt(at)
                .or(ei::created_at.eq(at).and(ei::id.lt(id))),
        );
    }
    let rows: Vec<SummaryTuple> = q.load(conn).db()?;
    Ok(rows.into_iter().map(summary).collect())
}

/// One inspection: the parts in the caller's scope.
///
/// # Errors
/// `NotFound` when no part of it is in the caller's scope.
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<InspectionView, DomainError> {
    let scope = ctx.caller.scope();
    let head: Option<SummaryTuple> = ei::table
        .filter(ei::id.eq(id))
        .filter(ei::region_code.between(scope.lo(), scope.hi()))
        .select(SUMMARY)
        .first(conn)
        .optional()
        .db()?;
    let Some(head) = head else {
        return Err(DomainError::NotFound);
    };
    #[expect(
        clippy::type_complexity,
        reason = "one row of the join, named in the map below"
    )]
    let rows: Vec<(
        Uuid,
        i64,
        i32,
        Uuid,
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<String>,
        Option<String>,
        bool,
        Option<DateTime<Utc>>,
    )> = ih::table
        .inner_join(
            households::table.on(households::county_code
                .eq(ih::county_code)
                .and(households::id.eq(ih::household_id))),
        )
        .filter(ih::inspection_id.eq(id))
        .filter(ih::region_code.between(scope.lo(), scope.hi()))
        .order(ih::rank)
        .select((
            ih::household_id,
            ih::region_code,
            ih::rank,
            ih::list_id,
            households::household_number,
            households::head_name,
            households::status,
            ih::visited_on,
            ih::findings,
            ih::outcome,
            ih::reopened,
            ih::visited_at,
        ))
        .load(conn)
        .db()?;
    Ok(InspectionView {
        inspection: summary(head),
        households: rows
            .into_iter()
            .map(|r| SampledHousehold {
                household_id: r.0,
                region_code: r.1,
                rank: r.2,
                list_id: r.3,
                household_number: r.4,
                head_name: r.5,
                status: r.6,
                visited_on: r.7,
                findings: r.8,
                outcome: r.9,
                reopened: r.10,
                visited_at: r.11,
            })
            .collect(),
    })
}

/// Records the one visit of a sampled household. A false exit sends a household still counted
/// out of poverty back to `registered`, with a history event naming the inspection.
///
/// # Errors
/// `NotFound` when the inspection is not in the caller's scope; `Validation` naming
/// `household_id` (not in the sample) or `visited_on` (in the future); `Forbidden` without
/// `workflow:inspect` at the household; `Conflict` `already_exists` when visited already.
pub fn visit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    household_id: Uuid,
    v: &NewVisit,
) -> Result<InspectionView, DomainError> {
    let view = get(conn, ctx, id)?;
    let Some(sampled) = view
        .households
        .iter()
        .find(|h| h.household_id == household_id)
    else {
        return Err(DomainError::field(
            "household_id",
            "is not in the inspection's sample",
        ));
    };
    let region = stored_code(sampled.region_code)?;
    ctx.caller.require_at(perm::WORKFLOW_INSPECT, region)?;
    if sampled.visited_on.is_some() {
        return Err(DomainError::Conflict {
            code: ErrorCode::AlreadyExists,
            message: "the household has been visited for this inspection already".into(),
        });
    }
    if v.visited_on > ctx.today() {
        return Err(DomainError::field(
            "visited_on",
            "must not be in the future",
        ));
    }
    let mut reopened = false;
    if v.outcome == Outcome::FalseExit {
        let row = cases::find_for_update(conn, household_id)?;
        let from =
            Status::parse(&row.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        if let Some(to) = reopen_to(from) {
            apply_status(
                conn,
                ctx,
                &row,
                to,
                &format!(
                    "sampling inspection {id} ({} exits): false exit (被脱贫/错退) found on {}: {}",
                    view.inspection.year, v.visited_on, v.findings
                ),
            )?;
            reopened = true;
        }
    }
    let county_code = region.county_code();
    let updated = diesel::update(
        ih::table
            .filter(ih::county_code.eq(county_code))
            .filter(ih::inspection_id.eq(id))
            .filter(ih::household_id.eq(household_id))
            // A visit racing this one: the later one finds no row and is refused.
            .filter(ih::visited_on.is_null()),
    )
    .set((
        ih::visited_on.eq(v.visited_on),
        ih::findings.eq(&v.findings),
        ih::outcome.eq(v.outcome.as_str()),
        ih::reopened.eq(reopened),
        ih::visited_by.eq(ctx.caller.user_id),
        ih::visited_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    if updated == 0 {
        return Err(DomainError::Conflict {
            code: ErrorCode::AlreadyExists,
            message: "the household has been visited for this inspection already".into(),
        });
    }
    ctx.audit(
        conn,
        "exit_inspection.visit",
        "exit_inspection",
        id,
        region,
        json!({ "household_id": household_id, "visited_on": v.visited_on,
                "outcome": v.outcome.as_str(), "reopened": reopened }),
    )?;
    get(conn, ctx, id)
}
