//! A household's yearly records: income and the two-no-worries three-guarantees indicators.

use super::*;
use crate::error::answers::{NotFound, NotSignedIn};

pub(super) fn year_of(text: &str) -> Result<i32, DomainError> {
    text.parse::<i32>()
        .ok()
        .filter(|y| domain::input::YEARS.contains(y))
        .ok_or_else(|| DomainError::field("year", domain::input::YEAR_RULE))
}

/// Every yearly record of a household.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "Records by year", body = Vec<YearDto>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/households/{id}/years")]
pub async fn list_years(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            let rows = records::list_years(conn, id)?;
            infra::app::cases::households::audit_part_read(conn, ctx, id, "years")?;
            Ok(rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(YearDto::from).collect::<Vec<_>>()))
}

/// The record of one year: per-capita net income and its components, and the two-no-worries
/// three-guarantees indicators plus drinking water.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), ("year" = i32, Path, description = "Year")),
    responses(
        (status = 200, description = "The record; ETag carries its version", body = YearDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household or no record that year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/years/{year}")]
pub async fn get_year(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let year = year_of(&path.1)?;
    let row = state
        .run(auth, move |conn, ctx| {
            let row = records::get_year(conn, id, year)?;
            infra::app::cases::households::audit_part_read(conn, ctx, id, "years")?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(YearDto::from(row)))
}

/// Creates or replaces the record of one year. Replacing needs `If-Match`.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = Option<String>, Header, description = "ETag of the record being replaced"),
    ),
    request_body = YearBody,
    responses(
        (status = 200, description = "Replaced", body = YearDto),
        (status = 201, description = "Created", body = YearDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (negative income, …)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "Replacing without If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/households/{id}/years/{year}")]
pub async fn put_year(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<YearBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let year = year_of(&path.1)?;
    let record: domain::cases::YearRecord = body.0.into();
    validate_year(year, &record, "").map_err(DomainError::Validation)?;
    let expected = match if_match(&req) {
        Ok(v) => Some(v),
        Err(DomainError::PreconditionRequired) => None,
        Err(e) => return Err(e.into()),
    };
    let (row, created) = state
        .run(auth, move |conn, ctx| {
            records::put_year(conn, ctx, id, year, expected, &record)
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .insert_header((header::ETAG, etag(row.version)))
        .json(YearDto::from(row)))
}
