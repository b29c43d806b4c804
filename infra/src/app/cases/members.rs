//! Members: adding, changing, removing; exact search by ID number; the audited reveal.

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::cases::{IdNumber, Relationship, ValidMember};
use domain::{DomainError, RegionCode};
use serde_json::json;
use uuid::Uuid;

use super::households::{already_registered, insert_member, lock_people};
use super::{HouseholdRow, HouseholdView, MemberRow, find, record_change};
use crate::app::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::pii::DataKeys;
use crate::schema::{households, members};

/// What adding or changing a member did.
#[derive(Debug)]
pub enum MemberOutcome {
    /// Done; the household as it is now.
    Done(Box<HouseholdView>),
    /// The ID number is registered already; nothing changed but the record of the attempt.
    AlreadyRegistered,
}

fn member(
    conn: &mut PgConnection,
    household: &HouseholdRow,
    member_id: Uuid,
) -> Result<MemberRow, DomainError> {
    members::table
        .filter(members::county_code.eq(household.county_code))
        .filter(members::household_id.eq(household.id))
        .filter(members::id.eq(member_id))
        .select(MemberRow::as_select())
        .first(conn)
        .db()
}

/// The household, locked: its member count and head's name are recounted from its members
/// after each change, so two changes at once run one after the other (the second recounted a
/// snapshot without the first's member and wrote a count one short).
fn writable(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
) -> Result<HouseholdRow, DomainError> {
    let h = super::find_for_update(conn, household_id)?;
    ctx.caller
        .require_at(perm::CASES_WRITE, stored_code(h.region_code)?)?;
    Ok(h)
}

fn head_of(conn: &mut PgConnection, h: &HouseholdRow) -> Result<Option<Uuid>, DomainError> {
    members::table
        .filter(members::county_code.eq(h.county_code))
        .filter(members::household_id.eq(h.id))
        .filter(members::relationship.eq("head"))
        .select(members::id)
        .first(conn)
        .optional()
        .db()
}

/// One member of a household (audited read).
///
/// # Errors
/// The first member (by id) registered in `village`, if any: for seeding demo data.
///
/// # Errors
/// Database failures.
pub fn first_in(conn: &mut PgConnection, village: RegionCode) -> Result<Option<Uuid>, DomainError> {
    members::table
        .filter(members::region_code.eq(village.as_i64()))
        .select(members::id)
        .order(members::id)
        .first::<Uuid>(conn)
        .optional()
        .db()
}

/// `NotFound` when the household is outside scope or the member is not in it.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    member_id: Uuid,
) -> Result<MemberRow, DomainError> {
    let h = find(conn, household_id)?;
    let m = member(conn, &h, member_id)?;
    super::audit_household(
        conn,
        ctx,
        "member.read",
        household_id,
        stored_code(h.region_code)?,
        None,
        json!({ "member_id": member_id }),
    )?;
    Ok(m)
}

/// Adds a member. A second head is refused.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Validation`.
pub fn add(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    household_id: Uuid,
    m: &ValidMember,
) -> Result<MemberOutcome, DomainError> {
    let h = writable(conn, ctx, household_id)?;
    if m.relationship == Relationship::Head && head_of(conn, &h)?.is_some() {
        return Err(DomainError::field(
            "relationship",
            domain::Rule::other("the household has a head already", "该户已有户主"),
        ));
    }
    lock_people(conn, &[keys.blind_index(&m.id_number)])?;
    if already_registered(conn, ctx, keys, &m.id_number, stored_code(h.region_code)?)? {
        return Ok(MemberOutcome::AlreadyRegistered);
    }
    let id = insert_member(conn, keys, &h, m)?;
    let v = record_change(
        conn,
        ctx,
        household_id,
        "member_added",
        json!({ "member_id": id, "name": m.name }),
        None,
    )?;
    Ok(MemberOutcome::Done(Box::new(v)))
}

/// Changes to a member.
#[derive(Debug, Clone, Default)]
pub struct MemberChanges {
    /// Name.
    pub name: Option<String>,
    /// A corrected ID number.
    pub id_number: Option<IdNumber>,
    /// Relationship. Making a member the head turns the former head into `other`.
    pub relationship: Option<Relationship>,
    /// 文化程度.
    pub education: Option<String>,
    /// 在校生状况.
    pub school_status: Option<String>,
    /// 健康状况.
    pub health: Option<String>,
    /// 残疾.
    pub disability: Option<String>,
    /// 劳动能力.
    pub labour_ability: Option<String>,
    /// 医保.
    pub medical_insurance: Option<bool>,
    /// 养老保险.
    pub pension: Option<bool>,
    /// Phone.
    pub phone: Option<String>,
}

/// Changes a member if `expected_version` is current.
///
/// # Errors
/// `NotFound`, `Forbidden`, `PreconditionFailed`, `Validation` (the head cannot stop being the
/// head except by making another member head).
pub fn update(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    household_id: Uuid,
    member_id: Uuid,
    expected_version: i32,
    c: &MemberChanges,
) -> Result<MemberOutcome, DomainError> {
    let h = writable(conn, ctx, household_id)?;
    // Locked until commit, so two writers holding the same ETag cannot both win.
    let m: MemberRow = members::table
        .filter(members::county_code.eq(h.county_code))
        .filter(members::household_id.eq(h.id))
        .filter(members::id.eq(member_id))
        .select(MemberRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    if m.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    // A corrected ID number is checked before anything is written: a refusal changes nothing.
    // Compared by blind index: masked forms hide the digits a correction usually touches.
    let new_id = match &c.id_number {
        Some(id) => {
            let current: Vec<u8> = members::table
                .filter(members::county_code.eq(h.county_code))
                .filter(members::id.eq(member_id))
                .select(members::id_blind)
                .first(conn)
                .db()?;
            let blind = keys.blind_index(id);
            if blind == current {
                None
            } else {
                lock_people(conn, &[blind])?;
                if already_registered(conn, ctx, keys, id, stored_code(h.region_code)?)? {
                    return Ok(MemberOutcome::AlreadyRegistered);
                }
                Some(id)
            }
        }
        None => None,
    };
    let mut changes = serde_json::Map::new();
    let target = members::table
        .filter(members::county_code.eq(h.county_code))
        .filter(members::id.eq(member_id));
    if let Some(rel) = c.relationship
        && rel.as_str() != m.relationship
    {
        if m.relationship == "head" {
            return Err(DomainError::field(
                "relationship",
                domain::Rule::other(
                    "the head stays head until another member is made head",
                    "在另一名成员成为户主前,户主保持不变",
                ),
            ));
        }
        if rel == Relationship::Head
            && let Some(old) = head_of(conn, &h)?
        {
            diesel::update(
                members::table
                    .filter(members::county_code.eq(h.county_code))
                    .filter(members::id.eq(old)),
            )
            .set((
                members::relationship.eq("other"),
                members::version.eq(members::version + 1),
            ))
            .execute(conn)
            .db()?;
            changes.insert(
                "former_head".into(),
                json!({ "member_id": old, "relationship": ["head", "other"] }),
            );
        }
        changes.insert("relationship".into(), json!([m.relationship, rel.as_str()]));
        diesel::update(target)
            .set(members::relationship.eq(rel.as_str()))
            .execute(conn)
            .db()?;
    }
    if let Some(id) = new_id {
        let (key, cipher) = keys.encrypt(member_id, id)?;
        diesel::update(target)
            .set((
                members::id_cipher.eq(cipher),
                members::id_key.eq(key),
                members::id_blind.eq(keys.blind_index(id)),
                members::id_masked.eq(id.masked()),
                members::sex.eq(id.sex().as_str()),
                members::birth_date.eq(id.birth_date()),
            ))
            .execute(conn)
            .map_err(|e| match map_db_error(e) {
                DomainError::Conflict { .. } => DomainError::field(
                    "id_number",
                    domain::Rule::other("this person is already registered", "此人已登记"),
                ),
                other => other,
            })?;
        changes.insert("id_number".into(), json!([m.id_masked, id.masked()]));
    }
    macro_rules! text_field {
        ($field:ident) => {
            if let Some(v) = &c.$field
                && *v != m.$field
            {
                changes.insert(stringify!($field).into(), json!([m.$field, v]));
                diesel::update(target)
                    .set(members::$field.eq(v))
                    .execute(conn)
                    .db()?;
            }
        };
    }
    text_field!(name);
    text_field!(education);
    text_field!(school_status);
    text_field!(health);
    text_field!(disability);
    text_field!(labour_ability);
    text_field!(phone);
    text_field!(medical_insurance);
    text_field!(pension);
    if changes.is_empty() {
        return super::view(conn, household_id).map(|v| MemberOutcome::Done(Box::new(v)));
    }
    diesel::update(target)
        .set((
            members::version.eq(members::version + 1),
            members::updated_at.eq(chrono::Utc::now()),
        ))
        .execute(conn)
        .db()?;
    changes.insert("member_id".into(), json!(member_id));
    let v = record_change(
        conn,
        ctx,
        household_id,
        "member_updated",
        serde_json::Value::Object(changes),
        None,
    )?;
    Ok(MemberOutcome::Done(Box::new(v)))
}

/// Removes a member (not the head).
///
/// # Errors
/// `NotFound`, `Forbidden`, `Validation` for the head.
pub fn remove(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    member_id: Uuid,
    reason: Option<&str>,
) -> Result<HouseholdView, DomainError> {
    let h = writable(conn, ctx, household_id)?;
    let m = member(conn, &h, member_id)?;
    if m.relationship == "head" {
        return Err(DomainError::field(
            "member_id",
            domain::Rule::other(
                "the head cannot be removed; make another member head first",
                "不能删除户主;请先将另一名成员设为户主",
            ),
        ));
    }
    diesel::delete(
        members::table
            .filter(members::county_code.eq(h.county_code))
            .filter(members::id.eq(member_id)),
    )
    .execute(conn)
    .db()?;
    record_change(
        conn,
        ctx,
        household_id,
        "member_removed",
        json!({ "member_id": member_id, "name": m.name, "id_number": m.id_masked }),
        reason,
    )
}

/// A tag of a full ID number: the first 8 bytes of a keyed hash (under the blind-index key and a
/// purpose of its own), which tells two numbers apart and nothing else.
fn number_tag(keys: &DataKeys, id: &IdNumber) -> String {
    keys.blind_mac(&format!("member.search {}", id.expose()))
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A full ID number let through [`try_number`].
pub(crate) struct Tried {
    /// Its tag, for the audit row that records the try.
    pub tag: String,
    /// Whether the caller tried it already in the last 24 hours.
    pub before: bool,
}

/// What a try is counted under: the masked form and the birth year, which is what a reader
/// sees of a member (the hidden digits are then a month and a day).
type Bucket = (String, i32);

fn bucket_of(id: &IdNumber) -> Bucket {
    use chrono::Datelike as _;
    (id.masked(), id.birth_date().year())
}

/// The start of the window tries are counted in.
fn window_start() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::days(1)
}

/// Takes the caller's lock of their tries (across instances): two tries sent at once, by two
/// requests or an import's two workers, would each count the other's audit row as not yet
/// there. One lock per user, not per form: an import batch may check thousands of forms, more
/// than PostgreSQL's lock table holds for one transaction.
fn lock_tries(conn: &mut PgConnection, ctx: &Ctx) -> Result<(), DomainError> {
    crate::db::lock_key(conn, 53, &format!("{}:tries", ctx.caller.user_id))
}

/// The caller's tries of these buckets in the window: per bucket, each tag with its latest
/// try. Counted by the actor wherever the rows were written (the request's row-level-security
/// scope may not reach them all), through a function that returns forms, years, tags and times
/// only. A try recorded without a year (before years were recorded) counts for every year of
/// its form.
fn tries_of(
    conn: &mut PgConnection,
    ctx: &Ctx,
    buckets: &std::collections::BTreeSet<Bucket>,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<Bucket, HashMap<String, chrono::DateTime<chrono::Utc>>>, DomainError> {
    #[derive(diesel::QueryableByName)]
    struct Try {
        #[diesel(sql_type = diesel::sql_types::Text)]
        masked: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        birth_year: Option<i32>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        tag: String,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        at: chrono::DateTime<chrono::Utc>,
    }
    let mut out: HashMap<Bucket, HashMap<String, chrono::DateTime<chrono::Utc>>> = buckets
        .iter()
        .map(|b| (b.clone(), HashMap::new()))
        .collect();
    if buckets.is_empty() {
        return Ok(out);
    }
    let mut forms: Vec<&str> = buckets.iter().map(|(m, _)| m.as_str()).collect();
    forms.dedup();
    let rows: Vec<Try> =
        diesel::sql_query("SELECT masked, birth_year, tag, at FROM zx_number_tries($1, $2, $3)")
            .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&forms)
            .bind::<diesel::sql_types::Timestamptz, _>(since)
            .load(conn)
            .db()?;
    let mut years: HashMap<&str, Vec<i32>> = HashMap::new();
    for (masked, year) in buckets {
        years.entry(masked.as_str()).or_default().push(*year);
    }
    for t in rows {
        let of_form = years.get(t.masked.as_str()).map_or(&[][..], Vec::as_slice);
        for year in of_form {
            if t.birth_year.is_none_or(|y| y == *year) {
                let tags = out.entry((t.masked.clone(), *year)).or_default();
                let e = tags.entry(t.tag.clone()).or_insert(t.at);
                *e = (*e).max(t.at);
            }
        }
    }
    Ok(out)
}

/// Lets the caller try one more full ID number against the registry, or refuses with
/// `TooManyRequests` when they have tried `keys.tries_per_form()` other numbers of its masked
/// form and birth year in the last 24 hours (by search, by registering them, or in an import).
/// The caller records the try with the tag, as `member.search` or `member.id_check` (the
/// actions `zx_number_tries` counts), with the masked number and the birth year.
///
/// The masked form hides only digits 7 to 14, the birth date: numbers that share it and the
/// year differ in their month and day alone, about thirty for a member. Each try tells
/// whether one of them is registered (a search finds it; a registration is refused, or goes
/// through), so trying the dates one by one would rebuild the number without the audited
/// reveal. Trying one number again counts once.
///
/// # Errors
/// `TooManyRequests` past the limit, with the time until a try leaves the window; database
/// failures.
pub(crate) fn try_number(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    id: &IdNumber,
) -> Result<Tried, DomainError> {
    let bucket = bucket_of(id);
    let tag = number_tag(keys, id);
    lock_tries(conn, ctx)?;
    let since = window_start();
    let buckets = std::collections::BTreeSet::from([bucket.clone()]);
    let mut latest = tries_of(conn, ctx, &buckets, since)?
        .remove(&bucket)
        .unwrap_or_default();
    let before = latest.remove(&tag).is_some();
    let limit = usize::try_from(keys.tries_per_form()).unwrap_or(0);
    if !before && latest.len() >= limit {
        // Free again once enough numbers have had no try in the window: the `over + 1`-th
        // oldest latest try leaves it.
        let over = latest.len() - limit;
        let mut ends: Vec<_> = latest.into_values().collect();
        ends.sort();
        return Err(window_full(ends.get(over).copied(), since));
    }
    Ok(Tried { tag, before })
}

/// The details of a try's audit row: the masked number, the year it is counted under, the tag.
fn try_details(id: &IdNumber, tag: &str) -> serde_json::Value {
    let (masked, year) = bucket_of(id);
    json!({ "id_number": masked, "birth_year": year, "tag": tag })
}

/// Records a try of a full ID number as a `member.id_check` audit row (what
/// `zx_number_tries` counts), with [`try_details`].
fn record_id_check(
    conn: &mut PgConnection,
    ctx: &Ctx,
    details: serde_json::Value,
) -> Result<(), DomainError> {
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "member.id_check",
            object_type: "person",
            object_id: None,
            region: ctx.caller.unit(),
            reason: None,
            details,
        },
    )
}

/// How a full ID number of an import's row stands to the members of the caller's scope that
/// share its masked form and birth year (what a reader sees of a member: the only members
/// whose numbers the row could be a guess at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No such member, or only members the caller registered with their household and nobody
    /// changed since (whose numbers they know): nothing to guess, not counted.
    Free,
    /// The row names the member itself (its own household on a re-import, the person a visit
    /// is for): not counted while the bucket has room, refused with the rest once it is full,
    /// so a refusal never tells a right number from a wrong one.
    Known,
    /// Another number of such a member's bucket: counted as a try.
    Try,
}

/// The members of the caller's scope with the masked form and birth year of one of these
/// numbers: the members an import row's number could be a guess at, when the import answers
/// whether a number is found in the caller's scope (unless the caller registered them with
/// their household, unchanged since, and knows their numbers). For [`gate_import`]'s
/// standings. Sets `enable_seqscan` back to `on` for the rest of the transaction.
///
/// # Errors
/// Database failures.
pub fn targets(
    conn: &mut PgConnection,
    ctx: &Ctx,
    ids: &[&IdNumber],
) -> Result<Targets, DomainError> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Text)]
        masked: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        year: i32,
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        blind: Vec<u8>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        household_number: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        mine: bool,
    }
    let buckets: std::collections::BTreeSet<Bucket> = ids.iter().map(|id| bucket_of(id)).collect();
    let mut out = Targets::default();
    let all: Vec<Bucket> = buckets.into_iter().collect();
    for chunk in all.chunks(2_000) {
        let forms: Vec<&str> = chunk.iter().map(|(m, _)| m.as_str()).collect();
        let years: Vec<i32> = chunk.iter().map(|(_, y)| *y).collect();
        // One probe of `members_masked` per bucket, whatever the county's size or its
        // statistics (a bulk load's new rows have none, and the planner then takes the table
        // for empty and scans it per bucket: sequential scans are priced out for this one
        // statement); the `LIMIT` keeps the lateral join from being flattened (a bucket's
        // numbers differ in month and day alone: at most 366 people).
        diesel::sql_query("SET LOCAL enable_seqscan = off")
            .execute(conn)
            .db()?;
        let found: Vec<Found> = diesel::sql_query(
            "SELECT t.masked, t.year, t.blind, t.household_number, t.mine \
             FROM unnest($1::text[], $2::int[]) AS u(masked, year) \
             CROSS JOIN LATERAL ( \
               SELECT m.id_masked AS masked, u.year, m.id_blind AS blind, h.household_number, \
                      coalesce(h.created_by = $3, false) AND m.created_at = h.created_at \
                        AND m.updated_at = m.created_at AS mine \
                 FROM members m \
                 JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id \
                WHERE m.id_masked = u.masked \
                  AND m.birth_date >= make_date(u.year, 1, 1) \
                  AND m.birth_date < make_date(u.year + 1, 1, 1) \
                LIMIT 400) AS t",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&forms)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(&years)
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .load(conn)
        .db()?;
        diesel::sql_query("SET LOCAL enable_seqscan = on")
            .execute(conn)
            .db()?;
        for f in found {
            out.0.entry((f.masked, f.year)).or_default().push(Target {
                blind: f.blind,
                household_number: f.household_number,
                mine: f.mine,
            });
        }
    }
    Ok(out)
}

/// A member [`targets`] found.
#[derive(Debug)]
struct Target {
    blind: Vec<u8>,
    household_number: String,
    /// Registered with its household by the caller and not changed since: they know its
    /// number.
    mine: bool,
}

/// What [`targets`] found, per bucket.
#[derive(Debug, Default)]
pub struct Targets(HashMap<Bucket, Vec<Target>>);

impl Targets {
    /// No member of any bucket asked about: every row is free.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The standing of a row's number: `Free` when its bucket has no member, or only
    /// members the caller registered (and nobody changed); else `Known` when one of the bucket's
    /// members has this number (and, with `household`, is in that household), `Try` when not.
    pub fn standing(&self, keys: &DataKeys, id: &IdNumber, household: Option<&str>) -> Standing {
        let Some(found) = self.0.get(&bucket_of(id)) else {
            return Standing::Free;
        };
        if found.iter().all(|t| t.mine) {
            return Standing::Free;
        }
        let blind = keys.blind_index(id);
        let own = found
            .iter()
            .any(|t| t.blind == blind && household.is_none_or(|h| h == t.household_number));
        if own { Standing::Known } else { Standing::Try }
    }
}

/// The standings of a household import's rows against the registry's members of each row's
/// masked form and birth year **in every county** (the import answers "already registered"
/// for any county, so its guesses count whoever they aim at): `Known` for the row's own
/// person in its own household (`county`, `household` number) within the caller's scope, `Free` when the bucket holds no
/// member or only members the caller registered with their household, unchanged since.
/// Through `zx_import_standings`, which returns the standings and nothing of the members.
///
/// # Errors
/// Database failures.
pub fn registry_standings(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    rows: &[(&IdNumber, i32, &str)],
) -> Result<Vec<Standing>, DomainError> {
    use diesel::sql_types::{Array, Bytea, Integer, Text};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Integer)]
        i: i32,
        #[diesel(sql_type = Text)]
        standing: String,
    }
    let mut out = vec![Standing::Free; rows.len()];
    for (n, chunk) in rows.chunks(2_000).enumerate() {
        let buckets: Vec<Bucket> = chunk.iter().map(|(id, _, _)| bucket_of(id)).collect();
        let masked: Vec<&str> = buckets.iter().map(|(m, _)| m.as_str()).collect();
        let years: Vec<i32> = buckets.iter().map(|(_, y)| *y).collect();
        let blinds: Vec<Vec<u8>> = chunk
            .iter()
            .map(|(id, _, _)| keys.blind_index(id))
            .collect();
        let counties: Vec<i32> = chunk.iter().map(|(_, c, _)| *c).collect();
        let numbers: Vec<&str> = chunk.iter().map(|(_, _, h)| *h).collect();
        let found: Vec<Row> = diesel::sql_query(
            "SELECT i, standing FROM zx_import_standings($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .bind::<Array<Text>, _>(&masked)
        .bind::<Array<Integer>, _>(&years)
        .bind::<Array<Bytea>, _>(&blinds)
        .bind::<Array<Integer>, _>(&counties)
        .bind::<Array<Text>, _>(&numbers)
        .bind::<diesel::sql_types::BigInt, _>(ctx.caller.scope().lo())
        .bind::<diesel::sql_types::BigInt, _>(ctx.caller.scope().hi())
        .load(conn)
        .db()?;
        for r in found {
            let at = n * 2_000 + usize::try_from(r.i - 1).unwrap_or(usize::MAX);
            if let Some(slot) = out.get_mut(at) {
                *slot = match r.standing.as_str() {
                    "free" => Standing::Free,
                    "known" => Standing::Known,
                    _ => Standing::Try,
                };
            }
        }
    }
    Ok(out)
}

/// Counts an import's rows against the caller's daily tries of each masked form and birth
/// year ([`try_number`]), the tries in the order given before the `Known` rows, and records a
/// `member.id_check` audit row for each new try. Returns, per row, whether it may be checked: a row past the limit is not
/// checked at all (a `Known` one neither, so the refusal tells nothing); rows refused raise an
/// `alert.quota_exceeded` audit row.
///
/// Run it in a transaction of its own, before the batch's (a dry run rolls the batch back;
/// the tries stay).
///
/// # Errors
/// Database failures.
pub fn gate_import(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    rows: &[(&IdNumber, Standing)],
) -> Result<Vec<bool>, DomainError> {
    let buckets: std::collections::BTreeSet<Bucket> = rows
        .iter()
        .filter(|(_, s)| *s != Standing::Free)
        .map(|(id, _)| bucket_of(id))
        .collect();
    if buckets.is_empty() {
        return Ok(vec![true; rows.len()]);
    }
    lock_tries(conn, ctx)?;
    let mut tried = tries_of(conn, ctx, &buckets, window_start())?;
    let limit = usize::try_from(keys.tries_per_form()).unwrap_or(0);
    let mut allowed = vec![true; rows.len()];
    // The tries first, then the rows of members themselves: a `Known` row is let through only
    // while its bucket has room, and is not recorded, so were it judged in file order, a
    // second run of the same file (the real import after its dry run) would find the bucket
    // filled by the tries the first run recorded after it, and answer differently.
    let order = rows
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| *s == Standing::Try)
        .chain(
            rows.iter()
                .enumerate()
                .filter(|(_, (_, s))| *s == Standing::Known),
        );
    for (at, (id, standing)) in order {
        let tags = tried.entry(bucket_of(id)).or_default();
        let tag = number_tag(keys, id);
        let ok = tags.contains_key(&tag) || tags.len() < limit;
        if let Some(slot) = allowed.get_mut(at) {
            *slot = ok;
        }
        if ok && *standing == Standing::Try && !tags.contains_key(&tag) {
            tags.insert(tag.clone(), chrono::Utc::now());
            record_id_check(conn, ctx, try_details(id, &tag))?;
        }
    }
    let refused = allowed.iter().filter(|ok| !**ok).count();
    if refused > 0 {
        // For the county's auditors, as a route's refusal past a quota raises one.
        tracing::warn!(user = %ctx.caller.username, refused, "import rows past the daily tries of a masked form");
        ctx.audit(
            conn,
            "alert.quota_exceeded",
            "import",
            "id_check",
            ctx.caller.unit(),
            json!({ "quota": "ZX_SEARCH_SAME_MASK_DAILY_LIMIT", "rows_not_checked": refused }),
        )?;
    }
    Ok(allowed)
}

/// The row error of an import row past the limit of tries of its masked form.
pub fn too_many_tries() -> domain::Rule {
    domain::Rule::other(
        "not checked: too many different numbers of this masked form and birth year were tried today; import this row tomorrow, or ask someone who may read full ID numbers",
        "未核验:今日已核验过多同一掩码和出生年份的身份证号;请明日再导入此行,或请有权查看完整身份证号的人员导入",
    )
}

/// Records the tries of the full ID numbers a write is about to check against the registry
/// (registering a household, adding a member, correcting a number, a monitoring case's new
/// household), one `member.id_check` audit row each with the masked number, the tag and
/// whether it is registered; refuses with `TooManyRequests` past the limit of [`try_number`].
///
/// Run it in a transaction of its own, before the write's: a write refused after its check
/// (a field found bad later, a conflict) rolls back, and would take an uncounted try with it,
/// while its answer (409, or the later refusal) still told whether the number is registered.
/// The write's check ([`super::households::already_registered`]) requires this record.
///
/// # Errors
/// `TooManyRequests`; database failures.
pub fn try_numbers(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    ids: &[IdNumber],
) -> Result<(), DomainError> {
    for id in ids {
        let tried = try_number(conn, ctx, keys, id)?;
        let found = super::households::registered_anywhere(conn, keys, id)?;
        let mut details = try_details(id, &tried.tag);
        details["found"] = json!(found);
        record_id_check(conn, ctx, details)?;
    }
    Ok(())
}

/// Members with this exact ID number inside the caller's scope (at most one), with their
/// household. The search is audited with the masked number and a tag of the full one, and
/// counts toward the number's masked form ([`try_number`]).
///
/// # Errors
/// `TooManyRequests` past the limit of tries of one masked form; database failures.
pub fn search(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    id: &IdNumber,
) -> Result<Vec<(MemberRow, HouseholdRow)>, DomainError> {
    let tag = try_number(conn, ctx, keys, id)?.tag;
    let found: Vec<(MemberRow, HouseholdRow)> = crate::db::load_page(
        conn,
        members::table
            .inner_join(
                households::table.on(households::county_code
                    .eq(members::county_code)
                    .and(households::id.eq(members::household_id))),
            )
            .filter(members::id_blind.eq(keys.blind_index(id)))
            .select((MemberRow::as_select(), HouseholdRow::as_select())),
    )?;
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "member.search",
            object_type: "person",
            object_id: found.first().map(|(m, _)| m.id.to_string()),
            region: ctx.caller.unit(),
            reason: None,
            details: {
                let mut d = try_details(id, &tag);
                d["found"] = json!(found.len());
                d
            },
        },
    )?;
    Ok(found)
}

/// A 24-hour window at its limit: `TooManyRequests` until the action at `oldest` (the one
/// whose leaving frees the window; after `since`, 24 hours ago) leaves it.
fn window_full(
    oldest: Option<chrono::DateTime<chrono::Utc>>,
    since: chrono::DateTime<chrono::Utc>,
) -> DomainError {
    let wait = oldest.map_or(3600, |t| (t - since).num_seconds().max(1));
    DomainError::TooManyRequests(std::time::Duration::from_secs(
        u64::try_from(wait).unwrap_or(3600),
    ))
}

/// Refuses with `TooManyRequests` when the caller has done `action` `limit` times in the last
/// 24 hours (counted in the audit log by the actor, wherever the rows were written, so every
/// instance and every scope of the caller sees the same count).
///
/// # Errors
/// `TooManyRequests` with the time until the oldest counted action leaves the window.
pub fn check_daily(
    conn: &mut PgConnection,
    ctx: &Ctx,
    action: &str,
    limit: i64,
) -> Result<(), DomainError> {
    #[derive(diesel::QueryableByName)]
    struct Done {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        oldest: Option<chrono::DateTime<chrono::Utc>>,
    }
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    // Counted by the actor wherever the rows were written (see `zx_number_tries`).
    let done: Done = diesel::sql_query("SELECT n, oldest FROM zx_actor_actions($1, $2, $3)")
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .bind::<diesel::sql_types::Text, _>(action)
        .bind::<diesel::sql_types::Timestamptz, _>(since)
        .get_result(conn)
        .db()?;
    if done.n >= limit {
        return Err(window_full(done.oldest, since));
    }
    Ok(())
}

/// The full ID number of a member, for a caller holding `cases:reveal` there, with a reason
/// (audited with the reason), at most `daily_limit` a day per user.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without the permission; `Validation` without a reason;
/// `TooManyRequests` past the daily limit.
pub fn reveal(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    member_id: Uuid,
    reason: &str,
    daily_limit: i64,
) -> Result<String, DomainError> {
    // Mass reveal is the abuse to fear here: each user may reveal only so many numbers a day.
    check_daily(conn, ctx, "member.reveal", daily_limit)?;
    let reason = reason.trim();
    if reason.chars().count() < 4 || reason.chars().count() > 500 {
        return Err(DomainError::field(
            "reason",
            domain::Rule::other(
                "say why, in 4 to 500 characters",
                "请用 4 至 500 个字符说明理由",
            ),
        ));
    }
    let (household_id, region, key, cipher): (Uuid, i64, i16, Vec<u8>) = members::table
        .filter(members::id.eq(member_id))
        .select((
            members::household_id,
            members::region_code,
            members::id_key,
            members::id_cipher,
        ))
        .first(conn)
        .db()?;
    let region = stored_code(region)?;
    ctx.caller.require_at(perm::CASES_REVEAL, region)?;
    let plain = keys.decrypt(key, member_id, &cipher)?;
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "member.reveal",
            object_type: "member",
            object_id: Some(member_id.to_string()),
            region,
            reason: Some(reason.to_string()),
            details: json!({ "household_id": household_id }),
        },
    )?;
    Ok(plain)
}
