//! Property check of registered people (财产检索核查): batches of hits, verification by the
//! village, the village appraisal's handling-opinion table, the township's statistics table,
//! the county's confirmation and reversal. Hits are confidential: every read is audited.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::property::{Proposal, VerificationInput};
use domain::{DomainError, Level, RegionCode};
use infra::app::cases::sheet;
use infra::app::property::{self, BatchSummary, HitFilter, HitView, ImportReport, StatLine};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{done, id_of, text, within};
use super::transfer::{XLSX, attachment, read_upload};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

mod tables;

pub use tables::{
    ReversalBody, StatisticsDto, TownshipBody, VetoConditionDto, check_sheet, confirm,
    opinion_sheet, reverse, statistics, statistics_sheet, submit, veto_conditions,
};

/// `?format=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateParams {
    /// `csv` (default) or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::SheetFormat>)]
    pub format: Option<String>,
}

const EXAMPLE: [&str; 4] = [
    "370831198001010015",
    "王秀英",
    "车辆",
    "鲁H12345 小型轿车 2014-03-02 登记",
];

/// The hits sheet template: 身份证号, 姓名 (optional), 检索类型 (a type code or its Chinese
/// label: 财政供养, 车辆, 房产, 土地, 经济实体, 养老金), 检索详情.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(TemplateParams),
    responses(
        (status = 200, description = "The template", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks property:import", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/template")]
pub async fn template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<TemplateParams>,
) -> ApiResult<HttpResponse> {
    state.run(auth, |_, _| Ok(())).await?;
    let header: Vec<&str> = property::COLUMNS.iter().map(|c| c.label).collect();
    let rows = vec![EXAMPLE.iter().map(|s| (*s).to_string()).collect()];
    table(
        q.format.as_deref(),
        "property-check-template",
        &header,
        &rows,
        None,
    )
}

/// Answers a table as JSON (`json`), CSV or XLSX.
fn table(
    format: Option<&str>,
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
    json: Option<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    match (
        format.unwrap_or(if json.is_some() { "json" } else { "csv" }),
        json,
    ) {
        ("json", Some(j)) => Ok(HttpResponse::Ok().json(j)),
        ("csv", _) => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attachment(&format!("{name}.csv")))
            .body(sheet::table_csv(header, rows))),
        ("xlsx", _) => Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(attachment(&format!("{name}.xlsx")))
            .body(sheet::table_xlsx(header, rows)?)),
        _ => {
            Err(DomainError::field("format", domain::Rule::one_of(["json", "csv", "xlsx"])).into())
        }
    }
}

/// `?name=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// A name for the batch (e.g. `2016年第一批财产检索`), 1–100 characters.
    #[param(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    /// The batch (absent when no row was loaded).
    pub batch_id: Option<Uuid>,
    /// Rows read.
    pub rows: usize,
    /// Hits loaded.
    pub loaded: usize,
    /// Hits whose fact was verified before (the earlier result is reused).
    pub reused: usize,
    /// Counties the hits were routed to.
    pub counties: Vec<String>,
    /// Every refused row: `{row, column, message}`, the message in the answer's language.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<serde_json::Value>,
}

impl From<ImportReport> for ImportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            batch_id: r.batch_id,
            rows: r.rows,
            loaded: r.loaded,
            reused: r.reused,
            counties: r.counties,
            errors: r
                .errors
                .into_iter()
                .map(|e| {
                    let lang = crate::error::LANG.try_with(|l| *l).unwrap_or_default();
                    serde_json::json!({
                        "row": e.row,
                        "column": e.column,
                        "message": e.rule.message(lang),
                    })
                })
                .collect(),
        }
    }
}

/// Imports a batch of hits (CSV UTF-8 or XLSX, raw body or form field `file`) for the people
/// in your scope (a county, city or province office). Each hit goes to the village of the
/// person; rows for people not registered within your scope, bad rows, repeats and facts
/// already waiting for verification are reported and not loaded; every good row is loaded. A
/// fact verified before is loaded with the earlier result (reused). The same file twice: 409.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The sheet"),
    responses(
        (status = 201, description = "Loaded (with the refused rows)", body = ImportDto),
        (status = 200, description = "Nothing loaded: every row refused", body = ImportDto),
        NotSignedIn,
        (status = 403, description = "Lacks property:import, or not a county, city or province office", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same file was imported before", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 20 MB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable sheet, or a bad name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-checks")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let mut errs = Vec::new();
    let name = text(&mut errs, "name", &q.name, true, 100);
    done(errs)?;
    // Authorise before reading up to 20 MB.
    state
        .run(auth.clone(), |_, ctx| property::may_import(ctx))
        .await?;
    let bytes = read_upload(&req, payload, sheet::MAX_BYTES).await?;
    let keys = state.data_keys.clone();
    // The rows past the daily tries of a masked form (security.md §16), recorded in a
    // transaction of their own: the load's may roll back (the same file imported before).
    let (bytes, rows, not_checked) = {
        let keys = keys.clone();
        state
            .run(auth.clone(), move |conn, ctx| {
                // Nothing is counted for a caller who may not import, or a file that was.
                property::admit(conn, ctx, &bytes, false)?;
                let rows = sheet::parse_with(&bytes, property::COLUMNS)?;
                let over = infra::app::imports::gate_rows(
                    conn,
                    ctx,
                    &keys,
                    infra::app::cases::tries::Register::Members,
                    rows.iter().filter(|r| r.problems.is_empty()),
                )?;
                Ok((bytes, rows, over))
            })
            .await?
    };
    let report = state
        .run(auth, move |conn, ctx| {
            property::import(conn, ctx, &keys, &name, &bytes, &rows, &not_checked)
        })
        .await?;
    let loaded = report.loaded > 0;
    let dto = ImportDto::from(report);
    Ok(if loaded {
        HttpResponse::Created().json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}

/// A batch as you see it (summed over the counties in your scope).
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// When imported.
    pub imported_at: DateTime<Utc>,
    /// The importing office.
    pub importer_org: String,
    /// Hits in your scope.
    pub hits: i64,
    /// Of which reused.
    pub reused: i64,
    /// Counties in your scope.
    pub counties: Vec<String>,
    /// The precise-identification cut-off in force for you
    /// (`property_check.identification_cutoff` of your county, or your province above
    /// county level): a true fact arising on or before it may be vetoed, a later one not.
    pub identification_cutoff: NaiveDate,
}

impl BatchDto {
    fn new(b: BatchSummary, identification_cutoff: NaiveDate) -> Self {
        Self {
            id: b.id,
            name: b.name,
            imported_at: b.imported_at,
            importer_org: b.importer_org,
            hits: b.hits,
            reused: b.reused,
            counties: b.counties,
            identification_cutoff,
        }
    }
}

/// Batches in your scope, newest first.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Batches", body = Vec<BatchDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks")]
pub async fn list_batches(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let (rows, cutoff) = state
        .run(auth, |conn, ctx| {
            Ok((
                property::batches(conn, ctx, None)?,
                tables::rules_in_force(conn, ctx)?.identification_cutoff,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|b| BatchDto::new(b, cutoff))
            .collect::<Vec<_>>(),
    ))
}

/// One batch.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The batch", body = BatchDto),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/property-checks/{id}")]
pub async fn get_batch(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (mut rows, cutoff) = state
        .run(auth, move |conn, ctx| {
            Ok((
                property::batches(conn, ctx, Some(id))?,
                tables::rules_in_force(conn, ctx)?.identification_cutoff,
            ))
        })
        .await?;
    let b = rows.pop().ok_or(DomainError::NotFound)?;
    Ok(HttpResponse::Ok().json(BatchDto::new(b, cutoff)))
}

/// A hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    /// Id.
    pub id: Uuid,
    /// Batch.
    pub batch_id: Uuid,
    /// Row in the imported file.
    pub row_number: i32,
    /// The person.
    pub member_id: Uuid,
    /// Name.
    pub name: String,
    /// ID number, masked.
    pub id_masked: String,
    /// Household.
    pub household_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Village.
    pub village_code: String,
    /// `public_payroll`, `vehicle`, `real_estate`, `land`, `business_entity`, `pension`.
    #[schema(value_type = domain::property::HitType)]
    pub hit_type: String,
    /// What the registry found.
    pub details: String,
    /// `pending`, `verified`, `appraised`, `submitted`, `confirmed`.
    pub status: String,
    /// True or not (null until verified).
    pub is_true: Option<bool>,
    /// When it arose.
    pub arose_on: Option<NaiveDate>,
    /// On or before the precise-identification cut-off.
    pub before_cutoff: Option<bool>,
    /// `veto`, `no_veto` (hardship exception), `not_matching` (true, before the cut-off,
    /// matches no veto condition), `not_applicable` (after the cut-off), `none` (not true).
    #[schema(value_type = Option<domain::property::Proposal>)]
    pub proposal: Option<String>,
    /// The veto condition matched (its code).
    pub veto_condition: Option<String>,
    /// Its label, as the county's settings name it.
    pub veto_condition_label: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// What the rules said (e.g. the veto does not apply; reused from an earlier hit).
    pub note: Option<String>,
    /// Handling opinion of the village appraisal.
    pub opinion: Option<String>,
    /// The earlier hit whose verification is reused.
    pub reused_from: Option<Uuid>,
    /// When verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the veto took effect.
    pub vetoed_at: Option<DateTime<Utc>>,
    /// When the county reversed it.
    pub reversed_at: Option<DateTime<Utc>>,
    /// Why.
    pub reversal_reason: Option<String>,
    /// When the hits of the village in this batch were forwarded to the village committee
    /// (`null`: not yet; with `property_check.routing_required` the village verifies only
    /// then).
    pub routed_at: Option<DateTime<Utc>>,
    /// The liaison leader (挂点领导) they went through (`null` when the station forwarded them
    /// directly, or not yet).
    pub leader_id: Option<Uuid>,
    /// Version (bumped by each verification): `If-Match` of a re-verification.
    pub version: i32,
}

impl From<HitView> for HitDto {
    fn from(v: HitView) -> Self {
        let h = v.hit;
        Self {
            id: h.id,
            batch_id: h.batch_id,
            row_number: h.row_number,
            member_id: h.member_id,
            name: v.name,
            id_masked: v.id_masked,
            household_id: h.household_id,
            household_number: v.household_number,
            village_code: format!("{:012}", h.region_code),
            hit_type: h.hit_type,
            details: h.details,
            status: h.status,
            is_true: h.is_true,
            arose_on: h.arose_on,
            before_cutoff: h.before_cutoff,
            proposal: h.proposal,
            veto_condition: h.veto_condition,
            veto_condition_label: v.veto_condition_label,
            reason: h.reason,
            note: h.note,
            opinion: h.opinion,
            reused_from: h.reused_from,
            verified_at: h.verified_at,
            vetoed_at: h.vetoed_at,
            reversed_at: h.reversed_at,
            reversal_reason: h.reversal_reason,
            routed_at: v.route.map(|r| r.routed_at),
            leader_id: v.route.and_then(|r| r.leader_id),
            version: h.version,
        }
    }
}

/// Filters of the hits.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// Batch.
    pub batch: Option<Uuid>,
    /// Status: `pending`, `verified`, `appraised`, `submitted` or `confirmed`.
    #[param(schema_with = crate::routes::input::hit_statuses)]
    pub status: Option<String>,
}

/// Hits in your scope, by village and file row (audited).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(HitParams, PageParams),
    responses(
        (status = 200, description = "A page of hits", body = Page<HitDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-hits")]
pub async fn list_hits(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<HitParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, Uuid, i32)> = page.cursor()?;
    let p = params.into_inner();
    if let Some(s) = &p.status
        && !["pending", "verified", "appraised", "submitted", "confirmed"].contains(&s.as_str())
    {
        return Err(DomainError::field(
            "status",
            domain::Rule::one_of(["pending", "verified", "appraised", "submitted", "confirmed"]),
        )
        .into());
    }
    let rows = state
        .run_page(auth, move |conn, ctx| {
            let f = HitFilter {
                within: within(p.region.as_deref(), ctx.caller.scope())?,
                batch: p.batch,
                status: p.status,
            };
            property::hits(conn, ctx, &f, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |h| (h.hit.region_code, h.hit.batch_id, h.hit.row_number),
        HitDto::from,
    )))
}

/// A hit with the earlier result it reuses.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDetailDto {
    /// The hit.
    pub hit: HitDto,
    /// The earlier verified hit of the same fact, when this one reuses it.
    pub reused: Option<HitDto>,
}

/// One hit (audited).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Hit id")),
    responses(
        (status = 200, description = "The hit", body = HitDetailDto),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/property-hits/{id}")]
pub async fn get_hit(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (hit, reused) = state
        .run(auth, move |conn, ctx| property::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(HitDetailDto {
        hit: HitDto::from(hit),
        reused: reused.map(HitDto::from),
    }))
}

/// The village's verification of a hit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PropertyVerificationBody)]
pub struct VerificationBody {
    /// Whether the hit is true.
    pub is_true: bool,
    /// For a true hit: when the fact arose. On or before the precise-identification cut-off
    /// (`property_check.identification_cutoff`, 2015-10-26) the veto applies; after, it does not.
    #[serde(default)]
    pub arose_on: Option<NaiveDate>,
    /// Before the cut-off: `true` proposes the one-vote veto, `false` no veto (the hardship
    /// exception, 不予否决, with a reason).
    #[serde(default)]
    pub veto: Option<bool>,
    /// Before the cut-off: `false` says the true fact matches none of the veto conditions
    /// (`not_matching`, 不属于否决情形): neither a veto nor a hardship exception; it takes no
    /// `veto_condition` and no `veto: true`, and the reason is optional. Absent (or `true`):
    /// decide with `veto`.
    #[serde(default)]
    pub matches_veto_condition: Option<bool>,
    /// The veto condition matched (a code of `GET /api/v1/veto-conditions`); required for a veto.
    #[serde(default)]
    pub veto_condition: Option<String>,
    /// Required for no veto (e.g. the family is truly in hardship), up to 2000 characters.
    #[serde(default)]
    pub reason: String,
}

/// A verified hit and what the rules said.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedDto {
    /// The hit.
    pub hit: HitDto,
    /// What the system decided (e.g. "the one-vote veto does not apply").
    pub note: String,
}

/// Records the village's verification of a hit (village step; until the village appraisal).
/// A verified hit may be verified again (a correction) with `If-Match` its version as read;
/// the first verification may send it too. Two verifications from the same read: the second
/// is 412, not silently the last.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Hit id"),
        ("If-Match" = Option<String>, Header, description = "The hit's version as read (`\"<version>\"`); required once the hit is verified"),
    ),
    request_body = VerificationBody,
    responses(
        (status = 200, description = "Verified", body = VerifiedDto),
        NotSignedIn,
        (status = 403, description = "Not the village's user with property:verify", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Reused from an earlier verification, or appraised already", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match: the hit was verified since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A veto without a condition, a no-veto without a reason, a veto after the cut-off, …", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing on a hit verified already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-hits/{id}/verification")]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<VerificationBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let expected = match req.headers().get(actix_web::http::header::IF_MATCH) {
        Some(_) => Some(crate::http::etag::if_match(&req)?),
        None => None,
    };
    let b = body.0;
    let input = VerificationInput {
        is_true: b.is_true,
        arose_on: b.arose_on,
        veto: b.veto,
        matches_condition: b.matches_veto_condition,
        condition: b.veto_condition,
        reason: b.reason,
    };
    let (hit, v) = state
        .run(auth, move |conn, ctx| {
            property::verify(conn, ctx, id, expected, &input)
        })
        .await?;
    Ok(HttpResponse::Ok().json(VerifiedDto {
        hit: HitDto::from(hit),
        note: v.note,
    }))
}

/// `?region=&format=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableParams {
    /// Any region in your scope (default: your scope).
    pub region: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::TableFormat>)]
    pub format: Option<String>,
}

/// The outcomes of a hit, each with its own column in the 处理意见表 (issue 22 item 4).
const OUTCOMES: [Proposal; 5] = [
    Proposal::Veto,
    Proposal::NoVeto,
    Proposal::NotMatching,
    Proposal::NotApplicable,
    Proposal::None,
];

/// The handling-opinion table (处理意见表) of a batch: one line per hit (audited), a column per
/// outcome marked √, the veto condition by its label.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id"), TableParams),
    responses(
        (status = 200, description = "The table: JSON, or a CSV/XLSX file (`format=csv|xlsx`)", content((Vec<HitDto> = "application/json"), (String = "text/csv"), (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/opinions")]
pub async fn opinions(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<TableParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let q = q.into_inner();
    let region = q.region.clone();
    let rows = state
        .run(auth, move |conn, ctx| {
            let w = within(region.as_deref(), ctx.caller.scope())?;
            property::opinions(conn, ctx, id, w)
        })
        .await?;
    let header = [
        "序号",
        "姓名",
        "身份证号",
        "户编号",
        "村代码",
        "检索类型",
        "检索详情",
        "是否属实",
        "发生日期",
        "识别前后",
        "处理建议",
        "否决",
        "不予否决",
        "不属于否决情形",
        "识别后发生",
        "不属实",
        "否决情形",
        "理由",
        "处理意见",
    ];
    let yes = |b: Option<bool>, y: &str, n: &str| {
        b.map_or(String::new(), |b| if b { y } else { n }.to_string())
    };
    let lines: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = &v.hit;
            let proposal = h.proposal.as_deref().and_then(|p| Proposal::parse(p).ok());
            let mut line = vec![
                (i + 1).to_string(),
                v.name.clone(),
                v.id_masked.clone(),
                v.household_number.clone(),
                format!("{:012}", h.region_code),
                domain::property::HitType::parse(&h.hit_type)
                    .map_or(h.hit_type.clone(), |t| t.label().into()),
                h.details.clone(),
                yes(h.is_true, "属实", "不属实"),
                h.arose_on.map(|d| d.to_string()).unwrap_or_default(),
                yes(h.before_cutoff, "识别前", "识别后"),
                proposal.map_or(String::new(), |p| p.label().into()),
            ];
            line.extend(OUTCOMES.iter().map(|o| {
                if proposal == Some(*o) {
                    "√".to_string()
                } else {
                    String::new()
                }
            }));
            line.extend([
                v.veto_condition_label.clone().unwrap_or_default(),
                h.reason.clone().unwrap_or_default(),
                h.opinion.clone().unwrap_or_default(),
            ]);
            line
        })
        .collect();
    let json = serde_json::to_value(rows.into_iter().map(HitDto::from).collect::<Vec<_>>())
        .unwrap_or_default();
    table(q.format.as_deref(), "opinions", &header, &lines, Some(json))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        template => Permission(perm::PROPERTY_IMPORT),
        import => Permission(perm::PROPERTY_IMPORT),
        list_batches => Permission(perm::PROPERTY_READ),
        get_batch => Permission(perm::PROPERTY_READ),
        list_hits => Permission(perm::PROPERTY_READ),
        get_hit => Permission(perm::PROPERTY_READ),
        verify => Permission(perm::PROPERTY_VERIFY),
        opinions => Permission(perm::PROPERTY_READ),
        statistics => Permission(perm::PROPERTY_READ),
        check_sheet => Permission(perm::PROPERTY_READ),
        opinion_sheet => Permission(perm::PROPERTY_READ),
        statistics_sheet => Permission(perm::PROPERTY_READ),
        submit => Permission(perm::PROPERTY_REVIEW),
        confirm => Permission(perm::PROPERTY_DECIDE),
        reverse => Permission(perm::PROPERTY_DECIDE),
        veto_conditions => Permission(perm::PROPERTY_READ),
    },
}
