-- New-card screening as the sending bank reads it: the score and level of the reasons a bank
-- may read (the police's — key person, punishment, two-card lead, mule account — left out), so
-- that no police record can be read back from a number. Filled from the stored findings for
-- cards screened before: the weights are those of `fanzha_screen::ReasonCode::weight`.
ALTER TABLE new_cards ADD COLUMN bank_score BIGINT NOT NULL DEFAULT 0;
ALTER TABLE new_cards ADD COLUMN bank_level TEXT NOT NULL DEFAULT 'none'
    CHECK (bank_level IN ('none', 'low', 'medium', 'high'));
UPDATE new_cards SET bank_score = score
    - (CASE WHEN findings LIKE '%"code":"holder_punished"%' THEN 60 ELSE 0 END)
    - (CASE WHEN findings LIKE '%"code":"holder_gave_card_away"%' THEN 50 ELSE 0 END)
    - (CASE WHEN findings LIKE '%"code":"holder_mule_account"%' THEN 50 ELSE 0 END)
    - (CASE WHEN findings LIKE '%"code":"holder_key_person"%' THEN 40 ELSE 0 END);
UPDATE new_cards SET bank_level = CASE
    WHEN bank_score >= 50 THEN 'high'
    WHEN bank_score >= 25 THEN 'medium'
    WHEN bank_score >= 10 THEN 'low'
    ELSE 'none' END;
CREATE INDEX new_cards_bank_level ON new_cards (bank_code, bank_level);
