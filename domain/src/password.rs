//! Password policy (NIST SP 800-63B §5.1.1.2: length over composition rules; refuse values
//! from lists of common or compromised passwords and context-specific words such as the
//! username).

use std::collections::HashSet;
use std::io::Read as _;
use std::sync::OnceLock;

/// Fewest characters a password may have.
pub const MIN_LEN: usize = 10;
/// Most characters a password may have (argon2 input stays bounded).
pub const MAX_LEN: usize = 128;
/// Usernames at least this long may not appear anywhere in the password (shorter ones only
/// may not be the whole password: a one-letter name would refuse half the alphabet).
const MIN_CONTAINED_USERNAME: usize = 3;

/// The 100,000 most common passwords (SecLists, MIT; see `domain/data/README.md`), gzip.
static COMMON_GZ: &[u8] = include_bytes!("../data/common-passwords-100k.txt.gz");

/// The bundled list, lower-cased, loaded once. Entries shorter than [`MIN_LEN`] are dropped:
/// the length rule refuses those already.
fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut text = String::new();
        // The list is compiled in; a failure here is a build defect the unit test catches.
        let _ = flate2::read::GzDecoder::new(COMMON_GZ).read_to_string(&mut text);
        text.lines()
            .filter(|l| l.chars().count() >= MIN_LEN)
            .map(str::to_lowercase)
            .collect()
    })
}

/// Whether `password` is on the bundled list of common passwords (case-insensitive).
pub fn is_common(password: &str) -> bool {
    common().contains(&password.to_lowercase())
}

/// Checks a new password against the policy.
///
/// # Errors
/// A message naming the rule it breaks.
pub fn check_new_password(password: &str, username: &str) -> Result<(), crate::Rule> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(crate::Rule::other(
            format!("must have at least {MIN_LEN} characters"),
            format!("至少 {MIN_LEN} 个字符"),
        ));
    }
    if n > MAX_LEN {
        return Err(crate::Rule::other(
            format!("must have at most {MAX_LEN} characters"),
            format!("最多 {MAX_LEN} 个字符"),
        ));
    }
    let name = username.trim().to_lowercase();
    let lower = password.to_lowercase();
    if lower == name || (name.chars().count() >= MIN_CONTAINED_USERNAME && lower.contains(&name)) {
        return Err(crate::Rule::other(
            "must not contain the username",
            "不能包含用户名",
        ));
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Err(crate::Rule::other(
            "must not repeat one character",
            "不能只重复同一个字符",
        ));
    }
    if is_common(password) {
        return Err(crate::Rule::other(
            "is one of the 100,000 most common passwords; choose another (a few unrelated words make a good one)",
            "属于最常见的 10 万个密码之一;请另选(几个不相关的词组合起来就是好密码)",
        ));
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

    #[test]
    fn common_passwords_and_the_username_are_refused() {
        assert!(common().len() > 2000, "{}", common().len());
        for p in ["password1234", "PassWord1234", "qwertyuiop", "1234567890"] {
            assert_eq!(
                check_new_password(p, "someone").map_err(|e| e.to_string()),
                Err("is one of the 100,000 most common passwords; choose another (a few unrelated words make a good one)".into()),
                "{p}"
            );
        }
        assert_eq!(
            check_new_password("my-Admin.Sishui-2026", "admin.sishui"),
            Err(crate::Rule::other(
                "must not contain the username",
                "不能包含用户名"
            ))
        );
        // The demo's and the tests' passwords still pass.
        for (p, u) in [
            ("test-password-1", "clerk"),
            ("a-good-password", "new.clerk"),
            ("a-new-password", "clerk"),
            ("demo-platform-2026", "platform.admin"),
            ("demo-admin-2026", "admin.sishui"),
            ("demo-wenshang-2026", "admin.wenshang"),
            ("demo-province-2026", "observer.shandong"),
            ("demo-city-2026", "observer.jining"),
            ("demo-approver-2026", "approver.sishui"),
            ("demo-auditor-2026", "auditor.sishui"),
            ("demo-funds-2026", "funds.sishui"),
            ("demo-reviewer-2026", "reviewer.quanlin"),
            ("demo-clerk-2026", "clerk.quanlin"),
            ("brand-new-secret", "clerk"),
            ("whatever-123", "clerk"),
        ] {
            assert_eq!(check_new_password(p, u), Ok(()), "{p} for {u}");
        }
    }
}
