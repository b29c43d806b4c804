//! Resident identity card numbers (GB 11643-1999): 17 digits and a check character; the birth
//! date and sex are read from the number, never entered separately.

use std::fmt;

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// Sex, as the 17th digit says (odd: male).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
}

/// A valid ID number. `Debug` and `Display` print it masked, so it never reaches a log whole.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks length, characters, the check character and a real birth date no later than
    /// `today`. A lowercase `x` is accepted and stored uppercase.
    ///
    /// # Errors
    /// A message saying which rule the text breaks (never repeating the text).
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, crate::Rule> {
        let s = text.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(crate::Rule::other(
                "must have 18 characters",
                "必须为 18 位",
            ));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(crate::Rule::other(
                "must be 17 digits and a digit or X",
                "必须是 17 位数字加一位数字或 X",
            ));
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let expected = CHECK[usize::try_from(sum % 11).unwrap_or(0)];
        if bytes[17] != expected {
            return Err(crate::Rule::other(
                "has a wrong check character",
                "校验码错误",
            ));
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| {
            crate::Rule::other("does not contain a real birth date", "所含出生日期不存在")
        })?;
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        if birth < earliest || birth > today {
            return Err(crate::Rule::other(
                "contains a birth date outside 1900 to today",
                "所含出生日期不在 1900 年至今天之间",
            ));
        }
        Ok(Self(s))
    }

    /// The full number (for encryption and the blind index only).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Birth date.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// Sex.
    pub fn sex(&self) -> Sex {
        let d = self.0.as_bytes()[16] - b'0';
        if d % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// `370831********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Appends the check character to 17 digits (for generating test and demo data).
pub fn with_check_character(first17: &str) -> Option<String> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let check = char::from(CHECK[usize::try_from(sum % 11).unwrap_or(0)]);
    Some(format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    #[test]
    fn valid_numbers_give_birth_date_and_sex() {
        // The standard's own example.
        let id = IdNumber::parse("11010519491231002x", today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap_or_default()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
        let made = with_check_character("37083119800101001").unwrap_or_default();
        let id = IdNumber::parse(&made, today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn invalid_numbers_are_refused_with_the_reason() {
        let err = |s: &str| {
            IdNumber::parse(s, today())
                .err()
                .map(|r| r.to_string())
                .unwrap_or_default()
        };
        assert!(err("110105194912310021").contains("check"));
        assert!(err("11010519491231002").contains("18"));
        assert!(err("1101051949123100A1").contains("digits"));
        let feb30 = with_check_character("37083119800230001").unwrap_or_default();
        assert!(err(&feb30).contains("birth date"));
        let future = with_check_character("37083120990101001").unwrap_or_default();
        assert!(err(&future).contains("outside"));
        assert!(
            !err("110105194912310021").contains("1101"),
            "messages never repeat the number"
        );
    }
}
