//! Seed 5: the key villages' per-capita income grew faster than the local farmers' average
//! (使贫困地区农民年人均纯收入增长幅度高于当地农民平均水平). Each key village's year-on-year
//! growth of per-capita income is compared with its county's.

use serde::Serialize;

/// One year's growth of a village against its county's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrowthYear {
    /// The year (compared with the year before).
    pub year: i32,
    /// The village's per-capita income that year, fen.
    pub village_income_fen: i64,
    /// Its growth over the year before, basis points (`526` = 5.26%).
    pub village_growth_bp: i64,
    /// The county's per-capita income that year, fen.
    pub county_income_fen: i64,
    /// The county's growth over the year before, basis points.
    pub county_growth_bp: i64,
    /// Village minus county growth, basis points (negative: slower than the county).
    pub difference_bp: i64,
    /// True when the village grew faster than the county (the seed's 高于).
    pub faster_than_county: bool,
}

/// Growth from `before` to `now`, basis points, rounded toward zero; `None` when `before` is not
/// positive.
pub fn growth_bp(before: i64, now: i64) -> Option<i64> {
    if before <= 0 {
        return None;
    }
    i64::try_from(i128::from(now - before) * 10_000 / i128::from(before)).ok()
}

/// Every year in which both the village and the county have their income for that year and the
/// year before, in year order. `village` and `county` are `(year, per-capita income fen)`.
pub fn compare(village: &[(i32, i64)], county: &[(i32, i64)]) -> Vec<GrowthYear> {
    let at = |s: &[(i32, i64)], y: i32| s.iter().find(|(year, _)| *year == y).map(|(_, v)| *v);
    let mut years: Vec<i32> = village.iter().map(|(y, _)| *y).collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .filter_map(|y| {
            let (v0, v1) = (at(village, y - 1)?, at(village, y)?);
            let (c0, c1) = (at(county, y - 1)?, at(county, y)?);
            let (vg, cg) = (growth_bp(v0, v1)?, growth_bp(c0, c1)?);
            Some(GrowthYear {
                year: y,
                village_income_fen: v1,
                village_growth_bp: vg,
                county_income_fen: c1,
                county_growth_bp: cg,
                difference_bp: vg - cg,
                // Decided on the exact growth (v1/v0 > c1/c0, cross-multiplied), not on the
                // rounded basis points: a village faster by less than 0.01 point is faster.
                faster_than_county: i128::from(v1 - v0) * i128::from(c0)
                    > i128::from(c1 - c0) * i128::from(v0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_each_year_with_both_years_known() {
        // County 19,000 → 20,000 yuan (+5.26%); village 18,000 → 19,800 (+10%), then flat.
        let county = [(2020, 1_900_000), (2021, 2_000_000), (2022, 2_100_000)];
        let village = [
            (2019, 1_700_000),
            (2020, 1_800_000),
            (2021, 1_980_000),
            (2022, 1_980_000),
        ];
        let g = compare(&village, &county);
        assert_eq!(g.len(), 2, "2019 and 2020 lack the county's year before");
        assert_eq!(
            (g[0].year, g[0].village_growth_bp, g[0].county_growth_bp),
            (2021, 1000, 526)
        );
        assert!(g[0].faster_than_county);
        assert_eq!(
            (g[1].year, g[1].village_growth_bp, g[1].difference_bp),
            (2022, 0, -500)
        );
        assert!(!g[1].faster_than_county);
        assert_eq!(growth_bp(0, 5), None);
    }

    #[test]
    fn faster_is_judged_on_the_exact_growth_not_the_rounded_points() {
        // County +5.2600 %, village +5.2622 %: both 526 basis points, the village faster.
        let county = [(2020, 1_900_000), (2021, 1_999_940)];
        let village = [(2020, 1_800_000), (2021, 1_894_719)];
        let g = compare(&village, &county);
        assert_eq!((g[0].village_growth_bp, g[0].county_growth_bp), (526, 526));
        assert!(g[0].faster_than_county, "{g:?}");
        // Equal growth is not faster.
        let g = compare(&[(2020, 100), (2021, 110)], &[(2020, 1_000), (2021, 1_100)]);
        assert!(!g[0].faster_than_county, "{g:?}");
    }
}
