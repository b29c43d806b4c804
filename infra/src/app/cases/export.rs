//! Export of a filtered household list in the import sheet's columns (so an export can be
//! edited and imported again), page by page inside one read-only snapshot, so a county of
//! 100,000 households is never held in memory. ID numbers are masked unless the caller asked
//! for them, holds `cases:reveal` there and gave a reason (checked and audited by the caller
//! of this module).

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use uuid::Uuid;

use super::households::{HouseholdFilter, list};
use super::records::YearRow;
use super::sheet::COLUMNS;
use super::{HouseholdRow, MemberRow, members_of};
use crate::app::Ctx;
use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;
use crate::schema::{household_years, members};

/// Households per page.
const PAGE: i64 = 500;

/// The header row: the template's Chinese labels.
pub fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.label.to_string()).collect()
}

fn fen_to_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn yes(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
}

fn row_of(h: &HouseholdRow, m: &MemberRow, id_number: &str, year: Option<&YearRow>) -> Vec<String> {
    let mut cells: HashMap<&str, String> = HashMap::from([
        ("household_number", h.household_number.clone()),
        ("village_code", format!("{:012}", h.region_code)),
        ("address", h.address.clone()),
        ("residence", h.residence.clone()),
        ("attribute", h.attribute.clone()),
        ("poverty_causes", h.poverty_causes.join(";")),
        ("year_identified", h.year_identified.to_string()),
        ("responsible_cadre", h.responsible_cadre.clone()),
        ("notes", h.notes.clone()),
        ("name", m.name.clone()),
        ("id_number", id_number.to_string()),
        ("relationship", m.relationship.clone()),
        ("education", m.education.clone()),
        ("school_status", m.school_status.clone()),
        ("health", m.health.clone()),
        ("disability", m.disability.clone()),
        ("labour_ability", m.labour_ability.clone()),
        ("medical_insurance", yes(m.medical_insurance)),
        ("pension", yes(m.pension)),
        ("phone", m.phone.clone()),
    ]);
    if let Some(y) = year.filter(|_| m.relationship == "head") {
        cells.extend([
            ("year", y.year.to_string()),
            ("income_per_capita", fen_to_yuan(y.income_per_capita_fen)),
            ("wage_income", fen_to_yuan(y.wage_income_fen)),
            ("production_income", fen_to_yuan(y.production_income_fen)),
            ("property_income", fen_to_yuan(y.property_income_fen)),
            ("transfer_income", fen_to_yuan(y.transfer_income_fen)),
            ("enough_food", yes(y.enough_food)),
            ("enough_clothing", yes(y.enough_clothing)),
            ("compulsory_education", yes(y.compulsory_education)),
            ("basic_medical", yes(y.basic_medical)),
            ("safe_housing", yes(y.safe_housing)),
            ("safe_drinking_water", yes(y.safe_drinking_water)),
        ]);
    }
    COLUMNS
        .iter()
        .map(|c| cells.remove(c.key).unwrap_or_default())
        .collect()
}

/// The latest yearly record of each household.
fn latest_years(
    conn: &mut PgConnection,
    counties: &[i32],
    ids: &[Uuid],
) -> Result<HashMap<Uuid, YearRow>, DomainError> {
    let rows: Vec<(Uuid, YearRow)> = household_years::table
        .filter(household_years::county_code.eq_any(counties))
        .filter(household_years::household_id.eq_any(ids))
        .order((household_years::household_id, household_years::year.desc()))
        .select((household_years::household_id, YearRow::as_select()))
        .load(conn)
        .db()?;
    let mut out = HashMap::new();
    for (id, y) in rows {
        out.entry(id).or_insert(y);
    }
    Ok(out)
}

/// Streams every matching household's member rows to `sink`, a page at a time, in one
/// read-only snapshot. `sink` returns false to stop (the client went away). Returns the
/// number of member rows written.
///
/// # Errors
/// Database failures, or a ciphertext that does not decrypt (when revealing).
pub fn export(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    filter: &HouseholdFilter,
    reveal: bool,
    mut sink: impl FnMut(Vec<Vec<String>>) -> bool,
) -> Result<usize, DomainError> {
    db.in_scope_snapshot_conn(ctx.caller.scope(), |conn| {
        // Exports may take longer than one request's statement budget.
        diesel::sql_query("SET LOCAL statement_timeout = '10min'")
            .execute(conn)
            .db()?;
        let mut after: Option<(i64, String)> = None;
        let mut written = 0;
        loop {
            let page = list(conn, filter, after.clone(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some((last.region_code, last.household_number.clone()));
            let ids: Vec<Uuid> = page.iter().map(|h| h.id).collect();
            let mut counties: Vec<i32> = page.iter().map(|h| h.county_code).collect();
            counties.dedup();
            let mut people = members_of(conn, &counties, &ids)?;
            let years = latest_years(conn, &counties, &ids)?;
            let full: HashMap<Uuid, String> = if reveal {
                let ciphers: Vec<(Uuid, i16, Vec<u8>)> = members::table
                    .filter(members::county_code.eq_any(&counties))
                    .filter(members::household_id.eq_any(&ids))
                    .select((members::id, members::id_key, members::id_cipher))
                    .load(conn)
                    .db()?;
                ciphers
                    .into_iter()
                    .map(|(id, k, c)| keys.decrypt(k, id, &c).map(|p| (id, p)))
                    .collect::<Result<_, _>>()?
            } else {
                HashMap::new()
            };
            let mut rows = Vec::new();
            for h in &page {
                for m in people.remove(&h.id).unwrap_or_default() {
                    let id_number = full
                        .get(&m.id)
                        .cloned()
                        .unwrap_or_else(|| m.id_masked.clone());
                    rows.push(row_of(h, &m, &id_number, years.get(&h.id)));
                }
            }
            written += rows.len();
            if !sink(rows) {
                break;
            }
            if i64::try_from(page.len()).unwrap_or(0) < PAGE {
                break;
            }
        }
        Ok(written)
    })
}
