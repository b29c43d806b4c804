//! The village appraisal of a property-check batch (seed 2: 村评议会) and the township's send-back.
//!
//! The meeting is a record of its own — the day, the people attending, the minutes — written with
//! the handling opinion of every hit of the village; the hits are then fixed. Until the township
//! submits its statistics table it may send a village's appraisal back with a reason (issue 22,
//! seed 2): the village's hits return to `verified` (their verification may be corrected), the
//! record keeps who sent it back, when and why, and the village meets again.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, FieldError, Level, RegionCode};
use serde_json::json;
use uuid::Uuid;

use super::Ctx;
use super::property::{HitRow, HitView, views};
use crate::db::DbResultExt as _;
use crate::schema::{property_appraisals, property_hits};

/// The appraisal meeting (评议会).
#[derive(Debug, Clone)]
pub struct Meeting {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// People attending.
    pub attendees: i32,
    /// Its minutes.
    pub minutes: String,
}

/// A recorded appraisal meeting.
#[derive(Debug, Clone, Queryable)]
pub struct AppraisalRecord {
    /// Id.
    pub id: Uuid,
    /// The village.
    pub region_code: i64,
    /// Held on.
    pub held_on: NaiveDate,
    /// People attending.
    pub attendees: i32,
    /// Minutes.
    pub minutes: String,
    /// Recorded by.
    pub recorded_by: Uuid,
    /// Recorded at.
    pub recorded_at: DateTime<Utc>,
    /// Sent back by (the township).
    pub sent_back_by: Option<Uuid>,
    /// Sent back at.
    pub sent_back_at: Option<DateTime<Utc>>,
    /// Why.
    pub send_back_reason: Option<String>,
}

/// Records the village appraisal of a batch (处理意见): every hit of the village in the batch
/// must be verified; each gets its handling opinion, and the hits are fixed.
///
/// # Errors
/// `Conflict` `unverified_hits`; `Validation` naming `opinions[i]`.
pub fn appraise(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    village: RegionCode,
    meeting: &Meeting,
    opinions: &[(Uuid, String)],
) -> Result<Vec<HitView>, DomainError> {
    let held_on = meeting.held_on;
    if !ctx.caller.scope().contains(village) || village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        ));
    }
    ctx.caller
        .require_at_level(perm::PROPERTY_VERIFY, Level::Village, village)?;
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(village.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.eq(village.as_i64()))
        .select(HitRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Err(DomainError::NotFound);
    }
    let pending = rows.iter().filter(|h| h.status == "pending").count();
    if pending > 0 {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::UnverifiedHits,
            message: format!("{pending} hit(s) of the village are not verified yet"),
        });
    }
    if rows.iter().any(|h| h.status != "verified") {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Appraised,
            message: "the village has appraised this batch already".into(),
        });
    }
    let mut errs = Vec::new();
    for (i, (id, o)) in opinions.iter().enumerate() {
        if !rows.iter().any(|h| h.id == *id) {
            errs.push(FieldError::new(
                format!("opinions[{i}].hit_id"),
                domain::Rule::other(
                    "is not a hit of this village in this batch",
                    "不是本批次中本村的比对结果",
                ),
            ));
        }
        if o.trim().is_empty() || o.chars().count() > 1000 {
            errs.push(FieldError::new(
                format!("opinions[{i}].opinion"),
                domain::Rule::length(1, 1000),
            ));
        }
    }
    for h in &rows {
        if opinions.iter().filter(|(id, _)| *id == h.id).count() != 1 {
            errs.push(FieldError::new(
                "opinions",
                domain::Rule::other(
                    format!(
                        "hit {} (row {}) needs exactly one opinion",
                        h.id, h.row_number
                    ),
                    format!(
                        "比对结果 {}(第 {} 行)须有且只有一条意见",
                        h.id, h.row_number
                    ),
                ),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    for (id, o) in opinions {
        diesel::update(
            property_hits::table
                .filter(property_hits::county_code.eq(village.county_code()))
                .filter(property_hits::id.eq(id)),
        )
        .set((
            property_hits::status.eq("appraised"),
            property_hits::opinion.eq(o.trim()),
            property_hits::appraised_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    }
    diesel::insert_into(property_appraisals::table)
        .values((
            property_appraisals::county_code.eq(village.county_code()),
            property_appraisals::id.eq(Uuid::new_v4()),
            property_appraisals::batch_id.eq(batch),
            property_appraisals::region_code.eq(village.as_i64()),
            property_appraisals::held_on.eq(held_on),
            property_appraisals::attendees.eq(meeting.attendees),
            property_appraisals::minutes.eq(meeting.minutes.trim()),
            property_appraisals::recorded_by.eq(ctx.caller.user_id),
            property_appraisals::recorded_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "property_check.appraised",
        "property_check",
        batch,
        village,
        json!({ "held_on": held_on, "attendees": meeting.attendees, "hits": rows.len() }),
    )?;
    let rows = property_hits::table
        .filter(property_hits::county_code.eq(village.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.eq(village.as_i64()))
        .order(property_hits::row_number)
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    views(conn, ctx, rows)
}

/// The township sends a village's appraisal back (seed 2): the village's appraised hits return
/// to `verified`, the latest meeting record keeps who, when and why; the village appraises again.
///
/// # Errors
/// `Validation` naming `village_code` or `reason`; `Forbidden` without `property:review` at the
/// township over the village; `NotFound` when the batch has no hit of the village;
/// `Conflict` `not_appraised` (nothing to send back) or `submitted` (the township's table is in).
pub fn send_back(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    village: RegionCode,
    reason: &str,
) -> Result<Vec<HitView>, DomainError> {
    if village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::format(domain::Format::VillageCode),
        ));
    }
    ctx.caller
        .require_at_level(perm::PROPERTY_REVIEW, Level::Township, village)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(DomainError::field("reason", domain::Rule::length(1, 1000)));
    }
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(village.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.eq(village.as_i64()))
        .select(HitRow::as_select())
        .for_update()
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Err(DomainError::NotFound);
    }
    if rows
        .iter()
        .any(|h| !matches!(h.status.as_str(), "pending" | "verified" | "appraised"))
    {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Submitted,
            message: "the township submitted this batch already: it can no longer be sent back"
                .into(),
        });
    }
    if rows.iter().any(|h| h.status != "appraised") {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::NotAppraised,
            message: "the village has not appraised this batch: there is nothing to send back"
                .into(),
        });
    }
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(village.county_code()))
            .filter(property_hits::batch_id.eq(batch))
            .filter(property_hits::region_code.eq(village.as_i64())),
    )
    .set((
        property_hits::status.eq("verified"),
        property_hits::appraised_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .db()?;
    let latest: Option<Uuid> = property_appraisals::table
        .filter(property_appraisals::county_code.eq(village.county_code()))
        .filter(property_appraisals::batch_id.eq(batch))
        .filter(property_appraisals::region_code.eq(village.as_i64()))
        .filter(property_appraisals::sent_back_at.is_null())
        .order(property_appraisals::recorded_at.desc())
        .select(property_appraisals::id)
        .first(conn)
        .optional()
        .db()?;
    if let Some(id) = latest {
        diesel::update(
            property_appraisals::table
                .filter(property_appraisals::county_code.eq(village.county_code()))
                .filter(property_appraisals::id.eq(id)),
        )
        .set((
            property_appraisals::sent_back_by.eq(ctx.caller.user_id),
            property_appraisals::sent_back_at.eq(ctx.now),
            property_appraisals::send_back_reason.eq(reason),
        ))
        .execute(conn)
        .db()?;
    }
    ctx.audit(
        conn,
        "property_check.sent_back",
        "property_check",
        batch,
        village,
        json!({ "reason": reason, "hits": rows.len() }),
    )?;
    let rows = property_hits::table
        .filter(property_hits::county_code.eq(village.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.eq(village.as_i64()))
        .order(property_hits::row_number)
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    views(conn, ctx, rows)
}

/// The appraisal meetings of a batch in the caller's scope (sent-back ones too), by village.
///
/// # Errors
/// `Forbidden` without `property:read`; `NotFound` for a batch the caller does not see.
pub fn meetings(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
) -> Result<Vec<AppraisalRecord>, DomainError> {
    if !ctx.caller.has_permission(perm::PROPERTY_READ) {
        return Err(DomainError::Forbidden(
            "the appraisal meetings are read with property:read".into(),
        ));
    }
    // A batch the caller cannot see is not found (not an empty list).
    if super::property::batches(conn, ctx, Some(batch))?.is_empty() {
        return Err(DomainError::NotFound);
    }
    let scope = ctx.caller.scope();
    property_appraisals::table
        .filter(property_appraisals::batch_id.eq(batch))
        .filter(property_appraisals::region_code.between(scope.lo(), scope.hi()))
        .order((
            property_appraisals::region_code,
            property_appraisals::recorded_at,
            // On one instant (a test clock), the meeting sent back came first.
            property_appraisals::sent_back_at.is_null(),
        ))
        .select((
            property_appraisals::id,
            property_appraisals::region_code,
            property_appraisals::held_on,
            property_appraisals::attendees,
            property_appraisals::minutes,
            property_appraisals::recorded_by,
            property_appraisals::recorded_at,
            property_appraisals::sent_back_by,
            property_appraisals::sent_back_at,
            property_appraisals::send_back_reason,
        ))
        .load(conn)
        .db()
}
