//! A forest-ranger contract's record (seed 3): the inspections and incidents the station
//! entered, which the month's payout lines apply, so a reader sees the grounds beside them.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use infra::app::rangers::{self, IncidentRow, InspectionRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::id_of;
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::state::{AppState, Auth};

/// An inspection of the ranger.
#[derive(Debug, Serialize, ToSchema)]
pub struct RangerInspectionDto {
    /// Id.
    pub id: Uuid,
    /// Day inspected.
    pub inspected_on: NaiveDate,
    /// Found at the post (`false`: an absence).
    pub present: bool,
    /// Note.
    pub note: String,
}

impl From<InspectionRow> for RangerInspectionDto {
    fn from(r: InspectionRow) -> Self {
        Self {
            id: r.id,
            inspected_on: r.inspected_on,
            present: r.present,
            note: r.note,
        }
    }
}

/// An incident in the ranger's patch.
#[derive(Debug, Serialize, ToSchema)]
pub struct RangerIncidentDto {
    /// Id.
    pub id: Uuid,
    /// Day it happened.
    pub occurred_on: NaiveDate,
    /// Kind (vocabulary `IncidentKind`).
    #[schema(example = "fire")]
    pub kind: String,
    /// Burnt area, mu (fires; 0 otherwise).
    pub burnt_mu: f64,
    /// Through the ranger's negligence.
    pub through_negligence: bool,
    /// Above the threshold for a criminal case.
    pub above_case_threshold: bool,
    /// With a major loss.
    pub major_loss: bool,
    /// What happened.
    pub description: String,
}

impl From<IncidentRow> for RangerIncidentDto {
    fn from(r: IncidentRow) -> Self {
        // Areas are checked on input (at most 10,000,000 mu): tenths fit an i32 exactly.
        let tenths = i32::try_from(r.burnt_mu_tenths).map_or(f64::NAN, f64::from);
        Self {
            id: r.id,
            occurred_on: r.occurred_on,
            kind: r.kind,
            burnt_mu: tenths / 10.0,
            through_negligence: r.through_negligence,
            above_case_threshold: r.above_case_threshold,
            major_loss: r.major_loss,
            description: r.description,
        }
    }
}

/// A contract's record: inspections and incidents, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RangerRecordDto {
    /// Inspections (present or absent).
    pub inspections: Vec<RangerInspectionDto>,
    /// Incidents.
    pub incidents: Vec<RangerIncidentDto>,
}

/// A ranger contract's inspections and incidents, oldest first (the grounds the month's payout
/// lines apply; the termination is on the contract).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id")),
    responses(
        (status = 200, description = "The record", body = RangerRecordDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/ranger-contracts/{id}/record")]
pub async fn contract_record(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (inspections, incidents) = state
        .run(auth, move |conn, _| rangers::contract_record(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(RangerRecordDto {
        inspections: inspections.into_iter().map(Into::into).collect(),
        incidents: incidents.into_iter().map(Into::into).collect(),
    }))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        contract_record => Permission(perm::FUNDS_READ),
    },
}
