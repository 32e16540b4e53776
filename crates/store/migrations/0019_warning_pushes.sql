-- 预警推送: warnings pushed by an upstream platform (the national anti-fraud big-data platform,
-- the provincial 东风 platform, 长矛, others) keep the platform's identity — which platform, its
-- push id, when it pushed — so that a list imported twice creates nothing new and the outcome can
-- be reported back up per push id (反馈). A (platform, push id) pair names at most one warning;
-- warnings from the engine or entered by hand leave the columns empty (NULLs never collide).
ALTER TABLE warnings ADD COLUMN push_platform TEXT
    CHECK (push_platform IS NULL OR push_platform IN ('national', 'dongfeng', 'changmao', 'other'));
ALTER TABLE warnings ADD COLUMN push_id TEXT;
ALTER TABLE warnings ADD COLUMN pushed_at BIGINT;
ALTER TABLE warnings ADD COLUMN push_import_id BIGINT;
CREATE UNIQUE INDEX warnings_push ON warnings (push_platform, push_id);
CREATE INDEX warnings_pushed_at ON warnings (push_platform, pushed_at);

-- One row per imported push list: the platform, the importing unit (whose subtree lists it) and
-- what became of its rows; read / accepted / quarantined live on the import run.
CREATE TABLE warning_push_imports (
    import_run_id BIGINT PRIMARY KEY REFERENCES import_runs (id),
    platform      TEXT NOT NULL
        CHECK (platform IN ('national', 'dongfeng', 'changmao', 'other')),
    unit_code     TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   BIGINT NOT NULL,
    new_count     BIGINT NOT NULL DEFAULT 0 CHECK (new_count >= 0),
    merged_count  BIGINT NOT NULL DEFAULT 0 CHECK (merged_count >= 0),
    known_count   BIGINT NOT NULL DEFAULT 0 CHECK (known_count >= 0)
);
CREATE INDEX warning_push_imports_unit ON warning_push_imports (unit_code, imported_at);
