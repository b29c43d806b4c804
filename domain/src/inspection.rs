//! Sampling inspections of filed exits (督查验收, issue 22 seed 1): the county or the city draws a
//! random, reproducible sample of the households whose exit was filed in a year and visits each;
//! a false exit found (被脱贫, 错退) reopens the household.
//!
//! The draw itself runs in the database (`ORDER BY md5(seed || household_id) LIMIT size`): the
//! same seed over the same population gives the same sample, so anyone holding the seed can
//! check the draw was not chosen by hand.

use crate::cases::household::Status;
use crate::error::DomainError;

vocabulary! {
    /// What the inspector found at the household.
    Outcome as "InspectionOutcome" {
        /// The household is out of poverty as filed (真脱贫).
        Confirmed = "confirmed" / "真脱贫",
        /// The exit was false: the household is not out of poverty (被脱贫, 错退).
        FalseExit = "false_exit" / "被脱贫",
    }
}

/// Checks the sample size against the population: at least one household, at most all of them.
///
/// # Errors
/// `Validation` naming `size`, with the population when the size exceeds it.
pub fn check_size(size: i64, population: i64) -> Result<(), DomainError> {
    if size < 1 {
        return Err(DomainError::field("size", crate::Rule::AtLeast { min: 1 }));
    }
    if size > population {
        return Err(DomainError::field(
            "size",
            crate::Rule::other(
                format!(
                    "is larger than the population: {population} households had their exit filed that year in the region"
                ),
                format!("超过总体数量:该地区当年有 {population} 户办理了退出"),
            ),
        ));
    }
    Ok(())
}

/// The status a household found falsely exited goes back to, if it is still counted as out of
/// poverty (exited, or exited and monitored); `None` when it is back in poverty already
/// (registered, returned) or out of the registry.
pub fn reopen_to(status: Status) -> Option<Status> {
    match status {
        Status::Exited | Status::Monitored => Some(Status::Registered),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_within_population() {
        assert!(check_size(1, 1).is_ok());
        assert!(check_size(5, 10).is_ok());
        assert!(check_size(0, 10).is_err());
        assert!(check_size(-3, 10).is_err());
        let Err(DomainError::Validation(e)) = check_size(11, 10) else {
            panic!("expected a validation error");
        };
        assert_eq!(e[0].field, "size");
        assert!(e[0].rule.to_string().contains("10"));
    }

    #[test]
    fn false_exits_reopen_households_counted_out_of_poverty() {
        assert_eq!(reopen_to(Status::Exited), Some(Status::Registered));
        assert_eq!(reopen_to(Status::Monitored), Some(Status::Registered));
        assert_eq!(reopen_to(Status::Returned), None);
        assert_eq!(reopen_to(Status::Registered), None);
        for s in [Status::Exited, Status::Monitored] {
            assert!(s.can_become(Status::Registered));
        }
    }
}
