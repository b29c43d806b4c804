//! Township rounds (issue 19 item 1; seed 1 §三 steps 5–9): one round per township and year.
//!
//! The village lists stay the unit of record — each keeps its households, its steps, its
//! objections — and a round groups those of a township's villages (`exit_lists.round_id`). Each
//! round step is one decision taken on every list of the round that is ready for it: the
//! township reviews its villages' first-notice lists together (fixing the township list), posts
//! the second notice in every village at once (one posting per village, each with its own date
//! and photo), the county approves and announces the township's list. A list that is not ready —
//! its notice still running, an objection raised in its village still open — is held back and
//! named with the reason, so an objection in one village holds only that village's households;
//! the next decision on the round takes the lists that have become ready. After the announcement
//! the county files its whole list for the year at once ([`file_county`]).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::exit::{self as rules, Stage, Step};
use domain::{DomainError, ErrorCode, FieldError, Level, RegionCode};
use serde_json::{Value, json};
use uuid::Uuid;

mod inputs;
mod view;
use inputs::{own_attachments, split_removals};
use view::view;
pub use view::{Decision, RoundList, RoundPosting, RoundView, get, list};

use super::{Attachment, ListRow, StepInput, notice_days, state_of, take_step_on};
use crate::app::{Ctx, calendar, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{exit_lists, exit_round_decisions, exit_round_postings, exit_rounds};

/// A village's posting of the second notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The village.
    pub village: RegionCode,
    /// Where it is posted.
    pub location: String,
    /// The day it was posted (today when absent).
    pub posted_on: Option<NaiveDate>,
    /// A photo of the posted notice, and other documents.
    pub attachments: Vec<Attachment>,
}

/// A list a decision held back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The list.
    pub list_id: Uuid,
    /// Its village.
    pub village_code: i64,
    /// Its stage.
    pub stage: String,
    /// Why, as a problem code (`notice_period_running`, `objections_open`, `step_out_of_order`).
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

/// The result of a decision: the round after it, what moved and what was held back.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The round.
    pub round: RoundView,
    /// Lists moved by this decision.
    pub moved: Vec<Uuid>,
    /// Lists held back, with the reason.
    pub held: Vec<Held>,
}

#[derive(Debug, Clone, Queryable)]
pub(super) struct RoundRow {
    pub(super) county_code: i32,
    pub(super) id: Uuid,
    pub(super) region_code: i64,
    pub(super) year: i32,
    pub(super) created_by: Uuid,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
}

pub(super) const ROUND_COLS: (
    exit_rounds::county_code,
    exit_rounds::id,
    exit_rounds::region_code,
    exit_rounds::year,
    exit_rounds::created_by,
    exit_rounds::created_at,
    exit_rounds::updated_at,
) = (
    exit_rounds::county_code,
    exit_rounds::id,
    exit_rounds::region_code,
    exit_rounds::year,
    exit_rounds::created_by,
    exit_rounds::created_at,
    exit_rounds::updated_at,
);

/// Rounds are work in progress of a county: above the county they are not shown (filed lists
/// are, through `/exit-lists`).
pub(super) fn find(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    lock: bool,
) -> Result<RoundRow, DomainError> {
    if ctx.caller.org.level() < Level::County {
        return Err(DomainError::NotFound);
    }
    let q = exit_rounds::table
        .filter(exit_rounds::id.eq(id))
        .select(ROUND_COLS);
    let row = if lock {
        q.for_update().first(conn).db()?
    } else {
        q.first(conn).db()?
    };
    Ok(row)
}

/// The member lists at `stage`, locked.
fn lists_at(
    conn: &mut PgConnection,
    round: &RoundRow,
    stage: Stage,
) -> Result<Vec<ListRow>, DomainError> {
    exit_lists::table
        .filter(exit_lists::county_code.eq(round.county_code))
        .filter(exit_lists::round_id.eq(round.id))
        .filter(exit_lists::stage.eq(stage.as_str()))
        .order((
            exit_lists::region_code,
            exit_lists::created_at,
            exit_lists::id,
        ))
        .select(ListRow::as_select())
        .for_update()
        .load(conn)
        .db()
}

fn nothing_ready(step: Step, held: &[Held]) -> DomainError {
    let why: Vec<String> = held
        .iter()
        .map(|h| format!("{:012} ({}): {}", h.village_code, h.list_id, h.reason))
        .collect();
    DomainError::Conflict {
        code: ErrorCode::RoundNothingReady,
        message: if why.is_empty() {
            format!("no list of the round awaits the {}", step.as_str())
        } else {
            format!(
                "no list of the round is ready for the {}: {}",
                step.as_str(),
                why.join("; ")
            )
        },
    }
}

/// Splits `lists` into those ready for `step` and those held back (with the reason). A list
/// is ready when the step may be taken now and on the decision's date (`input`'s): a list whose
/// notice ended after the day the decision was taken is held back, not a reason to refuse the
/// decision for every list (or to date it falsely).
fn sort_ready(
    conn: &mut PgConnection,
    ctx: &Ctx,
    lists: Vec<ListRow>,
    step: Step,
    input: &StepInput,
) -> Result<(Vec<ListRow>, Vec<Held>), DomainError> {
    let mut ready = Vec::new();
    let mut held = Vec::new();
    let (field, on) = input.date(ctx.today());
    for l in lists {
        let state = state_of(conn, &l)?;
        let mut check = rules::check_step(&state, step, ctx.now);
        if check.is_ok()
            && let Some(f) = super::last_step(conn, &l)?
            // Only the order against the list's last step: the future and how far back a date
            // may lie are the same for every list, and refuse the decision itself.
            && rules::check_step_date(field, on, on, 0, Some(&f)).is_err()
        {
            let after = f.notice_last_day.unwrap_or(f.on);
            check = Err(DomainError::Conflict {
                code: if f.notice_last_day.is_some() {
                    ErrorCode::NoticePeriodRunning
                } else {
                    ErrorCode::StepOutOfOrder
                },
                message: format!(
                    "on {on} (the decision's {field}) the list's {} ({after}) was not over yet",
                    f.step
                ),
            });
        }
        match check {
            Ok(_) => ready.push(l),
            Err(DomainError::Conflict { code, message }) => held.push(Held {
                list_id: l.id,
                village_code: l.region_code,
                stage: l.stage.clone(),
                code: code.as_str().to_string(),
                reason: message,
            }),
            Err(e) => return Err(e),
        }
    }
    Ok((ready, held))
}

/// What a decision moved and held back.
struct Moves<'a> {
    moved: &'a [&'a ListRow],
    held: &'a [Held],
}

/// Records a decision on the round (and its audit entry), and touches the round.
fn record(
    conn: &mut PgConnection,
    ctx: &Ctx,
    round: &RoundRow,
    step: Step,
    Moves { moved, held }: Moves<'_>,
    details: Value,
    attachments: &[Attachment],
) -> Result<(), DomainError> {
    let details = json!({
        "input": details,
        "moved": moved.iter().map(|l| json!({"list_id": l.id, "village_code": format!("{:012}", l.region_code)})).collect::<Vec<_>>(),
        "held": held.iter().map(|h| json!({"list_id": h.list_id, "village_code": format!("{:012}", h.village_code),
            "stage": h.stage, "code": h.code, "reason": h.reason})).collect::<Vec<_>>(),
    });
    let id = Uuid::new_v4();
    diesel::insert_into(exit_round_decisions::table)
        .values((
            exit_round_decisions::county_code.eq(round.county_code),
            exit_round_decisions::id.eq(id),
            exit_round_decisions::round_id.eq(round.id),
            exit_round_decisions::region_code.eq(round.region_code),
            exit_round_decisions::step.eq(step.as_str()),
            exit_round_decisions::actor_id.eq(ctx.caller.user_id),
            exit_round_decisions::actor_username.eq(&ctx.caller.username),
            exit_round_decisions::taken_at.eq(ctx.now),
            exit_round_decisions::details.eq(&details),
            exit_round_decisions::attachments.eq(json!(attachments)),
        ))
        .execute(conn)
        .db()?;
    diesel::update(
        exit_rounds::table
            .filter(exit_rounds::county_code.eq(round.county_code))
            .filter(exit_rounds::id.eq(round.id)),
    )
    .set(exit_rounds::updated_at.eq(ctx.now))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        &format!("exit_round.{}", step.as_str()),
        "exit_round",
        round.id,
        stored_code(round.region_code)?,
        details,
    )
}

/// Takes `step` on every ready list of `lists` (each with its own input) and records the
/// decision; `Conflict` `round_nothing_ready` when none is ready.
fn decide(
    conn: &mut PgConnection,
    ctx: &Ctx,
    round: &RoundRow,
    step: Step,
    lists: Vec<ListRow>,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    let (ready, held) = sort_ready(conn, ctx, lists, step, input)?;
    if ready.is_empty() {
        return Err(nothing_ready(step, &held));
    }
    let inputs = split_removals(conn, input, &ready)?;
    let refs: Vec<&ListRow> = ready.iter().collect();
    let files = own_attachments(conn, &refs, attachments, "attachments")?;
    for l in &ready {
        let own = inputs.get(&l.id).unwrap_or(input);
        let own_files = files.get(&l.id).map_or(&[][..], Vec::as_slice);
        take_step_on(conn, ctx, l, step, own, own_files, Some(round.id))?;
    }
    let summary = match input {
        StepInput::Review {
            opinion,
            decision_no,
            removals,
            decided_on,
        } => json!({"opinion": opinion, "decision_no": decision_no, "decided_on": decided_on,
            "removed": removals.iter().map(|r| json!({"household_id": r.household_id, "reason": r.reason})).collect::<Vec<_>>()}),
        StepInput::Notice {
            location,
            posted_on,
        } => json!({"location": location, "posted_on": posted_on}),
        _ => json!({}),
    };
    let moved: Vec<&ListRow> = ready.iter().collect();
    record(
        conn,
        ctx,
        round,
        step,
        Moves {
            moved: &moved,
            held: &held,
        },
        summary,
        attachments,
    )?;
    Ok(Outcome {
        round: view(conn, round)?,
        moved: ready.iter().map(|l| l.id).collect(),
        held,
    })
}

/// Opens the township's round for `year` and takes its review: every list of the township's
/// villages for the year not yet past its first notice joins the round, and those whose first
/// notice has ended with no open objection are reviewed (the township list is fixed); the
/// others are held back, named, for a later review on the round.
///
/// # Errors
/// `Validation` naming `township` (not a township in the caller's scope) or a removal;
/// `Forbidden` without `workflow:township` at the township; `Conflict` `already_exists` when the
/// township has its round for the year, `round_nothing_ready` (and nothing is stored) when no
/// list is ready.
pub fn open(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
    year: i32,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    if township.level() != Level::Township {
        return Err(DomainError::field(
            "township",
            domain::Rule::format(domain::Format::TownshipCode),
        ));
    }
    // A township outside the caller's area is a bad field (422, as every other route answers
    // a place outside scope), whether or not it exists; inside it, only the township's own
    // users open its round (403 for anyone else).
    if !ctx.caller.scope().contains(township) {
        return Err(DomainError::field(
            "township",
            domain::Rule::not_in_scope(domain::ScopeKind::Township),
        ));
    }
    ctx.caller.require_at_level(
        perm::workflow_at(Level::Township),
        Level::Township,
        township,
    )?;
    let id = Uuid::new_v4();
    diesel::insert_into(exit_rounds::table)
        .values((
            exit_rounds::county_code.eq(township.county_code()),
            exit_rounds::id.eq(id),
            exit_rounds::region_code.eq(township.as_i64()),
            exit_rounds::year.eq(year),
            exit_rounds::created_by.eq(ctx.caller.user_id),
            exit_rounds::created_at.eq(ctx.now),
            exit_rounds::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => DomainError::Conflict {
                code: ErrorCode::AlreadyExists,
                message: format!(
                    "township {township} has its round for {year} already: lists that reach \
                     their first notice later are reviewed on it (POST …/township-review)"
                ),
            },
            other => map_db_error(other),
        })?;
    review(conn, ctx, id, input, attachments)
}

/// Takes the township review on the round: lists of the township's villages for its year that
/// joined since (not yet past their first notice) join it, and every member list at its first
/// notice that is ready is reviewed.
///
/// # Errors
/// As [`open`], with `NotFound` for a round the caller does not see.
pub fn review(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    let round = find(conn, ctx, id, true)?;
    let township = stored_code(round.region_code)?;
    ctx.caller.require_at_level(
        perm::workflow_at(Level::Township),
        Level::Township,
        township,
    )?;
    let sub = township.subtree();
    let joining = [
        Stage::Nominated,
        Stage::Appraised,
        Stage::Verified,
        Stage::FirstNotice,
    ]
    .map(Stage::as_str);
    diesel::update(
        exit_lists::table
            .filter(exit_lists::county_code.eq(round.county_code))
            .filter(exit_lists::region_code.between(sub.lo(), sub.hi()))
            .filter(exit_lists::year.eq(round.year))
            .filter(exit_lists::round_id.is_null())
            .filter(exit_lists::stage.eq_any(joining)),
    )
    .set(exit_lists::round_id.eq(round.id))
    .execute(conn)
    .db()?;
    let lists = exit_lists::table
        .filter(exit_lists::county_code.eq(round.county_code))
        .filter(exit_lists::round_id.eq(round.id))
        .filter(exit_lists::stage.eq_any(joining))
        .order((
            exit_lists::region_code,
            exit_lists::created_at,
            exit_lists::id,
        ))
        .select(ListRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    decide(
        conn,
        ctx,
        &round,
        Step::TownshipReview,
        lists,
        input,
        attachments,
    )
}

/// Posts the second notice in every village of the round whose lists the township has
/// reviewed and not yet noticed: one posting per village, each with its own date and photo.
///
/// # Errors
/// `Validation` naming `postings[i].village_code` (not a village of the round awaiting the
/// notice, or twice), `postings` (a village awaiting it left out) or a posting's date;
/// `Forbidden` without `workflow:township` at the township; `Conflict` `round_nothing_ready`
/// when no list awaits it.
pub fn second_notice(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    postings: &[Posting],
) -> Result<Outcome, DomainError> {
    let round = find(conn, ctx, id, true)?;
    let township = stored_code(round.region_code)?;
    ctx.caller.require_at_level(
        perm::workflow_at(Level::Township),
        Level::Township,
        township,
    )?;
    let awaiting = lists_at(conn, &round, Stage::TownshipReviewed)?;
    if awaiting.is_empty() {
        return Err(nothing_ready(Step::SecondNotice, &[]));
    }
    let villages: BTreeSet<i64> = awaiting.iter().map(|l| l.region_code).collect();
    let mut errs = Vec::new();
    let mut posted = BTreeSet::new();
    for (i, p) in postings.iter().enumerate() {
        let v = p.village.as_i64();
        if !villages.contains(&v) {
            errs.push(FieldError::new(
                format!("postings[{i}].village_code"),
                domain::Rule::other(
                    "is not a village of this round whose list awaits the second notice",
                    "不是本轮中名单等待第二次公示的村",
                ),
            ));
        } else if !posted.insert(v) {
            errs.push(FieldError::new(
                format!("postings[{i}].village_code"),
                domain::Rule::other("is posted twice", "重复张贴"),
            ));
        }
    }
    let missing: Vec<String> = villages
        .difference(&posted)
        .map(|v| format!("{v:012}"))
        .collect();
    if !missing.is_empty() && errs.is_empty() {
        errs.push(FieldError::new(
            "postings",
            domain::Rule::other(format!(
                "the second notice is posted in every village of the round at once; missing: {}",
                missing.join(", ")
            ), format!(
                "第二次公示须在本轮所有村同时张贴;缺少:{}",
                missing.join(", ")
            )),
        ));
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    let mut all_attachments = Vec::new();
    for (i, p) in postings.iter().enumerate() {
        let input = StepInput::Notice {
            location: p.location.clone(),
            posted_on: p.posted_on,
        };
        let here: Vec<&ListRow> = awaiting
            .iter()
            .filter(|l| l.region_code == p.village.as_i64())
            .collect();
        let files = own_attachments(
            conn,
            &here,
            &p.attachments,
            &format!("postings[{i}].attachments"),
        )?;
        for l in here {
            take_step_on(
                conn,
                ctx,
                l,
                Step::SecondNotice,
                &input,
                files.get(&l.id).map_or(&[][..], Vec::as_slice),
                Some(round.id),
            )?;
        }
        let on = p.posted_on.unwrap_or_else(|| ctx.today());
        let days = notice_days(conn, ctx, p.village, Step::SecondNotice)?;
        let period = calendar::period(conn, on, u32::try_from(days).unwrap_or(0))?;
        diesel::insert_into(exit_round_postings::table)
            .values((
                exit_round_postings::county_code.eq(round.county_code),
                exit_round_postings::id.eq(Uuid::new_v4()),
                exit_round_postings::round_id.eq(round.id),
                exit_round_postings::region_code.eq(p.village.as_i64()),
                exit_round_postings::location.eq(&p.location),
                exit_round_postings::posted_on.eq(on),
                exit_round_postings::last_day.eq(period.last_day),
                exit_round_postings::ends_at.eq(period.ends_at()),
                exit_round_postings::posted_by.eq(ctx.caller.user_id),
                exit_round_postings::posted_at.eq(ctx.now),
                exit_round_postings::attachments.eq(json!(p.attachments)),
            ))
            .execute(conn)
            .db()?;
        all_attachments.extend(p.attachments.iter().cloned());
    }
    let moved: Vec<&ListRow> = awaiting.iter().collect();
    let summary = json!({"postings": postings.iter().map(|p| json!({
        "village_code": p.village.to_string(), "location": p.location, "posted_on": p.posted_on,
    })).collect::<Vec<_>>()});
    record(
        conn,
        ctx,
        &round,
        Step::SecondNotice,
        Moves {
            moved: &moved,
            held: &[],
        },
        summary,
        &all_attachments,
    )?;
    Ok(Outcome {
        round: view(conn, &round)?,
        moved: awaiting.iter().map(|l| l.id).collect(),
        held: Vec::new(),
    })
}

/// The county's approval of the township list: every list of the round whose second notice has
/// ended with no open objection is approved; the others are held back, named.
///
/// # Errors
/// `Forbidden` without `workflow:county`; `Conflict` `round_nothing_ready`; `Validation` for a
/// removal or the date.
pub fn approve(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    county_step(conn, ctx, id, Step::Approval, input, attachments)
}

/// The county's announcement of the township list's approved lists.
///
/// # Errors
/// As [`approve`].
pub fn announce(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    county_step(conn, ctx, id, Step::Announcement, input, attachments)
}

fn county_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<Outcome, DomainError> {
    let round = find(conn, ctx, id, true)?;
    let township = stored_code(round.region_code)?;
    ctx.caller
        .require_at_level(perm::workflow_at(Level::County), Level::County, township)?;
    let lists = lists_at(conn, &round, step.transition().0)?;
    decide(conn, ctx, &round, step, lists, input, attachments)
}

/// The county's filing of its list for `year` (逐级报市、省备案): every announced list of the
/// county whose announcement has ended with no open objection is filed, by township round or
/// village by village; the others are held back, named.
///
/// # Errors
/// `Validation` naming `county_code`; `Forbidden` without `workflow:county`; `Conflict`
/// `round_nothing_ready` when no list is ready.
pub fn file_county(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<(Vec<Uuid>, Vec<Held>), DomainError> {
    if county.level() != Level::County || !ctx.caller.scope().contains(county) {
        return Err(DomainError::field(
            "county_code",
            domain::Rule::other(
                "must be a county in your scope (12 digits)",
                "必须是您管辖范围内的县(12 位)",
            ),
        ));
    }
    ctx.caller
        .require_at_level(perm::workflow_at(Level::County), Level::County, county)?;
    let sub = county.subtree();
    let lists: Vec<ListRow> = exit_lists::table
        .filter(exit_lists::county_code.eq(county.county_code()))
        .filter(exit_lists::region_code.between(sub.lo(), sub.hi()))
        .filter(exit_lists::year.eq(year))
        .filter(exit_lists::stage.eq(Stage::Announced.as_str()))
        .order((
            exit_lists::region_code,
            exit_lists::created_at,
            exit_lists::id,
        ))
        .select(ListRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    let (ready, held) = sort_ready(conn, ctx, lists, Step::Filing, input)?;
    if ready.is_empty() {
        return Err(nothing_ready(Step::Filing, &held));
    }
    let refs: Vec<&ListRow> = ready.iter().collect();
    let files = own_attachments(conn, &refs, attachments, "attachments")?;
    for l in &ready {
        let own_files = files.get(&l.id).map_or(&[][..], Vec::as_slice);
        take_step_on(conn, ctx, l, Step::Filing, input, own_files, None)?;
    }
    ctx.audit(
        conn,
        "exit_filing.county",
        "exit_filing",
        format!("{}-{year}", county.county_code()),
        county,
        json!({"year": year, "filed": ready.iter().map(|l| l.id).collect::<Vec<_>>(),
               "held": held.iter().map(|h| json!({"list_id": h.list_id, "code": h.code})).collect::<Vec<_>>()}),
    )?;
    Ok((ready.iter().map(|l| l.id).collect(), held))
}
