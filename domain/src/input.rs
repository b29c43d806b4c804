//! Checks of input shared by the HTTP handlers and the spreadsheet imports: free text, years,
//! areas, percentages, and turning collected field errors into one refusal. (Moved here from
//! the API's input module so a bulk import row is checked by the very code a single request
//! is.)

use std::ops::RangeInclusive;

use crate::{DomainError, FieldError, Rule};

/// The years every year field and parameter takes, records and plans alike.
pub const YEARS: RangeInclusive<i32> = FIRST_YEAR..=LAST_YEAR;
/// The first year a record may carry.
pub const FIRST_YEAR: i32 = 1980;
/// The last year a record or plan may carry.
pub const LAST_YEAR: i32 = 2100;
/// The refusal of a year outside [`YEARS`].
pub const YEAR_RULE: Rule = Rule::YearRange {
    min: FIRST_YEAR as i64,
    max: LAST_YEAR as i64,
};

/// Checks free text: trimmed length within `1..=max` (or `0..=max` when optional); returns it
/// trimmed.
pub fn text(
    errs: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if (required && n == 0) || n > max {
        errs.push(FieldError::new(
            field,
            if required {
                Rule::length(1, max)
            } else {
                Rule::too_long(max)
            },
        ));
    }
    v.to_string()
}

/// Checks a year.
pub fn check_year(errs: &mut Vec<FieldError>, field: &str, year: i32) {
    if !YEARS.contains(&year) {
        errs.push(FieldError::new(field, YEAR_RULE));
    }
}

/// An area in mu with at most one decimal (`449.4`) as tenths of a mu, checked against
/// `min..=max` mu.
pub fn mu_tenths(errs: &mut Vec<FieldError>, field: &str, v: f64, min: f64, max: f64) -> i64 {
    let tenths = v * 10.0;
    if !(min..=max).contains(&v) || (tenths - tenths.round()).abs() > 1e-6 {
        errs.push(FieldError::new(field, Rule::Area { min, max }));
        return 0;
    }
    // In range and with one decimal: exact as an integer of tenths.
    format!("{tenths:.0}").parse().unwrap_or(0)
}

/// All collected field errors as one 422, or nothing.
///
/// # Errors
/// `Validation` with every error.
pub fn done(errs: Vec<FieldError>) -> Result<(), DomainError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// A percentage with at most one decimal (`87.5`) as permille, checked to lie in 0 to 100.
pub fn permille(errs: &mut Vec<FieldError>, field: &str, v: Option<f64>) -> Option<i32> {
    let v = v?;
    if !(0.0..=100.0).contains(&v) || (v * 10.0).fract().abs() > 1e-6 {
        errs.push(FieldError::new(field, Rule::Percentage));
        return None;
    }
    // In range and with one decimal: exact as an integer of tenths.
    format!("{:.0}", v * 10.0).parse().ok()
}

#[cfg(test)]
mod year_tests {
    use super::*;

    #[test]
    fn the_year_message_names_the_bounds_of_the_range() {
        let message = YEAR_RULE.to_string();
        assert!(message.contains(&FIRST_YEAR.to_string()));
        assert!(message.contains(&LAST_YEAR.to_string()));
        let mut errs = Vec::new();
        check_year(&mut errs, "year", FIRST_YEAR - 1);
        check_year(&mut errs, "year", LAST_YEAR);
        assert_eq!(errs.len(), 1);
    }
}
