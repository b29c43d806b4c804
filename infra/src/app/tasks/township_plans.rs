//! The inbox's township-plan source (issue 22, seed 1: 各镇(街道)…制定年度减贫计划及退出时间表):
//! while the county's campaign of a year is open, a township without its plan of that year.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer};
use domain::region::Level;
use domain::{DomainError, Scope};
use uuid::Uuid;

use super::{Due, Found, TaskKind};
use crate::app::Ctx;
use crate::db::DbResultExt as _;

/// Open campaigns of the county (`$1`) whose year has no plan of the township (`$2`). Served by
/// the unique index of open campaigns and the plans' primary key.
pub const PLAN_MISSING_SQL: &str = "SELECT c.id, c.year, c.opened_on FROM campaigns c \
     WHERE c.status = 'open' AND c.county_code = $1 \
       AND NOT EXISTS (SELECT 1 FROM township_plans p \
                        WHERE p.county_code = c.county_code AND p.region_code = $2 AND p.year = c.year)";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = Date)]
    opened_on: NaiveDate,
}

/// Adds a `township_plan` task per open campaign whose year the township has no plan for.
pub(super) fn tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    level: Level,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    if level != Level::Township {
        return Ok(());
    }
    let township = scope.lo();
    let rows: Vec<Row> = diesel::sql_query(PLAN_MISSING_SQL)
        .bind::<Integer, _>(ctx.caller.county_code())
        .bind::<BigInt, _>(township)
        .load(conn)
        .db()?;
    for r in rows {
        out.push(Found {
            kind: TaskKind::TownshipPlan,
            object_type: "campaign",
            object_id: r.id,
            part: format!("{township:012}"),
            region: township,
            action: "township_plan",
            since: r.opened_on,
            due: Due::WorkingDays,
            link: format!(
                "/api/v1/township-plans/rollup?county_code={:06}&year={}",
                ctx.caller.county_code(),
                r.year
            ),
            action_link: format!("/api/v1/township-plans/{township:012}/{}", r.year),
        });
    }
    Ok(())
}
