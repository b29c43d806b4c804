//! Database bootstrap (roles and database) and migrations.
//!
//! Roles are cluster-wide, so migrations never create them: `bootstrap` does, idempotently,
//! from an administrator connection. Migrations run as the owner role under an advisory lock,
//! so several instances starting at once do not race.

use anyhow::{Context as _, bail};
use diesel::migration::MigrationSource;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::{ExposeSecret as _, SecretString};

/// The SQL migrations, embedded at build time.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Name of the role the server connects as.
pub const APP_ROLE: &str = "zhenxing_app";
/// Name of the role that owns the schema and runs migrations.
pub const OWNER_ROLE: &str = "zhenxing_owner";
/// Name of the role that owns the login/refresh `SECURITY DEFINER` functions.
pub const DEFINER_ROLE: &str = "zhenxing_definer";

const LOCK_KEY: i64 = 0x5a48_584e_4731; // "ZHXNG1"

/// User name and password in a connection URL.
fn credentials(url: &SecretString) -> anyhow::Result<(String, String, String)> {
    let parsed = url::Url::parse(url.expose_secret()).context("malformed database URL")?;
    let user = percent_decode(parsed.username());
    let password = percent_decode(parsed.password().unwrap_or(""));
    let db = parsed.path().trim_start_matches('/').to_string();
    Ok((user, password, db))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Creates the three roles and the database if missing, from an administrator connection.
/// Role passwords come from the app and owner URLs. Safe to run again.
///
/// # Errors
/// When the administrator cannot connect or lacks CREATEROLE/CREATEDB.
pub fn bootstrap(
    admin_url: &SecretString,
    owner_url: &SecretString,
    app_url: &SecretString,
) -> anyhow::Result<()> {
    let (owner, owner_pw, db) = credentials(owner_url)?;
    let (app, app_pw, _) = credentials(app_url)?;
    if owner != OWNER_ROLE || app != APP_ROLE {
        bail!("the migration URL must log in as {OWNER_ROLE} and DATABASE_URL as {APP_ROLE}");
    }
    let mut admin = PgConnection::establish(admin_url.expose_secret())
        .context("cannot connect with the administrator URL")?;
    let role_exists =
        |c: &mut PgConnection, name: &str| -> anyhow::Result<bool> {
            Ok(diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists",
            )
            .bind::<Text, _>(name)
            .get_result::<Exists>(c)?
            .exists)
        };
    for (role, pw, extra) in [
        (
            OWNER_ROLE,
            owner_pw.as_str(),
            "LOGIN NOSUPERUSER NOBYPASSRLS",
        ),
        (
            APP_ROLE,
            app_pw.as_str(),
            "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
        ),
    ] {
        let verb = if role_exists(&mut admin, role)? {
            "ALTER"
        } else {
            "CREATE"
        };
        diesel::sql_query(format!(
            "{verb} ROLE {role} {extra} PASSWORD {}",
            quote_literal(pw)
        ))
        .execute(&mut admin)?;
    }
    if !role_exists(&mut admin, DEFINER_ROLE)? {
        diesel::sql_query(format!(
            "CREATE ROLE {DEFINER_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS"
        ))
        .execute(&mut admin)?;
    }
    diesel::sql_query(format!("GRANT {DEFINER_ROLE} TO {OWNER_ROLE}")).execute(&mut admin)?;
    let db_exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&db)
            .get_result::<Exists>(&mut admin)?
            .exists;
    if !db_exists {
        if !db.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            bail!("database name {db:?} must be plain letters, digits and underscores");
        }
        diesel::sql_query(format!("CREATE DATABASE {db} OWNER {OWNER_ROLE}"))
            .execute(&mut admin)?;
    }
    Ok(())
}

/// Runs pending migrations as the owner under an advisory lock; returns how many ran.
///
/// # Errors
/// When a migration fails (it is rolled back) or the owner cannot connect.
pub fn run_migrations(owner_url: &SecretString) -> anyhow::Result<usize> {
    let mut conn = PgConnection::establish(owner_url.expose_secret())
        .context("cannot connect with MIGRATION_DATABASE_URL")?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(LOCK_KEY)
        .execute(&mut conn)?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|v| v.len())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(LOCK_KEY)
        .execute(&mut conn)?;
    result
}

/// Whether the database answers and every embedded migration has been applied: what
/// `/health/ready` reports (`Err` when the database does not answer).
///
/// # Errors
/// No connection, or the query fails.
pub fn ready(db: &crate::db::Db) -> Result<bool, domain::DomainError> {
    let mut conn = db.raw()?;
    diesel::sql_query("SELECT 1")
        .execute(&mut *conn)
        .map_err(crate::db::map_db_error)?;
    migrations_current(&mut conn).map_err(domain::DomainError::Unexpected)
}

/// Whether every embedded migration has been applied (for `/health/ready`). Reads the
/// migrations table directly: the app role may not run diesel's own set-up DDL.
///
/// # Errors
/// When the migrations table cannot be read.
pub fn migrations_current(conn: &mut PgConnection) -> anyhow::Result<bool> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let applied: std::collections::HashSet<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Version>(conn)?
            .into_iter()
            .map(|v| v.version)
            .collect();
    let embedded = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("cannot list embedded migrations: {e}"))?;
    Ok(embedded
        .iter()
        .all(|m| applied.contains(&m.name().version().to_string())))
}
