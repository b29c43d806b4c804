//! The yearly dynamic-adjustment campaign (动态调整, issue 19 item 2): open it with due dates,
//! follow every village per step, excuse villages, close it; intake targets (总量控制).

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::{Status, Step, StepState};
use domain::{DomainError, FieldError, Level, RegionCode};
use infra::app::campaign::{
    self, CampaignRow, CampaignView, Flow, NewCampaign, StepCounts, VillageFilter, VillageProgress,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{check_year, done, id_of, text};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams, encode_cursor};
use crate::state::{AppState, Auth};

/// Due dates given instead of the settings' defaults (`campaign.<step>_days` after opening);
/// each on or after the opening day, none before the step it follows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesBody {
    /// Democratic appraisal.
    #[serde(default)]
    pub appraisal: Option<NaiveDate>,
    /// The village's notice ended.
    #[serde(default)]
    pub village_notice: Option<NaiveDate>,
    /// Township review.
    #[serde(default)]
    pub township_review: Option<NaiveDate>,
    /// County approval.
    #[serde(default)]
    pub county_approval: Option<NaiveDate>,
    /// Announcement.
    #[serde(default)]
    pub announcement: Option<NaiveDate>,
}

/// A campaign to open.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    /// The county (6 or 12 digits).
    #[schema(example = "370831")]
    pub county_code: String,
    /// The year whose exits and intakes the campaign follows.
    pub year: i32,
    /// Due dates; absent ones default from the settings. A due date on a rest day of the
    /// working calendar moves to the next working day.
    #[serde(default)]
    pub deadlines: DeadlinesBody,
    /// A note, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A step's due date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineDto {
    /// The step.
    pub step: Step,
    /// The day set, or defaulted from the settings.
    pub nominal: NaiveDate,
    /// The day it falls due: `nominal`, or the next working day when that is a rest day.
    pub due_on: NaiveDate,
}

/// A campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignSummaryDto {
    /// Id.
    pub id: Uuid,
    /// The county (12 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// `open` or `closed`.
    pub status: Status,
    /// Opened on (China date).
    pub opened_on: NaiveDate,
    /// Due dates, in step order.
    pub deadlines: Vec<DeadlineDto>,
    /// Note.
    pub note: Option<String>,
    /// Opened by.
    pub created_by: Uuid,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Closed by.
    pub closed_by: Option<Uuid>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<CampaignRow> for CampaignSummaryDto {
    fn from(c: CampaignRow) -> Self {
        Self {
            id: c.id,
            county_code: format!("{:012}", c.region_code),
            year: c.year,
            status: c.status().unwrap_or(Status::Open),
            opened_on: c.opened_on,
            deadlines: c
                .deadlines()
                .unwrap_or_default()
                .into_iter()
                .map(|d| DeadlineDto {
                    step: d.step,
                    nominal: d.nominal,
                    due_on: d.due_on,
                })
                .collect(),
            note: c.note,
            created_by: c.created_by,
            created_at: c.created_at,
            closed_by: c.closed_by,
            closed_at: c.closed_at,
        }
    }
}

/// Villages per state on one step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepCountsDto {
    /// The step.
    pub step: Step,
    /// No list reached the step.
    pub not_started: i64,
    /// Working on it.
    pub in_progress: i64,
    /// A notice before it running.
    pub notice_running: i64,
    /// Done.
    pub done: i64,
    /// Not done after the due date (excused villages are never late).
    pub late: i64,
}

impl From<StepCounts> for StepCountsDto {
    fn from(c: StepCounts) -> Self {
        let n = |s: StepState| {
            c.counts
                .iter()
                .find(|(x, _)| *x == s)
                .map_or(0, |(_, n)| *n)
        };
        Self {
            step: c.step,
            not_started: n(StepState::NotStarted),
            in_progress: n(StepState::InProgress),
            notice_running: n(StepState::NoticeRunning),
            done: n(StepState::Done),
            late: n(StepState::Late),
        }
    }
}

/// One kind of change in the year against its target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowDto {
    /// Households whose change took effect (exit filed; intake announced).
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Households on lists still in the procedure.
    pub in_procedure_households: i64,
    /// Their people.
    pub in_procedure_people: i64,
    /// The county's target of the year in people (exits: `PUT /exit-targets/…`; entries:
    /// `PUT /intake-targets/…` `people`; returns: its `returns_people`, a ceiling not to
    /// pass), where set and visible to you.
    pub target_people: Option<i64>,
    /// `people` as a percentage of the target, one decimal.
    pub percent_of_target: Option<f64>,
}

impl From<Flow> for FlowDto {
    fn from(f: Flow) -> Self {
        #[expect(
            clippy::cast_precision_loss,
            reason = "people counts are far below 2^52"
        )]
        let percent = f
            .target_people
            .filter(|t| *t > 0)
            .map(|t| (f.people as f64 * 1000.0 / t as f64).round() / 10.0);
        Self {
            households: f.households,
            people: f.people,
            in_procedure_households: f.in_procedure_households,
            in_procedure_people: f.in_procedure_people,
            target_people: f.target_people,
            percent_of_target: percent,
        }
    }
}

/// Exits, entries and returns of the year against the plan (总量控制、进出平衡).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotalsDto {
    /// Exits (脱贫).
    pub exits: FlowDto,
    /// Newly identified households (新识别).
    pub entries: FlowDto,
    /// Returns to poverty (返贫).
    pub returns: FlowDto,
    /// People in poverty added by the year's changes in force: entries and returns less exits.
    pub net_change_people: i64,
}

/// A campaign with counts per step and totals over the villages in your scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignDto {
    /// The campaign.
    #[serde(flatten)]
    pub campaign: CampaignSummaryDto,
    /// Villages in your scope.
    pub villages: i64,
    /// Villages with a step late.
    pub late_villages: i64,
    /// Villages excused.
    pub excused_villages: i64,
    /// Villages per state, per step.
    pub counts: Vec<StepCountsDto>,
    /// Exits, entries and returns against the targets.
    pub totals: TotalsDto,
}

impl From<CampaignView> for CampaignDto {
    fn from(v: CampaignView) -> Self {
        let t = v.totals;
        Self {
            campaign: v.campaign.into(),
            villages: v.villages,
            late_villages: v.late_villages,
            excused_villages: v.excused_villages,
            counts: v.counts.into_iter().map(Into::into).collect(),
            totals: TotalsDto {
                net_change_people: t.entries.people + t.returns.people - t.exits.people,
                exits: t.exits.into(),
                entries: t.entries.into(),
                returns: t.returns.into(),
            },
        }
    }
}

/// A village's state on one step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageStepDto {
    /// The step.
    pub step: Step,
    /// Its state.
    pub state: StepState,
}

/// A village's row of the campaign table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignVillageDto {
    /// Village (12 digits).
    pub village_code: String,
    /// Name.
    pub name: String,
    /// Its township (12 digits).
    pub township_code: String,
    /// State per step, in step order.
    pub steps: Vec<VillageStepDto>,
    /// Whether a step is late.
    pub late: bool,
    /// Exit and intake lists of the year.
    pub lists: i64,
    /// Whether the county excused the village.
    pub excused: bool,
    /// Why.
    pub excuse_reason: Option<String>,
    /// When.
    pub excused_at: Option<DateTime<Utc>>,
}

impl From<VillageProgress> for CampaignVillageDto {
    fn from(v: VillageProgress) -> Self {
        let late = v.late();
        let (excuse_reason, excused_at) =
            v.excuse.map_or((None, None), |(r, at)| (Some(r), Some(at)));
        Self {
            village_code: format!("{:012}", v.code),
            name: v.name,
            township_code: format!("{:012}", v.township),
            steps: v
                .steps
                .into_iter()
                .map(|(step, state)| VillageStepDto { step, state })
                .collect(),
            late,
            lists: v.lists,
            excused: excused_at.is_some(),
            excuse_reason,
            excused_at,
        }
    }
}

/// A page of the village table, with the counts over every village matching `township`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignVillagesDto {
    /// Villages per state, per step (over the township asked for, or your whole scope).
    pub counts: Vec<StepCountsDto>,
    /// Villages, by code.
    pub items: Vec<CampaignVillageDto>,
    /// The next page's cursor.
    pub next_cursor: Option<String>,
}

/// Filters of the village table.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignVillageParams {
    /// A township of the county (12 digits).
    pub township: Option<String>,
    /// `true`: only villages with a step late; `false`: only those without.
    pub late: Option<bool>,
}

/// An excuse.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcuseBody {
    /// The village (12 digits).
    pub village_code: String,
    /// Why it need not finish (本年度无增减, …), 1–500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// An intake target.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeTargetBody {
    /// People to take in that year, newly identified (0–10,000,000).
    #[schema(minimum = 0, maximum = 10000000)]
    pub people: i32,
    /// A ceiling on people returning to poverty that year (防止规模性返贫; 0–10,000,000),
    /// shown against the year's returns; absent: none.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000000)]
    pub returns_people: Option<i32>,
}

/// A county's intake target of a year, as set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeTargetDto {
    /// County (12 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// People to take in that year, newly identified.
    pub people: i32,
    /// The ceiling on people returning to poverty that year; absent: none.
    pub returns_people: Option<i32>,
    /// Set by (user id).
    pub set_by: Uuid,
    /// Set at.
    pub updated_at: DateTime<Utc>,
}

/// Opens the year's campaign of a county (county step, `workflow:county`). One open campaign
/// per county and year.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = CampaignBody,
    responses(
        (status = 201, description = "Opened", body = CampaignDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_open: the county has an open campaign that year", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: county_code, year, deadlines.<step> (before the opening or the step it follows), note", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns")]
pub async fn open_campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CampaignBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let county = RegionCode::parse(&b.county_code)
        .ok()
        .filter(|c| c.level() == Level::County);
    if county.is_none() {
        errs.push(FieldError::new(
            "county_code",
            domain::Rule::format(domain::Format::CountyCode),
        ));
    }
    check_year(&mut errs, "year", b.year);
    let note = b
        .note
        .as_deref()
        .map(|n| text(&mut errs, "note", n, false, 500));
    done(errs)?;
    let county = county.ok_or(DomainError::NotFound)?;
    let d = b.deadlines;
    let deadlines = [
        (Step::Appraisal, d.appraisal),
        (Step::VillageNotice, d.village_notice),
        (Step::TownshipReview, d.township_review),
        (Step::CountyApproval, d.county_approval),
        (Step::Announcement, d.announcement),
    ]
    .into_iter()
    .filter_map(|(s, d)| d.map(|d| (s, d)))
    .collect();
    let n = NewCampaign {
        county,
        year: b.year,
        deadlines,
        note,
    };
    once.create(&state, auth, move |conn, ctx| {
        let v = campaign::open(conn, ctx, &n)?;
        Ok(CampaignDto::from(v))
    })
    .await
}

/// Campaigns of your county, newest year first (none above the county).
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of campaigns", body = Page<CampaignSummaryDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    auth: Auth,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i32, Uuid)> = page.cursor()?;
    let rows = state
        .run(auth, move |conn, ctx| {
            campaign::list(conn, ctx, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| (r.year, r.id),
        CampaignSummaryDto::from,
    )))
}

/// A campaign with counts per step and state, late and excused villages, and the year's
/// exits, entries and returns against the targets, over the villages in your scope.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign", body = CampaignDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (another county's, or above the county)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, ctx| campaign::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(CampaignDto::from(v)))
}

/// The campaign's village table: per village and step, `not_started`, `in_progress`,
/// `notice_running`, `done` or `late`, derived from the village's exit and intake lists of the
/// year; with the counts per step. Filter by township and by `late`.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Campaign id"), CampaignVillageParams, PageParams),
    responses(
        (status = 200, description = "A page of villages with the counts", body = CampaignVillagesDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Bad township, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{id}/villages")]
pub async fn campaign_villages(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    params: crate::http::query::Query<CampaignVillageParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let limit = page.limit()?;
    let after: Option<i64> = page.cursor()?;
    let p = params.into_inner();
    let township = match p.township.as_deref() {
        None => None,
        Some(t) => Some(
            RegionCode::parse(t)
                .map_err(|m| DomainError::Validation(vec![FieldError::new("township", m)]))?,
        ),
    };
    let filter = VillageFilter {
        township,
        late: p.late,
    };
    let (counts, mut rows) = state
        .run(auth, move |conn, ctx| {
            campaign::villages(conn, ctx, id, filter, after, limit + 1)
        })
        .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(0);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(&r.code))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CampaignVillagesDto {
        counts: counts.into_iter().map(Into::into).collect(),
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Excuses a village from the campaign with a reason (county step); a second excuse replaces
/// the reason. An excused village is never late and does not hold up the closing.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Campaign id")),
    request_body = ExcuseBody,
    responses(
        (status = 200, description = "The campaign", body = CampaignDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "campaign_closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: village_code (not a village of the county), reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns/{id}/excuses")]
pub async fn excuse_village(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<ExcuseBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let village = RegionCode::parse(&b.village_code)
        .map_err(|m| errs.push(FieldError::new("village_code", m)))
        .ok();
    let reason = text(&mut errs, "reason", &b.reason, true, 500);
    done(errs)?;
    let village = village.ok_or(DomainError::NotFound)?;
    let v = state
        .run(auth, move |conn, ctx| {
            campaign::excuse(conn, ctx, id, village, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CampaignDto::from(v)))
}

/// Closes the campaign (county step) once every village of the county is done on every step
/// or excused; otherwise 409 `campaign_villages_pending` naming each such village.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Closed", body = CampaignDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "campaign_villages_pending (the message lists the village codes), or campaign_closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns/{id}/close")]
pub async fn close_campaign(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let v = state
        .run(auth, move |conn, ctx| campaign::close(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(CampaignDto::from(v)))
}

/// A county's intake target of a year (`workflow:read`; county and above, over the county):
/// 404 when none is set.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The target", body = IntakeTargetDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such county in your scope, or no target set for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/intake-targets/{county_code}/{year}")]
pub async fn get_intake_target(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (county, year) = path.into_inner();
    let county = RegionCode::parse(&county)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let (people, returns_people, set_by, updated_at) = state
        .run(auth, move |conn, ctx| {
            campaign::intake_target(conn, ctx, county, year)
        })
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(HttpResponse::Ok().json(IntakeTargetDto {
        county_code: format!("{:012}", county.as_i64()),
        year,
        people,
        returns_people,
        set_by,
        updated_at,
    }))
}

/// Sets a county's yearly intake target in people (newly identified; county step), shown
/// against the year's entries in its campaigns (总量控制), and optionally a ceiling on returns to
/// poverty, shown against the year's returns.
#[utoipa::path(
    tag = "campaign",
    security(("bearer" = [])),
    params(
        ("county_code" = String, Path, description = "County, 6 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    request_body = IntakeTargetBody,
    responses(
        (status = 204, description = "Set"),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such county in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: year, people, returns_people", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/intake-targets/{county_code}/{year}")]
pub async fn put_intake_target(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<IntakeTargetBody>,
) -> ApiResult<HttpResponse> {
    let (county, year) = path.into_inner();
    let county = RegionCode::parse(&county)
        .ok()
        .filter(|c| c.level() == Level::County)
        .ok_or(DomainError::NotFound)?;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    if !(0..=10_000_000).contains(&body.0.people) {
        errs.push(FieldError::new(
            "people",
            domain::Rule::range(0, 10_000_000),
        ));
    }
    if body
        .0
        .returns_people
        .is_some_and(|r| !(0..=10_000_000).contains(&r))
    {
        errs.push(FieldError::new(
            "returns_people",
            domain::Rule::range(0, 10_000_000),
        ));
    }
    done(errs)?;
    let (people, returns) = (body.0.people, body.0.returns_people);
    state
        .run(auth, move |conn, ctx| {
            campaign::set_intake_target(conn, ctx, county, year, people, returns)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_campaigns => Permission(perm::WORKFLOW_READ),
        open_campaign => Permission(perm::WORKFLOW_COUNTY),
        get_campaign => Permission(perm::WORKFLOW_READ),
        campaign_villages => Permission(perm::WORKFLOW_READ),
        excuse_village => Permission(perm::WORKFLOW_COUNTY),
        close_campaign => Permission(perm::WORKFLOW_COUNTY),
        get_intake_target => Permission(perm::WORKFLOW_READ),
        put_intake_target => Permission(perm::WORKFLOW_COUNTY),
    },
}
