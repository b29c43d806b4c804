//! Which account a team member may be linked to (`team_members.user_id`, for their visit logs):
//! one of the village's county holding `visits:write` at a unit covering the village. The route
//! names it by id, the import by username; both accept the same accounts and refuse every other
//! one, an unknown one included, with one message, so an import row cannot tell the county's
//! other login names from names nobody has (security.md §14).

use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use domain::authz::perm;
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use crate::db::DbResultExt as _;
use crate::schema::users;

/// Why an account is refused: the same words for one that exists and one that does not.
pub fn not_linkable() -> domain::Rule {
    domain::Rule::other(
        "names no account that logs visits in the team's village (one holding visits:write there, such as team_member)",
        "不是可在该工作队所在村记录走访的账号(须在该村持有visits:write,如驻村队员角色)",
    )
}

/// The accounts a member of a team of `village` may be linked to.
fn linkable(village: RegionCode) -> Box<dyn BoxableExpression<users::table, Pg, SqlType = Bool>> {
    Box::new(
        users::county_code.eq(village.county_code()).and(
            diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM role_grants g JOIN role_permissions p ON p.role = g.role \
                 WHERE g.county_code = users.county_code AND g.user_id = users.id \
                 AND p.permission = ",
            )
            .bind::<Text, _>(perm::VISITS_WRITE)
            .sql(" AND g.region_code <= ")
            .bind::<BigInt, _>(village.as_i64())
            .sql(" AND zx_subtree_hi(g.region_code) >= ")
            .bind::<BigInt, _>(village.as_i64())
            .sql(")"),
        ),
    )
}

/// Whether account `id` may be linked to a member of a team of `village`.
///
/// # Errors
/// Database failures.
pub fn linkable_id(
    conn: &mut PgConnection,
    village: RegionCode,
    id: Uuid,
) -> Result<bool, DomainError> {
    let n: i64 = users::table
        .filter(users::id.eq(id))
        .filter(linkable(village))
        .count()
        .get_result(conn)
        .db()?;
    Ok(n > 0)
}

/// The account named `username` that may be linked to a member of a team of `village`.
///
/// # Errors
/// Database failures.
pub fn linkable_username(
    conn: &mut PgConnection,
    village: RegionCode,
    username: &str,
) -> Result<Option<Uuid>, DomainError> {
    users::table
        .filter(users::username.eq(username))
        .filter(linkable(village))
        .select(users::id)
        .first(conn)
        .optional()
        .db()
}
