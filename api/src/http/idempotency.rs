//! `Idempotency-Key` in HTTP terms: the header, the request's fingerprint, and the answer
//! replayed from what infra stored (`infra::app::idempotency` keeps the records).
//!
//! Every `POST` that answers 201 with what it made goes through [`Once`]: the handler takes it
//! from the request and its body first (`Once::of`), checks its input, then hands it a closure
//! that makes the thing inside the caller's scoped transaction (`Once::create`). A retry with the
//! same key and body gets the first answer with `Idempotent-Replayed: true`; the same key with
//! another body is refused (422 naming `Idempotency-Key`); a retry racing the first waits for
//! it. The operation documents the header with `params(IdempotencyKey)`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use domain::DomainError;
use infra::app::Ctx;
use infra::app::idempotency::{self, Outcome};
use infra::db::Tx;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::error::ApiResult;
use crate::state::{AppState, Auth};

/// The `Idempotency-Key` request header as every creating operation documents it: write
/// `params(IdempotencyKey)` (beside any path parameters) in its `#[utoipa::path]`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Makes retries safe: the same key and body again replay the first answer; another body, 422.
    #[param(rename = "Idempotency-Key")]
    pub idempotency_key: Option<String>,
}

/// What identifies a request for `Idempotency-Key`: method, path (with its query, if any) and
/// body.
fn request_hash(req: &HttpRequest, body: &(impl Serialize + ?Sized)) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update(req.path());
    if !req.query_string().is_empty() {
        h.update("?");
        h.update(req.query_string());
    }
    h.update(serde_json::to_vec(body).unwrap_or_default());
    h.finalize().to_vec()
}

/// The `Idempotency-Key` header, if sent.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, DomainError> {
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

/// Answers 201 with what was made (the first time or replayed), with its `ETag` when it has a
/// `version`. A refusal never reaches here.
pub(crate) fn created(body: serde_json::Value, replayed: bool) -> HttpResponse {
    created_at(body, replayed, None)
}

/// [`created`], with `Location: {collection}/{id}` when `collection` is given and the body
/// has an `id`.
pub(crate) fn created_at(
    body: serde_json::Value,
    replayed: bool,
    collection: Option<&str>,
) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::CREATED);
    if let (Some(c), Some(id)) = (
        collection,
        body.get("id").and_then(serde_json::Value::as_str),
    ) {
        res.insert_header((header::LOCATION, format!("{c}/{id}")));
    }
    if let Some(v) = body.get("version").and_then(serde_json::Value::as_i64) {
        res.insert_header((header::ETAG, format!("\"{v}\"")));
    }
    if replayed {
        res.insert_header(("idempotent-replayed", "true"));
    }
    res.json(body)
}

/// A creating request's `Idempotency-Key` and fingerprint, taken before the handler consumes
/// its body; [`Once::create`] then makes the thing at most once per caller and key.
#[derive(Debug)]
pub(crate) struct Once {
    key: Option<String>,
    hash: Vec<u8>,
}

impl Once {
    /// Reads the header and fingerprints the request: method, path and `fingerprint`, which
    /// tells one request from another under the same key (the request body as sent; leave
    /// secrets such as passwords out of it: the fingerprint is kept).
    ///
    /// # Errors
    /// A header that is not visible ASCII (422 `Idempotency-Key`).
    pub(crate) fn of(
        req: &HttpRequest,
        fingerprint: &(impl Serialize + ?Sized),
    ) -> Result<Self, DomainError> {
        Ok(Self {
            key: idempotency_key(req)?,
            hash: request_hash(req, fingerprint),
        })
    }

    /// The key and fingerprint, when a key was sent: for work before [`Once::create`] that a
    /// replay must skip (`infra::app::idempotency::answered`).
    pub(crate) fn sent(&self) -> Option<(String, Vec<u8>)> {
        self.key.clone().map(|k| (k, self.hash.clone()))
    }

    /// Runs `make` in the caller's scoped transaction (`AppState::run`) unless this key was
    /// used before, and answers 201 with what it made, or with what the first request made
    /// (`Idempotent-Replayed: true`). The answer is kept with the key in the same transaction.
    ///
    /// # Errors
    /// A bad key (422 `Idempotency-Key`), the key used with another request (422), a request
    /// with the key in progress (409 `idempotency_key_in_use`), or whatever `make` returns
    /// (then nothing is kept).
    pub(crate) async fn create<T, F>(
        self,
        state: &AppState,
        auth: Auth,
        make: F,
    ) -> ApiResult<HttpResponse>
    where
        T: Serialize,
        F: FnOnce(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + 'static,
    {
        self.create_or_refuse(state, auth, move |conn, ctx| make(conn, ctx).map(Ok))
            .await
    }

    /// [`Once::create`], answering with `Location: {collection}/{id}` too.
    ///
    /// # Errors
    /// As [`Once::create`].
    pub(crate) async fn create_at<T, F>(
        self,
        state: &AppState,
        auth: Auth,
        collection: &str,
        make: F,
    ) -> ApiResult<HttpResponse>
    where
        T: Serialize,
        F: FnOnce(&mut Tx<'_>, &Ctx) -> Result<T, DomainError> + Send + 'static,
    {
        let (answer, replayed) = self
            .run(state, auth, move |conn, ctx| make(conn, ctx).map(Ok))
            .await?;
        Ok(created_at(answer?, replayed, Some(collection)))
    }

    /// [`Once::create`] for a make that may be refused after writing what must stay (an
    /// attempt recorded for oversight): `Ok(Err(why))` commits the transaction, keeps nothing
    /// under the key (the request may be corrected and sent again with it) and answers `why`.
    ///
    /// # Errors
    /// As [`Once::create`], and the refusal.
    pub(crate) async fn create_or_refuse<T, F>(
        self,
        state: &AppState,
        auth: Auth,
        make: F,
    ) -> ApiResult<HttpResponse>
    where
        T: Serialize,
        F: FnOnce(&mut Tx<'_>, &Ctx) -> Result<Result<T, DomainError>, DomainError>
            + Send
            + 'static,
    {
        let (answer, replayed) = self.run(state, auth, make).await?;
        Ok(created(answer?, replayed))
    }

    /// The transaction of [`Once::create_or_refuse`], for a handler that answers on its own
    /// (another header, a file to clean up on a replay): what was made (or the refusal), and
    /// whether it was replayed.
    ///
    /// # Errors
    /// As [`Once::create`].
    pub(crate) async fn run<T, F>(
        self,
        state: &AppState,
        auth: Auth,
        make: F,
    ) -> ApiResult<(Result<serde_json::Value, DomainError>, bool)>
    where
        T: Serialize,
        F: FnOnce(&mut Tx<'_>, &Ctx) -> Result<Result<T, DomainError>, DomainError>
            + Send
            + 'static,
    {
        let Self { key, hash } = self;
        state
            .run(auth, move |conn, ctx| {
                let mut refusal = None;
                let (outcome, replayed) =
                    idempotency::once(conn, ctx, key.as_deref(), &hash, |conn| {
                        match make(conn, ctx)? {
                            Ok(made) => serde_json::to_value(made)
                                .map(Outcome::Made)
                                .map_err(|e| DomainError::Unexpected(e.into())),
                            Err(why) => {
                                refusal = Some(why);
                                Ok(Outcome::Refused(serde_json::Value::Null))
                            }
                        }
                    })?;
                Ok(match outcome {
                    Outcome::Made(body) => (Ok(body), replayed),
                    Outcome::Refused(_) => (
                        Err(refusal.unwrap_or_else(|| {
                            DomainError::Unexpected(anyhow::anyhow!("a refusal without a reason"))
                        })),
                        replayed,
                    ),
                })
            })
            .await
    }
}
