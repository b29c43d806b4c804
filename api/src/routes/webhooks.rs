//! Webhook endpoints of a county and their deliveries; the county's CORS origins.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use domain::webhooks::EventKind;
use domain::{DomainError, FieldError};
use infra::app::webhooks::{self, Delivery, Endpoint, EndpointInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// An endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    /// Id.
    pub id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// Event kinds it receives: `household.created`, `household.changed`,
    /// `workflow.step_taken`, `exit.notice_ended`, `monitoring.lead_raised`,
    /// `funds.disbursement_made`.
    #[schema(value_type = Vec<domain::webhooks::EventKind>)]
    pub events: Vec<String>,
    /// Free text.
    pub description: String,
    /// Paused endpoints receive nothing (events raised meanwhile are not queued for them).
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The administrator who last saved it (its owner; pausing it or changing only its
    /// description leaves the owner as it was): saving needs the read permission of
    /// every kind subscribed to (`cases:read` for `household.*`, `workflow:read` for
    /// `workflow.*`, `exit.*` and `monitoring.*`, `funds:read` for `funds.*`) at the county,
    /// and deliveries go out only while the owner is enabled and still holds it; otherwise they
    /// end as failed saying so, until another administrator who does saves the endpoint.
    pub owned_by: Option<Uuid>,
}

impl From<Endpoint> for WebhookDto {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            events: e.events,
            description: e.description,
            active: e.active,
            created_at: e.created_at,
            updated_at: e.updated_at,
            owned_by: e.owned_by,
        }
    }
}

/// A new endpoint, with its signing secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewWebhookDto {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: WebhookDto,
    /// Signing secret: verify `Zhenxing-Signature` with it. Shown only now.
    pub secret: String,
}

/// An endpoint to register.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookBody {
    /// `https://` URL (`http://` and internal addresses only where the server allows them).
    #[schema(
        max_length = 2000,
        pattern = "^https://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$"
    )]
    pub url: String,
    /// Event kinds, at least one.
    #[schema(schema_with = crate::routes::input::event_kinds_at_least_one)]
    pub events: Vec<String>,
    /// Free text, at most 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// Changes to an endpoint; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhookBody {
    /// URL.
    #[schema(
        max_length = 2000,
        pattern = "^https://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$"
    )]
    pub url: Option<String>,
    /// Event kinds.
    #[schema(schema_with = crate::routes::input::event_kinds_at_least_one_or_null)]
    #[schema(min_items = 1)]
    pub events: Option<Vec<String>>,
    /// Free text, at most 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Pause (false) or resume (true).
    pub active: Option<bool>,
}

use super::input::id_of as endpoint_id;

/// Registers an endpoint for the caller's county (tenant administrators, at the county).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = CreateWebhookBody,
    responses(
        (status = 201, description = "Registered; the secret is shown this once", body = NewWebhookDto),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage at the county", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (url, events[i], description); or `events[i]` naming a kind whose read permission (`cases:read`, `workflow:read`, `funds:read`) your roles do not carry at the county", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CreateWebhookBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let input = EndpointInput {
        url: Some(b.url),
        events: Some(b.events),
        description: b.description,
        active: b.active,
    };
    let policy = state.webhook_urls;
    // A replay answers the secret again, to the same caller only (keys are per user).
    once.create_at(&state, auth, "/api/v1/webhooks", move |conn, ctx| {
        let (endpoint, secret) = webhooks::create(conn, ctx, &input, policy)?;
        Ok(NewWebhookDto {
            endpoint: endpoint.into(),
            secret,
        })
    })
    .await
}

/// The county's endpoints (secrets are never shown again).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Endpoints", body = Vec<WebhookDto>),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let rows = state.run(auth, |conn, _| webhooks::list(conn)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(WebhookDto::from).collect::<Vec<_>>()))
}

/// One endpoint.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookDto),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = endpoint_id(&path)?;
    let e = state
        .run(auth, move |conn, _| webhooks::get(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(e)))
}

/// Changes an endpoint: URL, events, description, or pause and resume. A paused endpoint is
/// answered once no delivery of it is being sent (usually at once; at most a POST's timeout
/// and a margin, or a stopped worker's lease): nothing reaches the receiver after the answer.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = PatchWebhookBody,
    responses(
        (status = 200, description = "Changed", body = WebhookDto),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage at the county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Invalid field; or `events[i]` (`events` for the kinds kept) naming a kind whose read permission your roles do not carry at the county: saving makes you the endpoint's owner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn patch_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PatchWebhookBody>,
) -> ApiResult<HttpResponse> {
    let id = endpoint_id(&path)?;
    let b = body.0;
    let input = EndpointInput {
        url: b.url,
        events: b.events,
        description: b.description,
        active: b.active,
    };
    let policy = state.webhook_urls;
    let (e, county) = state
        .run(auth, move |conn, ctx| {
            webhooks::update(conn, ctx, id, &input, policy).map(|e| (e, ctx.caller.unit()))
        })
        .await?;
    if !e.active {
        // Paused: answered once nothing of it is being sent.
        sent_out(&state, county, id).await?;
    }
    Ok(HttpResponse::Ok().json(WebhookDto::from(e)))
}

/// Removes an endpoint and its delivery records, once no delivery of it is being sent (it is
/// paused first): nothing reaches the receiver after the answer.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage at the county", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = endpoint_id(&path)?;
    // Paused first, and removed once nothing of it is being sent: a delivery under way would
    // otherwise reach the receiver after the answer (its row gone with the endpoint's).
    let county = state
        .run(auth.clone(), |_, ctx| Ok(ctx.caller.unit()))
        .await?;
    while !state
        .run(auth.clone(), move |conn, ctx| {
            webhooks::delete(conn, ctx, id)
        })
        .await?
    {
        sent_out(&state, county, id).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Waits until no delivery of the endpoint is being sent ([`webhooks::sending_until`]): at
/// most the longest running lease (the POST's timeout and a margin; a worker that died holds
/// its lease until it runs out).
async fn sent_out(state: &AppState, county: domain::RegionCode, id: Uuid) -> ApiResult<()> {
    loop {
        let until = state
            .blocking(move |s| webhooks::sending_until(&s.db, county, id))
            .await?;
        if until.is_none_or(|t| t <= chrono::Utc::now()) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Filter of deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// `pending`, `delivered` or `failed`.
    #[param(schema_with = crate::routes::input::delivery_statuses)]
    pub status: Option<String>,
}

/// A delivery of one event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Id (`Zhenxing-Delivery`).
    pub id: Uuid,
    /// The event (`Zhenxing-Event-Id`).
    pub event_id: Uuid,
    /// Event kind.
    #[schema(value_type = domain::webhooks::EventKind)]
    pub event: String,
    /// `pending` (waiting for its next attempt), `delivered`, or `failed` (attempts used up).
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status of the last attempt.
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the event was queued.
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at),
            id: d.id,
            event_id: d.event_id,
            event: d.kind,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

/// Deliveries of an endpoint, newest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id"), DeliveryParams, PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<DeliveryDto>),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Invalid status, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<DeliveryParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = endpoint_id(&path)?;
    let limit = page.limit()?;
    let before: Option<(DateTime<Utc>, Uuid)> = page.cursor()?;
    let status = q.into_inner().status;
    if let Some(s) = &status
        && !["pending", "delivered", "failed"].contains(&s.as_str())
    {
        return Err(DomainError::Validation(vec![FieldError::new(
            "status",
            domain::Rule::one_of(["pending", "delivered", "failed"]),
        )])
        .into());
    }
    let rows = state
        .run_page(auth, move |conn, _| {
            webhooks::deliveries(conn, id, status.as_deref(), before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |d| (d.created_at, d.id),
        DeliveryDto::from,
    )))
}

/// Sends a failed delivery again, with a fresh budget of attempts.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued again"),
        NotSignedIn,
        (status = 403, description = "Lacks webhooks:manage at the county", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Not a failed delivery", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = endpoint_id(&path.0)?;
    let delivery = endpoint_id(&path.1)?;
    state
        .run(auth, move |conn, ctx| {
            webhooks::redeliver(conn, ctx, id, delivery)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The event kinds an endpoint may subscribe to.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Event kinds: code, Chinese label and the permission subscribing needs", body = Vec<EventKindDto>),
        NotSignedIn,
    )
)]
#[get("/webhook-events")]
pub async fn list_event_kinds(_auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        EventKind::ALL
            .iter()
            .map(|k| EventKindDto {
                code: k.as_str().into(),
                label: k.label().into(),
                reads: k.reads().into(),
            })
            .collect::<Vec<_>>(),
    ))
}

/// An event kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventKindDto {
    /// Stable code.
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// The permission that reads what its events tell: subscribing needs it at the county.
    #[schema(example = "cases:read")]
    pub reads: String,
}

/// The county's CORS origins.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorsOriginsDto {
    /// Origins (`https://host[:port]`; `http://` only for localhost), at most 20.
    #[schema(schema_with = crate::routes::input::cors_origins)]
    pub origins: Vec<String>,
}

/// Origins the caller's county's front ends may call the API from (none by default).
#[utoipa::path(
    tag = "cors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Origins", body = CorsOriginsDto),
        NotSignedIn,
        (status = 403, description = "Lacks cors:manage", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cors-origins")]
pub async fn get_cors(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let rows = state
        .run(auth, |conn, _| infra::app::cors::list(conn))
        .await?;
    Ok(HttpResponse::Ok().json(CorsOriginsDto {
        origins: rows.into_iter().map(|(o, _)| o).collect(),
    }))
}

/// Replaces the county's CORS origins (an empty list allows none). Takes effect on every
/// instance within a minute.
#[utoipa::path(
    tag = "cors",
    security(("bearer" = [])),
    request_body = CorsOriginsDto,
    responses(
        (status = 200, description = "Origins now", body = CorsOriginsDto),
        NotSignedIn,
        (status = 403, description = "Lacks cors:manage at the county", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid origin (origins[i])", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/cors-origins")]
pub async fn put_cors(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CorsOriginsDto>,
) -> ApiResult<HttpResponse> {
    let origins = body.0.origins;
    let rows = state
        .run(auth, move |conn, ctx| {
            infra::app::cors::replace(conn, ctx, &origins)
        })
        .await?;
    state.cors.forget();
    Ok(HttpResponse::Ok().json(CorsOriginsDto {
        origins: rows.into_iter().map(|(o, _)| o).collect(),
    }))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        create_webhook => Permission(perm::WEBHOOKS_MANAGE),
        list_webhooks => Permission(perm::WEBHOOKS_MANAGE),
        list_event_kinds => Authenticated,
        get_webhook => Permission(perm::WEBHOOKS_MANAGE),
        patch_webhook => Permission(perm::WEBHOOKS_MANAGE),
        delete_webhook => Permission(perm::WEBHOOKS_MANAGE),
        list_deliveries => Permission(perm::WEBHOOKS_MANAGE),
        retry_delivery => Permission(perm::WEBHOOKS_MANAGE),
        get_cors => Permission(perm::CORS_MANAGE),
        put_cors => Permission(perm::CORS_MANAGE),
    },
}
