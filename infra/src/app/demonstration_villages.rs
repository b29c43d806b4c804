//! 乡村振兴示范村 (seed 4): province- and city-level demonstration villages, each of which should
//! help at least one key village (每个省级、市级乡村振兴示范村应帮带不少于1个重点帮扶村) through
//! a strong-weak pairing (`village_pairings`, the demonstration village as the strong one).

use std::collections::HashSet;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, Level, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{demonstration_villages, key_villages, village_pairings};

/// A demonstration village.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = demonstration_villages)]
pub struct DemonstrationRow {
    /// Id.
    pub id: Uuid,
    /// The village.
    pub region_code: i64,
    /// `province` or `city`.
    pub level: String,
    /// The year it was named.
    pub designated_year: i32,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

/// The levels of demonstration village the seed asks to help a key village.
pub const LEVELS: &[&str] = &["province", "city"];

/// Records that `village` is a demonstration village of `level` from `year` (county step).
///
/// # Errors
/// `Validation` naming `village_code` or `level`; `Forbidden`; `Conflict` when recorded already.
pub fn designate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    level: &str,
    year: i32,
) -> Result<DemonstrationRow, DomainError> {
    if village.level() != Level::Village || !ctx.caller.scope().contains(village) {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        ));
    }
    if !LEVELS.contains(&level) {
        return Err(DomainError::field(
            "level",
            domain::Rule::one_of(["province", "city"]),
        ));
    }
    ctx.caller
        .require_at_level(perm::VILLAGES_MANAGE, Level::County, village)?;
    super::users::check_org_unit(conn, "village_code", village)?;
    let row: DemonstrationRow = diesel::insert_into(demonstration_villages::table)
        .values((
            demonstration_villages::county_code.eq(village.county_code()),
            demonstration_villages::id.eq(Uuid::new_v4()),
            demonstration_villages::region_code.eq(village.as_i64()),
            demonstration_villages::level.eq(level),
            demonstration_villages::designated_year.eq(year),
            demonstration_villages::created_by.eq(ctx.caller.user_id),
            demonstration_villages::created_at.eq(ctx.now),
        ))
        .returning(DemonstrationRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "demonstration_village.designated",
        "demonstration_village",
        row.id,
        village,
        json!({ "level": level, "designated_year": year }),
    )?;
    Ok(row)
}

/// Demonstration villages in `within`.
///
/// # Errors
/// Database failures.
pub fn list(conn: &mut PgConnection, within: Scope) -> Result<Vec<DemonstrationRow>, DomainError> {
    demonstration_villages::table
        .filter(demonstration_villages::region_code.between(within.lo(), within.hi()))
        .order(demonstration_villages::region_code)
        .select(DemonstrationRow::as_select())
        .limit(5000)
        .load(conn)
        .db()
}

/// The demonstration villages in `scope` named by `as_of`'s year and not, that year, the strong
/// village of a pairing whose weak village is a key village on `as_of`: (all, unpaired).
///
/// # Errors
/// Database failures.
pub fn unpaired(
    conn: &mut PgConnection,
    scope: Scope,
    as_of: NaiveDate,
) -> Result<(Vec<i64>, Vec<i64>), DomainError> {
    let year = as_of.year();
    let demo: Vec<i64> = demonstration_villages::table
        .filter(demonstration_villages::region_code.between(scope.lo(), scope.hi()))
        .filter(demonstration_villages::designated_year.le(year))
        .order(demonstration_villages::region_code)
        .select(demonstration_villages::region_code)
        .load(conn)
        .db()?;
    let helping: HashSet<i64> = village_pairings::table
        .inner_join(
            key_villages::table.on(key_villages::county_code
                .eq(village_pairings::county_code)
                .and(key_villages::region_code.eq(village_pairings::region_code))),
        )
        .filter(village_pairings::strong_village.between(scope.lo(), scope.hi()))
        .filter(village_pairings::from_year.le(year))
        .filter(village_pairings::to_year.ge(year))
        // The weak village key on that day (designated for its year, not yet out).
        .filter(key_villages::from_year.le(year))
        .filter(key_villages::to_year.ge(year))
        .filter(
            key_villages::exit_decided_on
                .is_null()
                .or(key_villages::exit_decided_on.gt(as_of)),
        )
        .select(village_pairings::strong_village)
        .load::<i64>(conn)
        .db()?
        .into_iter()
        .collect();
    let unpaired = demo
        .iter()
        .copied()
        .filter(|v| !helping.contains(v))
        .collect();
    Ok((demo, unpaired))
}
