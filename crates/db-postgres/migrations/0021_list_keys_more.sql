-- Lists paged by keyset in their order: a page after a cursor is a range of one of these
-- indexes, at the end of a province as at its start.
CREATE INDEX early_warnings_village_household ON early_warnings (year, village_code, household_id);
DROP INDEX early_warnings_village;
