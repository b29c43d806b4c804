//! Cursor (keyset) pagination: `?limit=&cursor=`, answers `{items, next_cursor}`.
//!
//! A cursor is opaque to clients: base64url of a small JSON value naming the last row seen.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::FieldError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// Pagination parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The page size, checked.
    ///
    /// # Errors
    /// 422 naming `limit` when out of range.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::BadParameter(FieldError::new(
                "limit",
                domain::Rule::range(1, MAX_LIMIT),
            ))),
        }
    }

    /// The decoded cursor.
    ///
    /// # Errors
    /// 422 naming `cursor` when it cannot be read as a position (cursors are not signed: one
    /// made by hand only moves where a page starts within what the caller may read).
    pub fn cursor<T: DeserializeOwned>(&self) -> Result<Option<T>, ApiError> {
        let Some(c) = &self.cursor else {
            return Ok(None);
        };
        let bad = || ApiError::BadParameter(FieldError::new("cursor", domain::Rule::InvalidCursor));
        let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
        // A cursor made by hand may hold what no row holds and PostgreSQL refuses (a NUL, a
        // date of the year -5000): refused before it reaches a query.
        if bytes.windows(6).any(|w| w == b"\\u0000") || super::json::may_hold_bad_date(&bytes) {
            return Err(bad());
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
    }
}

/// Encodes a cursor.
pub fn encode_cursor<T: Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only signals that
    /// another page exists.
    pub fn from_rows<R, K: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        key: impl Fn(&R) -> K,
        map: impl Fn(R) -> T,
    ) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        assert_eq!(PageParams::default().limit().ok(), Some(50));
        for bad in [0, -1, 201, 100_000] {
            let p = PageParams {
                limit: Some(bad),
                cursor: None,
            };
            assert!(p.limit().is_err());
        }
        let c = encode_cursor(&("alice", 3));
        let p = PageParams {
            limit: None,
            cursor: Some(c),
        };
        assert_eq!(
            p.cursor::<(String, i32)>().ok().flatten(),
            Some(("alice".into(), 3))
        );
        // Forged: a NUL in a string, a date PostgreSQL cannot hold.
        for forged in [
            encode_cursor(&(370_831_000_000_i64, "a\u{0}")),
            encode_cursor(&("-5000-01-01", 3)),
        ] {
            let p = PageParams {
                limit: None,
                cursor: Some(forged),
            };
            assert!(
                p.cursor::<(serde_json::Value, serde_json::Value)>()
                    .is_err()
            );
        }
        let junk = PageParams {
            limit: None,
            cursor: Some("!!".into()),
        };
        assert!(junk.cursor::<(String, i32)>().is_err());
        let page = Page::from_rows(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(page.items, vec![10, 20]);
        assert_eq!(page.next_cursor, Some(encode_cursor(&2)));
        let last = Page::from_rows(vec![1, 2], 2, |r| *r, |r| r);
        assert!(last.next_cursor.is_none());
    }
}
