//! Seed 4's further indicators of a village's yearly profile (issue 22), as the profile body
//! and answer carry them under `indicators`; and the key village's industry plan
//! (到2022年底,完成产业规划方案编制).

use actix_web::{HttpResponse, put, web};
use chrono::NaiveDate;
use domain::village_indicators::IndicatorsInput;
use infra::app::village_indicators::{self as app, IndicatorsRow};
use infra::app::villages;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::villages::KeyVillageDto;
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// The living-environment and governance milestones of the year (yes/no; absent: not
/// reported) and further indicators. A part (`…_stable_work`, `…_hardened_road`, `…_sewage`)
/// needs its whole and may not exceed it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorsBody {
    /// 生活垃圾、污水治理工作体系建成 (target: by the end of 2021).
    #[serde(default)]
    pub garbage_sewage_system: Option<bool>,
    /// 村规民约健全 (by the end of 2021).
    #[serde(default)]
    pub village_rules: Option<bool>,
    /// 文化院坝建成 (by 2023).
    #[serde(default)]
    pub cultural_courtyard: Option<bool>,
    /// 新时代文明实践站建成 (by 2025).
    #[serde(default)]
    pub civilization_station: Option<bool>,
    /// 村民委员会换届完成 (by the end of 2021).
    #[serde(default)]
    pub committee_election: Option<bool>,
    /// 村民(定向)议事会制度推行 (by 2023).
    #[serde(default)]
    pub deliberation_council: Option<bool>,
    /// 高标准农田占耕地比例, percent with one decimal (reported; the seed sets no figure).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, multiple_of = 0.1)]
    pub high_standard_farmland_pct: Option<f64>,
    /// 有劳动力的家庭: households with labour (at most the profile's households).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub labour_households: Option<i32>,
    /// Of them, those with at least one person in stable work (target: all).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub labour_households_stable_work: Option<i32>,
    /// 30户以上自然村(组): natural villages (groups) of 30 or more households.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub groups_30plus: Option<i32>,
    /// Of them, those reached by a hardened road (target: all).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub groups_30plus_hardened_road: Option<i32>,
    /// 200人以上居民聚居点(区): settlements of 200 or more people.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub settlements_200plus: Option<i32>,
    /// Of them, those with sewage treatment (reported: the seed promises support, no target).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub settlements_200plus_sewage: Option<i32>,
}

impl From<IndicatorsBody> for IndicatorsInput {
    fn from(b: IndicatorsBody) -> Self {
        Self {
            garbage_sewage_system: b.garbage_sewage_system,
            village_rules: b.village_rules,
            cultural_courtyard: b.cultural_courtyard,
            civilization_station: b.civilization_station,
            committee_election: b.committee_election,
            deliberation_council: b.deliberation_council,
            high_standard_farmland_pct: b.high_standard_farmland_pct,
            labour_households: b.labour_households,
            labour_households_stable_work: b.labour_households_stable_work,
            groups_30plus: b.groups_30plus,
            groups_30plus_hardened_road: b.groups_30plus_hardened_road,
            settlements_200plus: b.settlements_200plus,
            settlements_200plus_sewage: b.settlements_200plus_sewage,
        }
    }
}

impl From<&IndicatorsRow> for IndicatorsBody {
    fn from(r: &IndicatorsRow) -> Self {
        Self {
            garbage_sewage_system: r.garbage_sewage_system,
            village_rules: r.village_rules,
            cultural_courtyard: r.cultural_courtyard,
            civilization_station: r.civilization_station,
            committee_election: r.committee_election,
            deliberation_council: r.deliberation_council,
            high_standard_farmland_pct: r
                .high_standard_farmland_permille
                .map(|p| f64::from(p) / 10.0),
            labour_households: r.labour_households,
            labour_households_stable_work: r.labour_households_stable_work,
            groups_30plus: r.groups_30plus,
            groups_30plus_hardened_road: r.groups_30plus_hardened_road,
            settlements_200plus: r.settlements_200plus,
            settlements_200plus_sewage: r.settlements_200plus_sewage,
        }
    }
}

/// When the key village adopted its industry plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryPlanBody {
    /// The day it was adopted, not in the future; `null` clears a wrong entry.
    pub adopted_on: Option<NaiveDate>,
}

/// Records the day the key village's industry plan (产业规划方案) was adopted (county step,
/// `villages:manage`); the `industry_plan` target (by `key_village.milestones.industry_plan_year`,
/// 2022) reads it.
#[utoipa::path(
    tag = "villages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Key village id")),
    request_body = IndustryPlanBody,
    responses(
        (status = 200, description = "Recorded", body = KeyVillageDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with villages:manage", body = Problem, content_type = "application/problem+json"),
        NotFound,
        BadField,
    )
)]
#[put("/key-villages/{id}/industry-plan")]
pub async fn put_industry_plan(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<IndustryPlanBody>,
) -> ApiResult<HttpResponse> {
    let id = super::input::id_of(&path)?;
    let adopted_on = body.0.adopted_on;
    let kv = state
        .run(auth, move |conn, ctx| {
            app::set_industry_plan(conn, ctx, id, adopted_on)?;
            villages::get(conn, ctx, id, None)
        })
        .await?;
    Ok(HttpResponse::Ok().json(KeyVillageDto::from(kv)))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        put_industry_plan => Permission(perm::VILLAGES_MANAGE),
    },
}
