//! The team members sheet: one row per member and term of a village's resident work team, the
//! team named by its village's code and its name. A row is the member
//! `POST /teams/{id}/members` adds: the same checks (`validate_team_member`) and the same use
//! case (`teams::add_member`: the county's `villages:manage`, one team at a time per person
//! across every county). A member already on the team with the same ID number and term is that
//! member, so importing the same file again adds nothing.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::villages::validate_team_member;
use domain::{DomainError, FieldError, Level, RegionCode};
use uuid::Uuid;

use super::visits::date;
use super::{Env, Written};
use crate::app::Ctx;
use crate::app::cases::sheet::{Column, Row, col};
use crate::app::teams::{self, NewMember};
use crate::db::DbResultExt as _;
use crate::schema::{team_members, teams as team_table};

/// The columns, in template order.
pub const COLUMNS: &[Column] = &[
    col("village_code", "村代码", true),
    col("team_name", "工作队名称", true),
    col("name", "姓名", true),
    col("id_number", "身份证号", true),
    col("dispatching_unit", "派出单位", true),
    col("position", "职务", true),
    col("term_start", "任期开始", true),
    col("term_end", "任期结束", true),
    col("username", "系统账号", false),
];

/// The template's example row.
pub const EXAMPLE: &[&str] = &[
    "370831001003",
    "驻村工作队",
    "张某",
    "370831198001010015",
    "县农业农村局",
    "第一书记",
    "2024-01-01",
    "2025-12-31",
    "",
];

/// An unknown team and another county's get this one answer.
pub const NOT_FOUND: (&str, &str, &str) = (
    "team_name",
    "no such team in your area: check 村代码 and 工作队名称",
    "本地区没有该工作队:请核对村代码和工作队名称",
);

/// Team, person and term.
pub(super) fn identity(r: &Row) -> Option<String> {
    let id = r.get("id_number");
    (!id.is_empty()).then(|| {
        [
            r.get("village_code"),
            r.get("team_name"),
            &id.to_uppercase(),
            r.get("term_start"),
            r.get("term_end"),
        ]
        .join("\u{1f}")
    })
}

/// The position's code, from the code or its Chinese name.
fn position(text: &str) -> &str {
    match text {
        "第一书记" => "first_secretary",
        "队长" => "leader",
        "队员" => "member",
        t => t,
    }
}

/// The team the row names, inside the caller's scope (row-level security hides the rest).
fn team(conn: &mut PgConnection, r: &Row) -> Result<Uuid, DomainError> {
    let village = RegionCode::parse(r.get("village_code"))
        .ok()
        .filter(|v| v.level() == Level::Village)
        .ok_or_else(|| {
            DomainError::field(
                "village_code",
                domain::Rule::format(domain::Format::VillageCode),
            )
        })?;
    let found: Vec<Uuid> = team_table::table
        .filter(team_table::county_code.eq(village.county_code()))
        .filter(team_table::region_code.eq(village.as_i64()))
        .filter(team_table::name.eq(r.get("team_name")))
        .select(team_table::id)
        .limit(2)
        .load(conn)
        .db()?;
    match found.as_slice() {
        [] => Err(DomainError::NotFound),
        [one] => Ok(*one),
        _ => Err(DomainError::field(
            "team_name",
            domain::Rule::other(
                "names more than one team of the village; rename one first",
                "对应本村不止一个工作队;请先为其中之一改名",
            ),
        )),
    }
}

/// Adds one row's member, unless the team has them for that term already.
///
/// # Errors
/// `Validation` naming the columns; `NotFound` for a team outside the caller's area;
/// `Forbidden` without the county's `villages:manage`; `Conflict` `term_overlaps`.
pub(super) fn apply(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let day = |key: &str, errs: &mut Vec<FieldError>| {
        date(r.get(key)).unwrap_or_else(|| {
            errs.push(FieldError::new(
                key,
                domain::Rule::format(domain::Format::Date),
            ));
            chrono::NaiveDate::MIN
        })
    };
    let term = (day("term_start", &mut errs), day("term_end", &mut errs));
    let valid = validate_team_member(
        r.get("name"),
        r.get("id_number"),
        r.get("dispatching_unit"),
        position(r.get("position")),
        term,
        ctx.today(),
    );
    let team = match team(conn, r) {
        Ok(t) => Some(t),
        Err(DomainError::Validation(v)) => {
            errs.extend(v);
            None
        }
        Err(DomainError::NotFound) if !errs.is_empty() || valid.is_err() => {
            errs.push(FieldError::new(
                NOT_FOUND.0,
                domain::Rule::other(NOT_FOUND.1, NOT_FOUND.2),
            ));
            None
        }
        Err(e) => return Err(e),
    };
    // Only an account the member may be linked to is found: any other name, a real one
    // included, reads as unknown (`teams::accounts`). Without a village there is none to ask.
    let village = RegionCode::parse(r.get("village_code"))
        .ok()
        .filter(|v| v.level() == Level::Village);
    let user_id = match (r.get("username"), village) {
        ("", _) | (_, None) => None,
        (u, Some(village)) => {
            let found = teams::accounts::linkable_username(conn, village, u)?;
            if found.is_none() {
                errs.push(FieldError::new("username", teams::accounts::not_linkable()));
            }
            found
        }
    };
    let v = match valid {
        Ok(v) => v,
        Err(more) => {
            errs.extend(more);
            return Err(DomainError::Validation(errs));
        }
    };
    let (Some(team), true) = (team, errs.is_empty()) else {
        return Err(DomainError::Validation(errs));
    };
    let already: Option<i64> = team_members::table
        .filter(team_members::team_id.eq(team))
        .filter(team_members::id_blind.eq(env.keys.blind_index(&v.id_number)))
        .filter(team_members::term_start.eq(term.0))
        .filter(team_members::term_end.eq(term.1))
        .select(team_members::region_code)
        .first(conn)
        .optional()
        .db()?;
    if let Some(region) = already {
        ctx.caller.require_at_level(
            domain::authz::perm::VILLAGES_MANAGE,
            Level::County,
            crate::app::stored_code(region)?,
        )?;
        return Ok(Written::Unchanged);
    }
    let m = NewMember {
        name: v.name,
        id_number: v.id_number,
        dispatching_unit: v.dispatching_unit,
        position: v.position,
        term,
        user_id,
    };
    teams::add_member(conn, ctx, env.keys, team, &m)?;
    Ok(Written::Created)
}
