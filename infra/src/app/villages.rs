//! Villages: yearly profiles, county figures, key assistance villages with their plans, targets
//! (settings), yearly assessments and the county's decision to end key status (摘帽).

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::villages::{self as rules, Evaluated, Grade, Measurements, Point};
use domain::{DomainError, Level, RegionCode, Rule, Scope};
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::schema::{
    county_figures, households, key_village_assessments, key_villages, members, regions,
    village_profiles,
};

/// A village's profile of one year.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = village_profiles, treat_none_as_null = true)]
pub struct ProfileRow {
    /// Tenant.
    pub county_code: i32,
    /// Village.
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// 总户数 (reported).
    pub households: i32,
    /// 总人口 (reported).
    pub population: i32,
    /// 人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    pub collective_income_fen: i64,
    /// 耕地, tenths of a mu.
    pub cultivated_mu_tenths: i64,
    /// 林地, tenths of a mu.
    pub forest_mu_tenths: i64,
    /// 主要产业.
    pub main_industries: Vec<String>,
    /// 特色产业.
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    pub merged_village: bool,
    /// 原贫困村.
    pub former_poor_village: bool,
    /// 硬化路, permille.
    pub hardened_road_permille: Option<i32>,
    /// 自来水, permille.
    pub tap_water_permille: Option<i32>,
    /// 卫生厕所, permille.
    pub sanitary_toilet_permille: Option<i32>,
    /// 通电, permille.
    pub electricity_permille: Option<i32>,
    /// 适龄儿童入学率, permille.
    pub school_enrolment_permille: Option<i32>,
    /// Version.
    pub version: i32,
    /// By.
    pub updated_by: Uuid,
    /// At.
    pub updated_at: DateTime<Utc>,
}

impl ProfileRow {
    /// The row of a checked profile of `village` for `year` (version and author are set when
    /// it is written).
    pub fn new(village: RegionCode, year: i32, v: rules::ValidProfile) -> Self {
        Self {
            county_code: village.county_code(),
            region_code: village.as_i64(),
            year,
            households: v.households,
            population: v.population,
            per_capita_income_fen: v.per_capita_income_fen,
            collective_income_fen: v.collective_income_fen,
            cultivated_mu_tenths: v.cultivated_mu_tenths,
            forest_mu_tenths: v.forest_mu_tenths,
            main_industries: v.main_industries,
            featured_industries: v.featured_industries,
            merged_village: v.merged_village,
            former_poor_village: v.former_poor_village,
            hardened_road_permille: v.hardened_road_permille,
            tap_water_permille: v.tap_water_permille,
            sanitary_toilet_permille: v.sanitary_toilet_permille,
            electricity_permille: v.electricity_permille,
            school_enrolment_permille: v.school_enrolment_permille,
            version: 0,
            updated_by: Uuid::nil(),
            updated_at: Utc::now(),
        }
    }

    /// Whether the stored row says what `other` says (everything but version and author).
    pub fn same_values(&self, other: &Self) -> bool {
        let strip = |p: &Self| Self {
            version: 0,
            updated_by: Uuid::nil(),
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            ..p.clone()
        };
        strip(self) == strip(other)
    }
}

/// What the registry says about a village now.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Computed {
    /// Registered households (建档立卡, not removed).
    pub households: i64,
    /// Their members.
    pub population: i64,
}

fn check_village(ctx: &Ctx, village: RegionCode) -> Result<(), DomainError> {
    if village.level() != Level::Village || !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// What the registry holds for a village.
///
/// # Errors
/// Database failures.
pub fn computed(conn: &mut PgConnection, village: RegionCode) -> Result<Computed, DomainError> {
    let households: i64 = households::table
        .filter(households::county_code.eq(village.county_code()))
        .filter(households::region_code.eq(village.as_i64()))
        .filter(households::status.ne("removed"))
        .count()
        .get_result(conn)
        .db()?;
    let population: i64 = members::table
        .inner_join(
            households::table.on(households::county_code
                .eq(members::county_code)
                .and(households::id.eq(members::household_id))),
        )
        .filter(members::county_code.eq(village.county_code()))
        .filter(members::region_code.eq(village.as_i64()))
        .filter(households::status.ne("removed"))
        .count()
        .get_result(conn)
        .db()?;
    Ok(Computed {
        households,
        population,
    })
}

/// The profiles of a village, by year.
///
/// # Errors
/// `NotFound` outside scope.
pub fn profiles(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
) -> Result<Vec<ProfileRow>, DomainError> {
    check_village(ctx, village)?;
    village_profiles::table
        .filter(village_profiles::county_code.eq(village.county_code()))
        .filter(village_profiles::region_code.eq(village.as_i64()))
        .order(village_profiles::year)
        .select(ProfileRow::as_select())
        .load(conn)
        .db()
}

/// One year's profile.
///
/// # Errors
/// `NotFound` outside scope or without a profile that year.
pub fn profile(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    year: i32,
) -> Result<ProfileRow, DomainError> {
    check_village(ctx, village)?;
    village_profiles::table
        .filter(village_profiles::county_code.eq(village.county_code()))
        .filter(village_profiles::region_code.eq(village.as_i64()))
        .filter(village_profiles::year.eq(year))
        .select(ProfileRow::as_select())
        .first(conn)
        .db()
}

/// Creates or replaces a year's profile. A replacement needs the current version.
///
/// # Errors
/// `Forbidden` without `villages:write` there; `PreconditionRequired`/`PreconditionFailed`.
pub fn put_profile(
    conn: &mut PgConnection,
    ctx: &Ctx,
    mut p: ProfileRow,
    if_match: Option<i32>,
) -> Result<(ProfileRow, bool), DomainError> {
    let village = stored_code(p.region_code)?;
    check_village(ctx, village)?;
    ctx.caller.require_at(perm::VILLAGES_WRITE, village)?;
    super::users::check_org_unit(conn, "village_code", village)?;
    let current: Option<i32> = village_profiles::table
        .filter(village_profiles::county_code.eq(village.county_code()))
        .filter(village_profiles::region_code.eq(village.as_i64()))
        .filter(village_profiles::year.eq(p.year))
        .select(village_profiles::version)
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    p.county_code = village.county_code();
    p.updated_by = ctx.caller.user_id;
    p.updated_at = ctx.now;
    let created = current.is_none();
    let row = match current {
        None => {
            p.version = 1;
            diesel::insert_into(village_profiles::table)
                .values(&p)
                .returning(ProfileRow::as_returning())
                .get_result(conn)
                .db()?
        }
        Some(v) => {
            match if_match {
                None => return Err(DomainError::PreconditionRequired),
                Some(m) if m != v => return Err(DomainError::PreconditionFailed),
                Some(_) => {}
            }
            p.version = v + 1;
            diesel::update(
                village_profiles::table
                    .filter(village_profiles::county_code.eq(village.county_code()))
                    .filter(village_profiles::region_code.eq(village.as_i64()))
                    .filter(village_profiles::year.eq(p.year)),
            )
            .set(&p)
            .returning(ProfileRow::as_returning())
            .get_result(conn)
            .db()?
        }
    };
    ctx.audit(
        conn,
        if created {
            "village_profile.created"
        } else {
            "village_profile.updated"
        },
        "village_profile",
        format!("{village}/{}", row.year),
        village,
        json!({ "year": row.year, "version": row.version }),
    )?;
    Ok((row, created))
}

/// Sets a county's per-capita income of a year (the income-parity target compares with it).
///
/// # Errors
/// `Forbidden` without `villages:manage` at the county.
pub fn put_county_figure(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
    income_fen: i64,
) -> Result<(), DomainError> {
    if county.level() != Level::County || !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    ctx.caller
        .require_at_level(perm::VILLAGES_MANAGE, Level::County, county)?;
    diesel::insert_into(county_figures::table)
        .values((
            county_figures::county_code.eq(county.county_code()),
            county_figures::year.eq(year),
            county_figures::region_code.eq(county.as_i64()),
            county_figures::per_capita_income_fen.eq(income_fen),
            county_figures::updated_by.eq(ctx.caller.user_id),
            county_figures::updated_at.eq(ctx.now),
        ))
        .on_conflict((county_figures::county_code, county_figures::year))
        .do_update()
        .set((
            county_figures::per_capita_income_fen.eq(income_fen),
            county_figures::updated_by.eq(ctx.caller.user_id),
            county_figures::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "county_figure.set",
        "county_figure",
        format!("{}/{year}", county.county_code()),
        county,
        json!({ "per_capita_income_fen": income_fen }),
    )
}

/// A county's per-capita income of a year as set: the amount (fen), who set it and when.
pub type CountyFigure = (i64, Uuid, DateTime<Utc>);

/// A county's per-capita income of a year (`None` when not set).
///
/// # Errors
/// `NotFound` when the county is not in the caller's scope (users below the county never see
/// it: the row is the county's).
pub fn county_figure(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<Option<CountyFigure>, DomainError> {
    if county.level() != Level::County || !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    county_figures::table
        .filter(county_figures::county_code.eq(county.county_code()))
        .filter(county_figures::year.eq(year))
        .select((
            county_figures::per_capita_income_fen,
            county_figures::updated_by,
            county_figures::updated_at,
        ))
        .first(conn)
        .optional()
        .db()
}

/// A key village row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = key_villages)]
pub struct KeyVillageRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village.
    pub region_code: i64,
    /// First year of the designation.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// The plan (一村一策).
    pub plan: String,
    /// Its batch of projects.
    pub projects: Vec<String>,
    /// `active` or `exited`.
    pub status: String,
    /// By.
    pub designated_by: Uuid,
    /// At.
    pub designated_at: DateTime<Utc>,
    /// Exit decision date.
    pub exit_decided_on: Option<NaiveDate>,
    /// Its document number.
    pub exit_decision_no: Option<String>,
    /// Its reason.
    pub exit_reason: Option<String>,
    /// By.
    pub exit_decided_by: Option<Uuid>,
    /// Version.
    pub version: i32,
    /// The day its industry plan was adopted (issue 22).
    pub industry_plan_adopted_on: Option<NaiveDate>,
}

/// An assessment.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = key_village_assessments)]
pub struct AssessmentRow {
    /// Year.
    pub year: i32,
    /// Grade code.
    pub grade: String,
    /// Notes.
    pub notes: String,
    /// The targets as evaluated then.
    pub targets: serde_json::Value,
    /// By.
    pub assessed_by: Uuid,
    /// At.
    pub assessed_at: DateTime<Utc>,
}

/// A key village with its targets evaluated.
#[derive(Debug, Clone)]
pub struct KeyVillageView {
    /// The row.
    pub village: KeyVillageRow,
    /// Village name.
    pub name: String,
    /// The year evaluated.
    pub year: i32,
    /// Targets.
    pub targets: Vec<Evaluated>,
    /// Sum of the gaps.
    pub gap: f64,
    /// Assessments.
    pub assessments: Vec<AssessmentRow>,
    /// Per-capita income growth against the county's, year by year (seed 5).
    pub income_growth: Vec<domain::income_growth::GrowthYear>,
}

/// Designates a village as a key village for a period, with its plan (county step).
///
/// # Errors
/// `Conflict` `already_key` when it is an active key village.
pub fn designate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    (from_year, to_year): (i32, i32),
    plan: &str,
    projects: &[String],
) -> Result<KeyVillageView, DomainError> {
    if village.level() != Level::Village || !ctx.caller.scope().contains(village) {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        ));
    }
    ctx.caller
        .require_at_level(perm::VILLAGES_MANAGE, Level::County, village)?;
    super::users::check_org_unit(conn, "village_code", village)?;
    let id = Uuid::new_v4();
    diesel::insert_into(key_villages::table)
        .values((
            key_villages::county_code.eq(village.county_code()),
            key_villages::id.eq(id),
            key_villages::region_code.eq(village.as_i64()),
            key_villages::from_year.eq(from_year),
            key_villages::to_year.eq(to_year),
            key_villages::plan.eq(plan),
            key_villages::projects.eq(projects),
            key_villages::designated_by.eq(ctx.caller.user_id),
            key_villages::designated_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::AlreadyKey,
                message: "the village is an active key village already".into(),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "key_village.designated",
        "key_village",
        id,
        village,
        json!({ "from_year": from_year, "to_year": to_year, "projects": projects }),
    )?;
    get(conn, ctx, id, None)
}

/// The measurements of a village from its profiles and its county's figures.
fn measurements(profiles: &[&ProfileRow], county: &[(i32, i64)]) -> Measurements {
    let mut m = Measurements {
        county_income: county
            .iter()
            .map(|(y, v)| Point {
                year: *y,
                value: *v,
            })
            .collect(),
        ..Measurements::default()
    };
    for p in profiles {
        let at = |v: i64| Point {
            year: p.year,
            value: v,
        };
        m.collective_income.push(at(p.collective_income_fen));
        if let Some(v) = p.tap_water_permille {
            m.tap_water.push(at(i64::from(v)));
        }
        if let Some(v) = p.sanitary_toilet_permille {
            m.sanitary_toilet.push(at(i64::from(v)));
        }
        if let Some((_, avg)) = county.iter().find(|(y, _)| *y == p.year) {
            m.income_vs_county.push(at(p.per_capita_income_fen - avg));
        }
        m.leading_industry
            .push(at(i64::from(!p.main_industries.is_empty())));
        m.featured_industry
            .push(at(i64::from(!p.featured_industries.is_empty())));
    }
    m
}

/// Evaluates key villages as of `year`, loading what they need in a handful of queries
/// (profiles, county figures, names, assessments, one settings read per county) rather than
/// per village, so a province's report stays fast.
fn views(
    conn: &mut PgConnection,
    ctx: &Ctx,
    rows: Vec<KeyVillageRow>,
    year: i32,
) -> Result<Vec<KeyVillageView>, DomainError> {
    use std::collections::HashMap;
    let codes: Vec<i64> = rows.iter().map(|r| r.region_code).collect();
    let counties: Vec<i32> = {
        let mut c: Vec<i32> = rows.iter().map(|r| r.county_code).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let profiles: Vec<ProfileRow> = village_profiles::table
        .filter(village_profiles::county_code.eq_any(&counties))
        .filter(village_profiles::region_code.eq_any(&codes))
        .select(ProfileRow::as_select())
        .load(conn)
        .db()?;
    let mut by_village: HashMap<i64, Vec<&ProfileRow>> = HashMap::new();
    for p in &profiles {
        by_village.entry(p.region_code).or_default().push(p);
    }
    let mut indicators: HashMap<i64, Vec<(i32, super::village_indicators::IndicatorsRow)>> =
        HashMap::new();
    for (code, y, i) in super::village_indicators::load(conn, &counties, &codes)? {
        indicators.entry(code).or_default().push((y, i));
    }
    let mut figures: HashMap<i32, Vec<(i32, i64)>> = HashMap::new();
    for (c, y, v) in county_figures::table
        .filter(county_figures::county_code.eq_any(&counties))
        .select((
            county_figures::county_code,
            county_figures::year,
            county_figures::per_capita_income_fen,
        ))
        .load::<(i32, i32, i64)>(conn)
        .db()?
    {
        figures.entry(c).or_default().push((y, v));
    }
    let names: HashMap<i64, String> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select((regions::code, regions::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect();
    let mut assessed: HashMap<Uuid, Vec<AssessmentRow>> = HashMap::new();
    for (id, a) in key_village_assessments::table
        .filter(key_village_assessments::county_code.eq_any(&counties))
        .filter(key_village_assessments::key_village_id.eq_any(&ids))
        .order(key_village_assessments::year)
        .select((
            key_village_assessments::key_village_id,
            AssessmentRow::as_select(),
        ))
        .load::<(Uuid, AssessmentRow)>(conn)
        .db()?
    {
        assessed.entry(id).or_default().push(a);
    }
    let mut settings: HashMap<i32, domain::settings::KeyVillageSettings> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let s = match settings.get(&row.county_code) {
            Some(s) => s.clone(),
            None => {
                let s = super::settings::effective_for(conn, ctx, stored_code(row.region_code)?)?
                    .key_village;
                settings.insert(row.county_code, s.clone());
                s
            }
        };
        let mut m = measurements(
            by_village
                .get(&row.region_code)
                .map_or(&[][..], Vec::as_slice),
            figures.get(&row.county_code).map_or(&[][..], Vec::as_slice),
        );
        for (y, i) in indicators.get(&row.region_code).into_iter().flatten() {
            m.more.add(*y, &i.into());
        }
        if let Some(d) = row.industry_plan_adopted_on {
            m.more.industry_plan.push(Point {
                year: chrono::Datelike::year(&d),
                value: 1,
            });
        }
        let targets = rules::evaluate(&s, &m, year);
        let incomes: Vec<(i32, i64)> = by_village
            .get(&row.region_code)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|p| p.year <= year)
            .map(|p| (p.year, p.per_capita_income_fen))
            .collect();
        let income_growth = domain::income_growth::compare(
            &incomes,
            figures.get(&row.county_code).map_or(&[][..], Vec::as_slice),
        );
        out.push(KeyVillageView {
            income_growth,
            gap: rules::total_gap(&targets),
            name: names.get(&row.region_code).cloned().unwrap_or_default(),
            assessments: assessed.remove(&row.id).unwrap_or_default(),
            village: row,
            year,
            targets,
        });
    }
    Ok(out)
}

fn view(
    conn: &mut PgConnection,
    ctx: &Ctx,
    row: KeyVillageRow,
    year: i32,
) -> Result<KeyVillageView, DomainError> {
    views(conn, ctx, vec![row], year)?
        .pop()
        .ok_or(DomainError::NotFound)
}

/// A key village with its targets evaluated as of `year` (default: this year).
///
/// # Errors
/// `NotFound` outside scope.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: Option<i32>,
) -> Result<KeyVillageView, DomainError> {
    let row: KeyVillageRow = key_villages::table
        .filter(key_villages::id.eq(id))
        .select(KeyVillageRow::as_select())
        .first(conn)
        .db()?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&ctx.today()));
    view(conn, ctx, row, year)
}

/// Key villages in `within`, evaluated as of `year`, ranked by their gaps (largest first),
/// or by village code.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: Scope,
    year: i32,
    status: Option<&str>,
    by_gap: bool,
) -> Result<Vec<KeyVillageView>, DomainError> {
    let mut q = key_villages::table
        .filter(key_villages::region_code.between(within.lo(), within.hi()))
        .order((key_villages::region_code, key_villages::id))
        .select(KeyVillageRow::as_select())
        .limit(20_000)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(key_villages::status.eq(s.to_string()));
    }
    let rows: Vec<KeyVillageRow> = q.load(conn).db()?;
    let mut out = views(conn, ctx, rows, year)?;
    if by_gap {
        out.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    }
    Ok(out)
}

fn lock(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<KeyVillageRow, DomainError> {
    let row: KeyVillageRow = key_villages::table
        .filter(key_villages::id.eq(id))
        .select(KeyVillageRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    ctx.caller.require_at_level(
        perm::VILLAGES_MANAGE,
        Level::County,
        stored_code(row.region_code)?,
    )?;
    Ok(row)
}

/// Records the yearly assessment of a key village (county step), with its targets as
/// evaluated that year.
///
/// # Errors
/// `Validation` (`year`) for a year outside the designation (up to the year the village left)
/// or not begun; `Conflict` `assessed` for a second assessment of the year.
pub fn assess(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: i32,
    grade: Grade,
    notes: &str,
) -> Result<KeyVillageView, DomainError> {
    let row = lock(conn, ctx, id)?;
    // A year of the designation that has begun, up to the year the village left.
    let (first, now, left) = (row.from_year, ctx.today().year(), row.exit_decided_on);
    let last = left.map_or(row.to_year, |d| row.to_year.min(d.year()));
    if year < first || year > last || year > now {
        return Err(DomainError::field(
            "year",
            Rule::other(
                format!("must be a year of the designation ({first}–{last}), begun (now {now})"),
                format!("须为重点帮扶村认定期内({first}–{last}年)且已开始的年份(今年为 {now} 年)"),
            ),
        ));
    }
    let v = view(conn, ctx, row.clone(), year)?;
    diesel::insert_into(key_village_assessments::table)
        .values((
            key_village_assessments::county_code.eq(row.county_code),
            key_village_assessments::key_village_id.eq(id),
            key_village_assessments::year.eq(year),
            key_village_assessments::region_code.eq(row.region_code),
            key_village_assessments::grade.eq(grade.as_str()),
            key_village_assessments::notes.eq(notes),
            key_village_assessments::targets.eq(json!(v.targets)),
            key_village_assessments::assessed_by.eq(ctx.caller.user_id),
            key_village_assessments::assessed_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::Assessed,
                message: format!("the village was assessed for {year} already"),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "key_village.assessed",
        "key_village",
        id,
        stored_code(row.region_code)?,
        json!({ "year": year, "grade": grade.as_str() }),
    )?;
    view(conn, ctx, row, year)
}

/// The county's decision that a village leaves key status (摘帽).
///
/// # Errors
/// `Conflict` `exited` when it has left already.
pub fn exit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    decided_on: NaiveDate,
    decision_no: &str,
    reason: &str,
) -> Result<KeyVillageView, DomainError> {
    let row = lock(conn, ctx, id)?;
    if row.status == "exited" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Exited,
            message: "the village has left key status already".into(),
        });
    }
    diesel::update(
        key_villages::table
            .filter(key_villages::county_code.eq(row.county_code))
            .filter(key_villages::id.eq(id)),
    )
    .set((
        key_villages::status.eq("exited"),
        key_villages::exit_decided_on.eq(decided_on),
        key_villages::exit_decision_no.eq(decision_no),
        key_villages::exit_reason.eq(reason),
        key_villages::exit_decided_by.eq(ctx.caller.user_id),
        key_villages::version.eq(key_villages::version + 1),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "key_village.exited",
        "key_village",
        id,
        stored_code(row.region_code)?,
        json!({ "decided_on": decided_on, "decision_no": decision_no, "reason": reason }),
    )?;
    get(conn, ctx, id, None)
}
