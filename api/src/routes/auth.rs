//! Login, refresh, logout and the public signing keys.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{FromRequest as _, HttpRequest, HttpResponse, get, post, web};
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
    /// Opaque token for `POST /api/v1/auth/refresh`; single use. Absent when the request asked
    /// for it as a cookie (`X-Refresh-Cookie: 1`): then it is in the `zx_refresh` cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
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
            refresh_token: Some(t.refresh_token),
            token_type: "Bearer".into(),
            expires_in: t.expires_in,
        }
    }
}

/// The request header by which a browser client (the console) asks for the refresh token as a
/// cookie instead of in the JSON body, and by which refresh and logout read it from there. A
/// cross-site page cannot send a custom header without CORS, so the cookie is only ever used
/// together with it (besides `SameSite=Strict`).
pub const COOKIE_MODE_HEADER: &str = "x-refresh-cookie";
/// The cookie that holds the refresh token in cookie mode.
pub const REFRESH_COOKIE: &str = "zx_refresh";
/// The cookie's path: refresh and logout (which must read it to end the session), nothing else.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

/// Whether the request asked for cookie mode (`X-Refresh-Cookie: 1` or `true`).
fn cookie_mode(req: &HttpRequest) -> bool {
    req.headers()
        .get(COOKIE_MODE_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches!(v.trim(), "1" | "true"))
}

/// The refresh token from the `zx_refresh` cookie.
fn token_from_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == REFRESH_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// Whether the request came to a loopback host name (`localhost`, `127.0.0.1`, `[::1]`): there
/// browsers are on plain HTTP, so the cookie cannot be `Secure`.
fn loopback(req: &HttpRequest) -> bool {
    let info = req.connection_info();
    let host = info.host();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `Set-Cookie` for a refresh token (`value`, kept `max_age` seconds; 0 clears it).
fn refresh_cookie(req: &HttpRequest, value: &str, max_age: u64) -> String {
    let secure = if loopback(req) { "" } else { "; Secure" };
    format!(
        "{REFRESH_COOKIE}={value}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    )
}

/// The token pair as an answer: in cookie mode the refresh token goes into the cookie and not
/// into the body.
fn issued(req: &HttpRequest, state: &AppState, tokens: IssuedTokens) -> HttpResponse {
    let mut body = TokenResponse::from(tokens);
    let mut res = HttpResponse::Ok();
    if cookie_mode(req)
        && let Some(token) = body.refresh_token.take()
    {
        res.insert_header((
            header::SET_COOKIE,
            refresh_cookie(req, &token, state.sessions.refresh_ttl.as_secs()),
        ));
    }
    res.json(body)
}

/// The refresh token of a refresh or logout: from the cookie in cookie mode (`None` when it
/// has none), else from the JSON body.
async fn presented_token(req: &HttpRequest, payload: web::Payload) -> ApiResult<Option<String>> {
    if cookie_mode(req) {
        return Ok(token_from_cookie(req));
    }
    let mut payload = payload.into_inner();
    let body = ValidJson::<RefreshBody>::from_request(req, &mut payload).await?;
    Ok(Some(body.0.refresh_token))
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the first address in
/// `X-Forwarded-For`, read right to left, that is not a trusted proxy.
pub(crate) fn client_ip(req: &HttpRequest, cfg: &ThrottleConfig) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let lines = crate::http::proxies::forwarded_for(req.headers());
    Some(
        cfg.trusted_proxies
            .client(peer, lines.iter().map(String::as_str)),
    )
}

/// Logs in. Unknown users, wrong passwords and disabled accounts get the same answer in the
/// same time; repeated failures per account name or per client address answer 429 with
/// `Retry-After` (successful logins never count against an address).
#[utoipa::path(
    tag = "auth",
    request_body = LoginBody,
    params(("X-Refresh-Cookie" = Option<String>, Header, description = "`1`: put the refresh token into an `HttpOnly`, `SameSite=Strict` cookie `zx_refresh` (path `/api/v1/auth`, `Secure` except on loopback) instead of the body (browser clients such as the console)")),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse, headers(("Set-Cookie" = String, description = "The refresh-token cookie, with `X-Refresh-Cookie: 1` only"))),
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
            let ip_key = ip.map(crate::state::address_key);
            state
                .blocking(move |s| {
                    infra::app::auth::throttle_result(&s.db, &who, ip_key.as_deref(), true)
                })
                .await?;
            let tokens = state
                .blocking(move |s| {
                    auth::start_session(&s.db, &s.keys, &s.sessions, &user, &username, &rid)
                })
                .await?;
            Ok(issued(&req, &state, tokens))
        }
        other => {
            let ip_text = ip.map(crate::state::address_key);
            state
                .blocking(move |s| {
                    auth::login_failed(&s.db, &username, ip_text.as_deref(), other.as_ref(), &rid)
                })
                .await?;
            Err(DomainError::Unauthorized("invalid credentials").into())
        }
    }
}

/// Spends a refresh token and returns a new pair. A token presented twice revokes its whole
/// session (both the replayed and the newest token stop working). With `X-Refresh-Cookie: 1`
/// the token is read from the `zx_refresh` cookie (no body needed) and the new one is set there.
#[utoipa::path(
    tag = "auth",
    request_body(content = RefreshBody, description = "The refresh token; not needed (and ignored) with `X-Refresh-Cookie: 1`"),
    params(("X-Refresh-Cookie" = Option<String>, Header, description = "`1`: take the refresh token from the `zx_refresh` cookie and set the new one there")),
    responses(
        (status = 200, description = "New token pair", body = TokenResponse, headers(("Set-Cookie" = String, description = "The new refresh-token cookie, with `X-Refresh-Cookie: 1` only"))),
        (status = 401, description = "Unknown, spent, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let rid = request_id(&req);
    let token = presented_token(&req, payload)
        .await?
        .ok_or(DomainError::Unauthorized("no refresh cookie"))?;
    let tokens = state
        .blocking(move |s| auth::refresh(&s.db, &s.keys, &s.sessions, &token, &rid))
        .await?;
    Ok(issued(&req, &state, tokens))
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
/// Answers 204 whether or not the token was known, and clears the refresh-token cookie. With
/// `X-Refresh-Cookie: 1` the token is read from the cookie (no body needed).
#[utoipa::path(
    tag = "auth",
    request_body(content = RefreshBody, description = "The refresh token; not needed (and ignored) with `X-Refresh-Cookie: 1`"),
    params(("X-Refresh-Cookie" = Option<String>, Header, description = "`1`: take the refresh token from the `zx_refresh` cookie")),
    responses(
        (status = 204, description = "Session ended", headers(("Set-Cookie" = String, description = "Clears the refresh-token cookie"))),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let rid = request_id(&req);
    if let Some(token) = presented_token(&req, payload).await? {
        state
            .blocking(move |s| auth::logout(&s.db, &token, &rid))
            .await?;
    }
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, refresh_cookie(&req, "", 0)))
        .finish())
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

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        login => Public,
        refresh => Public,
        logout => Public,
    },
    "" => {
        jwks => Public,
    },
}
