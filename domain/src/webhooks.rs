//! Webhooks: the events a county can subscribe to, how endpoint URLs are checked, and the
//! retry schedule of deliveries.

use std::net::IpAddr;
use std::time::Duration;

vocabulary! {
    /// A domain event a webhook endpoint may subscribe to.
    EventKind {
        /// A household was registered (by hand or by import).
        HouseholdCreated = "household.created" / "户登记",
        /// A household's data or status changed.
        HouseholdChanged = "household.changed" / "户信息变更",
        /// A step of an exit list or a monitoring case was taken.
        WorkflowStep = "workflow.step_taken" / "流程步骤",
        /// A public notice period of an exit list ended.
        NoticeEnded = "exit.notice_ended" / "公示期结束",
        /// A monitoring lead was raised.
        LeadRaised = "monitoring.lead_raised" / "监测线索",
        /// Money was paid out of a project.
        DisbursementMade = "funds.disbursement_made" / "资金支出",
    }
}

/// Longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 3600);

/// The wait after failed attempt number `attempt` (1 for the first): `base`, doubling each
/// time, at most [`MAX_RETRY_DELAY`].
pub fn retry_delay(base: Duration, attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    base.saturating_mul(1_u32 << doublings).min(MAX_RETRY_DELAY)
}

/// Whether an address is one a webhook must not reach from the server: loopback, private,
/// link-local, unspecified, multicast (cloud metadata services live there too).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets()[0] == 0
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

/// Checks an endpoint URL: `https` (or `http` when `allow_plain`), a host, no user or password,
/// at most 2,000 characters, and not an internal address unless `allow_internal`. Returns the
/// URL as given.
///
/// # Errors
/// The reason, for the field `url`.
pub fn check_url(url: &str, allow_plain: bool, allow_internal: bool) -> Result<String, String> {
    let url = url.trim();
    if url.len() > 2000 {
        return Err("must be at most 2000 characters".into());
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "must be an absolute URL (https://…)".to_string())?;
    match scheme {
        "https" => {}
        "http" if allow_plain => {}
        "http" => return Err("must use https".into()),
        _ => return Err("must use https".into()),
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("must not carry a user name or password".into());
    }
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    if host.is_empty() {
        return Err("must name a host".into());
    }
    if !allow_internal {
        let lower = host.to_ascii_lowercase();
        if lower == "localhost" || lower.ends_with(".localhost") {
            return Err("must not point at this server's own network".into());
        }
        if let Ok(ip) = host.parse::<IpAddr>()
            && is_internal(ip)
        {
            return Err("must not point at an internal address".into());
        }
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_and_stop_growing() {
        let base = Duration::from_secs(10);
        assert_eq!(retry_delay(base, 1), Duration::from_secs(10));
        assert_eq!(retry_delay(base, 2), Duration::from_secs(20));
        assert_eq!(retry_delay(base, 4), Duration::from_secs(80));
        assert_eq!(retry_delay(base, 40), MAX_RETRY_DELAY);
    }

    #[test]
    fn urls_must_be_https_and_external() {
        assert!(check_url("https://hooks.example.cn/zx", false, false).is_ok());
        assert_eq!(
            check_url("http://hooks.example.cn/zx", false, false),
            Err("must use https".to_string())
        );
        assert!(check_url("http://127.0.0.1:9000/x", true, true).is_ok());
        assert!(check_url("https://127.0.0.1/x", false, false).is_err());
        assert!(check_url("https://10.1.2.3/x", false, false).is_err());
        assert!(check_url("https://169.254.169.254/latest", false, false).is_err());
        assert!(check_url("https://[::1]:8443/x", false, false).is_err());
        assert!(check_url("https://[::ffff:192.168.0.1]/x", false, false).is_err());
        assert!(check_url("https://localhost/x", false, false).is_err());
        assert!(check_url("https://user:pw@example.cn/x", false, false).is_err());
        assert!(check_url("ftp://example.cn/x", false, false).is_err());
        assert!(check_url("example.cn/x", false, false).is_err());
    }

    #[test]
    fn event_codes_are_stable() {
        assert_eq!(
            EventKind::parse("household.created"),
            Ok(EventKind::HouseholdCreated)
        );
        assert!(EventKind::parse("household_created").is_err());
    }
}
