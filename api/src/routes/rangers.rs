//! Forest-ranger contracts (seed 3): inspections, incidents, patrols, payouts, documents and
//! termination.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use domain::ranger::{Incident, IncidentKind, validate_inspection_note, validate_patrol};
use domain::{DomainError, FieldError};
use infra::app::rangers;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::funds::positive;
use super::funds_dto::{CreatedIdDto, PaidDto, PayoutDto, RangerContractDto};
use super::input::{done, id_of, mu_tenths, text, within};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A ranger contract.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    /// The ranger: a registered person (member id).
    pub member_id: Uuid,
    /// The township forestry station (party A), 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub station: String,
    /// 村民小组, up to 50 characters.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub villager_group: String,
    /// Area, mu (one decimal).
    #[schema(minimum = 0.1, maximum = 1000000, multiple_of = 0.1)]
    pub area_mu: f64,
    /// East boundary, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub bound_east: String,
    /// South.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub bound_south: String,
    /// West.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub bound_west: String,
    /// North.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub bound_north: String,
    /// Start.
    pub start_date: NaiveDate,
    /// End.
    pub end_date: NaiveDate,
    /// Annual subsidy, fen (default: `ranger.annual_subsidy_fen`, 10,000 yuan).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000000000000_i64)]
    pub annual_subsidy_fen: Option<i64>,
    /// The ecology subsidy project payouts are disbursed from.
    pub project_id: Uuid,
    /// The day it was signed (default today, China's date); not after today.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
}

/// Signs a ranger contract with a registered person in scope: one contract per person at a
/// time (a second over any of the same days is refused, 409 `contract_overlaps`).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = ContractBody,
    responses(
        (status = 201, description = "Signed", body = RangerContractDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "contract_overlaps: the person has a ranger contract over part of the same period", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a registered person in scope, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts")]
pub async fn sign_contract(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ContractBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
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
        errs.push(FieldError::new(
            "end_date",
            domain::Rule::not_before("start_date"),
        ));
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
        signed_on: b.signed_on,
    };
    once.create(&state, auth, move |conn, ctx| {
        let row = rangers::sign(conn, ctx, &c)?;
        Ok(RangerContractDto::from(row))
    })
    .await
}

/// `?region=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionOnly {
    /// Any region in your scope.
    pub region: Option<String>,
}

/// Ranger contracts in your scope, each naming its ranger (`ranger_name`), by village and
/// start date, a page at a time.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(RegionOnly, PageParams),
    responses(
        (status = 200, description = "A page of contracts", body = Page<RangerContractDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts")]
pub async fn list_contracts(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<RegionOnly>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, NaiveDate, Uuid)> = page.cursor()?;
    let region = q.into_inner().region;
    let (rows, names) = state
        .run_page(auth, move |conn, ctx| {
            let within = within(region.as_deref(), ctx.caller.scope())?;
            let rows = rangers::list(conn, within, after, limit + 1)?;
            let ids: Vec<_> = rows.iter().map(|r| r.member_id).collect();
            let names = rangers::ranger_names(conn, &ids)?;
            Ok((rows, names))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.region_code, r.start_date, r.id),
        |r| {
            let name = names.get(&r.member_id).cloned();
            RangerContractDto {
                ranger_name: name,
                ..RangerContractDto::from(r)
            }
        },
    )))
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
    #[schema(max_length = 500)]
    pub note: String,
}

/// Records an inspection of the ranger (present or absent).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id"), IdempotencyKey),
    request_body = InspectionBody,
    responses(
        (status = 201, description = "Recorded", body = CreatedIdDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "month_paid: the month of that day is paid already; its record is closed; already_exists: the ranger's inspection of that day is recorded already (one a day)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside the contract or after today, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/inspections")]
pub async fn inspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<InspectionBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let b = body.0;
    let note = validate_inspection_note(&b.note).map_err(DomainError::Validation)?;
    once.create(&state, auth, move |conn, ctx| {
        let iid = rangers::inspect(conn, ctx, id, b.inspected_on, b.present, &note)?;
        Ok(CreatedIdDto { id: iid })
    })
    .await
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
    #[schema(minimum = 0, maximum = 10000000, multiple_of = 0.1)]
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
    #[schema(max_length = 1000)]
    pub description: String,
}

/// Records an incident: a fire with its burnt area, logging, unreported pests, a loss from poor
/// patrols, others' violations not stopped, an absence with a major loss, or one of the ranger's
/// own prohibited activities (seed 3 §五, §六).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id"), IdempotencyKey),
    request_body = IncidentBody,
    responses(
        (status = 201, description = "Recorded", body = CreatedIdDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "month_paid: the month of that day is paid already, its record closed; or the incident ends the contract and a later month is paid already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside the contract or after today, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/incidents")]
pub async fn incident(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<IncidentBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
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
    once.create(&state, auth, move |conn, ctx| {
        let iid = rangers::incident(conn, ctx, id, &i, &description)?;
        Ok(CreatedIdDto { id: iid })
    })
    .await
}

/// A day's patrol (巡护记录).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatrolBody {
    /// Day of the patrol: inside the contract (not after a termination), not in the future.
    pub patrolled_on: NaiveDate,
    /// Route or area covered, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub area: String,
    /// What was found (hazards, fire, pests, violations), up to 2000 characters; empty: nothing.
    #[serde(default)]
    #[schema(max_length = 2000)]
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
    params(("id" = Uuid, Path, description = "Contract id"), IdempotencyKey),
    request_body = PatrolBody,
    responses(
        (status = 201, description = "Logged", body = PatrolDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "A day outside the contract or after its termination, a future day, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/patrols")]
pub async fn log_patrol(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PatrolBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
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
    once.create(&state, auth, move |conn, ctx| {
        let row = rangers::patrol(conn, ctx, id, &p)?;
        Ok(PatrolDto::from(row))
    })
    .await
}

/// A contract's patrol log, newest first.
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contract id"), PageParams),
    responses(
        (status = 200, description = "A page of patrols", body = Page<PatrolDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-contracts/{id}/patrols")]
pub async fn list_patrols(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let limit = page.limit()?;
    let after: Option<(NaiveDate, Uuid)> = page.cursor()?;
    let rows = state
        .run_page(auth, move |conn, _| {
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
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// The township forestry station that pays.
    pub station: String,
    /// The ranger (member id).
    pub member_id: Uuid,
    /// The unpaid month, `YYYY-MM`.
    pub month: String,
    /// Its due day: the `payment_due_day` of the contract's terms (for contracts signed before
    /// terms were kept, the county's `ranger.payment_due_day`) of the following month, moved to
    /// the next working day when it is a rest day.
    pub due_on: NaiveDate,
    /// Days past the due day on `as_of`.
    pub days_late: i64,
    /// The contract has been terminated; its months before the end are owed all the same.
    pub terminated: bool,
}

/// Ranger months paid late or not at all: every month of the contracts in scope whose due day
/// (the `payment_due_day` the contract was signed under, 10 by default, of the following month)
/// has passed unpaid (seed 3 §六(六): 甲方要按时发放管护费).
#[utoipa::path(
    tag = "rangers",
    security(("bearer" = [])),
    params(LateParams, PageParams),
    responses(
        (status = 200, description = "A page of late months, by village, contract and month", body = Page<LatePayoutDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A region outside your scope, a bad date, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ranger-payouts/late")]
pub async fn late_payouts(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<LateParams>,
    page: crate::http::query::Query<PageParams>,
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
            region_code: format!("{:012}", r.region_code),
            station: r.station,
            member_id: r.member_id,
            month: r.month,
            due_on: r.due_on,
            terminated: r.terminated,
        },
    )))
}

fn month_of(s: &str) -> Result<(i32, u32), DomainError> {
    let bad = || DomainError::field("month", domain::Rule::format(domain::Format::YearMonth));
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
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
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
    params: crate::http::query::Query<crate::documents::FormatParams>,
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
        NotSignedIn,
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
    params: crate::http::query::Query<crate::documents::FormatParams>,
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
        IdempotencyKey,
    ),
    responses(
        (status = 201, description = "Paid", body = PaidDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Paid already, or the project cannot pay it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A month the contract does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ranger-contracts/{id}/payouts/{month}")]
pub async fn pay(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &())?;
    let (id, month) = path.into_inner();
    let id = id_of(&id)?;
    let (y, m) = month_of(&month)?;
    once.create(&state, auth, move |conn, ctx| {
        let p = rangers::pay(conn, ctx, id, y, m)?;
        Ok(PaidDto::from(p))
    })
    .await
}

/// A termination.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationBody {
    /// Last day.
    pub terminated_on: NaiveDate,
    /// Why, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "[^\\s\\u0085]|\\ufeff")]
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
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "terminated: terminated already; month_paid: a month on or after that day is paid already (the contract ends on the last day of the last paid month at the earliest)", body = Problem, content_type = "application/problem+json"),
        BadField,
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

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        sign_contract => Permission(perm::FUNDS_MANAGE),
        list_contracts => Permission(perm::FUNDS_READ),
        inspect => Permission(perm::FUNDS_MANAGE),
        incident => Permission(perm::FUNDS_MANAGE),
        log_patrol => Permission(perm::FUNDS_MANAGE),
        list_patrols => Permission(perm::FUNDS_READ),
        late_payouts => Permission(perm::FUNDS_READ),
        compute_payout => Permission(perm::FUNDS_READ),
        contract_document => Permission(perm::FUNDS_READ),
        payout_document => Permission(perm::FUNDS_READ),
        pay => Permission(perm::FUNDS_MANAGE),
        terminate => Permission(perm::FUNDS_MANAGE),
    },
}
