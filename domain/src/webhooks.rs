//! Webhooks: the events a county can subscribe to, how endpoint URLs are checked, and the
//! retry schedule of deliveries.

use std::net::IpAddr;
use std::time::Duration;

vocabulary! {
    /// A domain event a webhook endpoint may subscribe to.
    EventKind as "WebhookEvent" {
        /// A household was registered (by hand or by import).
        HouseholdCreated = "household.created" / "户登记",
        /// A household's data or status changed.
        HouseholdChanged = "household.changed" / "户信息变更",
        /// A step of an exit list, an intake list or a monitoring case was taken.
        WorkflowStep = "workflow.step_taken" / "流程步骤",
        /// A public notice period of an exit list ended.
        NoticeEnded = "exit.notice_ended" / "公示期结束",
        /// A monitoring lead was raised.
        LeadRaised = "monitoring.lead_raised" / "监测线索",
        /// Money was paid out of a project.
        DisbursementMade = "funds.disbursement_made" / "资金支出",
    }
}

impl EventKind {
    /// The permission that reads what an event of this kind tells (its object and status):
    /// subscribing to it needs that permission at the county, as reading the object does, and
    /// its deliveries go out only while the endpoint's owner still holds it there.
    pub fn reads(self) -> &'static str {
        use crate::authz::perm;
        match self {
            Self::HouseholdCreated | Self::HouseholdChanged => perm::CASES_READ,
            Self::WorkflowStep | Self::NoticeEnded | Self::LeadRaised => perm::WORKFLOW_READ,
            Self::DisbursementMade => perm::FUNDS_READ,
        }
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

/// Whether an address is one a webhook must not reach from the server: any special-purpose
/// block (loopback, private, link-local and cloud metadata, benchmarking, documentation,
/// multicast, …), IPv4 inside IPv6 judged by its IPv4 address; see [`crate::net`].
pub fn is_internal(ip: IpAddr) -> bool {
    crate::net::is_special(ip)
}

/// Checks an endpoint URL: `https` (or `http` when `allow_plain`), a host, no user or password,
/// at most 2,000 characters, and not an internal address unless `allow_internal`. The URL is
/// parsed as a browser would (WHATWG), which normalises the host: `https://2130706433/`,
/// `https://0x7f.1/` and `https://0/` are IPv4 addresses and are checked as such. Returns the
/// normalised URL, which is what is stored and delivered to.
///
/// # Errors
/// The reason, for the field `url`.
pub fn check_url(
    url: &str,
    allow_plain: bool,
    allow_internal: bool,
) -> Result<String, crate::Rule> {
    let url = url.trim();
    if url.len() > 2000 {
        return Err(crate::Rule::too_long(2000));
    }
    let parsed = url::Url::parse(url).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => crate::Rule::format(crate::Format::HttpsUrl),
        url::ParseError::EmptyHost => crate::Rule::other("must name a host", "必须包含主机名"),
        e => crate::Rule::other(
            format!("is not a valid URL: {e}"),
            format!("不是有效的网址:{e}"),
        ),
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_plain => {}
        _ => return Err(crate::Rule::other("must use https", "必须使用 https")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(crate::Rule::other(
            "must not carry a user name or password",
            "不能包含用户名或密码",
        ));
    }
    let host = match parsed.host() {
        Some(url::Host::Domain("")) | None => {
            return Err(crate::Rule::other("must name a host", "必须包含主机名"));
        }
        Some(h) => h,
    };
    if !allow_internal {
        match host {
            url::Host::Domain(d) => {
                let lower = d.trim_end_matches('.').to_ascii_lowercase();
                if lower == "localhost" || lower.ends_with(".localhost") {
                    return Err(crate::Rule::other(
                        "must not point at this server's own network",
                        "不能指向本服务器所在网络",
                    ));
                }
            }
            url::Host::Ipv4(v4) if is_internal(IpAddr::V4(v4)) => {
                return Err(crate::Rule::other(
                    "must not point at an internal address",
                    "不能指向内部地址",
                ));
            }
            url::Host::Ipv6(v6) if is_internal(IpAddr::V6(v6)) => {
                return Err(crate::Rule::other(
                    "must not point at an internal address",
                    "不能指向内部地址",
                ));
            }
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => {}
        }
    }
    Ok(parsed.to_string())
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
            Err(crate::Rule::other("must use https", "必须使用 https"))
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
    fn hosts_are_normalised_before_they_are_checked() {
        let internal = |u: &str| check_url(u, false, false);
        for u in [
            "https://2130706433/x",
            "https://0x7f000001/x",
            "https://0x7f.1/x",
            "https://0177.0.0.1/x",
            "https://127.1/x",
            "https://0/x",
            "https://0.0.0.0/x",
            "https://3232235777/x",
            "https://198.18.0.1/x",
            "https://127.0.0.%31/x",
            "https://[::ffff:7f00:1]/x",
            "https://[::ffff:169.254.169.254]/x",
            "https://[64:ff9b::7f00:1]/x",
            "https://[2002:7f00:1::1]/x",
            "https://[fe80::1]/x",
            "https://localhost./x",
            "https://LOCALHOST/x",
        ] {
            assert!(internal(u).is_err(), "{u} must be refused");
        }
        // Zone ids are not URLs (WHATWG): refused whatever the policy.
        assert!(check_url("https://[fe80::1%25eth0]/x", true, true).is_err());
        // IPv6 literals that are public pass, normalised.
        assert_eq!(
            check_url("https://[2400:CB00::1]:8443/x", false, false),
            Ok("https://[2400:cb00::1]:8443/x".to_string())
        );
        assert_eq!(
            check_url("https://134744072/x", false, false),
            Ok("https://8.8.8.8/x".to_string())
        );
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
