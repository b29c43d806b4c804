//! The household's benefit card (一卡通, seed 5's 一卡兑付): payments to individuals go to one
//! bank card on the household record, never in cash. The number is personal data: it is kept
//! encrypted, shown masked, and printed in full only on the county's payment file.

use std::fmt;

/// A bank card number that passed the Luhn check: 12 to 19 digits (Chinese debit cards have
/// 16 to 19; shorter passbook-linked accounts exist), spaces and hyphens ignored on input.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Parses a card number.
    ///
    /// # Errors
    /// A message naming what is wrong: not digits, the length, or the Luhn check digit.
    pub fn parse(raw: &str) -> Result<Self, crate::Rule> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::Rule::other(
                "a card number is digits only",
                "卡号只能包含数字",
            ));
        }
        if !(12..=19).contains(&digits.len()) {
            return Err(crate::Rule::other(
                "a card number has 12 to 19 digits",
                "卡号为 12 至 19 位数字",
            ));
        }
        if !luhn_valid(&digits) {
            return Err(crate::Rule::other(
                "the card number fails its check digit (Luhn): mistyped?",
                "卡号校验位(Luhn)不符:是否输错?",
            ));
        }
        Ok(Self(digits))
    }

    /// The full number (for encryption and the payment file only).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The number masked: the first four and the last four digits, `6222********1234`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks a card number: the first four and last four digits kept, the rest `*`.
pub fn mask(digits: &str) -> String {
    let n = digits.chars().count();
    if n <= 8 {
        return "*".repeat(n);
    }
    let head: String = digits.chars().take(4).collect();
    let tail: String = digits.chars().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 8))
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

/// The Luhn (mod 10) check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0_u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The Luhn check digit that completes `body`.
pub fn luhn_check_digit(body: &str) -> char {
    for d in b'0'..=b'9' {
        let mut s = body.to_string();
        s.push(char::from(d));
        if luhn_valid(&s) {
            return char::from(d);
        }
    }
    '0'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_and_refuses_one_digit_off() {
        // A well-known test number, and one with its last digit changed.
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        let body = "622202120000000123";
        let full = format!("{body}{}", luhn_check_digit(body));
        assert!(CardNumber::parse(&full).is_ok());
        assert!(CardNumber::parse("6222 0212 0000 0001 23x").is_err());
        assert!(CardNumber::parse("12345678901").is_err(), "too short");
        assert!(CardNumber::parse("4111-1111-1111-1111").is_ok());
    }

    #[test]
    fn masks_all_but_four_and_four() {
        let c = CardNumber::parse("4111111111111111").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.masked(), "4111********1111");
        assert_eq!(format!("{c:?}"), "CardNumber(4111********1111)");
        assert_eq!(mask("1234"), "****");
    }
}
