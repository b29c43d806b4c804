//! The ranger sheets (生态护林员): patrol logs (巡护记录) and inspections (检查记录), one row per
//! day, the contract named by its ranger's ID number and the day (the contract whose period
//! holds it). A row is what `POST /ranger-contracts/{id}/patrols` or `…/inspections` records:
//! the same checks (`validate_patrol`, `validate_inspection_note`) and use cases
//! (`rangers::patrol`, `rangers::inspect`: `funds:manage` where the ranger lives, a day inside
//! the contract, a month not yet paid). A row identical to one recorded is that record, so
//! importing the same file again adds nothing.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::cases::IdNumber;
use domain::ranger::{validate_inspection_note, validate_patrol};
use domain::{DomainError, FieldError};
use uuid::Uuid;

use super::visits::date;
use super::{Env, Written};
use crate::app::Ctx;
use crate::app::cases::sheet::{Column, Row, col, yes_no};
use crate::app::rangers::{self, NewPatrol};
use crate::db::DbResultExt as _;
use crate::schema::{members, ranger_contracts, ranger_inspections, ranger_patrols};

/// The patrol sheet's columns.
pub const PATROL_COLUMNS: &[Column] = &[
    col("id_number", "护林员身份证号", true),
    col("patrolled_on", "巡护日期", true),
    col("area", "巡护路线或区域", true),
    col("findings", "发现问题", false),
    col("reported", "已报告林业站", false),
];

/// The patrol template's example row.
pub const PATROL_EXAMPLE: &[&str] = &["370831198001010015", "2024-03-15", "后山林区东线", "", "否"];

/// The inspection sheet's columns.
pub const INSPECTION_COLUMNS: &[Column] = &[
    col("id_number", "护林员身份证号", true),
    col("inspected_on", "检查日期", true),
    col("present", "在岗", true),
    col("note", "备注", false),
];

/// The inspection template's example row.
pub const INSPECTION_EXAMPLE: &[&str] = &["370831198001010015", "2024-03-20", "是", ""];

/// An unknown ranger and another county's get this one answer.
pub const NOT_FOUND: (&str, &str, &str) = (
    "id_number",
    "no ranger contract in your area for this 身份证号",
    "本地区没有此身份证号的护林员合同",
);

/// Ranger, day and what the row says.
pub(super) fn patrol_identity(r: &Row) -> Option<String> {
    let id = r.get("id_number");
    (!id.is_empty()).then(|| {
        [
            &id.to_uppercase(),
            r.get("patrolled_on"),
            r.get("area"),
            r.get("findings"),
        ]
        .join("\u{1f}")
    })
}

/// Ranger and day.
pub(super) fn inspection_identity(r: &Row) -> Option<String> {
    let id = r.get("id_number");
    (!id.is_empty()).then(|| [&id.to_uppercase(), r.get("inspected_on")].join("\u{1f}"))
}

/// The contract of the ranger with this ID number that holds `on` (or, when none does, their
/// latest, so the use case names the date problem), inside the caller's scope.
fn contract(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    id_text: &str,
    on: Option<NaiveDate>,
) -> Result<Uuid, DomainError> {
    let id =
        IdNumber::parse(id_text, ctx.today()).map_err(|m| DomainError::field("id_number", m))?;
    let people: Vec<Uuid> = members::table
        .filter(members::id_blind.eq(env.keys.blind_index(&id)))
        .select(members::id)
        .load(conn)
        .db()?;
    let found: Vec<(Uuid, NaiveDate, NaiveDate)> = ranger_contracts::table
        .filter(ranger_contracts::member_id.eq_any(&people))
        .order(ranger_contracts::start_date.desc())
        .select((
            ranger_contracts::id,
            ranger_contracts::start_date,
            ranger_contracts::end_date,
        ))
        .load(conn)
        .db()?;
    let holding = on.and_then(|d| found.iter().find(|(_, s, e)| *s <= d && d <= *e));
    holding
        .or(found.first())
        .map(|(c, _, _)| *c)
        .ok_or(DomainError::NotFound)
}

/// Refuses without `funds:manage` where the contract's ranger lives (what recording on it
/// needs), for a record that turns out to exist already.
fn check_manage(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<(), DomainError> {
    let region: i64 = ranger_contracts::table
        .filter(ranger_contracts::id.eq(id))
        .select(ranger_contracts::region_code)
        .first(conn)
        .db()?;
    ctx.caller.require_at(
        domain::authz::perm::FUNDS_MANAGE,
        crate::app::stored_code(region)?,
    )
}

/// Reads the day and finds the contract; collects field errors, keeping `NotFound` apart.
fn day_and_contract(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
    day_key: &str,
    errs: &mut Vec<FieldError>,
) -> Result<(Option<NaiveDate>, Option<Uuid>), DomainError> {
    let on = date(r.get(day_key));
    if on.is_none() {
        errs.push(FieldError::new(
            day_key,
            domain::Rule::format(domain::Format::Date),
        ));
    }
    let c = match contract(conn, ctx, env, r.get("id_number"), on) {
        Ok(c) => Some(c),
        Err(DomainError::Validation(v)) => {
            errs.extend(v);
            None
        }
        Err(DomainError::NotFound) => {
            errs.push(FieldError::new(
                NOT_FOUND.0,
                domain::Rule::other(NOT_FOUND.1, NOT_FOUND.2),
            ));
            None
        }
        Err(e) => return Err(e),
    };
    Ok((on, c))
}

/// Logs one row's patrol, unless it is logged already.
///
/// # Errors
/// `Validation` naming the columns (an unknown ranger included); as `rangers::patrol`.
pub(super) fn apply_patrol(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let texts = validate_patrol(r.get("area"), r.get("findings"));
    let reported = yes_no(r.get("reported")).unwrap_or_else(|m| {
        errs.push(FieldError::new("reported", m));
        None
    });
    let (on, c) = day_and_contract(conn, ctx, env, r, "patrolled_on", &mut errs)?;
    let (area, findings) = match texts {
        Ok(t) => t,
        Err(more) => {
            errs.extend(more);
            return Err(DomainError::Validation(errs));
        }
    };
    let (Some(on), Some(c), true) = (on, c, errs.is_empty()) else {
        return Err(DomainError::Validation(errs));
    };
    let reported = reported.unwrap_or(false);
    // Two imports of one sheet at once: the second waits here, then finds the first's row (a
    // patrol or an absence counted twice changes the ranger's pay).
    crate::db::lock_key(conn, 41, &format!("{c}:{on}"))?;
    let logged: i64 = ranger_patrols::table
        .filter(ranger_patrols::contract_id.eq(c))
        .filter(ranger_patrols::patrolled_on.eq(on))
        .filter(ranger_patrols::area.eq(&area))
        .filter(ranger_patrols::findings.eq(&findings))
        .filter(ranger_patrols::reported.eq(reported))
        .count()
        .get_result(conn)
        .db()?;
    if logged > 0 {
        check_manage(conn, ctx, c)?;
        return Ok(Written::Unchanged);
    }
    let p = NewPatrol {
        patrolled_on: on,
        area,
        findings,
        reported,
    };
    rangers::patrol(conn, ctx, c, &p)?;
    Ok(Written::Created)
}

/// Records one row's inspection, unless it is recorded already.
///
/// # Errors
/// `Validation` naming the columns (an unknown ranger included); as `rangers::inspect`.
pub(super) fn apply_inspection(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let note = validate_inspection_note(r.get("note"));
    let present = match yes_no(r.get("present")) {
        Ok(Some(p)) => Some(p),
        Ok(None) => {
            errs.push(FieldError::new(
                "present",
                domain::Rule::other("is required (是 or 否)", "必填(是或否)"),
            ));
            None
        }
        Err(m) => {
            errs.push(FieldError::new("present", m));
            None
        }
    };
    let (on, c) = day_and_contract(conn, ctx, env, r, "inspected_on", &mut errs)?;
    let note = match note {
        Ok(n) => n,
        Err(more) => {
            errs.extend(more);
            return Err(DomainError::Validation(errs));
        }
    };
    let (Some(on), Some(c), Some(present), true) = (on, c, present, errs.is_empty()) else {
        return Err(DomainError::Validation(errs));
    };
    crate::db::lock_key(conn, 43, &format!("{c}:{on}"))?;
    // One inspection per ranger and day, as the sheet has one row per ranger and day: a row
    // corrected and imported again (another note, 是 for 否) added a second inspection, and a
    // second absence doubles the month's deduction.
    let recorded: Vec<(bool, String)> = ranger_inspections::table
        .filter(ranger_inspections::contract_id.eq(c))
        .filter(ranger_inspections::inspected_on.eq(on))
        .select((ranger_inspections::present, ranger_inspections::note))
        .load(conn)
        .db()?;
    if !recorded.is_empty() {
        check_manage(conn, ctx, c)?;
        if recorded.iter().any(|(p, n)| *p == present && *n == note) {
            return Ok(Written::Unchanged);
        }
        return Err(DomainError::field(
            "inspected_on",
            domain::Rule::other(
                "this ranger's inspection of that day is recorded already, differently; a second one would count again",
                "该护林员当日的检查已有记录且内容不同;再导入会重复计算",
            ),
        ));
    }
    rangers::inspect(conn, ctx, c, on, present, &note)?;
    Ok(Written::Created)
}
