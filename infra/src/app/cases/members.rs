//! Members: adding, changing, removing; exact search by ID number; the audited reveal.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::cases::{IdNumber, Relationship, ValidMember};
use domain::{DomainError, RegionCode};
use serde_json::json;
use uuid::Uuid;

use super::households::{already_registered, insert_member, lock_people};
use super::tries::{Register, try_details, try_number};
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
    expected_version: i32,
    reason: Option<&str>,
) -> Result<HouseholdView, DomainError> {
    let h = writable(conn, ctx, household_id)?;
    let m = member(conn, &h, member_id)?;
    // Removed as read: a member corrected since (their name, their ID number) is not removed on
    // the strength of what the caller saw before, as a PATCH would not be applied.
    if m.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
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
    let tag = try_number(conn, ctx, keys, Register::Members, id)?.tag;
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
                let mut d = try_details(Register::Members, id, &tag);
                d["found"] = json!(found.len());
                d
            },
        },
    )?;
    Ok(found)
}

/// A 24-hour window at its limit: `TooManyRequests` until the action at `oldest` (the one
/// whose leaving frees the window; after `since`, 24 hours ago) leaves it.
pub(super) fn window_full(
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
    // One at a time per user and action until this transaction ends (its audit row with it):
    // requests sent at once all counted the same committed rows and all passed.
    crate::db::lock_key(conn, 67, &format!("{}:{action}", ctx.caller.user_id))?;
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
