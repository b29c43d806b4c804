//! The city's matching of province money per county and year (issue 22, seed 5: 市财政按照省市
//! 财政资金1:1比例足额予以配套投入,从2011年开始,市财政全部代配了区县级配套资金), checked against the
//! county's effective `funds.city_matching_permille` and `funds.city_pays_county_share_from_year`
//! (city rules: [`domain::funds::matching`]).

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use domain::funds::matching::city_matching;
use domain::{DomainError, RegionCode, Scope};
use serde::Serialize;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{funds, regions};

/// One county-year's fiscal money by level against what the city must put up, in fen.
#[derive(Debug, Clone, Serialize)]
pub struct CityMatching {
    /// County (6 digits).
    pub county_code: String,
    /// County name.
    pub name: String,
    /// Year of the funds.
    pub year: i32,
    /// Province money received (not bundled).
    pub province_fen: i64,
    /// City money received (not bundled).
    pub city_fen: i64,
    /// County money received (not bundled): the county's matching share.
    pub county_fen: i64,
    /// `funds.city_matching_permille` of the county.
    pub ratio_permille: i32,
    /// `funds.city_pays_county_share_from_year` of the county.
    pub county_share_from_year: Option<i32>,
    /// Ratio × province money.
    pub matched_fen: i64,
    /// The county share the city pays (from the switch year; else 0).
    pub county_share_fen: i64,
    /// `matched_fen + county_share_fen`.
    pub required_city_fen: i64,
    /// Required − city money when short, else 0.
    pub shortfall_fen: i64,
    /// Whether the city's money covers it.
    pub met: bool,
}

const SUM: &str = "coalesce(sum(funds.amount_fen) FILTER (WHERE funds.level = ";

/// A page of county-years in `within` (only `year` when given) with any province, city or county
/// money, by county then year, keyset after `(county_code, year)`.
///
/// # Errors
/// Database failures.
pub fn city_matching_report(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: Scope,
    year: Option<i32>,
    after: Option<(i32, i32)>,
    limit: i64,
) -> Result<Vec<CityMatching>, DomainError> {
    let mut q = funds::table
        .filter(funds::region_code.between(within.lo(), within.hi()))
        .filter(funds::bundled.eq(false))
        .filter(funds::level.eq_any(["province", "city", "county"]))
        .group_by((funds::county_code, funds::year))
        .order((funds::county_code, funds::year))
        .select((
            funds::county_code,
            funds::year,
            sql::<BigInt>(&format!("{SUM}'province'), 0)::bigint")),
            sql::<BigInt>(&format!("{SUM}'city'), 0)::bigint")),
            sql::<BigInt>(&format!("{SUM}'county'), 0)::bigint")),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(funds::year.eq(y));
    }
    if let Some((c, y)) = after {
        q = q.filter(
            funds::county_code
                .gt(c)
                .or(funds::county_code.eq(c).and(funds::year.gt(y))),
        );
    }
    let rows: Vec<(i32, i32, i64, i64, i64)> = q.load(conn).db()?;
    let mut rules: HashMap<i32, (i32, Option<i32>, String)> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (county_code, year, province_fen, city_fen, county_fen) in rows {
        let (ratio, from, name) = match rules.get(&county_code) {
            Some(r) => r.clone(),
            None => {
                let county = RegionCode::parse(&format!("{county_code:06}"))
                    .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
                let f = super::settings::effective_for(conn, ctx, county)?.funds;
                let name: String = regions::table
                    .filter(regions::code.eq(county.as_i64()))
                    .select(regions::name)
                    .first(conn)
                    .db()?;
                let r = (
                    f.city_matching_permille,
                    f.city_pays_county_share_from_year,
                    name,
                );
                rules.insert(county_code, r.clone());
                r
            }
        };
        let m = city_matching(year, province_fen, city_fen, county_fen, ratio, from);
        out.push(CityMatching {
            county_code: format!("{county_code:06}"),
            name,
            year,
            province_fen,
            city_fen,
            county_fen,
            ratio_permille: ratio,
            county_share_from_year: from,
            matched_fen: m.matched_fen,
            county_share_fen: m.county_share_fen,
            required_city_fen: m.required_city_fen,
            shortfall_fen: m.shortfall_fen,
            met: m.met,
        });
    }
    Ok(out)
}
