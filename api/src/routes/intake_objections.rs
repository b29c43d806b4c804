//! Objections during an intake list's village notice (seed 1, issue 19 item 2): recorded and
//! resolved by the village, with the exit objections' bodies.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use infra::app::exit::ObjectionRow;
use infra::app::intake_objections;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::exit::{ObjectionBody, ResolutionBody, objection_input, resolution_input};
use super::input::id_of;
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// An objection raised during an intake list's notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeObjectionDto {
    /// Id.
    pub id: Uuid,
    /// The intake list.
    pub list_id: Uuid,
    /// The household objected to.
    pub household_id: Uuid,
    /// Village.
    pub village_code: String,
    /// The stage it was raised in (`notice`).
    #[schema(value_type = domain::intake::Stage)]
    pub stage: String,
    /// Who raised it.
    pub raised_by: String,
    /// What it says.
    pub content: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// `open`, `upheld`, `dismissed`.
    pub status: String,
    /// Why it was upheld or dismissed.
    pub resolution_reason: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<ObjectionRow> for IntakeObjectionDto {
    fn from(o: ObjectionRow) -> Self {
        Self {
            id: o.id,
            list_id: o.list_id,
            household_id: o.household_id,
            village_code: format!("{:012}", o.region_code),
            stage: o.stage,
            raised_by: o.raised_by,
            content: o.content,
            raised_at: o.raised_at,
            status: o.status,
            resolution_reason: o.resolution_reason,
            resolved_at: o.resolved_at,
        }
    }
}

/// Records an objection to a household on the list while the village's notice runs (village
/// step, `workflow:village`); it blocks the township review until resolved.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id"), IdempotencyKey),
    request_body = ObjectionBody,
    responses(
        (status = 201, description = "Recorded", body = IntakeObjectionDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "No notice is running (no_notice_running)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the household is not on the list", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/intake-lists/{id}/objections")]
pub async fn raise_intake_objection(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ObjectionBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let (household, by, content) = objection_input(body.0)?;
    once.create(&state, auth, move |conn, ctx| {
        let o = intake_objections::raise(conn, ctx, id, household, &by, &content)?;
        Ok(IntakeObjectionDto::from(o))
    })
    .await
}

/// Resolves an objection of the list (village step): `upheld` takes the household off the
/// list, `dismissed` keeps it; both with a reason.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Intake list id"),
        ("objection_id" = Uuid, Path, description = "Objection id"),
    ),
    request_body = ResolutionBody,
    responses(
        (status = 200, description = "Resolved", body = IntakeObjectionDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Resolved already (already_resolved)", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/intake-lists/{id}/objections/{objection_id}/resolution")]
pub async fn resolve_intake_objection(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<ResolutionBody>,
) -> ApiResult<HttpResponse> {
    let (list, objection) = path.into_inner();
    let list = id_of(&list)?;
    let objection = id_of(&objection)?;
    let (upheld, reason) = resolution_input(body.0)?;
    let o = state
        .run(auth, move |conn, ctx| {
            intake_objections::resolve(conn, ctx, list, objection, upheld, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(IntakeObjectionDto::from(o)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        raise_intake_objection => Permission(perm::WORKFLOW_VILLAGE),
        resolve_intake_objection => Permission(perm::WORKFLOW_VILLAGE),
    },
}
