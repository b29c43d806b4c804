//! The yearly household records sheet (the annual income survey): one row per household and
//! year, the household named by its household number, its head's (or any member's) ID number,
//! or both. A row is the record `PUT /households/{id}/years/{year}` writes: the same parsing as
//! the household sheet's yearly columns, the same validation (`validate_year`) and the same use
//! case (`records::put_year`, which checks `cases:write` where the household lives).

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::cases::IdNumber;
use domain::{DomainError, FieldError};
use uuid::Uuid;

use super::{Env, Written};
use crate::app::Ctx;
use crate::app::cases::import::year_record;
use crate::app::cases::records;
use crate::app::cases::sheet::{Column, Row, col};
use crate::db::DbResultExt as _;
use crate::schema::{households, members};

/// The columns, in template order (the household sheet's labels for the same fields).
pub const COLUMNS: &[Column] = &[
    col("household_number", "户编号", false),
    col("id_number", "身份证号", false),
    col("year", "年度", true),
    col("income_per_capita", "人均纯收入(元)", true),
    col("wage_income", "工资性收入(元)", false),
    col("production_income", "生产经营性收入(元)", false),
    col("property_income", "财产性收入(元)", false),
    col("transfer_income", "转移性收入(元)", false),
    col("enough_food", "不愁吃", true),
    col("enough_clothing", "不愁穿", true),
    col("compulsory_education", "义务教育有保障", true),
    col("basic_medical", "基本医疗有保障", true),
    col("safe_housing", "住房安全有保障", true),
    col("safe_drinking_water", "饮水安全有保障", true),
];

/// The template's example row.
pub const EXAMPLE: &[&str] = &[
    "3708310010030001",
    "370831198001010015",
    "2020",
    "4200.50",
    "6000",
    "2400",
    "0",
    "4200",
    "是",
    "是",
    "是",
    "是",
    "是",
    "是",
];

/// An unknown household and another county's (or another subtree's) get this one answer.
pub const NOT_FOUND: (&str, &str, &str) = (
    "household_number",
    "no such household in your area: check 户编号 and 身份证号",
    "本地区没有该户:请核对户编号和身份证号",
);

/// Household and year, as the file names them.
pub(super) fn identity(r: &Row) -> Option<String> {
    let (n, id, y) = (r.get("household_number"), r.get("id_number"), r.get("year"));
    if y.is_empty() || (n.is_empty() && id.is_empty()) {
        return None;
    }
    Some(format!("{n}\u{1f}{}\u{1f}{y}", id.to_uppercase()))
}

/// The household a row names, inside the caller's scope (row-level security hides the rest,
/// so another county's household is not found, exactly like an unknown one).
pub(super) fn household(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Uuid, DomainError> {
    let number = r.get("household_number");
    let id_text = r.get("id_number");
    if number.is_empty() && id_text.is_empty() {
        return Err(DomainError::field(
            "household_number",
            domain::Rule::other(
                "give 户编号 or 身份证号 (or both) to name the household",
                "请填写户编号或身份证号(或两者)以指明农户",
            ),
        ));
    }
    let by_number = if number.is_empty() {
        None
    } else {
        Some(
            households::table
                .filter(households::county_code.eq(ctx.caller.county_code()))
                .filter(households::household_number.eq(number))
                .select(households::id)
                .first::<Uuid>(conn)
                .optional()
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    };
    if id_text.is_empty() {
        return by_number.ok_or(DomainError::NotFound);
    }
    let id =
        IdNumber::parse(id_text, ctx.today()).map_err(|m| DomainError::field("id_number", m))?;
    let by_id: Vec<Uuid> = members::table
        .filter(members::id_blind.eq(env.keys.blind_index(&id)))
        .select(members::household_id)
        .load(conn)
        .db()?;
    match (by_number, by_id.as_slice()) {
        (_, []) => Err(DomainError::NotFound),
        (None, [one]) => Ok(*one),
        (Some(h), ids) if ids.contains(&h) => Ok(h),
        (Some(_), _) => Err(DomainError::field(
            "id_number",
            domain::Rule::other(
                "is not a member of the household 户编号 names",
                "不是户编号所指农户的成员",
            ),
        )),
        (None, _) => Err(DomainError::field(
            "id_number",
            domain::Rule::other(
                "is registered in more than one household; give 户编号 too",
                "登记在多个户中;请同时填写户编号",
            ),
        )),
    }
}

/// Writes one row's yearly record: created, replaced where it differs, or left as it is.
///
/// # Errors
/// `Validation` naming the columns; `NotFound` for a household outside the caller's area;
/// `Forbidden` without `cases:write` where the household lives.
pub(super) fn apply(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let record = if r.get("year").is_empty() {
        errs.push(crate::app::cases::import::err(
            r.number,
            "year",
            domain::Rule::Required,
        ));
        None
    } else {
        year_record(r, &mut errs)
    };
    let mut fields: Vec<FieldError> = errs
        .into_iter()
        .map(|e| FieldError::new(e.column, e.rule))
        .collect();
    let household = match household(conn, ctx, env, r) {
        Ok(h) => Some(h),
        Err(DomainError::Validation(v)) => {
            fields.extend(v);
            None
        }
        Err(DomainError::NotFound) if !fields.is_empty() => {
            fields.push(FieldError::new(
                NOT_FOUND.0,
                domain::Rule::other(NOT_FOUND.1, NOT_FOUND.2),
            ));
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(household), Some((year, rec)), true) = (household, record, fields.is_empty()) else {
        return Err(DomainError::Validation(fields));
    };
    let stored = match records::get_year(conn, household, year) {
        Ok(s) => Some(s),
        Err(DomainError::NotFound) => None,
        Err(e) => return Err(e),
    };
    if let Some(s) = &stored
        && s.record() == rec
    {
        // Unchanged, but only for someone who may write it: a re-import must not tell a
        // reader without `cases:write` more than the one-by-one route would.
        let h = crate::app::cases::find(conn, household)?;
        ctx.caller.require_at(
            domain::authz::perm::CASES_WRITE,
            crate::app::stored_code(h.region_code)?,
        )?;
        return Ok(Written::Unchanged);
    }
    let (_, created) =
        records::put_year(conn, ctx, household, year, stored.map(|s| s.version), &rec)?;
    Ok(if created {
        Written::Created
    } else {
        Written::Updated
    })
}
