//! Objections, the county's targets, progress against them, and a household's exit criteria.

use super::*;
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::http::idempotency::{IdempotencyKey, Once};

/// An objection to a household on the list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    /// The household objected to.
    pub household_id: Uuid,
    /// Who raised it (a villager's name, or `匿名`), 1–50 characters.
    #[schema(min_length = 1, max_length = 50, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub raised_by: String,
    /// What it says, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub content: String,
}

/// The household, who raised it and what it says, checked (exit and intake lists).
///
/// # Errors
/// `Validation` naming `raised_by` or `content`.
pub fn objection_input(b: ObjectionBody) -> Result<(Uuid, String, String), DomainError> {
    let mut errs = Vec::new();
    let by = text(&mut errs, "raised_by", &b.raised_by, true, 50);
    let content = text(&mut errs, "content", &b.content, true, 2000);
    done(errs)?;
    Ok((b.household_id, by, content))
}

/// Whether the objection is upheld, and why, checked (exit and intake lists).
///
/// # Errors
/// `Validation` naming `outcome` or `reason`.
pub fn resolution_input(b: ResolutionBody) -> Result<(bool, String), DomainError> {
    let mut errs = Vec::new();
    let upheld = match b.outcome.as_str() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            errs.push(FieldError::new(
                "outcome",
                domain::Rule::one_of(["upheld", "dismissed"]),
            ));
            false
        }
    };
    let reason = text(&mut errs, "reason", &b.reason, true, 2000);
    done(errs)?;
    Ok((upheld, reason))
}

/// Records an objection raised during the running notice. The level that owns the notice
/// records it (village for the first, township for the second, county for the announcement);
/// it blocks the next step until resolved.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id"), IdempotencyKey),
    request_body = ObjectionBody,
    responses(
        (status = 201, description = "Recorded", body = ObjectionDto),
        NotSignedIn,
        (status = 403, description = "Not of the level that owns the notice", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "No notice is running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the household is not on the list", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/objections")]
pub async fn raise_objection(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ObjectionBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let (household, by, content) = objection_input(body.0)?;
    once.create(&state, auth, move |conn, ctx| {
        let o = exit::raise_objection(conn, ctx, id, household, &by, &content)?;
        Ok(ObjectionDto::from(o))
    })
    .await
}

/// Filters of the objection queue.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectionParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// `open`, `upheld`, `dismissed`.
    #[param(schema_with = crate::routes::input::objection_statuses)]
    pub status: Option<String>,
}

/// Objections in your scope, oldest first (the open ones are the work queue).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ObjectionParams, PageParams),
    responses(
        (status = 200, description = "A page of objections", body = Page<ObjectionDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<ObjectionParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    if let Some(s) = &p.status
        && !["open", "upheld", "dismissed"].contains(&s.as_str())
    {
        return Err(DomainError::field(
            "status",
            domain::Rule::one_of(["open", "upheld", "dismissed"]),
        )
        .into());
    }
    let rows = state
        .run(auth, move |conn, ctx| {
            let w = within(p.region.as_deref(), ctx.caller.scope())?;
            exit::objections(conn, ctx, w, p.status.as_deref(), after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |o| (o.raised_at, o.id),
        ObjectionDto::from,
    )))
}

/// The resolution of an objection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    /// `upheld` (the household leaves the list) or `dismissed`.
    #[schema(schema_with = crate::routes::input::objection_outcomes)]
    pub outcome: String,
    /// Why, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// Resolves an objection, by the level that owns the notice it was raised in.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = ResolutionBody,
    responses(
        (status = 200, description = "Resolved", body = ObjectionDto),
        NotSignedIn,
        (status = 403, description = "Not of the level that owns the notice", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Resolved already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/objections/{id}/resolution")]
pub async fn resolve_objection(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ResolutionBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (upheld, reason) = resolution_input(body.0)?;
    let o = state
        .run(auth, move |conn, ctx| {
            exit::resolve_objection(conn, ctx, id, upheld, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ObjectionDto::from(o)))
}

/// A county's exit target for a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// People to lift out of poverty that year (0–10,000,000).
    #[schema(minimum = 0, maximum = 10000000)]
    pub people: i32,
}

/// Sets a county's yearly exit target in people (county step).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    request_body = TargetBody,
    responses(
        (status = 200, description = "Progress of the county that year", body = ProgressDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such county in your scope", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[put("/exit-targets/{county_code}/{year}")]
pub async fn put_target(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<TargetBody>,
) -> ApiResult<HttpResponse> {
    let (county, year) = path.into_inner();
    let county = RegionCode::parse(&county)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    if !(0..=10_000_000).contains(&body.0.people) {
        errs.push(FieldError::new(
            "people",
            domain::Rule::range(0, 10_000_000),
        ));
    }
    done(errs)?;
    let people = body.0.people;
    let p = state
        .run(auth, move |conn, ctx| {
            exit::set_target(conn, ctx, county, year, people)?;
            exit::progress(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProgressDto::from(p)))
}

/// Progress of a region (and of each region one level below) against exit targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    /// The year.
    pub year: Option<i32>,
    /// The region asked for.
    #[schema(value_type = crate::routes::exit_dto::ProgressRowDto)]
    pub total: serde_json::Value,
    /// Each child region.
    #[schema(value_type = Vec<crate::routes::exit_dto::ProgressRowDto>)]
    pub children: Vec<serde_json::Value>,
}

impl From<(Progress, Vec<Progress>)> for ProgressDto {
    fn from((total, children): (Progress, Vec<Progress>)) -> Self {
        Self {
            year: None,
            total: serde_json::to_value(total).unwrap_or_default(),
            children: children
                .into_iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
        }
    }
}

/// `?region=&year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// Any region in your scope (default: your org unit).
    pub region: Option<String>,
    /// Year.
    pub year: i32,
}

/// Exits against targets for a region and each region one level down: target people (sum of
/// the counties' targets), people and households in filed exits, people on lists in progress
/// (county users and below), percent of target.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ProgressParams),
    responses(
        (status = 200, description = "Progress", body = ProgressDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-progress")]
pub async fn exit_progress(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<ProgressParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let mut errs = Vec::new();
    check_year(&mut errs, "year", p.year);
    done(errs)?;
    let region = p
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    let year = p.year;
    let out = state
        .run(auth, move |conn, ctx| {
            exit::progress(conn, ctx, region.unwrap_or(ctx.caller.unit()), year)
        })
        .await?;
    let mut dto = ProgressDto::from(out);
    dto.year = Some(year);
    Ok(HttpResponse::Ok().json(dto))
}

/// The exit criteria of a household for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaDto {
    /// Household.
    pub household_id: Uuid,
    /// Year.
    pub year: i32,
    /// Whether every criterion is met.
    pub eligible: bool,
    /// Per-capita net income recorded for the year, fen.
    pub income_per_capita_fen: i64,
    /// The year's poverty line, fen (absent when not set).
    pub poverty_line_fen: Option<i64>,
    /// Each criterion, evaluated.
    #[schema(value_type = Vec<crate::routes::exit_dto::CriterionDto>)]
    pub criteria: Vec<Criterion>,
    /// The last year an exited household keeps its support policies (脱贫不脱政策).
    pub policies_retained_until: Option<i32>,
}

/// `?year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Year.
    pub year: i32,
}

/// Whether a household meets the exit criteria of a year, criterion by criterion, and by how
/// much it misses the income line.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), YearParam),
    responses(
        (status = 200, description = "The criteria", body = CriteriaDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/exit-criteria")]
pub async fn exit_criteria(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: crate::http::query::Query<YearParam>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let year = params.year;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    done(errs)?;
    let (income, line, criteria, until) = state
        .run(auth, move |conn, ctx| {
            let (income, line, c) = exit::criteria(conn, ctx, id, year)?;
            let until = exit::policies_retained_until(conn, ctx, id)?;
            Ok((income, line, c, until))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CriteriaDto {
        household_id: id,
        year,
        eligible: criteria.iter().all(|c| c.met),
        income_per_capita_fen: income,
        poverty_line_fen: line,
        criteria,
        policies_retained_until: until,
    }))
}
