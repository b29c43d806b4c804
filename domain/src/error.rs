//! The error vocabulary shared by every use case; `api` maps each variant to one HTTP status.

use std::time::Duration;

/// One invalid input field: the JSON path of the field and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`org_unit`, `overrides.notice_days.first`).
    pub field: String,
    /// Human-readable reason.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Errors every use case may return.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist *or is outside the caller's scope* (never distinguish the two).
    #[error("not found")]
    NotFound,
    /// Credentials are missing, wrong, expired or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The caller is known but lacks the permission or level for this action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Input fields failed validation.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request conflicts with existing state (`code` is stable, `message` human).
    #[error("conflict: {message}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable detail that names nothing outside the caller's scope.
        message: String,
    },
    /// `If-Match` did not match the current version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// `If-Match` is required and was missing.
    #[error("precondition required")]
    PreconditionRequired,
    /// Too many attempts; retry after the given time.
    #[error("too many requests")]
    TooManyRequests(Duration),
    /// The server is saturated (pool or hashing capacity); retry shortly.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else: logged once, answered with a generic 500.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl DomainError {
    /// A validation error with a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

/// Collects field errors so a request reports all its bad fields at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Records `message` for `field` when `ok` is false.
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.errors.push(FieldError::new(field, message));
        }
        self
    }

    /// Records the error of a parse result, returning its value when it parsed.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded, else every recorded error.
    ///
    /// # Errors
    /// `DomainError::Validation` listing each failed field.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.errors))
        }
    }
}
