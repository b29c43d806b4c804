//! The household number's prefix: a county's code must be the household's county, a
//! village's (the national 16-digit form) the household's village (security.md §10).

use diesel::pg::PgConnection;
use domain::{DomainError, Level, RegionCode};

/// Where a household number carries a county prefix (the national system's 户编号 begins with
/// the division code of the household's village, so its first six digits are a county's code),
/// that county must be the household's: no county registers numbers in another's series.
/// Numbers whose first six digits are not a known county's code are the county's own scheme.
///
/// # Errors
/// The message for `household_number`; database failures as `Err` of the outer result.
pub(crate) fn check_number_county(
    conn: &mut PgConnection,
    number: &str,
    village: RegionCode,
) -> Result<Result<(), domain::Rule>, DomainError> {
    let Some(prefix) = number.get(..6) else {
        return Ok(Ok(()));
    };
    let own = village.ancestor_at(Level::County);
    let Ok(code) = RegionCode::parse(prefix) else {
        return Ok(Ok(()));
    };
    if number.len() <= 6 || code.level() != Level::County {
        return Ok(Ok(()));
    }
    if code == own {
        // The county's own series: a number in the national form (户编号: the village's code
        // and a serial) must carry the household's village. Otherwise a clerk registering numbers of
        // another village (invisible under row-level security) learned from the county-wide
        // unique key which of them exist there.
        // Only the national form (16 digits: the village's 12 and a 4-digit serial); a
        // county's own serials after its code (13 digits, say) may read as a village's code.
        if number.len() != 16 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Ok(()));
        }
        let Some(Ok(at)) = number.get(..12).map(RegionCode::parse) else {
            return Ok(Ok(()));
        };
        if at.level() != Level::Village || at == village {
            return Ok(Ok(()));
        }
        return match crate::regions::get(conn, at) {
            Ok(_) => Ok(Err(domain::Rule::other(
                format!(
                    "begins with village {}'s code; a number carrying a village's code must carry the household's village ({})",
                    at.to_code_string(),
                    village.to_code_string()
                ),
                format!(
                    "以村 {} 的代码开头;带村级代码的户编号须使用本户所在村的代码({})",
                    at.to_code_string(),
                    village.to_code_string()
                ),
            ))),
            Err(DomainError::NotFound) => Ok(Ok(())),
            Err(e) => Err(e),
        };
    }
    match crate::regions::get(conn, code) {
        Ok(_) => Ok(Err(domain::Rule::other(
            format!(
                "begins with county {prefix}'s code; a number carrying a county prefix must carry the household's county ({})",
                &own.to_code_string()[..6]
            ),
            format!(
                "以县 {prefix} 的代码开头;带县级前缀的户编号须使用本户所在县的代码({})",
                &own.to_code_string()[..6]
            ),
        ))),
        Err(DomainError::NotFound) => Ok(Ok(())),
        Err(e) => Err(e),
    }
}
