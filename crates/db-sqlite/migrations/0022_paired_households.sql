-- Households with a pairing in force in the year (结对户数), summed per (year, region) like the
-- other pairing figures. The figures are rebuilt from the rows when the database is next opened.
ALTER TABLE pairing_year_stats ADD COLUMN households INTEGER NOT NULL DEFAULT 0;
DELETE FROM meta WHERE key = 'pairing_figures';
