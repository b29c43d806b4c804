//! The region hierarchy: reading it, and importing the NBS division-code CSV files.

pub mod import;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, Level, RegionCode};

use crate::db::DbResultExt as _;
use crate::schema::regions;

/// One node of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = regions)]
pub struct RegionRow {
    /// 12-digit code.
    pub code: i64,
    /// 0 platform … 5 village.
    pub level: i16,
    /// Official name.
    pub name: String,
    /// Parent node.
    pub parent_code: Option<i64>,
}

/// A region with its typed code and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Code.
    pub code: RegionCode,
    /// Level.
    pub level: Level,
    /// Name.
    pub name: String,
    /// Parent.
    pub parent: Option<RegionCode>,
}

impl TryFrom<RegionRow> for Region {
    type Error = DomainError;
    fn try_from(r: RegionRow) -> Result<Self, DomainError> {
        let bad = |m: String| DomainError::Unexpected(anyhow::anyhow!(m));
        Ok(Self {
            code: RegionCode::from_i64(r.code).map_err(|e| bad(e.to_string()))?,
            level: Level::from_number(r.level)
                .ok_or_else(|| bad(format!("bad level {}", r.level)))?,
            name: r.name,
            parent: r
                .parent_code
                .map(RegionCode::from_i64)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
        })
    }
}

/// The node with `code`.
///
/// # Errors
/// `NotFound` when there is none.
pub fn get(conn: &mut PgConnection, code: RegionCode) -> Result<Region, DomainError> {
    regions::table
        .find(code.as_i64())
        .select(RegionRow::as_select())
        .first(conn)
        .db()?
        .try_into()
}

/// The codes of every node at `level` within `scope`, in code order (the CLI's "every village
/// of the region" and "every county of the region").
///
/// # Errors
/// Database failures.
pub fn codes_at_level(
    conn: &mut PgConnection,
    scope: domain::Scope,
    level: Level,
) -> Result<Vec<RegionCode>, DomainError> {
    let codes: Vec<i64> = regions::table
        .filter(regions::code.between(scope.lo(), scope.hi()))
        .filter(regions::level.eq(level.number()))
        .order(regions::code)
        .select(regions::code)
        .load(conn)
        .db()?;
    codes
        .into_iter()
        .map(|c| RegionCode::from_i64(c).map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e))))
        .collect()
}

/// The children of `code`, ordered by code, after `after` (keyset), at most `limit`.
///
/// # Errors
/// Database failures.
pub fn children(
    conn: &mut PgConnection,
    code: RegionCode,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Region>, DomainError> {
    let mut q = regions::table
        .filter(regions::parent_code.eq(code.as_i64()))
        .select(RegionRow::as_select())
        .order(regions::code)
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(regions::code.gt(a));
    }
    q.load(conn)
        .db()?
        .into_iter()
        .map(Region::try_from)
        .collect()
}
