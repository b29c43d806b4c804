//! The typed settings record of a county, with the seed documents' numbers as defaults.
//!
//! Effective settings are `defaults ← province overrides ← city overrides ← county overrides`
//! ([`layers`]): each level stores only what it changes (a JSON object of the same shape), merged key by key, arrays replaced.
//! The merged result must deserialize into [`Settings`] (unknown keys refused) and pass
//! [`Settings::validate`], so a bad override is refused with the path of the field.

use std::collections::BTreeMap;

use crate::error::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod key_village;
pub mod layers;
pub mod milestones;
pub mod owner;

pub use layers::{
    COUNTIES, city_layer_for, merge, no_overrides, resolve, resolve_city, resolve_county,
    resolve_county_in,
};

/// Every number the seed documents fix, as one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Poverty line per year: per-capita net income in fen a household must exceed to exit.
    /// Keyed by year. Defaults are the national line at current prices; provinces override.
    pub poverty_line_fen: BTreeMap<String, i64>,
    /// Exit procedure (seed 1).
    pub exit: ExitSettings,
    /// Property check (seed 2).
    pub property_check: PropertyCheckSettings,
    /// Forest-ranger contracts (seed 3).
    pub ranger: RangerSettings,
    /// Key assistance villages (seed 4).
    pub key_village: KeyVillageSettings,
    /// Funds and relocation (seeds 4 and 5).
    pub funds: FundSettings,
    /// Return-to-poverty monitoring (seed 4).
    pub monitoring: MonitoringSettings,
    /// Assistance teams.
    pub teams: TeamSettings,
    /// Reports.
    pub reports: ReportSettings,
    /// The audit log.
    pub audit: AuditSettings,
    /// The to-do inbox.
    pub tasks: TaskSettings,
    /// Spreadsheet imports.
    pub imports: ImportSettings,
    /// Stored attachments (uploaded files).
    pub attachments: AttachmentSettings,
    /// User administration.
    pub users: UserAdminSettings,
    /// The yearly dynamic-adjustment campaign (动态调整).
    #[serde(default)]
    pub campaign: CampaignSettings,
    /// Intake of households (新识别和返贫户及时纳入, seed 1).
    #[serde(default)]
    pub intake: IntakeSettings,
}

/// The yearly dynamic-adjustment campaign (动态调整, issue 19): when each step of the villages'
/// work falls due, in calendar days after the day the county opens the campaign. A due date
/// that falls on a rest day of the working calendar moves to the next working day. The seeds
/// give no dates; the defaults (a month per step, three months in all) are the project's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSettings {
    /// Democratic appraisal in the village (民主评议), days after opening.
    pub appraisal_days: i32,
    /// The village's public notice ended (村级公示), days after opening.
    pub village_notice_days: i32,
    /// Township review (乡镇审核), days after opening.
    pub township_review_days: i32,
    /// County approval (县级审批), days after opening.
    pub county_approval_days: i32,
    /// Announcement ended, exits filed and intakes in force (公告), days after opening.
    pub announcement_days: i32,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        Self {
            appraisal_days: 30,
            village_notice_days: 45,
            township_review_days: 60,
            county_approval_days: 75,
            announcement_days: 90,
        }
    }
}

impl CampaignSettings {
    /// The days after opening, in step order, with each setting's path.
    pub fn days(&self) -> [(i32, &'static str); 5] {
        [
            (self.appraisal_days, "campaign.appraisal_days"),
            (self.village_notice_days, "campaign.village_notice_days"),
            (self.township_review_days, "campaign.township_review_days"),
            (self.county_approval_days, "campaign.county_approval_days"),
            (self.announcement_days, "campaign.announcement_days"),
        ]
    }
}

/// Intake of households (新识别和返贫户及时纳入, seed 1): the village's public notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    /// Public notice of the households to enter, in the village (公示), days.
    pub notice_days: i32,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self { notice_days: 7 }
    }
}

/// User administration: what a grant needs besides the granting administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAdminSettings {
    /// When true, a grant of an operational role (one that acts on cases, workflows, funds,
    /// property checks or exports) is only a request until a second administrator approves it
    /// (`POST /api/v1/grant-requests/{id}/approve`).
    pub operational_grant_approval: bool,
}

/// Stored attachments: scans of signed forms, sign-in sheets, photos of posted notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSettings {
    /// Largest file one upload may store, bytes (20 MiB by default); a larger upload is refused
    /// with 413 while it is read, and nothing is stored.
    pub max_bytes: i64,
}

/// The most any level may allow one attachment to be: 100 MiB.
pub const MAX_ATTACHMENT_BYTES: i64 = 100 * 1024 * 1024;

/// The to-do inbox (`GET /api/v1/me/tasks`): due dates of work the seeds give no deadline for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSettings {
    /// Working days (on the working calendar) a waiting step, objection, property hit or table,
    /// or a ranger month that has ended is due within, counted from the day it began waiting.
    pub due_working_days: i32,
    /// Days a failed job stays in the inbox of the user who started it.
    pub failed_job_days: i32,
}

/// Spreadsheet imports: how many may be waiting or running at once, so a few uploads cannot
/// occupy the county's (or the servers') import capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSettings {
    /// Household imports one user may have queued or running at once; another is refused with
    /// 409 `imports_running`.
    pub max_running_per_user: i64,
    /// Household imports a county may have queued or running at once.
    pub max_running_per_county: i64,
}

/// The least time audit rows are kept, whatever a setting says: network logs must be kept for
/// at least six months (网络安全法 第二十一条).
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 183;

/// The audit log: how long its rows are kept before housekeeping removes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Days an audit row is kept (at least 183).
    pub retention_days: i64,
}

/// Reports: privacy of small cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Aggregates seen above the county that count fewer people (or households) than this are
    /// suppressed.
    pub min_cell_people: i64,
    /// Above the county, a caller without household access may filter household counts by
    /// income only in whole bands of this width (fen): `income_min` a multiple of it,
    /// `income_max + 1` a multiple of it. Narrower ranges would find one person's income.
    pub income_band_fen: i64,
}

/// Assistance teams: how often paired households must be visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSettings {
    /// A registered or monitored household unvisited for longer than this is a coverage gap.
    pub visit_interval_days: i32,
}

/// Return-to-poverty monitoring: the line, the identification deadline, the warning thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSettings {
    /// Monitoring line per year: per-capita net income in fen below which a household becomes a
    /// lead. Keyed by year; the defaults are the national lines, provinces set their own.
    pub line_fen: BTreeMap<String, i64>,
    /// Days from a risk being found to the county's decision (identification deadline).
    pub identification_deadline_days: i32,
    /// A medical expense at or above this amount (fen) raises a lead.
    pub large_medical_expense_fen: i64,
}

/// Notice periods and the support retained after exit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitSettings {
    /// "Stably above the line" (seed 1 §三, 稳定超过当年省定扶贫标准): how many years, ending with
    /// the exit year, the household's recorded per-capita net income must each be above that
    /// year's line. The seed says "stably" without a number; 2 (the exit year and the one before)
    /// is the project's reading.
    pub stable_income_years: i32,
    /// First public notice in the village (第一次公示), days.
    pub first_notice_days: i32,
    /// Second public notice after township review (第二次公示), days.
    pub second_notice_days: i32,
    /// County announcement (公告), days.
    pub announcement_days: i32,
    /// Years an exited household keeps its support policies (脱贫不脱政策).
    pub policy_retention_years: i32,
    /// How many days before the day it is entered a step may be dated (a notice posted on
    /// paper, a meeting held last week); never in the future.
    pub backdate_days: i32,
    /// Whether the steps the seed requires evidence for (the appraisal meeting, each notice's
    /// posting; on intake lists too) refuse to complete without an attachment stored by this
    /// system for the list (`/api/v1/attachments/{id}`). Off by default: lists may still cite
    /// an archive by link.
    pub require_stored_evidence: bool,
    /// Whether verification (seed 1: 村两委和驻村工作队核实) waits for both sign-offs — the
    /// village committee's (`POST …/verification`) and a resident team member's
    /// (`POST …/verification/team`) — before the list is `verified`. Off by default: the village
    /// committee's sign-off alone verifies and a team sign-off is recorded when given; a county
    /// (or the province) turns it on, never off against a level above.
    #[serde(default)]
    pub team_verification_required: bool,
    /// Whether township review and the steps after it (second notice, approval, announcement)
    /// are taken on township rounds only (`/api/v1/exit-rounds`: seed 1 §三 steps 5–9, one
    /// township list a year), the village-by-village path refusing them with 409
    /// `township_round_required`. Off by default: both paths work; a county (or the province)
    /// turns it on, never off against a level above.
    #[serde(default)]
    pub township_round_required: bool,
}

/// One "one-vote veto" condition (一票否决).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VetoCondition {
    /// Stable code.
    pub code: String,
    /// Label shown to users.
    pub label: String,
}

/// Property check of registered people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyCheckSettings {
    /// The precise-identification cut-off date: facts arising after it are not vetoed.
    pub identification_cutoff: NaiveDate,
    /// The configurable list of veto conditions (eight in seed 2).
    pub veto_conditions: Vec<VetoCondition>,
    /// Whether a village verifies its hits only once they were forwarded to it: by the township
    /// station to the liaison leaders (挂点领导), then by the leader to the village committee
    /// (seed 2: 乡脱贫攻坚工作站将检索结果转给各挂点领导,各挂点领导将有关信息分别下发对应的村委).
    /// On by default, as the seed; a county whose hits go to the villages directly turns it off.
    #[serde(default = "yes")]
    pub routing_required: bool,
}

fn yes() -> bool {
    true
}

/// Forest-ranger subsidy contract terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangerSettings {
    /// Annual subsidy in fen (10,000 yuan), paid monthly.
    pub annual_subsidy_fen: i64,
    /// Deduction of that month's fee for one absence, basis points (500 = 5%).
    pub one_absence_deduction_bp: i32,
    /// Deduction for two absences in a month, basis points.
    pub two_absences_deduction_bp: i32,
    /// Absences in a month after which the contract may be terminated.
    pub termination_absences: i32,
    /// Burnt area (mu) from which (以上: this area itself included) a fire through negligence
    /// withholds the fee and terminates.
    pub major_fire_mu: i32,
    /// Day of the following month by which a month's fee is paid (seed 3 §六(六) asks only that
    /// the station pay on time, 按时发放: the day is the project's default, 10); a month unpaid
    /// after it is late.
    pub payment_due_day: i32,
}

/// A target value to reach by a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTarget {
    /// Deadline year.
    pub year: i32,
    /// Target value (fen for money, percent for shares).
    pub value: i64,
}

/// Key assistance villages: targets and the funding rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyVillageSettings {
    /// Village collective-economy income targets, fen.
    pub collective_income_targets: Vec<YearTarget>,
    /// Tap-water coverage target, percent.
    pub tap_water_target: YearTarget,
    /// Sanitary-toilet coverage target, percent.
    pub sanitary_toilet_target: YearTarget,
    /// Year by which per-capita income should reach the county average.
    pub income_parity_year: i32,
    /// Year by which each key village has a leading and a featured industry.
    pub industry_year: i32,
    /// Minimum share of each year's linking funds for key villages, basis points (1200 = 12%).
    pub min_linking_fund_share_bp: i32,
    /// Seed 4's milestones, industry plan, stable work and roads to groups (issue 22).
    #[serde(default)]
    pub milestones: milestones::MilestoneTargets,
}

/// Funds and relocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundSettings {
    /// Relocation subsidy per person, fen: the city's, set county by county (seed 5: 1,000 yuan
    /// in Lantian and Zhouzhi, 500 in Hu county, Chang'an and Lintong).
    pub relocation_subsidy_per_person_fen: i64,
    /// City money required per unit of province money, per mille (seed 5: 1:1, 1000).
    pub city_matching_permille: i32,
    /// From this year the city also pays the county's matching share (seed 5: 2011); `null`:
    /// never.
    pub city_pays_county_share_from_year: Option<i32>,
    /// Minimum construction money per key village, fen (seed 5: 每个启动建设的重点村建设资金均在150万元以上).
    pub min_key_village_construction_fen: i64,
    /// Days a project is posted publicly (张榜公布, seed 5) before work starts and money is paid,
    /// counted on the working calendar like the exit notices. Seed 5 names the posting but no
    /// period: 7 is the project's choice, matching seed 1's notices.
    pub project_notice_days: i32,
    /// Projects created while this is on must be posted, and their notice period over, before
    /// their first disbursement or any recorded progress (seed 5: 张榜公布). Off by default: the
    /// seed reports the practice and the county turns it on; a project keeps the rule it was
    /// created under.
    pub require_project_posting: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let yuan = |y: i64| y * 100;
        let lines = [
            (2014, 2800),
            (2015, 2855),
            (2016, 2952),
            (2017, 2952),
            (2018, 2995),
            (2019, 3218),
            (2020, 4000),
        ];
        let veto = [
            ("public_payroll", "家庭成员有财政供养人员"),
            ("vehicle", "家庭拥有小轿车等机动车(不含农用车、摩托车)"),
            ("urban_property", "在城镇购买商品房或自建房"),
            ("business_entity", "家庭成员开办企业或经济实体"),
            ("hired_labour", "长期雇佣他人从事生产经营"),
            ("luxury_house", "建有装修豪华的住房"),
            ("overseas_at_own_cost", "家庭成员自费出国留学或旅游"),
            ("large_machinery", "拥有大型农机具或工程机械"),
        ];
        Self {
            poverty_line_fen: lines
                .iter()
                .map(|(y, v)| (y.to_string(), yuan(*v)))
                .collect(),
            exit: ExitSettings {
                stable_income_years: 2,
                first_notice_days: 7,
                second_notice_days: 7,
                announcement_days: 5,
                policy_retention_years: 5,
                backdate_days: 30,
                require_stored_evidence: false,
                team_verification_required: false,
                township_round_required: false,
            },
            property_check: PropertyCheckSettings {
                identification_cutoff: NaiveDate::from_ymd_opt(2015, 10, 26).unwrap_or_default(),
                veto_conditions: veto
                    .iter()
                    .map(|(c, l)| VetoCondition {
                        code: (*c).into(),
                        label: (*l).into(),
                    })
                    .collect(),
                routing_required: true,
            },
            ranger: RangerSettings {
                annual_subsidy_fen: yuan(10_000),
                one_absence_deduction_bp: 500,
                two_absences_deduction_bp: 1000,
                termination_absences: 3,
                major_fire_mu: 15,
                payment_due_day: 10,
            },
            key_village: KeyVillageSettings {
                collective_income_targets: vec![
                    YearTarget {
                        year: 2023,
                        value: yuan(50_000),
                    },
                    YearTarget {
                        year: 2025,
                        value: yuan(100_000),
                    },
                ],
                tap_water_target: YearTarget {
                    year: 2025,
                    value: 90,
                },
                sanitary_toilet_target: YearTarget {
                    year: 2025,
                    value: 90,
                },
                income_parity_year: 2023,
                industry_year: 2023,
                min_linking_fund_share_bp: 1200,
                milestones: milestones::MilestoneTargets::default(),
            },
            funds: FundSettings {
                relocation_subsidy_per_person_fen: yuan(1000),
                city_matching_permille: 1000,
                city_pays_county_share_from_year: Some(2011),
                min_key_village_construction_fen: yuan(1_500_000),
                project_notice_days: 7,
                require_project_posting: false,
            },
            monitoring: MonitoringSettings {
                line_fen: [(2021, 6000), (2022, 6600)]
                    .iter()
                    .map(|(y, v)| (y.to_string(), yuan(*v)))
                    .collect(),
                identification_deadline_days: 15,
                large_medical_expense_fen: yuan(10_000),
            },
            teams: TeamSettings {
                visit_interval_days: 30,
            },
            reports: ReportSettings {
                min_cell_people: 10,
                income_band_fen: yuan(1000),
            },
            audit: AuditSettings {
                retention_days: 1095,
            },
            tasks: TaskSettings {
                due_working_days: 5,
                failed_job_days: 7,
            },
            imports: ImportSettings {
                max_running_per_user: 2,
                max_running_per_county: 6,
            },
            attachments: AttachmentSettings {
                max_bytes: 20 * 1024 * 1024,
            },
            users: UserAdminSettings {
                operational_grant_approval: false,
            },
            campaign: CampaignSettings::default(),
            intake: IntakeSettings::default(),
        }
    }
}

impl Settings {
    /// The poverty line (fen) for `year`, if set.
    pub fn poverty_line_for(&self, year: i32) -> Option<i64> {
        self.poverty_line_fen.get(&year.to_string()).copied()
    }

    /// The monitoring line (fen) for `year`, if set.
    pub fn monitoring_line_for(&self, year: i32) -> Option<i64> {
        self.monitoring.line_fen.get(&year.to_string()).copied()
    }

    /// Checks ranges and consistency; reports every bad field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let mut check = |ok: bool, field: &str, rule: crate::Rule| {
            if !ok {
                errs.push(FieldError::new(field, rule));
            }
        };
        let lines = self
            .poverty_line_fen
            .iter()
            .map(|(y, f)| (format!("poverty_line_fen.{y}"), y, f))
            .chain(
                self.monitoring
                    .line_fen
                    .iter()
                    .map(|(y, f)| (format!("monitoring.line_fen.{y}"), y, f)),
            );
        for (field, year, fen) in lines {
            let y: Option<i32> = year.parse().ok();
            check(
                y.is_some_and(|y| crate::input::YEARS.contains(&y)),
                &field,
                crate::Rule::other(
                    "key must be a year between 1980 and 2100",
                    "键必须是 1980 至 2100 之间的年份",
                ),
            );
            check(*fen > 0, &field, crate::Rule::Positive);
        }
        let e = &self.exit;
        check(
            (1..=5).contains(&e.stable_income_years),
            "exit.stable_income_years",
            crate::Rule::other("must be between 1 and 5 years", "须在 1 与 5 年之间"),
        );
        for (v, f) in [
            (e.first_notice_days, "exit.first_notice_days"),
            (e.second_notice_days, "exit.second_notice_days"),
            (e.announcement_days, "exit.announcement_days"),
        ] {
            check(
                (1..=90).contains(&v),
                f,
                crate::Rule::other("must be between 1 and 90 days", "须在 1 与 90 天之间"),
            );
        }
        check(
            (0..=366).contains(&e.backdate_days),
            "exit.backdate_days",
            crate::Rule::other("must be between 0 and 366 days", "须在 0 与 366 天之间"),
        );
        check(
            (0..=20).contains(&e.policy_retention_years),
            "exit.policy_retention_years",
            crate::Rule::other("must be between 0 and 20 years", "须在 0 与 20 年之间"),
        );
        let vc = &self.property_check.veto_conditions;
        check(
            !vc.is_empty() && vc.len() <= 50,
            "property_check.veto_conditions",
            crate::Rule::other("must list 1 to 50 conditions", "须列出 1 至 50 个情形"),
        );
        let mut codes: Vec<&str> = vc.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        check(
            codes.len() == vc.len(),
            "property_check.veto_conditions",
            crate::Rule::other("codes must be unique", "代码不能重复"),
        );
        let r = &self.ranger;
        check(
            r.annual_subsidy_fen > 0,
            "ranger.annual_subsidy_fen",
            crate::Rule::Positive,
        );
        for (v, f) in [
            (
                r.one_absence_deduction_bp,
                "ranger.one_absence_deduction_bp",
            ),
            (
                r.two_absences_deduction_bp,
                "ranger.two_absences_deduction_bp",
            ),
        ] {
            check(
                (0..=10_000).contains(&v),
                f,
                crate::Rule::other("must be 0 to 10000 basis points", "须为 0 至 10000 个基点"),
            );
        }
        check(
            r.two_absences_deduction_bp >= r.one_absence_deduction_bp,
            "ranger.two_absences_deduction_bp",
            crate::Rule::other(
                "must not be less than the one-absence deduction",
                "不能少于一次缺勤的扣减额",
            ),
        );
        check(
            (1..=31).contains(&r.termination_absences),
            "ranger.termination_absences",
            crate::Rule::range(1, 31),
        );
        check(
            r.major_fire_mu > 0,
            "ranger.major_fire_mu",
            crate::Rule::Positive,
        );
        check(
            (1..=28).contains(&r.payment_due_day),
            "ranger.payment_due_day",
            crate::Rule::other(
                "must be a day from 1 to 28 (every month has it)",
                "须为 1 至 28 日(每个月都有的日子)",
            ),
        );
        let k = &self.key_village;
        for t in [&k.tap_water_target, &k.sanitary_toilet_target] {
            check(
                (0..=100).contains(&t.value),
                "key_village",
                crate::Rule::other(
                    "percentage targets must be 0 to 100",
                    "百分比目标须为 0 至 100",
                ),
            );
        }
        check(
            k.collective_income_targets.iter().all(|t| t.value >= 0),
            "key_village.collective_income_targets",
            crate::Rule::NotNegative,
        );
        for e in k.year_problems() {
            check(false, &e.field, e.rule);
        }
        check(
            (0..=10_000).contains(&k.min_linking_fund_share_bp),
            "key_village.min_linking_fund_share_bp",
            crate::Rule::other("must be 0 to 10000 basis points", "须为 0 至 10000 个基点"),
        );
        for e in k.milestones.problems() {
            check(false, &e.field, e.rule);
        }
        let m = &self.monitoring;
        check(
            (1..=365).contains(&m.identification_deadline_days),
            "monitoring.identification_deadline_days",
            crate::Rule::other("must be between 1 and 365 days", "须在 1 与 365 天之间"),
        );
        check(
            m.large_medical_expense_fen > 0,
            "monitoring.large_medical_expense_fen",
            crate::Rule::Positive,
        );
        check(
            (1..=366).contains(&self.teams.visit_interval_days),
            "teams.visit_interval_days",
            crate::Rule::other("must be between 1 and 366 days", "须在 1 与 366 天之间"),
        );
        check(
            (1..=1000).contains(&self.reports.min_cell_people),
            "reports.min_cell_people",
            crate::Rule::range(1, 1000),
        );
        check(
            (100..=100_000_000).contains(&self.reports.income_band_fen),
            "reports.income_band_fen",
            crate::Rule::other(
                "must be between 100 and 100000000 fen",
                "须在 100 与 100000000 分之间",
            ),
        );
        check(
            (MIN_AUDIT_RETENTION_DAYS..=36_500).contains(&self.audit.retention_days),
            "audit.retention_days",
            crate::Rule::other(
                "must be between 183 (six months, the legal minimum) and 36500 days",
                "须在 183(六个月,法定最短期限)与 36500 天之间",
            ),
        );
        check(
            (0..=60).contains(&self.tasks.due_working_days),
            "tasks.due_working_days",
            crate::Rule::other(
                "must be between 0 and 60 working days",
                "须在 0 与 60 个工作日之间",
            ),
        );
        let mut before = 0;
        for (v, f) in self.campaign.days() {
            check(
                (1..=366).contains(&v),
                f,
                crate::Rule::other("must be between 1 and 366 days", "须在 1 与 366 天之间"),
            );
            check(
                v >= before,
                f,
                crate::Rule::other(
                    "must not fall before the step it follows",
                    "不能早于其前一步骤",
                ),
            );
            before = v;
        }
        check(
            (1..=90).contains(&self.intake.notice_days),
            "intake.notice_days",
            crate::Rule::other("must be between 1 and 90 days", "须在 1 与 90 天之间"),
        );
        check(
            (1..=90).contains(&self.tasks.failed_job_days),
            "tasks.failed_job_days",
            crate::Rule::other("must be between 1 and 90 days", "须在 1 与 90 天之间"),
        );
        check(
            (1..=100).contains(&self.imports.max_running_per_user),
            "imports.max_running_per_user",
            crate::Rule::range(1, 100),
        );
        check(
            (1..=1000).contains(&self.imports.max_running_per_county),
            "imports.max_running_per_county",
            crate::Rule::range(1, 1000),
        );
        check(
            (1024..=MAX_ATTACHMENT_BYTES).contains(&self.attachments.max_bytes),
            "attachments.max_bytes",
            crate::Rule::other(
                "must be between 1024 and 104857600 bytes (100 MiB)",
                "须在 1024 与 104857600 字节(100 MiB)之间",
            ),
        );
        let f = &self.funds;
        check(
            f.relocation_subsidy_per_person_fen >= 0,
            "funds.relocation_subsidy_per_person_fen",
            crate::Rule::NotNegative,
        );
        check(
            (0..=10_000).contains(&f.city_matching_permille),
            "funds.city_matching_permille",
            crate::Rule::other(
                "must be between 0 and 10000 per mille",
                "须在 0 与 10000 千分点之间",
            ),
        );
        check(
            f.city_pays_county_share_from_year
                .is_none_or(|y| (1980..=2100).contains(&y)),
            "funds.city_pays_county_share_from_year",
            crate::Rule::other(
                "must be a year between 1980 and 2100, or null",
                "须为 1980 至 2100 之间的年份,或为 null",
            ),
        );
        check(
            f.min_key_village_construction_fen >= 0,
            "funds.min_key_village_construction_fen",
            crate::Rule::NotNegative,
        );
        check(
            (1..=90).contains(&f.project_notice_days),
            "funds.project_notice_days",
            crate::Rule::other("must be between 1 and 90 days", "须在 1 与 90 天之间"),
        );
        errs
    }
}

#[cfg(test)]
mod tests;
