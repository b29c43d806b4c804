//! Settings per province, city and county.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use domain::{DomainError, RegionCode};
use infra::app::settings::{self, SettingsView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// Settings at a province, city or county.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsDto {
    /// The province, city or county (12 digits).
    #[schema(example = "370831000000")]
    pub region_code: String,
    /// `province`, `city` or `county`.
    #[schema(value_type = domain::Level)]
    pub level: String,
    /// What this level overrides (same shape as `effective`, partial). A city's may also hold
    /// per-county values under `counties` (`{"counties": {"610122": {"funds": {…}}}}`).
    #[schema(value_type = Object)]
    pub overrides: serde_json::Value,
    /// What the province above overrides (cities and counties).
    #[schema(value_type = Option<Object>)]
    pub inherited: Option<serde_json::Value>,
    /// What the city above sets for this county: the city's own values with its entry for this
    /// county merged over them (counties only).
    #[schema(value_type = Option<Object>)]
    pub inherited_city: Option<serde_json::Value>,
    /// The settings in force: seed defaults ← province ← city ← county. Poverty lines per year in fen;
    /// notice days; property-check cut-off and veto conditions; ranger subsidy and deductions
    /// (basis points); key-village targets; relocation subsidy.
    #[schema(value_type = Object)]
    pub effective: serde_json::Value,
    /// Version of this level's overrides (the `ETag`); 0 when never set.
    pub version: i32,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<SettingsView> for SettingsDto {
    fn from(v: SettingsView) -> Self {
        Self {
            region_code: v.region.to_code_string(),
            level: v.region.level().name().into(),
            overrides: v.overrides,
            inherited: v.inherited,
            inherited_city: v.inherited_city,
            effective: serde_json::to_value(&v.effective).unwrap_or_default(),
            version: v.version,
            updated_at: v.updated_at,
        }
    }
}

/// New overrides for one level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSettingsBody {
    /// Partial settings (e.g. `{"exit": {"first_notice_days": 10}}`); replaces this level's
    /// overrides. Unknown keys and out-of-range values are refused with their path.
    #[schema(value_type = Object)]
    pub overrides: serde_json::Value,
}

fn region(path: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(path).map_err(|m| DomainError::field("region_code", m))
}

fn respond(view: SettingsView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.version)))
        .json(SettingsDto::from(view))
}

/// The settings at a province, city or county, with what it inherits and what is in force. A
/// county (or a unit in it) reading its city sees, of the city's per-county values
/// (`counties`), its own county's only.
#[utoipa::path(
    tag = "settings",
    security(("bearer" = [])),
    params(("region_code" = String, Path, description = "Province, city or county code", example = "370831")),
    responses(
        (status = 200, description = "Settings; ETag carries the version", body = SettingsDto),
        NotSignedIn,
        (status = 403, description = "Lacks settings:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a tenant, or off the caller's line of descent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a province, city or county code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/settings/{region_code}")]
pub async fn get_settings(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = region(&path)?;
    let view = state
        .run(auth, move |conn, ctx| settings::get(conn, ctx, code))
        .await?;
    Ok(respond(view))
}

/// Replaces the overrides at a province (platform administrators), city (a `city_admin` there:
/// its own values and, under `counties`, per-county values of city-owned settings) or county
/// (its administrator). A city or county may not override a province-owned setting nor loosen a
/// threshold set above; a city may not set a county-owned setting; a county may not override a
/// city-owned one (each setting's owner and direction: docs/settings.md). Requires `If-Match` with the current ETag (`"0"` for a level never set).
#[utoipa::path(
    tag = "settings",
    security(("bearer" = [])),
    params(
        ("region_code" = String, Path, description = "Province, city or county code", example = "370831"),
        ("If-Match" = String, Header, description = "ETag from GET"),
    ),
    request_body = PutSettingsBody,
    responses(
        (status = 200, description = "Saved", body = SettingsDto),
        NotSignedIn,
        (status = 403, description = "Lacks settings:manage there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid overrides, with the path of each bad field; or, at a city or county, a setting the level may not set (省定, 市定, the county's own) or a threshold looser than the level above (docs/settings.md)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/settings/{region_code}")]
pub async fn put_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PutSettingsBody>,
) -> ApiResult<HttpResponse> {
    let code = region(&path)?;
    let version = if_match(&req)?;
    let overrides = body.0.overrides;
    let view = state
        .run(auth, move |conn, ctx| {
            settings::put(conn, ctx, code, version, &overrides)
        })
        .await?;
    Ok(respond(view))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        get_settings => Permission(perm::SETTINGS_READ),
        put_settings => Permission(perm::SETTINGS_MANAGE),
    },
}
