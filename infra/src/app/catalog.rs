//! The role catalog, read from the `roles`, `permissions` and `role_permissions` tables.

use std::collections::{BTreeMap, BTreeSet};

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::{Catalog, RoleDef};
use domain::{DomainError, Level};

use crate::db::DbResultExt as _;
use crate::schema::{permissions, role_permissions, roles};

/// Loads every role with its permissions.
///
/// # Errors
/// Database failures, or a stored level out of range.
pub fn load(conn: &mut PgConnection) -> Result<Catalog, DomainError> {
    let rows: Vec<(String, i16, i16, String, String)> = roles::table
        .select((
            roles::name,
            roles::min_level,
            roles::max_level,
            roles::description,
            roles::label,
        ))
        .load(conn)
        .db()?;
    let mut perms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (role, p) in role_permissions::table
        .select((role_permissions::role, role_permissions::permission))
        .load::<(String, String)>(conn)
        .db()?
    {
        perms.entry(role).or_default().insert(p);
    }
    let level = |n: i16| {
        Level::from_number(n)
            .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("bad role level {n}")))
    };
    let defs = rows
        .into_iter()
        .map(|(name, min, max, description, label)| {
            Ok(RoleDef {
                label,
                permissions: perms.remove(&name).unwrap_or_default(),
                name,
                min_level: level(min)?,
                max_level: level(max)?,
                description,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    let labels = permissions::table
        .select((permissions::name, permissions::label))
        .load::<(String, String)>(conn)
        .db()?;
    Ok(Catalog::new(defs).with_permission_labels(labels))
}

/// Every permission name the database defines.
///
/// # Errors
/// Database failures.
pub fn permission_names(conn: &mut PgConnection) -> Result<Vec<String>, DomainError> {
    permissions::table
        .select(permissions::name)
        .order(permissions::name)
        .load(conn)
        .db()
}
