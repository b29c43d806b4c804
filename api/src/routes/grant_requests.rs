//! Grant requests: a second administrator's approval for grants of operational roles, where the
//! setting `users.operational_grant_approval` requires it (docs/security.md §3).

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::grant_requests::{self, GrantRequestView, RequestFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::OrgUnit;
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// Where a grant request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantRequestStatus {
    /// Waiting for a second administrator.
    Pending,
    /// Approved: the grant is made (`grant_id`).
    Approved,
    /// Rejected or withdrawn, with a reason.
    Rejected,
}

impl GrantRequestStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
}

/// A grant of an operational role waiting for (or decided by) a second administrator.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRequestDto {
    /// Id.
    pub id: Uuid,
    /// The user the role is for.
    pub user_id: Uuid,
    /// Their login name.
    pub username: Option<String>,
    /// The role.
    #[schema(example = "county_approver")]
    pub role: String,
    /// Where it would apply.
    pub org_unit: OrgUnit,
    /// Status.
    pub status: GrantRequestStatus,
    /// The administrator who asked.
    pub requested_by: Uuid,
    /// Their login name (absent when outside your scope).
    pub requested_by_username: Option<String>,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// The administrator who decided.
    pub decided_by: Option<Uuid>,
    /// Their login name (absent when outside your scope).
    pub decided_by_username: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<Uuid>,
}

impl From<GrantRequestView> for GrantRequestDto {
    fn from(v: GrantRequestView) -> Self {
        let r = v.row;
        Self {
            id: r.id,
            user_id: r.user_id,
            username: v.username,
            role: r.role,
            org_unit: OrgUnit::new(v.unit, v.unit_name),
            status: GrantRequestStatus::parse(&r.status),
            requested_by: r.requested_by,
            requested_by_username: v.requested_by_username,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_by_username: v.decided_by_username,
            decided_at: r.decided_at,
            reason: r.reason,
            grant_id: r.grant_id,
        }
    }
}

use super::input::id_of as request_id;

/// Filters of the request queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantRequestParams {
    /// Only this status (e.g. `pending`: the queue to decide).
    pub status: Option<GrantRequestStatus>,
    /// Only requests for this user.
    pub user_id: Option<Uuid>,
    /// Only requests at units in this org unit's subtree (inside your own).
    pub org_unit: Option<String>,
}

/// Grant requests in your subtree, by unit, oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(GrantRequestParams, PageParams),
    responses(
        (status = 200, description = "A page of grant requests", body = Page<GrantRequestDto>),
        NotSignedIn,
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-requests")]
pub async fn list_grant_requests(
    state: web::Data<AppState>,
    auth: Auth,
    filter: crate::http::query::Query<GrantRequestParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, DateTime<Utc>, Uuid)> = page.cursor()?;
    let f = filter.into_inner();
    let within = f
        .org_unit
        .as_deref()
        .map(|t| RegionCode::parse(t).map_err(|m| FieldError::new("org_unit", m)))
        .transpose()
        .map_err(ApiError::BadParameter)?;
    let rows = state
        .run_page(auth, move |conn, ctx| {
            let scope = match within {
                Some(code) if ctx.caller.scope().contains(code) => code.subtree(),
                Some(_) => return Err(DomainError::field("org_unit", domain::Rule::OutsideScope)),
                None => ctx.caller.scope(),
            };
            grant_requests::list(
                conn,
                &RequestFilter {
                    within: scope,
                    status: f.status.map(|s| s.as_str().to_owned()),
                    user_id: f.user_id,
                    after,
                    limit: limit + 1,
                },
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.row.region_code, r.row.requested_at, r.row.id),
        GrantRequestDto::from,
    )))
}

/// One grant request.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request", body = GrantRequestDto),
        NotSignedIn,
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/grant-requests/{id}")]
pub async fn get_grant_request(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = request_id(&path)?;
    let v = state
        .run(auth, move |conn, _| grant_requests::get(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(GrantRequestDto::from(v)))
}

/// Approves a waiting grant request: the role is granted now, by you. You may not approve a
/// request you made, a role for yourself, a request of (or for) whoever granted your own
/// administration, or one of (or for) an administrator who reset your password in the last 30
/// days.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "Approved; `grant_id` names the grant", body = GrantRequestDto),
        NotSignedIn,
        (status = 403, description = "You do not manage the unit, or could not grant the role there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "request_decided: decided already; second_approver_required: another administrator must approve; grant_exists: the user holds the role there already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grants_split` on `org_unit`: with the grants the user holds now (another request approved since, say), this one would leave a permission at several units with no grant covering them; the request stays waiting, to be rejected", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-requests/{id}/approve")]
pub async fn approve_grant_request(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = request_id(&path)?;
    let catalog = std::sync::Arc::clone(&state.catalog);
    let v = state
        .run(auth, move |conn, ctx| {
            grant_requests::approve(conn, ctx, &catalog, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GrantRequestDto::from(v)))
}

/// Why a request is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Why, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    #[serde(default)]
    pub reason: String,
}

/// Rejects a waiting grant request (its requester withdraws it the same way), with a reason.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = GrantRequestDto),
        NotSignedIn,
        (status = 403, description = "You do not manage the unit", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "request_decided: decided already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-requests/{id}/reject")]
pub async fn reject_grant_request(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<RejectBody>,
) -> ApiResult<HttpResponse> {
    let id = request_id(&path)?;
    let reason = body.0.reason;
    let v = state
        .run(auth, move |conn, ctx| {
            // The reason is checked once the request is found and the caller may decide it.
            grant_requests::reject(conn, ctx, id, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GrantRequestDto::from(v)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_grant_requests => Permission(perm::USERS_READ),
        get_grant_request => Permission(perm::USERS_READ),
        approve_grant_request => Permission(perm::USERS_MANAGE),
        reject_grant_request => Permission(perm::USERS_MANAGE),
    },
}
