//! Two middlewares wrap every request.
//!
//! * [`stamp`] gives the request an id (a fresh UUID, echoed in `X-Request-Id`, stored in audit
//!   rows and error bodies) and adds the security headers.
//! * [`gate`] looks the matched route up in the route table: a route without an entry is
//!   denied, a known path with another method answers 405, and every non-public route needs a
//!   valid access token, whose claims it hands to the handler.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, ResponseError as _, web};
use domain::DomainError;
use uuid::Uuid;

use crate::error::{ApiError, REQUEST_ID};
use crate::routes::{self, Access};
use crate::state::AppState;

/// The request id, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request id and security headers.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn stamp(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = Uuid::new_v4().to_string();
    let docs = req.path().starts_with("/docs");
    let console = req.path() == "/console" || req.path().starts_with("/console/");
    let started = std::time::Instant::now();
    // Labels from closed sets (see `metrics`): a made-up method or path adds no series and no
    // unbounded text to the log.
    let method = crate::metrics::method_label(req.method().as_str());
    let pattern = req.match_pattern();
    let route = crate::metrics::route_label(pattern.as_deref());
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let lang = crate::i18n::Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut res = REQUEST_ID
        .scope(
            id.clone(),
            crate::error::LANG.scope(lang, tracing::Instrument::instrument(next.call(req), span)),
        )
        .await?
        .map_into_boxed_body();
    let took = started.elapsed();
    if let Some(m) = metrics {
        m.observe(method, pattern.as_deref(), res.status().as_u16(), took);
    }
    // One line per request (JSON with ZX_LOG_FORMAT=json): the route pattern, never the
    // concrete path or query, which may carry names.
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        "request"
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(X_REQUEST_ID, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if console {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(super::console::CSP),
        );
    } else if !docs {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    Ok(res)
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Route-table gate and token check.
///
/// # Errors
/// Whatever the inner service returns.
/// The name of the first query parameter whose name or value holds an encoded NUL (`%00`).
fn nul_parameter(query: &str) -> Option<String> {
    query
        .split('&')
        .find(|pair| pair.to_ascii_lowercase().contains("%00"))
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("query");
            if name.to_ascii_lowercase().contains("%00") || name.is_empty() {
                "query".to_string()
            } else {
                name.to_string()
            }
        })
}

/// The first query parameter whose value reads as a date outside 1900–2100
/// (`as_of=%2B262142-12-31`, `found_on=-5000-01-01`).
fn date_out_of_range(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let value = percent_decoded(value)?;
        domain::input::date_text_out_of_range(&value).then(|| name.to_string())
    })
}

/// A query value as the query extractor reads it (`%XX` escapes, `+` for a space).
fn percent_decoded(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The first year-valued query parameter holding a number outside 1980–2100.
fn year_out_of_range(query: &str) -> Option<String> {
    const YEARS: &[&str] = &[
        "year",
        "income_year",
        "from_year",
        "to_year",
        "year_identified",
    ];
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let n: i64 = value.trim().parse().ok()?;
        (YEARS.contains(&name)
            && !(i64::from(domain::input::FIRST_YEAR)..=i64::from(domain::input::LAST_YEAR))
                .contains(&n))
        .then(|| name.to_string())
    })
}

pub async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(pattern) = req.match_pattern() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let reject = |req: ServiceRequest, e: ApiError| Ok(req.into_response(e.error_response()));
    // PostgreSQL cannot store U+0000 in text: refuse it here, naming the parameter.
    if let Some(param) = nul_parameter(req.query_string()) {
        return reject(
            req,
            ApiError::BadParameter(domain::FieldError::new(
                param,
                domain::Rule::other("must not contain the NUL character", "不能包含 NUL 字符"),
            )),
        );
    }
    // Years in queries are checked once for every route, as the document states.
    if let Some(param) = year_out_of_range(req.query_string()) {
        return reject(
            req,
            ApiError::BadParameter(domain::FieldError::new(param, domain::input::YEAR_RULE)),
        );
    }
    if let Some(param) = date_out_of_range(req.query_string()) {
        return reject(
            req,
            ApiError::BadParameter(domain::FieldError::new(param, domain::input::date_rule())),
        );
    }
    let Some(rule) = routes::rule(req.method().as_str(), &pattern) else {
        let allowed = routes::methods(&pattern);
        if allowed.is_empty() {
            tracing::error!(route = %pattern, "route has no entry in the route table: denied");
            return reject(
                req,
                DomainError::Forbidden("this route is not open to anyone".into()).into(),
            );
        }
        return reject(req, ApiError::MethodNotAllowed(allowed));
    };
    if rule.access != Access::Public {
        let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
            return reject(req, anyhow::anyhow!("application state missing").into());
        };
        let claims = bearer(&req).map(|t| state.keys.verify_access(&state.sessions.tokens, t));
        match claims {
            Some(Ok(c)) => {
                req.extensions_mut().insert(c);
            }
            Some(Err(e)) => {
                tracing::info!(reason = %e, "access token refused");
                return reject(req, DomainError::Unauthorized("invalid token").into());
            }
            None => return reject(req, DomainError::Unauthorized("missing token").into()),
        }
    }
    req.extensions_mut().insert(*rule);
    Ok(next.call(req).await?.map_into_boxed_body())
}
