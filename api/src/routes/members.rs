//! Members of a household, exact search by ID number, the audited reveal, and the cause
//! catalog.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use domain::cases::{IdNumber, Relationship, check_text, validate_member};
use domain::{DomainError, FieldError};
use infra::app::cases::members::{self, MemberChanges, MemberOutcome};
use infra::app::cases::tries::Register;
use infra::app::cases::{self as cases, households as hh};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases_dto::{HouseholdDto, HouseholdSummary, MemberBody, MemberDto};
use super::households::{already_registered, household_id};
use crate::error::answers::{NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::idempotency::{IdempotencyKey, Once};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

use super::input::id_of as member_id;

fn outcome(
    o: MemberOutcome,
    field: &str,
    status: actix_web::http::StatusCode,
) -> ApiResult<HttpResponse> {
    match o {
        MemberOutcome::Done(v) => Ok(HttpResponse::build(status)
            .insert_header((header::ETAG, etag(v.household.version)))
            .json(HouseholdDto::from(*v))),
        MemberOutcome::AlreadyRegistered => Err(already_registered(field).into()),
    }
}

/// The members of a household, head first (ID numbers masked; the read is audited).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "Members", body = Vec<MemberDto>),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        NotFound,
    )
)]
#[get("/households/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let v = state
        .run(auth, move |conn, ctx| hh::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(
        v.members
            .into_iter()
            .map(MemberDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Records the tries of the full ID numbers a write is about to check against `register`, in
/// a transaction of its own before the write's (`tries::try_numbers`: a write refused after
/// its check rolls back, and must not take the try with it). 429 past the limit of tries of one
/// masked form and birth year (one masked form, for the teams' register). Skipped for a retry
/// whose `Idempotency-Key` (`once`) already holds the answer: it is replayed, and must not be
/// refused because the form filled up since. Not skipped in the key's last hour before it is
/// pruned (`idempotency::answered`): such a retry counts again, and gets 429 instead of its
/// replay if the form filled up since.
///
/// # Errors
/// `TooManyRequests`; database failures.
pub(crate) async fn record_tries(
    state: &AppState,
    auth: &Auth,
    once: Option<&Once>,
    register: Register,
    ids: Vec<IdNumber>,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let keys = state.data_keys.clone();
    let sent = once.and_then(Once::sent);
    let keep = state.idempotency_keep;
    state
        .run(auth.clone(), move |conn, ctx| {
            if let Some((key, hash)) = &sent
                && infra::app::idempotency::answered(conn, ctx, key, hash, keep)?
            {
                return Ok(());
            }
            infra::app::cases::tries::try_numbers(conn, ctx, &keys, register, &ids)
        })
        .await
}

/// The well-formed ID numbers among members as entered (the badly formed ones are refused by
/// the write's validation before any check against the registry).
///
/// A birth date of tomorrow is let through here: the write validates against its own clock,
/// which may have passed midnight since `today` was read, and would then check a number born
/// that day without its try recorded (an internal error). A number of a later date costs one
/// try and is refused by the write's validation.
pub(crate) fn entered_numbers(
    members: &[domain::cases::MemberInput],
    today: chrono::NaiveDate,
) -> Vec<IdNumber> {
    members
        .iter()
        .filter_map(|m| entered_number(&m.id_number, today))
        .collect()
}

/// One number as entered, if well formed, by the rule of [`entered_numbers`] (a birth date of
/// tomorrow let through).
pub(crate) fn entered_number(text: &str, today: chrono::NaiveDate) -> Option<IdNumber> {
    IdNumber::parse(text, today.succ_opt().unwrap_or(today)).ok()
}

/// Adds a member; answers with the household. A second head is refused; a person registered
/// anywhere already answers 409 without saying where.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        IdempotencyKey,
    ),
    request_body = MemberBody,
    responses(
        (status = 201, description = "Added; the household as it is now", body = HouseholdDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Already registered", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: this user tried `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of a given number's masked form and birth year in 24 hours, by search, registration or import, or as a team member's number of that form (such numbers differ only in the month and day the mask hides; an `alert.quota_exceeded` audit row is written; nothing is registered); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/households/{id}/members")]
pub async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<MemberBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path)?;
    let once = Once::of(&req, &body.0)?;
    let m = validate_member(&body.0.into(), state.today(), "").map_err(DomainError::Validation)?;
    record_tries(
        &state,
        &auth,
        Some(&once),
        Register::Members,
        vec![m.id_number.clone()],
    )
    .await?;
    let keys = state.data_keys.clone();
    once.create_or_refuse(&state, auth, move |conn, ctx| {
        Ok(match members::add(conn, ctx, &keys, id, &m)? {
            MemberOutcome::Done(v) => Ok(HouseholdDto::from(*v)),
            // The attempt stays recorded for oversight: answered, not rolled back.
            MemberOutcome::AlreadyRegistered => Err(already_registered("id_number")),
        })
    })
    .await
}

/// One member (the read is audited).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), ("member_id" = Uuid, Path, description = "Member id")),
    responses(
        (status = 200, description = "The member; ETag carries its version", body = MemberDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (or not a member of that household)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/members/{member_id}")]
pub async fn get_member(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let mid = member_id(&path.1)?;
    let m = state
        .run(auth, move |conn, ctx| members::get(conn, ctx, id, mid))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(m.version)))
        .json(MemberDto::from(m)))
}

/// Changes to a member.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMemberBody {
    /// Name.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub name: Option<String>,
    /// A corrected ID number.
    pub id_number: Option<String>,
    /// Relationship; making a member `head` turns the former head into `other`.
    #[schema(schema_with = domain::cases::Relationship::input_schema_or_null)]
    pub relationship: Option<String>,
    /// 文化程度.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub education: Option<String>,
    /// 在校生状况.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub school_status: Option<String>,
    /// 健康状况.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub health: Option<String>,
    /// 残疾.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub disability: Option<String>,
    /// 劳动能力.
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub labour_ability: Option<String>,
    /// 医保.
    pub medical_insurance: Option<bool>,
    /// 养老保险.
    pub pension: Option<bool>,
    /// Phone.
    #[schema(pattern = "^\\s*([0-9+-]{7,20})?\\s*$")]
    pub phone: Option<String>,
}

impl PatchMemberBody {
    fn validate(self, today: NaiveDate) -> Result<MemberChanges, DomainError> {
        let mut errs: Vec<FieldError> = Vec::new();
        let mut text = |field: &str, v: Option<String>, required: bool, max: usize| {
            v.and_then(|v| {
                check_text(field, &v, required, max)
                    .map_err(|e| errs.push(e))
                    .ok()
            })
        };
        let name = text("name", self.name, true, 50);
        let education = text("education", self.education, false, 50);
        let school_status = text("school_status", self.school_status, false, 50);
        let health = text("health", self.health, false, 50);
        let disability = text("disability", self.disability, false, 50);
        let labour_ability = text("labour_ability", self.labour_ability, false, 50);
        let phone = text("phone", self.phone, false, 20).map(|p| p.trim().to_string());
        if phone
            .as_deref()
            .is_some_and(|p| !domain::input::phone_ok(p))
        {
            errs.push(FieldError::new(
                "phone",
                domain::Rule::format(domain::Format::Phone),
            ));
        }
        let id_number = self.id_number.and_then(|s| {
            IdNumber::parse(&s, today)
                .map_err(|m| errs.push(FieldError::new("id_number", m)))
                .ok()
        });
        let relationship = self.relationship.and_then(|s| {
            Relationship::parse(&s)
                .map_err(|m| errs.push(FieldError::new("relationship", m)))
                .ok()
        });
        if !errs.is_empty() {
            return Err(DomainError::Validation(errs));
        }
        Ok(MemberChanges {
            name,
            id_number,
            relationship,
            education,
            school_status,
            health,
            disability,
            labour_ability,
            medical_insurance: self.medical_insurance,
            pension: self.pension,
            phone,
        })
    }
}

/// Changes a member. Requires `If-Match` with the member's ETag; answers with the household.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("member_id" = Uuid, Path, description = "Member id"),
        ("If-Match" = String, Header, description = "The member's ETag"),
    ),
    request_body = PatchMemberBody,
    responses(
        (status = 200, description = "Changed; the household as it is now", body = HouseholdDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "The corrected ID number is registered already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: this user tried `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of a given number's masked form and birth year in 24 hours, by search, registration or import, or as a team member's number of that form (such numbers differ only in the month and day the mask hides; an `alert.quota_exceeded` audit row is written; nothing is registered); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/households/{id}/members/{member_id}")]
pub async fn update_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<PatchMemberBody>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let mid = member_id(&path.1)?;
    let changes = body.0.validate(state.today())?;
    let version = if_match(&req)?;
    record_tries(
        &state,
        &auth,
        None,
        Register::Members,
        changes.id_number.iter().cloned().collect(),
    )
    .await?;
    let keys = state.data_keys.clone();
    let o = state
        .run(auth, move |conn, ctx| {
            members::update(conn, ctx, &keys, id, mid, version, &changes)
        })
        .await?;
    outcome(o, "id_number", actix_web::http::StatusCode::OK)
}

/// `?reason=` of a member's removal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveMemberParams {
    /// Why the person leaves the household (死亡, 婚出, 户口迁出, 分户 …), kept in the household's
    /// history beside the removal; at most 200 characters, no control characters.
    #[param(max_length = 200, example = "死亡")]
    pub reason: Option<String>,
}

/// The removal's reason: `None` when absent or blank, else at most 200 characters without
/// control characters.
fn removal_reason(reason: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(r) = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
    else {
        return Ok(None);
    };
    if r.chars().count() > 200 || r.chars().any(char::is_control) {
        return Err(DomainError::field(
            "reason",
            domain::Rule::other(
                "at most 200 characters, without control characters",
                "最多200个字符，且不能含控制字符",
            ),
        ));
    }
    Ok(Some(r))
}

/// Removes a member (not the head), with the reason kept in the household's history. Needs
/// `If-Match` with the member's version as read (its ETag, or `"<version>"` from the
/// household's `members`): a member changed since is not removed (412).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("member_id" = Uuid, Path, description = "Member id"),
        ("If-Match" = String, Header, description = "The member's ETag"),
        RemoveMemberParams,
    ),
    responses(
        (status = 204, description = "Removed"),
        NotSignedIn,
        (status = 403, description = "Lacks cases:write there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "The head cannot be removed (`member_id`), or the reason is too long (`reason`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other records still refer to the member: nothing is removed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match: the member changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/households/{id}/members/{member_id}")]
pub async fn remove_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: crate::http::query::Query<RemoveMemberParams>,
) -> ApiResult<HttpResponse> {
    let id = household_id(&path.0)?;
    let mid = member_id(&path.1)?;
    let reason = removal_reason(params.into_inner().reason)?;
    let version = if_match(&req)?;
    state
        .run(auth, move |conn, ctx| {
            members::remove(conn, ctx, id, mid, version, reason.as_deref())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An exact search by ID number (in the body: ID numbers never go in URLs).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// The full 18-character ID number.
    pub id_number: String,
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// The member.
    pub member: MemberDto,
    /// Their household.
    pub household: HouseholdSummary,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// At most one hit, inside your scope.
    pub items: Vec<SearchHit>,
}

/// Finds a person by full ID number, inside the caller's scope (audited). Prefixes and partial
/// numbers are refused: only the exact number matches. Numbers that share a masked form and
/// birth year differ only in the month and day the mask hides: a user may search only a few
/// different ones a day
/// (`ZX_SEARCH_SAME_MASK_DAILY_LIMIT`, 5), so the mask cannot be undone by trying dates.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = SearchBody,
    responses(
        (status = 200, description = "Hits inside your scope", body = SearchResult),
        NotSignedIn,
        (status = 403, description = "Lacks cases:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid ID number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: `ZX_SEARCH_SAME_MASK_DAILY_LIMIT` other numbers of this masked form and birth year tried in 24 hours, by search, registration or import, or as a team member's number of that form (they differ only in the month and day the mask hides; an `alert.quota_exceeded` audit row is written); or `county_busy`; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members/search")]
pub async fn search_members(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<SearchBody>,
) -> ApiResult<HttpResponse> {
    let id = IdNumber::parse(&body.0.id_number, state.today())
        .map_err(|m| DomainError::field("id_number", m))?;
    let keys = state.data_keys.clone();
    let hits = state
        .run(auth, move |conn, ctx| {
            members::search(conn, ctx, &keys, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SearchResult {
        items: hits
            .into_iter()
            .map(|(m, h)| SearchHit {
                member: m.into(),
                household: h.into(),
            })
            .collect(),
    }))
}

/// Why the full number is needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    /// The reason, kept in the audit log (4 to 500 characters).
    #[schema(example = "核对低保申请材料")]
    #[schema(
        min_length = 4,
        max_length = 500,
        pattern = "([^\\s\\u0085]|\\ufeff)[\\s\\S]{2,}([^\\s\\u0085]|\\ufeff)"
    )]
    pub reason: String,
}

/// A revealed ID number.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealDto {
    /// The full ID number.
    pub id_number: String,
}

/// The full ID number of a member, for a caller with `cases:reveal` over the member's village;
/// the reveal and its reason are audited.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("member_id" = Uuid, Path, description = "Member id")),
    request_body = RevealBody,
    responses(
        (status = 200, description = "The full number", body = RevealDto),
        NotSignedIn,
        (status = 403, description = "Lacks cases:reveal there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Daily reveal limit reached; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members/{member_id}/reveal")]
pub async fn reveal_member(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<RevealBody>,
) -> ApiResult<HttpResponse> {
    let mid = member_id(&path)?;
    let reason = body.0.reason;
    let keys = state.data_keys.clone();
    let limit = state.reveal_daily_limit;
    let id_number = state
        .run(auth, move |conn, ctx| {
            members::reveal(conn, ctx, &keys, mid, &reason, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RevealDto { id_number }))
}

/// A poverty cause.
#[derive(Debug, Serialize, ToSchema)]
pub struct CauseDto {
    /// Code.
    #[schema(example = "illness")]
    pub code: String,
    /// Label.
    #[schema(example = "因病")]
    pub label: String,
}

/// The catalog of poverty causes (致贫原因).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalog", body = Vec<CauseDto>),
        NotSignedIn,
    )
)]
#[get("/poverty-causes")]
pub async fn list_causes(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let rows = state
        .run(auth, |conn, _| cases::cause_catalog(conn))
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|(code, label)| CauseDto { code, label })
            .collect::<Vec<_>>(),
    ))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_causes => Authenticated,
        list_members => Permission(perm::CASES_READ),
        add_member => Permission(perm::CASES_WRITE),
        get_member => Permission(perm::CASES_READ),
        update_member => Permission(perm::CASES_WRITE),
        remove_member => Permission(perm::CASES_WRITE),
        search_members => Permission(perm::CASES_READ),
        reveal_member => Permission(perm::CASES_REVEAL),
    },
}
