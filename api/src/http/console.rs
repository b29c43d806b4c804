//! The built console (a single-page app) at `/console/`, from the folder `ZX_CONSOLE_DIR` names.
//!
//! * `/console` leads to `/console/`; `/console/` and every path without a file extension that
//!   names no file (a deep link such as `/console/households/…`) answer `index.html`, which is
//!   never cached (`no-cache`), so a new build is picked up at the next load.
//! * Files under `assets/` carry a content hash in their names (Vite): cached for a year,
//!   `immutable`.
//! * A file with a `.gz` sibling is sent gzip-encoded to clients that accept it.
//! * A missing file with an extension answers 404 (a stale chunk must not get the HTML page).
//!
//! The strict Content-Security-Policy of these pages is set in [`super::middleware::stamp`].

use std::path::{Path, PathBuf};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;

/// The Content-Security-Policy of `/console/`: the console's own scripts, styles, images and
/// fonts only; requests to this origin only; no inline script, no third-party origin, no
/// framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /console`: to `/console/` (relative asset paths need the slash).
pub async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

/// The path inside the console folder that `rest` names, when it is a plain relative path
/// (no `..`, no hidden files, no backslashes, no encoded characters).
fn relative(rest: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for part in rest.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.')
            || !part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A file, read whole (the console's files are small): gzip-encoded from its `.gz` sibling
/// when the client accepts gzip and the sibling exists.
fn read(path: &Path, gzip: bool) -> Option<(Vec<u8>, bool)> {
    if gzip {
        let mut gz = path.as_os_str().to_owned();
        gz.push(".gz");
        if let Ok(bytes) = std::fs::read(PathBuf::from(gz)) {
            return Some((bytes, true));
        }
    }
    path.is_file()
        .then(|| std::fs::read(path).ok())
        .flatten()
        .map(|b| (b, false))
}

/// `GET /console/{path}`: a file of the built console, or `index.html` for a deep link.
pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let rest = req.path().strip_prefix("/console/").unwrap_or("");
    let Some(rel) = relative(rest) else {
        return not_found();
    };
    let gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let dir = state.console_dir.clone();
    let hashed = rel.starts_with("assets");
    let has_extension = rel.extension().is_some();
    let found = web::block(move || {
        let file = dir.join(&rel);
        if !rel.as_os_str().is_empty()
            && let Some(hit) = read(&file, gzip)
        {
            return Some((file, hit));
        }
        if has_extension {
            return None;
        }
        let index = dir.join("index.html");
        read(&index, gzip).map(|hit| (index, hit))
    })
    .await
    .ok()
    .flatten();
    let Some((file, (bytes, gzipped))) = found else {
        return not_found();
    };
    let is_index = file.file_name().is_some_and(|n| n == "index.html");
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, content_type(&file)))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((
            header::CACHE_CONTROL,
            if hashed && !is_index {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        ));
    if gzipped {
        res.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
    }
    res.body(bytes)
}

/// 404 in plain words: a missing file, or a console that was never built.
fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body(
            "Not found. If the console was never built: `cd console && npm ci && npm run build` \
             (docs/console.md), or set ZX_CONSOLE_DIR to the built folder.\n",
        )
}
