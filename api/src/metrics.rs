//! Prometheus metrics at `/metrics`: requests by route pattern, method and status, latency
//! histograms by route, the database pool. Counted in process (each instance exposes its own;
//! Prometheus sums them). Route patterns, never concrete paths, label the series, so no id or
//! code from a URL ends up in a metric.
//!
//! Every label comes from a closed set, so no client can add series: methods outside the
//! standard ones are `OTHER` ([`method_label`]), paths that match no route are `unmatched`
//! ([`route_label`]). Who may read the text is decided by [`token_matches`] and the listener
//! (see `ZX_METRICS_BIND` and `ZX_METRICS_TOKEN`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The methods that label series as themselves; any other is `OTHER`.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The label of a request method: a standard method, or `OTHER`.
pub fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("OTHER")
}

/// The label of a matched route pattern: a pattern of the route table (or `/metrics`), or
/// `unmatched` for anything else (no pattern, a scope's prefix).
pub fn route_label(pattern: Option<&str>) -> &'static str {
    pattern
        .and_then(|p| {
            crate::routes::RULES
                .iter()
                .chain(crate::routes::DOCS_RULES)
                .find(|r| r.path == p)
                .map(|r| r.path)
        })
        .unwrap_or("unmatched")
}

/// Whether the `Authorization` header carries the metrics token (compared as SHA-256
/// digests, so the comparison's time says nothing about the token).
pub fn token_matches(token: &secrecy::SecretString, authorization: Option<&str>) -> bool {
    use secrecy::ExposeSecret as _;
    use sha2::{Digest as _, Sha256};
    let Some((scheme, given)) = authorization.and_then(|v| v.split_once(' ')) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && Sha256::digest(given.trim().as_bytes())
            == Sha256::digest(token.expose_secret().as_bytes())
}

/// The counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    work: Mutex<BTreeMap<&'static str, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            requests: Mutex::new(BTreeMap::new()),
            latency: Mutex::new(BTreeMap::new()),
            work: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Metrics {
    /// Counts one event of background work or read routing (`job_succeeded`,
    /// `delivery_failed`, `read_replica`, …).
    pub fn count(&self, event: &'static str) {
        if let Ok(mut w) = self.work.lock() {
            *w.entry(event).or_insert(0) += 1;
        }
    }

    /// How many times `event` was counted.
    pub fn counted(&self, event: &str) -> u64 {
        self.work
            .lock()
            .map(|w| w.get(event).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Counts one request, labelled by [`method_label`] and [`route_label`].
    pub fn observe(&self, method: &str, route: Option<&str>, status: u16, took: Duration) {
        let (method, route) = (method_label(method), route_label(route));
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_string(), route.to_string(), status))
                .or_insert(0) += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l
                .entry((method.to_string(), route.to_string()))
                .or_default();
            let secs = took.as_secs_f64();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// The text exposition format, with the pool's state.
    pub fn render(&self, pool: (u32, u32), pool_max: u32, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP zx_http_requests_total Requests by route pattern, method and status.\n# TYPE zx_http_requests_total counter"
        );
        if let Ok(r) = self.requests.lock() {
            for ((m, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "zx_http_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP zx_http_request_duration_seconds Request latency by route pattern.\n# TYPE zx_http_request_duration_seconds histogram"
        );
        if let Ok(l) = self.latency.lock() {
            for ((m, route), h) in l.iter() {
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "zx_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"{le}\"}} {}",
                        h.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "zx_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"+Inf\"}} {}\nzx_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{route}\"}} {}\nzx_http_request_duration_seconds_count{{method=\"{m}\",route=\"{route}\"}} {}",
                    h.count, h.sum, h.count
                );
            }
        }
        let (open, idle) = pool;
        let _ = writeln!(
            out,
            "# HELP zx_db_pool_connections Database connections of this instance's pool.\n# TYPE zx_db_pool_connections gauge\nzx_db_pool_connections{{state=\"open\"}} {open}\nzx_db_pool_connections{{state=\"idle\"}} {idle}\nzx_db_pool_connections{{state=\"in_use\"}} {}\nzx_db_pool_connections{{state=\"max\"}} {pool_max}",
            open.saturating_sub(idle)
        );
        let _ = writeln!(
            out,
            "# HELP zx_uptime_seconds Seconds since this instance started.\n# TYPE zx_uptime_seconds gauge\nzx_uptime_seconds {}",
            self.started.elapsed().as_secs()
        );
        let _ = writeln!(
            out,
            "# HELP zx_work_total Background work and read routing of this instance, by event.\n# TYPE zx_work_total counter"
        );
        if let Ok(w) = self.work.lock() {
            for (event, n) in w.iter() {
                let _ = writeln!(out, "zx_work_total{{event=\"{event}\"}} {n}");
            }
        }
        for g in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}",
                name = g.name,
                help = g.help,
                value = g.value
            );
        }
        out
    }
}

/// A gauge read at scrape time (queue depths, replica lag).
#[derive(Debug, Clone, Copy)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Value.
    pub value: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_render_as_prometheus_text() {
        let m = Metrics::default();
        m.observe("GET", Some("/api/v1/me"), 200, Duration::from_millis(7));
        m.observe("GET", Some("/api/v1/me"), 200, Duration::from_millis(70));
        m.observe("GET", Some("/api/v1/me"), 401, Duration::from_millis(1));
        m.count("job_succeeded");
        let text = m.render(
            (3, 1),
            10,
            &[Gauge {
                name: "zx_jobs_waiting",
                help: "Jobs queued or running.",
                value: 4.0,
            }],
        );
        assert!(
            text.contains("zx_work_total{event=\"job_succeeded\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE zx_jobs_waiting gauge\nzx_jobs_waiting 4\n"),
            "{text}"
        );
        assert!(text.contains(
            "zx_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "zx_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"
        ));
        assert!(text.contains("le=\"0.005\"} 1\n"), "{text}");
        assert!(text.contains("le=\"0.01\"} 2\n"), "{text}");
        assert!(text.contains("le=\"0.1\"} 3\n"), "{text}");
        assert!(text.contains("zx_db_pool_connections{state=\"in_use\"} 2"));
    }

    #[test]
    fn labels_come_from_closed_sets() {
        let m = Metrics::default();
        let long = "X".repeat(4000);
        m.observe(&long, Some(&format!("/{long}")), 404, Duration::ZERO);
        m.observe("get", Some("/api/v1"), 404, Duration::ZERO);
        m.observe("DELETE", None, 404, Duration::ZERO);
        let text = m.render((0, 0), 1, &[]);
        assert!(!text.contains("XXXX"), "{text}");
        assert!(
            text.contains(
                "zx_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "zx_http_requests_total{method=\"DELETE\",route=\"unmatched\",status=\"404\"} 1"
            ),
            "{text}"
        );
        let token = secrecy::SecretString::from("0123456789abcdef");
        assert!(token_matches(&token, Some("Bearer 0123456789abcdef")));
        assert!(!token_matches(&token, Some("Bearer 0123456789abcdeF")));
        assert!(!token_matches(&token, Some("0123456789abcdef")));
        assert!(!token_matches(&token, None));
    }
}
