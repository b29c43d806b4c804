//! Grants that would leave a permission split: held at several units with none at the unit
//! covering them, whose range would take in the units between (security.md §14).

use std::collections::{BTreeSet, HashMap};

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::Catalog;
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use super::{GrantView, SplitView, names_of};
use crate::app::stored_code;
use crate::db::DbResultExt as _;
use crate::schema::{role_grants, role_permissions};

/// Refuses a grant that would leave a permission of `role` held at several units (two
/// counties, two townships, two villages) with no grant covering them all: every request
/// needing it would then be refused ([`domain::authz::Caller::grants_split`]), so the account
/// would be granted a role it cannot use. Said when granting, with the unit that would work.
pub(super) fn refuse_split(
    conn: &mut PgConnection,
    catalog: &Catalog,
    user: Uuid,
    user_county: i32,
    role: &str,
    unit: RegionCode,
) -> Result<(), DomainError> {
    let Some(new) = catalog.role(role) else {
        return Ok(());
    };
    let held: Vec<(String, i64)> = role_grants::table
        .filter(role_grants::county_code.eq(user_county))
        .filter(role_grants::user_id.eq(user))
        .select((role_grants::role, role_grants::region_code))
        .load(conn)
        .db()?;
    let held: Vec<(&domain::authz::RoleDef, RegionCode)> = held
        .iter()
        .filter_map(|(r, u)| Some((catalog.role(r)?, stored_code(*u).ok()?)))
        .collect();
    for permission in &new.permissions {
        let units = held
            .iter()
            .filter(|(r, _)| r.permissions.contains(permission))
            .map(|(_, u)| *u)
            .chain(std::iter::once(unit));
        if let Some(span) = domain::authz::split_span(units) {
            // What would work: a role carrying everything `role` does that may be held at the
            // covering unit (which reads all of it), else one account per unit.
            let level = span.level();
            let mut at_span: Vec<&str> = catalog
                .roles()
                .filter(|r| new.permissions.is_subset(&r.permissions))
                .filter(|r| r.min_level <= level && level <= r.max_level)
                .map(|r| r.name.as_str())
                .collect();
            at_span.sort_unstable();
            let (instead, instead_zh) = if at_span.is_empty() {
                (
                    format!(
                        "no role carrying what {role} does may be held at {span}: use one account \
                         per unit"
                    ),
                    format!("没有涵盖{role}权限的角色可在{span}一级授予:请每个单位各用一个账号"),
                )
            } else {
                let roles = at_span.join(", ");
                (
                    format!(
                        "hold it through a role at {span} ({roles}), which reaches all of {span}, \
                         or use one account per unit"
                    ),
                    format!(
                        "请通过{span}一级的角色({roles})授予(其范围为整个{span}),或每个单位各用一个账号"
                    ),
                )
            };
            return Err(DomainError::field(
                "org_unit",
                domain::Rule::other(
                    format!(
                        "grants_split: the user would hold {permission} at several units under \
                         {span} with no grant covering them all, and every request needing it \
                         would be refused (its range, {span}'s, would take in the units between); \
                         {instead}"
                    ),
                    format!(
                        "grants_split:该用户的{permission}权限将分处{span}下的多个单位且没有覆盖全部的授权,\
                         需要该权限的请求都会被拒绝(其范围{span}会包含其间的其他单位);{instead_zh}"
                    ),
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a move to `org` that would leave the grants kept (those inside its subtree; the
/// others are dropped) holding a permission split that was not before: a grant covering two
/// villages' grants lies above the township the user moves to, say, and would be dropped. The
/// account would be moved into grants it cannot use; the message names those to revoke first.
/// (A permission split already stays as it was: the move neither mends nor worsens it.)
pub(super) fn refuse_split_after_move(
    conn: &mut PgConnection,
    user: Uuid,
    user_county: i32,
    org: RegionCode,
) -> Result<(), DomainError> {
    let held: Vec<(String, i64)> = role_grants::table
        .filter(role_grants::county_code.eq(user_county))
        .filter(role_grants::user_id.eq(user))
        .select((role_grants::role, role_grants::region_code))
        .load(conn)
        .db()?;
    let roles: Vec<&str> = held.iter().map(|(r, _)| r.as_str()).collect();
    let carried = carried(conn, &roles)?;
    let none = BTreeSet::new();
    let grants: Vec<(&str, RegionCode, &BTreeSet<String>)> = held
        .iter()
        .filter_map(|(role, unit)| {
            Some((
                role.as_str(),
                stored_code(*unit).ok()?,
                carried.get(role).unwrap_or(&none),
            ))
        })
        .collect();
    let scope = org.subtree();
    let kept = || grants.iter().filter(|(_, u, _)| scope.contains(*u));
    let before = domain::authz::split_permissions(grants.iter().map(|(_, u, p)| (*u, *p)));
    let after = domain::authz::split_permissions(kept().map(|(_, u, p)| (*u, *p)));
    let Some((permission, span)) = after
        .iter()
        .find(|(p, _)| !before.iter().any(|(b, _)| b == p))
    else {
        return Ok(());
    };
    let left: Vec<String> = kept()
        .filter(|(_, _, p)| p.contains(permission))
        .map(|(role, unit, _)| format!("{role} at {unit}"))
        .collect();
    let left = left.join(", ");
    Err(DomainError::field(
        "org_unit",
        domain::Rule::other(
            format!(
                "grants_split: after the move the user would hold {permission} only through \
                 {left}, at several units under {span} with no grant covering them all (the \
                 grants outside {org} are dropped), and every request needing it would be \
                 refused; revoke all but one of those grants first"
            ),
            format!(
                "grants_split:调动后该用户的{permission}权限只剩{left},分处{span}下的多个单位且没有覆盖全部的授权\
                 ({org}以外的授权会被撤销),需要该权限的请求都会被拒绝;请先撤销其中多余的授权"
            ),
        ),
    ))
}

/// The permissions each of `roles` carries, by role.
fn carried(
    conn: &mut PgConnection,
    roles: &[&str],
) -> Result<HashMap<String, BTreeSet<String>>, DomainError> {
    let mut carried: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (role, permission) in role_permissions::table
        .filter(role_permissions::role.eq_any(roles))
        .select((role_permissions::role, role_permissions::permission))
        .load::<(String, String)>(conn)
        .db()?
    {
        carried.entry(role).or_default().insert(permission);
    }
    Ok(carried)
}

/// Each user's permissions held split ([`domain::authz::split_permissions`]), with the
/// covering units named; users with none are left out.
pub(super) fn of_users(
    conn: &mut PgConnection,
    grants: &HashMap<Uuid, Vec<GrantView>>,
) -> Result<HashMap<Uuid, Vec<SplitView>>, DomainError> {
    let roles: Vec<&str> = grants.values().flatten().map(|g| g.role.as_str()).collect();
    let carried = carried(conn, &roles)?;
    let none = BTreeSet::new();
    let split: Vec<(Uuid, Vec<(String, RegionCode)>)> = grants
        .iter()
        .map(|(user, grants)| {
            let split = domain::authz::split_permissions(
                grants
                    .iter()
                    .map(|g| (g.unit, carried.get(&g.role).unwrap_or(&none))),
            );
            (*user, split)
        })
        .filter(|(_, split)| !split.is_empty())
        .collect();
    // Covering units are rarely a grant's or an org unit's: named in a query of their own.
    let spans: Vec<i64> = split
        .iter()
        .flat_map(|(_, s)| s.iter().map(|(_, span)| span.as_i64()))
        .collect();
    let names = if spans.is_empty() {
        HashMap::new()
    } else {
        names_of(conn, &spans)?
    };
    Ok(split
        .into_iter()
        .map(|(user, split)| {
            let views = split
                .into_iter()
                .map(|(permission, unit)| SplitView {
                    permission,
                    unit,
                    unit_name: names.get(&unit.as_i64()).cloned().unwrap_or_default(),
                })
                .collect();
            (user, views)
        })
        .collect())
}
