//! Early-warning leads: the county's data scan, reported signals, the verification queue.

use super::*;

/// What a scan raised.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ScanReport {
    /// Leads for income below the monitoring line.
    pub income_below_line: i64,
    /// Leads for returned households without an open case.
    pub returned_case: i64,
}

/// Runs the data rules over a county (county step): households whose per-capita income in
/// `year` is below the monitoring line, and returned households without an open case, become
/// leads (once: a lead is not raised twice for the same household, rule and period).
///
/// # Errors
/// `Validation` when no monitoring line is set for the year.
pub fn scan(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<ScanReport, DomainError> {
    if !ctx.caller.scope().contains(county) || county.level() != Level::County {
        return Err(DomainError::field(
            "county_code",
            domain::Rule::not_in_scope(domain::ScopeKind::County),
        ));
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    let settings = crate::app::settings::effective_for(conn, ctx, county)?;
    let Some(line) = settings.monitoring_line_for(year) else {
        return Err(DomainError::field(
            "year",
            domain::Rule::other(
                format!(
                    "no monitoring line is set for {year}; set monitoring.line_fen.{year} in the settings"
                ),
                format!("{year} 年未设定监测线;请在设置中设定 monitoring.line_fen.{year}"),
            ),
        ));
    };
    let scope = county.subtree();
    let income = diesel::sql_query(
        "INSERT INTO monitoring_leads (county_code, id, household_id, region_code, rule, period, details, raised_by, raised_at) \
         SELECT h.county_code, gen_random_uuid(), h.id, h.region_code, 'income_below_line', $3::text, \
                jsonb_build_object('year', $3, 'income_per_capita_fen', y.income_per_capita_fen, 'line_fen', $4::bigint), $5, $6 \
           FROM households h JOIN household_years y ON y.county_code = h.county_code AND y.household_id = h.id AND y.year = $3 \
          WHERE h.region_code BETWEEN $1 AND $2 AND h.status IN ('exited', 'non_poor') \
            AND y.income_per_capita_fen < $4 \
            AND NOT EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county_code = h.county_code AND c.household_id = h.id \
                            AND c.stage IN ('identified', 'township_reviewed', 'monitored')) \
         ON CONFLICT (county_code, household_id, rule, period) DO NOTHING",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<Integer, _>(year)
    .bind::<BigInt, _>(line)
    .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
    .bind::<Timestamptz, _>(ctx.now)
    .execute(conn)
    .db()?;
    let returned = diesel::sql_query(
        "INSERT INTO monitoring_leads (county_code, id, household_id, region_code, rule, period, details, raised_by, raised_at) \
         SELECT h.county_code, gen_random_uuid(), h.id, h.region_code, 'returned_case', $3, \
                jsonb_build_object('status', h.status), $4, $5 \
           FROM households h \
          WHERE h.region_code BETWEEN $1 AND $2 AND h.status = 'returned' \
            AND NOT EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county_code = h.county_code AND c.household_id = h.id \
                            AND c.stage IN ('identified', 'township_reviewed', 'monitored')) \
         ON CONFLICT (county_code, household_id, rule, period) DO NOTHING",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<Text, _>(year.to_string())
    .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
    .bind::<Timestamptz, _>(ctx.now)
    .execute(conn)
    .db()?;
    let report = ScanReport {
        income_below_line: i64::try_from(income).unwrap_or(i64::MAX),
        returned_case: i64::try_from(returned).unwrap_or(i64::MAX),
    };
    if income + returned > 0
        && crate::app::webhooks::listening(
            conn,
            county.county_code(),
            domain::webhooks::EventKind::LeadRaised,
        )?
    {
        let raised: Vec<(Uuid, Uuid, i64, String, String)> = monitoring_leads::table
            .filter(monitoring_leads::region_code.between(scope.lo(), scope.hi()))
            .filter(monitoring_leads::raised_by.eq(ctx.caller.user_id))
            .filter(monitoring_leads::raised_at.eq(ctx.now))
            .select((
                monitoring_leads::id,
                monitoring_leads::household_id,
                monitoring_leads::region_code,
                monitoring_leads::rule,
                monitoring_leads::period,
            ))
            .load(conn)
            .db()?;
        for (id, household, region, rule, period) in raised {
            emit_lead(conn, ctx, id, household, region, &rule, &period)?;
        }
    }
    ctx.audit(
        conn,
        "monitoring_lead.scan",
        "monitoring_lead",
        "",
        county,
        json!({ "year": year, "line_fen": line, "raised": report }),
    )?;
    Ok(report)
}

/// A signal reported by a department or the village.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A medical expense.
    MedicalExpense {
        /// Amount, fen.
        amount_fen: i64,
    },
    /// A disaster.
    Disaster,
}

/// Reports a signal about a household as a lead (village or county step). A medical expense
/// below the large-expense threshold is refused and says the threshold.
///
/// # Errors
/// `Validation`, `Forbidden`, `Conflict` `lead_exists` for the same household, rule and date.
pub fn report(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    signal: &Signal,
    occurred_on: NaiveDate,
    description: &str,
) -> Result<LeadRow, DomainError> {
    // Reports come from the village or the county: others are refused before anything is read.
    if !ctx.caller.has_permission(perm::WORKFLOW_VILLAGE)
        && !ctx.caller.has_permission(perm::WORKFLOW_COUNTY)
    {
        return Err(DomainError::Forbidden(
            "leads are reported by village or county users".into(),
        ));
    }
    let h = cases::find(conn, household_id).map_err(|_| {
        DomainError::field(
            "household_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Household),
        )
    })?;
    let village = stored_code(h.region_code)?;
    if ctx
        .caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, village)
        .is_err()
    {
        ctx.caller
            .require_at_level(perm::WORKFLOW_COUNTY, Level::County, village)?;
    }
    if occurred_on > ctx.today() {
        return Err(DomainError::field("occurred_on", domain::Rule::NotInFuture));
    }
    let (rule, details) = match signal {
        Signal::MedicalExpense { amount_fen } => {
            let threshold = crate::app::settings::effective_for(conn, ctx, village)?
                .monitoring
                .large_medical_expense_fen;
            if *amount_fen < threshold {
                return Err(DomainError::field(
                    "amount_fen",
                    domain::Rule::other(
                        format!(
                            "{} yuan is below the large medical expense threshold of {} yuan",
                            domain::exit::yuan(*amount_fen),
                            domain::exit::yuan(threshold)
                        ),
                        format!(
                            "{} 元低于大额医疗支出门槛 {} 元",
                            domain::exit::yuan(*amount_fen),
                            domain::exit::yuan(threshold)
                        ),
                    ),
                ));
            }
            (
                LeadRule::MedicalExpense,
                json!({ "amount_fen": amount_fen, "threshold_fen": threshold, "description": description }),
            )
        }
        Signal::Disaster => (LeadRule::Disaster, json!({ "description": description })),
    };
    let row: LeadRow = diesel::insert_into(monitoring_leads::table)
        .values((
            monitoring_leads::county_code.eq(h.county_code),
            monitoring_leads::id.eq(Uuid::new_v4()),
            monitoring_leads::household_id.eq(h.id),
            monitoring_leads::region_code.eq(h.region_code),
            monitoring_leads::rule.eq(rule.as_str()),
            monitoring_leads::period.eq(occurred_on.to_string()),
            monitoring_leads::details.eq(&details),
            monitoring_leads::raised_by.eq(ctx.caller.user_id),
            monitoring_leads::raised_at.eq(ctx.now),
        ))
        .returning(LeadRow::as_returning())
        .get_result(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::LeadExists,
                message: format!(
                    "a {} lead for this household on {occurred_on} exists already",
                    rule.as_str()
                ),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "monitoring_lead.reported",
        "monitoring_lead",
        row.id,
        village,
        json!({ "rule": rule.as_str(), "household_id": h.id }),
    )?;
    emit_lead(
        conn,
        ctx,
        row.id,
        row.household_id,
        row.region_code,
        &row.rule,
        &row.period,
    )?;
    Ok(row)
}

/// Filters of the lead queue.
#[derive(Debug, Clone)]
pub struct LeadFilter {
    /// Region (capped by scope).
    pub within: Scope,
    /// Status.
    pub status: Option<LeadStatus>,
    /// Rule.
    pub rule: Option<LeadRule>,
}

/// Leads in scope by village, then oldest first (the order of `monitoring_leads_walk`); keyset
/// after `(village, raised_at, id)`.
///
/// # Errors
/// Database failures.
pub fn leads(
    conn: &mut PgConnection,
    f: &LeadFilter,
    after: Option<(i64, DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<LeadRow>, DomainError> {
    let mut q = monitoring_leads::table
        .filter(monitoring_leads::region_code.between(f.within.lo(), f.within.hi()))
        .order((
            monitoring_leads::region_code,
            monitoring_leads::raised_at,
            monitoring_leads::id,
        ))
        .select(LeadRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(monitoring_leads::status.eq(s.as_str()));
    }
    if let Some(r) = f.rule {
        q = q.filter(monitoring_leads::rule.eq(r.as_str()));
    }
    if let Some((r, at, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(monitoring_leads.region_code, monitoring_leads.raised_at, monitoring_leads.id) > (",
            )
            .bind::<BigInt, _>(r)
            .sql(", ")
            .bind::<Timestamptz, _>(at)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    crate::db::load_page(conn, q)
}

/// The head of household's name of each lead's household (the leads table names the head;
/// households outside the caller's scope are simply absent).
///
/// # Errors
/// Database failures.
pub fn lead_heads(
    conn: &mut PgConnection,
    leads: &[LeadRow],
) -> Result<std::collections::HashMap<Uuid, String>, DomainError> {
    if leads.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let ids: Vec<Uuid> = leads.iter().map(|l| l.household_id).collect();
    let mut counties: Vec<i32> = leads.iter().map(|l| l.county_code).collect();
    counties.sort_unstable();
    counties.dedup();
    Ok(households::table
        .filter(households::county_code.eq_any(&counties))
        .filter(households::id.eq_any(&ids))
        .select((households::id, households::head_name))
        .load::<(Uuid, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// How a lead was verified.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// No risk: dismissed with a reason.
    Dismiss {
        /// Why.
        reason: String,
    },
    /// A risk: open a case.
    OpenCase {
        /// Kind.
        kind: Kind,
        /// Risk types.
        risk_types: Vec<RiskType>,
        /// What was found.
        description: String,
        /// Help first (disasters).
        rescue_first: bool,
    },
}

/// Verifies a pending lead (village step): dismiss it, or open a case from it.
///
/// # Errors
/// `Conflict` `lead_resolved`; as [`open_case`].
pub fn verify_lead(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    id: Uuid,
    verdict: &Verdict,
) -> Result<(LeadRow, Option<CaseView>), DomainError> {
    let lead: LeadRow = monitoring_leads::table
        .filter(monitoring_leads::id.eq(id))
        .select(LeadRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let village = require_village(ctx, lead.region_code)?;
    if lead.status != LeadStatus::Pending.as_str() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::LeadResolved,
            message: format!("the lead is {} already", lead.status),
        });
    }
    let (status, case, reason) = match verdict {
        Verdict::Dismiss { reason } => (LeadStatus::Dismissed, None, Some(reason.clone())),
        Verdict::OpenCase {
            kind,
            risk_types,
            description,
            rescue_first,
        } => {
            let found_on =
                NaiveDate::parse_from_str(&lead.period, "%Y-%m-%d").unwrap_or_else(|_| ctx.today());
            let v = open_case(
                conn,
                ctx,
                keys,
                &NewCase {
                    household: CaseHousehold::Existing(lead.household_id),
                    kind: *kind,
                    risk_types: risk_types.clone(),
                    found_on,
                    description: description.clone(),
                    rescue_first: *rescue_first,
                },
                Some(&lead),
            )??;
            (LeadStatus::CaseOpened, Some(v), None)
        }
    };
    let row: LeadRow = diesel::update(
        monitoring_leads::table
            .filter(monitoring_leads::county_code.eq(lead.county_code))
            .filter(monitoring_leads::id.eq(id)),
    )
    .set((
        monitoring_leads::status.eq(status.as_str()),
        monitoring_leads::case_id.eq(case.as_ref().map(|c| c.case.id)),
        monitoring_leads::resolution_reason.eq(&reason),
        monitoring_leads::resolved_by.eq(ctx.caller.user_id),
        monitoring_leads::resolved_at.eq(ctx.now),
    ))
    .returning(LeadRow::as_returning())
    .get_result(conn)
    .db()?;
    ctx.audit(
        conn,
        &format!("monitoring_lead.{}", status.as_str()),
        "monitoring_lead",
        id,
        village,
        json!({ "case_id": row.case_id, "reason": reason }),
    )?;
    Ok((row, case))
}

/// Field errors of a new case's risk types.
pub fn check_risk_types(codes: &[String]) -> Result<Vec<RiskType>, FieldError> {
    if codes.is_empty() || codes.len() > RiskType::ALL.len() {
        return Err(FieldError::new(
            "risk_types",
            domain::Rule::other("must list at least one risk type", "至少列出一种风险类型"),
        ));
    }
    let mut out = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        let r = RiskType::parse(c).map_err(|m| FieldError::new(format!("risk_types[{i}]"), m))?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}
