//! Who owns each setting and which way a city or county may move it: one declaration per
//! setting.
//!
//! A province (platform administrators) may set anything. A city's and a county's overrides are
//! checked against [`DECLARED`]: a province-owned setting (省定: the lines, the identification
//! cut-off, the veto list) may not be overridden at all; a control or privacy threshold set above
//! may only be tightened, never loosened; a city-owned setting (市定: seed 5's relocation subsidy
//! per person, the city's matching) is set by the city for its counties and a county may not
//! override it; county-owned settings are the county's, free within their valid range (a city
//! may not set them). The check refuses a write by name, and the same rule drops whatever a
//! stored layer holds against it when the effective record is resolved, so nothing written
//! before the rule (or left looser by a later change above) takes effect.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// Which level owns a setting, and which way a county may move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Set by the province (省定); a county may not override it.
    Province,
    /// A floor set above; a county may raise it, never lower it.
    AtLeast,
    /// A ceiling set above; a county may lower it, never raise it.
    AtMost,
    /// A safeguard switched on above stays on: a county may turn it on, never off.
    OnlyOn,
    /// Set by the city for its counties (市定), per county if it likes; the province may set the
    /// default; a county may not override it.
    City,
    /// The county's own; free within the valid range; a city may not set it.
    County,
}

/// Who writes a layer below the province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// A city's layer (its default for its counties and its per-county values).
    City,
    /// A county's layer.
    County,
}

impl Writer {
    fn name(self) -> &'static str {
        match self {
            Self::City => "a city",
            Self::County => "a county",
        }
    }

    fn name_zh(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::County => "县",
        }
    }
}

impl Rule {
    /// The owning level, as the documentation shows it.
    pub fn owner(self) -> &'static str {
        match self {
            Self::Province => "province (省定)",
            Self::AtLeast | Self::AtMost | Self::OnlyOn => {
                "province sets, city and county may tighten"
            }
            Self::City => "city (市定), per county; the province sets the default",
            Self::County => "county",
        }
    }

    /// Which way a county may move it, as the documentation shows it.
    pub fn direction(self) -> &'static str {
        match self {
            Self::Province => "none: a county may not override",
            Self::AtLeast => "up only (never below the level above)",
            Self::AtMost => "down only (never above the level above)",
            Self::OnlyOn => "on only (never off when on above)",
            Self::City => "none: a county may not override",
            Self::County => "either way, within the valid range",
        }
    }
}

/// One setting's declaration: its dotted path in the record, its rule and why.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    /// Dotted path (`reports.min_cell_people`); covers everything below it.
    pub path: &'static str,
    /// Owner and direction.
    pub rule: Rule,
    /// Why, in one line.
    pub why: &'static str,
}

const fn d(path: &'static str, rule: Rule, why: &'static str) -> Declared {
    Declared { path, rule, why }
}

/// Every setting of [`super::Settings`], with its owner and direction (a unit test checks that
/// each field of the record is declared exactly once).
pub const DECLARED: &[Declared] = &[
    d(
        "poverty_line_fen",
        Rule::Province,
        "the exit line is set by the province (省定)",
    ),
    d(
        "exit.stable_income_years",
        Rule::Province,
        "what \"stably above the line\" means is part of the exit standard, which the province sets for all its counties (seed 1: 省制定统一的退出标准)",
    ),
    d(
        "exit.first_notice_days",
        Rule::AtLeast,
        "a public notice may be longer, never shorter",
    ),
    d(
        "exit.second_notice_days",
        Rule::AtLeast,
        "a public notice may be longer, never shorter",
    ),
    d(
        "exit.announcement_days",
        Rule::AtLeast,
        "the announcement may be longer, never shorter",
    ),
    d(
        "exit.policy_retention_years",
        Rule::AtLeast,
        "support after exit (脱贫不脱政策) may only be extended",
    ),
    d(
        "exit.backdate_days",
        Rule::AtMost,
        "how far back a step may be dated; a county may shorten it, never lengthen it",
    ),
    d(
        "exit.require_stored_evidence",
        Rule::OnlyOn,
        "a county may require stored evidence where the province does not, never waive it",
    ),
    d(
        "exit.team_verification_required",
        Rule::OnlyOn,
        "a county may require the resident team's sign-off where the province does not, never waive it",
    ),
    d(
        "exit.township_round_required",
        Rule::OnlyOn,
        "a county may require township rounds where the province does not, never waive them",
    ),
    d(
        "property_check.identification_cutoff",
        Rule::Province,
        "the identification cut-off is the province's (省定)",
    ),
    d(
        "property_check.veto_conditions",
        Rule::Province,
        "the one-vote-veto list is the province's",
    ),
    d(
        "property_check.routing_required",
        Rule::County,
        "the routing through the township's liaison leaders is the township work plan's (我乡), so the county's",
    ),
    d(
        "ranger.annual_subsidy_fen",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "ranger.one_absence_deduction_bp",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "ranger.two_absences_deduction_bp",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "ranger.payment_due_day",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "ranger.termination_absences",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "ranger.major_fire_mu",
        Rule::County,
        "the county's ranger contract terms",
    ),
    d(
        "key_village.collective_income_targets",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.tap_water_target",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.sanitary_toilet_target",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.income_parity_year",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.industry_year",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.milestones",
        Rule::County,
        "the county's own targets",
    ),
    d(
        "key_village.min_linking_fund_share_bp",
        Rule::AtLeast,
        "a funding floor for key villages: may be raised, never lowered",
    ),
    d(
        "funds.relocation_subsidy_per_person_fen",
        Rule::City,
        "the city's subsidy, set by county (seed 5: 市级财政对蓝田县和周至县按照每搬迁一人补助1000元,户县、长安区、临潼区…补助500元)",
    ),
    d(
        "funds.city_matching_permille",
        Rule::City,
        "the city's matching of province money (seed 5: 市财政按照省市财政资金1:1比例足额予以配套投入)",
    ),
    d(
        "funds.city_pays_county_share_from_year",
        Rule::City,
        "from when the city also pays the county's matching share (seed 5: 从2011年开始,市财政全部代配了区县级配套资金)",
    ),
    d(
        "funds.min_key_village_construction_fen",
        Rule::AtLeast,
        "a funding floor for key villages: may be raised, never lowered",
    ),
    d(
        "funds.project_notice_days",
        Rule::AtLeast,
        "a project's public posting (张榜公布) may be longer, never shorter",
    ),
    d(
        "funds.require_project_posting",
        Rule::OnlyOn,
        "a county may require posting projects before work where the province does not, never waive it",
    ),
    d(
        "monitoring.line_fen",
        Rule::Province,
        "the monitoring line is set by the province (省定)",
    ),
    d(
        "monitoring.identification_deadline_days",
        Rule::AtMost,
        "a county may decide faster, never slower",
    ),
    d(
        "monitoring.large_medical_expense_fen",
        Rule::AtMost,
        "a lower threshold raises more leads: may be lowered, never raised",
    ),
    d(
        "teams.visit_interval_days",
        Rule::County,
        "the county organises its teams' visits",
    ),
    d(
        "reports.min_cell_people",
        Rule::AtLeast,
        "privacy of small cells: may be raised, never lowered",
    ),
    d(
        "reports.income_band_fen",
        Rule::AtLeast,
        "privacy of incomes in counts seen above the county: bands may be widened, never narrowed",
    ),
    d(
        "audit.retention_days",
        Rule::County,
        "the county's own log; never below the legal six months anywhere",
    ),
    d(
        "tasks.due_working_days",
        Rule::County,
        "the county sets how soon its offices take waiting work (the seeds give no deadline)",
    ),
    d(
        "tasks.failed_job_days",
        Rule::County,
        "how long a failed job stays in its starter's inbox",
    ),
    d(
        "imports.max_running_per_user",
        Rule::AtMost,
        "a cap on one user's concurrent imports: may be lowered, never raised",
    ),
    d(
        "imports.max_running_per_county",
        Rule::AtMost,
        "a cap on a county's concurrent imports: may be lowered, never raised",
    ),
    d(
        "attachments.max_bytes",
        Rule::AtMost,
        "the largest upload the servers accept: may be lowered, never raised",
    ),
    d(
        "users.operational_grant_approval",
        Rule::OnlyOn,
        "a second administrator's approval of operational grants: a county may require it, never waive it",
    ),
    d(
        "campaign.appraisal_days",
        Rule::County,
        "the county sets its own campaign calendar (the seeds give no dates)",
    ),
    d(
        "campaign.village_notice_days",
        Rule::County,
        "the county sets its own campaign calendar (the seeds give no dates)",
    ),
    d(
        "campaign.township_review_days",
        Rule::County,
        "the county sets its own campaign calendar (the seeds give no dates)",
    ),
    d(
        "campaign.county_approval_days",
        Rule::County,
        "the county sets its own campaign calendar (the seeds give no dates)",
    ),
    d(
        "campaign.announcement_days",
        Rule::County,
        "the county sets its own campaign calendar (the seeds give no dates)",
    ),
    d(
        "intake.notice_days",
        Rule::AtLeast,
        "a public notice may be longer, never shorter",
    ),
];

/// The declaration covering `path` (itself or an ancestor).
pub fn declared(path: &str) -> Option<&'static Declared> {
    DECLARED.iter().find(|d| {
        path == d.path
            || path
                .strip_prefix(d.path)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// Checks a county's override layer against the declarations, given the effective settings
/// above it (defaults ← province ← city) as JSON. Returns the layer without what a county may
/// not set and one error per refused setting (`overrides.<path>`).
pub fn check_county_layer(above: &Value, county: &Value) -> (Value, Vec<FieldError>) {
    check_layer(Writer::County, above, county)
}

/// Checks a city's or county's override layer against the declarations, given the effective
/// settings above it as JSON. Returns the layer without what `writer` may not set and one error
/// per refused setting (`overrides.<path>`).
pub fn check_layer(writer: Writer, above: &Value, layer: &Value) -> (Value, Vec<FieldError>) {
    let mut errs = Vec::new();
    let kept = walk(writer, above, layer, "", &mut errs);
    (kept, errs)
}

fn walk(
    writer: Writer,
    above: &Value,
    layer: &Value,
    prefix: &str,
    errs: &mut Vec<FieldError>,
) -> Value {
    let Value::Object(map) = layer else {
        return layer.clone();
    };
    let mut kept = Map::new();
    for (k, v) in map {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let field = format!("overrides.{path}");
        match declared(&path) {
            None => {
                // Not a setting itself (a section, or an unknown key the record refuses).
                kept.insert(k.clone(), walk(writer, above, v, &path, errs));
            }
            Some(d) => match d.rule {
                Rule::County if writer == Writer::County => {
                    kept.insert(k.clone(), v.clone());
                }
                Rule::City if writer == Writer::City => {
                    kept.insert(k.clone(), v.clone());
                }
                Rule::County => errs.push(FieldError::new(
                    field,
                    crate::Rule::other(format!("is the county's own and a city may not set it: {}", d.why), format!("属于县自定事项,市不能设置:{}", d.why)),
                )),
                Rule::City => errs.push(FieldError::new(
                    field,
                    crate::Rule::other(format!(
                        "is set by the city for its counties (市定) and a county may not override it: {}",
                        d.why
                    ), format!(
                        "由市为所辖县统一设定(市定),县不能覆盖:{}",
                        d.why
                    )),
                )),
                Rule::Province => errs.push(FieldError::new(
                    field,
                    crate::Rule::other(format!(
                        "is set by the province and {} may not override it: {}",
                        writer.name(),
                        d.why
                    ), format!(
                        "由省设定,{} 不能覆盖:{}",
                        writer.name_zh(),
                        d.why
                    )),
                )),
                Rule::OnlyOn => {
                    let on_above = lookup(above, d.path).and_then(Value::as_bool) == Some(true);
                    if on_above && v.as_bool() == Some(false) {
                        errs.push(FieldError::new(
                            field,
                            crate::Rule::other(format!(
                                "may only be tightened by {}: it is on above and stays on: {}",
                                writer.name(),
                                d.why
                            ), format!(
                                "{} 只能收紧:上级已开启,须保持开启:{}",
                                writer.name_zh(),
                                d.why
                            )),
                        ));
                    } else {
                        kept.insert(k.clone(), v.clone());
                    }
                }
                Rule::AtLeast | Rule::AtMost => {
                    let limit = lookup(above, d.path).and_then(Value::as_i64);
                    let looser = match (v.as_i64(), limit) {
                        (Some(v), Some(l)) if d.rule == Rule::AtLeast => (v < l).then_some(l),
                        (Some(v), Some(l)) => (v > l).then_some(l),
                        _ => None,
                    };
                    if let Some(l) = looser {
                        let (word, dir, word_zh, dir_zh) = if d.rule == Rule::AtLeast {
                            ("below", "raised", "低于", "调高")
                        } else {
                            ("above", "lowered", "高于", "调低")
                        };
                        errs.push(FieldError::new(
                            field,
                            crate::Rule::other(format!(
                                "may only be tightened by {}: not {word} {l}, the value set above (it may be {dir}): {}",
                                writer.name(),
                                d.why
                            ), format!(
                                "{} 只能收紧:不能{word_zh}上级设定的值 {l}(可以{dir_zh}):{}",
                                writer.name_zh(),
                                d.why
                            )),
                        ));
                    } else {
                        kept.insert(k.clone(), v.clone());
                    }
                }
            },
        }
    }
    Value::Object(kept)
}

/// The declarations as a Markdown table (docs/settings.md carries it; a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| Setting | Owner | A county may move it | Why |\n|---|---|---|---|\n");
    for d in DECLARED {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            d.path,
            d.rule.owner(),
            d.rule.direction(),
            d.why
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if declared(prefix).is_none() => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(v, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_setting_is_declared_once_and_every_declaration_exists() {
        let defaults = serde_json::to_value(super::super::Settings::default()).unwrap_or_default();
        let mut paths = Vec::new();
        leaves(&defaults, "", &mut paths);
        for p in &paths {
            assert!(declared(p).is_some(), "{p} has no declared owner");
        }
        for d in DECLARED {
            assert!(
                lookup(&defaults, d.path).is_some(),
                "{} is no setting",
                d.path
            );
            assert_eq!(
                DECLARED.iter().filter(|o| o.path == d.path).count(),
                1,
                "{} declared twice",
                d.path
            );
        }
    }

    #[test]
    fn a_county_may_tighten_but_not_loosen_or_touch_the_provinces() {
        let above = serde_json::to_value(super::super::Settings::default()).unwrap_or_default();
        let (kept, errs) = check_county_layer(
            &above,
            &json!({"poverty_line_fen": {"2020": 1}, "reports": {"min_cell_people": 20},
                    "monitoring": {"identification_deadline_days": 30, "large_medical_expense_fen": 1},
                    "teams": {"visit_interval_days": 90}}),
        );
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "overrides.monitoring.identification_deadline_days",
                "overrides.poverty_line_fen"
            ]
        );
        assert_eq!(
            kept,
            json!({"reports": {"min_cell_people": 20}, "monitoring": {"large_medical_expense_fen": 1},
                   "teams": {"visit_interval_days": 90}})
        );
    }

    #[test]
    fn a_safeguard_switched_on_above_stays_on() {
        let mut above = serde_json::to_value(super::super::Settings::default()).unwrap_or_default();
        // Off above: the county may switch it on (or leave it off).
        let (kept, errs) = check_county_layer(
            &above,
            &json!({"users": {"operational_grant_approval": true}}),
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(kept, json!({"users": {"operational_grant_approval": true}}));
        // On above: the county may not switch it off.
        above["users"]["operational_grant_approval"] = json!(true);
        let (kept, errs) = check_county_layer(
            &above,
            &json!({"users": {"operational_grant_approval": false}}),
        );
        assert_eq!(
            errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["overrides.users.operational_grant_approval"]
        );
        assert_eq!(kept, json!({"users": {}}));
    }

    #[test]
    fn a_county_may_require_evidence_but_not_waive_it() {
        let mut above = serde_json::to_value(super::super::Settings::default()).unwrap_or_default();
        let (kept, errs) =
            check_county_layer(&above, &json!({"exit": {"require_stored_evidence": true}}));
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(kept, json!({"exit": {"require_stored_evidence": true}}));
        above["exit"]["require_stored_evidence"] = json!(true);
        let (kept, errs) =
            check_county_layer(&above, &json!({"exit": {"require_stored_evidence": false}}));
        assert_eq!(kept, json!({"exit": {}}));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "overrides.exit.require_stored_evidence");
        assert!(
            errs[0].rule.to_string().contains("stays on"),
            "{}",
            errs[0].rule
        );
    }

    #[test]
    fn the_documented_table_matches_the_declarations() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/settings.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            doc.contains(&markdown_table()),
            "docs/settings.md must contain this table:\n{}",
            markdown_table()
        );
    }
}
