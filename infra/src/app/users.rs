//! User accounts and role grants, within the caller's subtree.
//!
//! Reading needs `users:read` and sees the caller's org subtree (RLS enforces it too). Every
//! change needs `users:manage` over the target's org unit, so nobody creates, changes or grants
//! outside their own subtree or above their own level.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::{Catalog, perm};
use domain::error::Validator;
use domain::{DomainError, Level, RegionCode, Scope};
use serde_json::json;
use uuid::Uuid;

use super::grant_requests::{self, GrantOutcome};
use super::{Ctx, auth, stored_code};
use crate::db::DbResultExt as _;
use crate::regions;
use crate::schema::{regions as regions_t, role_grants, tenants, users};

mod split;

/// A user row, without the password hash (which never leaves the database otherwise).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Tenant key.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Org unit.
    pub region_code: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Set by an administrator's password reset; cleared when the user changes it.
    pub must_change_password: bool,
}

/// A role grant with its unit's name.
#[derive(Debug, Clone)]
pub struct GrantView {
    /// Grant id.
    pub id: Uuid,
    /// Role.
    pub role: String,
    /// Org unit.
    pub unit: RegionCode,
    /// Its name.
    pub unit_name: String,
    /// When.
    pub granted_at: DateTime<Utc>,
}

/// A user as the API shows it.
#[derive(Debug, Clone)]
pub struct UserView {
    /// The row.
    pub user: UserRow,
    /// Org unit.
    pub org: RegionCode,
    /// Its name.
    pub org_name: String,
    /// Roles held.
    pub grants: Vec<GrantView>,
    /// Permissions the grants hold split ([`domain::authz::split_permissions`]): left so by
    /// revoking a covering grant; requests needing them are refused.
    pub split: Vec<SplitView>,
}

/// A permission held at several units with no grant covering them all.
#[derive(Debug, Clone)]
pub struct SplitView {
    /// The permission.
    pub permission: String,
    /// The nearest unit covering its grants, whose range a request would read.
    pub unit: RegionCode,
    /// Its name.
    pub unit_name: String,
}

/// Input of user creation (the password arrives already hashed).
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub org: RegionCode,
    /// PHC string.
    pub password_hash: String,
    /// Roles to grant at the org unit.
    pub roles: Vec<String>,
}

/// Changes to a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New org unit (ends the user's sessions).
    pub org: Option<RegionCode>,
}

/// Filters of the user list.
#[derive(Debug, Clone)]
pub struct UserFilter {
    /// Subtree to list (already checked against the caller's scope).
    pub within: Scope,
    /// Only users holding this role.
    pub role: Option<String>,
    /// Only enabled or disabled users.
    pub disabled: Option<bool>,
    /// Username prefix.
    pub username_prefix: Option<String>,
    /// Keyset: after this (org unit, username).
    pub after: Option<(i64, String)>,
    /// Page size.
    pub limit: i64,
}

pub(super) fn names_of(
    conn: &mut PgConnection,
    codes: &[i64],
) -> Result<HashMap<i64, String>, DomainError> {
    Ok(regions_t::table
        .filter(regions_t::code.eq_any(codes))
        .select((regions_t::code, regions_t::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// Builds views for rows, with org names and grants in two batch queries.
fn views(conn: &mut PgConnection, rows: Vec<UserRow>) -> Result<Vec<UserView>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let grants: Vec<(Uuid, Uuid, String, i64, DateTime<Utc>)> = role_grants::table
        .filter(role_grants::user_id.eq_any(&ids))
        .select((
            role_grants::user_id,
            role_grants::id,
            role_grants::role,
            role_grants::region_code,
            role_grants::granted_at,
        ))
        .order((role_grants::granted_at, role_grants::id))
        .load(conn)
        .db()?;
    let mut codes: Vec<i64> = rows.iter().map(|r| r.region_code).collect();
    codes.extend(grants.iter().map(|g| g.3));
    let names = names_of(conn, &codes)?;
    let name = |c: i64| names.get(&c).cloned().unwrap_or_default();
    let mut by_user: HashMap<Uuid, Vec<GrantView>> = HashMap::new();
    for (user, id, role, unit, at) in grants {
        by_user.entry(user).or_default().push(GrantView {
            id,
            role,
            unit: stored_code(unit)?,
            unit_name: name(unit),
            granted_at: at,
        });
    }
    let mut split = split::of_users(conn, &by_user)?;
    rows.into_iter()
        .map(|user| {
            Ok(UserView {
                org: stored_code(user.region_code)?,
                org_name: name(user.region_code),
                grants: by_user.remove(&user.id).unwrap_or_default(),
                split: split.remove(&user.id).unwrap_or_default(),
                user,
            })
        })
        .collect()
}

/// The user with `id` if the caller's scope shows it (RLS decides), else `NotFound`.
pub(super) fn find(conn: &mut PgConnection, id: Uuid) -> Result<UserRow, DomainError> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .db()
}

/// [`find`], the row locked until the transaction ends.
pub(super) fn find_for_update(conn: &mut PgConnection, id: Uuid) -> Result<UserRow, DomainError> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .for_update()
        .first(conn)
        .db()
}

/// One user.
///
/// # Errors
/// `NotFound` outside the caller's scope.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<UserView, DomainError> {
    let row = find(conn, id)?;
    views(conn, vec![row])?.pop().ok_or(DomainError::NotFound)
}

/// A page of users by org unit, then username — the order of `users_scope`, so every scope walks
/// the index and stops after the page.
///
/// # Errors
/// Database failures.
pub fn list(conn: &mut PgConnection, f: &UserFilter) -> Result<Vec<UserView>, DomainError> {
    let mut q = users::table
        .select(UserRow::as_select())
        .filter(users::region_code.between(f.within.lo(), f.within.hi()))
        .order((users::region_code, users::username))
        .limit(f.limit)
        .into_boxed();
    if let Some(d) = f.disabled {
        q = q.filter(users::disabled.eq(d));
    }
    if let Some(p) = &f.username_prefix {
        let escaped = p
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(users::username.like(format!("{escaped}%")));
    }
    if let Some((r, name)) = &f.after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("(users.region_code, users.username) > (")
                .bind::<diesel::sql_types::BigInt, _>(*r)
                .sql(", ")
                .bind::<diesel::sql_types::Text, _>(name.clone())
                .sql(")"),
        );
    }
    if let Some(role) = &f.role {
        // A probe of the grant's unique key per user walked (`OFFSET 0` keeps it a subplan,
        // not a join that reads every holder of the role first).
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM role_grants g WHERE g.county_code = users.county_code \
                 AND g.user_id = users.id AND g.role = ",
            )
            .bind::<diesel::sql_types::Text, _>(role.clone())
            .sql(" OFFSET 0)"),
        );
    }
    let rows = crate::db::load_page(conn, q)?;
    views(conn, rows)
}

/// Checks that `org` is a known node where accounts may live: the platform, a province or a
/// city (above the tenants), or inside an onboarded county.
pub(crate) fn check_org_unit(
    conn: &mut PgConnection,
    field: &str,
    org: RegionCode,
) -> Result<(), DomainError> {
    regions::get(conn, org).map_err(|e| match e {
        DomainError::NotFound => DomainError::field(field, domain::Rule::UnknownCode),
        other => other,
    })?;
    if org.level() >= Level::County {
        let county = org.ancestor_at(Level::County);
        let onboarded: i64 = tenants::table
            .filter(tenants::region_code.eq(county.as_i64()))
            .count()
            .get_result(conn)
            .db()?;
        if onboarded == 0 {
            return Err(DomainError::field(
                field,
                domain::Rule::other("lies in a county that is not onboarded", "所在县尚未开通"),
            ));
        }
    }
    Ok(())
}

/// Inserts a grant. Its key is the *user's* tenant (a province user's grant at a city below
/// stays with the province's rows), so it joins the user's row and loads with the user.
///
/// A grant of an operational role (see [`domain::authz::RoleDef::is_operational`]) also writes an
/// `alert.operational_role_granted` row, visible to the county's auditors and every oversight
/// level above, so a user administrator arming an account (theirs or a stooge's) is noticed.
pub(super) fn insert_grant(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    user: Uuid,
    user_county: i32,
    role: &str,
    unit: RegionCode,
) -> Result<Uuid, DomainError> {
    split::refuse_split(conn, catalog, user, user_county, role, unit)?;
    let id = Uuid::new_v4();
    diesel::insert_into(role_grants::table)
        .values((
            role_grants::county_code.eq(user_county),
            role_grants::id.eq(id),
            role_grants::user_id.eq(user),
            role_grants::role.eq(role),
            role_grants::region_code.eq(unit.as_i64()),
            role_grants::granted_by.eq(ctx.caller.user_id),
        ))
        .execute(conn)
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::GrantExists,
                message: format!("the user already holds {role} at {unit}"),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "role.grant",
        "user",
        user,
        unit,
        json!({ "grant_id": id, "role": role, "org_unit": unit.to_code_string() }),
    )?;
    if is_operational(catalog, role) {
        ctx.audit(
            conn,
            "alert.operational_role_granted",
            "user",
            user,
            unit,
            json!({ "grant_id": id, "role": role, "org_unit": unit.to_code_string(),
                    "granted_by": ctx.caller.username }),
        )?;
    }
    Ok(id)
}

/// Creates a user, with optional roles at their org unit.
///
/// # Errors
/// `Forbidden` outside the caller's manageable subtree; `Validation` for an unknown unit or an
/// unfit role; `Conflict` when the username is taken.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    new: &NewUser,
) -> Result<UserView, DomainError> {
    create_with_id(conn, ctx, catalog, Uuid::new_v4(), new)
}

/// [`create`] with a chosen id (the operator's bootstrap creates its own caller).
///
/// # Errors
/// As [`create`].
pub fn create_with_id(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    id: Uuid,
    new: &NewUser,
) -> Result<UserView, DomainError> {
    ctx.caller.require_at(perm::USERS_MANAGE, new.org)?;
    check_org_unit(conn, "org_unit", new.org)?;
    let mut v = Validator::default();
    for (i, role) in new.roles.iter().enumerate() {
        let field = format!("roles[{i}]");
        match ctx.caller.check_grant(catalog, role, new.org, new.org) {
            Ok(()) => {}
            Err(DomainError::Validation(errs)) => {
                for e in errs {
                    v.check(false, &field, e.rule);
                }
            }
            Err(other) => return Err(other),
        }
    }
    if new.roles.iter().any(|r| is_operational(catalog, r))
        && grant_requests::approval_required(conn, ctx, new.org)?
    {
        for (i, role) in new.roles.iter().enumerate() {
            v.check(
                !is_operational(catalog, role),
                &format!("roles[{i}]"),
                domain::Rule::other(
                    format!(
                        "{role} is an operational role and its grant needs a second administrator's approval here \
                         (users.operational_grant_approval): create the user, then request it with POST /api/v1/users/{{id}}/roles"
                    ),
                    format!(
                        "{role} 是业务角色,在此授予须经另一名管理员批准\
                         (users.operational_grant_approval):请先创建用户,再通过 POST /api/v1/users/{{id}}/roles 申请"
                    ),
                ),
            );
        }
    }
    v.finish()?;
    diesel::insert_into(users::table)
        .values((
            users::county_code.eq(new.org.county_code()),
            users::id.eq(id),
            users::region_code.eq(new.org.as_i64()),
            users::username.eq(&new.username),
            users::display_name.eq(&new.display_name),
            users::password_hash.eq(&new.password_hash),
            // The creator chose its password: for the two-person rule, as a reset by them
            // (`grant_requests::ties`).
            users::password_reset_by.eq(ctx.caller.user_id),
            users::password_reset_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::UsernameTaken,
                message: "this username is taken".into(),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "user.create",
        "user",
        id,
        new.org,
        json!({ "username": new.username, "org_unit": new.org.to_code_string() }),
    )?;
    for role in &new.roles {
        insert_grant(conn, ctx, catalog, id, new.org.county_code(), role, new.org)?;
    }
    get(conn, id)
}

/// Loads a user the caller may see and requires `users:manage` over it; the row stays locked
/// until the transaction ends, so version checks cannot race.
fn manageable(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<UserRow, DomainError> {
    let row = find_for_update(conn, id)?;
    ctx.caller
        .require_at(perm::USERS_MANAGE, stored_code(row.region_code)?)?;
    Ok(row)
}

fn require_version(row: &UserRow, expected: i32) -> Result<(), DomainError> {
    if row.version == expected {
        Ok(())
    } else {
        Err(DomainError::PreconditionFailed)
    }
}

/// Changes display name and/or org unit. Moving ends the user's sessions and drops grants that
/// no longer lie inside the new org unit.
///
/// # Errors
/// `NotFound`, `Forbidden`, `PreconditionFailed` when `expected_version` is stale, `Validation`.
pub fn update(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i32,
    changes: &UserChanges,
) -> Result<UserView, DomainError> {
    let row = manageable(conn, ctx, id)?;
    require_version(&row, expected_version)?;
    let old_org = stored_code(row.region_code)?;
    if let Some(org) = changes.org
        && org != old_org
    {
        ctx.caller.require_at(perm::USERS_MANAGE, org)?;
        if org.county_code() != row.county_code {
            return Err(DomainError::field(
                "org_unit",
                domain::Rule::other(
                    "must stay within the user's county (create a new account to move across counties)",
                    "必须在该用户所在县内(跨县请新建账号)",
                ),
            ));
        }
        check_org_unit(conn, "org_unit", org)?;
        split::refuse_split_after_move(conn, id, row.county_code, org)?;
        let new_scope = org.subtree();
        let dropped = diesel::delete(
            role_grants::table
                .filter(role_grants::county_code.eq(row.county_code))
                .filter(role_grants::user_id.eq(id))
                .filter(
                    role_grants::region_code
                        .lt(new_scope.lo())
                        .or(role_grants::region_code.gt(new_scope.hi())),
                ),
        )
        .execute(conn)
        .db()?;
        diesel::update(
            users::table
                .filter(users::county_code.eq(row.county_code))
                .filter(users::id.eq(id)),
        )
        .set(users::region_code.eq(org.as_i64()))
        .execute(conn)
        .db()?;
        auth::revoke_user_sessions(conn, row.county_code, id, "moved to another org unit")?;
        ctx.audit(
            conn,
            "user.move",
            "user",
            id,
            org,
            json!({ "from": old_org.to_code_string(), "to": org.to_code_string(), "grants_dropped": dropped }),
        )?;
    }
    if let Some(name) = &changes.display_name {
        diesel::update(
            users::table
                .filter(users::county_code.eq(row.county_code))
                .filter(users::id.eq(id)),
        )
        .set(users::display_name.eq(name))
        .execute(conn)
        .db()?;
        ctx.audit(
            conn,
            "user.update",
            "user",
            id,
            changes.org.unwrap_or(old_org),
            json!({ "display_name": name }),
        )?;
    }
    bump_version(conn, row.county_code, id)?;
    get(conn, id)
}

pub(super) fn bump_version(
    conn: &mut PgConnection,
    county: i32,
    id: Uuid,
) -> Result<(), DomainError> {
    diesel::update(
        users::table
            .filter(users::county_code.eq(county))
            .filter(users::id.eq(id)),
    )
    .set((
        users::version.eq(users::version + 1),
        users::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .db()?;
    Ok(())
}

/// Disables or re-enables a user; disabling ends their sessions at once.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Validation` when callers disable themselves.
pub fn set_disabled(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    disabled: bool,
) -> Result<UserView, DomainError> {
    let row = manageable(conn, ctx, id)?;
    if disabled && id == ctx.caller.user_id {
        return Err(DomainError::field(
            "id",
            domain::Rule::other("you cannot disable your own account", "不能停用自己的账号"),
        ));
    }
    if row.disabled != disabled {
        diesel::update(
            users::table
                .filter(users::county_code.eq(row.county_code))
                .filter(users::id.eq(id)),
        )
        .set(users::disabled.eq(disabled))
        .execute(conn)
        .db()?;
        if disabled {
            auth::revoke_user_sessions(conn, row.county_code, id, "user disabled")?;
        }
        bump_version(conn, row.county_code, id)?;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        ctx.audit(
            conn,
            action,
            "user",
            id,
            stored_code(row.region_code)?,
            json!({}),
        )?;
    }
    get(conn, id)
}

/// The username of a user whose password the caller may reset (to check before hashing a new
/// password).
///
/// # Errors
/// `NotFound`, `Forbidden`; `Validation` (field `id`) for the caller's own account.
pub fn check_manageable(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<String, DomainError> {
    not_self(ctx, id)?;
    manageable(conn, ctx, id).map(|r| r.username)
}

/// Refuses an administrator's reset of their own password: it changes with the current one
/// (`PUT /me/password`), so a stolen access token does not become the account for good.
fn not_self(ctx: &Ctx, id: Uuid) -> Result<(), DomainError> {
    if id == ctx.caller.user_id {
        return Err(DomainError::field(
            "id",
            domain::Rule::other(
                "self_reset: your own password changes at PUT /api/v1/me/password, with the current one",
                "self_reset:本人密码请在 PUT /api/v1/me/password 用当前密码修改",
            ),
        ));
    }
    Ok(())
}

/// An administrator sets a new password; the user's sessions end.
///
/// # Errors
/// `NotFound`, `Forbidden`; `Validation` (field `id`) for the caller's own account.
pub fn reset_password(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    new_hash: &str,
) -> Result<(), DomainError> {
    not_self(ctx, id)?;
    let row = manageable(conn, ctx, id)?;
    auth::set_password_hash(conn, row.county_code, id, None, new_hash)?;
    // Who reset it, and when: that administrator may not approve their own grant requests
    // through this account for a while (`grant_requests::RESET_QUARANTINE_DAYS`).
    diesel::update(
        users::table
            .filter(users::county_code.eq(row.county_code))
            .filter(users::id.eq(id)),
    )
    .set((
        users::password_reset_by.eq(ctx.caller.user_id),
        users::password_reset_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "user.password_reset",
        "user",
        id,
        stored_code(row.region_code)?,
        json!({}),
    )
}

/// Grants `role` at `unit` to user `id`.
///
/// # Errors
/// `NotFound` for a user outside scope; `Validation` (field `id`) when callers grant to
/// themselves; `Forbidden`/`Validation` per [`domain::authz::Caller::check_grant`];
/// `Conflict` when the grant exists. When the unit's settings require a second administrator's
/// approval for operational roles, an operational role is only requested
/// ([`GrantOutcome::Requested`]).
pub fn grant(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    id: Uuid,
    role: &str,
    unit: RegionCode,
) -> Result<GrantOutcome, DomainError> {
    // Locked: a move of the user at the same time drops grants outside the new org unit, and
    // could not see this one (granted inside the old) until both had committed.
    let row = find_for_update(conn, id)?;
    if id == ctx.caller.user_id {
        return Err(DomainError::field(
            "id",
            domain::Rule::other(
                "self_grant: nobody grants roles to themselves; ask another administrator",
                "self_grant:不能给自己授予角色;请联系其他管理员",
            ),
        ));
    }
    let org = stored_code(row.region_code)?;
    ctx.caller.check_grant(catalog, role, unit, org)?;
    regions::get(conn, unit)
        .map_err(|_| DomainError::field("org_unit", domain::Rule::UnknownCode))?;
    // Refused before any request for approval too: an approval could never go through.
    split::refuse_split(conn, catalog, id, row.county_code, role, unit)?;
    if is_operational(catalog, role) && grant_requests::approval_required(conn, ctx, unit)? {
        return grant_requests::request(conn, ctx, id, row.county_code, role, unit)
            .map(|r| GrantOutcome::Requested(Box::new(r)));
    }
    let grant_id = insert_grant(conn, ctx, catalog, id, row.county_code, role, unit)?;
    bump_version(conn, row.county_code, id)?;
    get(conn, id)?
        .grants
        .into_iter()
        .find(|g| g.id == grant_id)
        .map(GrantOutcome::Granted)
        .ok_or(DomainError::NotFound)
}

fn is_operational(catalog: &Catalog, role: &str) -> bool {
    catalog
        .role(role)
        .is_some_and(domain::authz::RoleDef::is_operational)
}

/// Revokes one grant.
///
/// # Errors
/// `NotFound` when the user or grant is outside scope; `Forbidden` without `users:manage`
/// over the grant's unit.
pub fn revoke(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    grant_id: Uuid,
) -> Result<(), DomainError> {
    let row = find(conn, id)?;
    let (role, unit): (String, i64) = role_grants::table
        .filter(role_grants::county_code.eq(row.county_code))
        .filter(role_grants::user_id.eq(id))
        .filter(role_grants::id.eq(grant_id))
        .select((role_grants::role, role_grants::region_code))
        .first(conn)
        .db()?;
    let unit = stored_code(unit)?;
    ctx.caller.require_at(perm::USERS_MANAGE, unit)?;
    diesel::delete(
        role_grants::table
            .filter(role_grants::county_code.eq(row.county_code))
            .filter(role_grants::id.eq(grant_id)),
    )
    .execute(conn)
    .db()?;
    bump_version(conn, row.county_code, id)?;
    // Never refused for what it leaves (taking a role away must always work), but a revoked
    // covering grant can leave others split: said in the audit row as in the user's view.
    let left_split: Vec<serde_json::Value> = get(conn, id)?
        .split
        .into_iter()
        .map(|s| json!({ "permission": s.permission, "covering_unit": s.unit.to_code_string() }))
        .collect();
    ctx.audit(
        conn,
        "role.revoke",
        "user",
        id,
        unit,
        json!({
            "grant_id": grant_id,
            "role": role,
            "org_unit": unit.to_code_string(),
            "left_split": left_split,
        }),
    )
}
