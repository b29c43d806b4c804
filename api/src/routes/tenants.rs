//! Counties onboarded as tenants.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::error::Validator;
use domain::password::check_new_password;
use domain::user::{check_display_name, check_username};
use domain::{DomainError, RegionCode};
use infra::app::tenants::{self, TenantRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::UserDto;
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDto {
    /// 6-digit county code.
    #[schema(example = "370831")]
    pub county_code: String,
    /// 12-digit code of the county node.
    #[schema(example = "370831000000")]
    pub region_code: String,
    /// County name.
    #[schema(example = "泗水县")]
    pub name: String,
    /// When onboarded.
    pub created_at: DateTime<Utc>,
}

impl From<TenantRow> for TenantDto {
    fn from(t: TenantRow) -> Self {
        Self {
            county_code: domain::region::county_code_string(t.county_code),
            region_code: format!("{:012}", t.region_code),
            name: t.name,
            created_at: t.created_at,
        }
    }
}

/// Onboarding a county.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantBody {
    /// The county's 6-digit code.
    #[schema(example = "370831")]
    pub county_code: String,
    /// Login name of its first administrator.
    #[schema(example = "admin.sishui")]
    #[schema(pattern = "^[a-z][a-z0-9._-]{2,63}$")]
    pub admin_username: String,
    /// Display name of the administrator.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub admin_display_name: String,
    /// Initial password of the administrator (10 to 128 characters, not among the 100,000 most
    /// common passwords, not containing the username).
    #[schema(min_length = 10, max_length = 128)]
    pub admin_password: String,
}

/// The new tenant and its administrator.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTenant {
    /// The tenant.
    pub tenant: TenantDto,
    /// Its first administrator, holding `tenant_admin` at the county.
    pub admin: UserDto,
}

/// Onboards a county as a tenant with its first administrator (platform administrators).
#[utoipa::path(
    tag = "tenants",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = CreateTenantBody,
    responses(
        (status = 201, description = "Onboarded", body = CreatedTenant),
        NotSignedIn,
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a tenant, or the username is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tenants")]
pub async fn create_tenant(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CreateTenantBody>,
) -> ApiResult<HttpResponse> {
    // The fingerprint is kept with the key: the password stays out of it.
    let once = Once::of(
        &req,
        &(
            &body.0.county_code,
            &body.0.admin_username,
            &body.0.admin_display_name,
        ),
    )?;
    let b = body.0;
    let mut v = Validator::default();
    let county = v.take(
        "county_code",
        if b.county_code.len() == 6 {
            RegionCode::parse(&b.county_code)
        } else {
            Err(domain::Rule::format(domain::Format::CountyCode))
        },
    );
    v.take("admin_username", check_username(&b.admin_username));
    v.take(
        "admin_display_name",
        check_display_name(&b.admin_display_name),
    );
    v.take(
        "admin_password",
        check_new_password(&b.admin_password, &b.admin_username),
    );
    v.finish()?;
    let county = county.ok_or_else(|| DomainError::field("county_code", domain::Rule::Invalid))?;
    // Refused callers are refused before the hash: a hashing slot is what logins wait for.
    state.authorized(auth.clone()).await?;
    let password = b.admin_password;
    let hash = state.hashing(move |h| h.hash(&password)).await??;
    let catalog = std::sync::Arc::clone(&state.catalog);
    once.create(&state, auth, move |conn, ctx| {
        let (tenant, admin) = tenants::onboard(
            conn,
            ctx,
            &catalog,
            county,
            &b.admin_username,
            b.admin_display_name.trim(),
            &hash,
        )?;
        Ok(CreatedTenant {
            tenant: tenant.into(),
            admin: admin.into(),
        })
    })
    .await
}

/// Tenants the caller can see: their own county, or every county below their city or province.
#[utoipa::path(
    tag = "tenants",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of tenants", body = Page<TenantDto>),
        NotSignedIn,
        (status = 403, description = "Lacks tenants:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    auth: Auth,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<i32> = page.cursor()?;
    let rows = state
        .run(auth, move |conn, _| tenants::list(conn, after, limit + 1))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |t| t.county_code,
        TenantDto::from,
    )))
}

/// One tenant (404 when it is not one or lies outside the caller's line of descent).
#[utoipa::path(
    tag = "tenants",
    security(("bearer" = [])),
    params(("county_code" = String, Path, description = "6-digit county code", example = "370831")),
    responses(
        (status = 200, description = "The tenant", body = TenantDto),
        NotSignedIn,
        (status = 403, description = "Lacks tenants:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/tenants/{county_code}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code: i32 = match path.parse() {
        Ok(c) if path.len() == 6 => c,
        _ => return Err(DomainError::NotFound.into()),
    };
    let row = state
        .run(auth, move |conn, _| tenants::get(conn, code))
        .await?;
    Ok(HttpResponse::Ok().json(TenantDto::from(row)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_tenants => Permission(perm::TENANTS_READ),
        create_tenant => Permission(perm::TENANTS_MANAGE),
        get_tenant => Permission(perm::TENANTS_READ),
    },
}
