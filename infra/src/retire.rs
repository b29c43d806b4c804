//! Retiring old months of the audit log, an operator command run as the owner role: a month's
//! partition is detached from `audit_log` (CONCURRENTLY: readers and writers of the log never
//! wait on it), written to a gzipped JSON-lines archive with the dictionaries resolved (each line
//! `{"table":"audit_events","row":…}`, the same shape as an offboarding archive), checked (rows
//! written = rows in the partition), then dropped, and the retirement is audited at the platform
//! level with the row count and the archive's SHA-256. No DELETE, no vacuum debt.
//!
//! A month is retired once it ended longer ago than the longest `audit.retention_days` in force
//! anywhere (the default, every province's and every county's), and never sooner than
//! [`domain::settings::MIN_AUDIT_RETENTION_DAYS`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int8, Text};
use domain::RegionCode;
use sha2::Digest as _;

/// One retired month.
#[derive(Debug, Clone)]
pub struct Retired {
    /// `YYYY-MM` (months of China time).
    pub month: String,
    /// Rows archived.
    pub rows: i64,
    /// The archive written.
    pub file: PathBuf,
    /// SHA-256 of the archive, hex.
    pub sha256: String,
}

/// What a run found and did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The retention applied, in days.
    pub retention_days: i64,
    /// Months older than the retention (retired unless it was a dry run).
    pub months: Vec<Retired>,
}

#[derive(QueryableByName)]
struct Part {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    attached: bool,
    #[diesel(sql_type = Bool)]
    pending: bool,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = Int8)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The first instant after month `name` (`audit_log_YYYY_MM`), in UTC (months of China time).
fn month_end(name: &str) -> Option<(String, DateTime<Utc>)> {
    let rest = name.strip_prefix("audit_log_")?;
    let (y, m) = rest.split_once('_')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    let end = domain::calendar::start_of_day(next);
    Some((format!("{:04}-{:02}", first.year(), first.month()), end))
}

fn platform_scope(conn: &mut PgConnection) -> QueryResult<usize> {
    let all = RegionCode::PLATFORM.subtree();
    diesel::sql_query(format!(
        "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
        all.lo(),
        all.hi()
    ))
    .execute(conn)
}

/// The longest audit retention in force anywhere, in days.
fn longest_retention(conn: &mut PgConnection) -> anyhow::Result<i64> {
    let overrides: i64 = conn.transaction::<_, anyhow::Error, _>(|c| {
        platform_scope(c)?;
        Ok(diesel::sql_query(
            "SELECT coalesce(max((overrides #>> '{audit,retention_days}')::bigint), 0) AS n FROM settings",
        )
        .get_result::<N>(c)?
        .n)
    })?;
    let default = domain::settings::Settings::default().audit.retention_days;
    Ok(overrides
        .max(default)
        .max(domain::settings::MIN_AUDIT_RETENTION_DAYS))
}

/// Retires every month of the audit log that ended more than the longest retention before
/// `now`: detach, archive into `out_dir/audit-YYYY-MM.jsonl.gz`, check, drop, audit. With
/// `dry_run` only lists them. A run interrupted after detaching picks the detached month up
/// again. `operator` names who did it in the audit row.
///
/// # Errors
/// Database or file failures (a month is dropped only after its archive is written, synced
/// and counted).
pub fn run(
    owner_url: &str,
    now: DateTime<Utc>,
    out_dir: &Path,
    dry_run: bool,
    operator: &str,
) -> anyhow::Result<Report> {
    let mut conn =
        PgConnection::establish(owner_url).context("cannot connect as the owner role")?;
    let retention_days = longest_retention(&mut conn)?;
    let cutoff = now - Duration::days(retention_days);
    let parts: Vec<Part> = diesel::sql_query(
        "SELECT c.relname AS name, c.relispartition AS attached,
                coalesce((SELECT i.inhdetachpending FROM pg_inherits i WHERE i.inhrelid = c.oid), false) AS pending
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ '^audit_log_[0-9]{4}_[0-9]{2}$'
          ORDER BY 1",
    )
    .load(&mut conn)?;
    let mut report = Report {
        retention_days,
        months: Vec::new(),
    };
    for p in parts {
        let Some((month, end)) = month_end(&p.name) else {
            continue;
        };
        if end > cutoff {
            continue;
        }
        let file = out_dir.join(format!("audit-{month}.jsonl.gz"));
        if dry_run {
            let rows = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{}\"", p.name))
                .get_result::<N>(&mut conn)?
                .n;
            report.months.push(Retired {
                month,
                rows,
                file,
                sha256: String::new(),
            });
            continue;
        }
        // Detach first (outside a transaction: CONCURRENTLY), finishing an interrupted one.
        if p.attached {
            let how = if p.pending {
                "FINALIZE"
            } else {
                "CONCURRENTLY"
            };
            diesel::sql_query(format!(
                "ALTER TABLE audit_log DETACH PARTITION \"{}\" {how}",
                p.name
            ))
            .execute(&mut conn)
            .with_context(|| format!("cannot detach {}", p.name))?;
        }
        report
            .months
            .push(archive(&mut conn, &p.name, &month, &file, operator)?);
    }
    Ok(report)
}

/// Archives the detached month `table` into `file`, then drops it and audits, in one
/// transaction.
fn archive(
    conn: &mut PgConnection,
    table: &str,
    month: &str,
    file: &Path,
    operator: &str,
) -> anyhow::Result<Retired> {
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        platform_scope(conn)?;
        let expected = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{table}\""))
            .get_result::<N>(conn)?
            .n;
        let partial = file.with_extension("gz.part");
        let out = std::fs::File::create(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        // A cursor: a month may hold billions of rows, never all in memory.
        diesel::sql_query(format!(
            "DECLARE retire NO SCROLL CURSOR FOR
             SELECT json_build_object('table', 'audit_events', 'row', to_jsonb(v))::text AS line
               FROM (SELECT l.county_code, l.id, l.at, l.request_id, l.actor_id,
                            a.username AS actor_username, coalesce(a.roles, '{{}}'::text[]) AS actor_roles,
                            a.org AS actor_org, k.action, k.object_type, l.object_id, l.region_code,
                            l.reason, l.details
                       FROM \"{table}\" l
                       JOIN audit_kinds k ON k.id = l.kind
                       LEFT JOIN audit_actors a ON a.id = l.actor) v"
        ))
        .execute(conn)?;
        let mut rows = 0_i64;
        loop {
            let lines: Vec<Line> = diesel::sql_query("FETCH 10000 FROM retire").load(conn)?;
            if lines.is_empty() {
                break;
            }
            for l in &lines {
                gz.write_all(l.line.as_bytes())?;
                gz.write_all(b"\n")?;
            }
            rows += i64::try_from(lines.len()).unwrap_or(i64::MAX);
        }
        diesel::sql_query("CLOSE retire").execute(conn)?;
        gz.finish()?.sync_all()?;
        if rows != expected {
            bail!("{table}: {rows} rows archived but {expected} in the table; nothing dropped");
        }
        std::fs::rename(&partial, file)
            .with_context(|| format!("cannot rename to {}", file.display()))?;
        let mut hasher = sha2::Sha256::new();
        let mut f = std::fs::File::open(file)?;
        let mut buf = vec![0_u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut f, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let sha256 = hex(&hasher.finalize());
        diesel::sql_query(format!("DROP TABLE \"{table}\"")).execute(conn)?;
        crate::audit::record(
            conn,
            &crate::audit::Actor {
                id: None,
                username: Some(operator.to_string()),
                roles: vec!["operator".into()],
                org: None,
                request_id: None,
            },
            &crate::audit::Entry {
                action: "audit.month_retired",
                object_type: "audit_log",
                object_id: Some(month.to_string()),
                region: RegionCode::PLATFORM,
                reason: None,
                details: serde_json::json!({
                    "month": month,
                    "rows": rows,
                    "archive": file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                    "archive_sha256": sha256,
                }),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Retired {
            month: month.to_string(),
            rows,
            file: file.to_path_buf(),
            sha256,
        })
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_ends_at_midnight_china_time() {
        let Some((m, end)) = month_end("audit_log_2026_12") else {
            panic!("a month name");
        };
        assert_eq!(m, "2026-12");
        assert_eq!(end.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert!(month_end("audit_log_2026_13").is_none());
        assert!(month_end("audit_log_x").is_none());
    }
}
