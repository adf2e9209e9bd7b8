-- Cadres found by name: a pairings or visits file names each cadre (with the unit), and its import
-- looks up every batch's names; without this index each batch scanned the whole cadres table (on
-- a load of 200,000 households, 1,900 scans of 66,000 cadres, about 30 ms each).
CREATE INDEX cadres_name ON cadres (name);
