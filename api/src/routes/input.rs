//! Checks of request input shared by the handlers: ids in paths, free text, years, areas, the
//! region filter, and turning collected field errors into one 422.

use domain::{DomainError, FieldError, RegionCode, Scope};
use uuid::Uuid;

/// An id in a path; a malformed one is simply not found.
///
/// # Errors
/// `NotFound`.
pub fn id_of(path: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(path).map_err(|_| DomainError::NotFound)
}

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
                format!("must have 1 to {max} characters")
            } else {
                format!("must have at most {max} characters")
            },
        ));
    }
    v.to_string()
}

/// Checks a year.
pub fn check_year(errs: &mut Vec<FieldError>, field: &str, year: i32) {
    if !(1980..=2100).contains(&year) {
        errs.push(FieldError::new(
            field,
            "must be a year between 1980 and 2100",
        ));
    }
}

/// An area in mu with at most one decimal (`449.4`) as tenths of a mu, checked against
/// `min..=max` mu.
pub fn mu_tenths(errs: &mut Vec<FieldError>, field: &str, v: f64, min: f64, max: f64) -> i64 {
    let tenths = v * 10.0;
    if !(min..=max).contains(&v) || (tenths - tenths.round()).abs() > 1e-6 {
        errs.push(FieldError::new(
            field,
            format!("must be an area from {min} to {max} mu with at most one decimal"),
        ));
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

/// The `region` filter: a region inside `scope` narrows it; absent, the whole scope.
///
/// # Errors
/// 422 naming `region` when it is not a code or lies outside the scope.
pub fn within(region: Option<&str>, scope: Scope) -> Result<Scope, DomainError> {
    match region {
        None => Ok(scope),
        Some(r) => {
            let code = RegionCode::parse(r).map_err(|m| DomainError::field("region", m))?;
            if scope.contains(code) {
                Ok(code.subtree())
            } else {
                Err(DomainError::field("region", "lies outside your scope"))
            }
        }
    }
}
