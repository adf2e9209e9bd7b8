//! The audit log: an append-only, hash-chained record of every write, login and unmasked read.
//!
//! Each entry's hash is SHA-256 over its content and the previous entry's hash, so editing,
//! deleting or inserting a row anywhere breaks the chain from that row on; `verify` names the first
//! row that does not check out. Personal fields are masked in `before` / `after` before they are
//! written, so the log itself holds no ID numbers, phones or bank accounts.

pub mod store;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    pub region: Option<String>,
    /// UTC time, RFC 3339 with microseconds (`2026-11-29T04:07:07.123456Z`), as hashed.
    pub at: String,
    pub actor: String,
    pub client: Option<String>,
    /// What happened: `household.create`, `member.change`, `login`, `login.failed`, `unmask` …
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON of the record before (masked), as stored text.
    pub before: Option<String>,
    /// JSON of the record after (masked), or details of the event, as stored text.
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What a writer supplies; the store adds seq, time and hashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditRecord {
    /// The region the record belongs to (a household's village, a grant's region), by which
    /// auditors of a region see it; `None` for events of no region (visible to nationwide auditors).
    pub region: Option<crate::regions::RegionCode>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditRecord {
    /// A record of a change of `entity` with `before` and `after` serialised (already masked).
    pub fn change<T: Serialize>(
        action: &str,
        entity: &str,
        id: impl ToString,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        let json = |v: &T| serde_json::to_string(v).expect("serialisable");
        AuditRecord {
            region: None,
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: Some(id.to_string()),
            before: before.map(json),
            after: after.map(json),
        }
    }
    /// An event without a before state (login, unmasking …), with details as JSON.
    pub fn event(
        action: &str,
        entity: &str,
        id: Option<String>,
        details: serde_json::Value,
    ) -> Self {
        AuditRecord {
            region: None,
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: id,
            before: None,
            after: Some(details.to_string()),
        }
    }
    /// Attach the region the record belongs to.
    pub fn in_region(mut self, region: &crate::regions::RegionCode) -> Self {
        self.region = Some(region.clone());
        self
    }
}

/// Format a time as stored and hashed: UTC, microsecond precision, fixed width.
pub fn format_at(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t
        .replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .expect("valid nanosecond");
    let s = t.format(&Rfc3339).expect("formattable");
    // Rfc3339 drops trailing zero fractions; pad to a fixed width so text order is time order
    match s.split_once('.') {
        Some((head, frac)) => format!("{head}.{:0<6}Z", frac.trim_end_matches('Z')),
        None => format!("{}.000000Z", s.trim_end_matches('Z')),
    }
}

fn field(h: &mut Sha256, v: Option<&str>) {
    match v {
        // length-prefixed, so that no two different contents hash alike
        Some(s) => {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
        None => h.update(u64::MAX.to_be_bytes()),
    }
}

/// The hash of an entry's content chained to the previous hash (lower-case hex).
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    client: Option<&str>,
    r: &AuditRecord,
) -> String {
    let mut h = Sha256::new();
    field(&mut h, Some(prev_hash));
    h.update(seq.to_be_bytes());
    let region = r.region.as_ref().map(|c| c.as_str());
    for v in [
        Some(at),
        Some(actor),
        client,
        region,
        Some(r.action.as_str()),
        Some(r.entity.as_str()),
        r.entity_id.as_deref(),
        r.before.as_deref(),
        r.after.as_deref(),
    ] {
        field(&mut h, v);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditEntry {
    /// Recompute this entry's hash from its content and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        let r = AuditRecord {
            region: self
                .region
                .as_deref()
                .and_then(|c| crate::regions::RegionCode::parse(c).ok()),
            action: self.action.clone(),
            entity: self.entity.clone(),
            entity_id: self.entity_id.clone(),
            before: self.before.clone(),
            after: self.after.clone(),
        };
        chain_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            self.client.as_deref(),
            &r,
        )
    }
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks entries in order and finds the first that does not check out.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_string(),
            next_seq: 1,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Check the next entry.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        let broken = |reason: String| Err(BrokenLink { seq: e.seq, reason });
        if e.seq != self.next_seq {
            return Err(BrokenLink {
                seq: self.next_seq,
                reason: format!("第 {} 行缺失（下一行是第 {} 行）", self.next_seq, e.seq),
            });
        }
        if e.prev_hash != self.prev_hash {
            return broken(format!(
                "第 {} 行记录的前一哈希与第 {} 行不符",
                e.seq,
                e.seq - 1
            ));
        }
        if e.expected_hash() != e.hash {
            return broken(format!("第 {} 行的内容与其哈希不符（记录被改动）", e.seq));
        }
        self.prev_hash = e.hash.clone();
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// The hash the next entry must chain to, and its seq.
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, action: &str) -> AuditEntry {
        let r = AuditRecord {
            region: None,
            action: action.into(),
            entity: "household".into(),
            entity_id: Some("1".into()),
            before: None,
            after: Some("{}".into()),
        };
        let at = "2026-11-29T04:07:07.123456Z".to_string();
        let hash = chain_hash(prev, seq, &at, "tester", Some("127.0.0.1"), &r);
        AuditEntry {
            seq,
            region: None,
            at,
            actor: "tester".into(),
            client: Some("127.0.0.1".into()),
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            prev_hash: prev.into(),
            hash,
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut v: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let prev = v
                .last()
                .map(|e| e.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            v.push(entry(i, &prev, "household.create"));
        }
        v
    }

    #[test]
    fn intact_chain_verifies() {
        let mut ver = ChainVerifier::default();
        for e in chain(5) {
            ver.check(&e).unwrap();
        }
        assert_eq!(ver.checked, 5);
    }

    #[test]
    fn edits_deletions_and_reorders_are_found() {
        let mut edited = chain(5);
        edited[2].actor = "someone-else".into();
        let mut ver = ChainVerifier::default();
        let err = edited.iter().try_for_each(|e| ver.check(e)).unwrap_err();
        assert_eq!(err.seq, 3);

        let mut deleted = chain(5);
        deleted.remove(1);
        let mut ver = ChainVerifier::default();
        assert_eq!(
            deleted
                .iter()
                .try_for_each(|e| ver.check(e))
                .unwrap_err()
                .seq,
            2
        );

        // a rewritten row with a recomputed own hash still breaks the next link
        let mut forged = chain(5);
        forged[1].after = Some("{\"x\":1}".into());
        forged[1].hash = forged[1].expected_hash();
        let mut ver = ChainVerifier::default();
        assert_eq!(
            forged
                .iter()
                .try_for_each(|e| ver.check(e))
                .unwrap_err()
                .seq,
            3
        );
    }

    #[test]
    fn time_format_is_fixed_width() {
        let t = OffsetDateTime::from_unix_timestamp(1_764_389_227).unwrap();
        assert_eq!(format_at(t), "2025-11-29T04:07:07.000000Z");
        let t2 = t.replace_nanosecond(120_000_000).unwrap();
        assert_eq!(format_at(t2), "2025-11-29T04:07:07.120000Z");
    }
}
