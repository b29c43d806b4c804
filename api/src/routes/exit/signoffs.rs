//! The resident team's sign-off and the city's and province's acknowledgements of a filing.

use super::*;
use crate::error::answers::{BadField, NotFound, NotSignedIn};

/// The resident team's verification sign-off (驻村工作队).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamSignoffBody {
    /// The day of the verification (today when absent): at most `exit.backdate_days` back,
    /// never in the future, never before the appraisal.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// The team's opinion, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
    /// Attached documents.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// Records the resident team's verification sign-off (驻村工作队): by a `team_member` of the
/// village linked to a member, in term, of a team serving it. With
/// `exit.team_verification_required` the list is `verified` once the village committee has
/// signed too, by another person.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = TeamSignoffBody,
    responses(
        (status = 200, description = "The list, with the sign-off (verified once every sign-off needed is there)", body = ExitListDto),
        NotSignedIn,
        (status = 403, description = "Not a team_member of the village, or not a member in term of a team serving it (named)", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Out of order, the team signed already (already_signed), or the caller signed for the village committee (same_signatory)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or the date in the future, too far back, or before the appraisal", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/exit-lists/{id}/verification/team")]
pub async fn team_verification(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<TeamSignoffBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let opinion = text(&mut errs, "opinion", &b.opinion, true, 5000);
    let att = attachments(b.attachments, &mut errs);
    done(errs)?;
    let input = TeamSignoff {
        signed_on: b.signed_on,
        opinion,
        attachments: att,
    };
    let v = state
        .run(auth, move |conn, ctx| {
            exit::signoffs::sign_for_team(conn, ctx, id, &input)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

/// An acknowledgement of a filing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgementBody {
    /// A note, up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Acknowledges a filed list (逐级报市、省备案) at the caller's level: the city first, then the
/// province, each once, by a user holding `workflow:acknowledge` there.
#[utoipa::path(
    tag = "exit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exit list id")),
    request_body = AcknowledgementBody,
    responses(
        (status = 200, description = "The list, with the acknowledgement", body = ExitListDto),
        NotSignedIn,
        (status = 403, description = "Not a city or province user with workflow:acknowledge over the village (named)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found (above the county: not filed yet)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not filed, the province before the city (step_out_of_order), or the level acknowledged already (already_acknowledged)", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/exit-lists/{id}/acknowledgement")]
pub async fn acknowledgement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<AcknowledgementBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let mut errs = Vec::new();
    let note = text(&mut errs, "note", &body.0.note, false, 2000);
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            exit::acknowledgements::acknowledge(conn, ctx, id, &note)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}
