//! The check that the personal-data keys a process was started with are the keys the
//! database's personal data was written with.
//!
//! Each key leaves a check value in `data_key_checks` the first time a process uses it: the
//! data key's encryption of a fixed text, the blind-index key's HMAC of it. Before it does, the
//! key is tried on one ID number already stored (a database written before this check existed,
//! or by an earlier process without it): a key that does not fit stored data is never recorded. A later start with
//! other keys (a lost `.env`, a typo, another environment's keys) fails here, with the key named,
//! instead of serving: with a wrong data key every reveal would be a server error, and with a
//! wrong blind-index key every exact search and duplicate check would silently find nothing.

use diesel::prelude::*;
use domain::DomainError;
use uuid::Uuid;

use crate::db::DbResultExt as _;
use crate::pii::DataKeys;
use crate::schema::data_key_checks as k;

/// The fixed text the check values are made of.
const CHECK_TEXT: &str = "zhenxing data key check";

/// What the check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KeyCheck {
    /// Keys seen for the first time: their check values were written now.
    pub recorded: Vec<String>,
    /// Keys whose check values matched.
    pub matched: Vec<String>,
}

/// Keys that are not the ones the database was written with.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} not the key the personal data in this database was written with: start with the original \
     ZX_DATA_KEYS and ZX_BLIND_INDEX_KEY (docs/operations.md, \"Personal-data keys\")"
)]
pub struct KeyMismatch(pub String);

/// Checks `keys` against the stored check values, recording the values of keys not seen before
/// (only when every key fits: nothing is recorded for a set of keys that is refused).
///
/// # Errors
/// `Ok(Err(KeyMismatch))` when a key does not match; `Err` when the database fails.
pub fn verify(
    conn: &mut PgConnection,
    keys: &DataKeys,
) -> Result<Result<KeyCheck, KeyMismatch>, DomainError> {
    let mut out = KeyCheck::default();
    let mut new: Vec<(&str, i16, Vec<u8>)> = Vec::new();
    // Each data key: its stored ciphertext must decrypt to the fixed text. Without one yet (a
    // new database, or one written before this check), it must decrypt an ID number stored
    // with it, if there is one.
    for id in keys.key_ids() {
        let name = format!("data key {id} of ZX_DATA_KEYS");
        match stored(conn, "data", id)? {
            None => {
                if let Some(m) = sample_member(conn, Some(id))?
                    && keys.decrypt(id, m.0, &m.2).is_err()
                {
                    return Ok(Err(KeyMismatch(format!("{name} is"))));
                }
                let (_, blob) = keys.encrypt_with(id, Uuid::nil(), CHECK_TEXT)?;
                new.push(("data", id, blob));
                out.recorded.push(name);
            }
            Some(blob) => match keys.decrypt(id, Uuid::nil(), &blob) {
                Ok(text) if text == CHECK_TEXT => out.matched.push(name),
                _ => return Ok(Err(KeyMismatch(format!("{name} is")))),
            },
        }
    }
    // The blind-index key: an HMAC is deterministic, so the stored value must equal a new one;
    // without one yet, a stored ID number's index must be the key's HMAC of its number.
    let mac = keys.blind_mac(CHECK_TEXT);
    match stored(conn, "blind", 0)? {
        None => {
            if let Some(m) = sample_member(conn, None)?
                && let Ok(plain) = keys.decrypt(m.1, m.0, &m.2)
                && keys.blind_mac(&plain) != m.3
            {
                return Ok(Err(KeyMismatch("ZX_BLIND_INDEX_KEY is".into())));
            }
            new.push(("blind", 0, mac));
            out.recorded.push("ZX_BLIND_INDEX_KEY".into());
        }
        Some(v) if v == mac => out.matched.push("ZX_BLIND_INDEX_KEY".into()),
        Some(_) => return Ok(Err(KeyMismatch("ZX_BLIND_INDEX_KEY is".into()))),
    }
    for (kind, id, value) in new {
        record(conn, kind, id, &value)?;
    }
    Ok(Ok(out))
}

/// A stored ID number: the member's id, key id, ciphertext and blind index.
type StoredId = (Uuid, i16, Vec<u8>, Vec<u8>);

/// One stored ID number (written with data key `key`, or any): the member's id, key id,
/// ciphertext and blind index. Members are tenant rows: this looks in the whole platform's
/// scope (`verify` runs in it) and reads one row.
fn sample_member(
    conn: &mut PgConnection,
    key: Option<i16>,
) -> Result<Option<StoredId>, DomainError> {
    use crate::schema::members as m;
    let mut q = m::table
        .select((m::id, m::id_key, m::id_cipher, m::id_blind))
        .into_boxed();
    if let Some(k) = key {
        q = q.filter(m::id_key.eq(k));
    }
    q.first(conn).optional().db()
}

fn stored(conn: &mut PgConnection, kind: &str, id: i16) -> Result<Option<Vec<u8>>, DomainError> {
    k::table
        .filter(k::kind.eq(kind))
        .filter(k::key_id.eq(id))
        .select(k::check_value)
        .first(conn)
        .optional()
        .db()
}

fn record(conn: &mut PgConnection, kind: &str, id: i16, value: &[u8]) -> Result<(), DomainError> {
    // Two processes starting at once both insert; the second one's row is dropped, and the next
    // start checks against the first one's (the same keys, or a mismatch found then).
    diesel::insert_into(k::table)
        .values((k::kind.eq(kind), k::key_id.eq(id), k::check_value.eq(value)))
        .on_conflict_do_nothing()
        .execute(conn)
        .db()?;
    Ok(())
}
