//! The inbox's intake source (新识别/返贫纳入, issue 19 items 2 and 3): intake lists waiting for
//! the caller's level, their ended notices, and open objections raised during them.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use domain::intake::{Stage, Step};
use domain::region::Level;
use domain::{DomainError, Scope};
use uuid::Uuid;

use super::{Due, Found, TaskKind, china_day, held_by_objections, load, notice_last_day, range};
use crate::app::Ctx;

/// Intake lists at the given stages in a region range (`$1..$2`), with the time of their last
/// step, that still hold a household (an emptied list has no step left: each answers
/// `list_empty`). `{stages}` is replaced by a fixed literal list.
pub const INTAKE_LISTS_SQL: &str = "SELECT l.id, l.region_code, l.stage, l.notice_ends_at, l.updated_at, \
       (SELECT max(s.taken_at) FROM intake_steps s WHERE s.county_code = l.county_code AND s.list_id = l.id) AS last_step_at \
     FROM intake_lists l \
     WHERE l.stage IN ({stages}) AND l.region_code BETWEEN $1 AND $2 \
       AND EXISTS (SELECT 1 FROM intake_entries e WHERE e.county_code = l.county_code AND e.list_id = l.id AND NOT e.removed)";

/// Open objections of intake lists (the village resolves them) in a region range.
pub const INTAKE_OBJECTIONS_SQL: &str = "SELECT o.id, o.list_id, o.region_code, o.raised_at FROM intake_objections o \
     WHERE o.status = 'open' AND o.region_code BETWEEN $1 AND $2";

#[derive(diesel::QueryableByName)]
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
}

#[derive(diesel::QueryableByName)]
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

/// Intake stages whose next step belongs to `level`.
pub fn stages(level: Level) -> Vec<Stage> {
    Stage::ALL
        .iter()
        .copied()
        .filter(|s| next_step(*s).is_some_and(|step| step.owner() == level))
        .collect()
}

fn next_step(stage: Stage) -> Option<Step> {
    Step::ALL
        .iter()
        .copied()
        .find(|s| s.transition().0 == stage)
}

/// The SQL of the intake-list source for `level` (stages filled in as literals).
pub fn lists_sql(level: Level) -> String {
    let stages: Vec<String> = stages(level)
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    INTAKE_LISTS_SQL.replace("{stages}", &stages.join(", "))
}

/// Adds the intake work waiting for `level` in `scope`.
pub(super) fn tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    level: Level,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    // Users above the county do not see intake lists; below, only these three levels act.
    if !matches!(level, Level::Village | Level::Township | Level::County) {
        return Ok(());
    }
    let rows: Vec<ListRow> = load(conn, &lists_sql(level), range(scope))?;
    let ends = rows.iter().map(|l| l.notice_ends_at);
    let held = held_by_objections(conn, ctx, ends, "intake_objections", scope)?;
    for l in rows {
        let Some(step) = Stage::parse(&l.stage).ok().and_then(next_step) else {
            continue;
        };
        let (kind, since) = if l.stage == Stage::Notice.as_str() {
            match l.notice_ends_at {
                Some(end) if end <= ctx.now && !held.contains(&l.id) => {
                    (TaskKind::NoticeEnded, notice_last_day(end))
                }
                _ => continue,
            }
        } else {
            (
                TaskKind::IntakeStep,
                china_day(l.last_step_at.unwrap_or(l.updated_at)),
            )
        };
        let link = format!("/api/v1/intake-lists/{}", l.id);
        out.push(Found {
            kind,
            object_type: "intake_list",
            object_id: l.id,
            part: String::new(),
            region: l.region_code,
            action: step.as_str(),
            since,
            due: Due::WorkingDays,
            action_link: format!("{link}/{}", step.as_str().replace('_', "-")),
            link,
        });
    }
    if level == Level::Village {
        let rows: Vec<ObjectionRow> = load(conn, INTAKE_OBJECTIONS_SQL, range(scope))?;
        for o in rows {
            let link = format!("/api/v1/intake-lists/{}", o.list_id);
            out.push(Found {
                kind: TaskKind::Objection,
                object_type: "intake_objection",
                object_id: o.id,
                part: String::new(),
                region: o.region_code,
                action: "resolution",
                since: china_day(o.raised_at),
                due: Due::WorkingDays,
                action_link: format!("{link}/objections/{}/resolution", o.id),
                link,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_gets_the_stages_whose_next_step_it_takes() {
        assert_eq!(stages(Level::Village), [Stage::Applied, Stage::Appraised]);
        assert_eq!(stages(Level::Township), [Stage::Notice]);
        assert_eq!(
            stages(Level::County),
            [Stage::TownshipReviewed, Stage::Approved]
        );
        assert!(stages(Level::City).is_empty());
        assert!(lists_sql(Level::County).contains("'township_reviewed', 'approved'"));
    }
}
