-- 提请惩戒 / 不准出境报备: a unit proposes a punishment or an exit ban for a key person; the
-- center reports it up or returns it; the decision from above puts it in force (entered on the
-- dossier as the measure) or declines it. One proposal of a kind open (proposed or reported)
-- per dossier. Times epoch ms UTC; `version` counts the proposal's changes.
CREATE TABLE key_person_proposals (
    id              {{ID_PK}},
    key_person_id   BIGINT NOT NULL REFERENCES key_persons (id),
    kind            TEXT NOT NULL CHECK (kind IN ('punishment', 'exit_ban')),
    punishment_kind TEXT CHECK (punishment_kind IS NULL OR punishment_kind IN ('financial',
                                                                              'telecom', 'credit')),
    reason          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('proposed', 'reported', 'in_force',
                                                   'returned', 'declined')),
    proposed_by     TEXT NOT NULL,
    proposed_at     BIGINT NOT NULL,
    reported_by     TEXT,
    reported_at     BIGINT,
    decided_by      TEXT,
    decided_at      BIGINT,
    note            TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX key_person_proposals_open ON key_person_proposals (key_person_id, kind)
    WHERE state IN ('proposed', 'reported');
CREATE INDEX key_person_proposals_reported ON key_person_proposals (reported_at);
