//! The keys that seal the audit chain, and anchors of its head signed with them.
//!
//! A plain hash chain can be recomputed by anyone who can write the database; an HMAC chain only
//! by whoever holds the key, which is kept outside the database (a file beside the job files, or
//! an environment variable). Keys rotate: each entry names the key it was sealed with, and old keys
//! stay in the ring to check the entries they sealed. The ring also remembers how many entries the
//! log held when keying began (`legacy_until`): those may stay unkeyed, any later one may not, so
//! rewriting the whole log as "old, unkeyed" entries does not pass.
//!
//! An anchor is the chain's head (position, hash, time) signed with the key and kept elsewhere;
//! the log must always still contain that exact prefix, which finds what the key cannot: a
//! deleted tail with a replayed head, or a log emptied altogether.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bytes of a key.
pub const KEY_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// One key: its id (derived from the secret, so that the same secret always has the same id) and
/// the HMAC state keyed with it, cloned for each use.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    secret: [u8; KEY_BYTES],
    mac: HmacSha256,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the secret
        f.debug_struct("AuditKey").field("id", &self.id).finish()
    }
}

impl AuditKey {
    /// A key from its secret bytes.
    pub fn new(secret: [u8; KEY_BYTES]) -> AuditKey {
        let mut h = Sha256::new();
        h.update(b"fupin audit key id\0");
        h.update(secret);
        let id = hex(&h.finalize()[..8]);
        let mac = HmacSha256::new_from_slice(&secret).expect("HMAC takes keys of any length");
        AuditKey { id, secret, mac }
    }
    /// The key's id as stored with each entry it seals (16 hex digits).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// A fresh HMAC state under this key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
    /// HMAC of `fields` (each length-prefixed, see `super::field`), as lower-case hex.
    fn sign(&self, label: &str, fields: &[Option<&str>]) -> String {
        let mut m = self.mac();
        super::field(&mut m, Some(label));
        for f in fields {
            super::field(&mut m, *f);
        }
        hex(&m.finalize().into_bytes())
    }
}

/// The keys of an installation: the last one seals new entries, all of them check old ones.
#[derive(Debug, Clone)]
pub struct AuditKeys {
    keys: Vec<AuditKey>,
    legacy_until: i64,
}

impl AuditKeys {
    /// A ring of one new key, for a log holding `legacy_until` unkeyed entries.
    pub fn new(secret: [u8; KEY_BYTES], legacy_until: i64) -> AuditKeys {
        AuditKeys {
            keys: vec![AuditKey::new(secret)],
            legacy_until: legacy_until.max(0),
        }
    }

    /// Add a key that seals from now on (rotation); the others stay to check what they sealed.
    pub fn rotate(&mut self, secret: [u8; KEY_BYTES]) -> &AuditKey {
        let key = AuditKey::new(secret);
        self.keys.retain(|k| k.id != key.id);
        self.keys.push(key);
        self.current()
    }

    /// The key that seals new entries.
    pub fn current(&self) -> &AuditKey {
        self.keys.last().expect("a ring holds at least one key")
    }

    /// The key of an id, if the ring holds it.
    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// All key ids, oldest first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// How many entries the log held, unkeyed, when keying began.
    pub fn legacy_until(&self) -> i64 {
        self.legacy_until
    }

    /// Read a ring from its text: lines (or `;`-separated parts) `key <64 hex digits>`, oldest
    /// first, and optionally `legacy-until <n>`; `#` starts a comment.
    pub fn parse(text: &str) -> Result<AuditKeys, String> {
        let mut keys = Vec::new();
        let mut legacy_until = 0;
        let parts = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(|l| l.split(';'));
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part
                .split_once(char::is_whitespace)
                .map(|(n, v)| (n, v.trim()))
                .unwrap_or((part, ""));
            match name {
                "key" => {
                    let bytes = unhex(value)
                        .filter(|b| b.len() == KEY_BYTES)
                        .ok_or_else(|| format!("密钥须为 {} 位十六进制数", KEY_BYTES * 2))?;
                    let mut secret = [0u8; KEY_BYTES];
                    secret.copy_from_slice(&bytes);
                    let key = AuditKey::new(secret);
                    keys.retain(|k: &AuditKey| k.id != key.id);
                    keys.push(key);
                }
                "legacy-until" => {
                    legacy_until = value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| *n >= 0)
                        .ok_or_else(|| format!("legacy-until 须为非负整数：{value}"))?;
                }
                other => return Err(format!("无法识别的一项：{other}")),
            }
        }
        if keys.is_empty() {
            return Err("没有密钥（须有一行 key <64 位十六进制数>）".into());
        }
        Ok(AuditKeys { keys, legacy_until })
    }

    /// The ring as text, as `parse` reads it (holds the secrets: keep it private).
    pub fn to_text(&self) -> String {
        let mut s = String::from(
            "# fupin audit keys: keep private (mode 0600) and back up apart from the database.\n\
             # The last key seals new audit entries; earlier keys check the entries they sealed.\n",
        );
        if self.legacy_until > 0 {
            s.push_str(&format!(
                "# entries 1-{0} were written before keying and stay unkeyed\nlegacy-until {0}\n",
                self.legacy_until
            ));
        }
        for k in &self.keys {
            s.push_str(&format!("key {}\n", hex(&k.secret)));
        }
        s
    }

    /// The signature of the chain's head (`<key id>:<hex>`), stored beside it, so that a head moved
    /// back to an earlier entry (a deleted tail) does not check out without the key.
    pub fn sign_head(&self, seq: i64, hash: &str) -> String {
        let k = self.current();
        let seq = seq.to_string();
        format!("{}:{}", k.id, k.sign("head", &[Some(&seq), Some(hash)]))
    }

    /// Check a head signature made by `sign_head` with any key of the ring.
    pub fn check_head(&self, seq: i64, hash: &str, signature: &str) -> Result<(), String> {
        let (id, mac) = signature
            .split_once(':')
            .ok_or_else(|| "链头签名格式无效".to_string())?;
        let k = self
            .get(id)
            .ok_or_else(|| format!("链头以密钥 {id} 签名，但已配置的密钥中没有它"))?;
        let seq = seq.to_string();
        if k.sign("head", &[Some(&seq), Some(hash)]) == mac {
            Ok(())
        } else {
            Err("链头签名无效（链头被改动，例如删除日志末尾后改写了链头）".into())
        }
    }
}

/// The chain's head written down elsewhere: the log must go on containing exactly the entries up
/// to `seq`, the last of them with `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditAnchor {
    /// The last entry's position (0: the log was empty).
    pub seq: i64,
    /// The last entry's hash (the genesis hash when empty).
    pub hash: String,
    /// The last entry's time (none when empty).
    pub at: Option<String>,
    /// When the anchor was taken (UTC).
    pub anchored_at: String,
    /// The key it is signed with.
    pub key_id: String,
    /// HMAC of the fields above.
    pub signature: String,
}

impl AuditAnchor {
    fn fields(seq: &str, hash: &str, at: Option<&str>, anchored_at: &str) -> [Option<String>; 4] {
        [
            Some(seq.to_string()),
            Some(hash.to_string()),
            at.map(str::to_string),
            Some(anchored_at.to_string()),
        ]
    }

    /// Sign the head `(seq, hash, at)` with the ring's current key.
    pub fn seal(
        keys: &AuditKeys,
        seq: i64,
        hash: &str,
        at: Option<&str>,
        anchored_at: &str,
    ) -> AuditAnchor {
        let k = keys.current();
        let f = Self::fields(&seq.to_string(), hash, at, anchored_at);
        let refs: Vec<Option<&str>> = f.iter().map(|v| v.as_deref()).collect();
        AuditAnchor {
            seq,
            hash: hash.to_string(),
            at: at.map(str::to_string),
            anchored_at: anchored_at.to_string(),
            key_id: k.id.clone(),
            signature: k.sign("anchor", &refs),
        }
    }

    /// Check the signature with the ring: an anchor edited by someone without the key fails.
    pub fn check(&self, keys: &AuditKeys) -> Result<(), String> {
        let k = keys
            .get(&self.key_id)
            .ok_or_else(|| format!("锚点以密钥 {} 签名，但已配置的密钥中没有它", self.key_id))?;
        let f = Self::fields(
            &self.seq.to_string(),
            &self.hash,
            self.at.as_deref(),
            &self.anchored_at,
        );
        let refs: Vec<Option<&str>> = f.iter().map(|v| v.as_deref()).collect();
        if self.seq >= 0 && k.sign("anchor", &refs) == self.signature {
            Ok(())
        } else {
            Err("锚点签名无效（锚点文件被改动）".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_read_back_what_they_write() {
        let mut ring = AuditKeys::new([7; KEY_BYTES], 12);
        let first = ring.current().id().to_string();
        ring.rotate([9; KEY_BYTES]);
        let again = AuditKeys::parse(&ring.to_text()).unwrap();
        assert_eq!(again.ids(), ring.ids());
        assert_eq!(again.ids()[0], first);
        assert_eq!(again.legacy_until(), 12);
        assert_eq!(again.current().id(), AuditKey::new([9; KEY_BYTES]).id());
        // one line, as an environment variable holds it
        let one = format!("legacy-until 3; key {}", "ab".repeat(32));
        assert_eq!(AuditKeys::parse(&one).unwrap().legacy_until(), 3);
        for bad in ["", "key 12", "legacy-until -1; key 00", "secret abc"] {
            assert!(AuditKeys::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", ring).contains(&"09".repeat(32)));
    }

    #[test]
    fn head_signatures_and_anchors_need_the_key() {
        let ring = AuditKeys::new([1; KEY_BYTES], 0);
        let other = AuditKeys::new([2; KEY_BYTES], 0);
        let sig = ring.sign_head(5, "abc");
        assert!(ring.check_head(5, "abc", &sig).is_ok());
        assert!(ring.check_head(4, "abc", &sig).is_err());
        assert!(other.check_head(5, "abc", &sig).is_err());

        let a = AuditAnchor::seal(&ring, 5, "abc", Some("t"), "now");
        assert!(a.check(&ring).is_ok());
        assert!(a.check(&other).is_err());
        let mut moved = a.clone();
        moved.seq = 4;
        assert!(moved.check(&ring).is_err());
        // a rotated ring still checks what the old key signed
        let mut rotated = ring.clone();
        rotated.rotate([3; KEY_BYTES]);
        assert!(a.check(&rotated).is_ok());
        assert!(rotated.check_head(5, "abc", &sig).is_ok());
    }
}
