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

/// What the parts of a form other than its file may hold together.
pub(crate) const OTHER_FIELDS_BYTES: usize = 64 * 1024;

/// The refusal of a form holding more than one `file` part.
pub(crate) fn one_file() -> DomainError {
    DomainError::field(
        "file",
        domain::Rule::other("send one file per upload", "每次上传只能发送一个文件"),
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
    let mut out = Vec::new();
    each_chunk(req, payload, async |chunk: &[u8]| {
        if out.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        out.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Hands the uploaded file to `take` chunk by chunk as it arrives: the `file` field of a
/// `multipart/form-data` body (one; other fields are read past, up to
/// [`OTHER_FIELDS_BYTES`]), or the raw body. One reader for
/// the uploads read into memory and those streamed to the file store.
async fn each_chunk(
    req: &HttpRequest,
    payload: web::Payload,
    mut take: impl AsyncFnMut(&[u8]) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mut form = Multipart::new(req.headers(), payload);
        let (mut files, mut other) = (0, 0_usize);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| unreadable("unreadable form", "无法读取表单", e))?;
            let is_file = field.content_disposition().and_then(|d| d.get_name()) == Some("file");
            if is_file {
                // Two `file` parts were read as one file joined end to end.
                files += 1;
                if files > 1 {
                    return Err(one_file().into());
                }
            }
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| unreadable("unreadable form", "无法读取表单", e))?;
                if is_file {
                    take(&chunk).await?;
                } else {
                    other += chunk.len();
                    if other > OTHER_FIELDS_BYTES {
                        return Err(ApiError::PayloadTooLarge(OTHER_FIELDS_BYTES));
                    }
                }
            }
        }
    } else {
        let mut payload = payload;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| unreadable("could not read the upload", "无法读取上传的文件", e))?;
            take(&chunk).await?;
        }
    }
    Ok(())
}

/// An upload streamed to a staging file of the file store: removed when dropped, unless it was
/// moved into the store (then there is nothing left to remove).
#[derive(Debug)]
pub(crate) struct Staged {
    path: std::path::PathBuf,
    /// Bytes received.
    pub size: usize,
}

impl Staged {
    /// The staged file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Bytes gathered before a write to the staging file.
const WRITE_BATCH: usize = 1024 * 1024;

fn store_error(e: std::io::Error) -> ApiError {
    ApiError::Domain(DomainError::Unexpected(anyhow::anyhow!(
        "import upload store: {e}"
    )))
}

/// Writes the body to a staged file in batches, counting it against the limit as it comes.
struct Writer {
    staged: Staged,
    file: Option<std::fs::File>,
    batch: Vec<u8>,
    limit: usize,
}

impl Writer {
    async fn take(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        self.staged.size += chunk.len();
        if self.staged.size > self.limit {
            return Err(ApiError::PayloadTooLarge(self.limit));
        }
        self.batch.extend_from_slice(chunk);
        if self.batch.len() >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ApiError> {
        use std::io::Write as _;
        if self.batch.is_empty() {
            return Ok(());
        }
        let mut file = self
            .file
            .take()
            .ok_or_else(|| store_error(std::io::Error::other("the staged file is closed")))?;
        let bytes = std::mem::take(&mut self.batch);
        let (file, mut bytes) = web::block(move || file.write_all(&bytes).map(|()| (file, bytes)))
            .await?
            .map_err(store_error)?;
        bytes.clear();
        self.batch = bytes;
        self.file = Some(file);
        Ok(())
    }
}

/// Streams the upload (the `file` field of a `multipart/form-data` body, or the raw body) to a
/// staging file of `store`, a batch at a time: never held whole in memory. Past `limit` bytes
/// it stops with 413 naming the limit, and the staged part is removed (so it is on any error).
///
/// # Errors
/// 413 past the limit; 422 naming `file` when the body cannot be read; 500 when the staging
/// directory cannot be written.
pub(crate) async fn stage_upload(
    req: &HttpRequest,
    payload: web::Payload,
    store: &std::sync::Arc<dyn infra::files::Store>,
    limit: usize,
) -> Result<Staged, ApiError> {
    let store = store.clone();
    let (file, path) = web::block(move || store.stage())
        .await?
        .map_err(store_error)?;
    let mut w = Writer {
        staged: Staged { path, size: 0 },
        file: Some(file),
        batch: Vec::with_capacity(WRITE_BATCH),
        limit,
    };
    each_chunk(req, payload, async |chunk: &[u8]| w.take(chunk).await).await?;
    w.flush().await?;
    Ok(w.staged)
}
