//! Yearly records (income and the two-no-worries-three-guarantees indicators) and assistance
//! measures.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::authz::perm;
use domain::cases::{ValidMeasure, YearRecord};
use serde_json::json;
use uuid::Uuid;

use super::{find, record_change};
use crate::app::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{assistance_measures, household_years};

/// A stored yearly record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = household_years)]
pub struct YearRow {
    /// Year.
    pub year: i32,
    /// 人均纯收入.
    pub income_per_capita_fen: i64,
    /// 工资性收入.
    pub wage_income_fen: i64,
    /// 生产经营性收入.
    pub production_income_fen: i64,
    /// 财产性收入.
    pub property_income_fen: i64,
    /// 转移性收入.
    pub transfer_income_fen: i64,
    /// 不愁吃.
    pub enough_food: bool,
    /// 不愁穿.
    pub enough_clothing: bool,
    /// 义务教育有保障.
    pub compulsory_education: bool,
    /// 基本医疗有保障.
    pub basic_medical: bool,
    /// 住房安全有保障.
    pub safe_housing: bool,
    /// 饮水安全.
    pub safe_drinking_water: bool,
    /// Version.
    pub version: i32,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl YearRow {
    /// The record's values, to compare with a record about to be written.
    pub fn record(&self) -> YearRecord {
        YearRecord {
            income_per_capita_fen: self.income_per_capita_fen,
            wage_income_fen: self.wage_income_fen,
            production_income_fen: self.production_income_fen,
            property_income_fen: self.property_income_fen,
            transfer_income_fen: self.transfer_income_fen,
            enough_food: self.enough_food,
            enough_clothing: self.enough_clothing,
            compulsory_education: self.compulsory_education,
            basic_medical: self.basic_medical,
            safe_housing: self.safe_housing,
            safe_drinking_water: self.safe_drinking_water,
        }
    }
}

/// The record of `year`.
///
/// # Errors
/// `NotFound` when the household is outside scope or has no record for the year.
pub fn get_year(
    conn: &mut PgConnection,
    household_id: Uuid,
    year: i32,
) -> Result<YearRow, DomainError> {
    let h = find(conn, household_id)?;
    household_years::table
        .filter(household_years::county_code.eq(h.county_code))
        .filter(household_years::household_id.eq(household_id))
        .filter(household_years::year.eq(year))
        .select(YearRow::as_select())
        .first(conn)
        .db()
}

/// All yearly records of a household, by year.
///
/// # Errors
/// `NotFound` outside scope.
pub fn list_years(
    conn: &mut PgConnection,
    household_id: Uuid,
) -> Result<Vec<YearRow>, DomainError> {
    let h = find(conn, household_id)?;
    household_years::table
        .filter(household_years::county_code.eq(h.county_code))
        .filter(household_years::household_id.eq(household_id))
        .order(household_years::year)
        .select(YearRow::as_select())
        .load(conn)
        .db()
}

/// Creates or replaces the record of `year`. Replacing needs the current version.
///
/// # Errors
/// `NotFound`, `Forbidden`; `PreconditionRequired`/`PreconditionFailed` when replacing without
/// or with a stale version.
pub fn put_year(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    year: i32,
    expected_version: Option<i32>,
    r: &YearRecord,
) -> Result<(YearRow, bool), DomainError> {
    let h = find(conn, household_id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(h.region_code)?)?;
    let current = household_years::table
        .filter(household_years::county_code.eq(h.county_code))
        .filter(household_years::household_id.eq(household_id))
        .filter(household_years::year.eq(year))
        .select(YearRow::as_select())
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    let values = (
        household_years::income_per_capita_fen.eq(r.income_per_capita_fen),
        household_years::wage_income_fen.eq(r.wage_income_fen),
        household_years::production_income_fen.eq(r.production_income_fen),
        household_years::property_income_fen.eq(r.property_income_fen),
        household_years::transfer_income_fen.eq(r.transfer_income_fen),
        household_years::enough_food.eq(r.enough_food),
        household_years::enough_clothing.eq(r.enough_clothing),
        household_years::compulsory_education.eq(r.compulsory_education),
        household_years::basic_medical.eq(r.basic_medical),
        household_years::safe_housing.eq(r.safe_housing),
        household_years::safe_drinking_water.eq(r.safe_drinking_water),
    );
    let created = match &current {
        None => {
            diesel::insert_into(household_years::table)
                .values((
                    household_years::county_code.eq(h.county_code),
                    household_years::household_id.eq(household_id),
                    household_years::year.eq(year),
                    household_years::region_code.eq(h.region_code),
                    values,
                ))
                .execute(conn)
                .db()?;
            true
        }
        Some(cur) => {
            match expected_version {
                None => return Err(DomainError::PreconditionRequired),
                Some(v) if v != cur.version => return Err(DomainError::PreconditionFailed),
                Some(_) => {}
            }
            diesel::update(
                household_years::table
                    .filter(household_years::county_code.eq(h.county_code))
                    .filter(household_years::household_id.eq(household_id))
                    .filter(household_years::year.eq(year)),
            )
            .set((
                values,
                household_years::version.eq(household_years::version + 1),
                household_years::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .db()?;
            false
        }
    };
    record_change(
        conn,
        ctx,
        household_id,
        "year_recorded",
        json!({ "year": year, "record": r }),
        None,
    )?;
    Ok((get_year(conn, household_id, year)?, created))
}

/// A stored measure.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assistance_measures)]
pub struct MeasureRow {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Kind.
    pub kind: String,
    /// Date.
    pub date: NaiveDate,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Responsible person.
    pub responsible: String,
    /// Description.
    pub description: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// A small loan's term, months.
    pub term_months: Option<i32>,
    /// Version (the ETag of an edit).
    pub version: i32,
    /// Last written.
    pub updated_at: DateTime<Utc>,
}

/// The measures of a household, by date.
///
/// # Errors
/// `NotFound` outside scope.
pub fn list_measures(
    conn: &mut PgConnection,
    household_id: Uuid,
) -> Result<Vec<MeasureRow>, DomainError> {
    let h = find(conn, household_id)?;
    assistance_measures::table
        .filter(assistance_measures::county_code.eq(h.county_code))
        .filter(assistance_measures::household_id.eq(household_id))
        .order((assistance_measures::date, assistance_measures::created_at))
        .select(MeasureRow::as_select())
        .load(conn)
        .db()
}

/// Records a measure.
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub fn add_measure(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    m: &ValidMeasure,
) -> Result<MeasureRow, DomainError> {
    let h = find(conn, household_id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(h.region_code)?)?;
    let row: MeasureRow = diesel::insert_into(assistance_measures::table)
        .values((
            assistance_measures::county_code.eq(h.county_code),
            assistance_measures::id.eq(Uuid::new_v4()),
            assistance_measures::household_id.eq(household_id),
            assistance_measures::region_code.eq(h.region_code),
            assistance_measures::kind.eq(m.kind.as_str()),
            assistance_measures::date.eq(m.date),
            assistance_measures::amount_fen.eq(m.amount_fen),
            assistance_measures::responsible.eq(&m.responsible),
            assistance_measures::description.eq(&m.description),
            assistance_measures::term_months.eq(m.term_months),
            assistance_measures::created_by.eq(ctx.caller.user_id),
            // The app's clock (a demo may run ahead): compared with cases closed by it.
            assistance_measures::created_at.eq(ctx.now),
        ))
        .returning(MeasureRow::as_returning())
        .get_result(conn)
        .db()?;
    record_change(
        conn,
        ctx,
        household_id,
        "measure_added",
        json!({ "measure_id": row.id, "kind": m.kind.as_str(), "date": m.date, "amount_fen": m.amount_fen }),
        None,
    )?;
    Ok(row)
}

/// Corrects a recorded measure: every field is replaced, based on the version the caller read.
/// The household's history gets a `measure_updated` event naming the measure and each changed
/// field as `[before, after]`; the audit row is written with it.
///
/// # Errors
/// `NotFound` when the household or the measure (of this household) is outside scope;
/// `Forbidden` without `cases:write` there; `PreconditionFailed` on a stale version.
pub fn update_measure(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    measure_id: Uuid,
    expected_version: i32,
    m: &ValidMeasure,
) -> Result<MeasureRow, DomainError> {
    let h = find(conn, household_id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(h.region_code)?)?;
    let mine = assistance_measures::table
        .filter(assistance_measures::county_code.eq(h.county_code))
        .filter(assistance_measures::household_id.eq(household_id))
        .filter(assistance_measures::id.eq(measure_id));
    let cur: MeasureRow = mine
        .select(MeasureRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    if cur.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let row: MeasureRow = diesel::update(mine)
        .set((
            assistance_measures::kind.eq(m.kind.as_str()),
            assistance_measures::date.eq(m.date),
            assistance_measures::amount_fen.eq(m.amount_fen),
            assistance_measures::responsible.eq(&m.responsible),
            assistance_measures::description.eq(&m.description),
            assistance_measures::term_months.eq(m.term_months),
            assistance_measures::version.eq(assistance_measures::version + 1),
            assistance_measures::updated_at.eq(Utc::now()),
        ))
        .returning(MeasureRow::as_returning())
        .get_result(conn)
        .db()?;
    let mut changes = serde_json::Map::new();
    changes.insert("measure_id".into(), json!(measure_id));
    let mut changed = |field: &str, before: serde_json::Value, after: serde_json::Value| {
        if before != after {
            changes.insert(field.into(), json!([before, after]));
        }
    };
    changed("kind", json!(cur.kind), json!(row.kind));
    changed("date", json!(cur.date), json!(row.date));
    changed("amount_fen", json!(cur.amount_fen), json!(row.amount_fen));
    changed(
        "responsible",
        json!(cur.responsible),
        json!(row.responsible),
    );
    changed(
        "description",
        json!(cur.description),
        json!(row.description),
    );
    changed(
        "term_months",
        json!(cur.term_months),
        json!(row.term_months),
    );
    record_change(
        conn,
        ctx,
        household_id,
        "measure_updated",
        serde_json::Value::Object(changes),
        None,
    )?;
    Ok(row)
}
