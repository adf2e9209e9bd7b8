-- Audit records a write appends in its own transaction, not yet chained: the sealer moves them
-- into audit_log, chained in the order it finds them committed, so that writers never queue on
-- the chain's head (an import holding it for minutes held up every other write).
CREATE TABLE audit_pending (
    id          INTEGER PRIMARY KEY,
    region_code TEXT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    client      TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    before_json TEXT,
    after_json  TEXT
);
