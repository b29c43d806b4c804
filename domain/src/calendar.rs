//! China's working calendar and the periods of the Civil Code.
//!
//! A date is a working day when it is Monday–Friday, unless the State Council's yearly
//! arrangement makes it a statutory holiday; a Saturday or Sunday is a rest day unless the
//! arrangement makes it an adjusted working day (调休). The platform keeps the arrangement as a
//! list of the dates that differ from the ordinary week ([`SpecialDay`]).
//!
//! Periods (民法典): a period counted in days starts on the day after the event (§201); when its
//! last day is a rest day it ends on the first working day after (§203); it ends at 24:00 of
//! its last day (§203 ¶2), Beijing time. Pure: no clock, no I/O.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use serde::Serialize;

use crate::error::{DomainError, FieldError};

vocabulary! {
    /// How a listed date differs from the ordinary week.
    DayKind {
        /// A statutory holiday (法定节假日), including weekend days inside a holiday block.
        Holiday = "holiday" / "法定节假日",
        /// A Saturday or Sunday that is worked (调休上班).
        Workday = "workday" / "调休工作日",
    }
}

/// One date of a year's arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialDay {
    /// The date.
    pub date: NaiveDate,
    /// Holiday or adjusted working day.
    pub kind: DayKind,
    /// The festival it belongs to, in English ("National Day").
    pub festival: String,
    /// The festival in Chinese (国庆节).
    pub festival_zh: String,
}

/// The working calendar: the special days of every year known to the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
    /// Years whose arrangement the platform does not hold ([`Calendar::with_unknown_years`]).
    unknown: BTreeSet<i32>,
}

/// The first year of the holidays [`statutory_floor`] knows: 国务院令第795号 (2024) revised the
/// 全国年节及纪念日放假办法 from 1 January 2025.
pub const STATUTORY_FLOOR_FROM: i32 = 2025;

/// The dates the law of the year makes statutory holidays by the solar calendar, whatever the
/// State Council's arrangement adds (全国年节及纪念日放假办法 as in force that year): New Year's
/// Day (1 January), Labour Day (1 May; 1–3 May from 2000 to 2007, 1–2 May from 2025) and
/// National Day (1–2 October before 2000, then 1–3 October). Every arrangement lists them as
/// holidays; the festivals of the lunar calendar depend on the year's arrangement.
pub fn fixed_holidays(year: i32) -> Vec<(NaiveDate, &'static str, &'static str)> {
    let new_year = (1, 1, "New Year's Day", "元旦");
    let labour = |day| (5, day, "Labour Day", "劳动节");
    let national = |day| (10, day, "National Day", "国庆节");
    let days: Vec<(u32, u32, &'static str, &'static str)> = match year {
        ..=1999 => vec![new_year, labour(1), national(1), national(2)],
        2000..=2007 => vec![
            new_year,
            labour(1),
            labour(2),
            labour(3),
            national(1),
            national(2),
            national(3),
        ],
        2008..=2024 => vec![new_year, labour(1), national(1), national(2), national(3)],
        _ => vec![
            new_year,
            labour(1),
            labour(2),
            national(1),
            national(2),
            national(3),
        ],
    };
    days.into_iter()
        .filter_map(|(month, day, en, zh)| {
            NaiveDate::from_ymd_opt(year, month, day).map(|d| (d, en, zh))
        })
        .collect()
}

/// The holidays a year has by law whatever the State Council's arrangement adds (全国年节及纪念日
/// 放假办法, as revised from 2025, 第二条 and 第六条): New Year's Day (1 January), Labour Day
/// (1–2 May) and National Day (1–3 October), each such day falling on a Saturday or Sunday made
/// up on the next weekday not already a holiday (补假). Not the festivals of the lunar calendar
/// (Spring Festival, Qingming, Dragon Boat, Mid-Autumn), nor the bridging days and adjusted
/// working days the yearly arrangement sets: only the arrangement has those. Empty before
/// [`STATUTORY_FLOOR_FROM`].
pub fn statutory_floor(year: i32) -> Vec<SpecialDay> {
    if year < STATUTORY_FLOOR_FROM {
        return Vec::new();
    }
    let fixed = fixed_holidays(year);
    let mut out: Vec<SpecialDay> = Vec::new();
    let mut made_up: Vec<SpecialDay> = Vec::new();
    for (date, festival, festival_zh) in fixed {
        out.push(SpecialDay {
            date,
            kind: DayKind::Holiday,
            festival: festival.to_owned(),
            festival_zh: festival_zh.to_owned(),
        });
        if weekend(date) {
            made_up.push(SpecialDay {
                date,
                kind: DayKind::Holiday,
                festival: format!("{festival} (made up)"),
                festival_zh: format!("{festival_zh}补假"),
            });
        }
    }
    // Each weekend holiday is made up on the next weekday that is neither a holiday of the
    // list nor already a make-up day, in order.
    for m in made_up {
        let mut d = m.date;
        loop {
            d += Duration::days(1);
            if !weekend(d) && !out.iter().any(|h| h.date == d) {
                break;
            }
        }
        out.push(SpecialDay { date: d, ..m });
    }
    out.sort_by_key(|h| h.date);
    out
}

/// A period counted in days from an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Its length in days.
    pub days: u32,
    /// The day after the event (§201).
    pub first_day: NaiveDate,
    /// The last day counted without §203.
    pub nominal_last_day: NaiveDate,
    /// The last day: the nominal one, or the first working day after it when it is a rest day.
    pub last_day: NaiveDate,
    /// Computed without the State Council's arrangement of a year it touches (only weekends
    /// and [`statutory_floor`] rest), or ending in the last week of a year whose next one is not
    /// arranged yet (whose notice may move late December's days): the real end may lie later,
    /// so it is said wherever the period is kept.
    pub provisional: bool,
}

impl Period {
    /// The instant the period ends: 24:00 Beijing time of its last day.
    pub fn ends_at(&self) -> DateTime<Utc> {
        end_of_day(self.last_day)
    }

    /// Whether §203 moved the end past rest days.
    pub fn extended(&self) -> bool {
        self.last_day != self.nominal_last_day
    }
}

/// 24:00 Beijing time (UTC+8) at the end of `date`, as an instant.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(date) + Duration::days(1)
}

/// 00:00 Beijing time at the start of `date`, as an instant.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

/// The date in China (UTC+8) at `at`.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(8)).date_naive()
}

/// When a period ending at `end` (exclusive) ends, as an office reads it: "24:00 on 2026-12-11
/// (Beijing time)" for a period that ends at midnight there, else the time of day there.
pub fn ends_text(end: DateTime<Utc>) -> String {
    let local = (end + Duration::hours(8)).naive_utc();
    if local.time() == NaiveTime::MIN {
        format!(
            "24:00 on {} (Beijing time)",
            local.date() - Duration::days(1)
        )
    } else {
        format!(
            "{} on {} (Beijing time)",
            local.format("%H:%M"),
            local.date()
        )
    }
}

/// A date as official documents print it: "2026年12月4日" (Arabic numerals, no leading zeros).
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// A calendar of these special days (a later duplicate wins).
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Self {
            days: days.into_iter().collect(),
            unknown: BTreeSet::new(),
        }
    }

    /// The calendar with `years` marked as not held by the platform: their
    /// [`statutory_floor`] is filled in (where no date of it is listed), and periods touching
    /// them are [`Period::provisional`].
    #[must_use]
    pub fn with_unknown_years(mut self, years: impl IntoIterator<Item = i32>) -> Self {
        for year in years {
            for h in statutory_floor(year) {
                self.days.entry(h.date).or_insert(h.kind);
            }
            self.unknown.insert(year);
        }
        self
    }

    /// Whether the platform holds the arrangement of `year` (as far as this calendar was told).
    pub fn knows(&self, year: i32) -> bool {
        !self.unknown.contains(&year)
    }

    /// How `date` differs from the ordinary week, if it does.
    pub fn special(&self, date: NaiveDate) -> Option<DayKind> {
        self.days.get(&date).copied()
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.special(date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !weekend(date),
        }
    }

    /// Whether `date` is a rest day (weekend or statutory holiday, not an adjusted working day).
    pub fn is_rest_day(&self, date: NaiveDate) -> bool {
        !self.is_working_day(date)
    }

    /// The first working day on or after `date`.
    pub fn working_day_from(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        // Holiday blocks are at most a few weeks long; a year of rest days is corrupt data.
        for _ in 0..366 {
            if self.is_working_day(d) {
                return d;
            }
            d += Duration::days(1);
        }
        date
    }

    /// A period of `days` days from an event on `event` (§201, §203).
    pub fn period(&self, event: NaiveDate, days: u32) -> Period {
        let nominal = event + Duration::days(i64::from(days));
        let last_day = self.working_day_from(nominal);
        Period {
            days,
            first_day: event + Duration::days(1),
            nominal_last_day: nominal,
            last_day,
            // The next year's arrangement can move the last days of December too (the 2019
            // notice made 29 December 2018 a working day and 30–31 December holidays; so did
            // those for 2008 and 2012): a period ending in its last week waits on it as well.
            provisional: (event.year()..=(last_day + Duration::days(7)).year())
                .any(|y| !self.knows(y)),
        }
    }

    /// The `n`-th working day after `event` (a deadline of "n working days"); `event` itself
    /// for 0.
    pub fn working_days_after(&self, event: NaiveDate, n: u32) -> NaiveDate {
        let mut d = event;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

/// Parses the platform calendar's CSV (`date,kind,festival,festival_zh`, with a header row).
///
/// # Errors
/// A message naming the line that is not a date, kind and two names.
pub fn parse_csv(text: &str) -> Result<Vec<SpecialDay>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let [date, kind, festival, festival_zh] = cols.as_slice() else {
            return Err(format!("line {}: expected 4 columns", i + 1));
        };
        out.push(SpecialDay {
            date: date
                .parse()
                .map_err(|e| format!("line {}: date {date}: {e}", i + 1))?,
            kind: DayKind::parse(kind).map_err(|e| format!("line {}: kind {e}", i + 1))?,
            festival: (*festival).to_string(),
            festival_zh: (*festival_zh).to_string(),
        });
    }
    Ok(out)
}

/// Checks one year's arrangement before it replaces the stored one: every date in `year`, no
/// date twice (in particular not both a holiday and an adjusted working day), adjusted working
/// days only on Saturdays and Sundays, festival names present and short, and every
/// [`fixed_holidays`] date of the year listed as a holiday (a year cannot be emptied).
///
/// # Errors
/// `Validation` with one error per bad entry, `days[i].date` (or `.festival`) naming the date.
pub fn check_year(year: i32, days: &[SpecialDay]) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    let mut seen: BTreeMap<NaiveDate, (usize, DayKind)> = BTreeMap::new();
    for (i, d) in days.iter().enumerate() {
        let field = format!("days[{i}].date");
        if d.date.year() != year {
            errs.push(FieldError::new(
                field,
                crate::Rule::other(
                    format!("{} is not in {year}", d.date),
                    format!("{} 不在 {year} 年内", d.date),
                ),
            ));
            continue;
        }
        if let Some((j, kind)) = seen.get(&d.date) {
            let message = if *kind == d.kind {
                crate::Rule::other(
                    format!("{} is listed twice (also days[{j}])", d.date),
                    format!("{} 重复列出(另见 days[{j}])", d.date),
                )
            } else {
                crate::Rule::other(
                    format!(
                        "{} is listed both as a holiday and as an adjusted working day (days[{j}])",
                        d.date
                    ),
                    format!("{} 同时被列为节假日和调休工作日(days[{j}])", d.date),
                )
            };
            errs.push(FieldError::new(field, message));
            continue;
        }
        seen.insert(d.date, (i, d.kind));
        if d.kind == DayKind::Workday && !weekend(d.date) {
            errs.push(FieldError::new(
                field,
                crate::Rule::other(format!(
                    "{} is a {}, a working day anyway: an adjusted working day (调休) is a Saturday or Sunday",
                    d.date,
                    d.date.weekday()
                ), format!(
                    "{} 是 {},本来就是工作日:调休工作日须为星期六或星期日",
                    d.date,
                    d.date.weekday()
                )),
            ));
        }
        for (name, value) in [("festival", &d.festival), ("festival_zh", &d.festival_zh)] {
            if value.trim().is_empty() || value.chars().count() > 40 {
                errs.push(FieldError::new(
                    format!("days[{i}].{name}"),
                    crate::Rule::other(
                        format!("{}: must be 1 to 40 characters", d.date),
                        format!("{}:须为 1 至 40 个字符", d.date),
                    ),
                ));
            }
        }
    }
    for (date, festival, festival_zh) in fixed_holidays(year) {
        if !days
            .iter()
            .any(|d| d.date == date && d.kind == DayKind::Holiday)
        {
            errs.push(FieldError::new(
                "days",
                crate::Rule::other(
                    format!("{date} ({festival}) is a statutory holiday by law and must be listed as a holiday"),
                    format!("{date}({festival_zh})是法定节假日,须列为节假日"),
                ),
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errs))
    }
}

#[cfg(test)]
mod tests;
