//! The caller: who they are, what they may see, and changing their own password.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use domain::password::check_new_password;
use domain::{DomainError, FieldError};
use infra::app::auth as sessions;
use infra::app::users;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{GrantDto, OrgUnit, SplitGrantsDto};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// A code range.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeDto {
    /// First code of the subtree.
    #[schema(example = "370831101201")]
    pub from: String,
    /// Last code of the subtree.
    #[schema(example = "370831101201")]
    pub to: String,
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub org_unit: OrgUnit,
    /// The tenant (6-digit county code; a padded prefix above county level).
    #[schema(example = "370831")]
    pub county_code: String,
    /// What the caller may read: their org unit's subtree.
    pub scope: ScopeDto,
    /// Roles held.
    pub roles: Vec<GrantDto>,
    /// Permissions the roles carry.
    pub permissions: Vec<String>,
    /// Permissions held at several units with no grant covering them all (usually none): the
    /// requests needing them are refused (403) until an administrator mends the grants.
    pub split_grants: Vec<SplitGrantsDto>,
    /// An administrator reset the password: the user should choose a new one
    /// (`PUT /api/v1/me/password`) before anything else. Cleared by that change.
    pub must_change_password: bool,
}

/// Who the caller is: org unit, level, roles, permissions and scope.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        NotSignedIn,
    )
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let me = state
        .run(auth, |conn, ctx| {
            let view = users::get(conn, ctx.caller.user_id)?;
            let scope = ctx.caller.scope();
            let mut permissions: Vec<String> = ctx
                .caller
                .grants
                .iter()
                .flat_map(|(_, p)| p.iter().cloned())
                .collect();
            permissions.sort();
            permissions.dedup();
            Ok(MeResponse {
                id: view.user.id,
                username: view.user.username,
                display_name: view.user.display_name,
                org_unit: OrgUnit::new(view.org, view.org_name),
                county_code: domain::region::county_code_string(ctx.caller.county_code()),
                scope: ScopeDto {
                    from: format!("{:012}", scope.lo()),
                    to: format!("{:012}", scope.hi()),
                },
                roles: view.grants.into_iter().map(Into::into).collect(),
                split_grants: view.split.into_iter().map(Into::into).collect(),
                permissions,
                must_change_password: view.user.must_change_password,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    /// The password now.
    pub current_password: String,
    /// The new password: 10 to 128 characters, not among the 100,000 most common passwords,
    /// not containing the username.
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Changes the caller's own password (the current one is required). Every session of the
/// caller ends, this one included: log in again.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses(
        (status = 204, description = "Changed; all sessions ended"),
        NotSignedIn,
        (status = 422, description = "Wrong current password, or a new one that is too short, one of the 100,000 most common passwords or contains the username (field `new_password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords (the login throttle's, per account name and address); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ChangePasswordBody>,
) -> ApiResult<HttpResponse> {
    let ChangePasswordBody {
        current_password,
        new_password,
    } = body.0;
    let again = auth.clone();
    let (username, old_hash) = state
        .run(auth, |conn, ctx| {
            Ok((
                ctx.caller.username.clone(),
                sessions::own_password_hash(conn, &ctx.caller)?,
            ))
        })
        .await?;
    check_new_password(&new_password, &username)
        .map_err(|m| DomainError::field("new_password", m))?;
    // The current password is a password check like a login's: the same throttle (a stolen
    // session guessing it had no limit but the hash's speed), and each wrong one audited.
    let ip = super::auth::client_ip(&req, &state.throttle.config);
    let (who, ip_key) = (username.clone(), ip.map(crate::state::address_key));
    let who2 = who.clone();
    state
        .blocking(move |s| s.throttle.admit(&s.db, ip, &who2))
        .await?;
    let check = old_hash.clone();
    let new_hash = state
        .hashing(move |h| {
            if h.verify(&current_password, Some(&check)) {
                h.hash(&new_password).map(Some)
            } else {
                Ok(None)
            }
        })
        .await??;
    let succeeded = new_hash.is_some();
    let key = ip_key.clone();
    let name = who.clone();
    state
        .blocking(move |s| {
            infra::app::auth::throttle_result(&s.db, &name, key.as_deref(), succeeded)
        })
        .await?;
    let Some(new_hash) = new_hash else {
        state
            .run(again, |conn, ctx| {
                ctx.audit(
                    conn,
                    "user.password_change_failed",
                    "user",
                    ctx.caller.user_id,
                    ctx.caller.unit(),
                    serde_json::json!({ "reason": "wrong current password" }),
                )
            })
            .await?;
        return Err(DomainError::Validation(vec![FieldError::new(
            "current_password",
            domain::Rule::other("is not your current password", "不是您当前的密码"),
        )])
        .into());
    };
    state
        .run(again, move |conn, ctx| {
            sessions::set_password_hash(
                conn,
                ctx.caller.county_code(),
                ctx.caller.user_id,
                Some(&old_hash),
                &new_hash,
            )?;
            ctx.audit(
                conn,
                "user.password_change",
                "user",
                ctx.caller.user_id,
                ctx.caller.unit(),
                serde_json::json!({}),
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        get_me => Authenticated,
        change_password => Authenticated,
    },
}

/// Whether a route stays open to a user whose password an administrator reset (reading their
/// own account, changing the password): everything else answers 403
/// `password_change_required` until they choose their own.
pub fn open_while_forced(rule: &super::Rule) -> bool {
    matches!(
        (rule.method, rule.path),
        ("GET", "/api/v1/me") | ("PUT", "/api/v1/me/password")
    )
}
