//! Execution rates of funds and the key-village share of linking funds.

use actix_web::{HttpResponse, get, web};
use domain::{DomainError, RegionCode};
use infra::app::funds;
use serde::Deserialize;
use utoipa::IntoParams;

use super::funds_dto::{ExecutionReportDto, LinkingShareDto};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::state::{AppState, Auth};

/// `?region=&year=` (year required).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExecutionParams {
    /// Any region in your scope (default: your org unit).
    pub region: Option<String>,
    /// Year of the projects and funds.
    pub year: i32,
}

/// Execution rates for a region and each region one level down: funds received, allocated,
/// disbursed, disbursed over allocated (basis points).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(ExecutionParams),
    responses(
        (status = 200, description = "Execution", body = ExecutionReportDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/fund-execution")]
pub async fn execution(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ExecutionParams>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let region = q
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    let (total, children) = state
        .run(auth, move |conn, ctx| {
            funds::execution(conn, ctx, region.unwrap_or(ctx.caller.unit()), q.year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExecutionReportDto {
        year: q.year,
        total: total.into(),
        children: children.into_iter().map(Into::into).collect(),
    }))
}

/// The share of a county's linking funds of a year allocated to key villages, against the
/// minimum (`key_village.min_linking_fund_share_bp`, 12%), with a warning when short.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The share", body = LinkingShareDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a county in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/linking-share/{county_code}/{year}")]
pub async fn linking_share(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let county = RegionCode::parse(&code).map_err(|_| DomainError::NotFound)?;
    let s = state
        .run(auth, move |conn, ctx| {
            funds::linking_share(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LinkingShareDto::from(s)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        execution => Permission(perm::FUNDS_READ),
        linking_share => Permission(perm::FUNDS_READ),
    },
}
