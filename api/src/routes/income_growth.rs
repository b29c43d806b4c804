//! Seed 5 (issue 22): a key village's per-capita income growth against its county's average
//! (增长幅度高于当地农民平均水平), a field of every key village answer.

use serde::Serialize;
use utoipa::ToSchema;

/// One year's per-capita income growth of a key village against its county's: for each year up
/// to the evaluated one with the village's profile and the county's figure for that year and the
/// year before.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomeGrowthDto {
    /// The year (compared with the year before).
    pub year: i32,
    /// The village's per-capita income, fen.
    pub village_income_fen: i64,
    /// Its growth over the year before, basis points (`526` = 5.26%).
    pub village_growth_bp: i64,
    /// The county's per-capita income, fen.
    pub county_income_fen: i64,
    /// The county's growth, basis points.
    pub county_growth_bp: i64,
    /// Village minus county, basis points (negative: slower than the county).
    pub difference_bp: i64,
    /// The village grew faster than the county.
    pub faster_than_county: bool,
}

impl From<domain::income_growth::GrowthYear> for IncomeGrowthDto {
    fn from(g: domain::income_growth::GrowthYear) -> Self {
        Self {
            year: g.year,
            village_income_fen: g.village_income_fen,
            village_growth_bp: g.village_growth_bp,
            county_income_fen: g.county_income_fen,
            county_growth_bp: g.county_growth_bp,
            difference_bp: g.difference_bp,
            faster_than_county: g.faster_than_county,
        }
    }
}
