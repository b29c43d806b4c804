//! Filing acknowledged level by level (issue 22, seed 1: 逐级报市、省备案): after the county's
//! `filing`, a city user with `workflow:acknowledge` over the village acknowledges it, then a
//! province user; each acknowledgement is its own record (who, level, org unit, when).

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::exit as rules;
use domain::{DomainError, Level};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{ListRow, ListView, get, lock_list, parse_stage, touch};
use crate::app::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::exit_acknowledgements;

/// A recorded acknowledgement.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = exit_acknowledgements)]
pub struct AcknowledgementRow {
    /// Id.
    pub id: Uuid,
    /// `city` or `province`.
    pub level: String,
    /// Who.
    pub user_id: Uuid,
    /// Who, by name.
    pub username: String,
    /// Their org unit.
    pub org_unit: i64,
    /// When.
    pub acknowledged_at: DateTime<Utc>,
    /// Their note.
    pub note: String,
}

/// The acknowledgements of a list, in order.
///
/// # Errors
/// Database failures.
pub fn of_list(
    conn: &mut PgConnection,
    list: &ListRow,
) -> Result<Vec<AcknowledgementRow>, DomainError> {
    exit_acknowledgements::table
        .filter(exit_acknowledgements::county_code.eq(list.county_code))
        .filter(exit_acknowledgements::list_id.eq(list.id))
        .order((
            exit_acknowledgements::acknowledged_at,
            exit_acknowledgements::id,
        ))
        .select(AcknowledgementRow::as_select())
        .load(conn)
        .db()
}

fn level_of(name: &str) -> Option<Level> {
    match name {
        "city" => Some(Level::City),
        "province" => Some(Level::Province),
        _ => None,
    }
}

/// Acknowledges a filed list at the caller's level: the city's first, then the province's.
///
/// # Errors
/// `NotFound` outside scope (or not yet filed, above the county); `Forbidden` without
/// `workflow:acknowledge` held at the city or province over the village; `Conflict`
/// `step_out_of_order` (not filed, the province before the city) or `already_acknowledged`.
pub fn acknowledge(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    note: &str,
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    let village = stored_code(list.region_code)?;
    let recorded = of_list(conn, &list)?;
    let done: Vec<Level> = recorded.iter().filter_map(|r| level_of(&r.level)).collect();
    // The levels at which the caller holds the permission over the village, the next one owed
    // first (a user granted at both the city and the province acknowledges the city's first).
    let mut held: Vec<Level> = ctx
        .caller
        .grants
        .iter()
        .filter(|(g, p)| {
            p.contains(perm::WORKFLOW_ACKNOWLEDGE) && g.unit.subtree().contains(village)
        })
        .map(|(g, _)| g.unit.level())
        .collect();
    held.sort_by_key(|l| std::cmp::Reverse(*l));
    held.dedup();
    let level = held
        .iter()
        .copied()
        .find(|l| !done.contains(l))
        .or_else(|| held.first().copied())
        .ok_or_else(|| {
            DomainError::Forbidden(format!(
                "a filing is acknowledged by a city or province user with {} over {village}; {} holds none",
                perm::WORKFLOW_ACKNOWLEDGE,
                ctx.caller.username
            ))
        })?;
    rules::check_acknowledgement(parse_stage(&list.stage)?, &done, level)?;
    let ack_id = Uuid::new_v4();
    diesel::insert_into(exit_acknowledgements::table)
        .values((
            exit_acknowledgements::county_code.eq(list.county_code),
            exit_acknowledgements::id.eq(ack_id),
            exit_acknowledgements::list_id.eq(list.id),
            exit_acknowledgements::region_code.eq(list.region_code),
            exit_acknowledgements::level.eq(level.name()),
            exit_acknowledgements::user_id.eq(ctx.caller.user_id),
            exit_acknowledgements::username.eq(&ctx.caller.username),
            exit_acknowledgements::org_unit.eq(ctx.caller.org.as_i64()),
            exit_acknowledgements::acknowledged_at.eq(ctx.now),
            exit_acknowledgements::note.eq(note),
        ))
        .execute(conn)
        .db()?;
    touch(conn, &list, None)?;
    ctx.audit(
        conn,
        "exit_list.acknowledged",
        "exit_list",
        list.id,
        village,
        json!({ "acknowledgement_id": ack_id, "level": level.name(), "note": note }),
    )?;
    get(conn, ctx, id)
}
