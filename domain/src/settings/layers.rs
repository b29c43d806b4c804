//! The layers of the record: `defaults ← province ← city ← county`.
//!
//! Each level stores only what it changes (a JSON object of the shape of [`Settings`]). A city's
//! layer may also hold per-county values under [`COUNTIES`] (`{"counties": {"610122": {…}}}`):
//! for a county they apply on top of the city's own values (seed 5: the relocation subsidy is a
//! city rule set county by county). What a city or county layer holds against the declarations
//! of [`super::owner`] is refused on write and ignored on read.

use serde_json::{Map, Value};

use super::Settings;
use super::owner::{Writer, check_layer};
use crate::error::{DomainError, FieldError};
use crate::region::RegionCode;

/// Key of a city's layer holding its per-county values, by 6-digit county code.
pub const COUNTIES: &str = "counties";

/// Merges `overrides` into `base` key by key (objects recursively, anything else replaced).
pub fn merge(base: &mut Value, overrides: &Value) {
    match (base, overrides) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The effective settings given override layers, highest first.
///
/// # Errors
/// `Validation` with the path of every field that does not fit the record.
pub fn resolve(layers: &[&Value]) -> Result<Settings, DomainError> {
    let mut merged = serde_json::to_value(Settings::default())
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))?;
    for layer in layers {
        if !layer.is_object() {
            return Err(DomainError::field(
                "overrides",
                crate::Rule::format(crate::Format::JsonObject),
            ));
        }
        merge(&mut merged, layer);
    }
    let settings: Settings = serde_path_to_error::deserialize(merged).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "overrides".to_string()
        } else {
            format!("overrides.{path}")
        };
        DomainError::field(field, crate::Rule::unreadable(e.inner()))
    })?;
    let errs: Vec<FieldError> = settings
        .validate()
        .into_iter()
        .map(|e| FieldError::new(format!("overrides.{}", e.field), e.rule))
        .collect();
    if errs.is_empty() {
        Ok(settings)
    } else {
        Err(DomainError::Validation(errs))
    }
}

fn as_value(layers: &[&Value]) -> Result<Value, DomainError> {
    serde_json::to_value(resolve(layers)?).map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))
}

/// A city's layer split into its own values and its per-county section.
fn split(city: &Value) -> (Value, Option<Value>) {
    let mut own = city.clone();
    let counties = own.as_object_mut().and_then(|m| m.remove(COUNTIES));
    (own, counties)
}

/// What of a city's layer applies to the county `county_code`: the city's own values with that
/// county's entry merged over them (as stored, before the declarations are applied).
pub fn city_layer_for(city: &Value, county_code: i32) -> Value {
    let (mut own, counties) = split(city);
    if let Some(entry) = counties
        .as_ref()
        .and_then(|c| c.get(format!("{county_code:06}")))
    {
        merge(&mut own, entry);
    }
    own
}

fn prefixed(errs: Vec<FieldError>, prefix: &str) -> Vec<FieldError> {
    errs.into_iter()
        .map(|e| {
            let rest = e.field.strip_prefix("overrides").unwrap_or(&e.field);
            FieldError::new(format!("overrides.{prefix}{rest}"), e.rule)
        })
        .collect()
}

/// The effective settings of a city (defaults ← province ← what of the city's own layer the
/// declarations allow a city to set), and one error per refused setting, including each
/// per-county entry's (`overrides.counties.<county>.<path>`) and each key of `counties` that is
/// no county of `city`. A write is refused with them; a read ignores what they name.
///
/// # Errors
/// As [`resolve`].
pub fn resolve_city(
    province: &Value,
    city_code: RegionCode,
    city: &Value,
) -> Result<(Settings, Vec<FieldError>), DomainError> {
    if !city.is_object() {
        return Err(DomainError::field(
            "overrides",
            crate::Rule::format(crate::Format::JsonObject),
        ));
    }
    let (own, counties) = split(city);
    let above = as_value(&[province])?;
    let (kept, mut refused) = check_layer(Writer::City, &above, &own);
    let settings = resolve(&[province, &kept])?;
    match counties {
        None => {}
        Some(Value::Object(entries)) => {
            let above = serde_json::to_value(&settings)
                .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))?;
            for (key, entry) in &entries {
                let field = format!("overrides.{COUNTIES}.{key}");
                let in_city = key.len() == 6
                    && RegionCode::parse(key).is_ok_and(|c| {
                        c.level() == crate::region::Level::County && city_code.subtree().contains(c)
                    });
                if !in_city {
                    refused.push(FieldError::new(
                        field,
                        crate::Rule::other(
                            "must be the 6-digit code of a county of this city",
                            "必须是本市所辖县的 6 位代码",
                        ),
                    ));
                    continue;
                }
                if !entry.is_object() {
                    refused.push(FieldError::new(
                        field,
                        crate::Rule::format(crate::Format::JsonObject),
                    ));
                    continue;
                }
                let (entry_kept, errs) = check_layer(Writer::City, &above, entry);
                refused.extend(prefixed(errs, &format!("{COUNTIES}.{key}")));
                if let Err(DomainError::Validation(errs)) = resolve(&[province, &kept, &entry_kept])
                {
                    refused.extend(prefixed(errs, &format!("{COUNTIES}.{key}")));
                }
            }
        }
        Some(_) => refused.push(FieldError::new(
            format!("overrides.{COUNTIES}"),
            crate::Rule::other(
                "must be a JSON object of county codes",
                "必须是以县级代码为键的 JSON 对象",
            ),
        )),
    }
    Ok((settings, refused))
}

/// The effective settings of a county: defaults ← province ← what of its city's layer (the
/// city's own values, then its entry for this county) a city may set ← what of the county's
/// layer a county may set. Also returns one error per refused setting of the county's layer.
///
/// # Errors
/// As [`resolve`].
pub fn resolve_county_in(
    province: &Value,
    city: &Value,
    county_code: i32,
    county: &Value,
) -> Result<(Settings, Vec<FieldError>), DomainError> {
    let above = as_value(&[province])?;
    let (city_kept, _) = check_layer(Writer::City, &above, &city_layer_for(city, county_code));
    let above = as_value(&[province, &city_kept])?;
    let (kept, refused) = check_layer(Writer::County, &above, county);
    resolve(&[province, &city_kept, &kept]).map(|s| (s, refused))
}

/// The effective settings of a county without a city layer: defaults ← province ← what of the
/// county's layer the declarations allow a county to set.
///
/// # Errors
/// As [`resolve`].
pub fn resolve_county(
    province: &Value,
    county: &Value,
) -> Result<(Settings, Vec<FieldError>), DomainError> {
    resolve_county_in(province, &no_overrides(), 0, county)
}

/// An empty override layer.
pub fn no_overrides() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn city() -> RegionCode {
        RegionCode::parse("6101").unwrap_or(RegionCode::PLATFORM)
    }

    #[test]
    fn the_city_sets_its_rule_per_county_and_a_county_may_not_override_it() {
        let province = json!({});
        let city_layer = json!({"funds": {"relocation_subsidy_per_person_fen": 50_000},
            "counties": {"610122": {"funds": {"relocation_subsidy_per_person_fen": 100_000}}}});
        let (_, refused) = resolve_city(&province, city(), &city_layer).unwrap_or_default();
        assert!(refused.is_empty(), "{refused:?}");
        let subsidy = |county: i32, layer: Value| {
            resolve_county_in(&province, &city_layer, county, &layer)
                .map(|(s, e)| (s.funds.relocation_subsidy_per_person_fen, e.len()))
                .unwrap_or_default()
        };
        assert_eq!(subsidy(610_122, json!({})), (100_000, 0));
        assert_eq!(subsidy(610_116, json!({})), (50_000, 0));
        // A county's own value is refused by name and ignored.
        let (s, refused) = resolve_county_in(
            &province,
            &city_layer,
            610_116,
            &json!({"funds": {"relocation_subsidy_per_person_fen": 1}}),
        )
        .unwrap_or_default();
        assert_eq!(s.funds.relocation_subsidy_per_person_fen, 50_000);
        assert_eq!(
            refused.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["overrides.funds.relocation_subsidy_per_person_fen"]
        );
    }

    #[test]
    fn a_city_tightens_like_a_county_and_leaves_the_county_its_own() {
        let province = json!({"reports": {"min_cell_people": 12}});
        let layer = json!({"reports": {"min_cell_people": 11}, "teams": {"visit_interval_days": 9},
            "poverty_line_fen": {"2020": 1},
            "counties": {"610122": {"exit": {"first_notice_days": 3}}, "370831": {}, "6101": {}}});
        let (s, refused) = resolve_city(&province, city(), &layer).unwrap_or_default();
        assert_eq!(s.reports.min_cell_people, 12);
        let mut fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "overrides.counties.370831",
                "overrides.counties.6101",
                "overrides.counties.610122.exit.first_notice_days",
                "overrides.poverty_line_fen",
                "overrides.reports.min_cell_people",
                "overrides.teams.visit_interval_days",
            ]
        );
        // The county may not go below what its city tightened to.
        let city_layer = json!({"reports": {"min_cell_people": 15}});
        let (s, refused) = resolve_county_in(
            &province,
            &city_layer,
            610_122,
            &json!({"reports": {"min_cell_people": 13}}),
        )
        .unwrap_or_default();
        assert_eq!(s.reports.min_cell_people, 15);
        assert_eq!(refused.len(), 1);
    }
}
