//! Intake of households (新识别和返贫户及时纳入, seed 1): intake lists and their steps, mirroring
//! exit lists and sharing their step bodies (appraisal, notice, review).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::intake::{Kind, Source, Stage, Step};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::exit::{Attachment, StepInput};
use infra::app::intake::{self, IntakeEntryView, IntakeListRow, IntakeView, NewIntake};
use infra::app::intake_objections;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::exit::{
    AppraisalBody, AttachmentBody, NoticeBody, ReviewBody, StepDto, appraisal_input, attachments,
    notice_input, review_input,
};
use super::input::{check_year, done, id_of, within};
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A household to take in, and how.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeEntryBody {
    /// The household (of the village).
    pub household_id: Uuid,
    /// `new` (新识别: a non_poor household) or `return` (返贫: an exited or monitored one).
    #[schema(value_type = domain::intake::Kind)]
    pub kind: String,
}

/// An intake list to draw up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeBody {
    /// The village (12 digits).
    pub village_code: String,
    /// The year.
    pub year: i32,
    /// `application` (农户申请) or `screening` (摸底排查).
    #[schema(value_type = domain::intake::Source)]
    pub source: String,
    /// The day of the application or screening: at most `exit.backdate_days` back, never in
    /// the future.
    pub applied_on: NaiveDate,
    /// Households (1–500).
    pub entries: Vec<IntakeEntryBody>,
    /// Attached documents (applications, screening sheets), by https link.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// A household on an intake list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeEntryDto {
    /// Household.
    pub household_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// How it enters.
    #[schema(value_type = domain::intake::Kind)]
    pub kind: String,
    /// People when listed.
    pub people: i32,
    /// The household's status now (`registered` or `returned` once announced).
    #[schema(value_type = domain::cases::Status)]
    pub status: String,
    /// Taken off the list.
    pub removed: bool,
    /// Why.
    pub removed_reason: Option<String>,
}

impl From<IntakeEntryView> for IntakeEntryDto {
    fn from(e: IntakeEntryView) -> Self {
        Self {
            household_id: e.household_id,
            household_number: e.household_number,
            head_name: e.head_name,
            kind: e.kind,
            people: e.people,
            status: e.status,
            removed: e.removed,
            removed_reason: e.removed_reason,
        }
    }
}

/// An intake list (summary).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeListSummaryDto {
    /// Id.
    pub id: Uuid,
    /// Village (12 digits).
    pub village_code: String,
    /// Year.
    pub year: i32,
    /// Stage.
    #[schema(value_type = domain::intake::Stage)]
    pub stage: String,
    /// Start of the running notice.
    pub notice_started_at: Option<DateTime<Utc>>,
    /// End of the running notice (24:00 of its last day on the working calendar).
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Version.
    pub version: i32,
    /// Drawn up at.
    pub created_at: DateTime<Utc>,
    /// Announced at.
    pub announced_at: Option<DateTime<Utc>>,
}

impl From<IntakeListRow> for IntakeListSummaryDto {
    fn from(l: IntakeListRow) -> Self {
        Self {
            id: l.id,
            village_code: format!("{:012}", l.region_code),
            year: l.year,
            stage: l.stage,
            notice_started_at: l.notice_started_at,
            notice_ends_at: l.notice_ends_at,
            version: l.version,
            created_at: l.created_at,
            announced_at: l.announced_at,
        }
    }
}

/// An intake list in a page of lists: the summary with what is on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeListItemDto {
    /// The list.
    #[serde(flatten)]
    pub list: IntakeListSummaryDto,
    /// Households left on it.
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Objections not yet resolved (an open one blocks the township review).
    pub open_objections: i64,
}

/// An intake list with its households and steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeListDto {
    /// The list.
    #[serde(flatten)]
    pub list: IntakeListSummaryDto,
    /// Village name.
    pub village_name: String,
    /// Households (removed ones too, with the reason).
    pub entries: Vec<IntakeEntryDto>,
    /// Steps, in order (`application`, `appraisal`, `notice`, `township_review`, `approval`,
    /// `announcement`).
    pub steps: Vec<StepDto>,
    /// Objections raised during the notice, oldest first; an open one blocks the township
    /// review.
    pub objections: Vec<super::intake_objections::IntakeObjectionDto>,
}

impl From<IntakeView> for IntakeListDto {
    fn from(v: IntakeView) -> Self {
        Self {
            list: v.list.into(),
            village_name: v.village_name,
            entries: v.entries.into_iter().map(Into::into).collect(),
            steps: v.steps.into_iter().map(Into::into).collect(),
            objections: v.objections.into_iter().map(Into::into).collect(),
        }
    }
}

/// Filters of the intake lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IntakeListParams {
    /// Year.
    pub year: Option<i32>,
    /// Any region code (a village, its township, the county); capped by your scope.
    pub region: Option<String>,
    /// Stage.
    #[param(schema_with = domain::intake::Stage::input_schema)]
    pub stage: Option<String>,
}

/// Draws up an intake list of a village (village step, `workflow:village`): households that
/// applied or that the screening found, each `new` (a non-poor household) or `return` (an
/// exited or monitored one).
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = IntakeBody,
    responses(
        (status = 201, description = "The new list", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: village_code, year, source, applied_on, entries[i].household_id (not of the village, listed twice, on another intake list of the year), entries[i].kind (the household's status does not enter so), attachments", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/intake-lists")]
pub async fn create_intake_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<IntakeBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let village = RegionCode::parse(&b.village_code)
        .map_err(|m| errs.push(FieldError::new("village_code", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    let source = Source::parse(&b.source)
        .map_err(|m| errs.push(FieldError::new("source", m)))
        .ok();
    if b.entries.len() > 500 {
        errs.push(FieldError::new(
            "entries",
            domain::Rule::other("at most 500 households", "最多 500 户"),
        ));
    }
    let entries: Vec<(Uuid, Kind)> = b
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            Kind::parse(&e.kind)
                .map_err(|m| errs.push(FieldError::new(format!("entries[{i}].kind"), m)))
                .ok()
                .map(|k| (e.household_id, k))
        })
        .collect();
    let att: Vec<Attachment> = attachments(b.attachments, &mut errs);
    done(errs)?;
    let (Some(village), Some(source)) = (village, source) else {
        return Err(DomainError::field(
            "body",
            domain::Rule::other("is not a valid intake list", "不是有效的纳入名单"),
        )
        .into());
    };
    let n = NewIntake {
        village,
        year: b.year,
        source,
        applied_on: b.applied_on,
        entries,
        attachments: att,
    };
    once.create(&state, auth, move |conn, ctx| {
        let v = intake::create(conn, ctx, &n)?;
        Ok(IntakeListDto::from(v))
    })
    .await
}

/// Intake lists in your scope by village, newest year first (none above the county), of a
/// region, a year and a stage when given.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(IntakeListParams, PageParams),
    responses(
        (status = 200, description = "A page of intake lists", body = Page<IntakeListItemDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter: region (malformed, outside your scope), stage", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/intake-lists")]
pub async fn list_intake_lists(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<IntakeListParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, i32, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
            let scope = within(p.region.as_deref(), ctx.caller.scope())?;
            let stage = p
                .stage
                .as_deref()
                .map(Stage::parse)
                .transpose()
                .map_err(|m| DomainError::field("stage", m))?;
            let rows = intake::list(conn, ctx, (scope, p.year, stage), after, limit + 1)?;
            let counts = intake_objections::page_counts(conn, &rows)?;
            Ok((rows, counts))
        })
        .await?;
    let (rows, counts) = rows;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.region_code, r.year, r.id),
        |r| {
            let (households, people, open_objections) =
                counts.get(&r.id).copied().unwrap_or_default();
            IntakeListItemDto {
                list: r.into(),
                households,
                people,
                open_objections,
            }
        },
    )))
}

/// One intake list with its households and steps.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    responses(
        (status = 200, description = "The list", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/intake-lists/{id}")]
pub async fn get_intake_list(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, ctx| intake::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(IntakeListDto::from(v)))
}

async fn step(
    state: web::Data<AppState>,
    auth: Auth,
    path: &str,
    step: Step,
    (input, att, errs): (StepInput, Vec<Attachment>, Vec<FieldError>),
) -> ApiResult<HttpResponse> {
    let id = id_of(path)?;
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            intake::take_step(conn, ctx, id, step, &input, &att)
        })
        .await?;
    Ok(HttpResponse::Ok().json(IntakeListDto::from(v)))
}

/// Records the democratic appraisal (village step): a tally per household; one without a
/// majority of the attendees leaves the list.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    request_body = AppraisalBody,
    responses(
        (status = 200, description = "The list, appraised", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order (step_out_of_order), or no household passed (list_empty)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad tally or field, or a meeting date in the future, too far back or before the application", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/intake-lists/{id}/appraisal")]
pub async fn intake_appraisal(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AppraisalBody>,
) -> ApiResult<HttpResponse> {
    step(state, auth, &path, Step::Appraisal, appraisal_input(body.0)).await
}

/// Opens the village's public notice (village step) for `intake.notice_days` (7) on the
/// working calendar.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, in its notice", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or a posting date in the future, too far back or before the appraisal", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/intake-lists/{id}/notice")]
pub async fn intake_notice(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    step(state, auth, &path, Step::Notice, notice_input(body.0)).await
}

/// Records the township review (township step) once the notice has ended; households may be
/// taken off with reasons.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The list, reviewed", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order, the notice still running (notice_period_running), objections open (objections_open), every household taken off (list_empty)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (removals[i].household_id not on the list), or a decision date in the notice or the future", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/intake-lists/{id}/township-review")]
pub async fn intake_township_review(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    step(
        state,
        auth,
        &path,
        Step::TownshipReview,
        review_input(body.0),
    )
    .await
}

/// Records the county approval (county step, opinion and 文号); households may be taken off.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The list, approved", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order, every household taken off", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/intake-lists/{id}/approval")]
pub async fn intake_approval(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    step(state, auth, &path, Step::Approval, review_input(body.0)).await
}

/// Records the county's announcement (county step): every household left on the list enters,
/// `new` ones becoming `registered` and `return` ones `returned`, each with a history entry.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Intake list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, announced; its households moved", body = IntakeListDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order, or a household's status changed since it was listed", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/intake-lists/{id}/announcement")]
pub async fn intake_announcement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    step(state, auth, &path, Step::Announcement, notice_input(body.0)).await
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_intake_lists => Permission(perm::WORKFLOW_READ),
        create_intake_list => Permission(perm::WORKFLOW_VILLAGE),
        get_intake_list => Permission(perm::WORKFLOW_READ),
        intake_appraisal => Permission(perm::WORKFLOW_VILLAGE),
        intake_notice => Permission(perm::WORKFLOW_VILLAGE),
        intake_township_review => Permission(perm::WORKFLOW_TOWNSHIP),
        intake_approval => Permission(perm::WORKFLOW_COUNTY),
        intake_announcement => Permission(perm::WORKFLOW_COUNTY),
    },
}
