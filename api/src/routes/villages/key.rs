//! Key villages (重点帮扶村): designation, the year's view against the targets, the indicator table, assessments and exit.

use super::*;
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::http::idempotency::{IdempotencyKey, Once};

/// A key village with its targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyVillageDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Name.
    pub village_name: String,
    /// Designation period.
    pub from_year: i32,
    /// Until.
    pub to_year: i32,
    /// The plan (一村一策).
    pub plan: String,
    /// Its projects (一批项目).
    pub projects: Vec<String>,
    /// `active` or `exited`.
    pub status: String,
    /// The year the targets are evaluated for.
    pub evaluated_for: i32,
    /// Each target evaluated for `evaluated_for`.
    pub targets: Vec<TargetDto>,
    /// Sum of the relative shortfalls (the ranking key).
    pub gap: f64,
    /// Yearly assessments, as recorded.
    pub assessments: Vec<AssessmentDto>,
    /// Per-capita income growth against the county's, by year (seed 5).
    pub income_growth: Vec<crate::routes::income_growth::IncomeGrowthDto>,
    /// Exit decision (摘帽), when taken.
    pub exit_decided_on: Option<NaiveDate>,
    /// Its document number.
    pub exit_decision_no: Option<String>,
    /// Its reason.
    pub exit_reason: Option<String>,
    /// The day its industry plan was adopted (issue 22).
    pub industry_plan_adopted_on: Option<NaiveDate>,
}

/// One target of a key village, evaluated for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    /// Stable code (`collective_income_2023`, `tap_water`, …).
    pub code: String,
    /// What it asks, in Chinese.
    pub label: String,
    /// Unit of `target` and `latest`: `fen`, `permille`, `fen_vs_county`, `present`.
    #[schema(example = "fen")]
    pub unit: String,
    /// The target value.
    pub target: i64,
    /// Deadline year.
    pub deadline: i32,
    /// Latest measured value up to the year evaluated.
    pub latest: Option<i64>,
    /// Year of that value.
    pub latest_year: Option<i32>,
    /// `met`, `on_track`, `at_risk`, `missed` or `no_data` (vocabulary `TargetStatus`).
    #[schema(example = "on_track")]
    pub status: String,
    /// Relative shortfall, 0 (met) to 1 (nothing), for ranking.
    pub gap: f64,
}

impl From<domain::villages::Evaluated> for TargetDto {
    fn from(t: domain::villages::Evaluated) -> Self {
        Self {
            code: t.code,
            label: t.label,
            unit: t.unit.to_string(),
            target: t.target,
            deadline: t.deadline,
            latest: t.latest,
            latest_year: t.latest_year,
            status: t.status.as_str().to_string(),
            gap: t.gap,
        }
    }
}

/// A yearly assessment of a key village.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    /// Year assessed.
    pub year: i32,
    /// Grade code (vocabulary `VillageGrade`).
    pub grade: String,
    /// Notes.
    pub notes: String,
    /// The targets as evaluated then (the shape of `targets`).
    #[schema(value_type = Vec<Object>)]
    pub targets: serde_json::Value,
    /// Who recorded it.
    pub assessed_by: Uuid,
    /// When.
    pub assessed_at: DateTime<Utc>,
}

impl From<infra::app::villages::AssessmentRow> for AssessmentDto {
    fn from(a: infra::app::villages::AssessmentRow) -> Self {
        Self {
            year: a.year,
            grade: a.grade,
            notes: a.notes,
            targets: a.targets,
            assessed_by: a.assessed_by,
            assessed_at: a.assessed_at,
        }
    }
}

impl From<KeyVillageView> for KeyVillageDto {
    fn from(v: KeyVillageView) -> Self {
        let r = v.village;
        Self {
            id: r.id,
            village_code: format!("{:012}", r.region_code),
            village_name: v.name,
            from_year: r.from_year,
            to_year: r.to_year,
            plan: r.plan,
            projects: r.projects,
            status: r.status,
            evaluated_for: v.year,
            targets: v.targets.into_iter().map(Into::into).collect(),
            gap: (v.gap * 1000.0).round() / 1000.0,
            assessments: v.assessments.into_iter().map(Into::into).collect(),
            income_growth: v.income_growth.into_iter().map(Into::into).collect(),
            exit_decided_on: r.exit_decided_on,
            exit_decision_no: r.exit_decision_no,
            exit_reason: r.exit_reason,
            industry_plan_adopted_on: r.industry_plan_adopted_on,
        }
    }
}

/// A designation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignationBody {
    /// The village.
    pub village_code: String,
    /// First year.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// The plan, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub plan: String,
    /// Its projects (up to 50).
    #[serde(default)]
    #[schema(schema_with = crate::routes::input::project_names)]
    pub projects: Vec<String>,
}

/// Designates a key assistance village for a period with its plan (county step).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = DesignationBody,
    responses(
        (status = 201, description = "Designated", body = KeyVillageDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An active key village already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/key-villages")]
pub async fn designate(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<DesignationBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let v = RegionCode::parse(&b.village_code)
        .map_err(|m| errs.push(FieldError::new("village_code", m)))
        .ok();
    check_year(&mut errs, "from_year", b.from_year);
    check_year(&mut errs, "to_year", b.to_year);
    if b.from_year > b.to_year {
        errs.push(FieldError::new(
            "to_year",
            domain::Rule::not_before("from_year"),
        ));
    }
    let plan = text(&mut errs, "plan", &b.plan, true, 5000);
    if b.projects.len() > 50 {
        errs.push(FieldError::new(
            "projects",
            domain::Rule::other("at most 50", "最多 50 个"),
        ));
    }
    let projects: Vec<String> = b
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| text(&mut errs, &format!("projects[{i}]"), p, true, 200))
        .collect();
    done(errs)?;
    let v = v.unwrap_or(RegionCode::PLATFORM);
    once.create(&state, auth, move |conn, ctx| {
        let kv = villages::designate(conn, ctx, v, (b.from_year, b.to_year), &plan, &projects)?;
        Ok(KeyVillageDto::from(kv))
    })
    .await
}

/// `?region=&year=&status=&sort=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyVillageParams {
    /// Any region in your scope.
    pub region: Option<String>,
    /// The year to evaluate the targets for (default: this year).
    pub year: Option<i32>,
    /// `active` or `exited`.
    #[param(schema_with = crate::routes::input::key_village_statuses)]
    pub status: Option<String>,
    /// `gap` (largest first, the default) or `code`.
    #[param(schema_with = crate::routes::input::key_village_orders)]
    pub sort: Option<String>,
}

/// Key villages in your scope with their targets evaluated (met / on track / at risk /
/// missed), ranked by their gaps.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(KeyVillageParams),
    responses(
        (status = 200, description = "Key villages", body = Vec<KeyVillageDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/key-villages")]
pub async fn list_key_villages(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<KeyVillageParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let mut errs = Vec::new();
    if let Some(y) = p.year {
        check_year(&mut errs, "year", y);
    }
    if p.status
        .as_deref()
        .is_some_and(|s| s != "active" && s != "exited")
    {
        errs.push(FieldError::new(
            "status",
            domain::Rule::one_of(["active", "exited"]),
        ));
    }
    let by_gap = match p.sort.as_deref() {
        None | Some("gap") => true,
        Some("code") => false,
        Some(_) => {
            errs.push(FieldError::new(
                "sort",
                domain::Rule::one_of(["gap", "code"]),
            ));
            true
        }
    };
    done(errs)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            let w = within(p.region.as_deref(), ctx.caller.scope())?;
            let year = p.year.unwrap_or_else(|| ctx.today().year());
            villages::list(conn, ctx, w, year, p.status.as_deref(), by_gap)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(KeyVillageDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// `?year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year to evaluate the targets for (default: this year).
    pub year: Option<i32>,
}

/// A key village with its targets evaluated.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id"), YearQuery),
    responses(
        (status = 200, description = "The key village", body = KeyVillageDto),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/key-villages/{id}")]
pub async fn get_key_village(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<YearQuery>,
) -> ApiResult<HttpResponse> {
    let id = crate::routes::input::id_of(&path)?;
    let year = q.year;
    let kv = state
        .run(auth, move |conn, ctx| villages::get(conn, ctx, id, year))
        .await?;
    Ok(HttpResponse::Ok().json(KeyVillageDto::from(kv)))
}

/// A key village's yearly indicator table (seed 4, 乡村振兴重点帮扶村指标完成情况表): the year's
/// profile, then each target the county set (settings `key_village.*`: collective income by
/// year, tap water, sanitary toilets, income parity, leading and featured industry) with the
/// target, its year, the year's value, whether it is met and the judgement; the county's
/// linking-fund share when the caller sees the county; the year's assessment; signed by the
/// township government. HTML (the default), PDF or DOCX, chosen by `?format=` or else
/// `Accept`; English with `Accept-Language: en`. Audited (`key_village.document`).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Key village id"),
        YearQuery,
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The table in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_not_ready`: the village has no profile for the year", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year outside the designation, or a bad `format`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/key-villages/{id}/indicator-table")]
pub async fn indicator_table(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<YearQuery>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = crate::routes::input::id_of(&path)?;
    let year = q.year;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::fund_documents::indicator_table(conn, ctx, id, year, lang)
    })
    .await
}

/// A yearly assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    /// The year assessed.
    pub year: i32,
    /// `excellent`, `good`, `fair`, `poor`.
    #[schema(schema_with = domain::villages::Grade::input_schema)]
    pub grade: String,
    /// Notes, up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

/// Records the yearly assessment of a key village with its targets as evaluated for that year
/// (county step, once a year, for a year of the designation that has begun and not after the
/// year the village left: 422 `year` otherwise).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id")),
    request_body = AssessmentBody,
    responses(
        (status = 200, description = "Assessed", body = KeyVillageDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Assessed for the year already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/key-villages/{id}/assessments")]
pub async fn assess(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AssessmentBody>,
) -> ApiResult<HttpResponse> {
    let id = crate::routes::input::id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", b.year);
    let grade = Grade::parse(&b.grade)
        .map_err(|m| errs.push(FieldError::new("grade", m)))
        .ok();
    let notes = text(&mut errs, "notes", &b.notes, false, 2000);
    done(errs)?;
    let grade = grade.unwrap_or(Grade::Fair);
    let kv = state
        .run(auth, move |conn, ctx| {
            villages::assess(conn, ctx, id, b.year, grade, &notes)
        })
        .await?;
    Ok(HttpResponse::Ok().json(KeyVillageDto::from(kv)))
}

/// The county's decision to end key status (摘帽).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitBody {
    /// Date of the decision.
    pub decided_on: NaiveDate,
    /// Document number, up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub decision_no: String,
    /// Why, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// Records the county's decision that the village leaves key status (county step).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id")),
    request_body = ExitBody,
    responses(
        (status = 200, description = "Exited", body = KeyVillageDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Exited already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/key-villages/{id}/exit")]
pub async fn exit_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ExitBody>,
) -> ApiResult<HttpResponse> {
    let id = crate::routes::input::id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let no = text(&mut errs, "decision_no", &b.decision_no, false, 100);
    let reason = text(&mut errs, "reason", &b.reason, true, 2000);
    done(errs)?;
    let kv = state
        .run(auth, move |conn, ctx| {
            if b.decided_on > ctx.today() {
                return Err(DomainError::field("decided_on", domain::Rule::NotInFuture));
            }
            villages::exit(conn, ctx, id, b.decided_on, &no, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(KeyVillageDto::from(kv)))
}
