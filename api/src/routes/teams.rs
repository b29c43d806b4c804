//! Assistance teams: resident work teams and their members, cadre-household pairings, visit
//! logs, expert advisers, strong-weak village pairings, and coverage.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use domain::villages::{validate_team_member, validate_visit};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::teams::{self, NewMember, VisitRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{check_year, done, id_of, text, within};
use super::teams_dto::{AdviserDto, CoverageDto, PairingDto, TeamDto, VillagePairingDto};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

fn code(errs: &mut Vec<FieldError>, field: &str, v: &str) -> RegionCode {
    RegionCode::parse(v)
        .map_err(|m| errs.push(FieldError::new(field, m)))
        .unwrap_or(RegionCode::PLATFORM)
}

/// A new team.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    /// The village.
    pub village_code: String,
    /// Name, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
}

/// Creates a village's resident work team (驻村工作队; county step).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = TeamBody,
    responses(
        (status = 201, description = "Created", body = TeamDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/teams")]
pub async fn create_team(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<TeamBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let v = code(&mut errs, "village_code", &b.village_code);
    let name = text(&mut errs, "name", &b.name, true, 100);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        let t = teams::create_team(conn, ctx, v, &name)?;
        Ok(TeamDto::from(t))
    })
    .await
}

/// `?region=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionParam {
    /// Any region in your scope.
    pub region: Option<String>,
}

/// Teams in your scope with their members.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(RegionParam),
    responses(
        (status = 200, description = "Teams", body = Vec<TeamDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionParam>,
) -> ApiResult<HttpResponse> {
    let region = q.into_inner().region;
    let rows = state
        .run(auth, move |conn, ctx| {
            teams::list_teams(conn, within(region.as_deref(), ctx.caller.scope())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(TeamDto::from).collect::<Vec<_>>()))
}

/// A team with its members.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id")),
    responses(
        (status = 200, description = "The team", body = TeamDto),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/teams/{id}")]
pub async fn get_team(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let t = state
        .run(auth, move |conn, _| teams::get_team(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(TeamDto::from(t)))
}

/// A member to add.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMemberBody {
    /// Name, 1–50 characters.
    #[schema(min_length = 1, max_length = 50, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
    /// ID number (18 characters; kept only masked and as a search key, so the same person is
    /// recognised across counties).
    pub id_number: String,
    /// 派出单位, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub dispatching_unit: String,
    /// `first_secretary`, `leader` or `member`.
    #[schema(schema_with = crate::routes::input::team_positions)]
    pub position: String,
    /// Term start.
    pub term_start: NaiveDate,
    /// Term end.
    pub term_end: NaiveDate,
    /// The member's user account, for visit logs: one of the county's holding `visits:write`
    /// at a unit covering the team's village (such as `team_member` there); any other answers
    /// 422 on `user_id`.
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// Adds a member to a team (county step). A person serves on one team at a time, whichever
/// county dispatched them: an overlapping term answers 409.
///
/// The answer tells whether the number serves on a team, so each number counts as a try of its
/// masked form (at most `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` different numbers of one masked form a
/// day per user, of any birth year: 429).
#[utoipa::path(
    operation_id = "add_team_member",
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id"), IdempotencyKey),
    request_body = TeamMemberBody,
    responses(
        (status = 201, description = "Added", body = TeamDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "term_overlaps: the person serves on another team during that term (no dates are named; repeated conflicts raise an `alert.membership_probing` audit row)", body = Problem, content_type = "application/problem+json"),
        BadField,
        (status = 429, description = "`too_many_requests`: this user tried `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of this number's masked form in 24 hours, of any birth year (a team member shows no birth date), by any route or import that checks a number (an `alert.quota_exceeded` audit row is written; nothing is added); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/teams/{id}/members")]
pub async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TeamMemberBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let b = body.0;
    // The answer (409, or added) tells whether the number serves on a team anywhere: a try,
    // counted before the write's transaction (security.md §16).
    super::members::record_tries(
        &state,
        &auth,
        Some(&once),
        infra::app::cases::tries::Register::Teams,
        super::members::entered_number(&b.id_number, state.today())
            .into_iter()
            .collect(),
    )
    .await?;
    let keys = state.data_keys.clone();
    once.create(&state, auth, move |conn, ctx| {
        let v = validate_team_member(
            &b.name,
            &b.id_number,
            &b.dispatching_unit,
            &b.position,
            (b.term_start, b.term_end),
            ctx.today(),
        )
        .map_err(DomainError::Validation)?;
        let m = NewMember {
            name: v.name,
            id_number: v.id_number,
            dispatching_unit: v.dispatching_unit,
            position: v.position,
            term: (b.term_start, b.term_end),
            user_id: b.user_id,
        };
        let t = teams::add_member(conn, ctx, &keys, id, &m)?;
        Ok(TeamDto::from(t))
    })
    .await
}

/// A pairing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingBody {
    /// The household.
    pub household_id: Uuid,
    /// The cadre (a team member of the county).
    pub member_id: Uuid,
    /// From.
    pub start_date: NaiveDate,
}

/// Pairs a cadre with a household (帮扶责任人; county step).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = PairingBody,
    responses(
        (status = 201, description = "Paired", body = PairingDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Paired already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/pairings")]
pub async fn pair(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<PairingBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    once.create(&state, auth, move |conn, ctx| {
        let p = teams::pair(conn, ctx, b.household_id, b.member_id, b.start_date)?;
        Ok(PairingDto::from(p))
    })
    .await
}

/// `?region=&household=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdParam {
    /// Any region in your scope.
    pub region: Option<String>,
    /// One household.
    pub household: Option<Uuid>,
}

/// Pairings in your scope (or of one household), by village and start date, a page at a time.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(HouseholdParam, PageParams),
    responses(
        (status = 200, description = "A page of pairings", body = Page<PairingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/pairings")]
pub async fn list_pairings(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<HouseholdParam>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, NaiveDate, Uuid)> = page.cursor()?;
    let q = q.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
            teams::list_pairings(
                conn,
                within(q.region.as_deref(), ctx.caller.scope())?,
                q.household,
                after,
                limit + 1,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.region_code, r.start_date, r.id),
        PairingDto::from,
    )))
}

/// The end of a pairing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndBody {
    /// Last day.
    pub end_date: NaiveDate,
}

/// Ends a pairing (county step).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pairing id")),
    request_body = EndBody,
    responses(
        (status = 200, description = "Ended", body = PairingDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Ended already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/pairings/{id}/end")]
pub async fn end_pairing(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<EndBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let end = body.0.end_date;
    let p = state
        .run(auth, move |conn, ctx| {
            teams::end_pairing(conn, ctx, id, end)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PairingDto::from(p)))
}

/// A visit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitBody {
    /// The household.
    pub household_id: Uuid,
    /// Date (not in the future).
    pub visited_on: NaiveDate,
    /// What was found, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub found: String,
    /// What was done, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub done: String,
}

/// Writes a visit log (走访记录): only the team member paired with the household that day.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = VisitBody,
    responses(
        (status = 201, description = "Logged", body = VisitDto),
        NotSignedIn,
        (status = 403, description = "Lacks visits:write, or not paired with the household", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/visits")]
pub async fn log_visit(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<VisitBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    once.create(&state, auth, move |conn, ctx| {
        let (found, did) = validate_visit(b.visited_on, &b.found, &b.done, ctx.today())
            .map_err(DomainError::Validation)?;
        let v = teams::log_visit(conn, ctx, b.household_id, b.visited_on, &found, &did)?;
        Ok(VisitDto::from(v))
    })
    .await
}

/// A visit log entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitDto {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village (12 digits).
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// The team member who visited.
    pub member_id: Uuid,
    /// Date.
    pub visited_on: NaiveDate,
    /// What was found.
    pub found: String,
    /// What was done.
    pub done: String,
}

impl From<VisitRow> for VisitDto {
    fn from(v: VisitRow) -> Self {
        Self {
            id: v.id,
            household_id: v.household_id,
            region_code: format!("{:012}", v.region_code),
            member_id: v.member_id,
            visited_on: v.visited_on,
            found: v.found,
            done: v.done,
        }
    }
}

/// Visit logs in your scope (or of one household), by village, newest first in each.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(HouseholdParam, PageParams),
    responses(
        (status = 200, description = "A page of visits", body = Page<VisitDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/visits")]
pub async fn list_visits(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<HouseholdParam>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, NaiveDate, Uuid)> = page.cursor()?;
    let q = q.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
            teams::list_visits(
                conn,
                within(q.region.as_deref(), ctx.caller.scope())?,
                q.household,
                after,
                limit + 1,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |v| (v.region_code, v.visited_on, v.id),
        VisitDto::from,
    )))
}

/// An expert adviser.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdviserBody {
    /// The village.
    pub village_code: String,
    /// Name, 1–50 characters.
    #[schema(min_length = 1, max_length = 50, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
    /// Field, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub specialty: String,
    /// Unit, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub unit: String,
    /// From.
    pub from_date: NaiveDate,
    /// Until.
    #[serde(default)]
    pub to_date: Option<NaiveDate>,
}

/// Adds an expert adviser (专家特派员) to a village (county step).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = AdviserBody,
    responses(
        (status = 201, description = "Added", body = AdviserDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/advisers")]
pub async fn add_adviser(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<AdviserBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let v = code(&mut errs, "village_code", &b.village_code);
    let name = text(&mut errs, "name", &b.name, true, 50);
    let specialty = text(&mut errs, "specialty", &b.specialty, true, 100);
    let unit = text(&mut errs, "unit", &b.unit, true, 100);
    if b.to_date.is_some_and(|t| t < b.from_date) {
        errs.push(FieldError::new(
            "to_date",
            domain::Rule::not_before("from_date"),
        ));
    }
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        let a = teams::add_adviser(
            conn,
            ctx,
            v,
            (&name, &specialty, &unit),
            (b.from_date, b.to_date),
        )?;
        Ok(AdviserDto::from(a))
    })
    .await
}

/// Expert advisers in your scope.
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(RegionParam),
    responses(
        (status = 200, description = "Advisers", body = Vec<AdviserDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/advisers")]
pub async fn list_advisers(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionParam>,
) -> ApiResult<HttpResponse> {
    let region = q.into_inner().region;
    let rows = state
        .run(auth, move |conn, ctx| {
            teams::list_advisers(conn, within(region.as_deref(), ctx.caller.scope())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(AdviserDto::from).collect::<Vec<_>>()))
}

/// A strong village paired with a weak one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VillagePairingBody {
    /// The strong village.
    pub strong_village_code: String,
    /// The weak village.
    pub weak_village_code: String,
    /// First year.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// What the strong village does, up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub content: String,
}

/// Pairs a strong village with a weak one (强村带弱村; county step).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = VillagePairingBody,
    responses(
        (status = 201, description = "Paired", body = VillagePairingDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage over both", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/village-pairings")]
pub async fn pair_villages(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<VillagePairingBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let strong = code(&mut errs, "strong_village_code", &b.strong_village_code);
    let weak = code(&mut errs, "weak_village_code", &b.weak_village_code);
    check_year(&mut errs, "from_year", b.from_year);
    check_year(&mut errs, "to_year", b.to_year);
    if b.from_year > b.to_year {
        errs.push(FieldError::new(
            "to_year",
            domain::Rule::not_before("from_year"),
        ));
    }
    let content = text(&mut errs, "content", &b.content, false, 2000);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        let p = teams::pair_villages(
            conn,
            ctx,
            (strong, weak),
            (b.from_year, b.to_year),
            &content,
        )?;
        Ok(VillagePairingDto::from(p))
    })
    .await
}

/// Strong-weak village pairings in your scope (by the weak village).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(RegionParam),
    responses(
        (status = 200, description = "Pairings", body = Vec<VillagePairingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/village-pairings")]
pub async fn list_village_pairings(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionParam>,
) -> ApiResult<HttpResponse> {
    let region = q.into_inner().region;
    let rows = state
        .run(auth, move |conn, ctx| {
            teams::list_village_pairings(conn, within(region.as_deref(), ctx.caller.scope())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(VillagePairingDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// `?region=&as_of=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// Any region in your scope (default: your org unit).
    pub region: Option<String>,
    /// The day to check (default: today). A past day checks the households as they were then
    /// (from their history), the terms, pairings and visits of that day.
    pub as_of: Option<NaiveDate>,
}

/// Coverage rules for a region and each region one level down: every active key village has
/// a team with a first secretary in term, an expert adviser in term and a county-level leader
/// linked (县级领导联系); every registered, returned or monitored household
/// has a paired cadre; none is unvisited longer than `teams.visit_interval_days` (30). The
/// gaps are listed (up to 1000 each).
#[utoipa::path(
    tag = "teams",
    security(("bearer" = [])),
    params(CoverageParams),
    responses(
        (status = 200, description = "Coverage", body = CoverageDto),
        NotSignedIn,
        (status = 403, description = "Lacks villages:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/coverage")]
pub async fn coverage(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<CoverageParams>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let region = q
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    let c = state
        .run(auth, move |conn, ctx| {
            teams::coverage(
                conn,
                ctx,
                region.unwrap_or(ctx.caller.unit()),
                q.as_of.unwrap_or_else(|| ctx.today()),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(CoverageDto::from(c)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        create_team => Permission(perm::VILLAGES_MANAGE),
        list_teams => Permission(perm::VILLAGES_READ),
        get_team => Permission(perm::VILLAGES_READ),
        add_member => Permission(perm::VILLAGES_MANAGE),
        pair => Permission(perm::VILLAGES_MANAGE),
        list_pairings => Permission(perm::VILLAGES_READ),
        end_pairing => Permission(perm::VILLAGES_MANAGE),
        log_visit => Permission(perm::VISITS_WRITE),
        list_visits => Permission(perm::VILLAGES_READ),
        add_adviser => Permission(perm::VILLAGES_MANAGE),
        list_advisers => Permission(perm::VILLAGES_READ),
        pair_villages => Permission(perm::VILLAGES_MANAGE),
        list_village_pairings => Permission(perm::VILLAGES_READ),
        coverage => Permission(perm::VILLAGES_READ),
    },
}
