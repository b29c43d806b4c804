//! The error vocabulary shared by every use case; `api` maps each variant to one HTTP status.

use std::time::Duration;

/// One invalid input field: the JSON path of the field and the rule it broke.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`org_unit`, `overrides.notice_days.first`).
    pub field: String,
    /// Why it was refused, with the rule's parameters; rendered per language by
    /// [`Rule::message`].
    pub rule: Rule,
}

impl FieldError {
    /// A field error for `field` that broke `rule`.
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }

    /// The reason in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.rule.message(lang)
    }
}

pub use crate::rule::{Lang, Rule};

/// Declares the closed set of error codes: each with its stable string and its documentation,
/// which is also the code's description in the published contract.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal / $zh:literal,)+) => {
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

            /// What it means in Simplified Chinese (a problem's `detail` in a Chinese answer
            /// starts with it).
            pub fn description_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh),+ }
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
    NotFound = "not_found" / "对象不存在,或不在您的管辖范围内",
    /// The credentials are missing, wrong, expired or revoked.
    Unauthorized = "unauthorized" / "未提供登录凭据,或凭据无效、已过期或已撤销",
    /// You are signed in but lack the permission or the level for this action.
    Forbidden = "forbidden" / "您已登录,但没有执行此操作的权限或层级",
    /// Fields or parameters are invalid: `errors` names each with the reason.
    ValidationFailed = "validation_failed" / "字段或参数有误",
    /// `If-Match` does not match: the resource changed since you read it.
    StaleVersion = "stale_version" / "数据在您读取后已被修改",
    /// The update needs `If-Match` with the ETag you read.
    IfMatchRequired = "if_match_required" / "更新须在 If-Match 中提供读取时得到的 ETag",
    /// Too many attempts: retry after the time in `Retry-After`.
    TooManyRequests = "too_many_requests" / "尝试次数过多,请在 Retry-After 所示时间后重试",
    /// The server is saturated: retry shortly (`Retry-After`).
    Unavailable = "unavailable" / "服务器繁忙,请稍后重试",
    /// An unexpected error: quote the request id when reporting it.
    InternalError = "internal_error" / "发生意外错误,报告问题时请提供请求编号",
    /// The body is over the size limit.
    PayloadTooLarge = "payload_too_large" / "请求内容超过大小限制",
    /// The body is not of a type this operation takes.
    UnsupportedMediaType = "unsupported_media_type" / "此操作不接受该类型的内容",
    /// The route exists but not with this method (`Allow` lists the methods).
    MethodNotAllowed = "method_not_allowed" / "该路径不支持此请求方法",
    /// An object with the same key exists already.
    AlreadyExists = "already_exists" / "已存在相同键的对象",
    /// Other records refer to this one, or it refers to one that does not exist.
    Referenced = "referenced" / "有其他记录引用此记录,或此记录引用的记录不存在",
    /// A request with this `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse = "idempotency_key_in_use" / "使用此 Idempotency-Key 的请求仍在处理中",
    /// The username is taken.
    UsernameTaken = "username_taken" / "用户名已被占用",
    /// The user holds this role at this unit already.
    GrantExists = "grant_exists" / "该用户已在此单位拥有此角色",
    /// The county is a tenant already.
    TenantExists = "tenant_exists" / "该县已开通",
    /// The household number is used in the county already.
    HouseholdNumberTaken = "household_number_taken" / "该户编号在本县已被使用",
    /// The person is registered already.
    AlreadyRegistered = "already_registered" / "此人已登记",
    /// The job has not succeeded (yet): its file is not ready.
    NotFinished = "not_finished" / "任务尚未成功完成,文件尚未就绪",
    /// The exported file has expired: export again.
    ResultExpired = "result_expired" / "导出的文件已过期,请重新导出",
    /// Only a failed webhook delivery is sent again.
    NotFailed = "not_failed" / "只能重新发送失败的推送",
    /// The endpoint no longer subscribes to the delivery's event kind: subscribe it again first.
    Unsubscribed = "unsubscribed" / "该推送地址已不再订阅此类事件,请先恢复订阅",
    /// The exit list is not at the stage this step follows.
    StepOutOfOrder = "step_out_of_order" / "退出名单尚未进行到此步骤之前的阶段",
    /// The body (village committee or resident team) has signed this verification already.
    AlreadySigned = "already_signed" / "该组织(村委会或驻村工作队)已签署此核验",
    /// One person signs the verification for one body only.
    SameSignatory = "same_signatory" / "同一人只能代表一个组织签署核验",
    /// This level has acknowledged the filing already.
    AlreadyAcknowledged = "already_acknowledged" / "该层级已确认此报备",
    /// The county approved the township plan: it reopens the plan before the township changes it.
    PlanApproved = "plan_approved" / "县已批准该乡镇计划:须先由县重新开放,乡镇才能修改",
    /// The county has an open campaign for the year already.
    CampaignOpen = "campaign_open" / "本县该年度已有进行中的行动",
    /// The campaign is closed.
    CampaignClosed = "campaign_closed" / "该行动已结束",
    /// Villages of the campaign are neither done nor excused (the message names them).
    CampaignVillagesPending = "campaign_villages_pending" / "行动中有村既未完成也未获豁免",
    /// A public notice is still running on the exit list.
    NoticePeriodRunning = "notice_period_running" / "退出名单仍在公示期内",
    /// Objections raised during the notice are not resolved.
    ObjectionsOpen = "objections_open" / "公示期间提出的异议尚未处理",
    /// The step would leave the exit list with no household.
    ListEmpty = "list_empty" / "此步骤会使退出名单中没有任何户",
    /// The exit list is in a township round: take this step on the round.
    ListInRound = "list_in_round" / "退出名单属于乡镇批次:请在批次上进行此步骤",
    /// The county takes township review and the steps after it on township rounds only.
    TownshipRoundRequired = "township_round_required" / "县只在乡镇批次上进行乡镇审核及其后的步骤",
    /// No list of the round is ready for this step (the response names each and why).
    RoundNothingReady = "round_nothing_ready" / "批次中没有名单可以进行此步骤",
    /// Objections are raised during a notice, and none is running.
    NoNoticeRunning = "no_notice_running" / "异议须在公示期间提出,目前没有进行中的公示",
    /// The household is on another exit list.
    AlreadyListed = "already_listed" / "该户已在另一份退出名单上",
    /// The objection is resolved already.
    AlreadyResolved = "already_resolved" / "该异议已处理",
    /// The document is produced at a later stage of the list.
    DocumentNotReady = "document_not_ready" / "该文书在名单的后续阶段才生成",
    /// The household has an open monitoring case already.
    CaseOpen = "case_open" / "该户已有未结束的监测案例",
    /// The monitoring case is closed.
    CaseClosed = "case_closed" / "该监测案例已结束",
    /// The household's status changed since the case was opened or confirmed (a veto, a
    /// false exit found, an intake announcement): the case cannot set it back.
    HouseholdStatusChanged = "household_status_changed" / "该户状态已在监测期间改变,不能再按此案例变更",
    /// Record the assistance measures before deciding the risk is eliminated.
    NoMeasures = "no_measures" / "请先录入帮扶措施,再认定风险消除",
    /// A case opened help-first (先救后核) is verified before it is closed.
    AwaitingVerification = "awaiting_verification" / "先救后核的案例须先核实才能结束",
    /// Only a case opened help-first is verified afterwards, once.
    NotAwaitingVerification = "not_awaiting_verification" / "只有先救后核的案例才需事后核实,且只核实一次",
    /// The same early-warning lead exists already.
    LeadExists = "lead_exists" / "相同的预警线索已存在",
    /// The lead is resolved already.
    LeadResolved = "lead_resolved" / "该线索已处理",
    /// The property-check file was imported already.
    BatchExists = "batch_exists" / "该比对文件已导入",
    /// The fact was verified before: the earlier result stands.
    Reused = "reused" / "该事实此前已核实:沿用先前结果",
    /// The hit is through the appraisal and can no longer be changed.
    Appraised = "appraised" / "该比对结果已评议,不能再修改",
    /// The village's hits of the batch were not forwarded to it yet (`property_check.routing_required`).
    NotRouted = "not_routed" / "该村本批次的比对结果尚未转给该村",
    /// The township station has not forwarded the batch to its liaison leaders yet.
    NotForwarded = "not_forwarded" / "乡镇尚未将该批次转给联系领导",
    /// The batch was forwarded there already.
    Forwarded = "forwarded" / "该批次已转给该处",
    /// Hits of the village are not verified yet.
    UnverifiedHits = "unverified_hits" / "该村的比对结果尚未核实",
    /// Hits of the township are not through the village appraisal.
    NotAppraised = "not_appraised" / "该乡镇的比对结果尚未经过村级评议",
    /// The township submitted this batch already.
    Submitted = "submitted" / "该乡镇已提交本批次",
    /// The township has not submitted its table for the batch.
    NotSubmitted = "not_submitted" / "该乡镇尚未提交本批次的汇总表",
    /// The county confirmed this table already.
    Confirmed = "confirmed" / "县已确认该汇总表",
    /// Only a veto the county confirmed can be reversed.
    NotVetoed = "not_vetoed" / "只有县确认的否决才能撤销",
    /// The veto was reversed already.
    Reversed = "reversed" / "该否决已撤销",
    /// The village is an active key village already.
    AlreadyKey = "already_key" / "该村已是重点村",
    /// The village was assessed for that year already.
    Assessed = "assessed" / "该村该年度已评估",
    /// The village has left key status already.
    Exited = "exited" / "该村已退出重点村",
    /// The cadre is paired with the household already.
    Paired = "paired" / "该干部已与该户结对",
    /// The pairing has ended already.
    Ended = "ended" / "该结对已结束",
    /// The person serves on another team during that term.
    TermOverlaps = "term_overlaps" / "此人在该任期内已在另一工作队任职",
    /// Bundled money keeps its purpose: fund and project purposes differ.
    PurposeChanged = "purpose_changed" / "统筹整合资金须保持用途:资金与项目用途不一致",
    /// The fund has less left to allocate than asked.
    FundExhausted = "fund_exhausted" / "资金可分配余额不足",
    /// The allocation would exceed the project's budget.
    OverBudget = "over_budget" / "分配将超过项目预算",
    /// The caller or the county has as many imports waiting or running as it may
    /// (`imports.max_running_per_user`, `imports.max_running_per_county`).
    ImportsRunning = "imports_running" / "您或本县等待或进行中的导入已达上限",
    /// The reversal would leave less allocated than disbursed.
    OverAllocation = "over_allocation" / "冲销后已分配金额将少于已拨付金额",
    /// The disbursement exceeds what the project's progress allows.
    BeyondProgress = "beyond_progress" / "拨付超过项目进度允许的金额",
    /// A reversing entry is not reversed.
    NotReversible = "not_reversible" / "冲销分录不能再冲销",
    /// The project is cancelled.
    ProjectClosed = "project_closed" / "该项目已取消",
    /// The disbursement pays a ranger's month; the payout record stands with it.
    RangerPayout = "ranger_payout" / "该拨付用于支付护林员某月补助,其发放记录随之保留",
    /// The household has no benefit card (一卡通) on record: payments to households go to it.
    NoBenefitCard = "no_benefit_card" / "该户没有登记一卡通:发给农户的款项须打入一卡通",
    /// The person has a ranger contract over part of the same period: one contract (and one
    /// subsidy) per person at a time.
    ContractOverlaps = "contract_overlaps" / "此人在该期间已有护林员合同",
    /// The ranger contract is terminated already.
    Terminated = "terminated" / "该护林员合同已解除",
    /// A ranger's month is paid after it ends.
    MonthNotOver = "month_not_over" / "护林员的月补助须在当月结束后发放",
    /// The ranger's month is paid already: its record is closed.
    MonthPaid = "month_paid" / "该护林员当月补助已发放:记录已关闭",
    /// The ranger's month is paid already.
    Paid = "paid" / "该护林员当月补助已发放",
    /// A grant request is approved by an administrator other than its requester and the user it
    /// names, who owes neither of them their administration or a password reset.
    SecondApproverRequired = "second_approver_required" / "授权申请须由申请人和被授权用户以外的另一名管理员批准",
    /// An administrator reset your password: choose your own (`PUT /api/v1/me/password`)
    /// before anything else; `GET /api/v1/me` still answers.
    PasswordChangeRequired = "password_change_required" / "管理员已重置您的密码,请先修改密码再进行其他操作",
    /// The grant request is approved or rejected already.
    RequestDecided = "request_decided" / "该授权申请已批准或驳回",
    /// Your county has as many requests running at once as it may
    /// (`ZX_COUNTY_MAX_CONCURRENT_REQUESTS`): retry after the time in `Retry-After`.
    CountyBusy = "county_busy" / "本县同时运行的请求已达上限,请在 Retry-After 所示时间后重试",
    /// The job is over (succeeded or failed): there is nothing left to cancel.
    JobFinished = "job_finished" / "该任务已结束,无需取消",
    /// Never sent: how a job's run learns, at a checkpoint, that it was cancelled.
    JobCancelled = "job_cancelled" / "不会发送:任务运行在检查点得知已被取消所用的标记",
    /// Never sent: the sentinel an import's dry run rolls its transaction back with.
    DryRunRollback = "dry_run_rollback" / "不会发送:导入试运行回滚事务所用的标记",
}

impl ErrorCode {
    /// Whether an answer can carry it (every code but the internal sentinels of a dry run and
    /// of a cancelled job).
    pub fn is_sent(self) -> bool {
        !matches!(self, Self::DryRunRollback | Self::JobCancelled)
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
    /// An administrator reset the caller's password: until they choose their own, only
    /// reading their account and changing the password are open to them.
    #[error("password change required")]
    PasswordChangeRequired,
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
    /// The refusal as one reason in both languages (an import row's): field errors joined
    /// (`with_fields` puts each field's name before its reason), a conflict's or a
    /// forbidden's message after the code's Chinese description.
    pub fn to_rule(&self, with_fields: bool) -> Rule {
        let described =
            |code: ErrorCode, m: &str| Rule::other(m, format!("{}({m})", code.description_zh()));
        match self {
            Self::Validation(v) => {
                let join = |lang: Lang| {
                    v.iter()
                        .map(|e| {
                            if with_fields {
                                format!("{}: {}", e.field, e.message(lang))
                            } else {
                                e.message(lang)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(if lang == Lang::Zh { ";" } else { "; " })
                };
                Rule::other(join(Lang::En), join(Lang::Zh))
            }
            Self::Conflict { code, message } => described(*code, message),
            Self::Forbidden(m) => described(ErrorCode::Forbidden, m),
            Self::NotFound => Rule::other("not found", ErrorCode::NotFound.description_zh()),
            other => Rule::other(other.to_string(), ErrorCode::InternalError.description_zh()),
        }
    }

    /// A validation error with a single field.
    pub fn field(field: impl Into<String>, rule: Rule) -> Self {
        Self::Validation(vec![FieldError::new(field, rule)])
    }
}

/// Collects field errors so a request reports all its bad fields at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Records `rule` for `field` when `ok` is false.
    pub fn check(&mut self, ok: bool, field: &str, rule: Rule) -> &mut Self {
        if !ok {
            self.errors.push(FieldError::new(field, rule));
        }
        self
    }

    /// Records the error of a parse result, returning its value when it parsed.
    pub fn take<T>(&mut self, field: &str, result: Result<T, Rule>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(rule) => {
                self.errors.push(FieldError::new(field, rule));
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
        assert!(!ErrorCode::JobCancelled.is_sent());
        assert_eq!(ErrorCode::TermOverlaps, "term_overlaps");
    }
}
