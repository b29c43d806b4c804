//! The yearly dynamic-adjustment campaign (动态调整, issue 19 item 2): the county opens it with a
//! due date per step, every village's progress per step is derived from its exit and intake
//! lists of the year (never stored), villages are excused with a reason, and the county closes
//! it once every village is done or excused. Totals set exits, entries and returns of the year
//! against the targets (总量控制).
//!
//! Campaigns are the county's and open to its users (townships and villages see their own
//! villages); above the county they are not shown, like exit lists in progress.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::campaign::{self as rules, ListProgress, Status, Step, StepState};
use domain::{DomainError, Level, RegionCode, Scope};
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{
    campaign_excuses, campaigns, exit_entries, exit_lists, exit_targets, intake_entries,
    intake_lists, intake_targets, regions,
};

mod types;
pub use types::{
    CampaignRow, CampaignView, Deadline, Flow, NewCampaign, StepCounts, Totals, VillageProgress,
    counts,
};

fn county_of(ctx: &Ctx, code: RegionCode) -> Result<RegionCode, DomainError> {
    if code.level() != Level::County || !ctx.caller.scope().contains(code) {
        return Err(DomainError::field(
            "county_code",
            domain::Rule::not_in_scope(domain::ScopeKind::County),
        ));
    }
    Ok(code)
}

/// Opens the year's campaign of a county.
///
/// # Errors
/// `Forbidden` without `workflow:county` at the county; `Validation` naming `county_code` or
/// `deadlines.<step>`; `Conflict` `campaign_open` when the county has an open one that year.
pub fn open(
    conn: &mut PgConnection,
    ctx: &Ctx,
    n: &NewCampaign,
) -> Result<CampaignView, DomainError> {
    let county = county_of(ctx, n.county)?;
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    let settings = super::settings::effective_for(conn, ctx, county)?;
    let today = ctx.today();
    let nominal = rules::nominal_deadlines(&settings.campaign, today, &n.deadlines)?;
    let last = nominal.iter().map(|(_, d)| *d).max().unwrap_or(today);
    let calendar = super::calendar::load(conn, today, last)?;
    let deadlines: Vec<Deadline> = nominal
        .into_iter()
        .map(|(step, d)| Deadline {
            step,
            nominal: d,
            due_on: calendar.working_day_from(d),
        })
        .collect();
    let taken: i64 = campaigns::table
        .filter(campaigns::county_code.eq(county.county_code()))
        .filter(campaigns::year.eq(n.year))
        .filter(campaigns::status.eq(Status::Open.as_str()))
        .count()
        .get_result(conn)
        .db()?;
    let open_already = || DomainError::Conflict {
        code: domain::ErrorCode::CampaignOpen,
        message: format!(
            "the county has an open campaign for {} already: close it first",
            n.year
        ),
    };
    if taken > 0 {
        return Err(open_already());
    }
    let row: CampaignRow = diesel::insert_into(campaigns::table)
        .values((
            campaigns::county_code.eq(county.county_code()),
            campaigns::id.eq(Uuid::new_v4()),
            campaigns::region_code.eq(county.as_i64()),
            campaigns::year.eq(n.year),
            campaigns::opened_on.eq(today),
            campaigns::deadlines.eq(json!(deadlines)),
            campaigns::note.eq(&n.note),
            campaigns::created_by.eq(ctx.caller.user_id),
            campaigns::created_at.eq(ctx.now),
        ))
        .returning(CampaignRow::as_returning())
        .get_result(conn)
        // Two opened at once: the unique index stops the second, which is told the same.
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict {
                code: domain::ErrorCode::AlreadyExists,
                ..
            } => open_already(),
            other => other,
        })?;
    ctx.audit(
        conn,
        "campaign.open",
        "campaign",
        row.id,
        county,
        json!({ "year": n.year, "deadlines": deadlines }),
    )?;
    view(conn, ctx, row)
}

fn find(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<CampaignRow, DomainError> {
    if ctx.caller.org.level() < Level::County {
        return Err(DomainError::NotFound);
    }
    campaigns::table
        .filter(campaigns::id.eq(id))
        .select(CampaignRow::as_select())
        .first(conn)
        .db()
}

/// Campaigns of the caller's county, newest year first; keyset after `(year, id)`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    after: Option<(i32, Uuid)>,
    limit: i64,
) -> Result<Vec<CampaignRow>, DomainError> {
    if ctx.caller.org.level() < Level::County {
        return Ok(Vec::new());
    }
    let mut q = campaigns::table
        .filter(campaigns::county_code.eq(ctx.caller.county_code()))
        .select(CampaignRow::as_select())
        .order((campaigns::year.desc(), campaigns::id))
        .limit(limit)
        .into_boxed();
    if let Some((y, id)) = after {
        q = q.filter(
            campaigns::year
                .lt(y)
                .or(campaigns::year.eq(y).and(campaigns::id.gt(id))),
        );
    }
    q.load(conn).db()
}

/// The campaign with counts and totals over the caller's villages.
///
/// # Errors
/// `NotFound` outside the county (or above it).
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<CampaignView, DomainError> {
    let row = find(conn, ctx, id)?;
    view(conn, ctx, row)
}

fn view(conn: &mut PgConnection, ctx: &Ctx, row: CampaignRow) -> Result<CampaignView, DomainError> {
    let rows = table(conn, ctx, &row, ctx.caller.scope())?;
    let n = |f: &dyn Fn(&VillageProgress) -> bool| {
        i64::try_from(rows.iter().filter(|r| f(r)).count()).unwrap_or(i64::MAX)
    };
    Ok(CampaignView {
        villages: n(&|_| true),
        late_villages: n(&VillageProgress::late),
        excused_villages: n(&|r| r.excuse.is_some()),
        counts: counts(&rows),
        totals: totals(conn, ctx, &row)?,
        campaign: row,
    })
}

/// Filters of the village table.
#[derive(Debug, Clone, Copy, Default)]
pub struct VillageFilter {
    /// Only this township's villages.
    pub township: Option<RegionCode>,
    /// Only villages with a step late.
    pub late: Option<bool>,
}

/// The village table: every village of the caller's scope (within the township asked for),
/// counts over them, and the rows after `after` (village code) matching `late`.
///
/// # Errors
/// `NotFound` for an unknown campaign; `Validation` naming `township`.
pub fn villages(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    filter: VillageFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<(Vec<StepCounts>, Vec<VillageProgress>), DomainError> {
    let row = find(conn, ctx, id)?;
    let mut within = ctx.caller.scope();
    if let Some(t) = filter.township {
        let county = stored_code(row.region_code)?;
        if t.level() != Level::Township
            || !county.subtree().contains(t)
            || !(within.contains(t) || t.subtree().contains(ctx.caller.unit()))
        {
            return Err(DomainError::field(
                "township",
                domain::Rule::other(
                    "must be a township of the campaign's county in your scope",
                    "必须是本次行动所在县中您管辖范围内的乡镇",
                ),
            ));
        }
        if within.contains(t) {
            within = t.subtree();
        }
    }
    let rows = table(conn, ctx, &row, within)?;
    let counts = counts(&rows);
    let page = rows
        .into_iter()
        .filter(|r| filter.late.is_none_or(|l| r.late() == l))
        .filter(|r| after.is_none_or(|a| r.code > a))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok((counts, page))
}

/// Derives the table over the villages of the campaign's county inside `within`.
fn table(
    conn: &mut PgConnection,
    ctx: &Ctx,
    c: &CampaignRow,
    within: Scope,
) -> Result<Vec<VillageProgress>, DomainError> {
    let county = stored_code(c.region_code)?.subtree();
    let lo = county.lo().max(within.lo());
    let hi = county.hi().min(within.hi());
    let villages: Vec<(i64, String)> = regions::table
        .filter(regions::code.between(lo, hi))
        .filter(regions::level.eq(5_i16))
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let mut lists: HashMap<i64, Vec<ListProgress>> = HashMap::new();
    let exits: Vec<(i64, String, Option<DateTime<Utc>>)> = exit_lists::table
        .filter(exit_lists::county_code.eq(c.county_code))
        .filter(exit_lists::year.eq(c.year))
        .filter(exit_lists::region_code.between(lo, hi))
        .select((
            exit_lists::region_code,
            exit_lists::stage,
            exit_lists::notice_ends_at,
        ))
        .load(conn)
        .db()?;
    for (code, stage, ends) in exits {
        let stage = domain::exit::Stage::parse(&stage)
            .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        lists.entry(code).or_default().push(ListProgress::at(
            rules::exit_milestone(stage),
            ends,
            ctx.now,
        ));
    }
    let intakes: Vec<(i64, String, Option<DateTime<Utc>>)> = intake_lists::table
        .filter(intake_lists::county_code.eq(c.county_code))
        .filter(intake_lists::year.eq(c.year))
        .filter(intake_lists::region_code.between(lo, hi))
        .select((
            intake_lists::region_code,
            intake_lists::stage,
            intake_lists::notice_ends_at,
        ))
        .load(conn)
        .db()?;
    for (code, stage, ends) in intakes {
        let stage = domain::intake::Stage::parse(&stage)
            .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        lists
            .entry(code)
            .or_default()
            .push(ListProgress::at(stage.milestone(), ends, ctx.now));
    }
    let excuses: HashMap<i64, (String, DateTime<Utc>)> = campaign_excuses::table
        .filter(campaign_excuses::county_code.eq(c.county_code))
        .filter(campaign_excuses::campaign_id.eq(c.id))
        .filter(campaign_excuses::region_code.between(lo, hi))
        .select((
            campaign_excuses::region_code,
            campaign_excuses::reason,
            campaign_excuses::excused_at,
        ))
        .load::<(i64, String, DateTime<Utc>)>(conn)
        .db()?
        .into_iter()
        .map(|(code, r, at)| (code, (r, at)))
        .collect();
    let deadlines = c.deadlines()?;
    // A closed campaign is judged on the day it closed.
    let today = c
        .closed_at
        .map_or_else(|| ctx.today(), crate::clock::china_date);
    Ok(villages
        .into_iter()
        .map(|(code, name)| {
            let mine = lists.get(&code).map_or(&[][..], Vec::as_slice);
            let excuse = excuses.get(&code).cloned();
            let steps = deadlines
                .iter()
                .map(|d| {
                    (
                        d.step,
                        rules::village_state(mine, d.step, d.due_on, today, excuse.is_some()),
                    )
                })
                .collect();
            VillageProgress {
                code,
                name,
                township: code / 1000 * 1000,
                steps,
                lists: i64::try_from(mine.len()).unwrap_or(i64::MAX),
                excuse,
            }
        })
        .collect())
}

/// A late village of an open campaign, for the inbox: its first late step and that step's due
/// date.
#[derive(Debug, Clone, Copy)]
pub struct LateVillage {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The village.
    pub village: i64,
    /// Its first late step.
    pub step: Step,
    /// That step's due date.
    pub due_on: NaiveDate,
}

/// The late villages inside `scope` of the open campaigns of the caller's county.
///
/// # Errors
/// Database failures.
pub fn late_villages(
    conn: &mut PgConnection,
    ctx: &Ctx,
    scope: Scope,
) -> Result<Vec<LateVillage>, DomainError> {
    let open: Vec<CampaignRow> = campaigns::table
        .filter(campaigns::county_code.eq(ctx.caller.county_code()))
        .filter(campaigns::status.eq(Status::Open.as_str()))
        .select(CampaignRow::as_select())
        .load(conn)
        .db()?;
    let mut out = Vec::new();
    for c in open {
        let deadlines = c.deadlines()?;
        for v in table(conn, ctx, &c, scope)? {
            let late = v.steps.iter().find(|(_, s)| *s == StepState::Late);
            if let Some((step, _)) = late
                && let Some(d) = deadlines.iter().find(|d| d.step == *step)
            {
                out.push(LateVillage {
                    campaign_id: c.id,
                    village: v.code,
                    step: *step,
                    due_on: d.due_on,
                });
            }
        }
    }
    Ok(out)
}

fn lock(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<CampaignRow, DomainError> {
    let row = find(conn, ctx, id)?;
    let row: CampaignRow = campaigns::table
        .filter(campaigns::county_code.eq(row.county_code))
        .filter(campaigns::id.eq(id))
        .select(CampaignRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    ctx.caller.require_at_level(
        perm::WORKFLOW_COUNTY,
        Level::County,
        stored_code(row.region_code)?,
    )?;
    if row.status()? == Status::Closed {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::CampaignClosed,
            message: "the campaign is closed".into(),
        });
    }
    Ok(row)
}

/// Excuses a village of the campaign with a reason (a later excuse replaces the reason).
///
/// # Errors
/// `Forbidden` without `workflow:county` at the county; `Validation` naming `village_code`;
/// `Conflict` `campaign_closed`.
pub fn excuse(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    village: RegionCode,
    reason: &str,
) -> Result<CampaignView, DomainError> {
    let row = lock(conn, ctx, id)?;
    let county = stored_code(row.region_code)?;
    if village.level() != Level::Village || !county.subtree().contains(village) {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::other(
                "must be a village of the campaign's county",
                "必须是本次行动所在县的村",
            ),
        ));
    }
    super::users::check_org_unit(conn, "village_code", village)?;
    diesel::insert_into(campaign_excuses::table)
        .values((
            campaign_excuses::county_code.eq(row.county_code),
            campaign_excuses::campaign_id.eq(row.id),
            campaign_excuses::region_code.eq(village.as_i64()),
            campaign_excuses::reason.eq(reason),
            campaign_excuses::excused_by.eq(ctx.caller.user_id),
            campaign_excuses::excused_at.eq(ctx.now),
        ))
        .on_conflict((
            campaign_excuses::county_code,
            campaign_excuses::campaign_id,
            campaign_excuses::region_code,
        ))
        .do_update()
        .set((
            campaign_excuses::reason.eq(reason),
            campaign_excuses::excused_by.eq(ctx.caller.user_id),
            campaign_excuses::excused_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "campaign.excuse",
        "campaign",
        row.id,
        village,
        json!({ "village": format!("{:012}", village.as_i64()), "reason": reason }),
    )?;
    view(conn, ctx, row)
}

/// Closes the campaign once every village of the county is done or excused.
///
/// # Errors
/// `Forbidden` without `workflow:county` at the county; `Conflict`
/// `campaign_villages_pending` naming every village neither done nor excused, or
/// `campaign_closed`.
pub fn close(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<CampaignView, DomainError> {
    let row = lock(conn, ctx, id)?;
    let county = stored_code(row.region_code)?;
    let rows = table(conn, ctx, &row, county.subtree())?;
    let pending: Vec<String> = rows
        .iter()
        .filter(|r| !r.done() && r.excuse.is_none())
        .map(|r| format!("{:012}", r.code))
        .collect();
    rules::check_close(row.status()?, &pending)?;
    let row: CampaignRow = diesel::update(
        campaigns::table
            .filter(campaigns::county_code.eq(row.county_code))
            .filter(campaigns::id.eq(row.id)),
    )
    .set((
        campaigns::status.eq(Status::Closed.as_str()),
        campaigns::closed_by.eq(ctx.caller.user_id),
        campaigns::closed_at.eq(ctx.now),
        campaigns::version.eq(campaigns::version + 1),
    ))
    .returning(CampaignRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        "campaign.close",
        "campaign",
        row.id,
        county,
        json!({ "year": row.year }),
    )?;
    view(conn, ctx, row)
}

/// Sets a county's intake target (people) for a year (总量控制), and the ceiling on returns to
/// poverty (`None`: none).
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `workflow:county` at the county.
pub fn set_intake_target(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
    people: i32,
    returns: Option<i32>,
) -> Result<(), DomainError> {
    if !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    super::users::check_org_unit(conn, "county_code", county)?;
    diesel::insert_into(intake_targets::table)
        .values((
            intake_targets::county_code.eq(county.county_code()),
            intake_targets::year.eq(year),
            intake_targets::region_code.eq(county.as_i64()),
            intake_targets::people.eq(people),
            intake_targets::returns_people.eq(returns),
            intake_targets::set_by.eq(ctx.caller.user_id),
            intake_targets::updated_at.eq(ctx.now),
        ))
        .on_conflict((intake_targets::county_code, intake_targets::year))
        .do_update()
        .set((
            intake_targets::people.eq(people),
            intake_targets::returns_people.eq(returns),
            intake_targets::set_by.eq(ctx.caller.user_id),
            intake_targets::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "intake_target.set",
        "intake_target",
        format!("{}/{year}", county.county_code()),
        county,
        json!({ "year": year, "people": people, "returns_people": returns }),
    )
}

/// A county's intake target of a year as set: people, the ceiling on returns, who set it and
/// when.
pub type IntakeTarget = (i32, Option<i32>, Uuid, DateTime<Utc>);

/// Reads a county's intake target for a year (`None`: not set).
///
/// # Errors
/// `NotFound` outside scope.
pub fn intake_target(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<Option<IntakeTarget>, DomainError> {
    if !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    intake_targets::table
        .filter(intake_targets::county_code.eq(county.county_code()))
        .filter(intake_targets::year.eq(year))
        .select((
            intake_targets::people,
            intake_targets::returns_people,
            intake_targets::set_by,
            intake_targets::updated_at,
        ))
        .first(conn)
        .optional()
        .db()
}

/// Exits, entries and returns of the campaign's year in the caller's scope, with the county's
/// targets (read where the caller sees them: at the county).
fn totals(conn: &mut PgConnection, ctx: &Ctx, c: &CampaignRow) -> Result<Totals, DomainError> {
    let county = stored_code(c.region_code)?.subtree();
    let within = ctx.caller.scope();
    let (lo, hi) = (county.lo().max(within.lo()), county.hi().min(within.hi()));
    let mut t = Totals::default();
    let exits: Vec<(String, i32)> = exit_entries::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_entries::county_code)
                .and(exit_lists::id.eq(exit_entries::list_id))),
        )
        .filter(exit_entries::county_code.eq(c.county_code))
        .filter(exit_lists::year.eq(c.year))
        .filter(exit_entries::region_code.between(lo, hi))
        .filter(exit_entries::removed.eq(false))
        .filter(exit_entries::overturned_at.is_null())
        .select((exit_lists::stage, exit_entries::people))
        .load(conn)
        .db()?;
    for (stage, people) in exits {
        add(
            &mut t.exits,
            stage == domain::exit::Stage::Filed.as_str(),
            people,
        );
    }
    let intakes: Vec<(String, String, i32)> = intake_entries::table
        .inner_join(
            intake_lists::table.on(intake_lists::county_code
                .eq(intake_entries::county_code)
                .and(intake_lists::id.eq(intake_entries::list_id))),
        )
        .filter(intake_entries::county_code.eq(c.county_code))
        .filter(intake_lists::year.eq(c.year))
        .filter(intake_entries::region_code.between(lo, hi))
        .filter(intake_entries::removed.eq(false))
        .select((
            intake_lists::stage,
            intake_entries::kind,
            intake_entries::people,
        ))
        .load(conn)
        .db()?;
    for (stage, kind, people) in intakes {
        let flow = if kind == domain::intake::Kind::Return.as_str() {
            &mut t.returns
        } else {
            &mut t.entries
        };
        add(
            flow,
            stage == domain::intake::Stage::Announced.as_str(),
            people,
        );
    }
    t.exits.target_people = exit_targets::table
        .filter(exit_targets::county_code.eq(c.county_code))
        .filter(exit_targets::year.eq(c.year))
        .select(exit_targets::people)
        .first::<i32>(conn)
        .optional()
        .db()?
        .map(i64::from);
    let intake: Option<(i32, Option<i32>)> = intake_targets::table
        .filter(intake_targets::county_code.eq(c.county_code))
        .filter(intake_targets::year.eq(c.year))
        .select((intake_targets::people, intake_targets::returns_people))
        .first(conn)
        .optional()
        .db()?;
    t.entries.target_people = intake.map(|(p, _)| i64::from(p));
    t.returns.target_people = intake.and_then(|(_, r)| r).map(i64::from);
    Ok(t)
}

fn add(flow: &mut Flow, done: bool, people: i32) {
    if done {
        flow.households += 1;
        flow.people += i64::from(people);
    } else {
        flow.in_procedure_households += 1;
        flow.in_procedure_people += i64::from(people);
    }
}
