//! The audit log, queried within scope.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use domain::authz::perm;
use domain::{DomainError, RegionCode};
use infra::audit::{self, AuditFilter, AuditRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::answers::NotSignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Entry id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Request that carried the action.
    pub request_id: Option<String>,
    /// Acting user.
    pub actor_id: Option<Uuid>,
    /// Acting user's login name.
    pub actor_username: Option<String>,
    /// Roles the actor held.
    pub actor_roles: Vec<String>,
    /// Actor's org unit.
    pub actor_org_unit: Option<String>,
    /// Action (`user.create`, `auth.login`, `settings.update`, …).
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: Option<String>,
    /// Region of the object.
    pub region_code: String,
    /// Reason given (`null` when withheld, as `details`).
    pub reason: Option<String>,
    /// Details (`null` for actions that record none). Withheld (`null`, and `withheld` set)
    /// unless the caller may also read the object's kind where it lies: a household's entry
    /// needs `cases:read` there, a workflow's `workflow:read`, a fund's `funds:read`, a
    /// property check's `cases:read`, a village's or team's `villages:read`.
    #[schema(value_type = Option<Object>)]
    pub details: serde_json::Value,
    /// The permission the caller lacks to see this entry's details and reason, when withheld.
    #[schema(example = "cases:read")]
    pub withheld: Option<String>,
}

impl From<AuditRow> for AuditEventDto {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
            request_id: r.request_id,
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            actor_roles: r.actor_roles,
            actor_org_unit: r.actor_org.map(|c| format!("{c:012}")),
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            region_code: format!("{:012}", r.region_code),
            reason: r.reason,
            details: r.details,
            withheld: None,
        }
    }
}

/// `row` as `caller` may see it: its details and reason only with the permission that reads
/// its object where the object lies ([`perm::audit_details`]).
fn shown(caller: &domain::authz::Caller, row: AuditRow) -> AuditEventDto {
    let needed = perm::audit_details(&row.object_type);
    let readable =
        |p: &str| RegionCode::from_i64(row.region_code).is_ok_and(|r| caller.can_at(p, r));
    match needed {
        Some(p) if !readable(p) => AuditEventDto {
            details: serde_json::Value::Null,
            reason: None,
            withheld: Some(p.to_owned()),
            ..AuditEventDto::from(row)
        },
        _ => AuditEventDto::from(row),
    }
}

/// Filters of the audit query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Exact action.
    pub action: Option<String>,
    /// Exact object type.
    pub object_type: Option<String>,
    /// Exact object id.
    pub object_id: Option<String>,
    /// Acting user.
    pub actor_id: Option<Uuid>,
    /// Only objects in this region's subtree (inside what you may audit).
    pub region: Option<String>,
    /// From (RFC 3339, inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until (RFC 3339, exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Audit entries within what the caller may audit, newest first.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditParams, PageParams),
    responses(
        (status = 200, description = "A page of entries", body = Page<AuditEventDto>),
        NotSignedIn,
        (status = 403, description = "Lacks audit:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<AuditParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    let region = p
        .region
        .as_deref()
        .map(|t| RegionCode::parse(t).map_err(|m| domain::FieldError::new("region", m)))
        .transpose()
        .map_err(ApiError::BadParameter)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            // The broadest unit where the caller holds audit:read bounds what they may see.
            let widest = ctx.caller.widest_with(perm::AUDIT_READ).ok_or_else(|| {
                DomainError::Forbidden("you need the permission audit:read".into())
            })?;
            let scope = match region {
                Some(r) if widest.subtree().contains(r) => r.subtree(),
                Some(_) => {
                    return Err(DomainError::field(
                        "region",
                        domain::Rule::other(
                            "lies outside what you may audit",
                            "超出您可审计的范围",
                        ),
                    ));
                }
                None => widest.subtree(),
            };
            let rows = audit::query(
                conn,
                &AuditFilter {
                    action: p.action,
                    object_type: p.object_type,
                    object_id: p.object_id,
                    actor_id: p.actor_id,
                    region_lo: scope.lo(),
                    region_hi: scope.hi(),
                    from: p.from,
                    to: p.to,
                    before,
                    limit: limit + 1,
                },
            )?;
            Ok(rows
                .into_iter()
                .map(|r| shown(&ctx.caller, r))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.at, r.id),
        std::convert::identity,
    )))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_audit_events => Permission(perm::AUDIT_READ),
    },
}
