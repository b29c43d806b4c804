//! CORS: the origins a county's browser front ends are served from. None by default.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, FieldError, Level};

use super::Ctx;
use crate::db::{Db, DbResultExt as _};
use crate::schema::cors_origins;

/// Checks an origin: `scheme://host[:port]`, https (or http for localhost), nothing after.
///
/// # Errors
/// The reason.
pub fn check_origin(origin: &str) -> Result<String, domain::Rule> {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, host) = o.split_once("://").ok_or_else(|| {
        domain::Rule::other(
            "must be an origin such as https://app.example.cn",
            "必须是来源地址,如 https://app.example.cn",
        )
    })?;
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ', '*']) {
        return Err(domain::Rule::other(
            "must be scheme://host[:port], with no path and no wildcard",
            "必须是 scheme://host[:port],不能有路径或通配符",
        ));
    }
    // The host exactly, with an optional port of digits: `127.0.0.1.evil.example` is not local.
    let name = match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => host,
    };
    let local = matches!(name, "localhost" | "127.0.0.1" | "[::1]");
    match scheme {
        "https" => Ok(o),
        "http" if local => Ok(o),
        _ => Err(domain::Rule::other(
            "must use https (http only for localhost)",
            "必须使用 https(仅 localhost 可用 http)",
        )),
    }
}

/// The origins of the caller's county.
///
/// # Errors
/// Database failures.
pub fn list(conn: &mut PgConnection) -> Result<Vec<(String, DateTime<Utc>)>, DomainError> {
    cors_origins::table
        .order(cors_origins::origin)
        .select((cors_origins::origin, cors_origins::created_at))
        .load(conn)
        .db()
}

/// Replaces the origins of the caller's county (at most 20).
///
/// # Errors
/// `Forbidden` away from the county level; `Validation` naming `origins[i]`.
pub fn replace(
    conn: &mut PgConnection,
    ctx: &Ctx,
    origins: &[String],
) -> Result<Vec<(String, DateTime<Utc>)>, DomainError> {
    let unit = ctx.caller.unit();
    ctx.caller
        .require_at_level(domain::authz::perm::CORS_MANAGE, Level::County, unit)?;
    let mut errs = Vec::new();
    let mut clean: Vec<String> = Vec::new();
    if origins.len() > 20 {
        errs.push(FieldError::new(
            "origins",
            domain::Rule::other("must list at most 20 origins", "最多列出 20 个来源"),
        ));
    }
    for (i, o) in origins.iter().enumerate() {
        match check_origin(o) {
            Ok(o) if !clean.contains(&o) => clean.push(o),
            Ok(_) => {}
            Err(m) => errs.push(FieldError::new(format!("origins[{i}]"), m)),
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    diesel::delete(cors_origins::table.filter(cors_origins::county_code.eq(unit.county_code())))
        .execute(conn)
        .db()?;
    for o in &clean {
        diesel::insert_into(cors_origins::table)
            .values((
                cors_origins::county_code.eq(unit.county_code()),
                cors_origins::origin.eq(o),
                cors_origins::region_code.eq(unit.as_i64()),
                cors_origins::created_by.eq(ctx.caller.user_id),
                cors_origins::created_at.eq(ctx.now),
            ))
            .execute(conn)
            .db()?;
    }
    ctx.audit(
        conn,
        "cors.replace",
        "tenant",
        unit.to_code_string(),
        unit,
        serde_json::json!({ "origins": clean }),
    )?;
    list(conn)
}

/// The counties that allow `origin` (read before any token, for preflights).
///
/// # Errors
/// Database failures.
pub fn counties_for(db: &Db, origin: &str) -> Result<Vec<i32>, DomainError> {
    // Only an origin the rule accepts today: one stored under an older, looser rule (plain
    // http to `localhost.evil.example`) is not honoured.
    if check_origin(origin).as_deref() != Ok(origin) {
        return Ok(Vec::new());
    }
    #[derive(QueryableByName)]
    struct C {
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Int4>)]
        counties: Vec<i32>,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_cors_counties($1) AS counties")
            .bind::<diesel::sql_types::Text, _>(origin)
            .get_result::<C>(c)
            .db()
            .map(|r| r.counties)
    })
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_are_exact_and_https() {
        assert_eq!(
            check_origin("https://App.example.cn/").as_deref(),
            Ok("https://app.example.cn")
        );
        assert!(check_origin("http://localhost:5173").is_ok());
        assert!(check_origin("http://app.example.cn").is_err());
        assert!(check_origin("https://*.example.cn").is_err());
        assert!(check_origin("https://app.example.cn/path").is_err());
        assert!(check_origin("app.example.cn").is_err());
        // Local means the host exactly, with or without a port.
        for local in [
            "http://127.0.0.1",
            "http://127.0.0.1:8080",
            "http://[::1]:3000",
        ] {
            assert!(check_origin(local).is_ok(), "{local}");
        }
        for spoof in [
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://[::1].evil.example",
            "http://localhost:80x",
        ] {
            assert!(check_origin(spoof).is_err(), "{spoof}");
        }
    }
}
