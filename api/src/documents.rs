//! Printed documents over HTTP: which format the caller asked for (`?format=html|pdf|docx`,
//! else `Accept`, else HTML), and the response carrying it. The documents themselves are built
//! by the use cases as a [`render::Doc`]; the writers live in the `render` crate.

use std::sync::OnceLock;

use actix_web::{HttpRequest, HttpResponse, web};
use domain::{DomainError, FieldError};
use render::{Doc, Fonts, Format};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};

/// The `?format=` of a printed document, as the contract documents it (the handler reads the
/// string and answers 422 naming `format` for anything else).
#[derive(Debug, Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DocFormat {
    /// HTML (the default).
    Html,
    /// PDF, A4 in the GB/T 9704 layout.
    Pdf,
    /// Word (OOXML).
    Docx,
}

/// The `?format=` of a sheet (export, template, payment file): CSV (UTF-8 with BOM) or XLSX.
#[derive(Debug, Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SheetFormat {
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// Excel (OOXML).
    Xlsx,
}

/// The `?format=` of a table that also answers as JSON (reports, property-check tables).
#[derive(Debug, Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum TableFormat {
    /// JSON (the default).
    Json,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// Excel (OOXML).
    Xlsx,
}

/// The format of a generated document.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `html` (the default), `pdf` (A4, GB/T 9704 layout, the CJK font embedded) or `docx`.
    /// Without it, `Accept` decides (`text/html`, `application/pdf`,
    /// `application/vnd.openxmlformats-officedocument.wordprocessingml.document`).
    #[param(inline, value_type = Option<DocFormat>)]
    pub format: Option<String>,
}

/// The format asked for: `?format=` first, then `Accept`, else HTML.
///
/// # Errors
/// 422 naming `format` for a value other than `html`, `pdf` or `docx`.
pub fn negotiate(req: &HttpRequest, params: &FormatParams) -> Result<Format, ApiError> {
    if let Some(f) = params.format.as_deref() {
        return Format::parse(f).ok_or_else(|| {
            ApiError::BadParameter(FieldError::new(
                "format",
                domain::Rule::other(
                    format!("must be html, pdf or docx, not {f:?}"),
                    format!("必须是 html、pdf 或 docx,而不是 {f:?}"),
                ),
            ))
        });
    }
    Ok(req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_accept)
        .unwrap_or(Format::Html))
}

/// The language of a document: Chinese (the official form) unless `Accept-Language` asks for
/// English.
#[must_use]
pub fn lang(req: &HttpRequest) -> render::Lang {
    let asked = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    match (asked, crate::i18n::Lang::from_accept_language(asked)) {
        (Some(_), crate::i18n::Lang::En) => render::Lang::En,
        _ => render::Lang::Zh,
    }
}

/// The fonts, read once from `ZX_DOC_FONT_DIR` (default Debian's `fonts-noto-cjk` directory).
fn fonts() -> Result<&'static Fonts, ApiError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| Fonts::load(&Fonts::dir_from_env()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| {
            ApiError::Domain(DomainError::Unexpected(anyhow::anyhow!(
                "document fonts unavailable: {e}"
            )))
        })
}

/// RFC 8187 encoding of a file name for `Content-Disposition: …; filename*=UTF-8''…`.
/// `s` percent-encoded for an RFC 8187 `filename*` (UTF-8).
pub(crate) fn rfc8187(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// A document route from start to end: the format and language the caller asked for (a bad
/// `format` is refused before anything else), the document built by `build` in one scoped
/// transaction after the route's permission checks (see [`crate::state::AppState::run`]), and
/// the response carrying it.
///
/// # Errors
/// 422 for a bad `format`; whatever `build` or [`respond`] returns.
pub async fn serve(
    req: &HttpRequest,
    state: &crate::state::AppState,
    auth: crate::state::Auth,
    params: &FormatParams,
    build: impl FnOnce(
        &mut infra::db::Tx<'_>,
        &infra::app::Ctx,
        render::Lang,
    ) -> Result<Doc, DomainError>
    + Send
    + 'static,
) -> ApiResult<HttpResponse> {
    let format = negotiate(req, params)?;
    let lang = lang(req);
    let doc = state
        .run(auth, move |conn, ctx| build(conn, ctx, lang))
        .await?;
    respond(doc, format).await
}

/// The response for `doc` in `format`: PDF and DOCX written off the async workers.
///
/// # Errors
/// When the fonts are missing or a writer fails (500).
pub async fn respond(doc: Doc, format: Format) -> ApiResult<HttpResponse> {
    let lang = doc.lang.tag();
    let name = format!("{}.{}", doc.title, format.extension());
    let body: Vec<u8> = match format {
        Format::Html => doc.html().into_bytes(),
        Format::Pdf => {
            let fonts = fonts()?;
            web::block(move || doc.pdf(fonts))
                .await?
                .map_err(unexpected)?
        }
        Format::Docx => web::block(move || doc.docx()).await?.map_err(unexpected)?,
    };
    let disposition = match format {
        Format::Html => None,
        Format::Pdf => Some("inline"),
        Format::Docx => Some("attachment"),
    };
    let mut r = HttpResponse::Ok();
    r.content_type(format.media_type())
        .insert_header(("content-language", lang))
        .insert_header(("cache-control", "no-store"))
        .insert_header(("vary", "accept, accept-language"));
    if let Some(d) = disposition {
        r.insert_header((
            "content-disposition",
            format!(
                "{d}; filename=\"document.{}\"; filename*=UTF-8''{}",
                format.extension(),
                rfc8187(&name)
            ),
        ));
    }
    Ok(r.body(body))
}

fn unexpected(e: render::RenderError) -> ApiError {
    ApiError::Domain(DomainError::Unexpected(anyhow::anyhow!("{e}")))
}

/// The bytes of a generated file (PDF, DOCX), for the OpenAPI document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);
