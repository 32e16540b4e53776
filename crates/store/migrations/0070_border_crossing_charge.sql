-- Two codes the bureaus' enforcement figures name and the suspects' register could not hold:
-- the charge 偷越国（边）境罪 — the people who went to the compounds abroad (缅北, 柬埔寨 …) and
-- came back are charged with crossing the border illegally ("偷越国边境人员查处") where no fraud
-- can be proved against them — and the role 行业内鬼, a bank's or an operator's own employee who
-- opened cards or accounts for the gangs ("严厉打击整治行业内鬼").
--
-- SQLite cannot alter a CHECK, and rebuilding `case_suspects` would break the keys that point
-- at it, so each column is replaced: a new one with the wider CHECK takes the values, the old
-- one (its own CHECK with it) is dropped, and the new one takes its name. (`role` keeps a
-- default only because SQLite adds a NOT NULL column with one; every insert names the role.)
ALTER TABLE case_suspects ADD COLUMN charge_v2 TEXT
    CHECK (charge_v2 IS NULL OR charge_v2 IN ('fraud', 'helping', 'concealing', 'border', 'other'));
UPDATE case_suspects SET charge_v2 = charge;
ALTER TABLE case_suspects DROP COLUMN charge;
ALTER TABLE case_suspects RENAME COLUMN charge_v2 TO charge;

ALTER TABLE case_suspects ADD COLUMN role_v2 TEXT NOT NULL DEFAULT 'other'
    CHECK (role_v2 IN ('fraudster', 'cash_mule', 'card_seller', 'lead_generator',
                       'den_operator', 'money_launderer', 'insider', 'other'));
UPDATE case_suspects SET role_v2 = role;
ALTER TABLE case_suspects DROP COLUMN role;
ALTER TABLE case_suspects RENAME COLUMN role_v2 TO role;
