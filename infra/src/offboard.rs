//! Tenant offboarding, an operator command run as the owner role: every row of a county, in
//! every tenant table, is written to a gzipped JSON-lines archive and then deleted, in one
//! transaction, and the offboarding is audited at the platform level with the row counts and
//! the archive's SHA-256. Reference data (regions, roles, catalogs) stays.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text};
use domain::RegionCode;
use sha2::Digest as _;

/// What was archived and removed.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Rows per table, in deletion order.
    pub tables: Vec<(String, i64)>,
    /// SHA-256 of the archive, hex.
    pub sha256: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Edge {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::Int8)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The tenant tables (those carrying `county_code`), children before parents.
fn tenant_tables(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let tables: Vec<String> = diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code')
          ORDER BY c.relname",
    )
    .load::<Name>(conn)?
    .into_iter()
    .map(|n| n.name)
    .collect();
    let edges: Vec<Edge> = diesel::sql_query(
        "SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint co
           JOIN pg_class ch ON ch.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid
          WHERE co.contype = 'f' AND ch.oid <> pa.oid",
    )
    .load(conn)?;
    // Repeatedly take the tables nothing left still refers to.
    let mut left = tables;
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                !edges
                    .iter()
                    .any(|e| &e.parent == *t && e.child != **t && left.contains(&e.child))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            bail!("the tenant tables refer to each other in a cycle: {left:?}");
        }
        left.retain(|t| !ready.contains(t));
        order.extend(ready);
    }
    Ok(order)
}

/// Archives every row of `county` to `out` (gzipped JSON lines: `{"table": …, "row": …}`), then
/// deletes them, in one transaction; `operator` names who did it in the audit row.
///
/// # Errors
/// Unknown county, database or file failures (nothing is deleted then).
pub fn run(owner_url: &str, county: i32, out: &Path, operator: &str) -> anyhow::Result<Report> {
    let code = RegionCode::from_i64(i64::from(county) * 1_000_000)
        .map_err(|e| anyhow::anyhow!("{county}: {e}"))?;
    let mut conn =
        PgConnection::establish(owner_url).context("cannot connect as the owner role")?;
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        // The whole platform is in scope; every statement names the county.
        let all = RegionCode::PLATFORM.subtree();
        diesel::sql_query(format!(
            "SELECT set_config('app.scope_lo', '{}', true), set_config('app.scope_hi', '{}', true)",
            all.lo(),
            all.hi()
        ))
        .execute(conn)?;
        let known: i64 =
            diesel::sql_query("SELECT count(*) AS n FROM tenants WHERE county_code = $1")
                .bind::<Int4, _>(county)
                .get_result::<N>(conn)?
                .n;
        if known == 0 {
            bail!("{county} is not a tenant");
        }
        let order = tenant_tables(conn)?;
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut report = Report::default();
        for t in &order {
            // The audit log is archived as it reads (`audit_events`: actions and actors
            // resolved from their dictionaries), so the archive stands on its own.
            let source = if t == "audit_log" { "audit_events" } else { t };
            let lines: Vec<Line> = diesel::sql_query(format!(
                "SELECT json_build_object('table', '{source}', 'row', to_jsonb(x))::text AS line \
                   FROM \"{source}\" x WHERE x.county_code = $1"
            ))
            .bind::<Int4, _>(county)
            .load(conn)?;
            for l in &lines {
                gz.write_all(l.line.as_bytes())?;
                gz.write_all(b"\n")?;
            }
            report
                .tables
                .push((t.clone(), i64::try_from(lines.len()).unwrap_or(i64::MAX)));
        }
        gz.finish()?.sync_all()?;
        report.sha256 = hex(&sha2::Sha256::digest(std::fs::read(out)?));
        // Children first; then again for rows that triggers wrote meanwhile (rollup deltas).
        for _ in 0..3 {
            let mut deleted = 0;
            for t in &order {
                deleted += diesel::sql_query(format!("DELETE FROM \"{t}\" WHERE county_code = $1"))
                    .bind::<Int4, _>(county)
                    .execute(conn)?;
            }
            if deleted == 0 {
                break;
            }
        }
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
                action: "tenant.offboarded",
                object_type: "tenant",
                object_id: Some(domain::region::county_code_string(county)),
                region: RegionCode::PLATFORM,
                reason: None,
                details: serde_json::json!({
                    "county": code.to_code_string(),
                    "archive_sha256": report.sha256,
                    "rows": report.tables.iter().filter(|(_, n)| *n > 0)
                        .map(|(t, n)| (t.clone(), serde_json::json!(n)))
                        .collect::<serde_json::Map<_, _>>(),
                }),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(report)
    })
    .and_then(|report| {
        // A county's rows are gone: statistics that still count them would mislead every plan
        // (tables that lost only a few rows keep statistics good enough).
        for (t, n) in &report.tables {
            if *n >= 1_000 {
                diesel::sql_query(format!("ANALYZE \"{t}\"")).execute(&mut conn)?;
            }
        }
        Ok(report)
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
