//! Seed 4's further indicators of a village's yearly profile (issue 22), stored beside it in
//! `village_indicators` (one row per profile, written with it); and the day a key village
//! adopted its industry plan (到2022年底,完成产业规划方案编制).

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::village_indicators::ValidIndicators;
use domain::{DomainError, Level, RegionCode};
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{key_villages, village_indicators};

/// The indicators of a profile row (NULL: not reported).
#[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = village_indicators, treat_none_as_null = true)]
pub struct IndicatorsRow {
    /// 生活垃圾、污水治理工作体系建成.
    pub garbage_sewage_system: Option<bool>,
    /// 村规民约健全.
    pub village_rules: Option<bool>,
    /// 文化院坝建成.
    pub cultural_courtyard: Option<bool>,
    /// 新时代文明实践站建成.
    pub civilization_station: Option<bool>,
    /// 村民委员会换届完成.
    pub committee_election: Option<bool>,
    /// 村民议事会制度推行.
    pub deliberation_council: Option<bool>,
    /// 高标准农田, permille.
    pub high_standard_farmland_permille: Option<i32>,
    /// 有劳动力的家庭.
    pub labour_households: Option<i32>,
    /// Of them, with someone in stable work.
    pub labour_households_stable_work: Option<i32>,
    /// 30户以上自然村(组).
    pub groups_30plus: Option<i32>,
    /// Of them, reached by hardened roads.
    pub groups_30plus_hardened_road: Option<i32>,
    /// 200人以上居民聚居点.
    pub settlements_200plus: Option<i32>,
    /// Of them, with sewage treatment.
    pub settlements_200plus_sewage: Option<i32>,
}

impl From<ValidIndicators> for IndicatorsRow {
    fn from(v: ValidIndicators) -> Self {
        Self {
            garbage_sewage_system: v.garbage_sewage_system,
            village_rules: v.village_rules,
            cultural_courtyard: v.cultural_courtyard,
            civilization_station: v.civilization_station,
            committee_election: v.committee_election,
            deliberation_council: v.deliberation_council,
            high_standard_farmland_permille: v.high_standard_farmland_permille,
            labour_households: v.labour_households,
            labour_households_stable_work: v.labour_households_stable_work,
            groups_30plus: v.groups_30plus,
            groups_30plus_hardened_road: v.groups_30plus_hardened_road,
            settlements_200plus: v.settlements_200plus,
            settlements_200plus_sewage: v.settlements_200plus_sewage,
        }
    }
}

impl From<&IndicatorsRow> for ValidIndicators {
    fn from(v: &IndicatorsRow) -> Self {
        Self {
            garbage_sewage_system: v.garbage_sewage_system,
            village_rules: v.village_rules,
            cultural_courtyard: v.cultural_courtyard,
            civilization_station: v.civilization_station,
            committee_election: v.committee_election,
            deliberation_council: v.deliberation_council,
            high_standard_farmland_permille: v.high_standard_farmland_permille,
            labour_households: v.labour_households,
            labour_households_stable_work: v.labour_households_stable_work,
            groups_30plus: v.groups_30plus,
            groups_30plus_hardened_road: v.groups_30plus_hardened_road,
            settlements_200plus: v.settlements_200plus,
            settlements_200plus_sewage: v.settlements_200plus_sewage,
        }
    }
}

impl IndicatorsRow {
    /// Settlements of 200+ people with sewage treatment, `2/3` (— when not reported).
    pub fn sewage_line(&self) -> String {
        match (self.settlements_200plus_sewage, self.settlements_200plus) {
            (Some(p), Some(w)) => format!("{p}/{w}"),
            _ => "—".into(),
        }
    }
}

/// The indicators of the villages `codes` (of `counties`), every year: (village, year, row).
///
/// # Errors
/// Database failures.
pub fn load(
    conn: &mut PgConnection,
    counties: &[i32],
    codes: &[i64],
) -> Result<Vec<(i64, i32, IndicatorsRow)>, DomainError> {
    village_indicators::table
        .filter(village_indicators::county_code.eq_any(counties))
        .filter(village_indicators::region_code.eq_any(codes))
        .order((village_indicators::region_code, village_indicators::year))
        .select((
            village_indicators::region_code,
            village_indicators::year,
            IndicatorsRow::as_select(),
        ))
        .load(conn)
        .db()
}

/// The indicators of `village` in `year` (all unreported when none were entered). The caller
/// has read the profile, which checks the scope.
///
/// # Errors
/// Database failures.
pub fn of_year(
    conn: &mut PgConnection,
    village: RegionCode,
    year: i32,
) -> Result<IndicatorsRow, DomainError> {
    Ok(load(conn, &[village.county_code()], &[village.as_i64()])?
        .into_iter()
        .find(|(_, y, _)| *y == year)
        .map(|(_, _, i)| i)
        .unwrap_or_default())
}

/// Writes the indicators of `village`'s profile of `year`, replacing what was there; called
/// right after [`super::villages::put_profile`], which checked the caller may write it.
///
/// # Errors
/// Database failures.
pub fn put(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    year: i32,
    row: &IndicatorsRow,
) -> Result<(), DomainError> {
    diesel::insert_into(village_indicators::table)
        .values((
            village_indicators::county_code.eq(village.county_code()),
            village_indicators::region_code.eq(village.as_i64()),
            village_indicators::year.eq(year),
            row,
            village_indicators::updated_by.eq(ctx.caller.user_id),
            village_indicators::updated_at.eq(ctx.now),
        ))
        .on_conflict((
            village_indicators::county_code,
            village_indicators::region_code,
            village_indicators::year,
        ))
        .do_update()
        .set((
            row,
            village_indicators::updated_by.eq(ctx.caller.user_id),
            village_indicators::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    Ok(())
}

/// The English label of an issue-22 target, by code.
pub fn label_en(code: &str) -> Option<&'static str> {
    Some(match code {
        "industry_plan" => "Industry plan adopted",
        "garbage_sewage_system" => "Garbage and sewage treatment in place",
        "village_rules" => "Village rules (村规民约)",
        "committee_election" => "Village committee elected (换届)",
        "cultural_courtyard" => "Cultural courtyard (文化院坝)",
        "deliberation_council" => "Villagers' deliberation council",
        "civilization_station" => "Civilization practice station",
        "stable_work" => "Households with labour: someone in stable work",
        "group_roads" => "Groups of 30+ households on hardened roads",
        _ => return None,
    })
}

/// Records (or clears, with `None`) the day key village `id` adopted its industry plan (county
/// step, `villages:manage`). The day may not be in the future.
///
/// # Errors
/// `NotFound` outside scope or for another county; `Forbidden` without `villages:manage` at
/// the county; `Validation` naming `adopted_on`.
pub fn set_industry_plan(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    adopted_on: Option<NaiveDate>,
) -> Result<(), DomainError> {
    let (county_code, region_code): (i32, i64) = key_villages::table
        .filter(key_villages::id.eq(id))
        .select((key_villages::county_code, key_villages::region_code))
        .for_update()
        .first(conn)
        .db()?;
    let village = stored_code(region_code)?;
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    ctx.caller
        .require_at_level(domain::authz::perm::VILLAGES_MANAGE, Level::County, village)?;
    if adopted_on.is_some_and(|d| d > ctx.today()) {
        return Err(DomainError::field("adopted_on", domain::Rule::NotInFuture));
    }
    diesel::update(
        key_villages::table
            .filter(key_villages::county_code.eq(county_code))
            .filter(key_villages::id.eq(id)),
    )
    .set((
        key_villages::industry_plan_adopted_on.eq(adopted_on),
        key_villages::version.eq(key_villages::version + 1),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "key_village.industry_plan",
        "key_village",
        id,
        village,
        json!({ "adopted_on": adopted_on }),
    )
}
