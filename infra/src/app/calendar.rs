//! The platform's working calendar: read by everyone, replaced a year at a time by a platform
//! administrator (audited), and used by every period and deadline the product computes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::calendar::{Calendar, DayKind, Period, SpecialDay, check_year};
use domain::{DomainError, RegionCode};
use serde_json::json;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{calendar_days, calendar_years};

/// One year of the calendar.
#[derive(Debug, Clone)]
pub struct YearView {
    /// The year.
    pub year: i32,
    /// Whether the platform holds the State Council's arrangement for it (otherwise only
    /// weekends are rest days).
    pub known: bool,
    /// Where the arrangement comes from.
    pub source: Option<String>,
    /// Version (bumped by each replacement; 0 when unknown).
    pub version: i32,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
    /// The dates that differ from the ordinary week, in order.
    pub days: Vec<SpecialDay>,
}

fn in_year(year: i32) -> Result<(NaiveDate, NaiveDate), DomainError> {
    let bad = || {
        DomainError::field(
            "year",
            domain::Rule::YearRange {
                min: 1949,
                max: 2200,
            },
        )
    };
    if !(1949..=2200).contains(&year) {
        return Err(bad());
    }
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
    Ok((first, last))
}

fn rows(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SpecialDay>, DomainError> {
    let raw: Vec<(NaiveDate, String, String, String)> = calendar_days::table
        .filter(calendar_days::date.between(from, to))
        .order(calendar_days::date)
        .select((
            calendar_days::date,
            calendar_days::kind,
            calendar_days::festival,
            calendar_days::festival_zh,
        ))
        .load(conn)
        .db()?;
    raw.into_iter()
        .map(|(date, kind, festival, festival_zh)| {
            Ok(SpecialDay {
                date,
                kind: DayKind::parse(&kind)
                    .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?,
                festival,
                festival_zh,
            })
        })
        .collect()
}

/// One year as stored.
///
/// # Errors
/// `Validation` for a year out of range; database failures.
pub fn get_year(conn: &mut PgConnection, year: i32) -> Result<YearView, DomainError> {
    let (first, last) = in_year(year)?;
    let head: Option<(String, i32, DateTime<Utc>)> = calendar_years::table
        .filter(calendar_years::year.eq(year))
        .select((
            calendar_years::source,
            calendar_years::version,
            calendar_years::updated_at,
        ))
        .first(conn)
        .optional()
        .db()?;
    let days = rows(conn, first, last)?;
    Ok(YearView {
        year,
        known: head.is_some(),
        version: head.as_ref().map_or(0, |h| h.1),
        updated_at: head.as_ref().map(|h| h.2),
        source: head.map(|h| h.0),
        days,
    })
}

/// Replaces a year's arrangement (a new State Council notice, or a correction). Platform
/// administrators only; audited with the dates before and after.
///
/// # Errors
/// `Forbidden` without `settings:manage` at the platform; `Validation` naming each bad date
/// (outside the year, listed twice, a holiday and an adjusted working day at once, a weekday
/// listed as adjusted working day, a statutory holiday left out); `PreconditionFailed` when
/// `expected` is not the stored version (0 for a year never added).
pub fn put_year(
    conn: &mut PgConnection,
    ctx: &Ctx,
    year: i32,
    expected: i32,
    source: &str,
    days: &[SpecialDay],
) -> Result<YearView, DomainError> {
    ctx.caller
        .require_at(perm::SETTINGS_MANAGE, RegionCode::PLATFORM)?;
    let (first, last) = in_year(year)?;
    if source.trim().is_empty() || source.chars().count() > 200 {
        return Err(DomainError::field("source", domain::Rule::length(1, 200)));
    }
    check_year(year, days)?;
    // Serialise replacements of one year, the first one too (no row to lock yet).
    crate::db::lock_key(conn, 59, &year.to_string())?;
    let before_version: Option<i32> = calendar_years::table
        .filter(calendar_years::year.eq(year))
        .select(calendar_years::version)
        .for_update()
        .first(conn)
        .optional()
        .db()?;
    if before_version.unwrap_or(0) != expected {
        return Err(DomainError::PreconditionFailed);
    }
    let before = rows(conn, first, last)?;
    diesel::delete(calendar_days::table.filter(calendar_days::date.between(first, last)))
        .execute(conn)
        .db()?;
    let mut sorted: Vec<&SpecialDay> = days.iter().collect();
    sorted.sort_by_key(|d| d.date);
    let values: Vec<_> = sorted
        .iter()
        .map(|d| {
            (
                calendar_days::date.eq(d.date),
                calendar_days::kind.eq(d.kind.as_str()),
                calendar_days::festival.eq(d.festival.trim()),
                calendar_days::festival_zh.eq(d.festival_zh.trim()),
            )
        })
        .collect();
    if !values.is_empty() {
        diesel::insert_into(calendar_days::table)
            .values(&values)
            .execute(conn)
            .db()?;
    }
    let version: i32 = diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(year),
            calendar_years::source.eq(source.trim()),
            calendar_years::updated_by.eq(ctx.caller.user_id),
            calendar_years::updated_at.eq(ctx.now),
        ))
        .on_conflict(calendar_years::year)
        .do_update()
        .set((
            calendar_years::source.eq(source.trim()),
            calendar_years::version.eq(calendar_years::version + 1),
            calendar_years::updated_by.eq(ctx.caller.user_id),
            calendar_years::updated_at.eq(ctx.now),
        ))
        .returning(calendar_years::version)
        .get_result(conn)
        .db()?;
    if version != expected + 1 {
        return Err(DomainError::PreconditionFailed);
    }
    let brief = |v: &[SpecialDay]| {
        v.iter()
            .map(|d| format!("{} {}", d.date, d.kind.as_str()))
            .collect::<Vec<_>>()
    };
    ctx.audit(
        conn,
        "calendar.update",
        "calendar_year",
        year,
        RegionCode::PLATFORM,
        json!({
            "source": source.trim(),
            "version_before": before_version,
            "before": brief(&before),
            "after": brief(&sorted.into_iter().cloned().collect::<Vec<_>>()),
        }),
    )?;
    get_year(conn, year)
}

/// The calendar around `from..=to` (with two months' margin after, for §203 extensions). A
/// year in it the platform holds no arrangement for rests on weekends and its
/// [`domain::calendar::statutory_floor`], and periods touching it are provisional.
///
/// # Errors
/// Database failures.
pub fn load(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Calendar, DomainError> {
    let to = to + Duration::days(62);
    let days = rows(conn, from, to)?;
    let known: Vec<i32> = calendar_years::table
        .filter(calendar_years::year.between(from.year(), to.year()))
        .select(calendar_years::year)
        .load(conn)
        .db()?;
    let unknown = (from.year()..=to.year()).filter(|y| !known.contains(y));
    Ok(Calendar::new(days.into_iter().map(|d| (d.date, d.kind))).with_unknown_years(unknown))
}

/// A period of `days` days from an event on `event`, on the platform calendar.
///
/// # Errors
/// Database failures.
pub fn period(conn: &mut PgConnection, event: NaiveDate, days: u32) -> Result<Period, DomainError> {
    let nominal = event + Duration::days(i64::from(days));
    Ok(load(conn, event, nominal)?.period(event, days))
}

/// When a notice runs: from, until (exclusive).
pub type Running = (DateTime<Utc>, DateTime<Utc>);

/// A notice posted on `on` for `days` days, as exit and intake steps record it (Civil Code
/// §201/§203 on the platform calendar: the period starts the day after posting and ends at
/// 24:00 of its last day, moved past rest days): when it runs (from now when posted today,
/// else from the posting day's start) and the step's details.
///
/// # Errors
/// Database failures.
pub fn notice(
    conn: &mut PgConnection,
    ctx: &Ctx,
    on: NaiveDate,
    days: i32,
    location: &str,
) -> Result<(Running, serde_json::Value), DomainError> {
    let p = period(conn, on, u32::try_from(days).unwrap_or(0))?;
    let end = p.ends_at();
    let started = if on == ctx.today() {
        ctx.now
    } else {
        domain::calendar::start_of_day(on)
    };
    let details = json!({
        "location": location, "days": days, "posted_on": on,
        "first_day": p.first_day, "last_day": p.last_day, "extended": p.extended(),
        "calendar_provisional": p.provisional,
        "starts_at": started, "ends_at": end,
    });
    Ok(((started, end), details))
}

/// Whether the platform holds the arrangement for the year of `date` (periods past the last
/// known year count weekends only).
///
/// # Errors
/// Database failures.
pub fn covers(conn: &mut PgConnection, date: NaiveDate) -> Result<bool, DomainError> {
    diesel::select(diesel::dsl::exists(
        calendar_years::table.filter(calendar_years::year.eq(date.year())),
    ))
    .get_result(conn)
    .db()
}
