use super::*;
use crate::error::DomainError;
use serde_json::{Value, json};

#[test]
fn defaults_are_valid_and_follow_the_seeds() {
    let s = Settings::default();
    assert!(s.validate().is_empty());
    assert_eq!(s.exit.first_notice_days, 7);
    assert_eq!(s.exit.announcement_days, 5);
    assert_eq!(s.exit.stable_income_years, 2);
    assert_eq!(s.ranger.annual_subsidy_fen, 1_000_000);
    assert_eq!(s.property_check.veto_conditions.len(), 8);
    assert_eq!(s.key_village.min_linking_fund_share_bp, 1200);
}

#[test]
fn county_overrides_province_overrides_defaults() {
    let province =
        json!({"poverty_line_fen": {"2016": 337_200}, "exit": {"first_notice_days": 10}});
    let county = json!({"exit": {"first_notice_days": 8}});
    let s = resolve(&[&province, &county]).unwrap_or_default();
    assert_eq!(s.poverty_line_for(2016), Some(337_200));
    assert_eq!(s.poverty_line_for(2015), Some(285_500));
    assert_eq!(s.exit.first_notice_days, 8);
    assert_eq!(s.exit.second_notice_days, 7);
}

#[test]
fn bad_overrides_name_the_field() {
    let fields = |v: Value| match resolve(&[&v]) {
        Err(DomainError::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
        _ => Vec::new(),
    };
    assert_eq!(
        fields(json!({"exit": {"first_notice_days": 0}})),
        vec!["overrides.exit.first_notice_days"]
    );
    assert_eq!(
        fields(json!({"exit": {"stable_income_years": 0}})),
        vec!["overrides.exit.stable_income_years"]
    );
    assert_eq!(
        fields(json!({"exit": {"first_notice_dayz": 3}})),
        vec!["overrides.exit.first_notice_dayz"]
    );
    assert_eq!(
        fields(json!({"ranger": {"annual_subsidy_fen": "lots"}})),
        vec!["overrides.ranger.annual_subsidy_fen"]
    );
    assert_eq!(
        fields(json!({"poverty_line_fen": {"twenty": 1}})),
        vec!["overrides.poverty_line_fen.twenty"]
    );
}

#[test]
fn key_village_target_years_are_years_once_each() {
    let fields = |v: Value| match resolve(&[&v]) {
        Err(DomainError::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
        _ => Vec::new(),
    };
    assert_eq!(
        fields(json!({"key_village": {"income_parity_year": -7}})),
        vec!["overrides.key_village.income_parity_year"]
    );
    assert_eq!(
        fields(json!({"key_village": {"tap_water_target": {"year": 9999, "value": 90}}})),
        vec!["overrides.key_village.tap_water_target.year"]
    );
    assert_eq!(
        fields(json!({"key_village": {"collective_income_targets": [
            {"year": 2023, "value": 1}, {"year": 2023, "value": 2}]}})),
        vec!["overrides.key_village.collective_income_targets"]
    );
    assert!(
        fields(json!({"key_village": {"collective_income_targets": [
            {"year": 2023, "value": 1}, {"year": 2025, "value": 2}]}}))
        .is_empty()
    );
}
