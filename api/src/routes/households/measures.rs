//! Correcting a household's recorded assistance measure (listing and recording are beside the
//! household's other routes).

use super::*;

use crate::routes::input::id_of as measure_id;

/// Corrects a recorded measure: the whole measure is replaced, with `If-Match` carrying the
/// version that was read (`MeasureDto.version`, as `"<version>"`). The household's history gets a
/// `measure_updated` event with each changed field as `[before, after]`; audited as
/// `household.measure_updated`.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("measure_id" = Uuid, Path, description = "Measure id"),
        ("If-Match" = String, Header, description = "The version read, as an ETag: `\"3\"`"),
    ),
    request_body = MeasureBody,
    responses(
        (status = 200, description = "Corrected; ETag carries the new version", body = MeasureDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household, or no such measure of it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match: the measure was changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/households/{id}/measures/{measure_id}")]
pub async fn update_measure(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<MeasureBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let mid = measure_id(&path.1)?;
    let m = validate_measure(&body.0.into(), state.today()).map_err(DomainError::Validation)?;
    let version = if_match(&req)?;
    let row = state
        .run(auth, move |conn, ctx| {
            records::update_measure(conn, ctx, id, mid, version, &m)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(MeasureDto::from(row)))
}
