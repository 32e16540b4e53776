-- New phone cards (新入网电话卡) share new-card screening with bank cards: operators send their
-- daily lists of new numbers as banks send theirs of new cards. `kind` tells the two apart; for
-- a phone card `account_no` is the number (canonical), `bank_code` / `bank_name` name the
-- network operator that sent it (`china_mobile` …), `outlet` the shop (营业厅), and `phone`
-- stays empty. An operator liaison reads the rows whose `bank_code` is their operator's.
ALTER TABLE new_cards ADD COLUMN kind TEXT NOT NULL DEFAULT 'bank_card'
    CHECK (kind IN ('bank_card', 'sim_card'));
CREATE INDEX new_cards_kind ON new_cards (kind, opened_at);
