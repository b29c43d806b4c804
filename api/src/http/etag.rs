//! `ETag` / `If-Match` for optimistic concurrency: the tag is the resource's version.

use actix_web::HttpRequest;
use actix_web::http::header;
use domain::DomainError;

/// The ETag of a version: `"3"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`.
///
/// # Errors
/// `PreconditionRequired` (428) when missing; `PreconditionFailed` (412) when it is not one of
/// our tags.
pub fn if_match(req: &HttpRequest) -> Result<i32, DomainError> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Err(DomainError::PreconditionRequired);
    };
    let s = v
        .to_str()
        .map_err(|_| DomainError::PreconditionFailed)?
        .trim();
    // `*` would be a blind update: the API wants the version that was read.
    if s == "*" {
        return Err(DomainError::PreconditionRequired);
    }
    let s = s.strip_prefix("W/").unwrap_or(s);
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .and_then(|s| s.parse().ok())
        .ok_or(DomainError::PreconditionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn parses_if_match() {
        let with = |v: &str| {
            if_match(
                &TestRequest::default()
                    .insert_header((header::IF_MATCH, v))
                    .to_http_request(),
            )
        };
        assert_eq!(with("\"3\"").ok(), Some(3));
        assert_eq!(with("W/\"4\"").ok(), Some(4));
        assert!(matches!(with("3"), Err(DomainError::PreconditionFailed)));
        assert!(matches!(with("*"), Err(DomainError::PreconditionRequired)));
        assert!(matches!(
            if_match(&TestRequest::default().to_http_request()),
            Err(DomainError::PreconditionRequired)
        ));
        assert_eq!(etag(7), "\"7\"");
    }
}
