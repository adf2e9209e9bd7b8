-- Public notices (公告公示) as posted: a project's library entry or completion, an asset's dividend
-- distribution of a year; village_code is the project's or asset's.
CREATE TABLE public_notices (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    year         INTEGER,
    posted_from  TEXT NOT NULL,
    posted_to    TEXT NOT NULL,
    places       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX public_notices_subject ON public_notices (kind, subject_id, id);
