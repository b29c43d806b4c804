//! The city's matching of province money per county and year (issue 22, seed 5).

use actix_web::{HttpResponse, get, web};
use infra::app::fund_matching::{self, CityMatching};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{check_year, done, within};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// Which county-years.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchingParams {
    /// Only this year (every year with funds when absent).
    pub year: Option<i32>,
    /// Region (6 or 12 digits) in your scope; your scope when absent.
    pub region: Option<String>,
}

/// One county-year's fiscal money by level against what the city must put up, in fen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CityMatchingDto {
    /// County, 6 digits.
    #[schema(example = "610122")]
    pub county_code: String,
    /// County name.
    pub name: String,
    /// Year of the funds.
    pub year: i32,
    /// Province money received (bundled money of other departments left out), fen.
    pub province_fen: i64,
    /// City money received, fen.
    pub city_fen: i64,
    /// County money received: the county's matching share, fen.
    pub county_fen: i64,
    /// `funds.city_matching_permille` in force for the county (1000 = 1:1, seed 5).
    pub ratio_permille: i32,
    /// `funds.city_pays_county_share_from_year` in force for the county (2011, seed 5).
    pub county_share_from_year: Option<i32>,
    /// Ratio × province money, fen.
    pub matched_fen: i64,
    /// The county share the city pays from the switch year (0 before it), fen.
    pub county_share_fen: i64,
    /// `matched_fen + county_share_fen`, fen.
    pub required_city_fen: i64,
    /// How much city money is missing, fen (0 when met).
    pub shortfall_fen: i64,
    /// The city's money covers what is required.
    pub met: bool,
}

impl From<CityMatching> for CityMatchingDto {
    fn from(m: CityMatching) -> Self {
        Self {
            county_code: m.county_code,
            name: m.name,
            year: m.year,
            province_fen: m.province_fen,
            city_fen: m.city_fen,
            county_fen: m.county_fen,
            ratio_permille: m.ratio_permille,
            county_share_from_year: m.county_share_from_year,
            matched_fen: m.matched_fen,
            county_share_fen: m.county_share_fen,
            required_city_fen: m.required_city_fen,
            shortfall_fen: m.shortfall_fen,
            met: m.met,
        }
    }
}

/// Counties in scope, per year, with the province, city and county fiscal money they received
/// against what the city must put up: `funds.city_matching_permille` of the province money (seed
/// 5: 1:1) and, from `funds.city_pays_county_share_from_year` (seed 5: 2011), the county's share
/// too; shortfalls flagged. In pages, by county then year.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(MatchingParams, PageParams),
    responses(
        (status = 200, description = "A page of county-years", body = Page<CityMatchingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter (a year out of range, a region outside your scope), limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/fund-matching")]
pub async fn city_matching(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<MatchingParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i32, i32)> = page.cursor()?;
    let q = q.into_inner();
    if let Some(y) = q.year {
        let mut errs = Vec::new();
        check_year(&mut errs, "year", y);
        done(errs)?;
    }
    let rows = state
        .run(auth, move |conn, ctx| {
            let scope = within(q.region.as_deref(), ctx.caller.scope())?;
            fund_matching::city_matching_report(conn, ctx, scope, q.year, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |m| (m.county_code.parse::<i32>().unwrap_or_default(), m.year),
        CityMatchingDto::from,
    )))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        city_matching => Permission(perm::FUNDS_READ),
    },
}
