//! 县级领导联系 (seed 4: 建立区级领导联系制度,由一名县处级领导负责督促指导重点帮扶村建设工作):
//! the county-level leader linked to a key village, one at a time, recorded by the county.

use std::collections::HashSet;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, Level, Scope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{key_village_leaders, key_villages};

/// A leader's link to a key village.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = key_village_leaders)]
pub struct LeaderRow {
    /// Id.
    pub id: Uuid,
    /// The key village.
    pub key_village_id: Uuid,
    /// Its village.
    pub region_code: i64,
    /// The leader's name.
    pub name: String,
    /// Their position (职务), e.g. 副县长.
    pub position: String,
    /// From.
    pub from_date: NaiveDate,
    /// Until (open while linked).
    pub to_date: Option<NaiveDate>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

fn key_village(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    lock: bool,
) -> Result<(i32, i64), DomainError> {
    let q = key_villages::table
        .filter(key_villages::id.eq(id))
        .select((key_villages::county_code, key_villages::region_code));
    let row: (i32, i64) = if lock {
        q.for_update().first(conn).db()?
    } else {
        q.first(conn).db()?
    };
    if !ctx.caller.scope().contains(stored_code(row.1)?) {
        return Err(DomainError::NotFound);
    }
    Ok(row)
}

/// Links a county-level leader to key village `id` from `from` (county step,
/// `villages:manage`). The link before it, if open or running past `from`, ends the day before:
/// one leader at a time. `from` must come after the start of every earlier link.
///
/// # Errors
/// `NotFound` outside scope or another county's; `Forbidden`; `Validation` naming the field.
pub fn link(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    (name, position): (&str, &str),
    (from, to): (NaiveDate, Option<NaiveDate>),
) -> Result<LeaderRow, DomainError> {
    let (county, region) = key_village(conn, ctx, id, true)?;
    let village = stored_code(region)?;
    ctx.caller
        .require_at_level(perm::VILLAGES_MANAGE, Level::County, village)?;
    if to.is_some_and(|t| t < from) {
        return Err(DomainError::field(
            "to_date",
            domain::Rule::not_before("from_date"),
        ));
    }
    let latest: Option<NaiveDate> = key_village_leaders::table
        .filter(key_village_leaders::county_code.eq(county))
        .filter(key_village_leaders::key_village_id.eq(id))
        .select(diesel::dsl::max(key_village_leaders::from_date))
        .first(conn)
        .db()?;
    if let Some(l) = latest.filter(|l| *l >= from) {
        return Err(DomainError::field(
            "from_date",
            domain::Rule::other(
                format!("must be after {l}, when the current leader's link began"),
                format!("必须晚于 {l},即现任联系领导开始联系的日期"),
            ),
        ));
    }
    let day_before = from.pred_opt().unwrap_or(from);
    let running = key_village_leaders::table
        .filter(key_village_leaders::county_code.eq(county))
        .filter(key_village_leaders::key_village_id.eq(id))
        .filter(
            key_village_leaders::to_date
                .is_null()
                .or(key_village_leaders::to_date.ge(from)),
        );
    // The links this one cuts short, with the end they had: the audit row names them.
    let ended: Vec<(Uuid, Option<chrono::NaiveDate>)> = running
        .select((key_village_leaders::id, key_village_leaders::to_date))
        .load(conn)
        .db()?;
    diesel::update(running)
        .set(key_village_leaders::to_date.eq(day_before))
        .execute(conn)
        .db()?;
    let row: LeaderRow = diesel::insert_into(key_village_leaders::table)
        .values((
            key_village_leaders::county_code.eq(county),
            key_village_leaders::id.eq(Uuid::new_v4()),
            key_village_leaders::key_village_id.eq(id),
            key_village_leaders::region_code.eq(region),
            key_village_leaders::name.eq(name),
            key_village_leaders::position.eq(position),
            key_village_leaders::from_date.eq(from),
            key_village_leaders::to_date.eq(to),
            key_village_leaders::created_by.eq(ctx.caller.user_id),
            key_village_leaders::created_at.eq(ctx.now),
        ))
        .returning(LeaderRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "key_village.leader_linked",
        "key_village",
        id,
        village,
        json!({
            "leader": row.id, "from_date": from, "to_date": to,
            "ended": ended.iter().map(|(l, was)| json!({
                "leader": l, "to_date_was": was, "to_date": day_before,
            })).collect::<Vec<_>>(),
        }),
    )?;
    Ok(row)
}

/// The leaders linked to key village `id`, earliest first.
///
/// # Errors
/// `NotFound` outside scope.
pub fn list(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<Vec<LeaderRow>, DomainError> {
    let (county, _) = key_village(conn, ctx, id, false)?;
    key_village_leaders::table
        .filter(key_village_leaders::county_code.eq(county))
        .filter(key_village_leaders::key_village_id.eq(id))
        .order(key_village_leaders::from_date)
        .select(LeaderRow::as_select())
        .load(conn)
        .db()
}

/// The villages in `scope` whose key village has a leader linked on `as_of`.
///
/// # Errors
/// Database failures.
pub fn villages_with_leader(
    conn: &mut PgConnection,
    scope: Scope,
    as_of: NaiveDate,
) -> Result<HashSet<i64>, DomainError> {
    Ok(key_village_leaders::table
        .inner_join(
            key_villages::table.on(key_villages::county_code
                .eq(key_village_leaders::county_code)
                .and(key_villages::id.eq(key_village_leaders::key_village_id))),
        )
        .filter(key_village_leaders::region_code.between(scope.lo(), scope.hi()))
        // Key on that day (designated for its year, not yet out), as coverage counts them: a
        // past day's leaders were judged by today's status.
        .filter(key_villages::from_year.le(as_of.year()))
        .filter(key_villages::to_year.ge(as_of.year()))
        .filter(
            key_villages::exit_decided_on
                .is_null()
                .or(key_villages::exit_decided_on.gt(as_of)),
        )
        .filter(key_village_leaders::from_date.le(as_of))
        .filter(
            key_village_leaders::to_date
                .is_null()
                .or(key_village_leaders::to_date.ge(as_of)),
        )
        .select(key_village_leaders::region_code)
        .load::<i64>(conn)
        .db()?
        .into_iter()
        .collect())
}
