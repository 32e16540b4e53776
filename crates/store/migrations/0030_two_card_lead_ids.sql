-- A lead's number as the office that pushed it down gave it (线索编号), so that the results of
-- the checks go back up against it (反馈). Empty for leads without one (the center's own).
ALTER TABLE two_card_leads ADD COLUMN upstream_id TEXT NOT NULL DEFAULT '';
