//! Township rounds (issue 19 item 1; seed 1 §三 steps 5–9): the township reviews its villages'
//! first-notice lists together, posts the second notice in every village at once, and the
//! county approves and announces the township list, one decision each, then files the county's
//! list. Lists not ready for a decision (a notice still running, an objection open in their
//! village) are held back and named; only they wait.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::exit::Stage;
use domain::{FieldError, RegionCode};
use infra::app::exit::StepInput;
use infra::app::exit::rounds::{
    self, Decision, Held, Outcome, Posting, RoundList, RoundPosting, RoundView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::exit::{
    AttachmentBody, NoticeBody, RemovalBody, ReviewBody, attachments, notice_input, review_input,
};
use super::exit_dto::AttachmentRefDto;
use super::input::{check_year, done, id_of, text};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// Opening a township's round for a year, with its review (镇审核).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRoundBody {
    /// The township (9 or 12 digits).
    #[schema(example = "370831101")]
    pub township: String,
    /// The exit year.
    pub year: i32,
    /// The review's opinion, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
    /// Document number of the decision (文号), up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub decision_no: String,
    /// Households taken off, with reasons (each on a list of the round ready for review).
    #[serde(default)]
    pub removals: Vec<RemovalBody>,
    /// The day of the decision (today when absent): after each reviewed list's first notice.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    /// Attached documents (the township's review record).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// The second notice's posting in one village.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VillagePostingBody {
    /// The village (12 digits): one of the round whose list awaits the second notice.
    pub village_code: String,
    /// Where it is posted, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub location: String,
    /// The day it was posted in this village (today when absent).
    #[serde(default)]
    pub posted_on: Option<NaiveDate>,
    /// A photo of the posted notice.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// The second notice, posted in every village of the round at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondNoticeBody {
    /// One posting per village whose list awaits the second notice: all of them, each once.
    pub postings: Vec<VillagePostingBody>,
}

/// The county's filing of its list for a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountyFilingBody {
    /// The county (6 or 12 digits).
    #[schema(example = "370831")]
    pub county_code: String,
    /// The exit year.
    pub year: i32,
    /// Filing reference, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reference: String,
    /// The day it was filed (today when absent): after each list's announcement.
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    /// Attached documents.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// A list of the round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundListDto {
    /// The exit list.
    pub id: Uuid,
    /// Its village.
    pub village_code: String,
    /// The village's name.
    pub village_name: String,
    /// 村民小组.
    pub villager_group: String,
    /// Its stage.
    pub stage: Stage,
    /// End of its running notice.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households on it.
    pub households: i64,
    /// Objections not yet resolved (they hold this list back, not the others).
    pub open_objections: i64,
}

impl From<RoundList> for RoundListDto {
    fn from(l: RoundList) -> Self {
        Self {
            id: l.id,
            village_code: format!("{:012}", l.village_code),
            village_name: l.village_name,
            villager_group: l.villager_group,
            stage: Stage::parse(&l.stage).unwrap_or(Stage::Nominated),
            notice_ends_at: l.notice_ends_at,
            households: l.households,
            open_objections: l.open_objections,
        }
    }
}

/// The second notice's posting in a village.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundPostingDto {
    /// The village.
    pub village_code: String,
    /// Where.
    pub location: String,
    /// Posted on.
    pub posted_on: NaiveDate,
    /// Its last day on the working calendar.
    pub last_day: NaiveDate,
    /// When it ends (24:00 Beijing time of the last day).
    pub ends_at: DateTime<Utc>,
    /// Recorded by.
    pub posted_by: Uuid,
    /// Recorded at.
    pub posted_at: DateTime<Utc>,
    /// The photo and other documents.
    pub attachments: Vec<AttachmentRefDto>,
}

fn refs(list: Vec<infra::app::exit::Attachment>) -> Vec<AttachmentRefDto> {
    list.into_iter()
        .map(|a| AttachmentRefDto {
            title: a.title,
            uri: a.uri,
            sha256: a.sha256,
        })
        .collect()
}

impl From<RoundPosting> for RoundPostingDto {
    fn from(p: RoundPosting) -> Self {
        Self {
            village_code: format!("{:012}", p.village_code),
            location: p.location,
            posted_on: p.posted_on,
            last_day: p.last_day,
            ends_at: p.ends_at,
            posted_by: p.posted_by,
            posted_at: p.posted_at,
            attachments: refs(p.attachments),
        }
    }
}

/// A list a decision held back.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldDto {
    /// The list.
    pub list_id: Uuid,
    /// Its village.
    pub village_code: String,
    /// Its stage.
    pub stage: String,
    /// Why, as a problem code: `notice_period_running`, `objections_open`, `list_empty`.
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

impl From<Held> for HeldDto {
    fn from(h: Held) -> Self {
        Self {
            list_id: h.list_id,
            village_code: format!("{:012}", h.village_code),
            stage: h.stage,
            code: h.code,
            reason: h.reason,
        }
    }
}

/// A decision on the round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDecisionDto {
    /// `township_review`, `second_notice`, `approval`, `announcement`.
    pub step: String,
    /// Taken by.
    pub actor_username: String,
    /// Taken at.
    pub taken_at: DateTime<Utc>,
    /// The lists it moved.
    pub moved: Vec<Uuid>,
    /// The lists it held back, with the reason.
    pub held: Vec<HeldDto>,
    /// Its documents.
    pub attachments: Vec<AttachmentRefDto>,
}

impl From<Decision> for RoundDecisionDto {
    fn from(d: Decision) -> Self {
        Self {
            step: d.step,
            actor_username: d.actor_username,
            taken_at: d.taken_at,
            moved: d.moved,
            held: d.held.into_iter().map(HeldDto::from).collect(),
            attachments: refs(d.attachments),
        }
    }
}

/// A township round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDto {
    /// Id.
    pub id: Uuid,
    /// The township.
    pub township_code: String,
    /// The township's name.
    pub township_name: String,
    /// Exit year.
    pub year: i32,
    /// The least advanced stage of its lists: where the round as a whole stands.
    pub stage: Stage,
    /// Opened by.
    pub created_by: Uuid,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Last decision at.
    pub updated_at: DateTime<Utc>,
    /// Its village lists, by village.
    pub lists: Vec<RoundListDto>,
    /// The second notice's postings, one per village.
    pub postings: Vec<RoundPostingDto>,
    /// Its decisions, oldest first.
    pub decisions: Vec<RoundDecisionDto>,
}

impl From<RoundView> for RoundDto {
    fn from(r: RoundView) -> Self {
        Self {
            id: r.id,
            township_code: format!("{:012}", r.township_code),
            township_name: r.township_name,
            year: r.year,
            stage: r.stage,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            lists: r.lists.into_iter().map(RoundListDto::from).collect(),
            postings: r.postings.into_iter().map(RoundPostingDto::from).collect(),
            decisions: r
                .decisions
                .into_iter()
                .map(RoundDecisionDto::from)
                .collect(),
        }
    }
}

/// The result of a decision on a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOutcomeDto {
    /// The round after it.
    pub round: RoundDto,
    /// The lists this decision moved.
    pub moved: Vec<Uuid>,
    /// The lists it held back, with the reason: they wait, the others go on.
    pub held: Vec<HeldDto>,
}

impl From<Outcome> for RoundOutcomeDto {
    fn from(o: Outcome) -> Self {
        Self {
            round: RoundDto::from(o.round),
            moved: o.moved,
            held: o.held.into_iter().map(HeldDto::from).collect(),
        }
    }
}

/// The result of the county's filing.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountyFilingDto {
    /// The lists filed.
    pub filed: Vec<Uuid>,
    /// The announced lists held back, with the reason.
    pub held: Vec<HeldDto>,
}

/// Filters of the rounds.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundParams {
    /// Exit year.
    pub year: Option<i32>,
}

fn region(errs: &mut Vec<FieldError>, field: &str, v: &str) -> Option<RegionCode> {
    let padded = format!("{v:0<12}");
    RegionCode::parse(if v.len() < 12 { &padded } else { v })
        .map_err(|m| errs.push(FieldError::new(field, m)))
        .ok()
}

fn missing(field: &str) -> crate::error::ApiError {
    crate::error::ApiError::BadParameter(FieldError::new(
        field,
        domain::Rule::format(domain::Format::DivisionCode),
    ))
}

/// Opens a township's round for a year and takes its review (镇审核): every list of the
/// township's villages for the year not yet past its first notice joins; those whose first
/// notice has ended with no open objection are reviewed together, the others held back and
/// named (they are reviewed on the round later). One round per township and year.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = OpenRoundBody,
    responses(
        (status = 201, description = "The round, reviewed; `held` names the lists that wait", body = RoundOutcomeDto),
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_exists` (the township has its round for the year), `round_nothing_ready` (no list is ready: nothing stored; the detail names each list and why)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: township (not a township in your scope), year, opinion, removals[i] (not on a list ready for review), decided_on, attachments", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-rounds")]
pub async fn open_exit_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<OpenRoundBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let township = region(&mut errs, "township", b.township.trim());
    check_year(&mut errs, "year", b.year);
    let (input, att, more) = review_input(ReviewBody {
        opinion: b.opinion,
        decision_no: b.decision_no,
        removals: b.removals,
        decided_on: b.decided_on,
        attachments: b.attachments,
    });
    errs.extend(more);
    done(errs)?;
    let township = township.ok_or_else(|| missing("township"))?;
    let year = b.year;
    once.create(&state, auth, move |conn, ctx| {
        let o = rounds::open(conn, ctx, township, year, &input, &att)?;
        Ok(RoundOutcomeDto::from(o))
    })
    .await
}

/// Township rounds in your scope (county and below), newest year first.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(RoundParams),
    responses(
        (status = 200, description = "The rounds (at most 500)", body = Vec<RoundDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-rounds")]
pub async fn list_exit_rounds(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<RoundParams>,
) -> ApiResult<HttpResponse> {
    let year = params.year;
    let v = state
        .run(auth, move |conn, ctx| rounds::list(conn, ctx, year))
        .await?;
    Ok(HttpResponse::Ok().json(v.into_iter().map(RoundDto::from).collect::<Vec<_>>()))
}

/// One township round: its lists by village, the second notice's postings, its decisions.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Round id")),
    responses(
        (status = 200, description = "The round", body = RoundDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or not yours to see: above the county, rounds are not shown)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-rounds/{id}")]
pub async fn get_exit_round(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, ctx| rounds::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(RoundDto::from(v)))
}

/// Reviews the lists of the round that have become ready since (a village's first notice ended
/// later, an objection was resolved, a village nominated late): the township list grows.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The round; `moved` the lists reviewed now, `held` those that still wait", body = RoundOutcomeDto),
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "`round_nothing_ready`: no list is ready (the detail names each and why)", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/exit-rounds/{id}/township-review")]
pub async fn review_exit_round(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (input, att, errs) = review_input(body.0);
    done(errs)?;
    decide(state, auth, move |conn, ctx| {
        rounds::review(conn, ctx, id, &input, &att)
    })
    .await
}

/// Posts the second notice (第二次公示) in every village of the round whose lists the township
/// has reviewed: one posting per village, each with its own date, place and photo. Each
/// village's notice runs from its own posting date; an objection raised in a village holds only
/// that village's lists at the approval.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = SecondNoticeBody,
    responses(
        (status = 200, description = "The round, its notice running in every village", body = RoundOutcomeDto),
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "`round_nothing_ready`: no list awaits the second notice", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "postings[i].village_code (not a village of the round awaiting the notice, or posted twice), postings (a village left out, named), postings[i].location, postings[i].posted_on (future, too far back, before the review), attachments", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-rounds/{id}/second-notice")]
pub async fn second_notice_exit_round(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<SecondNoticeBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    if body.0.postings.is_empty() {
        errs.push(FieldError::new(
            "postings",
            domain::Rule::other(
                "name each village's posting of the notice",
                "请填写每个村的公示张贴情况",
            ),
        ));
    }
    let mut postings = Vec::new();
    for (i, p) in body.0.postings.into_iter().enumerate() {
        let village = RegionCode::parse(p.village_code.trim())
            .map_err(|m| errs.push(FieldError::new(format!("postings[{i}].village_code"), m)))
            .ok();
        let location = text(
            &mut errs,
            &format!("postings[{i}].location"),
            &p.location,
            true,
            200,
        );
        let mut own = Vec::new();
        let att = attachments(p.attachments, &mut own);
        errs.extend(
            own.into_iter()
                .map(|e| FieldError::new(format!("postings[{i}].{}", e.field), e.rule)),
        );
        if let Some(village) = village {
            postings.push(Posting {
                village,
                location,
                posted_on: p.posted_on,
                attachments: att,
            });
        }
    }
    done(errs)?;
    decide(state, auth, move |conn, ctx| {
        rounds::second_notice(conn, ctx, id, &postings)
    })
    .await
}

/// The county's approval of the township list (县审批), one decision: every list of the round
/// whose second notice has ended with no open objection is approved; a village with an open
/// objection, or whose notice still runs, is held back and named, and approved by a later
/// decision on the round.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The round; `moved` the lists approved, `held` those that wait", body = RoundOutcomeDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "`round_nothing_ready` (the detail names each list and why)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, a removal not on a list being approved, or the date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-rounds/{id}/approval")]
pub async fn approve_exit_round(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (input, att, errs) = review_input(body.0);
    done(errs)?;
    decide(state, auth, move |conn, ctx| {
        rounds::approve(conn, ctx, id, &input, &att)
    })
    .await
}

/// The county's announcement (公告) of the round's approved lists.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The round, announced", body = RoundOutcomeDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "`round_nothing_ready`: no approved list awaits it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field or date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-rounds/{id}/announcement")]
pub async fn announce_exit_round(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (input, att, errs) = notice_input(body.0);
    done(errs)?;
    decide(state, auth, move |conn, ctx| {
        rounds::announce(conn, ctx, id, &input, &att)
    })
    .await
}

async fn decide(
    state: web::Data<AppState>,
    auth: Auth,
    f: impl FnOnce(&mut infra::db::Tx<'_>, &infra::app::Ctx) -> Result<Outcome, domain::DomainError>
    + Send
    + 'static,
) -> ApiResult<HttpResponse> {
    let o = state.run(auth, f).await?;
    Ok(HttpResponse::Ok().json(RoundOutcomeDto::from(o)))
}

/// The county files its list for the year (逐级报市、省备案), once: every announced list whose
/// announcement has ended with no open objection — by township round or village by village — is
/// filed and its households exited; the others are held back and named.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    request_body = CountyFilingBody,
    responses(
        (status = 200, description = "The lists filed and those held back", body = CountyFilingDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_nothing_ready`: no announced list is ready", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: county_code (not a county in your scope), year, reference, filed_on", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-filings")]
pub async fn file_county_exits(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CountyFilingBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let county = region(&mut errs, "county_code", b.county_code.trim());
    check_year(&mut errs, "year", b.year);
    let reference = text(&mut errs, "reference", &b.reference, true, 100);
    let att = attachments(b.attachments, &mut errs);
    done(errs)?;
    let county = county.ok_or_else(|| missing("county_code"))?;
    let input = StepInput::Filing {
        reference,
        filed_on: b.filed_on,
    };
    let year = b.year;
    let (filed, held) = state
        .run(auth, move |conn, ctx| {
            rounds::file_county(conn, ctx, county, year, &input, &att)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CountyFilingDto {
        filed,
        held: held.into_iter().map(HeldDto::from).collect(),
    }))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        open_exit_round => Permission(perm::WORKFLOW_TOWNSHIP),
        list_exit_rounds => Permission(perm::WORKFLOW_READ),
        get_exit_round => Permission(perm::WORKFLOW_READ),
        review_exit_round => Permission(perm::WORKFLOW_TOWNSHIP),
        second_notice_exit_round => Permission(perm::WORKFLOW_TOWNSHIP),
        approve_exit_round => Permission(perm::WORKFLOW_COUNTY),
        announce_exit_round => Permission(perm::WORKFLOW_COUNTY),
        file_county_exits => Permission(perm::WORKFLOW_COUNTY),
    },
}
