-- A key person's cases are read by the resident: as a suspect (by ID number), as the victim,
-- and as the holder of an account that victim money was transferred into (accounts are found
-- by holder through bank_accounts_holder, stop-payments by account already).
CREATE INDEX case_suspects_resident ON case_suspects (resident_id);
CREATE INDEX cases_resident ON cases (resident_id);
CREATE INDEX case_transfers_to_account ON case_transfers (to_account);
