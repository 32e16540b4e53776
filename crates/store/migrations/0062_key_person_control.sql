-- 动态管控: where a key person stands, as the officer found them at the latest visit that said
-- so — 在控稳定 (`stable`: at home or working nearby, reachable), 外出 (`away`: left the area,
-- `control_place` where to), 失联 (`lost`: cannot be reached) — since `control_at`, and the
-- contact number the officer found working then (`contact_phone`, digits; the register's phone
-- may be stale). Every change is the `visit` entry that carried it. Times epoch ms UTC.
ALTER TABLE key_persons ADD COLUMN control_state TEXT
    CHECK (control_state IS NULL OR control_state IN ('stable', 'away', 'lost'));
ALTER TABLE key_persons ADD COLUMN control_place TEXT;
ALTER TABLE key_persons ADD COLUMN control_at BIGINT;
ALTER TABLE key_persons ADD COLUMN contact_phone TEXT;
CREATE INDEX key_persons_control ON key_persons (control_state, status);
