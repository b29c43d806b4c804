//! Zhenxing's HTTP API (actix-web): routes, DTOs, the auth gate and error mapping. The server
//! binary (`src/main.rs`) wires configuration, database and keys into [`build_app`].

pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod generate;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod ops;
pub mod replica;
pub mod routes;
pub mod state;
pub mod work;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};
use infra::app::auth::SessionPolicy;
use infra::crypto::PasswordHasher;
use infra::db::Db;
use infra::jwt::KeyRing;
use infra::pii::DataKeys;
use tokio::sync::Semaphore;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::error::ApiError;
use crate::http::json::BodyLimit;
use crate::state::{AppState, Throttle};

/// The OpenAPI document of the running route table.
pub fn api_doc() -> OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(routes::configure)
        .split_for_parts()
        .1;
    merge_all_of(&mut doc);
    document_common_answers(&mut doc);
    optional_refresh_bodies(&mut doc);
    non_empty_uploads(&mut doc);
    public_operations(&mut doc);
    doc
}

/// Uploads (a spreadsheet or document sent as the body, or as the form field `file`) are never
/// empty: `minLength: 1` on a raw body, and a form is an object whose `file` part is required
/// and not empty. (What the file must hold, a workbook with the template's columns, is past
/// what a schema says.)
fn non_empty_uploads(doc: &mut OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{
        KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
    };
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put].into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_mut() else {
                continue;
            };
            for (media, content) in &mut body.content {
                let RefOr::T(content) = content else {
                    continue;
                };
                if media.contains("json") {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(o))) = content.schema.as_mut() else {
                    continue;
                };
                if o.schema_type != SchemaType::Type(Type::String) {
                    continue;
                }
                if media == "multipart/form-data" {
                    let file = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                        .min_length(Some(1))
                        .description(Some("The file"));
                    content.schema = Some(RefOr::T(Schema::Object(
                        ObjectBuilder::new()
                            .schema_type(Type::Object)
                            .property("file", file)
                            .required("file")
                            .build(),
                    )));
                } else {
                    o.min_length = Some(1);
                }
            }
        }
    }
}

/// Operations that need no token say so with an empty `security` list, so that every operation
/// states its security (a client generator or linter need not guess what a missing one means).
fn public_operations(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            op.security.get_or_insert_with(Vec::new);
        }
    }
}

/// Refresh and logout take their token from the cookie instead of the body when asked to
/// (`X-Refresh-Cookie: 1`, see `routes::auth`): their bodies are optional.
fn optional_refresh_bodies(doc: &mut OpenApi) {
    for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
        if let Some(body) = doc
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.request_body.as_mut())
            && let utoipa::openapi::RefOr::T(body) = body
        {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

/// Region codes: 2, 4, 6, 9 or 12 digits, not starting with `00` (no province has it).
const CODE_PATTERN: &str = "^(0[1-9]|[1-9][0-9])([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$";
/// A county's code: 6 digits whose last two are not `00` (that would be a city; the level of a
/// code is its zero padding, `RegionCode::level`).
const COUNTY_PATTERN: &str = "^(0[1-9]|[1-9][0-9])[0-9]{2}(0[1-9]|[1-9][0-9])$";
/// A township's code: 9 digits whose last three are not `000` (or the same padded to 12).
const TOWNSHIP_PATTERN: &str =
    "^(0[1-9]|[1-9][0-9])[0-9]{4}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})(000)?$";
/// A village's code: 12 digits whose last three are not `000`.
const VILLAGE_PATTERN: &str = "^(0[1-9]|[1-9][0-9])[0-9]{7}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$";
/// A resident ID number (GB 11643): 17 digits and a digit or `X`. Its check character and birth
/// date are checked by the server beyond what a pattern says.
const ID_NUMBER_PATTERN: &str = "^[0-9]{17}[0-9Xx]$";

/// Sets `pattern` on a string schema, `minimum`/`maximum` on an integer one.
fn constrain(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>, name: &str) {
    use utoipa::Number;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{Schema, Type};
    let RefOr::T(Schema::Object(o)) = schema else {
        return;
    };
    let is = |t: Type| {
        matches!(&o.schema_type, utoipa::openapi::schema::SchemaType::Type(x) if *x == t)
            || matches!(&o.schema_type, utoipa::openapi::schema::SchemaType::Array(v) if v.contains(&t))
    };
    match name {
        "limit" if is(Type::Integer) => {
            o.minimum = Some(Number::Int(1));
            o.maximum = Some(Number::Int(200));
        }
        "year" | "income_year" | "year_identified" | "from_year" | "to_year"
        | "designated_year"
            if is(Type::Integer) =>
        {
            o.minimum = Some(Number::Int(domain::input::FIRST_YEAR as isize));
            o.maximum = Some(Number::Int(domain::input::LAST_YEAR as isize));
        }
        "county_code" | "county" if is(Type::String) => {
            o.pattern = Some(COUNTY_PATTERN.into());
        }
        "township_code" if is(Type::String) => {
            o.pattern = Some(TOWNSHIP_PATTERN.into());
        }
        "village_code" | "strong_village_code" | "weak_village_code" if is(Type::String) => {
            o.pattern = Some(VILLAGE_PATTERN.into());
        }
        "region" | "region_code" | "org_unit" if is(Type::String) => {
            o.pattern = Some(CODE_PATTERN.into());
        }
        "id_number" if is(Type::String) => {
            o.pattern = Some(ID_NUMBER_PATTERN.into());
        }
        "township" if is(Type::String) => {
            o.pattern = Some(TOWNSHIP_PATTERN.into());
        }
        "Idempotency-Key" if is(Type::String) => {
            o.min_length = Some(1);
            o.max_length = Some(200);
            o.pattern = Some("^[!-~]([ -~]*[!-~])?$".into());
        }
        _ => {}
    }
}

/// Request schemas whose names do not end in `Body` (parts of one).
const REQUEST_PARTS: &[&str] = &["LiaisonItem"];

/// What every operation may answer besides its own statuses, and the constraints the server
/// checks on common parameters and fields, written into the document so that clients (and
/// schema-driven fuzzers) see them: 413 and 415 wherever a body is taken, 422 wherever query
/// parameters are read, 404 wherever a path names an object; `limit` 1–200, years 1980–2100, division-code patterns.
fn document_common_answers(doc: &mut OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::Schema;
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let template = op.responses.responses.values().find_map(|r| match r {
                RefOr::T(resp) if resp.content.contains_key("application/problem+json") => {
                    Some(resp.clone())
                }
                _ => None,
            });
            let mut wanted: Vec<(&str, &str)> = Vec::new();
            if op.request_body.is_some() {
                wanted.push(("413", "The body is over the size limit"));
                wanted.push(("415", "The body is not of a type this operation takes"));
                wanted.push(("422", "Invalid field"));
            }
            let params = op.parameters.iter_mut().flatten();
            let (mut query, mut path) = (false, false);
            for p in params {
                let RefOr::T(p) = p else {
                    continue;
                };
                query |= p.parameter_in == ParameterIn::Query || p.name == "year";
                path |= p.parameter_in == ParameterIn::Path;
                if let Some(schema) = p.schema.as_mut() {
                    // A path's `{code}` is a division code too, unless the operation says
                    // which level (a village's `{code}` states the village pattern itself).
                    let stated =
                        matches!(schema, RefOr::T(Schema::Object(o)) if o.pattern.is_some());
                    if p.name == "code" && stated {
                        continue;
                    }
                    let name = if p.name == "code" {
                        "region"
                    } else {
                        p.name.as_str()
                    };
                    constrain(schema, name);
                }
            }
            if query {
                wanted.push(("422", "Invalid parameter"));
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                wanted.push((
                    "429",
                    "county_busy: your county has as many requests running at once as it may (ZX_COUNTY_MAX_CONCURRENT_REQUESTS); retry after Retry-After",
                ));
            }
            if path {
                wanted.push(("404", "Not found, or outside your scope"));
            }
            if let Some(t) = template {
                for (code, description) in wanted {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| {
                            let mut r = t.clone();
                            r.description = description.to_string();
                            RefOr::T(r)
                        });
                }
            }
        }
    }
    // Request bodies only (`…Body`): answers may carry codes a request may not, such as the
    // platform's `000000000000` in the audit log.
    if let Some(components) = doc.components.as_mut() {
        for (name, schema) in &mut components.schemas {
            if !name.ends_with("Body") && !REQUEST_PARTS.contains(&name.as_str()) {
                continue;
            }
            if let RefOr::T(Schema::Object(o)) = schema {
                for (name, prop) in &mut o.properties {
                    constrain(prop, name);
                }
            }
        }
    }
}

/// A response that flattens a request body (`#[serde(flatten)]`) comes out of utoipa as
/// `allOf` of the body and the extra fields; a body that refuses unknown fields carries
/// `additionalProperties: false`, which under `allOf` refuses the extra fields as well, so
/// every real answer would break the schema. Such schemas are merged into one object.
fn merge_all_of(doc: &mut OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let all = components.schemas.clone();
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::AllOf(parts)) = schema else {
            continue;
        };
        let mut merged = ObjectBuilder::new().build();
        merged.schema_type = SchemaType::new(Type::Object);
        merged.description.clone_from(&parts.description);
        let mut mergeable = true;
        for item in &parts.items {
            let part = match item {
                RefOr::Ref(r) => all
                    .get(r.ref_location.trim_start_matches("#/components/schemas/"))
                    .and_then(|s| match s {
                        RefOr::T(s) => Some(s),
                        RefOr::Ref(_) => None,
                    }),
                RefOr::T(s) => Some(s),
            };
            match part {
                Some(Schema::Object(o)) => {
                    merged.properties.extend(o.properties.clone());
                    merged.required.extend(o.required.iter().cloned());
                }
                _ => mergeable = false,
            }
        }
        if mergeable {
            *schema = RefOr::T(Schema::Object(merged));
        }
    }
}

/// Builds the shared state from configuration, an open database, the token key ring and the
/// personal-data keys.
///
/// # Errors
/// When the role catalog cannot be read or the hasher cannot be built.
pub fn build_state(
    config: &Config,
    db: Db,
    keys: KeyRing,
    data_keys: DataKeys,
) -> anyhow::Result<AppState> {
    let catalog = db
        .unscoped(|tx| infra::app::catalog::load(tx))
        .map_err(|e| anyhow::anyhow!("cannot load the role catalog: {e}"))?;
    Ok(AppState {
        db,
        keys: Arc::new(keys),
        sessions: SessionPolicy {
            tokens: config.tokens.clone(),
            refresh_ttl: config.refresh_ttl,
            session_ttl: config.session_ttl,
        },
        hasher: Arc::new(PasswordHasher::new(config.hash_cost)?),
        hash_slots: Arc::new(Semaphore::new(config.hash_concurrency)),
        db_slots: Arc::new(Semaphore::new(config.admission.slots)),
        admission_wait: config.admission.wait,
        admission_slots: config.admission.slots,
        job_duty_percent: config.work.job_duty_percent,
        import_lane: Arc::new(std::sync::Mutex::new(())),
        uploads_in_flight: Arc::default(),
        attachment_uploads: Arc::default(),
        county_slots: Arc::new(http::county_slots::CountySlots::new(
            config.admission.per_county,
        )),
        catalog: Arc::new(catalog),
        data_keys: Arc::new(data_keys.with_tries_per_form(config.search_same_mask_daily_limit)),
        reveal_daily_limit: config.reveal_daily_limit,
        revealed_exports_daily_limit: config.revealed_exports_daily_limit,
        exports_daily_limit: config.exports_daily_limit,
        throttle: Arc::new(Throttle::new(config.throttle.clone())),
        clock: infra::clock::Clock::system(),
        demo_clock: config.demo_clock,
        metrics: Arc::new(metrics::Metrics::default()),
        metrics_token: config.metrics.token.clone().map(Arc::new),
        wake: Arc::new(work::Wake::default()),
        cors: Arc::new(http::cors::CorsCache::default()),
        webhook_urls: config.webhook_urls,
        replica: match &config.replica {
            Some(r) => Some(Arc::new(replica::Replica::connect(
                &r.url,
                r.max_lag,
                &config.pool,
            )?)),
            None => None,
        },
        console_dir: Arc::from(config.console_dir.as_path()),
        attachments: config.open_attachments()?,
        import_max_bytes: config.import_max_bytes,
        import_max_rows: config.import_max_rows,
        idempotency_keep: std::time::Duration::from_secs(
            u64::from(config.idempotency_keep_days) * 24 * 3600,
        ),
    })
}

/// Marks the app of the separate metrics listener (`ZX_METRICS_BIND`).
#[derive(Debug, Clone, Copy)]
struct MetricsListener;

/// Prometheus metrics of this instance (see `metrics`). With a token configured, only a
/// request bearing it is answered (401 otherwise, on either listener); without one, only the
/// separate metrics listener answers, and the API listener says 404.
async fn metrics_text(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let separate = req.app_data::<web::Data<MetricsListener>>().is_some();
    match &state.metrics_token {
        Some(token) => {
            let given = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            if !metrics::token_matches(token, given) {
                return Err(domain::DomainError::Unauthorized("metrics token").into());
            }
        }
        None if !separate => return Err(ApiError::NoRoute),
        None => {}
    }
    let (open, idle, max) = state.db.pool_state();
    let db = state.db.clone();
    let mut gauges = Vec::new();
    // Queue depths are the platform's (shared by every instance); counts only.
    if let Ok(Ok((jobs, hooks))) = web::block(move || infra::app::jobs::waiting_depth(&db)).await {
        #[expect(
            clippy::cast_precision_loss,
            reason = "queue depths are far below 2^52"
        )]
        gauges.extend([
            metrics::Gauge {
                name: "zx_jobs_waiting",
                help: "Jobs queued or running, on every instance.",
                value: jobs as f64,
            },
            metrics::Gauge {
                name: "zx_webhook_deliveries_pending",
                help: "Webhook deliveries not yet delivered or given up, on every instance.",
                value: hooks as f64,
            },
        ]);
    }
    if let Some(r) = &state.replica {
        gauges.push(metrics::Gauge {
            name: "zx_replica_lag_seconds",
            help: "Lag of the read replica at the last probe (-1: down).",
            value: r.lag().map_or(-1.0, |l| l.as_secs_f64()),
        });
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render((open, idle), max, &gauges)))
}

/// The app of the separate metrics listener (`ZX_METRICS_BIND`): `/metrics` only.
pub fn build_metrics_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::Data::new(MetricsListener))
        .route("/metrics", web::get().to(metrics_text))
        .default_service(web::to(no_route))
}

async fn no_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NoRoute)
}

/// The application: routes, docs, middleware, extractor settings.
pub fn build_app(
    state: web::Data<AppState>,
    body_limit: usize,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let doc = api_doc();
    // Swagger UI first: the /api/v1 scope would otherwise swallow /api/v1/openapi.json.
    let (app, _) = App::new()
        .into_utoipa_app()
        .map(|app| app.service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", doc)))
        .openapi(openapi::base())
        .configure(routes::configure)
        .split_for_parts();
    app.app_data(state)
        .app_data(web::Data::new(BodyLimit(body_limit)))
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| ApiError::Domain(domain::DomainError::NotFound).into()),
        )
        .route("/metrics", web::get().to(metrics_text))
        // Swagger UI lives under /docs/; the bare address (the one people type) leads there.
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("location", "/docs/"))
                    .finish()
            }),
        )
        // The built console (docs/console.md): deep links answer its index.html.
        .route("/console", web::get().to(http::console::redirect))
        .route("/console/{_:.*}", web::get().to(http::console::serve))
        .default_service(web::to(no_route))
        .wrap(from_fn(http::middleware::gate))
        .wrap(from_fn(http::cors::cors))
        .wrap(from_fn(http::middleware::stamp))
}
