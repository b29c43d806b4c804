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

mod nomination;
mod objections;
mod steps;
mod targets;

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

use nomination::StageChange;
pub use nomination::{Nomination, add_entries, criteria, nominate};
pub use objections::{objections, raise_objection, resolve_objection};
pub use steps::{DATE_KEYS, round_step, step_on, take_step};
pub(crate) use steps::{StepEvent, last_step, listed_ids, notice_days, step_event, take_step_on};
use steps::{record_step, remove_entry, stored_evidence, touch};
pub use targets::{Progress, policies_retained_until, progress, set_target};

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
        errs.push(FieldError::new(
            "attachments",
            domain::Rule::other("at most 20 attachments", "最多 20 个附件"),
        ));
    }
    for (i, a) in list.iter().enumerate() {
        let t = a.title.trim().chars().count();
        if t == 0 || t > 200 {
            errs.push(FieldError::new(
                format!("attachments[{i}].title"),
                domain::Rule::length(1, 200),
            ));
        } else if let Some(why) = links::plain_text_problem(a.title.trim()) {
            errs.push(FieldError::new(format!("attachments[{i}].title"), why));
        }
        let u = a.uri.trim().chars().count();
        if u == 0 || u > 500 {
            errs.push(FieldError::new(
                format!("attachments[{i}].uri"),
                domain::Rule::length(1, 500),
            ));
        } else if let Some(why) = links::uri_problem(a.uri.trim()) {
            errs.push(FieldError::new(format!("attachments[{i}].uri"), why));
        }
        if let Some(h) = &a.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            errs.push(FieldError::new(
                format!("attachments[{i}].sha256"),
                domain::Rule::format(domain::Format::Sha256),
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
    /// When an inspection found the filed exit false.
    pub overturned_at: Option<DateTime<Utc>>,
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
