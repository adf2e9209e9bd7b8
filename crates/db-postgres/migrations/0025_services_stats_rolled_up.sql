-- The services report's figures kept for every region a record counts at, as funds_stats is: the
-- row of a measure, workplace, hire or event is added to its own region's row and to the same key
-- of every region above it up to the province and the nation (once each: a township of a city
-- without counties has the city as its parent; see core's projects::counted_at), in the write's
-- transaction, so that a report reads the rows of its own region code instead of summing every
-- village of a code range. The rows written before are rolled up here: a region's codes at each
-- level are its code's prefixes of 0, 2, 4, 6, 9 and 12 digits padded with zeros, taken once.
ALTER TABLE measure_stats RENAME TO measure_stats_old;
ALTER TABLE measure_stats_old RENAME CONSTRAINT measure_stats_pkey TO measure_stats_old_pkey;
CREATE TABLE measure_stats (
    region_code  TEXT NOT NULL,
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
    PRIMARY KEY (region_code, month, kind, destination)
);
INSERT INTO measure_stats (region_code, month, kind, destination, measures, amount_fen, a_fen, b_fen, c1, c2, c3)
SELECT u.up, s.month, s.kind, s.destination, SUM(s.measures), SUM(s.amount_fen), SUM(s.a_fen), SUM(s.b_fen),
       SUM(s.c1), SUM(s.c2), SUM(s.c3)
FROM measure_stats_old s JOIN (SELECT DISTINCT c.code, substr(c.code, 1, l.n) || substr('000000000000', 1, 12 - l.n) AS up FROM (SELECT DISTINCT village_code AS code FROM measure_stats_old) c
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l) u ON u.code = s.village_code
GROUP BY u.up, s.month, s.kind, s.destination;
DROP TABLE measure_stats_old;

ALTER TABLE workplace_stats RENAME TO workplace_stats_old;
ALTER TABLE workplace_stats_old RENAME CONSTRAINT workplace_stats_pkey TO workplace_stats_old_pkey;
CREATE TABLE workplace_stats (
    region_code  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    item         TEXT NOT NULL,
    first_month  INTEGER NOT NULL,
    last_month   INTEGER NOT NULL,
    n            BIGINT NOT NULL DEFAULT 0,
    in_poor      BIGINT NOT NULL DEFAULT 0,
    positions    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, kind, item, first_month, last_month)
);
INSERT INTO workplace_stats (region_code, kind, item, first_month, last_month, n, in_poor, positions)
SELECT u.up, s.kind, s.item, s.first_month, s.last_month, SUM(s.n), SUM(s.in_poor), SUM(s.positions)
FROM workplace_stats_old s JOIN (SELECT DISTINCT c.code, substr(c.code, 1, l.n) || substr('000000000000', 1, 12 - l.n) AS up FROM (SELECT DISTINCT village_code AS code FROM workplace_stats_old) c
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l) u ON u.code = s.village_code
GROUP BY u.up, s.kind, s.item, s.first_month, s.last_month;
DROP TABLE workplace_stats_old;

ALTER TABLE event_stats RENAME TO event_stats_old;
ALTER TABLE event_stats_old RENAME CONSTRAINT event_stats_pkey TO event_stats_old_pkey;
CREATE TABLE event_stats (
    region_code           TEXT NOT NULL,
    month                 INTEGER NOT NULL,
    kind                  TEXT NOT NULL,
    events                BIGINT NOT NULL DEFAULT 0,
    served                BIGINT NOT NULL DEFAULT 0,
    registered            BIGINT NOT NULL DEFAULT 0,
    medicine_fen          BIGINT NOT NULL DEFAULT 0,
    leaflets              BIGINT NOT NULL DEFAULT 0,
    placed_in_county      BIGINT NOT NULL DEFAULT 0,
    placed_in_province    BIGINT NOT NULL DEFAULT 0,
    placed_cross_province BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, month, kind)
);
INSERT INTO event_stats (region_code, month, kind, events, served, registered, medicine_fen, leaflets,
                         placed_in_county, placed_in_province, placed_cross_province)
SELECT u.up, s.month, s.kind, SUM(s.events), SUM(s.served), SUM(s.registered), SUM(s.medicine_fen), SUM(s.leaflets),
       SUM(s.placed_in_county), SUM(s.placed_in_province), SUM(s.placed_cross_province)
FROM event_stats_old s JOIN (SELECT DISTINCT c.code, substr(c.code, 1, l.n) || substr('000000000000', 1, 12 - l.n) AS up FROM (SELECT DISTINCT region_code AS code FROM event_stats_old) c
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l) u ON u.code = s.region_code
GROUP BY u.up, s.month, s.kind;
DROP TABLE event_stats_old;
