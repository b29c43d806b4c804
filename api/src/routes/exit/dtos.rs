//! What exit lists, their entries, steps, objections and sign-offs look like in answers and requests.

use super::*;

/// A document attached to a step, by reference to the county's archive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// What it is (`村民代表大会签到表`), 1–200 characters of plain text (no `<`, `>`, control
    /// or direction characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^<>\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]*[^\\s<>\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff][\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub title: String,
    /// Where it is kept, 1–500 characters: an `https:` link to the archive (no credentials), a
    /// document of this system (`/api/v1/exit-lists/{id}/documents/{kind}`), or a file stored
    /// for this list (`/api/v1/attachments/{id}`, from `POST /api/v1/attachments`; another
    /// list's is refused). With `exit.require_stored_evidence`, the appraisal and each notice
    /// need at least one stored file (422 `attachments` otherwise).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^(https://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(/[!-~]*)?|/api/v1/exit-lists/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/documents/(application|assembly_minutes|appraisal_tally|village_notice|township_report|township_notice|county_report|county_announcement)|/api/v1/attachments/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub uri: String,
    /// SHA-256 of the file (64 hex digits), when known.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub sha256: Option<String>,
}

pub(crate) fn attachments(
    list: Vec<AttachmentBody>,
    errs: &mut Vec<FieldError>,
) -> Vec<Attachment> {
    let out: Vec<Attachment> = list
        .into_iter()
        .map(|a| Attachment {
            title: a.title.trim().to_string(),
            uri: a.uri.trim().to_string(),
            sha256: a.sha256.map(|s| s.to_lowercase()),
        })
        .collect();
    exit::check_attachments(&out, errs);
    out
}

/// Nomination of households for exit by a villager group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationBody {
    /// The village (12 digits).
    #[schema(example = "370831100201")]
    pub village_code: String,
    /// The exit year: the yearly record of this year is checked against this year's line.
    pub year: i32,
    /// The nominating villager group (村民小组), 1–50 characters.
    #[schema(min_length = 1, max_length = 50, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub villager_group: String,
    /// Date of the nomination.
    pub nominated_on: NaiveDate,
    /// Households nominated (1–500).
    #[schema(min_items = 1, max_items = 500)]
    pub households: Vec<Uuid>,
    /// Attached documents (the households' applications).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentBody>,
}

/// A household on a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    /// Household id.
    pub household_id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Head.
    pub head_name: String,
    /// People at nomination.
    pub people: i32,
    /// Per-capita net income of the year, fen.
    pub income_per_capita_fen: i64,
    /// The year's poverty line, fen.
    pub poverty_line_fen: i64,
    /// Criteria as evaluated at nomination.
    #[schema(value_type = Vec<crate::routes::exit_dto::CriterionDto>)]
    pub criteria: serde_json::Value,
    /// Appraisal tally, once appraised.
    pub votes_for: Option<i32>,
    /// Against.
    pub votes_against: Option<i32>,
    /// Abstaining.
    pub votes_abstain: Option<i32>,
    /// Taken off the list.
    pub removed: bool,
    /// Why (appraisal, objection upheld, review).
    pub removed_reason: Option<String>,
    /// When a sampling inspection found this filed exit false (被脱贫/错退): the household is
    /// back in poverty, and the year's exit figures leave the entry out.
    pub overturned_at: Option<DateTime<Utc>>,
}

impl From<EntryView> for EntryDto {
    fn from(e: EntryView) -> Self {
        let x = e.entry;
        Self {
            household_id: x.household_id,
            household_number: e.household_number,
            head_name: e.head_name,
            people: x.people,
            income_per_capita_fen: x.income_per_capita_fen,
            poverty_line_fen: x.poverty_line_fen,
            criteria: x.criteria,
            votes_for: x.votes_for,
            votes_against: x.votes_against,
            votes_abstain: x.votes_abstain,
            removed: x.removed,
            removed_reason: x.removed_reason,
            overturned_at: x.overturned_at,
        }
    }
}

/// A step taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepDto {
    /// Id.
    pub id: Uuid,
    /// `nomination`, `appraisal`, `verification`, `first_notice`, `township_review`,
    /// `second_notice`, `approval`, `announcement`, `filing`.
    pub step: String,
    /// Stage before.
    pub stage_from: Option<String>,
    /// Stage after.
    pub stage_to: String,
    /// Who took it.
    pub actor_id: Uuid,
    /// Their username.
    pub actor_username: String,
    /// Their org unit.
    pub actor_org: String,
    /// When.
    pub taken_at: DateTime<Utc>,
    /// What was recorded.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Attached documents.
    #[schema(value_type = Vec<crate::routes::exit_dto::AttachmentRefDto>)]
    pub attachments: serde_json::Value,
}

impl From<StepRow> for StepDto {
    fn from(s: StepRow) -> Self {
        Self {
            id: s.id,
            step: s.step,
            stage_from: s.stage_from,
            stage_to: s.stage_to,
            actor_id: s.actor_id,
            actor_username: s.actor_username,
            actor_org: format!("{:012}", s.actor_org),
            taken_at: s.taken_at,
            details: s.details,
            attachments: s.attachments,
        }
    }
}

/// An objection raised during a public notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionDto {
    /// Id.
    pub id: Uuid,
    /// The list.
    pub list_id: Uuid,
    /// The household objected to.
    pub household_id: Uuid,
    /// Village.
    pub village_code: String,
    /// The notice it was raised in: `first_notice`, `second_notice`, `announced`.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// Who raised it.
    pub raised_by: String,
    /// What it says.
    pub content: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// `open`, `upheld`, `dismissed`.
    pub status: String,
    /// Why it was upheld or dismissed.
    pub resolution_reason: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<ObjectionRow> for ObjectionDto {
    fn from(o: ObjectionRow) -> Self {
        Self {
            id: o.id,
            list_id: o.list_id,
            household_id: o.household_id,
            village_code: format!("{:012}", o.region_code),
            stage: o.stage,
            raised_by: o.raised_by,
            content: o.content,
            raised_at: o.raised_at,
            status: o.status,
            resolution_reason: o.resolution_reason,
            resolved_at: o.resolved_at,
        }
    }
}

/// A verification sign-off (issue 22, seed 1: 村两委和驻村工作队核实).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignoffDto {
    /// Id.
    pub id: Uuid,
    /// `village_committee` (村两委) or `resident_team` (驻村工作队).
    #[schema(value_type = domain::exit::SignoffBody)]
    pub body: String,
    /// Who signed.
    pub user_id: Uuid,
    /// Their username.
    pub username: String,
    /// The team they signed for (resident team only).
    pub team_id: Option<Uuid>,
    /// The day of the verification.
    pub signed_on: NaiveDate,
    /// When it was recorded.
    pub signed_at: DateTime<Utc>,
    /// Their opinion (the village committee's: its findings).
    pub opinion: String,
    /// Attached documents.
    #[schema(value_type = Vec<crate::routes::exit_dto::AttachmentRefDto>)]
    pub attachments: serde_json::Value,
}

impl From<SignoffRow> for SignoffDto {
    fn from(s: SignoffRow) -> Self {
        Self {
            id: s.id,
            body: s.body,
            user_id: s.user_id,
            username: s.username,
            team_id: s.team_id,
            signed_on: s.signed_on,
            signed_at: s.signed_at,
            opinion: s.opinion,
            attachments: s.attachments,
        }
    }
}

/// An acknowledgement of the filing by the city or the province (issue 22, seed 1: 逐级备案).
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementDto {
    /// Id.
    pub id: Uuid,
    /// `city` or `province`.
    pub level: String,
    /// Who.
    pub user_id: Uuid,
    /// Their username.
    pub username: String,
    /// Their org unit.
    pub org_unit: String,
    /// When.
    pub acknowledged_at: DateTime<Utc>,
    /// Their note.
    pub note: String,
}

impl From<AcknowledgementRow> for AcknowledgementDto {
    fn from(a: AcknowledgementRow) -> Self {
        Self {
            id: a.id,
            level: a.level,
            user_id: a.user_id,
            username: a.username,
            org_unit: format!("{:012}", a.org_unit),
            acknowledged_at: a.acknowledged_at,
            note: a.note,
        }
    }
}

/// An exit list with everything recorded on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExitListDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// Year.
    pub year: i32,
    /// `nominated`, `appraised`, `verified`, `first_notice`, `township_reviewed`,
    /// `second_notice`, `approved`, `announced`, `filed`.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// The stage in Chinese.
    pub stage_label: String,
    /// The step that may be taken next, if any.
    pub next_step: Option<String>,
    /// 村民小组.
    pub villager_group: String,
    /// Start of the running notice.
    pub notice_started_at: Option<DateTime<Utc>>,
    /// End of the running notice: the next step waits until then.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households still on the list.
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Version.
    pub version: i32,
    /// When filed.
    pub filed_at: Option<DateTime<Utc>>,
    /// Households (removed ones too, with the reason).
    pub entries: Vec<EntryDto>,
    /// Steps taken, in order.
    pub steps: Vec<StepDto>,
    /// Objections.
    pub objections: Vec<ObjectionDto>,
    /// Verification sign-offs (村两委, 驻村工作队), each by its own user, in order.
    pub signoffs: Vec<SignoffDto>,
    /// Acknowledgements of the filing (逐级备案): the city's, then the province's.
    pub acknowledgements: Vec<AcknowledgementDto>,
}

impl From<ListView> for ExitListDto {
    fn from(v: ListView) -> Self {
        let (households, people) = v.listed();
        let stage = Stage::parse(&v.list.stage).ok();
        Self {
            id: v.list.id,
            village_code: format!("{:012}", v.list.region_code),
            village_name: v.village_name,
            year: v.list.year,
            stage_label: stage.map(Stage::label).unwrap_or_default().to_string(),
            next_step: stage
                .and_then(Stage::next_step)
                .map(|s| s.as_str().to_string()),
            stage: v.list.stage,
            villager_group: v.list.villager_group,
            notice_started_at: v.list.notice_started_at,
            notice_ends_at: v.list.notice_ends_at,
            households,
            people,
            version: v.list.version,
            filed_at: v.list.filed_at,
            entries: v.entries.into_iter().map(EntryDto::from).collect(),
            steps: v.steps.into_iter().map(StepDto::from).collect(),
            objections: v.objections.into_iter().map(ObjectionDto::from).collect(),
            signoffs: v.signoffs.into_iter().map(SignoffDto::from).collect(),
            acknowledgements: v
                .acknowledgements
                .into_iter()
                .map(AcknowledgementDto::from)
                .collect(),
        }
    }
}

/// An exit list in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExitListSummaryDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// Year.
    pub year: i32,
    /// Stage.
    #[schema(value_type = domain::exit::Stage)]
    pub stage: String,
    /// End of the running notice.
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households on the list.
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Objections not resolved.
    pub open_objections: i64,
}

impl From<ListSummary> for ExitListSummaryDto {
    fn from(s: ListSummary) -> Self {
        Self {
            id: s.list.id,
            village_code: format!("{:012}", s.list.region_code),
            village_name: s.village_name,
            year: s.list.year,
            stage: s.list.stage,
            notice_ends_at: s.list.notice_ends_at,
            households: s.households,
            people: s.people,
            open_objections: s.open_objections,
        }
    }
}

/// Filters of the exit lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExitListParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// Year.
    pub year: Option<i32>,
    /// Stage.
    #[param(schema_with = domain::exit::Stage::input_schema)]
    pub stage: Option<String>,
}
