//! Return-to-poverty monitoring (防止返贫动态监测): monitored households and their decisions,
//! and early-warning leads in a verification queue.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::cases::validate_measure;
use domain::monitoring::{CaseStage, CaseStep, Kind, LeadRule, LeadStatus};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::monitoring::{
    self, CaseFilter, CaseHousehold, CaseSummary, CaseView, LeadFilter, LeadRow, NewCase,
    ScanReport, Signal, Verdict, check_risk_types,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cases_dto::{CreateHouseholdBody, MeasureBody, MeasureDto};
use super::input::{check_year, done, id_of, text, within};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

mod leads;
pub use leads::*;

/// A monitored household's case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// The household's status now.
    #[schema(value_type = Option<domain::cases::Status>)]
    pub household_status: Option<String>,
    /// Village.
    pub village_code: String,
    /// `unstable_exited`, `marginal`, `sudden_hardship`.
    #[schema(value_type = domain::monitoring::Kind)]
    pub kind: String,
    /// Risk type codes.
    #[schema(value_type = Vec<domain::monitoring::RiskType>)]
    pub risk_types: Vec<String>,
    /// When the risk was found.
    pub found_on: NaiveDate,
    /// Last day for the county's decision.
    pub deadline: NaiveDate,
    /// Days past the deadline (undecided, or decided late); 0 when in time.
    pub overdue_days: i64,
    /// Whether it is undecided past its deadline.
    pub overdue: bool,
    /// What was found.
    pub description: String,
    /// `identified`, `township_reviewed`, `monitored`, `risk_eliminated`, `returned`,
    /// `dismissed`.
    #[schema(value_type = domain::monitoring::CaseStage)]
    pub stage: String,
    /// The household's status before monitoring.
    pub status_before: String,
    /// Opened help-first (先救后核).
    pub rescue_first: bool,
    /// Verification after help: not yet (null), confirmed, or not.
    pub post_verified: Option<bool>,
    /// The lead it came from.
    pub lead_id: Option<Uuid>,
    /// When monitoring began.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i32,
    /// The household's monitoring contact (监测联系人): a user of the county.
    pub contact_user_id: Option<Uuid>,
    /// Their name when assigned.
    pub contact_name: Option<String>,
    /// Every transition.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
    /// Measures since the risk was found.
    pub measures: Vec<MeasureDto>,
}

fn case_dto(
    c: infra::app::monitoring::CaseRow,
    number: String,
    head: String,
    overdue_days: i64,
) -> CaseDto {
    let open = CaseStage::parse(&c.stage).is_ok_and(CaseStage::in_identification);
    CaseDto {
        id: c.id,
        household_id: c.household_id,
        household_number: number,
        head_name: head,
        household_status: None,
        village_code: format!("{:012}", c.region_code),
        kind: c.kind,
        risk_types: c.risk_types,
        found_on: c.found_on,
        deadline: c.deadline,
        overdue: open && overdue_days > 0,
        overdue_days,
        description: c.description,
        stage: c.stage,
        status_before: c.status_before,
        rescue_first: c.rescue_first,
        post_verified: c.post_verified,
        lead_id: c.lead_id,
        confirmed_at: c.confirmed_at,
        closed_at: c.closed_at,
        version: c.version,
        contact_user_id: c.contact_user_id,
        contact_name: c.contact_name,
        events: Vec::new(),
        measures: Vec::new(),
    }
}

impl From<CaseView> for CaseDto {
    fn from(v: CaseView) -> Self {
        let mut d = case_dto(v.case, v.household_number, v.head_name, v.overdue_days);
        d.household_status = Some(v.household_status);
        d.events = v
            .events
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap_or_default())
            .collect();
        d.measures = v.measures.into_iter().map(MeasureDto::from).collect();
        d
    }
}

impl From<CaseSummary> for CaseDto {
    fn from(s: CaseSummary) -> Self {
        case_dto(s.case, s.household_number, s.head_name, s.overdue_days)
    }
}

/// Filters of the case list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// Stage.
    #[param(schema_with = domain::monitoring::CaseStage::input_schema)]
    pub stage: Option<String>,
    /// Kind.
    #[param(schema_with = domain::monitoring::Kind::input_schema)]
    pub kind: Option<String>,
    /// `true`: only cases undecided past their identification deadline.
    pub overdue: Option<bool>,
    /// `true`: only open cases whose household has no monitoring contact yet.
    pub without_contact: Option<bool>,
}

/// Monitoring cases in your scope, by village, oldest finding first in each; `overdue=true` lists those whose
/// identification has passed its deadline. Every page read is audited (`monitoring_case.list`, with
/// the filters and the number of rows).
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(CaseParams, PageParams),
    responses(
        (status = 200, description = "A page of cases (without events and measures)", body = Page<CaseDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/monitoring-cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<CaseParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, NaiveDate, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    // The page names households and their risks (illness, disability): read, like a household
    // list, with one audit row naming the filters (on the primary when read from a replica).
    let audited = serde_json::json!({
        "region": p.region, "stage": p.stage, "kind": p.kind, "overdue": p.overdue,
        "without_contact": p.without_contact,
    });
    let rows = state
        .read_page(
            auth,
            move |conn, ctx| {
                let f = CaseFilter {
                    within: within(p.region.as_deref(), ctx.caller.scope())?,
                    stage: p
                        .stage
                        .as_deref()
                        .map(CaseStage::parse)
                        .transpose()
                        .map_err(|m| DomainError::field("stage", m))?,
                    kind: p
                        .kind
                        .as_deref()
                        .map(Kind::parse)
                        .transpose()
                        .map_err(|m| DomainError::field("kind", m))?,
                    overdue: p.overdue.unwrap_or(false),
                    without_contact: p.without_contact.unwrap_or(false),
                };
                monitoring::list(conn, ctx, &f, after, limit + 1)
            },
            move |conn, ctx, rows| list_audit(conn, ctx, "monitoring_case", audited, rows.len()),
        )
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |s| (s.case.region_code, s.case.found_on, s.case.id),
        CaseDto::from,
    )))
}

/// A household found at risk.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseBody {
    /// A household in the registry (exited, or non-poor).
    #[serde(default)]
    pub household_id: Option<Uuid>,
    /// Or a household never registered, registered now as `non_poor` (marginal or sudden
    /// hardship). Exactly one of `household_id` and `household`.
    #[serde(default)]
    pub household: Option<CreateHouseholdBody>,
    /// `unstable_exited`, `marginal`, `sudden_hardship`.
    #[schema(schema_with = domain::monitoring::Kind::input_schema)]
    pub kind: String,
    /// Risk types: `illness`, `disability`, `schooling`, `disaster`, `accident`,
    /// `unemployment`, `income_drop`, `expenditure_surge`, `other`.
    #[schema(schema_with = crate::routes::input::risk_types_at_least_one)]
    pub risk_types: Vec<String>,
    /// When the risk was found (not in the future); the deadline counts from it.
    pub found_on: NaiveDate,
    /// What was found, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub description: String,
    /// Help first, verify after (先救后核): for sudden hardship caused by a disaster, the
    /// case starts monitored at once and is verified after.
    #[serde(default)]
    pub rescue_first: bool,
}

fn case_fields(
    errs: &mut Vec<FieldError>,
    kind: &str,
    risk_types: &[String],
    description: &str,
) -> (Option<Kind>, Vec<domain::monitoring::RiskType>, String) {
    let k = Kind::parse(kind)
        .map_err(|m| errs.push(FieldError::new("kind", m)))
        .ok();
    let r = check_risk_types(risk_types)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let d = text(errs, "description", description, true, 2000);
    (k, r, d)
}

/// Identifies a household at risk (village step). The case moves to the township, then to the
/// county, within the identification deadline (`monitoring.identification_deadline_days`).
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewCaseBody,
    responses(
        (status = 201, description = "The case", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The household has an open case, or a person is registered already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: a new household's member number is of a masked form and birth year this user tried `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of in 24 hours, by search, registration or import, or as a team member's number of that form (see `POST /members/search`); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (kind not fitting the household, help-first without a disaster, …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/monitoring-cases")]
pub async fn open_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewCaseBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let (kind, risk_types, description) =
        case_fields(&mut errs, &b.kind, &b.risk_types, &b.description);
    if b.household_id.is_some() == b.household.is_some() {
        errs.push(FieldError::new(
            "household_id",
            domain::Rule::other(
                "give exactly one of household_id and household",
                "household_id 与 household 须且只能提供其一",
            ),
        ));
    }
    done(errs)?;
    let new_household = b.household.map(|h| h.into_inputs());
    if let Some((_, members)) = &new_household {
        super::members::record_tries(
            &state,
            &auth,
            Some(&once),
            infra::app::cases::tries::Register::Members,
            super::members::entered_numbers(members, state.today()),
        )
        .await?;
    }
    let keys = state.data_keys.clone();
    // A person registered already is a refusal that commits (the attempt stays recorded).
    once.create_or_refuse(&state, auth, move |conn, ctx| {
        let household = match (b.household_id, new_household) {
            (Some(id), _) => CaseHousehold::Existing(id),
            (None, Some((h, m))) => CaseHousehold::New(Box::new(super::households::validated(
                conn,
                &h,
                &m,
                "household",
                ctx.today(),
            )?)),
            (None, None) => {
                return Err(DomainError::field("household_id", domain::Rule::Required));
            }
        };
        let new = NewCase {
            household,
            kind: kind.unwrap_or(Kind::Marginal),
            risk_types,
            found_on: b.found_on,
            description,
            rescue_first: b.rescue_first,
        };
        Ok(monitoring::open_case(conn, ctx, &keys, &new, None)?.map(CaseDto::from))
    })
    .await
}

/// A monitoring case with its events and measures. Every read is audited as a read of the household
/// (`household.read`, part `monitoring_case`).
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/monitoring-cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    // A case holds the household's risks and every measure since it was found: its read is
    // audited as a read of the household's measures is.
    let v = state
        .read(
            auth,
            move |conn, ctx| monitoring::get(conn, ctx, id),
            |conn, ctx, v| {
                infra::app::cases::households::audit_part_read(
                    conn,
                    ctx,
                    v.case.household_id,
                    "monitoring_case",
                )
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(CaseDto::from(v)))
}

/// Audits a read of a page of cases or leads (`<object>.list`, one row per request, with the
/// filters and the number of rows).
pub(crate) fn list_audit(
    conn: &mut infra::db::Tx<'_>,
    ctx: &infra::app::Ctx,
    object: &str,
    mut filters: serde_json::Value,
    rows: usize,
) -> Result<(), DomainError> {
    filters["rows"] = rows.into();
    ctx.audit(
        conn,
        &format!("{object}.list"),
        object,
        "",
        ctx.caller.unit(),
        filters,
    )
}

/// A decision that may go either way.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `true` to take the household on (or confirm it), `false` to dismiss the case.
    pub approve: bool,
    /// Opinion, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
}

/// A closing decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosingBody {
    /// Why (the basis of the decision), 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
}

async fn decide(
    state: web::Data<AppState>,
    auth: Auth,
    path: &str,
    step: CaseStep,
    approve: bool,
    opinion: &str,
) -> ApiResult<HttpResponse> {
    let id = id_of(path)?;
    let mut errs = Vec::new();
    let opinion = text(&mut errs, "opinion", opinion, true, 2000);
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            monitoring::decide(conn, ctx, id, step, approve, &opinion)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CaseDto::from(v)))
}

/// The township's review of a village's proposal (township step).
#[utoipa::path(
    operation_id = "monitoring_township_review",
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The case", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/township-review")]
pub async fn township_review(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<DecisionBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    decide(
        state,
        auth,
        &path,
        CaseStep::TownshipReview,
        b.approve,
        &b.opinion,
    )
    .await
}

/// The county's decision to take the household into monitoring (county step); the household
/// becomes `monitored`. A decision after the deadline is recorded with the days late.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The case", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/confirmation")]
pub async fn confirmation(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<DecisionBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    decide(
        state,
        auth,
        &path,
        CaseStep::Confirmation,
        b.approve,
        &b.opinion,
    )
    .await
}

/// The verification after help of a case opened help-first (county step); `approve: false`
/// dismisses it and restores the household's status.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The case", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Not a help-first case awaiting verification", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/post-verification")]
pub async fn post_verification(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<DecisionBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    decide(
        state,
        auth,
        &path,
        CaseStep::PostVerification,
        b.approve,
        &b.opinion,
    )
    .await
}

/// Records that the risk is eliminated (county step; needs at least one measure since the
/// risk was found). The household goes back to `exited` or `non_poor`.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = ClosingBody,
    responses(
        (status = 200, description = "The case, closed", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Not monitored, awaiting verification, or no measure recorded", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/risk-elimination")]
pub async fn risk_elimination(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ClosingBody>,
) -> ApiResult<HttpResponse> {
    decide(
        state,
        auth,
        &path,
        CaseStep::RiskElimination,
        true,
        &body.0.opinion,
    )
    .await
}

/// Records a return to poverty (county step): the household becomes `returned` (or
/// `registered`, when it was never poor before).
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = ClosingBody,
    responses(
        (status = 200, description = "The case, closed", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Not monitored, or awaiting verification", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/return-to-poverty")]
pub async fn return_to_poverty(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ClosingBody>,
) -> ApiResult<HttpResponse> {
    decide(
        state,
        auth,
        &path,
        CaseStep::ReturnToPoverty,
        true,
        &body.0.opinion,
    )
    .await
}

/// Records an assistance measure for the case's household (village step, open case).
#[utoipa::path(
    operation_id = "add_monitoring_measure",
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), IdempotencyKey),
    request_body = MeasureBody,
    responses(
        (status = 201, description = "The case with the measure", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "The case is closed", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-cases/{id}/measures")]
pub async fn add_measure(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<MeasureBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let input = body.0.into();
    once.create(&state, auth, move |conn, ctx| {
        let m = validate_measure(&input, ctx.today()).map_err(DomainError::Validation)?;
        let v = monitoring::add_measure(conn, ctx, id, &m)?;
        Ok(CaseDto::from(v))
    })
    .await
}

/// The monitoring contact to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// A user of the county working at or above the household's village (a village cadre, a
    /// resident-team member with an account, a township official). Required.
    #[serde(default)]
    #[schema(required, value_type = Uuid)]
    pub user_id: Option<Uuid>,
}

/// Assigns (or changes) the household's monitoring contact (监测联系人, seed 4: "落实监测联系人"),
/// village step; recorded as a case event and audited.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = ContactBody,
    responses(
        (status = 200, description = "The case with its contact", body = CaseDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "case_closed: the case is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`user_id` is not an enabled user of the county working at or above the village", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/monitoring-cases/{id}/contact")]
pub async fn assign_contact(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ContactBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let user = body.0.user_id;
    let v = state
        .run(auth, move |conn, ctx| {
            infra::app::monitoring_contact::assign(conn, ctx, id, user)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CaseDto::from(v)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_cases => Permission(perm::WORKFLOW_READ),
        open_case => Permission(perm::WORKFLOW_VILLAGE),
        get_case => Permission(perm::WORKFLOW_READ),
        township_review => Permission(perm::WORKFLOW_TOWNSHIP),
        confirmation => Permission(perm::WORKFLOW_COUNTY),
        post_verification => Permission(perm::WORKFLOW_COUNTY),
        risk_elimination => Permission(perm::WORKFLOW_COUNTY),
        return_to_poverty => Permission(perm::WORKFLOW_COUNTY),
        add_measure => Permission(perm::WORKFLOW_VILLAGE),
        assign_contact => Permission(perm::WORKFLOW_VILLAGE),
        list_leads => Permission(perm::WORKFLOW_READ),
        scan => Permission(perm::WORKFLOW_COUNTY),
        report => Permission(perm::WORKFLOW_READ),
        verify_lead => Permission(perm::WORKFLOW_VILLAGE),
    },
}
