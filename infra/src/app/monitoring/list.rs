//! The list of monitoring cases: filters and the keyset walk.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use domain::monitoring::{CaseStage, Kind};
use domain::{DomainError, Scope};
use uuid::Uuid;

use super::{CaseRow, overdue};
use crate::app::Ctx;
use crate::schema::{households, monitoring_cases};

/// Filters of the case list.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Stage.
    pub stage: Option<CaseStage>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Only cases past their identification deadline and still undecided.
    pub overdue: bool,
    /// Only open cases without a monitoring contact.
    pub without_contact: bool,
}

/// A case in a list.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    /// The case.
    pub case: CaseRow,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// Days overdue.
    pub overdue_days: i64,
}

/// Cases in scope by village, then oldest finding first — the order of `monitoring_cases_walk`
/// (and of one index per filter), so every scope and filter walks an index and stops after the
/// page; keyset after `(village, found_on, id)`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    f: &CaseFilter,
    after: Option<(i64, NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<CaseSummary>, DomainError> {
    let mut q = monitoring_cases::table
        .inner_join(
            households::table.on(households::county_code
                .eq(monitoring_cases::county_code)
                .and(households::id.eq(monitoring_cases::household_id))),
        )
        .filter(monitoring_cases::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            monitoring_cases::region_code,
            monitoring_cases::found_on,
            monitoring_cases::id,
        ))
        .select((
            CaseRow::as_select(),
            households::household_number,
            households::head_name,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.stage {
        q = q.filter(monitoring_cases::stage.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(monitoring_cases::kind.eq(k.as_str()));
    }
    if f.overdue {
        // Written as the predicate of `monitoring_cases_undecided_walk`, so that index serves it.
        q = q
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "monitoring_cases.stage IN ('identified', 'township_reviewed')",
            ))
            .filter(monitoring_cases::deadline.lt(ctx.today()));
    }
    if f.without_contact {
        q = q
            .filter(monitoring_cases::contact_user_id.is_null())
            .filter(monitoring_cases::closed_at.is_null());
    }
    if let Some((r, d, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(monitoring_cases.region_code, monitoring_cases.found_on, monitoring_cases.id) > (",
            )
            .bind::<BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Date, _>(d)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows: Vec<(CaseRow, String, String)> = crate::db::load_page(conn, q)?;
    let today = ctx.today();
    Ok(rows
        .into_iter()
        .map(|(case, household_number, head_name)| CaseSummary {
            overdue_days: overdue(&case, today),
            case,
            household_number,
            head_name,
        })
        .collect())
}
