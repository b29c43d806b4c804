//! The village profiles sheet: one row per village and year, the profile
//! `PUT /villages/{code}/profiles/{year}` writes, checked by the same `validate_profile` and
//! written by the same `villages::put_profile` (`villages:write` where the village is).

use diesel::pg::PgConnection;
use domain::villages::{ProfileInput, validate_profile};
use domain::{DomainError, FieldError, Level, RegionCode};

use super::{Env, Written};
use crate::app::Ctx;
use crate::app::cases::sheet::{Column, Row, col, yes_no, yuan_to_fen};
use crate::app::villages::{self, ProfileRow};

/// The columns, in template order.
pub const COLUMNS: &[Column] = &[
    col("village_code", "村代码", true),
    col("year", "年度", true),
    col("households", "总户数", true),
    col("population", "总人口", true),
    col("per_capita_income", "人均可支配收入(元)", true),
    col("collective_income", "村集体经济收入(元)", true),
    col("cultivated_mu", "耕地面积(亩)", true),
    col("forest_mu", "林地面积(亩)", true),
    col("main_industries", "主要产业", false),
    col("featured_industries", "特色产业", false),
    col("merged_village", "两项改革合并村", false),
    col("former_poor_village", "原贫困村", false),
    col("hardened_road_pct", "硬化路通达率(%)", false),
    col("tap_water_pct", "自来水普及率(%)", false),
    col("sanitary_toilet_pct", "卫生厕所普及率(%)", false),
    col("electricity_pct", "通电率(%)", false),
    col("school_enrolment_pct", "适龄儿童入学率(%)", false),
];

/// The template's example row.
pub const EXAMPLE: &[&str] = &[
    "370831001003",
    "2024",
    "412",
    "1380",
    "16800",
    "52000",
    "2210.5",
    "300",
    "小麦;花生",
    "西红柿",
    "否",
    "是",
    "100",
    "98.5",
    "92",
    "100",
    "100",
];

/// An unknown village and another county's get this one answer.
pub const NOT_FOUND: (&str, &str, &str) = (
    "village_code",
    "no such village in your area",
    "本地区没有该村",
);

/// Village and year.
pub(super) fn identity(r: &Row) -> Option<String> {
    let (v, y) = (r.get("village_code"), r.get("year"));
    (!v.is_empty() && !y.is_empty()).then(|| format!("{v}\u{1f}{y}"))
}

/// The column of a body field's error.
fn column_of(field: &str) -> &str {
    match field {
        "per_capita_income_fen" => "per_capita_income",
        "collective_income_fen" => "collective_income",
        f => f,
    }
}

/// The row as the form's input, collecting what cannot be read at all.
fn input(r: &Row, errs: &mut Vec<FieldError>) -> (i32, ProfileInput) {
    let int = |key: &str, errs: &mut Vec<FieldError>| -> i32 {
        r.get(key)
            .replace([',', '，'], "")
            .parse()
            .unwrap_or_else(|_| {
                errs.push(FieldError::new(
                    key,
                    domain::Rule::format(domain::Format::WholeNumber),
                ));
                0
            })
    };
    let year = int("year", errs);
    let households = int("households", errs);
    let population = int("population", errs);
    let money = |key: &str, errs: &mut Vec<FieldError>| {
        yuan_to_fen(r.get(key)).unwrap_or_else(|m| {
            errs.push(FieldError::new(key, m));
            0
        })
    };
    let number = |key: &str, errs: &mut Vec<FieldError>| -> Option<f64> {
        let t = r.get(key).trim_end_matches(['%', '％']);
        if t.is_empty() {
            return None;
        }
        t.parse::<f64>()
            .map_err(|_| {
                errs.push(FieldError::new(
                    key,
                    domain::Rule::format(domain::Format::Number),
                ))
            })
            .ok()
    };
    let flag = |key: &str, errs: &mut Vec<FieldError>| {
        yes_no(r.get(key)).unwrap_or_else(|m| {
            errs.push(FieldError::new(key, m));
            None
        })
    };
    let list = |key: &str| -> Vec<String> {
        r.get(key)
            .split([';', '；', '、', ',', '，', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let area = |key: &str, errs: &mut Vec<FieldError>| match number(key, errs) {
        Some(v) => v,
        None => {
            if r.get(key).is_empty() {
                errs.push(FieldError::new(key, domain::Rule::Required));
            }
            0.0
        }
    };
    let input = ProfileInput {
        households,
        population,
        per_capita_income_fen: money("per_capita_income", errs),
        collective_income_fen: money("collective_income", errs),
        cultivated_mu: area("cultivated_mu", errs),
        forest_mu: area("forest_mu", errs),
        main_industries: list("main_industries"),
        featured_industries: list("featured_industries"),
        merged_village: flag("merged_village", errs).unwrap_or(false),
        former_poor_village: flag("former_poor_village", errs).unwrap_or(false),
        hardened_road_pct: number("hardened_road_pct", errs),
        tap_water_pct: number("tap_water_pct", errs),
        sanitary_toilet_pct: number("sanitary_toilet_pct", errs),
        electricity_pct: number("electricity_pct", errs),
        school_enrolment_pct: number("school_enrolment_pct", errs),
        indicators: domain::village_indicators::IndicatorsInput::default(),
    };
    (year, input)
}

/// Writes one row's profile: created, replaced where it differs, or left as it is.
///
/// # Errors
/// `Validation` naming the columns; `NotFound` for a village outside the caller's area;
/// `Forbidden` without `villages:write` there.
pub(super) fn apply(
    conn: &mut PgConnection,
    ctx: &Ctx,
    _env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let mut errs = Vec::new();
    let village = match RegionCode::parse(r.get("village_code")) {
        Ok(v) if v.level() == Level::Village => Some(v),
        _ => {
            errs.push(FieldError::new(
                "village_code",
                domain::Rule::format(domain::Format::VillageCode),
            ));
            None
        }
    };
    let (year, input) = input(r, &mut errs);
    let valid = validate_profile(year, &input).map_err(|v| {
        v.into_iter()
            .map(|e| FieldError::new(column_of(&e.field), e.rule))
            .collect::<Vec<_>>()
    });
    let valid = match valid {
        Ok(v) if errs.is_empty() => v,
        Ok(_) => return Err(DomainError::Validation(errs)),
        Err(more) => {
            errs.extend(more);
            return Err(DomainError::Validation(errs));
        }
    };
    let Some(village) = village else {
        return Err(DomainError::Validation(errs));
    };
    let row = ProfileRow::new(village, year, valid);
    let stored = match villages::profile(conn, ctx, village, year) {
        Ok(p) => Some(p),
        Err(DomainError::NotFound) => None,
        Err(e) => return Err(e),
    };
    if let Some(s) = &stored
        && s.same_values(&row)
    {
        // Unchanged, but only for someone who may write it.
        ctx.caller
            .require_at(domain::authz::perm::VILLAGES_WRITE, village)?;
        return Ok(Written::Unchanged);
    }
    let (_, created) = villages::put_profile(conn, ctx, row, stored.map(|s| s.version))?;
    Ok(if created {
        Written::Created
    } else {
        Written::Updated
    })
}
