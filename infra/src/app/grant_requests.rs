//! A second administrator's approval for grants of operational roles (issue 23 item 3).
//!
//! When the effective setting `users.operational_grant_approval` of the unit's county (or, above
//! the counties, of its province) is on, [`super::users::grant`] turns a grant of an operational
//! role into a *request*. Another administrator approves it (and the grant is made then, with the
//! usual `role.grant` and `alert.operational_role_granted` rows) or rejects it with a reason.
//!
//! Who may approve: an administrator with `users:manage` over the unit who could make the grant
//! themselves, and who is neither
//! - the requester, nor the user the role is for (nobody approves their own request or their
//!   own role);
//! - holding their own administration through a grant the requester or the user made (a
//!   sock-puppet administrator created for the purpose);
//! - an account whose password the requester or the user reset in the last
//!   [`RESET_QUARANTINE_DAYS`] days (an administrator taking over a colleague's account by
//!   resetting its password);
//! - and the same up the chains and the other way (`ties`): an administrator who granted the
//!   requester's or the user's administration, reset their password or created their account
//!   (choosing its password) lately, or whose own account comes that way from either, or who
//!   shares with either an account behind both (one person creating two administrators and a
//!   clerk cannot request with one and approve with the other).
//!
//! The requester (or any administrator over the unit) may reject a request; a rejection needs a
//! reason. Every step is audited at the unit.

use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::{Catalog, perm};
use domain::{DomainError, ErrorCode, Level, RegionCode, Scope};
use serde_json::json;
use uuid::Uuid;

mod ties;
pub(crate) use ties::tied;

use super::users::{self, GrantView};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{grant_requests, role_grants, users as users_t};

/// Days during which an administrator's password reset of an account keeps that account from
/// approving the resetter's requests (the project's own choice; the issue names no period).
pub const RESET_QUARANTINE_DAYS: i64 = 30;

/// A stored request.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grant_requests)]
pub struct GrantRequestRow {
    /// Tenant key (the user's).
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// The user the role is for.
    pub user_id: Uuid,
    /// The role.
    pub role: String,
    /// Where it would apply.
    pub region_code: i64,
    /// The administrator who asked.
    pub requested_by: Uuid,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The administrator who decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<Uuid>,
}

/// A request with the names a reader needs.
#[derive(Debug, Clone)]
pub struct GrantRequestView {
    /// The stored request.
    pub row: GrantRequestRow,
    /// Its unit.
    pub unit: RegionCode,
    /// The unit's name.
    pub unit_name: String,
    /// The user's login name.
    pub username: Option<String>,
    /// The requester's login name (absent when outside the reader's scope).
    pub requested_by_username: Option<String>,
    /// The decider's login name (same).
    pub decided_by_username: Option<String>,
}

/// What a grant call did.
#[derive(Debug, Clone)]
pub enum GrantOutcome {
    /// The role is granted.
    Granted(GrantView),
    /// A second administrator must approve first.
    Requested(Box<GrantRequestView>),
}

/// Filters of the request queue.
#[derive(Debug, Clone)]
pub struct RequestFilter {
    /// Subtree (already checked against the caller's scope).
    pub within: Scope,
    /// Only this status.
    pub status: Option<String>,
    /// Only requests for this user.
    pub user_id: Option<Uuid>,
    /// Keyset: after this (unit, requested at, id).
    pub after: Option<(i64, DateTime<Utc>, Uuid)>,
    /// Page size.
    pub limit: i64,
}

/// Whether grants of operational roles at `unit` wait for a second administrator: the
/// effective setting of the unit's county, or of its province above the counties.
///
/// # Errors
/// Database failures.
pub fn approval_required(
    conn: &mut PgConnection,
    ctx: &Ctx,
    unit: RegionCode,
) -> Result<bool, DomainError> {
    let settings = match unit.level() {
        Level::Platform => return Ok(false),
        Level::Province | Level::City => {
            super::settings::get(conn, ctx, unit.ancestor_at(Level::Province))?.effective
        }
        _ => super::settings::effective_for(conn, ctx, unit)?,
    };
    Ok(settings.users.operational_grant_approval)
}

fn usernames(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DomainError> {
    Ok(users_t::table
        .filter(users_t::id.eq_any(ids))
        .select((users_t::id, users_t::username))
        .load::<(Uuid, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

fn views(
    conn: &mut PgConnection,
    rows: Vec<GrantRequestRow>,
) -> Result<Vec<GrantRequestView>, DomainError> {
    let mut ids: Vec<Uuid> = Vec::new();
    for r in &rows {
        ids.extend([r.user_id, r.requested_by]);
        ids.extend(r.decided_by);
    }
    let names = usernames(conn, &ids)?;
    let codes: Vec<i64> = rows.iter().map(|r| r.region_code).collect();
    let units = users::names_of(conn, &codes)?;
    rows.into_iter()
        .map(|row| {
            Ok(GrantRequestView {
                unit: stored_code(row.region_code)?,
                unit_name: units.get(&row.region_code).cloned().unwrap_or_default(),
                username: names.get(&row.user_id).cloned(),
                requested_by_username: names.get(&row.requested_by).cloned(),
                decided_by_username: row.decided_by.and_then(|d| names.get(&d).cloned()),
                row,
            })
        })
        .collect()
}

fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<GrantRequestRow, DomainError> {
    let q = grant_requests::table
        .filter(grant_requests::id.eq(id))
        .select(GrantRequestRow::as_select());
    if lock {
        q.for_update().first(conn)
    } else {
        q.first(conn)
    }
    .db()
}

/// One request the caller's scope shows.
///
/// # Errors
/// `NotFound` outside the scope.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<GrantRequestView, DomainError> {
    let row = load(conn, id, false)?;
    views(conn, vec![row])?.pop().ok_or(DomainError::NotFound)
}

/// A page of requests in the caller's scope, by unit, oldest first.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    f: &RequestFilter,
) -> Result<Vec<GrantRequestView>, DomainError> {
    let mut q = grant_requests::table
        .select(GrantRequestRow::as_select())
        .filter(grant_requests::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            grant_requests::region_code,
            grant_requests::requested_at,
            grant_requests::id,
        ))
        .limit(f.limit)
        .into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(grant_requests::status.eq(s.clone()));
    }
    if let Some(u) = f.user_id {
        q = q.filter(grant_requests::user_id.eq(u));
    }
    if let Some((r, at, id)) = f.after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(grant_requests.region_code, grant_requests.requested_at, grant_requests.id) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Timestamptz, _>(at)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows = crate::db::load_page(conn, q)?;
    views(conn, rows)
}

/// Records a request (the grant's checks have passed); audited with an alert, since a request
/// is where a user administrator's attempt to arm an account first shows.
///
/// # Errors
/// 409 `grant_exists` when the same request is open already.
pub(super) fn request(
    conn: &mut PgConnection,
    ctx: &Ctx,
    user: Uuid,
    user_county: i32,
    role: &str,
    unit: RegionCode,
) -> Result<GrantRequestView, DomainError> {
    let id = Uuid::new_v4();
    diesel::insert_into(grant_requests::table)
        .values((
            grant_requests::county_code.eq(user_county),
            grant_requests::id.eq(id),
            grant_requests::user_id.eq(user),
            grant_requests::role.eq(role),
            grant_requests::region_code.eq(unit.as_i64()),
            grant_requests::requested_by.eq(ctx.caller.user_id),
            grant_requests::requested_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: ErrorCode::GrantExists,
                message: format!("a request for {role} at {unit} is waiting for approval already"),
            },
            other => other,
        })?;
    let details = json!({ "request_id": id, "role": role, "org_unit": unit.to_code_string(),
                          "requested_by": ctx.caller.username });
    ctx.audit(
        conn,
        "role.grant_request",
        "user",
        user,
        unit,
        details.clone(),
    )?;
    ctx.audit(
        conn,
        "alert.operational_role_requested",
        "user",
        user,
        unit,
        details,
    )?;
    get(conn, id)
}

fn refuse(message: impl Into<String>) -> DomainError {
    DomainError::Conflict {
        code: ErrorCode::SecondApproverRequired,
        message: message.into(),
    }
}

/// The accounts the caller may not approve a request of, or for (besides their own): whoever
/// granted the caller a role that administers users, and whoever reset the caller's password
/// less than [`RESET_QUARANTINE_DAYS`] ago; each with the reason, the grants' first. Read by
/// the approval itself and by the inbox, so that it offers only requests the caller may approve.
///
/// # Errors
/// Database failures.
pub(crate) fn conflicted(
    conn: &mut PgConnection,
    ctx: &Ctx,
) -> Result<Vec<(Uuid, String)>, DomainError> {
    let me = ctx.caller.user_id;
    let administering: Vec<String> = ctx
        .caller
        .grants
        .iter()
        .filter(|(_, perms)| perms.contains(perm::USERS_MANAGE))
        .map(|(g, _)| g.role.clone())
        .collect();
    // The approver's own account and grants lie at their org unit, which a request bounded by
    // where the permission is granted (a city user approving at one county) does not reach:
    // read in the org unit's scope, then back.
    crate::db::set_scope(conn, ctx.caller.org.subtree())?;
    let granted_by: Vec<Option<Uuid>> = role_grants::table
        .filter(role_grants::county_code.eq(ctx.caller.org.county_code()))
        .filter(role_grants::user_id.eq(me))
        .filter(role_grants::role.eq_any(&administering))
        .select(role_grants::granted_by)
        .load(conn)
        .db()?;
    let reset: Option<(Option<Uuid>, Option<DateTime<Utc>>)> = users_t::table
        .filter(users_t::county_code.eq(ctx.caller.org.county_code()))
        .filter(users_t::id.eq(me))
        .select((users_t::password_reset_by, users_t::password_reset_at))
        .first(conn)
        .optional()
        .db()?;
    crate::db::set_scope(conn, ctx.caller.scope())?;
    let mut out: Vec<(Uuid, String)> = granted_by
        .into_iter()
        .flatten()
        .map(|by| {
            (
                by,
                "your own administration was granted by the requester or by the user the role is for: another administrator approves".to_owned(),
            )
        })
        .collect();
    if let Some((Some(by), Some(at))) = reset
        && ctx.now - at < Duration::days(RESET_QUARANTINE_DAYS)
    {
        out.push((
            by,
            format!(
                "your password was reset by the requester or by the user the role is for less than {RESET_QUARANTINE_DAYS} days ago: another administrator approves"
            ),
        ));
    }
    Ok(out)
}

/// Why the caller may not approve `req`, if they may not (see the module's rules).
fn check_approver(
    conn: &mut PgConnection,
    ctx: &Ctx,
    req: &GrantRequestRow,
) -> Result<(), DomainError> {
    let me = ctx.caller.user_id;
    if me == req.requested_by {
        return Err(refuse(
            "a request is approved by an administrator other than the one who made it",
        ));
    }
    if me == req.user_id {
        return Err(refuse("nobody approves a role for themselves"));
    }
    let parties = [req.requested_by, req.user_id];
    if let Some((_, why)) = conflicted(conn, ctx)?
        .into_iter()
        .find(|(by, _)| parties.contains(by))
    {
        return Err(refuse(why));
    }
    // Up the chains, both ways, among the county's accounts (one person behind several).
    if let Some(why) = ties::tied(conn, ctx, req.county_code, req.requested_by, req.user_id)? {
        return Err(refuse(why));
    }
    Ok(())
}

/// Approves a waiting request: the grant is made now, by the approver.
///
/// # Errors
/// `NotFound` outside the scope; `Forbidden` without `users:manage` over the unit; 409
/// `request_decided` when decided already; 409 `second_approver_required` when the caller may
/// not approve it; `grant_exists` when the user holds the role there already.
pub fn approve(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    id: Uuid,
) -> Result<GrantRequestView, DomainError> {
    let req = load(conn, id, true)?;
    let unit = stored_code(req.region_code)?;
    // Locked, as a direct grant locks it (a move at the same time drops grants outside).
    let user = users::find_for_update(conn, req.user_id)?;
    ctx.caller
        .check_grant(catalog, &req.role, unit, stored_code(user.region_code)?)?;
    open(&req)?;
    check_approver(conn, ctx, &req)?;
    let grant_id = users::insert_grant(
        conn,
        ctx,
        catalog,
        req.user_id,
        req.county_code,
        &req.role,
        unit,
    )?;
    users::bump_version(conn, req.county_code, req.user_id)?;
    diesel::update(
        grant_requests::table
            .filter(grant_requests::county_code.eq(req.county_code))
            .filter(grant_requests::id.eq(id)),
    )
    .set((
        grant_requests::status.eq("approved"),
        grant_requests::decided_by.eq(ctx.caller.user_id),
        grant_requests::decided_at.eq(ctx.now),
        grant_requests::grant_id.eq(grant_id),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "role.grant_request.approve",
        "user",
        req.user_id,
        unit,
        json!({ "request_id": id, "grant_id": grant_id, "role": req.role,
                "org_unit": unit.to_code_string(), "requested_by": req.requested_by }),
    )?;
    get(conn, id)
}

fn open(req: &GrantRequestRow) -> Result<(), DomainError> {
    if req.status == "pending" {
        Ok(())
    } else {
        Err(DomainError::Conflict {
            code: ErrorCode::RequestDecided,
            message: format!("the request is {} already", req.status),
        })
    }
}

/// Rejects (or, by its requester, withdraws) a waiting request, with a reason.
///
/// # Errors
/// `NotFound` outside the scope; `Forbidden` without `users:manage` over the unit; 409
/// `request_decided` when decided already; `Validation` (`reason`) for an empty or over-long
/// reason.
pub fn reject(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    reason: &str,
) -> Result<GrantRequestView, DomainError> {
    let req = load(conn, id, true)?;
    let unit = stored_code(req.region_code)?;
    ctx.caller.require_at(perm::USERS_MANAGE, unit)?;
    open(&req)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(DomainError::field("reason", domain::Rule::length(1, 500)));
    }
    diesel::update(
        grant_requests::table
            .filter(grant_requests::county_code.eq(req.county_code))
            .filter(grant_requests::id.eq(id)),
    )
    .set((
        grant_requests::status.eq("rejected"),
        grant_requests::decided_by.eq(ctx.caller.user_id),
        grant_requests::decided_at.eq(ctx.now),
        grant_requests::reason.eq(reason),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "role.grant_request.reject",
        "user",
        req.user_id,
        unit,
        json!({ "request_id": id, "role": req.role, "org_unit": unit.to_code_string(),
                "reason": reason }),
    )?;
    get(conn, id)
}
