//! Write-ahead-log positions, for the API's streaming replica (read-your-writes across
//! instances through `write_marks`, and the replica's lag): the SQL lives here, with the rest
//! of the database; `api::replica` keeps the policy.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int8, Nullable, Uuid};
use domain::DomainError;

use crate::db::{Db, DbResultExt as _};

#[derive(QueryableByName)]
struct Lsn {
    #[diesel(sql_type = Nullable<Int8>)]
    lsn: Option<i64>,
}

fn lsn_of(db: &Db, sql: &'static str) -> Result<Option<i64>, DomainError> {
    db.unscoped_conn(|c| {
        diesel::sql_query(sql)
            .get_result::<Lsn>(c)
            .db()
            .map(|l| l.lsn)
    })
}

/// The primary's current position.
///
/// # Errors
/// Database failures.
pub fn current(primary: &Db) -> Result<Option<i64>, DomainError> {
    lsn_of(
        primary,
        "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn",
    )
}

/// How far a replica has replayed (`None` on a primary).
///
/// # Errors
/// Database failures.
pub fn replay_position(replica: &Db) -> Result<Option<i64>, DomainError> {
    lsn_of(
        replica,
        "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS lsn",
    )
}

/// Notes that `user` just wrote (on the primary).
///
/// # Errors
/// Database failures.
pub fn mark_write(primary: &Db, user: uuid::Uuid) -> Result<(), DomainError> {
    primary.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_mark_write($1)")
            .bind::<Uuid, _>(user)
            .execute(c)
            .db()
            .map(|_| ())
    })
}

/// The position of `user`'s last write, if any (on the primary).
///
/// # Errors
/// Database failures.
pub fn write_mark(conn: &mut PgConnection, user: uuid::Uuid) -> Result<Option<i64>, DomainError> {
    diesel::sql_query("SELECT (zx_write_mark($1) - '0/0'::pg_lsn)::bigint AS lsn")
        .bind::<Uuid, _>(user)
        .get_result::<Lsn>(conn)
        .db()
        .map(|l| l.lsn)
}

/// Whether the replica has replayed `mark` (run inside the replica's transaction).
///
/// # Errors
/// Database failures.
pub fn replayed(conn: &mut PgConnection, mark: i64) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Replayed {
        #[diesel(sql_type = Bool)]
        ok: bool,
    }
    diesel::sql_query(
        "SELECT coalesce((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint >= $1, false) AS ok",
    )
    .bind::<Int8, _>(mark)
    .get_result::<Replayed>(conn)
    .db()
    .map(|o| o.ok)
}
