//! Sampling inspections of filed exits (督查验收, issue 22 seed 1): a county or a city draws a
//! reproducible sample of the households whose exit was filed in a year, records one visit per
//! household, and a false exit found (被脱贫, 错退) reopens the household.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::inspection::Outcome;
use domain::{FieldError, RegionCode};
use infra::app::exit_inspections::{
    self, InspectionSummary, InspectionView, NewInspection, NewVisit, SampledHousehold,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{check_year, done, id_of, text};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// An inspection to draw.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplingInspectionBody {
    /// A county or a city in your scope (12-digit code).
    pub region: String,
    /// The exit year: households on the region's exit lists of this year that were filed.
    pub year: i32,
    /// Households to draw: at least 1, at most the population.
    #[schema(minimum = 1)]
    pub size: i64,
    /// The seed of the draw (1–64 characters); generated and stored when absent. The same seed
    /// over the same population draws the same sample.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub seed: Option<String>,
}

/// An inspection (the parts of the counties in your scope).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionSummaryDto {
    /// Id.
    pub id: Uuid,
    /// The region drawn in (county or city).
    pub region_code: String,
    /// Exit year.
    pub year: i32,
    /// The seed of the draw: `ORDER BY md5(seed || household_id) LIMIT size`.
    pub seed: String,
    /// Households drawn in the counties of your scope: a county sees its own part of a city's
    /// draw, never the city-wide count (nor its neighbours' exits).
    pub size: i64,
    /// Households whose exit was filed that year in the counties of your scope.
    pub population: i64,
    /// Drawn by.
    pub created_by: Uuid,
    /// Drawn at.
    pub created_at: DateTime<Utc>,
}

impl From<InspectionSummary> for InspectionSummaryDto {
    fn from(s: InspectionSummary) -> Self {
        Self {
            id: s.id,
            region_code: format!("{:012}", s.region_code),
            year: s.year,
            seed: s.seed,
            size: s.size,
            population: s.population,
            created_by: s.created_by,
            created_at: s.created_at,
        }
    }
}

/// A sampled household and its visit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SampledHouseholdDto {
    /// Household.
    pub household_id: Uuid,
    /// Its village.
    pub village_code: String,
    /// Position in the draw (1-based, over the whole inspection).
    pub rank: i32,
    /// The filed exit list it left poverty with.
    pub list_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// The household's status now.
    #[schema(value_type = domain::cases::Status)]
    pub status: String,
    /// Visit day; absent until visited.
    pub visited_on: Option<NaiveDate>,
    /// What the inspector found.
    pub findings: Option<String>,
    /// `confirmed` (真脱贫) or `false_exit` (被脱贫, 错退); absent until visited.
    #[schema(value_type = Option<domain::inspection::Outcome>)]
    pub outcome: Option<String>,
    /// Whether the finding sent the household back to `registered`.
    pub reopened: bool,
    /// Visit recorded at.
    pub visited_at: Option<DateTime<Utc>>,
}

impl From<SampledHousehold> for SampledHouseholdDto {
    fn from(h: SampledHousehold) -> Self {
        Self {
            household_id: h.household_id,
            village_code: format!("{:012}", h.region_code),
            rank: h.rank,
            list_id: h.list_id,
            household_number: h.household_number,
            head_name: h.head_name,
            status: h.status,
            visited_on: h.visited_on,
            findings: h.findings,
            outcome: h.outcome,
            reopened: h.reopened,
            visited_at: h.visited_at,
        }
    }
}

/// Counts over the households in your scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionCountsDto {
    /// Sampled.
    pub sampled: usize,
    /// Visited.
    pub visited: usize,
    /// Confirmed out of poverty (真脱贫).
    pub confirmed: usize,
    /// False exits found (被脱贫, 错退).
    pub false_exits: usize,
    /// Households the false exits sent back to `registered`.
    pub reopened: usize,
}

/// An inspection with its sampled households, visits and counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionDto {
    /// The inspection.
    #[serde(flatten)]
    pub inspection: InspectionSummaryDto,
    /// Counts.
    pub counts: InspectionCountsDto,
    /// Sampled households in your scope, in draw order.
    pub households: Vec<SampledHouseholdDto>,
}

impl From<InspectionView> for InspectionDto {
    fn from(v: InspectionView) -> Self {
        let count = |o: &str| {
            v.households
                .iter()
                .filter(|h| h.outcome.as_deref() == Some(o))
                .count()
        };
        let counts = InspectionCountsDto {
            sampled: v.households.len(),
            visited: v
                .households
                .iter()
                .filter(|h| h.visited_on.is_some())
                .count(),
            confirmed: count(Outcome::Confirmed.as_str()),
            false_exits: count(Outcome::FalseExit.as_str()),
            reopened: v.households.iter().filter(|h| h.reopened).count(),
        };
        Self {
            inspection: v.inspection.into(),
            counts,
            households: v.households.into_iter().map(Into::into).collect(),
        }
    }
}

/// A visit to a sampled household.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionVisitBody {
    /// The day of the visit (not in the future).
    pub visited_on: NaiveDate,
    /// What the inspector found, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub findings: String,
    /// `confirmed` (真脱贫) or `false_exit` (被脱贫, 错退).
    #[schema(value_type = domain::inspection::Outcome)]
    pub outcome: String,
}

/// Draws a sampling inspection (督查验收, seed 1) of the exits filed in a year in a county or a
/// city: `ORDER BY md5(seed || household_id) LIMIT size` over the households on the region's
/// filed exit lists of that year, so the same seed draws the same sample. Needs
/// `workflow:inspect` at the region (county approvers, city observers).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = SamplingInspectionBody,
    responses(
        (status = 201, description = "Drawn", body = InspectionDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:inspect there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: region (not a county or city, outside your scope), year, size (below 1, above the population, named with it), seed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-inspections")]
pub async fn create_exit_inspection(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<SamplingInspectionBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let region = RegionCode::parse(&b.region)
        .map_err(|m| errs.push(FieldError::new("region", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    if b.size < 1 {
        errs.push(FieldError::new("size", domain::Rule::AtLeast { min: 1 }));
    }
    let seed = match b.seed.as_deref().map(str::trim) {
        None => None,
        Some(s) if s.is_empty() || s.chars().count() > 64 => {
            errs.push(FieldError::new("seed", domain::Rule::length(1, 64)));
            None
        }
        Some(s) => Some(s.to_string()),
    };
    done(errs)?;
    let Some(region) = region else {
        return Err(ApiError::BadParameter(FieldError::new(
            "region",
            domain::Rule::format(domain::Format::DivisionCode),
        )));
    };
    let n = NewInspection {
        region,
        year: b.year,
        size: b.size,
        seed,
    };
    once.create(&state, auth, move |conn, ctx| {
        let view = exit_inspections::create(conn, ctx, &n)?;
        Ok(InspectionDto::from(view))
    })
    .await
}

/// Sampling inspections with a part in your scope, newest first.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of inspections", body = Page<InspectionSummaryDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-inspections")]
pub async fn list_exit_inspections(
    state: web::Data<AppState>,
    auth: Auth,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let rows = state
        .run(auth, move |conn, ctx| {
            exit_inspections::list(conn, ctx, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.created_at, r.id),
        InspectionSummaryDto::from,
    )))
}

/// One sampling inspection: its households in your scope, their visits, and the counts
/// (sampled, visited, confirmed, false exits).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Inspection id")),
    responses(
        (status = 200, description = "The inspection", body = InspectionDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-inspections/{id}")]
pub async fn get_exit_inspection(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let view = state
        .run(auth, move |conn, ctx| exit_inspections::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(InspectionDto::from(view)))
}

/// Records the one visit of a sampled household. `false_exit` (被脱贫, 错退) sends a household
/// still counted out of poverty back to `registered`, with a history event naming the
/// inspection.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Inspection id"),
        ("household_id" = Uuid, Path, description = "Sampled household"),
    ),
    request_body = InspectionVisitBody,
    responses(
        (status = 200, description = "The inspection with the visit", body = InspectionDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:inspect there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_exists: visited already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: household_id (not in the sample), visited_on (in the future), findings, outcome", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-inspections/{id}/households/{household_id}/visit")]
pub async fn visit_exit_inspection_household(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<InspectionVisitBody>,
) -> ApiResult<HttpResponse> {
    let (id, hid) = path.into_inner();
    let id = id_of(&id)?;
    let hid = id_of(&hid)?;
    let b = body.0;
    let mut errs = Vec::new();
    let findings = text(&mut errs, "findings", &b.findings, true, 2000);
    let outcome = Outcome::parse(&b.outcome)
        .map_err(|m| errs.push(FieldError::new("outcome", m)))
        .ok();
    done(errs)?;
    let Some(outcome) = outcome else {
        return Err(ApiError::BadParameter(FieldError::new(
            "outcome",
            domain::Rule::other("is not an outcome", "不是有效的结果"),
        )));
    };
    let v = NewVisit {
        visited_on: b.visited_on,
        findings,
        outcome,
    };
    let view = state
        .run(auth, move |conn, ctx| {
            exit_inspections::visit(conn, ctx, id, hid, &v)
        })
        .await?;
    Ok(HttpResponse::Ok().json(InspectionDto::from(view)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        create_exit_inspection => Permission(perm::WORKFLOW_INSPECT),
        list_exit_inspections => Permission(perm::WORKFLOW_READ),
        get_exit_inspection => Permission(perm::WORKFLOW_READ),
        visit_exit_inspection_household => Permission(perm::WORKFLOW_INSPECT),
    },
}
