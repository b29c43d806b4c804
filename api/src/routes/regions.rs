//! The division hierarchy (public reference data: any signed-in user may read any node).

use actix_web::{HttpResponse, get, web};
use domain::{DomainError, RegionCode};
use infra::regions::{self, Region};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A node of the hierarchy.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    /// 12-digit division code.
    #[schema(example = "370831000000")]
    pub code: String,
    /// Name.
    #[schema(example = "泗水县")]
    pub name: String,
    /// `province`, `city`, `county`, `township` or `village`.
    #[schema(example = "county")]
    #[schema(value_type = domain::Level)]
    pub level: String,
    /// Parent's code (absent for the root).
    pub parent_code: Option<String>,
}

impl From<Region> for RegionDto {
    fn from(r: Region) -> Self {
        Self {
            code: r.code.to_code_string(),
            name: r.name,
            level: r.level.name().into(),
            parent_code: r.parent.map(RegionCode::to_code_string),
        }
    }
}

fn parse_code(text: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(text).map_err(|m| DomainError::field("code", m))
}

/// One node. The code may be given with 2, 4, 6, 9 or 12 digits.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Division code", example = "370831")),
    responses(
        (status = 200, description = "The node", body = RegionDto),
        NotSignedIn,
        (status = 404, description = "No such node", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = parse_code(&path)?;
    let region = state
        .run(auth, move |conn, _| regions::get(conn, code))
        .await?;
    Ok(HttpResponse::Ok().json(RegionDto::from(region)))
}

/// The children of a node, by code.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Division code", example = "370831"), PageParams),
    responses(
        (status = 200, description = "A page of children", body = Page<RegionDto>),
        NotSignedIn,
        (status = 404, description = "No such node", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed code, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let code = parse_code(&path)?;
    let limit = page.limit()?;
    let after: Option<i64> = page.cursor()?;
    let rows = state
        .run(auth, move |conn, _| {
            regions::get(conn, code)?;
            regions::children(conn, code, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.code.as_i64(),
        RegionDto::from,
    )))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        get_region => Authenticated,
        list_children => Authenticated,
    },
}
