//! Funds, projects, allocations and disbursements (append-only ledgers), execution rates, the
//! key-village share of linking funds, relocation plans, forest-ranger contracts and payouts.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::NaiveDate;
use domain::funds::{DisbursementKind, FundLevel, Purpose};
use domain::ranger::{Incident, IncidentKind, validate_inspection_note, validate_patrol};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::funds::{self, NewDisbursement, NewFund, NewProject, ProjectView};
use infra::app::{idempotency, rangers};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::funds_dto::{
    CreatedIdDto, ExecutionReportDto, FundDto, FundViewDto, LedgerEntryDto, LinkingShareDto,
    PaidDto, PayoutDto, RangerContractDto, RelocationPlanDto, RelocationSummaryDto,
};
use super::input::{check_year, done, id_of, mu_tenths, text, within};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{answer, idempotency_key, request_hash};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

fn positive(errs: &mut Vec<FieldError>, field: &str, v: i64) {
    if v <= 0 || v > 100_000_000_000_000 {
        errs.push(FieldError::new(field, "must be a positive amount in fen"));
    }
}

/// A fund received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundBody {
    /// The receiving county (6 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// `central`, `province`, `city`, `county`.
    #[schema(schema_with = domain::funds::FundLevel::input_schema)]
    pub level: String,
    /// Source (programme or department), 1–100 characters.
    pub source: String,
    /// `infrastructure`, `industry`, `employment`, `education`, `health`, `housing`,
    /// `relocation`, `ecology`, `collective_economy`, `other`.
    #[schema(schema_with = domain::funds::Purpose::input_schema)]
    pub purpose: String,
    /// Bundled from another department: allocations must keep its purpose.
    #[serde(default)]
    pub bundled: bool,
    /// Linking funds (衔接资金), counted for the key-village share.
    #[serde(default)]
    pub linking: bool,
    /// Amount received, fen.
    pub amount_fen: i64,
    /// Document number, up to 100 characters.
    #[serde(default)]
    pub document_no: String,
    /// Received on.
    pub received_on: NaiveDate,
}

/// Records a fund received by a county (`funds:manage`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    request_body = FundBody,
    responses(
        (status = 201, description = "Recorded", body = FundDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/funds")]
pub async fn create_fund(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<FundBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let county = RegionCode::parse(&b.county_code)
        .ok()
        .filter(|c| c.level() == Level::County);
    if county.is_none() {
        errs.push(FieldError::new(
            "county_code",
            "must be a 6-digit county code",
        ));
    }
    check_year(&mut errs, "year", b.year);
    let level = FundLevel::parse(&b.level)
        .map_err(|m| errs.push(FieldError::new("level", m)))
        .ok();
    let purpose = Purpose::parse(&b.purpose)
        .map_err(|m| errs.push(FieldError::new("purpose", m)))
        .ok();
    let source = text(&mut errs, "source", &b.source, true, 100);
    let doc = text(&mut errs, "document_no", &b.document_no, false, 100);
    positive(&mut errs, "amount_fen", b.amount_fen);
    done(errs)?;
    let (Some(county), Some(level), Some(purpose)) = (county, level, purpose) else {
        return Err(DomainError::field("county_code", "is required").into());
    };
    let f = NewFund {
        county,
        year: b.year,
        level,
        source,
        purpose,
        bundled: b.bundled,
        linking: b.linking,
        amount_fen: b.amount_fen,
        document_no: doc,
        received_on: b.received_on,
    };
    let row = state
        .run(auth, move |conn, ctx| funds::create_fund(conn, ctx, &f))
        .await?;
    Ok(HttpResponse::Created().json(FundDto::from(row)))
}

/// `?region=&year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionYear {
    /// Any region in your scope.
    pub region: Option<String>,
    /// Year.
    pub year: Option<i32>,
}

/// Funds in your scope with what they allocated.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(RegionYear),
    responses(
        (status = 200, description = "Funds", body = Vec<FundViewDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/funds")]
pub async fn list_funds(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<RegionYear>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let rows = state
        .run(auth, move |conn, ctx| {
            funds::list_funds(
                conn,
                within(q.region.as_deref(), ctx.caller.scope())?,
                q.year,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(FundViewDto::from).collect::<Vec<_>>()))
}

/// A project.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    /// Village (or township, county), 12 digits.
    pub region_code: String,
    /// Year.
    pub year: i32,
    /// Name, 1–200 characters.
    pub name: String,
    /// Purpose code (as funds).
    #[schema(schema_with = domain::funds::Purpose::input_schema)]
    pub purpose: String,
    /// Budget, fen.
    pub budget_fen: i64,
    /// Paid by progress (construction); false for subsidy projects (relocation, rangers).
    #[serde(default = "yes")]
    pub pay_by_progress: bool,
    /// The dedicated account (专户), 1–100 characters.
    pub account: String,
    /// Assets it creates, up to 1000 characters.
    #[serde(default)]
    pub assets: String,
    /// Who holds them (the village collective), up to 100 characters.
    #[serde(default)]
    pub asset_holder: String,
    /// The named manager (专人管理, seed 5): a user of the project's county holding
    /// `funds:manage`. Optional; another county's user is refused like an unknown one.
    #[serde(default)]
    pub manager_user_id: Option<Uuid>,
}

fn yes() -> bool {
    true
}

/// A project with its ledgers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDto {
    /// Id.
    pub id: Uuid,
    /// Region.
    pub region_code: String,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Purpose.
    #[schema(value_type = domain::funds::Purpose)]
    pub purpose: String,
    /// Budget, fen.
    pub budget_fen: i64,
    /// Paid by progress.
    pub pay_by_progress: bool,
    /// Dedicated account.
    pub account: String,
    /// Latest progress.
    pub progress_pct: i32,
    /// `planned`, `in_progress`, `completed`, `cancelled`.
    #[schema(value_type = domain::funds::ProjectStatus)]
    pub status: String,
    /// Assets created.
    pub assets: String,
    /// Held by.
    pub asset_holder: String,
    /// In an active key village.
    pub key_village: bool,
    /// The named manager (专人), when one is named.
    pub manager: Option<super::project_rules::ManagerDto>,
    /// Created while `funds.require_project_posting` was on: no disbursement or progress until
    /// the public posting's notice period has ended.
    pub posting_required: bool,
    /// Its public posting (张榜公布), when posted.
    pub posting: Option<super::project_rules::PostingDto>,
    /// Allocated (net), fen.
    pub allocated_fen: i64,
    /// Disbursed (net), fen.
    pub disbursed_fen: i64,
    /// Disbursed over allocated, basis points.
    pub execution_bp: i64,
    /// Allocation entries.
    #[schema(value_type = Vec<LedgerEntryDto>)]
    pub allocations: Vec<serde_json::Value>,
    /// Disbursement entries.
    #[schema(value_type = Vec<LedgerEntryDto>)]
    pub disbursements: Vec<serde_json::Value>,
}

impl From<ProjectView> for ProjectDto {
    fn from(v: ProjectView) -> Self {
        let p = v.project;
        let entries = |e: Vec<funds::Entry>| {
            e.into_iter()
                .map(|x| serde_json::to_value(x).unwrap_or_default())
                .collect()
        };
        Self {
            id: p.id,
            region_code: format!("{:012}", p.region_code),
            year: p.year,
            name: p.name,
            purpose: p.purpose,
            budget_fen: p.budget_fen,
            pay_by_progress: p.pay_by_progress,
            account: p.account,
            progress_pct: p.progress_pct,
            status: p.status,
            assets: p.assets,
            asset_holder: p.asset_holder,
            key_village: v.key_village,
            manager: v
                .manager
                .map(|(id, display_name)| super::project_rules::ManagerDto { id, display_name }),
            posting_required: p.posting_required,
            posting: v.posting.map(super::project_rules::PostingDto::from),
            execution_bp: domain::funds::rate_bp(v.disbursed_fen, v.allocated_fen),
            allocated_fen: v.allocated_fen,
            disbursed_fen: v.disbursed_fen,
            allocations: entries(v.allocations),
            disbursements: entries(v.disbursements),
        }
    }
}

/// Records a project (`funds:manage`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    request_body = ProjectBody,
    responses(
        (status = 201, description = "Recorded", body = ProjectDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (manager_user_id: not a user of the county with funds:manage)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects")]
pub async fn create_project(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ProjectBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let region = RegionCode::parse(&b.region_code)
        .map_err(|m| errs.push(FieldError::new("region_code", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    let name = text(&mut errs, "name", &b.name, true, 200);
    let purpose = Purpose::parse(&b.purpose)
        .map_err(|m| errs.push(FieldError::new("purpose", m)))
        .ok();
    positive(&mut errs, "budget_fen", b.budget_fen);
    let account = text(&mut errs, "account", &b.account, true, 100);
    let assets = text(&mut errs, "assets", &b.assets, false, 1000);
    let holder = text(&mut errs, "asset_holder", &b.asset_holder, false, 100);
    done(errs)?;
    let (Some(region), Some(purpose)) = (region, purpose) else {
        return Err(DomainError::field("region_code", "is required").into());
    };
    let p = NewProject {
        region,
        year: b.year,
        name,
        purpose,
        budget_fen: b.budget_fen,
        pay_by_progress: b.pay_by_progress,
        account,
        assets,
        asset_holder: holder,
        manager_user_id: b.manager_user_id,
    };
    let v = state
        .run(auth, move |conn, ctx| {
            let row = funds::create_project(conn, ctx, &p)?;
            funds::get_project(conn, row.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(ProjectDto::from(v)))
}

/// Projects in your scope with their ledgers, by village, then name.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(RegionYear, PageParams),
    responses(
        (status = 200, description = "A page of projects", body = Page<ProjectDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<RegionYear>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, String, Uuid)> = page.cursor()?;
    let q = q.into_inner();
    let rows = state
        .run(auth, move |conn, ctx| {
            funds::list_projects(
                conn,
                within(q.region.as_deref(), ctx.caller.scope())?,
                q.year,
                after,
                limit + 1,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |p| (p.project.region_code, p.project.name.clone(), p.project.id),
        ProjectDto::from,
    )))
}

/// A project with its ledgers.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = ProjectDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}")]
pub async fn get_project(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, _| funds::get_project(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(ProjectDto::from(v)))
}

/// A project's named manager to set.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerBody {
    /// The manager (专人管理, seed 5): a user of the project's county holding `funds:manage`;
    /// `null` clears it.
    pub manager_user_id: Option<Uuid>,
}

/// Names (or clears) a project's manager (专人, seed 5): for projects recorded before, or when
/// the manager changes. Audited (`project.manager`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = ManagerBody,
    responses(
        (status = 200, description = "The project", body = ProjectDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "manager_user_id: not a user of the county with funds:manage", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/projects/{id}/manager")]
pub async fn set_project_manager(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ManagerBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let manager = body.0.manager_user_id;
    let v = state
        .run(auth, move |conn, ctx| {
            infra::app::project_rules::set_manager(conn, ctx, id, manager)?;
            funds::get_project(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProjectDto::from(v)))
}

/// Progress recorded on a project.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    /// Percent complete (0–100, never going back).
    pub progress_pct: i32,
    /// Date.
    pub recorded_on: NaiveDate,
    /// Note, up to 1000 characters.
    #[serde(default)]
    pub note: String,
}

/// Records a project's progress, which caps what may be disbursed by progress.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = ProgressBody,
    responses(
        (status = 200, description = "The project", body = ProjectDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "notice_period_running: a project that must be posted, before its notice ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or progress going back", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/progress")]
pub async fn record_progress(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ProgressBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    if !(0..=100).contains(&b.progress_pct) {
        errs.push(FieldError::new("progress_pct", "must be between 0 and 100"));
    }
    let note = text(&mut errs, "note", &b.note, false, 1000);
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            funds::record_progress(conn, ctx, id, b.progress_pct, b.recorded_on, &note)?;
            funds::get_project(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProjectDto::from(v)))
}

/// An allocation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationBody {
    /// The fund.
    pub fund_id: Uuid,
    /// The project (same county).
    pub project_id: Uuid,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Note, up to 1000 characters.
    #[serde(default)]
    pub note: String,
}

/// Allocates money from a fund to a project. Refused when the fund has not that much left, the
/// project's budget would be exceeded, or bundled money would change purpose. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = AllocationBody,
    responses(
        (status = 201, description = "The ledger entry", body = LedgerEntryDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "fund_exhausted, over_budget (beyond the project's budget) or purpose_changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocations")]
pub async fn allocate(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<AllocationBody>,
) -> ApiResult<HttpResponse> {
    let hash = request_hash(&req, &body.0);
    let key = idempotency_key(&req)?;
    let b = body.0;
    let mut errs = Vec::new();
    positive(&mut errs, "amount_fen", b.amount_fen);
    let note = text(&mut errs, "note", &b.note, false, 1000);
    done(errs)?;
    let (ans, replayed) = state
        .run(auth, move |conn, ctx| {
            idempotency::once(conn, ctx, key.as_deref(), &hash, |conn| {
                let e = funds::allocate(conn, ctx, b.fund_id, b.project_id, b.amount_fen, &note)?;
                Ok((
                    201,
                    serde_json::to_value(LedgerEntryDto::from(e)).unwrap_or_default(),
                ))
            })
        })
        .await?;
    Ok(answer(ans, replayed))
}

/// A reversal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalBody {
    /// Why, 1–1000 characters.
    pub note: String,
}

/// Reverses an allocation with a negative entry (never an edit); refused when the project has
/// disbursed the money.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Allocation id")),
    request_body = ReversalBody,
    responses(
        (status = 201, description = "The reversing entry", body = LedgerEntryDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Reversed already, or disbursed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocations/{id}/reversal")]
pub async fn reverse_allocation(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReversalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, true, 1000);
    done(errs)?;
    let e = state
        .run(auth, move |conn, ctx| {
            funds::reverse_allocation(conn, ctx, id, &note)
        })
        .await?;
    Ok(HttpResponse::Created().json(LedgerEntryDto::from(e)))
}

/// A disbursement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisbursementBody {
    /// Amount, fen.
    pub amount_fen: i64,
    /// `progress` (capped by the recorded progress for projects paid by progress) or `subsidy`.
    #[serde(default = "progress")]
    #[schema(schema_with = domain::funds::DisbursementKind::input_schema)]
    pub kind: String,
    /// Payee, 1–200 characters.
    pub payee: String,
    /// The household paid (subsidies).
    #[serde(default)]
    pub household_id: Option<Uuid>,
    /// Paid on.
    pub paid_on: NaiveDate,
    /// Note, up to 1000 characters.
    #[serde(default)]
    pub note: String,
}

fn progress() -> String {
    "progress".into()
}

/// Disburses from the project's dedicated account. Refused beyond the budget, beyond what was
/// allocated, or (paid by progress) beyond the share the recorded progress justifies. Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    request_body = DisbursementBody,
    responses(
        (status = 201, description = "The ledger entry", body = LedgerEntryDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "over_budget, over_allocation, beyond_progress, notice_period_running (a project that must be posted before its notice ended)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/disbursements")]
pub async fn disburse(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<DisbursementBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let hash = request_hash(&req, &body.0);
    let key = idempotency_key(&req)?;
    let b = body.0;
    let mut errs = Vec::new();
    positive(&mut errs, "amount_fen", b.amount_fen);
    let kind = DisbursementKind::parse(&b.kind)
        .map_err(|m| errs.push(FieldError::new("kind", m)))
        .ok();
    let payee = text(&mut errs, "payee", &b.payee, true, 200);
    let note = text(&mut errs, "note", &b.note, false, 1000);
    done(errs)?;
    let d = NewDisbursement {
        amount_fen: b.amount_fen,
        kind: kind.unwrap_or(DisbursementKind::Progress),
        payee,
        household_id: b.household_id,
        paid_on: b.paid_on,
        note,
    };
    let (ans, replayed) = state
        .run(auth, move |conn, ctx| {
            idempotency::once(conn, ctx, key.as_deref(), &hash, |conn| {
                let e = funds::disburse(conn, ctx, id, &d)?;
                Ok((
                    201,
                    serde_json::to_value(LedgerEntryDto::from(e)).unwrap_or_default(),
                ))
            })
        })
        .await?;
    Ok(answer(ans, replayed))
}

/// Reverses a disbursement with a negative entry (once).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id")),
    request_body = ReversalBody,
    responses(
        (status = 201, description = "The reversing entry", body = LedgerEntryDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Reversed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/disbursements/{id}/reversal")]
pub async fn reverse_disbursement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReversalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, true, 1000);
    done(errs)?;
    let e = state
        .run(auth, move |conn, ctx| {
            funds::reverse_disbursement(conn, ctx, id, &note)
        })
        .await?;
    Ok(HttpResponse::Created().json(LedgerEntryDto::from(e)))
}

/// `?region=&year=` (year required).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExecutionParams {
    /// Any region in your scope (default: your org unit).
    pub region: Option<String>,
    /// Year of the projects and funds.
    pub year: i32,
}

/// Execution rates for a region and each region one level down: funds received, allocated,
/// disbursed, disbursed over allocated (basis points).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(ExecutionParams),
    responses(
        (status = 200, description = "Execution", body = ExecutionReportDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/fund-execution")]
pub async fn execution(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ExecutionParams>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let region = q
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    let (total, children) = state
        .run(auth, move |conn, ctx| {
            funds::execution(conn, ctx, region.unwrap_or(ctx.caller.org), q.year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExecutionReportDto {
        year: q.year,
        total: total.into(),
        children: children.into_iter().map(Into::into).collect(),
    }))
}

/// The share of a county's linking funds of a year allocated to key villages, against the
/// minimum (`key_village.min_linking_fund_share_bp`, 12%), with a warning when short.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The share", body = LinkingShareDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a county in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/linking-share/{county_code}/{year}")]
pub async fn linking_share(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let county = RegionCode::parse(&code).map_err(|_| DomainError::NotFound)?;
    let s = state
        .run(auth, move |conn, ctx| {
            funds::linking_share(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LinkingShareDto::from(s)))
}

/// A relocation plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocationBody {
    /// County, township or village (12 digits).
    pub region_code: String,
    /// Year.
    pub year: i32,
    /// Name, 1–200 characters.
    pub name: String,
    /// Households to move.
    pub households: i32,
    /// People to move.
    pub people: i32,
}

/// Plans a relocation: the entitlement is people × the county's per-person subsidy
/// (`funds.relocation_subsidy_per_person_fen`), paid through the subsidy project created
/// with it.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    request_body = RelocationBody,
    responses(
        (status = 201, description = "Planned", body = RelocationPlanDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/relocation-plans")]
pub async fn plan_relocation(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<RelocationBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let region = RegionCode::parse(&b.region_code)
        .map_err(|m| errs.push(FieldError::new("region_code", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    let name = text(&mut errs, "name", &b.name, true, 200);
    if b.households <= 0 {
        errs.push(FieldError::new("households", "must be positive"));
    }
    if b.people < b.households {
        errs.push(FieldError::new(
            "people",
            "must be at least the number of households",
        ));
    }
    done(errs)?;
    let region = region.unwrap_or(RegionCode::PLATFORM);
    let row = state
        .run(auth, move |conn, ctx| {
            funds::plan_relocation(conn, ctx, region, b.year, &name, (b.households, b.people))
        })
        .await?;
    Ok(HttpResponse::Created().json(RelocationPlanDto::from(row)))
}

/// Relocation plans in your scope with totals: households, people, entitlements, paid, and the
/// relocation funds received by level.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(RegionYear),
    responses(
        (status = 200, description = "Plans and totals", body = RelocationSummaryDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/relocation-plans")]
pub async fn list_relocation(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<RegionYear>,
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
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
    params: web::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::fund_documents::relocation_roster(conn, ctx, id, lang)
    })
    .await
}

/// A ranger contract.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    /// The ranger: a registered person (member id).
    pub member_id: Uuid,
    /// The township forestry station (party A), 1–100 characters.
    pub station: String,
    /// 村民小组, up to 50 characters.
    #[serde(default)]
    pub villager_group: String,
    /// Area, mu (one decimal).
    pub area_mu: f64,
    /// East boundary, 1–200 characters.
    pub bound_east: String,
    /// South.
    pub bound_south: String,
    /// West.
    pub bound_west: String,
    /// North.
    pub bound_north: String,
    /// Start.
    pub start_date: NaiveDate,
    /// End.
    pub end_date: NaiveDate,
    /// Annual subsidy, fen (default: `ranger.annual_subsidy_fen`, 10,000 yuan).
    #[serde(default)]
    pub annual_subsidy_fen: Option<i64>,
    /// The ecology subsidy project payouts are disbursed from.
    pub project_id: Uuid,
}

/// Signs a ranger contract with a registered person in scope.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    request_body = ContractBody,
    responses(
        (status = 201, description = "Signed", body = RangerContractDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a registered person in scope, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts")]
pub async fn sign_contract(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ContractBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let station = text(&mut errs, "station", &b.station, true, 100);
    let group = text(&mut errs, "villager_group", &b.villager_group, false, 50);
    let bounds = [
        text(&mut errs, "bound_east", &b.bound_east, true, 200),
        text(&mut errs, "bound_south", &b.bound_south, true, 200),
        text(&mut errs, "bound_west", &b.bound_west, true, 200),
        text(&mut errs, "bound_north", &b.bound_north, true, 200),
    ];
    let area = mu_tenths(&mut errs, "area_mu", b.area_mu, 0.1, 1_000_000.0);
    if b.start_date > b.end_date {
        errs.push(FieldError::new("end_date", "must not be before start_date"));
    }
    if let Some(a) = b.annual_subsidy_fen {
        positive(&mut errs, "annual_subsidy_fen", a);
    }
    done(errs)?;
    let c = rangers::NewContract {
        member_id: b.member_id,
        station,
        villager_group: group,
        area_mu_tenths: area,
        bounds,
        period: (b.start_date, b.end_date),
        annual_subsidy_fen: b.annual_subsidy_fen,
        project_id: b.project_id,
    };
    let row = state
        .run(auth, move |conn, ctx| rangers::sign(conn, ctx, &c))
        .await?;
    Ok(HttpResponse::Created().json(RangerContractDto::from(row)))
}

/// `?region=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionOnly {
    /// Any region in your scope.
    pub region: Option<String>,
}

/// Ranger contracts in your scope.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(RegionOnly),
    responses(
        (status = 200, description = "Contracts", body = Vec<RangerContractDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts")]
pub async fn list_contracts(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<RegionOnly>,
) -> ApiResult<HttpResponse> {
    let region = q.into_inner().region;
    let rows = state
        .run(auth, move |conn, ctx| {
            rangers::list(conn, within(region.as_deref(), ctx.caller.scope())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(RangerContractDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// An inspection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    /// Date (inside the contract period).
    pub inspected_on: NaiveDate,
    /// Present or absent.
    pub present: bool,
    /// Note, up to 500 characters.
    #[serde(default)]
    pub note: String,
}

/// Records an inspection of the ranger (present or absent).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = InspectionBody,
    responses(
        (status = 201, description = "Recorded", body = CreatedIdDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside the contract, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/inspections")]
pub async fn inspect(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<InspectionBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let note = validate_inspection_note(&b.note).map_err(DomainError::Validation)?;
    let iid = state
        .run(auth, move |conn, ctx| {
            rangers::inspect(conn, ctx, id, b.inspected_on, b.present, &note)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedIdDto { id: iid }))
}

/// An incident.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    /// Date (inside the contract period).
    pub occurred_on: NaiveDate,
    /// What happened; each kind's consequence and the contract clause it applies are in
    /// docs/domain.md (seed 3).
    #[schema(schema_with = domain::ranger::IncidentKind::input_schema)]
    pub kind: String,
    /// Burnt area (fires), mu, one decimal.
    #[serde(default)]
    pub burnt_mu: f64,
    /// Through the ranger's negligence.
    pub through_negligence: bool,
    /// Logging above the case-filing threshold.
    #[serde(default)]
    pub above_case_threshold: bool,
    /// Unreported pests that caused a major loss of forest resources (重大损失): the month's fee
    /// is withheld and a compensation claim recorded.
    #[serde(default)]
    pub major_loss: bool,
    /// Description, up to 1000 characters.
    #[serde(default)]
    pub description: String,
}

/// Records an incident: a fire with its burnt area, logging, unreported pests, a loss from poor
/// patrols, others' violations not stopped, an absence with a major loss, or one of the ranger's
/// own prohibited activities (seed 3 §五, §六).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = IncidentBody,
    responses(
        (status = 201, description = "Recorded", body = CreatedIdDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside the contract, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/incidents")]
pub async fn incident(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<IncidentBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let kind = IncidentKind::parse(&b.kind)
        .map_err(|m| errs.push(FieldError::new("kind", m)))
        .ok();
    let mu = mu_tenths(&mut errs, "burnt_mu", b.burnt_mu, 0.0, 10_000_000.0);
    let description = text(&mut errs, "description", &b.description, false, 1000);
    done(errs)?;
    let i = Incident {
        date: b.occurred_on,
        kind: kind.unwrap_or(IncidentKind::Fire),
        burnt_mu_tenths: mu,
        through_negligence: b.through_negligence,
        above_case_threshold: b.above_case_threshold,
        major_loss: b.major_loss,
    };
    let iid = state
        .run(auth, move |conn, ctx| {
            rangers::incident(conn, ctx, id, &i, &description)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedIdDto { id: iid }))
}

/// A day's patrol (巡护记录).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatrolBody {
    /// Day of the patrol: inside the contract (not after a termination), not in the future.
    pub patrolled_on: NaiveDate,
    /// Route or area covered, 1–200 characters.
    pub area: String,
    /// What was found (hazards, fire, pests, violations), up to 2000 characters; empty: nothing.
    #[serde(default)]
    pub findings: String,
    /// The findings were reported to the station.
    #[serde(default)]
    pub reported: bool,
}

/// One day's patrol in a contract's log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolDto {
    /// Id.
    pub id: Uuid,
    /// The contract.
    pub contract_id: Uuid,
    /// Day of the patrol.
    pub patrolled_on: NaiveDate,
    /// Route or area covered.
    pub area: String,
    /// What was found.
    pub findings: String,
    /// Reported to the station.
    pub reported: bool,
    /// Who entered it.
    pub created_by: Uuid,
    /// When it was entered.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<rangers::PatrolRow> for PatrolDto {
    fn from(p: rangers::PatrolRow) -> Self {
        Self {
            id: p.id,
            contract_id: p.contract_id,
            patrolled_on: p.patrolled_on,
            area: p.area,
            findings: p.findings,
            reported: p.reported,
            created_by: p.created_by,
            created_at: p.created_at,
        }
    }
}

/// Logs a day's patrol of the ranger (seed 3 §四(一)2), entered by the station.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = PatrolBody,
    responses(
        (status = 201, description = "Logged", body = PatrolDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A day outside the contract or after its termination, a future day, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/patrols")]
pub async fn log_patrol(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PatrolBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let (area, findings) =
        validate_patrol(&b.area, &b.findings).map_err(DomainError::Validation)?;
    let p = rangers::NewPatrol {
        patrolled_on: b.patrolled_on,
        area,
        findings,
        reported: b.reported,
    };
    let row = state
        .run(auth, move |conn, ctx| rangers::patrol(conn, ctx, id, &p))
        .await?;
    Ok(HttpResponse::Created().json(PatrolDto::from(row)))
}

/// A contract's patrol log, newest first.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id"), PageParams),
    responses(
        (status = 200, description = "A page of patrols", body = Page<PatrolDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts/{id}/patrols")]
pub async fn list_patrols(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let limit = page.limit()?;
    let after: Option<(NaiveDate, Uuid)> = page.cursor()?;
    let rows = state
        .run(auth, move |conn, _| {
            rangers::patrols(conn, id, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |p| (p.patrolled_on, p.id),
        PatrolDto::from,
    )))
}

/// Which late months to list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LateParams {
    /// Any region in your scope (default: your scope).
    pub region: Option<String>,
    /// The day to judge lateness on, `YYYY-MM-DD` (default: today, China time).
    pub as_of: Option<NaiveDate>,
}

/// A month of a ranger contract unpaid after its due day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LatePayoutDto {
    /// The contract.
    pub contract_id: Uuid,
    /// The ranger's village (12 digits).
    pub region_code: i64,
    /// The township forestry station that pays.
    pub station: String,
    /// The ranger (member id).
    pub member_id: Uuid,
    /// The unpaid month, `YYYY-MM`.
    pub month: String,
    /// Its due day: `ranger.payment_due_day` of the following month.
    pub due_on: NaiveDate,
    /// Days past the due day on `as_of`.
    pub days_late: i64,
    /// The contract has been terminated; its months before the end are owed all the same.
    pub terminated: bool,
}

/// Ranger months paid late or not at all: every month of the contracts in scope whose due day
/// (`ranger.payment_due_day` of the following month, 10 by default) has passed unpaid
/// (seed 3 §六(六): 甲方要按时发放管护费).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(LateParams, PageParams),
    responses(
        (status = 200, description = "A page of late months, by village, contract and month", body = Page<LatePayoutDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A region outside your scope, a bad date, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-payouts/late")]
pub async fn late_payouts(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<LateParams>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let limit = page.limit()?;
    let after: Option<(i64, Uuid, String)> = page.cursor()?;
    let (rows, as_of) = state
        .run(auth, move |conn, ctx| {
            let as_of = q.as_of.unwrap_or_else(|| ctx.today());
            let within = within(q.region.as_deref(), ctx.caller.scope())?;
            rangers::late_payments(conn, ctx, within, as_of, after, limit + 1)
                .map(|rows| (rows, as_of))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.region_code, r.contract_id, r.month.clone()),
        |r| LatePayoutDto {
            days_late: (as_of - r.due_on).num_days(),
            contract_id: r.contract_id,
            region_code: r.region_code,
            station: r.station,
            member_id: r.member_id,
            month: r.month,
            due_on: r.due_on,
            terminated: r.terminated,
        },
    )))
}

fn month_of(s: &str) -> Result<(i32, u32), DomainError> {
    let bad = || DomainError::field("month", "must be YYYY-MM");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !domain::input::YEARS.contains(&y) || !(1..=12).contains(&m) || s.len() != 7 {
        return Err(bad());
    }
    Ok((y, m))
}

/// A month's payout computed from the contract and the record, line by line (nothing written).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Contract id"),
        ("month" = String, Path, description = "YYYY-MM", pattern = r"^(198[0-9]|199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"),
    ),
    responses(
        (status = 200, description = "The payout", body = PayoutDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A month the contract does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts/{id}/payouts/{month}")]
pub async fn compute_payout(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, month) = path.into_inner();
    let id = id_of(&id)?;
    let (y, m) = month_of(&month)?;
    let (_, p) = state
        .run(auth, move |conn, ctx| rangers::compute(conn, ctx, id, y, m))
        .await?;
    Ok(HttpResponse::Ok().json(PayoutDto::from(p)))
}

/// The ranger contract (生态护林员管护补助协议书, seed 3) in three copies — 甲方, 乙方 and the
/// county's natural forest protection office — with the parties, area, four boundaries, period,
/// annual subsidy, the clauses (the deductions and thresholds as the settings give them) and the
/// signature blocks; the ranger's ID number masked. As HTML (the default), PDF or DOCX, chosen
/// by `?format=` or else `Accept`. Audited (`ranger_contract.document`).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Contract id"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The contract in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts/{id}/document")]
pub async fn contract_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: web::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, _| {
        infra::app::ranger_documents::contract(conn, ctx, id)
    })
    .await
}

/// A month's payout sheet for signatures (seed 3): the payout as computed now, each line with
/// the clause of the agreement it applies, the total, and the signature blocks of the station
/// and the ranger. As HTML (the default), PDF or DOCX. Audited (`ranger_contract.document`).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Contract id"),
        ("month" = String, Path, description = "YYYY-MM", pattern = r"^(198[0-9]|199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The sheet in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A month the contract does not cover, or a bad `format`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts/{id}/payouts/{month}/document")]
pub async fn payout_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: web::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, month) = path.into_inner();
    let id = id_of(&id)?;
    let (y, m) = month_of(&month)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, _| {
        infra::app::ranger_documents::payout_sheet(conn, ctx, id, y, m)
    })
    .await
}

/// Pays a month: the computed payout becomes a subsidy disbursement from the contract's
/// project to the ranger's household (once per month); a major incident terminates the
/// contract.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Contract id"),
        ("month" = String, Path, description = "YYYY-MM", pattern = r"^(198[0-9]|199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"),
    ),
    responses(
        (status = 201, description = "Paid", body = PaidDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Paid already, or the project cannot pay it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A month the contract does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/payouts/{month}")]
pub async fn pay(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, month) = path.into_inner();
    let id = id_of(&id)?;
    let (y, m) = month_of(&month)?;
    let p = state
        .run(auth, move |conn, ctx| rangers::pay(conn, ctx, id, y, m))
        .await?;
    Ok(HttpResponse::Created().json(PaidDto::from(p)))
}

/// A termination.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationBody {
    /// Last day.
    pub terminated_on: NaiveDate,
    /// Why, 1–1000 characters.
    pub reason: String,
}

/// Terminates a contract (e.g. after three absences in a month).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id")),
    request_body = TerminationBody,
    responses(
        (status = 200, description = "Terminated", body = RangerContractDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Terminated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/termination")]
pub async fn terminate(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TerminationBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let reason = text(&mut errs, "reason", &b.reason, true, 1000);
    done(errs)?;
    let c = state
        .run(auth, move |conn, ctx| {
            rangers::terminate(conn, ctx, id, b.terminated_on, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RangerContractDto::from(c)))
}
