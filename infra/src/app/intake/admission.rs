//! Which households an intake list may take: each in the village, of a status that may enter
//! as listed, and on no other list of the year nor on any list not yet announced.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::cases::Status;
use domain::intake::{self as rules, Kind};
use domain::{DomainError, FieldError};
use uuid::Uuid;

use super::NewIntake;
use crate::app::cases::{self, HouseholdRow};
use crate::db::DbResultExt as _;
use crate::schema::{intake_entries, intake_lists};

/// A household admitted, with how it enters.
pub(super) type Admitted = (HouseholdRow, Kind);

/// The households of `n` that may enter, with the errors of those that may not (each naming
/// `entries[i]`).
///
/// # Errors
/// Database failures.
pub(super) fn admit(
    conn: &mut PgConnection,
    n: &NewIntake,
) -> Result<(Vec<Admitted>, Vec<FieldError>), DomainError> {
    // Each household locked, in id order, before it is checked: two lists naming it at once
    // (of two years) both found it on no list not yet announced, and both admitted it.
    let ids: Vec<Uuid> = n.entries.iter().map(|(h, _)| *h).collect();
    cases::lock_in_order(conn, &ids)?;
    let mut errs = Vec::new();
    let mut admitted = Vec::new();
    for (i, (hid, kind)) in n.entries.iter().enumerate() {
        let f = format!("entries[{i}].household_id");
        if n.entries[..i].iter().any(|(h, _)| h == hid) {
            errs.push(FieldError::new(f, domain::Rule::ListedTwice));
            continue;
        }
        let h = match cases::find(conn, *hid) {
            Ok(h) => h,
            Err(DomainError::NotFound) => {
                errs.push(FieldError::new(
                    f,
                    domain::Rule::not_in_scope(domain::ScopeKind::Household),
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        if h.region_code != n.village.as_i64() {
            errs.push(FieldError::new(
                f,
                domain::Rule::other(
                    format!(
                        "household {} is registered in another village",
                        h.household_number
                    ),
                    format!("户 {} 登记在其他村", h.household_number),
                ),
            ));
            continue;
        }
        let status =
            Status::parse(&h.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        let before = match status {
            Status::Monitored => crate::app::monitoring::monitored_from(conn, h.id)?,
            _ => None,
        };
        if let Err(m) = rules::entering_status(*kind, status, before) {
            errs.push(FieldError::new(
                format!("entries[{i}].kind"),
                domain::Rule::other(
                    format!("household {} {m}", h.household_number),
                    format!("户 {} {}", h.household_number, m.message(domain::Lang::Zh)),
                ),
            ));
            continue;
        }
        // On a list of this year, or on any list not yet announced: two lists of two years
        // both approved, the second's announcement found the household entered already.
        let listed: Option<(Uuid, i32)> = intake_entries::table
            .inner_join(
                intake_lists::table.on(intake_lists::county_code
                    .eq(intake_entries::county_code)
                    .and(intake_lists::id.eq(intake_entries::list_id))),
            )
            .filter(intake_entries::county_code.eq(h.county_code))
            .filter(intake_entries::household_id.eq(h.id))
            .filter(
                intake_entries::year
                    .eq(n.year)
                    .or(intake_lists::announced_at.is_null()),
            )
            .filter(intake_entries::removed.eq(false))
            .select((intake_entries::list_id, intake_entries::year))
            .first(conn)
            .optional()
            .db()?;
        if let Some((l, y)) = listed {
            errs.push(FieldError::new(
                f,
                domain::Rule::other(
                    format!(
                        "household {} is already on the {y} intake list {l}",
                        h.household_number
                    ),
                    format!("户 {} 已在 {y} 年纳入名单 {l} 上", h.household_number),
                ),
            ));
            continue;
        }
        admitted.push((h, *kind));
    }
    Ok((admitted, errs))
}
