//! The visit logs sheet (走访记录): one row per visit, the household named as in the yearly
//! records sheet. A row is the visit `POST /visits` logs: the same checks (`validate_visit`)
//! and the same use case (`teams::log_visit`: only the team member paired with the household
//! on that day). A row identical to a visit the importer already logged (same household, day,
//! findings and measures) is that visit, so importing the same file again adds nothing.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::villages::validate_visit;
use domain::{DomainError, FieldError};

use super::{Env, Written, yearly};
use crate::app::cases::sheet::{Column, Row, col};
use crate::app::{Ctx, stored_code, teams};
use crate::db::DbResultExt as _;
use crate::schema::visits;

/// The columns, in template order.
pub const COLUMNS: &[Column] = &[
    col("household_number", "户编号", false),
    col("id_number", "身份证号", false),
    col("visited_on", "走访日期", true),
    col("found", "走访情况", true),
    col("done", "帮扶措施", true),
];

/// The template's example row.
pub const EXAMPLE: &[&str] = &[
    "3708310010030001",
    "",
    "2024-03-15",
    "户主腿伤未愈，小麦长势良好",
    "联系镇卫生院上门复诊，协调农资",
];

/// An unknown household and another county's get the yearly sheet's one answer.
pub const NOT_FOUND: (&str, &str, &str) = yearly::NOT_FOUND;

/// Household, day and texts.
pub(super) fn identity(r: &Row) -> Option<String> {
    let (n, id) = (r.get("household_number"), r.get("id_number"));
    if n.is_empty() && id.is_empty() {
        return None;
    }
    Some(
        [
            n,
            &id.to_uppercase(),
            r.get("visited_on"),
            r.get("found"),
            r.get("done"),
        ]
        .join("\u{1f}"),
    )
}

/// A date as offices write it: `2024-03-15`, `2024/3/15`, `2024.03.15`, `20240315`, or the
/// sheet reader's text of a date cell (`2024-03-15`, or `2024-03-15 12:00:00` with a time).
pub(super) fn date(text: &str) -> Option<NaiveDate> {
    let t = text.split_whitespace().next().unwrap_or("");
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        // `%Y` takes one to four digits: `24.3.15` would be the year 24.
        .filter(|d| domain::input::date_in_range(*d))
}

/// Logs one row's visit, unless the importer logged it already.
///
/// # Errors
/// `Validation` naming the columns; `NotFound` for a household outside the caller's area;
/// `Forbidden` when the importer is not the cadre paired with the household that day.
pub(super) fn apply(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let visited_on = date(r.get("visited_on"));
    if visited_on.is_none() {
        errs.push(FieldError::new(
            "visited_on",
            domain::Rule::format(domain::Format::Date),
        ));
    }
    let texts = validate_visit(
        visited_on.unwrap_or(NaiveDate::MIN),
        r.get("found"),
        r.get("done"),
        ctx.today(),
    );
    let household = match yearly::household(conn, ctx, env, r) {
        Ok(h) => Some(h),
        Err(DomainError::Validation(v)) => {
            errs.extend(v);
            None
        }
        Err(DomainError::NotFound) if !errs.is_empty() || texts.is_err() => {
            errs.push(FieldError::new(
                NOT_FOUND.0,
                domain::Rule::other(NOT_FOUND.1, NOT_FOUND.2),
            ));
            None
        }
        Err(e) => return Err(e),
    };
    let (found, done) = match texts {
        Ok(t) => t,
        Err(more) => {
            errs.extend(more);
            return Err(DomainError::Validation(errs));
        }
    };
    let (Some(household), Some(visited_on), true) = (household, visited_on, errs.is_empty()) else {
        return Err(DomainError::Validation(errs));
    };
    // Two imports of one sheet at once (a double submit, a client's retry): the second waits
    // for the first's batch here, then finds its visit, instead of logging it again.
    crate::db::lock_key(conn, 37, &format!("{household}:{visited_on}"))?;
    let logged: Option<i64> = visits::table
        .filter(visits::county_code.eq(ctx.caller.county_code()))
        .filter(visits::household_id.eq(household))
        .filter(visits::visited_on.eq(visited_on))
        .filter(visits::found.eq(&found))
        .filter(visits::done.eq(&done))
        .filter(visits::created_by.eq(ctx.caller.user_id))
        .select(visits::region_code)
        .first(conn)
        .optional()
        .db()?;
    if let Some(region) = logged {
        ctx.caller
            .require_at(domain::authz::perm::VISITS_WRITE, stored_code(region)?)?;
        return Ok(Written::Unchanged);
    }
    teams::log_visit(conn, ctx, household, visited_on, &found, &done)?;
    Ok(Written::Created)
}
