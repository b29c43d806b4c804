//! Reading an uploaded file: the `file` part of a `multipart/form-data` body, or the raw body,
//! within a byte limit.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use domain::DomainError;
use futures_util::StreamExt as _;

use crate::error::ApiError;

/// A refusal of the upload as unreadable, naming `file`.
fn unreadable(en: &str, zh: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::field(
        "file",
        domain::Rule::other(format!("{en}: {e}"), format!("{zh}:{e}")),
    )
}

/// Reads the upload: a `multipart/form-data` field named `file`, or the raw body, refusing it
/// with 413 (naming `limit`) as soon as it grows past `limit` bytes: nothing is written then.
///
/// # Errors
/// 413 past the limit; 422 naming `file` when the body cannot be read.
pub(crate) async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut out = Vec::new();
    let mut take = |chunk: &[u8]| {
        if out.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        out.extend_from_slice(chunk);
        Ok(())
    };
    if multipart {
        let mut form = Multipart::new(req.headers(), payload);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| unreadable("unreadable form", "无法读取表单", e))?;
            let is_file = field.content_disposition().and_then(|d| d.get_name()) == Some("file");
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| unreadable("unreadable form", "无法读取表单", e))?;
                if is_file {
                    take(&chunk)?;
                }
            }
        }
    } else {
        let mut payload = payload;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| unreadable("could not read the upload", "无法读取上传的文件", e))?;
            take(&chunk)?;
        }
    }
    Ok(out)
}
