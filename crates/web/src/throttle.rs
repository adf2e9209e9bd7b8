//! Login throttling, in memory. Failed sign-ins are counted per account *and client address* pair,
//! per address, and per account:
//! - a pair (this account from this address) is locked after a few failures, so a guesser at one
//!   address is stopped without shutting the account's owner out from theirs;
//! - an address is locked after more failures, whatever accounts it tries;
//! - an account is only *slowed* after failures from anywhere: one attempt per interval from an
//!   address that has not signed in to it before, while addresses it signed in from go on as
//!   usual. A lock per account would let anyone lock anyone out with a few wrong passwords; the
//!   slowing still bounds a guesser spread over many addresses to a few attempts a minute.
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
    /// Failures of one account from one address within `window` that lock that pair.
    pub pair_failures: usize,
    /// Failures from one client address within `window` that lock the address. Higher than the
    /// pair limit: a village office shares one address among its staff.
    pub address_failures: usize,
    /// Failures of one account (from any address) within `window` after which the account is
    /// slowed: one attempt per `account_interval` from addresses it has not signed in from.
    pub account_failures: usize,
    pub account_interval: Duration,
    pub window: Duration,
    /// How long a lock lasts, from the failure that set it.
    pub lockout: Duration,
    /// How long a successful sign-in from an address exempts that address from the account's
    /// slowing.
    pub known_for: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            pair_failures: 5,
            address_failures: 20,
            account_failures: 5,
            account_interval: Duration::from_secs(20),
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
            known_for: Duration::from_secs(30 * 24 * 3600),
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
    /// One lock for all counters: an attempt reads and updates them together.
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    pairs: Counters,
    addresses: Counters,
    accounts: Counters,
    /// (account, address) pairs that signed in, with when: exempt from the account's slowing.
    known: HashMap<String, Instant>,
    known_prune_at: usize,
}

/// The key of an account and address pair (a NUL cannot occur in either).
fn pair_key(account: &str, address: &str) -> String {
    format!("{account}\0{address}")
}

impl Throttle {
    pub(crate) fn new(config: ThrottleConfig) -> Self {
        Throttle {
            config,
            ..Throttle::default()
        }
    }

    /// Start an attempt: `Err(wait)` when the pair or the address is locked, or the account is
    /// slowed and this address must wait its turn; otherwise the attempt is counted as a failure
    /// until [`Throttle::succeeded`] takes it back.
    pub(crate) fn begin(&self, account: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let c = &self.config;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pair = pair_key(account, address);
        let known = st
            .known
            .get(&pair)
            .is_some_and(|t| now.duration_since(*t) < c.known_for);
        let pair_wait = st
            .pairs
            .entry(&pair, now, c)
            .locked_for(now, c.pair_failures, c);
        let adr_wait = st
            .addresses
            .entry(address, now, c)
            .locked_for(now, c.address_failures, c);
        let acc = st.accounts.entry(account, now, c);
        acc.locked_for(now, usize::MAX, c); // drops failures that left the window
        let acc_wait = if !known && acc.0.len() >= c.account_failures {
            acc.0
                .back()
                .map(|t| *t + c.account_interval)
                .filter(|until| *until > now)
                .map(|until| until - now)
        } else {
            None
        };
        if let Some(wait) = pair_wait.max(adr_wait).max(acc_wait) {
            return Err(wait);
        }
        acc.0.push_back(now);
        st.pairs.entry(&pair, now, c).0.push_back(now);
        st.addresses.entry(address, now, c).0.push_back(now);
        Ok(())
    }

    /// The attempt begun for `account` from `address` succeeded: the pair's and the account's
    /// failures are forgotten, the address is remembered as one the account signs in from, and
    /// the address's provisional failure taken back (its earlier failures stay, so signing in to
    /// one's own account does not reset the count of guesses at others).
    pub(crate) fn succeeded(&self, account: &str, address: &str, now: Instant) {
        let c = &self.config;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pair = pair_key(account, address);
        st.pairs.map.remove(&pair);
        st.accounts.map.remove(account);
        if let Some(f) = st.addresses.map.get_mut(address) {
            f.0.pop_back();
        }
        if st.known.len() >= st.known_prune_at {
            st.known.retain(|_, t| now.duration_since(*t) < c.known_for);
            st.known_prune_at = (st.known.len() * 2).max(1024);
        }
        st.known.insert(pair, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(ThrottleConfig::default())
    }

    const SEC: Duration = Duration::from_secs(1);
    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn five_failures_lock_the_pair_for_fifteen_minutes_not_the_account() {
        let t = throttle();
        let t0 = Instant::now();
        t.begin("zhang", "10.0.0.5", t0).unwrap();
        t.succeeded("zhang", "10.0.0.5", t0); // zhang's own office
        for i in 0..5 {
            assert!(t.begin("zhang", "10.0.0.1", t0 + i * MIN).is_ok(), "{i}");
        }
        // the fifth failure (at minute 4) locks that address out of zhang until minute 19
        let wait = t.begin("zhang", "10.0.0.1", t0 + 5 * MIN).unwrap_err();
        assert_eq!(wait, 14 * MIN);
        assert!(t.begin("zhang", "10.0.0.1", t0 + 18 * MIN).is_err());
        assert!(
            t.begin("li", "10.0.0.1", t0 + 5 * MIN).is_ok(),
            "other accounts from that address are not locked"
        );
        // zhang signs in from the office as usual, even while slowed elsewhere
        assert!(t.begin("zhang", "10.0.0.5", t0 + 5 * MIN).is_ok());
        t.succeeded("zhang", "10.0.0.5", t0 + 5 * MIN);
        assert!(t.begin("zhang", "10.0.0.1", t0 + 19 * MIN).is_ok());
    }

    #[test]
    fn an_account_failing_from_many_addresses_is_slowed_not_locked() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..5 {
            t.begin("zhang", &format!("10.0.1.{i}"), t0).unwrap();
        }
        // from a new address: one attempt per 20 seconds, never a 15-minute lock
        let wait = t.begin("zhang", "10.0.2.1", t0 + 5 * SEC).unwrap_err();
        assert_eq!(wait, 15 * SEC);
        assert!(t.begin("zhang", "10.0.2.1", t0 + 20 * SEC).is_ok());
        assert!(t.begin("zhang", "10.0.2.2", t0 + 30 * SEC).is_err());
        assert!(t.begin("zhang", "10.0.2.2", t0 + 40 * SEC).is_ok());
        // a distributed guesser gets about three attempts a minute
        let mut allowed = 0;
        for s in 0..600 {
            let now = t0 + 40 * SEC + s * SEC;
            if t.begin("zhang", &format!("10.3.{}.{}", s / 200, s % 200), now)
                .is_ok()
            {
                allowed += 1;
            }
        }
        assert!((29..=31).contains(&allowed), "{allowed}");
        // the owner, once signed in from an address, is not slowed there
        let t = throttle();
        t.begin("li", "office", t0).unwrap();
        t.succeeded("li", "office", t0);
        for i in 0..5 {
            t.begin("li", &format!("x{i}"), t0).unwrap();
        }
        assert!(t.begin("li", "y", t0).is_err());
        assert!(t.begin("li", "office", t0).is_ok());
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
    fn success_forgets_the_failures() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..4 {
            t.begin("zhang", "a", t0).unwrap();
        }
        t.begin("zhang", "a", t0).unwrap();
        t.succeeded("zhang", "a", t0);
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
        t.succeeded("mine", "x", t0);
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
        let st = t.state.lock().unwrap();
        assert!(st.accounts.map.len() < 4000);
        assert!(st.pairs.map.len() < 4000);
    }
}
