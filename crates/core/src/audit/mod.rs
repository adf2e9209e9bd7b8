//! The audit log: an append-only, hash-chained record of every write, login and unmasked read.
//!
//! Each entry's hash is an HMAC-SHA256, under a key kept outside the database (`keys`), over its
//! content and the previous entry's hash, so editing, deleting or inserting a row anywhere breaks
//! the chain from that row on, and only the key's holder can compute a replacement chain. Entries
//! written before keying existed carry a plain SHA-256 and no key id; they may only form the
//! beginning of the log. `ChainVerifier` names the first row that does not check out. Personal
//! fields are masked in `before` / `after` before they are written, so the log itself holds no ID
//! numbers, phones or bank accounts.

pub mod actions;
pub mod keys;
pub mod store;

pub use actions::{action_label, action_name, entity_name};
pub use keys::{AuditAnchor, AuditKey, AuditKeys, KEY_BYTES};
use serde::{Deserialize, Serialize};
use sha2::digest::Update;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The key the entry is sealed with (`None`: an entry written before keying, plain SHA-256).
    pub key_id: Option<String>,
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

fn field(h: &mut impl Update, v: Option<&str>) {
    match v {
        // length-prefixed, so that no two different contents hash alike
        Some(s) => {
            h.update(&(s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
        None => h.update(&u64::MAX.to_be_bytes()),
    }
}

/// Feed an entry's content, chained to the previous hash, into a hash or MAC.
fn content(
    h: &mut impl Update,
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    client: Option<&str>,
    r: &AuditRecord,
) {
    field(h, Some(prev_hash));
    h.update(&seq.to_be_bytes());
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
        field(h, v);
    }
}

/// The hash of an entry's content chained to the previous hash (lower-case hex): HMAC-SHA256
/// under `key` (whose id is part of what is signed), or plain SHA-256 for an entry written
/// before keying (`None`), as those were.
pub fn chain_hash(
    key: Option<&AuditKey>,
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    client: Option<&str>,
    r: &AuditRecord,
) -> String {
    match key {
        Some(k) => {
            use hmac::Mac;
            let mut m = k.mac();
            field(&mut m, Some("entry"));
            field(&mut m, Some(k.id()));
            content(&mut m, prev_hash, seq, at, actor, client, r);
            keys::hex(&m.finalize().into_bytes())
        }
        None => {
            let mut h = Sha256::new();
            content(&mut h, prev_hash, seq, at, actor, client, r);
            keys::hex(&h.finalize())
        }
    }
}

impl AuditEntry {
    /// Recompute this entry's hash from its content and `prev_hash` (with `key`, the key its
    /// `key_id` names; `None` for an unkeyed entry).
    pub fn expected_hash(&self, key: Option<&AuditKey>) -> String {
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
            key,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// The chain's head as the database stores it beside the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    pub seq: i64,
    pub hash: String,
    /// `AuditKeys::sign_head` of `(seq, hash)`; none while only unkeyed entries were written.
    pub signature: Option<String>,
}

/// What a walk of an intact chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainReport {
    /// Entries checked.
    pub checked: u64,
    /// Of those, entries written before keying (plain SHA-256), all at the beginning.
    pub legacy: u64,
    /// The keys that sealed the others, in order of first use.
    pub keys: Vec<String>,
    /// The last entry: position, hash and time (0, the genesis hash and none when empty).
    pub head_seq: i64,
    pub head_hash: String,
    pub head_at: Option<String>,
    /// The anchor's position, when one was given and the log still holds its exact prefix.
    pub anchored: Option<i64>,
    /// Records appended by writes and not yet chained when the walk ended (committed while it
    /// ran; the next sealing chains them).
    pub pending: u64,
}

/// Walks entries in order and finds the first that does not check out: a gap, a broken link, an
/// entry whose HMAC (or, before keying, hash) does not match, an unkeyed entry after keying began,
/// a head that is not the last entry or is not signed, and a log that no longer holds an anchor's
/// prefix.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    keys: Arc<AuditKeys>,
    anchor: Option<AuditAnchor>,
    prev_hash: String,
    prev_at: Option<String>,
    next_seq: i64,
    report: ChainReport,
}

impl ChainVerifier {
    /// A walk checking with `keys`, and against `anchor` when given (its signature is checked
    /// here first).
    pub fn new(keys: Arc<AuditKeys>, anchor: Option<AuditAnchor>) -> Result<Self, BrokenLink> {
        if let Some(a) = &anchor {
            a.check(&keys)
                .map_err(|reason| BrokenLink { seq: a.seq, reason })?;
        }
        Ok(ChainVerifier {
            keys,
            anchor,
            prev_hash: GENESIS_HASH.to_string(),
            prev_at: None,
            next_seq: 1,
            report: ChainReport {
                checked: 0,
                legacy: 0,
                keys: Vec::new(),
                head_seq: 0,
                head_hash: GENESIS_HASH.to_string(),
                head_at: None,
                anchored: None,
                pending: 0,
            },
        })
    }

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
        let key = match e.key_id.as_deref() {
            None if !self.report.keys.is_empty() => {
                return broken(format!(
                    "第 {} 行没有密钥签名，却在已用密钥签名的行之后（记录被改写）",
                    e.seq
                ))
            }
            None if e.seq > self.keys.legacy_until() => {
                return broken(format!(
                    "第 {} 行没有密钥签名，而启用密钥时日志只有 {} 行（记录被改写）",
                    e.seq,
                    self.keys.legacy_until()
                ))
            }
            None => None,
            Some(id) => match self.keys.get(id) {
                Some(k) => Some(k),
                None => {
                    return broken(format!(
                        "第 {} 行以密钥 {id} 签名，但已配置的密钥中没有它",
                        e.seq
                    ))
                }
            },
        };
        if e.expected_hash(key) != e.hash {
            return broken(format!("第 {} 行的内容与其哈希不符（记录被改动）", e.seq));
        }
        if let Some(a) = &self.anchor {
            if a.seq == e.seq && a.hash != e.hash {
                return broken(format!(
                    "第 {} 行与锚点（{}）记录的哈希不符：锚点之前的日志被改写",
                    e.seq, a.anchored_at
                ));
            }
        }
        match key {
            None => self.report.legacy += 1,
            Some(k) => {
                if !self.report.keys.iter().any(|id| id == k.id()) {
                    self.report.keys.push(k.id().to_string());
                }
            }
        }
        self.prev_hash = e.hash.clone();
        self.prev_at = Some(e.at.clone());
        self.next_seq += 1;
        self.report.checked += 1;
        Ok(())
    }

    /// The hash the next entry must chain to, and its seq.
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev_hash)
    }

    /// After the last entry: check the stored head (none: the database lost its head row) and
    /// the anchor's position.
    pub fn finish(mut self, head: Option<&StoredHead>) -> Result<ChainReport, BrokenLink> {
        let last = self.next_seq - 1;
        if last < self.keys.legacy_until() {
            return Err(BrokenLink {
                seq: last + 1,
                reason: format!(
                    "日志只到第 {last} 行，而启用密钥时已有 {} 行：其后的行被删除",
                    self.keys.legacy_until()
                ),
            });
        }
        let Some(h) = head else {
            return Err(BrokenLink {
                seq: last + 1,
                reason: "链头记录缺失（audit_head 被删除）".into(),
            });
        };
        {
            if h.seq != last || h.hash != self.prev_hash {
                return Err(BrokenLink {
                    seq: last + 1,
                    reason: format!(
                        "日志末尾缺失：链头记录为第 {} 行，实际最后一行为第 {last} 行",
                        h.seq
                    ),
                });
            }
            let signed = match &h.signature {
                Some(sig) => self.keys.check_head(h.seq, &h.hash, sig),
                None if self.report.keys.is_empty() => Ok(()),
                None => Err("链头没有密钥签名（链头被改写）".to_string()),
            };
            signed.map_err(|reason| BrokenLink {
                seq: last + 1,
                reason,
            })?;
        }
        if let Some(a) = &self.anchor {
            if a.seq > last {
                return Err(BrokenLink {
                    seq: last + 1,
                    reason: format!(
                        "锚点（{}）记录到第 {} 行，日志现在只到第 {last} 行：其后的行被删除",
                        a.anchored_at, a.seq
                    ),
                });
            }
            if a.seq == 0 && a.hash != GENESIS_HASH {
                return Err(BrokenLink {
                    seq: 0,
                    reason: "锚点无效：第 0 行的哈希须为初始哈希".into(),
                });
            }
            self.report.anchored = Some(a.seq);
        }
        self.report.head_seq = last;
        self.report.head_hash = self.prev_hash;
        self.report.head_at = self.prev_at;
        Ok(self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Arc<AuditKeys> {
        Arc::new(AuditKeys::new([5; keys::KEY_BYTES], 0))
    }

    fn entry(key: Option<&AuditKey>, seq: i64, prev: &str, action: &str) -> AuditEntry {
        let r = AuditRecord {
            region: None,
            action: action.into(),
            entity: "household".into(),
            entity_id: Some("1".into()),
            before: None,
            after: Some("{}".into()),
        };
        let at = "2026-11-29T04:07:07.123456Z".to_string();
        let hash = chain_hash(key, prev, seq, &at, "tester", Some("127.0.0.1"), &r);
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
            key_id: key.map(|k| k.id().to_string()),
        }
    }

    /// `legacy` unkeyed entries, then keyed ones up to `n`.
    fn chain_of(keys: &AuditKeys, legacy: i64, n: i64) -> Vec<AuditEntry> {
        let mut v: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let prev = v
                .last()
                .map(|e| e.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            let key = (i > legacy).then(|| keys.current());
            v.push(entry(key, i, &prev, "household.create"));
        }
        v
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        chain_of(&ring(), 0, n)
    }

    fn walk(
        keys: Arc<AuditKeys>,
        anchor: Option<AuditAnchor>,
        entries: &[AuditEntry],
        head: Option<StoredHead>,
    ) -> Result<ChainReport, BrokenLink> {
        let mut ver = ChainVerifier::new(keys, anchor)?;
        entries.iter().try_for_each(|e| ver.check(e))?;
        ver.finish(head.as_ref())
    }

    fn signed_head(keys: &AuditKeys, e: &AuditEntry) -> StoredHead {
        StoredHead {
            seq: e.seq,
            hash: e.hash.clone(),
            signature: Some(keys.sign_head(e.seq, &e.hash)),
        }
    }

    #[test]
    fn intact_chain_verifies() {
        let keys = ring();
        let c = chain(5);
        let head = signed_head(&keys, &c[4]);
        let r = walk(keys.clone(), None, &c, Some(head)).unwrap();
        assert_eq!((r.checked, r.legacy, r.head_seq), (5, 0, 5));
        assert_eq!(r.keys, [keys.current().id()]);
    }

    #[test]
    fn edits_deletions_and_reorders_are_found() {
        let keys = ring();
        let err = |c: &[AuditEntry]| walk(keys.clone(), None, c, None).unwrap_err().seq;
        let mut edited = chain(5);
        edited[2].actor = "someone-else".into();
        assert_eq!(err(&edited), 3);

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(err(&deleted), 2);

        // a rewritten row with a recomputed own hash still breaks the next link
        let mut forged = chain(5);
        forged[1].after = Some("{\"x\":1}".into());
        forged[1].hash = forged[1].expected_hash(Some(keys.current()));
        assert_eq!(err(&forged), 3);
    }

    #[test]
    fn a_chain_rehashed_without_the_key_is_found() {
        let keys = ring();
        let c = chain(5);
        // the attacker edits row 3 and recomputes everything from there, but not with our key:
        // with a key of their own, or as plain unkeyed entries
        let theirs = AuditKeys::new([6; keys::KEY_BYTES], 0);
        for (key, keep_id) in [(Some(theirs.current()), true), (None, false)] {
            let mut v: Vec<AuditEntry> = c[..2].to_vec();
            for i in 3..=5 {
                let prev = v.last().unwrap().hash.clone();
                let mut e = entry(key, i, &prev, if i == 3 { "forged" } else { "x" });
                if keep_id {
                    e.key_id = Some(keys.current().id().to_string());
                }
                v.push(e);
            }
            let head = StoredHead {
                seq: 5,
                hash: v[4].hash.clone(),
                signature: None,
            };
            assert_eq!(walk(keys.clone(), None, &v, Some(head)).unwrap_err().seq, 3);
        }
        // everything rewritten as entries from before keying
        let mut all_plain = Vec::new();
        for i in 1..=5 {
            let prev = all_plain
                .last()
                .map(|e: &AuditEntry| e.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            all_plain.push(entry(None, i, &prev, "x"));
        }
        assert_eq!(
            walk(keys.clone(), None, &all_plain, None).unwrap_err().seq,
            1
        );
    }

    #[test]
    fn legacy_entries_pass_only_as_the_beginning() {
        let keys = Arc::new(AuditKeys::new([5; keys::KEY_BYTES], 3));
        let c = chain_of(&keys, 3, 6);
        let r = walk(keys.clone(), None, &c, Some(signed_head(&keys, &c[5]))).unwrap();
        assert_eq!((r.checked, r.legacy), (6, 3));
        // only legacy entries so far: the head needs no signature
        let head = StoredHead {
            seq: 3,
            hash: c[2].hash.clone(),
            signature: None,
        };
        assert_eq!(
            walk(keys.clone(), None, &c[..3], Some(head))
                .unwrap()
                .legacy,
            3
        );
        // more unkeyed entries than there were at keying
        let more = chain_of(&keys, 4, 6);
        assert_eq!(walk(keys.clone(), None, &more, None).unwrap_err().seq, 4);
        // fewer: the old entries' tail deleted, or all of them
        let head = StoredHead {
            seq: 2,
            hash: c[1].hash.clone(),
            signature: None,
        };
        assert_eq!(
            walk(keys.clone(), None, &c[..2], Some(head))
                .unwrap_err()
                .seq,
            3
        );
        let empty = StoredHead {
            seq: 0,
            hash: GENESIS_HASH.into(),
            signature: None,
        };
        assert_eq!(
            walk(keys.clone(), None, &[], Some(empty)).unwrap_err().seq,
            1
        );
    }

    #[test]
    fn a_deleted_tail_with_the_head_moved_back_is_found() {
        let keys = ring();
        let c = chain(5);
        // head moved back to row 3, unsigned or with a signature of another position
        let unsigned = StoredHead {
            seq: 3,
            hash: c[2].hash.clone(),
            signature: None,
        };
        let mut resigned = unsigned.clone();
        resigned.signature = Some(keys.sign_head(5, &c[4].hash));
        for head in [unsigned, resigned] {
            assert_eq!(
                walk(keys.clone(), None, &c[..3], Some(head))
                    .unwrap_err()
                    .seq,
                4
            );
        }
        // with a head signature saved when row 3 was the head, only the anchor finds it
        let replayed = signed_head(&keys, &c[2]);
        assert!(walk(keys.clone(), None, &c[..3], Some(replayed.clone())).is_ok());
        let anchor = AuditAnchor::seal(&keys, 5, &c[4].hash, Some(&c[4].at), "t");
        let err = walk(keys.clone(), Some(anchor), &c[..3], Some(replayed)).unwrap_err();
        assert_eq!(err.seq, 4);
        assert!(err.reason.contains("锚点"), "{}", err.reason);
    }

    #[test]
    fn anchors_hold_the_prefix() {
        let keys = ring();
        let c = chain(5);
        let anchor = AuditAnchor::seal(&keys, 3, &c[2].hash, Some(&c[2].at), "t");
        let head = signed_head(&keys, &c[4]);
        let r = walk(keys.clone(), Some(anchor.clone()), &c, Some(head)).unwrap();
        assert_eq!(r.anchored, Some(3));
        // emptied log
        let empty = StoredHead {
            seq: 0,
            hash: GENESIS_HASH.into(),
            signature: None,
        };
        assert!(walk(keys.clone(), None, &[], Some(empty.clone())).is_ok());
        assert_eq!(
            walk(keys.clone(), Some(anchor.clone()), &[], Some(empty))
                .unwrap_err()
                .seq,
            1
        );
        // a different row 3 (the log rebuilt with the key)
        let mut other = c.clone();
        other[2] = entry(Some(keys.current()), 3, &c[1].hash, "other");
        assert_eq!(
            walk(keys.clone(), Some(anchor.clone()), &other[..3], None)
                .unwrap_err()
                .seq,
            3
        );
        // an anchor edited without the key
        let mut edited = anchor;
        edited.seq = 2;
        edited.hash = c[1].hash.clone();
        assert!(walk(keys, Some(edited), &c, None).is_err());
    }

    #[test]
    fn unknown_keys_are_named() {
        let keys = ring();
        let c = chain(2);
        let other = Arc::new(AuditKeys::new([8; keys::KEY_BYTES], 0));
        let err = walk(other, None, &c, None).unwrap_err();
        assert_eq!(err.seq, 1);
        assert!(err.reason.contains(keys.current().id()), "{}", err.reason);
    }

    #[test]
    fn legacy_hashes_are_those_of_the_earlier_release() {
        // the plain hash of an entry is what releases before keying stored
        let e = entry(None, 1, GENESIS_HASH, "household.create");
        assert_eq!(e.hash.len(), 64);
        assert_eq!(e.expected_hash(None), e.hash);
        assert_ne!(
            e.expected_hash(Some(ring().current())),
            e.hash,
            "keyed and unkeyed hashes differ"
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
