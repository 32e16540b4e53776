-- 线索转递: a unit that finds a pending two-card lead is not its own — the holder lives or works
-- elsewhere — hands it on to the unit that is, with why. The lead moves to that unit with a
-- fresh deadline of the same length; the latest hand-over is kept (`forwarded_from` the unit
-- that gave it, `forwarded_at`, `forward_reason`), every one in the audit log. Times epoch ms UTC.
ALTER TABLE two_card_leads ADD COLUMN forwarded_from TEXT;
ALTER TABLE two_card_leads ADD COLUMN forwarded_at BIGINT;
ALTER TABLE two_card_leads ADD COLUMN forward_reason TEXT;
