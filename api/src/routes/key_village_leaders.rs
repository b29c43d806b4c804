//! 县级领导联系: the county-level leader linked to each key village (seed 4), recorded by the
//! county; `/coverage` lists the active key villages without one.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use infra::app::key_village_leaders::{self as app, LeaderRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{done, text};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// A county-level leader to link to the key village.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderBody {
    /// The leader's name, 1–50 characters.
    #[schema(min_length = 1, max_length = 50, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
    /// Their position (职务, e.g. 副县长), 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub position: String,
    /// First day of the link; the previous leader's link ends the day before.
    pub from_date: NaiveDate,
    /// Last day, when known.
    #[serde(default)]
    pub to_date: Option<NaiveDate>,
}

/// A leader's link to a key village.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderDto {
    /// Id.
    pub id: Uuid,
    /// The key village.
    pub key_village_id: Uuid,
    /// Its village (12 digits).
    pub village_code: String,
    /// Name.
    pub name: String,
    /// Position (职务).
    pub position: String,
    /// From.
    pub from_date: NaiveDate,
    /// Until (`null` while linked).
    pub to_date: Option<NaiveDate>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<LeaderRow> for LeaderDto {
    fn from(r: LeaderRow) -> Self {
        Self {
            id: r.id,
            key_village_id: r.key_village_id,
            village_code: format!("{:012}", r.region_code),
            name: r.name,
            position: r.position,
            from_date: r.from_date,
            to_date: r.to_date,
            created_at: r.created_at,
        }
    }
}

use super::input::id_of as key_village_id;

/// Links a county-level leader (县级领导) to the key village (county step, `villages:manage`):
/// one at a time, so the previous link ends the day before `from_date`.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id"), IdempotencyKey),
    request_body = LeaderBody,
    responses(
        (status = 201, description = "Linked", body = LeaderDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        BadField,
    )
)]
#[post("/key-villages/{id}/leaders")]
pub async fn link_leader(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<LeaderBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = key_village_id(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let name = text(&mut errs, "name", &b.name, true, 50);
    let position = text(&mut errs, "position", &b.position, true, 100);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        let row = app::link(conn, ctx, id, (&name, &position), (b.from_date, b.to_date))?;
        Ok(LeaderDto::from(row))
    })
    .await
}

/// The county-level leaders linked to the key village, earliest first.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id")),
    responses(
        (status = 200, description = "Leaders", body = Vec<LeaderDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/key-villages/{id}/leaders")]
pub async fn list_leaders(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = key_village_id(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| app::list(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(LeaderDto::from).collect::<Vec<_>>()))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        link_leader => Permission(perm::VILLAGES_MANAGE),
        list_leaders => Permission(perm::VILLAGES_READ),
    },
}
