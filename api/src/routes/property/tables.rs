//! The statistics table, the printed tables, the township's submission, the county's
//! confirmation, the reversal of a veto and the veto conditions (moved from `property.rs`;
//! re-exported there).

use super::*;
use crate::error::answers::{BadField, NotFound, NotSignedIn};

/// The statistics table (统计表).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsDto {
    /// The batch.
    pub batch_id: Uuid,
    /// One line per hit type and a `total` line: people (检索人数, each person once), hits,
    /// pending, true, not true, before and after the cut-off, veto, no veto (hardship
    /// exception), not matching (不属于否决情形), vetoes in effect.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<serde_json::Value>,
}

fn stat_rows(lines: &[StatLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            vec![
                l.label.clone(),
                l.people.to_string(),
                l.hits.to_string(),
                l.pending.to_string(),
                l.true_.to_string(),
                l.not_true.to_string(),
                l.before_cutoff.to_string(),
                l.after_cutoff.to_string(),
                l.veto.to_string(),
                l.no_veto.to_string(),
                l.not_matching.to_string(),
                l.vetoes_in_effect.to_string(),
            ]
        })
        .collect()
}

fn stat_json(batch: Uuid, lines: Vec<StatLine>) -> StatisticsDto {
    StatisticsDto {
        batch_id: batch,
        lines: lines
            .into_iter()
            .map(|l| {
                let mut v = serde_json::to_value(l).unwrap_or_default();
                if let Some(o) = v.as_object_mut()
                    && let Some(t) = o.remove("true_")
                {
                    o.insert("true".into(), t);
                }
                v
            })
            .collect(),
    }
}

const STAT_HEADER: [&str; 12] = [
    "检索类型",
    "检索人数",
    "检索条数",
    "待核实",
    "属实",
    "不属实",
    "识别前发生",
    "识别后发生",
    "否决",
    "不予否决",
    "不属于否决情形",
    "已清退",
];

/// The statistics table of a batch for a region (audited): counts by hit type of true and not
/// true hits, before and after the cut-off, veto and no veto.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id"), TableParams),
    responses(
        (status = 200, description = "The table: JSON, or a CSV/XLSX file (`format=csv|xlsx`)", content((StatisticsDto = "application/json"), (String = "text/csv"), (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/statistics")]
pub async fn statistics(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<TableParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let q = q.into_inner();
    let region = q.region.clone();
    let lines = state
        .run(auth, move |conn, ctx| {
            let w = within(region.as_deref(), ctx.caller.scope())?;
            property::statistics(conn, ctx, id, w)
        })
        .await?;
    let rows = stat_rows(&lines);
    let json = serde_json::to_value(stat_json(id, lines)).unwrap_or_default();
    table(
        q.format.as_deref(),
        "statistics",
        &STAT_HEADER,
        &rows,
        Some(json),
    )
}

/// The 核查表 of a household for a batch (建档立卡贫困人口财产检索结果核查表, seed 2): every hit of
/// its members with the village's verification — true or not, when it arose, before or after
/// the cut-off, the outcome (veto, no veto, 不属于否决情形, veto not applicable, not true), the
/// veto condition by its label, the reason — and the signature blocks. ID numbers masked. As
/// HTML (the default), PDF or DOCX, chosen by `?format=` or else `Accept`; English with
/// `Accept-Language: en`. Audited (`property_check.document`, with the hits shown).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("household_id" = Uuid, Path, description = "Household id"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The sheet in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the household in the batch within your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/households/{household_id}/check-sheet")]
pub async fn check_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, household) = path.into_inner();
    let id = id_of(&id)?;
    let household = id_of(&household)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::property_documents::check_sheet(conn, ctx, id, household, lang)
    })
    .await
}

/// The 处理意见表 of a village for a batch (附件2, seed 2): one line per hit with a column per
/// outcome — 否决, 不予否决, 不属于否决情形, 识别后发生, 不属实 — the veto condition by its label,
/// the reason and the appraisal's opinion, the totals of each column, signed by the village
/// committee on the day of its appraisal. ID numbers masked. HTML, PDF (A4 landscape) or DOCX;
/// English with `Accept-Language: en`. Audited (`property_check.document`).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("code" = String, Path, description = "Village code (12 digits)", pattern = r"^(0[1-9]|[1-9][0-9])[0-9]{7}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The table in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Batch or village outside your scope, or no hits of the village in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a village code, or a bad `format`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/villages/{code}/opinion-sheet")]
pub async fn opinion_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, code) = path.into_inner();
    let id = id_of(&id)?;
    let village = RegionCode::parse(&code).map_err(|m| DomainError::field("village_code", m))?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::property_documents::opinion_sheet(conn, ctx, id, village, lang)
    })
    .await
}

/// The 统计表 of a township (one line per village) or a county (one line per township) for a
/// batch (附件3, seed 2): 检索人数 (people, each once however many hits), hits, pending, not
/// true, true, and the true hits by outcome — 否决, 不予否决, 不属于否决情形, 识别后发生 — and
/// vetoes in effect; then the same by hit type; totals last. Signed by the township's
/// government (or subdistrict office) or the county's poverty-alleviation leading group office.
/// HTML, PDF or DOCX; English with `Accept-Language: en`. Audited (`property_check.document`).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("code" = String, Path, description = "Township (9 or 12 digits) or county (6 or 12 digits) code"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The table in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Batch or region outside your scope, or no hits there in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a township or county code, or a bad `format`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/regions/{code}/statistics-sheet")]
pub async fn statistics_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, code) = path.into_inner();
    let id = id_of(&id)?;
    let region = RegionCode::parse(&code).map_err(|m| DomainError::field("region_code", m))?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        infra::app::property_documents::statistics_sheet(conn, ctx, id, region, lang)
    })
    .await
}

/// A township's table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TownshipBody {
    /// The township (9 or 12 digits).
    pub township_code: String,
}

fn township(b: &TownshipBody) -> Result<RegionCode, DomainError> {
    RegionCode::parse(&b.township_code)
        .ok()
        .filter(|c| c.level() == Level::Township)
        .ok_or_else(|| {
            DomainError::field(
                "township_code",
                domain::Rule::format(domain::Format::TownshipCode),
            )
        })
}

/// The township submits its statistics table for the batch to the county (township step):
/// every hit of the township must be through its village appraisal.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    request_body = TownshipBody,
    responses(
        (status = 200, description = "The submitted table", body = StatisticsDto),
        NotSignedIn,
        (status = 403, description = "Not the township's user with property:review", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the township in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not all appraised, or submitted already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/property-checks/{id}/submissions")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TownshipBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let t = township(&body.0)?;
    let lines = state
        .run(auth, move |conn, ctx| property::submit(conn, ctx, id, t))
        .await?;
    Ok(HttpResponse::Ok().json(stat_json(id, lines)))
}

/// The county confirms a township's table (county step): every proposed veto takes effect and
/// the household leaves the registry (status `removed`, the hit as the reason).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    request_body = TownshipBody,
    responses(
        (status = 200, description = "The confirmed table", body = StatisticsDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with property:decide", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted, or confirmed already", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/property-checks/{id}/confirmations")]
pub async fn confirm(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TownshipBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let t = township(&body.0)?;
    let lines = state
        .run(auth, move |conn, ctx| property::confirm(conn, ctx, id, t))
        .await?;
    Ok(HttpResponse::Ok().json(stat_json(id, lines)))
}

/// A reversal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PropertyReversalBody)]
pub struct ReversalBody {
    /// Why, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// Reverses a veto in effect (county step, with a reason): the household gets back its status.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Hit id")),
    request_body = ReversalBody,
    responses(
        (status = 200, description = "Reversed", body = HitDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with property:decide", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "No veto in effect", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/property-hits/{id}/reversal")]
pub async fn reverse(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReversalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    let reason = text(&mut errs, "reason", &body.0.reason, true, 2000);
    done(errs)?;
    let hit = state
        .run(auth, move |conn, ctx| {
            property::reverse(conn, ctx, id, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(HitDto::from(hit)))
}

/// A one-vote veto condition.
#[derive(Debug, Serialize, ToSchema)]
pub struct VetoConditionDto {
    /// Code.
    pub code: String,
    /// Description.
    pub label: String,
}

/// The one-vote veto conditions in effect for your county (or province): a setting,
/// eight by default (seed 2).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The conditions", body = Vec<VetoConditionDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/veto-conditions")]
pub async fn veto_conditions(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let list = state
        .run(auth, |conn, ctx| {
            Ok(rules_in_force(conn, ctx)?.veto_conditions)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(|c| VetoConditionDto {
                code: c.code,
                label: c.label,
            })
            .collect::<Vec<_>>(),
    ))
}

/// The property-check settings in force for the caller: its county's, or its province's above
/// county level.
pub(super) fn rules_in_force(
    conn: &mut infra::db::Tx<'_>,
    ctx: &infra::app::Ctx,
) -> Result<domain::settings::PropertyCheckSettings, DomainError> {
    let org = ctx.caller.unit();
    let at = if org.level() >= Level::County {
        org.ancestor_at(Level::County)
    } else {
        org.ancestor_at(Level::Province)
    };
    Ok(infra::app::settings::get(conn, ctx, at)?
        .effective
        .property_check)
}
