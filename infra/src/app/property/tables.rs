//! The statistics table (统计表), the township's submission, the county's confirmation and the
//! reversal of a veto (moved from `property.rs`; re-exported there).

use super::*;

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
        ctx.caller.unit(),
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
            domain::Rule::not_in_scope(domain::ScopeKind::Township),
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
            domain::Rule::not_in_scope(domain::ScopeKind::Township),
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
    let mut applied = 0usize;
    for h in rows
        .iter()
        .filter(|h| h.proposal.as_deref() == Some(Proposal::Veto.as_str()))
    {
        let household = cases::find_for_update(conn, h.household_id)?;
        // A veto reused from an earlier hit whose veto the county has reversed since does not
        // take the household out again (the reversal stands). Read after the household's lock:
        // a reversal under way holds it, and has committed by now.
        if let Some(source) = h.reused_from {
            let reversed: Option<DateTime<Utc>> = property_hits::table
                .filter(property_hits::county_code.eq(h.county_code))
                .filter(property_hits::id.eq(source))
                .select(property_hits::reversed_at)
                .first(conn)
                .db()?;
            if reversed.is_some() {
                continue;
            }
        }
        applied += 1;
        let before = household.status.clone();
        // A household already out (several vetoed hits) is out once.
        if before != Status::Removed.as_str() {
            // The hit's details are confidential: the history names the hit only.
            let reason = format!(
                "one-vote veto (一票否决) confirmed: property-check hit {}",
                h.id
            );
            apply_status(conn, ctx, &household, Status::Removed, &reason)?;
            crate::app::monitoring::close_open_case(
                conn,
                ctx,
                h.household_id,
                crate::app::monitoring::ClosedBy::Veto,
                &reason,
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
        json!({ "vetoes": applied }),
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
    // The household first: two reversals of its vetoes at once (or a reversal beside a
    // confirmation vetoing it again) each counted the other's veto as still in effect, and it
    // stayed removed with none; locked, the second counts after the first commits.
    let household = cases::find_for_update(conn, hit.household_id)?;
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
    // Later batches' copies of this verification not yet through the village's appraisal go
    // back to the village: the result they reused no longer stands.
    diesel::update(
        property_hits::table
            .filter(property_hits::county_code.eq(hit.county_code))
            .filter(property_hits::reused_from.eq(id))
            .filter(property_hits::status.eq("verified")),
    )
    .set((
        property_hits::status.eq("pending"),
        property_hits::is_true.eq(None::<bool>),
        property_hits::arose_on.eq(None::<chrono::NaiveDate>),
        property_hits::before_cutoff.eq(None::<bool>),
        property_hits::proposal.eq(None::<String>),
        property_hits::veto_condition.eq(None::<String>),
        property_hits::reason.eq(None::<String>),
        property_hits::reused_from.eq(None::<Uuid>),
        property_hits::verified_by.eq(None::<Uuid>),
        property_hits::verified_at.eq(None::<chrono::DateTime<chrono::Utc>>),
        property_hits::note.eq(Some(format!(
            "the earlier result (hit {id}) was reversed by the county: verify again"
        ))),
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
        // A monitored household's case was closed by the veto: it comes back as it was before
        // monitoring, and the village identifies it again if it still needs monitoring (a case
        // left open by a veto from before vetoes closed them keeps it monitored).
        let back = if back == Status::Monitored
            && crate::app::monitoring::monitored_from(conn, hit.household_id)?.is_none()
        {
            crate::app::monitoring::last_status_before(conn, hit.household_id)?
                .unwrap_or(Status::Registered)
        } else {
            back
        };
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
