//! Account names and display names.

/// Checks a username: 3–64 characters of lowercase ASCII letters, digits, `.`, `_`, `-`,
/// starting with a letter (usernames appear in logs and audit rows; keep them plain).
///
/// # Errors
/// A message saying which rule it breaks.
pub fn check_username(name: &str) -> Result<(), crate::Rule> {
    let n = name.len();
    if !(3..=64).contains(&n) {
        return Err(crate::Rule::length(3, 64));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(crate::Rule::other(
            "must start with a lowercase letter",
            "必须以小写字母开头",
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(crate::Rule::other(
            "may contain only a-z, 0-9, '.', '_' and '-'",
            "只能包含 a-z、0-9、“.”、“_”和“-”",
        ));
    }
    Ok(())
}

/// Checks a display name: 1–100 characters, no control characters.
///
/// # Errors
/// A message saying which rule it breaks.
pub fn check_display_name(name: &str) -> Result<(), crate::Rule> {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        return Err(crate::Rule::length(1, 100));
    }
    if name.chars().any(char::is_control) {
        return Err(crate::Rule::ControlCharacters);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(check_username("clerk.sishui-01").is_ok());
        assert!(check_username("Clerk").is_err());
        assert!(check_username("1abc").is_err());
        assert!(check_username("ab").is_err());
        assert!(check_username("a b c").is_err());
        assert!(check_display_name("王 书记").is_ok());
        assert!(check_display_name(" ").is_err());
        assert!(check_display_name("a\u{7}").is_err());
    }
}
