//! User accounts and role grants.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use domain::authz::perm;
use domain::error::Validator;
use domain::password::check_new_password;
use domain::user::{check_display_name, check_username};
use domain::{DomainError, FieldError, RegionCode};
use infra::app::grant_requests::GrantOutcome;
use infra::app::users::{self, NewUser, UserChanges, UserFilter, UserView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{GrantDto, UserDto};
use super::grant_requests::GrantRequestDto;
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::http::page::{Page, PageParams};
use crate::state::{AppState, Auth};

fn respond(status: actix_web::http::StatusCode, view: UserView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(view.user.version)))
        .json(UserDto::from(view))
}

fn org_unit(field: &str, text: &str) -> Result<RegionCode, FieldError> {
    RegionCode::parse(text).map_err(|m| FieldError::new(field, m))
}

use super::input::id_of as user_id;

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users in this org unit's subtree (inside your own).
    pub org_unit: Option<String>,
    /// Only holders of this role.
    pub role: Option<String>,
    /// Only disabled (`true`) or enabled (`false`) users.
    pub disabled: Option<bool>,
    /// Username prefix.
    pub q: Option<String>,
}

/// Users in the caller's subtree, by org unit, then username.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserListParams, PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<UserDto>),
        NotSignedIn,
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Auth,
    filter: crate::http::query::Query<UserListParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, String)> = page.cursor()?;
    let within = filter
        .org_unit
        .as_deref()
        .map(|t| org_unit("org_unit", t))
        .transpose()
        .map_err(ApiError::BadParameter)?;
    let f = filter.into_inner();
    let rows = state
        .run_page(auth, move |conn, ctx| {
            // The broadest unit where the caller holds users:read bounds the list, not their
            // org unit: a city user granted a role at one county lists that county's users.
            let widest = ctx.caller.widest_with(perm::USERS_READ).ok_or_else(|| {
                DomainError::Forbidden("you need the permission users:read".into())
            })?;
            let scope = match within {
                Some(code) if widest.subtree().contains(code) => code.subtree(),
                Some(_) => return Err(DomainError::field("org_unit", domain::Rule::OutsideScope)),
                None => widest.subtree(),
            };
            users::list(
                conn,
                &UserFilter {
                    within: scope,
                    role: f.role,
                    disabled: f.disabled,
                    username_prefix: f.q,
                    after,
                    limit: limit + 1,
                },
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |u| (u.user.region_code, u.user.username.clone()),
        UserDto::from,
    )))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    /// Login name: 3–64 of a-z, 0-9, `.`, `_`, `-`, starting with a letter; unique platform-wide.
    #[schema(example = "clerk.beiguan")]
    #[schema(pattern = "^[a-z][a-z0-9._-]{2,63}$")]
    pub username: String,
    /// Display name.
    #[schema(example = "李书记")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub display_name: String,
    /// Initial password (10 to 128 characters, not among the 100,000 most common passwords, not
    /// containing the username).
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// The org unit (division code) the user belongs to; inside your subtree.
    #[schema(example = "370831101201")]
    pub org_unit: String,
    /// Roles to grant at that org unit.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub roles: Vec<String>,
}

/// Creates a user in the caller's subtree, optionally with roles at their org unit.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = CreateUserBody,
    responses(
        (status = 201, description = "Created; ETag carries the version", body = UserDto),
        NotSignedIn,
        (status = 403, description = "Org unit outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<CreateUserBody>,
) -> ApiResult<HttpResponse> {
    // The fingerprint is kept with the key: the password stays out of it.
    let once = Once::of(
        &req,
        &(
            &body.0.username,
            &body.0.display_name,
            &body.0.org_unit,
            &body.0.roles,
        ),
    )?;
    let b = body.0;
    let mut v = Validator::default();
    v.take("username", check_username(&b.username));
    v.take("display_name", check_display_name(&b.display_name));
    v.take("password", check_new_password(&b.password, &b.username));
    let org = v.take(
        "org_unit",
        org_unit("org_unit", &b.org_unit).map_err(|e| e.rule),
    );
    v.check(
        b.roles.len() <= 10,
        "roles",
        domain::Rule::other("at most 10 roles at once", "一次最多 10 个角色"),
    );
    v.finish()?;
    let org = org.ok_or_else(|| DomainError::field("org_unit", domain::Rule::Invalid))?;
    // Refused callers are refused before the hash: a hashing slot is what logins wait for.
    state.authorized(auth.clone()).await?;
    let password = b.password;
    let hash = state.hashing(move |h| h.hash(&password)).await??;
    let catalog = std::sync::Arc::clone(&state.catalog);
    let new = NewUser {
        username: b.username,
        display_name: b.display_name.trim().to_string(),
        org,
        password_hash: hash,
        roles: b.roles,
    };
    once.create(&state, auth, move |conn, ctx| {
        users::create(conn, ctx, &catalog, &new).map(UserDto::from)
    })
    .await
}

/// One user (404 outside the caller's subtree).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user; ETag carries the version", body = UserDto),
        NotSignedIn,
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path)?;
    let view = state
        .run(auth, move |conn, ctx| readable(conn, ctx, id))
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// Changes to a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    /// New display name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub display_name: Option<String>,
    /// New org unit, within the same county and your subtree. Moving ends the user's sessions
    /// and drops grants outside the new unit.
    pub org_unit: Option<String>,
}

/// Changes a user's display name or org unit. Requires `If-Match`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id"), ("If-Match" = String, Header, description = "ETag from GET")),
    request_body = UpdateUserBody,
    responses(
        (status = 200, description = "Updated", body = UserDto),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field; or `grants_split` on `org_unit`: the move would drop a grant that covers others (outside the new unit) and leave one of their permissions held at several units with no grant covering them; the message names the grants to revoke first", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<UpdateUserBody>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path)?;
    let b = body.0;
    let mut v = Validator::default();
    if let Some(n) = &b.display_name {
        v.take("display_name", check_display_name(n));
    }
    let org = match &b.org_unit {
        Some(t) => v.take("org_unit", org_unit("org_unit", t).map_err(|e| e.rule)),
        None => None,
    };
    v.check(
        b.display_name.is_some() || b.org_unit.is_some(),
        "body",
        domain::Rule::other("change at least one field", "至少修改一个字段"),
    );
    v.finish()?;
    let version = if_match(&req)?;
    let changes = UserChanges {
        display_name: b.display_name.map(|n| n.trim().to_string()),
        org,
    };
    let view = state
        .run(auth, move |conn, ctx| {
            users::update(conn, ctx, id, version, &changes)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

async fn set_disabled(
    state: web::Data<AppState>,
    auth: Auth,
    path: &str,
    disabled: bool,
) -> ApiResult<HttpResponse> {
    let id = user_id(path)?;
    let view = state
        .run(auth, move |conn, ctx| {
            users::set_disabled(conn, ctx, id, disabled)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// Disables a user: they cannot log in and their sessions end at once.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Disabled", body = UserDto),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "You cannot disable yourself", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/disable")]
pub async fn disable_user(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    set_disabled(state, auth, &path, true).await
}

/// Re-enables a disabled user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Enabled", body = UserDto),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[post("/users/{id}/enable")]
pub async fn enable_user(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    set_disabled(state, auth, &path, false).await
}

/// A password set by an administrator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetBody {
    /// The new password (10 to 128 characters, not among the 100,000 most common passwords, not
    /// containing the username).
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// An administrator sets a new password for a user; the user's sessions end.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = PasswordResetBody,
    responses(
        (status = 204, description = "Password set; the user's sessions ended"),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "Weak password: too short, one of the 100,000 most common passwords, or contains the username (field `new_password`); your own account (field `id`, `self_reset`: change it at `PUT /me/password` with the current one)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<PasswordResetBody>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path)?;
    let again = auth.clone();
    let username = state
        .run(auth, move |conn, ctx| {
            users::check_manageable(conn, ctx, id)
        })
        .await?;
    let password = body.0.new_password;
    check_new_password(&password, &username).map_err(|m| DomainError::field("new_password", m))?;
    let hash = state.hashing(move |h| h.hash(&password)).await??;
    state
        .run(again, move |conn, ctx| {
            users::reset_password(conn, ctx, id, &hash)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The roles a user holds.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Grants", body = Vec<GrantDto>),
        NotSignedIn,
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/users/{id}/roles")]
pub async fn list_grants(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path)?;
    let view = state
        .run(auth, move |conn, ctx| readable(conn, ctx, id))
        .await?;
    let grants: Vec<GrantDto> = view.grants.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(grants))
}

/// A role to grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// Role name (see `GET /api/v1/roles`).
    #[schema(example = "village_clerk")]
    pub role: String,
    /// Where it applies: inside the user's org unit, at a level the role allows, inside the
    /// subtree you manage.
    #[schema(example = "370831101201")]
    pub org_unit: String,
}

/// Grants a role at an org unit. Nobody grants roles to themselves; a grant of an operational
/// role (one that acts on cases, workflows, funds, property checks or exports) also writes an
/// `alert.operational_role_granted` audit row. Where the setting
/// `users.operational_grant_approval` is on, a grant of an operational role is only requested
/// (202): another administrator approves it at `POST /api/v1/grant-requests/{id}/approve`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = GrantBody,
    responses(
        (status = 201, description = "Granted", body = GrantDto),
        (status = 202, description = "Requested: an operational role waits for a second administrator's approval (`users.operational_grant_approval`)", body = GrantRequestDto),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage (or above your level)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "User not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "grant_exists: already granted, or the same request is waiting already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role, or a level or unit the role does not fit; or a grant to yourself (field `id`, `self_grant`); or `grants_split` on `org_unit`: the user would hold one of the role's permissions at several units (two counties, two townships, two villages) with no grant at the unit covering them, whose range would take in the units between (the message names that unit and the roles that may be held there)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/roles")]
pub async fn create_grant(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<GrantBody>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path)?;
    let b = body.0;
    let unit = org_unit("org_unit", &b.org_unit).map_err(|e| DomainError::Validation(vec![e]))?;
    let catalog = std::sync::Arc::clone(&state.catalog);
    let outcome = state
        .run(auth, move |conn, ctx| {
            users::grant(conn, ctx, &catalog, id, &b.role, unit)
        })
        .await?;
    Ok(match outcome {
        GrantOutcome::Granted(grant) => HttpResponse::Created().json(GrantDto::from(grant)),
        GrantOutcome::Requested(request) => {
            HttpResponse::Accepted().json(GrantRequestDto::from(*request))
        }
    })
}

/// Revokes a grant. Never refused for what it leaves: when the grant covered others of the
/// user's (a county's over two townships'), the permissions they now hold split are named in
/// the user's `split_grants` (and the audit row's `left_split`), and requests needing them are
/// refused until the grants are mended.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id"), ("grant_id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        NotSignedIn,
        (status = 403, description = "Outside the subtree you manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn delete_grant(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = user_id(&path.0)?;
    let grant = user_id(&path.1)?;
    state
        .run(auth, move |conn, ctx| users::revoke(conn, ctx, id, grant))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A user the caller may read: in their scope (row-level security) and under a unit where
/// they hold `users:read`; else "not found", as for any other user they cannot see.
fn readable(
    conn: &mut infra::db::Tx<'_>,
    ctx: &infra::app::Ctx,
    id: uuid::Uuid,
) -> Result<UserView, DomainError> {
    let view = users::get(conn, id)?;
    if ctx.caller.can_at(perm::USERS_READ, view.org) {
        Ok(view)
    } else {
        Err(DomainError::NotFound)
    }
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_users => Permission(perm::USERS_READ),
        create_user => Permission(perm::USERS_MANAGE),
        get_user => Permission(perm::USERS_READ),
        update_user => Permission(perm::USERS_MANAGE),
        disable_user => Permission(perm::USERS_MANAGE),
        enable_user => Permission(perm::USERS_MANAGE),
        reset_password => Permission(perm::USERS_MANAGE),
        list_grants => Permission(perm::USERS_READ),
        create_grant => Permission(perm::USERS_MANAGE),
        delete_grant => Permission(perm::USERS_MANAGE),
    },
}
