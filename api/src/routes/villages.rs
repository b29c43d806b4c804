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
use crate::error::answers::{BadField, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::etag::if_match;
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

mod key;
pub use key::*;

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
    #[schema(minimum = 0)]
    pub households: i32,
    /// 总人口.
    #[schema(minimum = 0)]
    pub population: i32,
    /// 人均可支配收入, fen.
    #[schema(minimum = 0)]
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    #[schema(minimum = 0)]
    pub collective_income_fen: i64,
    /// 耕地, mu (one decimal).
    #[schema(minimum = 0, maximum = 10000000, multiple_of = 0.1)]
    pub cultivated_mu: f64,
    /// 林地, mu (one decimal).
    #[schema(minimum = 0, maximum = 10000000, multiple_of = 0.1)]
    pub forest_mu: f64,
    /// 主要产业 (up to 10).
    #[serde(default)]
    #[schema(schema_with = crate::routes::input::industry_names)]
    pub main_industries: Vec<String>,
    /// 特色产业 (up to 10).
    #[serde(default)]
    #[schema(schema_with = crate::routes::input::industry_names)]
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    #[serde(default)]
    pub merged_village: bool,
    /// 原贫困村.
    #[serde(default)]
    pub former_poor_village: bool,
    /// 硬化路 coverage, percent (one decimal).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
    pub hardened_road_pct: Option<f64>,
    /// 自来水 coverage, percent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
    pub tap_water_pct: Option<f64>,
    /// 卫生厕所 coverage, percent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
    pub sanitary_toilet_pct: Option<f64>,
    /// 通电, percent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
    pub electricity_pct: Option<f64>,
    /// 适龄儿童入学率, percent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
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
    /// What the registry holds now: registered households and their members, to set beside
    /// the reported figures.
    pub registry: RegistryDto,
    /// Version (ETag).
    pub version: i32,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// What the registry holds for a village now (建档立卡 households not removed, and their
/// members).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryDto {
    /// Registered households (not removed).
    pub households: i64,
    /// Their members.
    pub population: i64,
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
        registry: RegistryDto {
            households: c.households,
            population: c.population,
        },
        version: p.version,
        updated_at: p.updated_at,
    }
}

/// A village's profiles, by year.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Village, 12 digits", pattern = r"^(0[1-9]|[1-9][0-9])[0-9]{7}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$")),
    responses(
        (status = 200, description = "Profiles", body = Vec<ProfileDto>),
        NotSignedIn,
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
        ("code" = String, Path, description = "Village, 12 digits", pattern = r"^(0[1-9]|[1-9][0-9])[0-9]{7}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The profile; ETag carries the version", body = ProfileDto),
        NotSignedIn,
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
        ("code" = String, Path, description = "Village, 12 digits", pattern = r"^(0[1-9]|[1-9][0-9])[0-9]{7}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = Option<String>, Header, description = "The version read, to replace a profile"),
    ),
    request_body = ProfileBody,
    responses(
        (status = 201, description = "Created", body = ProfileDto),
        (status = 200, description = "Replaced", body = ProfileDto),
        NotSignedIn,
        (status = 403, description = "Lacks villages:write over the village", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a village in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        BadField,
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
    #[schema(minimum = 0)]
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
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a county in your scope", body = Problem, content_type = "application/problem+json"),
        BadField,
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
            domain::Rule::NotNegative,
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

/// A county's per-capita income of a year, as set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountyFigureDto {
    /// County (12 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// 县域农民人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// Set by (user id).
    pub updated_by: Uuid,
    /// Set at.
    pub updated_at: DateTime<Utc>,
}

/// A county's per-capita income of a year (`villages:read`; county users and above, over the
/// county): 404 when none is set. The `PUT` takes no `If-Match`: the last write wins, the audit
/// log keeps each.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The county's figure of the year", body = CountyFigureDto),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such county in your scope, or no figure set for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/county-figures/{county_code}/{year}")]
pub async fn get_county_figure(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let county = RegionCode::parse(&code)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let (per_capita_income_fen, updated_by, updated_at) = state
        .run(auth, move |conn, ctx| {
            villages::county_figure(conn, ctx, county, year)
        })
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(HttpResponse::Ok().json(CountyFigureDto {
        county_code: format!("{:012}", county.as_i64()),
        year,
        per_capita_income_fen,
        updated_by,
        updated_at,
    }))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_profiles => Permission(perm::VILLAGES_READ),
        get_profile => Permission(perm::VILLAGES_READ),
        put_profile => Permission(perm::VILLAGES_WRITE),
        get_county_figure => Permission(perm::VILLAGES_READ),
        put_county_figure => Permission(perm::VILLAGES_MANAGE),
        designate => Permission(perm::VILLAGES_MANAGE),
        list_key_villages => Permission(perm::VILLAGES_READ),
        get_key_village => Permission(perm::VILLAGES_READ),
        indicator_table => Permission(perm::VILLAGES_READ),
        assess => Permission(perm::VILLAGES_MANAGE),
        exit_key => Permission(perm::VILLAGES_MANAGE),
    },
}
