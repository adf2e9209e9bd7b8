-- The services report's aggregates: per village, month of the start date (yyyymm), kind and (for
-- employment) destination, the figures of the measures that are not cancelled, kept in step by every
-- write of a measure in its transaction. What the counters mean per form: core's measures::Tally.
CREATE TABLE measure_stats (
    village_code TEXT NOT NULL,
    month        INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    destination  TEXT NOT NULL DEFAULT '',
    measures     BIGINT NOT NULL DEFAULT 0,
    amount_fen   BIGINT NOT NULL DEFAULT 0,
    a_fen        BIGINT NOT NULL DEFAULT 0,
    b_fen        BIGINT NOT NULL DEFAULT 0,
    c1           BIGINT NOT NULL DEFAULT 0,
    c2           BIGINT NOT NULL DEFAULT 0,
    c3           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (village_code, month, kind, destination)
);
