//! Villages: yearly profiles (with the registry's figures beside the reported ones), county
//! figures, key villages with their targets, rankings, assessments and exit decisions.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use domain::villages::{Grade, ProfileInput, validate_profile};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::village_indicators::{self as indicators, IndicatorsRow};
use infra::app::villages::{self, Computed, KeyVillageView, ProfileRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{check_year, done, text, within};
use super::village_indicators::IndicatorsBody;
use crate::error::{ApiResult, Problem};
use crate::http::etag::if_match;
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

fn village_of(code: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(code)
        .ok()
        .filter(|c| c.level() == Level::Village)
        .ok_or(DomainError::NotFound)
}

/// A village's profile of one year as entered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// 总户数.
    pub households: i32,
    /// 总人口.
    pub population: i32,
    /// 人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    pub collective_income_fen: i64,
    /// 耕地, mu (one decimal).
    pub cultivated_mu: f64,
    /// 林地, mu (one decimal).
    pub forest_mu: f64,
    /// 主要产业 (up to 10).
    #[serde(default)]
    pub main_industries: Vec<String>,
    /// 特色产业 (up to 10).
    #[serde(default)]
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    #[serde(default)]
    pub merged_village: bool,
    /// 原贫困村.
    #[serde(default)]
    pub former_poor_village: bool,
    /// 硬化路 coverage, percent (one decimal).
    #[serde(default)]
    pub hardened_road_pct: Option<f64>,
    /// 自来水 coverage, percent.
    #[serde(default)]
    pub tap_water_pct: Option<f64>,
    /// 卫生厕所 coverage, percent.
    #[serde(default)]
    pub sanitary_toilet_pct: Option<f64>,
    /// 通电, percent.
    #[serde(default)]
    pub electricity_pct: Option<f64>,
    /// 适龄儿童入学率, percent.
    #[serde(default)]
    pub school_enrolment_pct: Option<f64>,
    /// Milestones and further indicators (seed 4, issue 22).
    #[serde(default)]
    pub indicators: IndicatorsBody,
}

impl From<ProfileBody> for ProfileInput {
    fn from(b: ProfileBody) -> Self {
        Self {
            households: b.households,
            population: b.population,
            per_capita_income_fen: b.per_capita_income_fen,
            collective_income_fen: b.collective_income_fen,
            cultivated_mu: b.cultivated_mu,
            forest_mu: b.forest_mu,
            main_industries: b.main_industries,
            featured_industries: b.featured_industries,
            merged_village: b.merged_village,
            former_poor_village: b.former_poor_village,
            hardened_road_pct: b.hardened_road_pct,
            tap_water_pct: b.tap_water_pct,
            sanitary_toilet_pct: b.sanitary_toilet_pct,
            electricity_pct: b.electricity_pct,
            school_enrolment_pct: b.school_enrolment_pct,
            indicators: b.indicators.into(),
        }
    }
}

/// A profile as stored, with the registry's figures beside the reported ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    /// Village.
    pub village_code: String,
    /// Year.
    pub year: i32,
    /// Reported households.
    pub households: i32,
    /// Reported population.
    pub population: i32,
    /// 人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    pub collective_income_fen: i64,
    /// 耕地, mu.
    pub cultivated_mu: f64,
    /// 林地, mu.
    pub forest_mu: f64,
    /// 主要产业.
    pub main_industries: Vec<String>,
    /// 特色产业.
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    pub merged_village: bool,
    /// 原贫困村.
    pub former_poor_village: bool,
    /// Percent.
    pub hardened_road_pct: Option<f64>,
    /// Percent.
    pub tap_water_pct: Option<f64>,
    /// Percent.
    pub sanitary_toilet_pct: Option<f64>,
    /// Percent.
    pub electricity_pct: Option<f64>,
    /// Percent.
    pub school_enrolment_pct: Option<f64>,
    /// Milestones and further indicators.
    pub indicators: IndicatorsBody,
    /// What the registry holds now: registered households and their members.
    #[schema(value_type = Object)]
    pub registry: serde_json::Value,
    /// Version (ETag).
    pub version: i32,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

fn pct(v: Option<i32>) -> Option<f64> {
    v.map(|p| f64::from(p) / 10.0)
}

fn mu(v: i64) -> f64 {
    // Areas are at most 10,000,000 mu (checked on input): tenths fit an i32 exactly.
    i32::try_from(v).map_or(f64::NAN, f64::from) / 10.0
}

fn profile_dto(p: ProfileRow, i: &IndicatorsRow, c: Computed) -> ProfileDto {
    ProfileDto {
        village_code: format!("{:012}", p.region_code),
        year: p.year,
        households: p.households,
        population: p.population,
        per_capita_income_fen: p.per_capita_income_fen,
        collective_income_fen: p.collective_income_fen,
        cultivated_mu: mu(p.cultivated_mu_tenths),
        forest_mu: mu(p.forest_mu_tenths),
        main_industries: p.main_industries,
        featured_industries: p.featured_industries,
        merged_village: p.merged_village,
        former_poor_village: p.former_poor_village,
        hardened_road_pct: pct(p.hardened_road_permille),
        tap_water_pct: pct(p.tap_water_permille),
        sanitary_toilet_pct: pct(p.sanitary_toilet_permille),
        electricity_pct: pct(p.electricity_permille),
        school_enrolment_pct: pct(p.school_enrolment_permille),
        indicators: i.into(),
        registry: serde_json::to_value(c).unwrap_or_default(),
        version: p.version,
        updated_at: p.updated_at,
    }
}

/// A village's profiles, by year.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Village, 12 digits")),
    responses(
        (status = 200, description = "Profiles", body = Vec<ProfileDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a village in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/villages/{code}/profiles")]
pub async fn list_profiles(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let v = village_of(&path)?;
    let (rows, ind, c) = state
        .run(auth, move |conn, ctx| {
            Ok((
                villages::profiles(conn, ctx, v)?,
                indicators::load(conn, &[v.county_code()], &[v.as_i64()])?,
                villages::computed(conn, v)?,
            ))
        })
        .await?;
    let none = IndicatorsRow::default();
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|p| {
                let i = ind
                    .iter()
                    .find(|(_, y, _)| *y == p.year)
                    .map_or(&none, |x| &x.2);
                profile_dto(p, i, c)
            })
            .collect::<Vec<_>>(),
    ))
}

/// A village's profile of a year, with the registry's figures beside the reported ones.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Village, 12 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The profile; ETag carries the version", body = ProfileDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No profile that year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/villages/{code}/profiles/{year}")]
pub async fn get_profile(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let v = village_of(&code)?;
    let (p, i, c) = state
        .run(auth, move |conn, ctx| {
            Ok((
                villages::profile(conn, ctx, v, year)?,
                indicators::of_year(conn, v, year)?,
                villages::computed(conn, v)?,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", p.version)))
        .json(profile_dto(p, &i, c)))
}

/// Enters or replaces a village's profile of a year (`villages:write` over the village).
/// Replacing needs `If-Match` with the version read.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Village, 12 digits"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = Option<String>, Header, description = "The version read, to replace a profile"),
    ),
    request_body = ProfileBody,
    responses(
        (status = 201, description = "Created", body = ProfileDto),
        (status = 200, description = "Replaced", body = ProfileDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks villages:write over the village", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a village in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing for a replacement", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/villages/{code}/profiles/{year}")]
pub async fn put_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<ProfileBody>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let v = village_of(&code)?;
    let valid = validate_profile(year, &body.0.into()).map_err(DomainError::Validation)?;
    let ind = IndicatorsRow::from(valid.indicators.clone());
    let written = ind.clone();
    let row = ProfileRow::new(v, year, valid);
    let m = match if_match(&req) {
        Ok(v) => Some(v),
        Err(DomainError::PreconditionRequired) => None,
        Err(e) => return Err(e.into()),
    };
    let ((p, created), c) = state
        .run(auth, move |conn, ctx| {
            let r = villages::put_profile(conn, ctx, row, m)?;
            indicators::put(conn, ctx, v, year, &written)?;
            Ok((r, villages::computed(conn, v)?))
        })
        .await?;
    let mut res = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res
        .insert_header((header::ETAG, format!("\"{}\"", p.version)))
        .json(profile_dto(p, &ind, c)))
}

/// The county's per-capita income of a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountyFigureBody {
    /// 县域农民人均可支配收入, fen.
    pub per_capita_income_fen: i64,
}

/// Sets a county's per-capita income of a year, which the income-parity target compares with
/// (county step, `villages:manage`).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    request_body = CountyFigureBody,
    responses(
        (status = 204, description = "Set"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a county in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/county-figures/{county_code}/{year}")]
pub async fn put_county_figure(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<CountyFigureBody>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let county = RegionCode::parse(&code)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    if body.0.per_capita_income_fen < 0 {
        errs.push(FieldError::new(
            "per_capita_income_fen",
            "must not be negative",
        ));
    }
    done(errs)?;
    let v = body.0.per_capita_income_fen;
    state
        .run(auth, move |conn, ctx| {
            villages::put_county_figure(conn, ctx, county, year, v)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

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
    /// Each target: `code`, `label`, `unit`, `target`, `deadline`, `latest`, `latest_year`,
    /// `status` (`met`, `on_track`, `at_risk`, `missed`, `no_data`), `gap`.
    #[schema(value_type = Vec<Object>)]
    pub targets: Vec<serde_json::Value>,
    /// Sum of the relative shortfalls (the ranking key).
    pub gap: f64,
    /// Yearly assessments.
    #[schema(value_type = Vec<Object>)]
    pub assessments: Vec<serde_json::Value>,
    /// Per-capita income growth against the county's, by year (seed 5).
    pub income_growth: Vec<super::income_growth::IncomeGrowthDto>,
    /// Exit decision (摘帽), when taken.
    pub exit_decided_on: Option<NaiveDate>,
    /// Its document number.
    pub exit_decision_no: Option<String>,
    /// Its reason.
    pub exit_reason: Option<String>,
    /// The day its industry plan was adopted (issue 22).
    pub industry_plan_adopted_on: Option<NaiveDate>,
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
            targets: v
                .targets
                .into_iter()
                .map(|t| serde_json::to_value(t).unwrap_or_default())
                .collect(),
            gap: (v.gap * 1000.0).round() / 1000.0,
            assessments: v
                .assessments
                .into_iter()
                .map(|a| serde_json::to_value(a).unwrap_or_default())
                .collect(),
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
    pub plan: String,
    /// Its projects (up to 50).
    #[serde(default)]
    pub projects: Vec<String>,
}

/// Designates a key assistance village for a period with its plan (county step).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    request_body = DesignationBody,
    responses(
        (status = 201, description = "Designated", body = KeyVillageDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An active key village already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/key-villages")]
pub async fn designate(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<DesignationBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let v = RegionCode::parse(&b.village_code)
        .map_err(|m| errs.push(FieldError::new("village_code", m)))
        .ok();
    check_year(&mut errs, "from_year", b.from_year);
    check_year(&mut errs, "to_year", b.to_year);
    if b.from_year > b.to_year {
        errs.push(FieldError::new("to_year", "must not be before from_year"));
    }
    let plan = text(&mut errs, "plan", &b.plan, true, 5000);
    if b.projects.len() > 50 {
        errs.push(FieldError::new("projects", "at most 50"));
    }
    let projects: Vec<String> = b
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| text(&mut errs, &format!("projects[{i}]"), p, true, 200))
        .collect();
    done(errs)?;
    let v = v.unwrap_or(RegionCode::PLATFORM);
    let kv = state
        .run(auth, move |conn, ctx| {
            villages::designate(conn, ctx, v, (b.from_year, b.to_year), &plan, &projects)
        })
        .await?;
    Ok(HttpResponse::Created().json(KeyVillageDto::from(kv)))
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
    pub status: Option<String>,
    /// `gap` (largest first, the default) or `code`.
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/key-villages")]
pub async fn list_key_villages(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<KeyVillageParams>,
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
        errs.push(FieldError::new("status", "must be active or exited"));
    }
    let by_gap = match p.sort.as_deref() {
        None | Some("gap") => true,
        Some("code") => false,
        Some(_) => {
            errs.push(FieldError::new("sort", "must be gap or code"));
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/key-villages/{id}")]
pub async fn get_key_village(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
) -> ApiResult<HttpResponse> {
    let id = Uuid::parse_str(&path).map_err(|_| DomainError::NotFound)?;
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    q: web::Query<YearQuery>,
    params: web::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = Uuid::parse_str(&path).map_err(|_| DomainError::NotFound)?;
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
    pub notes: String,
}

/// Records the yearly assessment of a key village with its targets as evaluated for that year
/// (county step, once a year).
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id")),
    request_body = AssessmentBody,
    responses(
        (status = 200, description = "Assessed", body = KeyVillageDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Assessed for the year already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/key-villages/{id}/assessments")]
pub async fn assess(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AssessmentBody>,
) -> ApiResult<HttpResponse> {
    let id = Uuid::parse_str(&path).map_err(|_| DomainError::NotFound)?;
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
    pub decision_no: String,
    /// Why, 1–2000 characters.
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Exited already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/key-villages/{id}/exit")]
pub async fn exit_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ExitBody>,
) -> ApiResult<HttpResponse> {
    let id = Uuid::parse_str(&path).map_err(|_| DomainError::NotFound)?;
    let b = body.0;
    let mut errs = Vec::new();
    let no = text(&mut errs, "decision_no", &b.decision_no, false, 100);
    let reason = text(&mut errs, "reason", &b.reason, true, 2000);
    done(errs)?;
    let kv = state
        .run(auth, move |conn, ctx| {
            if b.decided_on > ctx.today() {
                return Err(DomainError::field(
                    "decided_on",
                    "must not be in the future",
                ));
            }
            villages::exit(conn, ctx, id, b.decided_on, &no, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(KeyVillageDto::from(kv)))
}
