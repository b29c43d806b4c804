//! Registering, reading (now or as of a date), listing, counting, changing households.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Bytea, Integer, Text};
use domain::authz::perm;
use domain::cases::{Attribute, IdNumber, Status, ValidHousehold, ValidMember};
use domain::{DomainError, RegionCode, Scope};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{HouseholdRow, HouseholdView, audit_household, find, record_change, view};
use crate::app::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::pii::DataKeys;
use crate::schema::{household_events, households, members};

/// A household to register, validated.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    /// The household.
    pub household: ValidHousehold,
    /// Its members (exactly one head).
    pub members: Vec<ValidMember>,
}

/// What a registration did.
#[derive(Debug)]
pub enum Registered {
    /// Registered.
    Created(Box<HouseholdView>),
    /// A member's ID number is registered already (here or in another county). Nothing was
    /// written but the record of the attempt; `field` names the member.
    AlreadyRegistered {
        /// `members[i].id_number`.
        field: String,
    },
}

/// Checks that the caller holds `permission` at `village` and that it can hold cases.
pub(crate) fn check_village(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    field: &str,
    permission: &str,
) -> Result<(), DomainError> {
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::field(field, domain::Rule::OutsideScope));
    }
    ctx.caller.require_at(permission, village)?;
    crate::app::users::check_org_unit(conn, field, village)
}

pub(crate) use super::numbers::check_number_county;

/// Serialises registrations of the same people across counties and transactions: one advisory
/// lock per person, taken in sorted order in one statement so two transactions never wait on
/// each other in opposite orders.
///
/// # Errors
/// Database failures.
pub(crate) fn lock_people(conn: &mut PgConnection, blinds: &[Vec<u8>]) -> Result<(), DomainError> {
    diesel::sql_query(
        "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtextextended(encode(b, 'hex'), 11) AS k \
         FROM unnest($1::bytea[]) AS b ORDER BY 1) AS s",
    )
    .bind::<diesel::sql_types::Array<Bytea>, _>(blinds)
    .execute(conn)
    .db()?;
    Ok(())
}

/// Whether a person is registered anywhere (any county), by blind index.
pub(crate) fn registered_anywhere(
    conn: &mut PgConnection,
    keys: &DataKeys,
    id: &IdNumber,
) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let found: Found = diesel::sql_query("SELECT zx_id_registered($1) AS found")
        .bind::<Bytea, _>(&keys.blind_index(id))
        .get_result(conn)
        .db()?;
    Ok(found.found)
}

/// Whether a person is registered anywhere; if so, records the attempt for the oversight level
/// above both counties. Call [`lock_people`] first.
///
/// The answer tells whether a full number is registered, so the caller must have recorded the
/// try first, in a transaction of its own ([`super::tries::try_numbers`]); without that
/// record this refuses (an internal error: a route that forgot it), and past the limit of tries
/// of the number's masked form it refuses with `TooManyRequests`.
pub(crate) fn already_registered(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    id: &IdNumber,
    region: RegionCode,
) -> Result<bool, DomainError> {
    if !super::tries::try_number(conn, ctx, keys, super::tries::Register::Members, id)?.before {
        return Err(DomainError::Unexpected(anyhow::anyhow!(
            "an ID number was checked against the registry without its try recorded first"
        )));
    }
    let found = registered_anywhere(conn, keys, id)?;
    if found {
        diesel::sql_query("SELECT zx_record_duplicate_attempt($1, $2, $3, $4, $5)")
            .bind::<Bytea, _>(&keys.blind_index(id))
            .bind::<BigInt, _>(region.as_i64())
            .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
            .bind::<Text, _>(&ctx.caller.username)
            .bind::<Text, _>(&ctx.request_id)
            .execute(conn)
            .db()?;
    }
    Ok(found)
}

/// Inserts one member (encrypting the ID number); returns its id.
pub(crate) fn insert_member(
    conn: &mut PgConnection,
    keys: &DataKeys,
    household: &HouseholdRow,
    m: &ValidMember,
) -> Result<Uuid, DomainError> {
    let id = Uuid::new_v4();
    let (key, cipher) = keys.encrypt(id, &m.id_number)?;
    diesel::insert_into(members::table)
        .values((
            members::county_code.eq(household.county_code),
            members::id.eq(id),
            members::household_id.eq(household.id),
            members::region_code.eq(household.region_code),
            members::name.eq(&m.name),
            members::id_cipher.eq(cipher),
            members::id_key.eq(key),
            members::id_blind.eq(keys.blind_index(&m.id_number)),
            members::id_masked.eq(m.id_number.masked()),
            members::sex.eq(m.id_number.sex().as_str()),
            members::birth_date.eq(m.id_number.birth_date()),
            members::relationship.eq(m.relationship.as_str()),
            members::education.eq(&m.education),
            members::school_status.eq(&m.school_status),
            members::health.eq(&m.health),
            members::disability.eq(&m.disability),
            members::labour_ability.eq(&m.labour_ability),
            members::medical_insurance.eq(m.medical_insurance),
            members::pension.eq(m.pension),
            members::phone.eq(&m.phone),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::AlreadyRegistered,
                message: "this person is already registered".into(),
            },
            other => other,
        })?;
    Ok(id)
}

/// Registers a household with its members, all or nothing.
///
/// # Errors
/// `Validation` (422) for a village outside scope or unknown; `Forbidden` without
/// `cases:write` there; `Conflict` when the household number is used in the county.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    new: &NewHousehold,
) -> Result<Registered, DomainError> {
    create_as(conn, ctx, keys, new, Status::Registered)
}

/// Registers a household that starts in `status` (`non_poor` when monitoring brings a household
/// that was never poor into the registry).
pub(crate) fn create_as(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    new: &NewHousehold,
    status: Status,
) -> Result<Registered, DomainError> {
    let h = &new.household;
    check_village(conn, ctx, h.village, "village_code", perm::CASES_WRITE)?;
    check_number_county(conn, &h.household_number, h.village)?
        .map_err(|m| DomainError::field("household_number", m))?;
    let blinds: Vec<Vec<u8>> = new
        .members
        .iter()
        .map(|m| keys.blind_index(&m.id_number))
        .collect();
    lock_people(conn, &blinds)?;
    // In the order of their masked forms (the checks take one lock per user, in any order).
    let mut order: Vec<(usize, &ValidMember)> = new.members.iter().enumerate().collect();
    order.sort_by_cached_key(|(_, m)| m.id_number.masked());
    for (i, m) in order {
        if already_registered(conn, ctx, keys, &m.id_number, h.village)? {
            return Ok(Registered::AlreadyRegistered {
                field: format!("members[{i}].id_number"),
            });
        }
    }
    let id = Uuid::new_v4();
    let row: HouseholdRow = diesel::insert_into(households::table)
        .values((
            households::county_code.eq(h.village.county_code()),
            households::id.eq(id),
            households::region_code.eq(h.village.as_i64()),
            households::household_number.eq(&h.household_number),
            households::address.eq(&h.address),
            households::residence.eq(&h.residence),
            households::attribute.eq(h.attribute.as_str()),
            households::poverty_causes.eq(&h.poverty_causes),
            households::year_identified.eq(h.year_identified),
            households::status.eq(status.as_str()),
            households::responsible_cadre.eq(&h.responsible_cadre),
            households::notes.eq(&h.notes),
            households::head_name.eq(""),
            households::created_by.eq(ctx.caller.user_id),
        ))
        .returning(HouseholdRow::as_returning())
        .get_result(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::HouseholdNumberTaken,
                message: "household_number: this number is already used in the county".into(),
            },
            other => other,
        })?;
    for m in &new.members {
        insert_member(conn, keys, &row, m)?;
    }
    let view = record_change(
        conn,
        ctx,
        id,
        "created",
        json!({ "status": status.as_str() }),
        None,
    )?;
    Ok(Registered::Created(Box::new(view)))
}

/// Reads a household (audited: it holds personal data).
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<HouseholdView, DomainError> {
    let v = view(conn, id)?;
    audit_household(
        conn,
        ctx,
        "household.read",
        id,
        stored_code(v.household.region_code)?,
        None,
        json!({}),
    )?;
    Ok(v)
}

/// Audits a read of what hangs off a household (`part`: its history, yearly records,
/// measures): they hold personal data too (phones and health in the history, incomes).
///
/// # Errors
/// `NotFound` outside scope; database failures.
pub fn audit_part_read(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    part: &str,
) -> Result<(), DomainError> {
    let row = super::find(conn, id)?;
    audit_household(
        conn,
        ctx,
        "household.read",
        id,
        stored_code(row.region_code)?,
        None,
        json!({ "part": part }),
    )
}

use domain::calendar::end_of_day;

/// The household as it was at the end of `date` (China time): the state after the last change
/// on or before that day.
///
/// # Errors
/// `NotFound` outside scope or when it was not registered yet on that date.
pub fn get_as_of(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    date: NaiveDate,
) -> Result<Value, DomainError> {
    let row = find(conn, id)?;
    // The newest event before the day's end: months after it are pruned, the walk stops at the
    // first row.
    type Then = (Value, chrono::DateTime<chrono::Utc>, String, Value);
    let (mut snapshot, at, kind, changes): Then = crate::db::load_page(
        conn,
        household_events::table
            .filter(household_events::county_code.eq(row.county_code))
            .filter(household_events::household_id.eq(id))
            .filter(household_events::at.lt(end_of_day(date)))
            .order((household_events::at.desc(), household_events::id.desc()))
            .select((
                household_events::snapshot,
                household_events::at,
                household_events::kind,
                household_events::changes,
            ))
            .limit(1),
    )?
    .into_iter()
    .next()
    .ok_or(DomainError::NotFound)?;
    // A baseline (the state carried past archived months) was last changed when it says.
    let updated_at = changes
        .get("last_change_at")
        .and_then(Value::as_str)
        .filter(|_| kind == "baseline")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(at, |t| t.with_timezone(&chrono::Utc));
    // The same shape as the household now: the times, and members as the API shows them.
    if let Some(h) = snapshot.as_object_mut() {
        h.insert("created_at".into(), json!(row.created_at));
        h.insert("updated_at".into(), json!(updated_at));
        if let Some(Value::Array(members)) = h.get_mut("members") {
            for m in members.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(masked) = m.remove("id_masked") {
                    m.insert("id_number_masked".into(), masked);
                }
                m.remove("household_id");
                m.remove("region_code");
                // As a member is shown now: the year of birth, never the date (digits 7 to 14
                // of the ID number, which the masked form hides).
                if let Some(date) = m.remove("birth_date") {
                    let year = date
                        .as_str()
                        .and_then(|d| d.get(..4))
                        .and_then(|y| y.parse::<i32>().ok());
                    m.insert("birth_year".into(), json!(year));
                }
            }
            super::order_snapshot_members(members);
        }
    }
    audit_household(
        conn,
        ctx,
        "household.read",
        id,
        stored_code(row.region_code)?,
        None,
        json!({ "as_of": date }),
    )?;
    Ok(snapshot)
}

/// Filters of the household list.
#[derive(Debug, Clone)]
pub struct HouseholdFilter {
    /// Codes to search (a region's subtree, already capped by the caller's scope).
    pub within: Scope,
    /// Status.
    pub status: Option<Status>,
    /// Attribute.
    pub attribute: Option<Attribute>,
    /// Households naming this cause.
    pub cause: Option<String>,
    /// Year identified.
    pub year_identified: Option<i32>,
    /// Year of the income record the income range applies to.
    pub income_year: Option<i32>,
    /// Lowest per-capita income, fen.
    pub income_min: Option<i64>,
    /// Highest per-capita income, fen.
    pub income_max: Option<i64>,
    /// Head's name prefix.
    pub head_name_prefix: Option<String>,
}

type Boxed<'a> = households::BoxedQuery<'a, diesel::pg::Pg>;

fn filtered(f: &HouseholdFilter) -> Boxed<'static> {
    let mut q = households::table
        .filter(households::region_code.between(f.within.lo(), f.within.hi()))
        .into_boxed();
    // The county range lets the (county_code, household_number) index serve wide scopes.
    let (c_lo, c_hi) = (f.within.lo() / 1_000_000, f.within.hi() / 1_000_000);
    q = q.filter(households::county_code.between(
        i32::try_from(c_lo).unwrap_or(0),
        i32::try_from(c_hi).unwrap_or(i32::MAX),
    ));
    if let Some(s) = f.status {
        q = q.filter(households::status.eq(s.as_str()));
    }
    if let Some(a) = f.attribute {
        q = q.filter(households::attribute.eq(a.as_str()));
    }
    if let Some(c) = &f.cause {
        // `= ANY` rather than `@>`: the GIN index would win an estimate made without statistics
        // and then sort every match; walking the list order and filtering stops after the page.
        q = q.filter(
            sql::<Bool>("")
                .bind::<Text, _>(c.clone())
                .sql(" = ANY (poverty_causes)"),
        );
    }
    if let Some(y) = f.year_identified {
        q = q.filter(households::year_identified.eq(y));
    }
    if let Some(p) = &f.head_name_prefix {
        q = q.filter(households::head_name.like(format!("{}%", escape_like(p))));
    }
    if let Some(year) = f.income_year {
        // A probe of the year's record per household walked, by its primary key. `OFFSET 0`
        // keeps it a subplan (not a join that reads the whole year); `+ 0` on the year and the
        // income keeps the (county, year, income) index, which reads the county's whole year per
        // probe, from winning an estimate made without statistics.
        q = q.filter(
            sql::<Bool>(
                "EXISTS (SELECT 1 FROM household_years y WHERE y.county_code = households.county_code \
                 AND y.household_id = households.id AND y.year + 0 = ",
            )
            .bind::<Integer, _>(year)
            .sql(" AND y.income_per_capita_fen + 0 BETWEEN ")
            .bind::<BigInt, _>(f.income_min.unwrap_or(i64::MIN))
            .sql(" AND ")
            .bind::<BigInt, _>(f.income_max.unwrap_or(i64::MAX))
            .sql(" OFFSET 0)"),
        );
    }
    q
}

/// `text` for a LIKE pattern: `\`, `%` and `_` match themselves.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A page of households in list order — (village, county, household number), the order of the
/// `households_scope` index and of one per frequent filter, so every scope and filter is an index
/// walk that stops after the page — after `after` (village, household number).
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    f: &HouseholdFilter,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<HouseholdRow>, DomainError> {
    crate::db::load_page(
        conn,
        list_query(f, after, limit).select(HouseholdRow::as_select()),
    )
}

/// The executed plans (`EXPLAIN (ANALYZE, FORMAT JSON)`) of the queries [`list`] sends for these
/// arguments.
///
/// # Errors
/// Database failures.
pub fn explain_list(
    conn: &mut PgConnection,
    f: &HouseholdFilter,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<Value>, DomainError> {
    let (rows, plans) = crate::db::capture_plans(|| list(conn, f, after, limit));
    rows.map(|_| plans)
}

fn list_query(f: &HouseholdFilter, after: Option<(i64, String)>, limit: i64) -> Boxed<'static> {
    let mut q = filtered(f)
        .order((
            households::region_code,
            households::county_code,
            households::household_number,
        ))
        .limit(limit);
    if let Some((region, number)) = after {
        // A row comparison is one index condition on (region_code, county_code, household_number).
        let county = i32::try_from(region / 1_000_000).unwrap_or(i32::MAX);
        q = q.filter(
            sql::<Bool>("(region_code, county_code, household_number) > (")
                .bind::<BigInt, _>(region)
                .sql(", ")
                .bind::<Integer, _>(county)
                .sql(", ")
                .bind::<Text, _>(number)
                .sql(")"),
        );
    }
    q
}

/// How many households match.
///
/// # Errors
/// Database failures.
pub fn count(conn: &mut PgConnection, f: &HouseholdFilter) -> Result<i64, DomainError> {
    filtered(f).count().get_result(conn).db()
}

/// A household count as the caller may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The count; `None` when suppressed.
    pub count: Option<i64>,
    /// The small-cell threshold applied (callers without household access), if any.
    pub min_cell: Option<i64>,
}

/// How many households match, as the caller may see it. A caller with household access (at the
/// county or below, or holding `cases:drilldown` above it) gets the exact count under any
/// filter of its scope. Any other caller gets an aggregate under the rules of reports
/// ([`crate::app::reports::AggregateRules`]): no filter that singles out a person (a name;
/// income ranges narrower than whole bands), and counts under `reports.min_cell_people`
/// suppressed.
///
/// # Errors
/// 422 naming `name`, `income_min` or `income_max` for a filter that singles out a person;
/// database failures.
pub fn count_for(
    conn: &mut PgConnection,
    ctx: &Ctx,
    f: &HouseholdFilter,
) -> Result<Counted, DomainError> {
    // Exact counts where household access (drilldown) covers the whole range counted: held at
    // one county, it does not lift the rules over the rest of the city.
    let rules = if ctx.caller.can_over(perm::CASES_DRILLDOWN, f.within) {
        None
    } else {
        crate::app::reports::AggregateRules::for_caller(conn, ctx)?
    };
    let Some(rules) = rules else {
        return Ok(Counted {
            count: Some(count(conn, f)?),
            min_cell: None,
        });
    };
    if f.head_name_prefix.is_some() {
        return Err(DomainError::field(
            "name",
            domain::Rule::other(
                "singles out a person: above the county without household access (cases:drilldown), counts take no name filter",
                "会识别到个人:县级以上且无户级访问权限(cases:drilldown)时,统计不接受姓名筛选",
            ),
        ));
    }
    rules.check_income_range(f.income_min, f.income_max)?;
    Ok(Counted {
        count: rules.shown(count(conn, f)?),
        min_cell: Some(rules.min_cell),
    })
}

/// Changes to a household's own fields (status changes only through domain operations).
#[derive(Debug, Clone, Default)]
pub struct HouseholdChanges {
    /// Address.
    pub address: Option<String>,
    /// Residence.
    pub residence: Option<String>,
    /// Attribute.
    pub attribute: Option<Attribute>,
    /// Cause codes.
    pub poverty_causes: Option<Vec<String>>,
    /// Year identified.
    pub year_identified: Option<i32>,
    /// 帮扶责任人.
    pub responsible_cadre: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// Applies changes if `expected_version` is current; records what changed and why.
///
/// # Errors
/// `NotFound`, `Forbidden`, `PreconditionFailed`.
pub fn update(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i32,
    c: &HouseholdChanges,
    reason: Option<&str>,
) -> Result<HouseholdView, DomainError> {
    let row = super::find_for_update(conn, id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(row.region_code)?)?;
    if row.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(field.into(), json!([old, new]));
        }
    };
    if let Some(v) = &c.address {
        note("address", json!(row.address), json!(v));
    }
    if let Some(v) = &c.residence {
        note("residence", json!(row.residence), json!(v));
    }
    if let Some(v) = c.attribute {
        note("attribute", json!(row.attribute), json!(v.as_str()));
    }
    if let Some(v) = &c.poverty_causes {
        note("poverty_causes", json!(row.poverty_causes), json!(v));
    }
    if let Some(v) = c.year_identified {
        note("year_identified", json!(row.year_identified), json!(v));
    }
    if let Some(v) = &c.responsible_cadre {
        note("responsible_cadre", json!(row.responsible_cadre), json!(v));
    }
    if let Some(v) = &c.notes {
        note("notes", json!(row.notes), json!(v));
    }
    if changes.is_empty() {
        return view(conn, id);
    }
    let target = households::table
        .filter(households::county_code.eq(row.county_code))
        .filter(households::id.eq(id));
    diesel::update(target)
        .set((
            households::address.eq(c.address.clone().unwrap_or(row.address)),
            households::residence.eq(c.residence.clone().unwrap_or(row.residence)),
            households::attribute.eq(c
                .attribute
                .map_or(row.attribute, |a| a.as_str().to_string())),
            households::poverty_causes.eq(c.poverty_causes.clone().unwrap_or(row.poverty_causes)),
            households::year_identified.eq(c.year_identified.unwrap_or(row.year_identified)),
            households::responsible_cadre
                .eq(c.responsible_cadre.clone().unwrap_or(row.responsible_cadre)),
            households::notes.eq(c.notes.clone().unwrap_or(row.notes)),
        ))
        .execute(conn)
        .db()?;
    record_change(conn, ctx, id, "updated", Value::Object(changes), reason)
}

/// One entry of a household's history.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    /// Event id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor_username: Option<String>,
    /// `created`, `updated`, `member_added`, `status_changed`, …
    pub kind: String,
    /// Why.
    pub reason: Option<String>,
    /// Field → [before, after].
    pub changes: Value,
}

/// A household's history, newest first, before `before`.
///
/// # Errors
/// `NotFound` outside scope.
pub fn history(
    conn: &mut PgConnection,
    id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<EventRow>, DomainError> {
    let row = find(conn, id)?;
    let mut q = household_events::table
        .filter(household_events::county_code.eq(row.county_code))
        .filter(household_events::household_id.eq(id))
        .order((household_events::at.desc(), household_events::id.desc()))
        .select((
            household_events::id,
            household_events::at,
            household_events::actor_username,
            household_events::kind,
            household_events::reason,
            household_events::changes,
        ))
        .limit(limit)
        .into_boxed();
    if let Some((at, eid)) = before {
        q = q.filter(
            household_events::at.lt(at).or(household_events::at
                .eq(at)
                .and(household_events::id.lt(eid))),
        );
    }
    // Partitioned by month: the walk runs through the months newest first and stops after the
    // page.
    crate::db::load_page(conn, q)
}

/// Moves a household to another status through the lifecycle (used by the exit and monitoring
/// workflows).
///
/// # Errors
/// `Validation` when the lifecycle does not allow the move.
pub fn change_status(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    to: Status,
    reason: &str,
) -> Result<HouseholdView, DomainError> {
    let row = super::find_for_update(conn, id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(row.region_code)?)?;
    apply_status(conn, ctx, &row, to, reason)
}

/// Moves a household (locked by the caller) to `to` and records the event. Workflows call it
/// after checking their own permissions; the lifecycle is checked here.
///
/// # Errors
/// `Validation` when the lifecycle forbids the move.
pub(crate) fn apply_status(
    conn: &mut PgConnection,
    ctx: &Ctx,
    row: &HouseholdRow,
    to: Status,
    reason: &str,
) -> Result<HouseholdView, DomainError> {
    let id = row.id;
    let from =
        Status::parse(&row.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
    if !from.can_become(to) {
        return Err(DomainError::field(
            "status",
            domain::Rule::other(
                format!(
                    "a {} household cannot become {}",
                    from.as_str(),
                    to.as_str()
                ),
                format!("状态为 {} 的户不能变为 {}", from.as_str(), to.as_str()),
            ),
        ));
    }
    diesel::update(
        households::table
            .filter(households::county_code.eq(row.county_code))
            .filter(households::id.eq(id)),
    )
    .set(households::status.eq(to.as_str()))
    .execute(conn)
    .db()?;
    record_change(
        conn,
        ctx,
        id,
        "status_changed",
        json!({ "status": [from.as_str(), to.as_str()] }),
        Some(reason),
    )
}
