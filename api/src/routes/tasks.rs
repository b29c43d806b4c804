//! The to-do inbox: `GET /api/v1/me/tasks`, everything waiting for the caller's roles in their
//! scope, by due date on the working calendar (`infra::app::tasks`).

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use domain::{DomainError, FieldError};
use infra::app::tasks::{self, Task, TaskKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::answers::NotSignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::page::{PageParams, encode_cursor};
use crate::state::{AppState, Auth};

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKindDto {
    /// An exit list waits for the next step at your level (appraisal, verification, first
    /// notice; second notice; announcement).
    ExitStep,
    /// An exit list's notice has ended and the step after it is yours (township review after
    /// the first notice, approval after the second, filing after the announcement), or an
    /// intake list's (township review).
    NoticeEnded,
    /// An objection raised during a notice your level runs (an exit or intake list's) waits
    /// for its resolution.
    Objection,
    /// A monitoring case waits for your level (township review, county confirmation); due on its
    /// identification deadline.
    MonitoringCase,
    /// A property-check hit in your village waits for verification.
    PropertyHit,
    /// A township's property-check table waits for the county's confirmation.
    PropertyTable,
    /// A ranger contract's month has ended and is not paid (the first such month).
    RangerMonth,
    /// A household paired with you has gone unvisited longer than `teams.visit_interval_days`.
    VisitOverdue,
    /// A job you started failed.
    FailedJob,
    /// A grant of an operational role waits for a second administrator's approval, and you may
    /// give it (`users.operational_grant_approval`).
    GrantRequest,
    /// A village of an open campaign (动态调整) is late on a step (`action`: the step; `part`:
    /// the village); due on the step's due date. Township and county.
    CampaignStep,
    /// An intake list (新识别/返贫纳入) waits for the next step at your level (appraisal and
    /// notice: village; approval and announcement: county). Its ended notice is `notice_ended`
    /// (the township review), its open objections `objection` (the village).
    IntakeStep,
    /// The county's campaign of a year is open and your township has no plan of that year
    /// (`PUT /township-plans/{township_code}/{year}`, the `action_link`); township only.
    TownshipPlan,
    /// The platform holds no working calendar (the State Council's holiday arrangement) of a
    /// year periods need: the next year from 1 November, the current one whenever missing
    /// (`part`: the year; `PUT /calendar/{year}`, the `action_link`); platform administrators
    /// only. Periods touching such a year are provisional (docs/calendar.md).
    CalendarYear,
}

impl From<TaskKind> for TaskKindDto {
    fn from(k: TaskKind) -> Self {
        match k {
            TaskKind::ExitStep => Self::ExitStep,
            TaskKind::NoticeEnded => Self::NoticeEnded,
            TaskKind::Objection => Self::Objection,
            TaskKind::MonitoringCase => Self::MonitoringCase,
            TaskKind::PropertyHit => Self::PropertyHit,
            TaskKind::PropertyTable => Self::PropertyTable,
            TaskKind::RangerMonth => Self::RangerMonth,
            TaskKind::VisitOverdue => Self::VisitOverdue,
            TaskKind::FailedJob => Self::FailedJob,
            TaskKind::GrantRequest => Self::GrantRequest,
            TaskKind::CampaignStep => Self::CampaignStep,
            TaskKind::IntakeStep => Self::IntakeStep,
            TaskKind::TownshipPlan => Self::TownshipPlan,
            TaskKind::CalendarYear => Self::CalendarYear,
        }
    }
}

/// One piece of waiting work.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    /// What kind.
    pub kind: TaskKindDto,
    /// The object's type: `exit_list`, `exit_objection`, `monitoring_case`, `property_hit`,
    /// `property_check`, `ranger_contract`, `household`, `job`, `calendar_year` (its
    /// `object_id` the nil UUID, `part` the year).
    #[schema(example = "exit_list")]
    pub object_type: String,
    /// The object's id.
    pub object_id: Uuid,
    /// Which part of the object, where one object carries several tasks: the township code of
    /// a property table, the month (`YYYY-MM`) of a ranger contract, the year of a
    /// `calendar_year` task; absent otherwise.
    pub part: Option<String>,
    /// The object's region (a village; the township for a property table; the job's org unit).
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// The step or operation that takes the task off the list (`appraisal`, `township_review`,
    /// `approval`, `resolution`, `confirmation`, `verification`, `payout`, `visit`, `review`…).
    #[schema(example = "approval")]
    pub action: String,
    /// The day the work began waiting (China time): the last step, the notice's last day, the
    /// objection, the finding, the batch, the month's last day, the last visit, the failure.
    pub since: NaiveDate,
    /// The day it is due: the identification deadline of a monitoring case; the last visit plus
    /// the visit interval; otherwise `tasks.due_working_days` working days after `since` on the
    /// working calendar (a failed job is due the day it failed).
    pub due_on: NaiveDate,
    /// Whether `due_on` has passed.
    pub overdue: bool,
    /// Where to read the object (API path).
    #[schema(example = "/api/v1/exit-lists/0b6f7a8e-2f43-4c4e-9a53-5c1f0d1e2a3b")]
    pub link: String,
    /// Where to take the action (API path; see its operation for the method and body).
    #[schema(example = "/api/v1/exit-lists/0b6f7a8e-2f43-4c4e-9a53-5c1f0d1e2a3b/approval")]
    pub action_link: String,
}

impl TaskDto {
    fn new(t: Task, today: NaiveDate) -> Self {
        Self {
            kind: t.kind.into(),
            object_type: t.object_type.into(),
            object_id: t.object_id,
            part: (!t.part.is_empty()).then_some(t.part),
            region_code: t.region_code.to_string(),
            action: t.action.into(),
            since: t.since,
            due_on: t.due_on,
            overdue: t.due_on < today,
            link: t.link,
            action_link: t.action_link,
        }
    }
}

/// How many tasks of each kind wait (all of them, whatever the page or `kind` filter).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TaskCounts {
    /// Exit steps at your level.
    pub exit_step: i64,
    /// Ended notices whose next step is yours.
    pub notice_ended: i64,
    /// Objections to resolve.
    pub objection: i64,
    /// Monitoring cases to decide.
    pub monitoring_case: i64,
    /// Property hits to verify.
    pub property_hit: i64,
    /// Township property tables to confirm.
    pub property_table: i64,
    /// Ranger contracts with a month to pay.
    pub ranger_month: i64,
    /// Households to visit.
    pub visit_overdue: i64,
    /// Failed jobs.
    pub failed_job: i64,
    /// Grant requests to approve.
    pub grant_request: i64,
    /// Campaign villages late on a step.
    pub campaign_step: i64,
    /// Intake steps at your level.
    pub intake_step: i64,
    /// Township plans missing for a year with an open campaign.
    pub township_plan: i64,
    /// Years of the working calendar to add (platform administrators).
    pub calendar_year: i64,
    /// Of all these, how many are past their due date.
    pub overdue: i64,
    /// All tasks.
    pub total: i64,
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    /// Tasks by due date, then kind, object and part (a stable order).
    pub items: Vec<TaskDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Counts by kind over the whole inbox.
    pub counts: TaskCounts,
    /// Today in China, against which `overdue` is judged.
    pub today: NaiveDate,
}

/// Filters of the inbox.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// Only tasks of this kind (`exit_step`, `notice_ended`, `objection`, `monitoring_case`,
    /// `property_hit`, `property_table`, `ranger_month`, `visit_overdue`, `failed_job`). Counts
    /// stay over every kind.
    #[param(inline, value_type = Option<TaskKindDto>)]
    pub kind: Option<String>,
}

type Cursor = (NaiveDate, String, Uuid, String);

/// Your to-do inbox: everything waiting for your roles in your scope (exit steps at your level,
/// notices that have ended, objections to resolve, monitoring cases before their identification
/// deadline, property hits to verify, township tables to confirm, ranger months to pay,
/// households overdue for a visit, jobs you started that failed), with counts by kind, ordered by
/// due date on the working calendar. A user without any of that work gets an empty inbox.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(TaskParams, PageParams),
    responses(
        (status = 200, description = "A page of the inbox, with counts by kind", body = TaskPage),
        NotSignedIn,
        (status = 422, description = "Unknown `kind`, bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/tasks")]
pub async fn list_tasks(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<TaskParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = usize::try_from(page.limit()?).unwrap_or(0);
    let after: Option<Cursor> = page.cursor()?;
    let kind = params.kind.clone();
    let inbox = state
        .run(auth, move |conn, ctx| {
            let only = kind
                .as_deref()
                .map(TaskKind::parse)
                .transpose()
                .map_err(|m| DomainError::field("kind", m))?;
            let inbox = tasks::inbox(conn, ctx)?;
            Ok((inbox, only))
        })
        .await?;
    let (inbox, only) = inbox;
    let today = inbox.today;
    let mut counts = TaskCounts::default();
    for t in &inbox.tasks {
        let c = match t.kind {
            TaskKind::ExitStep => &mut counts.exit_step,
            TaskKind::NoticeEnded => &mut counts.notice_ended,
            TaskKind::Objection => &mut counts.objection,
            TaskKind::MonitoringCase => &mut counts.monitoring_case,
            TaskKind::PropertyHit => &mut counts.property_hit,
            TaskKind::PropertyTable => &mut counts.property_table,
            TaskKind::RangerMonth => &mut counts.ranger_month,
            TaskKind::VisitOverdue => &mut counts.visit_overdue,
            TaskKind::FailedJob => &mut counts.failed_job,
            TaskKind::GrantRequest => &mut counts.grant_request,
            TaskKind::CampaignStep => &mut counts.campaign_step,
            TaskKind::IntakeStep => &mut counts.intake_step,
            TaskKind::TownshipPlan => &mut counts.township_plan,
            TaskKind::CalendarYear => &mut counts.calendar_year,
        };
        *c += 1;
        counts.total += 1;
        if t.due_on < today {
            counts.overdue += 1;
        }
    }
    let key = |t: &Task| -> Cursor {
        (
            t.due_on,
            t.kind.as_str().to_owned(),
            t.object_id,
            t.part.clone(),
        )
    };
    let after_key = match after {
        None => None,
        Some((d, k, id, part)) => {
            let k = TaskKind::parse(&k).map_err(|_| {
                ApiError::BadParameter(FieldError::new("cursor", domain::Rule::InvalidCursor))
            })?;
            Some((d, k, id, part))
        }
    };
    let mut rest = inbox
        .tasks
        .into_iter()
        .filter(|t| only.is_none_or(|k| t.kind == k))
        .filter(|t| {
            after_key.as_ref().is_none_or(|(d, k, id, part)| {
                (t.due_on, t.kind, t.object_id, t.part.as_str()) > (*d, *k, *id, part.as_str())
            })
        });
    let mut items: Vec<Task> = rest.by_ref().take(limit).collect();
    let more = rest.next().is_some();
    let next_cursor = if more {
        items.last().map(|t| encode_cursor(&key(t)))
    } else {
        None
    };
    let items = items.drain(..).map(|t| TaskDto::new(t, today)).collect();
    Ok(HttpResponse::Ok().json(TaskPage {
        items,
        next_cursor,
        counts,
        today,
    }))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_tasks => Authenticated,
    },
}
