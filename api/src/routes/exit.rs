//! Exit of households (贫困户退出): exit lists and their steps, objections, documents, targets
//! and progress, and the criteria check of one household.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
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
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

mod reports;
pub use reports::*;

mod signoffs;
pub use signoffs::*;

mod dtos;
pub use dtos::*;

mod bodies;
pub use bodies::*;

/// Exit lists in your scope by village, newest year first in each. Users above the county see filed lists only.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(ExitListParams, PageParams),
    responses(
        (status = 200, description = "A page of exit lists", body = Page<ExitListSummaryDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exit-lists")]
pub async fn list_exit_lists(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<ExitListParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, i32, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
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
    params(IdempotencyKey),
    request_body = NominationBody,
    responses(
        (status = 201, description = "The new list", body = ExitListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A household fails the criteria, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists")]
pub async fn nominate(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NominationBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
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
            domain::Rule::other("must list 1 to 500 households", "须列出 1 至 500 户"),
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
    once.create(&state, auth, move |conn, ctx| {
        if n.nominated_on > ctx.today() {
            return Err(DomainError::field(
                "nominated_on",
                domain::Rule::NotInFuture,
            ));
        }
        let v = exit::nominate(conn, ctx, &n)?;
        Ok(ExitListDto::from(v))
    })
    .await
}

/// An exit list with its households, steps and objections.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    responses(
        (status = 200, description = "The list; ETag carries its version", body = ExitListDto),
        NotSignedIn,
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
    let dto = ExitListDto::from(v);
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::http::etag::etag(dto.version),
        ))
        .json(dto))
}

/// More households for a list still at nomination.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesBody {
    /// Households (1–500).
    #[schema(min_items = 1, max_items = 500)]
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
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        return Err(DomainError::field(
            "households",
            domain::Rule::other("must list 1 to 500 households", "须列出 1 至 500 户"),
        )
        .into());
    }
    let v = state
        .run(auth, move |conn, ctx| {
            exit::add_entries(conn, ctx, id, &ids)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// Records the democratic appraisal (village step, after nomination).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = AppraisalBody,
    responses(
        (status = 200, description = "The list, appraised", body = ExitListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        errs.push(FieldError::new("attendees", domain::Rule::range(1, 1000)));
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
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        errs.push(FieldError::new(
            "verifiers",
            domain::Rule::other("must name 1 to 20 people", "须列出 1 至 20 人"),
        ));
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

/// Opens the first public notice in the village (village step); it runs for the county's
/// `exit.first_notice_days` (7 by default).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = NoticeBody,
    responses(
        (status = 200, description = "The list, in its first notice", body = ExitListDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
        (status = 403, description = "Not a township user with workflow:township over the village", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        NotFound,
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
/// its step is taken; `county_report` (the township's submission to the county leading group
/// for approval, 送审, covering the township's lists) once the second notice has ended with no
/// objection open, before the approval, and it never prints the approval.
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
        NotSignedIn,
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
    params: crate::http::query::Query<crate::documents::FormatParams>,
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

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_exit_lists => Permission(perm::WORKFLOW_READ),
        nominate => Permission(perm::WORKFLOW_VILLAGE),
        get_exit_list => Permission(perm::WORKFLOW_READ),
        add_entries => Permission(perm::WORKFLOW_VILLAGE),
        appraisal => Permission(perm::WORKFLOW_VILLAGE),
        verification => Permission(perm::WORKFLOW_VILLAGE),
        team_verification => Permission(perm::WORKFLOW_READ),
        acknowledgement => Permission(perm::WORKFLOW_ACKNOWLEDGE),
        first_notice => Permission(perm::WORKFLOW_VILLAGE),
        township_review => Permission(perm::WORKFLOW_TOWNSHIP),
        second_notice => Permission(perm::WORKFLOW_TOWNSHIP),
        approval => Permission(perm::WORKFLOW_COUNTY),
        announcement => Permission(perm::WORKFLOW_COUNTY),
        filing => Permission(perm::WORKFLOW_COUNTY),
        document => Permission(perm::WORKFLOW_READ),
        raise_objection => Permission(perm::WORKFLOW_READ),
        list_objections => Permission(perm::WORKFLOW_READ),
        resolve_objection => Permission(perm::WORKFLOW_READ),
        put_target => Permission(perm::WORKFLOW_COUNTY),
        exit_progress => Permission(perm::WORKFLOW_READ),
        exit_criteria => Permission(perm::WORKFLOW_READ),
    },
}
