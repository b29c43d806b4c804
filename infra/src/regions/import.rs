//! Import of the National Bureau of Statistics division-code CSV files (plain or gzipped).
//!
//! Each file holds one level (`provinces`, `cities`, `areas`, `streets`, `villages`), recognised
//! by its header. Every row is checked (code shape, level, parent column agreeing with the code,
//! parent known); bad rows are reported with file and line and the good rows still load. Loading
//! is a `COPY` into a temporary table and one upsert that touches only changed rows, so a re-run
//! changes nothing and a renamed node is updated.

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use domain::{Level, RegionCode};
use flate2::read::MultiGzDecoder;

diesel::table! {
    /// Staging table, created per import and dropped at commit.
    regions_import (code) {
        code -> Int8,
        level -> Int2,
        name -> Text,
        parent_code -> Int8,
    }
}

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// File the row came from.
    pub file: PathBuf,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// Why it was refused.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows read from the files (headers excluded).
    pub rows_read: u64,
    /// Rows skipped by the prefix filter.
    pub rows_skipped: u64,
    /// Nodes inserted.
    pub inserted: u64,
    /// Nodes whose name (or parent) changed.
    pub updated: u64,
    /// Good rows already present unchanged.
    pub unchanged: u64,
    /// Refused rows.
    pub errors: Vec<RowError>,
}

/// A good row, ready to load.
#[derive(Debug, Clone)]
struct Node {
    code: i64,
    level: Level,
    name: String,
    parent: i64,
}

/// A row's line number and what checking it gave (`Ok(None)`: filtered out by the prefix).
type CheckedRow = (u64, Result<Option<Node>, String>);

/// The column that names the parent, per level.
fn parent_column(level: Level) -> Option<&'static str> {
    match level {
        Level::City => Some("provinceCode"),
        Level::County => Some("cityCode"),
        Level::Township => Some("areaCode"),
        Level::Village => Some("streetCode"),
        Level::Province | Level::Platform => None,
    }
}

/// The level a file holds, from its header.
fn level_of_header(headers: &csv::StringRecord) -> Option<Level> {
    let has = |name: &str| headers.iter().any(|h| h == name);
    if !has("code") || !has("name") {
        return None;
    }
    Some(if has("streetCode") {
        Level::Village
    } else if has("areaCode") {
        Level::Township
    } else if has("cityCode") {
        Level::County
    } else if has("provinceCode") {
        Level::City
    } else {
        Level::Province
    })
}

fn open(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut magic = [0_u8; 2];
    let n = file.read(&mut magic)?;
    let head = std::io::Cursor::new(magic[..n].to_vec());
    let chained = head.chain(file);
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(chained))))
    } else {
        Ok(Box::new(BufReader::new(chained)))
    }
}

/// Whether a code is wanted under `prefix` (the prefix's subtree and its ancestors).
fn wanted(own_digits: &str, prefix: Option<&str>) -> bool {
    prefix.is_none_or(|p| own_digits.starts_with(p) || p.starts_with(own_digits))
}

/// Checks one row; `Ok(None)` means filtered out.
fn check_row(
    level: Level,
    record: &csv::StringRecord,
    headers: &csv::StringRecord,
    prefix: Option<&str>,
) -> Result<Option<Node>, String> {
    let field = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| record.get(i))
            .map(str::trim)
    };
    let raw = field("code").unwrap_or("");
    let digits = usize::try_from(level.significant_digits()).unwrap_or(12);
    if raw.len() != digits || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "malformed code {raw:?}: a {level:?} code has {digits} digits"
        ));
    }
    if !wanted(raw, prefix) {
        return Ok(None);
    }
    let code = RegionCode::parse(raw).map_err(|e| e.to_string())?;
    if code.level() != level {
        return Err(format!(
            "wrong level: code {raw} pads to {code}, which denotes a {:?} node, not a {level:?}",
            code.level()
        ));
    }
    let name = field("name").unwrap_or("");
    if name.is_empty() || name.chars().count() > 100 {
        return Err("name must have 1 to 100 characters".into());
    }
    let parent = code.parent().unwrap_or(RegionCode::PLATFORM);
    if let Some(col) = parent_column(level) {
        let declared = field(col).unwrap_or("");
        let parent_level = Level::from_number(level.number() - 1).unwrap_or(Level::Platform);
        let parent_digits = usize::try_from(parent_level.significant_digits()).unwrap_or(0);
        if declared.len() != parent_digits || !raw.starts_with(declared) {
            return Err(format!("{col} {declared:?} does not match the code {raw}"));
        }
    }
    Ok(Some(Node {
        code: code.as_i64(),
        level,
        name: name.to_string(),
        parent: parent.as_i64(),
    }))
}

/// Reads and checks `files`, then loads the good rows in one transaction on `conn` (an owner
/// connection: the app role may only read regions). `prefix` (digits) limits the import to one
/// subtree and its ancestors.
///
/// # Errors
/// When a file cannot be read or its header is not an NBS division file, or the load fails
/// (nothing is then written). Bad rows are not errors: they are in the report.
/// [`import_files`] on a connection of its own as the owner role at `owner_url` (the region
/// table is shared reference data, written by the owner only).
///
/// # Errors
/// When the owner cannot connect; as [`import_files`].
pub fn import_files_as_owner(
    owner_url: &secrecy::SecretString,
    files: &[PathBuf],
    prefix: Option<&str>,
) -> anyhow::Result<ImportReport> {
    use secrecy::ExposeSecret as _;
    let mut conn = PgConnection::establish(owner_url.expose_secret())
        .context("cannot connect as the owner role")?;
    import_files(&mut conn, files, prefix)
}

pub fn import_files(
    conn: &mut PgConnection,
    files: &[PathBuf],
    prefix: Option<&str>,
) -> anyhow::Result<ImportReport> {
    if let Some(p) = prefix
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        bail!("the prefix must be digits");
    }
    let mut report = ImportReport::default();
    let mut by_level: Vec<(Level, PathBuf, Vec<CheckedRow>)> = Vec::new();
    for path in files {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(open(path)?);
        let headers = reader
            .headers()
            .with_context(|| format!("{}: cannot read the header", path.display()))?
            .clone();
        let Some(level) = level_of_header(&headers) else {
            bail!(
                "{}: not a division-code file (expected columns code,name[,parent codes])",
                path.display()
            );
        };
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(2);
            report.rows_read += 1;
            rows.push((
                line,
                match rec {
                    Ok(r) => check_row(level, &r, &headers, prefix),
                    Err(e) => Err(format!("unreadable row: {e}")),
                },
            ));
        }
        by_level.push((level, path.clone(), rows));
    }
    by_level.sort_by_key(|(l, _, _)| *l);

    conn.transaction(|conn| {
        #[derive(QueryableByName)]
        struct Code {
            #[diesel(sql_type = BigInt)]
            code: i64,
        }
        let mut known: HashSet<i64> = diesel::sql_query("SELECT code FROM regions")
            .load::<Code>(conn)?
            .into_iter()
            .map(|c| c.code)
            .collect();
        let mut seen: HashSet<i64> = HashSet::new();
        let mut good: Vec<Node> = Vec::new();
        for (_, path, rows) in by_level {
            let mut level_nodes = Vec::new();
            for (line, checked) in rows {
                let fail = |reason: String| RowError {
                    file: path.clone(),
                    line,
                    reason,
                };
                match checked {
                    Ok(None) => report.rows_skipped += 1,
                    Err(reason) => report.errors.push(fail(reason)),
                    Ok(Some(node)) => {
                        if !known.contains(&node.parent) {
                            report.errors.push(fail(format!(
                                "unknown parent {:012} for {:012}",
                                node.parent, node.code
                            )));
                        } else if !seen.insert(node.code) {
                            report
                                .errors
                                .push(fail(format!("duplicate code {:012}", node.code)));
                        } else {
                            level_nodes.push(node);
                        }
                    }
                }
            }
            // Children in later files may name this level's nodes as parents.
            known.extend(level_nodes.iter().map(|n| n.code));
            good.extend(level_nodes);
        }
        load(conn, &good, &mut report)?;
        Ok::<_, anyhow::Error>(())
    })?;
    // Fresh statistics before anyone plans against the new divisions (autovacuum may be off).
    diesel::sql_query("ANALYZE regions").execute(conn)?;
    Ok(report)
}

/// COPY into a staging table, then one upsert touching only changed rows.
fn load(conn: &mut PgConnection, nodes: &[Node], report: &mut ImportReport) -> anyhow::Result<()> {
    diesel::sql_query(
        "CREATE TEMP TABLE regions_import (code bigint, level smallint, name text, parent_code bigint) ON COMMIT DROP",
    )
    .execute(conn)?;
    diesel::copy_from(regions_import::table)
        .from_raw_data(regions_import::table, |w: &mut dyn std::io::Write| {
            let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(w);
            for n in nodes {
                out.write_record([
                    n.code.to_string(),
                    n.level.number().to_string(),
                    n.name.clone(),
                    n.parent.to_string(),
                ])
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            }
            out.flush()
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            Ok::<_, diesel::result::Error>(())
        })
        .with_format(diesel::pg::CopyFormat::Csv)
        .execute(conn)?;
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = Bool)]
        inserted: bool,
    }
    let outcomes: Vec<Outcome> = diesel::sql_query(
        "INSERT INTO regions (code, level, name, parent_code)
         SELECT code, level, name, parent_code FROM regions_import ORDER BY level, code
         ON CONFLICT (code) DO UPDATE
           SET name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code,
               updated_at = now()
           WHERE (regions.name, regions.level, regions.parent_code)
                 IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code)
         RETURNING (xmax = 0) AS inserted",
    )
    .load(conn)?;
    let inserted = outcomes.iter().filter(|o| o.inserted).count() as u64;
    let updated = outcomes.len() as u64 - inserted;
    report.inserted = inserted;
    report.updated = updated;
    report.unchanged = nodes.len() as u64 - inserted - updated;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(fields: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(fields.to_vec())
    }

    #[test]
    fn checks_rows() {
        let h = rec(&[
            "code",
            "name",
            "streetCode",
            "provinceCode",
            "cityCode",
            "areaCode",
        ]);
        let level = level_of_header(&h);
        assert_eq!(level, Some(Level::Village));
        let ok = check_row(
            Level::Village,
            &rec(&["370831101201", "村", "370831101", "37", "3708", "370831"]),
            &h,
            None,
        );
        assert!(matches!(ok, Ok(Some(ref n)) if n.parent == 370_831_101_000));
        let short = check_row(
            Level::Village,
            &rec(&["37083110120", "村", "370831101"]),
            &h,
            None,
        );
        assert!(short.is_err_and(|e| e.contains("malformed")));
        let mismatch = check_row(
            Level::Village,
            &rec(&["370831101201", "村", "370831102"]),
            &h,
            None,
        );
        assert!(mismatch.is_err_and(|e| e.contains("streetCode")));
        let skipped = check_row(
            Level::Village,
            &rec(&["110101001001", "x", "110101001"]),
            &h,
            Some("37"),
        );
        assert!(matches!(skipped, Ok(None)));
        let sh = rec(&["code", "name", "areaCode"]);
        let wrong = check_row(
            Level::Township,
            &rec(&["350527000", "x", "350527"]),
            &sh,
            None,
        );
        assert!(wrong.is_err_and(|e| e.contains("wrong level")));
    }
}
