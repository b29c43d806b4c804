use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::*;

const CSV: &str = include_str!("../../../data/calendar/cn-statutory-holidays.csv");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn platform() -> Calendar {
    let days = parse_csv(CSV).unwrap_or_default();
    assert!(days.len() > 700, "the CSV parses");
    Calendar::new(days.into_iter().map(|s| (s.date, s.kind)))
}

#[test]
fn weekends_holidays_and_adjusted_working_days() {
    let c = platform();
    assert!(c.is_working_day(d("2026-12-04")), "a Friday");
    assert!(c.is_rest_day(d("2026-12-05")), "a Saturday");
    assert!(c.is_rest_day(d("2026-10-01")), "National Day, a Thursday");
    assert!(
        c.is_working_day(d("2026-10-10")),
        "an adjusted working Saturday"
    );
    assert!(
        c.is_working_day(d("2026-01-04")),
        "an adjusted working Sunday"
    );
    assert!(
        c.is_rest_day(d("2027-01-02")),
        "no arrangement yet: weekends rest"
    );
    assert_eq!(c.special(d("2026-10-01")), Some(DayKind::Holiday));
    assert_eq!(
        c.special(d("2026-10-02")).map(DayKind::label),
        Some("法定节假日")
    );
}

#[test]
fn a_period_starts_the_day_after_and_skips_rest_days_at_its_end() {
    let c = platform();
    // The example: the 7th day is National Day, the period ends after the block.
    let p = c.period(d("2026-09-24"), 7);
    assert_eq!(
        (p.first_day, p.nominal_last_day, p.last_day),
        (d("2026-09-25"), d("2026-10-01"), d("2026-10-08"))
    );
    assert!(p.extended());
    assert_eq!(
        p.ends_at(),
        Utc.with_ymd_and_hms(2026, 10, 8, 16, 0, 0)
            .single()
            .unwrap_or_default(),
        "24:00 Beijing time is 16:00 UTC"
    );
    // DOCUMENTS.md: posted on 4 December for 7 days → 5 to 11 December (a Friday).
    let p = c.period(d("2026-12-04"), 7);
    assert_eq!(
        (p.first_day, p.last_day),
        (d("2026-12-05"), d("2026-12-11"))
    );
    assert!(!p.extended());
    // Ending on a Saturday moves to Monday; an adjusted working Saturday does not move.
    assert_eq!(c.period(d("2026-11-28"), 7).last_day, d("2026-12-07"));
    assert_eq!(c.period(d("2026-10-03"), 7).last_day, d("2026-10-10"));
    assert_eq!(
        c.period(d("2026-10-03"), 7).nominal_last_day,
        d("2026-10-10")
    );
    assert_eq!(c.period(d("2026-10-03"), 7).first_day, d("2026-10-04"));
    let saturday_worked = c.period(d("2026-10-03"), 7);
    assert_eq!(
        saturday_worked.nominal_last_day.weekday(),
        chrono::Weekday::Sat
    );
    assert!(c.is_working_day(saturday_worked.nominal_last_day));
    // Spring Festival 2026: the 7th day falls in the block (15–23 February).
    assert_eq!(c.period(d("2026-02-10"), 7).last_day, d("2026-02-24"));
    // The 5-day announcement over Labour Day 2025.
    assert_eq!(c.period(d("2025-04-28"), 5).last_day, d("2025-05-06"));
}

/// The period table: a 7-day notice posted on each day of 2024–2026 ends where the Civil Code
/// says — on the 7th day after posting when that is a working day, otherwise on the first
/// working day after it, every day in between being a rest day.
#[test]
fn period_table_2024_to_2026() {
    let c = platform();
    let mut day = d("2024-01-01");
    let mut extended = 0;
    while day <= d("2026-12-31") {
        let p = c.period(day, 7);
        let seventh = day + Duration::days(7);
        assert_eq!(p.first_day, day + Duration::days(1), "{day}");
        assert_eq!(p.nominal_last_day, seventh, "{day}");
        assert!(p.last_day >= seventh, "{day}");
        assert!(c.is_working_day(p.last_day), "{day}: ends on a working day");
        let mut between = seventh;
        while between < p.last_day {
            assert!(c.is_rest_day(between), "{day}: {between} is a rest day");
            between += Duration::days(1);
        }
        if c.is_working_day(seventh) {
            assert_eq!(p.last_day, seventh, "{day}");
        } else {
            extended += 1;
        }
        assert_eq!(p.ends_at(), start_of_day(p.last_day + Duration::days(1)));
        day += Duration::days(1);
    }
    // 3 years: 313 weekend days plus the weekday holidays; fewer than half extend.
    assert!((330..550).contains(&extended), "{extended}");
}

#[test]
fn working_days_are_counted_past_holidays() {
    let c = platform();
    assert_eq!(c.working_days_after(d("2026-09-30"), 1), d("2026-10-08"));
    assert_eq!(c.working_days_after(d("2026-09-30"), 3), d("2026-10-10"));
    assert_eq!(c.working_days_after(d("2026-12-04"), 5), d("2026-12-11"));
    assert_eq!(c.working_days_after(d("2026-12-04"), 0), d("2026-12-04"));
}

#[test]
fn dates_print_as_official_documents_want() {
    assert_eq!(date_zh(d("2026-12-04")), "2026年12月4日");
    assert_eq!(date_zh(d("2026-10-18")), "2026年10月18日");
    let at = Utc
        .with_ymd_and_hms(2026, 12, 3, 16, 30, 0)
        .single()
        .unwrap_or_default();
    assert_eq!(china_date(at), d("2026-12-04"));
    assert_eq!(end_of_day(d("2026-12-03")), start_of_day(d("2026-12-04")));
}

#[test]
fn every_year_of_the_platform_csv_is_a_valid_arrangement() {
    let days = parse_csv(CSV).unwrap_or_default();
    for year in 2004..=2026 {
        let of_year: Vec<SpecialDay> = days
            .iter()
            .filter(|s| s.date.year() == year)
            .cloned()
            .collect();
        assert!(!of_year.is_empty(), "{year}");
        assert!(
            check_year(year, &of_year).is_ok(),
            "{year}: {:?}",
            check_year(year, &of_year)
        );
    }
}

fn special(date: &str, kind: DayKind) -> SpecialDay {
    SpecialDay {
        date: d(date),
        kind,
        festival: "National Day".into(),
        festival_zh: "国庆节".into(),
    }
}

fn errors(r: Result<(), DomainError>) -> Vec<(String, String)> {
    match r {
        Err(DomainError::Validation(e)) => e
            .into_iter()
            .map(|e| (e.field, e.rule.to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn a_bad_year_is_refused_naming_the_date() {
    let e = errors(check_year(
        2027,
        &[
            special("2027-10-01", DayKind::Holiday),
            special("2027-10-01", DayKind::Holiday),
            special("2027-10-09", DayKind::Workday),
            special("2027-10-09", DayKind::Holiday),
            special("2026-10-01", DayKind::Holiday),
            special("2027-10-08", DayKind::Workday),
        ],
    ));
    // Four bad entries, then the five statutory holidays it leaves out (all but 1 October).
    assert_eq!(e.len(), 4 + 5, "{e:?}");
    assert_eq!(e[0].0, "days[1].date");
    assert!(e[0].1.contains("2027-10-01 is listed twice"), "{e:?}");
    assert_eq!(e[1].0, "days[3].date");
    assert!(
        e[1].1.contains("2027-10-09") && e[1].1.contains("adjusted working day"),
        "{e:?}"
    );
    assert_eq!(e[2].0, "days[4].date");
    assert!(e[2].1.contains("2026-10-01 is not in 2027"), "{e:?}");
    assert_eq!(e[3].0, "days[5].date");
    assert!(e[3].1.contains("2027-10-08 is a Fri"), "{e:?}");
    let mut unnamed = special("2027-05-01", DayKind::Holiday);
    unnamed.festival_zh = String::new();
    assert_eq!(
        errors(check_year(2027, &[unnamed]))[0].0,
        "days[0].festival_zh"
    );
}

/// The holidays the law fixes by date: every arrangement lists them, so a year cannot be
/// emptied or lose National Day by a slip.
#[test]
fn a_year_without_its_statutory_holidays_is_refused() {
    let e = errors(check_year(2027, &[]));
    let missing: Vec<&str> = e.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(e.len(), 6, "{e:?}");
    assert!(e.iter().all(|(f, _)| f == "days"), "{e:?}");
    assert!(
        missing[0].starts_with("2027-01-01 (New Year's Day)"),
        "{e:?}"
    );
    assert!(missing[2].starts_with("2027-05-02 (Labour Day)"), "{e:?}");
    let all: Vec<SpecialDay> = fixed_holidays(2027)
        .into_iter()
        .map(|(date, en, zh)| SpecialDay {
            date,
            kind: DayKind::Holiday,
            festival: en.into(),
            festival_zh: zh.into(),
        })
        .collect();
    assert!(check_year(2027, &all).is_ok());
    // Listed, but as an adjusted working day: still missing as a holiday.
    let mut worked = all.clone();
    worked[5].kind = DayKind::Workday;
    let e = errors(check_year(2027, &worked));
    assert!(
        e.iter()
            .any(|(f, m)| f == "days" && m.starts_with("2027-10-03")),
        "{e:?}"
    );
    // The law of each period: 2 May was a holiday by law before 2008 and again from 2025.
    let dates = |y| {
        fixed_holidays(y)
            .iter()
            .map(|h| h.0.format("%m-%d").to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(dates(2007), "01-01 05-01 05-02 05-03 10-01 10-02 10-03");
    assert_eq!(dates(2012), "01-01 05-01 10-01 10-02 10-03");
    assert_eq!(dates(2025), "01-01 05-01 05-02 10-01 10-02 10-03");
    assert_eq!(dates(1990), "01-01 05-01 10-01 10-02");
}

#[test]
fn the_csv_parser_names_the_bad_line() {
    let e = parse_csv(
        "date,kind,festival,festival_zh\n2026-01-01,holiday,x,元旦\n2026-13-01,holiday,x,y\n",
    );
    assert!(e.is_err_and(|m| m.starts_with("line 3")));
    let e = parse_csv("date,kind,festival,festival_zh\n2026-01-01,rest,x,元旦\n");
    assert!(e.is_err_and(|m| m.contains("kind")));
}

#[test]
fn a_period_ending_at_midnight_in_beijing_ends_at_24_00_of_its_last_day() {
    // Midnight of 12 December in Beijing is 16:00 UTC on the 11th.
    let end = Utc
        .with_ymd_and_hms(2026, 12, 11, 16, 0, 0)
        .single()
        .unwrap_or_default();
    assert_eq!(ends_text(end), "24:00 on 2026-12-11 (Beijing time)");
    assert_eq!(
        ends_text(end + Duration::minutes(90)),
        "01:30 on 2026-12-12 (Beijing time)"
    );
}

/// A year the platform does not hold: the holidays the law fixes by date rest (with their
/// make-up days), and a period touching the year says it is provisional.
#[test]
fn an_unknown_year_rests_on_its_statutory_holidays_and_marks_periods_provisional() {
    let floor: Vec<NaiveDate> = statutory_floor(2027).iter().map(|h| h.date).collect();
    // 2027: 1 January a Friday; 1–2 May a Saturday and Sunday, made up on 3–4 May; 1–3
    // October Friday to Sunday, the weekend two made up on 4–5 October.
    assert_eq!(
        floor,
        [
            "2027-01-01",
            "2027-05-01",
            "2027-05-02",
            "2027-05-03",
            "2027-05-04",
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
            "2027-10-04",
            "2027-10-05",
        ]
        .map(d)
    );
    assert!(statutory_floor(2024).is_empty(), "the 2025 law only");
    let c = platform().with_unknown_years([2027]);
    // Posted on 25 December 2026: the 7th day is New Year's Day, so the notice runs to Monday
    // 4 January (it ended on the holiday before).
    let p = c.period(d("2026-12-25"), 7);
    assert_eq!(p.last_day, d("2027-01-04"));
    assert!(p.provisional && p.extended());
    assert!(!platform().period(d("2026-12-25"), 7).provisional);
    // Within the known year: not provisional, whatever else is unknown.
    let p = c.period(d("2026-12-04"), 7);
    assert_eq!((p.last_day, p.provisional), (d("2026-12-11"), false));
    // Ending in the known year's last week while the next is unknown: its notice may move
    // late December (as 2019's moved 29–31 December 2018), so provisional too.
    let p = c.period(d("2026-12-21"), 7);
    assert_eq!((p.last_day, p.provisional), (d("2026-12-28"), true));
    assert!(!platform().period(d("2026-12-21"), 7).provisional);
    // A listed date of an unknown year is kept as listed (the floor fills gaps only).
    let listed = Calendar::new([(d("2027-01-01"), DayKind::Workday)]).with_unknown_years([2027]);
    assert!(listed.is_working_day(d("2027-01-01")));
    assert!(!listed.knows(2027) && listed.knows(2026));
}
