-- A grant may name the nation (000000000000), the root scope above the provinces, which is in no
-- division list: the store checks that a granted region is listed or is the nation, in place of the
-- foreign key to regions (SQLite drops a foreign key only by rebuilding the table).
CREATE TABLE grants_new (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,
    region_code TEXT NOT NULL CHECK (length(region_code) = 12),
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, role, region_code)
);
INSERT INTO grants_new (user_id, role, region_code, granted_by, granted_at)
    SELECT user_id, role, region_code, granted_by, granted_at FROM grants;
DROP TABLE grants;
ALTER TABLE grants_new RENAME TO grants;
-- users of a scope: grants by region range
CREATE INDEX grants_region ON grants (region_code);
