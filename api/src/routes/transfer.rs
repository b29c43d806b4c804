//! Bulk import (as a job with progress and row errors) and streamed export of households, the
//! import template, and jobs.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::authz::perm;
use infra::app::cases::{export, sheet};
use infra::app::jobs::{self, JobRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::households::{HouseholdParams, audit_list};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::page::{Page, PageParams};
pub(crate) use crate::http::upload::read_upload;
use crate::state::{AppState, Auth};

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `?format=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `csv` (UTF-8 with BOM) or `xlsx`; default `csv`.
    #[param(inline, value_type = Option<crate::documents::SheetFormat>)]
    pub format: Option<String>,
}

pub(crate) fn is_xlsx(format: Option<&str>) -> Result<bool, DomainError> {
    match format.unwrap_or("csv") {
        "csv" => Ok(false),
        "xlsx" => Ok(true),
        _ => Err(DomainError::field(
            "format",
            domain::Rule::one_of(["csv", "xlsx"]),
        )),
    }
}

pub(crate) fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

/// The import template: the accepted columns (Chinese labels) and one example row.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks cases:import", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/households/template")]
pub async fn import_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    let xlsx = is_xlsx(q.format.as_deref())?;
    state.run(auth, |_, _| Ok(())).await?;
    if xlsx {
        let bytes = web::block(sheet::template_xlsx).await??;
        Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(attachment("households-template.xlsx"))
            .body(bytes))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attachment("households-template.csv"))
            .body(sheet::template_csv()))
    }
}

/// `?dry_run=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check everything, database checks included, and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    /// Id.
    pub id: Uuid,
    /// `household_import`, `household_export`, or a bulk-entry import: `household_year_import`,
    /// `village_profile_import`, `visit_import`, `team_member_import`, `ranger_patrol_import`,
    /// `ranger_inspection_import`.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// Nothing is written.
    pub dry_run: bool,
    /// Data rows in the file.
    pub total_rows: i32,
    /// Rows handled so far.
    pub processed_rows: i32,
    /// Rows refused so far (see `errors_url`).
    pub error_rows: i32,
    /// When finished: households created, updated, unchanged, refused; members written.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// Where the row errors are listed.
    pub errors_url: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// When someone asked to cancel it: a running job stops at the end of its current batch
    /// (then `cancelled`).
    pub cancel_requested_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for JobDto {
    fn from(j: JobRow) -> Self {
        Self {
            errors_url: format!("/api/v1/jobs/{}/errors", j.id),
            id: j.id,
            kind: j.kind,
            status: j.status,
            dry_run: j.dry_run,
            total_rows: j.total_rows,
            processed_rows: j.processed_rows,
            error_rows: j.error_rows,
            summary: j.summary,
            created_at: j.created_at,
            finished_at: j.finished_at,
            cancel_requested_at: j.cancel_requested_at,
        }
    }
}

/// Imports households with members and yearly records from a CSV (UTF-8) or XLSX file, sent
/// as the raw body or as the `file` field of a form. The file is checked whole first (encoding,
/// columns, rows): a bad file is refused with 422 and nothing is written. Otherwise the import
/// runs as a job: 202 with the job; poll `GET /api/v1/jobs/{id}` for progress and read every
/// refused row, with its row number, column and reason, at `GET /api/v1/jobs/{id}/errors`.
/// Good households are imported; a household with any bad row is left out whole; importing
/// the same file again changes nothing (upsert by household number). A user may have
/// `imports.max_running_per_user` imports waiting or running at once and a county
/// `imports.max_running_per_county`; past either, 409 `imports_running` before the file is read.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(
        content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "multipart/form-data")),
        description = "The spreadsheet (see the template), as the body or as the form field `file`"
    ),
    responses(
        (status = 202, description = "Accepted; the job", body = JobDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:import", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: the caller (imports.max_running_per_user) or the county (imports.max_running_per_county) has as many imports waiting or running as it may", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/households")]
pub async fn import_households(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    super::imports::start(
        req,
        state,
        auth,
        "household_import",
        "household.import",
        q.dry_run,
        payload,
    )
    .await
}

use super::input::id_of as job_id;

mod export_files;
pub(crate) use export_files::{Exported, run_export_job};

/// `?limit=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobListParams {
    /// How many (1 to 200, default 50).
    pub limit: Option<i64>,
}

/// The latest jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    /// Newest first.
    pub items: Vec<JobDto>,
}

/// The latest jobs (imports and exports) started in the caller's subtree, newest first.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(JobListParams),
    responses(
        (status = 200, description = "The jobs", body = JobList),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1 to 200", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<JobListParams>,
) -> ApiResult<HttpResponse> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(DomainError::field("limit", domain::Rule::range(1, 200)).into());
    }
    let rows = state
        .run(auth, move |conn, _| jobs::list(conn, limit))
        .await?;
    Ok(HttpResponse::Ok().json(JobList {
        items: rows.into_iter().map(JobDto::from).collect(),
    }))
}

/// A job's progress and, when finished, its summary.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/jobs/{id}")]
pub async fn get_job(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = job_id(&path)?;
    let job = state.run(auth, move |conn, _| jobs::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(JobDto::from(job)))
}

/// Cancels a job. A queued job is cancelled at once (200, `cancelled`: it never runs and its
/// upload is removed). A running one is asked to stop (202, still `running`, with
/// `cancel_requested_at`): it stops at the end of the batch it is writing, then reads
/// `cancelled`; households imported before stay, each whole, and importing the same file
/// again finishes the import. An export cancelled while it runs keeps no file. Cancelling a
/// cancelled job again changes nothing. The job's creator may cancel it; anyone else needs the
/// permission that starts a job of its kind where the job runs (`cases:import` for household
/// imports, `cases:export` for exports, the sheet's permission for the other imports).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "Cancelled (or cancelled before)", body = JobDto),
        (status = 202, description = "Running: asked to stop at the end of its current batch", body = JobDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read, or someone else's job without the permission that starts its kind", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "job_finished: the job succeeded or failed already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/jobs/{id}/cancel")]
pub async fn cancel_job(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = job_id(&path)?;
    let done = state
        .run(auth, move |conn, ctx| jobs::cancel(conn, ctx, id))
        .await?;
    // Once the job is over its upload goes; what cannot go now housekeeping removes later.
    if let Some((county, key)) = done.upload {
        let (db, store) = (state.db.clone(), state.attachments.clone());
        let removed =
            web::block(move || jobs::drop_upload(&db, store.as_ref(), county, id, &key)).await;
        if let Ok(Err(e)) = removed {
            tracing::warn!(job = %id, error = %e, "could not remove the cancelled job's upload");
        }
    }
    let status = if done.job.status == "running" {
        actix_web::http::StatusCode::ACCEPTED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(JobDto::from(done.job)))
}

/// A refused row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorDto {
    /// Row number in the file (the header is row 1).
    pub row: i32,
    /// Column key (see the template), or `household` for a row left out with its household.
    pub column: String,
    /// The column's header in the template (the sheet's Chinese label, as a person sees it in
    /// the file), when `column` is one of the sheet's columns.
    #[schema(example = "身份证号")]
    pub header: Option<String>,
    /// Why, in the answer's language (`Accept-Language`: rows refused before the Chinese was
    /// kept show their English).
    pub message: String,
}

/// Every refused row of a job, in file order.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id"), PageParams),
    responses(
        (status = 200, description = "A page of row errors", body = Page<RowErrorDto>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/jobs/{id}/errors")]
pub async fn job_errors(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = job_id(&path)?;
    let limit = page.limit()?;
    let after: Option<i32> = page.cursor()?;
    let (kind, rows) = state
        .run_page(auth, move |conn, _| {
            let rows = jobs::errors(conn, id, after, limit + 1)?;
            Ok((jobs::get(conn, id)?.kind, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |(seq, _)| *seq,
        |(_, e)| RowErrorDto {
            row: e.row,
            header: infra::app::imports::header_of(&kind, &e.column).map(str::to_owned),
            column: e.column,
            message: e
                .rule
                .message(crate::error::LANG.try_with(|l| *l).unwrap_or_default()),
        },
    )))
}

/// Export options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::SheetFormat>)]
    pub format: Option<String>,
    /// Full ID numbers instead of masked ones: needs `cases:reveal` over the exported region
    /// and a `reason`, and is audited.
    #[serde(default)]
    pub reveal: bool,
    /// Why full ID numbers are needed (with `reveal`).
    pub reason: Option<String>,
}

/// Exports the filtered household list (one row per member, the template's columns), streamed.
/// Scoped like the list; ID numbers masked unless revealed; audited.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(HouseholdParams, ExportParams),
    responses(
        (status = 200, description = "The file, streamed", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks cases:export (or cases:reveal for full numbers)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, format, or reveal without a reason", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Daily limit of exports with full numbers reached; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/households")]
pub async fn export_households(
    state: web::Data<AppState>,
    auth: Auth,
    filters: crate::http::query::Query<HouseholdParams>,
    opts: crate::http::query::Query<ExportParams>,
) -> ApiResult<HttpResponse> {
    let xlsx = is_xlsx(opts.format.as_deref())?;
    let reveal = opts.reveal;
    let reason = opts.reason.clone().unwrap_or_default();
    if reveal && !(4..=500).contains(&reason.trim().chars().count()) {
        return Err(DomainError::field(
            "reason",
            domain::Rule::other(
                "say why full ID numbers are needed, in 4 to 500 characters",
                "请用 4 至 500 个字符说明为何需要完整身份证号",
            ),
        )
        .into());
    }
    let params = filters.into_inner();
    let export_limit = state.revealed_exports_daily_limit;
    let bulk_limit = state.exports_daily_limit;
    let (filter, ctx) = state
        .run(auth, move |conn, ctx| {
            let (filter, root) = begin_export(conn, ctx, &params, bulk_limit)?;
            if reveal {
                ctx.caller.require_at(perm::CASES_REVEAL, root)?;
                infra::app::cases::members::check_daily(
                    conn,
                    ctx,
                    "household.export_revealed",
                    export_limit,
                )?;
            }
            // Revealed exports also count against their own quota.
            if reveal {
                audit_list(conn, ctx, "household.export_revealed", &params, 0)?;
            }
            if reveal {
                ctx.audit(
                    conn,
                    "member.reveal_bulk",
                    "household",
                    "",
                    root,
                    serde_json::json!({ "reason": reason.trim() }),
                )?;
            }
            Ok((filter, ctx.clone()))
        })
        .await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let st = state.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let send = |b: Vec<u8>| tx.blocking_send(Ok(Bytes::from(b))).is_ok();
        let outcome = if xlsx {
            export_xlsx(&st, &ctx, &filter, reveal, &send).map(|_| ())
        } else {
            let mut first = true;
            export::export(
                &st.read_db(ctx.caller.user_id),
                &ctx,
                &st.data_keys,
                &filter,
                reveal,
                |rows| {
                    let header = std::mem::take(&mut first);
                    let mut w = csv::Writer::from_writer(if header {
                        vec![0xEF, 0xBB, 0xBF]
                    } else {
                        Vec::new()
                    });
                    if header {
                        let _ = w.write_record(export::header());
                    }
                    for r in rows {
                        let _ = w.write_record(r.iter().map(|c| sheet::guard(c)));
                    }
                    send(w.into_inner().unwrap_or_default())
                },
            )
            .map(|_| ())
        };
        if let Err(e) = outcome {
            tracing::error!(error = ?e, "export failed part-way");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed part-way")));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let (content_type, name) = if xlsx {
        (XLSX, "households.xlsx")
    } else {
        ("text/csv; charset=utf-8", "households.csv")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(attachment(name))
        .streaming(stream))
}

/// The checks and the audit row every export starts with: a valid filter, `cases:export` over
/// what is exported (whatever the route's permission says in general), and the daily quota,
/// which the audit row written here counts. Returns the filter and the exported region.
fn begin_export(
    conn: &mut infra::db::Tx<'_>,
    ctx: &infra::app::Ctx,
    params: &HouseholdParams,
    daily_limit: i64,
) -> Result<
    (
        infra::app::cases::households::HouseholdFilter,
        domain::RegionCode,
    ),
    DomainError,
> {
    let filter = params.to_filter(ctx.caller.scope())?;
    let root = params
        .region
        .as_deref()
        .and_then(|r| domain::RegionCode::parse(r).ok())
        .unwrap_or(ctx.caller.unit());
    ctx.caller.require_at(perm::CASES_EXPORT, root)?;
    infra::app::cases::members::check_daily(conn, ctx, "household.export", daily_limit)?;
    audit_list(conn, ctx, "household.export", params, 0)?;
    Ok((filter, root))
}

/// Format of an export job.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportJobParams {
    /// `csv` (default) or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::SheetFormat>)]
    pub format: Option<String>,
}

/// Exports the filtered household list as a job (for large exports, or to fetch later): 202
/// with the job; when it has succeeded, `GET /api/v1/jobs/{id}/result` gives the file (kept for
/// a day). ID numbers are masked (full numbers only through the streamed export, with a reason).
/// Counts against the daily export quota; audited.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(HouseholdParams, ExportJobParams),
    responses(
        (status = 202, description = "Queued; the job", body = JobDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:export", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or format", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Daily export limit reached; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exports/households/jobs")]
pub async fn export_job(
    state: web::Data<AppState>,
    auth: Auth,
    filters: crate::http::query::Query<HouseholdParams>,
    opts: crate::http::query::Query<ExportJobParams>,
) -> ApiResult<HttpResponse> {
    let format = opts.into_inner().format.unwrap_or_else(|| "csv".into());
    if format != "csv" && format != "xlsx" {
        return Err(DomainError::field("format", domain::Rule::one_of(["csv", "xlsx"])).into());
    }
    let params = filters.into_inner();
    let limit = state.exports_daily_limit;
    let job = state
        .run(auth, move |conn, ctx| {
            begin_export(conn, ctx, &params, limit)?;
            let payload =
                serde_json::to_vec(&serde_json::json!({ "params": params, "format": format }))
                    .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))?;
            jobs::create(conn, ctx, "household_export", false, 0, Some(&payload))
        })
        .await?;
    state.wake.job_queued();
    let id = job.id;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/jobs/{id}")))
        .json(JobDto::from(job)))
}

/// The file a finished export job made (kept for a day).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks cases:export", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job, or it makes no file", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not finished yet (`not_finished`), or the file was removed after a day (`result_expired`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/jobs/{id}/result")]
pub async fn job_result(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = job_id(&path)?;
    let f = state
        .run(auth, move |conn, ctx| {
            let f = jobs::result(conn, id)?;
            ctx.audit(
                conn,
                "household.export_download",
                "job",
                id,
                ctx.caller.unit(),
                serde_json::json!({ "name": f.name }),
            )?;
            Ok(f)
        })
        .await?;
    let answer = |body| {
        HttpResponse::Ok()
            .content_type(f.content_type.as_str())
            .insert_header(attachment(&f.name))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .streaming(body)
    };
    match f.file.clone() {
        jobs::ResultFile::Bytes(bytes) => Ok(answer(export_files::once(bytes))),
        jobs::ResultFile::Stored(key) => {
            let store = state.attachments.clone();
            let opened = web::block(move || store.open_file(&key)).await?;
            match opened {
                Ok(opened) => Ok(answer(export_files::chunks(opened))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(jobs::expired().into()),
                Err(e) => Err(DomainError::Unexpected(anyhow::anyhow!("export file: {e}")).into()),
            }
        }
    }
}

/// Creates a new file only this user can read.
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes the workbook in constant-memory mode to a temporary file, then streams the file.
pub(crate) fn export_xlsx(
    st: &AppState,
    ctx: &infra::app::Ctx,
    filter: &infra::app::cases::households::HouseholdFilter,
    reveal: bool,
    send: &dyn Fn(Vec<u8>) -> bool,
) -> Result<usize, DomainError> {
    let fail =
        |e: rust_xlsxwriter::XlsxError| DomainError::Unexpected(anyhow::anyhow!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().map_err(fail)?;
    for (i, h) in export::header().iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(i).unwrap_or(0), h)
            .map_err(fail)?;
    }
    let mut row = 1_u32;
    let mut write_error = None;
    export::export(
        &st.read_db(ctx.caller.user_id),
        ctx,
        &st.data_keys,
        filter,
        reveal,
        |rows| {
            for r in rows {
                for (i, v) in r.iter().enumerate() {
                    if let Err(e) = sheet.write_string(row, u16::try_from(i).unwrap_or(0), v) {
                        write_error = Some(e);
                        return false;
                    }
                }
                row += 1;
            }
            true
        },
    )?;
    if let Some(e) = write_error {
        return Err(fail(e));
    }
    // The file may hold full ID numbers: readable by this process only, removed when streamed.
    let path = std::env::temp_dir().join(format!("zhenxing-export-{}.xlsx", Uuid::new_v4()));
    let file =
        private_file(&path).map_err(|e| DomainError::Unexpected(anyhow::anyhow!("xlsx: {e}")))?;
    book.save_to_writer(file).map_err(fail)?;
    let result = (|| -> std::io::Result<()> {
        use std::io::Read as _;
        let mut f = std::fs::File::open(&path)?;
        let mut buf = vec![0_u8; 64 * 1024];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 || !send(buf[..n].to_vec()) {
                return Ok(());
            }
        }
    })();
    let _ = std::fs::remove_file(&path);
    result.map_err(|e| DomainError::Unexpected(anyhow::anyhow!("xlsx: {e}")))?;
    // The rows written, the header not counted.
    Ok(usize::try_from(row - 1).unwrap_or(usize::MAX))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        import_template => Permission(perm::CASES_IMPORT),
        import_households => Permission(perm::CASES_IMPORT),
        list_jobs => Permission(perm::CASES_READ),
        get_job => Permission(perm::CASES_READ),
        job_errors => Permission(perm::CASES_READ),
        cancel_job => Permission(perm::CASES_READ),
        export_households => Permission(perm::CASES_EXPORT),
        export_job => Permission(perm::CASES_EXPORT),
        job_result => Permission(perm::CASES_EXPORT),
    },
}
