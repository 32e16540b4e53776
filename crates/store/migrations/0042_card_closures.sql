-- Closure lists (销户名单): banks send the cards closed, operators the numbers given up, beside
-- their lists of new ones, so that screening sees holders who open and close cards again and
-- again (频繁开销户). A closure is kept whether or not the card came in a new-card list
-- (`opened_at` is the list's, when it gives one); `new_cards.closed_at` marks a listed card as
-- closed. A number may be given up, recycled and given up again, hence the key of account and
-- closing time; a list sent again adds nothing. Times are epoch ms UTC.
CREATE TABLE card_closures (
    id          {{ID_PK}},
    kind        TEXT NOT NULL CHECK (kind IN ('bank_card', 'sim_card')),
    account_no  TEXT NOT NULL,
    bank_code   TEXT NOT NULL,
    bank_name   TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    opened_at   BIGINT,
    closed_at   BIGINT NOT NULL,
    outlet      TEXT NOT NULL,
    batch       TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    UNIQUE (account_no, closed_at)
);
CREATE INDEX card_closures_holder ON card_closures (resident_id, closed_at);
CREATE INDEX card_closures_bank ON card_closures (bank_code, closed_at);
ALTER TABLE new_cards ADD COLUMN closed_at BIGINT;
