//! Exit of households (贫困户退出): exit lists and their steps, objections, documents, targets
//! and progress, and the criteria check of one household.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::exit::{Criterion, Stage, Step, Votes};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::exit::acknowledgements::AcknowledgementRow;
use infra::app::exit::signoffs::{SignoffRow, TeamSignoff};
use infra::app::exit::{
    self, Attachment, EntryView, ListFilter, ListSummary, ListView, Nomination, ObjectionRow,
    Progress, Removal, StepInput, StepRow, documents,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{check_year, done, id_of, text, within};
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A document attached to a step, by reference to the county's archive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// What it is (`村民代表大会签到表`), 1–200 characters of plain text (no `<`, `>`, control
    /// or direction characters).
    pub title: String,
    /// Where it is kept, 1–500 characters: an `https:` link to the archive (no credentials), a
    /// document of this system (`/api/v1/exit-lists/{id}/documents/{kind}`), or a file stored
    /// for this list (`/api/v1/attachments/{id}`, from `POST /api/v1/attachments`; another
    /// list's is refused). With `exit.require_stored_evidence`, the appraisal and each notice
    /// need at least one stored file (422 `attachments` otherwise).
    pub uri: String,
    /// SHA-256 of the file (64 hex digits), when known.
    #[serde(default)]
    pub sha256: Option<String>,
}

pub(crate) fn attachments(
    list: Vec<AttachmentBody>,
    errs: &mut Vec<FieldError>,
) -> Vec<Attachment> {
    let out: Vec<Attachment> = list
        .into_iter()
        .map(|a| Attachment {
            title: a.title.trim().to_string(),
            uri: a.uri.trim().to_string(),
            sha256: a.sha256.map(|s| s.to_lowercase()),
        })
        .collect();
    exit::check_attachments(&out, errs);
    out
}

/// Nomination of households for exit by a villager group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationBody {
    /// The village (12 digits).
    #[schema(example = "370831100201")]
    pub village_code: String,
    /// The exit year: the yearly record of this year is checked against this year's line.
    pub year: i32,
    /// The nominating villager group (村民小组), 1–50 characters.
    pub villager_group: String,
    /// Date of the nomination.
    pub nominated_on: NaiveDate,
    /// Households nominated (1–500).
    pub households: Vec<Uuid>,
    /// Attached documents (the households' applications).
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// A household on a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    /// Household id.
    pub household_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// People at nomination.
    pub people: i32,
    /// Per-capita net income of the year, fen.
    pub income_per_capita_fen: i64,
    /// The year's poverty line, fen.
    pub poverty_line_fen: i64,
    /// Criteria as evaluated at nomination.
    #[schema(value_type = Vec<super::exit_dto::CriterionDto>)]
    pub criteria: serde_json::Value,
    /// Appraisal tally, once appraised.
    pub votes_for: Option<i32>,
    /// Against.
    pub votes_against: Option<i32>,
    /// Abstaining.
    pub votes_abstain: Option<i32>,
    /// Taken off the list.
    pub removed: bool,
    /// Why (appraisal, objection upheld, review).
    pub removed_reason: Option<String>,
}

impl From<EntryView> for EntryDto {
    fn from(e: EntryView) -> Self {
        let x = e.entry;
        Self {
            household_id: x.household_id,
            household_number: e.household_number,
            head_name: e.head_name,
            people: x.people,
            income_per_capita_fen: x.income_per_capita_fen,
            poverty_line_fen: x.poverty_line_fen,
            criteria: x.criteria,
            votes_for: x.votes_for,
            votes_against: x.votes_against,
            votes_abstain: x.votes_abstain,
            removed: x.removed,
            removed_reason: x.removed_reason,
        }
    }
}

/// A step taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepDto {
    /// Id.
    pub id: Uuid,
    /// `nomination`, `appraisal`, `verification`, `first_notice`, `township_review`,
    /// `second_notice`, `approval`, `announcement`, `filing`.
    pub step: String,
    /// Stage before.
    pub stage_from: Option<String>,
    /// Stage after.
    pub stage_to: String,
    /// Who took it.
    pub actor_id: Uuid,
    /// Their username.
    pub actor_username: String,
    /// Their org unit.
    pub actor_org: String,
    /// When.
    pub taken_at: DateTime<Utc>,
    /// What was recorded.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Attached documents.
    #[schema(value_type = Vec<super::exit_dto::AttachmentRefDto>)]
    pub attachments: serde_json::Value,
}

impl From<StepRow> for StepDto {
    fn from(s: StepRow) -> Self {
        Self {
            id: s.id,
            step: s.step,
            stage_from: s.stage_from,
            stage_to: s.stage_to,
            actor_id: s.actor_id,
            actor_username: s.actor_username,
            actor_org: format!("{:012}", s.actor_org),
            taken_at: s.taken_at,
            details: s.details,
            attachments: s.attachments,
        }
    }
}

/// An objection raised during a public notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionDto {
    /// Id.
    pub id: Uuid,
    /// The list.
    pub list_id: Uuid,
    /// The household objected to.
    pub household_id: Uuid,
    /// Village.
    pub village_code: String,
    /// The notice it was raised in: `first_notice`, `second_notice`, `announced`.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// Who raised it.
    pub raised_by: String,
    /// What it says.
    pub content: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// `open`, `upheld`, `dismissed`.
    pub status: String,
    /// Why it was upheld or dismissed.
    pub resolution_reason: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<ObjectionRow> for ObjectionDto {
    fn from(o: ObjectionRow) -> Self {
        Self {
            id: o.id,
            list_id: o.list_id,
            household_id: o.household_id,
            village_code: format!("{:012}", o.region_code),
            stage: o.stage,
            raised_by: o.raised_by,
            content: o.content,
            raised_at: o.raised_at,
            status: o.status,
            resolution_reason: o.resolution_reason,
            resolved_at: o.resolved_at,
        }
    }
}

/// A verification sign-off (issue 22, seed 1: 村两委和驻村工作队核实).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignoffDto {
    /// Id.
    pub id: Uuid,
    /// `village_committee` (村两委) or `resident_team` (驻村工作队).
    #[schema(value_type = domain::exit::SignoffBody)]
    pub body: String,
    /// Who signed.
    pub user_id: Uuid,
    /// Their username.
    pub username: String,
    /// The team they signed for (resident team only).
    pub team_id: Option<Uuid>,
    /// The day of the verification.
    pub signed_on: NaiveDate,
    /// When it was recorded.
    pub signed_at: DateTime<Utc>,
    /// Their opinion (the village committee's: its findings).
    pub opinion: String,
    /// Attached documents.
    #[schema(value_type = Vec<super::exit_dto::AttachmentRefDto>)]
    pub attachments: serde_json::Value,
}

impl From<SignoffRow> for SignoffDto {
    fn from(s: SignoffRow) -> Self {
        Self {
            id: s.id,
            body: s.body,
            user_id: s.user_id,
            username: s.username,
            team_id: s.team_id,
            signed_on: s.signed_on,
            signed_at: s.signed_at,
            opinion: s.opinion,
            attachments: s.attachments,
        }
    }
}

/// An acknowledgement of the filing by the city or the province (issue 22, seed 1: 逐级备案).
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementDto {
    /// Id.
    pub id: Uuid,
    /// `city` or `province`.
    pub level: String,
    /// Who.
    pub user_id: Uuid,
    /// Their username.
    pub username: String,
    /// Their org unit.
    pub org_unit: String,
    /// When.
    pub acknowledged_at: DateTime<Utc>,
    /// Their note.
    pub note: String,
}

impl From<AcknowledgementRow> for AcknowledgementDto {
    fn from(a: AcknowledgementRow) -> Self {
        Self {
            id: a.id,
            level: a.level,
            user_id: a.user_id,
            username: a.username,
            org_unit: format!("{:012}", a.org_unit),
            acknowledged_at: a.acknowledged_at,
            note: a.note,
        }
    }
}

/// An exit list with everything recorded on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExitListDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// Year.
    pub year: i32,
    /// `nominated`, `appraised`, `verified`, `first_notice`, `township_reviewed`,
    /// `second_notice`, `approved`, `announced`, `filed`.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// The stage in Chinese.
    pub stage_label: String,
    /// The step that may be taken next, if any.
    pub next_step: Option<String>,
    /// 村民小组.
    pub villager_group: String,
    /// Start of the running notice.
    pub notice_started_at: Option<DateTime<Utc>>,
    /// End of the running notice: the next step waits until then.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households still on the list.
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Version.
    pub version: i32,
    /// When filed.
    pub filed_at: Option<DateTime<Utc>>,
    /// Households (removed ones too, with the reason).
    pub entries: Vec<EntryDto>,
    /// Steps taken, in order.
    pub steps: Vec<StepDto>,
    /// Objections.
    pub objections: Vec<ObjectionDto>,
    /// Verification sign-offs (村两委, 驻村工作队), each by its own user, in order.
    pub signoffs: Vec<SignoffDto>,
    /// Acknowledgements of the filing (逐级备案): the city's, then the province's.
    pub acknowledgements: Vec<AcknowledgementDto>,
}

impl From<ListView> for ExitListDto {
    fn from(v: ListView) -> Self {
        let (households, people) = v.listed();
        let stage = Stage::parse(&v.list.stage).ok();
        Self {
            id: v.list.id,
            village_code: format!("{:012}", v.list.region_code),
            village_name: v.village_name,
            year: v.list.year,
            stage_label: stage.map(Stage::label).unwrap_or_default().to_string(),
            next_step: stage
                .and_then(Stage::next_step)
                .map(|s| s.as_str().to_string()),
            stage: v.list.stage,
            villager_group: v.list.villager_group,
            notice_started_at: v.list.notice_started_at,
            notice_ends_at: v.list.notice_ends_at,
            households,
            people,
            version: v.list.version,
            filed_at: v.list.filed_at,
            entries: v.entries.into_iter().map(EntryDto::from).collect(),
            steps: v.steps.into_iter().map(StepDto::from).collect(),
            objections: v.objections.into_iter().map(ObjectionDto::from).collect(),
            signoffs: v.signoffs.into_iter().map(SignoffDto::from).collect(),
            acknowledgements: v
                .acknowledgements
                .into_iter()
                .map(AcknowledgementDto::from)
                .collect(),
        }
    }
}

/// An exit list in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExitListSummaryDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// Year.
    pub year: i32,
    /// Stage.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// End of the running notice.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households on the list.
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Objections not resolved.
    pub open_objections: i64,
}

impl From<ListSummary> for ExitListSummaryDto {
    fn from(s: ListSummary) -> Self {
        Self {
            id: s.list.id,
            village_code: format!("{:012}", s.list.region_code),
            village_name: s.village_name,
            year: s.list.year,
            stage: s.list.stage,
            notice_ends_at: s.list.notice_ends_at,
            households: s.households,
            people: s.people,
            open_objections: s.open_objections,
        }
    }
}

/// Filters of the exit lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExitListParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// Year.
    pub year: Option<i32>,
    /// Stage.
    #[param(schema_with = domain::exit::Stage::input_schema)]
    pub stage: Option<String>,
}

/// Exit lists in your scope by village, newest year first in each. Users above the county see filed lists only.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ExitListParams, PageParams),
    responses(
        (status = 200, description = "A page of exit lists", body = Page<ExitListSummaryDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-lists")]
pub async fn list_exit_lists(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ExitListParams>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, i32, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    let rows = state
        .run(auth, move |conn, ctx| {
            let filter = ListFilter {
                within: within(p.region.as_deref(), ctx.caller.scope())?,
                year: p.year,
                stage: p
                    .stage
                    .as_deref()
                    .map(Stage::parse)
                    .transpose()
                    .map_err(|m| DomainError::field("stage", m))?,
            };
            exit::list(conn, ctx, &filter, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |s| (s.list.region_code, s.list.year, s.list.id),
        ExitListSummaryDto::from,
    )))
}

/// Nominates households of a village for exit (village step). Every household must meet the
/// year's exit criteria; otherwise nothing is written and the 422 names each household
/// (`households[i]`) with the criteria it fails and by how much.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    request_body = NominationBody,
    responses(
        (status = 201, description = "The new list", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A household fails the criteria, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists")]
pub async fn nominate(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NominationBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let village = RegionCode::parse(&b.village_code)
        .map_err(|m| errs.push(FieldError::new("village_code", m)))
        .ok();
    check_year(&mut errs, "year", b.year);
    let group = text(&mut errs, "villager_group", &b.villager_group, true, 50);
    if b.households.is_empty() || b.households.len() > 500 {
        errs.push(FieldError::new(
            "households",
            "must list 1 to 500 households",
        ));
    }
    let att = attachments(b.attachments, &mut errs);
    done(errs)?;
    let n = Nomination {
        village: village.unwrap_or(RegionCode::PLATFORM),
        year: b.year,
        villager_group: group,
        nominated_on: b.nominated_on,
        households: b.households,
        attachments: att,
    };
    let v = state
        .run(auth, move |conn, ctx| {
            if n.nominated_on > ctx.today() {
                return Err(DomainError::field(
                    "nominated_on",
                    "must not be in the future",
                ));
            }
            exit::nominate(conn, ctx, &n)
        })
        .await?;
    Ok(HttpResponse::Created().json(ExitListDto::from(v)))
}

/// An exit list with its households, steps and objections.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    responses(
        (status = 200, description = "The list", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or not filed, for users above the county)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-lists/{id}")]
pub async fn get_exit_list(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, ctx| exit::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// More households for a list still at nomination.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesBody {
    /// Households (1–500).
    pub households: Vec<Uuid>,
}

/// Adds households to a list that is still at nomination (village step), with the same
/// criteria check.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = EntriesBody,
    responses(
        (status = 200, description = "The list", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The list has moved past nomination", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A household fails the criteria", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/entries")]
pub async fn add_entries(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<EntriesBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let ids = body.0.households;
    if ids.is_empty() || ids.len() > 500 {
        return Err(DomainError::field("households", "must list 1 to 500 households").into());
    }
    let v = state
        .run(auth, move |conn, ctx| {
            exit::add_entries(conn, ctx, id, &ids)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// One household's tally.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// The household.
    pub household_id: Uuid,
    /// Votes for (赞成).
    #[serde(rename = "for")]
    pub votes_for: i32,
    /// Against (反对).
    pub against: i32,
    /// Abstaining (弃权).
    pub abstain: i32,
}

/// Democratic appraisal by the village representative assembly.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalBody {
    /// Meeting date: at most `exit.backdate_days` (30) days before the day it is entered, never
    /// in the future, never before the nomination.
    pub held_on: NaiveDate,
    /// Representatives attending (1–1000).
    pub attendees: i32,
    /// Minutes of the meeting, 1–5000 characters.
    pub minutes: String,
    /// A tally for every household on the list; a household without a majority of the
    /// attendees for it leaves the list.
    pub votes: Vec<VoteBody>,
    /// Attached documents (sign-in sheet, ballots).
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// Verification by the village committee and the resident team.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// Date of the verification: at most `exit.backdate_days` back, never in the future, never
    /// before the appraisal.
    pub verified_on: NaiveDate,
    /// Who verified (1–20 names).
    pub verifiers: Vec<String>,
    /// What they found, 1–5000 characters.
    pub findings: String,
    /// Attached documents.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// Opening of a public notice; its length is the setting of the county.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// Where it is posted, 1–200 characters.
    pub location: String,
    /// The day it was posted (today when absent): at most `exit.backdate_days` (30) days
    /// back, never in the future, never before the step it follows. The period runs from the
    /// day after (Civil Code §201) and ends on the working calendar (§203).
    #[serde(default)]
    pub posted_on: Option<NaiveDate>,
    /// Attached documents (a photo of the posted notice).
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// A household taken off at a review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalBody {
    /// The household.
    pub household_id: Uuid,
    /// Why, 1–500 characters.
    pub reason: String,
}

/// Township review or county approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// Opinion, 1–2000 characters.
    pub opinion: String,
    /// Document number of the decision (文号), up to 100 characters.
    #[serde(default)]
    pub decision_no: String,
    /// Households taken off the list, with reasons.
    #[serde(default)]
    pub removals: Vec<RemovalBody>,
    /// The day of the decision (today when absent): after the last day of the notice it
    /// follows, at most `exit.backdate_days` back, never in the future.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    /// Attached documents.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// Filing with the city and province.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    /// Filing reference, 1–100 characters.
    pub reference: String,
    /// The day it was filed (today when absent): after the announcement's last day.
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    /// Attached documents.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

async fn step(
    state: web::Data<AppState>,
    auth: Auth,
    path: &str,
    step: Step,
    input: StepInput,
    att: Vec<Attachment>,
    errs: Vec<FieldError>,
) -> ApiResult<HttpResponse> {
    let id = id_of(path)?;
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            exit::take_step(conn, ctx, id, step, &input, &att)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

pub(crate) fn notice_input(b: NoticeBody) -> (StepInput, Vec<Attachment>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let location = text(&mut errs, "location", &b.location, true, 200);
    let att = attachments(b.attachments, &mut errs);
    (
        StepInput::Notice {
            location,
            posted_on: b.posted_on,
        },
        att,
        errs,
    )
}

pub(crate) fn review_input(b: ReviewBody) -> (StepInput, Vec<Attachment>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let opinion = text(&mut errs, "opinion", &b.opinion, true, 2000);
    let decision_no = text(&mut errs, "decision_no", &b.decision_no, false, 100);
    let removals = b
        .removals
        .into_iter()
        .enumerate()
        .map(|(i, r)| Removal {
            household_id: r.household_id,
            reason: text(
                &mut errs,
                &format!("removals[{i}].reason"),
                &r.reason,
                true,
                500,
            ),
        })
        .collect();
    let att = attachments(b.attachments, &mut errs);
    (
        StepInput::Review {
            opinion,
            decision_no,
            removals,
            decided_on: b.decided_on,
        },
        att,
        errs,
    )
}

/// Records the democratic appraisal (village step, after nomination).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = AppraisalBody,
    responses(
        (status = 200, description = "The list, appraised", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, or no household passed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad tally (more votes than attendees, a household missing), or a meeting date in the future, too far back or before the nomination", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/appraisal")]
pub async fn appraisal(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AppraisalBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = appraisal_input(body.0);
    step(state, auth, &path, Step::Appraisal, input, att, errs).await
}

/// The appraisal's input (exit and intake lists alike).
pub(crate) fn appraisal_input(b: AppraisalBody) -> (StepInput, Vec<Attachment>, Vec<FieldError>) {
    let mut errs = Vec::new();
    if !(1..=1000).contains(&b.attendees) {
        errs.push(FieldError::new("attendees", "must be between 1 and 1000"));
    }
    let minutes = text(&mut errs, "minutes", &b.minutes, true, 5000);
    let att = attachments(b.attachments, &mut errs);
    let input = StepInput::Appraisal {
        held_on: b.held_on,
        attendees: b.attendees,
        minutes,
        votes: b
            .votes
            .into_iter()
            .map(|v| {
                (
                    v.household_id,
                    Votes {
                        for_: v.votes_for,
                        against: v.against,
                        abstain: v.abstain,
                    },
                )
            })
            .collect(),
    };
    (input, att, errs)
}

/// Records the village committee's verification sign-off (村两委, village step). The list is
/// `verified` at once unless the county requires the resident team's sign-off too
/// (`exit.team_verification_required`): then when both are recorded, by two people.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = VerificationBody,
    responses(
        (status = 200, description = "The list, with the sign-off (verified once every sign-off needed is there)", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, the village committee signed already (already_signed), or the caller signed for the resident team (same_signatory)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/verification")]
pub async fn verification(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<VerificationBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    if b.verifiers.is_empty() || b.verifiers.len() > 20 {
        errs.push(FieldError::new("verifiers", "must name 1 to 20 people"));
    }
    let verifiers = b
        .verifiers
        .iter()
        .enumerate()
        .map(|(i, v)| text(&mut errs, &format!("verifiers[{i}]"), v, true, 50))
        .collect();
    let findings = text(&mut errs, "findings", &b.findings, true, 5000);
    let att = attachments(b.attachments, &mut errs);
    let input = StepInput::Verification {
        verified_on: b.verified_on,
        verifiers,
        findings,
    };
    step(state, auth, &path, Step::Verification, input, att, errs).await
}

/// The resident team's verification sign-off (驻村工作队).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamSignoffBody {
    /// The day of the verification (today when absent): at most `exit.backdate_days` back,
    /// never in the future, never before the appraisal.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// The team's opinion, 1–5000 characters.
    pub opinion: String,
    /// Attached documents.
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// Records the resident team's verification sign-off (驻村工作队): by a `team_member` of the
/// village linked to a member, in term, of a team serving it. With
/// `exit.team_verification_required` the list is `verified` once the village committee has
/// signed too, by another person.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = TeamSignoffBody,
    responses(
        (status = 200, description = "The list, with the sign-off (verified once every sign-off needed is there)", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a team_member of the village, or not a member in term of a team serving it (named)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, the team signed already (already_signed), or the caller signed for the village committee (same_signatory)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the date in the future, too far back, or before the appraisal", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/verification/team")]
pub async fn team_verification(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TeamSignoffBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let opinion = text(&mut errs, "opinion", &b.opinion, true, 5000);
    let att = attachments(b.attachments, &mut errs);
    done(errs)?;
    let input = TeamSignoff {
        signed_on: b.signed_on,
        opinion,
        attachments: att,
    };
    let v = state
        .run(auth, move |conn, ctx| {
            exit::signoffs::sign_for_team(conn, ctx, id, &input)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// An acknowledgement of a filing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgementBody {
    /// A note, up to 2000 characters.
    #[serde(default)]
    pub note: String,
}

/// Acknowledges a filed list (逐级报市、省备案) at the caller's level: the city first, then the
/// province, each once, by a user holding `workflow:acknowledge` there.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = AcknowledgementBody,
    responses(
        (status = 200, description = "The list, with the acknowledgement", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a city or province user with workflow:acknowledge over the village (named)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (above the county: not filed yet)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not filed, the province before the city (step_out_of_order), or the level acknowledged already (already_acknowledged)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/acknowledgement")]
pub async fn acknowledgement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AcknowledgementBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, false, 2000);
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            exit::acknowledgements::acknowledge(conn, ctx, id, &note)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// Opens the first public notice in the village (village step); it runs for the county's
/// `exit.first_notice_days` (7 by default).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, in its first notice", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/first-notice")]
pub async fn first_notice(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = notice_input(body.0);
    step(state, auth, &path, Step::FirstNotice, input, att, errs).await
}

/// Records the township review (township step), after the first notice has ended with no
/// open objection; the township may take households off.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The list, reviewed", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, notice still running, objections open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/township-review")]
pub async fn township_review(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = review_input(body.0);
    step(state, auth, &path, Step::TownshipReview, input, att, errs).await
}

/// Opens the second public notice (township step); it runs for `exit.second_notice_days`.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, in its second notice", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/second-notice")]
pub async fn second_notice(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = notice_input(body.0);
    step(state, auth, &path, Step::SecondNotice, input, att, errs).await
}

/// Records the county leading group's approval (county step), after the second notice has
/// ended with no open objection.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "The list, approved", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, notice still running, objections open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/approval")]
pub async fn approval(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ReviewBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = review_input(body.0);
    step(state, auth, &path, Step::Approval, input, att, errs).await
}

/// Opens the announcement in the village (county step); it runs for
/// `exit.announcement_days` (5 by default).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, announced", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/announcement")]
pub async fn announcement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<NoticeBody>,
) -> ApiResult<HttpResponse> {
    let (input, att, errs) = notice_input(body.0);
    step(state, auth, &path, Step::Announcement, input, att, errs).await
}

/// Files the exit with the city and province (county step), after the announcement has ended
/// with no open objection. Every household left on the list becomes `exited`.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = FilingBody,
    responses(
        (status = 200, description = "The list, filed", body = ExitListDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Out of order, announcement still running, objections open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the step's date in the future, too far back, or before the step it follows (naming both dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/filing")]
pub async fn filing(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<FilingBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    let reference = text(&mut errs, "reference", &b.reference, true, 100);
    let att = attachments(b.attachments, &mut errs);
    step(
        state,
        auth,
        &path,
        Step::Filing,
        StepInput::Filing {
            reference,
            filed_on: b.filed_on,
        },
        att,
        errs,
    )
    .await
}

/// One of the eight documents of seed 1, generated from the recorded data: `application`,
/// `assembly_minutes`, `appraisal_tally`, `village_notice`, `township_report`,
/// `township_notice`, `county_report`, `county_announcement`. As a printable HTML page (the
/// default), PDF (A4 in the layout of GB/T 9704-2012, text in an embedded CJK font) or DOCX,
/// chosen by `?format=` or else `Accept`. In Chinese (the official form), or in English when
/// `Accept-Language` prefers English (`Content-Language` says which). Audited. Each exists once
/// its step is taken; `county_report` (the submission for approval, 送审) once the second notice
/// has ended with no objection open, before the approval, and it never prints the approval.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Exit list id"),
        ("kind" = String, Path, description = "Document kind"),
        crate::documents::FormatParams,
    ),
    responses(
        (status = 200, description = "The document in the format asked for", content(
            (String = "text/html"),
            (crate::documents::FileBytes = "application/pdf"),
            (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such list or kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The step that produces it has not been taken (for `county_report`: the second notice has not ended, or objections are open)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format` is not html, pdf or docx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-lists/{id}/documents/{kind}")]
pub async fn document(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: web::Query<crate::documents::FormatParams>,
) -> ApiResult<HttpResponse> {
    let (id, kind) = path.into_inner();
    let id = id_of(&id)?;
    let format = crate::documents::negotiate(&req, &params)?;
    // The official form is Chinese; English when the caller asks for it.
    let asked = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = match (asked, crate::i18n::Lang::from_accept_language(asked)) {
        (Some(_), crate::i18n::Lang::En) => documents::Lang::En,
        _ => documents::Lang::Zh,
    };
    let d = state
        .run(auth, move |conn, ctx| {
            documents::render(conn, ctx, id, &kind, lang)
        })
        .await?;
    crate::documents::respond(d.doc, format).await
}

/// An objection to a household on the list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    /// The household objected to.
    pub household_id: Uuid,
    /// Who raised it (a villager's name, or `匿名`), 1–50 characters.
    pub raised_by: String,
    /// What it says, 1–2000 characters.
    pub content: String,
}

/// The household, who raised it and what it says, checked (exit and intake lists).
///
/// # Errors
/// `Validation` naming `raised_by` or `content`.
pub fn objection_input(b: ObjectionBody) -> Result<(Uuid, String, String), DomainError> {
    let mut errs = Vec::new();
    let by = text(&mut errs, "raised_by", &b.raised_by, true, 50);
    let content = text(&mut errs, "content", &b.content, true, 2000);
    done(errs)?;
    Ok((b.household_id, by, content))
}

/// Whether the objection is upheld, and why, checked (exit and intake lists).
///
/// # Errors
/// `Validation` naming `outcome` or `reason`.
pub fn resolution_input(b: ResolutionBody) -> Result<(bool, String), DomainError> {
    let mut errs = Vec::new();
    let upheld = match b.outcome.as_str() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            errs.push(FieldError::new("outcome", "must be upheld or dismissed"));
            false
        }
    };
    let reason = text(&mut errs, "reason", &b.reason, true, 2000);
    done(errs)?;
    Ok((upheld, reason))
}

/// Records an objection raised during the running notice. The level that owns the notice
/// records it (village for the first, township for the second, county for the announcement);
/// it blocks the next step until resolved.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = ObjectionBody,
    responses(
        (status = 201, description = "Recorded", body = ObjectionDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not of the level that owns the notice", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No notice is running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the household is not on the list", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/objections")]
pub async fn raise_objection(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ObjectionBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (household, by, content) = objection_input(body.0)?;
    let o = state
        .run(auth, move |conn, ctx| {
            exit::raise_objection(conn, ctx, id, household, &by, &content)
        })
        .await?;
    Ok(HttpResponse::Created().json(ObjectionDto::from(o)))
}

/// Filters of the objection queue.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectionParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// `open`, `upheld`, `dismissed`.
    pub status: Option<String>,
}

/// Objections in your scope, oldest first (the open ones are the work queue).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ObjectionParams, PageParams),
    responses(
        (status = 200, description = "A page of objections", body = Page<ObjectionDto>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ObjectionParams>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    if let Some(s) = &p.status
        && !["open", "upheld", "dismissed"].contains(&s.as_str())
    {
        return Err(DomainError::field("status", "must be one of open, upheld, dismissed").into());
    }
    let rows = state
        .run(auth, move |conn, ctx| {
            let w = within(p.region.as_deref(), ctx.caller.scope())?;
            exit::objections(conn, ctx, w, p.status.as_deref(), after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |o| (o.raised_at, o.id),
        ObjectionDto::from,
    )))
}

/// The resolution of an objection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    /// `upheld` (the household leaves the list) or `dismissed`.
    pub outcome: String,
    /// Why, 1–2000 characters.
    pub reason: String,
}

/// Resolves an objection, by the level that owns the notice it was raised in.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = ResolutionBody,
    responses(
        (status = 200, description = "Resolved", body = ObjectionDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not of the level that owns the notice", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Resolved already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/objections/{id}/resolution")]
pub async fn resolve_objection(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ResolutionBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let (upheld, reason) = resolution_input(body.0)?;
    let o = state
        .run(auth, move |conn, ctx| {
            exit::resolve_objection(conn, ctx, id, upheld, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ObjectionDto::from(o)))
}

/// A county's exit target for a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// People to lift out of poverty that year (0–10,000,000).
    pub people: i32,
}

/// Sets a county's yearly exit target in people (county step).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    request_body = TargetBody,
    responses(
        (status = 200, description = "Progress of the county that year", body = ProgressDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such county in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/exit-targets/{county_code}/{year}")]
pub async fn put_target(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<TargetBody>,
) -> ApiResult<HttpResponse> {
    let (county, year) = path.into_inner();
    let county = RegionCode::parse(&county)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    if !(0..=10_000_000).contains(&body.0.people) {
        errs.push(FieldError::new("people", "must be between 0 and 10000000"));
    }
    done(errs)?;
    let people = body.0.people;
    let p = state
        .run(auth, move |conn, ctx| {
            exit::set_target(conn, ctx, county, year, people)?;
            exit::progress(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProgressDto::from(p)))
}

/// Progress of a region (and of each region one level below) against exit targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    /// The year.
    pub year: Option<i32>,
    /// The region asked for.
    #[schema(value_type = super::exit_dto::ProgressRowDto)]
    pub total: serde_json::Value,
    /// Each child region.
    #[schema(value_type = Vec<super::exit_dto::ProgressRowDto>)]
    pub children: Vec<serde_json::Value>,
}

impl From<(Progress, Vec<Progress>)> for ProgressDto {
    fn from((total, children): (Progress, Vec<Progress>)) -> Self {
        Self {
            year: None,
            total: serde_json::to_value(total).unwrap_or_default(),
            children: children
                .into_iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
        }
    }
}

/// `?region=&year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// Any region in your scope (default: your org unit).
    pub region: Option<String>,
    /// Year.
    pub year: i32,
}

/// Exits against targets for a region and each region one level down: target people (sum of
/// the counties' targets), people and households in filed exits, people on lists in progress
/// (county users and below), percent of target.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ProgressParams),
    responses(
        (status = 200, description = "Progress", body = ProgressDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-progress")]
pub async fn exit_progress(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ProgressParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let mut errs = Vec::new();
    check_year(&mut errs, "year", p.year);
    done(errs)?;
    let region = p
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    let year = p.year;
    let out = state
        .run(auth, move |conn, ctx| {
            exit::progress(conn, ctx, region.unwrap_or(ctx.caller.org), year)
        })
        .await?;
    let mut dto = ProgressDto::from(out);
    dto.year = Some(year);
    Ok(HttpResponse::Ok().json(dto))
}

/// The exit criteria of a household for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaDto {
    /// Household.
    pub household_id: Uuid,
    /// Year.
    pub year: i32,
    /// Whether every criterion is met.
    pub eligible: bool,
    /// Per-capita net income recorded for the year, fen.
    pub income_per_capita_fen: i64,
    /// The year's poverty line, fen (absent when not set).
    pub poverty_line_fen: Option<i64>,
    /// Each criterion, evaluated.
    #[schema(value_type = Vec<super::exit_dto::CriterionDto>)]
    pub criteria: Vec<Criterion>,
    /// The last year an exited household keeps its support policies (脱贫不脱政策).
    pub policies_retained_until: Option<i32>,
}

/// `?year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Year.
    pub year: i32,
}

/// Whether a household meets the exit criteria of a year, criterion by criterion, and by how
/// much it misses the income line.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), YearParam),
    responses(
        (status = 200, description = "The criteria", body = CriteriaDto),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/exit-criteria")]
pub async fn exit_criteria(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: web::Query<YearParam>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let year = params.year;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    done(errs)?;
    let (income, line, criteria, until) = state
        .run(auth, move |conn, ctx| {
            let (income, line, c) = exit::criteria(conn, ctx, id, year)?;
            let until = exit::policies_retained_until(conn, ctx, id)?;
            Ok((income, line, c, until))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CriteriaDto {
        household_id: id,
        year,
        eligible: criteria.iter().all(|c| c.met),
        income_per_capita_fen: income,
        poverty_line_fen: line,
        criteria,
        policies_retained_until: until,
    }))
}
