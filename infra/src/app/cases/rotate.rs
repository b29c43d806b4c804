//! Re-encryption of ID numbers (and benefit card numbers) under the active data key, after a key rotation.
//!
//! Rotation: add a new key to `ZX_DATA_KEYS` (keeping the old one), restart the servers (new
//! values use the new key), run `zhenxing reencrypt`, then drop the old key. The blind index does
//! not change, so search and duplicate detection are unaffected throughout.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::cases::IdNumber;
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;
use crate::schema::members;

/// How many passes over the tables [`reencrypt`] makes before it gives up on rows other work
/// holds locked.
const PASSES: u32 = 5;

/// Re-encrypts every member whose ID number (then every benefit card whose number) is under
/// another key than the active one, in batches of `batch` rows, each batch its own transaction.
/// Rows locked by other work at that moment are skipped and taken on a later pass; the command
/// succeeds only when no value is left under another key, so dropping the old key after it is
/// safe. Returns how many were moved.
///
/// # Errors
/// Database failures; a value that does not decrypt (the key was dropped too early); values
/// still under another key after every pass (rows held by long transactions, or written by a
/// server still running with the old active key), counted in the message: run it again.
pub fn reencrypt(db: &Db, keys: &DataKeys, batch: i64) -> Result<usize, DomainError> {
    let mut moved = 0;
    let mut left = 0;
    for pass in 0..PASSES {
        if pass > 0 {
            std::thread::sleep(std::time::Duration::from_millis(100 << pass));
        }
        moved += drain(db, |conn| members_batch(conn, keys, batch))?;
        // Benefit card numbers are encrypted the same way (seed 5, 一卡兑付).
        moved += drain(db, |conn| {
            crate::app::benefit_cards::reencrypt_batch(conn, keys, batch)
        })?;
        left = db.in_scope_conn(RegionCode::PLATFORM.subtree(), |conn| {
            let members: i64 = members::table
                .filter(members::id_key.ne(keys.active()))
                .count()
                .get_result(conn)
                .db()?;
            Ok(members + crate::app::benefit_cards::under_other_keys(conn, keys)?)
        })?;
        if left == 0 {
            return Ok(moved);
        }
    }
    Err(DomainError::Unexpected(anyhow::anyhow!(
        "{moved} values moved, but {left} are still under another key than the active one \
         (rows held by other work, or written by a server still running with the old key as \
         its active one): keep the old key and run reencrypt again"
    )))
}

/// Runs `step` in its own transaction until it moves nothing; returns how many it moved.
fn drain(
    db: &Db,
    mut step: impl FnMut(&mut PgConnection) -> Result<usize, DomainError>,
) -> Result<usize, DomainError> {
    // An operator command over every tenant: the platform's scope, the app role's rights.
    let everywhere = RegionCode::PLATFORM.subtree();
    let mut moved = 0;
    loop {
        let n = db.in_scope_conn(everywhere, &mut step)?;
        moved += n;
        if n == 0 {
            return Ok(moved);
        }
    }
}

/// Moves up to `batch` members' ID numbers to the active key (rows locked elsewhere skipped).
fn members_batch(
    conn: &mut PgConnection,
    keys: &DataKeys,
    batch: i64,
) -> Result<usize, DomainError> {
    let active = keys.active();
    let far_future = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    let rows: Vec<(i32, Uuid, i16, Vec<u8>)> = members::table
        .filter(members::id_key.ne(active))
        .select((
            members::county_code,
            members::id,
            members::id_key,
            members::id_cipher,
        ))
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .db()?;
    for (county, id, key, cipher) in &rows {
        let plain = keys.decrypt(*key, *id, cipher)?;
        let number = IdNumber::parse(&plain, far_future).map_err(|m| {
            DomainError::Unexpected(anyhow::anyhow!("member {id}: stored number {m}"))
        })?;
        let (new_key, new_cipher) = keys.encrypt(*id, &number)?;
        diesel::update(
            members::table
                .filter(members::county_code.eq(county))
                .filter(members::id.eq(id)),
        )
        .set((
            members::id_key.eq(new_key),
            members::id_cipher.eq(new_cipher),
        ))
        .execute(conn)
        .db()?;
    }
    Ok(rows.len())
}
