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

mod loading;
mod tables;

pub use loading::{ImportReport, RowError, admit, import, may_import};
pub(crate) use tables::line;
pub use tables::{StatLine, confirm, reverse, statistics, submit};

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
    /// Version: bumped by each verification (a re-verification names it, If-Match).
    pub version: i32,
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
        ctx.caller.unit(),
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
    // The earlier hit shown beside it is read too: named in the same row.
    ctx.audit(
        conn,
        "property_hit.read",
        "property_hit",
        id,
        stored_code(hit.region_code)?,
        earlier
            .as_ref()
            .map_or_else(|| json!({}), |e| json!({ "also_read": e.id })),
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
    expected_version: Option<i32>,
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
    // A verification replaces another only as read: the first of two from the same read is
    // kept, the second told (412), and a re-verification names the version it corrects (428).
    match expected_version {
        Some(v) if v != hit.version => return Err(DomainError::PreconditionFailed),
        None if hit.status == "verified" => return Err(DomainError::PreconditionRequired),
        _ => {}
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
        property_hits::version.eq(property_hits::version + 1),
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
