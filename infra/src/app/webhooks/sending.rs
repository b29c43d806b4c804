//! What stands between a claimed delivery and its POST: the last check before it is sent, and
//! what a pause or a delete waits for: deliveries that passed it.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Int4, Text, Uuid as SqlUuid};
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use super::Claimed;
use crate::db::{Db, DbResultExt as _};
use crate::schema::webhook_deliveries;

/// Whether a claimed delivery is still to be sent, asked right before its POST: still this
/// worker's, still waiting, its endpoint active and subscribed to its kind, its owner still
/// reading that. If so its lease is renewed for `lease` (the POST's time); if not, the claim is
/// given back without spending the attempt.
///
/// # Errors
/// Database failures.
pub fn go(
    db: &Db,
    d: &Claimed,
    worker: &str,
    lease: std::time::Duration,
) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Go {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        go: bool,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_delivery_go($1, $2, $3, $4, $5) AS go")
            .bind::<Int4, _>(d.county_code)
            .bind::<SqlUuid, _>(d.id)
            .bind::<Text, _>(worker)
            .bind::<Int4, _>(d.attempts)
            .bind::<Double, _>(lease.as_secs_f64())
            .get_result::<Go>(c)
            .map(|g| g.go)
            .db()
    })
}

/// Until when a delivery of the endpoint may still be being sent: the latest running lease
/// of its claimed deliveries, `None` when none is. A pause or a delete waits that out (the
/// route polls this) so that nothing reaches the receiver once the answer is given; deliveries
/// that pass [`go`] afterwards see the endpoint paused.
///
/// # Errors
/// Database failures.
pub fn sending_until(
    db: &Db,
    county: RegionCode,
    id: Uuid,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    db.in_scope_conn(county.subtree(), |conn| {
        sending_until_in(conn, county.county_code(), id)
    })
}

/// [`sending_until`] on a connection already scoped to the county.
pub(super) fn sending_until_in(
    conn: &mut PgConnection,
    county_code: i32,
    id: Uuid,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    webhook_deliveries::table
        .filter(webhook_deliveries::county_code.eq(county_code))
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::locked_by.is_not_null())
        .filter(webhook_deliveries::lease_until.gt(diesel::dsl::now))
        .select(diesel::dsl::max(webhook_deliveries::lease_until))
        .first(conn)
        .db()
}
