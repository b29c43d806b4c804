//! Cases: households, members, yearly records, measures, their history, search and reveal.
//!
//! Every change writes a `household_events` row holding what changed and the household's state
//! after it (ID numbers masked), so a household can be read as it was on any date, and an
//! audit row. Reads of personal data are audited too.

pub mod card;
pub mod export;
pub mod households;
pub mod import;
pub mod members;
mod numbers;
pub mod records;
pub mod rotate;
pub mod sheet;
pub mod tries;

use std::collections::HashMap;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, RegionCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema as s;

/// A household row.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = s::households)]
pub struct HouseholdRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village.
    pub region_code: i64,
    /// 户编号.
    pub household_number: String,
    /// Address.
    pub address: String,
    /// Residence.
    pub residence: String,
    /// Attribute code.
    pub attribute: String,
    /// Cause codes.
    pub poverty_causes: Vec<String>,
    /// Year identified.
    pub year_identified: i32,
    /// Status code.
    pub status: String,
    /// 帮扶责任人.
    pub responsible_cadre: String,
    /// Notes.
    pub notes: String,
    /// Head's name (denormalised for lists and name search).
    pub head_name: String,
    /// Members.
    pub member_count: i32,
    /// Version (ETag).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// A member row, without the ciphertext or blind index.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = s::members)]
pub struct MemberRow {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Name.
    pub name: String,
    /// `370831********1234`.
    pub id_masked: String,
    /// From the ID number.
    pub sex: String,
    /// From the ID number.
    pub birth_date: NaiveDate,
    /// Relationship code.
    pub relationship: String,
    /// 文化程度.
    pub education: String,
    /// 在校生状况.
    pub school_status: String,
    /// 健康状况.
    pub health: String,
    /// 残疾.
    pub disability: String,
    /// 劳动能力.
    pub labour_ability: String,
    /// 医保.
    pub medical_insurance: bool,
    /// 养老保险.
    pub pension: bool,
    /// Phone.
    pub phone: String,
    /// Version.
    pub version: i32,
}

/// A household with its village name and members.
#[derive(Debug, Clone)]
pub struct HouseholdView {
    /// The row.
    pub household: HouseholdRow,
    /// Village name.
    pub village_name: String,
    /// Members, head first.
    pub members: Vec<MemberRow>,
}

impl HouseholdView {
    /// The state as stored in events (and returned for `as_of`).
    pub fn snapshot(&self) -> Value {
        let h = &self.household;
        json!({
            "id": h.id,
            "household_number": h.household_number,
            "village_code": format!("{:012}", h.region_code),
            "village_name": self.village_name,
            "address": h.address,
            "residence": h.residence,
            "attribute": h.attribute,
            "poverty_causes": h.poverty_causes,
            "year_identified": h.year_identified,
            "status": h.status,
            "responsible_cadre": h.responsible_cadre,
            "notes": h.notes,
            "head_name": h.head_name,
            "version": h.version,
            "members": self.members,
        })
    }
}

/// The poverty-cause catalog as (code, label) pairs.
///
/// # Errors
/// Database failures.
pub fn cause_catalog(conn: &mut PgConnection) -> Result<Vec<(String, String)>, DomainError> {
    s::poverty_causes::table
        .order(s::poverty_causes::sort)
        .select((s::poverty_causes::code, s::poverty_causes::label))
        .load(conn)
        .db()
}

/// Names of villages by code.
pub(crate) fn village_names(
    conn: &mut PgConnection,
    codes: &[i64],
) -> Result<HashMap<i64, String>, DomainError> {
    Ok(s::regions::table
        .filter(s::regions::code.eq_any(codes))
        .select((s::regions::code, s::regions::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// Members of households, head first, then by year of birth, then by id: never by the birth
/// date itself, which the masked number hides (digits 7 to 14) and the order would give away
/// (members born in one year, or a member added with a chosen date, sorting before or after
/// another: docs/security.md §16).
pub(crate) fn members_of(
    conn: &mut PgConnection,
    counties: &[i32],
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<MemberRow>>, DomainError> {
    let rows: Vec<MemberRow> = s::members::table
        .filter(s::members::county_code.eq_any(counties))
        .filter(s::members::household_id.eq_any(ids))
        .select(MemberRow::as_select())
        .load(conn)
        .db()?;
    let mut out: HashMap<Uuid, Vec<MemberRow>> = HashMap::new();
    for m in rows {
        out.entry(m.household_id).or_default().push(m);
    }
    for members in out.values_mut() {
        members.sort_by_key(|m| (m.relationship != "head", m.birth_date.year(), m.id));
    }
    Ok(out)
}

/// Puts a household snapshot's members (JSON, as history keeps them) in the order
/// [`members_of`] gives: head first, then by year of birth, then by id. Snapshots written before
/// that order were sorted by the birth date.
pub(crate) fn order_snapshot_members(members: &mut [Value]) {
    let key = |m: &Value| {
        (
            m.get("relationship").and_then(Value::as_str) != Some("head"),
            m.get("birth_year").and_then(Value::as_i64),
            m.get("id").and_then(Value::as_str).map(str::to_owned),
        )
    };
    members.sort_by_key(key);
}

/// The household with `id` as the caller's scope shows it.
///
/// # Errors
/// `NotFound` outside scope.
pub(crate) fn find(conn: &mut PgConnection, id: Uuid) -> Result<HouseholdRow, DomainError> {
    by_id(id).select(HouseholdRow::as_select()).first(conn).db()
}

/// Locks the households of `ids` that are in scope, in id order (the others are left to the
/// caller's checks to name): lists that admit several households at once lock them so, and two
/// lists naming one household at once check it one after the other.
///
/// # Errors
/// Database failures.
pub(crate) fn lock_in_order(conn: &mut PgConnection, ids: &[Uuid]) -> Result<(), DomainError> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for id in sorted {
        match find_for_update(conn, id) {
            Ok(_) | Err(DomainError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The household with `id`, by its whole primary key: the county comes from
/// `zx_household_county` (a definer lookup of the id alone), so the plan is one primary-key
/// probe whatever the statistics say, never the id index ANDed with the scope range. RLS
/// still decides whether the caller sees the row.
pub fn by_id(id: Uuid) -> s::households::BoxedQuery<'static, diesel::pg::Pg> {
    s::households::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "households.county_code = (SELECT zx_household_county(",
            )
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql("))"),
        )
        .filter(s::households::id.eq(id))
        .into_boxed()
}

/// The row [`view`] reads: the household by its whole primary key ([`by_id`]) with its
/// village's name (one round trip fewer on every read of a household).
fn view_row(
    id: Uuid,
) -> impl diesel::query_dsl::LoadQuery<'static, PgConnection, (HouseholdRow, Option<String>)>
+ diesel::query_builder::QueryFragment<diesel::pg::Pg> {
    by_id(id).select((
        HouseholdRow::as_select(),
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
            "(SELECT r.name FROM regions r WHERE r.code = households.region_code)",
        ),
    ))
}

/// The executed plan of the row query of [`view`], the one every read of a household sends
/// (for the plan tests).
///
/// # Errors
/// Database failures.
pub fn explain_view(conn: &mut PgConnection, id: Uuid) -> Result<Value, DomainError> {
    crate::db::explain(conn, view_row(id))
}

/// The household with `id`, locked until the transaction ends (for updates checked against
/// an `If-Match` version: a concurrent writer with the same version waits, then sees the new one).
///
/// # Errors
/// `NotFound` outside scope.
pub(crate) fn find_for_update(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<HouseholdRow, DomainError> {
    s::households::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "households.county_code = (SELECT zx_household_county(",
            )
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql("))"),
        )
        .filter(s::households::id.eq(id))
        .select(HouseholdRow::as_select())
        .for_update()
        .first(conn)
        .db()
}

/// The full view of a household.
///
/// # Errors
/// `NotFound` outside scope.
pub(crate) fn view(conn: &mut PgConnection, id: Uuid) -> Result<HouseholdView, DomainError> {
    let (household, village_name): (HouseholdRow, Option<String>) =
        view_row(id).get_result(conn).db()?;
    let village_name = village_name.unwrap_or_default();
    let members = members_of(conn, &[household.county_code], &[id])?
        .remove(&id)
        .unwrap_or_default();
    Ok(HouseholdView {
        household,
        village_name,
        members,
    })
}

/// One entry of a household's history, as every writer of it in Rust fills the columns (a
/// change, a backfilled baseline; the carry of a retired month is SQL over the month itself,
/// `partitions::HOUSEHOLD_EVENTS`). `None` of `at` is the table's default, the moment of the
/// insert.
#[derive(Insertable)]
#[diesel(table_name = s::household_events)]
struct HistoryEntry<'a> {
    county_code: i32,
    id: Uuid,
    household_id: Uuid,
    region_code: i64,
    at: Option<DateTime<Utc>>,
    actor_id: Option<Uuid>,
    actor_username: Option<&'a str>,
    kind: &'a str,
    reason: Option<&'a str>,
    changes: Value,
    snapshot: Value,
}

impl<'a> HistoryEntry<'a> {
    /// The entry of `kind` recording `view`'s state, by nobody in particular, now.
    fn of(view: &HouseholdView, kind: &'a str, changes: Value) -> Self {
        let h = &view.household;
        Self {
            county_code: h.county_code,
            id: Uuid::new_v4(),
            household_id: h.id,
            region_code: h.region_code,
            at: None,
            actor_id: None,
            actor_username: None,
            kind,
            reason: None,
            changes,
            snapshot: view.snapshot(),
        }
    }
}

/// Recomputes the head's name and member count, bumps the version, writes the event and the
/// audit row. Every change to a household or its members ends here.
pub(crate) fn record_change(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    kind: &str,
    changes: Value,
    reason: Option<&str>,
) -> Result<HouseholdView, DomainError> {
    let row = find(conn, id)?;
    let (count, head): (i64, Option<String>) = (
        s::members::table
            .filter(s::members::county_code.eq(row.county_code))
            .filter(s::members::household_id.eq(id))
            .count()
            .get_result(conn)
            .db()?,
        s::members::table
            .filter(s::members::county_code.eq(row.county_code))
            .filter(s::members::household_id.eq(id))
            .filter(s::members::relationship.eq("head"))
            .select(s::members::name)
            .first(conn)
            .optional()
            .db()?,
    );
    let bump = if kind == "created" { 0 } else { 1 };
    diesel::update(
        s::households::table
            .filter(s::households::county_code.eq(row.county_code))
            .filter(s::households::id.eq(id)),
    )
    .set((
        s::households::member_count.eq(i32::try_from(count).unwrap_or(i32::MAX)),
        s::households::head_name.eq(head.unwrap_or_default()),
        s::households::version.eq(s::households::version + bump),
        s::households::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .db()?;
    let v = view(conn, id)?;
    let region = super::stored_code(row.region_code)?;
    diesel::insert_into(s::household_events::table)
        .values(HistoryEntry {
            actor_id: Some(ctx.caller.user_id),
            actor_username: Some(&ctx.caller.username),
            reason,
            ..HistoryEntry::of(&v, kind, changes.clone())
        })
        .execute(conn)
        .db()?;
    let fields: Vec<String> = changes
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    audit_household(
        conn,
        ctx,
        &format!("household.{kind}"),
        id,
        region,
        reason,
        changes,
    )?;
    emit_household(conn, ctx, &v, kind, &fields)?;
    Ok(v)
}

/// Households with no history left at all: their months were retired before months carried
/// each household's state forward (see `partitions::HOUSEHOLD_EVENTS`).
#[diesel::dsl::auto_type]
fn without_history() -> _ {
    s::households::table.filter(diesel::dsl::not(diesel::dsl::exists(
        s::household_events::table
            .filter(s::household_events::county_code.eq(s::households::county_code))
            .filter(s::household_events::household_id.eq(s::households::id)),
    )))
}

/// A household's key: county and id.
pub type HouseholdKey = (i32, Uuid);

/// How many households have no history left (see [`backfill_baselines`]).
///
/// # Errors
/// Database failures.
pub fn count_without_history(conn: &mut PgConnection) -> Result<usize, DomainError> {
    let n: i64 = without_history().count().get_result(conn).db()?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Gives the next households (in key order after `after`, at most `batch`) without any history
/// left a `baseline` entry of their state now, dated `boundary` (the start of the oldest month
/// kept): with no entry in the months kept a household has not changed since they began, so
/// its state now is its state then. `changes` says when it last changed
/// (`{"last_change_at": …}`), as a carried baseline does. Runs in the caller's transaction and
/// scope (the retirement's: the platform's, repeatable read, so the household rows, their
/// members and the absence of history are read as of one moment). Returns how many it gave one
/// and the last key, or `None` when none are left.
///
/// # Errors
/// Database failures.
pub fn backfill_baselines(
    conn: &mut PgConnection,
    boundary: DateTime<Utc>,
    after: Option<HouseholdKey>,
    batch: i64,
) -> Result<Option<(usize, HouseholdKey)>, DomainError> {
    let mut q = without_history()
        .select(HouseholdRow::as_select())
        .order((s::households::county_code, s::households::id))
        .limit(batch)
        .into_boxed();
    if let Some((county, id)) = after {
        // A row comparison: the primary key's index starts right after the last key.
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(households.county_code, households.id) > (",
            )
            .bind::<diesel::sql_types::Integer, _>(county)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows: Vec<HouseholdRow> = q.load(conn).db()?;
    let Some(last) = rows.last().map(|h| (h.county_code, h.id)) else {
        return Ok(None);
    };
    let counties: Vec<i32> = rows.iter().map(|h| h.county_code).collect();
    let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
    let codes: Vec<i64> = rows.iter().map(|h| h.region_code).collect();
    let mut members = members_of(conn, &counties, &ids)?;
    let names = village_names(conn, &codes)?;
    let events: Vec<_> = rows
        .into_iter()
        .map(|household| {
            let last_change = household
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let view = HouseholdView {
                village_name: names
                    .get(&household.region_code)
                    .cloned()
                    .unwrap_or_default(),
                members: members.remove(&household.id).unwrap_or_default(),
                household,
            };
            HistoryEntry {
                at: Some(boundary),
                ..HistoryEntry::of(&view, "baseline", json!({ "last_change_at": last_change }))
            }
        })
        .collect();
    let n = diesel::insert_into(s::household_events::table)
        .values(&events)
        .execute(conn)
        .db()?;
    Ok(Some((n, last)))
}

/// The SQL of each household's last history snapshot before a moment, within a scope: rows of
/// `(household_id, region_code, <what>)`, one for every household with history before it, where
/// `what` names the part of `snapshot` needed (the rows are sorted with it: a status, not the
/// whole snapshot, when the status is all that is read). `lo`, `hi` and `before` name the
/// placeholders of the scope's bounds and the moment (`$1`…); the county bound lets the history
/// index serve a county's scope (docs/query-plans.md). Past days of reports and coverage read
/// the registry through this.
pub(crate) fn snapshots_before_sql(what: &str, lo: &str, hi: &str, before: &str) -> String {
    format!(
        "SELECT DISTINCT ON (county_code, household_id) household_id, region_code, {what} \
           FROM household_events WHERE region_code BETWEEN {lo} AND {hi} AND at < {before} \
            AND county_code BETWEEN ({lo} / 1000000)::int AND ({hi} / 1000000)::int \
          ORDER BY county_code, household_id, at DESC, id DESC"
    )
}

/// Raises `household.created` or `household.changed` in the outbox. The event names what
/// changed, not the values: receivers read the household through the API, under its rules.
pub(crate) fn emit_household(
    conn: &mut PgConnection,
    ctx: &Ctx,
    v: &HouseholdView,
    kind: &str,
    fields: &[String],
) -> Result<(), DomainError> {
    let h = &v.household;
    let event = if kind == "created" {
        domain::webhooks::EventKind::HouseholdCreated
    } else {
        domain::webhooks::EventKind::HouseholdChanged
    };
    super::webhooks::emit(
        conn,
        ctx,
        event,
        super::stored_code(h.region_code)?,
        "household",
        h.id,
        json!({
            "household_id": h.id,
            "household_number": h.household_number,
            "village": format!("{:012}", h.region_code),
            "status": h.status,
            "version": h.version,
            "change": kind,
            "fields": fields,
        }),
    )
}

/// An audit row about a household.
pub(crate) fn audit_household(
    conn: &mut PgConnection,
    ctx: &Ctx,
    action: &str,
    id: Uuid,
    region: RegionCode,
    reason: Option<&str>,
    details: Value,
) -> Result<(), DomainError> {
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action,
            object_type: "household",
            object_id: Some(id.to_string()),
            region,
            reason: reason.map(str::to_owned),
            details,
        },
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn snapshot_members_are_ordered_head_first_then_by_year_then_by_id() {
        // As a snapshot written before the order changed keeps them: by birth date.
        let mut members = vec![
            json!({"id": "c", "relationship": "child", "birth_year": 2010}),
            json!({"id": "d", "relationship": "spouse", "birth_year": 1972}),
            json!({"id": "b", "relationship": "child", "birth_year": 2010}),
            json!({"id": "z", "relationship": "head", "birth_year": 1970}),
            json!({"id": "a", "relationship": "child", "birth_year": 2012}),
        ];
        super::order_snapshot_members(&mut members);
        let ids: Vec<&str> = members.iter().filter_map(|m| m["id"].as_str()).collect();
        assert_eq!(ids, ["z", "d", "b", "c", "a"]);
    }
}
