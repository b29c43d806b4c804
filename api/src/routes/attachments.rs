//! Stored attachments (issue 19 item 4): upload a file for an exit or intake list or a property hit, read
//! its metadata, download it. The upload is authorized and given its size limit before the body
//! is read; the body is streamed to a staging file, hashed as it comes, and cut off at the limit
//! (413, nothing stored); the type is found from the content (415 for anything else); only a
//! complete, checked file is moved in, and it is removed again if its row does not commit.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::DomainError;
use futures_util::StreamExt as _;
use infra::app::attachments::{self, AttachmentRow, ObjectType, Stored, Target};
use infra::files::{self, HEAD_BYTES, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::id_of;
use crate::documents::{FileBytes, rfc8187};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{IdempotencyKey, Once, created_at};
use crate::state::{AppState, Auth};

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentObject {
    /// An exit list: evidence of its steps (sign-in sheets, photos of posted notices). Cite it
    /// in a step's `attachments` as `/api/v1/attachments/{id}`.
    ExitList,
    /// A property-check hit: confidential, read with `property:read`, every read audited.
    PropertyHit,
    /// An intake list: evidence of its steps, as for an exit list.
    IntakeList,
}

impl From<AttachmentObject> for ObjectType {
    fn from(o: AttachmentObject) -> Self {
        match o {
            AttachmentObject::ExitList => Self::ExitList,
            AttachmentObject::PropertyHit => Self::PropertyHit,
            AttachmentObject::IntakeList => Self::IntakeList,
        }
    }
}

/// The object an upload is for, or whose attachments are listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectParams {
    /// `exit_list`, `intake_list` or `property_hit`.
    #[param(inline)]
    pub object_type: AttachmentObject,
    /// The object's id.
    pub object_id: Uuid,
}

/// A stored attachment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    /// Id.
    pub id: Uuid,
    /// What it belongs to.
    pub object_type: String,
    /// The object's id.
    pub object_id: Uuid,
    /// The name it was uploaded with (plain text, no path).
    pub file_name: String,
    /// The media type found from its content (PDF, JPEG, PNG, OFD, DOCX or XLSX).
    pub content_type: String,
    /// Bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
    /// How a step cites it (`attachments[].uri`).
    #[schema(example = "/api/v1/attachments/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b")]
    pub uri: String,
    /// Where its bytes are downloaded.
    pub content_url: String,
}

impl From<AttachmentRow> for AttachmentDto {
    fn from(r: AttachmentRow) -> Self {
        Self {
            uri: format!("/api/v1/attachments/{}", r.id),
            content_url: format!("/api/v1/attachments/{}/content", r.id),
            id: r.id,
            object_type: r.object_type,
            object_id: r.object_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
        }
    }
}

/// The attachments of one object.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    pub items: Vec<AttachmentDto>,
}

/// The form of an upload (`multipart/form-data`).
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file, with its name in the part's `filename` (1–200 characters of plain text, no
    /// path). PDF, JPEG, PNG, OFD, DOCX or XLSX, told by its content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A staged upload: removed when dropped unless it was moved in.
struct Staged(PathBuf);

impl Drop for Staged {
    fn drop(&mut self) {
        // After a successful put the file is gone from here already.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What streaming the form gave.
struct Received {
    staged: Staged,
    file_name: String,
    head: Vec<u8>,
    size: u64,
    sha256: String,
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::Domain(DomainError::Unexpected(anyhow::anyhow!(
        "attachment store: {e}"
    )))
}

use crate::http::upload::OTHER_FIELDS_BYTES;
/// Bytes gathered before a write to the staging file.
const WRITE_BATCH: usize = 1024 * 1024;

/// Streams the form's `file` part into a staging file, hashing it, refusing past `limit`.
async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    store: &Arc<dyn Store>,
    limit: u64,
) -> ApiResult<Received> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::UnsupportedFile((
            "send the file as the part `file` of a multipart/form-data body",
            "请以 multipart/form-data 表单的 `file` 部分发送文件",
        )));
    }
    let unreadable = |e: actix_multipart::MultipartError| {
        ApiError::Domain(DomainError::field(
            "file",
            domain::Rule::other(format!("unreadable form: {e}"), format!("无法读取表单:{e}")),
        ))
    };
    let mut form = Multipart::new(req.headers(), payload);
    let mut out: Option<Received> = None;
    let mut other = 0_usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let is_file = field.name() == Some("file");
        if !is_file || out.is_some() {
            if is_file {
                return Err(crate::http::upload::one_file().into());
            }
            while let Some(chunk) = field.next().await {
                other += chunk.map_err(unreadable)?.len();
                if other > OTHER_FIELDS_BYTES {
                    return Err(ApiError::PayloadTooLarge(OTHER_FIELDS_BYTES));
                }
            }
            continue;
        }
        let cd = field.content_disposition();
        let name = cd
            .and_then(|d| d.get_filename_ext())
            .and_then(|v| String::from_utf8(v.value.clone()).ok())
            .or_else(|| cd.and_then(|d| d.get_filename()).map(str::to_owned))
            .unwrap_or_default();
        let name = name.trim().to_string();
        if let Some(why) = files::file_name_problem(&name) {
            return Err(DomainError::field("file.filename", why).into());
        }
        let store = store.clone();
        let (file, path) = web::block(move || store.stage()).await?.map_err(io_error)?;
        let staged = Staged(path);
        let mut file = Some(file);
        let mut hasher = sha2::Sha256::new();
        let mut head = Vec::with_capacity(HEAD_BYTES);
        let mut size = 0_u64;
        let mut batch: Vec<u8> = Vec::with_capacity(WRITE_BATCH);
        loop {
            let chunk = field.next().await;
            let done = chunk.is_none();
            if let Some(chunk) = chunk {
                let chunk = chunk.map_err(unreadable)?;
                size += chunk.len() as u64;
                if size > limit {
                    // `staged` is dropped: nothing of it stays.
                    return Err(ApiError::PayloadTooLarge(
                        usize::try_from(limit).unwrap_or(usize::MAX),
                    ));
                }
                hasher.update(&chunk);
                if head.len() < HEAD_BYTES {
                    let take = (HEAD_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                batch.extend_from_slice(&chunk);
            }
            if batch.len() >= WRITE_BATCH || (done && !batch.is_empty()) {
                let mut f = file
                    .take()
                    .ok_or_else(|| io_error(std::io::Error::other("file")))?;
                let bytes = std::mem::take(&mut batch);
                let (f, mut bytes) = web::block(move || f.write_all(&bytes).map(|()| (f, bytes)))
                    .await?
                    .map_err(io_error)?;
                bytes.clear();
                batch = bytes;
                file = Some(f);
            }
            if done {
                break;
            }
        }
        out = Some(Received {
            staged,
            file_name: name,
            head,
            size,
            sha256: hex(&hasher.finalize()),
        });
    }
    out.ok_or_else(|| {
        DomainError::field(
            "file",
            domain::Rule::other(
                "is required: the part `file` of the form",
                "必填:表单的 `file` 部分",
            ),
        )
        .into()
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Attachment uploads one user may send at once to one instance; more answer 429.
pub const MAX_UPLOADS_PER_USER: i64 = 4;
/// Attachment uploads one county may send at once to one instance; more answer 429.
pub const MAX_UPLOADS_PER_COUNTY: i64 = 16;

/// Stores a file for an exit or intake list or a property hit: a scan of a signed form, a
/// meeting's sign-in sheet, a photo of a posted notice. Send it as the part `file` of a
/// `multipart/form-data` body; the object is named in the query. Who may attach: to an exit or
/// intake list, whoever takes one of its steps (a workflow permission at its level over the village);
/// to a property hit, whoever verifies it (`property:verify` at the village). The type is told
/// from the content, never the name: PDF, JPEG, PNG, OFD, DOCX or XLSX, anything else 415. A file
/// over the county's `attachments.max_bytes` (20 MiB by default) is refused with 413 while it
/// is read, and nothing is stored. The answer carries the SHA-256; a step cites the file as
/// `/api/v1/attachments/{id}`.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(ObjectParams, IdempotencyKey),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "The file as the part `file`"),
    responses(
        (status = 201, description = "Stored; its metadata (`Location`: where it is read)", body = AttachmentDto),
        NotSignedIn,
        (status = 403, description = "May not attach to this object", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such object in scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than attachments.max_bytes; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too_many_requests: the user (4) or the county (16) has as many uploads under way on this server as it may; county_busy: the county has as many requests running as it may. Retry after Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "unsupported_media_type: not a form, or a file that is not PDF, JPEG, PNG, OFD, DOCX or XLSX by its content", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad query, no part `file`, or a file name that is not a plain name (file.filename)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/attachments")]
pub async fn upload_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ObjectParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let object: ObjectType = q.object_type.into();
    let object_id = q.object_id;
    // Authorise and find the limit before a byte of the body is read.
    let (target, user): (Target, Uuid) = state
        .run(auth.clone(), move |conn, ctx| {
            attachments::target(conn, ctx, object, object_id).map(|t| (t, ctx.caller.user_id))
        })
        .await?;
    // A few at once per user and per county on this instance: hundreds sent together each
    // held a staged file of up to the limit (review, 2026-12-07).
    let _slot = state
        .attachment_uploads
        .take(target.county_code, user, |by_user, by_county| {
            if by_user >= MAX_UPLOADS_PER_USER || by_county >= MAX_UPLOADS_PER_COUNTY {
                Err(DomainError::TooManyRequests(
                    std::time::Duration::from_secs(1),
                ))
            } else {
                Ok(())
            }
        })?;
    let store = state.attachments.clone();
    let got = receive(&req, payload, &store, target.max_bytes).await?;
    // The same file under the same name for the same object is the same request (the object is
    // in the query, which the fingerprint holds).
    let once = Once::of(&req, &(&got.sha256, &got.file_name))?;
    let path = got.staged.0.clone();
    let head = got.head.clone();
    let kind = web::block(move || {
        std::fs::File::open(&path).and_then(|f| files::sniff(&head, std::io::BufReader::new(f)))
    })
    .await?
    .map_err(io_error)?
    .ok_or(ApiError::UnsupportedFile((
        "the file is not a PDF, JPEG, PNG, OFD, DOCX or XLSX (told by its content, not its name)",
        "文件不是 PDF、JPEG、PNG、OFD、DOCX 或 XLSX(按内容判断,而非文件名)",
    )))?;
    let id = Uuid::new_v4();
    let stored = Stored {
        id,
        file_name: got.file_name.clone(),
        content_type: kind.media_type(),
        size_bytes: i64::try_from(got.size).unwrap_or(i64::MAX),
        sha256: got.sha256.clone(),
        storage_key: files::key_for(target.county_code, id),
    };
    let (s2, staged, key) = (
        store.clone(),
        got.staged.0.clone(),
        stored.storage_key.clone(),
    );
    web::block(move || s2.put(&staged, &key))
        .await?
        .map_err(io_error)?;
    drop(got);
    let key = stored.storage_key.clone();
    let answer = match once
        .run(&state, auth, move |conn, ctx| {
            attachments::record(conn, ctx, &target, &stored).map(|row| Ok(AttachmentDto::from(row)))
        })
        .await
    {
        Ok((Ok(body), false)) => body,
        Ok((answer, replayed)) => {
            // Nothing recorded this file (a replay answers the first upload's): it goes.
            discard(&store, key).await?;
            return Ok(created_at(answer?, replayed, Some("/api/v1/attachments")));
        }
        Err(e) => {
            // The row did not commit: the file goes too.
            discard(&store, key).await?;
            return Err(e);
        }
    };
    Ok(created_at(answer, false, Some("/api/v1/attachments")))
}

/// Removes a stored file that no row names.
async fn discard(store: &Arc<dyn Store>, key: String) -> ApiResult<()> {
    let s = Arc::clone(store);
    if let Err(d) = web::block(move || s.delete(&key)).await? {
        tracing::error!(error = %d, "could not remove an attachment whose row failed");
    }
    Ok(())
}

/// The attachments of one object, oldest first; scoped like the object (an exit or intake list needs
/// `workflow:read`, a property hit `property:read`, and listing a hit's is audited).
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(ObjectParams),
    responses(
        (status = 200, description = "The object's attachments", body = AttachmentList),
        NotSignedIn,
        (status = 403, description = "Lacks the object's read permission", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such object in scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/attachments")]
pub async fn list_attachments(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ObjectParams>,
) -> ApiResult<HttpResponse> {
    let object: ObjectType = q.object_type.into();
    let object_id = q.object_id;
    let rows = state
        .run(auth, move |conn, ctx| {
            attachments::list(conn, ctx, object, object_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AttachmentList {
        items: rows.into_iter().map(AttachmentDto::from).collect(),
    }))
}

/// One attachment's metadata, scoped like its object (another county's: 404). A property
/// hit's needs `property:read` and the read is audited.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The attachment", body = AttachmentDto),
        NotSignedIn,
        (status = 403, description = "Lacks the object's read permission", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/attachments/{id}")]
pub async fn get_attachment(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let row = state
        .run(auth, move |conn, ctx| {
            attachments::get(conn, ctx, id, false)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AttachmentDto::from(row)))
}

/// The file itself, scoped like its object (another county's: 404), always as a download
/// (`Content-Disposition: attachment` with the name as RFC 8187 `filename*`), with
/// `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`. Every download is audited.
/// The bytes are checked against the stored SHA-256 before they are sent.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file", body = FileBytes, content(
            (FileBytes = "application/pdf"), (FileBytes = "image/jpeg"), (FileBytes = "image/png"),
            (FileBytes = "application/ofd"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks the object's read permission", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/attachments/{id}/content")]
pub async fn attachment_content(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let row = state
        .run(auth, move |conn, ctx| attachments::get(conn, ctx, id, true))
        .await?;
    let store = state.attachments.clone();
    let key = row.storage_key.clone();
    let bytes = web::block(move || store.get(&key))
        .await?
        .map_err(io_error)?;
    if hex(&sha2::Sha256::digest(&bytes)) != row.sha256 {
        return Err(ApiError::Domain(DomainError::Unexpected(anyhow::anyhow!(
            "attachment {} does not match its SHA-256",
            row.id
        ))));
    }
    let ext = match row.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/ofd" => "ofd",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        _ => "xlsx",
    };
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"attachment.{ext}\"; filename*=UTF-8''{}",
                rfc8187(&row.file_name)
            ),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        upload_attachment => Authenticated,
        list_attachments => Authenticated,
        get_attachment => Authenticated,
        attachment_content => Authenticated,
    },
}
