//! Checks of request input shared by the handlers: ids in paths, free text, years, areas, the
//! region filter, and turning collected field errors into one 422.

use domain::{DomainError, RegionCode, Scope};
use uuid::Uuid;

/// An id in a path; a malformed one is simply not found.
///
/// # Errors
/// `NotFound`.
pub fn id_of(path: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(path).map_err(|_| DomainError::NotFound)
}

pub use domain::input::{check_year, done, mu_tenths, text};

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
                Err(DomainError::field("region", domain::Rule::OutsideScope))
            }
        }
    }
}
