//! The one place errors become HTTP answers: RFC 9457 `application/problem+json` with a stable
//! `code`, field `errors` for validation, and the request id. Internal errors are logged once
//! here and answered with a generic 500.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::{DomainError, ErrorCode, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The current request's id, set by the request-id middleware for the whole request.
    pub static REQUEST_ID: String;
    /// The language the caller asked for (`Accept-Language`), set by the same middleware.
    pub static LANG: crate::i18n::Lang;
}

/// The current request id, when inside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// The answers every secured operation shares, named once: an operation's `responses(…)` lists
/// them by name (`NotSignedIn`) beside the answers particular to it. The document is the same as
/// when each operation spelled them out.
pub mod answers {
    use super::Problem;

    /// 401: no access token, or an expired, revoked or otherwise invalid one.
    #[derive(Debug, utoipa::IntoResponses)]
    #[response(
        status = 401,
        description = "Not signed in",
        content_type = "application/problem+json"
    )]
    pub struct NotSignedIn(pub Problem);

    /// 404: no such object in the caller's scope (another county's is never told apart).
    #[derive(Debug, utoipa::IntoResponses)]
    #[response(
        status = 404,
        description = "Not found",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(pub Problem);

    /// 422: a field of the body failed its check; the problem names each.
    #[derive(Debug, utoipa::IntoResponses)]
    #[response(
        status = 422,
        description = "Bad field",
        content_type = "application/problem+json"
    )]
    pub struct BadField(pub Problem);
}

/// A problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the problem type (`urn:zhenxing:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code: one of a closed set, each described in the enum.
    pub code: ErrorCode,
    /// Human-readable explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request id (also in `X-Request-Id`).
    pub request_id: String,
    /// Field-level errors (validation): the first 100, in the order found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorDoc>,
    /// How many field errors there were in all (with `errors`; more than its length when the
    /// list was cut at 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors_total: Option<usize>,
}

/// Most field errors one answer lists (the rest are counted in `errors_total`), so no input can
/// make an error answer grow with it.
pub const MAX_FIELD_ERRORS: usize = 100;

/// One field error.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDoc {
    /// Dotted path of the field.
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// Every error an endpoint answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A use-case error.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Body over the configured limit → 413.
    #[error("request body too large")]
    PayloadTooLarge(usize),
    /// Body not JSON → 415.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// An uploaded file of a type the operation does not take (found from its content) → 415.
    #[error("unsupported file type")]
    UnsupportedFile(&'static str),
    /// Known path, other method → 405.
    #[error("method not allowed")]
    MethodNotAllowed(Vec<&'static str>),
    /// No such route → 404.
    #[error("no such route")]
    NoRoute,
    /// Bad query string or path parameter → 422 / 404.
    #[error("bad parameter")]
    BadParameter(FieldError),
    /// The caller's county has as many requests running on this instance as it may → 429.
    #[error("county busy")]
    CountyBusy,
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Domain(DomainError::Unexpected(anyhow::anyhow!(
            "blocking task failed: {e}"
        )))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::Domain(DomainError::Unexpected(e))
    }
}

struct Parts {
    status: StatusCode,
    code: ErrorCode,
    title: &'static str,
    detail: Option<String>,
    errors: Vec<FieldError>,
    errors_total: Option<usize>,
}

impl ApiError {
    fn parts(&self) -> Parts {
        let p = |status, code, title, detail: Option<String>| Parts {
            status,
            code,
            title,
            detail,
            errors: Vec::new(),
            errors_total: None,
        };
        match self {
            Self::Domain(d) => match d {
                DomainError::NotFound => p(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    "Not found",
                    None,
                ),
                DomainError::Unauthorized(_) => p(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    "Authentication required",
                    Some("the credentials are missing, invalid or expired".into()),
                ),
                DomainError::Forbidden(m) => p(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "Forbidden",
                    Some(m.clone()),
                ),
                DomainError::Validation(errs) => {
                    let shown = &errs[..errs.len().min(MAX_FIELD_ERRORS)];
                    let mut detail = shown
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    if errs.len() > shown.len() {
                        detail.push_str(&format!(
                            "; and {} more errors (errors_total)",
                            errs.len() - shown.len()
                        ));
                    }
                    Parts {
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                        code: ErrorCode::ValidationFailed,
                        title: "Validation failed",
                        detail: Some(detail),
                        errors: shown.to_vec(),
                        errors_total: Some(errs.len()),
                    }
                }
                DomainError::Conflict { code, message } => p(
                    StatusCode::CONFLICT,
                    *code,
                    "Conflict",
                    Some(message.clone()),
                ),
                DomainError::PreconditionFailed => p(
                    StatusCode::PRECONDITION_FAILED,
                    ErrorCode::StaleVersion,
                    "Precondition failed",
                    Some("the resource changed since you read it; fetch it again and retry".into()),
                ),
                DomainError::PreconditionRequired => p(
                    StatusCode::PRECONDITION_REQUIRED,
                    ErrorCode::IfMatchRequired,
                    "Precondition required",
                    Some("send If-Match with the ETag you read".into()),
                ),
                DomainError::TooManyRequests(_) => p(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyRequests,
                    "Too many requests",
                    Some("too many attempts; retry after the time in Retry-After".into()),
                ),
                DomainError::Unavailable => p(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "Service unavailable",
                    Some("the server is busy; retry shortly".into()),
                ),
                DomainError::Unexpected(_) => p(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError,
                    "Internal server error",
                    Some(
                        "an unexpected error occurred; quote the request id when reporting it"
                            .into(),
                    ),
                ),
            },
            Self::PayloadTooLarge(limit) => p(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Payload too large",
                Some(format!("the body must not exceed {limit} bytes")),
            ),
            Self::UnsupportedMediaType => p(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                Some("send the body as application/json".into()),
            ),
            Self::UnsupportedFile(what) => p(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                Some((*what).to_string()),
            ),
            Self::MethodNotAllowed(allowed) => p(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "Method not allowed",
                Some(format!("allowed: {}", allowed.join(", "))),
            ),
            Self::CountyBusy => p(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::CountyBusy,
                "County busy",
                Some("your county has as many requests running as it may at once; retry after the time in Retry-After".into()),
            ),
            Self::NoRoute => p(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Not found",
                None,
            ),
            Self::BadParameter(e) => Parts {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: ErrorCode::ValidationFailed,
                title: "Validation failed",
                detail: Some(format!("{}: {}", e.field, e.message)),
                errors: vec![e.clone()],
                errors_total: Some(1),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().status
    }

    fn error_response(&self) -> HttpResponse {
        let parts = self.parts();
        let request_id = current_request_id();
        if let Self::Domain(DomainError::Unexpected(e)) = self {
            tracing::error!(request_id = %request_id, error = ?e, "unexpected error");
        }
        let lang = LANG.try_with(|l| *l).unwrap_or_default();
        let tr = |m: &str| crate::i18n::message(lang, m);
        let body = Problem {
            type_: format!("urn:zhenxing:problem:{}", parts.code),
            title: match lang {
                crate::i18n::Lang::En => parts.title.into(),
                crate::i18n::Lang::Zh => crate::i18n::title_zh(parts.status.as_u16()).into(),
            },
            status: parts.status.as_u16(),
            code: parts.code,
            detail: parts.detail.as_deref().map(tr),
            request_id,
            errors: parts
                .errors
                .into_iter()
                .map(|e| FieldErrorDoc {
                    message: tr(&e.message),
                    field: e.field,
                })
                .collect(),
            errors_total: parts.errors_total,
        };
        let mut res = HttpResponse::build(parts.status);
        res.content_type("application/problem+json")
            .insert_header((header::CONTENT_LANGUAGE, lang.tag()));
        match self {
            Self::Domain(DomainError::TooManyRequests(after)) => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs(*after).to_string()));
            }
            Self::Domain(DomainError::Unauthorized(_)) => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::Domain(DomainError::Unavailable) | Self::CountyBusy => {
                res.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::MethodNotAllowed(allowed) => {
                res.insert_header((header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        res.json(body)
    }
}

/// Whole seconds, rounded up, at least 1.
fn retry_after_secs(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
