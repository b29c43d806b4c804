//! Login, refresh, logout and the public signing keys.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::DomainError;
use infra::app::auth::{self, IssuedTokens};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::ThrottleConfig;
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, request_id};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Login name.
    #[schema(example = "clerk.sishui")]
    pub username: String,
    /// Password.
    #[schema(example = "demo-clerk-2026")]
    pub password: String,
}

/// A refresh token (refresh and logout).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token from login or the last refresh.
    pub refresh_token: String,
}

/// A token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Opaque token for `POST /api/v1/auth/refresh`; single use.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer".into(),
            expires_in: t.expires_in,
        }
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the first address in
/// `X-Forwarded-For`, read right to left, that is not a trusted proxy.
fn client_ip(req: &HttpRequest, cfg: &ThrottleConfig) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(
        cfg.trusted_proxies.client(
            peer,
            req.headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok()),
        ),
    )
}

/// Logs in. Unknown users, wrong passwords and disabled accounts get the same answer in the
/// same time; repeated failures per account name or per client address answer 429 with
/// `Retry-After` (successful logins never count against an address).
#[utoipa::path(
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<LoginBody>,
) -> ApiResult<HttpResponse> {
    let LoginBody { username, password } = body.0;
    let ip = client_ip(&req, &state.throttle.config);
    let who = username.clone();
    state
        .blocking(move |s| s.throttle.admit(&s.db, ip, &who))
        .await?;
    let rid = request_id(&req);
    let name = username.clone();
    let candidate = state
        .blocking(move |s| auth::lookup_login(&s.db, &name))
        .await?;
    let phc = candidate.as_ref().map(|c| c.password_hash.clone());
    let matches = state
        .hashing(move |h| h.verify(&password, phc.as_deref()))
        .await?;
    match candidate {
        Some(user) if matches && !user.disabled => {
            let who = username.clone();
            state
                .blocking(move |s| infra::app::auth::throttle_result(&s.db, &who, None, true))
                .await?;
            let tokens = state
                .blocking(move |s| {
                    auth::start_session(&s.db, &s.keys, &s.sessions, &user, &username, &rid)
                })
                .await?;
            Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
        }
        other => {
            let who = username.clone();
            let ip_text = ip.map(|i| i.to_string());
            state
                .blocking(move |s| {
                    infra::app::auth::throttle_result(&s.db, &who, ip_text.as_deref(), false)
                })
                .await?;
            if let Some(user) = other {
                state
                    .blocking(move |s| auth::record_failed_login(&s.db, &user, &username, &rid))
                    .await?;
            }
            Err(DomainError::Unauthorized("invalid credentials").into())
        }
    }
}

/// Spends a refresh token and returns a new pair. A token presented twice revokes its whole
/// session (both the replayed and the newest token stop working).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        (status = 401, description = "Unknown, spent, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<RefreshBody>,
) -> ApiResult<HttpResponse> {
    let rid = request_id(&req);
    let token = body.0.refresh_token;
    let tokens = state
        .blocking(move |s| auth::refresh(&s.db, &s.keys, &s.sessions, &token, &rid))
        .await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
/// Answers 204 whether or not the token was known.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 204, description = "Session ended"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<RefreshBody>,
) -> ApiResult<HttpResponse> {
    let rid = request_id(&req);
    let token = body.0.refresh_token;
    state
        .blocking(move |s| auth::logout(&s.db, &token, &rid))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The public keys that verify access tokens (JWKS, RFC 7517). Cacheable for five minutes.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.keys.jwks())
}
