-- The measures taken against suspects as a history (one row per measure taken), so that a
-- measure changed later (刑拘 on 30 March, then 逮捕 on 2 April) leaves the earlier period's
-- figures as they were; the suspect row keeps the measure it holds now, for display. The period
-- figures count people from this table: a person is their ID number, or the suspect row when
-- none was given. Recording a measure again at the same instant corrects that entry.
--
-- A person (an ID number) is a suspect of a case once: a second entry of the same person on
-- the same case (a form sent twice) is folded into the first — its measures join the first
-- entry's history and it is removed — before the unique index is built.
CREATE TABLE suspect_measures (
    id          {{ID_PK}},
    suspect_id  BIGINT NOT NULL REFERENCES case_suspects (id),
    measure     TEXT NOT NULL CHECK (measure IN ('criminal_detention', 'arrest', 'bail',
                                                 'residential_surveillance', 'administrative',
                                                 'education')),
    measure_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (suspect_id, measure_at)
);
CREATE INDEX suspect_measures_at ON suspect_measures (measure_at);

-- Every suspect's current measure becomes its history, on the first entry of the person in
-- the case.
INSERT INTO suspect_measures (suspect_id, measure, measure_at, created_by, created_at)
SELECT k.keep_id, MAX(s.measure), s.measure_at, MIN(s.created_by), MIN(s.updated_at)
FROM case_suspects s
JOIN (
    SELECT s2.id,
           COALESCE((SELECT MIN(d.id) FROM case_suspects d
                     WHERE d.case_id = s2.case_id AND d.resident_id = s2.resident_id),
                    s2.id) AS keep_id
    FROM case_suspects s2
) k ON k.id = s.id
WHERE s.measure IS NOT NULL
GROUP BY k.keep_id, s.measure_at;

-- The entry kept holds the latest measure of its history.
UPDATE case_suspects
SET measure = (SELECT m.measure FROM suspect_measures m WHERE m.suspect_id = case_suspects.id
               ORDER BY m.measure_at DESC LIMIT 1),
    measure_at = (SELECT MAX(m.measure_at) FROM suspect_measures m
                  WHERE m.suspect_id = case_suspects.id)
WHERE EXISTS (SELECT 1 FROM suspect_measures m WHERE m.suspect_id = case_suspects.id);

DELETE FROM case_suspects
WHERE resident_id IS NOT NULL
  AND id > (SELECT MIN(d.id) FROM case_suspects d
            WHERE d.case_id = case_suspects.case_id AND d.resident_id = case_suspects.resident_id);

-- Rows without an ID number never collide (NULLs are distinct on both backends).
CREATE UNIQUE INDEX case_suspects_case_resident ON case_suspects (case_id, resident_id);
