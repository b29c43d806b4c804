//! The key-village settings' target years.

use super::KeyVillageSettings;
use crate::FieldError;
use crate::input::{FIRST_YEAR as FIRST, LAST_YEAR as LAST, YEARS};

impl KeyVillageSettings {
    /// Target years that are not years the system keeps, and a collective-income list that
    /// is not one target a year, at most 20 (fields named under `key_village.`).
    pub fn year_problems(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (field, year) in [
            ("key_village.income_parity_year", self.income_parity_year),
            ("key_village.industry_year", self.industry_year),
            (
                "key_village.tap_water_target.year",
                self.tap_water_target.year,
            ),
            (
                "key_village.sanitary_toilet_target.year",
                self.sanitary_toilet_target.year,
            ),
        ] {
            if !YEARS.contains(&year) {
                errs.push(FieldError::new(
                    field,
                    crate::Rule::other(
                        format!("must be a year from {FIRST} to {LAST}"),
                        format!("须为 {FIRST} 至 {LAST} 年之间的年份"),
                    ),
                ));
            }
        }
        let targets = &self.collective_income_targets;
        let years: std::collections::BTreeSet<i32> = targets.iter().map(|t| t.year).collect();
        if !(targets.iter().all(|t| YEARS.contains(&t.year))
            && years.len() == targets.len()
            && years.len() <= 20)
        {
            errs.push(FieldError::new(
                "key_village.collective_income_targets",
                crate::Rule::other(
                    format!("at most 20 targets, one a year, each year from {FIRST} to {LAST}"),
                    format!("最多 20 个目标,每年一个,年份须在 {FIRST} 至 {LAST} 年之间"),
                ),
            ));
        }
        errs
    }
}
