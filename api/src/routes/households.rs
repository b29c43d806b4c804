//! Households: register, list, count, read (now or as of a date), change, history; yearly
//! records and assistance measures.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::cases::{
    Attribute, Status, check_causes, check_text, check_year, validate_household, validate_measure,
    validate_members, validate_year,
};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::cases::households::{
    self, HouseholdChanges, HouseholdFilter, NewHousehold, Registered,
};
use infra::app::cases::{self as cases, records};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cases_dto::{
    CreateHouseholdBody, HouseholdDto, HouseholdSummary, MeasureBody, MeasureDto, YearBody, YearDto,
};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

mod measures;
mod years;
pub use measures::*;
pub use years::*;

pub(crate) use super::input::id_of as household_id;

fn bad(field: &str, rule: domain::Rule) -> DomainError {
    DomainError::field(field, rule)
}

/// Filters of the household list, count and export.
#[derive(Debug, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdParams {
    /// Any region code (village, township, county, city, province); capped by your scope.
    pub region: Option<String>,
    /// `registered`, `exited`, `monitored`, `returned`.
    #[param(schema_with = domain::cases::Status::input_schema)]
    pub status: Option<String>,
    /// `general`, `subsistence_allowance`, `extreme_poverty_support`.
    #[param(schema_with = domain::cases::Attribute::input_schema)]
    pub attribute: Option<String>,
    /// A poverty-cause code.
    pub cause: Option<String>,
    /// Year identified.
    pub year: Option<i32>,
    /// Year of the income record `income_min`/`income_max` apply to.
    pub income_year: Option<i32>,
    /// Lowest per-capita net income, fen.
    pub income_min: Option<i64>,
    /// Highest per-capita net income, fen.
    pub income_max: Option<i64>,
    /// Head's name prefix.
    #[param(min_length = 1, max_length = 20, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub name: Option<String>,
}

impl HouseholdParams {
    /// The domain filter, with the region capped by `scope`.
    ///
    /// # Errors
    /// 422 naming the parameter.
    pub fn to_filter(&self, scope: domain::Scope) -> Result<HouseholdFilter, DomainError> {
        let within = match &self.region {
            None => scope,
            Some(r) => {
                let code = RegionCode::parse(r).map_err(|m| bad("region", m))?;
                if !scope.contains(code) {
                    return Err(bad("region", domain::Rule::OutsideScope));
                }
                code.subtree()
            }
        };
        if (self.income_min.is_some() || self.income_max.is_some()) && self.income_year.is_none() {
            return Err(bad(
                "income_year",
                domain::Rule::other(
                    "is required with income_min or income_max",
                    "填写 income_min 或 income_max 时必填",
                ),
            ));
        }
        if let (Some(lo), Some(hi)) = (self.income_min, self.income_max)
            && lo > hi
        {
            return Err(bad(
                "income_min",
                domain::Rule::other("must not exceed income_max", "不能大于 income_max"),
            ));
        }
        if self
            .name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty() || n.chars().count() > 20)
        {
            return Err(bad("name", domain::Rule::length(1, 20)));
        }
        Ok(HouseholdFilter {
            within,
            status: self
                .status
                .as_deref()
                .map(Status::parse)
                .transpose()
                .map_err(|m| bad("status", m))?,
            attribute: self
                .attribute
                .as_deref()
                .map(Attribute::parse)
                .transpose()
                .map_err(|m| bad("attribute", m))?,
            cause: self.cause.clone(),
            year_identified: self.year,
            income_year: self.income_year,
            income_min: self.income_min,
            income_max: self.income_max,
            head_name_prefix: self.name.as_ref().map(|n| n.trim().to_string()),
        })
    }
}

/// Households in the caller's scope matching the filters, by village and household number.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(HouseholdParams, PageParams),
    responses(
        (status = 200, description = "A page of households", body = Page<HouseholdSummary>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households")]
pub async fn list_households(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<HouseholdParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, String)> = page.cursor()?;
    let params = params.into_inner();
    // Lists may be read from the replica; the read is audited on the primary.
    let audited = params.clone();
    let rows = state
        .read_page(
            auth,
            move |conn, ctx| {
                let filter = params.to_filter(ctx.caller.scope())?;
                households::list(conn, &filter, after.clone(), limit + 1)
            },
            move |conn, ctx, rows| audit_list(conn, ctx, "household.list", &audited, rows.len()),
        )
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |h| (h.region_code, h.household_number.clone()),
        HouseholdSummary::from,
    )))
}

/// Audits a read of a list (one row per request, with the filters).
pub(crate) fn audit_list(
    conn: &mut infra::db::Tx<'_>,
    ctx: &infra::app::Ctx,
    action: &str,
    params: &HouseholdParams,
    rows: usize,
) -> Result<(), DomainError> {
    ctx.audit(
        conn,
        action,
        "household",
        "",
        ctx.caller.unit(),
        serde_json::json!({
            "region": params.region, "status": params.status, "attribute": params.attribute,
            "cause": params.cause, "year": params.year, "income_year": params.income_year,
            "income_min": params.income_min, "income_max": params.income_max, "name": params.name,
            "rows": rows,
        }),
    )
}

/// A count.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    /// Households matching the filters; `null` when suppressed (fewer than `min_cell`, seen
    /// without household access above the county).
    pub count: Option<i64>,
    /// Whether the count was suppressed.
    pub suppressed: bool,
    /// The small-cell threshold applied (`reports.min_cell_people`), when the rules of reports
    /// apply to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cell: Option<i64>,
}

/// How many households in the caller's scope match the filters. Every call is audited
/// (`household.count`, with the filters). Above the county, a caller without household access
/// (`cases:drilldown`) gets an aggregate under the rules of reports: no `name` filter, income
/// ranges only in whole bands of `reports.income_band_fen` (422 otherwise), and a count under
/// `reports.min_cell_people` suppressed (`count: null`). A caller with household access gets the
/// exact count under every filter of its scope.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(HouseholdParams),
    responses(
        (status = 200, description = "The count (or its suppression)", body = CountDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, or one that singles out a person (`name`, `income_min`, `income_max`) without household access", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/count")]
pub async fn count_households(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<HouseholdParams>,
) -> ApiResult<HttpResponse> {
    let params = params.into_inner();
    let audited = params.clone();
    let counted = state
        .read(
            auth,
            move |conn, ctx| {
                let filter = params.to_filter(ctx.caller.scope())?;
                households::count_for(conn, ctx, &filter)
            },
            move |conn, ctx, c| {
                let p = &audited;
                ctx.audit(
                    conn,
                    "household.count",
                    "household",
                    "",
                    ctx.caller.unit(),
                    serde_json::json!({
                        "region": p.region, "status": p.status, "attribute": p.attribute,
                        "cause": p.cause, "year": p.year, "income_year": p.income_year,
                        "income_min": p.income_min, "income_max": p.income_max, "name": p.name,
                        "count": c.count, "suppressed": c.count.is_none(),
                    }),
                )
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(CountDto {
        count: counted.count,
        suppressed: counted.count.is_none(),
        min_cell: counted.min_cell,
    }))
}

/// The conflict answer for a person registered already, which names nothing about the record.
pub(crate) fn already_registered(field: &str) -> DomainError {
    DomainError::Conflict {
        code: domain::ErrorCode::AlreadyRegistered,
        message: format!("{field}: this person is already registered"),
    }
}

/// Registers a household with its members. Send `Idempotency-Key` to make retries safe: a
/// retry with the same key and body returns the first answer (`Idempotent-Replayed: true`).
/// A member already registered anywhere answers 409 without saying where; the attempt is
/// recorded for the oversight level above both counties.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = CreateHouseholdBody,
    responses(
        (status = 201, description = "Registered; ETag carries the version", body = HouseholdDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write at the village", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Household number used in the county, or a person already registered", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: this user tried `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of a given number's masked form and birth year in 24 hours, by search, registration or import, or as a team member's number of that form (such numbers differ only in the month and day the mask hides; an `alert.quota_exceeded` audit row is written; nothing is registered); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (ID number, head, cause, village outside your scope, …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/households")]
pub async fn create_household(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CreateHouseholdBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let (household, members) = body.0.into_inputs();
    super::members::record_tries(
        &state,
        &auth,
        Some(&once),
        infra::app::cases::tries::Register::Members,
        super::members::entered_numbers(&members, state.today()),
    )
    .await?;
    let keys = state.data_keys.clone();
    once.create_or_refuse(&state, auth, move |conn, ctx| {
        let new = validated(conn, &household, &members, "", ctx.today())?;
        Ok(match households::create(conn, ctx, &keys, &new)? {
            Registered::Created(v) => Ok(HouseholdDto::from(*v)),
            // The attempt stays recorded for oversight: answered, not rolled back.
            Registered::AlreadyRegistered { field } => Err(already_registered(&field)),
        })
    })
    .await
}

/// Validates a household and its members as entered; field names start with `prefix`.
///
/// # Errors
/// Every bad field.
pub(crate) fn validated(
    conn: &mut infra::db::Tx<'_>,
    household: &domain::cases::HouseholdInput,
    members: &[domain::cases::MemberInput],
    prefix: &str,
    today: NaiveDate,
) -> Result<NewHousehold, DomainError> {
    let causes = cases::cause_catalog(conn)?;
    let mut errs = Vec::new();
    let h = validate_household(household, &causes, prefix)
        .map_err(|e| errs.extend(e))
        .ok();
    let m = validate_members(members, today)
        .map_err(|e| {
            errs.extend(e.into_iter().map(|mut f| {
                if !prefix.is_empty() {
                    f.field = format!("{prefix}.{}", f.field);
                }
                f
            }));
        })
        .ok();
    match (h, m) {
        (Some(household), Some(members)) => Ok(NewHousehold { household, members }),
        _ => Err(DomainError::Validation(errs)),
    }
}

/// `?as_of=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// The household as it was at the end of this day (China time), `YYYY-MM-DD`.
    pub as_of: Option<NaiveDate>,
}

/// One household with its members (ID numbers masked). With `as_of`, its state at the end of
/// that day. Reads are audited.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), AsOfParams),
    responses(
        (status = 200, description = "The household; ETag carries the version", body = HouseholdDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or not yet registered on that date)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}")]
pub async fn get_household(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<AsOfParams>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    if let Some(date) = q.as_of {
        if date > state.today() {
            return Err(DomainError::field("as_of", domain::Rule::NotInFuture).into());
        }
        let snapshot = state
            .run(auth, move |conn, ctx| {
                households::get_as_of(conn, ctx, id, date)
            })
            .await?;
        return Ok(HttpResponse::Ok().json(snapshot));
    }
    let v = state
        .run(auth, move |conn, ctx| households::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(v.household.version)))
        .json(HouseholdDto::from(v)))
}

/// The household file card (建档立卡户档案卡) village offices keep: the household, its members
/// with their ID numbers masked (the stored masked form, never decrypted), income by year, the
/// assistance measures and the responsible cadre, signed by the village committee. As a
/// printable HTML page (the default), PDF (A4, GB/T 9704 layout, text in an embedded CJK font)
/// or DOCX, chosen by `?format=` or else `Accept`. Audited like a read (`household.card`).
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The card in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/card")]
pub async fn household_card(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, _| {
        cases::card::card(conn, ctx, id)
    })
    .await
}

/// Changes to a household's own fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchHouseholdBody {
    /// Address.
    #[schema(
        max_length = 200,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub address: Option<String>,
    /// Residence.
    #[schema(
        max_length = 200,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub residence: Option<String>,
    /// Attribute.
    #[schema(schema_with = domain::cases::Attribute::input_schema_or_null)]
    pub attribute: Option<String>,
    /// Cause codes.
    pub poverty_causes: Option<Vec<String>>,
    /// Year identified.
    pub year_identified: Option<i32>,
    /// 帮扶责任人.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub responsible_cadre: Option<String>,
    /// Notes.
    #[schema(
        max_length = 2000,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub notes: Option<String>,
    /// Why (kept in the history), up to 200 characters.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// Changes a household's fields (not its status: that moves only through the exit and
/// monitoring workflows). Requires `If-Match`.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), ("If-Match" = String, Header, description = "ETag from GET")),
    request_body = PatchHouseholdBody,
    responses(
        (status = 200, description = "Changed", body = HouseholdDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/households/{id}")]
pub async fn update_household(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PatchHouseholdBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let b = body.0;
    let version = if_match(&req)?;
    let v = state
        .run(auth, move |conn, ctx| {
            let causes = cases::cause_catalog(conn)?;
            let mut errs = Vec::new();
            let mut text = |field: &str, v: &Option<String>, max: usize| {
                v.as_deref().and_then(|v| {
                    check_text(field, v, false, max)
                        .map_err(|e| errs.push(e))
                        .ok()
                })
            };
            let address = text("address", &b.address, 200);
            let residence = text("residence", &b.residence, 200);
            let responsible_cadre = text("responsible_cadre", &b.responsible_cadre, 50);
            let notes = text("notes", &b.notes, 2000);
            // Kept in the history and the audit log: plain text, as long as a member's removal's.
            let reason = text("reason", &b.reason, 200);
            let attribute = b.attribute.as_deref().and_then(|a| {
                Attribute::parse(a)
                    .map_err(|m| errs.push(FieldError::new("attribute", m)))
                    .ok()
            });
            let poverty_causes = b.poverty_causes.as_deref().and_then(|c| {
                check_causes(c, &causes, "poverty_causes")
                    .map_err(|e| errs.extend(e))
                    .ok()
            });
            let year_identified = b.year_identified.and_then(|y| {
                check_year("year_identified", y)
                    .map_err(|e| errs.push(e))
                    .ok()
            });
            if !errs.is_empty() {
                return Err(DomainError::Validation(errs));
            }
            let changes = HouseholdChanges {
                address,
                residence,
                attribute,
                poverty_causes,
                year_identified,
                responsible_cadre,
                notes,
            };
            households::update(conn, ctx, id, version, &changes, reason.as_deref())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(v.household.version)))
        .json(HouseholdDto::from(v)))
}

/// One change in a household's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// Event id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor_username: Option<String>,
    /// `created`, `updated`, `member_added`, `member_updated`, `member_removed`,
    /// `year_recorded`, `measure_added`, `measure_updated`, `status_changed`; `baseline`
    /// where older history was archived (`retire-months`): the household's state at that
    /// time (at the end of an archived month, its state then; at the start of the oldest month
    /// kept, for a household whose history was archived before baselines existed, its state
    /// unchanged since), with `changes` `{"last_change_at": …}`.
    pub kind: String,
    /// Why, when given.
    pub reason: Option<String>,
    /// What changed: field → `[before, after]` (ID numbers masked); for a `baseline`,
    /// `{"last_change_at": …}` (UTC, RFC 3339 with microseconds: when that state was last
    /// changed).
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// The history of a household: every change with who, when, why, newest first.
///
/// Where older months were archived, a `baseline` entry holds the state carried past them.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), PageParams),
    responses(
        (status = 200, description = "A page of changes", body = Page<EventDto>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/households/{id}/history")]
pub async fn household_history(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let rows = state
        .run_page(auth, move |conn, ctx| {
            let rows = households::history(conn, id, before, limit + 1)?;
            households::audit_part_read(conn, ctx, id, "history")?;
            Ok(rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |e| (e.at, e.id),
        |e| EventDto {
            id: e.id,
            at: e.at,
            actor_username: e.actor_username,
            kind: e.kind,
            reason: e.reason,
            changes: e.changes,
        },
    )))
}

/// The assistance measures of a household, by date.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "Measures", body = Vec<MeasureDto>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/households/{id}/measures")]
pub async fn list_measures(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            let rows = records::list_measures(conn, id)?;
            households::audit_part_read(conn, ctx, id, "measures")?;
            Ok(rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(MeasureDto::from).collect::<Vec<_>>()))
}

/// Records an assistance measure.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        IdempotencyKey,
    ),
    request_body = MeasureBody,
    responses(
        (status = 201, description = "Recorded", body = MeasureDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/households/{id}/measures")]
pub async fn add_measure(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<MeasureBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let once = Once::of(&req, &body.0)?;
    let m = validate_measure(&body.0.into(), state.today()).map_err(DomainError::Validation)?;
    once.create(&state, auth, move |conn, ctx| {
        records::add_measure(conn, ctx, id, &m).map(MeasureDto::from)
    })
    .await
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_households => Permission(perm::CASES_READ),
        create_household => Permission(perm::CASES_WRITE),
        count_households => Permission(perm::CASES_READ),
        get_household => Permission(perm::CASES_READ),
        household_card => Permission(perm::CASES_READ),
        update_household => Permission(perm::CASES_WRITE),
        household_history => Permission(perm::CASES_READ),
        list_years => Permission(perm::CASES_READ),
        get_year => Permission(perm::CASES_READ),
        put_year => Permission(perm::CASES_WRITE),
        list_measures => Permission(perm::CASES_READ),
        add_measure => Permission(perm::CASES_WRITE),
        update_measure => Permission(perm::CASES_WRITE),
    },
}
