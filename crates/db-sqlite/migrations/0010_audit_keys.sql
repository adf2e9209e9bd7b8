-- The audit chain is sealed with HMAC-SHA256 under a key kept outside the database. Each entry
-- names the key that sealed it (keys rotate; old ones stay to check what they sealed); entries
-- written before keying keep NULL and their plain SHA-256 hash.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
-- The head's signature under the current key (`<key id>:<hex>`), so that a head moved back to an
-- earlier entry after deleting the tail does not check out without the key.
ALTER TABLE audit_head ADD COLUMN signature TEXT;
