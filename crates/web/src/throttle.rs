//! Login throttling, in memory: after too many failed sign-ins for one account, or from one client
//! address, within a window, further attempts are refused (429) for a while, even with the right
//! password, so guessing a password costs hours instead of seconds.
//!
//! Each attempt is counted as a failure *before* the password is checked and taken back if it
//! succeeds, so a burst of parallel requests cannot slip more guesses past the limit than a slow
//! sequence could. Counters live in the process: a restart forgets them, which is acceptable for a
//! throttle (an attacker gains one more round of guesses per restart), and keeping them in the
//! database would turn every failed login into a write a flood could be built on. Several instances
//! behind a balancer each count on their own; the limits are then per instance.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits of the throttle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures of one account within `window` that lock the account.
    pub account_failures: usize,
    /// Failures from one client address within `window` that lock the address. Higher than the
    /// account limit: a village office shares one address among its staff.
    pub address_failures: usize,
    pub window: Duration,
    /// How long a lock lasts, from the failure that set it.
    pub lockout: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            account_failures: 5,
            address_failures: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

/// Recent failures of one key (an account or an address), oldest first.
#[derive(Debug, Default)]
struct Failures(VecDeque<Instant>);

impl Failures {
    /// How long the key stays locked, if it is. Checked before old failures are dropped: a lock
    /// runs from the failure that reached the limit, even when the first failures of the series
    /// have since left the window.
    fn locked_for(&mut self, now: Instant, limit: usize, c: &ThrottleConfig) -> Option<Duration> {
        if self.0.len() >= limit {
            let until = self.0[limit - 1] + c.lockout;
            if until > now {
                return Some(until - now);
            }
            self.0.clear();
        }
        while self
            .0
            .front()
            .is_some_and(|t| now.duration_since(*t) >= c.window)
        {
            self.0.pop_front();
        }
        None
    }

    fn is_stale(&self, now: Instant, c: &ThrottleConfig) -> bool {
        self.0
            .back()
            .is_none_or(|t| now.duration_since(*t) >= c.window.max(c.lockout))
    }
}

/// Failures by key, pruned of stale keys now and then so the map cannot grow without bound
/// (every attempted username makes a key, existing or not).
#[derive(Debug, Default)]
struct Counters {
    map: HashMap<String, Failures>,
    prune_at: usize,
}

impl Counters {
    fn entry(&mut self, key: &str, now: Instant, c: &ThrottleConfig) -> &mut Failures {
        if self.map.len() >= self.prune_at {
            self.map.retain(|_, f| !f.is_stale(now, c));
            self.prune_at = (self.map.len() * 2).max(1024);
        }
        self.map.entry(key.to_string()).or_default()
    }
}

/// The throttle shared by all requests of the process.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    config: ThrottleConfig,
    accounts: Mutex<Counters>,
    addresses: Mutex<Counters>,
}

impl Throttle {
    pub(crate) fn new(config: ThrottleConfig) -> Self {
        Throttle {
            config,
            ..Throttle::default()
        }
    }

    /// Start an attempt: `Err(wait)` when the account or the address is locked; otherwise the
    /// attempt is counted as a failure until [`Throttle::succeeded`] takes it back.
    pub(crate) fn begin(&self, account: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let c = &self.config;
        // Always accounts, then addresses: one lock order, so two requests cannot deadlock.
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let acc = accounts.entry(account, now, c);
        let acc_wait = acc.locked_for(now, c.account_failures, c);
        let adr = addresses.entry(address, now, c);
        let adr_wait = adr.locked_for(now, c.address_failures, c);
        if let Some(wait) = acc_wait.max(adr_wait) {
            return Err(wait);
        }
        acc.0.push_back(now);
        adr.0.push_back(now);
        Ok(())
    }

    /// The attempt begun for `account` from `address` succeeded: the account's failures are
    /// forgotten, and the address's provisional failure taken back (its earlier failures stay, so
    /// signing in to one's own account does not reset the count of guesses at others).
    pub(crate) fn succeeded(&self, account: &str, address: &str) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        accounts.map.remove(account);
        if let Some(f) = addresses.map.get_mut(address) {
            f.0.pop_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(ThrottleConfig::default())
    }

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn five_failures_lock_the_account_for_fifteen_minutes() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(t.begin("zhang", "10.0.0.1", t0 + i * MIN).is_ok(), "{i}");
        }
        // the fifth failure (at minute 4) locks until minute 19, whatever the address
        let wait = t.begin("zhang", "10.0.0.2", t0 + 5 * MIN).unwrap_err();
        assert_eq!(wait, 14 * MIN);
        assert!(t.begin("zhang", "10.0.0.2", t0 + 18 * MIN).is_err());
        assert!(
            t.begin("li", "10.0.0.1", t0 + 5 * MIN).is_ok(),
            "other accounts are not locked"
        );
        assert!(t.begin("zhang", "10.0.0.2", t0 + 19 * MIN).is_ok());
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..10 {
            assert!(t.begin("zhang", "a", t0 + i * 4 * MIN).is_ok(), "{i}");
        }
    }

    #[test]
    fn success_forgets_the_account_failures() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..4 {
            t.begin("zhang", "a", t0).unwrap();
        }
        t.begin("zhang", "a", t0).unwrap();
        t.succeeded("zhang", "a");
        for _ in 0..4 {
            t.begin("zhang", "a", t0).unwrap();
        }
    }

    #[test]
    fn twenty_failures_lock_the_address() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..20 {
            t.begin(&format!("user{i}"), "10.0.0.9", t0).unwrap();
        }
        assert!(t.begin("user99", "10.0.0.9", t0).is_err());
        assert!(t.begin("user99", "10.0.0.8", t0).is_ok());
        // a success from the address takes back only its own attempt
        let t = throttle();
        for i in 0..19 {
            t.begin(&format!("user{i}"), "x", t0).unwrap();
        }
        t.begin("mine", "x", t0).unwrap();
        t.succeeded("mine", "x");
        t.begin("user19", "x", t0).unwrap();
        assert!(t.begin("user20", "x", t0).is_err());
    }

    #[test]
    fn stale_keys_are_pruned() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..3000 {
            t.begin(&format!("u{i}"), "a", t0).ok();
        }
        let later = t0 + 31 * MIN;
        t.begin("late", "b", later).unwrap();
        for i in 0..2000 {
            t.begin(&format!("v{i}"), "b", later).ok();
        }
        assert!(t.accounts.lock().unwrap().map.len() < 4000);
    }
}
