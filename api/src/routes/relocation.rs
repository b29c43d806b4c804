//! Relocation plans (seed 5): the entitlement from the per-person subsidy, totals, the roster.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::{FieldError, RegionCode};
use infra::app::funds;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::funds::RegionYear;
use super::funds_dto::{RelocationPlanDto, RelocationSummaryDto};
use super::input::{check_year, done, id_of, text, within};
use crate::error::answers::{BadField, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// A relocation plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocationBody {
    /// County, township or village (12 digits).
    pub region_code: String,
    /// Year.
    pub year: i32,
    /// Name, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
    /// Households to move.
    #[schema(minimum = 1)]
    pub households: i32,
    /// People to move (at least the households).
    #[schema(minimum = 1)]
    pub people: i32,
}

/// Plans a relocation: the entitlement is people × the county's per-person subsidy
/// (`funds.relocation_subsidy_per_person_fen`), paid through the subsidy project created
/// with it.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = RelocationBody,
    responses(
        (status = 201, description = "Planned", body = RelocationPlanDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/relocation-plans")]
pub async fn plan_relocation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<RelocationBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let region = RegionCode::parse(&b.region_code)
        .map_err(|m| errs.push(FieldError::new("region_code", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    let name = text(&mut errs, "name", &b.name, true, 200);
    if b.households <= 0 {
        errs.push(FieldError::new("households", domain::Rule::Positive));
    }
    if b.people < b.households {
        errs.push(FieldError::new(
            "people",
            domain::Rule::other("must be at least the number of households", "不能少于户数"),
        ));
    }
    done(errs)?;
    let region = region.unwrap_or(RegionCode::PLATFORM);
    once.create(&state, auth, move |conn, ctx| {
        let row =
            funds::plan_relocation(conn, ctx, region, b.year, &name, (b.households, b.people))?;
        Ok(RelocationPlanDto::from(row))
    })
    .await
}

/// Relocation plans in your scope with totals: households, people, entitlements, paid, and the
/// relocation funds received by level.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(RegionYear),
    responses(
        (status = 200, description = "Plans and totals", body = RelocationSummaryDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/relocation-plans")]
pub async fn list_relocation(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionYear>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let s = state
        .run(auth, move |conn, ctx| {
            funds::relocation(
                conn,
                within(q.region.as_deref(), ctx.caller.scope())?,
                q.year,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(RelocationSummaryDto::from(s)))
}

/// The subsidy roster of a relocation plan (seed 5, 易地扶贫搬迁补助资金发放花名册): every
/// household paid under the plan's subsidy project (net of reversals) with its township,
/// village, 户编号, head, the head's ID number in its stored masked form (never decrypted),
/// people, the subsidy per person, the amount due and paid, the payment date and a column for
/// the recipient's signature; totals; the plan's households, people and entitlement; the
/// signature blocks of 经办人 and 审核人 and the county's office. Wide: A4 landscape. HTML (the
/// default), PDF or DOCX; English with `Accept-Language: en`. Audited
/// (`relocation_plan.document`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Relocation plan id"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The roster in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_not_ready`: no household has been paid under the plan yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/relocation-plans/{id}/roster")]
pub async fn relocation_roster(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::fund_documents::relocation_roster(conn, ctx, id, lang)
    })
    .await
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        plan_relocation => Permission(perm::FUNDS_MANAGE),
        list_relocation => Permission(perm::FUNDS_READ),
        relocation_roster => Permission(perm::FUNDS_READ),
    },
}
