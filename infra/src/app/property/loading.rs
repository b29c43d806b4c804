//! Loading a batch of hits from a sheet (moved from `property.rs`; re-exported there).

use super::*;

/// A row the import refused.
#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    /// Row number in the file (header = 1).
    pub row: u32,
    /// Column key.
    pub column: String,
    /// Why (serialized as `message`, in English).
    #[serde(rename = "message")]
    pub rule: domain::Rule,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The batch (absent when no row was loaded).
    pub batch_id: Option<Uuid>,
    /// Rows read.
    pub rows: usize,
    /// Hits loaded, routed to villages.
    pub loaded: usize,
    /// Of those, hits whose fact was verified before: the earlier result is reused.
    pub reused: usize,
    /// Counties the hits went to.
    pub counties: Vec<String>,
    /// Every refused row.
    pub errors: Vec<RowError>,
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn fact_key(blind: &[u8], hit_type: HitType, details: &str) -> String {
    let mut h = Sha256::new();
    h.update(blind);
    h.update(hit_type.as_str().as_bytes());
    h.update([0]);
    h.update(rules::normalise_details(details).as_bytes());
    to_hex(&h.finalize())
}

/// A good row waiting to be inserted.
struct Staged {
    number: u32,
    member: cases::MemberRow,
    hit_type: HitType,
    details: String,
    key: String,
}

/// Refuses a caller who may not import batches: `property:import` at a county, city or
/// province office.
///
/// # Errors
/// `Forbidden`.
pub fn may_import(ctx: &Ctx) -> Result<(), DomainError> {
    let org = ctx.caller.unit();
    if org.level() > Level::County || org.level() == Level::Platform {
        return Err(DomainError::Forbidden(
            "batches are imported by a county, city or province office".into(),
        ));
    }
    ctx.caller.require_at(perm::PROPERTY_IMPORT, org)
}

/// [`may_import`], and refuses a file imported before in scope; returns the file's SHA-256
/// (hex). With `lock`, two uploads of the same file at once wait for each other (for the rest
/// of the transaction).
///
/// # Errors
/// `Forbidden`; `Conflict` `batch_exists`; database failures.
pub fn admit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    file: &[u8],
    lock: bool,
) -> Result<String, DomainError> {
    may_import(ctx)?;
    let sha = to_hex(&Sha256::digest(file));
    if lock {
        crate::db::lock_key(conn, 29, &sha)?;
    }
    let earlier: Option<Uuid> = property_checks::table
        .filter(property_checks::file_sha256.eq(&sha))
        .select(property_checks::id)
        .first(conn)
        .optional()
        .db()?;
    if let Some(b) = earlier {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::BatchExists,
            message: format!("this file was imported already as batch {b}; nothing was loaded"),
        });
    }
    Ok(sha)
}

/// Imports a batch. Rows that fail (bad ID number or type, person not in the registry within
/// your scope, the same fact twice in the file, a fact already waiting for verification, a
/// row in `not_checked`: past the caller's daily tries of its masked form) are reported;
/// every good row is loaded.
///
/// # Errors
/// `Forbidden` without `property:import` at the caller's unit; `Conflict` `batch_exists`
/// when the same file was imported before in scope.
pub fn import(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    name: &str,
    file: &[u8],
    rows: &[Row],
    not_checked: &std::collections::HashSet<u32>,
) -> Result<ImportReport, DomainError> {
    let org = ctx.caller.unit();
    // Two uploads of the same file at once: the second waits, then finds the first.
    let sha = admit(conn, ctx, file, true)?;
    let today = ctx.today();
    let batch = Uuid::new_v4();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    // Hits to insert, per county.
    let mut staged: BTreeMap<i32, Vec<Staged>> = BTreeMap::new();
    for row in rows {
        let err = |column: &str, rule: domain::Rule| RowError {
            row: row.number,
            column: column.into(),
            rule,
        };
        // A row cut off, with cells past the header, or with a giant cell.
        if let Some((column, message)) = row.problems.first() {
            errors.push(err(column, message.clone()));
            continue;
        }
        // Past the caller's daily tries of its masked form and birth year (security.md §16).
        if not_checked.contains(&row.number) {
            errors.push(err(
                "id_number",
                crate::app::cases::tries::too_many_tries(
                    crate::app::cases::tries::Register::Members,
                ),
            ));
            continue;
        }
        let id = match IdNumber::parse(row.get("id_number"), today) {
            Ok(id) => id,
            Err(m) => {
                errors.push(err("id_number", m));
                continue;
            }
        };
        let hit_type = match HitType::parse(row.get("hit_type")) {
            Ok(t) => t,
            Err(m) => {
                errors.push(err("hit_type", m));
                continue;
            }
        };
        let details = row.get("details").to_string();
        if details.is_empty() || details.chars().count() > 500 {
            errors.push(err("details", domain::Rule::length(1, 500)));
            continue;
        }
        let blind = keys.blind_index(&id);
        let member: Option<cases::MemberRow> = members::table
            .filter(members::id_blind.eq(&blind))
            .select(cases::MemberRow::as_select())
            .first(conn)
            .optional()
            .db()?;
        let Some(member) = member else {
            errors.push(err(
                "id_number",
                domain::Rule::other(
                    "is not a registered person within your scope; the hit is not loaded",
                    "不是您管辖范围内的在册人员;该比对结果未导入",
                ),
            ));
            continue;
        };
        let key = fact_key(&blind, hit_type, &details);
        if let Some(first) = seen.get(&key) {
            errors.push(err(
                "details",
                domain::Rule::other(
                    format!("repeats the hit of row {first} (same person, type and details)"),
                    format!("与第 {first} 行的比对结果重复(同一人、类型和详情)"),
                ),
            ));
            continue;
        }
        seen.insert(key.clone(), row.number);
        let county = stored_code(member.region_code)?.county_code();
        let pending: Option<Uuid> = property_hits::table
            .filter(property_hits::county_code.eq(county))
            .filter(property_hits::fact_key.eq(&key))
            .filter(property_hits::status.eq("pending"))
            .select(property_hits::batch_id)
            .first(conn)
            .optional()
            .db()?;
        if let Some(b) = pending {
            errors.push(err(
                "details",
                domain::Rule::other(
                    format!("the same fact was loaded in batch {b} and waits for verification"),
                    format!("同一事实已在批次 {b} 中导入,正等待核实"),
                ),
            ));
            continue;
        }
        staged.entry(county).or_default().push(Staged {
            number: row.number,
            member,
            hit_type,
            details,
            key,
        });
    }
    let mut loaded = 0;
    let mut reused = 0;
    let mut counties = Vec::new();
    for (county, hits) in &staged {
        let county_code = RegionCode::parse(&format!("{county:06}"))
            .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        let mut reused_here = 0;
        let mut rows_here = Vec::new();
        for Staged {
            number,
            member,
            hit_type,
            details,
            key,
        } in hits
        {
            let earlier: Option<HitRow> = property_hits::table
                .filter(property_hits::county_code.eq(county))
                .filter(property_hits::fact_key.eq(key))
                .filter(property_hits::is_true.is_not_null())
                .filter(property_hits::reused_from.is_null())
                // Only verifications the village has fixed by its appraisal, and no veto the
                // county reversed: anything else is verified again.
                .filter(property_hits::status.eq_any(["appraised", "submitted", "confirmed"]))
                .filter(property_hits::reversed_at.is_null())
                .order(property_hits::verified_at.asc())
                .select(HitRow::as_select())
                .first(conn)
                .optional()
                .db()?;
            if earlier.is_some() {
                reused_here += 1;
            }
            rows_here.push((number, member, hit_type, details, key, earlier));
        }
        diesel::insert_into(property_checks::table)
            .values((
                property_checks::county_code.eq(county),
                property_checks::id.eq(batch),
                property_checks::region_code.eq(county_code.as_i64()),
                property_checks::name.eq(name),
                property_checks::file_sha256.eq(&sha),
                property_checks::importer_org.eq(org.as_i64()),
                property_checks::imported_by.eq(ctx.caller.user_id),
                property_checks::imported_at.eq(ctx.now),
                property_checks::hits.eq(i32::try_from(hits.len()).unwrap_or(i32::MAX)),
                property_checks::reused.eq(reused_here),
            ))
            .execute(conn)
            .db()?;
        for (number, member, hit_type, details, key, earlier) in rows_here {
            let e = earlier.as_ref();
            diesel::insert_into(property_hits::table)
                .values((
                    property_hits::county_code.eq(county),
                    property_hits::id.eq(Uuid::new_v4()),
                    property_hits::batch_id.eq(batch),
                    property_hits::member_id.eq(member.id),
                    property_hits::household_id.eq(member.household_id),
                    property_hits::region_code.eq(member.region_code),
                    property_hits::row_number.eq(i32::try_from(*number).unwrap_or(i32::MAX)),
                    property_hits::hit_type.eq(hit_type.as_str()),
                    property_hits::details.eq(details),
                    property_hits::fact_key.eq(key),
                    property_hits::status.eq(if e.is_some() { "verified" } else { "pending" }),
                    property_hits::is_true.eq(e.and_then(|h| h.is_true)),
                    property_hits::arose_on.eq(e.and_then(|h| h.arose_on)),
                    property_hits::before_cutoff.eq(e.and_then(|h| h.before_cutoff)),
                    property_hits::proposal.eq(e.and_then(|h| h.proposal.clone())),
                    property_hits::veto_condition.eq(e.and_then(|h| h.veto_condition.clone())),
                    property_hits::reason.eq(e.and_then(|h| h.reason.clone())),
                    property_hits::note.eq(e.map(|h| {
                        format!(
                            "verified before (hit {}): the earlier result is reused",
                            h.id
                        )
                    })),
                    property_hits::reused_from.eq(e.map(|h| h.id)),
                    property_hits::verified_by.eq(e.and_then(|h| h.verified_by)),
                    property_hits::verified_at.eq(e.and_then(|h| h.verified_at)),
                ))
                .execute(conn)
                .db()?;
        }
        loaded += hits.len();
        reused += usize::try_from(reused_here).unwrap_or(0);
        counties.push(format!("{county:06}"));
    }
    let report = ImportReport {
        batch_id: (loaded > 0).then_some(batch),
        rows: rows.len(),
        loaded,
        reused,
        counties,
        errors,
    };
    ctx.audit(
        conn,
        "property_check.import",
        "property_check",
        batch,
        org,
        json!({ "name": name, "sha256": sha, "rows": report.rows, "loaded": loaded,
                "reused": reused, "refused": report.errors.len() }),
    )?;
    if loaded > 0 {
        crate::db::analyze(
            conn,
            &["property_checks", "property_hits", "property_reports"],
        )?;
    }
    Ok(report)
}
