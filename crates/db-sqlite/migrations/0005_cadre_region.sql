-- A cadre belongs to the region of the office that registered them (a county, a township, a village):
-- only offices whose scope covers that region may change the cadre or link a user to them.
ALTER TABLE cadres ADD COLUMN region_code TEXT;
CREATE INDEX cadres_region ON cadres (region_code);
