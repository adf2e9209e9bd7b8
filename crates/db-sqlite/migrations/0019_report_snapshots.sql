-- Work summaries frozen as they were made (what was sent upward), shown again unchanged later.

CREATE TABLE report_snapshots (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    unit        TEXT,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    made_by     TEXT NOT NULL,
    made_at     TEXT NOT NULL
);
CREATE INDEX report_snapshots_region ON report_snapshots (region_code, id);
