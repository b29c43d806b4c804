//! Townships' yearly reduction plans and exit timetables (issue 22, seed 1: 各镇(街道)…制定年度
//! 减贫计划及退出时间表), their approval by the county, and their roll-up against the county's
//! target (总量控制) with the year's exits beside its entries and returns (进出平衡).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::exit::Step;
use domain::township_plan::{self as rules, Divergence, Figures, MilestoneState};
use domain::{DomainError, Level, RegionCode};
use infra::app::township_plans::{self as plans, Counts, PlanInput, PlanRow, Rollup};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{check_year, done};
use crate::error::answers::{BadField, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// One milestone of the timetable.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    /// The exit step every list of the township's villages has taken by then: one of
    /// `township_review`, `second_notice`, `approval`, `announcement`, `filing`, in this order,
    /// each at most once.
    #[schema(schema_with = domain::exit::Step::input_schema)]
    #[schema(example = "township_review")]
    pub step: String,
    /// Due on this day: on or after the day the plan was first entered, inside the plan's year,
    /// not before the milestone before it.
    pub due_on: NaiveDate,
}

/// A township's plan of a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Households planned to exit (0–1,000,000).
    #[schema(minimum = 0, maximum = 1000000)]
    pub exit_households: i32,
    /// People planned to exit (0–1,000,000, at least `exit_households`).
    #[schema(minimum = 0, maximum = 1000000)]
    pub exit_people: i32,
    /// People planned to be newly identified (新识别), if the township plans them (0–1,000,000).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub entry_people: Option<i32>,
    /// The exit timetable (退出时间表).
    #[serde(default)]
    pub milestones: Vec<MilestoneBody>,
}

/// A milestone as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneDto {
    /// The step.
    pub step: Step,
    /// Due on.
    pub due_on: NaiveDate,
}

/// A township's plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanDto {
    /// The township (12 digits).
    pub township_code: String,
    /// Its name.
    pub township_name: String,
    /// The year.
    pub year: i32,
    /// Households planned to exit.
    pub exit_households: i32,
    /// People planned to exit.
    pub exit_people: i32,
    /// People planned to be newly identified.
    pub entry_people: Option<i32>,
    /// The timetable.
    pub milestones: Vec<MilestoneDto>,
    /// The day the plan was first entered (milestones are due on or after it).
    pub created_on: NaiveDate,
    /// Version (the ETag).
    pub version: i32,
    /// Whether the county approved (locked) it.
    pub approved: bool,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn plan_dto(p: &PlanRow, name: String) -> PlanDto {
    PlanDto {
        township_code: format!("{:012}", p.region_code),
        township_name: name,
        year: p.year,
        exit_households: p.exit_households,
        exit_people: p.exit_people,
        entry_people: p.entry_people,
        milestones: p
            .timetable()
            .into_iter()
            .map(|m| MilestoneDto {
                step: m.step,
                due_on: m.due_on,
            })
            .collect(),
        created_on: p.created_on,
        version: p.version,
        approved: p.approved_at.is_some(),
        approved_at: p.approved_at,
        updated_at: p.updated_at,
    }
}

fn township_of(code: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(code)
        .ok()
        .filter(|c| c.level() == Level::Township)
        .ok_or_else(|| {
            DomainError::field(
                "township_code",
                domain::Rule::format(domain::Format::TownshipCode),
            )
        })
}

fn year_of(year: i32) -> Result<i32, DomainError> {
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    done(errs)?;
    Ok(year)
}

/// Enters or replaces a township's plan of a year: by the township (`workflow:township` at the
/// township) or by the county for it (`workflow:county` at the county). Replacing needs
/// `If-Match` with the version read; once the county approved the plan only the county changes
/// it.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("township_code" = String, Path, description = "Township, 9 or 12 digits"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = Option<String>, Header, description = "The version read, to replace a plan"),
    ),
    request_body = PlanBody,
    responses(
        (status = 201, description = "Created; ETag carries the version", body = PlanDto),
        (status = 200, description = "Replaced", body = PlanDto),
        NotSignedIn,
        (status = 403, description = "Neither the township's workflow:township nor the county's workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such township in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "plan_approved: the county approved the plan", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        BadField,
        (status = 428, description = "If-Match missing for a replacement", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/township-plans/{township_code}/{year}")]
pub async fn put_township_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: ValidJson<PlanBody>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let township = township_of(&code)?;
    let year = year_of(year)?;
    let b = body.0;
    let input = PlanInput {
        figures: Figures {
            exit_households: b.exit_households,
            exit_people: b.exit_people,
            entry_people: b.entry_people,
        },
        milestones: b
            .milestones
            .into_iter()
            .map(|m| (m.step, m.due_on))
            .collect(),
    };
    // The figures are checked before the transaction too (the dates need the stored plan).
    if let Err(e) = rules::check(year, NaiveDate::MIN, &input.figures, &[]) {
        return Err(e.into());
    }
    let m = match if_match(&req) {
        Ok(v) => Some(v),
        Err(DomainError::PreconditionRequired) => None,
        Err(e) => return Err(e.into()),
    };
    let ((p, created), name) = state
        .run(auth, move |conn, ctx| {
            let r = plans::put(conn, ctx, township, year, &input, m)?;
            let (_, name) = plans::get(conn, ctx, township, year)?;
            Ok((r, name))
        })
        .await?;
    let mut res = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res
        .insert_header((header::ETAG, etag(p.version)))
        .json(plan_dto(&p, name)))
}

/// A township's plan of a year.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("township_code" = String, Path, description = "Township, 9 or 12 digits"),
        ("year" = i32, Path, description = "Year"),
    ),
    responses(
        (status = 200, description = "The plan; ETag carries the version", body = PlanDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No plan of that township and year in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a township's code, or a bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/township-plans/{township_code}/{year}")]
pub async fn get_township_plan(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let township = township_of(&code)?;
    let year = year_of(year)?;
    let (p, name) = state
        .run(auth, move |conn, ctx| plans::get(conn, ctx, township, year))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(p.version)))
        .json(plan_dto(&p, name)))
}

/// `?year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// Year.
    pub year: i32,
}

/// The plans of a year of the townships in your scope, by code.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(YearParams),
    responses(
        (status = 200, description = "The plans", body = Vec<PlanDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/township-plans")]
pub async fn list_township_plans(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<YearParams>,
) -> ApiResult<HttpResponse> {
    let year = year_of(params.year)?;
    let rows = state
        .run(auth, move |conn, ctx| plans::list(conn, ctx, year))
        .await?;
    let out: Vec<PlanDto> = rows.into_iter().map(|(p, n)| plan_dto(&p, n)).collect();
    Ok(HttpResponse::Ok().json(out))
}

async fn approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    approve: bool,
) -> ApiResult<HttpResponse> {
    let (code, year) = path.into_inner();
    let township = township_of(&code)?;
    let year = year_of(year)?;
    let expected = if_match(&req)?;
    let (p, name) = state
        .run(auth, move |conn, ctx| {
            plans::set_approval(conn, ctx, township, year, approve, expected)?;
            plans::get(conn, ctx, township, year)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(p.version)))
        .json(plan_dto(&p, name)))
}

/// Approves a township's plan for the county (`workflow:county` at the county): the township
/// no longer changes it until the county reopens it. Requires `If-Match` with the version
/// read, so that figures the township changed meanwhile are not approved unseen. A plan
/// approved already is returned as it is, whatever the If-Match (no new version, nothing
/// audited: a retry whose answer was lost gets the plan).
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("township_code" = String, Path, description = "Township, 9 or 12 digits"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = String, Header, description = "ETag of the plan as read (its `version`): the figures approved are the ones seen"),
    ),
    responses(
        (status = 200, description = "The plan, approved", body = PlanDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No plan of that township and year in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match: the township changed the plan since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a township's code, or a bad year", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/township-plans/{township_code}/{year}/approval")]
pub async fn approve_township_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    approval(req, state, auth, path, true).await
}

/// Reopens an approved township plan (`workflow:county` at the county), so the township may
/// change it again; a plan that is not approved is returned as it is.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(
        ("township_code" = String, Path, description = "Township, 9 or 12 digits"),
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = String, Header, description = "ETag of the plan as read (its `version`)"),
    ),
    responses(
        (status = 200, description = "The plan, reopened", body = PlanDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No plan of that township and year in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a township's code, or a bad year", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/township-plans/{township_code}/{year}/approval")]
pub async fn reopen_township_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    approval(req, state, auth, path, false).await
}

/// `?county_code=&year=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupParams {
    /// The county (6 or 12 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
}

/// Households and people of one flow in the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowCountsDto {
    /// Households whose change took effect (exit: list filed; entry or return: list announced).
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Households on lists still in the procedure.
    pub in_procedure_households: i64,
    /// Their people.
    pub in_procedure_people: i64,
}

impl From<Counts> for FlowCountsDto {
    fn from(c: Counts) -> Self {
        Self {
            households: c.households,
            people: c.people,
            in_procedure_households: c.in_procedure_households,
            in_procedure_people: c.in_procedure_people,
        }
    }
}

/// A milestone with its state today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneStateDto {
    /// The step.
    pub step: Step,
    /// Due on.
    pub due_on: NaiveDate,
    /// `done` (every exit list of the township's villages of the year took the step), `due`,
    /// or `overdue` (not done and the due day has passed).
    pub state: MilestoneState,
    /// When done: the day the last list took it.
    pub reached_on: Option<NaiveDate>,
}

/// A township's year against its plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipRollupDto {
    /// The township (12 digits).
    pub township_code: String,
    /// Its name.
    pub name: String,
    /// Its plan, or null when it has none.
    pub plan: Option<PlanDto>,
    /// Exits of the year (脱贫).
    pub exits: FlowCountsDto,
    /// New entries of the year (新识别).
    pub entries: FlowCountsDto,
    /// Returns of the year (返贫).
    pub returns: FlowCountsDto,
    /// Exit lists of the year in its villages.
    pub exit_lists: i64,
    /// The timetable with each milestone's state.
    pub milestones: Vec<MilestoneStateDto>,
    /// How the year diverges from the plan: `exits_below_plan` (the year is over and fewer
    /// households or people exited than planned), `behind_timetable` (a milestone is overdue),
    /// `entries_over_plan`.
    pub divergences: Vec<Divergence>,
    /// Whether it diverges at all.
    pub diverges: bool,
}

/// The county's line: the townships' plans against the county's exit target (总量控制), and
/// exits beside entries and returns (进出平衡).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountyLineDto {
    /// Townships listed.
    pub townships: i64,
    /// Of them, with a plan.
    pub townships_with_plan: i64,
    /// Sum of the planned exits, households.
    pub planned_exit_households: i64,
    /// Sum of the planned exits, people.
    pub planned_exit_people: i64,
    /// Sum of the planned new entries, people (plans without the figure count 0).
    pub planned_entry_people: i64,
    /// The county's exit target of the year in people (`PUT /exit-targets/…`), where set and
    /// visible to you (county and above).
    pub exit_target_people: Option<i64>,
    /// People the plans fall short of the target by (总量控制: the townships' plans add up to
    /// at least the county's target), null when they do not fall short or there is no target.
    pub plans_short_of_target_people: Option<i64>,
    /// Whether the plans differ from the target (short of it).
    pub plans_below_target: bool,
    /// Exits of the year.
    pub exits: FlowCountsDto,
    /// New entries of the year.
    pub entries: FlowCountsDto,
    /// Returns of the year.
    pub returns: FlowCountsDto,
    /// People in: entries and returns in force (进).
    pub in_people: i64,
    /// People out: exits in force (出).
    pub out_people: i64,
    /// `in_people - out_people`.
    pub net_change_people: i64,
    /// Townships whose year diverges from their plan.
    pub diverging_townships: i64,
}

/// The roll-up of the townships' plans of a county.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupDto {
    /// The county (12 digits).
    pub county_code: String,
    /// The year.
    pub year: i32,
    /// The day the milestones' states are computed for (Beijing time).
    pub today: NaiveDate,
    /// Each township in your scope.
    pub townships: Vec<TownshipRollupDto>,
    /// The county's line over those townships.
    pub county: CountyLineDto,
}

fn sum<'a>(it: impl Iterator<Item = &'a Counts>) -> Counts {
    let mut t = Counts::default();
    for c in it {
        t.households += c.households;
        t.people += c.people;
        t.in_procedure_households += c.in_procedure_households;
        t.in_procedure_people += c.in_procedure_people;
    }
    t
}

impl From<Rollup> for RollupDto {
    fn from(r: Rollup) -> Self {
        let plans = r.townships.iter().filter_map(|t| t.plan.as_ref());
        let planned_exit_households = plans.clone().map(|p| i64::from(p.exit_households)).sum();
        let planned_exit_people: i64 = plans.clone().map(|p| i64::from(p.exit_people)).sum();
        let planned_entry_people = plans
            .clone()
            .map(|p| i64::from(p.entry_people.unwrap_or(0)))
            .sum();
        let short = rules::plans_short_of_target(planned_exit_people, r.target_people);
        let exits = sum(r.townships.iter().map(|t| &t.exits));
        let entries = sum(r.townships.iter().map(|t| &t.entries));
        let returns = sum(r.townships.iter().map(|t| &t.returns));
        let in_people = entries.people + returns.people;
        let county = CountyLineDto {
            townships: i64::try_from(r.townships.len()).unwrap_or(i64::MAX),
            townships_with_plan: i64::try_from(plans.count()).unwrap_or(i64::MAX),
            planned_exit_households,
            planned_exit_people,
            planned_entry_people,
            exit_target_people: r.target_people,
            plans_short_of_target_people: short,
            plans_below_target: short.is_some(),
            in_people,
            out_people: exits.people,
            net_change_people: in_people - exits.people,
            diverging_townships: i64::try_from(
                r.townships
                    .iter()
                    .filter(|t| !t.divergences.is_empty())
                    .count(),
            )
            .unwrap_or(i64::MAX),
            exits: exits.into(),
            entries: entries.into(),
            returns: returns.into(),
        };
        let townships = r
            .townships
            .into_iter()
            .map(|t| TownshipRollupDto {
                township_code: format!("{:012}", t.code),
                plan: t.plan.as_ref().map(|p| plan_dto(p, t.name.clone())),
                name: t.name,
                exits: t.exits.into(),
                entries: t.entries.into(),
                returns: t.returns.into(),
                exit_lists: t.lists,
                milestones: t
                    .milestones
                    .into_iter()
                    .map(|m| MilestoneStateDto {
                        step: m.milestone.step,
                        due_on: m.milestone.due_on,
                        state: m.state,
                        reached_on: m.reached_on,
                    })
                    .collect(),
                diverges: !t.divergences.is_empty(),
                divergences: t.divergences,
            })
            .collect();
        Self {
            county_code: r.county.to_code_string(),
            year: r.year,
            today: r.today,
            townships,
            county,
        }
    }
}

/// A county's townships against their yearly plans: per township planned and actual exits
/// (filed lists), new entries and returns (announced intake lists), each milestone's state and
/// the divergences; and the county's line: the plans' sum against the county's exit target
/// (总量控制) and the year's exits beside its entries and returns (进出平衡). Township users see
/// their own township; city and province users any county under them.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(RollupParams),
    responses(
        (status = 200, description = "The roll-up", body = RollupDto),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read, or a village user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A county neither in nor around your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a county's code, or a bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/township-plans/rollup")]
pub async fn township_plans_rollup(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<RollupParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let mut errs = Vec::new();
    check_year(&mut errs, "year", p.year);
    let county = RegionCode::parse(&p.county_code)
        .ok()
        .filter(|c| c.level() == Level::County);
    if county.is_none() {
        errs.push(domain::FieldError::new(
            "county_code",
            domain::Rule::format(domain::Format::CountyCode),
        ));
    }
    done(errs)?;
    let (county, year) = (county.ok_or(DomainError::NotFound)?, p.year);
    let r = state
        .run(auth, move |conn, ctx| {
            plans::rollup(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RollupDto::from(r)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_township_plans => Permission(perm::WORKFLOW_READ),
        township_plans_rollup => Permission(perm::WORKFLOW_READ),
        get_township_plan => Permission(perm::WORKFLOW_READ),
        put_township_plan => Permission(perm::WORKFLOW_READ),
        approve_township_plan => Permission(perm::WORKFLOW_COUNTY),
        reopen_township_plan => Permission(perm::WORKFLOW_COUNTY),
    },
}
