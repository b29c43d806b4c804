//! Who stands behind an account, for the two-person rule: the county's accounts that granted it
//! a role administering users, or reset its password (or chose it, creating the account) less
//! than [`super::RESET_QUARANTINE_DAYS`] ago — and, in turn, whoever stands behind those, up
//! the chain. One person holding several accounts so made can then not play both parts: the
//! approver may not stand behind the requester or the user the role is for, nor they behind the
//! approver, nor one account behind both sides.

use std::collections::HashSet;

use chrono::Duration;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Text, Timestamptz};
use domain::DomainError;
use domain::authz::perm;
use uuid::Uuid;

use crate::app::Ctx;
use crate::db::DbResultExt as _;

/// How far up a chain of accounts the rule looks (a county's administrators are few; a longer
/// chain is cut here, where it is no longer one afternoon's work).
const DEPTH: i32 = 12;

/// Up the chain from the seeds: the county's own accounts only (a platform, province or city
/// account is another organisation's person, as the module says).
const BEHIND_SQL: &str = "\
WITH RECURSIVE behind(id, depth) AS ( \
  SELECT s, 0 FROM unnest($1::uuid[]) AS s \
  UNION \
  SELECT e.by, b.depth + 1 FROM behind b \
    CROSS JOIN LATERAL ( \
      SELECT g.granted_by AS by FROM role_grants g \
       WHERE g.county_code = $2 AND g.user_id = b.id AND g.granted_by IS NOT NULL \
         AND EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.role = g.role AND rp.permission = $3) \
      UNION ALL \
      SELECT u.password_reset_by FROM users u \
       WHERE u.county_code = $2 AND u.id = b.id AND u.password_reset_by IS NOT NULL \
         AND u.password_reset_at > $4 \
    ) e \
   WHERE b.depth < $5 \
     AND EXISTS (SELECT 1 FROM users o WHERE o.county_code = $2 AND o.id = e.by) \
) SELECT DISTINCT id FROM behind WHERE depth > 0";

#[derive(QueryableByName)]
struct Behind {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// The county's accounts that stand behind any of `accounts` (not counting the accounts
/// themselves, unless one stands behind another).
fn behind(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: i32,
    accounts: &[Uuid],
) -> Result<HashSet<Uuid>, DomainError> {
    let since = ctx.now - Duration::days(super::RESET_QUARANTINE_DAYS);
    Ok(diesel::sql_query(BEHIND_SQL)
        .bind::<Array<diesel::sql_types::Uuid>, _>(accounts)
        .bind::<Int4, _>(county)
        .bind::<Text, _>(perm::USERS_MANAGE)
        .bind::<Timestamptz, _>(since)
        .bind::<Int4, _>(DEPTH)
        .load::<Behind>(conn)
        .db()?
        .into_iter()
        .map(|b| b.id)
        .collect())
}

/// Why the caller may not approve a request of `requester` for `user` in `county` on account of
/// who stands behind whom, if they may not.
///
/// # Errors
/// Database failures.
pub(crate) fn tied(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: i32,
    requester: Uuid,
    user: Uuid,
) -> Result<Option<&'static str>, DomainError> {
    let me = ctx.caller.user_id;
    let parties = [requester, user];
    let behind_parties = behind(conn, ctx, county, &parties)?;
    if behind_parties.contains(&me) {
        return Ok(Some(
            "you administer the requester or the user the role is for (you granted their administration, or set their password lately): another administrator approves",
        ));
    }
    let behind_me = behind(conn, ctx, county, &[me])?;
    if parties.iter().any(|p| behind_me.contains(p)) {
        return Ok(Some(
            "your own account or administration comes from the requester or the user the role is for: another administrator approves",
        ));
    }
    if !behind_me.is_disjoint(&behind_parties) {
        return Ok(Some(
            "the same administrator stands behind your account and the requester's or the user's (granted both administrations, or set both passwords lately): an administrator outside that chain approves",
        ));
    }
    Ok(None)
}
