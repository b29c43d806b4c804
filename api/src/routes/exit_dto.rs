//! Shapes of the exit resources' JSON parts that are stored or computed as JSON (criteria,
//! attachments, progress rows), typed in the OpenAPI document (issue 24 item 1). The JSON itself
//! is what the domain and infra types serialize to; a unit test reads each sample back into these
//! types (refusing unknown fields) and writes it out again unchanged.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A document attached to a step: a link, or a stored attachment (`/api/v1/attachments/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRefDto {
    /// What it is (`村民代表大会签到表`).
    pub title: String,
    /// Where it is: an `https:` link or this system's `/api/v1/attachments/{id}`.
    pub uri: String,
    /// SHA-256 of the file, hex, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One year the income criterion judged.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeYearDto {
    /// Year.
    pub year: i32,
    /// 人均纯收入 recorded for the year, fen (absent: no record).
    pub income_per_capita_fen: Option<i64>,
    /// The year's poverty line, fen (absent: none set).
    pub poverty_line_fen: Option<i64>,
}

/// One exit criterion, evaluated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDto {
    /// Stable code (`income_above_line`, `safe_housing`, `compulsory_education`, `enough_food`,
    /// `enough_clothing`, `basic_medical`, `safe_drinking_water`; `yearly_record` when the year has
    /// no record).
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// Whether it is met.
    pub met: bool,
    /// What was found, in words.
    pub detail: String,
    /// For income: how far below the line the household is in its worst year, fen; 0 when above
    /// in every year; absent when a year has no record or no line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall_fen: Option<i64>,
    /// For income: each year judged (`exit.stable_income_years`), with its income and line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<IncomeYearDto>,
}

/// Exit progress of one region against the targets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRowDto {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Sum of the targets of the counties in the region (none below the county).
    pub target_people: Option<i64>,
    /// People in filed exits of the year.
    pub exited_people: i64,
    /// Households in filed exits of the year.
    pub exited_households: i64,
    /// People on lists still in progress.
    pub in_progress_people: i64,
    /// Exited people as a percentage of the target, one decimal.
    pub percent_of_target: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, to_value};

    fn same<T: Serialize + for<'de> Deserialize<'de>>(v: &Value) {
        let t: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"));
        assert_eq!(to_value(&t).ok().as_ref(), Some(v));
    }

    #[test]
    fn the_documented_shapes_are_the_json_sent() {
        use domain::exit::{IncomeYear, evaluate, income_criterion};
        let years = [
            IncomeYear {
                year: 2015,
                income_per_capita_fen: Some(300_000),
                poverty_line_fen: Some(285_500),
            },
            IncomeYear {
                year: 2016,
                income_per_capita_fen: None,
                poverty_line_fen: Some(337_200),
            },
        ];
        let mut criteria = evaluate(2016, None, &years);
        criteria.push(income_criterion(&years));
        criteria.push(income_criterion(&years[..1]));
        for c in &criteria {
            same::<CriterionDto>(&to_value(c).unwrap_or_default());
        }
        let a = infra::app::exit::Attachment {
            title: "签到表".into(),
            uri: "/api/v1/attachments/00000000-0000-0000-0000-000000000000".into(),
            sha256: Some("ab".into()),
        };
        same::<AttachmentRefDto>(&to_value(&a).unwrap_or_default());
        let p = infra::app::exit::Progress {
            region_code: "370831000000".into(),
            name: "泗水县".into(),
            target_people: Some(10),
            exited_people: 5,
            exited_households: 2,
            in_progress_people: 1,
            percent_of_target: Some(50.0),
        };
        same::<ProgressRowDto>(&to_value(&p).unwrap_or_default());
    }
}
