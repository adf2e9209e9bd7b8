-- Poverty measures at scale: the facts the measures read, kept per (year, village) in a compact
-- binary form (core's `assessment::facts`), valid while the village's version is the one they were
-- computed at. The version is bumped by the triggers below in the writing transaction itself,
-- whatever path writes (form, import, merge, status change, asset dividend …), so no write can
-- leave cached facts in use: a row of `village_measure_facts` whose version differs from the
-- village's current one is stale and is recomputed by the next pass. A village without a row in
-- `village_versions` is at version 0. Versions only grow; `fupin stats rebuild` empties the facts.
CREATE TABLE village_versions (
    village_code TEXT PRIMARY KEY,
    version      BIGINT NOT NULL
);

-- Keyed year first: a region's facts of a year are one contiguous range.
CREATE TABLE village_measure_facts (
    year         INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    version      BIGINT NOT NULL,
    households   BIGINT NOT NULL,
    facts        BYTEA NOT NULL,
    PRIMARY KEY (year, village_code)
);

-- Bump each village of `codes` once, in code order (so that two writers lock versions in the same
-- order).
CREATE FUNCTION bump_village_versions(codes TEXT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO village_versions (village_code, version)
    SELECT DISTINCT c, 1 FROM unnest(codes) AS c WHERE c IS NOT NULL ORDER BY 1
    ON CONFLICT (village_code) DO UPDATE SET version = village_versions.version + 1
$$;

-- Statement triggers over the transition tables: one bump per village and statement, so that a
-- COPY of a million rows costs one set-based statement, not a million. Which writes change the
-- measures' inputs: a household's village, identification year and living conditions; any
-- member's membership, birth date, schooling, education, health and insurance; incomes; status
-- history; the year's food and clothing facts. Other columns leave the facts as they are.
CREATE FUNCTION households_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(SELECT DISTINCT village_code FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(SELECT DISTINCT village_code FROM old_rows));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT unnest(ARRAY[o.village_code, n.village_code])
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.village_code, o.identification_year, o.living)
                  IS DISTINCT FROM (n.village_code, n.identification_year, n.living)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION persons_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM old_rows)));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (
                SELECT unnest(ARRAY[o.household_id, n.household_id])
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.household_id, o.birth_date, o.schooling, o.out_of_school_reason,
                       o.education, o.health, o.basic_medical_insurance, o.joined_on, o.left_on)
                      IS DISTINCT FROM
                      (n.household_id, n.birth_date, n.schooling, n.out_of_school_reason,
                       n.education, n.health, n.basic_medical_insurance, n.joined_on, n.left_on))));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION incomes_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM old_rows)));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (
                SELECT unnest(ARRAY[o.household_id, n.household_id])
                FROM old_rows o JOIN new_rows n
                  ON n.household_id = o.household_id AND n.year = o.year
                WHERE (o.wage_fen, o.business_fen, o.property_fen, o.transfer_fen,
                       o.business_cost_fen)
                      IS DISTINCT FROM
                      (n.wage_fen, n.business_fen, n.property_fen, n.transfer_fen,
                       n.business_cost_fen)
                UNION ALL
                -- a row whose key itself changed has no partner under the same key
                SELECT o.household_id FROM old_rows o WHERE NOT EXISTS (
                    SELECT 1 FROM new_rows n
                    WHERE n.household_id = o.household_id AND n.year = o.year)
                UNION ALL
                SELECT n.household_id FROM new_rows n WHERE NOT EXISTS (
                    SELECT 1 FROM old_rows o
                    WHERE o.household_id = n.household_id AND o.year = n.year))));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION status_history_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM old_rows)));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (
                SELECT unnest(ARRAY[o.household_id, n.household_id])
                FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                WHERE (o.household_id, o.to_status, o.date)
                      IS DISTINCT FROM (n.household_id, n.to_status, n.date))));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION household_years_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (SELECT household_id FROM old_rows)));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT DISTINCT h.village_code FROM households h
            WHERE h.id IN (
                SELECT unnest(ARRAY[o.household_id, n.household_id])
                FROM old_rows o FULL JOIN new_rows n
                  ON n.household_id = o.household_id AND n.year = o.year
                WHERE (o.food_secure, o.clothing_secure)
                      IS DISTINCT FROM (n.food_secure, n.clothing_secure)
                   OR o.household_id IS NULL OR n.household_id IS NULL)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER households_facts_insert AFTER INSERT ON households
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION households_facts();
CREATE TRIGGER households_facts_update AFTER UPDATE ON households
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION households_facts();
CREATE TRIGGER households_facts_delete AFTER DELETE ON households
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION households_facts();

CREATE TRIGGER persons_facts_insert AFTER INSERT ON persons
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION persons_facts();
CREATE TRIGGER persons_facts_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION persons_facts();
CREATE TRIGGER persons_facts_delete AFTER DELETE ON persons
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION persons_facts();

CREATE TRIGGER incomes_facts_insert AFTER INSERT ON incomes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incomes_facts();
CREATE TRIGGER incomes_facts_update AFTER UPDATE ON incomes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incomes_facts();
CREATE TRIGGER incomes_facts_delete AFTER DELETE ON incomes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incomes_facts();

CREATE TRIGGER status_history_facts_insert AFTER INSERT ON status_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_history_facts();
CREATE TRIGGER status_history_facts_update AFTER UPDATE ON status_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION status_history_facts();
CREATE TRIGGER status_history_facts_delete AFTER DELETE ON status_history
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_history_facts();

CREATE TRIGGER household_years_facts_insert AFTER INSERT ON household_years
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION household_years_facts();
CREATE TRIGGER household_years_facts_update AFTER UPDATE ON household_years
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_years_facts();
CREATE TRIGGER household_years_facts_delete AFTER DELETE ON household_years
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION household_years_facts();
