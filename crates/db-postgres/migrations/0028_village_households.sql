-- How many households each village holds (every status): the household list's total for the
-- pager, summed over a region's villages, instead of a count over every household of a province
-- (a quarter of a second on PostgreSQL at 1.5 million households).
CREATE TABLE village_households (
    village_code TEXT PRIMARY KEY,
    households   BIGINT NOT NULL
);

INSERT INTO village_households (village_code, households)
SELECT village_code, COUNT(*) FROM households GROUP BY village_code;
