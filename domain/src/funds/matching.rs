//! The city's matching of province money (seed 5: 市财政按照省市财政资金1:1比例足额予以配套投入,
//! 从2011年开始,市财政全部代配了区县级配套资金).
//!
//! Per county and year: the city must put up `funds.city_matching_permille` of the province
//! money the county received (1000 = 1:1); from `funds.city_pays_county_share_from_year` it also
//! pays the county's matching share (代配). The county share is read from the ledger: the
//! county-level fiscal money recorded for the county that year is its matching share, which from
//! the switch year the city must provide on top (the project's reading; the seed names the
//! practice, not an amount). Bundled money of other departments (用途不变、渠道不乱) is neither
//! matched nor counted as matching.

/// One county-year's matching, in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Matching {
    /// Ratio × province money (rounded half up to the fen).
    pub matched_fen: i64,
    /// The county share the city pays (0 before the switch year).
    pub county_share_fen: i64,
    /// `matched_fen + county_share_fen`.
    pub required_city_fen: i64,
    /// Required − city money when short, else 0.
    pub shortfall_fen: i64,
    /// Whether the city money covers what is required.
    pub met: bool,
}

/// The city's matching of one county-year: `province_fen`, `city_fen` and `county_fen` are the
/// fiscal (not bundled) money received at each level.
pub fn city_matching(
    year: i32,
    province_fen: i64,
    city_fen: i64,
    county_fen: i64,
    permille: i32,
    county_share_from: Option<i32>,
) -> Matching {
    let matched = (i128::from(province_fen) * i128::from(permille) + 500).div_euclid(1000);
    let matched_fen = i64::try_from(matched).unwrap_or(i64::MAX);
    let county_share_fen = if county_share_from.is_some_and(|from| year >= from) {
        county_fen
    } else {
        0
    };
    let required_city_fen = matched_fen.saturating_add(county_share_fen);
    let shortfall_fen = required_city_fen.saturating_sub(city_fen).max(0);
    Matching {
        matched_fen,
        county_share_fen,
        required_city_fen,
        shortfall_fen,
        met: shortfall_fen == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_one_before_the_switch_and_the_county_share_after() {
        // 2010: 1:1 of province money; the county's own share is the county's.
        let m = city_matching(2010, 1_000_000, 1_000_000, 300_000, 1000, Some(2011));
        assert_eq!(
            (m.required_city_fen, m.shortfall_fen, m.met),
            (1_000_000, 0, true)
        );
        // 2011: the same city money now falls short by the county share.
        let m = city_matching(2011, 1_000_000, 1_000_000, 300_000, 1000, Some(2011));
        assert_eq!(m.county_share_fen, 300_000);
        assert_eq!(
            (m.required_city_fen, m.shortfall_fen, m.met),
            (1_300_000, 300_000, false)
        );
        // Never switched; half matching, rounded half up.
        let m = city_matching(2015, 3, 0, 9, 500, None);
        assert_eq!(
            (m.matched_fen, m.county_share_fen, m.shortfall_fen),
            (2, 0, 2)
        );
        // More city money than required: met, no negative shortfall.
        assert!(city_matching(2012, 10, 100, 0, 1000, Some(2011)).met);
    }
}
