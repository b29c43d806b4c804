//! `Idempotency-Key` on creating requests: a retried request with the same key and the same
//! body creates nothing new and gets the first answer; the same key with another body is
//! refused. Stored per user, inside the transaction of the create itself.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use serde_json::Value;

use super::Ctx;
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::idempotency_keys;

/// What a create produced. Only `Made` is kept and replayed on a retry; a `Refused` create (the
/// person is registered in another household, …) is not, so the request can be corrected and
/// sent again with the same key. How either is answered is the HTTP layer's business.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Made: the representation of what was made.
    Made(Value),
    /// Refused, with what the caller needs to say why; nothing was made.
    Refused(Value),
}

/// How close to being pruned a key no longer counts as [`answered`]: far longer than a
/// request takes from its first transaction to its write.
const ANSWERED_MARGIN: std::time::Duration = std::time::Duration::from_secs(3600);

/// Whether `key` already holds the answer to this very request (same fingerprint): its retry
/// will be replayed. For work a handler does before [`once`], in a transaction of its own,
/// that a replay must skip. Keys are kept for `keep` (housekeeping prunes older ones, [`prune`]);
/// a key within an hour of that counts as not answered, so the work is done: were the key
/// pruned between this check and [`once`], the request would be made anew without it (a
/// registration then checking a number whose try was never recorded). If the key is still
/// there, the request is replayed and the work was done for nothing.
///
/// # Errors
/// Database failures.
pub fn answered(
    conn: &mut PgConnection,
    ctx: &Ctx,
    key: &str,
    request_hash: &[u8],
    keep: std::time::Duration,
) -> Result<bool, DomainError> {
    // Measured on the database's clock, as `created_at` and the prune are (not the app's, nor
    // a demo's pinned day).
    let fresh_for = keep.as_secs_f64() - ANSWERED_MARGIN.as_secs_f64();
    let stored: Option<Vec<u8>> = idempotency_keys::table
        .filter(idempotency_keys::county_code.eq(ctx.caller.county_code()))
        .filter(idempotency_keys::user_id.eq(ctx.caller.user_id))
        .filter(idempotency_keys::key.eq(key))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "idempotency_keys.created_at > clock_timestamp() - make_interval(secs => ",
            )
            .bind::<diesel::sql_types::Double, _>(fresh_for)
            .sql(")"),
        )
        .select(idempotency_keys::request_hash)
        .first(conn)
        .optional()
        .db()?;
    Ok(stored.is_some_and(|h| h == request_hash))
}

/// Runs `create` once per (user, key); replays what it made on a retry (`true` beside it).
///
/// # Errors
/// `Validation` when the key was used with a different request; `Conflict` when a request with
/// the key is being processed right now; whatever `create` returns.
pub fn once(
    conn: &mut PgConnection,
    ctx: &Ctx,
    key: Option<&str>,
    request_hash: &[u8],
    create: impl FnOnce(&mut crate::db::Tx<'_>) -> Result<Outcome, DomainError>,
) -> Result<(Outcome, bool), DomainError> {
    let Some(key) = key else {
        return create(&mut crate::db::Tx::new(conn)).map(|a| (a, false));
    };
    if key.is_empty() || key.len() > 200 {
        return Err(DomainError::field(
            "Idempotency-Key",
            domain::Rule::length(1, 200),
        ));
    }
    let county = ctx.caller.county_code();
    // A retry racing the first request waits here for it to finish, then replays its answer.
    crate::db::lock_key(conn, 12, &format!("{}:{key}", ctx.caller.user_id))?;
    let stored: Option<(Vec<u8>, Value)> = idempotency_keys::table
        .filter(idempotency_keys::county_code.eq(county))
        .filter(idempotency_keys::user_id.eq(ctx.caller.user_id))
        .filter(idempotency_keys::key.eq(key))
        .select((idempotency_keys::request_hash, idempotency_keys::response))
        .first(conn)
        .optional()
        .db()?;
    if let Some((hash, body)) = stored {
        if hash != request_hash {
            return Err(DomainError::field(
                "Idempotency-Key",
                domain::Rule::other(
                    "was used before with a different request",
                    "已用于另一个不同的请求",
                ),
            ));
        }
        return Ok((Outcome::Made(body), true));
    }
    let outcome = create(&mut crate::db::Tx::new(conn))?;
    if let Outcome::Made(body) = &outcome {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::county_code.eq(county),
                idempotency_keys::user_id.eq(ctx.caller.user_id),
                idempotency_keys::key.eq(key),
                idempotency_keys::region_code.eq(ctx.caller.unit().as_i64()),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::response.eq(body),
            ))
            .execute(conn)
            .map_err(|e| match map_db_error(e) {
                DomainError::Conflict { .. } => DomainError::Conflict {
                    code: domain::ErrorCode::IdempotencyKeyInUse,
                    message:
                        "a request with this Idempotency-Key is being processed; retry shortly"
                            .into(),
                },
                other => other,
            })?;
    }
    Ok((outcome, false))
}

/// Deletes idempotency keys stored more than `keep` ago, in every tenant (through the narrow
/// `zx_prune_idempotency_keys` function): a retry after that creates anew. Returns how many went.
///
/// # Errors
/// Database failures.
pub fn prune(db: &crate::db::Db, keep: std::time::Duration) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct Gone {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        gone: i64,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_prune_idempotency_keys(make_interval(secs => $1)) AS gone")
            .bind::<diesel::sql_types::Double, _>(keep.as_secs_f64())
            .get_result::<Gone>(c)
            .db()
            .map(|g| g.gone)
    })
}
