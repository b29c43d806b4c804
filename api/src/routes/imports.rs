//! Bulk entry of the other spreadsheets (issue 19, item 5): per kind a template and an import
//! that runs as a job, exactly like the household import (same upload reading, caps, job and
//! row errors). Each kind's handlers are thin: the work is in `infra::app::imports`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::DomainError;
use infra::app::cases::sheet;
use infra::app::imports::{self, Kind};
use infra::app::jobs;
use infra::files;
use uuid::Uuid;

use super::transfer::{FormatParams, ImportParams, JobDto, XLSX, attachment, is_xlsx};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::upload::stage_upload;
use crate::state::{AppState, Auth};

async fn template(
    state: web::Data<AppState>,
    auth: Auth,
    kind: Kind,
    format: Option<String>,
) -> ApiResult<HttpResponse> {
    state.run(auth, |_, _| Ok(())).await?;
    let xlsx = is_xlsx(format.as_deref())?;
    let stem = kind.file_stem();
    if xlsx {
        let bytes = web::block(move || kind.template_xlsx()).await??;
        Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(attachment(&format!("{stem}.xlsx")))
            .body(bytes))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attachment(&format!("{stem}.csv")))
            .body(kind.template_csv()))
    }
}

/// Takes an import's upload, the one path of every import: authorises and checks the caps
/// before a byte is read, streams the body to a staged file (413 past `ZX_IMPORT_MAX_BYTES`,
/// nothing left behind), reads it through once from the file to refuse a bad one whole (422)
/// and count its rows, stores it in the county's area of the file store under the job's key
/// and queues the job (202). Whichever instance's worker claims the job reads the file back
/// from the store; the object is removed when the job is over.
pub(crate) async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    job_kind: &'static str,
    audit_action: &'static str,
    dry_run: bool,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let columns = imports::sheet_of(job_kind)
        .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("no sheet for {job_kind}")))?;
    // Authorise, and refuse past the concurrent-import caps, before reading up to
    // `ZX_IMPORT_MAX_BYTES`: the imports queued or running, and the uploads this instance is
    // reading for the user and the county (taken here, given back when this one is queued or
    // refused), so uploads sent at once cannot all pass before any is queued.
    let (county, user, load) = state
        .run(auth.clone(), |conn, ctx| {
            let load = jobs::import_load(conn, ctx)?;
            Ok((ctx.caller.county_code(), ctx.caller.user_id, load))
        })
        .await?;
    let _slot = state
        .uploads_in_flight
        .take(county, user, |by_user, by_county| {
            load.admit((by_user, by_county))
        })?;
    let store = state.attachments.clone();
    let staged = stage_upload(&req, payload, &store, state.import_max_bytes).await?;
    let max_rows = state.import_max_rows;
    // Checked whole here, row by row without keeping them (a bad file is refused at once).
    let (staged, total) = web::block(move || {
        let file = std::fs::File::open(staged.path()).map_err(|e| {
            DomainError::Unexpected(anyhow::anyhow!("reading the staged upload: {e}"))
        })?;
        let total = sheet::read_job(
            std::io::BufReader::new(file),
            columns,
            max_rows,
            &mut |_: sheet::Row| {},
        )?;
        Ok::<_, DomainError>((staged, total))
    })
    .await??;
    let id = Uuid::new_v4();
    let key = files::import_key(county, id);
    {
        let (store, key) = (store.clone(), key.clone());
        // Moved in whole (a rename, or an upload to the bucket); `staged` is gone after.
        web::block(move || store.put(staged.path(), &key))
            .await?
            .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("storing the upload: {e}")))?;
    }
    let queued = state
        .run(auth, move |conn, ctx| {
            // Counted again under the county's lock: uploads read at the same time queue
            // one by one here, so the caps hold exactly.
            jobs::check_import_caps(conn, ctx, true)?;
            let job = jobs::queue_upload(conn, ctx, id, job_kind, dry_run, total)?;
            ctx.audit(
                conn,
                audit_action,
                "job",
                job.id,
                ctx.caller.unit(),
                serde_json::json!({ "rows": total, "dry_run": dry_run }),
            )?;
            Ok(job)
        })
        .await;
    let job = match queued {
        Ok(job) => job,
        Err(e) => {
            // No job holds the upload: it goes now.
            let _ = web::block(move || store.delete(&key)).await;
            return Err(e);
        }
    };
    state.wake.job_queued();
    let id = job.id;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/jobs/{id}")))
        .json(JobDto::from(job)))
}

/// An import of one of the sheets of [`Kind`].
async fn start_kind(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    kind: Kind,
    dry_run: bool,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start(
        req,
        state,
        auth,
        kind.job_kind(),
        kind.audit_action(),
        dry_run,
        payload,
    )
    .await
}

/// The yearly household records template (年度收入调查): one row per household and year.
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
#[get("/imports/household-years/template")]
pub async fn household_years_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::HouseholdYears, q.into_inner().format).await
}

/// Imports yearly household records (the annual income survey) from a CSV (UTF-8) or XLSX
/// file, as the raw body or the form field `file`. Each row names its household by 户编号,
/// 身份证号 of a member, or both, and is the record `PUT /households/{id}/years/{year}` writes
/// (same checks, `cases:write` where the household lives). A bad file is refused with 422;
/// otherwise 202 with the job; every refused row is at `GET /jobs/{id}/errors` with its row,
/// column and reason, and the good rows land. A household outside the caller's area, another
/// county's included, gets the same message as an unknown one. Importing the same file again
/// changes nothing; the same caps as the household import apply.
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
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/household-years")]
pub async fn import_household_years(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::HouseholdYears, q.dry_run, payload).await
}

/// The village profiles template: one row per village and year.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks villages:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/village-profiles/template")]
pub async fn village_profiles_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::VillageProfiles, q.into_inner().format).await
}

/// Imports village profiles (one row per village and year) from a CSV (UTF-8) or XLSX file.
/// Each row is the profile `PUT /villages/{code}/profiles/{year}` writes (same checks,
/// `villages:write` where the village is); money in yuan, areas in mu, coverages in percent.
/// A village outside the caller's area, another county's included, gets the same message as
/// an unknown one. Otherwise as the yearly records import: 202 with the job, row errors at
/// `GET /jobs/{id}/errors`, idempotent re-import, dry run, the same caps.
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
        (status = 403, description = "Lacks villages:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/village-profiles")]
pub async fn import_village_profiles(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::VillageProfiles, q.dry_run, payload).await
}

/// The visit logs template (走访记录): one row per visit.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks visits:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/visits/template")]
pub async fn visits_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::Visits, q.into_inner().format).await
}

/// Imports visit logs from a CSV (UTF-8) or XLSX file: each row is the visit `POST /visits`
/// logs (same checks; only the team member paired with the household that day), the household
/// named by 户编号 and/or a member's 身份证号. A row identical to a visit the importer logged
/// already is that visit (re-import adds nothing). A household outside the caller's area,
/// another county's included, gets the same message as an unknown one. Otherwise as the
/// yearly records import.
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
        (status = 403, description = "Lacks visits:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/visits")]
pub async fn import_visits(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::Visits, q.dry_run, payload).await
}

/// The team members template: one row per member and term of a village's resident work team.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/team-members/template")]
pub async fn team_members_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::TeamMembers, q.into_inner().format).await
}

/// Imports members of resident work teams from a CSV (UTF-8) or XLSX file: each row is the
/// member `POST /teams/{id}/members` adds (same checks, the county's `villages:manage`, one team
/// at a time per person), the team named by 村代码 and 工作队名称, the account (optional) by its
/// login name: one that logs visits in the team's village (`visits:write` there); any other
/// name, an existing one included, gets the unknown account's message. A member already on the team with the same ID number and term is that member
/// (re-import adds nothing). A team outside the caller's area, another county's included, gets
/// the same message as an unknown one. Otherwise as the yearly records import.
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
        (status = 403, description = "Lacks villages:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/team-members")]
pub async fn import_team_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::TeamMembers, q.dry_run, payload).await
}

/// The ranger patrol logs (巡护记录) template: one row per ranger and day.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/ranger-patrols/template")]
pub async fn ranger_patrols_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::RangerPatrols, q.into_inner().format).await
}

/// Imports ranger patrol logs (巡护记录) from a CSV (UTF-8) or XLSX file: each row is what
/// `POST /ranger-contracts/{id}/patrols` records (same checks; `funds:manage` where the ranger lives, a day inside
/// the contract, a month not yet paid), the contract named by the ranger's 身份证号 and the day.
/// A row identical to one recorded is that record (re-import adds nothing). A ranger outside
/// the caller's area, another county's included, gets the same message as an unknown one.
/// Otherwise as the yearly records import.
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
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/ranger-patrols")]
pub async fn import_ranger_patrols(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::RangerPatrols, q.dry_run, payload).await
}

/// The ranger inspections template: one row per ranger and day.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/ranger-inspections/template")]
pub async fn ranger_inspections_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::RangerInspections, q.into_inner().format).await
}

/// Imports ranger inspections from a CSV (UTF-8) or XLSX file: each row is what
/// `POST /ranger-contracts/{id}/inspections` records (same checks; `funds:manage` where the ranger lives, a day inside
/// the contract, a month not yet paid), the contract named by the ranger's 身份证号 and the day.
/// A row identical to one recorded is that record (re-import adds nothing). A ranger outside
/// the caller's area, another county's included, gets the same message as an unknown one.
/// Otherwise as the yearly records import.
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
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/ranger-inspections")]
pub async fn import_ranger_inspections(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(
        req,
        state,
        auth,
        Kind::RangerInspections,
        q.dry_run,
        payload,
    )
    .await
}

/// The benefit-card template (一卡兑付): one row per household, with the bank and the card number.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(FormatParams),
    responses(
        (status = 200, description = "The template file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/benefit-cards/template")]
pub async fn benefit_cards_template(
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    template(state, auth, Kind::BenefitCards, q.into_inner().format).await
}

/// Imports households' benefit cards (一卡兑付) from a CSV (UTF-8) or XLSX file: each row is
/// what `PUT /households/{id}/benefit-card` records (the Luhn check, `funds:manage` where the
/// household lives, the number encrypted and never echoed in a row error), the household named
/// by 户编号 and/or a member's 身份证号. A row naming the card in use already records nothing
/// (re-import adds nothing); another card replaces it. A household outside the caller's area,
/// another county's included, or where the caller lacks `funds:manage`, gets the same message
/// as an unknown one. Otherwise as the yearly
/// records import.
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
        (status = 403, description = "Lacks funds:manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "imports_running: past imports.max_running_per_user or imports.max_running_per_county", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ZX_IMPORT_MAX_BYTES (default 200 MB; the problem names the limit); nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable file: encoding, unknown or missing columns, no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/benefit-cards")]
pub async fn import_benefit_cards(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: crate::http::query::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    start_kind(req, state, auth, Kind::BenefitCards, q.dry_run, payload).await
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        household_years_template => Permission(perm::CASES_IMPORT),
        import_household_years => Permission(perm::CASES_IMPORT),
        village_profiles_template => Permission(perm::VILLAGES_WRITE),
        import_village_profiles => Permission(perm::VILLAGES_WRITE),
        visits_template => Permission(perm::VISITS_WRITE),
        import_visits => Permission(perm::VISITS_WRITE),
        team_members_template => Permission(perm::VILLAGES_MANAGE),
        import_team_members => Permission(perm::VILLAGES_MANAGE),
        benefit_cards_template => Permission(perm::FUNDS_MANAGE),
        import_benefit_cards => Permission(perm::FUNDS_MANAGE),
        ranger_patrols_template => Permission(perm::FUNDS_MANAGE),
        import_ranger_patrols => Permission(perm::FUNDS_MANAGE),
        ranger_inspections_template => Permission(perm::FUNDS_MANAGE),
        import_ranger_inspections => Permission(perm::FUNDS_MANAGE),
    },
}
