-- The helping units of each (year, region)'s cadres, with how many of the region's cadres of the
-- year each unit has: the pairing report's count of helping units is then the rows of one region
-- and year, not a distinct count over every cadre of a province joined to their units.
CREATE TABLE pairing_year_units (
    year        INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    cadres      BIGINT NOT NULL,
    PRIMARY KEY (year, region_code, unit_id)
);

INSERT INTO pairing_year_units (year, region_code, unit_id, cadres)
SELECT p.year, p.region_code, c.unit_id, COUNT(*)
FROM pairing_year_cadres p JOIN cadres c ON c.id = p.cadre_id
GROUP BY p.year, p.region_code, c.unit_id;
