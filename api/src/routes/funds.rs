//! Funds, projects, allocations and disbursements (append-only ledgers); execution rates are
//! in `fund_execution`, relocation plans in `relocation`, ranger contracts in `rangers`.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::NaiveDate;
use domain::funds::{DisbursementKind, FundLevel, Purpose};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::funds::{self, NewDisbursement, NewFund, NewProject, ProjectView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::funds_dto::{FundDto, FundViewDto, LedgerEntryDto};
use super::input::{check_year, done, id_of, text, within};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

pub(super) fn positive(errs: &mut Vec<FieldError>, field: &str, v: i64) {
    if v <= 0 || v > 100_000_000_000_000 {
        errs.push(FieldError::new(field, domain::Rule::Positive));
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
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
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
    #[schema(minimum = 1, maximum = 100000000000000_i64)]
    pub amount_fen: i64,
    /// Document number, up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub document_no: String,
    /// Received on.
    pub received_on: NaiveDate,
}

/// Records a fund received by a county (`funds:manage`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = FundBody,
    responses(
        (status = 201, description = "Recorded", body = FundDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/funds")]
pub async fn create_fund(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<FundBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let county = RegionCode::parse(&b.county_code)
        .ok()
        .filter(|c| c.level() == Level::County);
    if county.is_none() {
        errs.push(FieldError::new(
            "county_code",
            domain::Rule::format(domain::Format::CountyCode),
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
        return Err(DomainError::field("county_code", domain::Rule::Required).into());
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
    once.create(&state, auth, move |conn, ctx| {
        funds::create_fund(conn, ctx, &f).map(FundDto::from)
    })
    .await
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
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/funds")]
pub async fn list_funds(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionYear>,
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
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
    /// Purpose code (as funds).
    #[schema(schema_with = domain::funds::Purpose::input_schema)]
    pub purpose: String,
    /// Budget, fen.
    #[schema(minimum = 1, maximum = 100000000000000_i64)]
    pub budget_fen: i64,
    /// Paid by progress (construction); false for subsidy projects (relocation, rangers).
    #[serde(default = "yes")]
    pub pay_by_progress: bool,
    /// The dedicated account (专户), 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub account: String,
    /// Assets it creates, up to 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub assets: String,
    /// Who holds them (the village collective), up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
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
    /// Version (the ETag of `GET /projects/{id}`): `PUT …/manager` sends it as `If-Match`.
    pub version: i32,
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
            version: p.version,
        }
    }
}

/// Records a project (`funds:manage`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = ProjectBody,
    responses(
        (status = 201, description = "Recorded", body = ProjectDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (manager_user_id: not a user of the county with funds:manage)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects")]
pub async fn create_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ProjectBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
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
        return Err(DomainError::field("region_code", domain::Rule::Required).into());
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
    once.create(&state, auth, move |conn, ctx| {
        let row = funds::create_project(conn, ctx, &p)?;
        funds::get_project(conn, row.id).map(ProjectDto::from)
    })
    .await
}

/// Projects in your scope with their ledgers, by village, then name.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(RegionYear, PageParams),
    responses(
        (status = 200, description = "A page of projects", body = Page<ProjectDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionYear>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, String, Uuid)> = page.cursor()?;
    let q = q.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
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
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::http::etag::etag(v.project.version),
        ))
        .json(ProjectDto::from(v)))
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
/// the manager changes. Needs `If-Match` with the project's version as read (two officers
/// naming different managers: the second is told, 412, instead of replacing the first).
/// Audited (`project.manager`, from whom to whom).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("If-Match" = String, Header, description = "The project's ETag (`\"<version>\"`)"),
    ),
    request_body = ManagerBody,
    responses(
        (status = 200, description = "The project", body = ProjectDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 412, description = "Stale If-Match: the project changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "manager_user_id: not a user of the county with funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/projects/{id}/manager")]
pub async fn set_project_manager(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ManagerBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let manager = body.0.manager_user_id;
    let version = crate::http::etag::if_match(&req)?;
    let v = state
        .run(auth, move |conn, ctx| {
            infra::app::project_rules::set_manager(conn, ctx, id, version, manager)?;
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
    #[schema(minimum = 0, maximum = 100)]
    pub progress_pct: i32,
    /// Date: not after today; above 0%, for a project that must be posted, after its notice's
    /// last day.
    pub recorded_on: NaiveDate,
    /// Note, up to 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

/// Records a project's progress, which caps what may be disbursed by progress. Send
/// `Idempotency-Key` to make retries safe (a retry otherwise records the row again).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id"), IdempotencyKey),
    request_body = ProgressBody,
    responses(
        (status = 200, description = "The project", body = ProjectDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "notice_period_running: a project that must be posted, before its notice ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or progress going back", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/progress")]
pub async fn record_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ProgressBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    if !(0..=100).contains(&b.progress_pct) {
        errs.push(FieldError::new("progress_pct", domain::Rule::range(0, 100)));
    }
    let note = text(&mut errs, "note", &b.note, false, 1000);
    done(errs)?;
    let (project, replayed) = once
        .run(&state, auth, move |conn, ctx| {
            funds::record_progress(conn, ctx, id, b.progress_pct, b.recorded_on, &note)?;
            funds::get_project(conn, id).map(|p| Ok(ProjectDto::from(p)))
        })
        .await?;
    let mut res = HttpResponse::Ok();
    if replayed {
        res.insert_header(("idempotent-replayed", "true"));
    }
    Ok(res.json(project?))
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
    #[schema(minimum = 1, maximum = 100000000000000_i64)]
    pub amount_fen: i64,
    /// Note, up to 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

/// Allocates money from a fund to a project. Refused when the fund has not that much left, the
/// project's budget would be exceeded, or bundled money would change purpose. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = AllocationBody,
    responses(
        (status = 201, description = "The ledger entry", body = LedgerEntryDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "fund_exhausted, over_budget (beyond the project's budget) or purpose_changed", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/allocations")]
pub async fn allocate(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<AllocationBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    positive(&mut errs, "amount_fen", b.amount_fen);
    let note = text(&mut errs, "note", &b.note, false, 1000);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        funds::allocate(conn, ctx, b.fund_id, b.project_id, b.amount_fen, &note)
            .map(LedgerEntryDto::from)
    })
    .await
}

/// A reversal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalBody {
    /// Why, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub note: String,
}

/// Reverses an allocation with a negative entry (never an edit); refused when the project has
/// disbursed the money.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Allocation id"), IdempotencyKey),
    request_body = ReversalBody,
    responses(
        (status = 201, description = "The reversing entry", body = LedgerEntryDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Reversed already, or disbursed", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/allocations/{id}/reversal")]
pub async fn reverse_allocation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReversalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let once = Once::of(&req, &body.0)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, true, 1000);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        funds::reverse_allocation(conn, ctx, id, &note).map(LedgerEntryDto::from)
    })
    .await
}

/// A disbursement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisbursementBody {
    /// Amount, fen.
    #[schema(minimum = 1, maximum = 100000000000000_i64)]
    pub amount_fen: i64,
    /// `progress` (capped by the recorded progress for projects paid by progress) or `subsidy`.
    #[serde(default = "progress")]
    #[schema(schema_with = domain::funds::DisbursementKind::input_schema)]
    pub kind: String,
    /// Payee, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub payee: String,
    /// The household paid (subsidies), paid to its benefit card: one where you hold
    /// `funds:manage` (a household elsewhere answers 422 on `household_id`, as an unknown one).
    #[serde(default)]
    pub household_id: Option<Uuid>,
    /// Paid on: not after today (China's date), a payment is recorded once made; for a project
    /// that must be posted, after its notice's last day.
    pub paid_on: NaiveDate,
    /// Note, up to 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
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
        IdempotencyKey,
    ),
    request_body = DisbursementBody,
    responses(
        (status = 201, description = "The ledger entry", body = LedgerEntryDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "over_budget, over_allocation, beyond_progress, notice_period_running (a project that must be posted before its notice ended), no_benefit_card (the household has no card on record)", body = Problem, content_type = "application/problem+json"),
        BadField,
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
    let once = Once::of(&req, &body.0)?;
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
    once.create(&state, auth, move |conn, ctx| {
        funds::disburse(conn, ctx, id, &d).map(LedgerEntryDto::from)
    })
    .await
}

/// Reverses a disbursement with a negative entry (once).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Disbursement id"), IdempotencyKey),
    request_body = ReversalBody,
    responses(
        (status = 201, description = "The reversing entry", body = LedgerEntryDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Reversed already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/disbursements/{id}/reversal")]
pub async fn reverse_disbursement(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReversalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let once = Once::of(&req, &body.0)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, true, 1000);
    done(errs)?;
    once.create(&state, auth, move |conn, ctx| {
        funds::reverse_disbursement(conn, ctx, id, &note).map(LedgerEntryDto::from)
    })
    .await
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        create_fund => Permission(perm::FUNDS_MANAGE),
        list_funds => Permission(perm::FUNDS_READ),
        create_project => Permission(perm::FUNDS_MANAGE),
        list_projects => Permission(perm::FUNDS_READ),
        get_project => Permission(perm::FUNDS_READ),
        record_progress => Permission(perm::FUNDS_MANAGE),
        set_project_manager => Permission(perm::FUNDS_MANAGE),
        allocate => Permission(perm::FUNDS_MANAGE),
        reverse_allocation => Permission(perm::FUNDS_MANAGE),
        disburse => Permission(perm::FUNDS_MANAGE),
        reverse_disbursement => Permission(perm::FUNDS_MANAGE),
    },
}
