//! The error vocabulary shared by every use case; `api` maps each variant to one HTTP status.

use std::time::Duration;

/// One invalid input field: the JSON path of the field and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`org_unit`, `overrides.notice_days.first`).
    pub field: String,
    /// Human-readable reason.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Declares the closed set of error codes: each with its stable string and its documentation,
/// which is also the code's description in the published contract.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal,)+) => {
        /// Every code a problem answer can carry (`Problem.code`), and the conflicts use cases
        /// refuse with. Stable: clients branch on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable string.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// What it means (the variant's documentation).
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),+).trim_ascii()),+ }
            }
        }
    };
}

error_codes! {
    /// The object does not exist, or is outside your scope (the two are never told apart); also an unknown route.
    NotFound = "not_found",
    /// The credentials are missing, wrong, expired or revoked.
    Unauthorized = "unauthorized",
    /// You are signed in but lack the permission or the level for this action.
    Forbidden = "forbidden",
    /// Fields or parameters are invalid: `errors` names each with the reason.
    ValidationFailed = "validation_failed",
    /// `If-Match` does not match: the resource changed since you read it.
    StaleVersion = "stale_version",
    /// The update needs `If-Match` with the ETag you read.
    IfMatchRequired = "if_match_required",
    /// Too many attempts: retry after the time in `Retry-After`.
    TooManyRequests = "too_many_requests",
    /// The server is saturated: retry shortly (`Retry-After`).
    Unavailable = "unavailable",
    /// An unexpected error: quote the request id when reporting it.
    InternalError = "internal_error",
    /// The body is over the size limit.
    PayloadTooLarge = "payload_too_large",
    /// The body is not of a type this operation takes.
    UnsupportedMediaType = "unsupported_media_type",
    /// The route exists but not with this method (`Allow` lists the methods).
    MethodNotAllowed = "method_not_allowed",
    /// An object with the same key exists already.
    AlreadyExists = "already_exists",
    /// Other records refer to this one, or it refers to one that does not exist.
    Referenced = "referenced",
    /// A request with this `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse = "idempotency_key_in_use",
    /// The username is taken.
    UsernameTaken = "username_taken",
    /// The user holds this role at this unit already.
    GrantExists = "grant_exists",
    /// The county is a tenant already.
    TenantExists = "tenant_exists",
    /// The household number is used in the county already.
    HouseholdNumberTaken = "household_number_taken",
    /// The person is registered already.
    AlreadyRegistered = "already_registered",
    /// The job has not succeeded (yet): its file is not ready.
    NotFinished = "not_finished",
    /// The exported file has expired: export again.
    ResultExpired = "result_expired",
    /// Only a failed webhook delivery is sent again.
    NotFailed = "not_failed",
    /// The exit list is not at the stage this step follows.
    StepOutOfOrder = "step_out_of_order",
    /// The body (village committee or resident team) has signed this verification already.
    AlreadySigned = "already_signed",
    /// One person signs the verification for one body only.
    SameSignatory = "same_signatory",
    /// This level has acknowledged the filing already.
    AlreadyAcknowledged = "already_acknowledged",
    /// The county approved the township plan: it reopens the plan before the township changes it.
    PlanApproved = "plan_approved",
    /// The county has an open campaign for the year already.
    CampaignOpen = "campaign_open",
    /// The campaign is closed.
    CampaignClosed = "campaign_closed",
    /// Villages of the campaign are neither done nor excused (the message names them).
    CampaignVillagesPending = "campaign_villages_pending",
    /// A public notice is still running on the exit list.
    NoticePeriodRunning = "notice_period_running",
    /// Objections raised during the notice are not resolved.
    ObjectionsOpen = "objections_open",
    /// The step would leave the exit list with no household.
    ListEmpty = "list_empty",
    /// The exit list is in a township round: take this step on the round.
    ListInRound = "list_in_round",
    /// The county takes township review and the steps after it on township rounds only.
    TownshipRoundRequired = "township_round_required",
    /// No list of the round is ready for this step (the response names each and why).
    RoundNothingReady = "round_nothing_ready",
    /// Objections are raised during a notice, and none is running.
    NoNoticeRunning = "no_notice_running",
    /// The household is on another exit list.
    AlreadyListed = "already_listed",
    /// The objection is resolved already.
    AlreadyResolved = "already_resolved",
    /// The document is produced at a later stage of the list.
    DocumentNotReady = "document_not_ready",
    /// The household has an open monitoring case already.
    CaseOpen = "case_open",
    /// The monitoring case is closed.
    CaseClosed = "case_closed",
    /// Record the assistance measures before deciding the risk is eliminated.
    NoMeasures = "no_measures",
    /// A case opened help-first (先救后核) is verified before it is closed.
    AwaitingVerification = "awaiting_verification",
    /// Only a case opened help-first is verified afterwards, once.
    NotAwaitingVerification = "not_awaiting_verification",
    /// The same early-warning lead exists already.
    LeadExists = "lead_exists",
    /// The lead is resolved already.
    LeadResolved = "lead_resolved",
    /// The property-check file was imported already.
    BatchExists = "batch_exists",
    /// The fact was verified before: the earlier result stands.
    Reused = "reused",
    /// The hit is through the appraisal and can no longer be changed.
    Appraised = "appraised",
    /// The village's hits of the batch were not forwarded to it yet (`property_check.routing_required`).
    NotRouted = "not_routed",
    /// The township station has not forwarded the batch to its liaison leaders yet.
    NotForwarded = "not_forwarded",
    /// The batch was forwarded there already.
    Forwarded = "forwarded",
    /// Hits of the village are not verified yet.
    UnverifiedHits = "unverified_hits",
    /// Hits of the township are not through the village appraisal.
    NotAppraised = "not_appraised",
    /// The township submitted this batch already.
    Submitted = "submitted",
    /// The township has not submitted its table for the batch.
    NotSubmitted = "not_submitted",
    /// The county confirmed this table already.
    Confirmed = "confirmed",
    /// Only a veto the county confirmed can be reversed.
    NotVetoed = "not_vetoed",
    /// The veto was reversed already.
    Reversed = "reversed",
    /// The village is an active key village already.
    AlreadyKey = "already_key",
    /// The village was assessed for that year already.
    Assessed = "assessed",
    /// The village has left key status already.
    Exited = "exited",
    /// The cadre is paired with the household already.
    Paired = "paired",
    /// The pairing has ended already.
    Ended = "ended",
    /// The person serves on another team during that term.
    TermOverlaps = "term_overlaps",
    /// Bundled money keeps its purpose: fund and project purposes differ.
    PurposeChanged = "purpose_changed",
    /// The fund has less left to allocate than asked.
    FundExhausted = "fund_exhausted",
    /// The allocation would exceed the project's budget.
    OverBudget = "over_budget",
    /// The caller or the county has as many imports waiting or running as it may
    /// (`imports.max_running_per_user`, `imports.max_running_per_county`).
    ImportsRunning = "imports_running",
    /// The reversal would leave less allocated than disbursed.
    OverAllocation = "over_allocation",
    /// The disbursement exceeds what the project's progress allows.
    BeyondProgress = "beyond_progress",
    /// A reversing entry is not reversed.
    NotReversible = "not_reversible",
    /// The project is cancelled.
    ProjectClosed = "project_closed",
    /// The disbursement pays a ranger's month; the payout record stands with it.
    RangerPayout = "ranger_payout",
    /// The household has no benefit card (一卡通) on record: payments to households go to it.
    NoBenefitCard = "no_benefit_card",
    /// The ranger contract is terminated already.
    Terminated = "terminated",
    /// A ranger's month is paid after it ends.
    MonthNotOver = "month_not_over",
    /// The ranger's month is paid already: its record is closed.
    MonthPaid = "month_paid",
    /// The ranger's month is paid already.
    Paid = "paid",
    /// A grant request is approved by an administrator other than its requester and the user it
    /// names, who owes neither of them their administration or a password reset.
    SecondApproverRequired = "second_approver_required",
    /// The grant request is approved or rejected already.
    RequestDecided = "request_decided",
    /// Your county has as many requests running at once as it may
    /// (`ZX_COUNTY_MAX_CONCURRENT_REQUESTS`): retry after the time in `Retry-After`.
    CountyBusy = "county_busy",
    /// Never sent: the sentinel an import's dry run rolls its transaction back with.
    DryRunRollback = "dry_run_rollback",
}

impl ErrorCode {
    /// Whether an answer can carry it (every code but the dry run's internal sentinel).
    pub fn is_sent(self) -> bool {
        self != Self::DryRunRollback
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Errors every use case may return.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist *or is outside the caller's scope* (never distinguish the two).
    #[error("not found")]
    NotFound,
    /// Credentials are missing, wrong, expired or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The caller is known but lacks the permission or level for this action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Input fields failed validation.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request conflicts with existing state (`code` is stable, `message` human).
    #[error("conflict: {message}")]
    Conflict {
        /// Stable machine-readable code.
        code: ErrorCode,
        /// Human-readable detail that names nothing outside the caller's scope.
        message: String,
    },
    /// `If-Match` did not match the current version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// `If-Match` is required and was missing.
    #[error("precondition required")]
    PreconditionRequired,
    /// Too many attempts; retry after the given time.
    #[error("too many requests")]
    TooManyRequests(Duration),
    /// The server is saturated (pool or hashing capacity); retry shortly.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else: logged once, answered with a generic 500.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl DomainError {
    /// A validation error with a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

/// Collects field errors so a request reports all its bad fields at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Records `message` for `field` when `ok` is false.
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.errors.push(FieldError::new(field, message));
        }
        self
    }

    /// Records the error of a parse result, returning its value when it parsed.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded, else every recorded error.
    ///
    /// # Errors
    /// `DomainError::Validation` listing each failed field.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn error_codes_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s} is not snake_case"
            );
            assert!(c.description().ends_with('.'), "{s} lacks a description");
        }
        assert!(!ErrorCode::DryRunRollback.is_sent());
        assert_eq!(ErrorCode::TermOverlaps, "term_overlaps");
    }
}
