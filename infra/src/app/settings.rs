//! Settings at a province, city or county: stored overrides and the effective record
//! (`defaults ← province ← city ← county`, see [`domain::settings::layers`]).

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::settings::{
    Settings, city_layer_for, no_overrides, resolve, resolve_city, resolve_county_in,
};
use domain::{DomainError, FieldError, Level, RegionCode};
use serde_json::{Value, json};

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::settings;

/// Settings of one province, city or county, with what it inherits.
#[derive(Debug, Clone)]
pub struct SettingsView {
    /// The province, city or county.
    pub region: RegionCode,
    /// What this level overrides (a city's with its per-county values under `counties`).
    pub overrides: Value,
    /// What the province above overrides (cities and counties).
    pub inherited: Option<Value>,
    /// What the city above sets for this county: its own values with its entry for the county
    /// merged over them (counties only).
    pub inherited_city: Option<Value>,
    /// Defaults ← province ← city ← county.
    pub effective: Settings,
    /// Version of this level's overrides (0 when none were ever stored).
    pub version: i32,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
}

fn row(
    conn: &mut PgConnection,
    region: RegionCode,
) -> Result<Option<(Value, i32, DateTime<Utc>)>, DomainError> {
    settings::table
        .filter(settings::county_code.eq(region.county_code()))
        .filter(settings::region_code.eq(region.as_i64()))
        .select((settings::overrides, settings::version, settings::updated_at))
        .first(conn)
        .optional()
        .db()
}

fn check_level(region: RegionCode) -> Result<(), DomainError> {
    match region.level() {
        Level::Province | Level::City | Level::County => Ok(()),
        _ => Err(DomainError::field(
            "region_code",
            domain::Rule::other(
                "settings exist only at a province, a city or a county",
                "只有省、市、县有设置",
            ),
        )),
    }
}

/// The province's and the city's overrides above `region` (empty where none are stored).
fn above(conn: &mut PgConnection, region: RegionCode) -> Result<(Value, Value), DomainError> {
    let layer = |conn: &mut PgConnection, level| -> Result<Value, DomainError> {
        Ok(row(conn, region.ancestor_at(level))?.map_or_else(no_overrides, |r| r.0))
    };
    let province = layer(conn, Level::Province)?;
    let city = if region.level() == Level::County {
        layer(conn, Level::City)?
    } else {
        no_overrides()
    };
    Ok((province, city))
}

/// Whether the caller's scope and `region` lie on one line of descent (either contains the other).
fn related(ctx: &Ctx, region: RegionCode) -> bool {
    let scope = ctx.caller.scope();
    scope.contains(region) || region.subtree().covers(scope)
}

/// Settings at `region` as the caller may see them.
///
/// # Errors
/// `NotFound` for a region off the caller's line of descent or a county that is no tenant;
/// `Validation` for a region that is neither province nor county.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
) -> Result<SettingsView, DomainError> {
    check_level(region)?;
    if !related(ctx, region) {
        return Err(DomainError::NotFound);
    }
    let own = row(conn, region)?;
    if region.level() == Level::County && own.is_none() {
        return Err(DomainError::NotFound);
    }
    let (mut overrides, version, updated_at) = match own {
        Some((o, v, at)) => (o, v, Some(at)),
        None => (no_overrides(), 0, None),
    };
    // A county (or a unit in it) reading its city's layer sees its own county's entry, not
    // its neighbours' (which counties there are, and what the city set for each).
    if region.level() == Level::City && !ctx.caller.scope().contains(region) {
        let mine = format!("{:06}", ctx.caller.org.county_code());
        if let Some(counties) = overrides
            .get_mut(domain::settings::layers::COUNTIES)
            .and_then(Value::as_object_mut)
        {
            counties.retain(|code, _| *code == mine);
        }
    }
    let (inherited, inherited_city, effective) = match region.level() {
        Level::County => {
            let (province, city) = above(conn, region)?;
            let code = region.county_code();
            let effective = resolve_county_in(&province, &city, code, &overrides)?.0;
            (Some(province), Some(city_layer_for(&city, code)), effective)
        }
        Level::City => {
            let (province, _) = above(conn, region)?;
            let effective = resolve_city(&province, region, &overrides)?.0;
            (Some(province), None, effective)
        }
        _ => (None, None, resolve(&[&overrides])?),
    };
    Ok(SettingsView {
        region,
        overrides,
        inherited,
        inherited_city,
        effective,
        version,
        updated_at,
    })
}

/// Replaces the overrides at `region`. A county may change only what the declarations of
/// [`domain::settings::owner`] let it (never a province-owned setting, thresholds only
/// tighter); a province change is checked against every county below it, so no county is left
/// with settings that do not validate.
///
/// # Errors
/// `Forbidden` without `settings:manage` there; `PreconditionFailed` on a stale version;
/// `Validation` naming each bad field.
pub fn put(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    expected_version: i32,
    overrides: &Value,
) -> Result<SettingsView, DomainError> {
    check_level(region)?;
    if !related(ctx, region) {
        return Err(DomainError::NotFound);
    }
    ctx.caller.require_at(perm::SETTINGS_MANAGE, region)?;
    // One writer at a time per province: each layer is checked against the layers above and
    // below it, and a province and a county (or a city) writing at once each checked against
    // the other's old layer, storing layers that together broke a cross-field rule.
    crate::db::lock_key(
        conn,
        47,
        &region.ancestor_at(Level::Province).to_code_string(),
    )?;
    let current: Option<(Value, i32, DateTime<Utc>)> = settings::table
        .filter(settings::county_code.eq(region.county_code()))
        .filter(settings::region_code.eq(region.as_i64()))
        .select((settings::overrides, settings::version, settings::updated_at))
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    if region.level() == Level::County && current.is_none() {
        return Err(DomainError::NotFound);
    }
    if current.as_ref().map_or(0, |r| r.1) != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    match region.level() {
        Level::County => {
            let (province, city) = above(conn, region)?;
            let (_, refused) =
                resolve_county_in(&province, &city, region.county_code(), overrides)?;
            refused_if_any(refused)?;
        }
        Level::City => {
            let (province, _) = above(conn, region)?;
            let (_, refused) = resolve_city(&province, region, overrides)?;
            refused_if_any(refused)?;
            let mut errs = Vec::new();
            for (code, county) in below(conn, region)? {
                if code.level() == Level::County {
                    let r = resolve_county_in(&province, overrides, code.county_code(), &county);
                    collect(&mut errs, code, r);
                }
            }
            refused_if_any(errs)?;
        }
        _ => {
            resolve(&[overrides])?;
            let rows = below(conn, region)?;
            let mut errs = Vec::new();
            for (code, layer) in &rows {
                match code.level() {
                    Level::City => {
                        let r = resolve_city(overrides, *code, layer);
                        collect(&mut errs, *code, r);
                    }
                    Level::County => {
                        let city_code = code.ancestor_at(Level::City);
                        let city = rows
                            .iter()
                            .find(|(c, _)| *c == city_code)
                            .map_or_else(no_overrides, |(_, v)| v.clone());
                        let r = resolve_county_in(overrides, &city, code.county_code(), layer);
                        collect(&mut errs, *code, r);
                    }
                    _ => {}
                }
            }
            refused_if_any(errs)?;
        }
    }
    let now = Utc::now();
    diesel::insert_into(settings::table)
        .values((
            settings::county_code.eq(region.county_code()),
            settings::region_code.eq(region.as_i64()),
            settings::overrides.eq(overrides),
            settings::updated_by.eq(ctx.caller.user_id),
            settings::updated_at.eq(now),
        ))
        .on_conflict((settings::county_code, settings::region_code))
        .do_update()
        .set((
            settings::overrides.eq(overrides),
            settings::version.eq(settings::version + 1),
            settings::updated_by.eq(ctx.caller.user_id),
            settings::updated_at.eq(now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "settings.update",
        "settings",
        region.to_code_string(),
        region,
        json!({ "before": current.map(|c| c.0), "after": overrides }),
    )?;
    get(conn, ctx, region)
}

fn refused_if_any(refused: Vec<FieldError>) -> Result<(), DomainError> {
    if refused.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(refused))
    }
}

/// The stored layers strictly below `region` (cities and counties).
fn below(
    conn: &mut PgConnection,
    region: RegionCode,
) -> Result<Vec<(RegionCode, Value)>, DomainError> {
    let scope = region.subtree();
    let rows: Vec<(i64, Value)> = settings::table
        .filter(settings::region_code.between(scope.lo(), scope.hi()))
        .filter(settings::region_code.ne(region.as_i64()))
        .select((settings::region_code, settings::overrides))
        .load(conn)
        .db()?;
    rows.into_iter()
        .map(|(code, v)| Ok((crate::app::stored_code(code)?, v)))
        .collect()
}

/// Adds what a change above leaves invalid in the layer at `code` (a layer the declarations
/// merely trim is fine: a read ignores what they refuse).
fn collect(
    errs: &mut Vec<FieldError>,
    code: RegionCode,
    r: Result<(Settings, Vec<FieldError>), DomainError>,
) {
    if let Err(DomainError::Validation(e)) = r {
        let (what, digits) = if code.level() == Level::City {
            ("city", code.county_code() / 100)
        } else {
            ("county", code.county_code())
        };
        let width = if what == "city" { 4 } else { 6 };
        errs.extend(e.into_iter().map(|e| {
            FieldError::new(
                e.field,
                domain::Rule::other(
                    format!("with {what} {digits:0width$}'s overrides: {}", e.rule),
                    format!(
                        "合并{} {digits:0width$} 的覆盖设置后:{}",
                        if what == "city" { "市" } else { "县" },
                        e.rule.message(domain::Lang::Zh)
                    ),
                ),
            )
        }));
    }
}

/// The effective settings for the county of `code` (for other use cases).
///
/// # Errors
/// As [`get`].
pub fn effective_for(
    conn: &mut PgConnection,
    ctx: &Ctx,
    code: RegionCode,
) -> Result<Settings, DomainError> {
    get(conn, ctx, code.ancestor_at(Level::County)).map(|v| v.effective)
}
