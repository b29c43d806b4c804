//! Exit of households (贫困户退出, seed 1): exit lists moved through the procedure step by
//! step, objections during notices, yearly targets and progress, and the eight documents.
//!
//! Each step locks the list, checks the caller holds the step's level permission over the
//! village, lets [`domain::exit::check_step`] decide order, notice periods and objections,
//! then records the step (actor, time, details, attachments) and an audit row in the same
//! transaction. Filing moves every household left on the list to `exited`.

pub mod acknowledgements;
pub mod documents;
pub mod links;
pub mod rounds;
pub mod signoffs;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use domain::authz::perm;
use domain::cases::Status;
use domain::exit::{
    self as rules, Criterion, IncomeYear, Indicators, ListState, Stage, Step, Votes,
};
use domain::{DomainError, FieldError, Level, RegionCode, Scope};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::cases::households::apply_status;
use super::cases::{self, records};
use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{
    exit_entries, exit_lists, exit_objections, exit_steps, exit_targets, households,
};

/// A document attached to a step (a scan kept in the county's archive), by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// What it is (`村民代表大会签到表`).
    pub title: String,
    /// Where the archive keeps it.
    pub uri: String,
    /// SHA-256 of the file, hex, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Checks attachments; reports every bad one.
pub fn check_attachments(list: &[Attachment], errs: &mut Vec<FieldError>) {
    if list.len() > 20 {
        errs.push(FieldError::new("attachments", "at most 20 attachments"));
    }
    for (i, a) in list.iter().enumerate() {
        let t = a.title.trim().chars().count();
        if t == 0 || t > 200 {
            errs.push(FieldError::new(
                format!("attachments[{i}].title"),
                "must have 1 to 200 characters",
            ));
        } else if let Some(why) = links::plain_text_problem(a.title.trim()) {
            errs.push(FieldError::new(format!("attachments[{i}].title"), why));
        }
        let u = a.uri.trim().chars().count();
        if u == 0 || u > 500 {
            errs.push(FieldError::new(
                format!("attachments[{i}].uri"),
                "must have 1 to 500 characters",
            ));
        } else if let Some(why) = links::uri_problem(a.uri.trim()) {
            errs.push(FieldError::new(format!("attachments[{i}].uri"), why));
        }
        if let Some(h) = &a.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            errs.push(FieldError::new(
                format!("attachments[{i}].sha256"),
                "must be 64 hexadecimal digits",
            ));
        }
    }
}

/// A household taken off the list at a review, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The household.
    pub household_id: Uuid,
    /// Why.
    pub reason: String,
}

/// What a step records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepInput {
    /// 民主评议.
    Appraisal {
        /// Meeting date.
        held_on: NaiveDate,
        /// Representatives attending.
        attendees: i32,
        /// Minutes.
        minutes: String,
        /// Votes per household (every listed household exactly once).
        votes: Vec<(Uuid, Votes)>,
    },
    /// 核实.
    Verification {
        /// Date.
        verified_on: NaiveDate,
        /// Names of the village committee and team members who verified.
        verifiers: Vec<String>,
        /// What they found.
        findings: String,
    },
    /// Opening a notice (first, second, announcement).
    Notice {
        /// Where it is posted.
        location: String,
        /// The day it was posted (today when absent).
        posted_on: Option<NaiveDate>,
    },
    /// Township review or county approval.
    Review {
        /// Opinion.
        opinion: String,
        /// Document number of the decision (文号), if any.
        decision_no: String,
        /// Households taken off.
        removals: Vec<Removal>,
        /// The day of the decision (today when absent).
        decided_on: Option<NaiveDate>,
    },
    /// 备案.
    Filing {
        /// Filing reference.
        reference: String,
        /// The day it was filed (today when absent).
        filed_on: Option<NaiveDate>,
    },
}

impl StepInput {
    /// The field that dates the step and the date it gives (today when optional and absent).
    pub fn date(&self, today: NaiveDate) -> (&'static str, NaiveDate) {
        match self {
            Self::Appraisal { held_on, .. } => ("held_on", *held_on),
            Self::Verification { verified_on, .. } => ("verified_on", *verified_on),
            Self::Notice { posted_on, .. } => ("posted_on", posted_on.unwrap_or(today)),
            Self::Review { decided_on, .. } => ("decided_on", decided_on.unwrap_or(today)),
            Self::Filing { filed_on, .. } => ("filed_on", filed_on.unwrap_or(today)),
        }
    }

    fn fits(&self, step: Step) -> bool {
        matches!(
            (self, step),
            (Self::Appraisal { .. }, Step::Appraisal)
                | (Self::Verification { .. }, Step::Verification)
                | (
                    Self::Notice { .. },
                    Step::FirstNotice | Step::SecondNotice | Step::Announcement
                )
                | (Self::Review { .. }, Step::TownshipReview | Step::Approval)
                | (Self::Filing { .. }, Step::Filing)
        )
    }
}

/// An exit list row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exit_lists)]
pub struct ListRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Stage code.
    pub stage: String,
    /// 村民小组.
    pub villager_group: String,
    /// Running notice start.
    pub notice_started_at: Option<DateTime<Utc>>,
    /// Running notice end.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i32,
    /// Nominated by.
    pub created_by: Uuid,
    /// Nominated at.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
    /// Filed at.
    pub filed_at: Option<DateTime<Utc>>,
    /// The township round it is in (from township review on), if any.
    pub round_id: Option<Uuid>,
}

/// A household on a list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exit_entries)]
pub struct EntryRow {
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// People at nomination.
    pub people: i32,
    /// Income of the year.
    pub income_per_capita_fen: i64,
    /// Line of the year.
    pub poverty_line_fen: i64,
    /// Criteria as evaluated at nomination.
    pub criteria: Value,
    /// 赞成.
    pub votes_for: Option<i32>,
    /// 反对.
    pub votes_against: Option<i32>,
    /// 弃权.
    pub votes_abstain: Option<i32>,
    /// Taken off.
    pub removed: bool,
    /// Why.
    pub removed_reason: Option<String>,
    /// When.
    pub removed_at: Option<DateTime<Utc>>,
}

/// A recorded step.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = exit_steps)]
pub struct StepRow {
    /// Id.
    pub id: Uuid,
    /// `nomination`, `appraisal`, …
    pub step: String,
    /// Stage before.
    pub stage_from: Option<String>,
    /// Stage after.
    pub stage_to: String,
    /// Who.
    pub actor_id: Uuid,
    /// Who, by name.
    pub actor_username: String,
    /// Their org unit.
    pub actor_org: i64,
    /// When.
    pub taken_at: DateTime<Utc>,
    /// What was recorded.
    pub details: Value,
    /// Attached documents.
    pub attachments: Value,
}

/// An objection.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exit_objections)]
pub struct ObjectionRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// List.
    pub list_id: Uuid,
    /// Household objected to.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// The notice it was raised in.
    pub stage: String,
    /// Who raised it (a villager, by name or "anonymous").
    pub raised_by: String,
    /// What it says.
    pub content: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// Recorded by.
    pub recorded_by: Uuid,
    /// `open`, `upheld`, `dismissed`.
    pub status: String,
    /// Reason of the resolution.
    pub resolution_reason: Option<String>,
    /// Resolved by.
    pub resolved_by: Option<Uuid>,
    /// Resolved at.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// An entry with the household's number and head.
#[derive(Debug, Clone)]
pub struct EntryView {
    /// The entry.
    pub entry: EntryRow,
    /// 户编号.
    pub household_number: String,
    /// Head's name.
    pub head_name: String,
}

/// A list with everything recorded on it.
#[derive(Debug, Clone)]
pub struct ListView {
    /// The list.
    pub list: ListRow,
    /// Village name.
    pub village_name: String,
    /// Households (removed ones too, with the reason).
    pub entries: Vec<EntryView>,
    /// Steps, in order.
    pub steps: Vec<StepRow>,
    /// Objections, in order.
    pub objections: Vec<ObjectionRow>,
    /// Verification sign-offs (village committee, resident team), in order.
    pub signoffs: Vec<signoffs::SignoffRow>,
    /// Acknowledgements of the filing (city, then province), in order.
    pub acknowledgements: Vec<acknowledgements::AcknowledgementRow>,
}

impl ListView {
    /// The stage.
    ///
    /// # Errors
    /// A corrupt stored stage.
    pub fn stage(&self) -> Result<Stage, DomainError> {
        parse_stage(&self.list.stage)
    }

    /// Households still on the list and their people.
    pub fn listed(&self) -> (i64, i64) {
        self.entries
            .iter()
            .filter(|e| !e.entry.removed)
            .fold((0, 0), |(h, p), e| (h + 1, p + i64::from(e.entry.people)))
    }
}

fn parse_stage(s: &str) -> Result<Stage, DomainError> {
    Stage::parse(s).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}

/// Callers above the county see exits once filed (逐级报市、省备案), not lists in progress.
fn sees(ctx: &Ctx, stage: &str) -> bool {
    ctx.caller.org.level() >= Level::County || stage == Stage::Filed.as_str()
}

fn find_list(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<ListRow, DomainError> {
    let row: ListRow = exit_lists::table
        .filter(exit_lists::id.eq(id))
        .select(ListRow::as_select())
        .first(conn)
        .db()?;
    if sees(ctx, &row.stage) {
        Ok(row)
    } else {
        Err(DomainError::NotFound)
    }
}

pub(crate) fn lock_list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<ListRow, DomainError> {
    let row: ListRow = exit_lists::table
        .filter(exit_lists::id.eq(id))
        .select(ListRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    if sees(ctx, &row.stage) {
        Ok(row)
    } else {
        Err(DomainError::NotFound)
    }
}

pub(crate) fn state_of(conn: &mut PgConnection, list: &ListRow) -> Result<ListState, DomainError> {
    let open: i64 = exit_objections::table
        .filter(exit_objections::county_code.eq(list.county_code))
        .filter(exit_objections::list_id.eq(list.id))
        .filter(exit_objections::status.eq("open"))
        .count()
        .get_result(conn)
        .db()?;
    let listed: i64 = exit_entries::table
        .filter(exit_entries::county_code.eq(list.county_code))
        .filter(exit_entries::list_id.eq(list.id))
        .filter(exit_entries::removed.eq(false))
        .count()
        .get_result(conn)
        .db()?;
    Ok(ListState {
        stage: parse_stage(&list.stage)?,
        notice_ends_at: list.notice_ends_at,
        open_objections: open,
        listed,
    })
}

/// The list, if the caller sees it (its scope, and above the county only once filed).
///
/// # Errors
/// `NotFound` otherwise.
pub fn visible(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<ListRow, DomainError> {
    find_list(conn, ctx, id)
}

/// The full view of a list.
///
/// # Errors
/// `NotFound` outside scope (or in progress, for callers above the county).
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<ListView, DomainError> {
    let list = find_list(conn, ctx, id)?;
    view_of(conn, list)
}

fn view_of(conn: &mut PgConnection, list: ListRow) -> Result<ListView, DomainError> {
    let rows: Vec<(EntryRow, String, String)> = exit_entries::table
        .inner_join(
            households::table.on(households::county_code
                .eq(exit_entries::county_code)
                .and(households::id.eq(exit_entries::household_id))),
        )
        .filter(exit_entries::county_code.eq(list.county_code))
        .filter(exit_entries::list_id.eq(list.id))
        .order(households::household_number)
        .select((
            EntryRow::as_select(),
            households::household_number,
            households::head_name,
        ))
        .load(conn)
        .db()?;
    let steps = exit_steps::table
        .filter(exit_steps::county_code.eq(list.county_code))
        .filter(exit_steps::list_id.eq(list.id))
        .order((exit_steps::taken_at, exit_steps::id))
        .select(StepRow::as_select())
        .load(conn)
        .db()?;
    let objections = exit_objections::table
        .filter(exit_objections::county_code.eq(list.county_code))
        .filter(exit_objections::list_id.eq(list.id))
        .order((exit_objections::raised_at, exit_objections::id))
        .select(ObjectionRow::as_select())
        .load(conn)
        .db()?;
    let signoffs = signoffs::of_list(conn, &list)?;
    let acknowledgements = acknowledgements::of_list(conn, &list)?;
    let village_name = cases::village_names(conn, &[list.region_code])?
        .remove(&list.region_code)
        .unwrap_or_default();
    Ok(ListView {
        list,
        village_name,
        entries: rows
            .into_iter()
            .map(|(entry, household_number, head_name)| EntryView {
                entry,
                household_number,
                head_name,
            })
            .collect(),
        steps,
        objections,
        signoffs,
        acknowledgements,
    })
}

/// Filters of the list of exit lists.
#[derive(Debug, Clone)]
pub struct ListFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Year.
    pub year: Option<i32>,
    /// Stage.
    pub stage: Option<Stage>,
}

/// A summary row of the list of lists.
#[derive(Debug, Clone)]
pub struct ListSummary {
    /// The list.
    pub list: ListRow,
    /// Village name.
    pub village_name: String,
    /// Households on the list.
    pub households: i64,
    /// People on the list.
    pub people: i64,
    /// Open objections.
    pub open_objections: i64,
}

/// Lists in scope by village, newest year first in each (the order of `exit_lists_walk`, so
/// every scope walks the index and stops after the page); keyset after `(region, year, id)`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    filter: &ListFilter,
    after: Option<(i64, i32, Uuid)>,
    limit: i64,
) -> Result<Vec<ListSummary>, DomainError> {
    let mut q = exit_lists::table
        .filter(exit_lists::region_code.between(filter.within.lo(), filter.within.hi()))
        .select(ListRow::as_select())
        .order((
            exit_lists::region_code,
            exit_lists::year.desc(),
            exit_lists::id,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(y) = filter.year {
        q = q.filter(exit_lists::year.eq(y));
    }
    if let Some(s) = filter.stage {
        q = q.filter(exit_lists::stage.eq(s.as_str()));
    }
    if ctx.caller.org.level() < Level::County {
        q = q.filter(exit_lists::stage.eq(Stage::Filed.as_str()));
    }
    if let Some((r, y, id)) = after {
        // The bound on the village is the walk's start; the rest skips the cursor's village's
        // earlier rows (a few years).
        q = q.filter(
            exit_lists::region_code.ge(r).and(
                exit_lists::region_code
                    .gt(r)
                    .or(exit_lists::year.lt(y))
                    .or(exit_lists::year.eq(y).and(exit_lists::id.gt(id))),
            ),
        );
    }
    let rows: Vec<ListRow> = crate::db::load_page(conn, q)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counties: Vec<i32> = rows.iter().map(|r| r.county_code).collect();
    let counts: Vec<(Uuid, i64, Option<i64>)> = exit_entries::table
        .filter(exit_entries::county_code.eq_any(&counties))
        .filter(exit_entries::list_id.eq_any(&ids))
        .filter(exit_entries::removed.eq(false))
        .group_by(exit_entries::list_id)
        .select((
            exit_entries::list_id,
            diesel::dsl::count_star(),
            diesel::dsl::sum(exit_entries::people),
        ))
        .load(conn)
        .db()?;
    let counts: HashMap<Uuid, (i64, i64)> = counts
        .into_iter()
        .map(|(id, h, p)| (id, (h, p.unwrap_or(0))))
        .collect();
    let open: Vec<(Uuid, i64)> = exit_objections::table
        .filter(exit_objections::county_code.eq_any(&counties))
        .filter(exit_objections::list_id.eq_any(&ids))
        .filter(exit_objections::status.eq("open"))
        .group_by(exit_objections::list_id)
        .select((exit_objections::list_id, diesel::dsl::count_star()))
        .load(conn)
        .db()?;
    let open: HashMap<Uuid, i64> = open.into_iter().collect();
    let codes: Vec<i64> = rows.iter().map(|r| r.region_code).collect();
    let names = cases::village_names(conn, &codes)?;
    Ok(rows
        .into_iter()
        .map(|list| {
            let (households, people) = counts.get(&list.id).copied().unwrap_or((0, 0));
            ListSummary {
                village_name: names.get(&list.region_code).cloned().unwrap_or_default(),
                households,
                people,
                open_objections: open.get(&list.id).copied().unwrap_or(0),
                list,
            }
        })
        .collect())
}

/// The exit criteria of a household for `year`, as the rules evaluate them now.
///
/// # Errors
/// `NotFound` outside scope.
pub fn criteria(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    year: i32,
) -> Result<(i64, Option<i64>, Vec<Criterion>), DomainError> {
    let h = cases::find(conn, household_id)?;
    let settings = super::settings::effective_for(conn, ctx, stored_code(h.region_code)?)?;
    let line = settings.poverty_line_for(year);
    let record = indicators(conn, household_id, year)?;
    let income = record.map_or(0, |r| r.income_per_capita_fen);
    let years = income_years(conn, &settings, household_id, year, record.as_ref())?;
    Ok((income, line, rules::evaluate(year, record.as_ref(), &years)))
}

/// The income criterion's years for an exit in `year` (`exit.stable_income_years` of them,
/// ending with it): each year's recorded income and the province's line of that year.
fn income_years(
    conn: &mut PgConnection,
    settings: &domain::settings::Settings,
    household_id: Uuid,
    year: i32,
    record: Option<&Indicators>,
) -> Result<Vec<IncomeYear>, DomainError> {
    rules::income_years(year, settings.exit.stable_income_years)
        .map(|y| {
            let income = if y == year {
                record.map(|r| r.income_per_capita_fen)
            } else {
                indicators(conn, household_id, y)?.map(|r| r.income_per_capita_fen)
            };
            Ok(IncomeYear {
                year: y,
                income_per_capita_fen: income,
                poverty_line_fen: settings.poverty_line_for(y),
            })
        })
        .collect()
}

fn indicators(
    conn: &mut PgConnection,
    household_id: Uuid,
    year: i32,
) -> Result<Option<Indicators>, DomainError> {
    match records::get_year(conn, household_id, year) {
        Ok(r) => Ok(Some(Indicators {
            income_per_capita_fen: r.income_per_capita_fen,
            enough_food: r.enough_food,
            enough_clothing: r.enough_clothing,
            compulsory_education: r.compulsory_education,
            basic_medical: r.basic_medical,
            safe_housing: r.safe_housing,
            safe_drinking_water: r.safe_drinking_water,
        })),
        Err(DomainError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A nomination: the households a villager group puts forward in a village for a year.
#[derive(Debug, Clone)]
pub struct Nomination {
    /// Village.
    pub village: RegionCode,
    /// Year.
    pub year: i32,
    /// 村民小组.
    pub villager_group: String,
    /// Date of the group's nomination.
    pub nominated_on: NaiveDate,
    /// Households.
    pub households: Vec<Uuid>,
    /// Attachments (the households' exit applications).
    pub attachments: Vec<Attachment>,
}

/// A household admitted to a list: the row, the line, its indicators, the criteria.
type Admitted = (cases::HouseholdRow, i64, Indicators, Vec<Criterion>);

/// A new stage, the notice window it opens, the filing time.
type StageChange = (
    Stage,
    Option<(DateTime<Utc>, DateTime<Utc>)>,
    Option<DateTime<Utc>>,
);

/// Checks each household against the criteria and the list rules; returns the entries to
/// insert or every refusal, naming `field[i]`.
fn admit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    year: i32,
    field: &str,
    ids: &[Uuid],
) -> Result<Vec<Admitted>, DomainError> {
    let settings = super::settings::effective_for(conn, ctx, village)?;
    let line = settings.poverty_line_for(year);
    let mut errs = Vec::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let f = format!("{field}[{i}]");
        if !seen.insert(*id) {
            errs.push(FieldError::new(f, "is listed twice"));
            continue;
        }
        let h = match cases::find(conn, *id) {
            Ok(h) => h,
            Err(DomainError::NotFound) => {
                errs.push(FieldError::new(f, "is not a household in your scope"));
                continue;
            }
            Err(e) => return Err(e),
        };
        if h.region_code != village.as_i64() {
            errs.push(FieldError::new(
                f,
                format!(
                    "household {} is registered in another village",
                    h.household_number
                ),
            ));
            continue;
        }
        let status =
            Status::parse(&h.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        // Only households in poverty exit: registered, or returned to poverty. (A monitored
        // household leaves monitoring through its case, not through an exit list.)
        if !matches!(status, Status::Registered | Status::Returned) {
            errs.push(FieldError::new(
                f,
                format!(
                    "household {} is {} and cannot exit: only registered or returned households can",
                    h.household_number, h.status
                ),
            ));
            continue;
        }
        // On a list of this year, or on any list not yet filed.
        let on_list: Option<(Uuid, i32)> = exit_entries::table
            .inner_join(
                exit_lists::table.on(exit_lists::county_code
                    .eq(exit_entries::county_code)
                    .and(exit_lists::id.eq(exit_entries::list_id))),
            )
            .filter(exit_entries::county_code.eq(h.county_code))
            .filter(exit_entries::household_id.eq(h.id))
            .filter(exit_entries::removed.eq(false))
            .filter(
                exit_entries::year
                    .eq(year)
                    .or(exit_lists::stage.ne(Stage::Filed.as_str())),
            )
            .select((exit_entries::list_id, exit_entries::year))
            .first(conn)
            .optional()
            .db()?;
        if let Some((l, y)) = on_list {
            errs.push(FieldError::new(
                f,
                format!(
                    "household {} is already on the {y} exit list {l}",
                    h.household_number
                ),
            ));
            continue;
        }
        let record = indicators(conn, h.id, year)?;
        let years = income_years(conn, &settings, h.id, year, record.as_ref())?;
        let crit = rules::evaluate(year, record.as_ref(), &years);
        let failed: Vec<&str> = crit
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.detail.as_str())
            .collect();
        match (record, line) {
            (Some(r), Some(l)) if failed.is_empty() => out.push((h, l, r, crit)),
            _ => errs.push(FieldError::new(
                f,
                format!(
                    "household {} does not meet the exit criteria: {}",
                    h.household_number,
                    failed.join("; ")
                ),
            )),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Validation(errs))
    }
}

fn insert_entries(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    admitted: Vec<Admitted>,
) -> Result<(), DomainError> {
    for (h, line, r, crit) in admitted {
        diesel::insert_into(exit_entries::table)
            .values((
                exit_entries::county_code.eq(list.county_code),
                exit_entries::list_id.eq(list.id),
                exit_entries::household_id.eq(h.id),
                exit_entries::region_code.eq(list.region_code),
                exit_entries::year.eq(list.year),
                exit_entries::people.eq(h.member_count),
                exit_entries::income_per_capita_fen.eq(r.income_per_capita_fen),
                exit_entries::poverty_line_fen.eq(line),
                exit_entries::criteria.eq(json!(crit)),
                exit_entries::added_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(|e| match map_db_error(e) {
                DomainError::Conflict { .. } => DomainError::Conflict {
                    code: domain::ErrorCode::AlreadyListed,
                    message: format!(
                        "household {} was put on another {} exit list at the same time",
                        h.household_number, list.year
                    ),
                },
                other => other,
            })?;
    }
    Ok(())
}

/// The stored attachments `list` cites (`/api/v1/attachments/{id}`), each checked to be one
/// stored for this list: another list's or county's file is refused by name, so a step can
/// never point its readers at what they may not read.
fn stored_evidence(
    conn: &mut PgConnection,
    list: &ListRow,
    attachments: &[Attachment],
) -> Result<Vec<Uuid>, DomainError> {
    super::attachments::cited(
        conn,
        (
            super::attachments::ObjectType::ExitList,
            list.county_code,
            list.id,
        ),
        attachments,
    )
}

fn record_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    step: &str,
    (from, to): (Option<Stage>, Stage),
    details: Value,
    attachments: &[Attachment],
) -> Result<(), DomainError> {
    stored_evidence(conn, list, attachments)?;
    diesel::insert_into(exit_steps::table)
        .values((
            exit_steps::county_code.eq(list.county_code),
            exit_steps::id.eq(Uuid::new_v4()),
            exit_steps::list_id.eq(list.id),
            exit_steps::region_code.eq(list.region_code),
            exit_steps::step.eq(step),
            exit_steps::stage_from.eq(from.map(Stage::as_str)),
            exit_steps::stage_to.eq(to.as_str()),
            exit_steps::actor_id.eq(ctx.caller.user_id),
            exit_steps::actor_username.eq(&ctx.caller.username),
            exit_steps::actor_org.eq(ctx.caller.org.as_i64()),
            exit_steps::taken_at.eq(ctx.now),
            exit_steps::details.eq(&details),
            exit_steps::attachments.eq(json!(attachments)),
        ))
        .execute(conn)
        .db()?;
    step_event(
        conn,
        ctx,
        &StepEvent {
            workflow: "exit",
            object_type: "exit_list",
            list_id: list.id,
            region_code: list.region_code,
            year: list.year,
            step,
            from: from.map(Stage::as_str),
            to: to.as_str(),
        },
        details,
    )
}

/// A step taken on a village list (exit or intake), as its audit row and its
/// `workflow.step_taken` event say it.
pub(crate) struct StepEvent<'a> {
    /// `exit` or `intake`.
    pub workflow: &'a str,
    /// `exit_list` or `intake_list`.
    pub object_type: &'a str,
    /// The list.
    pub list_id: Uuid,
    /// Its village.
    pub region_code: i64,
    /// Its year.
    pub year: i32,
    /// The step.
    pub step: &'a str,
    /// The stage before.
    pub from: Option<&'a str>,
    /// The stage after.
    pub to: &'a str,
}

/// Writes a list step's audit row (`<object_type>.<step>`, with what was entered) and emits its
/// `workflow.step_taken` webhook event: the one place both workflows announce a step.
pub(crate) fn step_event(
    conn: &mut PgConnection,
    ctx: &Ctx,
    e: &StepEvent<'_>,
    details: Value,
) -> Result<(), DomainError> {
    let village = stored_code(e.region_code)?;
    ctx.audit(
        conn,
        &format!("{}.{}", e.object_type, e.step),
        e.object_type,
        e.list_id,
        village,
        json!({ "from": e.from, "to": e.to, "details": details }),
    )?;
    super::webhooks::emit(
        conn,
        ctx,
        domain::webhooks::EventKind::WorkflowStep,
        village,
        e.object_type,
        e.list_id,
        json!({
            "workflow": e.workflow, format!("{}_id", e.object_type): e.list_id,
            "village": format!("{:012}", e.region_code), "year": e.year, "step": e.step,
            "from": e.from, "to": e.to,
        }),
    )
}

/// Nominates households of a village for exit: every household must meet the criteria of the
/// year, or nothing is written and each refusal says which criterion fails and by how much.
///
/// # Errors
/// `Validation` naming `households[i]`; `Forbidden` without the village permission there.
pub fn nominate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    n: &Nomination,
) -> Result<ListView, DomainError> {
    if !ctx.caller.scope().contains(n.village) {
        return Err(DomainError::field(
            "village_code",
            "lies outside your scope",
        ));
    }
    if n.village.level() != Level::Village {
        return Err(DomainError::field("village_code", "must be a village"));
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, n.village)?;
    super::users::check_org_unit(conn, "village_code", n.village)?;
    let admitted = admit(conn, ctx, n.village, n.year, "households", &n.households)?;
    let list: ListRow = diesel::insert_into(exit_lists::table)
        .values((
            exit_lists::county_code.eq(n.village.county_code()),
            exit_lists::id.eq(Uuid::new_v4()),
            exit_lists::region_code.eq(n.village.as_i64()),
            exit_lists::year.eq(n.year),
            exit_lists::stage.eq(Stage::Nominated.as_str()),
            exit_lists::villager_group.eq(&n.villager_group),
            exit_lists::created_by.eq(ctx.caller.user_id),
            exit_lists::created_at.eq(ctx.now),
            exit_lists::updated_at.eq(ctx.now),
        ))
        .returning(ListRow::as_returning())
        .get_result(conn)
        .db()?;
    let ids: Vec<Uuid> = admitted.iter().map(|a| a.0.id).collect();
    insert_entries(conn, ctx, &list, admitted)?;
    record_step(
        conn,
        ctx,
        &list,
        "nomination",
        (None, Stage::Nominated),
        json!({ "villager_group": n.villager_group, "nominated_on": n.nominated_on, "households": ids }),
        &n.attachments,
    )?;
    view_of(conn, list)
}

/// Adds households to a list still at nomination.
///
/// # Errors
/// As [`nominate`]; `Conflict` once the list has moved on.
pub fn add_entries(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    ids: &[Uuid],
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    let village = stored_code(list.region_code)?;
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, village)?;
    if list.stage != Stage::Nominated.as_str() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::StepOutOfOrder,
            message: format!(
                "households are added while the list is nominated; it is at {}",
                list.stage
            ),
        });
    }
    let admitted = admit(conn, ctx, village, list.year, "households", ids)?;
    insert_entries(conn, ctx, &list, admitted)?;
    touch(conn, &list, None)?;
    record_step(
        conn,
        ctx,
        &list,
        "nomination",
        (Some(Stage::Nominated), Stage::Nominated),
        json!({ "added": ids }),
        &[],
    )?;
    get(conn, ctx, id)
}

/// Sets the stage (and the notice window), bumps the version.
fn touch(
    conn: &mut PgConnection,
    list: &ListRow,
    change: Option<StageChange>,
) -> Result<(), DomainError> {
    let target = exit_lists::table
        .filter(exit_lists::county_code.eq(list.county_code))
        .filter(exit_lists::id.eq(list.id));
    match change {
        None => diesel::update(target)
            .set(exit_lists::version.eq(exit_lists::version + 1))
            .execute(conn),
        Some((stage, notice, filed)) => diesel::update(target)
            .set((
                exit_lists::stage.eq(stage.as_str()),
                exit_lists::notice_started_at.eq(notice.map(|n| n.0)),
                exit_lists::notice_ends_at.eq(notice.map(|n| n.1)),
                exit_lists::filed_at.eq(filed),
                exit_lists::version.eq(exit_lists::version + 1),
            ))
            .execute(conn),
    }
    .db()?;
    Ok(())
}

fn remove_entry(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    household_id: Uuid,
    reason: &str,
) -> Result<bool, DomainError> {
    let n = diesel::update(
        exit_entries::table
            .filter(exit_entries::county_code.eq(list.county_code))
            .filter(exit_entries::list_id.eq(list.id))
            .filter(exit_entries::household_id.eq(household_id))
            .filter(exit_entries::removed.eq(false)),
    )
    .set((
        exit_entries::removed.eq(true),
        exit_entries::removed_reason.eq(reason),
        exit_entries::removed_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    Ok(n == 1)
}

pub(crate) fn listed_ids(
    conn: &mut PgConnection,
    list: &ListRow,
) -> Result<Vec<Uuid>, DomainError> {
    exit_entries::table
        .filter(exit_entries::county_code.eq(list.county_code))
        .filter(exit_entries::list_id.eq(list.id))
        .filter(exit_entries::removed.eq(false))
        .select(exit_entries::household_id)
        .load(conn)
        .db()
}

/// The keys that date a step in its details, by step kind.
pub const DATE_KEYS: &[&str] = &[
    "posted_on",
    "held_on",
    "verified_on",
    "decided_on",
    "filed_on",
];

/// The date a recorded step happened: the date it was given, or the day it was entered.
pub fn step_on(details: &Value, taken_at: DateTime<Utc>) -> NaiveDate {
    DATE_KEYS
        .iter()
        .find_map(|k| details.get(*k).and_then(Value::as_str))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| crate::clock::china_date(taken_at))
}

/// The last step taken on the list, as the next step's date must respect.
fn last_step(
    conn: &mut PgConnection,
    list: &ListRow,
) -> Result<Option<rules::Follows>, DomainError> {
    let row: Option<(String, Value, DateTime<Utc>)> = exit_steps::table
        .filter(exit_steps::county_code.eq(list.county_code))
        .filter(exit_steps::list_id.eq(list.id))
        .order(exit_steps::taken_at.desc())
        .select((exit_steps::step, exit_steps::details, exit_steps::taken_at))
        .first(conn)
        .optional()
        .db()?;
    Ok(row.map(|(step, details, taken_at)| rules::Follows {
        on: step_on(&details, taken_at),
        notice_last_day: details
            .get("last_day")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok()),
        step,
    }))
}

pub(crate) fn notice_days(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    step: Step,
) -> Result<i32, DomainError> {
    let s = super::settings::effective_for(conn, ctx, village)?.exit;
    Ok(match step {
        Step::FirstNotice => s.first_notice_days,
        Step::SecondNotice => s.second_notice_days,
        _ => s.announcement_days,
    })
}

/// Takes `step` on a list.
///
/// # Errors
/// `Forbidden` unless the caller holds the step's level permission over the village;
/// `Conflict` when the step is out of order, a notice runs, objections are open or the list is
/// empty; `Validation` for bad input (naming the field).
pub fn take_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    take_step_on(conn, ctx, &list, step, input, attachments, None)?;
    get(conn, ctx, id)
}

/// The steps a township round takes on its lists (`rounds`).
pub fn round_step(step: Step) -> bool {
    matches!(
        step,
        Step::TownshipReview | Step::SecondNotice | Step::Approval | Step::Announcement
    )
}

/// Takes `step` on a locked list: for the list's own route (`round` `None`), or for the township
/// round `round` taking it on each of its lists.
pub(crate) fn take_step_on(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
    round: Option<Uuid>,
) -> Result<(), DomainError> {
    let village = stored_code(list.region_code)?;
    let owner = step.owner();
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if round.is_none() && round_step(step) {
        if let Some(r) = list.round_id {
            return Err(refuse_in_round(r));
        }
        if step == Step::TownshipReview
            && super::settings::effective_for(conn, ctx, village)?
                .exit
                .township_round_required
        {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::TownshipRoundRequired,
                message: "the county reviews exit lists in township rounds \
                          (exit.township_round_required): POST /api/v1/exit-rounds"
                    .into(),
            });
        }
    }
    let state = state_of(conn, list)?;
    let to = rules::check_step(&state, step, ctx.now)?;
    if !input.fits(step) {
        return Err(DomainError::field(
            "step",
            "the body does not fit this step",
        ));
    }
    let (date_field, on) = input.date(ctx.today());
    let settings = super::settings::effective_for(conn, ctx, village)?;
    let backdate = settings.exit.backdate_days;
    if settings.exit.require_stored_evidence
        && step.needs_evidence()
        && stored_evidence(conn, list, attachments)?.is_empty()
    {
        return Err(DomainError::field(
            "attachments",
            "this step needs evidence stored by the system (exit.require_stored_evidence): \
             upload it for this list (POST /api/v1/attachments) and cite /api/v1/attachments/{id}",
        ));
    }
    rules::check_step_date(
        date_field,
        on,
        ctx.today(),
        backdate,
        last_step(conn, list)?.as_ref(),
    )?;
    let mut notice = None;
    let mut filed = None;
    let details = match input {
        StepInput::Appraisal {
            held_on,
            attendees,
            minutes,
            votes,
        } => appraise(conn, ctx, list, *held_on, *attendees, minutes, votes)?,
        StepInput::Verification {
            verified_on,
            verifiers,
            findings,
        } => {
            // The village committee's sign-off (村两委); the list is verified, and the step
            // recorded, once the sign-offs it needs are all there.
            signoffs::sign(
                conn,
                ctx,
                list,
                &signoffs::Signing {
                    body: rules::SignoffBody::VillageCommittee,
                    team_id: None,
                    on: *verified_on,
                    opinion: findings,
                    details: json!({ "verified_on": verified_on, "verifiers": verifiers, "findings": findings }),
                    attachments,
                },
            )?;
            return Ok(());
        }
        StepInput::Notice { location, .. } => {
            let days = notice_days(conn, ctx, village, step)?;
            // Civil Code §201/§203 on the platform calendar: the period starts the day after
            // posting and ends at 24:00 of its last day, moved past rest days.
            let p = super::calendar::period(conn, on, u32::try_from(days).unwrap_or(0))?;
            let end = p.ends_at();
            let started = if on == ctx.today() {
                ctx.now
            } else {
                domain::calendar::start_of_day(on)
            };
            notice = Some((started, end));
            json!({
                "location": location, "days": days, "posted_on": on,
                "first_day": p.first_day, "last_day": p.last_day, "extended": p.extended(),
                "starts_at": started, "ends_at": end,
            })
        }
        StepInput::Review {
            opinion,
            decision_no,
            removals,
            ..
        } => {
            let listed = listed_ids(conn, list)?;
            let mut errs = Vec::new();
            for (i, r) in removals.iter().enumerate() {
                if !listed.contains(&r.household_id) {
                    errs.push(FieldError::new(
                        format!("removals[{i}].household_id"),
                        "is not on this list",
                    ));
                } else if removals[..i]
                    .iter()
                    .any(|o| o.household_id == r.household_id)
                {
                    errs.push(FieldError::new(
                        format!("removals[{i}].household_id"),
                        "is listed twice",
                    ));
                }
            }
            if !errs.is_empty() {
                return Err(DomainError::Validation(errs));
            }
            for r in removals {
                remove_entry(
                    conn,
                    ctx,
                    list,
                    r.household_id,
                    &format!("{}: {}", step.as_str(), r.reason),
                )?;
            }
            if removals.len() == listed.len() {
                return Err(DomainError::Conflict {
                    code: domain::ErrorCode::ListEmpty,
                    message: "a review cannot take every household off the list".into(),
                });
            }
            json!({
                "opinion": opinion, "decision_no": decision_no, "decided_on": on,
                "removed": removals.iter().map(|r| json!({"household_id": r.household_id, "reason": r.reason})).collect::<Vec<_>>(),
            })
        }
        StepInput::Filing { reference, .. } => {
            filed = Some(ctx.now);
            let ids = listed_ids(conn, list)?;
            for hid in &ids {
                let row = cases::find_for_update(conn, *hid)?;
                apply_status(
                    conn,
                    ctx,
                    &row,
                    Status::Exited,
                    &format!("exit filed ({}, list {})", list.year, list.id),
                )?;
            }
            json!({ "reference": reference, "filed_on": on, "households": ids })
        }
    };
    touch(conn, list, Some((to, notice, filed)))?;
    let details = match (round, details) {
        (Some(r), Value::Object(mut m)) => {
            m.insert("round_id".into(), json!(r));
            Value::Object(m)
        }
        (_, d) => d,
    };
    record_step(
        conn,
        ctx,
        list,
        step.as_str(),
        (Some(state.stage), to),
        details,
        attachments,
    )?;
    Ok(())
}

/// The refusal of a round's step on one of its lists.
pub(crate) fn refuse_in_round(round: Uuid) -> DomainError {
    DomainError::Conflict {
        code: domain::ErrorCode::ListInRound,
        message: format!(
            "this list is in township round {round}: take the step on the round \
             (POST /api/v1/exit-rounds/{round}/…)"
        ),
    }
}

fn appraise(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    held_on: NaiveDate,
    attendees: i32,
    minutes: &str,
    votes: &[(Uuid, Votes)],
) -> Result<Value, DomainError> {
    let listed = listed_ids(conn, list)?;
    let mut errs = Vec::new();
    let mut outcomes = Vec::new();
    for (i, (hid, v)) in votes.iter().enumerate() {
        if !listed.contains(hid) {
            errs.push(FieldError::new(
                format!("votes[{i}].household_id"),
                "is not on this list",
            ));
            continue;
        }
        match v.passes(attendees) {
            Ok(p) => outcomes.push((*hid, *v, p)),
            Err(m) => errs.push(FieldError::new(format!("votes[{i}]"), m)),
        }
    }
    for hid in &listed {
        if votes.iter().filter(|(h, _)| h == hid).count() != 1 {
            errs.push(FieldError::new(
                "votes",
                format!("household {hid} on the list needs exactly one tally"),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    let mut failed = Vec::new();
    for (hid, v, pass) in &outcomes {
        diesel::update(
            exit_entries::table
                .filter(exit_entries::county_code.eq(list.county_code))
                .filter(exit_entries::list_id.eq(list.id))
                .filter(exit_entries::household_id.eq(hid)),
        )
        .set((
            exit_entries::votes_for.eq(v.for_),
            exit_entries::votes_against.eq(v.against),
            exit_entries::votes_abstain.eq(v.abstain),
        ))
        .execute(conn)
        .db()?;
        if !pass {
            remove_entry(
                conn,
                ctx,
                list,
                *hid,
                &format!(
                    "not passed by the democratic appraisal: {} of {attendees} representatives for",
                    v.for_
                ),
            )?;
            failed.push(*hid);
        }
    }
    if failed.len() == listed.len() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::ListEmpty,
            message: "no household passed the democratic appraisal; nothing was recorded".into(),
        });
    }
    Ok(json!({
        "held_on": held_on, "attendees": attendees, "minutes": minutes,
        "votes": outcomes.iter().map(|(h, v, p)| json!({
            "household_id": h, "for": v.for_, "against": v.against, "abstain": v.abstain, "passed": p
        })).collect::<Vec<_>>(),
        "not_passed": failed,
    }))
}

/// Records an objection raised during the running notice, by the level that owns the notice.
///
/// # Errors
/// `Conflict` `no_notice_running`; `Validation` when the household is not on the list;
/// `Forbidden` for a caller of another level.
pub fn raise_objection(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list_id: Uuid,
    household_id: Uuid,
    raised_by: &str,
    content: &str,
) -> Result<ObjectionRow, DomainError> {
    let list = lock_list(conn, ctx, list_id)?;
    let village = stored_code(list.region_code)?;
    let state = state_of(conn, &list)?;
    let owner = rules::check_objection(&state, ctx.now)?;
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if !listed_ids(conn, &list)?.contains(&household_id) {
        return Err(DomainError::field("household_id", "is not on this list"));
    }
    let row: ObjectionRow = diesel::insert_into(exit_objections::table)
        .values((
            exit_objections::county_code.eq(list.county_code),
            exit_objections::id.eq(Uuid::new_v4()),
            exit_objections::list_id.eq(list.id),
            exit_objections::household_id.eq(household_id),
            exit_objections::region_code.eq(list.region_code),
            exit_objections::stage.eq(&list.stage),
            exit_objections::raised_by.eq(raised_by),
            exit_objections::content.eq(content),
            exit_objections::raised_at.eq(ctx.now),
            exit_objections::recorded_by.eq(ctx.caller.user_id),
        ))
        .returning(ObjectionRow::as_returning())
        .get_result(conn)
        .db()?;
    touch(conn, &list, None)?;
    ctx.audit(
        conn,
        "exit_objection.raised",
        "exit_objection",
        row.id,
        village,
        json!({ "list_id": list.id, "household_id": household_id, "stage": list.stage }),
    )?;
    Ok(row)
}

/// Resolves an open objection: upheld takes the household off the list, dismissed keeps it;
/// both with a reason. Taken by the level that owns the notice it was raised in.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Conflict` `already_resolved`.
pub fn resolve_objection(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    upheld: bool,
    reason: &str,
) -> Result<ObjectionRow, DomainError> {
    let list_id: Uuid = exit_objections::table
        .filter(exit_objections::id.eq(id))
        .select(exit_objections::list_id)
        .first(conn)
        .db()?;
    let list = lock_list(conn, ctx, list_id)?;
    // Read again under the list's lock: a concurrent resolution has committed by now.
    let o: ObjectionRow = exit_objections::table
        .filter(exit_objections::county_code.eq(list.county_code))
        .filter(exit_objections::id.eq(id))
        .select(ObjectionRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let village = stored_code(list.region_code)?;
    let owner = parse_stage(&o.stage)?
        .notice_owner()
        .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("objection outside a notice")))?;
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if o.status != "open" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::AlreadyResolved,
            message: format!("the objection was {} already", o.status),
        });
    }
    let status = if upheld { "upheld" } else { "dismissed" };
    if upheld {
        remove_entry(
            conn,
            ctx,
            &list,
            o.household_id,
            &format!("objection upheld: {reason}"),
        )?;
    }
    let row: ObjectionRow = diesel::update(
        exit_objections::table
            .filter(exit_objections::county_code.eq(o.county_code))
            .filter(exit_objections::id.eq(id)),
    )
    .set((
        exit_objections::status.eq(status),
        exit_objections::resolution_reason.eq(reason),
        exit_objections::resolved_by.eq(ctx.caller.user_id),
        exit_objections::resolved_at.eq(ctx.now),
    ))
    .returning(ObjectionRow::as_returning())
    .get_result(conn)
    .db()?;
    touch(conn, &list, None)?;
    ctx.audit(
        conn,
        &format!("exit_objection.{status}"),
        "exit_objection",
        id,
        village,
        json!({ "list_id": list.id, "household_id": o.household_id, "reason": reason }),
    )?;
    Ok(row)
}

/// Objections in scope, oldest first (the open ones are the work queue).
///
/// # Errors
/// Database failures.
pub fn objections(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: Scope,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ObjectionRow>, DomainError> {
    let mut q = exit_objections::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_objections::county_code)
                .and(exit_lists::id.eq(exit_objections::list_id))),
        )
        .filter(exit_objections::region_code.between(within.lo(), within.hi()))
        .select(ObjectionRow::as_select())
        .order((exit_objections::raised_at, exit_objections::id))
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(exit_objections::status.eq(s.to_string()));
    }
    if ctx.caller.org.level() < Level::County {
        q = q.filter(exit_lists::stage.eq(Stage::Filed.as_str()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            exit_objections::raised_at
                .gt(at)
                .or(exit_objections::raised_at
                    .eq(at)
                    .and(exit_objections::id.gt(id))),
        );
    }
    q.load(conn).db()
}

/// Sets a county's exit target (people) for a year.
///
/// # Errors
/// `Forbidden` without the county permission there.
pub fn set_target(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
    people: i32,
) -> Result<(), DomainError> {
    if !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    super::users::check_org_unit(conn, "county_code", county)?;
    diesel::insert_into(exit_targets::table)
        .values((
            exit_targets::county_code.eq(county.county_code()),
            exit_targets::year.eq(year),
            exit_targets::region_code.eq(county.as_i64()),
            exit_targets::people.eq(people),
            exit_targets::set_by.eq(ctx.caller.user_id),
            exit_targets::updated_at.eq(ctx.now),
        ))
        .on_conflict((exit_targets::county_code, exit_targets::year))
        .do_update()
        .set((
            exit_targets::people.eq(people),
            exit_targets::set_by.eq(ctx.caller.user_id),
            exit_targets::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "exit_target.set",
        "exit_target",
        format!("{}/{year}", county.county_code()),
        county,
        json!({ "year": year, "people": people }),
    )
}

/// Progress of one region in one year.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Sum of the targets of the counties in the region (none below the county).
    pub target_people: Option<i64>,
    /// People in filed exits of the year.
    pub exited_people: i64,
    /// Households in filed exits of the year.
    pub exited_households: i64,
    /// People on lists still in progress.
    pub in_progress_people: i64,
    /// Exited people as a percentage of the target, one decimal.
    pub percent_of_target: Option<f64>,
}

#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = BigInt)]
    code: i64,
    #[diesel(sql_type = BigInt)]
    exited_people: i64,
    #[diesel(sql_type = BigInt)]
    exited_households: i64,
    #[diesel(sql_type = BigInt)]
    in_progress_people: i64,
}

/// Progress against targets for `region` and each of its children, one level down.
///
/// # Errors
/// `Validation` for a region outside scope.
pub fn progress(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
) -> Result<(Progress, Vec<Progress>), DomainError> {
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::field("region", "lies outside your scope"));
    }
    let scope = region.subtree();
    let child_level = Level::from_number(region.level().number() + 1);
    // Children are found by truncating codes: the unit of the child level.
    let unit: i64 = match child_level {
        Some(l) => 10_i64.pow(12 - l.significant_digits()),
        None => 1,
    };
    // Callers above the county count filed exits only (they do not see lists in progress).
    let sees_progress = ctx.caller.org.level() >= Level::County;
    let buckets: Vec<Bucket> = diesel::sql_query(
        "SELECT (l.region_code / $3) * $3 AS code, \
                coalesce(sum(e.people) FILTER (WHERE l.stage = 'filed'), 0)::bigint AS exited_people, \
                count(*) FILTER (WHERE l.stage = 'filed') AS exited_households, \
                coalesce(sum(e.people) FILTER (WHERE l.stage <> 'filed' AND $4), 0)::bigint AS in_progress_people \
           FROM exit_lists l JOIN exit_entries e ON e.county_code = l.county_code AND e.list_id = l.id \
          WHERE l.region_code BETWEEN $1 AND $2 AND l.year = $5 AND NOT e.removed \
          GROUP BY 1",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<BigInt, _>(unit)
    .bind::<Bool, _>(sees_progress)
    .bind::<diesel::sql_types::Integer, _>(year)
    .load(conn)
    .db()?;
    let targets: Vec<(i64, i32)> = exit_targets::table
        .filter(exit_targets::region_code.between(scope.lo(), scope.hi()))
        .filter(exit_targets::year.eq(year))
        .select((exit_targets::region_code, exit_targets::people))
        .load(conn)
        .db()?;
    let children: Vec<(i64, String)> = match child_level {
        Some(_) => crate::schema::regions::table
            .filter(crate::schema::regions::parent_code.eq(region.as_i64()))
            .order(crate::schema::regions::code)
            .select((crate::schema::regions::code, crate::schema::regions::name))
            .load(conn)
            .db()?,
        None => Vec::new(),
    };
    let name = crate::schema::regions::table
        .filter(crate::schema::regions::code.eq(region.as_i64()))
        .select(crate::schema::regions::name)
        .first::<String>(conn)
        .optional()
        .db()?
        .unwrap_or_default();
    let make = |code: i64, name: String, lo: i64, hi: i64| {
        let mine: Vec<&Bucket> = buckets
            .iter()
            .filter(|b| (lo..=hi).contains(&b.code))
            .collect();
        let exited_people: i64 = mine.iter().map(|b| b.exited_people).sum();
        let level = RegionCode::from_i64(code).map_or(Level::Village, RegionCode::level);
        let target_people = (level <= Level::County).then(|| {
            targets
                .iter()
                .filter(|(r, _)| (lo..=hi).contains(r))
                .map(|(_, p)| i64::from(*p))
                .sum::<i64>()
        });
        let percent_of_target = target_people
            .filter(|t| *t > 0)
            .and_then(|t| i32::try_from((exited_people * 1000 + t / 2) / t).ok())
            .map(|permille| f64::from(permille) / 10.0);
        Progress {
            region_code: format!("{code:012}"),
            name,
            target_people,
            exited_people,
            exited_households: mine.iter().map(|b| b.exited_households).sum(),
            in_progress_people: mine.iter().map(|b| b.in_progress_people).sum(),
            percent_of_target,
        }
    };
    let total = make(region.as_i64(), name, scope.lo(), scope.hi());
    let kids = children
        .into_iter()
        .filter_map(|(c, n)| {
            let s = RegionCode::from_i64(c).ok()?.subtree();
            Some(make(c, n, s.lo(), s.hi()))
        })
        .collect();
    Ok((total, kids))
}

/// The effective exit settings' retention: whether an exited household still keeps its
/// support policies in `year` (脱贫不脱政策).
///
/// # Errors
/// Database failures.
pub fn policies_retained_until(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
) -> Result<Option<i32>, DomainError> {
    let h = cases::find(conn, household_id)?;
    let years = super::settings::effective_for(conn, ctx, stored_code(h.region_code)?)?
        .exit
        .policy_retention_years;
    let filed: Option<i32> = exit_entries::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_entries::county_code)
                .and(exit_lists::id.eq(exit_entries::list_id))),
        )
        .filter(exit_entries::county_code.eq(h.county_code))
        .filter(exit_entries::household_id.eq(household_id))
        .filter(exit_entries::removed.eq(false))
        .filter(exit_lists::stage.eq(Stage::Filed.as_str()))
        .select(diesel::dsl::max(exit_lists::year))
        .first(conn)
        .db()?;
    Ok(filed.map(|y| y + years))
}
