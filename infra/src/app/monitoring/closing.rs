//! A case's household moved by another procedure: the status it had before monitoring, and
//! closing its open case when an intake announcement, a false exit or a veto moves it.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::cases::Status;
use domain::monitoring::CaseStage;
use serde_json::json;
use uuid::Uuid;

use super::{CaseRow, Ctx, event, parse};
use crate::db::DbResultExt as _;
use crate::schema::monitoring_cases;

/// The status a household had before its open monitoring case, if it has one.
///
/// # Errors
/// Database failures.
pub(crate) fn monitored_from(
    conn: &mut PgConnection,
    household_id: Uuid,
) -> Result<Option<Status>, DomainError> {
    status_before(conn, household_id, true)
}

/// The status the household had before its latest monitoring case (open or closed), if it
/// ever had one.
///
/// # Errors
/// Database failures.
pub(crate) fn last_status_before(
    conn: &mut PgConnection,
    household_id: Uuid,
) -> Result<Option<Status>, DomainError> {
    status_before(conn, household_id, false)
}

/// The status before the household's latest case, or (`open_only`) its open one.
fn status_before(
    conn: &mut PgConnection,
    household_id: Uuid,
    open_only: bool,
) -> Result<Option<Status>, DomainError> {
    let mut q = monitoring_cases::table
        .filter(monitoring_cases::household_id.eq(household_id))
        .order(monitoring_cases::created_at.desc())
        .select(monitoring_cases::status_before)
        .into_boxed();
    if open_only {
        q = q.filter(monitoring_cases::closed_at.is_null());
    }
    let before: Option<String> = q.first(conn).optional().db()?;
    Ok(before.and_then(|b| Status::parse(&b).ok()))
}

/// Why a household's open case is closed by another procedure, and how it closes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClosedBy {
    /// An intake list announced the household poor: fallen into poverty (返贫致贫).
    Intake,
    /// A one-vote veto (一票否决) removed the household: not monitored any more.
    Veto,
    /// A sampling inspection found its exit false: back in poverty (返贫致贫).
    FalseExit,
}

impl ClosedBy {
    /// How a case at `stage` closes: one still being identified was never taken into
    /// monitoring (dismissed, whatever moved the household); a monitored one fell into poverty
    /// when an intake or a false exit put the household there, and is dismissed by a veto.
    fn stage(self, stage: CaseStage) -> CaseStage {
        match self {
            _ if stage.in_identification() => CaseStage::Dismissed,
            Self::Intake | Self::FalseExit => CaseStage::Returned,
            Self::Veto => CaseStage::Dismissed,
        }
    }

    fn event(self) -> &'static str {
        match self {
            Self::Intake => "closed_by_intake",
            Self::Veto => "closed_by_veto",
            Self::FalseExit => "closed_by_false_exit",
        }
    }
}

/// Closes the household's open monitoring case, if any, because another procedure moved the
/// household (`reason` names it): an intake announcement or a false exit put it in poverty, a
/// veto removed it. The case could otherwise set the household back to the status it had
/// before (a vetoed household monitored again, a false exit exited without the procedure).
///
/// # Errors
/// Database failures.
pub(crate) fn close_open_case(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    by: ClosedBy,
    reason: &str,
) -> Result<(), DomainError> {
    let open: Option<CaseRow> = monitoring_cases::table
        .filter(monitoring_cases::household_id.eq(household_id))
        .filter(monitoring_cases::closed_at.is_null())
        .select(CaseRow::as_select())
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    let Some(case) = open else {
        return Ok(());
    };
    let to = by.stage(parse(CaseStage::parse(&case.stage))?);
    diesel::update(
        monitoring_cases::table
            .filter(monitoring_cases::county_code.eq(case.county_code))
            .filter(monitoring_cases::id.eq(case.id)),
    )
    .set((
        monitoring_cases::stage.eq(to.as_str()),
        monitoring_cases::version.eq(monitoring_cases::version + 1),
        monitoring_cases::updated_at.eq(ctx.now),
        monitoring_cases::closed_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    event(
        conn,
        ctx,
        &case,
        by.event(),
        Some(&case.stage),
        to.as_str(),
        json!({ "reason": reason }),
    )
}
