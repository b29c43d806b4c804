//! The bodies of the steps and what each step takes from them.

use super::*;

/// One household's tally.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// The household.
    pub household_id: Uuid,
    /// Votes for (赞成).
    #[serde(rename = "for")]
    #[schema(minimum = 0)]
    pub votes_for: i32,
    /// Against (反对).
    #[schema(minimum = 0)]
    pub against: i32,
    /// Abstaining (弃权).
    #[schema(minimum = 0)]
    pub abstain: i32,
}

/// Democratic appraisal by the village representative assembly.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalBody {
    /// Meeting date: at most `exit.backdate_days` (30) days before the day it is entered, never
    /// in the future, never before the nomination.
    pub held_on: NaiveDate,
    /// Representatives attending (1–1000).
    #[schema(minimum = 1, maximum = 1000)]
    pub attendees: i32,
    /// Minutes of the meeting, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub minutes: String,
    /// A tally for every household on the list; a household without a majority of the
    /// attendees for it leaves the list.
    pub votes: Vec<VoteBody>,
    /// Attached documents (sign-in sheet, ballots).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// Verification by the village committee and the resident team.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// Date of the verification: at most `exit.backdate_days` back, never in the future, never
    /// before the appraisal.
    pub verified_on: NaiveDate,
    /// Who verified (1–20 names).
    #[schema(schema_with = crate::routes::input::verifier_names)]
    pub verifiers: Vec<String>,
    /// What they found, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub findings: String,
    /// Attached documents.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// Opening of a public notice; its length is the setting of the county.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// Where it is posted, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub location: String,
    /// The day it was posted (today when absent): at most `exit.backdate_days` (30) days
    /// back, never in the future, never before the step it follows. The period runs from the
    /// day after (Civil Code §201) and ends on the working calendar (§203).
    #[serde(default)]
    pub posted_on: Option<NaiveDate>,
    /// Attached documents (a photo of the posted notice).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// A household taken off at a review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalBody {
    /// The household.
    pub household_id: Uuid,
    /// Why, 1–500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
}

/// Township review or county approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// Opinion, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub opinion: String,
    /// Document number of the decision (文号), up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub decision_no: String,
    /// Households taken off the list, with reasons.
    #[serde(default)]
    pub removals: Vec<RemovalBody>,
    /// The day of the decision (today when absent): after the last day of the notice it
    /// follows, at most `exit.backdate_days` back, never in the future.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    /// Attached documents.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// Filing with the city and province.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    /// Filing reference, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reference: String,
    /// The day it was filed (today when absent): after the announcement's last day.
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    /// Attached documents.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

pub(super) async fn step(
    state: web::Data<AppState>,
    auth: Auth,
    path: &str,
    step: Step,
    input: StepInput,
    att: Vec<Attachment>,
    errs: Vec<FieldError>,
) -> ApiResult<HttpResponse> {
    let id = id_of(path)?;
    done(errs)?;
    let v = state
        .run(auth, move |conn, ctx| {
            exit::take_step(conn, ctx, id, step, &input, &att)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExitListDto::from(v)))
}

pub(crate) fn notice_input(b: NoticeBody) -> (StepInput, Vec<Attachment>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let location = text(&mut errs, "location", &b.location, true, 200);
    let att = attachments(b.attachments, &mut errs);
    (
        StepInput::Notice {
            location,
            posted_on: b.posted_on,
        },
        att,
        errs,
    )
}

pub(crate) fn review_input(b: ReviewBody) -> (StepInput, Vec<Attachment>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let opinion = text(&mut errs, "opinion", &b.opinion, true, 2000);
    let decision_no = text(&mut errs, "decision_no", &b.decision_no, false, 100);
    let removals = b
        .removals
        .into_iter()
        .enumerate()
        .map(|(i, r)| Removal {
            household_id: r.household_id,
            reason: text(
                &mut errs,
                &format!("removals[{i}].reason"),
                &r.reason,
                true,
                500,
            ),
        })
        .collect();
    let att = attachments(b.attachments, &mut errs);
    (
        StepInput::Review {
            opinion,
            decision_no,
            removals,
            decided_on: b.decided_on,
        },
        att,
        errs,
    )
}
