//! Townships' yearly reduction plans and exit timetables (seed 1, 泗水 exit work plan: 各镇(街道)
//! 按照签署的脱贫攻坚责任状,制定年度减贫计划及退出时间表), and their roll-up against the county
//! (总量控制、进出平衡).
//!
//! A plan is set by the township (`workflow:township` held at the township) or by the county for
//! it (`workflow:county` held at the county); replacing one needs the version read. The county
//! may approve a plan, which locks it for the township until the county reopens it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use domain::authz::perm;
use domain::township_plan::{
    self as rules, Actual, Divergence, Figures, Milestone, MilestoneState, PLAN_STEPS,
};
use domain::{DomainError, ErrorCode, Level, RegionCode, Scope};
use serde_json::json;
use uuid::Uuid;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{exit_lists, exit_steps, exit_targets, regions, township_plans};

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = township_plans)]
pub struct PlanRow {
    /// Tenant.
    pub county_code: i32,
    /// The township.
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Households planned to exit.
    pub exit_households: i32,
    /// People planned to exit.
    pub exit_people: i32,
    /// People planned to be newly identified.
    pub entry_people: Option<i32>,
    /// The timetable (`[{step, due_on}]`).
    pub milestones: serde_json::Value,
    /// The day the plan was first entered.
    pub created_on: NaiveDate,
    /// Version (the ETag).
    pub version: i32,
    /// Who approved it for the county.
    pub approved_by: Option<Uuid>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// First entered by.
    pub created_by: Uuid,
    /// Last changed by.
    pub updated_by: Uuid,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl PlanRow {
    /// The timetable.
    pub fn timetable(&self) -> Vec<Milestone> {
        serde_json::from_value(self.milestones.clone()).unwrap_or_default()
    }

    /// The planned figures.
    pub fn figures(&self) -> Figures {
        Figures {
            exit_households: self.exit_households,
            exit_people: self.exit_people,
            entry_people: self.entry_people,
        }
    }
}

/// A plan as entered: figures and milestones (`step` as given, checked here).
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The figures.
    pub figures: Figures,
    /// `(step, due_on)` in the order given.
    pub milestones: Vec<(String, NaiveDate)>,
}

fn visible(ctx: &Ctx, township: RegionCode) -> Result<(), DomainError> {
    if ctx.caller.scope().contains(township) {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// Whether the caller writes as the county (`true`) or as the township.
fn writer(ctx: &Ctx, township: RegionCode) -> Result<bool, DomainError> {
    if ctx
        .caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, township)
        .is_ok()
    {
        return Ok(true);
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_TOWNSHIP, Level::Township, township)?;
    Ok(false)
}

fn locked(
    conn: &mut PgConnection,
    t: RegionCode,
    year: i32,
) -> Result<Option<PlanRow>, DomainError> {
    township_plans::table
        .filter(township_plans::county_code.eq(t.county_code()))
        .filter(township_plans::region_code.eq(t.as_i64()))
        .filter(township_plans::year.eq(year))
        .select(PlanRow::as_select())
        .for_update()
        .first(conn)
        .optional()
        .db()
}

/// Creates or replaces a township's plan of a year. A replacement needs the current version;
/// once the county approved the plan only the county changes it.
///
/// # Errors
/// `NotFound` outside scope; `Validation` naming the field; `Forbidden` without the township's
/// or the county's step permission; `PreconditionRequired`/`PreconditionFailed`; `Conflict`
/// `plan_approved` for the township once approved.
pub fn put(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
    year: i32,
    input: &PlanInput,
    if_match: Option<i32>,
) -> Result<(PlanRow, bool), DomainError> {
    visible(ctx, township)?;
    super::users::check_org_unit(conn, "township_code", township)?;
    let as_county = writer(ctx, township)?;
    let current = locked(conn, township, year)?;
    let created_on = current.as_ref().map_or(ctx.today(), |c| c.created_on);
    let milestones = rules::check(year, created_on, &input.figures, &input.milestones)?;
    let stored =
        serde_json::to_value(&milestones).map_err(|e| DomainError::Unexpected(e.into()))?;
    let f = &input.figures;
    let row = match &current {
        None => diesel::insert_into(township_plans::table)
            .values((
                township_plans::county_code.eq(township.county_code()),
                township_plans::region_code.eq(township.as_i64()),
                township_plans::year.eq(year),
                township_plans::exit_households.eq(f.exit_households),
                township_plans::exit_people.eq(f.exit_people),
                township_plans::entry_people.eq(f.entry_people),
                township_plans::milestones.eq(&stored),
                township_plans::created_on.eq(created_on),
                township_plans::version.eq(1),
                township_plans::created_by.eq(ctx.caller.user_id),
                township_plans::updated_by.eq(ctx.caller.user_id),
                township_plans::updated_at.eq(ctx.now),
            ))
            .returning(PlanRow::as_returning())
            .get_result(conn)
            .db()?,
        Some(c) => {
            match if_match {
                None => return Err(DomainError::PreconditionRequired),
                Some(m) if m != c.version => return Err(DomainError::PreconditionFailed),
                Some(_) => {}
            }
            if c.approved_at.is_some() && !as_county {
                return Err(DomainError::Conflict {
                    code: ErrorCode::PlanApproved,
                    message: "the county approved this plan: it reopens the plan before the \
                              township changes it"
                        .into(),
                });
            }
            diesel::update(
                township_plans::table
                    .filter(township_plans::county_code.eq(township.county_code()))
                    .filter(township_plans::region_code.eq(township.as_i64()))
                    .filter(township_plans::year.eq(year)),
            )
            .set((
                township_plans::exit_households.eq(f.exit_households),
                township_plans::exit_people.eq(f.exit_people),
                township_plans::entry_people.eq(f.entry_people),
                township_plans::milestones.eq(&stored),
                township_plans::version.eq(c.version + 1),
                township_plans::updated_by.eq(ctx.caller.user_id),
                township_plans::updated_at.eq(ctx.now),
            ))
            .returning(PlanRow::as_returning())
            .get_result(conn)
            .db()?
        }
    };
    let created = current.is_none();
    ctx.audit(
        conn,
        if created {
            "township_plan.created"
        } else {
            "township_plan.updated"
        },
        "township_plan",
        format!("{township}/{year}"),
        township,
        json!({
            "year": year, "version": row.version, "by": if as_county { "county" } else { "township" },
            "exit_households": f.exit_households, "exit_people": f.exit_people,
            "entry_people": f.entry_people, "milestones": stored,
        }),
    )?;
    Ok((row, created))
}

/// Approves (locks) or reopens a township's plan (county step), as of version `expected`; a
/// plan already in that state is returned as it is (no new version, no audit row).
///
/// # Errors
/// `NotFound` without a plan in scope; `Forbidden` without `workflow:county` at the county;
/// `PreconditionFailed` when the plan changed since `expected`.
pub fn set_approval(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
    year: i32,
    approve: bool,
    expected: i32,
) -> Result<PlanRow, DomainError> {
    visible(ctx, township)?;
    let current = locked(conn, township, year)?.ok_or(DomainError::NotFound)?;
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, township)?;
    if current.approved_by.is_some() == approve {
        // Approved already, or open already: nothing changes, nothing to record (a retry
        // whose first answer was lost carries the version before it, and gets the plan).
        return Ok(current);
    }
    if current.version != expected {
        return Err(DomainError::PreconditionFailed);
    }
    let (by, at) = if approve {
        (Some(ctx.caller.user_id), Some(ctx.now))
    } else {
        (None, None)
    };
    let row = diesel::update(
        township_plans::table
            .filter(township_plans::county_code.eq(township.county_code()))
            .filter(township_plans::region_code.eq(township.as_i64()))
            .filter(township_plans::year.eq(year)),
    )
    .set((
        township_plans::approved_by.eq(by),
        township_plans::approved_at.eq(at),
        township_plans::version.eq(current.version + 1),
        township_plans::updated_by.eq(ctx.caller.user_id),
        township_plans::updated_at.eq(ctx.now),
    ))
    .returning(PlanRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        if approve {
            "township_plan.approved"
        } else {
            "township_plan.reopened"
        },
        "township_plan",
        format!("{township}/{year}"),
        township,
        json!({ "year": year, "version": row.version }),
    )?;
    Ok(row)
}

/// A township's plan of a year, with the township's name.
///
/// # Errors
/// `NotFound` when there is none in scope.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
    year: i32,
) -> Result<(PlanRow, String), DomainError> {
    visible(ctx, township)?;
    township_plans::table
        .inner_join(regions::table.on(regions::code.eq(township_plans::region_code)))
        .filter(township_plans::county_code.eq(township.county_code()))
        .filter(township_plans::region_code.eq(township.as_i64()))
        .filter(township_plans::year.eq(year))
        .select((PlanRow::as_select(), regions::name))
        .first(conn)
        .optional()
        .db()?
        .ok_or(DomainError::NotFound)
}

/// The plans of a year of the townships in the caller's scope (or around the caller's village).
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    year: i32,
) -> Result<Vec<(PlanRow, String)>, DomainError> {
    let scope = ctx.caller.scope();
    township_plans::table
        .inner_join(regions::table.on(regions::code.eq(township_plans::region_code)))
        .filter(township_plans::region_code.between(scope.lo(), scope.hi()))
        .filter(township_plans::year.eq(year))
        .order(township_plans::region_code)
        .select((PlanRow::as_select(), regions::name))
        .load(conn)
        .db()
}

/// Households and people of one flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Households whose change took effect (exit filed; intake announced).
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Households on lists still in the procedure.
    pub in_procedure_households: i64,
    /// Their people.
    pub in_procedure_people: i64,
}

impl Counts {
    fn add(&mut self, o: &Self) {
        self.households += o.households;
        self.people += o.people;
        self.in_procedure_households += o.in_procedure_households;
        self.in_procedure_people += o.in_procedure_people;
    }
}

/// One milestone with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneLine {
    /// The milestone.
    pub milestone: Milestone,
    /// Its state today.
    pub state: MilestoneState,
    /// The day every list of the township had taken the step.
    pub reached_on: Option<NaiveDate>,
}

/// One township's year against its plan.
#[derive(Debug, Clone)]
pub struct TownshipLine {
    /// The township.
    pub code: i64,
    /// Its name.
    pub name: String,
    /// Its plan, if any.
    pub plan: Option<PlanRow>,
    /// Exits of the year.
    pub exits: Counts,
    /// New entries of the year.
    pub entries: Counts,
    /// Returns of the year.
    pub returns: Counts,
    /// Exit lists of the year.
    pub lists: i64,
    /// The timetable's milestones with their states.
    pub milestones: Vec<MilestoneLine>,
    /// How the year diverges from the plan.
    pub divergences: Vec<Divergence>,
}

/// A county's townships against their plans, and the county's line.
#[derive(Debug, Clone)]
pub struct Rollup {
    /// The county.
    pub county: RegionCode,
    /// The year.
    pub year: i32,
    /// The day the states are computed for.
    pub today: NaiveDate,
    /// The townships in the caller's scope.
    pub townships: Vec<TownshipLine>,
    /// The county's exit target in people, where set and visible.
    pub target_people: Option<i64>,
}

#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = BigInt)]
    code: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    households: i64,
    #[diesel(sql_type = BigInt)]
    people: i64,
    #[diesel(sql_type = BigInt)]
    in_procedure_households: i64,
    #[diesel(sql_type = BigInt)]
    in_procedure_people: i64,
}

const UNIT: i64 = 1000;

fn buckets(
    conn: &mut PgConnection,
    exit: bool,
    county: i32,
    range: Scope,
    year: i32,
) -> Result<Vec<Bucket>, DomainError> {
    // Exits count when filed, intakes when announced: as the campaign's totals count them.
    // An exit an inspection found false (overturned) is no exit.
    let (lists, entries, kind, done, counted) = if exit {
        (
            "exit_lists",
            "exit_entries",
            "'exit'",
            domain::exit::Stage::Filed.as_str(),
            "AND e.overturned_at IS NULL",
        )
    } else {
        (
            "intake_lists",
            "intake_entries",
            "e.kind",
            domain::intake::Stage::Announced.as_str(),
            "",
        )
    };
    diesel::sql_query(format!(
        "SELECT (l.region_code / {UNIT}) * {UNIT} AS code, {kind} AS kind, \
                count(*) FILTER (WHERE l.stage = $5) AS households, \
                coalesce(sum(e.people) FILTER (WHERE l.stage = $5), 0)::bigint AS people, \
                count(*) FILTER (WHERE l.stage <> $5) AS in_procedure_households, \
                coalesce(sum(e.people) FILTER (WHERE l.stage <> $5), 0)::bigint AS in_procedure_people \
           FROM {lists} l JOIN {entries} e ON e.county_code = l.county_code AND e.list_id = l.id \
          WHERE l.county_code = $1 AND l.region_code BETWEEN $2 AND $3 AND l.year = $4 \
            AND NOT e.removed {counted} \
          GROUP BY 1, 2"
    ))
    .bind::<Integer, _>(county)
    .bind::<BigInt, _>(range.lo())
    .bind::<BigInt, _>(range.hi())
    .bind::<Integer, _>(year)
    .bind::<Text, _>(done)
    .load(conn)
    .db()
}

/// The county's townships (those in the caller's scope) against their plans: exits, entries
/// and returns of the year, milestones with their states, divergences; and the county's exit
/// target where the caller sees it.
///
/// # Errors
/// `NotFound` for a county the caller neither covers nor lies in; `Forbidden` below the
/// township.
pub fn rollup(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<Rollup, DomainError> {
    let mine = ctx.caller.scope();
    let whole = county.subtree();
    if !(mine.contains(county) || whole.contains(ctx.caller.unit())) {
        return Err(DomainError::NotFound);
    }
    if ctx.caller.org.level() > Level::Township {
        return Err(DomainError::Forbidden(
            "the townships' roll-up is read at the township or above".into(),
        ));
    }
    let range = if whole.covers(mine) { mine } else { whole };
    let today = ctx.today();
    let cc = county.county_code();
    let towns: Vec<(i64, String)> = regions::table
        .filter(regions::parent_code.eq(county.as_i64()))
        .filter(regions::code.between(range.lo(), range.hi()))
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let plans: HashMap<i64, PlanRow> = township_plans::table
        .filter(township_plans::county_code.eq(cc))
        .filter(township_plans::region_code.between(range.lo(), range.hi()))
        .filter(township_plans::year.eq(year))
        .select(PlanRow::as_select())
        .load(conn)
        .db()?
        .into_iter()
        .map(|p| (p.region_code, p))
        .collect();
    // Above the county, filed exits only, as the exit report shows them: households on lists
    // still in the procedure, new entries and returns to poverty are the county's own (its
    // lists answer 404 above it), and exact small counts of them named a township's household.
    let above = ctx.caller.org.level() < Level::County;
    let mut flows: HashMap<(i64, String), Counts> = HashMap::new();
    for exit in [true, false] {
        if above && !exit {
            continue;
        }
        for b in buckets(conn, exit, cc, range, year)? {
            flows.entry((b.code, b.kind)).or_default().add(&Counts {
                households: b.households,
                people: b.people,
                in_procedure_households: if above { 0 } else { b.in_procedure_households },
                in_procedure_people: if above { 0 } else { b.in_procedure_people },
            });
        }
    }
    // When each list took each step (its first taking), by township: the milestones' states.
    // Above the county the number of lists counts filed ones only (the others are the county's
    // own, as above); the states, the township's timetable, come from every list.
    // A list every household of which was taken off (upheld objections) has no step left: it
    // does not hold its township's milestones back for ever.
    let lists: Vec<(Uuid, i64, bool, bool)> = exit_lists::table
        .filter(exit_lists::county_code.eq(cc))
        .filter(exit_lists::region_code.between(range.lo(), range.hi()))
        .filter(exit_lists::year.eq(year))
        .select((
            exit_lists::id,
            exit_lists::region_code,
            exit_lists::stage.eq("filed"),
            diesel::dsl::exists(
                crate::schema::exit_entries::table
                    .filter(crate::schema::exit_entries::county_code.eq(exit_lists::county_code))
                    .filter(crate::schema::exit_entries::list_id.eq(exit_lists::id))
                    .filter(crate::schema::exit_entries::removed.eq(false)),
            ),
        ))
        .load(conn)
        .db()?;
    let steps: Vec<(Uuid, String, serde_json::Value, DateTime<Utc>)> = exit_steps::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_steps::county_code)
                .and(exit_lists::id.eq(exit_steps::list_id))),
        )
        .filter(exit_lists::county_code.eq(cc))
        .filter(exit_lists::region_code.between(range.lo(), range.hi()))
        .filter(exit_lists::year.eq(year))
        .filter(exit_steps::step.eq_any(PLAN_STEPS.iter().map(|s| s.as_str())))
        .select((
            exit_steps::list_id,
            exit_steps::step,
            exit_steps::details,
            exit_steps::taken_at,
        ))
        .load(conn)
        .db()?;
    let mut taken: HashMap<(Uuid, String), NaiveDate> = HashMap::new();
    for (list, step, details, at) in steps {
        // The day the step happened (its decided_on, filed_on, … when given), not the day it
        // was entered.
        let day = super::exit::step_on(&details, at);
        taken
            .entry((list, step))
            .and_modify(|d| *d = (*d).min(day))
            .or_insert(day);
    }
    let target_people = exit_targets::table
        .filter(exit_targets::county_code.eq(cc))
        .filter(exit_targets::year.eq(year))
        .select(exit_targets::people)
        .first::<i32>(conn)
        .optional()
        .db()?
        .map(i64::from);
    let flow = |code: i64, kind: &str| {
        flows
            .get(&(code, kind.to_string()))
            .copied()
            .unwrap_or_default()
    };
    let townships = towns
        .into_iter()
        .map(|(code, name)| {
            let in_town: Vec<Uuid> = lists
                .iter()
                .filter(|(_, r, _, left)| r / UNIT * UNIT == code && *left)
                .map(|(id, _, _, _)| *id)
                .collect();
            let counted = lists
                .iter()
                .filter(|(_, r, filed, _)| r / UNIT * UNIT == code && (*filed || !above))
                .count();
            let exits = flow(code, "exit");
            let entries = flow(code, domain::intake::Kind::New.as_str());
            let returns = flow(code, domain::intake::Kind::Return.as_str());
            let plan = plans.get(&code).cloned();
            let milestones: Vec<MilestoneLine> = plan
                .as_ref()
                .map(PlanRow::timetable)
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let days: Vec<Option<NaiveDate>> = in_town
                        .iter()
                        .map(|l| taken.get(&(*l, m.step.as_str().to_string())).copied())
                        .collect();
                    let reached_on = rules::reached_by_all(&days);
                    MilestoneLine {
                        milestone: m,
                        state: rules::milestone_state(m.due_on, reached_on, today),
                        reached_on,
                    }
                })
                .collect();
            let divergences = plan.as_ref().map_or_else(Vec::new, |p| {
                let states: Vec<MilestoneState> = milestones.iter().map(|m| m.state).collect();
                rules::divergences(
                    year,
                    today,
                    &p.figures(),
                    Actual {
                        exited_households: exits.households,
                        exited_people: exits.people,
                        entry_people: entries.people,
                    },
                    &states,
                )
            });
            TownshipLine {
                code,
                name,
                plan,
                exits,
                entries,
                returns,
                lists: i64::try_from(counted).unwrap_or(i64::MAX),
                milestones,
                divergences,
            }
        })
        .collect();
    Ok(Rollup {
        county,
        year,
        today,
        townships,
        target_people,
    })
}
