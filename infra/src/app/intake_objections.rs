//! Objections during an intake list's village notice (公示期间的异议, seed 1; issue 19 item 2),
//! as on exit lists: the village records one while its notice runs, an open one blocks the
//! township review (`objections_open`), and the village resolves it with a reason: upheld takes
//! the household off the list, dismissed keeps it. Rows have the exit objections' shape
//! ([`ObjectionRow`]).

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::intake::{self as rules};
use domain::{DomainError, Level};
use serde_json::json;
use uuid::Uuid;

use super::exit::ObjectionRow;
use super::intake::{IntakeListRow, find, listed, parse_stage, remove};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{intake_lists, intake_objections as o};

/// The list's objections, oldest first.
///
/// # Errors
/// Database failures.
pub fn of_list(
    conn: &mut PgConnection,
    list: &IntakeListRow,
) -> Result<Vec<ObjectionRow>, DomainError> {
    o::table
        .filter(o::county_code.eq(list.county_code))
        .filter(o::list_id.eq(list.id))
        .order((o::raised_at, o::id))
        .select(o::all_columns)
        .load(conn)
        .db()
}

/// How many of the list's objections are open.
///
/// # Errors
/// Database failures.
pub fn open_count(conn: &mut PgConnection, list: &IntakeListRow) -> Result<i64, DomainError> {
    o::table
        .filter(o::county_code.eq(list.county_code))
        .filter(o::list_id.eq(list.id))
        .filter(o::status.eq("open"))
        .count()
        .get_result(conn)
        .db()
}

/// Per list of a page: households left on it, their people, and its open objections.
///
/// # Errors
/// Database failures.
pub fn page_counts(
    conn: &mut PgConnection,
    lists: &[IntakeListRow],
) -> Result<HashMap<Uuid, (i64, i64, i64)>, DomainError> {
    use crate::schema::intake_entries as e;
    let ids: Vec<Uuid> = lists.iter().map(|l| l.id).collect();
    let counties: Vec<i32> = lists.iter().map(|l| l.county_code).collect();
    let mut out: HashMap<Uuid, (i64, i64, i64)> = ids.iter().map(|id| (*id, (0, 0, 0))).collect();
    let live: Vec<(Uuid, i32)> = e::table
        .filter(e::county_code.eq_any(&counties))
        .filter(e::list_id.eq_any(&ids))
        .filter(e::removed.eq(false))
        .select((e::list_id, e::people))
        .load(conn)
        .db()?;
    for (id, people) in live {
        let c = out.entry(id).or_default();
        c.0 += 1;
        c.1 += i64::from(people);
    }
    let open: Vec<Uuid> = o::table
        .filter(o::county_code.eq_any(&counties))
        .filter(o::list_id.eq_any(&ids))
        .filter(o::status.eq("open"))
        .select(o::list_id)
        .load(conn)
        .db()?;
    for id in open {
        out.entry(id).or_default().2 += 1;
    }
    Ok(out)
}

fn touch(conn: &mut PgConnection, ctx: &Ctx, list: &IntakeListRow) -> Result<(), DomainError> {
    diesel::update(
        intake_lists::table
            .filter(intake_lists::county_code.eq(list.county_code))
            .filter(intake_lists::id.eq(list.id)),
    )
    .set((
        intake_lists::updated_at.eq(ctx.now),
        intake_lists::version.eq(intake_lists::version + 1),
    ))
    .execute(conn)
    .db()?;
    Ok(())
}

/// Records an objection to a household on the list, raised while the village's notice runs.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `workflow:village` at the village; `Conflict`
/// `no_notice_running`; `Validation` naming `household_id` when it is not on the list.
pub fn raise(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list_id: Uuid,
    household_id: Uuid,
    raised_by: &str,
    content: &str,
) -> Result<ObjectionRow, DomainError> {
    let list = find(conn, ctx, list_id, true)?;
    let village = stored_code(list.region_code)?;
    ctx.caller
        .require_at_level(perm::workflow_at(Level::Village), Level::Village, village)?;
    rules::check_objection(parse_stage(&list.stage)?, list.notice_ends_at, ctx.now)?;
    if !listed(conn, &list)?.iter().any(|(h, _)| *h == household_id) {
        return Err(DomainError::field("household_id", domain::Rule::NotOnList));
    }
    let row: ObjectionRow = diesel::insert_into(o::table)
        .values((
            o::county_code.eq(list.county_code),
            o::id.eq(Uuid::new_v4()),
            o::list_id.eq(list.id),
            o::household_id.eq(household_id),
            o::region_code.eq(list.region_code),
            o::stage.eq(&list.stage),
            o::raised_by.eq(raised_by),
            o::content.eq(content),
            o::raised_at.eq(ctx.now),
            o::recorded_by.eq(ctx.caller.user_id),
        ))
        .returning(o::all_columns)
        .get_result(conn)
        .db()?;
    touch(conn, ctx, &list)?;
    ctx.audit(
        conn,
        "intake_objection.raised",
        "intake_objection",
        row.id,
        village,
        json!({ "list_id": list.id, "household_id": household_id }),
    )?;
    Ok(row)
}

/// Resolves an open objection of the list: upheld takes the household off the list, dismissed
/// keeps it; both with a reason, by the village.
///
/// # Errors
/// `NotFound` (the list, or no such objection on it); `Forbidden`; `Conflict`
/// `already_resolved`.
pub fn resolve(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list_id: Uuid,
    id: Uuid,
    upheld: bool,
    reason: &str,
) -> Result<ObjectionRow, DomainError> {
    let list = find(conn, ctx, list_id, true)?;
    let village = stored_code(list.region_code)?;
    // Read under the list's lock: a concurrent resolution has committed by now.
    let current: ObjectionRow = o::table
        .filter(o::county_code.eq(list.county_code))
        .filter(o::list_id.eq(list.id))
        .filter(o::id.eq(id))
        .select(o::all_columns)
        .first(conn)
        .db()?;
    ctx.caller
        .require_at_level(perm::workflow_at(Level::Village), Level::Village, village)?;
    if current.status != "open" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::AlreadyResolved,
            message: format!("the objection was {} already", current.status),
        });
    }
    let status = if upheld { "upheld" } else { "dismissed" };
    if upheld {
        remove(
            conn,
            ctx,
            &list,
            current.household_id,
            &format!("objection upheld: {reason}"),
        )?;
    }
    let row: ObjectionRow = diesel::update(
        o::table
            .filter(o::county_code.eq(list.county_code))
            .filter(o::id.eq(id)),
    )
    .set((
        o::status.eq(status),
        o::resolution_reason.eq(reason),
        o::resolved_by.eq(ctx.caller.user_id),
        o::resolved_at.eq(ctx.now),
    ))
    .returning(o::all_columns)
    .get_result(conn)
    .db()?;
    touch(conn, ctx, &list)?;
    ctx.audit(
        conn,
        &format!("intake_objection.{status}"),
        "intake_objection",
        id,
        village,
        json!({ "list_id": list.id, "household_id": current.household_id, "reason": reason }),
    )?;
    Ok(row)
}
