//! A contract's record as the station kept it (seed 3): the inspections (present or absent)
//! and the incidents, oldest first, for the console to show beside the payouts they explain.

use super::*;

/// One inspection of a ranger.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ranger_inspections)]
pub struct InspectionRow {
    /// Id.
    pub id: Uuid,
    /// Day inspected.
    pub inspected_on: NaiveDate,
    /// Found at the post.
    pub present: bool,
    /// Note.
    pub note: String,
}

/// One incident in a ranger's patch.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ranger_incidents)]
pub struct IncidentRow {
    /// Id.
    pub id: Uuid,
    /// Day it happened.
    pub occurred_on: NaiveDate,
    /// Kind code (`IncidentKind`).
    pub kind: String,
    /// Burnt area, tenths of a mu (fires).
    pub burnt_mu_tenths: i64,
    /// Through the ranger's negligence.
    pub through_negligence: bool,
    /// Above the threshold for a criminal case.
    pub above_case_threshold: bool,
    /// With a major loss.
    pub major_loss: bool,
    /// What happened.
    pub description: String,
}

/// A contract's inspections and incidents, oldest first.
///
/// # Errors
/// `NotFound` for a contract outside scope.
pub fn contract_record(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(Vec<InspectionRow>, Vec<IncidentRow>), DomainError> {
    let c = get(conn, id)?;
    let inspections = ranger_inspections::table
        .filter(ranger_inspections::county_code.eq(c.county_code))
        .filter(ranger_inspections::contract_id.eq(c.id))
        .order((ranger_inspections::inspected_on, ranger_inspections::id))
        .select(InspectionRow::as_select())
        .load(conn)
        .db()?;
    let incidents = ranger_incidents::table
        .filter(ranger_incidents::county_code.eq(c.county_code))
        .filter(ranger_incidents::contract_id.eq(c.id))
        .order((ranger_incidents::occurred_on, ranger_incidents::id))
        .select(IncidentRow::as_select())
        .load(conn)
        .db()?;
    Ok((inspections, incidents))
}
