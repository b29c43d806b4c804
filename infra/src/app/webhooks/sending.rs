//! What stands between a claimed delivery and its POST: the last check before it is sent, and
//! the wait a pause or a delete makes for deliveries that passed it.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text, Uuid as SqlUuid};
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use super::{Claimed, county_unit};
use crate::app::Ctx;
use crate::db::{Db, DbResultExt as _};
use crate::schema::{webhook_deliveries, webhook_endpoints};

/// Whether a claimed delivery is still to be sent, asked right before its POST: still this
/// worker's, still waiting, its endpoint active and subscribed to its kind, its owner still
/// reading that. When not, the claim is given back without spending the attempt.
///
/// # Errors
/// Database failures.
pub fn go(db: &Db, d: &Claimed, worker: &str) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Go {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        go: bool,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_delivery_go($1, $2, $3, $4) AS go")
            .bind::<Int4, _>(d.county_code)
            .bind::<SqlUuid, _>(d.id)
            .bind::<Text, _>(worker)
            .bind::<Int4, _>(d.attempts)
            .get_result::<Go>(c)
            .map(|g| g.go)
            .db()
    })
}

/// Waits until no delivery of the endpoint is being sent (claimed, its lease running): after a
/// pause or before a delete, so that nothing reaches the receiver once the answer is given.
/// Deliveries that pass [`go`] afterwards see the endpoint paused. Bounded by the longest
/// running lease (a worker that died holds one until it runs out).
///
/// # Errors
/// Database failures.
pub fn drain(db: &Db, county: RegionCode, id: Uuid) -> Result<(), DomainError> {
    loop {
        let until: Option<DateTime<Utc>> = db.in_scope_conn(county.subtree(), |conn| {
            webhook_deliveries::table
                .filter(webhook_deliveries::county_code.eq(county.county_code()))
                .filter(webhook_deliveries::endpoint_id.eq(id))
                .filter(webhook_deliveries::status.eq("pending"))
                .filter(webhook_deliveries::locked_by.is_not_null())
                .filter(webhook_deliveries::lease_until.gt(diesel::dsl::now))
                .select(diesel::dsl::max(webhook_deliveries::lease_until))
                .first(conn)
                .db()
        })?;
        match until {
            Some(t) if t > Utc::now() => std::thread::sleep(std::time::Duration::from_millis(50)),
            _ => return Ok(()),
        }
    }
}

/// Pauses an endpoint (before its removal, so that [`drain`] can wait for what is being sent).
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub fn deactivate(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<(), DomainError> {
    let unit = county_unit(ctx)?;
    let n = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::county_code.eq(unit.county_code()))
            .filter(webhook_endpoints::id.eq(id)),
    )
    .set(webhook_endpoints::active.eq(false))
    .execute(conn)
    .db()?;
    if n == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}
