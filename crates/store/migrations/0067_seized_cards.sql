-- Seized cards by kind: the bureaus count phone cards (SIMs, often hundreds from one GOIP den)
-- and bank cards separately ("查获涉诈手机卡2.2万余张、银行卡2000余张"). `cards` stays the total;
-- entries recorded before this have the total only (phone_cards = bank_cards = 0, their split
-- unknown), so `cards - phone_cards - bank_cards` is what was seized without a kind.
ALTER TABLE dismantled_groups ADD COLUMN phone_cards BIGINT NOT NULL DEFAULT 0
    CHECK (phone_cards >= 0);
ALTER TABLE dismantled_groups ADD COLUMN bank_cards BIGINT NOT NULL DEFAULT 0
    CHECK (bank_cards >= 0);
