-- One row per import of a file, and the rows it rejected with their reasons.
CREATE TABLE import_runs (
    id                {{ID_PK}},
    kind              TEXT NOT NULL,
    file              TEXT NOT NULL,
    content_hash      TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    finished_at       BIGINT,
    read_count        BIGINT NOT NULL DEFAULT 0,
    accepted_count    BIGINT NOT NULL DEFAULT 0,
    quarantined_count BIGINT NOT NULL DEFAULT 0,
    by_reason         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX import_runs_hash ON import_runs (kind, content_hash);

CREATE TABLE quarantine (
    id            {{ID_PK}},
    import_run_id BIGINT NOT NULL REFERENCES import_runs (id),
    file          TEXT NOT NULL,
    line          BIGINT NOT NULL,
    column_name   TEXT,
    reason        TEXT NOT NULL,
    raw           TEXT NOT NULL
);
CREATE INDEX quarantine_run ON quarantine (import_run_id, id);
