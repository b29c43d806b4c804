//! Seed 5's project rules (issue 22; issue 18 item 3): a project's public posting (张榜公布)
//! and its printed notice, and the construction money of key villages against the minimum
//! per village.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::FieldError;
use infra::app::project_rules::{
    self, KeyVillageFunding, ManagerCandidate, NewPosting, PostingRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{check_year, done, id_of, text, within};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A project's named manager (专人).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagerDto {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
}

/// A project's public posting (张榜公布).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostingDto {
    /// Project.
    pub project_id: Uuid,
    /// Posted on.
    pub posted_on: NaiveDate,
    /// Where it is posted.
    pub location: String,
    /// Where objections go.
    pub contact: String,
    /// A photo or scan of the posting.
    pub attachment_uri: Option<String>,
    /// The period's length in days (`funds.project_notice_days` when posted).
    pub notice_days: i32,
    /// The day after posting (Civil Code §201).
    pub first_day: NaiveDate,
    /// The last day, moved past rest days (§203).
    pub last_day: NaiveDate,
    /// 24:00 Beijing time of the last day: work and payments may start from then.
    pub ends_at: DateTime<Utc>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

impl From<PostingRow> for PostingDto {
    fn from(p: PostingRow) -> Self {
        Self {
            project_id: p.project_id,
            posted_on: p.posted_on,
            location: p.location,
            contact: p.contact,
            attachment_uri: p.attachment_uri,
            notice_days: p.notice_days,
            first_day: p.first_day,
            last_day: p.last_day,
            ends_at: p.ends_at,
            created_at: p.created_at,
        }
    }
}

/// A posting to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostingBody {
    /// The day it was posted: today, or back to `exit.backdate_days` before (never in the
    /// future).
    pub posted_on: NaiveDate,
    /// Where it is posted (村务公开栏…), 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub location: String,
    /// Where objections go (office and phone), up to 200 characters; the county's leading
    /// group when empty.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub contact: String,
    /// A photo or scan of the posting (`/api/v1/attachments/{id}` or an https URI), up to 500
    /// characters.
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^\\s*(/api/v1/attachments/|https://|$)")]
    pub attachment_uri: Option<String>,
}

/// Posts a project publicly (张榜公布, seed 5), once: the notice period of
/// `funds.project_notice_days` (7, the project's choice) runs on the working calendar from the
/// day after posting (Civil Code §201/§203). Projects created while
/// `funds.require_project_posting` is on pay nothing and record no progress before it ends.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id"), IdempotencyKey),
    request_body = PostingBody,
    responses(
        (status = 201, description = "Posted", body = PostingDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "already_exists: posted already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (posted_on in the future or too far back)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/posting")]
pub async fn create_project_posting(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PostingBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let location = text(&mut errs, "location", &b.location, true, 200);
    let contact = text(&mut errs, "contact", &b.contact, false, 200);
    let uri = match b.attachment_uri.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(u) if u.chars().count() > 500 => {
            errs.push(FieldError::new(
                "attachment_uri",
                domain::Rule::too_long(500),
            ));
            None
        }
        Some(u) if u.starts_with("/api/v1/attachments/") || u.starts_with("https://") => {
            Some(u.to_string())
        }
        Some(_) => {
            errs.push(FieldError::new(
                "attachment_uri",
                domain::Rule::format(domain::Format::AttachmentUri),
            ));
            None
        }
    };
    done(errs)?;
    let n = NewPosting {
        posted_on: b.posted_on,
        location,
        contact,
        attachment_uri: uri,
    };
    once.create(&state, auth, move |conn, ctx| {
        let row = project_rules::post(conn, ctx, id, &n)?;
        Ok(PostingDto::from(row))
    })
    .await
}

/// A project's public posting.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 200, description = "The posting", body = PostingDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found, or not posted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}/posting")]
pub async fn get_project_posting(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let row = state
        .run(auth, move |conn, ctx| {
            project_rules::get_posting(conn, ctx, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PostingDto::from(row)))
}

/// The project's printed public notice (关于…的公示, issue 18 item 3): issued by the county's
/// leading group, with the project's name, place, purpose, budget, dedicated account, manager,
/// the period "自…至…24时", where it is posted and where objections go, and the date. As HTML
/// (the default), PDF or DOCX. Audited (`project.document`).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Project id"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The notice in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or outside your scope)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "document_not_ready: the project is not posted", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}/notice")]
pub async fn project_notice(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: crate::http::query::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    crate::documents::serve(&req, &state, auth, &params, move |conn, ctx, lang| {
        project_rules::notice(conn, ctx, id, lang)
    })
    .await
}

/// Which key villages.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundingParams {
    /// Key villages designated for this year (all designations when absent).
    pub year: Option<i32>,
    /// Region (12 digits) in your scope; your scope when absent.
    pub region: Option<String>,
}

/// One key village's construction money against the minimum.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyVillageFundingDto {
    /// The designation.
    pub key_village_id: Uuid,
    /// Village, 12 digits.
    pub region_code: String,
    /// Village name.
    pub name: String,
    /// Designated from.
    pub from_year: i32,
    /// Designated to.
    pub to_year: i32,
    /// Status of the designation.
    pub status: String,
    /// Net allocations to the village's construction projects (paid by progress) of the
    /// designation's years, fen.
    pub construction_fen: i64,
    /// `funds.min_key_village_construction_fen` of its county (1,500,000 yuan by default,
    /// seed 5), fen.
    pub minimum_fen: i64,
    /// How much is missing, fen (0 when not short).
    pub shortfall_fen: i64,
    /// Short of the minimum.
    pub short: bool,
}

impl From<KeyVillageFunding> for KeyVillageFundingDto {
    fn from(k: KeyVillageFunding) -> Self {
        Self {
            key_village_id: k.key_village_id,
            region_code: k.region_code,
            name: k.name,
            from_year: k.from_year,
            to_year: k.to_year,
            status: k.status,
            construction_fen: k.construction_fen,
            minimum_fen: k.minimum_fen,
            shortfall_fen: k.shortfall_fen,
            short: k.short,
        }
    }
}

/// Key villages in scope with the construction money allocated to them against
/// `funds.min_key_village_construction_fen` (seed 5: at least 1.5 million yuan per key village
/// under construction), shortfalls flagged; in pages, by village.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(FundingParams, PageParams),
    responses(
        (status = 200, description = "A page of key villages", body = Page<KeyVillageFundingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter (a region outside your scope), limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/key-village-funding")]
pub async fn key_village_funding(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FundingParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, Uuid)> = page.cursor()?;
    let q = q.into_inner();
    if let Some(y) = q.year {
        let mut errs = Vec::new();
        check_year(&mut errs, "year", y);
        done(errs)?;
    }
    let rows = state
        .run_page(auth, move |conn, ctx| {
            let scope = within(q.region.as_deref(), ctx.caller.scope())?;
            project_rules::key_village_funding(conn, ctx, scope, q.year, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |k| {
            (
                k.region_code.parse::<i64>().unwrap_or_default(),
                k.key_village_id,
            )
        },
        KeyVillageFundingDto::from,
    )))
}

/// A user who may be named a project's manager.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagerCandidateDto {
    /// User id: what `PUT /projects/{id}/manager` takes as `manager_user_id`.
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// The user's org unit (12 digits).
    pub org_unit: String,
    /// Its name.
    pub org_unit_name: String,
}

impl From<ManagerCandidate> for ManagerCandidateDto {
    fn from(c: ManagerCandidate) -> Self {
        Self {
            id: c.id,
            username: c.username,
            display_name: c.display_name,
            org_unit: c.org_unit.to_code_string(),
            org_unit_name: c.org_unit_name,
        }
    }
}

/// Filter of the manager candidates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateParams {
    /// Start of the username (any case) or of the display name, up to 50 characters.
    pub q: Option<String>,
}

/// The users who may be named the project's manager (专人, seed 5) — the enabled users of the
/// project's county holding a role with `funds:manage`, the rule `PUT /projects/{id}/manager`
/// applies — by username, for whoever may name one. Only who they are and where: id,
/// username, display name, org unit.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id"), CandidateParams, PageParams),
    responses(
        (status = 200, description = "A page of users, by username", body = Page<ManagerCandidateDto>),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage where the project is", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "`q` over 50 characters; bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}/manager-candidates")]
pub async fn manager_candidates(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<CandidateParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    let prefix = q.into_inner().q;
    if prefix.as_deref().is_some_and(|p| p.chars().count() > 50) {
        return Err(ApiError::BadParameter(FieldError::new(
            "q",
            domain::Rule::too_long(50),
        )));
    }
    let rows = state
        .run(auth, move |conn, ctx| {
            project_rules::manager_candidates(
                conn,
                ctx,
                id,
                prefix.as_deref(),
                after.as_deref(),
                limit + 1,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |c| c.username.clone(),
        ManagerCandidateDto::from,
    )))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        create_project_posting => Permission(perm::FUNDS_MANAGE),
        get_project_posting => Permission(perm::FUNDS_READ),
        project_notice => Permission(perm::FUNDS_READ),
        key_village_funding => Permission(perm::FUNDS_READ),
        manager_candidates => Permission(perm::FUNDS_MANAGE),
    },
}
