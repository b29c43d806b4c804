//! Writing new households in bulk: `COPY` into session temporary tables, then set-based
//! `INSERT … SELECT` into the real tables.
//!
//! PostgreSQL refuses `COPY FROM` into a table under row-level security, and a multi-row
//! `INSERT` with tens of thousands of bound parameters spends much of its time binding and
//! planning. A temporary table has no policies and no indexes: each batch is `COPY`d there in
//! the binary format (cheap for both sides), and one `INSERT … SELECT` per table moves it into
//! the tenant table, where the row-level-security policy checks every row (`WITH CHECK`), as do
//! the constraints, foreign keys, unique indexes (a person registered once, across counties)
//! and the rollup trigger. The temporary tables live as long as the pooled connection and empty
//! themselves at every commit (`ON COMMIT DELETE ROWS`); a rollback discards what was copied.

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};

use super::*;

diesel::table! {
    zx_imp_households (id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        household_number -> Text,
        address -> Text,
        residence -> Text,
        attribute -> Text,
        poverty_causes -> Array<Text>,
        year_identified -> Int4,
        status -> Text,
        responsible_cadre -> Text,
        notes -> Text,
        head_name -> Text,
        member_count -> Int4,
        created_by -> Uuid,
    }
}

diesel::table! {
    zx_imp_members (id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        name -> Text,
        id_cipher -> Bytea,
        id_key -> Int2,
        id_blind -> Bytea,
        id_masked -> Text,
        sex -> Text,
        birth_date -> Date,
        relationship -> Text,
        education -> Text,
        school_status -> Text,
        health -> Text,
        disability -> Text,
        labour_ability -> Text,
        medical_insurance -> Bool,
        pension -> Bool,
        phone -> Text,
    }
}

diesel::table! {
    zx_imp_years (household_id, year) {
        county_code -> Int4,
        household_id -> Uuid,
        year -> Int4,
        region_code -> Int8,
        income_per_capita_fen -> Int8,
        wage_income_fen -> Int8,
        production_income_fen -> Int8,
        property_income_fen -> Int8,
        transfer_income_fen -> Int8,
        enough_food -> Bool,
        enough_clothing -> Bool,
        compulsory_education -> Bool,
        basic_medical -> Bool,
        safe_housing -> Bool,
        safe_drinking_water -> Bool,
    }
}

diesel::table! {
    /// A new household's history event ("created") and its audit row share the key.
    zx_imp_events (id) {
        county_code -> Int4,
        id -> Uuid,
        audit_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        household_number -> Text,
        snapshot -> Jsonb,
    }
}

/// The temporary tables, made once per session (a rollback of the transaction that made them
/// unmakes them; `IF NOT EXISTS` makes them again). The batch's transaction compresses large
/// values with lz4 where the server has it (a household's snapshot, 2–3 KB, is compressed once
/// in the temporary table and moved as it is): pglz took a twentieth of the import's CPU.
const TEMP_TABLES: &str = "
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS zx_imp_households (
  county_code integer, id uuid, region_code bigint, household_number text, address text,
  residence text, attribute text, poverty_causes text[], year_identified integer, status text,
  responsible_cadre text, notes text, head_name text, member_count integer, created_by uuid
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS zx_imp_members (
  county_code integer, id uuid, household_id uuid, region_code bigint, name text, id_cipher bytea,
  id_key smallint, id_blind bytea, id_masked text, sex text, birth_date date, relationship text,
  education text, school_status text, health text, disability text, labour_ability text,
  medical_insurance boolean, pension boolean, phone text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS zx_imp_years (
  county_code integer, household_id uuid, year integer, region_code bigint,
  income_per_capita_fen bigint, wage_income_fen bigint, production_income_fen bigint,
  property_income_fen bigint, transfer_income_fen bigint, enough_food boolean,
  enough_clothing boolean, compulsory_education boolean, basic_medical boolean,
  safe_housing boolean, safe_drinking_water boolean
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS zx_imp_events (
  county_code integer, id uuid, audit_id uuid, household_id uuid, region_code bigint,
  household_number text, snapshot jsonb
) ON COMMIT DELETE ROWS;
SET LOCAL client_min_messages = notice;
DO $$ BEGIN
  PERFORM set_config('default_toast_compression', 'lz4', true);
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
";

#[derive(Insertable)]
#[diesel(table_name = zx_imp_households, treat_none_as_default_value = false)]
pub(super) struct NewHouseholdRow<'a> {
    pub(super) county_code: i32,
    pub(super) id: Uuid,
    pub(super) region_code: i64,
    pub(super) household_number: &'a str,
    pub(super) address: &'a str,
    pub(super) residence: &'a str,
    pub(super) attribute: &'a str,
    pub(super) poverty_causes: &'a [String],
    pub(super) year_identified: i32,
    pub(super) status: &'a str,
    pub(super) responsible_cadre: &'a str,
    pub(super) notes: &'a str,
    pub(super) head_name: &'a str,
    pub(super) member_count: i32,
    pub(super) created_by: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = zx_imp_members, treat_none_as_default_value = false)]
pub(super) struct NewMemberRow<'a> {
    pub(super) county_code: i32,
    pub(super) id: Uuid,
    pub(super) household_id: Uuid,
    pub(super) region_code: i64,
    pub(super) name: &'a str,
    pub(super) id_cipher: Vec<u8>,
    pub(super) id_key: i16,
    pub(super) id_blind: Vec<u8>,
    pub(super) id_masked: String,
    pub(super) sex: &'a str,
    pub(super) birth_date: NaiveDate,
    pub(super) relationship: &'a str,
    pub(super) education: &'a str,
    pub(super) school_status: &'a str,
    pub(super) health: &'a str,
    pub(super) disability: &'a str,
    pub(super) labour_ability: &'a str,
    pub(super) medical_insurance: bool,
    pub(super) pension: bool,
    pub(super) phone: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = zx_imp_years, treat_none_as_default_value = false)]
struct NewYearRow {
    county_code: i32,
    household_id: Uuid,
    year: i32,
    region_code: i64,
    income_per_capita_fen: i64,
    wage_income_fen: i64,
    production_income_fen: i64,
    property_income_fen: i64,
    transfer_income_fen: i64,
    enough_food: bool,
    enough_clothing: bool,
    compulsory_education: bool,
    basic_medical: bool,
    safe_housing: bool,
    safe_drinking_water: bool,
}

#[derive(Insertable)]
#[diesel(table_name = zx_imp_events, treat_none_as_default_value = false)]
struct NewEventRow<'a> {
    county_code: i32,
    id: Uuid,
    audit_id: Uuid,
    household_id: Uuid,
    region_code: i64,
    household_number: &'a str,
    snapshot: Value,
}

/// A new household's yearly record, as the batch collects it.
pub(super) type NewYear = (i32, Uuid, i32, i64, YearRecord);

/// Writes the batch's new households, their members, yearly records, "created" history events
/// and audit rows: each table one `COPY` into its temporary table and one `INSERT … SELECT`.
pub(super) fn insert_new(
    conn: &mut PgConnection,
    ctx: &Ctx,
    households: &[NewHouseholdRow<'_>],
    members: &[NewMemberRow<'_>],
    years: &[NewYear],
    views: &[HouseholdView],
) -> Result<(), DomainError> {
    conn.batch_execute(TEMP_TABLES).db()?;
    diesel::copy_from(zx_imp_households::table)
        .from_insertable(households)
        .execute(conn)
        .db()?;
    diesel::copy_from(zx_imp_members::table)
        .from_insertable(members)
        .execute(conn)
        .db()?;
    let years: Vec<NewYearRow> = years
        .iter()
        .map(|(county, id, y, region, r)| NewYearRow {
            county_code: *county,
            household_id: *id,
            year: *y,
            region_code: *region,
            income_per_capita_fen: r.income_per_capita_fen,
            wage_income_fen: r.wage_income_fen,
            production_income_fen: r.production_income_fen,
            property_income_fen: r.property_income_fen,
            transfer_income_fen: r.transfer_income_fen,
            enough_food: r.enough_food,
            enough_clothing: r.enough_clothing,
            compulsory_education: r.compulsory_education,
            basic_medical: r.basic_medical,
            safe_housing: r.safe_housing,
            safe_drinking_water: r.safe_drinking_water,
        })
        .collect();
    if !years.is_empty() {
        diesel::copy_from(zx_imp_years::table)
            .from_insertable(&years)
            .execute(conn)
            .db()?;
    }
    let events: Vec<NewEventRow<'_>> = views
        .iter()
        .map(|v| NewEventRow {
            county_code: v.household.county_code,
            id: Uuid::new_v4(),
            audit_id: Uuid::new_v4(),
            household_id: v.household.id,
            region_code: v.household.region_code,
            household_number: &v.household.household_number,
            snapshot: v.snapshot(),
        })
        .collect();
    diesel::copy_from(zx_imp_events::table)
        .from_insertable(&events)
        .execute(conn)
        .db()?;
    // Households first: members, yearly records and events refer to them. In key order, as
    // the batch's probe locked them (see `write_batch`).
    diesel::sql_query(
        "INSERT INTO households (county_code, id, region_code, household_number, address, residence,
           attribute, poverty_causes, year_identified, status, responsible_cadre, notes, head_name,
           member_count, created_by)
         SELECT county_code, id, region_code, household_number, address, residence, attribute,
           poverty_causes, year_identified, status, responsible_cadre, notes, head_name,
           member_count, created_by FROM zx_imp_households ORDER BY county_code, household_number",
    )
    .execute(conn)
    .db()?;
    // Members in blind-index order: the unique index on it is the only lock a person takes, so
    // two imports naming the same people (in different households, in different orders) wait
    // for each other at the first shared person instead of deadlocking.
    diesel::sql_query(
        "INSERT INTO members (county_code, id, household_id, region_code, name, id_cipher, id_key,
           id_blind, id_masked, sex, birth_date, relationship, education, school_status, health,
           disability, labour_ability, medical_insurance, pension, phone)
         SELECT county_code, id, household_id, region_code, name, id_cipher, id_key, id_blind,
           id_masked, sex, birth_date, relationship, education, school_status, health, disability,
           labour_ability, medical_insurance, pension, phone FROM zx_imp_members ORDER BY id_blind",
    )
    .execute(conn)
    .db()?;
    if !years.is_empty() {
        diesel::sql_query(
            "INSERT INTO household_years (county_code, household_id, year, region_code,
               income_per_capita_fen, wage_income_fen, production_income_fen, property_income_fen,
               transfer_income_fen, enough_food, enough_clothing, compulsory_education,
               basic_medical, safe_housing, safe_drinking_water)
             SELECT county_code, household_id, year, region_code, income_per_capita_fen,
               wage_income_fen, production_income_fen, property_income_fen, transfer_income_fen,
               enough_food, enough_clothing, compulsory_education, basic_medical, safe_housing,
               safe_drinking_water FROM zx_imp_years",
        )
        .execute(conn)
        .db()?;
    }
    diesel::sql_query(
        "INSERT INTO household_events (county_code, id, household_id, region_code, actor_id,
           actor_username, kind, changes, snapshot)
         SELECT county_code, id, household_id, region_code, $1, $2, 'created',
           '{\"imported\": true}'::jsonb, snapshot FROM zx_imp_events",
    )
    .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
    .bind::<Text, _>(&ctx.caller.username)
    .execute(conn)
    .db()?;
    audit_created(conn, ctx)
}

/// The audit rows of the new households ("household.created"), written into the log directly:
/// the `audit_events` view's trigger would look up the action and the actor once per row; here
/// they are looked up (and added when new, as the trigger does) once per batch.
fn audit_created(conn: &mut PgConnection, ctx: &Ctx) -> Result<(), DomainError> {
    let actor = ctx.actor();
    let org = actor.org.map(RegionCode::as_i64);
    // `WHERE NOT EXISTS` first, so an existing entry does not use up a value of the sequence.
    diesel::sql_query(
        "INSERT INTO audit_kinds (action, object_type)
         SELECT 'household.created', 'household' WHERE NOT EXISTS
           (SELECT 1 FROM audit_kinds WHERE action = 'household.created' AND object_type = 'household')
         ON CONFLICT DO NOTHING",
    )
    .execute(conn)
    .db()?;
    diesel::sql_query(
        "INSERT INTO audit_actors (key, user_id, username, roles, org)
         SELECT zx_audit_actor_key($1, $2, $3, $4), $1, $2, $3, $4 WHERE NOT EXISTS
           (SELECT 1 FROM audit_actors WHERE key = zx_audit_actor_key($1, $2, $3, $4))
         ON CONFLICT DO NOTHING",
    )
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(actor.id)
    .bind::<Nullable<Text>, _>(&actor.username)
    .bind::<Array<Text>, _>(&actor.roles)
    .bind::<Nullable<diesel::sql_types::BigInt>, _>(org)
    .execute(conn)
    .db()?;
    diesel::sql_query(
        "INSERT INTO audit_log (at, region_code, county_code, actor, kind, id, actor_id, request_id,
           object_id, details)
         SELECT clock_timestamp(), e.region_code, e.county_code,
           (SELECT a.id FROM audit_actors a WHERE a.key = zx_audit_actor_key($1, $2, $3, $4)),
           (SELECT k.id FROM audit_kinds k
             WHERE k.action = 'household.created' AND k.object_type = 'household'),
           e.audit_id, $1, $5, e.household_id::text,
           jsonb_build_object('imported', true, 'household_number', e.household_number)
         FROM zx_imp_events e",
    )
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(actor.id)
    .bind::<Nullable<Text>, _>(&actor.username)
    .bind::<Array<Text>, _>(&actor.roles)
    .bind::<Nullable<diesel::sql_types::BigInt>, _>(org)
    .bind::<Nullable<Text>, _>(&actor.request_id)
    .execute(conn)
    .db()?;
    Ok(())
}
