//! Password policy (NIST SP 800-63B style: length over composition rules).

/// Fewest characters a password may have.
pub const MIN_LEN: usize = 10;
/// Most characters a password may have (argon2 input stays bounded).
pub const MAX_LEN: usize = 128;

/// Checks a new password against the policy.
///
/// # Errors
/// A message naming the rule it breaks.
pub fn check_new_password(password: &str, username: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("must have at least {MIN_LEN} characters"));
    }
    if n > MAX_LEN {
        return Err(format!("must have at most {MAX_LEN} characters"));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err("must differ from the username".into());
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Err("must not repeat one character".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_new_password("short", "u").is_err());
        assert!(check_new_password("aaaaaaaaaaaa", "u").is_err());
        assert!(check_new_password("clerk-sishui", "clerk-sishui").is_err());
        assert!(check_new_password(&"x1".repeat(70), "u").is_err());
        assert!(check_new_password("correct horse", "u").is_ok());
    }
}
