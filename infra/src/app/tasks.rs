//! The to-do inbox (issue 19, item 3): everything waiting for the caller's roles in their scope,
//! each with a due date on the working calendar.
//!
//! Nothing is stored: each kind of task is read from where the work waits (exit lists at a
//! stage, open objections, cases being identified, pending property hits, unconfirmed township
//! tables, running ranger contracts, the caller's own pairings, the caller's failed jobs). Each
//! source has a partial index over its waiting rows only (migration `…_tasks_inbox`), and each
//! query names that index's predicate literally, so the inbox reads the tasks and nothing else
//! however large the county is and whether or not statistics exist (`api/tests/it/tasks.rs`
//! asserts it on the executed plans). The queries are public so that test runs the same SQL.
//!
//! Which work is whose follows the rules of the steps themselves: a workflow step belongs to the
//! grant at its owner's level whose subtree holds the village (`Caller::require_at_level`).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};
use domain::authz::perm;
use domain::calendar::Calendar;
use domain::exit::{Stage, Step};
use domain::region::Level;
use domain::settings::Settings;
use domain::{DomainError, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;

mod intake;
mod township_plans;
pub use intake::INTAKE_OBJECTIONS_SQL;

mod sources;
use sources::*;

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// An exit list waits for the next step, at the caller's level (no notice in between).
    ExitStep,
    /// An exit or intake list's notice has ended; the step after it is the caller's.
    NoticeEnded,
    /// An objection raised during a notice the caller's level runs (an exit or intake list's)
    /// waits for its resolution.
    Objection,
    /// A monitoring case waits for the caller's level before its identification deadline.
    MonitoringCase,
    /// A property-check hit in the caller's village waits for verification.
    PropertyHit,
    /// A township's property-check table waits for the county's confirmation.
    PropertyTable,
    /// A ranger contract has a month that has ended and is not paid.
    RangerMonth,
    /// A household paired with the caller has gone unvisited longer than the interval.
    VisitOverdue,
    /// A job the caller started failed.
    FailedJob,
    /// A grant of an operational role waits for a second administrator (the caller may
    /// approve it: not their own request, not a role for themselves).
    GrantRequest,
    /// A village of an open campaign (动态调整) is late on a step.
    CampaignStep,
    /// An intake list (新识别/返贫纳入) waits for the next step, at the caller's level (no notice
    /// in between; an ended notice is `notice_ended`).
    IntakeStep,
    /// The county's campaign of a year is open and the township has no plan of that year.
    TownshipPlan,
    /// The platform holds no working calendar of a year it needs (the next from 1 November,
    /// the current one always): a platform administrator adds it.
    CalendarYear,
}

impl TaskKind {
    /// Every kind, in the order ties on the due date are broken.
    pub const ALL: &'static [Self] = &[
        Self::ExitStep,
        Self::NoticeEnded,
        Self::Objection,
        Self::MonitoringCase,
        Self::PropertyHit,
        Self::PropertyTable,
        Self::RangerMonth,
        Self::VisitOverdue,
        Self::FailedJob,
        Self::GrantRequest,
        Self::CampaignStep,
        Self::IntakeStep,
        Self::TownshipPlan,
        Self::CalendarYear,
    ];

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExitStep => "exit_step",
            Self::NoticeEnded => "notice_ended",
            Self::Objection => "objection",
            Self::MonitoringCase => "monitoring_case",
            Self::PropertyHit => "property_hit",
            Self::PropertyTable => "property_table",
            Self::RangerMonth => "ranger_month",
            Self::VisitOverdue => "visit_overdue",
            Self::FailedJob => "failed_job",
            Self::GrantRequest => "grant_request",
            Self::CampaignStep => "campaign_step",
            Self::IntakeStep => "intake_step",
            Self::TownshipPlan => "township_plan",
            Self::CalendarYear => "calendar_year",
        }
    }

    /// From its code.
    ///
    /// # Errors
    /// A message listing the codes.
    pub fn parse(s: &str) -> Result<Self, domain::Rule> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| domain::Rule::one_of(Self::ALL.iter().map(|k| k.as_str())))
    }
}

/// One piece of waiting work.
#[derive(Debug, Clone)]
pub struct Task {
    /// What kind.
    pub kind: TaskKind,
    /// The object's type (`exit_list`, `exit_objection`, `monitoring_case`, `property_hit`,
    /// `property_check`, `ranger_contract`, `household`, `job`).
    pub object_type: &'static str,
    /// The object's id.
    pub object_id: Uuid,
    /// What within the object, where one object carries several tasks: the township of a
    /// property table, the month of a ranger contract; empty otherwise.
    pub part: String,
    /// The region the object belongs to (village, or township for a property table).
    pub region_code: RegionCode,
    /// The action that takes the task off the list (a step or operation name).
    pub action: &'static str,
    /// The day the work began waiting (China time).
    pub since: NaiveDate,
    /// The day it is due.
    pub due_on: NaiveDate,
    /// Where to read the object (an API path).
    pub link: String,
    /// Where to take the action (an API path; the method is in the API document).
    pub action_link: String,
}

impl Task {
    /// The position in the inbox: due date, then kind, object and part (stable).
    pub fn key(&self) -> (NaiveDate, TaskKind, Uuid, String) {
        (self.due_on, self.kind, self.object_id, self.part.clone())
    }
}

/// The inbox: every task (sorted), and what the due dates were computed with.
#[derive(Debug, Clone)]
pub struct Inbox {
    /// Every task, in inbox order.
    pub tasks: Vec<Task>,
    /// Today (China time).
    pub today: NaiveDate,
}

impl Inbox {
    /// How many of each kind (every kind present, zero included).
    pub fn counts(&self) -> BTreeMap<TaskKind, i64> {
        let mut m: BTreeMap<TaskKind, i64> = TaskKind::ALL.iter().map(|k| (*k, 0)).collect();
        for t in &self.tasks {
            *m.entry(t.kind).or_default() += 1;
        }
        m
    }
}

/// Exit lists at the given stages in a region range (`$1..$2`), with the time of their last
/// step, that still hold a household: a list emptied by upheld objections has no step left
/// (each would answer `list_empty`), so it is no one's work. `{stages}` is replaced by a fixed
/// literal list.
pub const EXIT_LISTS_SQL: &str = "SELECT l.id, l.region_code, l.stage, l.notice_ends_at, l.updated_at, l.round_id, \
       (SELECT max(s.taken_at) FROM exit_steps s WHERE s.county_code = l.county_code AND s.list_id = l.id) AS last_step_at \
     FROM exit_lists l \
     WHERE l.stage <> 'filed' AND l.stage IN ({stages}) AND l.region_code BETWEEN $1 AND $2 \
       AND EXISTS (SELECT 1 FROM exit_entries e WHERE e.county_code = l.county_code AND e.list_id = l.id AND NOT e.removed)";

/// Open objections raised in a notice of the given stage (`{stage}` a fixed literal).
pub const OBJECTIONS_SQL: &str = "SELECT o.id, o.list_id, o.region_code, o.raised_at FROM exit_objections o \
     WHERE o.status = 'open' AND o.stage = '{stage}' AND o.region_code BETWEEN $1 AND $2";

/// Monitoring cases being identified, at one stage (`{stage}` a fixed literal).
pub const CASES_SQL: &str = "SELECT c.id, c.region_code, c.found_on, c.deadline FROM monitoring_cases c \
     WHERE c.stage IN ('identified', 'township_reviewed') AND c.stage = '{stage}' \
       AND c.region_code BETWEEN $1 AND $2";

/// Property hits waiting for the village's verification, with the day their batch came.
pub const HITS_SQL: &str = "SELECT h.id, h.batch_id, h.region_code, b.imported_at FROM property_hits h \
     JOIN property_checks b ON b.county_code = h.county_code AND b.id = h.batch_id \
     WHERE h.status = 'pending' AND h.region_code BETWEEN $1 AND $2";

/// Township tables waiting for the county.
pub const TABLES_SQL: &str = "SELECT r.batch_id, r.region_code, r.submitted_at FROM property_reports r \
     WHERE r.confirmed_at IS NULL AND r.region_code BETWEEN $1 AND $2";

/// Running ranger contracts with the first month that has ended (by `$3`, the last day of the
/// last month that has ended) and is not paid.
pub const RANGER_SQL: &str = "SELECT c.id, c.region_code, m.first_unpaid, \
            (c.terms->>'payment_due_day')::int AS kept_due_day FROM ranger_contracts c \
     CROSS JOIN LATERAL (SELECT min(to_char(d, 'YYYY-MM')) AS first_unpaid \
        FROM generate_series(date_trunc('month', c.start_date), date_trunc('month', least(c.end_date, $3::date)), interval '1 month') d \
        WHERE NOT EXISTS (SELECT 1 FROM ranger_payouts p WHERE p.county_code = c.county_code \
                            AND p.contract_id = c.id AND p.month = to_char(d, 'YYYY-MM'))) m \
     WHERE c.terminated_on IS NULL AND c.region_code BETWEEN $1 AND $2 AND m.first_unpaid IS NOT NULL";

/// The open pairings of the caller's team memberships in term (`$1` user, `$2` today), with the
/// household's last visit by anyone.
pub const VISITS_SQL: &str = "SELECT p.household_id, p.region_code, p.start_date, \
       (SELECT max(v.visited_on) FROM visits v WHERE v.county_code = p.county_code AND v.household_id = p.household_id) AS last_visit \
     FROM team_members m \
     JOIN pairings p ON p.county_code = m.county_code AND p.member_id = m.id AND p.end_date IS NULL \
     WHERE m.user_id = $1 AND m.term_start <= $2 AND m.term_end >= $2";

/// Grant requests waiting in a region range (`$1..$2`) that the caller (`$3`) neither made nor
/// is the subject of; walks `grant_requests_scope`.
pub const GRANT_REQUESTS_SQL: &str = "SELECT r.id, r.county_code, r.region_code, r.requested_at, r.requested_by, r.user_id FROM grant_requests r \
     WHERE r.region_code BETWEEN $1 AND $2 AND r.status = 'pending' \
     AND r.requested_by <> $3 AND r.user_id <> $3";

/// The caller's failed jobs since `$2`.
pub const JOBS_SQL: &str = "SELECT j.id, j.region_code, j.finished_at FROM jobs j \
     WHERE j.status = 'failed' AND j.created_by = $1 AND j.finished_at >= $2";

#[derive(QueryableByName)]
struct ListRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Text)]
    stage: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    notice_ends_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_step_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    round_id: Option<Uuid>,
}

#[derive(QueryableByName)]
struct ObjectionRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    list_id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    raised_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct CaseRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = Date)]
    deadline: NaiveDate,
}

#[derive(QueryableByName)]
struct HitRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    batch_id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    imported_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    batch_id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    submitted_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct RangerRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Text)]
    first_unpaid: String,
    /// The payment day of the terms the contract was signed under (none for older contracts).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    kept_due_day: Option<i32>,
}

#[derive(QueryableByName)]
struct VisitRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    household_id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Date)]
    start_date: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    last_visit: Option<NaiveDate>,
}

#[derive(QueryableByName)]
struct JobRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    finished_at: DateTime<Utc>,
}

/// Exit stages whose next step (or notice) belongs to `level`.
pub fn exit_stages(level: Level) -> &'static [Stage] {
    match level {
        Level::Village => &[Stage::Nominated, Stage::Appraised, Stage::Verified],
        Level::Township => &[Stage::FirstNotice, Stage::TownshipReviewed],
        Level::County => &[Stage::SecondNotice, Stage::Approved, Stage::Announced],
        _ => &[],
    }
}

/// The notice stage whose objections `level` resolves.
pub fn objection_stage(level: Level) -> Option<Stage> {
    match level {
        Level::Village => Some(Stage::FirstNotice),
        Level::Township => Some(Stage::SecondNotice),
        Level::County => Some(Stage::Announced),
        _ => None,
    }
}

/// The SQL of the exit-list source for `level` (stages filled in as literals).
pub fn exit_lists_sql(level: Level) -> String {
    let stages: Vec<String> = exit_stages(level)
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    EXIT_LISTS_SQL.replace("{stages}", &stages.join(", "))
}

/// The SQL of the objection source for a notice stage.
pub fn objections_sql(stage: Stage) -> String {
    OBJECTIONS_SQL.replace("{stage}", stage.as_str())
}

/// The SQL of the case source for `level` (township reviews identified cases, the county
/// confirms reviewed ones).
pub fn cases_sql(level: Level) -> Option<String> {
    let stage = match level {
        Level::Township => "identified",
        Level::County => "township_reviewed",
        _ => return None,
    };
    Some(CASES_SQL.replace("{stage}", stage))
}

/// The last day of the month before the one `today` is in.
pub fn last_ended_month_day(today: NaiveDate) -> NaiveDate {
    today.with_day(1).unwrap_or(today) - Duration::days(1)
}

/// What a task was found with, before its due date is known.
struct Found {
    kind: TaskKind,
    object_type: &'static str,
    object_id: Uuid,
    part: String,
    region: i64,
    action: &'static str,
    since: NaiveDate,
    due: Due,
    link: String,
    action_link: String,
}

enum Due {
    /// A fixed date (a deadline computed when the work was created).
    On(NaiveDate),
    /// `tasks.due_working_days` working days after `since`.
    WorkingDays,
    /// A number of calendar days after `since`.
    Days(i64),
    /// A day fixed by a rule, moved to the next working day when it is a rest day (Civil Code
    /// §203: a ranger month's payment day).
    WorkingDayFrom(NaiveDate),
}

fn china_day(at: DateTime<Utc>) -> NaiveDate {
    crate::clock::china_date(at)
}

/// The last day of a notice that ends at `ends_at` (24:00 Beijing time of that day).
fn notice_last_day(ends_at: DateTime<Utc>) -> NaiveDate {
    china_day(ends_at - Duration::seconds(1))
}

fn range(s: Scope) -> (i64, i64) {
    (s.lo(), s.hi())
}

fn load<T: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    sql: &str,
    (lo, hi): (i64, i64),
) -> Result<Vec<T>, DomainError> {
    diesel::sql_query(sql)
        .bind::<BigInt, _>(lo)
        .bind::<BigInt, _>(hi)
        .load(conn)
        .db()
}

#[derive(QueryableByName)]
struct ListId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    list_id: Uuid,
}

/// The lists (of `objections`, `exit_objections` or `intake_objections`) in `scope` with an
/// objection still open: their ended notices are not offered, since the next step is refused
/// (`objections_open`) until the objection is resolved, itself an item of the inbox.
/// Read only when one of `notice_ends` has passed.
fn held_by_objections(
    conn: &mut PgConnection,
    ctx: &Ctx,
    mut notice_ends: impl Iterator<Item = Option<DateTime<Utc>>>,
    objections: &str,
    scope: Scope,
) -> Result<std::collections::HashSet<Uuid>, DomainError> {
    if !notice_ends.any(|e| e.is_some_and(|e| e <= ctx.now)) {
        return Ok(std::collections::HashSet::new());
    }
    let sql = format!(
        "SELECT DISTINCT o.list_id FROM {objections} o \
         WHERE o.status = 'open' AND o.region_code BETWEEN $1 AND $2"
    );
    Ok(load::<ListId>(conn, &sql, range(scope))?
        .into_iter()
        .map(|r| r.list_id)
        .collect())
}

fn exit_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    level: Level,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let rows: Vec<ListRow> = load(conn, &exit_lists_sql(level), range(scope))?;
    let ends = rows.iter().map(|l| l.notice_ends_at);
    let held = held_by_objections(conn, ctx, ends, "exit_objections", scope)?;
    // Appraised lists whose village committee has signed the verification wait for the
    // resident team's sign-off (`exit.team_verification_required`), not for the village: a
    // second signature answers 409 `already_signed`.
    let appraised: Vec<Uuid> = rows
        .iter()
        .filter(|l| l.stage == Stage::Appraised.as_str())
        .map(|l| l.id)
        .collect();
    let signed: std::collections::HashSet<Uuid> = if appraised.is_empty() {
        std::collections::HashSet::new()
    } else {
        crate::schema::exit_signoffs::table
            .filter(crate::schema::exit_signoffs::list_id.eq_any(&appraised))
            .filter(crate::schema::exit_signoffs::body.eq("village_committee"))
            .select(crate::schema::exit_signoffs::list_id)
            .load::<Uuid>(conn)
            .db()?
            .into_iter()
            .collect()
    };
    for l in rows {
        if signed.contains(&l.id) {
            continue;
        }
        let Ok(stage) = Stage::parse(&l.stage) else {
            continue;
        };
        let Some(step) = stage.next_step() else {
            continue;
        };
        let link = format!("/api/v1/exit-lists/{}", l.id);
        let step_path = step.as_str().replace('_', "-");
        // A list in a township round takes the round's steps on the round.
        let action_link = match l.round_id {
            Some(r) if super::exit::round_step(step) => {
                format!("/api/v1/exit-rounds/{r}/{step_path}")
            }
            _ => format!("{link}/{step_path}"),
        };
        let (kind, since) = if stage.is_notice() {
            match l.notice_ends_at {
                Some(end) if end <= ctx.now && !held.contains(&l.id) => {
                    (TaskKind::NoticeEnded, notice_last_day(end))
                }
                _ => continue,
            }
        } else {
            (
                TaskKind::ExitStep,
                china_day(l.last_step_at.unwrap_or(l.updated_at)),
            )
        };
        out.push(Found {
            kind,
            object_type: "exit_list",
            object_id: l.id,
            part: String::new(),
            region: l.region_code,
            action: step_action(step),
            since,
            due: Due::WorkingDays,
            link,
            action_link,
        });
    }
    if let Some(stage) = objection_stage(level) {
        let rows: Vec<ObjectionRow> = load(conn, &objections_sql(stage), range(scope))?;
        for o in rows {
            out.push(Found {
                kind: TaskKind::Objection,
                object_type: "exit_objection",
                object_id: o.id,
                part: String::new(),
                region: o.region_code,
                action: "resolution",
                since: china_day(o.raised_at),
                due: Due::WorkingDays,
                link: format!("/api/v1/exit-lists/{}/objections", o.list_id),
                action_link: format!("/api/v1/objections/{}/resolution", o.id),
            });
        }
    }
    if let Some(sql) = cases_sql(level) {
        let rows: Vec<CaseRow> = load(conn, &sql, range(scope))?;
        let action = if level == Level::Township {
            "township_review"
        } else {
            "confirmation"
        };
        for c in rows {
            let link = format!("/api/v1/monitoring-cases/{}", c.id);
            out.push(Found {
                kind: TaskKind::MonitoringCase,
                object_type: "monitoring_case",
                object_id: c.id,
                part: String::new(),
                region: c.region_code,
                action,
                since: c.found_on,
                due: Due::On(c.deadline),
                action_link: format!("{link}/{}", action.replace('_', "-")),
                link,
            });
        }
    }
    Ok(())
}

fn step_action(step: Step) -> &'static str {
    step.as_str()
}

/// The settings the inbox applies: the county's for a user at or below a county, the defaults
/// above (such users have no county work but their failed jobs).
fn settings_for(conn: &mut PgConnection, ctx: &Ctx) -> Result<Settings, DomainError> {
    if ctx.caller.org.level() >= Level::County {
        super::settings::effective_for(conn, ctx, ctx.caller.org)
    } else {
        Ok(Settings::default())
    }
}

/// Everything waiting for the caller, sorted by due date (then kind, object, part). One audit row (`tasks.read`) records the read with its counts.
///
/// # Errors
/// Database failures.
pub fn inbox(conn: &mut PgConnection, ctx: &Ctx) -> Result<Inbox, DomainError> {
    let settings = settings_for(conn, ctx)?;
    let mut found: Vec<Found> = Vec::new();
    let mut ranger_scopes: Vec<Scope> = Vec::new();
    // Exit and intake lists and campaigns are not shown to users whose org unit lies above the
    // county, whatever they hold below (their routes answer 404): the inbox offers them none.
    let county_work = ctx.caller.org.level() >= Level::County;
    for (grant, perms) in &ctx.caller.grants {
        let level = grant.unit.level();
        let scope = grant.unit.subtree();
        if county_work
            && perms.contains(perm::workflow_at(level))
            && matches!(level, Level::Village | Level::Township | Level::County)
        {
            exit_tasks(conn, ctx, level, scope, &mut found)?;
            intake::tasks(conn, ctx, level, scope, &mut found)?;
        }
        if perms.contains(perm::workflow_at(level))
            && matches!(level, Level::Township | Level::County)
        {
            if county_work {
                campaign_tasks(conn, ctx, level, scope, &mut found)?;
            }
            township_plans::tasks(conn, ctx, level, scope, &mut found)?;
        }
        for p in [perm::PROPERTY_VERIFY, perm::PROPERTY_DECIDE] {
            if perms.contains(p) {
                let routing = settings.property_check.routing_required;
                property_tasks(conn, (level, p), scope, routing, &mut found)?;
            }
        }
        if perms.contains(perm::FUNDS_MANAGE) && !ranger_scopes.iter().any(|s| s.covers(scope)) {
            ranger_scopes.push(scope);
        }
        if perms.contains(perm::USERS_MANAGE) {
            grant_request_tasks(conn, ctx, scope, &mut found)?;
        }
        if perms.contains(perm::WORKFLOW_ACKNOWLEDGE) {
            sources::acknowledgement_tasks(conn, ctx, level, scope, &mut found)?;
        }
    }
    for s in ranger_scopes {
        ranger_tasks(conn, ctx, s, &mut found)?;
    }
    if ctx.caller.has_permission(perm::VISITS_WRITE) {
        visit_tasks(conn, ctx, settings.teams.visit_interval_days, &mut found)?;
    }
    job_tasks(conn, ctx, settings.tasks.failed_job_days, &mut found)?;
    if ctx
        .caller
        .can_at(perm::SETTINGS_MANAGE, domain::RegionCode::PLATFORM)
    {
        sources::calendar_tasks(conn, ctx, &mut found)?;
    }
    // Grants may overlap (two roles at one unit): one task each.
    let mut seen = HashSet::new();
    found.retain(|f| seen.insert((f.kind, f.object_id, f.part.clone())));
    let today = ctx.today();
    let cal = match found.iter().map(|f| f.since).min() {
        Some(first) => {
            let last = found.iter().map(|f| f.since).max().unwrap_or(first);
            super::calendar::load(conn, first, last + Duration::days(90))?
        }
        None => Calendar::new([]),
    };
    let n = u32::try_from(settings.tasks.due_working_days.max(0)).unwrap_or(0);
    let mut tasks = Vec::with_capacity(found.len());
    for f in found {
        let due_on = match f.due {
            Due::On(d) => d,
            Due::WorkingDays => cal.working_days_after(f.since, n),
            Due::Days(d) => f.since + Duration::days(d),
            Due::WorkingDayFrom(d) => cal.working_day_from(d),
        };
        tasks.push(Task {
            kind: f.kind,
            object_type: f.object_type,
            object_id: f.object_id,
            part: f.part,
            region_code: stored_code(f.region)?,
            action: f.action,
            since: f.since,
            due_on,
            link: f.link,
            action_link: f.action_link,
        });
    }
    tasks.sort_by_key(Task::key);
    let inbox = Inbox { tasks, today };
    let counts: BTreeMap<&str, i64> = inbox
        .counts()
        .into_iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    ctx.audit(
        conn,
        "tasks.read",
        "user",
        ctx.caller.user_id,
        ctx.caller.unit(),
        json!({ "counts": counts }),
    )?;
    Ok(inbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn months_end_and_the_last_ended_month() {
        assert_eq!(month_last_day("2024-02"), Some(d("2024-02-29")));
        assert_eq!(month_last_day("2023-12"), Some(d("2023-12-31")));
        assert_eq!(month_last_day("2023-13"), None);
        assert_eq!(last_ended_month_day(d("2026-03-01")), d("2026-02-28"));
        assert_eq!(last_ended_month_day(d("2026-01-31")), d("2025-12-31"));
    }

    #[test]
    fn a_notice_ending_at_midnight_beijing_ends_on_that_day() {
        // 24:00 Beijing time of 2026-12-11 is 16:00 UTC that day.
        let end: DateTime<Utc> = "2026-12-11T16:00:00Z".parse().unwrap_or_default();
        assert_eq!(notice_last_day(end), d("2026-12-11"));
    }

    #[test]
    fn every_level_owns_the_stages_before_its_steps() {
        for level in [Level::Village, Level::Township, Level::County] {
            for s in exit_stages(level) {
                let step = s.next_step().map(Step::owner);
                assert_eq!(step, Some(level), "{s:?}");
            }
        }
        assert_eq!(TaskKind::parse("ranger_month"), Ok(TaskKind::RangerMonth));
        assert!(TaskKind::parse("nope").is_err());
    }
}
