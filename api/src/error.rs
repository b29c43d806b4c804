//! The one place errors become HTTP answers: RFC 9457 `application/problem+json` with a stable
//! `code`, field `errors` for validation, and the request id. Internal errors are logged once
//! here and answered with a generic 500.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::{DomainError, ErrorCode, FieldError, Lang};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The current request's id, set by the request-id middleware for the whole request.
    pub static REQUEST_ID: String;
    /// The language the caller asked for (`Accept-Language`), set by the same middleware.
    pub static LANG: Lang;
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

/// One field error: the field, the rule it broke with the rule's parameters (so a client can
/// word its own message), and the message in the language asked for (`Accept-Language`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDoc {
    /// Dotted path of the field.
    pub field: String,
    /// Why it was refused, in the answer's language (`Content-Language`).
    #[schema(example = "must have 1 to 200 characters")]
    pub message: String,
    /// The rule the value broke.
    #[schema(value_type = domain::RuleName, example = "length")]
    pub rule: domain::RuleName,
    /// Least value or length (`length`, `out_of_range`, `at_least`, `year_range`, `area`,
    /// `percentage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>, example = 1)]
    pub min: Option<serde_json::Number>,
    /// Greatest value or length (`too_long`, `length`, `out_of_range`, `at_most`,
    /// `year_range`, `area`, `percentage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>, example = 200)]
    pub max: Option<serde_json::Number>,
    /// The values accepted (`one_of`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The field or date the value may not precede (`not_before`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// The shape the value must have (`format`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<domain::Format>)]
    pub format: Option<domain::Format>,
    /// What the value must name in your scope (`not_in_scope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<domain::ScopeKind>)]
    pub scope: Option<domain::ScopeKind>,
}

impl FieldErrorDoc {
    /// `e` rendered in `lang`.
    pub fn of(e: &FieldError, lang: Lang) -> Self {
        let p = e.rule.params();
        Self {
            field: e.field.clone(),
            message: e.message(lang),
            rule: e.rule.rule_name(),
            min: p.min,
            max: p.max,
            allowed: p.allowed,
            other: p.other,
            format: p.format,
            scope: p.scope,
        }
    }
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
    /// An uploaded file of a type the operation does not take (found from its content) → 415:
    /// what it takes, in English and in Chinese.
    #[error("unsupported file type")]
    UnsupportedFile((&'static str, &'static str)),
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

/// A problem's detail: fixed text in both languages, a conflict's (or a forbidden's) message
/// after its code's Chinese description, or the field errors, each rendered in the language.
enum Detail {
    None,
    Text(&'static str, &'static str),
    Owned(String, String),
    Described(ErrorCode, String),
    Fields(usize),
}

struct Parts {
    status: StatusCode,
    code: ErrorCode,
    title: &'static str,
    detail: Detail,
    errors: Vec<FieldError>,
    errors_total: Option<usize>,
}

impl ApiError {
    fn parts(&self) -> Parts {
        let p = |status, code, title, detail: Detail| Parts {
            status,
            code,
            title,
            detail,
            errors: Vec::new(),
            errors_total: None,
        };
        let fields = |errs: &[FieldError]| {
            let shown = &errs[..errs.len().min(MAX_FIELD_ERRORS)];
            Parts {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: ErrorCode::ValidationFailed,
                title: "Validation failed",
                detail: Detail::Fields(errs.len()),
                errors: shown.to_vec(),
                errors_total: Some(errs.len()),
            }
        };
        match self {
            Self::Domain(d) => match d {
                DomainError::NotFound => p(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    "Not found",
                    Detail::None,
                ),
                DomainError::Unauthorized(_) => p(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    "Authentication required",
                    Detail::Text(
                        "the credentials are missing, invalid or expired",
                        "未提供登录凭据,或凭据无效、已过期",
                    ),
                ),
                DomainError::Forbidden(m) => p(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "Forbidden",
                    Detail::Described(ErrorCode::Forbidden, m.clone()),
                ),
                DomainError::PasswordChangeRequired => p(
                    StatusCode::FORBIDDEN,
                    ErrorCode::PasswordChangeRequired,
                    "Password change required",
                    Detail::Text(
                        "an administrator reset your password: change it (PUT /api/v1/me/password) before anything else",
                        "管理员已重置您的密码,请先修改密码(PUT /api/v1/me/password)再进行其他操作",
                    ),
                ),
                DomainError::Validation(errs) => fields(errs),
                DomainError::Conflict { code, message } => p(
                    StatusCode::CONFLICT,
                    *code,
                    "Conflict",
                    Detail::Described(*code, message.clone()),
                ),
                DomainError::PreconditionFailed => p(
                    StatusCode::PRECONDITION_FAILED,
                    ErrorCode::StaleVersion,
                    "Precondition failed",
                    Detail::Text(
                        "the resource changed since you read it; fetch it again and retry",
                        "数据在您读取后已被修改,请重新获取后再试",
                    ),
                ),
                DomainError::PreconditionRequired => p(
                    StatusCode::PRECONDITION_REQUIRED,
                    ErrorCode::IfMatchRequired,
                    "Precondition required",
                    Detail::Text(
                        "send If-Match with the ETag you read",
                        "请在 If-Match 中提供读取时得到的 ETag",
                    ),
                ),
                DomainError::TooManyRequests(_) => p(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyRequests,
                    "Too many requests",
                    Detail::Text(
                        "too many attempts; retry after the time in Retry-After",
                        "尝试次数过多,请在 Retry-After 所示时间后重试",
                    ),
                ),
                DomainError::Unavailable => p(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "Service unavailable",
                    Detail::Text("the server is busy; retry shortly", "服务器繁忙,请稍后重试"),
                ),
                DomainError::Unexpected(_) => p(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError,
                    "Internal server error",
                    Detail::Text(
                        "an unexpected error occurred; quote the request id when reporting it",
                        "发生意外错误,报告问题时请提供请求编号",
                    ),
                ),
            },
            Self::PayloadTooLarge(limit) => p(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Payload too large",
                Detail::Owned(
                    format!("the body must not exceed {limit} bytes"),
                    format!("请求内容不能超过 {limit} 字节"),
                ),
            ),
            Self::UnsupportedMediaType => p(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                Detail::Text(
                    "send the body as application/json",
                    "请以 application/json 发送请求内容",
                ),
            ),
            Self::UnsupportedFile(what) => p(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                Detail::Text(what.0, what.1),
            ),
            Self::MethodNotAllowed(allowed) => p(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "Method not allowed",
                Detail::Owned(
                    format!("allowed: {}", allowed.join(", ")),
                    format!("允许的方法:{}", allowed.join(", ")),
                ),
            ),
            Self::CountyBusy => p(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::CountyBusy,
                "County busy",
                Detail::Text(
                    "your county has as many requests running as it may at once; retry after the time in Retry-After",
                    "本县同时运行的请求已达上限,请在 Retry-After 所示时间后重试",
                ),
            ),
            Self::NoRoute => p(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Not found",
                Detail::None,
            ),
            Self::BadParameter(e) => fields(std::slice::from_ref(e)),
        }
    }
}

impl Parts {
    /// The detail in `lang`.
    fn detail(&self, lang: Lang) -> Option<String> {
        let zh = lang == Lang::Zh;
        match &self.detail {
            Detail::None => None,
            Detail::Text(en, cn) => Some((if zh { *cn } else { *en }).to_string()),
            Detail::Owned(en, cn) => Some(if zh { cn.clone() } else { en.clone() }),
            Detail::Described(code, m) => Some(if zh {
                format!("{}({m})", code.description_zh())
            } else {
                m.clone()
            }),
            Detail::Fields(total) => {
                let (sep, colon) = if zh { (";", ":") } else { ("; ", ": ") };
                let mut detail = self
                    .errors
                    .iter()
                    .map(|e| format!("{}{colon}{}", e.field, e.message(lang)))
                    .collect::<Vec<_>>()
                    .join(sep);
                let more = total.saturating_sub(self.errors.len());
                if more > 0 {
                    detail.push_str(&if zh {
                        format!(";另有 {more} 个错误(见 errors_total)")
                    } else {
                        format!("; and {more} more errors (errors_total)")
                    });
                }
                Some(detail)
            }
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
        let body = Problem {
            type_: format!("urn:zhenxing:problem:{}", parts.code),
            title: match lang {
                Lang::En => parts.title.into(),
                Lang::Zh => crate::i18n::title_zh(parts.status.as_u16()).into(),
            },
            status: parts.status.as_u16(),
            code: parts.code,
            detail: parts.detail(lang),
            request_id,
            errors: parts
                .errors
                .iter()
                .map(|e| FieldErrorDoc::of(e, lang))
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
