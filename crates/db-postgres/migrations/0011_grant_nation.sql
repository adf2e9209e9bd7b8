-- A grant may name the nation (000000000000), the root scope above the provinces, which is in no
-- division list: the store checks that a granted region is listed or is the nation, in place of the
-- foreign key to regions.
ALTER TABLE grants DROP CONSTRAINT grants_region_code_fkey;
ALTER TABLE grants ADD CONSTRAINT grants_region_code_length CHECK (length(region_code) = 12);
