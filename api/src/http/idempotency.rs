//! `Idempotency-Key` in HTTP terms: the header, the request's fingerprint, and the answer
//! replayed from what infra stored (`infra::app::idempotency` keeps the records).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use domain::DomainError;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// What identifies a request for `Idempotency-Key`: method, path and body.
pub(crate) fn request_hash(req: &HttpRequest, body: &impl Serialize) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update(req.path());
    h.update(serde_json::to_vec(body).unwrap_or_default());
    h.finalize().to_vec()
}

/// The `Idempotency-Key` header, if sent.
pub(crate) fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, DomainError> {
    req.headers()
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                DomainError::field(
                    "Idempotency-Key",
                    domain::Rule::format(domain::Format::VisibleAscii),
                )
            })
        })
        .transpose()
}

/// Answers 201 with what was made (the first time or replayed). A refusal is the handler's to
/// answer: it never reaches here.
pub(crate) fn created(body: serde_json::Value, replayed: bool) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::CREATED);
    if let Some(v) = body.get("version").and_then(serde_json::Value::as_i64) {
        res.insert_header((header::ETAG, format!("\"{v}\"")));
    }
    if replayed {
        res.insert_header(("idempotent-replayed", "true"));
    }
    res.json(body)
}
