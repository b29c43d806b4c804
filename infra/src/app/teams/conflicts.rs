//! Refused team-membership conflicts: each is audited, and repeated ones raise an alert.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, RegionCode};
use serde_json::json;

use crate::app::Ctx;
use crate::db::DbResultExt as _;

/// Refused term conflicts by one caller within a day after which each further one is an alert.
pub const TERM_CONFLICT_ALERT_AFTER: i64 = 3;

/// Records a refused team-membership conflict (the request itself rolled back) and, when the
/// caller has had [`TERM_CONFLICT_ALERT_AFTER`] or more within 24 hours, an
/// `alert.membership_probing` row: repeated conflicts are how another county's member's term
/// would be found by halving. Run in a transaction of its own.
///
/// # Errors
/// Database failures.
pub fn record_term_conflict(
    conn: &mut PgConnection,
    ctx: &Ctx,
    org: RegionCode,
) -> Result<(), DomainError> {
    use crate::schema::audit_events;
    ctx.audit(
        conn,
        "team_member.term_conflict",
        "team_member",
        "refused",
        org,
        json!({}),
    )?;
    let since = ctx.now - chrono::Duration::hours(24);
    let n: i64 = audit_events::table
        .filter(audit_events::actor_id.eq(ctx.caller.user_id))
        .filter(audit_events::action.eq("team_member.term_conflict"))
        .filter(audit_events::at.gt(since))
        .count()
        .get_result(conn)
        .db()?;
    if n >= TERM_CONFLICT_ALERT_AFTER {
        ctx.audit(
            conn,
            "alert.membership_probing",
            "user",
            ctx.caller.user_id,
            org,
            json!({ "term_conflicts_24h": n }),
        )?;
    }
    Ok(())
}
