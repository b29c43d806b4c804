//! The village appraisal of a property-check batch (seed 2: 评议会 — the day, the attendees, the
//! minutes, an opinion per hit), the township's send-back of a village's appraisal, and the
//! meetings recorded.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::property_appraisals::{self, AppraisalRecord, Meeting};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{done, id_of, text};
use super::property::HitDto;
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// One handling opinion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionBody {
    /// The hit.
    pub hit_id: Uuid,
    /// The handling opinion (处理意见), 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
}

/// The village appraisal of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PropertyAppraisalBody)]
pub struct AppraisalBody {
    /// The village.
    pub village_code: String,
    /// Meeting date (not in the future).
    pub held_on: NaiveDate,
    /// People attending the meeting, 1–1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub attendees: i32,
    /// The meeting's minutes, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub minutes: String,
    /// One opinion for every hit of the village in the batch.
    pub opinions: Vec<OpinionBody>,
}

/// Records the village appraisal (评议会) of a batch: the meeting (day, attendees, minutes) and,
/// for every hit of the village, which must all be verified, its handling opinion; the hits are
/// then fixed (village step). After a send-back the village appraises again.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    request_body = AppraisalBody,
    responses(
        (status = 200, description = "The village's hits, appraised", body = Vec<HitDto>),
        NotSignedIn,
        (status = 403, description = "Not the village's user with property:verify", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the village in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Hits not verified, or appraised already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A hit without an opinion, or a bad field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-checks/{id}/appraisals")]
pub async fn appraise(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AppraisalBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let village =
        RegionCode::parse(&b.village_code).map_err(|m| DomainError::field("village_code", m))?;
    let mut errs = Vec::new();
    if b.held_on > state.today() {
        errs.push(FieldError::new("held_on", domain::Rule::NotInFuture));
    }
    if !(1..=1000).contains(&b.attendees) {
        errs.push(FieldError::new("attendees", domain::Rule::range(1, 1000)));
    }
    let minutes = text(&mut errs, "minutes", &b.minutes, true, 5000);
    done(errs)?;
    let meeting = Meeting {
        held_on: b.held_on,
        attendees: b.attendees,
        minutes,
    };
    let given: Vec<(Uuid, String)> = b
        .opinions
        .into_iter()
        .map(|o| (o.hit_id, o.opinion))
        .collect();
    let rows = state
        .run(auth, move |conn, ctx| {
            property_appraisals::appraise(conn, ctx, id, village, &meeting, &given)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(HitDto::from).collect::<Vec<_>>()))
}

/// A send-back of a village's appraisal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBackBody {
    /// Why the township sends it back, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// The township sends a village's appraisal back with a reason (seed 2), before it submits its
/// statistics table: the village's hits return to `verified` and the village appraises again.
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Batch id"),
        ("village_code" = String, Path, description = "The village (12 digits)"),
    ),
    request_body = SendBackBody,
    responses(
        (status = 200, description = "The village's hits, back to verified", body = Vec<HitDto>),
        NotSignedIn,
        (status = 403, description = "Not the township's user with property:review", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No hits of the village in the batch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_appraised` (nothing to send back) or `submitted` (the township's table is in)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad village_code or reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/property-checks/{id}/villages/{village_code}/send-back")]
pub async fn send_back(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<SendBackBody>,
) -> ApiResult<HttpResponse> {
    let (id, village) = path.into_inner();
    let id = id_of(&id)?;
    let village = RegionCode::parse(&village).map_err(|m| DomainError::field("village_code", m))?;
    let reason = body.0.reason;
    let rows = state
        .run(auth, move |conn, ctx| {
            property_appraisals::send_back(conn, ctx, id, village, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(HitDto::from).collect::<Vec<_>>()))
}

/// A village appraisal meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalMeetingDto {
    /// Id.
    pub id: Uuid,
    /// The village.
    pub village_code: String,
    /// Held on.
    pub held_on: NaiveDate,
    /// People attending.
    pub attendees: i32,
    /// Minutes.
    pub minutes: String,
    /// Recorded by.
    pub recorded_by: Uuid,
    /// Recorded at.
    pub recorded_at: DateTime<Utc>,
    /// Sent back by the township (then the village met again).
    pub sent_back_by: Option<Uuid>,
    /// Sent back at.
    pub sent_back_at: Option<DateTime<Utc>>,
    /// Why it was sent back.
    pub send_back_reason: Option<String>,
}

impl From<AppraisalRecord> for AppraisalMeetingDto {
    fn from(a: AppraisalRecord) -> Self {
        Self {
            id: a.id,
            village_code: format!("{:012}", a.region_code),
            held_on: a.held_on,
            attendees: a.attendees,
            minutes: a.minutes,
            recorded_by: a.recorded_by,
            recorded_at: a.recorded_at,
            sent_back_by: a.sent_back_by,
            sent_back_at: a.sent_back_at,
            send_back_reason: a.send_back_reason,
        }
    }
}

/// The appraisal meetings of a batch in your scope, by village (those sent back too).
#[utoipa::path(
    tag = "property",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The meetings", body = Vec<AppraisalMeetingDto>),
        NotSignedIn,
        (status = 403, description = "Lacks property:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such batch in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/property-checks/{id}/appraisals")]
pub async fn list_appraisals(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let rows = state
        .run(auth, move |conn, ctx| {
            property_appraisals::meetings(conn, ctx, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(AppraisalMeetingDto::from)
            .collect::<Vec<_>>(),
    ))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        appraise => Permission(perm::PROPERTY_VERIFY),
        send_back => Permission(perm::PROPERTY_REVIEW),
        list_appraisals => Permission(perm::PROPERTY_READ),
    },
}
