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
    /// Households drawn in the counties of the caller's scope (a county sees its own part of a
    /// city-wide draw, never the whole).
    pub size: i64,
    /// Households whose exit was filed that year in those counties.
    pub population: i64,
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
    /// Position in the draw within its county (1-based).
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
struct CountyCount {
    #[diesel(sql_type = Integer)]
    county_code: i32,
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

/// The population: households on a filed exit list of `year` (not taken off it, and whose exit
/// no earlier inspection overturned: the year's exit figures leave those out too) in the
/// region, each once (with the list filed last).
const POPULATION: &str = "SELECT DISTINCT ON (e.county_code, e.household_id)
       e.county_code, e.household_id, e.region_code, e.list_id
  FROM exit_entries e
  JOIN exit_lists l ON l.county_code = e.county_code AND l.id = e.list_id
 WHERE l.stage = 'filed' AND l.year = $1 AND NOT e.removed AND e.overturned_at IS NULL
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
        return Err(DomainError::field(
            "region",
            domain::Rule::other("must be a county or a city", "必须是县或市"),
        ));
    }
    if !ctx.caller.scope().contains(n.region) {
        return Err(DomainError::field("region", domain::Rule::OutsideScope));
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
    // Each county's row holds that county's part only: the households drawn in it and its own
    // population, so no county learns another's exit count from a city-wide draw.
    let per_county: Vec<CountyCount> = diesel::sql_query(format!(
        "SELECT p.county_code, count(*) AS n FROM ({POPULATION}) p GROUP BY p.county_code"
    ))
    .bind::<Integer, _>(n.year)
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .load(conn)
    .db()?;
    let mut parts: BTreeMap<i32, (i64, Vec<&Drawn>)> = BTreeMap::new();
    for d in &drawn {
        let county = stored_code(d.region_code)?.ancestor_at(Level::County);
        parts
            .entry(d.county_code)
            .or_insert_with(|| (county.as_i64(), Vec::new()))
            .1
            .push(d);
    }
    for (county_code, (region_code, households)) in &parts {
        let size = i32::try_from(households.len()).unwrap_or(i32::MAX);
        let population = per_county
            .iter()
            .find(|c| c.county_code == *county_code)
            .map_or(0, |c| i32::try_from(c.n).unwrap_or(i32::MAX));
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
        ctx.audit(
            conn,
            "exit_inspection.create",
            "exit_inspection",
            id,
            stored_code(*region_code)?,
            json!({ "year": n.year, "drawn_in": n.region.as_i64(), "size": size,
                    "population": population, "seed": seed,
                    "households": households.iter().map(|d| d.household_id).collect::<Vec<_>>() }),
        )?;
    }
    let mut ranks: BTreeMap<i32, i32> = BTreeMap::new();
    for d in &drawn {
        // Ranks count within the county, so a county's ranks do not tell how many were drawn
        // in its neighbours.
        let rank = ranks.entry(d.county_code).or_insert(0);
        *rank += 1;
        diesel::insert_into(ih::table)
            .values((
                ih::county_code.eq(d.county_code),
                ih::inspection_id.eq(id),
                ih::household_id.eq(d.household_id),
                ih::region_code.eq(d.region_code),
                ih::rank.eq(*rank),
                ih::list_id.eq(d.list_id),
            ))
            .execute(conn)
            .db()?;
    }
    get(conn, ctx, id)
}

/// The parts of inspections in a scope, summed per inspection: `$1..$2` the scope, `$3` one
/// inspection or null, `$4, $5` the keyset cursor or nulls, `$6` the limit.
const SUMMARIES: &str = "SELECT id, scope_code, year, seed, sum(size)::bigint AS size,
       sum(population)::bigint AS population, created_by, created_at
  FROM exit_inspections
 WHERE region_code BETWEEN $1 AND $2
   AND ($3::uuid IS NULL OR id = $3)
   AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
 GROUP BY id, scope_code, year, seed, created_by, created_at
 ORDER BY created_at DESC, id DESC
 LIMIT $6";

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    scope_code: i64,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = Text)]
    seed: String,
    #[diesel(sql_type = BigInt)]
    size: i64,
    #[diesel(sql_type = BigInt)]
    population: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    created_by: Uuid,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    created_at: DateTime<Utc>,
}

fn summaries(
    conn: &mut PgConnection,
    ctx: &Ctx,
    one: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<InspectionSummary>, DomainError> {
    use diesel::sql_types::{Nullable, Timestamptz};
    let scope = ctx.caller.scope();
    let rows: Vec<SummaryRow> = diesel::sql_query(SUMMARIES)
        .bind::<BigInt, _>(scope.lo())
        .bind::<BigInt, _>(scope.hi())
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(one)
        .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(after.map(|a| a.1))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .db()?;
    Ok(rows
        .into_iter()
        .map(|r| InspectionSummary {
            id: r.id,
            region_code: r.scope_code,
            year: r.year,
            seed: r.seed,
            size: r.size,
            population: r.population,
            created_by: r.created_by,
            created_at: r.created_at,
        })
        .collect())
}

/// Inspections with a part in the caller's scope, newest first; sizes and populations count
/// only the counties in that scope.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<InspectionSummary>, DomainError> {
    summaries(conn, ctx, None, after, limit)
}

/// One inspection: the parts in the caller's scope.
///
/// # Errors
/// `NotFound` when no part of it is in the caller's scope.
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<InspectionView, DomainError> {
    let scope = ctx.caller.scope();
    let Some(head) = summaries(conn, ctx, Some(id), None, 1)?.pop() else {
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
        .order((ih::county_code, ih::rank))
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
        inspection: head,
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
            domain::Rule::other("is not in the inspection's sample", "不在本次抽查的样本中"),
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
        return Err(DomainError::field("visited_on", domain::Rule::NotInFuture));
    }
    // The visit belongs to this inspection: not before the sample was drawn.
    let drawn = crate::clock::china_date(view.inspection.created_at);
    if v.visited_on < drawn {
        return Err(DomainError::field(
            "visited_on",
            domain::Rule::NotBefore {
                other: format!("{drawn} (the day the sample was drawn)"),
            },
        ));
    }
    let mut reopened = false;
    if v.outcome == Outcome::FalseExit {
        let row = cases::find_for_update(conn, household_id)?;
        let from =
            Status::parse(&row.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        if let Some(to) = reopen_to(from) {
            let reason = format!(
                "sampling inspection {id} ({} exits): false exit (被脱贫/错退) found on {}: {}",
                view.inspection.year, v.visited_on, v.findings
            );
            apply_status(conn, ctx, &row, to, &reason)?;
            // A monitored exited household: its case would set it back to exited.
            crate::app::monitoring::close_open_case(
                conn,
                ctx,
                household_id,
                crate::app::monitoring::ClosedBy::FalseExit,
                &reason,
            )?;
            reopened = true;
        }
        // The filed exit of that year stays on its list as announced, marked overturned: the
        // year's exit figures leave it out (they counted it as exited).
        diesel::sql_query(
            "UPDATE exit_entries e SET overturned_at = $1, overturned_by_inspection = $2 \
               FROM exit_lists l \
              WHERE l.county_code = e.county_code AND l.id = e.list_id AND l.stage = $3 \
                AND e.county_code = $4 AND e.household_id = $5 AND e.year = $6 \
                AND NOT e.removed AND e.overturned_at IS NULL",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(ctx.now)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<diesel::sql_types::Text, _>(domain::exit::Stage::Filed.as_str())
        .bind::<diesel::sql_types::Integer, _>(region.county_code())
        .bind::<diesel::sql_types::Uuid, _>(household_id)
        .bind::<diesel::sql_types::Integer, _>(view.inspection.year)
        .execute(conn)
        .db()?;
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
