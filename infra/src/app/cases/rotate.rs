//! Re-encryption of ID numbers (and benefit card numbers) under the active data key, after a key rotation.
//!
//! Rotation: add a new key to `ZX_DATA_KEYS` (keeping the old one), restart the servers (new
//! values use the new key), run `zhenxing reencrypt`, then drop the old key. The blind index does
//! not change, so search and duplicate detection are unaffected throughout.

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::cases::IdNumber;
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;
use crate::schema::members;

/// Re-encrypts every member whose ID number (then every benefit card whose number) is under another key than the active one, in
/// batches of `batch` rows, each batch its own transaction. Returns how many were moved.
///
/// # Errors
/// Database failures, or a value that does not decrypt (the key was dropped too early).
pub fn reencrypt(db: &Db, keys: &DataKeys, batch: i64) -> Result<usize, DomainError> {
    let active = keys.active();
    // An operator command over every tenant: the platform's scope, the app role's rights.
    let everywhere = RegionCode::PLATFORM.subtree();
    let far_future = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut moved = 0;
    loop {
        let n = db.in_scope_conn(everywhere, |conn| {
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
        })?;
        moved += n;
        if n == 0 {
            break;
        }
    }
    // Benefit card numbers are encrypted the same way (seed 5, 一卡兑付).
    loop {
        let n = db.in_scope_conn(everywhere, |conn| {
            crate::app::benefit_cards::reencrypt_batch(conn, keys, batch)
        })?;
        moved += n;
        if n == 0 {
            return Ok(moved);
        }
    }
}
