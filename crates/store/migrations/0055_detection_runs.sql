-- Each run of live detection on the signal stream (`fanzha serve` with detection, `fanzha
-- worker`): where it started and how far it has read, its figures stored at every snapshot,
-- and whether it ended (stopped cleanly) — a run neither ended nor updated for minutes was
-- killed. Its rejected messages are the quarantine of its import run.
CREATE TABLE detection_runs (
    id                {{ID_PK}},
    stream            TEXT NOT NULL,
    host              TEXT NOT NULL,
    import_run_id     BIGINT NOT NULL REFERENCES import_runs (id),
    started_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    from_sequence     BIGINT NOT NULL,
    through_sequence  BIGINT NOT NULL,
    signals           BIGINT NOT NULL DEFAULT 0,
    rejected          BIGINT NOT NULL DEFAULT 0,
    warnings          BIGINT NOT NULL DEFAULT 0,
    delivered         BIGINT NOT NULL DEFAULT 0,
    already_delivered BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX detection_runs_stream ON detection_runs (stream, id);
