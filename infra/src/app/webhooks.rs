//! Webhooks: endpoints a county registers, the outbox of events written in the same
//! transaction as the change, and deliveries claimed from a shared queue by any instance.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Int4, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use domain::webhooks::EventKind;
use domain::{DomainError, FieldError, Level, RegionCode};
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;
use uuid::Uuid;

use super::Ctx;
use crate::db::{Db, DbResultExt as _};
use crate::schema::{webhook_deliveries, webhook_endpoints};

mod sending;
pub use sending::{go, sending_until};

/// An endpoint (the secret is shown once, when it is created).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    /// Id.
    pub id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// Event kinds it receives.
    pub events: Vec<String>,
    /// Free text.
    pub description: String,
    /// Paused endpoints receive nothing.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last saved it: its deliveries go out while this account may read what they tell.
    pub owned_by: Option<Uuid>,
}

/// What may be set on an endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    /// URL.
    pub url: Option<String>,
    /// Event kinds.
    pub events: Option<Vec<String>>,
    /// Free text.
    pub description: Option<String>,
    /// Active.
    pub active: Option<bool>,
}

/// How endpoint URLs are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlPolicy {
    /// Accept `http://` (tests, closed networks).
    pub allow_plain: bool,
    /// Accept loopback and private addresses (tests, closed networks).
    pub allow_internal: bool,
}

fn county_unit(ctx: &Ctx) -> Result<RegionCode, DomainError> {
    ctx.caller
        .require_at_level(
            domain::authz::perm::WEBHOOKS_MANAGE,
            Level::County,
            ctx.caller.unit(),
        )
        .map(|()| ctx.caller.unit())
}

fn check_input(
    input: &EndpointInput,
    policy: UrlPolicy,
    creating: bool,
) -> Result<(Option<String>, Option<Vec<String>>), DomainError> {
    let mut errs = Vec::new();
    let url = match &input.url {
        Some(u) => {
            match domain::webhooks::check_url(u, policy.allow_plain, policy.allow_internal) {
                Ok(u) => Some(u),
                Err(m) => {
                    errs.push(FieldError::new("url", m));
                    None
                }
            }
        }
        None if creating => {
            errs.push(FieldError::new("url", domain::Rule::Required));
            None
        }
        None => None,
    };
    let events = match &input.events {
        Some(list) if list.is_empty() => {
            errs.push(FieldError::new(
                "events",
                domain::Rule::other("must name at least one event", "至少选择一种事件"),
            ));
            None
        }
        Some(list) => {
            let mut out = Vec::new();
            for (i, e) in list.iter().enumerate() {
                match EventKind::parse(e) {
                    Ok(k) => {
                        if !out.contains(&k.as_str().to_string()) {
                            out.push(k.as_str().to_string());
                        }
                    }
                    Err(m) => errs.push(FieldError::new(format!("events[{i}]"), m)),
                }
            }
            Some(out)
        }
        None if creating => {
            errs.push(FieldError::new("events", domain::Rule::Required));
            None
        }
        None => None,
    };
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        errs.push(FieldError::new("description", domain::Rule::too_long(500)));
    }
    if errs.is_empty() {
        Ok((url, events))
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// Refuses a subscription the caller could not read: each kind tells what reading its object
/// does ([`EventKind::reads`]), so saving an endpoint needs that permission at the county for
/// every kind it subscribes to (`events[i]`, or `events` for kinds kept from before). The
/// saver becomes the endpoint's owner, whose permissions the deliveries then follow.
fn check_reads(
    ctx: &Ctx,
    unit: RegionCode,
    events: &[String],
    field_of: impl Fn(usize) -> String,
) -> Result<(), DomainError> {
    let errs: Vec<FieldError> = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let kind = EventKind::parse(e).ok()?;
            let needs = kind.reads();
            (!ctx.caller.can_at(needs, unit)).then(|| {
                FieldError::new(
                    field_of(i),
                    domain::Rule::other(
                        format!(
                            "{e} events tell what {needs} reads, which your roles do not carry at \
                             {unit}: only an administrator who holds it there may subscribe to them"
                        ),
                        format!(
                            "{e}事件的内容需要{unit}一级的{needs}权限才能查看,您的角色不含该权限:\
                             须由具备该权限的管理员订阅"
                        ),
                    ),
                )
            })
        })
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// Registers an endpoint for the caller's county; returns it with its signing secret (the
/// only time the secret is shown).
///
/// # Errors
/// `Forbidden` below or above the county; `Invalid` naming the field.
pub fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    input: &EndpointInput,
    policy: UrlPolicy,
) -> Result<(Endpoint, String), DomainError> {
    let unit = county_unit(ctx)?;
    let (url, events) = check_input(input, policy, true)?;
    check_reads(ctx, unit, events.as_deref().unwrap_or_default(), |i| {
        format!("events[{i}]")
    })?;
    let mut raw = [0_u8; 32];
    getrandom::fill(&mut raw).map_err(|e| DomainError::Unexpected(anyhow::anyhow!("{e}")))?;
    let secret = format!("whsec_{}", hex(&raw));
    let id = Uuid::new_v4();
    let row = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::county_code.eq(unit.county_code()),
            webhook_endpoints::id.eq(id),
            webhook_endpoints::region_code.eq(unit.as_i64()),
            webhook_endpoints::url.eq(url.unwrap_or_default()),
            webhook_endpoints::secret.eq(&secret),
            webhook_endpoints::events.eq(events.unwrap_or_default()),
            webhook_endpoints::description.eq(input.description.clone().unwrap_or_default()),
            webhook_endpoints::active.eq(input.active.unwrap_or(true)),
            webhook_endpoints::created_by.eq(ctx.caller.user_id),
            webhook_endpoints::owned_by.eq(ctx.caller.user_id),
            webhook_endpoints::created_at.eq(ctx.now),
            webhook_endpoints::updated_at.eq(ctx.now),
        ))
        .returning(Endpoint::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "webhook.create",
        "webhook_endpoint",
        id,
        unit,
        serde_json::json!({ "url": row.url, "events": row.events }),
    )?;
    Ok((row, secret))
}

/// Endpoints of the caller's county.
///
/// # Errors
/// Database failures.
pub fn list(conn: &mut PgConnection) -> Result<Vec<Endpoint>, DomainError> {
    webhook_endpoints::table
        .order((webhook_endpoints::created_at, webhook_endpoints::id))
        .select(Endpoint::as_select())
        .load(conn)
        .db()
}

/// One endpoint.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Endpoint, DomainError> {
    webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .select(Endpoint::as_select())
        .first(conn)
        .db()
}

/// Changes an endpoint.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Invalid`.
pub fn update(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &EndpointInput,
    policy: UrlPolicy,
) -> Result<Endpoint, DomainError> {
    let unit = county_unit(ctx)?;
    // Locked: each field not sent keeps the stored value, and two changes at once (one
    // pausing the endpoint, one renaming it) would otherwise write each other's old values
    // back (the pause undone).
    let old: Endpoint = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .select(Endpoint::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let (url, events) = check_input(input, policy, false)?;
    // Pausing it or changing its description may be done by any of the county's administrators
    // (stopping deliveries needs no right to read them); anything else makes the caller the
    // owner, who must read every kind it then subscribes to.
    let takes_over = input.url.is_some() || input.events.is_some() || input.active == Some(true);
    if takes_over {
        match &events {
            Some(list) => check_reads(ctx, unit, list, |i| format!("events[{i}]"))?,
            None => check_reads(ctx, unit, &old.events, |_| "events".to_owned())?,
        }
    }
    let owner = if takes_over {
        Some(ctx.caller.user_id)
    } else {
        old.owned_by
    };
    let row = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::county_code.eq(unit.county_code()))
            .filter(webhook_endpoints::id.eq(id)),
    )
    .set((
        webhook_endpoints::url.eq(url.unwrap_or(old.url)),
        webhook_endpoints::events.eq(events.unwrap_or(old.events)),
        webhook_endpoints::description.eq(input.description.clone().unwrap_or(old.description)),
        webhook_endpoints::active.eq(input.active.unwrap_or(old.active)),
        webhook_endpoints::updated_at.eq(ctx.now),
        webhook_endpoints::owned_by.eq(owner),
    ))
    .returning(Endpoint::as_returning())
    .get_result(conn)
    .db()?;
    // Kinds dropped from the subscription: their waiting deliveries (emitted while subscribed)
    // are not sent; they end as failed, saying why (the claim ends any that this misses: one
    // emitted by a transaction that read the old subscription). A delivery being sent keeps
    // its lease, so it is not sent again at once if resent.
    let dropped = diesel::sql_query(
        "UPDATE webhook_deliveries d
            SET status = 'failed',
                last_error = 'not sent: the endpoint no longer subscribes to ' || v.kind
           FROM webhook_events v
          WHERE d.county_code = $1 AND d.endpoint_id = $2 AND d.status = 'pending'
            AND v.county_code = d.county_code AND v.id = d.event_id
            AND NOT (v.kind = ANY($3))",
    )
    .bind::<Int4, _>(unit.county_code())
    .bind::<SqlUuid, _>(id)
    .bind::<diesel::sql_types::Array<Text>, _>(&row.events)
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "webhook.update",
        "webhook_endpoint",
        id,
        unit,
        serde_json::json!({
            "url": row.url, "events": row.events, "active": row.active,
            "deliveries_dropped": dropped, "owned_by": row.owned_by,
            "owned_by_before": old.owned_by,
        }),
    )?;
    Ok(row)
}

/// Removes an endpoint and its deliveries once nothing of it is being sent: an active endpoint
/// is paused instead, and one with a delivery under way (its lease running) is left; both
/// answer `false`, and the caller waits ([`sending_until`]) and asks again. The endpoint is
/// locked, so a resume cannot slip in between the check and the removal.
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub fn delete(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<bool, DomainError> {
    let unit = county_unit(ctx)?;
    let endpoint = webhook_endpoints::table
        .filter(webhook_endpoints::county_code.eq(unit.county_code()))
        .filter(webhook_endpoints::id.eq(id));
    let active: bool = endpoint
        .select(webhook_endpoints::active)
        .for_update()
        .first(conn)
        .db()?;
    if active {
        diesel::update(endpoint)
            .set(webhook_endpoints::active.eq(false))
            .execute(conn)
            .db()?;
        return Ok(false);
    }
    if sending::sending_until_in(conn, unit.county_code(), id)?.is_some() {
        return Ok(false);
    }
    diesel::delete(endpoint).execute(conn).db()?;
    ctx.audit(
        conn,
        "webhook.delete",
        "webhook_endpoint",
        id,
        unit,
        Value::Null,
    )?;
    Ok(true)
}

/// A delivery as its endpoint's owner sees it.
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    /// Id.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Its kind.
    pub kind: String,
    /// `pending`, `delivered`, `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// Next attempt (pending only).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last attempt.
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Created (the event's time).
    pub created_at: DateTime<Utc>,
}

/// Deliveries of an endpoint, newest first, optionally of one status; keyset-paged by
/// `(created_at, id)` before `before`.
///
/// # Errors
/// `NotFound` when the endpoint is outside scope.
pub fn deliveries(
    conn: &mut PgConnection,
    endpoint: Uuid,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Delivery>, DomainError> {
    let ep = get(conn, endpoint)?;
    let county = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(ep.id))
        .select(webhook_endpoints::county_code)
        .first::<i32>(conn)
        .db()?;
    // The event's kind by a probe of its primary key per delivery on the page (a subquery, not
    // a join: deliveries are partitioned by month, and without statistics the planner would
    // otherwise read every event of the county once and join them to the page).
    let kind = diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT e.kind FROM webhook_events e WHERE e.county_code = webhook_deliveries.county_code \
           AND e.id = webhook_deliveries.event_id)",
    );
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::county_code.eq(county))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit + 1)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::event_id,
            kind,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::last_status,
            webhook_deliveries::last_error,
            webhook_deliveries::delivered_at,
            webhook_deliveries::created_at,
        ))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.to_string()));
    }
    if let Some((at, id)) = before {
        // A row comparison: the backward walk of `webhook_deliveries_walk` starts at the cursor.
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(webhook_deliveries.created_at, webhook_deliveries.id) < (",
            )
            .bind::<Timestamptz, _>(at)
            .sql(", ")
            .bind::<SqlUuid, _>(id)
            .sql(")"),
        );
    }
    crate::db::load_page(conn, q)
}

/// Sends a failed delivery again (now, with a fresh attempt budget).
///
/// # Errors
/// `NotFound`; `Conflict` when it is not failed, or its kind is no longer subscribed.
pub fn redeliver(
    conn: &mut PgConnection,
    ctx: &Ctx,
    endpoint: Uuid,
    delivery: Uuid,
) -> Result<(), DomainError> {
    let unit = county_unit(ctx)?;
    #[derive(QueryableByName)]
    struct State {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        subscribed: bool,
    }
    let state: State = diesel::sql_query(
        "SELECT d.status, v.kind, v.kind = ANY(e.events) AS subscribed
           FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.county_code = d.county_code AND e.id = d.endpoint_id
           JOIN webhook_events v ON v.county_code = d.county_code AND v.id = d.event_id
          WHERE d.county_code = $1 AND d.endpoint_id = $2 AND d.id = $3
            FOR SHARE OF e",
    )
    .bind::<Int4, _>(unit.county_code())
    .bind::<SqlUuid, _>(endpoint)
    .bind::<SqlUuid, _>(delivery)
    .get_result(conn)
    .db()?;
    if state.status != "failed" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotFailed,
            message: format!(
                "only failed deliveries are sent again; this one is {}",
                state.status
            ),
        });
    }
    if !state.subscribed {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Unsubscribed,
            message: format!(
                "the endpoint no longer subscribes to {}; add it to its events first",
                state.kind
            ),
        });
    }
    // The endpoint is read FOR SHARE above: a change of its subscription waits for this, and
    // then ends the delivery again if its kind is dropped. A lease still running (a delivery
    // ended while being sent) is kept: it is not sent twice at once.
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::county_code.eq(unit.county_code()))
            .filter(webhook_deliveries::id.eq(delivery))
            .filter(webhook_deliveries::status.eq("failed")),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(Utc::now()),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "webhook.redeliver",
        "webhook_delivery",
        delivery,
        unit,
        serde_json::json!({ "endpoint": endpoint }),
    )
}

/// Whether some active endpoint of `county` listens for `kind` (lets bulk work skip the outbox
/// when nobody listens).
///
/// # Errors
/// Database failures.
pub fn listening(
    conn: &mut PgConnection,
    county: i32,
    kind: EventKind,
) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Yes {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        yes: bool,
    }
    // The endpoints are the county's: the definer answers yes or no without showing them.
    diesel::sql_query("SELECT zx_listening($1, $2) AS yes")
        .bind::<Int4, _>(county)
        .bind::<Text, _>(kind.as_str())
        .get_result::<Yes>(conn)
        .db()
        .map(|y| y.yes)
}

/// Writes an event to the outbox, in the caller's transaction: it is delivered only if the
/// change commits. `region` is where the object lives (its county is the tenant).
///
/// # Errors
/// Database failures.
pub fn emit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    kind: EventKind,
    region: RegionCode,
    object_type: &str,
    object_id: impl ToString,
    data: Value,
) -> Result<(), DomainError> {
    diesel::sql_query("SELECT zx_emit_event($1, $2, $3, $4, $5, $6, $7)")
        .bind::<Int4, _>(region.county_code())
        .bind::<diesel::sql_types::Int8, _>(region.as_i64())
        .bind::<Text, _>(kind.as_str())
        .bind::<Text, _>(object_type)
        .bind::<Text, _>(object_id.to_string())
        .bind::<Jsonb, _>(data)
        .bind::<Timestamptz, _>(ctx.now)
        .execute(conn)
        .db()?;
    Ok(())
}

/// Raises `exit.notice_ended` for every notice period that ended by `now` (once per notice).
///
/// # Errors
/// Database failures.
pub fn emit_notices_ended(db: &Db, now: DateTime<Utc>) -> Result<i32, DomainError> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = Int4)]
        n: i32,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_emit_notices_ended($1) AS n")
            .bind::<Timestamptz, _>(now)
            .get_result::<N>(c)
            .db()
            .map(|n| n.n)
    })
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    /// Tenant.
    #[diesel(sql_type = Int4)]
    pub county_code: i32,
    /// Delivery id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Endpoint URL.
    #[diesel(sql_type = Text)]
    pub url: String,
    /// Signing secret.
    #[diesel(sql_type = Text)]
    pub secret: String,
    /// Event id (receivers deduplicate on it).
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    /// Event kind.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Event data.
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    /// When it happened.
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    /// This attempt's number.
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
}

impl Claimed {
    /// The JSON body POSTed to the endpoint.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "id": self.event_id,
            "type": self.kind,
            "county": domain::region::county_code_string(self.county_code),
            "occurred_at": self.occurred_at,
            "data": self.payload,
        }))
        .unwrap_or_default()
    }
}

/// Claims up to `limit` due deliveries of any county (`FOR UPDATE SKIP LOCKED`).
///
/// # Errors
/// Database failures.
pub fn claim(
    db: &Db,
    worker: &str,
    lease: std::time::Duration,
    limit: i32,
) -> Result<Vec<Claimed>, DomainError> {
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT * FROM zx_claim_deliveries($1, $2, $3)")
            .bind::<Text, _>(worker)
            .bind::<Double, _>(lease.as_secs_f64())
            .bind::<Int4, _>(limit)
            .load::<Claimed>(c)
            .db()
    })
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 2xx.
    Delivered(u16),
    /// Anything else, with the status if there was one; retried after `retry_in` unless the
    /// attempts are used up.
    Failed {
        /// HTTP status.
        status: Option<u16>,
        /// Why.
        error: String,
        /// Wait before the next attempt.
        retry_in: std::time::Duration,
    },
}

/// Records an attempt's outcome, in the delivery's county scope, if this worker still holds it.
///
/// # Errors
/// Database failures.
pub fn record(
    db: &Db,
    d: &Claimed,
    worker: &str,
    outcome: &Outcome,
    max_attempts: i32,
) -> Result<(), DomainError> {
    let county = RegionCode::from_i64(i64::from(d.county_code) * 1_000_000)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))?;
    db.in_scope_conn(county.subtree(), |conn| {
        let target = webhook_deliveries::table
            .filter(webhook_deliveries::county_code.eq(d.county_code))
            .filter(webhook_deliveries::id.eq(d.id))
            .filter(webhook_deliveries::locked_by.eq(worker))
            .filter(webhook_deliveries::attempts.eq(d.attempts));
        let now = Utc::now();
        match outcome {
            Outcome::Delivered(status) => diesel::update(target)
                .set((
                    webhook_deliveries::status.eq("delivered"),
                    webhook_deliveries::last_status.eq(Some(i32::from(*status))),
                    webhook_deliveries::last_error.eq(None::<String>),
                    webhook_deliveries::delivered_at.eq(Some(now)),
                    webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn),
            Outcome::Failed {
                status,
                error,
                retry_in,
            } => {
                let give_up = d.attempts >= max_attempts;
                let next = now
                    + chrono::Duration::from_std(*retry_in)
                        .unwrap_or_else(|_| chrono::Duration::hours(6));
                // Only a delivery still waiting: one ended meanwhile (its kind dropped from the
                // endpoint) stays ended instead of waiting for a claim that skips it.
                diesel::update(target.filter(webhook_deliveries::status.eq("pending")))
                    .set((
                        webhook_deliveries::status.eq(if give_up { "failed" } else { "pending" }),
                        webhook_deliveries::last_status.eq(status.map(i32::from)),
                        webhook_deliveries::last_error
                            .eq(Some(error.chars().take(500).collect::<String>())),
                        webhook_deliveries::next_attempt_at.eq(next),
                        webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
                    ))
                    .execute(conn)
            }
        }
        .db()?;
        Ok(())
    })
}

/// The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length: this never fails.
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_of_timestamp_and_body() {
        // Checked against an independent computation:
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        let s = sign("whsec_test", 1_700_000_000, b"{}");
        assert_eq!(
            s,
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_ne!(s, sign("whsec_other", 1_700_000_000, b"{}"));
        assert_ne!(s, sign("whsec_test", 1_700_000_001, b"{}"));
    }
}
