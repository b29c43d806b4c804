//! Settings at a province or county: stored overrides and the effective record.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::settings::{Settings, no_overrides, resolve, resolve_county};
use domain::{DomainError, FieldError, Level, RegionCode};
use serde_json::{Value, json};

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{settings, tenants};

/// Settings of one province or county, with what it inherits.
#[derive(Debug, Clone)]
pub struct SettingsView {
    /// The province or county.
    pub region: RegionCode,
    /// What this level overrides.
    pub overrides: Value,
    /// What the province above overrides (counties only).
    pub inherited: Option<Value>,
    /// Defaults ← province ← county.
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
        Level::Province | Level::County => Ok(()),
        _ => Err(DomainError::field(
            "region_code",
            "settings exist only at a province or a county",
        )),
    }
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
    let (overrides, version, updated_at) = match own {
        Some((o, v, at)) => (o, v, Some(at)),
        None => (no_overrides(), 0, None),
    };
    let inherited = if region.level() == Level::County {
        let province = region.ancestor_at(Level::Province);
        Some(row(conn, province)?.map_or_else(no_overrides, |r| r.0))
    } else {
        None
    };
    let effective = match &inherited {
        Some(province) => resolve_county(province, &overrides)?.0,
        None => resolve(&[&overrides])?,
    };
    Ok(SettingsView {
        region,
        overrides,
        inherited,
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
            let province =
                row(conn, region.ancestor_at(Level::Province))?.map_or_else(no_overrides, |r| r.0);
            let (_, refused) = resolve_county(&province, overrides)?;
            if !refused.is_empty() {
                return Err(DomainError::Validation(refused));
            }
        }
        _ => {
            resolve(&[overrides])?;
            let scope = region.subtree();
            let counties: Vec<(i64, Value)> = settings::table
                .inner_join(tenants::table.on(tenants::region_code.eq(settings::region_code)))
                .filter(settings::region_code.between(scope.lo(), scope.hi()))
                .filter(settings::region_code.ne(region.as_i64()))
                .select((settings::region_code, settings::overrides))
                .load(conn)
                .db()?;
            let mut errs = Vec::new();
            for (code, county) in counties {
                if let Err(DomainError::Validation(e)) = resolve_county(overrides, &county) {
                    errs.extend(e.into_iter().map(|e| {
                        FieldError::new(
                            e.field,
                            format!(
                                "with county {:06}'s overrides: {}",
                                code / 1_000_000,
                                e.message
                            ),
                        )
                    }));
                }
            }
            if !errs.is_empty() {
                return Err(DomainError::Validation(errs));
            }
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
