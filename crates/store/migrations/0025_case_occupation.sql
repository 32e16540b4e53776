-- The victim's occupation (受害人职业) on cases, the categories of `fanzha_core::Occupation`
-- by code; NULL is unknown (未知). `occupation_text` keeps what a 110 / 96110 export wrote when
-- it named no category (the case's occupation is then 'other'), so nothing the report said is
-- lost. A case whose victim is paid from public funds (public_sector) is public-sector staff
-- unless another occupation is stated: the cases stored before this migration take that rule.
ALTER TABLE cases ADD COLUMN occupation TEXT
    CHECK (occupation IN ('company_employee', 'self_employed', 'public_sector', 'student',
                          'retired', 'farmer', 'unemployed', 'freelance', 'medical', 'teacher',
                          'finance', 'accountant', 'other'));
ALTER TABLE cases ADD COLUMN occupation_text TEXT;
UPDATE cases SET occupation = 'public_sector' WHERE public_sector = 1;
CREATE INDEX cases_occupation ON cases (occupation, reported_at);
