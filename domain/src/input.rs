//! Checks of input shared by the HTTP handlers and the spreadsheet imports: free text, years,
//! areas, percentages, and turning collected field errors into one refusal. (Moved here from
//! the API's input module so a bulk import row is checked by the very code a single request
//! is.)

use std::ops::RangeInclusive;

use crate::{DomainError, FieldError, Rule};

/// The years every year field and parameter takes, records and plans alike.
pub const YEARS: RangeInclusive<i32> = FIRST_YEAR..=LAST_YEAR;
/// The first year a record may carry.
pub const FIRST_YEAR: i32 = 1980;
/// The last year a record or plan may carry.
pub const LAST_YEAR: i32 = 2100;
/// The refusal of a year outside [`YEARS`].
pub const YEAR_RULE: Rule = Rule::YearRange {
    min: FIRST_YEAR as i64,
    max: LAST_YEAR as i64,
};

/// Checks free text: trimmed length within `1..=max` (or `0..=max` when optional); returns it
/// trimmed.
pub fn text(
    errs: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if (required && n == 0) || n > max {
        errs.push(FieldError::new(
            field,
            if required {
                Rule::length(1, max)
            } else {
                Rule::too_long(max)
            },
        ));
    }
    v.to_string()
}

/// The first year a date may lie in (the oldest member's birth); the last is [`LAST_YEAR`].
pub const FIRST_DATE_YEAR: i32 = 1900;

/// The refusal of a date outside 1900-01-01 to 2100-12-31.
pub fn date_rule() -> Rule {
    Rule::other(
        format!("must be a date from {FIRST_DATE_YEAR}-01-01 to {LAST_YEAR}-12-31"),
        format!("日期须在 {FIRST_DATE_YEAR}-01-01 至 {LAST_YEAR}-12-31 之间"),
    )
}

/// Whether `date` lies from 1900-01-01 to 2100-12-31: what every date field, parameter and
/// imported cell takes (a year typed `2205` or `24` is a slip, and a date past chrono's or
/// PostgreSQL's range would fail deep in a query).
pub fn date_in_range(date: chrono::NaiveDate) -> bool {
    use chrono::Datelike as _;
    (FIRST_DATE_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Whether `text` reads as a date or a timestamp (`2024-03-15`, `2024-03-15T08:00:00Z`, with a
/// signed or a long year as chrono reads them) whose year lies outside
/// [`FIRST_DATE_YEAR`]..=[`LAST_YEAR`]. Any other text: `false`.
pub fn date_text_out_of_range(text: &str) -> bool {
    let b = text.as_bytes();
    let (sign, rest) = match b.first() {
        Some(b'+') => (1, &b[1..]),
        Some(b'-') => (-1, &b[1..]),
        _ => (1, b),
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let tail = &rest[digits..];
    let dd = |i: usize| tail.get(i).is_some_and(u8::is_ascii_digit);
    let date_like = digits >= 4
        && tail.first() == Some(&b'-')
        && dd(1)
        && dd(2)
        && tail.get(3) == Some(&b'-')
        && dd(4)
        && dd(5)
        && tail.get(6).is_none_or(|c| matches!(c, b'T' | b't' | b' '));
    // A month 01–12 and a day 01–31: text that only has the shape (`1234-56-78`) is no date.
    let two = |i: usize| {
        tail.get(i..i + 2)
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<u32>().ok())
    };
    let real = two(1).is_some_and(|m| (1..=12).contains(&m))
        && two(4).is_some_and(|d| (1..=31).contains(&d));
    if !date_like || !real {
        return false;
    }
    let year = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|y| y.parse::<i64>().ok())
        .map_or(i64::MAX, |y| sign * y);
    !(i64::from(FIRST_DATE_YEAR)..=i64::from(LAST_YEAR)).contains(&year)
}

/// Checks a year.
pub fn check_year(errs: &mut Vec<FieldError>, field: &str, year: i32) {
    if !YEARS.contains(&year) {
        errs.push(FieldError::new(field, YEAR_RULE));
    }
}

/// An area in mu with at most one decimal (`449.4`) as tenths of a mu, checked against
/// `min..=max` mu.
pub fn mu_tenths(errs: &mut Vec<FieldError>, field: &str, v: f64, min: f64, max: f64) -> i64 {
    let tenths = v * 10.0;
    if !(min..=max).contains(&v) || (tenths - tenths.round()).abs() > 1e-6 {
        errs.push(FieldError::new(field, Rule::Area { min, max }));
        return 0;
    }
    // In range and with one decimal: exact as an integer of tenths.
    format!("{tenths:.0}").parse().unwrap_or(0)
}

/// All collected field errors as one 422, or nothing.
///
/// # Errors
/// `Validation` with every error.
pub fn done(errs: Vec<FieldError>) -> Result<(), DomainError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// A percentage with at most one decimal (`87.5`) as permille, checked to lie in 0 to 100.
pub fn permille(errs: &mut Vec<FieldError>, field: &str, v: Option<f64>) -> Option<i32> {
    let v = v?;
    if !(0.0..=100.0).contains(&v) || (v * 10.0).fract().abs() > 1e-6 {
        errs.push(FieldError::new(field, Rule::Percentage));
        return None;
    }
    // In range and with one decimal: exact as an integer of tenths.
    format!("{:.0}", v * 10.0).parse().ok()
}

/// Whether `phone` (trimmed) is empty or a phone number: 7 to 20 digits, `-` and `+`.
pub fn phone_ok(phone: &str) -> bool {
    phone.is_empty()
        || ((7..=20).contains(&phone.len())
            && phone
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+'))
}

#[cfg(test)]
mod year_tests {
    use super::*;

    #[test]
    fn dates_outside_the_range_are_told_from_other_text() {
        for bad in [
            "2205-06-01",
            "0024-03-15",
            "-5000-01-01",
            "+262142-12-31",
            "1899-12-31T23:00:00Z",
        ] {
            assert!(date_text_out_of_range(bad), "{bad}");
        }
        for fine in [
            "2024-03-15",
            "1900-01-01",
            "2100-12-31T15:59:59Z",
            "2024-3-15",
            "370831-001",
            "2205",
            "村民 2205-06-01",
            "1234-56-78",
            "0000-00-00",
            "",
        ] {
            assert!(!date_text_out_of_range(fine), "{fine}");
        }
        let d = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        assert!(date_in_range(d(1900)) && date_in_range(d(2100)));
        assert!(!date_in_range(d(24)) && !date_in_range(d(2101)));
    }

    #[test]
    fn the_year_message_names_the_bounds_of_the_range() {
        let message = YEAR_RULE.to_string();
        assert!(message.contains(&FIRST_YEAR.to_string()));
        assert!(message.contains(&LAST_YEAR.to_string()));
        let mut errs = Vec::new();
        check_year(&mut errs, "year", FIRST_YEAR - 1);
        check_year(&mut errs, "year", LAST_YEAR);
        assert_eq!(errs.len(), 1);
    }
}
