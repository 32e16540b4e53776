-- 验收不通过 / 退回整改: the issuing side may return a rectification report (the measure goes
-- back from `replied` to `issued` with a new deadline); `returns` counts how often, and the
-- history takes a `returned` entry. SQLite cannot alter a CHECK, so the history table is
-- rebuilt with its rows.
ALTER TABLE supervision_measures ADD COLUMN returns BIGINT NOT NULL DEFAULT 0;

CREATE TABLE supervision_events_v2 (
    measure_id BIGINT NOT NULL REFERENCES supervision_measures (id),
    seq        BIGINT NOT NULL CHECK (seq >= 1),
    kind       TEXT NOT NULL CHECK (kind IN ('issued', 'replied', 'extended', 'returned',
                                             'closed')),
    actor      TEXT NOT NULL,
    at         BIGINT NOT NULL,
    note       TEXT NOT NULL,
    deadline   BIGINT,
    PRIMARY KEY (measure_id, seq)
);
INSERT INTO supervision_events_v2 (measure_id, seq, kind, actor, at, note, deadline)
    SELECT measure_id, seq, kind, actor, at, note, deadline FROM supervision_events;
DROP TABLE supervision_events;
ALTER TABLE supervision_events_v2 RENAME TO supervision_events;
