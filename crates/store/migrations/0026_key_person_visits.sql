-- Key persons' responsible officer (包保责任人) and visit cycle (定期走访).
--
-- The responsible officer is either a user of the platform (`responsible_login`, whose unit lies
-- on the dossier unit's line: the unit itself, a unit below it or a unit above it) or an officer
-- named with a phone who has no login; `responsible_name` is kept for both (a user's display
-- name when assigned), so lists show it without a join. Every change is an `assigned` entry of
-- the dossier.
--
-- `visit_cycle_days` overrides the category's default cycle (in code, `KeyPersonCategory::
-- default_visit_cycle_days`); NULL takes the default. `listed_at` is the latest (re)listing:
-- the next visit is due the cycle's number of days after the later of it and the last visit,
-- so a reopened dossier starts a fresh cycle. Times are epoch ms UTC.
ALTER TABLE key_persons ADD COLUMN responsible_login TEXT;
ALTER TABLE key_persons ADD COLUMN responsible_name TEXT;
ALTER TABLE key_persons ADD COLUMN responsible_phone TEXT;
ALTER TABLE key_persons ADD COLUMN visit_cycle_days BIGINT
    CHECK (visit_cycle_days IS NULL OR (visit_cycle_days >= 1 AND visit_cycle_days <= 366));
ALTER TABLE key_persons ADD COLUMN listed_at BIGINT;
UPDATE key_persons SET listed_at = created_at;
CREATE INDEX key_persons_responsible ON key_persons (responsible_login, status);
