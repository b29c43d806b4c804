//! Which peers are trusted reverse proxies, and the client address behind them.
//!
//! `ZX_TRUSTED_PROXIES` lists networks (`10.0.0.0/8,127.0.0.1/32,::1/128`). A request from a peer
//! outside them is taken at its socket address, whatever `X-Forwarded-For` it carries. A request
//! from a trusted peer is followed back through `X-Forwarded-For`, right to left, past every
//! trusted address: the first address that is not a trusted proxy is the client. Entries to its
//! left were written by the client and are ignored.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an address or network (like 10.0.0.0/8)"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The trusted proxies: a list of networks (empty: no proxy is trusted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// No proxy trusted: the client is always the socket peer.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client address of a request from `peer` carrying these `X-Forwarded-For` values
    /// (in header order).
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            match parse_entry(entry) {
                // A trusted proxy forwarded from here: keep going left.
                Some(ip) if self.trusts(ip) => client = ip,
                Some(ip) => return ip,
                // Unreadable: the last proxy we trust is the best we know.
                None => return client,
            }
        }
        client
    }
}

/// The `X-Forwarded-For` lines of a request, read lossily: a proxy appends the real address to
/// whatever the client sent, and one byte outside ASCII from the client must not drop the whole
/// line (and with it that address, leaving the proxy's own as the client's).
pub fn forwarded_for(headers: &actix_web::http::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("x-forwarded-for")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// An `X-Forwarded-For` entry: an address, possibly `[v6]`, `v4:port` or `[v6]:port`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = entry.parse::<std::net::SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .and_then(|e| e.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Network::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn proxies(s: &str) -> TrustedProxies {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn networks_parse_and_match() {
        let p = proxies("10.0.0.0/8, 127.0.0.1/32,192.168.1.7,fd00::/8");
        assert!(p.trusts(ip("10.200.3.4")));
        assert!(p.trusts(ip("127.0.0.1")));
        assert!(!p.trusts(ip("127.0.0.2")));
        assert!(p.trusts(ip("192.168.1.7")));
        assert!(!p.trusts(ip("192.168.1.8")));
        assert!(p.trusts(ip("fd12::1")));
        assert!(!p.trusts(ip("fe80::1")));
        assert!(
            p.trusts(ip("::ffff:10.1.1.1")),
            "IPv4-mapped counts as IPv4"
        );
        assert!(proxies("0.0.0.0/0").trusts(ip("203.0.113.1")));
        assert_eq!(
            p.to_string(),
            "10.0.0.0/8,127.0.0.1/32,192.168.1.7/32,fd00::/8"
        );
    }

    #[test]
    fn bad_networks_are_refused_with_the_reason() {
        for bad in ["10.0.0.0/33", "yes", "10.0.0/8", "::1/129", "10.0.0.0/x"] {
            let e = bad.parse::<TrustedProxies>().err();
            assert!(e.is_some_and(|e| e.contains(bad)), "{bad}");
        }
        assert_eq!(proxies(""), TrustedProxies::none());
    }

    #[test]
    fn a_peer_outside_the_trusted_networks_is_the_client_whatever_it_forwards() {
        let p = proxies("10.0.0.0/8");
        assert_eq!(
            p.client(ip("203.0.113.9"), ["198.51.100.1"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::none().client(ip("127.0.0.1"), ["1.2.3.4"]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn forwarded_for_is_read_right_to_left_past_trusted_proxies() {
        let p = proxies("10.0.0.0/8,127.0.0.1/32");
        // client forged the first entry; the edge proxy (10.1.2.3) saw 198.51.100.7.
        let chain = "203.0.113.50, 198.51.100.7, 10.1.2.3";
        assert_eq!(p.client(ip("127.0.0.1"), [chain]), ip("198.51.100.7"));
        // Several header lines are one list.
        assert_eq!(
            p.client(ip("10.0.0.1"), ["203.0.113.50", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Ports and brackets are tolerated.
        assert_eq!(
            p.client(ip("10.0.0.1"), ["198.51.100.7:5123"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            p.client(ip("10.0.0.1"), ["[2001:db8::5]:443"]),
            ip("2001:db8::5")
        );
        // No header, or only proxies: the leftmost proxy.
        assert_eq!(p.client(ip("10.0.0.1"), []), ip("10.0.0.1"));
        assert_eq!(p.client(ip("10.0.0.1"), ["10.9.9.9"]), ip("10.9.9.9"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(p.client(ip("10.0.0.1"), ["unknown"]), ip("10.0.0.1"));
        assert_eq!(
            p.client(ip("10.0.0.1"), ["nonsense, 10.2.2.2"]),
            ip("10.2.2.2")
        );
    }

    #[test]
    fn a_byte_outside_ascii_from_the_client_does_not_hide_the_address_the_proxy_saw() {
        use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
        let mut h = HeaderMap::new();
        let value = HeaderValue::from_bytes(b"\xff, 203.0.113.9");
        h.insert(
            HeaderName::from_static("x-forwarded-for"),
            value.unwrap_or_else(|e| panic!("{e}")),
        );
        let lines = forwarded_for(&h);
        let p = proxies("127.0.0.1/32");
        assert_eq!(
            p.client(ip("127.0.0.1"), lines.iter().map(String::as_str)),
            ip("203.0.113.9")
        );
    }
}
