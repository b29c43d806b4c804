//! 乡村振兴示范村 (seed 4): the county records its province- and city-level demonstration
//! villages; `/coverage` lists those helping no active key village through a strong-weak
//! pairing (每个省级、市级乡村振兴示范村应帮带不少于1个重点帮扶村).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::{DomainError, RegionCode};
use infra::app::demonstration_villages::{self as app, DemonstrationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{check_year, done, within};
use super::teams::RegionParam;
use crate::error::answers::{BadField, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// A demonstration village to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemonstrationBody {
    /// The village (12 digits).
    pub village_code: String,
    /// `province` (省级) or `city` (市级).
    #[schema(schema_with = crate::routes::input::demonstration_levels)]
    pub level: String,
    /// The year it was named.
    pub designated_year: i32,
}

/// A demonstration village.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemonstrationDto {
    /// Id.
    pub id: Uuid,
    /// The village (12 digits).
    pub village_code: String,
    /// `province` or `city`.
    pub level: String,
    /// The year it was named.
    pub designated_year: i32,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<DemonstrationRow> for DemonstrationDto {
    fn from(r: DemonstrationRow) -> Self {
        Self {
            id: r.id,
            village_code: format!("{:012}", r.region_code),
            level: r.level,
            designated_year: r.designated_year,
            created_at: r.created_at,
        }
    }
}

/// Records a province- or city-level demonstration village (示范村; county step,
/// `villages:manage`).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = DemonstrationBody,
    responses(
        (status = 201, description = "Recorded", body = DemonstrationDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Recorded already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/demonstration-villages")]
pub async fn designate_demonstration_village(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<DemonstrationBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    check_year(&mut errs, "designated_year", b.designated_year);
    done(errs)?;
    let village = RegionCode::parse(&b.village_code).map_err(|_| {
        DomainError::field(
            "village_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        )
    })?;
    once.create(&state, auth, move |conn, ctx| {
        let row = app::designate(conn, ctx, village, &b.level, b.designated_year)?;
        Ok(DemonstrationDto::from(row))
    })
    .await
}

/// Demonstration villages in your scope.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(RegionParam),
    responses(
        (status = 200, description = "Demonstration villages", body = Vec<DemonstrationDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/demonstration-villages")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionParam>,
) -> ApiResult<HttpResponse> {
    let region = q.into_inner().region;
    let rows = state
        .run(auth, move |conn, ctx| {
            app::list(conn, within(region.as_deref(), ctx.caller.scope())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(DemonstrationDto::from)
            .collect::<Vec<_>>(),
    ))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        designate_demonstration_village => Permission(perm::VILLAGES_MANAGE),
        list => Permission(perm::VILLAGES_READ),
    },
}
