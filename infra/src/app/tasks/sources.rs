//! The inbox's other sources: property hits, ranger months, visits, grant requests, campaigns, jobs.

use super::*;

pub(super) fn property_tasks(
    conn: &mut PgConnection,
    (level, permission): (Level, &str),
    scope: Scope,
    routing_required: bool,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    if permission == perm::PROPERTY_VERIFY && level == Level::Village {
        let rows: Vec<HitRow> = load(conn, HITS_SQL, range(scope))?;
        // Hits not yet forwarded to the village wait for the township, not for it.
        let routed = crate::app::property_routing::routed_in(conn, scope)?;
        for h in rows
            .into_iter()
            .filter(|h| !routing_required || routed.contains(&(h.batch_id, h.region_code)))
        {
            let link = format!("/api/v1/property-hits/{}", h.id);
            out.push(Found {
                kind: TaskKind::PropertyHit,
                object_type: "property_hit",
                object_id: h.id,
                part: String::new(),
                region: h.region_code,
                action: "verification",
                since: china_day(h.imported_at),
                due: Due::WorkingDays,
                action_link: format!("{link}/verification"),
                link,
            });
        }
    }
    if permission == perm::PROPERTY_DECIDE && level == Level::County {
        let rows: Vec<TableRow> = load(conn, TABLES_SQL, range(scope))?;
        for t in rows {
            let link = format!(
                "/api/v1/property-checks/{}/statistics?region={:012}",
                t.batch_id, t.region_code
            );
            out.push(Found {
                kind: TaskKind::PropertyTable,
                object_type: "property_check",
                object_id: t.batch_id,
                part: format!("{:012}", t.region_code),
                region: t.region_code,
                action: "confirmation",
                since: china_day(t.submitted_at),
                due: Due::WorkingDays,
                link,
                action_link: format!("/api/v1/property-checks/{}/confirmations", t.batch_id),
            });
        }
    }
    Ok(())
}

pub(super) fn ranger_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let last = last_ended_month_day(ctx.today());
    // The payment day of the contract's terms; for a contract signed before terms were kept,
    // its county's (`ranger.payment_due_day`), read once per county.
    let mut due_days: BTreeMap<i32, i32> = BTreeMap::new();
    let rows: Vec<RangerRow> = diesel::sql_query(RANGER_SQL)
        .bind::<BigInt, _>(scope.lo())
        .bind::<BigInt, _>(scope.hi())
        .bind::<Date, _>(last)
        .load(conn)
        .db()?;
    for r in rows {
        let Some(month_end) = month_last_day(&r.first_unpaid) else {
            continue;
        };
        let village = stored_code(r.region_code)?;
        let county = village.county_code();
        let due_day = match r.kept_due_day.or_else(|| due_days.get(&county).copied()) {
            Some(d) => d,
            None => {
                let d = crate::app::settings::effective_for(conn, ctx, village)?
                    .ranger
                    .payment_due_day;
                due_days.insert(county, d);
                d
            }
        };
        let due = domain::ranger::payment_due(month_end.year(), month_end.month(), due_day)
            .map_or(Due::WorkingDays, Due::WorkingDayFrom);
        out.push(Found {
            kind: TaskKind::RangerMonth,
            object_type: "ranger_contract",
            object_id: r.id,
            region: r.region_code,
            action: "payout",
            since: month_end,
            due,
            link: format!(
                "/api/v1/ranger-contracts/{}/payouts/{}",
                r.id, r.first_unpaid
            ),
            action_link: format!(
                "/api/v1/ranger-contracts/{}/payouts/{}",
                r.id, r.first_unpaid
            ),
            part: r.first_unpaid,
        });
    }
    Ok(())
}

/// The last day of a `YYYY-MM` month.
pub(super) fn month_last_day(month: &str) -> Option<NaiveDate> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some(next - Duration::days(1))
}

pub(super) fn visit_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    interval_days: i32,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let rows: Vec<VisitRow> = diesel::sql_query(VISITS_SQL)
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .bind::<Date, _>(ctx.today())
        .load(conn)
        .db()?;
    let interval = i64::from(interval_days);
    for v in rows {
        // A membership outlives a revoked grant: only households the caller may still log a
        // visit for (the route's own check) are offered.
        let Ok(village) = crate::app::stored_code(v.region_code) else {
            continue;
        };
        if !ctx.caller.can_at(perm::VISITS_WRITE, village) {
            continue;
        }
        let since = v.last_visit.unwrap_or(v.start_date);
        if since + Duration::days(interval) > ctx.today() {
            continue;
        }
        out.push(Found {
            kind: TaskKind::VisitOverdue,
            object_type: "household",
            object_id: v.household_id,
            part: String::new(),
            region: v.region_code,
            action: "visit",
            since,
            due: Due::Days(interval),
            link: format!("/api/v1/households/{}", v.household_id),
            action_link: "/api/v1/visits".into(),
        });
    }
    Ok(())
}

#[derive(QueryableByName)]
struct GrantRequestRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    /// The county of the request (the user's tenant), as the approval reads it.
    #[diesel(sql_type = diesel::sql_types::Int4)]
    county_code: i32,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    requested_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    requested_by: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
}

pub(super) fn grant_request_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let rows: Vec<GrantRequestRow> = diesel::sql_query(GRANT_REQUESTS_SQL)
        .bind::<BigInt, _>(scope.lo())
        .bind::<BigInt, _>(scope.hi())
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Ok(());
    }
    // Only what the approval would accept: not a request of or for someone who administers
    // the caller's account (granted the caller's administration, reset their password lately).
    let conflicted = crate::app::grant_requests::conflicted(conn, ctx)?;
    for r in rows {
        if conflicted
            .iter()
            .any(|(by, _)| *by == r.requested_by || *by == r.user_id)
        {
            continue;
        }
        if crate::app::grant_requests::tied(conn, ctx, r.county_code, r.requested_by, r.user_id)?
            .is_some()
        {
            continue;
        }
        out.push(Found {
            kind: TaskKind::GrantRequest,
            object_type: "grant_request",
            object_id: r.id,
            part: String::new(),
            region: r.region_code,
            action: "approve",
            since: china_day(r.requested_at),
            due: Due::WorkingDays,
            link: format!("/api/v1/grant-requests/{}", r.id),
            action_link: format!("/api/v1/grant-requests/{}/approve", r.id),
        });
    }
    Ok(())
}

/// Late villages of open campaigns: the township follows them up, the county may excuse them.
pub(super) fn campaign_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    level: Level,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    for l in crate::app::campaign::late_villages(conn, ctx, scope)? {
        out.push(Found {
            kind: TaskKind::CampaignStep,
            object_type: "campaign",
            object_id: l.campaign_id,
            part: format!("{:012}", l.village),
            region: l.village,
            action: l.step.as_str(),
            since: l.due_on,
            due: Due::On(l.due_on),
            link: format!(
                "/api/v1/campaigns/{}/villages?township={:012}&late=true",
                l.campaign_id,
                l.village / 1000 * 1000
            ),
            action_link: if level == Level::County {
                format!("/api/v1/campaigns/{}/excuses", l.campaign_id)
            } else {
                format!("/api/v1/exit-lists?region={:012}", l.village)
            },
        });
    }
    Ok(())
}

pub(super) fn job_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    days: i32,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let rows: Vec<JobRow> = diesel::sql_query(JOBS_SQL)
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .bind::<Timestamptz, _>(ctx.now - Duration::days(i64::from(days)))
        .load(conn)
        .db()?;
    for j in rows {
        let day = china_day(j.finished_at);
        out.push(Found {
            kind: TaskKind::FailedJob,
            object_type: "job",
            object_id: j.id,
            part: String::new(),
            region: j.region_code,
            action: "review",
            since: day,
            due: Due::On(day),
            link: format!("/api/v1/jobs/{}", j.id),
            action_link: format!("/api/v1/jobs/{}/errors", j.id),
        });
    }
    Ok(())
}

/// The working calendar's years a platform administrator should add: the next one from
/// 1 November (due on 1 December: a notice posted in late December runs into it), and the
/// current one whenever missing, as it was asked for the year before (since 1 November, due
/// 1 December: overdue). Periods touching a missing year are provisional (docs/calendar.md).
pub(super) fn calendar_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    let today = ctx.today();
    let year = today.year();
    let mut wanted = vec![(
        year,
        NaiveDate::from_ymd_opt(year - 1, 11, 1),
        NaiveDate::from_ymd_opt(year - 1, 12, 1),
    )];
    if today.month() >= 11 {
        wanted.push((
            year + 1,
            NaiveDate::from_ymd_opt(year, 11, 1),
            NaiveDate::from_ymd_opt(year, 12, 1),
        ));
    }
    for (y, since, due) in wanted {
        let (Some(first), Some(since), Some(due)) = (NaiveDate::from_ymd_opt(y, 1, 1), since, due)
        else {
            continue;
        };
        if crate::app::calendar::covers(conn, first)? {
            continue;
        }
        out.push(Found {
            kind: TaskKind::CalendarYear,
            object_type: "calendar_year",
            object_id: Uuid::nil(),
            part: y.to_string(),
            region: 0,
            action: "add_calendar_year",
            since,
            due: Due::On(due),
            link: format!("/api/v1/calendar/{y}"),
            action_link: format!("/api/v1/calendar/{y}"),
        });
    }
    Ok(())
}

/// Exit lists filed since `$3` in a region range (`$1..$2`) that the level `{level}` has not
/// acknowledged (`{after}`: for the province, only those the city has), with when they became
/// the level's to acknowledge (`{since}`: the filing, or the city's acknowledgement).
pub const ACKNOWLEDGEMENTS_SQL: &str = "SELECT l.id, l.region_code, {since} AS since FROM exit_lists l \
     WHERE l.stage = 'filed' AND l.filed_at >= $3 AND l.region_code BETWEEN $1 AND $2 \
       AND NOT EXISTS (SELECT 1 FROM exit_acknowledgements a WHERE a.county_code = l.county_code \
                        AND a.list_id = l.id AND a.level = '{level}'){after}";

#[derive(QueryableByName)]
struct FiledRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    region_code: i64,
    #[diesel(sql_type = Timestamptz)]
    since: DateTime<Utc>,
}

/// Filings waiting for the caller's acknowledgement (seed 1: 逐级报市、省备案): a city or
/// province grant carrying `workflow:acknowledge`; the province's once the city's is in.
pub(super) fn acknowledgement_tasks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    level: Level,
    scope: Scope,
    out: &mut Vec<Found>,
) -> Result<(), DomainError> {
    const CITY: &str = "(SELECT max(c.acknowledged_at) FROM exit_acknowledgements c \
        WHERE c.county_code = l.county_code AND c.list_id = l.id AND c.level = 'city')";
    let (name, after, since) = match level {
        Level::City => ("city", String::new(), "l.filed_at".to_owned()),
        Level::Province => (
            "province",
            format!(" AND {CITY} IS NOT NULL"),
            CITY.to_owned(),
        ),
        _ => return Ok(()),
    };
    let sql = ACKNOWLEDGEMENTS_SQL
        .replace("{level}", name)
        .replace("{after}", &after)
        .replace("{since}", &since);
    let rows: Vec<FiledRow> = diesel::sql_query(sql)
        .bind::<BigInt, _>(scope.lo())
        .bind::<BigInt, _>(scope.hi())
        // Filings of the last year: older ones are history, not work.
        .bind::<Timestamptz, _>(ctx.now - Duration::days(366))
        .load(conn)
        .db()?;
    for l in rows {
        let link = format!("/api/v1/exit-lists/{}", l.id);
        out.push(Found {
            kind: TaskKind::ExitStep,
            object_type: "exit_list",
            object_id: l.id,
            part: String::new(),
            region: l.region_code,
            action: "acknowledgement",
            since: china_day(l.since),
            due: Due::WorkingDays,
            action_link: format!("{link}/acknowledgement"),
            link,
        });
    }
    Ok(())
}
