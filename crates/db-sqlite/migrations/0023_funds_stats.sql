-- The funds report's figures (资金报表): per region (a village, or any level above it: rolled up),
-- year, dimension and key, kept in step by every write of a fund source, allocation, receipt,
-- disbursement, project, asset, asset income and dividend in its transaction. What the counters
-- mean per dimension: core's projects::report. `fupin stats rebuild` fills it from the rows.
CREATE TABLE funds_stats (
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    dim         TEXT NOT NULL,
    key         TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    a_fen       BIGINT NOT NULL DEFAULT 0,
    b_fen       BIGINT NOT NULL DEFAULT 0,
    c_fen       BIGINT NOT NULL DEFAULT 0,
    d_fen       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, year, dim, key)
);

-- Whether paying the dividend created the household's income record of the year (1) — what taking
-- the payment back removes again, so that the statistics return exactly.
ALTER TABLE dividends ADD COLUMN created_income INTEGER NOT NULL DEFAULT 0;
