-- The lowest level a region also stands for when the division list repeats it there because it has no
-- subdivisions of its own at the levels in between: 东莞市 (a city without counties) is also listed at
-- county level, 金门县 (a placeholder) at township and village level. NULL: only its own level.
ALTER TABLE regions ADD COLUMN lowest_level TEXT CHECK (lowest_level IN ('city', 'county', 'township', 'village'));
