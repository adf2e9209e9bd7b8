-- The household list in its order (village, household number), so that a page after a cursor
-- (keyset pagination) is a range of this index, at the end of a province as at its start.
CREATE INDEX households_village_number ON households (village_code, household_number);
