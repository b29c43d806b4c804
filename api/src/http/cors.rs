//! CORS per tenant: a browser front end may call the API from an origin its county listed
//! (`PUT /api/v1/cors-origins`); nothing is allowed by default. Preflights are answered for an
//! origin that some county listed; an authenticated response carries `Access-Control-Allow-Origin`
//! only when the caller's own county listed the origin — for a city or province user, a county
//! below their unit (public routes such as login: any county's listing will do). Lookups are cached per instance for a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, HttpResponse, web};
use infra::jwt::AccessClaims;

use crate::error::ApiError;
use crate::state::AppState;

const TTL: Duration = Duration::from_secs(60);

/// Origin → counties that listed it, with when it was looked up.
#[derive(Debug, Default)]
pub struct CorsCache(Mutex<HashMap<String, (Vec<i32>, Instant)>>);

impl CorsCache {
    /// Drops what this instance cached (after a change here).
    pub fn forget(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }

    async fn counties(&self, state: &AppState, origin: &str) -> Vec<i32> {
        if let Ok(m) = self.0.lock()
            && let Some((c, at)) = m.get(origin)
            && at.elapsed() < TTL
        {
            return c.clone();
        }
        let (db, o) = (state.db.clone(), origin.to_string());
        let found = web::block(move || infra::app::cors::counties_for(&db, &o))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        if let Ok(mut m) = self.0.lock() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(origin.to_string(), (found.clone(), Instant::now()));
        }
        found
    }
}

const ALLOW_HEADERS: &str =
    "authorization, content-type, if-match, idempotency-key, accept-language, x-request-id";
const EXPOSE_HEADERS: &str =
    "etag, location, retry-after, x-request-id, content-disposition, idempotent-replayed";

/// Whether one of the counties that listed the origin is the caller's: the county of their org
/// unit, or, for a city or province user (whose requests are bounded by where their grants lie,
/// often one county), a county below it. The platform's users get none.
fn listed_for(org: domain::RegionCode, counties: &[i32]) -> bool {
    if org == domain::RegionCode::PLATFORM {
        return false;
    }
    counties.iter().any(|&c| {
        c == org.county_code()
            || domain::RegionCode::from_i64(i64::from(c) * 1_000_000)
                .is_ok_and(|county| org.subtree().contains(county))
    })
}

/// The middleware.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let (Some(origin), Some(state)) = (origin, req.app_data::<web::Data<AppState>>().cloned())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let counties = state.cors.counties(&state, &origin).await;
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        if counties.is_empty() {
            let e = ApiError::Domain(domain::DomainError::Forbidden(
                "this origin is not allowed to call the API; a county administrator lists it at PUT /api/v1/cors-origins".into(),
            ));
            return Ok(req.into_response(actix_web::ResponseError::error_response(&e)));
        }
        let mut res = HttpResponse::NoContent();
        res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_METHODS,
                "GET, POST, PUT, PATCH, DELETE",
            ))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"));
        return Ok(req.into_response(res.finish()));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let caller_org = res
        .request()
        .extensions()
        .get::<AccessClaims>()
        .and_then(|c| domain::RegionCode::parse(&c.org).ok());
    let allowed = match caller_org {
        Some(org) => listed_for(org, &counties),
        None => !counties.is_empty(),
    };
    let h = res.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if allowed && let Ok(v) = HeaderValue::from_str(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    Ok(res)
}
