//! Routing of a property-check batch through the township (issue 22, seed 2: 乡脱贫攻坚工作站将
//! 检索结果转给各挂点领导,各挂点领导将有关信息分别下发对应的村委): the township's liaison leaders
//! (挂点领导) of its villages, the station's forwarding to them, each leader's forwarding to the
//! village committee, and the routing table of a batch.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use domain::{DomainError, RegionCode};
use infra::app::property_routing::{self as app, Liaison, Route, TownshipRouting, VillageRouting};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::id_of;
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// One village's liaison leader.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonItem {
    /// A village of the township (12 digits).
    pub village_code: String,
    /// The leader: a user of the township holding there a role with `property:forward`
    /// (`township_liaison`, or `township_reviewer`).
    pub user_id: Uuid,
}

/// The liaison leaders of a township's villages: replaces the township's list (a village left
/// out has none, and its hits are forwarded directly by the station).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonsBody {
    /// One entry per village with a leader.
    pub liaisons: Vec<LiaisonItem>,
}

/// A village of the township and its liaison leader.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiaisonDto {
    /// The village (12 digits).
    pub village_code: String,
    /// Its name.
    pub village_name: String,
    /// The leader (`null`: none; the station forwards directly).
    pub user_id: Option<Uuid>,
    /// The leader's display name.
    pub display_name: Option<String>,
    /// Assigned by.
    pub assigned_by: Option<Uuid>,
    /// Assigned at.
    pub assigned_at: Option<DateTime<Utc>>,
}

impl From<Liaison> for LiaisonDto {
    fn from(l: Liaison) -> Self {
        Self {
            village_code: format!("{:012}", l.village_code),
            village_name: l.village_name,
            user_id: l.user_id,
            display_name: l.display_name,
            assigned_by: l.assigned_by,
            assigned_at: l.assigned_at,
        }
    }
}

/// How a village's hits of a batch reached it, and its state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageRoutingDto {
    /// The village (12 digits).
    pub village_code: String,
    /// Its hits in the batch.
    pub hits: i64,
    /// Of those, not verified yet.
    pub pending: i64,
    /// Its liaison leader now.
    pub liaison_id: Option<Uuid>,
    /// The liaison leader's display name (`null`: none, or the account is outside your scope).
    pub liaison_name: Option<String>,
    /// When the hits were forwarded to the village committee (`null`: not yet).
    pub routed_at: Option<DateTime<Utc>>,
    /// By whom (the leader, or the station).
    pub routed_by: Option<Uuid>,
    /// The liaison leader they went through (`null` when direct or not yet).
    pub leader_id: Option<Uuid>,
    /// The display name of the liaison leader they went through (`null` when direct, not yet,
    /// or the account is outside your scope).
    pub leader_name: Option<String>,
    /// Forwarded directly by the station: the village had no liaison leader.
    pub direct: bool,
}

impl From<VillageRouting> for VillageRoutingDto {
    fn from(v: VillageRouting) -> Self {
        let r: Option<Route> = v.route;
        Self {
            village_code: format!("{:012}", v.village_code),
            hits: v.hits,
            pending: v.pending,
            liaison_id: v.liaison_id,
            liaison_name: v.liaison_name,
            routed_at: r.map(|r| r.routed_at),
            routed_by: r.map(|r| r.routed_by),
            leader_id: r.and_then(|r| r.leader_id),
            leader_name: v.leader_name,
            direct: r.is_some_and(|r| r.direct),
        }
    }
}

/// The routing of a batch in one township.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipRoutingDto {
    /// The township (12 digits).
    pub township_code: String,
    /// When the station forwarded the batch to the township's leaders (`null`: not yet, or
    /// not visible from a village).
    pub forwarded_at: Option<DateTime<Utc>>,
    /// By whom.
    pub forwarded_by: Option<Uuid>,
    /// Its villages with hits in the batch.
    pub villages: Vec<VillageRoutingDto>,
}

impl From<TownshipRouting> for TownshipRoutingDto {
    fn from(t: TownshipRouting) -> Self {
        Self {
            township_code: format!("{:012}", t.township_code),
            forwarded_at: t.forwarded_at,
            forwarded_by: t.forwarded_by,
            villages: t.villages.into_iter().map(Into::into).collect(),
        }
    }
}

fn township_of(path: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(path).map_err(|m| DomainError::field("township_code", m))
}

/// Sets the liaison leaders (挂点领导) of the township's villages (the township station,
/// `property:review` at the township). Each leader is a user of the township with a township
/// role that forwards hits (`property:forward`); the list replaces the township's.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("township_code" = String, Path, description = "The township (9 or 12 digits)")),
    request_body = LiaisonsBody,
    responses(
        (status = 200, description = "The township's villages and their leaders", body = Vec<LiaisonDto>),
        NotSignedIn,
        (status = 403, description = "Not the township's user with property:review", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "A village not of the township; a user who is not an enabled user of the township holding there a forwarding role (one message, whatever is missing); named by field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/townships/{township_code}/liaisons")]
pub async fn set_liaisons(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<LiaisonsBody>,
) -> ApiResult<HttpResponse> {
    let township = township_of(&path)?;
    let mut errs = Vec::new();
    let mut given = Vec::new();
    for (i, l) in body.0.liaisons.into_iter().enumerate() {
        match RegionCode::parse(&l.village_code) {
            Ok(v) => given.push((v, l.user_id)),
            Err(m) => errs.push(domain::FieldError::new(
                format!("liaisons[{i}].village_code"),
                m,
            )),
        }
    }
    super::input::done(errs)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            app::set_liaisons(conn, ctx, township, &given)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(LiaisonDto::from).collect::<Vec<_>>()))
}

/// The township's villages and their liaison leaders.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("township_code" = String, Path, description = "The township (9 or 12 digits)")),
    responses(
        (status = 200, description = "The township's villages and their leaders", body = Vec<LiaisonDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Not a township code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/townships/{township_code}/liaisons")]
pub async fn list_liaisons(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let township = township_of(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| app::liaisons(conn, ctx, township))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(LiaisonDto::from).collect::<Vec<_>>()))
}

/// The township station forwards the township's hits of the batch to its liaison leaders
/// (township step, `property:review`); a village without a leader is forwarded directly (its
/// record says `direct`).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("township_code" = String, Path, description = "The township (9 or 12 digits)"),
    ),
    responses(
        (status = 200, description = "The township's routing", body = TownshipRoutingDto),
        NotSignedIn,
        (status = 403, description = "Not the township's user with property:review", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the township in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`forwarded`: forwarded already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a township code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-checks/{id}/townships/{township_code}/forward")]
pub async fn forward_township(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, township) = path.into_inner();
    let id = id_of(&id)?;
    let township = township_of(&township)?;
    let row = state
        .run(auth, move |conn, ctx| {
            app::forward_township(conn, ctx, id, township)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TownshipRoutingDto::from(row)))
}

/// The village's hits of the batch go to the village committee: forwarded by its liaison leader
/// (`property:forward` at the township), or by the station (`property:review`) on his behalf or,
/// for a village without a leader, directly. The village verifies them only then.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("village_code" = String, Path, description = "The village (12 digits)"),
    ),
    responses(
        (status = 200, description = "The village's routing", body = VillageRoutingDto),
        NotSignedIn,
        (status = 403, description = "Neither the village's liaison leader nor the township station", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the village in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_forwarded`: the station has not forwarded the batch to the leaders yet; `forwarded`: forwarded already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a village code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-checks/{id}/villages/{village_code}/forward")]
pub async fn forward_village(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, village) = path.into_inner();
    let id = id_of(&id)?;
    let village = RegionCode::parse(&village).map_err(|m| DomainError::field("village_code", m))?;
    let row = state
        .run(auth, move |conn, ctx| {
            app::forward_village(conn, ctx, id, village)
        })
        .await?;
    Ok(HttpResponse::Ok().json(VillageRoutingDto::from(row)))
}

/// The routing table of a batch: per township in your scope, when the station forwarded it,
/// and per village its hits, its leader and how and when they reached it.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The routing by township and village", body = Vec<TownshipRoutingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such batch in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/routing")]
pub async fn routing(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| app::routing(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(TownshipRoutingDto::from)
            .collect::<Vec<_>>(),
    ))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        set_liaisons => Permission(perm::PROPERTY_REVIEW),
        list_liaisons => Permission(perm::PROPERTY_READ),
        forward_township => Permission(perm::PROPERTY_REVIEW),
        forward_village => Permission(perm::PROPERTY_FORWARD),
        routing => Permission(perm::PROPERTY_READ),
    },
}
