//! The demo's controllable clock (`ZX_DEMO_CLOCK`): how many days this instance's use cases run
//! ahead of the real date, so a demo or a browser test can let a public notice end without
//! waiting for it. Tokens, sessions and throttles keep the real time.

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::RegionCode;
use domain::authz::perm;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// The furthest the demo's clock may run ahead (two years: a whole exit year and its checks).
pub const MAX_OFFSET_DAYS: i64 = 730;

/// The demo's clock as this instance sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemoClockDto {
    /// Whether the clock can be moved on this instance (`ZX_DEMO_CLOCK`).
    pub enabled: bool,
    /// Days the use cases run ahead of the real date (0: the real date).
    #[schema(example = 12)]
    pub offset_days: i64,
    /// The date in China that notices, deadlines and steps see.
    #[schema(example = "2026-12-17")]
    pub today: NaiveDate,
    /// The time that notices, deadlines and steps see.
    pub now: DateTime<Utc>,
}

/// How far ahead to set the demo's clock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutDemoClockBody {
    /// Days ahead of the real date, from 0 (back to the real date) to 730.
    #[schema(example = 12, minimum = 0, maximum = 730)]
    pub offset_days: i64,
}

fn view(state: &AppState) -> DemoClockDto {
    let now = state.clock.now();
    DemoClockDto {
        enabled: state.demo_clock,
        offset_days: state.clock.offset().num_days(),
        today: infra::clock::china_date(now),
        now,
    }
}

/// The demo's clock: whether it can be moved and the date the use cases see.
#[utoipa::path(
    tag = "demo",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The clock (enabled = false and offset 0 outside demos)", body = DemoClockDto),
        NotSignedIn,
    )
)]
#[get("/demo/clock")]
pub async fn get_demo_clock(state: web::Data<AppState>, _auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(view(&state)))
}

/// Sets how many days this instance's use cases run ahead of the real date (platform
/// administrators, only where `ZX_DEMO_CLOCK` is on; audited as `demo.clock_set`). Each
/// instance has its own clock: a demo runs one instance.
#[utoipa::path(
    tag = "demo",
    security(("bearer" = [])),
    request_body = PutDemoClockBody,
    responses(
        (status = 200, description = "Set", body = DemoClockDto),
        NotSignedIn,
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The demo's clock is off on this instance (`ZX_DEMO_CLOCK`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`offset_days` not between 0 and 730", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/demo/clock")]
pub async fn put_demo_clock(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<PutDemoClockBody>,
) -> ApiResult<HttpResponse> {
    let days = body.0.offset_days;
    let (enabled, before) = (state.demo_clock, state.clock.offset().num_days());
    // Who may move it is checked first, so whether a clock exists here is told only to them.
    state
        .run(auth, move |conn, ctx| {
            ctx.caller
                .require_at(perm::SETTINGS_MANAGE, RegionCode::PLATFORM)?;
            if !enabled {
                return Err(domain::DomainError::NotFound);
            }
            if !(0..=MAX_OFFSET_DAYS).contains(&days) {
                return Err(domain::DomainError::field(
                    "offset_days",
                    domain::Rule::range(0, MAX_OFFSET_DAYS),
                ));
            }
            ctx.audit(
                conn,
                "demo.clock_set",
                "demo_clock",
                "clock",
                RegionCode::PLATFORM,
                json!({ "offset_days_before": before, "offset_days": days }),
            )
        })
        .await?;
    state.clock.set_offset(Duration::days(days));
    Ok(HttpResponse::Ok().json(view(&state)))
}

super::routes! {
    "/api/v1" => {
        get_demo_clock => Authenticated,
        put_demo_clock => Permission(perm::SETTINGS_MANAGE),
    },
}
