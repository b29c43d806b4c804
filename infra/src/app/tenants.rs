//! Tenants: a platform administrator onboards a county with its first administrator.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::{Catalog, perm};
use domain::{DomainError, Level, RegionCode};
use serde_json::json;

use super::Ctx;
use super::users::{self, NewUser, UserView};
use crate::db::DbResultExt as _;
use crate::regions;
use crate::schema::{settings, tenants};

/// A tenant row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tenants)]
pub struct TenantRow {
    /// 6-digit county code.
    pub county_code: i32,
    /// 12-digit code of the county node.
    pub region_code: i64,
    /// County name.
    pub name: String,
    /// When onboarded.
    pub created_at: DateTime<Utc>,
}

/// Onboards `county` with its first administrator (password already hashed): tenant, empty
/// county settings, admin account and `tenant_admin` grant, all or nothing.
///
/// # Errors
/// `Forbidden` without `tenants:manage` over the county; `Validation` when the code is not a
/// known county; `Conflict` when it is already a tenant or the username is taken.
pub fn onboard(
    conn: &mut PgConnection,
    ctx: &Ctx,
    catalog: &Catalog,
    county: RegionCode,
    admin_username: &str,
    admin_display_name: &str,
    admin_password_hash: &str,
) -> Result<(TenantRow, UserView), DomainError> {
    ctx.caller.require_at(perm::TENANTS_MANAGE, county)?;
    let region = regions::get(conn, county).map_err(|e| match e {
        DomainError::NotFound => DomainError::field("county_code", domain::Rule::UnknownCode),
        other => other,
    })?;
    if region.level != Level::County {
        return Err(DomainError::field(
            "county_code",
            domain::Rule::other("must be a county-level division", "必须是县级行政区划"),
        ));
    }
    let row = diesel::insert_into(tenants::table)
        .values((
            tenants::county_code.eq(county.county_code()),
            tenants::region_code.eq(county.as_i64()),
            tenants::name.eq(&region.name),
            tenants::created_by.eq(ctx.caller.user_id),
        ))
        .returning(TenantRow::as_returning())
        .get_result(conn)
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::TenantExists,
                message: format!("{} is already a tenant", region.name),
            },
            other => other,
        })?;
    diesel::insert_into(settings::table)
        .values((
            settings::county_code.eq(county.county_code()),
            settings::region_code.eq(county.as_i64()),
            settings::updated_by.eq(ctx.caller.user_id),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "tenant.create",
        "tenant",
        county.county_code(),
        county,
        json!({ "name": region.name }),
    )?;
    let admin = users::create(
        conn,
        ctx,
        catalog,
        &NewUser {
            username: admin_username.to_string(),
            display_name: admin_display_name.to_string(),
            org: county,
            password_hash: admin_password_hash.to_string(),
            roles: vec!["tenant_admin".into()],
        },
    )?;
    Ok((row, admin))
}

/// Tenants the caller can see (their own county, or every county below a city or province),
/// by code after `after`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<TenantRow>, DomainError> {
    let mut q = tenants::table
        .select(TenantRow::as_select())
        .order(tenants::county_code)
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(tenants::county_code.gt(a));
    }
    q.load(conn).db()
}

/// One tenant.
///
/// # Errors
/// `NotFound` when it does not exist or the caller cannot see it.
pub fn get(conn: &mut PgConnection, county_code: i32) -> Result<TenantRow, DomainError> {
    tenants::table
        .find(county_code)
        .select(TenantRow::as_select())
        .first(conn)
        .db()
}
