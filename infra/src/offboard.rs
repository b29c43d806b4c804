//! Tenant offboarding, an operator command run as the owner role: every row of a county, in
//! every tenant table, is written to a gzipped JSON-lines archive and then deleted, in one
//! transaction, and the offboarding is audited at the platform level with the row counts and
//! the archive's SHA-256. Reference data (regions, roles, catalogs) stays. The county's stored
//! attachments go into the same archive (one `{"file": …}` line each, the bytes in base64,
//! checked against their SHA-256 first) and leave the attachment store once the rows are gone.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text};
use domain::RegionCode;
use sha2::Digest as _;

use crate::files::Store;

/// What was archived and removed.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Rows per table, in deletion order.
    pub tables: Vec<(String, i64)>,
    /// SHA-256 of the archive, hex.
    pub sha256: String,
    /// Stored attachment files archived (and removed from the store).
    pub files: usize,
    /// Rows of the county written by others while the archive was being made: not in the
    /// archive, so not deleted (nor their files); a second run archives and removes them.
    pub left_behind: i64,
}

#[derive(QueryableByName)]
struct UserId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
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
struct FileRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    storage_key: String,
    #[diesel(sql_type = Text)]
    sha256: String,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    size_bytes: i64,
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

/// Whether `county` is no tenant and no table of `order` holds a row of it.
fn nothing_left(conn: &mut PgConnection, order: &[String], county: i32) -> anyhow::Result<bool> {
    let known: i64 = diesel::sql_query("SELECT count(*) AS n FROM tenants WHERE county_code = $1")
        .bind::<Int4, _>(county)
        .get_result::<N>(conn)?
        .n;
    Ok(known == 0 && count_rows(conn, order, county)? == 0)
}

/// Removes the county's files from `store` but those in `kept` (of rows still there), going on
/// past a file it cannot remove; how many it removed.
///
/// # Errors
/// Listing the store, or any file it could not remove (named; a later run removes them).
fn remove_files(
    store: &dyn Store,
    county: i32,
    kept: &std::collections::HashSet<String>,
) -> anyhow::Result<usize> {
    let mut removed = 0;
    let mut failed = Vec::new();
    for key in store
        .keys(county)?
        .into_iter()
        .filter(|k| !kept.contains(k))
    {
        match store.delete(&key) {
            Ok(()) => removed += 1,
            Err(e) => failed.push(format!("{key}: {e:#}")),
        }
    }
    if !failed.is_empty() {
        bail!(
            "the rows are deleted and archived, but {} files could not be removed from the attachment store (run offboard again to remove them): {}",
            failed.len(),
            failed.join("; ")
        );
    }
    Ok(removed)
}

/// Archives every row of `county` to `out` (gzipped JSON lines: `{"table": …, "row": …}`), and
/// each stored attachment of it (`{"file": {"attachment_id", "storage_key", "sha256",
/// "size_bytes", "content_base64"}}`), then deletes the rows, in one transaction, and then the
/// files from `store`; `operator` names who did it in the audit row.
///
/// The transaction reads and deletes in one snapshot (repeatable read), so exactly the rows
/// archived are deleted: a row another session writes meanwhile is neither archived nor
/// deleted (counted in [`Report::left_behind`]; its file stays), and a row another session
/// changes meanwhile fails the run with nothing deleted. Either way nothing is deleted that the
/// archive does not hold; running it again finishes the county.
///
/// # Errors
/// Unknown county, database or file failures, a stored file missing or not matching its
/// SHA-256 (nothing is deleted then).
pub fn run(
    owner_url: &str,
    county: i32,
    out: &Path,
    operator: &str,
    store: &dyn Store,
) -> anyhow::Result<Report> {
    let code = RegionCode::from_i64(i64::from(county) * 1_000_000)
        .map_err(|e| anyhow::anyhow!("{county}: {e}"))?;
    let mut conn =
        PgConnection::establish(owner_url).context("cannot connect as the owner role")?;
    // An earlier run deleted the rows but not every file (the store failed part-way): this run
    // removes what is left of them (the rows, and the archive, are done).
    let rows_gone = conn.transaction::<_, anyhow::Error, _>(|conn| {
        whole_platform(conn)?;
        let order = tenant_tables(conn)?;
        nothing_left(conn, &order, county)
    })?;
    if rows_gone && !store.keys(county)?.is_empty() {
        let files = remove_files(store, county, &std::collections::HashSet::new())?;
        return Ok(Report {
            files,
            ..Report::default()
        });
    }
    conn.build_transaction()
        .repeatable_read()
        .run::<_, anyhow::Error, _>(|conn| {
        // The whole platform is in scope; every statement names the county.
        whole_platform(conn)?;
        let order = tenant_tables(conn)?;
        // A county whose tenant row is gone may still hold rows an earlier run left behind.
        if nothing_left(conn, &order, county)? {
            bail!("{county} is not a tenant");
        }
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut report = Report::default();
        for t in &order {
            // The audit log is archived as it reads (`audit_events`: actions and actors
            // resolved from their dictionaries), so the archive stands on its own.
            let source = if t == "audit_log" { "audit_events" } else { t };
            // Through a cursor, a batch at a time: a county's audit log alone outgrows memory.
            diesel::sql_query(format!(
                "DECLARE offboard NO SCROLL CURSOR FOR \
                 SELECT json_build_object('table', '{source}', 'row', to_jsonb(x))::text AS line \
                   FROM \"{source}\" x WHERE x.county_code = {county}"
            ))
            .execute(conn)?;
            let rows = crate::retire::drain(conn, "offboard", 5_000, &mut gz)?;
            report.tables.push((t.clone(), rows));
        }
        let files: Vec<FileRow> = diesel::sql_query(
            "SELECT id, storage_key, sha256, size_bytes FROM attachments \
              WHERE county_code = $1 ORDER BY created_at, id",
        )
        .bind::<Int4, _>(county)
        .load(conn)?;
        for f in &files {
            let bytes = store
                .get(&f.storage_key)
                .with_context(|| format!("attachment {}: cannot read {}", f.id, f.storage_key))?;
            if hex(&sha2::Sha256::digest(&bytes)) != f.sha256 {
                bail!(
                    "attachment {}: {} does not match its SHA-256; nothing was deleted",
                    f.id,
                    f.storage_key
                );
            }
            let line = serde_json::json!({ "file": {
                "attachment_id": f.id, "storage_key": f.storage_key, "sha256": f.sha256,
                "size_bytes": f.size_bytes,
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            }});
            gz.write_all(line.to_string().as_bytes())?;
            gz.write_all(b"\n")?;
        }
        report.files = files.len();
        gz.finish()?.sync_all()?;
        // Hashed as it is read back, not held whole (it carries every attachment).
        let mut hasher = sha2::Sha256::new();
        let mut file = std::fs::File::open(out)?;
        let mut buf = vec![0_u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        report.sha256 = hex(&hasher.finalize());
        // The county's users, whose ids entries of other counties may still carry.
        let users: Vec<uuid::Uuid> = diesel::sql_query("SELECT id FROM users WHERE county_code = $1")
            .bind::<Int4, _>(county)
            .load::<UserId>(conn)?
            .into_iter()
            .map(|u| u.id)
            .collect();
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
        // The county's users as the audit log's dictionary held them (no county column, so
        // not among the tables above), and their ids in the entries left (another county's
        // entry about them, the platform's): nameless, keyed anew (the key hashed the name).
        diesel::sql_query(
            "UPDATE audit_actors SET user_id = NULL, username = NULL, key = gen_random_uuid() \
              WHERE org / 1000000 = $1",
        )
        .bind::<Int4, _>(county)
        .execute(conn)?;
        diesel::sql_query("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ANY($1)")
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&users)
            .execute(conn)?;
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
                    "files": report.files,
                    "rows": report.tables.iter().filter(|(_, n)| *n > 0)
                        .map(|(t, n)| (t.clone(), serde_json::json!(n)))
                        .collect::<serde_json::Map<_, _>>(),
                }),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(report)
    })
    .and_then(|mut report| {
        // The rows are gone (committed): now the files, and any the store holds for the county
        // without a row (an upload whose row never committed); not those of rows written
        // while the archive was made, which stay with their rows for the next run.
        let (left_behind, kept) = conn.transaction::<_, anyhow::Error, _>(|conn| {
            whole_platform(conn)?;
            let order = tenant_tables(conn)?;
            let kept: Vec<FileRow> = diesel::sql_query(
                "SELECT id, storage_key, sha256, size_bytes FROM attachments WHERE county_code = $1",
            )
            .bind::<Int4, _>(county)
            .load(conn)?;
            Ok((count_rows(conn, &order, county)?, kept))
        })?;
        report.left_behind = left_behind;
        let kept: std::collections::HashSet<String> =
            kept.into_iter().map(|f| f.storage_key).collect();
        remove_files(store, county, &kept)?;
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

/// Puts the whole platform in the transaction's scope (every statement here names the county).
fn whole_platform(conn: &mut PgConnection) -> anyhow::Result<()> {
    crate::db::set_scope(conn, RegionCode::PLATFORM.subtree()).map_err(|e| anyhow::anyhow!("{e}"))
}

/// How many rows of `county` the tenant tables hold.
fn count_rows(conn: &mut PgConnection, tables: &[String], county: i32) -> anyhow::Result<i64> {
    let mut n = 0;
    for t in tables {
        n += diesel::sql_query(format!(
            "SELECT count(*) AS n FROM \"{t}\" WHERE county_code = $1"
        ))
        .bind::<Int4, _>(county)
        .get_result::<N>(conn)?
        .n;
    }
    Ok(n)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
