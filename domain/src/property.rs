//! Property check of registered people (财产检索核查, seed 2): hits from other registries,
//! verified by the village against the precise-identification cut-off and the one-vote veto
//! conditions (一票否决), appraised, aggregated by the township and confirmed by the county.

use chrono::NaiveDate;

use crate::error::FieldError;
use crate::settings::VetoCondition;

vocabulary! {
    /// Which registry found the person.
    HitType {
        /// 财政供养.
        PublicPayroll = "public_payroll" / "财政供养",
        /// 车辆.
        Vehicle = "vehicle" / "车辆",
        /// 房产.
        RealEstate = "real_estate" / "房产",
        /// 土地.
        Land = "land" / "土地",
        /// 经济实体.
        BusinessEntity = "business_entity" / "经济实体",
        /// 养老金.
        Pension = "pension" / "养老金",
    }
}

vocabulary! {
    /// The village's proposal on a true hit.
    Proposal as "PropertyProposal" {
        /// 否决: the household leaves the registry once the county confirms.
        Veto = "veto" / "否决",
        /// 不予否决: a match, but the family is truly in hardship (reason required).
        NoVeto = "no_veto" / "不予否决",
        /// 不属于否决情形: a true fact from before the cut-off that matches none of the veto
        /// conditions: neither a veto nor a hardship exception (issue 22 item 4).
        NotMatching = "not_matching" / "不属于否决情形",
        /// 不适用: the fact arose after the cut-off; the veto does not apply.
        NotApplicable = "not_applicable" / "识别后发生,不适用一票否决",
        /// The hit is not true: nothing to decide.
        None = "none" / "情况不属实",
    }
}

/// What the village entered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerificationInput {
    /// Whether the hit is true.
    pub is_true: bool,
    /// When the fact arose (true hits).
    pub arose_on: Option<NaiveDate>,
    /// For a fact before the cut-off: veto or not.
    pub veto: Option<bool>,
    /// For a fact before the cut-off: whether it matches one of the veto conditions. `false`
    /// makes it "不属于否决情形" (no veto, no condition, no hardship exception); absent means
    /// the village decides with `veto` as before.
    pub matches_condition: Option<bool>,
    /// The veto condition matched (code from the catalog).
    pub condition: Option<String>,
    /// Reason (required for no veto).
    pub reason: String,
}

/// The verification as the rules decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Whether the hit is true.
    pub is_true: bool,
    /// When it arose.
    pub arose_on: Option<NaiveDate>,
    /// Whether it arose on or before the cut-off (true hits).
    pub before_cutoff: Option<bool>,
    /// The proposal.
    pub proposal: Proposal,
    /// The condition matched.
    pub condition: Option<String>,
    /// Reason.
    pub reason: String,
    /// What the system says about it (e.g. that the veto does not apply).
    pub note: String,
}

/// Whether a fact arising on `arose_on` counts as before the precise-identification cut-off.
/// A fact arising on the cut-off day itself existed when households were identified, so it
/// counts as before.
pub fn before_cutoff(arose_on: NaiveDate, cutoff: NaiveDate) -> bool {
    arose_on <= cutoff
}

/// Applies seed 2's rules to a village's verification; reports every bad field.
///
/// # Errors
/// Field errors naming `arose_on`, `veto`, `veto_condition` or `reason`.
pub fn decide(
    input: &VerificationInput,
    cutoff: NaiveDate,
    conditions: &[VetoCondition],
    today: NaiveDate,
) -> Result<Verification, Vec<FieldError>> {
    let mut errs = Vec::new();
    let reason = input.reason.trim().to_string();
    if reason.chars().count() > 2000 {
        errs.push(FieldError::new("reason", crate::Rule::too_long(2000)));
    }
    let condition = input
        .condition
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = condition
        && !conditions.iter().any(|v| v.code == c)
    {
        errs.push(FieldError::new(
            "veto_condition",
            crate::Rule::other(
                format!(
                    "must be one of the veto conditions: {}",
                    conditions
                        .iter()
                        .map(|v| v.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "必须是以下一票否决情形之一:{}",
                    conditions
                        .iter()
                        .map(|v| v.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        ));
    }
    if !input.is_true {
        if input.veto.is_some()
            || condition.is_some()
            || input.arose_on.is_some()
            || input.matches_condition.is_some()
        {
            errs.push(FieldError::new(
                "is_true",
                crate::Rule::other(
                    "a hit that is not true takes no date, veto, condition or match",
                    "不属实的比对结果不填日期、否决、情形或匹配",
                ),
            ));
        }
        return if errs.is_empty() {
            Ok(Verification {
                is_true: false,
                arose_on: None,
                before_cutoff: None,
                proposal: Proposal::None,
                condition: None,
                reason,
                note: "情况不属实".into(),
            })
        } else {
            Err(errs)
        };
    }
    let Some(arose_on) = input.arose_on else {
        errs.push(FieldError::new(
            "arose_on",
            crate::Rule::other(
                "is required for a true hit: the date decides whether the veto applies",
                "属实的比对结果必填:日期决定是否适用否决",
            ),
        ));
        return Err(errs);
    };
    if arose_on > today {
        errs.push(FieldError::new("arose_on", crate::Rule::NotInFuture));
    }
    let before = before_cutoff(arose_on, cutoff);
    let (proposal, note) = if before && input.matches_condition == Some(false) {
        // A true fact from before the cut-off that matches none of the veto conditions: there is
        // nothing to veto and nothing to excuse.
        if input.veto == Some(true) {
            errs.push(FieldError::new(
                "veto",
                crate::Rule::other(
                    "a fact that matches none of the veto conditions cannot be vetoed",
                    "不符合任何一票否决情形的事实不能否决",
                ),
            ));
        }
        if condition.is_some() {
            errs.push(FieldError::new(
                "veto_condition",
                crate::Rule::other(
                    "a fact that matches none of the veto conditions names no condition",
                    "不符合任何一票否决情形的事实不应指明情形",
                ),
            ));
        }
        (
            Proposal::NotMatching,
            format!(
                "arose on or before the cut-off {cutoff}: matches none of the one-vote veto conditions"
            ),
        )
    } else if before {
        match input.veto {
            None => {
                errs.push(FieldError::new(
                    "veto",
                    crate::Rule::other(format!(
                        "the fact arose on or before the cut-off {cutoff}: propose veto (true) or no veto (false)"
                    ), format!(
                        "事实发生在截止日 {cutoff} 或之前:请提出否决(true)或不否决(false)"
                    )),
                ));
                (Proposal::None, String::new())
            }
            Some(true) => {
                if condition.is_none() {
                    errs.push(FieldError::new(
                        "veto_condition",
                        crate::Rule::other(
                            "a veto must name the one-vote veto condition the hit matches",
                            "否决须指明比对结果符合的一票否决情形",
                        ),
                    ));
                }
                (
                    Proposal::Veto,
                    format!("arose on or before the cut-off {cutoff}: one-vote veto proposed"),
                )
            }
            Some(false) => {
                if reason.is_empty() {
                    errs.push(FieldError::new(
                        "reason",
                        crate::Rule::other(
                            "no veto needs the reason (e.g. the family is truly in hardship)",
                            "不否决须说明理由(如该户确有困难)",
                        ),
                    ));
                }
                (
                    Proposal::NoVeto,
                    format!("arose on or before the cut-off {cutoff}: not vetoed, with reason"),
                )
            }
        }
    } else {
        if input.veto == Some(true) {
            errs.push(FieldError::new(
                "veto",
                crate::Rule::other(format!(
                    "the fact arose after the precise-identification cut-off {cutoff}: the one-vote veto does not apply"
                ), format!(
                    "事实发生在精准识别截止日 {cutoff} 之后:不适用一票否决"
                )),
            ));
        }
        (
            Proposal::NotApplicable,
            format!(
                "arose after the precise-identification cut-off {cutoff}: the one-vote veto does not apply"
            ),
        )
    };
    if errs.is_empty() {
        Ok(Verification {
            is_true: true,
            arose_on: Some(arose_on),
            before_cutoff: Some(before),
            proposal,
            condition: condition.map(str::to_owned),
            reason,
            note,
        })
    } else {
        Err(errs)
    }
}

/// Normalises a hit's details for the "same fact" comparison: whitespace collapsed, full-width
/// ASCII folded, case folded.
pub fn normalise_details(details: &str) -> String {
    let folded: String = details
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn conditions() -> Vec<VetoCondition> {
        crate::settings::Settings::default()
            .property_check
            .veto_conditions
    }

    fn run(input: VerificationInput) -> Result<Verification, Vec<String>> {
        decide(&input, d("2015-10-26"), &conditions(), d("2026-11-29"))
            .map_err(|e| e.into_iter().map(|f| f.field).collect())
    }

    #[test]
    fn the_cutoff_day_counts_as_before() {
        assert!(before_cutoff(d("2015-10-26"), d("2015-10-26")));
        assert!(!before_cutoff(d("2015-10-27"), d("2015-10-26")));
        let on = run(VerificationInput {
            is_true: true,
            arose_on: Some(d("2015-10-26")),
            veto: Some(true),
            condition: Some("vehicle".into()),
            ..Default::default()
        });
        assert_eq!(on.map(|v| v.proposal), Ok(Proposal::Veto));
        let after = run(VerificationInput {
            is_true: true,
            arose_on: Some(d("2015-10-27")),
            ..Default::default()
        });
        assert_eq!(
            after.as_ref().map(|v| v.proposal),
            Ok(Proposal::NotApplicable)
        );
        assert!(
            after
                .map(|v| v.note)
                .unwrap_or_default()
                .contains("does not apply")
        );
    }

    #[test]
    fn refusals_name_the_field() {
        // A veto without a matching condition, or with an unknown one.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                veto: Some(true),
                ..Default::default()
            }),
            Err(vec!["veto_condition".to_string()])
        );
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                veto: Some(true),
                condition: Some("yacht".into()),
                ..Default::default()
            }),
            Err(vec!["veto_condition".to_string()])
        );
        // No veto without a reason.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                veto: Some(false),
                condition: Some("vehicle".into()),
                ..Default::default()
            }),
            Err(vec!["reason".to_string()])
        );
        // A veto after the cut-off; a true hit without a date; a false hit with a veto.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2018-01-01")),
                veto: Some(true),
                condition: Some("vehicle".into()),
                ..Default::default()
            }),
            Err(vec!["veto".to_string()])
        );
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                ..Default::default()
            }),
            Err(vec!["arose_on".to_string()])
        );
        assert_eq!(
            run(VerificationInput {
                is_true: false,
                veto: Some(true),
                ..Default::default()
            }),
            Err(vec!["is_true".to_string()])
        );
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                ..Default::default()
            }),
            Err(vec!["veto".to_string()])
        );
    }

    #[test]
    fn a_no_veto_with_a_reason_and_a_false_hit_pass() {
        let v = run(VerificationInput {
            is_true: true,
            arose_on: Some(d("2014-01-01")),
            veto: Some(false),
            condition: Some("vehicle".into()),
            reason: "车辆为亲属赠送的报废车,家庭确实困难".into(),
            ..Default::default()
        });
        assert_eq!(v.map(|v| v.proposal), Ok(Proposal::NoVeto));
        assert_eq!(
            run(VerificationInput::default()).map(|v| v.proposal),
            Ok(Proposal::None)
        );
    }

    #[test]
    fn a_true_fact_matching_no_condition_is_neither_veto_nor_exception() {
        let v = run(VerificationInput {
            is_true: true,
            arose_on: Some(d("2014-01-01")),
            matches_condition: Some(false),
            ..Default::default()
        });
        assert_eq!(v.as_ref().map(|v| v.proposal), Ok(Proposal::NotMatching));
        assert_eq!(v.as_ref().map(|v| v.condition.clone()), Ok(None));
        assert_ne!(Proposal::NotMatching, Proposal::NoVeto);
        assert_eq!(Proposal::NotMatching.label(), "不属于否决情形");
        // `veto: false` is allowed with it (it is not a veto); a reason is optional.
        let v = run(VerificationInput {
            is_true: true,
            arose_on: Some(d("2014-01-01")),
            veto: Some(false),
            matches_condition: Some(false),
            reason: "车辆为农用三轮车,不属于否决情形".into(),
            ..Default::default()
        });
        assert_eq!(v.map(|v| v.proposal), Ok(Proposal::NotMatching));
        // Neither a veto nor a condition goes with it.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                veto: Some(true),
                matches_condition: Some(false),
                condition: Some("vehicle".into()),
                ..Default::default()
            }),
            Err(vec!["veto".to_string(), "veto_condition".to_string()])
        );
        // After the cut-off the date decides: the veto does not apply, whatever the match.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2018-01-01")),
                matches_condition: Some(false),
                ..Default::default()
            })
            .map(|v| v.proposal),
            Ok(Proposal::NotApplicable)
        );
        // A hit that is not true matches nothing to begin with.
        assert_eq!(
            run(VerificationInput {
                matches_condition: Some(false),
                ..Default::default()
            }),
            Err(vec!["is_true".to_string()])
        );
        // Saying it matches changes nothing of the old rules: a veto or a no veto is needed.
        assert_eq!(
            run(VerificationInput {
                is_true: true,
                arose_on: Some(d("2014-01-01")),
                matches_condition: Some(true),
                ..Default::default()
            }),
            Err(vec!["veto".to_string()])
        );
    }

    #[test]
    fn details_compare_loosely() {
        assert_eq!(
            normalise_details("  鲁H  12345 "),
            normalise_details("鲁Ｈ 12345")
        );
    }
}
