//! Quotas: requests per minute and per hour for each API key, user or anonymous client
//! address, and the client address itself (from `X-Forwarded-For` only behind trusted proxies).
//!
//! The limiter is GCRA (the generic cell rate algorithm, a token bucket kept as one
//! timestamp): a limit of `n` per period lets a burst of `n` through at once, then one request
//! every `period / n` — no doubled burst at a window's edge as fixed windows allow. Each key
//! keeps two timestamps (minute and hour); a request passes only if both limits allow it, and
//! only then counts against both. An entry whose timestamps are in the past means the same as
//! no entry, so idle entries are dropped when a shard fills; past that, the entries closest to
//! idle go first (memory stays bounded even when a flood of addresses arrives).
//!
//! Every response gets `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset`
//! (seconds until the full quota is back) of the tighter of the two limits; a refused request
//! gets `429` with `retry-after` (seconds until one more request passes).

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use crate::{ApiError, Code};

/// `x-ratelimit-limit`: the requests the binding limit allows per its period.
pub const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `x-ratelimit-remaining`: the requests left now.
pub const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `x-ratelimit-reset`: seconds until the whole quota is available again.
pub const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Shards of the limiter's table (each its own lock).
const SHARDS: usize = 16;
/// `X-Forwarded-For` entries looked at at most.
const MAX_HOPS: usize = 64;
const MINUTE: u64 = 60_000_000_000;
const HOUR: u64 = 60 * MINUTE;

/// Whom a request counts against and its limits: a request extension the authentication
/// layer inserts (without one, [`rate_limit`] counts the request against its peer address
/// with the default anonymous limits, 60/min and 2,000/h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateKey {
    /// What is counted: `ip:ADDR` for anonymous clients; `key:ID`, `user:NAME` for others.
    pub key: String,
    /// Requests per minute (0 refuses every request).
    pub per_min: u32,
    /// Requests per hour (0 refuses every request).
    pub per_hour: u32,
}

impl RateKey {
    /// An anonymous client at `addr` (an IPv6 client counted by its /64, which one host
    /// usually owns whole) with these limits.
    pub fn anonymous(addr: IpAddr, per_min: u32, per_hour: u32) -> RateKey {
        let key = match addr.to_canonical() {
            IpAddr::V4(v4) => format!("ip:{v4}"),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("ip:{net}/64")
            }
        };
        RateKey {
            key,
            per_min,
            per_hour,
        }
    }
}

/// What the limiter decided about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The binding limit (per minute or per hour, whichever has fewer requests left).
    pub limit: u32,
    /// Requests left under it.
    pub remaining: u32,
    /// Seconds until its whole quota is available again.
    pub reset_s: u64,
    /// Refused: seconds until one more request passes (at least 1); allowed: 0.
    pub retry_after_s: u64,
}

impl Decision {
    /// Sets the `x-ratelimit-*` headers (and `retry-after` when refused).
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(self.limit));
        headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(self.remaining));
        headers.insert(X_RATELIMIT_RESET, HeaderValue::from(self.reset_s));
        if !self.allowed {
            headers.insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from(self.retry_after_s),
            );
        }
    }

    /// The `429 rate_limited` response of a refused request, headers set.
    pub fn refusal(&self) -> Response {
        let mut res = ApiError::new(
            Code::RateLimited,
            format!(
                "over the quota of {} requests; retry in {} s",
                self.limit, self.retry_after_s
            ),
        )
        .into_response();
        self.write_headers(res.headers_mut());
        res
    }
}

/// Two GCRA timestamps of a key ("theoretical arrival times"), nanoseconds since the
/// limiter's epoch.
#[derive(Debug, Clone, Copy)]
struct Cell {
    minute: u64,
    hour: u64,
}

/// One limit's verdict.
#[derive(Debug, Clone, Copy)]
struct Window {
    allowed: bool,
    tat: u64,
    limit: u32,
    remaining: u32,
    reset: u64,
    retry: u64,
}

/// GCRA: `tat` the key's theoretical arrival time, `n` requests per `period` (ns).
fn window(tat: u64, now: u64, period: u64, n: u32) -> Window {
    if n == 0 {
        return Window {
            allowed: false,
            tat,
            limit: 0,
            remaining: 0,
            reset: period,
            retry: period,
        };
    }
    let interval = (period / u64::from(n)).max(1);
    let start = tat.max(now);
    let next = start.saturating_add(interval);
    let ahead = next - now;
    if ahead <= period {
        Window {
            allowed: true,
            tat: next,
            limit: n,
            remaining: u32::try_from((period - ahead) / interval).unwrap_or(u32::MAX),
            reset: ahead,
            retry: 0,
        }
    } else {
        Window {
            allowed: false,
            tat,
            limit: n,
            remaining: 0,
            reset: start - now,
            retry: ahead - period,
        }
    }
}

fn ceil_s(ns: u64) -> u64 {
    ns.div_ceil(1_000_000_000)
}

/// Requests per minute and per hour per key: sharded, bounded in memory.
pub struct RateLimiter {
    epoch: Instant,
    hasher: RandomState,
    shards: Box<[Mutex<HashMap<String, Cell>>]>,
    per_shard: usize,
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("keys", &self.len())
            .field("max_keys", &(self.per_shard * SHARDS))
            .finish()
    }
}

impl RateLimiter {
    /// The keys [`RateLimiter::default`] holds at most (about 100 bytes each).
    pub const MAX_KEYS: usize = 200_000;

    /// A limiter keeping at most about `max_keys` keys (at least 16 × 16).
    pub fn new(max_keys: usize) -> RateLimiter {
        RateLimiter {
            epoch: Instant::now(),
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: (max_keys / SHARDS).max(16),
        }
    }

    /// Counts a request of `key` at `now` against `per_min` and `per_hour`, if both allow it.
    pub fn check(&self, key: &str, per_min: u32, per_hour: u32, now: Instant) -> Decision {
        let now_ns = u64::try_from(now.saturating_duration_since(self.epoch).as_nanos())
            .unwrap_or(u64::MAX / 2);
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS];
        // A poisoned shard only means a panic elsewhere mid-update: its cells are still valid.
        let mut cells = shard.lock().unwrap_or_else(|p| p.into_inner());
        let cell = match cells.get(key) {
            Some(c) => *c,
            None => Cell {
                minute: now_ns,
                hour: now_ns,
            },
        };
        let m = window(cell.minute, now_ns, MINUTE, per_min);
        let h = window(cell.hour, now_ns, HOUR, per_hour);
        let allowed = m.allowed && h.allowed;
        if allowed {
            let new = Cell {
                minute: m.tat,
                hour: h.tat,
            };
            match cells.get_mut(key) {
                Some(c) => *c = new,
                None => {
                    if cells.len() >= self.per_shard {
                        evict(&mut cells, now_ns, self.per_shard);
                    }
                    cells.insert(key.to_owned(), new);
                }
            }
        }
        drop(cells);
        let binding = if allowed {
            if h.remaining < m.remaining {
                h
            } else {
                m
            }
        } else {
            match (m.allowed, h.allowed) {
                (false, false) if h.retry > m.retry => h,
                (false, _) => m,
                _ => h,
            }
        };
        Decision {
            allowed,
            limit: binding.limit,
            remaining: binding.remaining,
            reset_s: ceil_s(binding.reset),
            retry_after_s: if allowed {
                0
            } else {
                ceil_s(binding.retry).max(1)
            },
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes room in a full shard: drops the idle cells (they mean the same as none), then, if
/// still over three quarters full, the cells closest to idle.
fn evict(cells: &mut HashMap<String, Cell>, now: u64, capacity: usize) {
    cells.retain(|_, c| c.minute.max(c.hour) > now);
    let keep = capacity * 3 / 4;
    if cells.len() <= keep {
        return;
    }
    let mut ends: Vec<u64> = cells.values().map(|c| c.minute.max(c.hour)).collect();
    let cut = ends.len() - keep;
    let (_, threshold, _) = ends.select_nth_unstable(cut);
    let threshold = *threshold;
    cells.retain(|_, c| c.minute.max(c.hour) > threshold);
}

/// A network of trusted proxies: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(IpNet);

impl Cidr {
    /// Whether `addr` is in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        self.0.contains(&addr.to_canonical())
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        if let Ok(net) = IpNet::from_str(s) {
            return Ok(Cidr(net.trunc()));
        }
        match IpAddr::from_str(s) {
            Ok(addr) => Ok(Cidr(IpNet::from(addr.to_canonical()))),
            Err(_) => Err(format!(
                "`{s}` is not an address or network (like 10.0.0.0/8, 192.0.2.7 or fd00::/8)"
            )),
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn trusted_by(addr: IpAddr, trusted: &[Cidr]) -> bool {
    trusted.iter().any(|c| c.contains(addr))
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:443`).
fn hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    IpAddr::from_str(entry)
        .ok()
        .or_else(|| SocketAddr::from_str(entry).ok().map(|s| s.ip()))
        .map(|a| a.to_canonical())
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then
/// `X-Forwarded-For` is read from the right, each entry written by the trusted hop after it,
/// and the first untrusted address is the client (all trusted: the leftmost). An entry that is
/// not an address ends the walk at the last trusted hop (which is then the client).
pub fn client_addr(peer: SocketAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let mut client = peer.ip().to_canonical();
    if !trusted_by(client, trusted) {
        return client;
    }
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .flat_map(|v| v.to_str().unwrap_or("-").rsplit(','))
        .take(MAX_HOPS);
    for entry in entries {
        let Some(addr) = hop(entry) else {
            return client;
        };
        client = addr;
        if !trusted_by(addr, trusted) {
            return addr;
        }
    }
    client
}

impl Default for RateLimiter {
    /// A limiter of [`RateLimiter::MAX_KEYS`] keys.
    fn default() -> Self {
        RateLimiter::new(RateLimiter::MAX_KEYS)
    }
}

/// The anonymous limits a request without a [`RateKey`] gets.
const FALLBACK: (u32, u32) = (60, 2_000);

/// Middleware: counts the request against its [`RateKey`] (the default anonymous limits of
/// its peer address without one), answers `429 rate_limited` with `retry-after` when over, and
/// sets the `x-ratelimit-*` headers on every response it lets through. Layer it inside
/// authentication, which inserts the `RateKey`.
pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    limit(&limiter, req, next).await
}

/// [`rate_limit`] with the limiter of the API's state.
pub async fn layer(State(state): State<crate::ApiState>, req: Request, next: Next) -> Response {
    limit(&state.limiter, req, next).await
}

async fn limit(limiter: &RateLimiter, req: Request, next: Next) -> Response {
    let now = Instant::now();
    let decision = match req.extensions().get::<RateKey>() {
        Some(k) => limiter.check(&k.key, k.per_min, k.per_hour, now),
        None => {
            let peer = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
            let k = RateKey::anonymous(peer, FALLBACK.0, FALLBACK.1);
            limiter.check(&k.key, k.per_min, k.per_hour, now)
        }
    };
    if !decision.allowed {
        return decision.refusal();
    }
    let mut res = next.run(req).await;
    decision.write_headers(res.headers_mut());
    res
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(limiter: &RateLimiter, secs: f64) -> Instant {
        limiter.epoch + Duration::from_secs_f64(secs)
    }

    #[test]
    fn a_burst_of_the_limit_passes_then_one_per_interval() {
        let l = RateLimiter::new(1000);
        let t0 = at(&l, 10.0);
        for i in 0..60 {
            let d = l.check("a", 60, 2000, t0);
            assert!(d.allowed, "request {i}");
            assert_eq!((d.limit, d.remaining), (60, 59 - i));
        }
        let d = l.check("a", 60, 2000, t0);
        assert!(!d.allowed);
        assert_eq!((d.limit, d.remaining, d.retry_after_s), (60, 0, 1));
        assert_eq!(d.reset_s, 60);
        // One interval (1 s) later one more passes, not two.
        let t1 = at(&l, 11.0);
        assert!(l.check("a", 60, 2000, t1).allowed);
        assert!(!l.check("a", 60, 2000, t1).allowed);
        // Another key is not affected.
        assert!(l.check("b", 60, 2000, t1).allowed);
        // A minute later the whole quota is back.
        let d = l.check("a", 60, 2000, at(&l, 72.0));
        assert!(d.allowed);
        assert_eq!(d.remaining, 59);
    }

    #[test]
    fn the_hourly_limit_binds_when_the_minute_allows() {
        let l = RateLimiter::new(1000);
        let mut t = 0.0;
        // 10 per hour: one every 6 minutes; the minute limit (100) never binds.
        for i in 0..10 {
            let d = l.check("k", 100, 10, at(&l, t));
            assert!(d.allowed);
            assert_eq!((d.limit, d.remaining), (10, 9 - i));
            t += 1.0;
        }
        let d = l.check("k", 100, 10, at(&l, t));
        assert!(!d.allowed);
        assert_eq!(d.limit, 10);
        // The first hour-cell comes free 6 min after the first request: at t = 360 s.
        assert_eq!(d.retry_after_s, 360 - 10);
        assert!(l.check("k", 100, 10, at(&l, 360.0)).allowed);
        // A refused request counts against neither limit.
        assert!(!l.check("k", 100, 10, at(&l, 361.0)).allowed);
    }

    #[test]
    fn a_zero_limit_refuses_everything() {
        let l = RateLimiter::new(1000);
        let d = l.check("z", 0, 100, at(&l, 1.0));
        assert!(!d.allowed);
        assert_eq!((d.limit, d.retry_after_s), (0, 60));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_keys() {
        let l = RateLimiter::new(16 * 100);
        let t = at(&l, 5.0);
        for i in 0..20_000 {
            l.check(&format!("ip:{i}"), 60, 2000, t);
        }
        assert!(l.len() <= 16 * 100, "{} keys", l.len());
        // Idle keys are dropped first: an hour later all room is free again.
        let later = at(&l, 5.0 + 3601.0);
        for i in 0..16 * 50 {
            l.check(&format!("new:{i}"), 60, 2000, later);
        }
        assert!(l.len() <= 16 * 100);
    }

    #[test]
    fn anonymous_keys_are_addresses_and_ipv6_slash_64s() {
        let v4 = RateKey::anonymous("192.0.2.7".parse().unwrap(), 60, 2000);
        assert_eq!(
            (v4.key.as_str(), v4.per_min, v4.per_hour),
            ("ip:192.0.2.7", 60, 2000)
        );
        let mapped = RateKey::anonymous("::ffff:192.0.2.7".parse().unwrap(), 60, 2000);
        assert_eq!(mapped.key, "ip:192.0.2.7");
        let a = RateKey::anonymous("2001:db8:1:2:aaaa::1".parse().unwrap(), 60, 2000);
        let b = RateKey::anonymous("2001:db8:1:2:bbbb::9".parse().unwrap(), 60, 2000);
        assert_eq!(a.key, "ip:2001:db8:1:2::/64");
        assert_eq!(a, b);
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()];
        let proxy: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.9:5000".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Not from a proxy: the header is ignored (a client could write anything there).
        assert_eq!(
            client_addr(stranger, &xff(&["203.0.113.5"]), &trusted),
            ip("198.51.100.9")
        );
        // From a proxy: the rightmost untrusted entry; spoofed entries left of it are ignored.
        assert_eq!(
            client_addr(proxy, &xff(&["1.1.1.1, 203.0.113.5, 10.9.9.9"]), &trusted),
            ip("203.0.113.5")
        );
        // Several headers read as one list, in order.
        assert_eq!(
            client_addr(
                proxy,
                &xff(&["1.1.1.1", "203.0.113.5:4711", "10.0.0.2"]),
                &trusted
            ),
            ip("203.0.113.5")
        );
        // All trusted: the leftmost. No header: the proxy itself.
        assert_eq!(
            client_addr(proxy, &xff(&["10.0.0.7, 10.0.0.8"]), &trusted),
            ip("10.0.0.7")
        );
        assert_eq!(
            client_addr(proxy, &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        // Garbage ends the walk at the last trusted hop.
        assert_eq!(
            client_addr(proxy, &xff(&["203.0.113.5, unknown"]), &trusted),
            ip("10.1.2.3")
        );
        // IPv6, bracketed with a port, and an IPv4-mapped peer.
        let local6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(
            client_addr(local6, &xff(&["[2001:db8::5]:443"]), &trusted),
            ip("2001:db8::5")
        );
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:80".parse().unwrap();
        assert_eq!(
            client_addr(mapped, &xff(&["203.0.113.5"]), &trusted),
            ip("203.0.113.5")
        );
        // Nothing trusted: always the peer.
        assert_eq!(
            client_addr(proxy, &xff(&["203.0.113.5"]), &[]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn trusted_proxies_parse_as_networks_or_addresses() {
        let c: Cidr = "10.1.2.3/8".parse().unwrap();
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert!(c.contains("10.200.0.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        let one: Cidr = " 192.0.2.1 ".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.1/32");
        let err = "10.0.0.0/33".parse::<Cidr>().unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!("proxy.example".parse::<Cidr>().is_err());
    }
}
