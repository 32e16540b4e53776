-- A key person's cases are read by the resident: as a suspect (by ID number) and as the
-- victim. Holders of accounts are found through bank_accounts_holder already.
CREATE INDEX case_suspects_resident ON case_suspects (resident_id);
CREATE INDEX cases_resident ON cases (resident_id);
