//! Intake of households into poverty support (新识别和返贫户及时纳入, seed 1; issue 19 item 2):
//! intake lists moved through application → appraisal → notice → township review → county
//! approval → announcement, which moves each household left on the list to `registered` (newly
//! identified) or `returned` (back in poverty) through the household status path.
//!
//! The procedure mirrors exit and shares its parts: the step inputs and their dates
//! ([`exit::StepInput`], [`domain::exit::check_step_date`]), the notice-period and empty-list
//! checks ([`domain::exit::check_notice_over`]), the tally rule ([`domain::exit::Votes`]), notice
//! periods on the working calendar, attachments' checks and the step records' shape
//! ([`exit::StepRow`]). Objections during the notice are in [`super::intake_objections`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::cases::Status;
use domain::exit::Follows;
use domain::intake::{self as rules, Kind, Source, Stage, Step};
use domain::{DomainError, FieldError, Level, RegionCode, Scope};
use serde_json::{Value, json};
use uuid::Uuid;

use super::attachments::ObjectType;
use super::cases::households::apply_status;
use super::cases::{self};
use super::exit::{self, Attachment, StepInput, StepRow};
use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{households, intake_entries, intake_lists, intake_steps};

mod admission;

/// An intake list row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = intake_lists)]
pub struct IntakeListRow {
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
    /// Running notice start.
    pub notice_started_at: Option<DateTime<Utc>>,
    /// Running notice end.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i32,
    /// Drawn up by.
    pub created_by: Uuid,
    /// Drawn up at.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
    /// Announced at.
    pub announced_at: Option<DateTime<Utc>>,
}

/// A household on an intake list.
#[derive(Debug, Clone)]
pub struct IntakeEntryView {
    /// Household.
    pub household_id: Uuid,
    /// `new` or `return`.
    pub kind: String,
    /// People when listed.
    pub people: i32,
    /// Taken off.
    pub removed: bool,
    /// Why.
    pub removed_reason: Option<String>,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// The household's status now.
    pub status: String,
}

/// An intake list with its households and steps.
#[derive(Debug, Clone)]
pub struct IntakeView {
    /// The list.
    pub list: IntakeListRow,
    /// Village name.
    pub village_name: String,
    /// Households.
    pub entries: Vec<IntakeEntryView>,
    /// Steps, in order.
    pub steps: Vec<StepRow>,
    /// Objections raised during the notice, oldest first.
    pub objections: Vec<exit::ObjectionRow>,
}

/// A list to draw up.
#[derive(Debug, Clone)]
pub struct NewIntake {
    /// The village.
    pub village: RegionCode,
    /// The year.
    pub year: i32,
    /// Application or screening.
    pub source: Source,
    /// The day of the application or screening.
    pub applied_on: NaiveDate,
    /// Households and how each enters.
    pub entries: Vec<(Uuid, Kind)>,
    /// Attached documents.
    pub attachments: Vec<Attachment>,
}

pub(super) fn parse_stage(s: &str) -> Result<Stage, DomainError> {
    Stage::parse(s).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}

pub(super) fn find(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    lock: bool,
) -> Result<IntakeListRow, DomainError> {
    // Above the county, intake lists (households named before any announcement) are not shown.
    if ctx.caller.org.level() < Level::County {
        return Err(DomainError::NotFound);
    }
    let q = intake_lists::table
        .filter(intake_lists::id.eq(id))
        .select(IntakeListRow::as_select());
    if lock {
        q.for_update().first(conn).db()
    } else {
        q.first(conn).db()
    }
}

/// The application cites the county's archive by link: files stored by the system
/// (`/api/v1/attachments/{id}`) are stored for a list, which does not exist yet.
fn check_links(attachments: &[Attachment]) -> Result<(), DomainError> {
    let errs: Vec<FieldError> = attachments
        .iter()
        .enumerate()
        .filter(|(_, a)| exit::links::stored_attachment(&a.uri).is_some())
        .map(|(i, _)| {
            FieldError::new(
                format!("attachments[{i}].uri"),
                domain::Rule::other("the list is not drawn up yet: cite the archive by an https link, or store files for the list once it is (POST /api/v1/attachments?object_type=intake_list) and cite them in its steps", "名单尚未拟定:请以 https 链接引用存档,或在名单拟定后为其存储文件(POST /api/v1/attachments?object_type=intake_list)并在其步骤中引用"),
            )
        })
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// Draws up an intake list of a village (农户申请 or 摸底排查).
///
/// # Errors
/// `Forbidden` without `workflow:village` at the village; `Validation` naming `village_code`
/// or `entries[i].household_id` (not in the village, not of a status that may enter so, on
/// another intake list of the year).
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    n: &NewIntake,
) -> Result<IntakeView, DomainError> {
    if !ctx.caller.scope().contains(n.village) || n.village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        ));
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, n.village)?;
    super::users::check_org_unit(conn, "village_code", n.village)?;
    check_links(&n.attachments)?;
    let backdate = super::settings::effective_for(conn, ctx, n.village)?
        .exit
        .backdate_days;
    domain::exit::check_step_date("applied_on", n.applied_on, ctx.today(), backdate, None)?;
    let (admitted, mut errs) = admission::admit(conn, n)?;
    if n.entries.is_empty() {
        errs.push(FieldError::new(
            "entries",
            domain::Rule::other("must name at least one household", "至少列出一户"),
        ));
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    let list: IntakeListRow = diesel::insert_into(intake_lists::table)
        .values((
            intake_lists::county_code.eq(n.village.county_code()),
            intake_lists::id.eq(Uuid::new_v4()),
            intake_lists::region_code.eq(n.village.as_i64()),
            intake_lists::year.eq(n.year),
            intake_lists::stage.eq(Stage::Applied.as_str()),
            intake_lists::created_by.eq(ctx.caller.user_id),
            intake_lists::created_at.eq(ctx.now),
            intake_lists::updated_at.eq(ctx.now),
        ))
        .returning(IntakeListRow::as_returning())
        .get_result(conn)
        .db()?;
    for (h, kind) in &admitted {
        diesel::insert_into(intake_entries::table)
            .values((
                intake_entries::county_code.eq(list.county_code),
                intake_entries::list_id.eq(list.id),
                intake_entries::household_id.eq(h.id),
                intake_entries::region_code.eq(list.region_code),
                intake_entries::year.eq(list.year),
                intake_entries::kind.eq(kind.as_str()),
                intake_entries::people.eq(h.member_count),
                intake_entries::added_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(|e| match map_db_error(e) {
                DomainError::Conflict { .. } => DomainError::Conflict {
                    code: domain::ErrorCode::AlreadyListed,
                    message: format!(
                        "household {} was put on another {} intake list at the same time",
                        h.household_number, list.year
                    ),
                },
                other => other,
            })?;
    }
    let ids: Vec<Value> = admitted
        .iter()
        .map(|(h, k)| json!({ "household_id": h.id, "kind": k.as_str() }))
        .collect();
    record_step(
        conn,
        ctx,
        &list,
        "application",
        (None, Stage::Applied),
        json!({ "source": n.source.as_str(), "applied_on": n.applied_on, "entries": ids }),
        &n.attachments,
    )?;
    view_of(conn, list)
}

/// The full view of a list.
///
/// # Errors
/// `NotFound` outside scope (or above the county).
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<IntakeView, DomainError> {
    let list = find(conn, ctx, id, false)?;
    view_of(conn, list)
}

/// Lists within `scope` (the caller's, or a region of it), of a year and a stage when given, by
/// village then newest year (the order of `intake_lists_walk`: every scope walks the index and
/// stops after the page); keyset after `(region, year, id)`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    (scope, year, stage): (Scope, Option<i32>, Option<Stage>),
    after: Option<(i64, i32, Uuid)>,
    limit: i64,
) -> Result<Vec<IntakeListRow>, DomainError> {
    if ctx.caller.org.level() < Level::County {
        return Ok(Vec::new());
    }
    let mut q = intake_lists::table
        .filter(intake_lists::region_code.between(scope.lo(), scope.hi()))
        .select(IntakeListRow::as_select())
        .order((
            intake_lists::region_code,
            intake_lists::year.desc(),
            intake_lists::id,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(intake_lists::year.eq(y));
    }
    if let Some(st) = stage {
        q = q.filter(intake_lists::stage.eq(st.as_str()));
    }
    if let Some((r, y, id)) = after {
        // The bound on the village is the walk's start; the rest skips the cursor's village's
        // earlier rows (a few years).
        q = q.filter(
            intake_lists::region_code.ge(r).and(
                intake_lists::region_code
                    .gt(r)
                    .or(intake_lists::year.lt(y))
                    .or(intake_lists::year.eq(y).and(intake_lists::id.gt(id))),
            ),
        );
    }
    crate::db::load_page(conn, q)
}

fn view_of(conn: &mut PgConnection, list: IntakeListRow) -> Result<IntakeView, DomainError> {
    type Entry = (
        Uuid,
        String,
        i32,
        bool,
        Option<String>,
        String,
        String,
        String,
    );
    let rows: Vec<Entry> = intake_entries::table
        .inner_join(
            households::table.on(households::county_code
                .eq(intake_entries::county_code)
                .and(households::id.eq(intake_entries::household_id))),
        )
        .filter(intake_entries::county_code.eq(list.county_code))
        .filter(intake_entries::list_id.eq(list.id))
        .order(households::household_number)
        .select((
            intake_entries::household_id,
            intake_entries::kind,
            intake_entries::people,
            intake_entries::removed,
            intake_entries::removed_reason,
            households::household_number,
            households::head_name,
            households::status,
        ))
        .load(conn)
        .db()?;
    let steps: Vec<StepRow> = intake_steps::table
        .filter(intake_steps::county_code.eq(list.county_code))
        .filter(intake_steps::list_id.eq(list.id))
        .order(intake_steps::taken_at)
        .select((
            intake_steps::id,
            intake_steps::step,
            intake_steps::stage_from,
            intake_steps::stage_to,
            intake_steps::actor_id,
            intake_steps::actor_username,
            intake_steps::actor_org,
            intake_steps::taken_at,
            intake_steps::details,
            intake_steps::attachments,
        ))
        .load(conn)
        .db()?;
    let names = cases::village_names(conn, &[list.region_code])?;
    let objections = super::intake_objections::of_list(conn, &list)?;
    Ok(IntakeView {
        objections,
        village_name: names.get(&list.region_code).cloned().unwrap_or_default(),
        entries: rows
            .into_iter()
            .map(|r| IntakeEntryView {
                household_id: r.0,
                kind: r.1,
                people: r.2,
                removed: r.3,
                removed_reason: r.4,
                household_number: r.5,
                head_name: r.6,
                status: r.7,
            })
            .collect(),
        steps,
        list,
    })
}

fn record_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &IntakeListRow,
    step: &str,
    (from, to): (Option<Stage>, Stage),
    details: Value,
    attachments: &[Attachment],
) -> Result<(), DomainError> {
    diesel::insert_into(intake_steps::table)
        .values((
            intake_steps::county_code.eq(list.county_code),
            intake_steps::id.eq(Uuid::new_v4()),
            intake_steps::list_id.eq(list.id),
            intake_steps::region_code.eq(list.region_code),
            intake_steps::step.eq(step),
            intake_steps::stage_from.eq(from.map(Stage::as_str)),
            intake_steps::stage_to.eq(to.as_str()),
            intake_steps::actor_id.eq(ctx.caller.user_id),
            intake_steps::actor_username.eq(&ctx.caller.username),
            intake_steps::actor_org.eq(ctx.caller.org.as_i64()),
            intake_steps::taken_at.eq(ctx.now),
            intake_steps::details.eq(&details),
            intake_steps::attachments.eq(json!(attachments)),
        ))
        .execute(conn)
        .db()?;
    super::exit::step_event(
        conn,
        ctx,
        &super::exit::StepEvent {
            workflow: "intake",
            object_type: "intake_list",
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

pub(super) fn listed(
    conn: &mut PgConnection,
    list: &IntakeListRow,
) -> Result<Vec<(Uuid, String)>, DomainError> {
    intake_entries::table
        .filter(intake_entries::county_code.eq(list.county_code))
        .filter(intake_entries::list_id.eq(list.id))
        .filter(intake_entries::removed.eq(false))
        .select((intake_entries::household_id, intake_entries::kind))
        // In id order: the announcement locks them in this order, as admission does.
        .order(intake_entries::household_id)
        .load(conn)
        .db()
}

fn last_step(
    conn: &mut PgConnection,
    list: &IntakeListRow,
) -> Result<Option<Follows>, DomainError> {
    let row: Option<(String, Value, DateTime<Utc>)> = intake_steps::table
        .filter(intake_steps::county_code.eq(list.county_code))
        .filter(intake_steps::list_id.eq(list.id))
        .order(intake_steps::taken_at.desc())
        .select((
            intake_steps::step,
            intake_steps::details,
            intake_steps::taken_at,
        ))
        .first(conn)
        .optional()
        .db()?;
    Ok(row.map(|(step, details, taken_at)| Follows {
        on: details
            .get("applied_on")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| exit::step_on(&details, taken_at)),
        notice_last_day: details
            .get("last_day")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok()),
        step,
    }))
}

pub(super) fn remove(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &IntakeListRow,
    household_id: Uuid,
    reason: &str,
) -> Result<(), DomainError> {
    diesel::update(
        intake_entries::table
            .filter(intake_entries::county_code.eq(list.county_code))
            .filter(intake_entries::list_id.eq(list.id))
            .filter(intake_entries::household_id.eq(household_id))
            .filter(intake_entries::removed.eq(false)),
    )
    .set((
        intake_entries::removed.eq(true),
        intake_entries::removed_reason.eq(reason),
        intake_entries::removed_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    Ok(())
}

/// Takes `step` on an intake list: the appraisal (a tally per household; no majority → off the
/// list), the notice (`intake.notice_days` on the working calendar), the township review and
/// the county approval (opinion, removals), the announcement (every household left enters).
///
/// # Errors
/// `Forbidden` unless the caller holds the step's level permission over the village;
/// `Conflict` out of order, during the notice, or with no household left; `Validation` naming
/// the field.
pub fn take_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<IntakeView, DomainError> {
    let list = find(conn, ctx, id, true)?;
    let village = stored_code(list.region_code)?;
    let owner = step.owner();
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    let stage = parse_stage(&list.stage)?;
    let on_list = listed(conn, &list)?;
    let count = i64::try_from(on_list.len()).unwrap_or(i64::MAX);
    let open = super::intake_objections::open_count(conn, &list)?;
    let to = rules::check_step(stage, list.notice_ends_at, open, count, step, ctx.now)?;
    let stored = super::attachments::cited(
        conn,
        (ObjectType::IntakeList, list.county_code, list.id),
        attachments,
    )?;
    let (date_field, on) = input.date(ctx.today());
    let settings = super::settings::effective_for(conn, ctx, village)?;
    if settings.exit.require_stored_evidence && step.needs_evidence() && stored.is_empty() {
        return Err(DomainError::field(
            "attachments",
            domain::Rule::other(
                "this step needs evidence stored by the system (exit.require_stored_evidence): \
                 upload it for this list (POST /api/v1/attachments?object_type=intake_list) and cite \
                 /api/v1/attachments/{id}",
                "此步骤需要系统存储的证明材料(exit.require_stored_evidence):请为该名单上传\
                 (POST /api/v1/attachments?object_type=intake_list)并引用 /api/v1/attachments/{id}",
            ),
        ));
    }
    domain::exit::check_step_date(
        date_field,
        on,
        ctx.today(),
        settings.exit.backdate_days,
        last_step(conn, &list)?.as_ref(),
    )?;
    let ids: Vec<Uuid> = on_list.iter().map(|(h, _)| *h).collect();
    let mut notice = None;
    let mut announced = None;
    let details = match (step, input) {
        (
            Step::Appraisal,
            StepInput::Appraisal {
                held_on,
                attendees,
                minutes,
                votes,
            },
        ) => {
            let mut errs = Vec::new();
            let mut failed = Vec::new();
            for (i, (hid, v)) in votes.iter().enumerate() {
                if !ids.contains(hid) {
                    errs.push(FieldError::new(
                        format!("votes[{i}].household_id"),
                        domain::Rule::NotOnList,
                    ));
                    continue;
                }
                match v.passes(*attendees) {
                    Ok(true) => {}
                    Ok(false) => failed.push(*hid),
                    Err(m) => errs.push(FieldError::new(format!("votes[{i}]"), m)),
                }
            }
            for hid in &ids {
                if votes.iter().filter(|(h, _)| h == hid).count() != 1 {
                    errs.push(FieldError::new(
                        "votes",
                        domain::Rule::other(
                            format!("household {hid} on the list needs exactly one tally"),
                            format!("名单上的户 {hid} 须有且只有一条计票"),
                        ),
                    ));
                }
            }
            if !errs.is_empty() {
                return Err(DomainError::Validation(errs));
            }
            if failed.len() == ids.len() {
                return Err(DomainError::Conflict {
                    code: domain::ErrorCode::ListEmpty,
                    message: "no household passed the democratic appraisal; nothing was recorded"
                        .into(),
                });
            }
            for hid in &failed {
                remove(
                    conn,
                    ctx,
                    &list,
                    *hid,
                    "not passed by the democratic appraisal",
                )?;
            }
            json!({
                "held_on": held_on, "attendees": attendees, "minutes": minutes,
                "votes": votes.iter().map(|(h, v)| json!({
                    "household_id": h, "for": v.for_, "against": v.against, "abstain": v.abstain,
                })).collect::<Vec<_>>(),
                "not_passed": failed,
            })
        }
        (Step::Notice, StepInput::Notice { location, .. }) => {
            let days = settings.intake.notice_days;
            let (running, details) = super::calendar::notice(conn, ctx, on, days, location)?;
            notice = Some(running);
            details
        }
        (
            Step::TownshipReview | Step::Approval,
            StepInput::Review {
                opinion,
                decision_no,
                removals,
                ..
            },
        ) => {
            let removed: Vec<Uuid> = removals.iter().map(|r| r.household_id).collect();
            domain::exit::check_removals(&removed, &ids)?;
            for r in removals {
                remove(
                    conn,
                    ctx,
                    &list,
                    r.household_id,
                    &format!("{}: {}", step.as_str(), r.reason),
                )?;
            }
            json!({
                "opinion": opinion, "decision_no": decision_no, "decided_on": on,
                "removed": removals.iter().map(|r| json!({"household_id": r.household_id, "reason": r.reason})).collect::<Vec<_>>(),
            })
        }
        (Step::Announcement, StepInput::Notice { location, .. }) => {
            announced = Some(ctx.now);
            let mut moved = Vec::new();
            let mut not_entered = Vec::new();
            for (hid, kind) in &on_list {
                let kind =
                    Kind::parse(kind).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
                let row = cases::find_for_update(conn, *hid)?;
                let status = Status::parse(&row.status)
                    .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
                let before = match status {
                    Status::Monitored => super::monitoring::monitored_from(conn, *hid)?,
                    _ => None,
                };
                // A household whose status changed since it was approved (announced poor by
                // another list, vetoed, returned through monitoring) no longer enters as listed:
                // it comes off the list with the reason, as exit filing does, and the rest enter
                // (no review is left to take it off, and refusing blocked the whole list).
                let to = match rules::entering_status(kind, status, before) {
                    Ok(to) => to,
                    Err(m) => {
                        let reason = format!(
                            "announcement: household {} {m}: its status changed since it was listed; not entered",
                            row.household_number
                        );
                        remove(conn, ctx, &list, *hid, &reason)?;
                        not_entered.push(
                            json!({ "household_id": hid, "status": row.status, "reason": reason }),
                        );
                        continue;
                    }
                };
                apply_status(
                    conn,
                    ctx,
                    &row,
                    to,
                    &format!(
                        "intake announced ({}, {}, list {})",
                        list.year,
                        kind.label(),
                        list.id
                    ),
                )?;
                // Whatever stage its case reached: the household is in poverty now.
                super::monitoring::close_open_case(
                    conn,
                    ctx,
                    *hid,
                    super::monitoring::ClosedBy::Intake,
                    &format!("intake list {} announced ({})", list.id, kind.label()),
                )?;
                moved.push(
                    json!({ "household_id": hid, "kind": kind.as_str(), "status": to.as_str() }),
                );
            }
            json!({ "location": location, "posted_on": on, "households": moved, "not_entered": not_entered })
        }
        _ => {
            return Err(DomainError::field(
                "step",
                domain::Rule::other("the body does not fit this step", "请求内容与此步骤不符"),
            ));
        }
    };
    diesel::update(
        intake_lists::table
            .filter(intake_lists::county_code.eq(list.county_code))
            .filter(intake_lists::id.eq(list.id)),
    )
    .set((
        intake_lists::stage.eq(to.as_str()),
        intake_lists::notice_started_at.eq(notice.map(|n: (DateTime<Utc>, DateTime<Utc>)| n.0)),
        intake_lists::notice_ends_at.eq(notice.map(|n| n.1)),
        intake_lists::announced_at.eq(announced),
        intake_lists::updated_at.eq(ctx.now),
        intake_lists::version.eq(intake_lists::version + 1),
    ))
    .execute(conn)
    .db()?;
    record_step(
        conn,
        ctx,
        &list,
        step.as_str(),
        (Some(stage), to),
        details,
        attachments,
    )?;
    get(conn, ctx, id)
}
