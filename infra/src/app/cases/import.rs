//! Bulk import of households from the county spreadsheets.
//!
//! The file is read whole first (file-level problems refuse it before anything is written);
//! then every row is validated and every bad row reported with its row number, column and
//! reason; a household with any bad row is left out whole. Good households are written in
//! batches, each batch in one transaction and each household all or nothing: new households
//! with multi-row inserts, existing ones (same household number in the county) updated only
//! where they differ, so importing the same file again changes nothing. A dry run does all the
//! checks, database ones included, and rolls back.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea};
use domain::authz::perm;
use domain::cases::{
    HouseholdInput, MemberInput, ValidHousehold, ValidMember, YearRecord, validate_household,
    validate_member, validate_year,
};
use domain::{DomainError, RegionCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::households::{check_number_county, check_village};
use super::sheet::{Row, yes_no, yuan_to_fen};
use super::{HouseholdRow, HouseholdView, MemberRow, record_change};
use crate::app::jobs::{self, RowError};
use crate::app::{Ctx, stored_code};
use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;
use crate::schema::{audit_events, household_events, household_years, households, members};

/// Households per transaction.
const BATCH: usize = 250;
/// Transactions running at once.
const WORKERS: usize = 2;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, serde::Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data rows read.
    pub rows: usize,
    /// Rows refused.
    pub rows_refused: usize,
    /// Households registered.
    pub households_created: usize,
    /// Households that existed and were changed.
    pub households_updated: usize,
    /// Households that existed unchanged.
    pub households_unchanged: usize,
    /// Households left out because of a bad row.
    pub households_refused: usize,
    /// Members written (new or changed).
    pub members_written: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

/// One household read from the file, valid.
#[derive(Debug, Clone)]
struct Parsed {
    rows: Vec<u32>,
    household: ValidHousehold,
    members: Vec<(u32, ValidMember)>,
    year: Option<(i32, YearRecord)>,
}

/// A row error (shared with the other sheets' imports).
pub(crate) fn err(row: u32, column: &str, message: impl Into<String>) -> RowError {
    RowError {
        row: i32::try_from(row).unwrap_or(i32::MAX),
        column: column.to_string(),
        message: message.into(),
    }
}

const HOUSEHOLD_KEYS: &[&str] = &[
    "village_code",
    "address",
    "residence",
    "attribute",
    "poverty_causes",
    "year_identified",
    "responsible_cadre",
    "notes",
];

fn member_input(r: &Row, errs: &mut Vec<RowError>) -> MemberInput {
    let flag = |key: &str, errs: &mut Vec<RowError>| match yes_no(r.get(key)) {
        Ok(v) => v.unwrap_or(false),
        Err(m) => {
            errs.push(err(r.number, key, m));
            false
        }
    };
    MemberInput {
        name: r.get("name").into(),
        id_number: r.get("id_number").into(),
        relationship: r.get("relationship").into(),
        education: r.get("education").into(),
        school_status: r.get("school_status").into(),
        health: r.get("health").into(),
        disability: r.get("disability").into(),
        labour_ability: r.get("labour_ability").into(),
        medical_insurance: flag("medical_insurance", errs),
        pension: flag("pension", errs),
        phone: r.get("phone").into(),
    }
}

/// The yearly record of a row, when its 年度 is given (shared with the yearly-record import).
pub(crate) fn year_record(r: &Row, errs: &mut Vec<RowError>) -> Option<(i32, YearRecord)> {
    let year_text = r.get("year");
    if year_text.is_empty() {
        return None;
    }
    let before = errs.len();
    let year = year_text
        .parse::<i32>()
        .map_err(|_| errs.push(err(r.number, "year", "must be a year")))
        .unwrap_or(0);
    let money = |key: &str, required: bool, errs: &mut Vec<RowError>| {
        let t = r.get(key);
        if t.is_empty() {
            if required {
                errs.push(err(r.number, key, "is required when 年度 is given"));
            }
            return 0;
        }
        yuan_to_fen(t)
            .map_err(|m| errs.push(err(r.number, key, m)))
            .unwrap_or(0)
    };
    let flag = |key: &str, errs: &mut Vec<RowError>| match yes_no(r.get(key)) {
        Ok(Some(v)) => v,
        Ok(None) => {
            errs.push(err(
                r.number,
                key,
                "is required when 年度 is given (是 or 否)",
            ));
            false
        }
        Err(m) => {
            errs.push(err(r.number, key, m));
            false
        }
    };
    let rec = YearRecord {
        income_per_capita_fen: money("income_per_capita", true, errs),
        wage_income_fen: money("wage_income", false, errs),
        production_income_fen: money("production_income", false, errs),
        property_income_fen: money("property_income", false, errs),
        transfer_income_fen: money("transfer_income", false, errs),
        enough_food: flag("enough_food", errs),
        enough_clothing: flag("enough_clothing", errs),
        compulsory_education: flag("compulsory_education", errs),
        basic_medical: flag("basic_medical", errs),
        safe_housing: flag("safe_housing", errs),
        safe_drinking_water: flag("safe_drinking_water", errs),
    };
    if let Err(e) = validate_year(year, &rec, "") {
        errs.extend(e.into_iter().map(|e| err(r.number, &e.field, e.message)));
    }
    (errs.len() == before).then_some((year, rec))
}

/// Groups rows into households and validates them; returns the valid ones and every error.
fn validate_rows(
    conn: &mut PgConnection,
    ctx: &Ctx,
    rows: &[Row],
    causes: &[(String, String)],
    today: NaiveDate,
) -> Result<(Vec<Parsed>, Vec<RowError>), DomainError> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&Row>> = HashMap::new();
    let mut errors = Vec::new();
    for r in rows {
        let n = r.get("household_number");
        if n.is_empty() {
            errors.push(err(r.number, "household_number", "is required"));
            continue;
        }
        if !groups.contains_key(n) {
            order.push(n);
        }
        groups.entry(n).or_default().push(r);
    }
    let mut villages: HashMap<String, Option<String>> = HashMap::new();
    let mut parsed = Vec::new();
    for n in order {
        let group = &groups[n];
        let first = group[0];
        let mut errs = Vec::new();
        for r in &group[1..] {
            for key in HOUSEHOLD_KEYS {
                if !r.get(key).is_empty() && r.get(key) != first.get(key) {
                    errs.push(err(
                        r.number,
                        key,
                        format!("differs from row {} of the same household", first.number),
                    ));
                }
            }
        }
        let input = HouseholdInput {
            household_number: n.to_string(),
            village_code: first.get("village_code").into(),
            address: first.get("address").into(),
            residence: first.get("residence").into(),
            attribute: first.get("attribute").into(),
            poverty_causes: first
                .get("poverty_causes")
                .split([';', '；', '、', ',', '，', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            year_identified: first.get("year_identified").parse().unwrap_or(0),
            responsible_cadre: first.get("responsible_cadre").into(),
            notes: first.get("notes").into(),
        };
        let household = validate_household(&input, causes, "")
            .map_err(|e| {
                errs.extend(e.into_iter().map(|e| {
                    let column = e.field.split('[').next().unwrap_or(&e.field).to_string();
                    err(first.number, &column, e.message)
                }));
            })
            .ok();
        if let Some(h) = &household {
            let verdict = villages
                .entry(h.village.to_code_string())
                .or_insert_with(|| {
                    check_village(conn, ctx, h.village, "village_code", perm::CASES_IMPORT)
                        .err()
                        .map(|e| match e {
                            DomainError::Validation(v) => v
                                .into_iter()
                                .map(|e| e.message)
                                .collect::<Vec<_>>()
                                .join("; "),
                            DomainError::Forbidden(m) => m,
                            other => other.to_string(),
                        })
                });
            if let Some(m) = verdict {
                errs.push(err(first.number, "village_code", m.clone()));
            }
            if let Err(m) = check_number_county(conn, &h.household_number, h.village)? {
                errs.push(err(first.number, "household_number", m));
            }
        }
        let mut members = Vec::new();
        let mut year = None;
        for r in group {
            let input = member_input(r, &mut errs);
            match validate_member(&input, today, "") {
                Ok(m) => members.push((r.number, m)),
                Err(e) => errs.extend(e.into_iter().map(|e| err(r.number, &e.field, e.message))),
            }
            if let Some(y) = year_record(r, &mut errs) {
                let is_head = r.get("relationship") == "head" || r.get("relationship") == "户主";
                if year.is_none() || is_head {
                    year = Some(y);
                }
            }
        }
        let heads = group
            .iter()
            .filter(|r| r.get("relationship") == "head" || r.get("relationship") == "户主")
            .count();
        if heads != 1 {
            errs.push(err(
                first.number,
                "relationship",
                format!("household {n} needs exactly one head (户主); found {heads}"),
            ));
        }
        for (i, (row, m)) in members.iter().enumerate() {
            if members[..i].iter().any(|(_, o)| o.id_number == m.id_number) {
                errs.push(err(*row, "id_number", "appears twice in this household"));
            }
        }
        match household {
            Some(household) if errs.is_empty() => parsed.push(Parsed {
                rows: group.iter().map(|r| r.number).collect(),
                household,
                members,
                year,
            }),
            _ => {
                // Every row of a refused household is reported, so nothing is silently dropped.
                let mut with_errors: HashSet<i32> = errs.iter().map(|e| e.row).collect();
                for r in group {
                    if with_errors.insert(i32::try_from(r.number).unwrap_or(i32::MAX)) {
                        errs.push(err(
                            r.number,
                            "household",
                            format!(
                                "household {n} has errors in other rows; nothing of it was imported"
                            ),
                        ));
                    }
                }
                errors.extend(errs);
            }
        }
    }
    Ok((parsed, errors))
}

#[derive(Insertable)]
#[diesel(table_name = households, treat_none_as_default_value = false)]
struct NewHouseholdRow<'a> {
    county_code: i32,
    id: Uuid,
    region_code: i64,
    household_number: &'a str,
    address: &'a str,
    residence: &'a str,
    attribute: &'a str,
    poverty_causes: &'a [String],
    year_identified: i32,
    status: &'a str,
    responsible_cadre: &'a str,
    notes: &'a str,
    head_name: &'a str,
    member_count: i32,
    created_by: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = members, treat_none_as_default_value = false)]
struct NewMemberRow<'a> {
    county_code: i32,
    id: Uuid,
    household_id: Uuid,
    region_code: i64,
    name: &'a str,
    id_cipher: Vec<u8>,
    id_key: i16,
    id_blind: Vec<u8>,
    id_masked: String,
    sex: &'a str,
    birth_date: NaiveDate,
    relationship: &'a str,
    education: &'a str,
    school_status: &'a str,
    health: &'a str,
    disability: &'a str,
    labour_ability: &'a str,
    medical_insurance: bool,
    pension: bool,
    phone: &'a str,
}

/// What happened to one household of a batch.
enum Outcome {
    Created(usize),
    Updated(usize),
    Unchanged,
    Refused(Vec<RowError>),
}

/// Existing members of a household, by blind index.
#[derive(Queryable)]
struct Existing {
    id: Uuid,
    household_id: Uuid,
    blind: Vec<u8>,
    member: MemberRow,
}

fn member_row(id: Uuid, household_id: Uuid, region: i64, m: &ValidMember) -> MemberRow {
    MemberRow {
        id,
        household_id,
        region_code: region,
        name: m.name.clone(),
        id_masked: m.id_number.masked(),
        sex: m.id_number.sex().as_str().into(),
        birth_date: m.id_number.birth_date(),
        relationship: m.relationship.as_str().into(),
        education: m.education.clone(),
        school_status: m.school_status.clone(),
        health: m.health.clone(),
        disability: m.disability.clone(),
        labour_ability: m.labour_ability.clone(),
        medical_insurance: m.medical_insurance,
        pension: m.pension,
        phone: m.phone.clone(),
        version: 1,
    }
}

fn same_member(row: &MemberRow, m: &ValidMember) -> bool {
    row.name == m.name
        && row.relationship == m.relationship.as_str()
        && row.education == m.education
        && row.school_status == m.school_status
        && row.health == m.health
        && row.disability == m.disability
        && row.labour_ability == m.labour_ability
        && row.medical_insurance == m.medical_insurance
        && row.pension == m.pension
        && row.phone == m.phone
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the batch keeps the round trips few; split it and they multiply"
)]
/// Writes one batch in the current transaction. `attempts` receives every person found
/// registered already (blind index, village), to be recorded outside this transaction.
fn write_batch(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    batch: &[Parsed],
    names: &HashMap<i64, String>,
    attempts: &mut Vec<(Vec<u8>, i64)>,
) -> Result<Vec<Outcome>, DomainError> {
    let now = Utc::now();
    let numbers: Vec<&str> = batch
        .iter()
        .map(|p| p.household.household_number.as_str())
        .collect();
    let counties: Vec<i32> = batch
        .iter()
        .map(|p| p.household.village.county_code())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // County-qualified, so the (county_code, household_number) key serves the lookup.
    let existing: Vec<HouseholdRow> = households::table
        .filter(households::county_code.eq_any(&counties))
        .filter(households::household_number.eq_any(&numbers))
        .select(HouseholdRow::as_select())
        .load(conn)
        .db()?;
    let existing: HashMap<(i32, String), HouseholdRow> = existing
        .into_iter()
        .map(|h| ((h.county_code, h.household_number.clone()), h))
        .collect();
    let existing_ids: Vec<Uuid> = existing.values().map(|h| h.id).collect();
    let current: Vec<Existing> = members::table
        .filter(members::county_code.eq_any(&counties))
        .filter(members::household_id.eq_any(&existing_ids))
        .select((
            members::id,
            members::household_id,
            members::id_blind,
            MemberRow::as_select(),
        ))
        .load(conn)
        .db()?;
    // Yearly records of the existing households, so unchanged ones cost no query each.
    let stored_years: HashMap<(Uuid, i32), super::records::YearRow> = household_years::table
        .filter(household_years::county_code.eq_any(&counties))
        .filter(household_years::household_id.eq_any(&existing_ids))
        .select((
            household_years::household_id,
            super::records::YearRow::as_select(),
        ))
        .load::<(Uuid, super::records::YearRow)>(conn)
        .db()?
        .into_iter()
        .map(|(id, y)| ((id, y.year), y))
        .collect();
    let own: HashMap<Vec<u8>, Uuid> = current
        .iter()
        .map(|e| (e.blind.clone(), e.household_id))
        .collect();
    let blinds: Vec<Vec<Vec<u8>>> = batch
        .iter()
        .map(|p| {
            p.members
                .iter()
                .map(|(_, m)| keys.blind_index(&m.id_number))
                .collect()
        })
        .collect();
    let all: Vec<Vec<u8>> = blinds.iter().flatten().cloned().collect();
    super::households::lock_people(conn, &all)?;
    #[derive(QueryableByName)]
    struct Blind {
        #[diesel(sql_type = Bytea)]
        b: Vec<u8>,
    }
    let registered: HashSet<Vec<u8>> = diesel::sql_query("SELECT zx_ids_registered_any($1) AS b")
        .bind::<Array<Bytea>, _>(&all)
        .load::<Blind>(conn)
        .db()?
        .into_iter()
        .map(|b| b.b)
        .collect();
    let mut seen_in_batch: HashSet<&[u8]> = HashSet::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut new_households = Vec::new();
    let mut new_members = Vec::new();
    let mut views = Vec::new();
    let mut years = Vec::new();
    for (p, bl) in batch.iter().zip(&blinds) {
        let h = &p.household;
        let key = (h.village.county_code(), h.household_number.clone());
        let mine = existing.get(&key).map(|e| e.id);
        let mut refused = Vec::new();
        for ((row, _), b) in p.members.iter().zip(bl) {
            let belongs_here = mine.is_some() && own.get(b) == mine.as_ref();
            if (registered.contains(b) && !belongs_here) || !seen_in_batch.insert(b.as_slice()) {
                refused.push(err(*row, "id_number", "this person is already registered"));
                attempts.push((b.clone(), h.village.as_i64()));
            }
        }
        if !refused.is_empty() {
            outcomes.push(Outcome::Refused(refused));
            continue;
        }
        if let Some(row) = existing.get(&key) {
            outcomes.push(update_existing(
                conn,
                ctx,
                keys,
                row,
                p,
                &current,
                &stored_years,
            )?);
            continue;
        }
        // A new household: rows built in memory, inserted together below.
        let id = Uuid::new_v4();
        let region = h.village.as_i64();
        let head = p
            .members
            .iter()
            .find(|(_, m)| m.relationship == domain::cases::Relationship::Head)
            .map(|(_, m)| m.name.clone())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for ((_, m), b) in p.members.iter().zip(bl) {
            let mid = Uuid::new_v4();
            let (key_id, cipher) = keys.encrypt(mid, &m.id_number)?;
            new_members.push(NewMemberRow {
                county_code: h.village.county_code(),
                id: mid,
                household_id: id,
                region_code: region,
                name: &m.name,
                id_cipher: cipher,
                id_key: key_id,
                id_blind: b.clone(),
                id_masked: m.id_number.masked(),
                sex: m.id_number.sex().as_str(),
                birth_date: m.id_number.birth_date(),
                relationship: m.relationship.as_str(),
                education: &m.education,
                school_status: &m.school_status,
                health: &m.health,
                disability: &m.disability,
                labour_ability: &m.labour_ability,
                medical_insurance: m.medical_insurance,
                pension: m.pension,
                phone: &m.phone,
            });
            rows.push(member_row(mid, id, region, m));
        }
        let count = i32::try_from(p.members.len()).unwrap_or(i32::MAX);
        views.push(HouseholdView {
            household: HouseholdRow {
                county_code: h.village.county_code(),
                id,
                region_code: region,
                household_number: h.household_number.clone(),
                address: h.address.clone(),
                residence: h.residence.clone(),
                attribute: h.attribute.as_str().into(),
                poverty_causes: h.poverty_causes.clone(),
                year_identified: h.year_identified,
                status: "registered".into(),
                responsible_cadre: h.responsible_cadre.clone(),
                notes: h.notes.clone(),
                head_name: head,
                member_count: count,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            village_name: names.get(&region).cloned().unwrap_or_default(),
            members: rows,
        });
        if let Some((y, r)) = &p.year {
            years.push((h.village.county_code(), id, *y, region, r.clone()));
        }
        outcomes.push(Outcome::Created(p.members.len()));
    }
    for v in &views {
        let h = &v.household;
        new_households.push(NewHouseholdRow {
            county_code: h.county_code,
            id: h.id,
            region_code: h.region_code,
            household_number: &h.household_number,
            address: &h.address,
            residence: &h.residence,
            attribute: &h.attribute,
            poverty_causes: &h.poverty_causes,
            year_identified: h.year_identified,
            status: &h.status,
            responsible_cadre: &h.responsible_cadre,
            notes: &h.notes,
            head_name: &h.head_name,
            member_count: h.member_count,
            created_by: ctx.caller.user_id,
        });
    }
    if !new_households.is_empty() {
        // Multi-row INSERT: PostgreSQL refuses COPY FROM into tables under row-level security.
        diesel::insert_into(households::table)
            .values(&new_households)
            .execute(conn)
            .db()?;
        for chunk in new_members.chunks(2000) {
            diesel::insert_into(members::table)
                .values(chunk)
                .execute(conn)
                .db()?;
        }
        let year_rows: Vec<_> = years
            .iter()
            .map(|(county, id, y, region, r)| {
                (
                    household_years::county_code.eq(*county),
                    household_years::household_id.eq(*id),
                    household_years::year.eq(*y),
                    household_years::region_code.eq(*region),
                    household_years::income_per_capita_fen.eq(r.income_per_capita_fen),
                    household_years::wage_income_fen.eq(r.wage_income_fen),
                    household_years::production_income_fen.eq(r.production_income_fen),
                    household_years::property_income_fen.eq(r.property_income_fen),
                    household_years::transfer_income_fen.eq(r.transfer_income_fen),
                    (
                        household_years::enough_food.eq(r.enough_food),
                        household_years::enough_clothing.eq(r.enough_clothing),
                        household_years::compulsory_education.eq(r.compulsory_education),
                        household_years::basic_medical.eq(r.basic_medical),
                        household_years::safe_housing.eq(r.safe_housing),
                        household_years::safe_drinking_water.eq(r.safe_drinking_water),
                    ),
                )
            })
            .collect();
        if !year_rows.is_empty() {
            diesel::insert_into(household_years::table)
                .values(year_rows)
                .execute(conn)
                .db()?;
        }
        let actor = ctx.actor();
        let events: Vec<_> = views
            .iter()
            .map(|v| {
                (
                    household_events::county_code.eq(v.household.county_code),
                    household_events::id.eq(Uuid::new_v4()),
                    household_events::household_id.eq(v.household.id),
                    household_events::region_code.eq(v.household.region_code),
                    household_events::actor_id.eq(ctx.caller.user_id),
                    household_events::actor_username.eq(&ctx.caller.username),
                    household_events::kind.eq("created"),
                    household_events::changes.eq(json!({ "imported": true })),
                    household_events::snapshot.eq(v.snapshot()),
                )
            })
            .collect();
        diesel::insert_into(household_events::table)
            .values(events)
            .execute(conn)
            .db()?;
        let audits: Vec<_> = views
            .iter()
            .map(|v| {
                (
                    audit_events::county_code.eq(v.household.county_code),
                    audit_events::id.eq(Uuid::new_v4()),
                    audit_events::request_id.eq(actor.request_id.clone()),
                    audit_events::actor_id.eq(actor.id),
                    audit_events::actor_username.eq(actor.username.clone()),
                    audit_events::actor_roles.eq(actor.roles.clone()),
                    audit_events::actor_org.eq(actor.org.map(RegionCode::as_i64)),
                    audit_events::action.eq("household.created"),
                    audit_events::object_type.eq("household"),
                    audit_events::object_id.eq(Some(v.household.id.to_string())),
                    audit_events::region_code.eq(v.household.region_code),
                    audit_events::details.eq(json!({ "imported": true, "household_number": v.household.household_number })),
                )
            })
            .collect();
        diesel::insert_into(audit_events::table)
            .values(audits)
            .execute(conn)
            .db()?;
        // The outbox, only when some endpoint of the county listens (bulk work skips it).
        if let Some(first) = views.first()
            && crate::app::webhooks::listening(
                conn,
                first.household.county_code,
                domain::webhooks::EventKind::HouseholdCreated,
            )?
        {
            for v in &views {
                super::emit_household(conn, ctx, v, "created", &["imported".to_string()])?;
            }
        }
    }
    Ok(outcomes)
}

/// Brings an existing household in line with the file, touching only what differs.
fn update_existing(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    row: &HouseholdRow,
    p: &Parsed,
    current: &[Existing],
    stored_years: &HashMap<(Uuid, i32), super::records::YearRow>,
) -> Result<Outcome, DomainError> {
    let region = stored_code(row.region_code)?;
    if !ctx.caller.can_at(perm::CASES_WRITE, region) {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "household_number",
            "exists in a village where you may not write cases",
        )]));
    }
    if region != p.household.village {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "village_code",
            "differs from the registered village; move households in the system, not by import",
        )]));
    }
    let h = &p.household;
    let mut changes = serde_json::Map::new();
    let mut diff = |field: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(field.into(), json!([old, new]));
        }
    };
    diff("address", json!(row.address), json!(h.address));
    diff("residence", json!(row.residence), json!(h.residence));
    diff(
        "attribute",
        json!(row.attribute),
        json!(h.attribute.as_str()),
    );
    diff(
        "poverty_causes",
        json!(row.poverty_causes),
        json!(h.poverty_causes),
    );
    diff(
        "year_identified",
        json!(row.year_identified),
        json!(h.year_identified),
    );
    diff(
        "responsible_cadre",
        json!(row.responsible_cadre),
        json!(h.responsible_cadre),
    );
    diff("notes", json!(row.notes), json!(h.notes));
    if !changes.is_empty() {
        diesel::update(
            households::table
                .filter(households::county_code.eq(row.county_code))
                .filter(households::id.eq(row.id)),
        )
        .set((
            households::address.eq(&h.address),
            households::residence.eq(&h.residence),
            households::attribute.eq(h.attribute.as_str()),
            households::poverty_causes.eq(&h.poverty_causes),
            households::year_identified.eq(h.year_identified),
            households::responsible_cadre.eq(&h.responsible_cadre),
            households::notes.eq(&h.notes),
        ))
        .execute(conn)
        .db()?;
    }
    let mine: Vec<&Existing> = current
        .iter()
        .filter(|e| e.household_id == row.id)
        .collect();
    let mut written = 0;
    let file_head = p
        .members
        .iter()
        .find(|(_, m)| m.relationship == domain::cases::Relationship::Head)
        .map(|(_, m)| keys.blind_index(&m.id_number));
    if let Some(old_head) = mine.iter().find(|e| e.member.relationship == "head")
        && file_head.as_ref() != Some(&old_head.blind)
        && !p
            .members
            .iter()
            .any(|(_, m)| keys.blind_index(&m.id_number) == old_head.blind)
    {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "relationship",
            "the file names another head than the registry, whose head is not in the file; change the head in the system first",
        )]));
    }
    // Demote a changed head first so the one-head rule holds at every statement.
    for (_, m) in &p.members {
        let b = keys.blind_index(&m.id_number);
        if let Some(e) = mine.iter().find(|e| e.blind == b)
            && e.member.relationship == "head"
            && m.relationship != domain::cases::Relationship::Head
        {
            diesel::update(
                members::table
                    .filter(members::county_code.eq(row.county_code))
                    .filter(members::id.eq(e.id)),
            )
            .set(members::relationship.eq(m.relationship.as_str()))
            .execute(conn)
            .db()?;
        }
    }
    for (_, m) in &p.members {
        let b = keys.blind_index(&m.id_number);
        match mine.iter().find(|e| e.blind == b) {
            Some(e) if same_member(&e.member, m) => {}
            Some(e) => {
                diesel::update(
                    members::table
                        .filter(members::county_code.eq(row.county_code))
                        .filter(members::id.eq(e.id)),
                )
                .set((
                    members::name.eq(&m.name),
                    members::relationship.eq(m.relationship.as_str()),
                    members::education.eq(&m.education),
                    members::school_status.eq(&m.school_status),
                    members::health.eq(&m.health),
                    members::disability.eq(&m.disability),
                    members::labour_ability.eq(&m.labour_ability),
                    members::medical_insurance.eq(m.medical_insurance),
                    members::pension.eq(m.pension),
                    members::phone.eq(&m.phone),
                    members::version.eq(members::version + 1),
                ))
                .execute(conn)
                .db()?;
                changes.insert(format!("member {}", e.member.id_masked), json!("updated"));
                written += 1;
            }
            None => {
                super::households::insert_member(conn, keys, row, m)?;
                changes.insert(format!("member {}", m.id_number.masked()), json!("added"));
                written += 1;
            }
        }
    }
    if let Some((y, r)) = &p.year {
        let stored = stored_years.get(&(row.id, *y));
        let same = stored.as_ref().is_some_and(|s| s.record() == *r);
        if !same {
            super::records::put_year(conn, ctx, row.id, *y, stored.map(|s| s.version), r)?;
            changes.insert(format!("year {y}"), json!("recorded"));
        }
    }
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    changes.insert("imported".into(), json!(true));
    record_change(
        conn,
        ctx,
        row.id,
        "updated",
        Value::Object(changes),
        Some("import"),
    )?;
    Ok(Outcome::Updated(written))
}

/// Runs an import for job `job`. Progress and row errors are written to the job as it goes.
///
/// # Errors
/// Only failures that stop the whole import (the database going away); row problems are in
/// the job's errors.
pub fn run(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    job: Uuid,
    rows: &[Row],
    dry_run: bool,
    today: NaiveDate,
) -> Result<ImportSummary, DomainError> {
    let scope = ctx.caller.scope();
    let summary = ImportSummary {
        rows: rows.len(),
        dry_run,
        ..ImportSummary::default()
    };
    let (parsed, errors) = db.in_scope(scope, |conn| {
        let causes = super::cause_catalog(conn)?;
        validate_rows(conn, ctx, rows, &causes, today)
    })?;
    let refused_rows: HashSet<i32> = errors.iter().map(|e| e.row).collect();
    let mut summary = summary;
    summary.households_refused = count_households(rows, &refused_rows);
    let processed = refused_rows.len();
    db.in_scope(scope, |conn| {
        jobs::progress(conn, ctx, job, processed, &errors, "running")
    })?;
    let villages: Vec<i64> = parsed
        .iter()
        .map(|p| p.household.village.as_i64())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names = db.in_scope(scope, |conn| super::village_names(conn, &villages))?;
    // Batches go to a few workers, each with its own connection and transaction; the database
    // is the bottleneck, so two backends nearly double the rate on two cores. Advisory locks
    // taken in sorted order keep concurrent batches from registering one person twice.
    let batches: Vec<&[Parsed]> = parsed.chunks(BATCH).collect();
    let next = AtomicUsize::new(0);
    let stop: Mutex<Option<DomainError>> = Mutex::new(None);
    let shared = Mutex::new((summary, processed));
    std::thread::scope(|s| {
        for _ in 0..WORKERS.min(batches.len()).max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= batches.len() || stop.lock().map_or(true, |g| g.is_some()) {
                        return;
                    }
                    let batch = batches[i];
                    let outcome = run_batch(db, ctx, keys, batch, &names, dry_run)
                        .and_then(|outcomes| record_batch(db, ctx, job, batch, outcomes, &shared));
                    if let Err(e) = outcome
                        && let Ok(mut g) = stop.lock()
                    {
                        g.get_or_insert(e);
                    }
                }
            });
        }
    });
    if let Some(e) = stop.into_inner().ok().flatten() {
        return Err(e);
    }
    let (mut summary, _) = shared
        .into_inner()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?;
    summary.rows_refused += refused_rows.len();
    // The new rows get statistics before the import reports done: plans must not wait for
    // autovacuum (which may be off).
    if !dry_run && summary.households_created + summary.households_updated > 0 {
        db.in_scope(scope, |conn| {
            crate::db::analyze(
                conn,
                &[
                    "households",
                    "members",
                    "household_years",
                    "household_events",
                ],
            )
        })?;
    }
    Ok(summary)
}

/// Adds a batch's outcomes to the summary and writes its progress and row errors.
fn record_batch(
    db: &Db,
    ctx: &Ctx,
    job: Uuid,
    batch: &[Parsed],
    outcomes: Vec<Outcome>,
    shared: &Mutex<(ImportSummary, usize)>,
) -> Result<(), DomainError> {
    let mut batch_errors = Vec::new();
    let mut guard = shared
        .lock()
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("an import worker panicked")))?;
    let (summary, processed) = &mut *guard;
    for (p, o) in batch.iter().zip(outcomes) {
        *processed += p.rows.len();
        match o {
            Outcome::Created(n) => {
                summary.households_created += 1;
                summary.members_written += n;
            }
            Outcome::Updated(n) => {
                summary.households_updated += 1;
                summary.members_written += n;
            }
            Outcome::Unchanged => summary.households_unchanged += 1,
            Outcome::Refused(errs) => {
                summary.households_refused += 1;
                let reported: HashSet<i32> = errs.iter().map(|e| e.row).collect();
                batch_errors.extend(errs);
                for r in &p.rows {
                    if !reported.contains(&i32::try_from(*r).unwrap_or(i32::MAX)) {
                        batch_errors.push(err(
                            *r,
                            "household",
                            "another row of this household was refused; nothing of it was imported",
                        ));
                    }
                }
            }
        }
    }
    summary.rows_refused += batch_errors
        .iter()
        .map(|e| e.row)
        .collect::<HashSet<_>>()
        .len();
    // Written under the lock: error sequence numbers are counted, so writers must not interleave.
    let done = *processed;
    db.in_scope(ctx.caller.scope(), |conn| {
        jobs::progress(conn, ctx, job, done, &batch_errors, "running")
    })
}

/// Records duplicate-registration attempts for the oversight levels above both counties.
fn record_attempts(db: &Db, ctx: &Ctx, attempts: &[(Vec<u8>, i64)]) -> Result<(), DomainError> {
    db.in_scope(ctx.caller.scope(), |conn| {
        for (blind, village) in attempts {
            diesel::sql_query("SELECT zx_record_duplicate_attempt($1, $2, $3, $4, $5)")
                .bind::<Bytea, _>(blind)
                .bind::<BigInt, _>(*village)
                .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
                .bind::<diesel::sql_types::Text, _>(&ctx.caller.username)
                .bind::<diesel::sql_types::Text, _>(&ctx.request_id)
                .execute(conn)
                .db()?;
        }
        Ok(())
    })
}

fn count_households(rows: &[Row], refused: &HashSet<i32>) -> usize {
    rows.iter()
        .filter(|r| refused.contains(&i32::try_from(r.number).unwrap_or(i32::MAX)))
        .map(|r| r.get("household_number"))
        .collect::<HashSet<_>>()
        .len()
}

/// Writes a batch in one transaction; in a dry run rolls it back; when the batch fails as a
/// whole, retries its households one by one so one bad household cannot sink the others.
fn run_batch(
    db: &Db,
    ctx: &Ctx,
    keys: &DataKeys,
    batch: &[Parsed],
    names: &HashMap<i64, String>,
    dry_run: bool,
) -> Result<Vec<Outcome>, DomainError> {
    const ROLLBACK: domain::ErrorCode = domain::ErrorCode::DryRunRollback;
    let scope = ctx.caller.scope();
    // A long import stops when its account is disabled part-way (checked per batch).
    crate::app::imports::still_enabled(db, ctx)?;
    let mut kept = None;
    let mut attempts = Vec::new();
    let result = db.in_scope(scope, |conn| {
        let outcomes = write_batch(conn, ctx, keys, batch, names, &mut attempts)?;
        if dry_run {
            kept = Some(outcomes);
            return Err(DomainError::Conflict {
                code: ROLLBACK,
                message: String::new(),
            });
        }
        Ok(outcomes)
    });
    // Attempts to register people registered elsewhere are on record whatever became of the
    // batch: a dry run must not be a way to test ID numbers unseen.
    if !attempts.is_empty() {
        record_attempts(db, ctx, &attempts)?;
    }
    match result {
        Ok(o) => Ok(o),
        Err(DomainError::Conflict { code: ROLLBACK, .. }) => Ok(kept.unwrap_or_default()),
        Err(DomainError::Unavailable) => Err(DomainError::Unavailable),
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, "import batch failed; retrying its households one by one");
            let mut out = Vec::new();
            for p in batch {
                out.extend(run_batch(
                    db,
                    ctx,
                    keys,
                    std::slice::from_ref(p),
                    names,
                    dry_run,
                )?);
            }
            Ok(out)
        }
        Err(e) => {
            let message = match e {
                DomainError::Validation(v) => v
                    .into_iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                DomainError::Conflict { message, .. } | DomainError::Forbidden(message) => message,
                other => {
                    tracing::error!(error = ?other, "import of a household failed");
                    "could not be saved; nothing of this household was written".into()
                }
            };
            Ok(vec![Outcome::Refused(vec![err(
                batch[0].rows[0],
                "household",
                message,
            )])])
        }
    }
}
