//! Retiring old months of the tables partitioned by month ([`crate::partitions::TABLES`]), an
//! operator command run as the owner role: a month's partition is detached from its table
//! (CONCURRENTLY: readers and writers never wait on it), written to a gzipped JSON-lines archive
//! (each line `{"table":…,"row":…}`, the audit log's dictionaries resolved: the same shape as an
//! offboarding archive), checked (rows written = rows in the partition), then dropped, and the
//! retirement is audited at the platform level with the row count and the archive's SHA-256. No
//! DELETE, no vacuum debt.
//!
//! The audit log's months are retired once they ended longer ago than the longest
//! `audit.retention_days` in force anywhere (the default, every province's and every county's),
//! and never sooner than [`domain::settings::MIN_AUDIT_RETENTION_DAYS`]; the other tables' after
//! their [`Retention`] (operator settings, each with a floor).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int8, Text};
use domain::RegionCode;
use sha2::Digest as _;

use crate::partitions::{self, Monthly};

/// How long the tables other than the audit log keep their months, in days (operator settings;
/// a month goes once it ended longer ago than this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Households' history: timelines and as-of reads before it are gone with it.
    pub household_events_days: i64,
    /// Import jobs' row errors.
    pub job_errors_days: i64,
    /// Webhook deliveries (a month with a delivery still pending waits).
    pub webhook_deliveries_days: i64,
    /// Failed logins (the throttles look back minutes only).
    pub login_attempts_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            household_events_days: 3650,
            job_errors_days: 180,
            webhook_deliveries_days: 180,
            login_attempts_days: 30,
        }
    }
}

impl Retention {
    /// The shortest each may be: a household's history at least as long as the audit log's
    /// minimum; job errors and deliveries a month (a county looks at last month's import); login
    /// attempts a day (longer than any throttle window).
    pub const FLOORS: Self = Self {
        household_events_days: domain::settings::MIN_AUDIT_RETENTION_DAYS,
        job_errors_days: 30,
        webhook_deliveries_days: 30,
        login_attempts_days: 1,
    };

    /// The retention of `table` (not the audit log, whose retention is a county setting).
    #[must_use]
    pub fn days(&self, table: &str) -> Option<i64> {
        match table {
            "household_events" => Some(self.household_events_days),
            "job_errors" => Some(self.job_errors_days),
            "webhook_deliveries" => Some(self.webhook_deliveries_days),
            "login_attempts" => Some(self.login_attempts_days),
            _ => None,
        }
    }

    /// Checks every retention against its floor; the error names the table and the floor.
    ///
    /// # Errors
    /// A retention below its floor.
    pub fn check(&self) -> anyhow::Result<()> {
        for t in partitions::TABLES
            .iter()
            .filter(|t| t.parent != "audit_log")
        {
            let (Some(days), Some(floor)) = (self.days(t.parent), Self::FLOORS.days(t.parent))
            else {
                continue;
            };
            if days < floor {
                bail!(
                    "{} retention of {days} days is below its floor of {floor} days",
                    t.parent
                );
            }
        }
        Ok(())
    }
}

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

/// What a run found and did, for one table.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The table.
    pub table: String,
    /// The retention applied, in days.
    pub retention_days: i64,
    /// Months older than the retention (retired unless it was a dry run).
    pub months: Vec<Retired>,
    /// Months older than the retention kept for now, with the reason (work still in flight).
    pub held: Vec<(String, String)>,
    /// `household_events`: households with no history left (retired before months carried
    /// their state forward) given a `baseline` of their state now (a dry run: found).
    pub baselines: usize,
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

/// Writes every line (a `line` text column) of the open cursor `cursor` to `out`, `batch` at a
/// time, one per line, then closes the cursor; how many (archives of retired months and of
/// offboarded counties, never all in memory).
///
/// # Errors
/// Database or write failures.
pub(crate) fn drain(
    conn: &mut PgConnection,
    cursor: &str,
    batch: usize,
    out: &mut impl std::io::Write,
) -> anyhow::Result<i64> {
    let mut rows = 0_i64;
    loop {
        let lines: Vec<Line> =
            diesel::sql_query(format!("FETCH {batch} FROM {cursor}")).load(conn)?;
        if lines.is_empty() {
            break;
        }
        for l in &lines {
            out.write_all(l.line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        rows += i64::try_from(lines.len()).unwrap_or(i64::MAX);
    }
    diesel::sql_query(format!("CLOSE {cursor}")).execute(conn)?;
    Ok(rows)
}

/// The first instant after month `name` (`<parent>_YYYY_MM`), in UTC (months of China time).
fn month_end(parent: &str, name: &str) -> Option<(String, DateTime<Utc>)> {
    let (label, first) = month_of(parent, name)?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((label, domain::calendar::start_of_day(next)))
}

/// Month `name` (`<parent>_YYYY_MM`) as `YYYY-MM` and its first day.
fn month_of(parent: &str, name: &str) -> Option<(String, NaiveDate)> {
    let rest = name.strip_prefix(parent)?.strip_prefix('_')?;
    let (y, m) = rest.split_once('_')?;
    let first = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
    Some((format!("{:04}-{:02}", first.year(), first.month()), first))
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
/// Another run under way ([`one_at_a_time`]); database or file failures (a month is dropped
/// only after its archive is written, synced and counted).
pub fn run(
    owner_url: &str,
    now: DateTime<Utc>,
    out_dir: &Path,
    dry_run: bool,
    operator: &str,
) -> anyhow::Result<Report> {
    let mut conn =
        PgConnection::establish(owner_url).context("cannot connect as the owner role")?;
    one_at_a_time(&mut conn, |conn| {
        let days = longest_retention(conn)?;
        retire(
            conn,
            &partitions::AUDIT,
            days,
            now,
            out_dir,
            dry_run,
            operator,
        )
    })
}

/// Retires the old months of every table partitioned by month (the audit log by its longest
/// retention, the others by `retention`), as [`run`] does for the audit log; one report per
/// table. Archives are `out_dir/<table>-YYYY-MM.jsonl.gz` (the audit log's `audit-YYYY-MM…`).
///
/// # Errors
/// A retention below its floor; another run under way ([`one_at_a_time`]); no month of
/// `household_events` attached (the server makes them); database or file failures.
pub fn run_all(
    owner_url: &str,
    retention: &Retention,
    now: DateTime<Utc>,
    out_dir: &Path,
    dry_run: bool,
    operator: &str,
) -> anyhow::Result<Vec<Report>> {
    retention.check()?;
    let mut conn =
        PgConnection::establish(owner_url).context("cannot connect as the owner role")?;
    one_at_a_time(&mut conn, |conn| {
        let mut reports = Vec::new();
        for table in &partitions::TABLES {
            let days = match retention.days(table.parent) {
                Some(d) => d,
                None => longest_retention(conn)?,
            };
            reports.push(retire(conn, table, days, now, out_dir, dry_run, operator)?);
        }
        // After every table's months (a failure here leaves them retired), and after the
        // carries.
        let baselines = backfill(conn, dry_run, operator)?;
        if let Some(r) = reports
            .iter_mut()
            .find(|r| r.table == partitions::HOUSEHOLD_EVENTS.parent)
        {
            r.baselines = baselines;
        }
        Ok(reports)
    })
}

fn archive_prefix(table: &Monthly) -> &'static str {
    if table.parent == "audit_log" {
        "audit"
    } else {
        table.parent
    }
}

fn retire(
    conn: &mut PgConnection,
    table: &Monthly,
    retention_days: i64,
    now: DateTime<Utc>,
    out_dir: &Path,
    dry_run: bool,
    operator: &str,
) -> anyhow::Result<Report> {
    let cutoff = now - Duration::days(retention_days);
    let mut report = Report {
        table: table.parent.to_string(),
        retention_days,
        months: Vec::new(),
        held: Vec::new(),
        baselines: 0,
    };
    // Oldest first, listed again after each month: a month that carries its state forward
    // may make the next month (if it had none), which may be due as well.
    let mut seen = std::collections::HashSet::new();
    loop {
        let parts = months(conn, table)?;
        let Some((p, month, end)) = parts
            .into_iter()
            .filter(|p| !seen.contains(&p.name))
            .filter_map(|p| month_end(table.parent, &p.name).map(|(m, e)| (p, m, e)))
            .find(|(_, _, end)| *end <= cutoff)
        else {
            break;
        };
        seen.insert(p.name.clone());
        if let Some(busy) = table.busy {
            let n = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM \"{}\" AS t WHERE {busy}",
                p.name
            ))
            .get_result::<N>(conn)?
            .n;
            if n > 0 {
                report
                    .held
                    .push((month, format!("{n} rows still in flight ({busy})")));
                continue;
            }
        }
        let file = out_dir.join(format!("{}-{month}.jsonl.gz", archive_prefix(table)));
        if dry_run {
            let rows = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{}\"", p.name))
                .get_result::<N>(conn)?
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
                "ALTER TABLE \"{}\" DETACH PARTITION \"{}\" {how}",
                table.parent, p.name
            ))
            .execute(conn)
            .with_context(|| format!("cannot detach {}", p.name))?;
        }
        report.months.push(archive(
            conn,
            table,
            &p.name,
            (&month, end),
            &file,
            operator,
        )?);
    }
    Ok(report)
}

/// The month partitions of `table` there are, attached or detached, oldest first.
fn months(conn: &mut PgConnection, table: &Monthly) -> QueryResult<Vec<Part>> {
    diesel::sql_query(format!(
        "SELECT c.relname AS name, c.relispartition AS attached,
                coalesce((SELECT i.inhdetachpending FROM pg_inherits i WHERE i.inhrelid = c.oid), false) AS pending
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ '^{}_[0-9]{{4}}_[0-9]{{2}}$'
          ORDER BY 1",
        table.parent
    ))
    .load(conn)
}

/// Households whose history was wholly retired before months carried their state forward get a
/// `baseline` of their state now at the start of the oldest month kept
/// ([`crate::app::cases::backfill_baselines`]): one repeatable-read transaction per batch
/// (rerun after a failure, it goes on where it stopped: done households have history), then
/// `partition.baselines_backfilled` with how many this run gave one. While that record is kept
/// later runs skip the search (every retirement since carries each household's state forward;
/// once the audit month holding it is retired, one more search finds none and records again).
/// A dry run counts them (none while the record exists).
fn backfill(conn: &mut PgConnection, dry_run: bool, operator: &str) -> anyhow::Result<usize> {
    const ACTION: &str = "partition.baselines_backfilled";
    let table = &partitions::HOUSEHOLD_EVENTS;
    let Some((month, first)) = months(conn, table)?
        .iter()
        .filter(|p| p.attached)
        .find_map(|p| month_of(table.parent, &p.name))
    else {
        bail!(
            "no month of household_events is attached: start the server once (it makes the months), then run again"
        );
    };
    let done = conn.transaction::<_, anyhow::Error, _>(|c| {
        platform_scope(c)?;
        Ok(diesel::sql_query(format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM audit_events \
              WHERE county_code = 0 AND action = '{ACTION}' LIMIT 1) d"
        ))
        .get_result::<N>(c)?
        .n > 0)
    })?;
    if done {
        return Ok(0);
    }
    if dry_run {
        return conn.transaction::<_, anyhow::Error, _>(|c| {
            platform_scope(c)?;
            crate::app::cases::count_without_history(c).map_err(|e| anyhow::anyhow!("{e}"))
        });
    }
    let boundary = domain::calendar::start_of_day(first);
    let (mut total, mut after) = (0, None);
    loop {
        let batch = conn
            .build_transaction()
            .repeatable_read()
            .run::<_, anyhow::Error, _>(|c| {
                platform_scope(c)?;
                crate::app::cases::backfill_baselines(c, boundary, after, 1000)
                    .map_err(|e| anyhow::anyhow!("{e}"))
            })
            .context("cannot give households without history a baseline")?;
        let Some((n, last)) = batch else {
            break;
        };
        total += n;
        after = Some(last);
    }
    conn.transaction::<_, anyhow::Error, _>(|c| {
        platform_scope(c)?;
        crate::audit::record(
            c,
            &operator_actor(operator),
            &crate::audit::Entry {
                action: ACTION,
                object_type: table.parent,
                object_id: Some(month),
                region: RegionCode::PLATFORM,
                reason: None,
                details: serde_json::json!({ "table": table.parent, "households": total, "at": boundary }),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .with_context(|| {
        format!("{total} households were given a baseline but the record was not written: run again")
    })?;
    Ok(total)
}

/// Runs `f` holding the retirement's lock (a session advisory lock on `conn`), released when
/// `f` returns, whatever it returns; fails at once when another run holds it: two runs at once
/// would detach the same month, or give a household two baselines.
fn one_at_a_time<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    #[derive(QueryableByName)]
    struct Got {
        #[diesel(sql_type = Bool)]
        got: bool,
    }
    const KEY: &str = "hashtextextended('zx-retire-months', 0)";
    let got = diesel::sql_query(format!("SELECT pg_try_advisory_lock({KEY}) AS got"))
        .get_result::<Got>(conn)?
        .got;
    if !got {
        bail!("another retire-months (or audit-retire) run is under way: wait for it to finish");
    }
    let out = f(conn);
    // Released here rather than when the connection closes (which the server finishes after
    // the client has gone: a run started right after could still find it held).
    if let Err(e) = diesel::sql_query(format!("SELECT pg_advisory_unlock({KEY}) AS got"))
        .get_result::<Got>(conn)
    {
        tracing::warn!(error = %e, "could not release the retirement lock (the session's end will)");
    }
    out
}

fn operator_actor(operator: &str) -> crate::audit::Actor {
    crate::audit::Actor {
        id: None,
        username: Some(operator.to_string()),
        roles: vec!["operator".into()],
        org: None,
        request_id: None,
    }
}

/// Archives the detached month `table` (`YYYY-MM`, ending at `end`) into `file`, carries
/// forward what the months after it need ([`Monthly::carry`]), then drops it and audits, in one
/// transaction.
fn archive(
    conn: &mut PgConnection,
    monthly: &Monthly,
    table: &str,
    (month, end): (&str, DateTime<Utc>),
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
             SELECT json_build_object('table', '{}', 'row', to_jsonb(v))::text AS line
               FROM ({}) v",
            monthly.archive_as,
            monthly.rows.replace("{table}", table)
        ))
        .execute(conn)?;
        let rows = drain(conn, "retire", 10_000, &mut gz)?;
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
        let mut carried = 0;
        // An empty month carries nothing (and makes no month after it).
        if let (Some(carry), true) = (monthly.carry, rows > 0) {
            let end = end.to_rfc3339();
            diesel::sql_query(format!(
                "SELECT zx_month_partitions('{}', '{end}', '{end}')",
                monthly.parent
            ))
            .execute(conn)?;
            carried = diesel::sql_query(carry.replace("{table}", table).replace("{end}", &end))
                .execute(conn)
                .with_context(|| format!("cannot carry {table} forward"))?;
        }
        diesel::sql_query(format!("DROP TABLE \"{table}\"")).execute(conn)?;
        crate::audit::record(
            conn,
            &operator_actor(operator),
            &crate::audit::Entry {
                action: if monthly.parent == "audit_log" {
                    "audit.month_retired"
                } else {
                    "partition.month_retired"
                },
                object_type: monthly.parent,
                object_id: Some(month.to_string()),
                region: RegionCode::PLATFORM,
                reason: None,
                details: serde_json::json!({
                    "table": monthly.parent,
                    "month": month,
                    "rows": rows,
                    "carried": carried,
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
        let Some((m, end)) = month_end("audit_log", "audit_log_2026_12") else {
            panic!("a month name");
        };
        assert_eq!(m, "2026-12");
        assert_eq!(end.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert!(month_end("audit_log", "audit_log_2026_13").is_none());
        assert!(month_end("audit_log", "audit_log_x").is_none());
        assert!(month_end("job_errors", "audit_log_2026_12").is_none());
        let Some((m, _)) = month_end("household_events", "household_events_2027_01") else {
            panic!("a month name");
        };
        assert_eq!(m, "2027-01");
    }
}
