//! Property check of registered people (财产检索核查, seed 2).
//!
//! A county, city or province office imports a batch of hits (person by ID number, hit type,
//! details). Each hit is routed to the village of the person and stored under that county, so
//! row-level security keeps it there; people not found in the registry within the importer's
//! scope are reported (without saying whether they exist elsewhere) and not loaded. The village
//! verifies (true or not, when it arose, veto or no veto), records its appraisal (处理意见), the
//! township submits its statistics table (统计表) and the county confirms it: confirmed vetoes
//! take households out of the registry (`removed`), reversible only by the county with a reason.
//! A fact verified once (same person, type, details) is reused, not verified again. Every read
//! of hits is audited (谁核查谁保密, 谁泄露谁负责).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::cases::{IdNumber, Status};
use domain::property::{self as rules, HitType, Proposal, Verification, VerificationInput};
use domain::{DomainError, Level, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::cases::households::apply_status;
use super::cases::sheet::{Column, Row};
use super::cases::{self};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::pii::DataKeys;
use crate::schema::{members, property_checks, property_hits, property_reports};

/// Columns of a hits sheet.
pub const COLUMNS: &[Column] = &[
    Column {
        key: "id_number",
        label: "身份证号",
        required: true,
    },
    Column {
        key: "name",
        label: "姓名",
        required: false,
    },
    Column {
        key: "hit_type",
        label: "检索类型",
        required: true,
    },
    Column {
        key: "details",
        label: "检索详情",
        required: true,
    },
];

/// A hit row (the person appears by member id; the ID number stays encrypted in `members`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = property_hits)]
pub struct HitRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Batch.
    pub batch_id: Uuid,
    /// The person.
    pub member_id: Uuid,
    /// Their household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Row in the imported file.
    pub row_number: i32,
    /// Hit type code.
    pub hit_type: String,
    /// What the registry found.
    pub details: String,
    /// Same-fact key.
    pub fact_key: String,
    /// `pending`, `verified`, `appraised`, `submitted`, `confirmed`.
    pub status: String,
    /// True or not.
    pub is_true: Option<bool>,
    /// When it arose.
    pub arose_on: Option<NaiveDate>,
    /// On or before the cut-off.
    pub before_cutoff: Option<bool>,
    /// Proposal code.
    pub proposal: Option<String>,
    /// Veto condition code.
    pub veto_condition: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// What the rules said.
    pub note: Option<String>,
    /// Handling opinion of the village appraisal.
    pub opinion: Option<String>,
    /// The earlier hit whose verification this one reuses.
    pub reused_from: Option<Uuid>,
    /// Verified by.
    pub verified_by: Option<Uuid>,
    /// Verified at.
    pub verified_at: Option<DateTime<Utc>>,
    /// Appraised at.
    pub appraised_at: Option<DateTime<Utc>>,
    /// Household status before a veto took effect.
    pub household_status_before: Option<String>,
    /// When the veto took effect.
    pub vetoed_at: Option<DateTime<Utc>>,
    /// When the county reversed it.
    pub reversed_at: Option<DateTime<Utc>>,
    /// Why.
    pub reversal_reason: Option<String>,
}

/// A hit with the person and household it concerns.
#[derive(Debug, Clone)]
pub struct HitView {
    /// The hit.
    pub hit: HitRow,
    /// Name of the person.
    pub name: String,
    /// Masked ID number.
    pub id_masked: String,
    /// 户编号.
    pub household_number: String,
    /// The veto condition's label as the county's settings name it (the code when the
    /// condition is no longer configured).
    pub veto_condition_label: Option<String>,
    /// How the hits of its village in its batch were forwarded to the village (`None`: not
    /// yet).
    pub route: Option<super::property_routing::Route>,
}

/// A row the import refused.
#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    /// Row number in the file (header = 1).
    pub row: u32,
    /// Column key.
    pub column: String,
    /// Why.
    pub message: String,
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

/// A county's part of a batch.
#[derive(Queryable)]
struct BatchPart {
    id: Uuid,
    name: String,
    imported_at: DateTime<Utc>,
    importer_org: i64,
    hits: i32,
    reused: i32,
    county_code: i32,
}

/// Imports a batch. Rows that fail (bad ID number or type, person not in the registry within
/// your scope, the same fact twice in the file, a fact already waiting for verification) are
/// reported; every good row is loaded.
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
) -> Result<ImportReport, DomainError> {
    let org = ctx.caller.org;
    if org.level() > Level::County || org.level() == Level::Platform {
        return Err(DomainError::Forbidden(
            "batches are imported by a county, city or province office".into(),
        ));
    }
    ctx.caller.require_at(perm::PROPERTY_IMPORT, org)?;
    let sha = to_hex(&Sha256::digest(file));
    // Two uploads of the same file at once: the second waits, then finds the first.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 29))")
        .bind::<diesel::sql_types::Text, _>(&sha)
        .execute(conn)
        .db()?;
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
    let today = ctx.today();
    let batch = Uuid::new_v4();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    // Hits to insert, per county.
    let mut staged: BTreeMap<i32, Vec<Staged>> = BTreeMap::new();
    for row in rows {
        let err = |column: &str, message: String| RowError {
            row: row.number,
            column: column.into(),
            message,
        };
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
            errors.push(err("details", "must have 1 to 500 characters".into()));
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
                "is not a registered person within your scope; the hit is not loaded".into(),
            ));
            continue;
        };
        let key = fact_key(&blind, hit_type, &details);
        if let Some(first) = seen.get(&key) {
            errors.push(err(
                "details",
                format!("repeats the hit of row {first} (same person, type and details)"),
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
                format!("the same fact was loaded in batch {b} and waits for verification"),
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

/// A batch as the caller sees it (summed over the counties in scope).
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Imported at.
    pub imported_at: DateTime<Utc>,
    /// By the office of.
    pub importer_org: String,
    /// Hits in scope.
    pub hits: i64,
    /// Reused in scope.
    pub reused: i64,
    /// Counties in scope.
    pub counties: Vec<String>,
}

pub(crate) fn require_read(ctx: &Ctx) -> Result<(), DomainError> {
    if ctx.caller.has_permission(perm::PROPERTY_READ) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "you need the permission {}",
            perm::PROPERTY_READ
        )))
    }
}

/// Batches in scope, newest first.
///
/// # Errors
/// Database failures.
pub fn batches(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Option<Uuid>,
) -> Result<Vec<BatchSummary>, DomainError> {
    require_read(ctx)?;
    let mut q = property_checks::table
        .order((property_checks::imported_at.desc(), property_checks::id))
        .select((
            property_checks::id,
            property_checks::name,
            property_checks::imported_at,
            property_checks::importer_org,
            property_checks::hits,
            property_checks::reused,
            property_checks::county_code,
        ))
        .limit(5000)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(property_checks::id.eq(id));
    }
    let rows: Vec<BatchPart> = q.load(conn).db()?;
    let mut out: Vec<BatchSummary> = Vec::new();
    for BatchPart {
        id,
        name,
        imported_at: at,
        importer_org: org,
        hits,
        reused,
        county_code: county,
    } in rows
    {
        match out.iter_mut().find(|b| b.id == id) {
            Some(b) => {
                b.hits += i64::from(hits);
                b.reused += i64::from(reused);
                b.counties.push(format!("{county:06}"));
            }
            None => out.push(BatchSummary {
                id,
                name,
                imported_at: at,
                importer_org: format!("{org:012}"),
                hits: i64::from(hits),
                reused: i64::from(reused),
                counties: vec![format!("{county:06}")],
            }),
        }
    }
    Ok(out)
}

/// Filters of the hit list.
#[derive(Debug, Clone)]
pub struct HitFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Batch.
    pub batch: Option<Uuid>,
    /// Status.
    pub status: Option<String>,
}

/// The labels of the veto conditions of each county among `hits` (codes to labels).
fn condition_labels(
    conn: &mut PgConnection,
    ctx: &Ctx,
    hits: &[HitRow],
) -> Result<HashMap<(i32, String), String>, DomainError> {
    let mut out = HashMap::new();
    let mut seen = HashSet::new();
    for h in hits.iter().filter(|h| h.veto_condition.is_some()) {
        if !seen.insert(h.county_code) {
            continue;
        }
        let settings = super::settings::effective_for(conn, ctx, stored_code(h.region_code)?)?;
        for c in settings.property_check.veto_conditions {
            out.insert((h.county_code, c.code), c.label);
        }
    }
    Ok(out)
}

pub(crate) fn views(
    conn: &mut PgConnection,
    ctx: &Ctx,
    hits: Vec<HitRow>,
) -> Result<Vec<HitView>, DomainError> {
    let labels = condition_labels(conn, ctx, &hits)?;
    let routes = super::property_routing::routes_of(conn, &hits)?;
    let counties: Vec<i32> = hits.iter().map(|h| h.county_code).collect();
    let ids: Vec<Uuid> = hits.iter().map(|h| h.member_id).collect();
    let people: HashMap<Uuid, (String, String)> = members::table
        .filter(members::county_code.eq_any(&counties))
        .filter(members::id.eq_any(&ids))
        .select((members::id, members::name, members::id_masked))
        .load::<(Uuid, String, String)>(conn)
        .db()?
        .into_iter()
        .map(|(id, n, m)| (id, (n, m)))
        .collect();
    let hh: Vec<Uuid> = hits.iter().map(|h| h.household_id).collect();
    let numbers: HashMap<Uuid, String> = crate::schema::households::table
        .filter(crate::schema::households::county_code.eq_any(&counties))
        .filter(crate::schema::households::id.eq_any(&hh))
        .select((
            crate::schema::households::id,
            crate::schema::households::household_number,
        ))
        .load::<(Uuid, String)>(conn)
        .db()?
        .into_iter()
        .collect();
    Ok(hits
        .into_iter()
        .map(|hit| {
            let (name, id_masked) = people.get(&hit.member_id).cloned().unwrap_or_default();
            let veto_condition_label = hit.veto_condition.as_ref().map(|c| {
                labels
                    .get(&(hit.county_code, c.clone()))
                    .cloned()
                    .unwrap_or_else(|| c.clone())
            });
            HitView {
                route: routes.get(&(hit.batch_id, hit.region_code)).copied(),
                household_number: numbers.get(&hit.household_id).cloned().unwrap_or_default(),
                veto_condition_label,
                name,
                id_masked,
                hit,
            }
        })
        .collect())
}

/// Hits in scope by village and file row; keyset after `(region, batch, row)`. Audited.
///
/// # Errors
/// `Forbidden` without `property:read`.
pub fn hits(
    conn: &mut PgConnection,
    ctx: &Ctx,
    f: &HitFilter,
    after: Option<(i64, Uuid, i32)>,
    limit: i64,
) -> Result<Vec<HitView>, DomainError> {
    require_read(ctx)?;
    let mut q = property_hits::table
        .filter(property_hits::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            property_hits::region_code,
            property_hits::batch_id,
            property_hits::row_number,
        ))
        .select(HitRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(b) = f.batch {
        q = q.filter(property_hits::batch_id.eq(b));
    }
    if let Some(s) = &f.status {
        q = q.filter(property_hits::status.eq(s.clone()));
    }
    if let Some((r, b, n)) = after {
        // A row comparison: the walk of `property_hits_walk` starts at the cursor.
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(property_hits.region_code, property_hits.batch_id, property_hits.row_number) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(b)
            .sql(", ")
            .bind::<diesel::sql_types::Integer, _>(n)
            .sql(")"),
        );
    }
    let rows: Vec<HitRow> = crate::db::load_page(conn, q)?;
    ctx.audit(
        conn,
        "property_hit.list",
        "property_hit",
        "",
        ctx.caller.org,
        json!({ "batch": f.batch, "status": f.status, "rows": rows.len(),
                "hits": rows.iter().map(|h| h.id).collect::<Vec<_>>() }),
    )?;
    views(conn, ctx, rows)
}

fn find_hit(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<HitRow, DomainError> {
    let q = property_hits::table
        .filter(property_hits::id.eq(id))
        .select(HitRow::as_select());
    if lock {
        q.for_update().first(conn).db()
    } else {
        q.first(conn).db()
    }
}

/// A hit in scope, for a caller with `property:read` (not audited: the caller audits).
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `property:read`.
pub fn visible(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<HitRow, DomainError> {
    require_read(ctx)?;
    find_hit(conn, id, false)
}

/// One hit, with the earlier hit it reuses if any. Audited.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `property:read`.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<(HitView, Option<HitView>), DomainError> {
    require_read(ctx)?;
    let hit = find_hit(conn, id, false)?;
    let earlier = match hit.reused_from {
        Some(e) => find_hit(conn, e, false).ok(),
        None => None,
    };
    ctx.audit(
        conn,
        "property_hit.read",
        "property_hit",
        id,
        stored_code(hit.region_code)?,
        json!({}),
    )?;
    let mut v = views(conn, ctx, vec![hit])?;
    let e = match earlier {
        Some(e) => views(conn, ctx, vec![e])?.pop(),
        None => None,
    };
    v.pop().map(|v| (v, e)).ok_or(DomainError::NotFound)
}

/// Records the village's verification of a hit (village step). Allowed until the village's
/// appraisal; a reused hit keeps the earlier result.
///
/// # Errors
/// `Validation` from the rules; `Conflict` `reused` or `appraised`.
pub fn verify(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &VerificationInput,
) -> Result<(HitView, Verification), DomainError> {
    let hit = find_hit(conn, id, true)?;
    let village = stored_code(hit.region_code)?;
    ctx.caller
        .require_at_level(perm::PROPERTY_VERIFY, Level::Village, village)?;
    if let Some(e) = hit.reused_from {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Reused,
            message: format!(
                "this fact was verified before (hit {e}); the earlier result stands and is not verified again"
            ),
        });
    }
    if !matches!(hit.status.as_str(), "pending" | "verified") {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Appraised,
            message: format!("the hit is {} and can no longer be changed", hit.status),
        });
    }
    let settings = super::settings::effective_for(conn, ctx, village)?.property_check;
    if settings.routing_required && !super::property_routing::routed(conn, &hit)? {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotRouted,
            message: "the hits of this batch were not forwarded to the village yet: the township \
                      station forwards them to the liaison leader, who forwards them to the \
                      village (property_check.routing_required)"
                .into(),
        });
    }
    let v = rules::decide(
        input,
        settings.identification_cutoff,
        &settings.veto_conditions,
        ctx.today(),
    )
    .map_err(DomainError::Validation)?;
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(hit.county_code))
            .filter(property_hits::id.eq(id)),
    )
    .set((
        property_hits::status.eq("verified"),
        property_hits::is_true.eq(v.is_true),
        property_hits::arose_on.eq(v.arose_on),
        property_hits::before_cutoff.eq(v.before_cutoff),
        property_hits::proposal.eq(v.proposal.as_str()),
        property_hits::veto_condition.eq(&v.condition),
        property_hits::reason.eq(&v.reason),
        property_hits::note.eq(&v.note),
        property_hits::verified_by.eq(ctx.caller.user_id),
        property_hits::verified_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "property_hit.verified",
        "property_hit",
        id,
        village,
        json!({ "is_true": v.is_true, "arose_on": v.arose_on, "proposal": v.proposal.as_str(),
                "veto_condition": v.condition }),
    )?;
    let row = find_hit(conn, id, false)?;
    let view = views(conn, ctx, vec![row])?
        .pop()
        .ok_or(DomainError::NotFound)?;
    Ok((view, v))
}

/// The handling-opinion table (处理意见表) of a batch for a region. Audited.
///
/// # Errors
/// `Forbidden` without `property:read`.
pub fn opinions(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    within: Scope,
) -> Result<Vec<HitView>, DomainError> {
    // A batch the caller cannot see is not found (not an empty table).
    if batches(conn, ctx, Some(batch))?.is_empty() {
        return Err(DomainError::NotFound);
    }
    hits(
        conn,
        ctx,
        &HitFilter {
            within,
            batch: Some(batch),
            status: None,
        },
        None,
        100_000,
    )
}

/// One line of the statistics table (统计表): a hit type, or the total.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StatLine {
    /// Hit type code, or `total`.
    pub hit_type: String,
    /// Its label.
    pub label: String,
    /// People checked (检索人数): distinct people with a hit, however many hits each has.
    pub people: i64,
    /// Hits.
    pub hits: i64,
    /// Not verified yet.
    pub pending: i64,
    /// Found true.
    pub true_: i64,
    /// Found not true.
    pub not_true: i64,
    /// True, arisen on or before the cut-off.
    pub before_cutoff: i64,
    /// True, arisen after it.
    pub after_cutoff: i64,
    /// Proposed (or confirmed) vetoes.
    pub veto: i64,
    /// Not vetoed despite a match, with reason (hardship exception).
    pub no_veto: i64,
    /// True, before the cut-off, matching none of the veto conditions (不属于否决情形).
    pub not_matching: i64,
    /// Vetoes in effect (confirmed by the county, not reversed).
    pub vetoes_in_effect: i64,
}

/// The statistics of a batch over `within`, by hit type and in total.
///
/// # Errors
/// `Forbidden` without `property:read`.
pub fn statistics(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    within: Scope,
) -> Result<Vec<StatLine>, DomainError> {
    require_read(ctx)?;
    if batches(conn, ctx, Some(batch))?.is_empty() {
        return Err(DomainError::NotFound);
    }
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::region_code.between(within.lo(), within.hi()))
        .filter(property_hits::batch_id.eq(batch))
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    ctx.audit(
        conn,
        "property_check.statistics",
        "property_check",
        batch,
        ctx.caller.org,
        json!({ "from": format!("{:012}", within.lo()), "hits": rows.len() }),
    )?;
    Ok(tally(&rows))
}

/// One line of a statistics table over `rows`: people counted once each.
pub(crate) fn line(code: &str, label: &str, rows: &[&HitRow]) -> StatLine {
    let mut l = StatLine {
        hit_type: code.into(),
        label: label.into(),
        ..StatLine::default()
    };
    let people: HashSet<Uuid> = rows.iter().map(|h| h.member_id).collect();
    l.people = i64::try_from(people.len()).unwrap_or(i64::MAX);
    for h in rows {
        l.hits += 1;
        match h.is_true {
            None => l.pending += 1,
            Some(false) => l.not_true += 1,
            Some(true) => {
                l.true_ += 1;
                if h.before_cutoff == Some(true) {
                    l.before_cutoff += 1;
                } else {
                    l.after_cutoff += 1;
                }
            }
        }
        match h.proposal.as_deref().and_then(|p| Proposal::parse(p).ok()) {
            Some(Proposal::Veto) => l.veto += 1,
            Some(Proposal::NoVeto) => l.no_veto += 1,
            Some(Proposal::NotMatching) => l.not_matching += 1,
            _ => {}
        }
        if h.vetoed_at.is_some() && h.reversed_at.is_none() {
            l.vetoes_in_effect += 1;
        }
    }
    l
}

/// The statistics by hit type and the total (people in the total counted once, whatever
/// their hits' types).
pub(crate) fn tally(rows: &[HitRow]) -> Vec<StatLine> {
    let mut lines: Vec<StatLine> = HitType::ALL
        .iter()
        .map(|t| {
            let of: Vec<&HitRow> = rows.iter().filter(|h| h.hit_type == t.as_str()).collect();
            line(t.as_str(), t.label(), &of)
        })
        .collect();
    lines.push(line("total", "合计", &rows.iter().collect::<Vec<_>>()));
    lines
}

/// The township submits its statistics table for a batch (township step): every hit of the
/// township must be appraised.
///
/// # Errors
/// `Conflict` `not_appraised` or `submitted`.
pub fn submit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    township: RegionCode,
) -> Result<Vec<StatLine>, DomainError> {
    if !ctx.caller.scope().contains(township) || township.level() != Level::Township {
        return Err(DomainError::field(
            "township_code",
            "must be a township in your scope",
        ));
    }
    ctx.caller
        .require_at_level(perm::PROPERTY_REVIEW, Level::Township, township)?;
    let scope = township.subtree();
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(township.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .select(HitRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Err(DomainError::NotFound);
    }
    let waiting = rows
        .iter()
        .filter(|h| matches!(h.status.as_str(), "pending" | "verified"))
        .count();
    if waiting > 0 {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotAppraised,
            message: format!(
                "{waiting} hit(s) of the township are not through the village appraisal"
            ),
        });
    }
    if rows.iter().any(|h| h.status != "appraised") {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Submitted,
            message: "the township submitted this batch already".into(),
        });
    }
    let stats = tally(&rows);
    diesel::insert_into(property_reports::table)
        .values((
            property_reports::county_code.eq(township.county_code()),
            property_reports::batch_id.eq(batch),
            property_reports::region_code.eq(township.as_i64()),
            property_reports::statistics.eq(json!(stats)),
            property_reports::submitted_by.eq(ctx.caller.user_id),
            property_reports::submitted_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(township.county_code()))
            .filter(property_hits::batch_id.eq(batch))
            .filter(property_hits::region_code.between(scope.lo(), scope.hi())),
    )
    .set(property_hits::status.eq("submitted"))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "property_check.submitted",
        "property_check",
        batch,
        township,
        json!({ "hits": rows.len() }),
    )?;
    Ok(stats)
}

/// The county confirms a township's table (county step): every proposed veto takes effect,
/// moving the household out of the registry with the hit as the reason.
///
/// # Errors
/// `Conflict` `not_submitted` or `confirmed`.
pub fn confirm(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    township: RegionCode,
) -> Result<Vec<StatLine>, DomainError> {
    if !ctx.caller.scope().contains(township) || township.level() != Level::Township {
        return Err(DomainError::field(
            "township_code",
            "must be a township in your scope",
        ));
    }
    ctx.caller
        .require_at_level(perm::PROPERTY_DECIDE, Level::County, township)?;
    let report: Option<Option<DateTime<Utc>>> = property_reports::table
        .filter(property_reports::county_code.eq(township.county_code()))
        .filter(property_reports::batch_id.eq(batch))
        .filter(property_reports::region_code.eq(township.as_i64()))
        .select(property_reports::confirmed_at)
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    match report {
        None => {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::NotSubmitted,
                message: "the township has not submitted its table for this batch".into(),
            });
        }
        Some(Some(_)) => {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::Confirmed,
                message: "the county confirmed this table already".into(),
            });
        }
        Some(None) => {}
    }
    let scope = township.subtree();
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(township.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .select(HitRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    for h in rows
        .iter()
        .filter(|h| h.proposal.as_deref() == Some(Proposal::Veto.as_str()))
    {
        let household = cases::find_for_update(conn, h.household_id)?;
        let before = household.status.clone();
        // A household already out (several vetoed hits) is out once.
        if before != Status::Removed.as_str() {
            apply_status(
                conn,
                ctx,
                &household,
                Status::Removed,
                // The hit's details are confidential: the history names the hit only.
                &format!(
                    "one-vote veto (一票否决) confirmed: property-check hit {}",
                    h.id
                ),
            )?;
        }
        diesel::update(
            property_hits::table
                .filter(property_hits::county_code.eq(h.county_code))
                .filter(property_hits::id.eq(h.id)),
        )
        .set((
            property_hits::vetoed_at.eq(ctx.now),
            property_hits::household_status_before.eq(before),
        ))
        .execute(conn)
        .db()?;
    }
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(township.county_code()))
            .filter(property_hits::batch_id.eq(batch))
            .filter(property_hits::region_code.between(scope.lo(), scope.hi())),
    )
    .set(property_hits::status.eq("confirmed"))
    .execute(conn)
    .db()?;
    diesel::update(
        property_reports::table
            .filter(property_reports::county_code.eq(township.county_code()))
            .filter(property_reports::batch_id.eq(batch))
            .filter(property_reports::region_code.eq(township.as_i64())),
    )
    .set((
        property_reports::confirmed_by.eq(ctx.caller.user_id),
        property_reports::confirmed_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "property_check.confirmed",
        "property_check",
        batch,
        township,
        json!({ "vetoes": rows.iter().filter(|h| h.proposal.as_deref() == Some("veto")).count() }),
    )?;
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(township.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    Ok(tally(&rows))
}

/// Reverses a veto in effect (county step, with a reason): the household gets back the status
/// it had, unless another veto in effect still holds it out.
///
/// # Errors
/// `Conflict` `not_vetoed` or `reversed`; `Validation` for an empty reason.
pub fn reverse(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    reason: &str,
) -> Result<HitView, DomainError> {
    let hit = find_hit(conn, id, true)?;
    let village = stored_code(hit.region_code)?;
    ctx.caller
        .require_at_level(perm::PROPERTY_DECIDE, Level::County, village)?;
    if hit.vetoed_at.is_none() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotVetoed,
            message: "only a veto the county confirmed can be reversed".into(),
        });
    }
    if hit.reversed_at.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Reversed,
            message: "this veto was reversed already".into(),
        });
    }
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(hit.county_code))
            .filter(property_hits::id.eq(id)),
    )
    .set((
        property_hits::reversed_at.eq(ctx.now),
        property_hits::reversal_reason.eq(reason),
    ))
    .execute(conn)
    .db()?;
    let still_out: i64 = property_hits::table
        .filter(property_hits::county_code.eq(hit.county_code))
        .filter(property_hits::household_id.eq(hit.household_id))
        .filter(property_hits::vetoed_at.is_not_null())
        .filter(property_hits::reversed_at.is_null())
        .count()
        .get_result(conn)
        .db()?;
    if still_out == 0 {
        let household = cases::find_for_update(conn, hit.household_id)?;
        // The status before the first veto took the household out.
        let before: Vec<Option<String>> = property_hits::table
            .filter(property_hits::county_code.eq(hit.county_code))
            .filter(property_hits::household_id.eq(hit.household_id))
            .filter(property_hits::vetoed_at.is_not_null())
            .order(property_hits::vetoed_at.asc())
            .select(property_hits::household_status_before)
            .load(conn)
            .db()?;
        let back = before
            .into_iter()
            .flatten()
            .filter_map(|s| Status::parse(&s).ok())
            .find(|s| *s != Status::Removed)
            .unwrap_or(Status::Registered);
        if household.status == Status::Removed.as_str() {
            apply_status(
                conn,
                ctx,
                &household,
                back,
                &format!("veto of property-check hit {id} reversed by the county: {reason}"),
            )?;
        }
    }
    ctx.audit(
        conn,
        "property_hit.veto_reversed",
        "property_hit",
        id,
        village,
        json!({ "reason": reason }),
    )?;
    let row = find_hit(conn, id, false)?;
    views(conn, ctx, vec![row])?
        .pop()
        .ok_or(DomainError::NotFound)
}
