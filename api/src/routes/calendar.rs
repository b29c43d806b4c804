//! The platform's working calendar (statutory holidays and adjusted working days): everyone
//! reads it, a platform administrator replaces a year.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::calendar::{DayKind, SpecialDay};
use infra::app::calendar::{self, YearView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::etag::if_match;
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// One date that differs from the ordinary Monday–Friday week.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayDto {
    /// The date.
    #[schema(example = "2026-10-01")]
    pub date: NaiveDate,
    /// `holiday` (a statutory day off, 法定节假日) or `workday` (a Saturday or Sunday worked, 调休).
    #[schema(example = "holiday")]
    #[schema(schema_with = domain::calendar::DayKind::input_schema)]
    pub kind: String,
    /// The festival, in English.
    #[schema(example = "National Day")]
    pub festival: String,
    /// The festival, in Chinese.
    #[schema(example = "国庆节")]
    pub festival_zh: String,
}

/// One year of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearDto {
    /// The year.
    pub year: i32,
    /// Whether the platform holds the State Council's arrangement for the year; when false,
    /// periods in it count only Saturdays and Sundays as rest days.
    pub known: bool,
    /// Where the arrangement comes from.
    pub source: Option<String>,
    /// Version, bumped by each replacement (0 when unknown).
    pub version: i32,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
    /// The special dates, in order.
    pub days: Vec<CalendarDayDto>,
}

impl From<YearView> for CalendarYearDto {
    fn from(v: YearView) -> Self {
        Self {
            year: v.year,
            known: v.known,
            source: v.source,
            version: v.version,
            updated_at: v.updated_at,
            days: v
                .days
                .into_iter()
                .map(|d| CalendarDayDto {
                    date: d.date,
                    kind: d.kind.as_str().into(),
                    festival: d.festival,
                    festival_zh: d.festival_zh,
                })
                .collect(),
        }
    }
}

/// A year's arrangement, replacing the stored one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCalendarYearBody {
    /// Where it comes from (the State Council notice, e.g. 国办发明电〔2025〕7号).
    #[schema(
        example = "国务院办公厅关于2027年部分节假日安排的通知",
        min_length = 1,
        max_length = 200,
        pattern = "[^\\s\\u0085]|\\ufeff"
    )]
    pub source: String,
    /// Every statutory holiday and adjusted working day of the year, each date once.
    pub days: Vec<CalendarDayDto>,
}

/// A year in the range every year parameter of the API takes (the document says 1980–2100).
fn year(path: &str) -> Result<i32, DomainError> {
    path.parse::<i32>()
        .ok()
        .filter(|y| domain::input::YEARS.contains(y))
        .ok_or_else(|| DomainError::field("year", domain::input::YEAR_RULE))
}

/// A year of the platform calendar: its statutory holidays and adjusted working days.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(("year" = i32, Path, description = "Year", example = 2026)),
    responses(
        (status = 200, description = "The year (known = false and no days when the platform has no arrangement for it); ETag carries its version", body = CalendarYearDto),
        NotSignedIn,
        (status = 422, description = "Not a year between 1980 and 2100", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/{year}")]
pub async fn get_calendar_year(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let y = year(&path)?;
    let view = state
        .run(auth, move |conn, _| calendar::get_year(conn, y))
        .await?;
    Ok(versioned(CalendarYearDto::from(view)))
}

/// The year, its version as the ETag.
fn versioned(dto: CalendarYearDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::http::etag::etag(dto.version),
        ))
        .json(dto)
}

/// Adds or corrects a year (platform administrators; audited with the dates before and after).
/// Periods already running keep the end they were given. Requires `If-Match` with the ETag of
/// the year as read (`"0"` for a year never added), so that two administrators typing in the
/// same notice do not overwrite each other unseen.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(
        ("year" = i32, Path, description = "Year", example = 2027),
        ("If-Match" = String, Header, description = "ETag from GET"),
    ),
    request_body = PutCalendarYearBody,
    responses(
        (status = 200, description = "Saved; ETag carries its version", body = CalendarYearDto),
        NotSignedIn,
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match: the year changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside the year, listed twice, both a holiday and an adjusted working day, or an adjusted working day on a weekday (`days[i].date` names it); or a holiday the law fixes by date (New Year's Day, Labour Day, National Day) left out (`days`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/{year}")]
pub async fn put_calendar_year(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PutCalendarYearBody>,
) -> ApiResult<HttpResponse> {
    let y = year(&path)?;
    let expected = if_match(&req)?;
    let body = body.0;
    let mut errs = Vec::new();
    let days: Vec<SpecialDay> = body
        .days
        .into_iter()
        .enumerate()
        .filter_map(|(i, d)| match DayKind::parse(&d.kind) {
            Ok(kind) => Some(SpecialDay {
                date: d.date,
                kind,
                festival: d.festival,
                festival_zh: d.festival_zh,
            }),
            Err(m) => {
                errs.push(domain::FieldError::new(format!("days[{i}].kind"), m));
                None
            }
        })
        .collect();
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs).into());
    }
    let source = body.source;
    let view = state
        .run(auth, move |conn, ctx| {
            calendar::put_year(conn, ctx, y, expected, &source, &days)
        })
        .await?;
    Ok(versioned(CalendarYearDto::from(view)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        get_calendar_year => Authenticated,
        put_calendar_year => Permission(perm::SETTINGS_MANAGE),
    },
}
